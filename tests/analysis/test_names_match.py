"""Metrics that mean what their names say (issue 10), on traces worked out by hand:
turnaround from arrival to completion, per-thread response, request latency from the due
instant (each kind) next to service time, start-up waits out of wakeup latency, sample counts
and unsupported percentiles, None for what was not measured, exact means, timing models."""
import csv
import json

import pytest

from analysis.headline import display
from analysis.lifetimes import thread_response, turnaround
from analysis.metrics import compute_metrics, wakeup_latency
from analysis.repeats import mean_ci95
from analysis.requests import requests
from analysis.stats import min_samples, summarise
from analysis.summary import write_summary
from analysis.thread_states import thread_states
from analysis.timing_model import from_trace_header

from synthetic import (arrival, done, due, end_at, make_record, marker, request, switch,
                       trace_of, wakeup)


def resume(time, hart, tid):
    """The TCB_Resume WAKEUP that starts a new thread."""
    return make_record("WAKEUP", time, hart, hart=hart, tid=tid, waker=1, wake_reason=3)


def late_arrival_trace():
    """Root (1) creates 2 and 3 on hart 0. 2 starts at 20, marks that it arrives at 100 us and
    sleeps until then; woken at 100 us, it runs from 100.05 us, finishes its 20 us of work at
    120.05 us (DONE), but its slice expires only at 130 us; 3 runs, and 2 runs once more at
    140-140.1 us (leaving: exit) before 3 runs to the trace's end at 200 us. 3 became due at
    50 us (its ARRIVAL, recorded when it first runs at 130 us, says so) and never finishes."""
    return trace_of([
        resume(10, 0, 2), resume(12, 0, 3),
        switch(20, 0, 1, 2, "TRACE_SWITCH_BLOCK"),
        arrival(25, 2, 100_000),
        switch(30, 0, 2, 0, "TRACE_SWITCH_BLOCK"),            # sleeps until its arrival
        wakeup(100_000, 0, 2),
        switch(100_050, 0, 0, 2, "TRACE_SWITCH_FROM_IDLE"),
        done(120_050, 2),
        switch(130_000, 0, 2, 3, "TRACE_SWITCH_EXPIRED"),     # the slice ends after DONE
        arrival(130_010, 3, 50_000),
        switch(140_000, 0, 3, 2, "TRACE_SWITCH_EXPIRED"),
        switch(140_100, 0, 2, 3, "TRACE_SWITCH_SUSPENDED"),   # 2 exits
        end_at(200_000)])


def test_turnaround_runs_from_arrival_to_done_and_only_the_undone_are_unfinished():
    trace = late_arrival_trace()
    intervals = thread_states(trace)
    result = turnaround(trace, intervals, {2, 3})
    assert result["basis"] == "arrival"
    # 2: 120.05 us - 100 us, not from its first wakeup (10 ns) nor to its exit (140.1 us)
    # 3: no DONE: a lower bound to the trace's end, 200 us - 50 us
    assert result["per_thread"] == {"2": 20_050, "3": 150_000}
    assert result["unfinished"] == [3]
    assert (result["summary"]["n"], result["summary"]["mean"]) == (2, 85_025)


def test_turnaround_without_arrival_markers_falls_back_and_says_so():
    trace = trace_of([wakeup(10, 0, 2), switch(20, 0, 0, 2), switch(120, 0, 2, 0),
                      end_at(300)])
    result = turnaround(trace, thread_states(trace), {2})
    assert result["basis"] == "first_runnable_to_last_run"
    assert result["per_thread"] == {"2": 110} and result["unfinished"] == []


def test_thread_response_is_first_run_at_or_after_arrival():
    trace = late_arrival_trace()
    result = thread_response(trace, thread_states(trace))
    # 2: first switch-in at or after 100 us is at 100.05 us; the one at 20 ns was before it.
    # 3: due at 50 us, first runs at 130 us.
    assert result["per_thread"] == {"2": 50, "3": 80_000}
    assert result["never_ran"] == []
    assert (result["summary"]["n"], result["summary"]["mean"]) == (2, 40_025)


def test_thread_response_is_zero_when_running_at_the_arrival_and_missing_if_never_run():
    trace = trace_of([switch(0, 0, 0, 5), arrival(500, 5, 300), done(800, 5),
                      switch(900, 0, 5, 0), arrival(950, 6, 900), end_at(1000)])
    intervals = thread_states(trace)
    result = thread_response(trace, intervals)
    assert result["per_thread"] == {"5": 0} and result["never_ran"] == [6]
    assert turnaround(trace, intervals, {5})["per_thread"] == {"5": 500, "6": 100}


