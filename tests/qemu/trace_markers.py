"""The workload engine's markers in a trace, per thread, and the rules they follow
(workloads/README.md, Markers): a thread's first marker is one THREAD_ARRIVAL, its last one
THREAD_DONE, and every REQUEST_BEGIN comes right after a REQUEST_DUE whose instant is not after
the BEGIN."""
from collections import defaultdict

import numpy as np

from analysis.decode import decode
from analysis.trace_format import FORMAT

MARK = {name: FORMAT.enums["trace_marker_id"][f"TRACE_MARK_{name}"]
        for name in ("REQUEST_BEGIN", "REQUEST_END", "THREAD_ARRIVAL", "THREAD_DONE",
                     "REQUEST_DUE", "WORKLOAD_BEGIN", "WORKLOAD_END", "JOB_RELEASE",
                     "JOB_DEADLINE")}
ENGINE_ONLY = {MARK["WORKLOAD_BEGIN"], MARK["WORKLOAD_END"]}   # the root task's


def markers_by_thread(trace):
    """tid -> [(time_ns, marker id, value)] in trace order, for workload threads."""
    markers = trace.events("MARKER")
    by_tid = defaultdict(list)
    for time, mark, tid, value in zip(markers.time_ns, markers["id"], markers["tid"],
                                      markers["value"]):
        if int(mark) not in ENGINE_ONLY:
            by_tid[int(tid)].append((int(time), int(mark), int(value)))
    return dict(by_tid)


def marker_problems(path, threads):
    """What is wrong with the markers of the trace at `path`, whose workload has `threads`
    threads, none a daemon; [] when they follow the rules."""
    trace = decode(path)
    by_tid = markers_by_thread(trace)
    problems = []
    if len(by_tid) != threads:
        problems.append(f"{len(by_tid)} threads marked, expected {threads}")
    for tid, marks in by_tid.items():
        ids = [m for _, m, _ in marks]
        if ids.count(MARK["THREAD_ARRIVAL"]) != 1 or ids[0] != MARK["THREAD_ARRIVAL"]:
            problems.append(f"tid {tid}: ARRIVAL is not its one first marker: {ids[:4]}")
        if ids.count(MARK["THREAD_DONE"]) != 1 or ids[-1] != MARK["THREAD_DONE"]:
            problems.append(f"tid {tid}: DONE is not its one last marker: {ids[-4:]}")
        arrival = marks[0][2]
        for i, (time, mark, value) in enumerate(marks):
            if mark == MARK["REQUEST_BEGIN"]:
                before = marks[i - 1] if i else None
                if not before or before[1] != MARK["REQUEST_DUE"]:
                    problems.append(f"tid {tid}: REQUEST_BEGIN at {time} without a DUE before it")
                elif before[2] and not arrival <= before[2] <= time:
                    problems.append(f"tid {tid}: DUE {before[2]} outside [arrival {arrival}, "
                                    f"BEGIN {time}]")
            if mark == MARK["REQUEST_DUE"] and (i + 1 == len(marks)
                                                or marks[i + 1][1] != MARK["REQUEST_BEGIN"]):
                problems.append(f"tid {tid}: REQUEST_DUE at {time} not followed by a BEGIN")
    return problems


def harts_run_on(path):
    """tid -> set of harts the thread was switched in on, for the workload threads."""
    trace = decode(path)
    workload = set(markers_by_thread(trace))
    switches = trace.events("SWITCH")
    harts = defaultdict(set)
    for hart, tid in zip(np.asarray(switches.hart), np.asarray(switches["next"])):
        if int(tid) in workload:
            harts[int(tid)].add(int(hart))
    return dict(harts)
