"""Validation: small job sets whose per-job response and turnaround are worked out by hand from
the policies' documented rules (kernel/sched/rr.c, kernel/sched/mlfq.c), run as specs
(tests/validation/*.json) at 1 hart; metrics.json must agree within 0.5% once the documented
kernel time per switch is allowed for (kernel/sched/sched.h: what a slice is charged).

Times below are ms after the job set's start (arrival 0). The rules the derivations use:
  rr   -- timeslice 10 ms; FIFO within a priority, except that threads made runnable while a
          higher-priority thread runs (the root task starting them, the jobs' start-up) queue at
          the *head*, as seL4's tcbSchedEnqueue does: jobs due together at the start run in
          reverse spec order. A thread that arrives while another of its priority runs goes to
          the tail; a slice that runs out sends the thread to the tail with a fresh slice; a
          higher priority preempts at once and the preempted thread keeps its slice.
  mlfq -- levels 0..2 with allotments of 2, 4 and 8 ms of CPU time, however it is spread; FIFO
          per level, jobs due together run in spec order; a thread that ranks higher (priority,
          then a lower level) preempts, and the preempted thread returns to the head of its level
          keeping what it used.
Kernel time is charged to the running thread's slice, so a job of exactly N slices needs an extra
turn for its last few microseconds (rr-exact-quanta shows it).
"""
import json

import pytest
from harness import run

from analysis.decode import decode

# Kernel time a switch adds to the jobs' timeline, at most (the switch path, the start-up and done
# messages around it; kernel/sched/sched.h gives the measured figures).
SWITCH_NS = 5000
TOLERANCE = 0.005

# workload -> (scheduler, {thread name: (response ms, turnaround ms)})
JOB_SETS = {
    # c 0-3, b 3-9, a 9-13 (reverse spec order: all started while the root task ran)
    "rr-short-jobs": ("rr", {"a": (9, 13), "b": (3, 9), "c": (0, 3)}),
    # b 0-10, a 10-20, b 20-22 done, a 22-32 (slice) 32-37 done
    "rr-two-long": ("rr", {"a": (10, 37), "b": (0, 22)}),
    # a 0-20 (a second slice: alone until b arrives at 15, which goes to the tail),
    # b 20-25 done, a 25-35 done
    "rr-late-arrival": ("rr", {"a": (0, 35), "b": (5, 10)}),
    # l 0-7, h arrives at 7 and preempts: h 7-12 done, l 12-15 (its slice) 15-25 done
    "rr-priority-preempt": ("rr", {"l": (0, 25), "h": (0, 5)}),
    # hog 0-10, io 10-11 (sleeps to 15), hog 11-21, io 21-22 (to 26), hog 22-30 done,
    # io 30-31 (to 35), 35-36 (to 40), 40-41 (to 45), done at 45
    "rr-io-and-hog": ("rr", {"io": (10, 45), "hog": (0, 30)}),
    # j4..j0 get 10 ms each (0-50), then 5 ms each: j4 done at 55, ..., j0 at 75
    "rr-five-equal": ("rr", {f"j{i}": (10 * (4 - i), 55 + 5 * (4 - i)) for i in range(5)}),
    # a 0-8, b (due at 2) 8-16, c (due at 4) 16-24
    "rr-staggered": ("rr", {"a": (0, 8), "b": (6, 14), "c": (12, 20)}),
    # b's slice runs out a few us before its 10 ms of work ends (the kernel's time counts), so
    # a runs 10-20, likewise, and both finish just after 20
    "rr-exact-quanta": ("rr", {"a": (10, 20), "b": (0, 20)}),
    # level 0: 0-2, level 1: 2-6, level 2: 6-14, 14-20
    "mlfq-single": ("mlfq", {"a": (0, 20)}),
    # a 0-2, b 2-4 (level 0), a 4-8, b 8-12 (level 1), a 12-16 done, b 16-20 done (level 2)
    "mlfq-two-long": ("mlfq", {"a": (0, 16), "b": (2, 20)}),
    # a 0-2, 2-6, 6-10 (4 ms of level 2); b arrives at 10 and preempts: 10-12 (level 0),
    # 12-13 (level 1, still above a) done; a 13-17 (the rest of its allotment), 17-25, 25-33
    "mlfq-short-late": ("mlfq", {"a": (0, 33), "b": (0, 3)}),
    # l 0-2, 2-5; h (priority 150) arrives at 5: 5-7, 7-11, 11-17 done; l 17-18 (its level-1
    # allotment), 18-22 done
    "mlfq-priorities": ("mlfq", {"l": (0, 22), "h": (0, 12)}),
    # io runs 0.6 ms every 3.1 ms: at 0, 3.1, 6.2 (level 0, preempting the hog each time), at
    # 9.3 its level-0 allotment ends 0.2 ms in and it goes on at level 1 (still above the hog,
    # at level 2 since 7.8), at 12.4 and 15.5; it sleeps to 18.6 and is done. The hog runs in
    # between and alone from 18.6: 12.5 ms used by 16.1, 27.5 ms more, done at 43.6.
    "mlfq-io": ("mlfq", {"io": (0, 18.6), "hog": (0.6, 43.6)}),
    # j0 0-2, j1 2-4, j2 4-6 (level 0), then 3.5 ms each at level 1: done at 9.5, 13, 16.5
    "mlfq-three-equal": ("mlfq", {"j0": (0, 9.5), "j1": (2, 13), "j2": (4, 16.5)}),
}


