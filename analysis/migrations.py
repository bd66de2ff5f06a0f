"""Migrations: threads moving between harts, as the kernel says and as the switches show.

explicit -- MIGRATE records (sched_migrate), counted in total, by_reason (trace_migrate_reason
            without its prefix: WAKE, PULL, BALANCE, AFFINITY) and per thread;
implicit -- switch-ins of a thread on a different hart than its previous switch-in: the moves
            that actually happened, whatever caused them;
unexplained -- implicit moves with no MIGRATE of that thread between the two switch-ins (a
            policy that moves threads without tracing it, or lost records);
remote_wakeups -- WAKEUPs recorded on one hart that queued the thread on another;
per_workload_thread -- summarise() of each workload thread's implicit moves (the ones that
            happened), a thread that never moved counting 0: how much a policy moves its
            threads about, whatever the thread count (None figures for no threads given).
"""
import numpy as np

from .stats import summarise


def migrations(trace, workload=()):
    """The figures above; workload: the workload threads' tids (fairness.workload_threads)."""
    migrate = trace.events("MIGRATE")
    reasons = trace.format.enum("trace_migrate_reason")
    by_reason, per_thread = {}, {}
    for reason, tid in zip(migrate["reason"].tolist(), migrate["tid"].tolist()):
        name = reasons.short_name(reason) or str(reason)
        by_reason[name] = by_reason.get(name, 0) + 1
        per_thread.setdefault(str(tid), {"explicit": 0, "implicit": 0})["explicit"] += 1

    switches = trace.events("SWITCH")
    idle = trace.format.constants["TRACE_TID_NONE"]
    # Explicit migrations and switch-ins in trace order, to see which moves were announced.
    moves = sorted([(p, "migrate", tid, None) for p, tid in
                    zip(migrate.positions.tolist(), migrate["tid"].tolist())] +
                   [(p, "switch", tid, hart) for p, tid, hart in
                    zip(switches.positions.tolist(), switches["next"].tolist(),
                        switches.hart.tolist()) if tid != idle])
    last_hart, announced, implicit, unexplained = {}, set(), 0, 0
    for _, kind, tid, hart in moves:
        if kind == "migrate":
            announced.add(tid)
            continue
        if tid in last_hart and last_hart[tid] != hart:
            implicit += 1
            per_thread.setdefault(str(tid), {"explicit": 0, "implicit": 0})["implicit"] += 1
            unexplained += tid not in announced
        last_hart[tid] = hart
        announced.discard(tid)
    wakeups = trace.events("WAKEUP")
    remote = int(np.sum(wakeups["hart"].astype(np.int64) != wakeups.hart.astype(np.int64)))
    return {"explicit": len(migrate), "by_reason": dict(sorted(by_reason.items())),
            "implicit": implicit, "unexplained": unexplained, "remote_wakeups": remote,
            "per_workload_thread": summarise(
                per_thread.get(str(tid), {}).get("implicit", 0) for tid in sorted(workload)),
            "per_thread": dict(sorted(per_thread.items(), key=lambda kv: int(kv[0])))}
