"""The requests a workload marks: their service time and their latency, ns.

A request of thread T is numbered by the workload: MARKER TRACE_MARK_REQUEST_BEGIN with `value`
n, then the next MARKER TRACE_MARK_REQUEST_END of T with value n. unmatched counts the markers
left without a partner: a BEGIN never ended (or begun again before it ended: the later BEGIN
counts) and an END with no open BEGIN.

service_time_ns = END time - BEGIN time: the request's own work, which barely depends on the
scheduler.

request_latency_ns = END time - the instant the request became due: what a client waits, the
figure schedulers differ in. The due instant comes from MARKER TRACE_MARK_REQUEST_DUE of T: the
latest one recorded after T's previous BEGIN (or T's start) and before this BEGIN; its `value`
is the instant (timer release, sleep deadline, the client's call), or 0 for "at the WAKEUP that
last made T runnable": then the time of T's last WAKEUP recorded before that DUE marker. A
matched request with no DUE marker since T's previous BEGIN has no latency sample (no_due), nor
does one whose DUE says "at the wakeup" when no WAKEUP of T precedes it (no_wakeup). Traces
without DUE markers (older workloads) therefore have service times but n = 0 latencies.

Each returns summarise() of its samples, unmatched, and the sorted samples (for the CDF).
"""
import numpy as np

from .stats import summarise


def _markers(trace):
    markers = trace.events("MARKER")
    return zip(markers["id"].tolist(), markers["tid"].tolist(), markers["value"].tolist(),
               markers.time_ns.tolist(), markers.positions.tolist())


def _last_wakeup_before(trace):
    """f(tid, position) -> time of tid's last WAKEUP recorded before `position`, or None."""
    wakeups = trace.events("WAKEUP")
    by_tid = {}
    for tid in np.unique(wakeups["tid"]).tolist():
        woken = wakeups["tid"] == tid
        by_tid[tid] = (wakeups.positions[woken], wakeups.time_ns[woken])

    def last(tid, position):
        if tid not in by_tid:
            return None
        positions, times = by_tid[tid]
        index = int(np.searchsorted(positions, position, side="left")) - 1
        return int(times[index]) if index >= 0 else None
    return last


def requests(trace):
    """{"service_time_ns": ..., "request_latency_ns": ...}, as defined above; the latency
    also counts no_due and no_wakeup."""
    ids = trace.format.enum("trace_marker_id")
    begin, end, due = (ids["TRACE_MARK_REQUEST_BEGIN"], ids["TRACE_MARK_REQUEST_END"],
                       ids["TRACE_MARK_REQUEST_DUE"])
    last_wakeup = _last_wakeup_before(trace)
    pending_due = {}    # tid -> due instant (None: "at the wakeup" with no wakeup before it)
    open_requests = {}  # (tid, n) -> (BEGIN time, due instant, or "no_due" / "no_wakeup")
    service, latency, unmatched = [], [], 0
    missing = {"no_due": 0, "no_wakeup": 0}
    for marker_id, tid, value, time, position in _markers(trace):
        if marker_id == due:
            pending_due[tid] = value if value else last_wakeup(tid, position)
            if pending_due[tid] is None:
                pending_due[tid] = "no_wakeup"
        elif marker_id == begin:
            unmatched += (tid, value) in open_requests
            open_requests[(tid, value)] = (time, pending_due.pop(tid, "no_due"))
        elif marker_id == end:
            if (tid, value) not in open_requests:
                unmatched += 1
                continue
            began, due_at = open_requests.pop((tid, value))
            service.append(time - began)
            if isinstance(due_at, str):
                missing[due_at] += 1
            else:
                latency.append(time - due_at)
    unmatched += len(open_requests)
    return {"service_time_ns": dict(summarise(service), unmatched=unmatched,
                                    samples=sorted(service)),
            "request_latency_ns": dict(summarise(latency), unmatched=unmatched,
                                       samples=sorted(latency), **missing)}
