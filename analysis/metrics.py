"""Scheduling metrics of a decoded trace (DESIGN §6), each defined in the docstring of its code.

compute_metrics() gathers them into the dict written as metrics.json. Times are nanoseconds of
emulated time, as in the trace. Thread ids are the kernel's TCB numbers; TRACE_TID_NONE (0) is
idle, never a thread. JSON object keys are strings, so per-thread and per-hart tables are keyed
by str(tid) and str(hart). A statistic of nothing (a percentile of no samples, a rate over no
time) is None (null), never a made-up 0; every summary carries its sample count n, and a
percentile the sample cannot support is None with the reason (stats.summarise).
Defined elsewhere: service_time_ns and request_latency_ns in requests.py; turnaround_ns,
thread_response_ns and throughput in lifetimes.py; jobs in jobs.py; timing_model in
timing_model.py.
"""
import json
from collections import namedtuple

import numpy as np

from .fairness import fairness, workload_threads
from .headline import headline
from .jobs import periodic_jobs
from .lifetimes import arrivals, thread_response, throughput, turnaround
from .migrations import migrations
from .policy_events import policy_events
from .requests import requests
from .stats import PERCENTILES, nearest_rank, per_second, summarise  # noqa: F401 (re-exported)
from .switch_cost import switch_cost
from .thread_states import thread_states
from .timing_model import EXPLANATION, from_trace_header

# Who held a hart when: parallel arrays of intervals [starts[i], ends[i]) run by tids[i].
Timeline = namedtuple("Timeline", "tids starts ends")


def _tid_none(trace):
    return trace.format.constants["TRACE_TID_NONE"]


_per_second = per_second


def context_switches(trace):
    """Context switches: the SWITCH records, classified by their `reason` and `prev`.
      voluntary   -- prev gave up the hart: reason TRACE_SWITCH_BLOCK or TRACE_SWITCH_YIELD;
      involuntary -- prev was taken off it: TRACE_SWITCH_EXPIRED or TRACE_SWITCH_PREEMPTED;
      from_idle   -- prev is TRACE_TID_NONE: the hart was idle, whatever the reason says;
      other       -- the rest (TRACE_SWITCH_SUSPENDED: prev was suspended, faulted or halted).
    total is the sum of the four; per_second is total per second of the trace's duration
    (first to last record), summed over harts; voluntary_per_second and involuntary_per_second
    likewise; per_hart counts total, voluntary and involuntary by the hart that switched."""
    switches = trace.events("SWITCH")
    reasons = trace.format.enum("trace_switch_reason")
    from_idle = switches["prev"] == _tid_none(trace)
    voluntary = ~from_idle & np.isin(switches["reason"], [reasons["TRACE_SWITCH_BLOCK"],
                                                          reasons["TRACE_SWITCH_YIELD"]])
    involuntary = ~from_idle & np.isin(switches["reason"], [reasons["TRACE_SWITCH_EXPIRED"],
                                                            reasons["TRACE_SWITCH_PREEMPTED"]])
    counts = {"total": len(switches), "voluntary": int(voluntary.sum()),
              "involuntary": int(involuntary.sum()), "from_idle": int(from_idle.sum())}
    counts["other"] = counts["total"] - counts["voluntary"] - counts["involuntary"] \
        - counts["from_idle"]
    counts["per_second"] = _per_second(counts["total"], trace.duration_ns)
    counts["voluntary_per_second"] = _per_second(counts["voluntary"], trace.duration_ns)
    counts["involuntary_per_second"] = _per_second(counts["involuntary"], trace.duration_ns)
    counts["per_hart"] = {
        str(hart): {"total": int(np.sum(switches.hart == hart)),
                    "voluntary": int(np.sum(voluntary & (switches.hart == hart))),
                    "involuntary": int(np.sum(involuntary & (switches.hart == hart)))}
        for hart in range(trace.nharts)}
    return counts


