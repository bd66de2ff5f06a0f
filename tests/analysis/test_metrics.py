"""Metrics on hand-built traces whose every answer is known by construction."""
import json
import random

from analysis.decode import chunk_per_hart, decode_bytes, encode, make_record
from analysis.metrics import (compute_metrics, context_switches, metrics_json, nearest_rank,
                              wakeup_latency)
from analysis.requests import requests
from analysis.trace_format import FORMAT

REASONS = FORMAT.enum("trace_switch_reason").members
MARKS = FORMAT.enum("trace_marker_id").members


def trace_of(records, dropped=None, **header):
    return decode_bytes(encode(chunk_per_hart(records, dropped), **header))


def switch(time, hart, prev, next_, reason="TRACE_SWITCH_BLOCK"):
    return make_record("SWITCH", time, hart, reason=REASONS[reason], prev=prev, next=next_)


def wakeup(time, hart, tid):
    return make_record("WAKEUP", time, hart, hart=hart, tid=tid, waker=1)


def marker(time, tid, mark, value):
    return make_record("MARKER", time, 0, id=MARKS[mark], tid=tid, value=value)


def test_context_switches_by_reason():
    records = [switch(0, 0, 0, 1, "TRACE_SWITCH_FROM_IDLE"),
               switch(100, 0, 1, 2, "TRACE_SWITCH_BLOCK"),
               switch(200, 0, 2, 1, "TRACE_SWITCH_YIELD"),
               switch(300, 0, 1, 2, "TRACE_SWITCH_EXPIRED"),
               switch(400, 0, 2, 3, "TRACE_SWITCH_PREEMPTED"),
               switch(500, 0, 3, 1, "TRACE_SWITCH_PREEMPTED"),
               switch(600, 0, 1, 0, "TRACE_SWITCH_SUSPENDED"),
               # prev 0 counts as from idle even when the reason says otherwise
               switch(700, 0, 0, 2, "TRACE_SWITCH_BLOCK"),
               switch(1000, 0, 2, 0, "TRACE_SWITCH_BLOCK")]
    counts = context_switches(trace_of(records))
    assert counts == {"total": 9, "voluntary": 3, "involuntary": 3, "from_idle": 2, "other": 1,
                      "per_second": 9 / 1000e-9, "voluntary_per_second": 3 / 1000e-9,
                      "involuntary_per_second": 3 / 1000e-9,
                      "per_hart": {"0": {"total": 9, "voluntary": 3, "involuntary": 3}}}


