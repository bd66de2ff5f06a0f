"""Jain's fairness index of the CPU the workload's threads got.

workload threads: every thread the trace shows running or runnable, except TRACE_TID_NONE
(idle) and the root task (tid ROOT_TID, which only starts the workload and waits for it).

Per workload thread, over the time it wanted a CPU (its running + runnable time, from
thread_states; blocked time excluded, so a thread that sleeps by design is not "starved"):
  share = running_ns / (running_ns + runnable_ns), the fraction of its demand it was served.
jain_demand_share = Jain's index of the shares (1 = every thread got the same fraction of what
it asked for; 1/n = one thread got everything). Threads that never wanted a CPU are left out.
jain_cpu_time = Jain's index of the threads' plain CPU time over the whole trace, for
workloads of identical threads.
"""
from .stats import jain_index
from .thread_states import RUNNABLE, RUNNING, time_in_states

ROOT_TID = 1  # trace.h: thread ids are TCB numbers in creation order, 1 = root task


def workload_threads(trace, intervals):
    """The set of workload thread ids, as defined above."""
    idle = trace.format.constants["TRACE_TID_NONE"]
    return {i.tid for i in intervals
            if i.state in (RUNNING, RUNNABLE) and i.tid not in (idle, ROOT_TID)}


def fairness(intervals, threads):
    times = time_in_states(intervals)
    shares = {}
    for tid in sorted(threads):
        demand = times[tid][RUNNING] + times[tid][RUNNABLE]
        if demand:
            shares[str(tid)] = times[tid][RUNNING] / demand
    return {"threads": len(shares), "shares": shares,
            "jain_demand_share": jain_index(shares.values()),
            "jain_cpu_time": jain_index(times[tid][RUNNING] for tid in sorted(threads))}