def wakeup_latency(trace, arrived=None):
    """Wakeup latency, ns (runnable to running): for each WAKEUP of thread `tid`, the time from
    that record to the first SWITCH after it in trace order, on any hart, whose `next` is tid.
    A thread woken twice before it runs gives two samples ending at the same switch. A WAKEUP
    that no later switch serves is no sample; it counts as unserved (the trace ended first, or
    the switch record was dropped). Start-up waits are no samples: the WAKEUPs of a thread
    recorded before its MARKER TRACE_MARK_THREAD_ARRIVAL (the TCB_Resume that starts it, while
    its creator still runs) are counted in startup_excluded instead; `arrived` is
    lifetimes.arrivals(trace) (computed when not given). Harts: the serving switch may be on
    any hart, so a thread woken onto hart A's queue and then pulled to hart B is served by B's
    switch; such samples are counted in migrated (switch hart != the WAKEUP's `hart`), and
    remote counts samples whose WAKEUP was recorded on another hart than it queued the thread
    on. Returns summarise() of all samples, unserved, startup_excluded, migrated, remote, the
    sorted samples (for the CDF) and per_thread: the same summary for each woken thread."""
    arrived = arrivals(trace) if arrived is None else arrived
    wakeups, switches = trace.events("WAKEUP"), trace.events("SWITCH")
    samples, unserved, per_thread, migrated, remote, excluded = [], 0, {}, 0, 0, 0
    for tid in np.unique(wakeups["tid"]).tolist():
        woken = wakeups["tid"] == tid
        if tid in arrived:
            startup = woken & (wakeups.positions < arrived[tid][1])
            excluded += int(startup.sum())
            woken &= ~startup
            if not woken.any():
                continue
        switched_in = switches["next"] == tid
        in_positions, in_times = switches.positions[switched_in], switches.time_ns[switched_in]
        serving = np.searchsorted(in_positions, wakeups.positions[woken], side="right")
        served = serving < len(in_positions)
        latencies = (in_times[serving[served]] - wakeups.time_ns[woken][served]).tolist()
        queued_on = wakeups["hart"][woken][served].astype(np.int64)
        migrated += int(np.sum(switches.hart[switched_in][serving[served]] != queued_on))
        remote += int(np.sum(wakeups.hart[woken][served] != queued_on))
        missed = int((~served).sum())
        per_thread[str(tid)] = dict(summarise(latencies), unserved=missed)
        samples += latencies
        unserved += missed
    return dict(summarise(samples), unserved=unserved, startup_excluded=excluded,
                migrated=migrated, remote=remote, samples=sorted(samples),
                per_thread=per_thread)


def hart_timelines(trace):
    """Who held each hart when, from that hart's SWITCH records: {hart: Timeline}, intervals
    covering the trace from its first record to its last, tid TRACE_TID_NONE meaning idle.
    A switch at time t ends prev's interval and starts next's. Before a hart's first switch it
    ran that switch's prev (the trace cannot say since when, so from the trace's start); after
    its last switch it runs next until the trace's end. A hart that never switched was idle."""
    switches = trace.events("SWITCH")
    timelines = {}
    for hart in range(trace.nharts):
        on_hart = switches.hart == hart
        if on_hart.any():
            tids = np.concatenate([switches["prev"][on_hart][:1], switches["next"][on_hart]])
            bounds = np.concatenate([[trace.start_ns], switches.time_ns[on_hart],
                                     [trace.end_ns]])
        else:
            tids, bounds = np.array([_tid_none(trace)]), np.array([trace.start_ns, trace.end_ns])
        timelines[hart] = Timeline(tids.astype(np.int64), bounds[:-1], bounds[1:])
    return timelines


def cpu_time(trace, timelines):
    """CPU time per thread, ns: the total length of the hart_timelines() intervals in which the
    thread held a hart, over all harts; the threads running when the trace ends count up to its
    end. Keyed by str(tid); idle is not a thread (see hart_usage)."""
    totals, idle = {}, _tid_none(trace)
    for timeline in timelines.values():
        for tid, start, end in zip(timeline.tids.tolist(), timeline.starts.tolist(),
                                   timeline.ends.tolist()):
            if tid != idle:
                totals[tid] = totals.get(tid, 0) + end - start
    return {str(tid): ns for tid, ns in sorted(totals.items())}


