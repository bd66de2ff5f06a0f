"""Each thread's state over time -- running, runnable or blocked -- rebuilt from the trace.

The kernel records transitions, not states, so the states are inferred from the records in
trace order (all harts merged by time):
  SWITCH next=T           T runs on the switching hart from then on;
  SWITCH prev=T           T leaves the hart: runnable if the reason is YIELD, EXPIRED or
                          PREEMPTED, or if T was woken while still running (it blocked and was
                          woken again before its hart switched away); otherwise blocked;
  WAKEUP T (not running)  T is runnable, queued on the WAKEUP's `hart`;
  WAKEUP T (running)      remembered: T stays runnable when it is switched out;
  BLOCK T (not running)   T is blocked (suspended or removed while queued);
  BLOCK T (running)       forgets an earlier wakeup-while-running; the SWITCH says the rest;
  MIGRATE T (runnable)    T's queue moves to `to_hart` (a new interval, same state).
A thread first seen as a SWITCH's prev was running since the trace's start (as in
metrics.hart_timelines); otherwise its history starts at its first record. Open states are
closed at the trace's end. Intervals of zero length are dropped.

Each interval also says why the thread is in its state (`reason`, lower case, None if the trace
does not say): blocked -- what the thread's last BLOCK names (send, recv, reply, notification,
sleep, suspend, fault), or "suspended" after a SWITCH SUSPENDED; runnable -- how it got there
(the switch-out's yield / expired / preempted, or the WAKEUP's ipc / notification / timer /
resume); running -- None. A viewer can then say "blocked: recv", not only "blocked".
"""
from collections import namedtuple

import numpy as np

RUNNING, RUNNABLE, BLOCKED = "running", "runnable", "blocked"

# tid was in `state` during [start, end) ns, on `hart` (running: the hart it ran on; runnable:
# the hart it was queued on; blocked: the hart it last ran or was queued on); `reason` as the
# module docstring says.
Interval = namedtuple("Interval", "tid state start end hart reason", defaults=(None,))

_TRACKED = ("SWITCH", "WAKEUP", "BLOCK", "MIGRATE")


def thread_states(trace):
    """The list of Interval of every thread (tid != TRACE_TID_NONE), ordered by start time."""
    fmt = trace.format
    idle = fmt.constants["TRACE_TID_NONE"]
    reasons = fmt.enum("trace_switch_reason")
    stays_runnable = {reasons["TRACE_SWITCH_YIELD"], reasons["TRACE_SWITCH_EXPIRED"],
                      reasons["TRACE_SWITCH_PREEMPTED"]}
    suspended = reasons["TRACE_SWITCH_SUSPENDED"]
    block_reasons, wake_reasons = fmt.enum("trace_block_reason"), fmt.enum("trace_wake_reason")
    events = {fmt.event(name).value: fmt.event(name) for name in _TRACKED}
    current = {}      # tid -> [state, since, hart, reason]
    woken = {}        # running threads woken again before their switch-out -> the wake reason
    blocked_on = {}   # running threads -> what their last BLOCK named
    intervals = []

    def named(enum, value):
        name = enum.short_name(value)
        return name.lower() if name else None

    def enter(tid, state, time, hart, reason=None):
        if tid in current:
            old_state, since, old_hart, old_reason = current[tid]
            if (old_state, old_hart) == (state, hart):
                return
            if time > since:
                intervals.append(Interval(tid, old_state, since, time, old_hart, old_reason))
            if state == old_state:   # a migrated runnable thread keeps its reason
                reason = old_reason
        current[tid] = [state, time, hart, reason]

    for record in trace.records[np.isin(trace.records["type"], list(events))]:
        event = events[int(record["type"])]
        time, hart = int(record["time_ns"]), int(record["hart"])
        arg = {name: int(record[field]) for name, field in event.named_args()}
        if event.name == "SWITCH":
            prev, next_ = arg["prev"], arg["next"]
            if prev != idle:
                if prev not in current:
                    current[prev] = [RUNNING, trace.start_ns, hart, None]
                if arg["reason"] in stays_runnable:
                    enter(prev, RUNNABLE, time, hart, named(reasons, arg["reason"]))
                elif prev in woken:
                    enter(prev, RUNNABLE, time, hart, woken[prev])
                else:
                    enter(prev, BLOCKED, time, hart, "suspended" if arg["reason"] == suspended
                          else blocked_on.get(prev))
                woken.pop(prev, None)
                blocked_on.pop(prev, None)
            if next_ != idle:
                enter(next_, RUNNING, time, hart)
        elif event.name == "WAKEUP":
            tid, why = arg["tid"], named(wake_reasons, arg["wake_reason"])
            if current.get(tid, [None])[0] == RUNNING:
                woken[tid] = why
            else:
                enter(tid, RUNNABLE, time, arg["hart"], why)
        elif event.name == "BLOCK":
            tid, why = arg["tid"], named(block_reasons, arg["reason"])
            if current.get(tid, [None])[0] == RUNNING:
                woken.pop(tid, None)
                blocked_on[tid] = why
            else:
                enter(tid, BLOCKED, time, current.get(tid, [None, None, hart])[2], why)
        elif event.name == "MIGRATE":
            tid = arg["tid"]
            if current.get(tid, [None])[0] == RUNNABLE:
                enter(tid, RUNNABLE, time, arg["to_hart"])
    for tid, (state, since, hart, reason) in current.items():
        if trace.end_ns > since:
            intervals.append(Interval(tid, state, since, trace.end_ns, hart, reason))
    intervals.sort(key=lambda i: (i.start, i.tid))
    return intervals


def time_in_states(intervals):
    """{tid: {state: ns}} summed over a thread's intervals; every state present (0 if never)."""
    totals = {}
    for interval in intervals:
        states = totals.setdefault(interval.tid, dict.fromkeys((RUNNING, RUNNABLE, BLOCKED), 0))
        states[interval.state] += interval.end - interval.start
    return totals
