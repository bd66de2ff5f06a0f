"""Jobs, switch cost, migrations, multi-hart traces, and the edge cases of every metric:
empty, lossy and time-unsorted traces. Each answer is known by construction."""
import json

import pytest

from analysis.decode import Chunk, decode_bytes, encode, make_record
from analysis.headline import HEADLINE, lookup
from analysis.jobs import periodic_jobs
from analysis.metrics import compute_metrics, metrics_json, wakeup_latency
from analysis.migrations import migrations
from analysis.switch_cost import switch_cost

from synthetic import block, end_at, marker, migrate, switch, trace_of, wakeup


def job(time, tid, mark, value):
    return marker(time, tid, f"TRACE_MARK_JOB_{mark}", value)


def test_periodic_jobs_response_lateness_tardiness_and_misses():
    trace = trace_of([
        job(0, 5, "RELEASE", 1), job(1, 5, "DEADLINE", 100), job(80, 5, "END", 1),     # early
        job(100, 5, "RELEASE", 2), job(101, 5, "DEADLINE", 200), job(250, 5, "END", 2),  # late
        job(200, 5, "RELEASE", 3), job(201, 5, "DEADLINE", 300),      # never ends, past due
        job(300, 6, "RELEASE", 1), job(300, 6, "END", 1),    # no deadline: response only
        job(310, 6, "RELEASE", 2), job(320, 6, "DEADLINE", 320), job(320, 6, "END", 2),  # on time
        job(350, 5, "RELEASE", 4), job(351, 5, "DEADLINE", 500),      # open, not yet due
        job(360, 7, "END", 9),                                         # never released
        end_at(400)])
    jobs = periodic_jobs(trace)
    assert {key: jobs[key] for key in ("released", "completed", "missed", "unfinished_missed",
                                       "pending", "unmatched")} == \
        {"released": 6, "completed": 4, "missed": 2, "unfinished_missed": 1, "pending": 1,
         "unmatched": 1}
    assert jobs["miss_ratio"] == 2 / 4   # 3 ended with a deadline + 1 unfinished past due
    assert (jobs["response_ns"]["n"], jobs["response_ns"]["min"],
            jobs["response_ns"]["max"]) == (4, 0, 150)
    assert (jobs["lateness_ns"]["min"], jobs["lateness_ns"]["max"],
            jobs["lateness_ns"]["mean"]) == (-20, 50, 10)
    assert (jobs["tardiness_ns"]["max"], jobs["tardiness_ns"]["mean"]) == (50, 50 / 3)
    assert jobs["per_thread"] == {"5": {"released": 4, "completed": 2, "missed": 2},
                                  "6": {"released": 2, "completed": 2, "missed": 0}}
    # Per job, in release order: 5/1 early (0), 5/2 50 late, 5/3 unfinished 400 - 300 = 100
    # past its deadline (a lower bound), 6/1 has no deadline, 6/2 on time, 5/4 pending.
    assert [(j["tid"], j["job"], j["release_ns"], j["deadline_ns"], j["end_ns"],
             j["tardiness_ns"], j["unfinished"]) for j in jobs["per_job"]] == [
        (5, 1, 0, 100, 80, 0, False), (5, 2, 100, 200, 250, 50, False),
        (5, 3, 200, 300, None, 100, True), (6, 1, 300, None, 300, None, False),
        (6, 2, 310, 320, 320, 0, False), (5, 4, 350, 500, None, None, True)]


def test_no_jobs_no_ratio():
    jobs = periodic_jobs(trace_of([end_at(10)]))
    assert jobs["released"] == 0 and jobs["miss_ratio"] is None
    assert jobs["tardiness_ns"]["max"] is None