def thread_harts(timelines, threads):
    """Where the workload threads (`threads`, fairness.workload_threads) actually ran, from
    hart_timelines(): per_thread {tid: sorted harts it held}, per_hart {hart: how many of them
    ran there}, harts_used: the sorted harts any of them ran on. Shows the placement a policy
    and the engine's engine.placement produced (all on hart 0 under seL4's creator-hart rule
    with a policy that never migrates)."""
    ran = {}
    for hart, timeline in timelines.items():
        for tid in set(timeline.tids.tolist()) & set(threads):
            ran.setdefault(tid, set()).add(hart)
    per_hart = {str(hart): sum(hart in harts for harts in ran.values()) for hart in timelines}
    return {"per_thread": {str(tid): sorted(harts) for tid, harts in sorted(ran.items())},
            "per_hart": per_hart,
            "harts_used": sorted(set().union(*ran.values())) if ran else []}


def _idle_loop_ns(trace, hart):
    marks = []  # (position in the trace, time, entering), for the hart's IDLE_ENTER/IDLE_EXIT
    for name, entering in (("IDLE_ENTER", True), ("IDLE_EXIT", False)):
        events = trace.events(name)
        on_hart = events.hart == hart
        marks += [(position, time, entering) for position, time in
                  zip(events.positions[on_hart].tolist(), events.time_ns[on_hart].tolist())]
    marks.sort()
    # A hart whose first idle record is an EXIT was idle when the trace began.
    since = trace.start_ns if marks and not marks[0][2] else None
    idle = 0
    for _, time, entering in marks:
        if entering and since is None:
            since = time
        elif not entering and since is not None:
            idle, since = idle + time - since, None
    return idle + (trace.end_ns - since if since is not None else 0)


def hart_usage(trace, timelines):
    """Per hart (keyed by str(hart)):
      busy_ns      -- time some thread held the hart (hart_timelines);
      idle_ns      -- time no thread did: from a switch to TRACE_TID_NONE to the next switch;
                      busy_ns + idle_ns is the trace's duration;
      utilisation  -- busy_ns / duration_ns, the fraction of the trace's span the hart ran
                      threads (None for a trace with no duration);
      idle_loop_ns -- time in the kernel's idle loop, from IDLE_ENTER to the hart's next
                      IDLE_EXIT (an EXIT before any ENTER counts from the trace's start, an ENTER
                      never left counts to its end); less than idle_ns by the kernel's work on
                      the way into and out of idle;
      dropped      -- records the hart's trace buffer lost."""
    usage = {}
    for hart, timeline in timelines.items():
        lengths = timeline.ends - timeline.starts
        idle = int(lengths[timeline.tids == _tid_none(trace)].sum())
        busy = int(lengths.sum()) - idle
        usage[str(hart)] = {"busy_ns": busy, "idle_ns": idle,
                            "utilisation": busy / trace.duration_ns if trace.duration_ns else None,
                            "idle_loop_ns": _idle_loop_ns(trace, hart),
                            "dropped": int(trace.dropped_by_hart.get(hart, 0))}
    return usage


def threads(trace):
    """What the trace says about each thread, keyed by str(tid):
      name    -- from THREAD_NAME records: each puts 8 chars (`chars`, little-endian) at byte
                 `offset` of the name, NULs pad its end, and one at offset 0 starts a new name
                 (a rename); None if the trace names the thread nowhere;
      prio    -- its latest priority: THREAD_NEW's, then each PRIO_CHANGE's (threads are created
                 at 0 and given their priority after); None if the trace gives none;
      creator -- the tid that created it, from THREAD_NEW (None if created before tracing).
    Threads that only appear as a SWITCH endpoint are listed too, with None for the unknowns."""
    known = {}

    def thread(tid):
        return known.setdefault(tid, {"name": None, "prio": None, "creator": None})

    created = trace.events("THREAD_NEW")
    for tid, creator in zip(created["tid"].tolist(), created["creator"].tolist()):
        thread(tid)["creator"] = creator
    # THREAD_NEW and PRIO_CHANGE in trace order, so the last one sets the priority.
    prio_records = np.sort(np.concatenate([created.positions,
                                           trace.events("PRIO_CHANGE").positions]))
    for position in prio_records.tolist():
        record = trace.records[position]
        event = trace.format.events_by_value[int(record["type"])]
        thread(int(record[event.field("tid")]))["prio"] = int(record[event.field("prio")])
    names = {}
    named = trace.events("THREAD_NAME")
    for tid, offset, chars in zip(named["tid"].tolist(), named["offset"].tolist(),
                                  named["chars"].tolist()):
        name = bytearray() if offset == 0 else names.setdefault(tid, bytearray())
        name.extend(bytes(max(0, offset + 8 - len(name))))
        name[offset:offset + 8] = chars.to_bytes(8, "little")
        names[tid] = name
    for tid, name in names.items():
        thread(tid)["name"] = bytes(name).split(b"\0", 1)[0].decode("utf-8", "replace")
    switches = trace.events("SWITCH")
    for tid in np.union1d(switches["prev"], switches["next"]).tolist():
        if tid != _tid_none(trace):
            thread(tid)
    return {str(tid): known[tid] for tid in sorted(known)}


