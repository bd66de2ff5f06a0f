"""Turnaround of threads and throughput of a workload.

workload span: from the first MARKER TRACE_MARK_WORKLOAD_BEGIN to the last
TRACE_MARK_WORKLOAD_END, each end defaulting to the trace's first / last record when the
marker is absent; rates are taken over this span (ns; rates per second).

turnaround_ns, per workload thread (see fairness.workload_threads): from the start of its first
runnable or running interval (its first WAKEUP, for a thread the workload created) to the end
of its last running interval (when it last left a hart: exit, or its last block). A thread still
running or runnable at the trace's end has turnaround up to the end and is listed in
unfinished (its figure is a lower bound).

throughput: completed requests (REQUEST_BEGIN/END pairs) and completed periodic jobs
(JOB_RELEASE/END pairs) per second of the workload span.
"""
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


def turnaround(trace, intervals, threads):
    """{"summary": summarise() over `threads`, "per_thread": {tid: ns}, "unfinished": [tid]}"""
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
    return {"summary": summarise(per_thread.values()),
            "per_thread": {str(tid): ns for tid, ns in sorted(per_thread.items())},
            "unfinished": sorted(unfinished)}


def throughput(trace, requests_completed, jobs_completed):
    start, end = workload_span(trace)
    return {"span_ns": end - start, "requests": requests_completed, "jobs": jobs_completed,
            "requests_per_second": per_second(requests_completed, end - start),
            "jobs_per_second": per_second(jobs_completed, end - start)}