def test_switch_path_from_each_trigger_to_its_switch():
    trace = trace_of([
        switch(0, 0, 0, 2, "TRACE_SWITCH_FROM_IDLE"),                            # no trigger
        block(100, 0, 2), switch(130, 0, 2, 3, "TRACE_SWITCH_BLOCK"),           # 30
        make_record("YIELD", 200, 0, tid=3), switch(210, 0, 3, 2, "TRACE_SWITCH_YIELD"),  # 10
        make_record("PREEMPT", 300, 0, reason=0, tid=2),
        switch(340, 0, 2, 3, "TRACE_SWITCH_EXPIRED"),                           # 40
        wakeup(400, 0, 4), switch(425, 0, 3, 4, "TRACE_SWITCH_PREEMPTED"),      # 25
        block(500, 1, 4),                  # recorded on hart 1: not hart 0's trigger
        switch(520, 0, 4, 0, "TRACE_SWITCH_BLOCK"),
        wakeup(600, 0, 2), switch(611, 0, 0, 2, "TRACE_SWITCH_FROM_IDLE"),      # 11
        make_record("CACHE_REFILL", 612, 0, tid=2, cost_ns=100),
        make_record("CACHE_REFILL", 700, 1, tid=3, cost_ns=300)], nharts=2)
    cost = switch_cost(trace)
    path = cost["switch_path_ns"]
    assert (path["n"], path["unattributed"], path["min"], path["max"], path["mean"]) == \
        (5, 2, 10, 40, (30 + 10 + 40 + 25 + 11) / 5)
    assert {reason: summary["max"] for reason, summary in path["by_reason"].items()} == \
        {"BLOCK": 30, "YIELD": 10, "EXPIRED": 40, "PREEMPTED": 25, "FROM_IDLE": 11}
    assert (cost["cache_refill_ns"]["n"], cost["cache_refill_ns"]["total"],
            cost["cache_refill_ns"]["mean"]) == (2, 400, 200)


def test_a_trigger_before_the_previous_switch_does_not_count():
    trace = trace_of([block(100, 0, 2), switch(110, 0, 2, 3), switch(200, 0, 3, 2),
                      switch(300, 0, 2, 0, "TRACE_SWITCH_BLOCK")])
    assert switch_cost(trace)["switch_path_ns"]["n"] == 1


def four_hart_trace():
    """Thread 5 runs on hart 0, is woken by hart 2 onto hart 1's queue and pulled to hart 3
    (MIGRATE PULL); thread 6 moves from hart 1 to hart 2 without a MIGRATE record. Hart i is
    busy (i + 1) * 100 of the 1000 ns the trace spans."""
    return trace_of([
        switch(0, 0, 0, 5), switch(100, 0, 5, 0, "TRACE_SWITCH_BLOCK"),
        switch(0, 1, 0, 6), switch(200, 1, 6, 0, "TRACE_SWITCH_BLOCK"),
        wakeup(400, 2, 5, queued_on=1),
        migrate(450, 3, 5, 1, 3, "TRACE_MIGRATE_PULL"),
        switch(600, 3, 0, 5, "TRACE_SWITCH_FROM_IDLE"),   # 5 runs 600-1000 on hart 3
        wakeup(650, 1, 6), switch(700, 2, 0, 6, "TRACE_SWITCH_FROM_IDLE"),  # 6: 700-1000
        end_at(1000, 0), end_at(1000, 1), end_at(1000, 2), end_at(1000, 3)], nharts=4)


def test_wakeup_latency_across_harts():
    latency = wakeup_latency(four_hart_trace())
    assert latency["samples"] == [50, 200]
    assert latency["migrated"] == 2      # both served on another hart than they were queued
    assert latency["remote"] == 1        # 5's wakeup was recorded on hart 2 for hart 1


def test_migrations_explicit_implicit_and_unexplained():
    moved = migrations(four_hart_trace())
    per_workload_thread = moved.pop("per_workload_thread")
    assert moved == {"explicit": 1, "by_reason": {"PULL": 1}, "implicit": 2, "unexplained": 1,
                     "remote_wakeups": 1,
                     "per_thread": {"5": {"explicit": 1, "implicit": 1},
                                    "6": {"explicit": 0, "implicit": 1}}}
    assert per_workload_thread["n"] == 0            # no workload threads given


def test_migrations_per_workload_thread_count_the_threads_that_never_moved():
    # 5 and 6 moved once each; 7 is a workload thread that never moved: mean 2/3, max 1.
    moved = migrations(four_hart_trace(), workload={5, 6, 7})["per_workload_thread"]
    assert (moved["n"], moved["mean"], moved["max"], moved["min"]) == (3, 2 / 3, 1, 0)
    metrics = compute_metrics(four_hart_trace())
    assert metrics["headline"]["migrations_per_thread_mean"] == 1      # workload: 5 and 6
    assert metrics["headline"]["migrations_per_thread_max"] == 1


def test_utilisation_of_four_harts():
    metrics = compute_metrics(four_hart_trace(), "affinity")
    assert [metrics["harts"][str(h)]["utilisation"] for h in range(4)] == [0.1, 0.2, 0.3, 0.4]
    assert metrics["headline"]["mean_utilisation"] == 0.25
    assert metrics["context_switches"]["per_hart"]["3"] == {"total": 1, "voluntary": 0,
                                                            "involuntary": 0}


