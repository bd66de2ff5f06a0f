"""Periodic jobs: response time, lateness, tardiness and deadline misses, from markers.

A job of thread T is numbered by the workload (MARKER `value`):
  release   -- MARKER TRACE_MARK_JOB_RELEASE of T with value n, at its record's time;
  deadline  -- the `value` (absolute ns, on the trace's clock) of the first
               TRACE_MARK_JOB_DEADLINE of T after that release and before T's next release;
               a job without one has no deadline and only a response time;
  end       -- the next TRACE_MARK_JOB_END of T with value n.
For a job that ended:
  response_ns  = end - release
  lateness_ns  = end - deadline        (negative when early)
  tardiness_ns = max(0, lateness_ns)
  missed       = end > deadline        (ending exactly at the deadline meets it)
A job released but not ended when the trace ends has missed if its deadline is before the
trace's end (unfinished_missed); otherwise it is pending and counts nowhere.
miss_ratio = missed / (jobs with a deadline whose outcome is known: ended, or unfinished past
their deadline); None when there are none. A second release of an open job number, or an END
with no open release, counts as unmatched (the earlier release is dropped).
per_job lists every job in release order: tid, job (its number), release_ns, deadline_ns
(None: none given), end_ns (None: not ended), tardiness_ns (max(0, end - deadline); for an
unfinished job past its deadline the lower bound trace end - deadline; None without a deadline
or while pending) and unfinished.
"""
from .stats import summarise


def periodic_jobs(trace):
    markers = trace.events("MARKER")
    ids = trace.format.enum("trace_marker_id")
    release, end, deadline = (ids["TRACE_MARK_JOB_RELEASE"], ids["TRACE_MARK_JOB_END"],
                              ids["TRACE_MARK_JOB_DEADLINE"])
    # (tid, n) -> [release, deadline, index in per_job]; tid -> (tid, n) of its last release
    open_jobs, last_release = {}, {}
    responses, lateness, tardiness = [], [], []
    counts = {"released": 0, "completed": 0, "missed": 0, "unfinished_missed": 0,
              "pending": 0, "unmatched": 0}
    per_thread = {}
    per_job = []    # in release order; each open job's entry is filled in when it ends

    def thread(tid):
        return per_thread.setdefault(str(tid), {"released": 0, "completed": 0, "missed": 0})

    for marker_id, tid, value, time in zip(markers["id"].tolist(), markers["tid"].tolist(),
                                           markers["value"].tolist(), markers.time_ns.tolist()):
        if marker_id == release:
            counts["unmatched"] += (tid, value) in open_jobs
            open_jobs[(tid, value)] = [time, None, len(per_job)]
            per_job.append({"tid": tid, "job": value, "release_ns": time, "deadline_ns": None,
                            "end_ns": None, "tardiness_ns": None, "unfinished": True})
            last_release[tid] = (tid, value)
            counts["released"] += 1
            thread(tid)["released"] += 1
        elif marker_id == deadline:
            job = open_jobs.get(last_release.get(tid))
            if job is not None and job[1] is None:
                job[1] = per_job[job[2]]["deadline_ns"] = value
        elif marker_id == end:
            job = open_jobs.pop((tid, value), None)
            if job is None:
                counts["unmatched"] += 1
                continue
            counts["completed"] += 1
            thread(tid)["completed"] += 1
            per_job[job[2]].update(end_ns=time, unfinished=False,
                                   tardiness_ns=None if job[1] is None else max(0, time - job[1]))
            responses.append(time - job[0])
            if job[1] is not None:
                lateness.append(time - job[1])
                tardiness.append(max(0, time - job[1]))
                if time > job[1]:
                    counts["missed"] += 1
                    thread(tid)["missed"] += 1
    for (tid, _), (_, job_deadline, index) in open_jobs.items():
        if job_deadline is not None and job_deadline < trace.end_ns:
            per_job[index]["tardiness_ns"] = trace.end_ns - job_deadline
            counts["unfinished_missed"] += 1
            counts["missed"] += 1
            thread(tid)["missed"] += 1
        else:
            counts["pending"] += 1
    decided = len(lateness) + counts["unfinished_missed"]
    return dict(counts, miss_ratio=counts["missed"] / decided if decided else None,
                response_ns=summarise(responses), lateness_ns=summarise(lateness),
                tardiness_ns=summarise(tardiness), per_thread=per_thread, per_job=per_job)