def loss(trace):
    """dropped_events: records the kernel's trace buffers lost, summed over harts (each hart's
    last chunk carries its count); truncated: the file ended inside a chunk;
    time_regressions: records earlier than their hart's previous record (a wrapped or broken
    clock; the records are used in time order); lossy if any of them. Events are missing or
    misplaced in a lossy trace, so every figure may be off: warning says so (None when the
    trace is complete)."""
    regressions = sum(trace.time_regressions.values())
    lossy = trace.dropped > 0 or trace.truncated or regressions > 0
    warning = None
    if lossy:
        problems = []
        if trace.dropped:
            per_hart = ", ".join(f"hart {hart}: {count}" for hart, count
                                 in sorted(trace.dropped_by_hart.items()) if count)
            problems.append(f"the kernel dropped {trace.dropped} records ({per_hart})")
        if trace.truncated:
            problems.append("the file is truncated")
        if regressions:
            problems.append(f"{regressions} records go back in time on their hart "
                            f"(wrapped or broken clock)")
        warning = (f"lossy trace: {' and '.join(problems)}; events are missing, so counts are "
                   f"low and latencies may be wrong")
    return {"dropped_events": int(trace.dropped), "truncated": trace.truncated,
            "time_regressions": regressions, "lossy": lossy, "warning": warning}


def compute_metrics(trace, scheduler=None):
    """Every metric of `trace` as the metrics.json dict; `scheduler` names the policy that ran.
    timing_model says what machine the times come from (timing_model.py, from the trace
    header's nharts and clock). headline holds the figures a comparison shows (see
    headline.py), taken from the rest."""
    timelines = hart_timelines(trace)
    intervals = thread_states(trace)
    workload = workload_threads(trace, intervals)
    arrived = arrivals(trace)
    request_figures = requests(trace)
    service = request_figures["service_time_ns"]
    jobs = periodic_jobs(trace)
    model = from_trace_header(trace.header)
    metrics = {
        "scheduler": scheduler,
        "trace_header": {name: value for name, value in trace.header.items()
                         if name not in ("magic", "record_size")},
        "timing_model": model,
        "timing_model_explanation": EXPLANATION.get(model),
        "records": len(trace.records),
        "duration_ns": trace.duration_ns,
        "context_switches": context_switches(trace),
        "switch_cost": switch_cost(trace),
        "wakeup_latency_ns": wakeup_latency(trace, arrived),
        "service_time_ns": service,
        "request_latency_ns": request_figures["request_latency_ns"],
        "jobs": jobs,
        "turnaround_ns": turnaround(trace, intervals, workload, arrived),
        "thread_response_ns": thread_response(trace, intervals, arrived),
        "throughput": throughput(trace, service["n"], jobs["completed"],
                                 requests_marked=service["n"] + service["unmatched"] > 0,
                                 jobs_released=jobs["released"] > 0),
        "fairness": fairness(intervals, workload),
        "migrations": migrations(trace, workload),
        "thread_harts": thread_harts(timelines, workload),
        "cpu_time_ns": cpu_time(trace, timelines),
        "harts": hart_usage(trace, timelines),
        "threads": threads(trace),
        "policy_events": policy_events(trace),
    }
    metrics.update(loss(trace))
    metrics["headline"] = headline(metrics)
    return metrics


def metrics_json(metrics):
    """metrics as JSON text: keys sorted and a fixed layout, so equal metrics give equal bytes."""
    return json.dumps(metrics, sort_keys=True, indent=1, allow_nan=False) + "\n"


def write_metrics(metrics, path):
    with open(path, "w") as out:
        out.write(metrics_json(metrics))
