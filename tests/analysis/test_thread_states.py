"""Thread states rebuilt from transitions, and the metrics built on them: fairness,
turnaround and throughput."""
import pytest

from analysis.fairness import fairness, workload_threads
from analysis.lifetimes import throughput, turnaround, workload_span
from analysis.thread_states import BLOCKED, RUNNABLE, RUNNING, Interval, thread_states

from synthetic import block, end_at, marker, migrate, switch, trace_of, wakeup


def test_states_of_one_thread_on_one_hart():
    trace = trace_of([wakeup(100, 0, 2), switch(150, 0, 0, 2, "TRACE_SWITCH_FROM_IDLE"),
                      switch(300, 0, 2, 3, "TRACE_SWITCH_EXPIRED"),
                      switch(400, 0, 3, 2, "TRACE_SWITCH_BLOCK"),
                      block(450, 0, 2), switch(460, 0, 2, 0, "TRACE_SWITCH_BLOCK"),
                      end_at(1000)])
    mine = [i for i in thread_states(trace) if i.tid == 2]
    assert mine == [Interval(2, RUNNABLE, 100, 150, 0, "ipc"),
                    Interval(2, RUNNING, 150, 300, 0),
                    Interval(2, RUNNABLE, 300, 400, 0, "expired"),
                    Interval(2, RUNNING, 400, 460, 0), Interval(2, BLOCKED, 460, 1000, 0, "send")]
    # 3 was first seen as a switch's next: its history starts there.
    assert [i for i in thread_states(trace) if i.tid == 3] == [
        Interval(3, RUNNING, 300, 400, 0), Interval(3, BLOCKED, 400, 1000, 0)]


def test_woken_before_its_switch_out_stays_runnable():
    trace = trace_of([switch(0, 0, 0, 2), block(500, 0, 2), wakeup(505, 0, 2),
                      switch(510, 0, 2, 3, "TRACE_SWITCH_BLOCK"), end_at(600)])
    assert [i for i in thread_states(trace) if i.tid == 2] == [
        Interval(2, RUNNING, 0, 510, 0), Interval(2, RUNNABLE, 510, 600, 0, "ipc")]


def test_a_thread_running_when_the_trace_starts_runs_from_the_start():
    trace = trace_of([end_at(0, 1), switch(40, 1, 5, 0, "TRACE_SWITCH_BLOCK"), end_at(90)],
                     nharts=2)
    assert [i for i in thread_states(trace) if i.tid == 5] == [
        Interval(5, RUNNING, 0, 40, 1), Interval(5, BLOCKED, 40, 90, 1)]


def test_woken_on_one_hart_migrated_and_run_on_another():
    trace = trace_of([switch(0, 0, 0, 7), switch(50, 0, 7, 0),  # 7 last ran on hart 0
                      wakeup(100, 0, 7), migrate(130, 1, 7, 0, 1),
                      switch(160, 1, 0, 7, "TRACE_SWITCH_FROM_IDLE"), end_at(200, 1)], nharts=2)
    assert [i for i in thread_states(trace) if i.tid == 7] == [
        Interval(7, RUNNING, 0, 50, 0), Interval(7, BLOCKED, 50, 100, 0),
        Interval(7, RUNNABLE, 100, 130, 0, "ipc"), Interval(7, RUNNABLE, 130, 160, 1, "ipc"),
        Interval(7, RUNNING, 160, 200, 1)]


def test_each_interval_says_why_the_thread_is_blocked_or_runnable():
    """2 sleeps at 100 (its BLOCK names sleep), the timer wakes it at 200 and it runs at 250;
    3 blocks on a receive while queued at 300 and is woken by a notification at 400; 4 is
    suspended at 500 with no BLOCK record, and 2 yields at 600."""
    trace = trace_of([switch(0, 0, 0, 2), wakeup(0, 0, 3), block(90, 0, 2, "TRACE_BLOCK_SLEEP"),
                      switch(100, 0, 2, 4), wakeup(200, 0, 2, waker=0, reason="TRACE_WAKE_TIMER"),
                      switch(250, 0, 4, 2, "TRACE_SWITCH_PREEMPTED"),
                      block(300, 0, 3, "TRACE_BLOCK_RECV"),
                      wakeup(400, 0, 3, reason="TRACE_WAKE_NOTIFICATION"),
                      switch(500, 0, 2, 4, "TRACE_SWITCH_EXPIRED"),
                      switch(550, 0, 4, 2, "TRACE_SWITCH_SUSPENDED"),
                      switch(600, 0, 2, 3, "TRACE_SWITCH_YIELD"), end_at(700)])
    reasons = [(i.tid, i.state, i.start, i.reason) for i in thread_states(trace)
               if i.state != RUNNING]
    assert reasons == [(3, RUNNABLE, 0, "ipc"), (2, BLOCKED, 100, "sleep"),
                       (2, RUNNABLE, 200, "timer"), (4, RUNNABLE, 250, "preempted"),
                       (3, BLOCKED, 300, "recv"), (3, RUNNABLE, 400, "notification"),
                       (2, RUNNABLE, 500, "expired"), (4, BLOCKED, 550, "suspended"),
                       (2, RUNNABLE, 600, "yield")]