def switches_until(trace, time_ns):
    switches = trace.events("SWITCH")
    return int((switches.time_ns <= time_ns).sum())


def check(trace, what, measured_ns, expected_ms, until_ns):
    expected_ns = expected_ms * 1e6
    allowed = TOLERANCE * expected_ns + SWITCH_NS * switches_until(trace, until_ns)
    assert abs(measured_ns - expected_ns) <= allowed, (
        f"{what}: measured {measured_ns / 1e6:.4f} ms, worked out {expected_ms} ms "
        f"(allowed {allowed / 1e6:.4f} ms)")


@pytest.mark.parametrize("workload", sorted(JOB_SETS))
def test_job_set_matches_the_hand_worked_schedule(tmp_path, workload):
    scheduler, expected = JOB_SETS[workload]
    result = run(workload, tmp_path, scheduler=scheduler)
    assert result.ok, result.message
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    trace = decode(tmp_path / "trace.bin")
    tids = {thread["name"]: tid for tid, thread in metrics["threads"].items()}
    assert metrics["turnaround_ns"]["unfinished"] == []
    arrivals = arrival_instants(trace)
    for name, (response_ms, turnaround_ms) in expected.items():
        tid = tids[name]
        response = metrics["thread_response_ns"]["per_thread"][tid]
        turnaround = metrics["turnaround_ns"]["per_thread"][tid]
        arrival = arrivals[int(tid)]
        check(trace, f"{workload}: {name}'s response", response, response_ms, arrival + response)
        check(trace, f"{workload}: {name}'s turnaround", turnaround, turnaround_ms,
              arrival + turnaround)
    assert set(tids) - {"root"} == set(expected), "a thread the derivation does not know ran"


def arrival_instants(trace):
    markers = trace.events("MARKER")
    arrival = trace.format.enum("trace_marker_id")["TRACE_MARK_THREAD_ARRIVAL"]
    chosen = markers["id"] == arrival
    return dict(zip(markers["tid"][chosen].tolist(), markers["value"][chosen].tolist()))


# mlfq's boost period (configs/mlfq.cmake SCHED_MLFQ_BOOST_US): boost k is due at k * BOOST_NS of
# emulated time since boot.
BOOST_NS = 100_000_000
BOOST_AFTER_ARRIVAL_MS = 19


def test_mlfq_boost_raises_every_level_at_its_instant(tmp_path):
    """Three 19 ms jobs due together, the boost 19 ms after they arrive (a first run finds the
    start instant; the second places the arrival). Up to 19: j0 0-2, j1 2-4, j2 4-6 (level 0),
    j0 6-10, j1 10-14, j2 14-18 (level 1), j0 from 18 at level 2. At 19 the boost raises j1 and
    j2 to level 0, and j0, running, keeps the hart with a fresh level-0 allotment: j0 19-21,
    j1 21-23, j2 23-25 (level 0), j0 25-29, j1 29-33, j2 33-37 (level 1), j0 37-43 done
    (13 + 6), j1 43-50 done, j2 50-57 done. Without the boost j0 would be done at 47 and j1 at
    52; a boost 4 ms late, as before, gives yet another schedule."""
    first = run("mlfq-boost", tmp_path / "first", scheduler="mlfq")
    assert first.ok, first.message
    start_ns = min(arrival_instants(decode(tmp_path / "first" / "trace.bin")).values())
    arrival_us = (BOOST_NS - BOOST_AFTER_ARRIVAL_MS * 1_000_000 - start_ns) // 1000
    assert arrival_us > 0, f"the workload starts {start_ns} ns after boot: too late for the test"
    result = run("mlfq-boost", tmp_path / "placed", scheduler="mlfq",
                 params=[f"j.arrival_us={arrival_us}"])
    assert result.ok, result.message
    metrics = json.loads((tmp_path / "placed" / "metrics.json").read_text())
    trace = decode(tmp_path / "placed" / "trace.bin")
    arrival = min(arrival_instants(trace).values())
    assert abs(BOOST_NS - arrival - BOOST_AFTER_ARRIVAL_MS * 1_000_000) < 100_000
    tids = {thread["name"]: tid for tid, thread in metrics["threads"].items()}
    for name, (response_ms, turnaround_ms) in {"j0": (0, 43), "j1": (2, 50),
                                                "j2": (4, 57)}.items():
        response = metrics["thread_response_ns"]["per_thread"][tids[name]]
        turnaround = metrics["turnaround_ns"]["per_thread"][tids[name]]
        check(trace, f"mlfq-boost: {name}'s response", response, response_ms, arrival + response)
        check(trace, f"mlfq-boost: {name}'s turnaround", turnaround, turnaround_ms,
              arrival + turnaround)