def test_two_harts_with_chunks_interleaved_merge_by_time():
    chunks = [Chunk(1, [wakeup(10, 1, 4, queued_on=0)]), Chunk(0, [switch(5, 0, 0, 3)]),
              Chunk(0, [switch(30, 0, 3, 4, "TRACE_SWITCH_PREEMPTED")]),
              Chunk(1, [end_at(50, 1)])]
    metrics = compute_metrics(decode_bytes(encode(chunks)))
    assert metrics["wakeup_latency_ns"]["samples"] == [20]
    # no trigger for the first switch-in; 4 was woken by hart 1, not the switching hart
    assert metrics["switch_cost"]["switch_path_ns"]["unattributed"] == 2
    assert metrics["cpu_time_ns"] == {"3": 25, "4": 20}
    assert metrics["lossy"] is False


def test_unsorted_records_are_used_in_time_order_and_flag_the_trace():
    # Hart 0's clock goes back (a wrapped timer): the records are sorted, and counted.
    chunks = [Chunk(0, [wakeup(100, 0, 2), switch(50, 0, 0, 2), switch(300, 0, 2, 0)])]
    trace = decode_bytes(encode(chunks))
    assert trace.records["time_ns"].tolist() == [50, 100, 300]
    assert trace.time_regressions == {0: 1}
    metrics = compute_metrics(trace)
    assert metrics["time_regressions"] == 1 and metrics["lossy"] is True
    assert "back in time" in metrics["warning"]
    assert metrics["headline"]["lossy"] is True


def test_lossy_trace_still_carries_every_metric_and_its_drop_count():
    metrics = compute_metrics(four_hart_trace().__class__(
        **{**four_hart_trace().__dict__, "dropped_by_hart": {0: 0, 1: 2, 2: 0, 3: 5}}))
    assert metrics["dropped_events"] == 7 and metrics["lossy"] is True
    assert metrics["headline"]["dropped_events"] == 7
    assert [metrics["harts"][str(h)]["dropped"] for h in range(4)] == [0, 2, 0, 5]
    assert "dropped 7 records (hart 1: 2, hart 3: 5)" in metrics["warning"]


@pytest.mark.parametrize("nharts", [1, 2, 4])
def test_empty_trace_every_metric_is_zero_or_none(nharts):
    metrics = compute_metrics(trace_of([], nharts=nharts), "rr")
    json.loads(metrics_json(metrics))
    assert metrics["switch_cost"]["switch_path_ns"]["n"] == 0
    assert metrics["jobs"]["released"] == 0
    assert metrics["fairness"] == {"threads": 0, "shares": {}, "jain_demand_share": None,
                                   "jain_cpu_time": None}
    assert metrics["turnaround_ns"]["summary"]["n"] == 0
    assert metrics["migrations"]["explicit"] == metrics["migrations"]["implicit"] == 0
    assert metrics["throughput"]["requests_per_second"] is None
    assert len(metrics["harts"]) == nharts
    assert metrics["headline"]["switches_per_s"] is None
    assert metrics["headline"]["mean_utilisation"] is None
    assert metrics["headline"]["dropped_events"] == 0


def test_headline_figures_are_the_metrics_they_name():
    metrics = compute_metrics(four_hart_trace(), "rr")
    for key, path, _, _, _ in HEADLINE:
        value = lookup(metrics, path) if path != "mean_utilisation" else 0.25
        if key in ("jobs_completed", "deadline_misses", "miss_ratio", "max_tardiness_ns"):
            value = None      # no job released: not measured
        assert metrics["headline"][key] == value     # exactly, never rounded
    assert json.loads(metrics_json(metrics))["headline"] == metrics["headline"]


def test_request_service_time_and_throughput_in_compute_metrics():
    records = [marker(0, 1, "TRACE_MARK_WORKLOAD_BEGIN", 0)]
    for i in range(4):
        records += [marker(100 * i + 10, 3, "TRACE_MARK_REQUEST_BEGIN", i),
                    marker(100 * i + 60, 3, "TRACE_MARK_REQUEST_END", i)]
    records += [marker(1000, 1, "TRACE_MARK_WORKLOAD_END", 0), end_at(2000)]
    metrics = compute_metrics(trace_of(records))
    assert metrics["throughput"]["requests_per_second"] == 4e6
    assert metrics["headline"]["service_p50_ns"] == 50
    assert metrics["headline"]["service_n"] == 4