def test_start_up_waits_are_not_wakeup_latency_samples():
    latency = wakeup_latency(late_arrival_trace())
    # the two TCB_Resume wakeups (10, 12 ns) come before their thread's ARRIVAL record
    assert latency["samples"] == [50] and latency["startup_excluded"] == 2
    assert latency["per_thread"] == {"2": latency["per_thread"]["2"]}
    # without ARRIVAL markers every wakeup is a sample, as before
    old = trace_of([resume(10, 0, 2), switch(40, 0, 0, 2), end_at(50)])
    assert wakeup_latency(old)["samples"] == [30]
    assert wakeup_latency(old)["startup_excluded"] == 0


def request_trace():
    """Thread 7's requests, one per kind of due instant, and the cases without one:
      #1 due at 1000 by its timer release (DUE recorded at 1050): END 1400 -> latency 400;
      #2 due at the WAKEUP (2000) that made 7 runnable (DUE value 0): END 2250 -> 250;
      #3 due at the client's call, 2900: END 3100 -> 200;
      #4 no DUE since #3's BEGIN: service time only (no_due);
      #5 two DUEs (4400, then 4550): the latest counts: END 4800 -> 250.
    Thread 8: DUE "at the wakeup" but 8 was never woken: service only (no_wakeup).
    Thread 9: #1 has no DUE; the DUE (10050) recorded while #1 runs is #2's: END 10300 -> 250.
    """
    return trace_of([
        due(1_050, 7, 1_000), *request(1_100, 1_400, 7, 1),
        wakeup(2_000, 0, 7), switch(2_030, 0, 0, 7), due(2_040, 7, 0),
        *request(2_050, 2_250, 7, 2),
        due(3_000, 7, 2_900), *request(3_000, 3_100, 7, 3),
        *request(4_000, 4_050, 7, 4),
        due(4_500, 7, 4_400), due(4_600, 7, 4_550), *request(4_700, 4_800, 7, 5),
        due(5_000, 8, 0), *request(5_000, 5_100, 8, 1),
        marker(10_000, 9, "TRACE_MARK_REQUEST_BEGIN", 1), due(10_060, 9, 10_050),
        marker(10_100, 9, "TRACE_MARK_REQUEST_END", 1), *request(10_200, 10_300, 9, 2)])


def test_request_latency_from_each_kind_of_due_instant():
    latency = requests(request_trace())["request_latency_ns"]
    assert latency["samples"] == [200, 250, 250, 250, 400]
    assert (latency["no_due"], latency["no_wakeup"], latency["unmatched"]) == (2, 1, 0)
    assert (latency["n"], latency["p50"], latency["p90"], latency["max"]) == (5, 250, None, 400)
    assert latency["unsupported"] == {"p90": "needs n >= 10, n = 5",
                                      "p95": "needs n >= 20, n = 5",
                                      "p99": "needs n >= 100, n = 5"}


def test_service_time_is_begin_to_end_of_every_matched_request():
    service = requests(request_trace())["service_time_ns"]
    assert service["samples"] == [50, 100, 100, 100, 100, 100, 200, 300]
    assert (service["n"], service["p50"], service["mean"]) == (8, 100, 1050 / 8)


def test_headline_shows_latency_and_service_with_their_counts():
    headline = compute_metrics(request_trace())["headline"]
    assert (headline["request_latency_p50_ns"], headline["request_latency_p99_ns"],
            headline["request_latency_n"]) == (250, None, 5)
    assert (headline["service_p50_ns"], headline["service_n"]) == (100, 8)
    assert headline["unsupported"]["request_latency_p99_ns"] == "needs n >= 100, n = 5"


@pytest.mark.parametrize("percent, needed", [(50, 2), (90, 10), (95, 20), (99, 100)])
def test_a_percentile_needs_enough_samples_and_is_never_the_repeated_max(percent, needed):
    assert min_samples(percent) == needed
    short = summarise(range(1, needed))          # n = needed - 1
    assert short[f"p{percent}"] is None
    assert short["unsupported"][f"p{percent}"] == f"needs n >= {needed}, n = {needed - 1}"
    enough = summarise(range(1, needed + 1))     # n = needed: some sample lies above pX
    assert enough[f"p{percent}"] == needed - 1 < enough["max"]
    assert f"p{percent}" not in enough["unsupported"]


def test_a_summary_of_nothing_has_n_zero_and_no_figures():
    empty = summarise([])
    assert (empty["n"], empty["mean"], empty["max"], empty["p50"]) == (0, None, None, None)
    assert empty["unsupported"]["p50"] == "needs n >= 2, n = 0"