def two_threads_sharing_a_hart():
    """Root (1) starts 2 and 3 at 0 and blocks. 2 and 3 alternate 100 ns slices on hart 0;
    2 exits at 300, 3 runs on to 600 and exits; thread 4 wakes at 500 and runs 600-700.
    Served / demanded: 2 ran 200 of 300, 3 ran 400 of 600, 4 ran 100 of 200."""
    return trace_of([
        marker(0, 1, "TRACE_MARK_WORKLOAD_BEGIN", 0),
        switch(0, 0, 0, 1), wakeup(0, 0, 2), wakeup(0, 0, 3),
        switch(0, 0, 1, 2, "TRACE_SWITCH_BLOCK"),
        switch(100, 0, 2, 3, "TRACE_SWITCH_EXPIRED"),
        switch(200, 0, 3, 2, "TRACE_SWITCH_EXPIRED"),
        switch(300, 0, 2, 3, "TRACE_SWITCH_SUSPENDED"),
        wakeup(500, 0, 4),
        switch(600, 0, 3, 4, "TRACE_SWITCH_SUSPENDED"),
        switch(700, 0, 4, 0, "TRACE_SWITCH_BLOCK"),
        marker(800, 1, "TRACE_MARK_WORKLOAD_END", 0), end_at(1000)])


def test_fairness_is_jains_index_of_served_demand_without_the_root_task():
    trace = two_threads_sharing_a_hart()
    intervals = thread_states(trace)
    threads = workload_threads(trace, intervals)
    assert threads == {2, 3, 4}
    result = fairness(intervals, threads)
    assert result["shares"] == {"2": 200 / 300, "3": 400 / 600, "4": 0.5}
    shares = [2 / 3, 2 / 3, 0.5]
    assert result["jain_demand_share"] == pytest.approx(
        sum(shares) ** 2 / (3 * sum(s * s for s in shares)))
    assert result["jain_cpu_time"] == pytest.approx(700 ** 2 / (3 * (200**2 + 400**2 + 100**2)))


def test_equal_threads_are_perfectly_fair():
    trace = trace_of([wakeup(0, 0, 2), wakeup(0, 0, 3), switch(0, 0, 0, 2),
                      switch(100, 0, 2, 3, "TRACE_SWITCH_EXPIRED"),
                      switch(200, 0, 3, 2, "TRACE_SWITCH_EXPIRED"),
                      switch(300, 0, 2, 3, "TRACE_SWITCH_EXPIRED"), end_at(400)])
    intervals = thread_states(trace)
    assert fairness(intervals, workload_threads(trace, intervals))["jain_demand_share"] == 1.0


def test_turnaround_from_first_runnable_to_last_run():
    trace = two_threads_sharing_a_hart()
    intervals = thread_states(trace)
    result = turnaround(trace, intervals, workload_threads(trace, intervals))
    assert result["per_thread"] == {"2": 300, "3": 600, "4": 200}
    assert result["unfinished"] == []
    assert result["summary"]["mean"] == pytest.approx(1100 / 3)


def test_a_thread_still_running_at_the_end_is_unfinished():
    trace = trace_of([wakeup(100, 0, 2), switch(120, 0, 0, 2), end_at(500)])
    intervals = thread_states(trace)
    result = turnaround(trace, intervals, {2})
    assert result["per_thread"] == {"2": 400} and result["unfinished"] == [2]


def test_throughput_over_the_workload_span():
    trace = two_threads_sharing_a_hart()
    assert workload_span(trace) == (0, 800)
    assert throughput(trace, 8, 2) == {"span_ns": 800, "requests": 8, "jobs": 2,
                                       "requests_per_second": 1e7, "jobs_per_second": 2.5e6}


def test_without_workload_markers_the_span_is_the_trace():
    trace = trace_of([end_at(100), end_at(600)])
    assert workload_span(trace) == (100, 600)
    assert throughput(trace, 0, 0)["requests_per_second"] == 0.0
    assert throughput(trace_of([]), 0, 0)["requests_per_second"] is None
