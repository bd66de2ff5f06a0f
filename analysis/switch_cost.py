"""Context-switch cost as far as the trace shows it.

The trace has no record at the instant a thread stops executing user code, so the switch cost
is measured as the kernel's *switch path*: from the record that made the switch necessary to
the SWITCH record itself, on the same hart. Under the deterministic clock (icount) one ns is
one instruction, so these are instruction counts. The trigger, by SWITCH reason:
  BLOCK, SUSPENDED -- the BLOCK record of prev;
  YIELD            -- the YIELD record of prev;
  EXPIRED          -- the PREEMPT record of prev (the timer found its slice over);
  PREEMPTED        -- the WAKEUP of next (the wakeup that made the policy prefer next);
  FROM_IDLE        -- the WAKEUP of next (an idle hart's way back to work).
Only a trigger recorded on the switching hart since that hart's previous SWITCH counts, so a
sample never spans two decisions; switches whose trigger is elsewhere (a thread woken by
another hart) give no sample and are counted as `unattributed`.
The modelled cache-refill penalty (CACHE_REFILL `cost_ns`, charged when a thread runs where
its working set is cold) is reported next to it: count, total and summary, in ns.
"""
import numpy as np

from .stats import summarise

_TRIGGER_OF_REASON = {"BLOCK": "BLOCK", "SUSPENDED": "BLOCK", "YIELD": "YIELD",
                      "EXPIRED": "PREEMPT", "PREEMPTED": "WAKEUP", "FROM_IDLE": "WAKEUP"}


def switch_cost(trace):
    """{"switch_path_ns": summarise() of all samples, plus by_reason: the same per SWITCH
    reason, and unattributed; "cache_refill_ns": summarise() of CACHE_REFILL costs plus
    total}."""
    fmt = trace.format
    reasons = fmt.enum("trace_switch_reason")
    wanted = {fmt.event(name).value: fmt.event(name)
              for name in ("SWITCH", "BLOCK", "YIELD", "PREEMPT", "WAKEUP")}
    pending = {}   # hart -> {(trigger event name, tid): time}, since the hart's last SWITCH
    by_reason, unattributed = {}, 0
    for record in trace.records[np.isin(trace.records["type"], list(wanted))]:
        event = wanted[int(record["type"])]
        hart, time = int(record["hart"]), int(record["time_ns"])
        args = {name: int(record[field]) for name, field in event.named_args()}
        triggers = pending.setdefault(hart, {})
        if event.name != "SWITCH":
            triggers[(event.name, args["tid"])] = time
            continue
        reason = reasons.short_name(args["reason"]) or str(args["reason"])
        trigger = _TRIGGER_OF_REASON.get(reason)
        who = args["next"] if trigger == "WAKEUP" else args["prev"]
        if (trigger, who) in triggers:
            by_reason.setdefault(reason, []).append(time - triggers[(trigger, who)])
        else:
            unattributed += 1
        pending[hart] = {}
    samples = [sample for values in by_reason.values() for sample in values]
    refills = trace.events("CACHE_REFILL")["cost_ns"].astype(np.int64).tolist()
    return {
        "switch_path_ns": dict(summarise(samples), unattributed=unattributed,
                               by_reason={reason: summarise(values)
                                          for reason, values in sorted(by_reason.items())}),
        "cache_refill_ns": dict(summarise(refills), total=sum(refills)),
    }
