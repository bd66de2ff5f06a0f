"""The mixed workload end to end: runs, traces deterministically, yields the metrics and plots."""
import json

from harness import run


def test_mixed_runs_deterministically_with_metrics_and_plots(tmp_path):
    a, b = run("mixed", tmp_path / "A"), run("mixed", tmp_path / "B")
    assert a.ok, a.message
    assert b.ok, b.message
    trace_a = (tmp_path / "A" / "trace.bin").read_bytes()
    assert trace_a == (tmp_path / "B" / "trace.bin").read_bytes()
    assert "mixed: PASS" in (tmp_path / "A" / "console.log").read_text()

    metrics = json.loads((tmp_path / "A" / "metrics.json").read_text())
    switches = metrics["context_switches"]
    assert switches["voluntary"] > 0 and switches["involuntary"] > 0
    assert metrics["dropped_events"] == 0 and not metrics["lossy"]
    latency = metrics["wakeup_latency_ns"]
    assert latency["count"] > 0
    assert 0 < latency["p50"] <= latency["p90"] <= latency["p99"] <= latency["max"]
    assert metrics["response_time_ns"]["count"] == 40
    names = {thread["name"] for thread in metrics["threads"].values()}
    assert {"root", "hog0", "hog1", "interactive"} <= names
    assert list((tmp_path / "A").glob("*.png"))
