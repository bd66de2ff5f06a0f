"""A thread's life in a workload: arrival, completion, turnaround and response; and the
throughput of the workload.

workload span: from the first MARKER TRACE_MARK_WORKLOAD_BEGIN to the last
TRACE_MARK_WORKLOAD_END, each end defaulting to the trace's first / last record when the
marker is absent; rates are taken over this span (ns; rates per second).

arrival of thread T: the `value` (ns, on the trace's clock) of T's first MARKER
TRACE_MARK_THREAD_ARRIVAL, the instant T's group became due (the workload records it; the
record itself may come before that instant, when T then sleeps until it, or after it).
completion of T: the time of T's first MARKER TRACE_MARK_THREAD_DONE, the end of its last
phase (not when it later leaves a hart: a slice expiring after it adds nothing).

turnaround_ns, per thread, with basis "arrival" when the trace marks arrivals: completion -
arrival for every thread with an ARRIVAL marker. A thread with no DONE marker has not
completed: its figure is trace end - arrival, a lower bound, and it is listed in unfinished.
Traces without ARRIVAL markers (older traces, hand-written workloads) fall back to basis
"first_runnable_to_last_run": per workload thread (fairness.workload_threads) from the start of
its first runnable or running interval to the end of its last running interval; a thread still
running or runnable at the trace's end is listed in unfinished with its figure up to the end.

thread_response_ns, per thread with an ARRIVAL marker: the first time T runs at or after its
arrival minus the arrival: 0 when T was running at that instant, else the first SWITCH with
next = T at or after it. A thread that never runs after its arrival has no sample and is listed
in never_ran. Traces without ARRIVAL markers have no samples (n = 0: not measured).

throughput: completed requests (REQUEST_BEGIN/END pairs) and completed periodic jobs
(JOB_RELEASE/END pairs) per second of the workload span; None (not measured) when the trace
marks no request, or releases no job, at all.
"""
import numpy as np

from .stats import per_second, summarise
from .thread_states import RUNNABLE, RUNNING


def workload_span(trace):
    """(start_ns, end_ns) of the workload, as defined above."""
    markers = trace.events("MARKER")
    ids = trace.format.enum("trace_marker_id")
    begins = markers.time_ns[markers["id"] == ids["TRACE_MARK_WORKLOAD_BEGIN"]]
    ends = markers.time_ns[markers["id"] == ids["TRACE_MARK_WORKLOAD_END"]]
    start = int(begins.min()) if len(begins) else trace.start_ns
    end = int(ends.max()) if len(ends) else trace.end_ns
    return start, max(start, end)


def _first_marker_of_each_thread(trace, name):
    """{tid: (time_ns, value, position in the trace)} of each thread's first MARKER `name`."""
    markers = trace.events("MARKER")
    chosen = markers["id"] == trace.format.enum("trace_marker_id")[name]
    first = {}
    for tid, time, value, position in zip(markers["tid"][chosen].tolist(),
                                          markers.time_ns[chosen].tolist(),
                                          markers["value"][chosen].tolist(),
                                          markers.positions[chosen].tolist()):
        first.setdefault(tid, (time, value, position))
    return first


def arrivals(trace):
    """{tid: (arrival_ns, position of the ARRIVAL record)} of every thread the trace marks."""
    return {tid: (value, position) for tid, (_, value, position)
            in _first_marker_of_each_thread(trace, "TRACE_MARK_THREAD_ARRIVAL").items()}


def completions(trace):
    """{tid: completion time, ns} of every thread with a DONE marker."""
    return {tid: time for tid, (time, _, _)
            in _first_marker_of_each_thread(trace, "TRACE_MARK_THREAD_DONE").items()}


def _table(per_thread, **extra):
    return dict({"summary": summarise(per_thread.values()),
                 "per_thread": {str(tid): ns for tid, ns in sorted(per_thread.items())}},
                **extra)


def turnaround(trace, intervals, threads, arrived=None):
    """{"basis", "summary": summarise() of the per-thread figures, "per_thread": {tid: ns},
    "unfinished": [tid]}, as defined above. `threads` (the workload threads) is used only by
    the fallback basis; `arrived` is arrivals(trace) (computed when not given)."""
    arrived = arrivals(trace) if arrived is None else arrived
    if arrived:
        done = completions(trace)
        unfinished = sorted(tid for tid in arrived if tid not in done)
        per_thread = {tid: done.get(tid, trace.end_ns) - arrival
                      for tid, (arrival, _) in arrived.items()}
        return _table(per_thread, basis="arrival", unfinished=unfinished)
    first, last_run, unfinished = {}, {}, []
    for interval in intervals:
        if interval.tid not in threads or interval.state not in (RUNNING, RUNNABLE):
            continue
        first.setdefault(interval.tid, interval.start)
        if interval.state == RUNNING:
            last_run[interval.tid] = interval.end
        if interval.end == trace.end_ns and interval.tid not in unfinished:
            unfinished.append(interval.tid)
    per_thread = {tid: max(last_run.get(tid, start), start) - start
                  for tid, start in first.items()}
    for tid in unfinished:
        per_thread[tid] = trace.end_ns - first[tid]
    return _table(per_thread, basis="first_runnable_to_last_run", unfinished=sorted(unfinished))


def thread_response(trace, intervals, arrived=None):
    """{"summary", "per_thread": {tid: ns}, "never_ran": [tid]}, as defined above."""
    arrived = arrivals(trace) if arrived is None else arrived
    switches = trace.events("SWITCH")
    per_thread, never_ran = {}, []
    for tid, (arrival, _) in sorted(arrived.items()):
        if any(i.tid == tid and i.state == RUNNING and i.start <= arrival < i.end
               for i in intervals):
            per_thread[tid] = 0
            continue
        times = switches.time_ns[(switches["next"] == tid) & (switches.time_ns >= arrival)]
        if len(times):
            per_thread[tid] = int(np.min(times)) - arrival
        else:
            never_ran.append(tid)
    return _table(per_thread, never_ran=never_ran)


def throughput(trace, requests_completed, jobs_completed, requests_marked=True,
               jobs_released=True):
    start, end = workload_span(trace)
    return {"span_ns": end - start, "requests": requests_completed, "jobs": jobs_completed,
            "requests_per_second": (per_second(requests_completed, end - start)
                                    if requests_marked else None),
            "jobs_per_second": (per_second(jobs_completed, end - start)
                                if jobs_released else None)}