def test_wakeup_latency_percentiles_of_100_to_1000_ns():
    latencies = list(range(100, 1001, 100))
    random.Random(1).shuffle(latencies)
    records = []
    for i, latency in enumerate(latencies):
        start = 10_000 * (i + 1)
        records += [wakeup(start, 0, 5),
                    switch(start + latency // 2, 1, 0, 6),  # another thread's switch-in
                    switch(start + latency, 1, 6, 5),       # woken on hart 0, runs on hart 1
                    switch(start + 5000, 1, 5, 0)]
    records.append(wakeup(200_000, 0, 5))                 # the trace ends before it runs
    latency = wakeup_latency(trace_of(records, nharts=2))
    # n = 10 supports p50 and p90 but not p95 or p99 (which would only repeat the max)
    assert {key: latency[key] for key in ("p50", "p90", "p95", "p99", "max", "mean", "n",
                                          "unserved", "unsupported")} == \
        {"p50": 500, "p90": 900, "p95": None, "p99": None, "max": 1000, "mean": 550.0, "n": 10,
         "unserved": 1, "unsupported": {"p95": "needs n >= 20, n = 10",
                                        "p99": "needs n >= 100, n = 10"}}
    assert latency["samples"] == list(range(100, 1001, 100))
    assert latency["per_thread"]["5"]["n"] == 10
    assert latency["per_thread"]["5"]["unserved"] == 1


def test_wakeup_pairs_with_the_next_switch_in_only():
    records = [switch(10, 0, 0, 7),            # 7 ran before it was woken: not its switch-in
               switch(20, 0, 7, 0),
               wakeup(100, 0, 7), wakeup(130, 0, 8),
               switch(150, 0, 0, 8),
               switch(400, 0, 8, 7),
               switch(900, 0, 7, 7)]           # a later switch-in of 7 is not the one
    latency = wakeup_latency(trace_of(records))
    assert latency["per_thread"]["7"]["max"] == 300
    assert latency["per_thread"]["8"]["max"] == 20
    assert latency["samples"] == [20, 300]
    assert latency["unserved"] == 0


def test_nearest_rank():
    assert nearest_rank([1, 2, 3, 4], 50) == 2
    assert nearest_rank([1, 2, 3, 4], 51) == 3
    assert nearest_rank([7], 99) == 7
    assert nearest_rank(list(range(1, 101)), 99) == 99


def test_service_time_pairs_begin_and_end_per_thread_and_request():
    records = [marker(100, 3, "TRACE_MARK_REQUEST_BEGIN", 1),
               marker(120, 4, "TRACE_MARK_REQUEST_BEGIN", 1),  # same number, other thread
               marker(150, 3, "TRACE_MARK_JOB_RELEASE", 1),    # not a request marker
               marker(220, 4, "TRACE_MARK_REQUEST_END", 1),
               marker(350, 3, "TRACE_MARK_REQUEST_END", 1),
               marker(400, 3, "TRACE_MARK_REQUEST_BEGIN", 2),  # never ends
               marker(500, 3, "TRACE_MARK_REQUEST_END", 9)]    # never began
    service = requests(trace_of(records))["service_time_ns"]
    assert service["samples"] == [100, 250]
    # n = 2: p50 is supported, p90 (needs 10) is not
    assert (service["n"], service["p50"], service["p90"], service["max"],
            service["mean"], service["unmatched"]) == (2, 100, None, 250, 175.0, 2)


def cpu_trace():
    """Hart 0: idle 0-100, tid 1 100-300, tid 2 300-600, tid 1 600-1000 (still running).
    Hart 1: tid 3 from the start to 200, then idle; idle loop 210-500 (a second ENTER
    inside it changes nothing) and 700-end.
    Hart 2: never switches; its first idle record is an exit at 50."""
    return trace_of([
        make_record("THREAD_NEW", 0, 0, tid=2, creator=1, prio=120),
        switch(100, 0, 0, 1, "TRACE_SWITCH_FROM_IDLE"),
        switch(200, 1, 3, 0, "TRACE_SWITCH_BLOCK"),
        make_record("IDLE_ENTER", 210, 1), make_record("IDLE_ENTER", 300, 1),
        make_record("IDLE_EXIT", 500, 1),
        make_record("IDLE_ENTER", 700, 1),
        make_record("IDLE_EXIT", 50, 2),
        switch(300, 0, 1, 2, "TRACE_SWITCH_EXPIRED"),
        switch(600, 0, 2, 1, "TRACE_SWITCH_BLOCK"),
        make_record("YIELD", 1000, 2, tid=9),
    ], nharts=3)


def test_cpu_time_per_thread_counts_the_running_thread_to_the_end():
    metrics = compute_metrics(cpu_trace())
    assert metrics["duration_ns"] == 1000
    assert metrics["cpu_time_ns"] == {"1": 600, "2": 300, "3": 200}


def test_idle_time_and_utilisation_per_hart():
    harts = compute_metrics(cpu_trace())["harts"]
    assert harts["0"] == {"busy_ns": 900, "idle_ns": 100, "utilisation": 0.9,
                          "idle_loop_ns": 0, "dropped": 0}
    assert harts["1"] == {"busy_ns": 200, "idle_ns": 800, "utilisation": 0.2,
                          "idle_loop_ns": 290 + 300, "dropped": 0}
    assert harts["2"] == {"busy_ns": 0, "idle_ns": 1000, "utilisation": 0.0,
                          "idle_loop_ns": 50, "dropped": 0}


def name_records(time, tid, name):
    raw = name.encode() + bytes(-len(name) % 8)
    return [make_record("THREAD_NAME", time, 0, tid=tid, offset=offset,
                        chars=int.from_bytes(raw[offset:offset + 8], "little"))
            for offset in range(0, len(raw), 8)]


def test_thread_names_and_priorities():
    records = [make_record("THREAD_NEW", 0, 0, tid=4, creator=1, prio=0),
               make_record("PRIO_CHANGE", 0, 0, tid=4, prio=150),
               make_record("PRIO_CHANGE", 1, 0, tid=4, prio=200),
               *name_records(1, 4, "consumer-thread"),
               # a rename to exactly 8 chars has no NUL of its own to end it
               *name_records(2, 5, "old-name-long"), *name_records(3, 5, "new-name"),
               switch(10, 0, 0, 6)]
    assert compute_metrics(trace_of(records))["threads"] == {
        "4": {"name": "consumer-thread", "prio": 200, "creator": 1},
        "5": {"name": "new-name", "prio": None, "creator": None},
        "6": {"name": None, "prio": None, "creator": None}}


def test_lossy_trace_is_flagged():
    metrics = compute_metrics(trace_of([switch(10, 0, 0, 1), switch(20, 1, 0, 2)],
                                       dropped={1: 4}))
    assert metrics["dropped_events"] == 4 and metrics["lossy"] is True
    assert "dropped 4 records (hart 1: 4)" in metrics["warning"]
    assert json.loads(metrics_json(metrics))["lossy"] is True
    assert metrics["harts"]["1"]["dropped"] == 4


def test_complete_trace_is_not_lossy():
    metrics = compute_metrics(trace_of([switch(10, 0, 0, 1)]))
    assert (metrics["dropped_events"], metrics["lossy"], metrics["warning"]) == (0, False, None)


def test_empty_trace_gives_zero_counts():
    metrics = compute_metrics(trace_of([], nharts=2), "rr")
    assert metrics["records"] == 0 and metrics["duration_ns"] == 0
    assert metrics["context_switches"]["total"] == 0
    assert metrics["context_switches"]["per_second"] is None
    assert metrics["wakeup_latency_ns"]["n"] == 0
    assert metrics["wakeup_latency_ns"]["p99"] is None
    assert metrics["service_time_ns"]["n"] == 0
    assert metrics["request_latency_ns"]["n"] == 0
    assert metrics["cpu_time_ns"] == {} and metrics["threads"] == {}
    assert metrics["harts"]["1"]["idle_ns"] == 0
    assert metrics["harts"]["1"]["utilisation"] is None
    assert metrics["lossy"] is False
    json.loads(metrics_json(metrics))


def test_metrics_json_is_identical_when_computed_twice():
    records = [*name_records(0, 2, "w"), wakeup(5, 0, 2), switch(10, 0, 0, 2),
               marker(20, 2, "TRACE_MARK_REQUEST_BEGIN", 1),
               marker(90, 2, "TRACE_MARK_REQUEST_END", 1), switch(100, 0, 2, 0)]
    first = metrics_json(compute_metrics(trace_of(records), "mlfq"))
    second = metrics_json(compute_metrics(trace_of(records), "mlfq"))
    assert first == second
    parsed = json.loads(first)
    assert list(parsed) == sorted(parsed)
    assert parsed["scheduler"] == "mlfq"
    for key in ("context_switches", "wakeup_latency_ns", "service_time_ns",
                "request_latency_ns", "thread_response_ns", "timing_model", "cpu_time_ns",
                "threads", "harts", "dropped_events", "lossy", "duration_ns", "records"):
        assert key in parsed