def test_not_measured_is_none_never_zero():
    headline = compute_metrics(trace_of([switch(10, 0, 0, 2), end_at(100)]))["headline"]
    for key in ("requests_per_s", "jobs_completed", "deadline_misses", "miss_ratio",
                "max_tardiness_ns", "request_latency_p50_ns", "thread_response_mean_ns"):
        assert headline[key] is None, key
    # a request begun and never ended is measured: 0 completed per second
    begun = compute_metrics(trace_of([marker(10, 2, "TRACE_MARK_REQUEST_BEGIN", 1),
                                      end_at(100)]))
    assert begun["headline"]["requests_per_s"] == 0.0
    # a job released and not yet due is measured: 0 completed, 0 missed
    jobs = compute_metrics(trace_of([marker(10, 2, "TRACE_MARK_JOB_RELEASE", 1), end_at(100)]))
    assert (jobs["headline"]["jobs_completed"], jobs["headline"]["deadline_misses"]) == (0, 0)


def test_means_are_exact_and_only_the_display_rounds(tmp_path):
    assert mean_ci95([1001512, 1001512]).mean == 1001512
    assert isinstance(mean_ci95([1001512, 1001512]).mean, int)
    assert mean_ci95([1001512, 1001513]).mean == 1001512.5
    for repeat in (0, 1):
        run = tmp_path / "rr-1h" / "w" / f"rep{repeat}"
        run.mkdir(parents=True)
        (run / "run.json").write_text(json.dumps({"scheduler": "rr", "workload": "w",
                                                  "cpus": 1, "repeat": repeat, "ok": True}))
        (run / "metrics.json").write_text(json.dumps(
            {"headline": {"wakeup_p50_ns": 1001512, "switches_per_s": 1 / 3}}))
    with open(write_summary(tmp_path, sorted(tmp_path.glob("*/*/rep*")))) as summary:
        mean = [row for row in csv.DictReader(summary) if row["repeat"] == "mean"][0]
    assert mean["headline.wakeup_p50_ns"] == "1001512"
    assert float(mean["headline.switches_per_s"]) == 1 / 3
    assert display(1 / 3) == "0.333333" and display(1001512.0) == "1001512"


def test_headline_figures_are_stored_unrounded():
    # three harts busy 1/3, 1/3, 1/3 of 3000 ns... and hart 0's switch rate 1/3000 per ns
    trace = trace_of([switch(0, 0, 0, 2), switch(1000, 0, 2, 0), end_at(3000)])
    headline = compute_metrics(trace)["headline"]
    assert headline["mean_utilisation"] == 1 / 3
    assert headline["switches_per_s"] == 2 * 1e9 / 3000


@pytest.mark.parametrize("nharts, clock, model", [
    (1, 0, "exact"), (2, 0, "shared-throughput"), (4, 0, "shared-throughput"),
    (1, 1, "host-parallel"), (4, 1, "host-parallel"), (1, 2, "parallel-sim"),
    (64, 2, "parallel-sim"), (4, 7, None)])
def test_timing_model_from_the_trace_header(nharts, clock, model):
    metrics = compute_metrics(trace_of([], nharts=nharts, clock=clock))
    assert metrics["timing_model"] == model
    assert from_trace_header({"nharts": nharts, "clock": clock}) == model
    assert (metrics["timing_model_explanation"] is None) == (model is None)


def test_thread_harts_say_where_the_workload_threads_ran():
    # 2 runs on hart 0 then hart 1; 3 only on hart 1; the root task (1) is not a workload thread
    trace = trace_of([switch(0, 0, 1, 2), switch(100, 0, 2, 0), switch(200, 1, 0, 2),
                      switch(300, 1, 2, 3), end_at(400, 0), end_at(400, 1)], nharts=2)
    assert compute_metrics(trace)["thread_harts"] == {
        "per_thread": {"2": [0, 1], "3": [1]}, "per_hart": {"0": 1, "1": 2},
        "harts_used": [0, 1]}


def test_a_run_plot_title_carries_a_shared_timing_model():
    from analysis.__main__ import _titled
    four = {"timing_model": "shared-throughput", "trace_header": {"nharts": 4}}
    assert _titled("mixed", [("rr", four), ("mlfq", four)]) == \
        "mixed\n4 harts, shared-throughput: one icount clock for all harts, not a 4-core machine"
    one = {"timing_model": "exact", "trace_header": {"nharts": 1}}
    assert _titled("mixed", [("rr", one)]) == "mixed\n1 hart, exact (icount)"
    assert _titled("mixed", [("rr", one), ("rr", four)]) == "mixed"   # mixed models: no label
