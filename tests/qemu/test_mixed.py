"""The mixed workload end to end under every policy: runs, traces deterministically, yields the
metrics and plots; and the policies differ the way their designs say."""
import json

import pytest
from harness import run

from tools.schedlab import REPO_ROOT
from tools.schedlab.configs import discover_schedulers

SCHEDULERS = sorted(discover_schedulers(REPO_ROOT))


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_mixed_runs_deterministically_with_metrics_and_plots(tmp_path, scheduler):
    a = run("mixed", tmp_path / "A", scheduler=scheduler)
    b = run("mixed", tmp_path / "B", scheduler=scheduler)
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
    assert latency["n"] > 0
    # a percentile too few samples support is null, with the reason (analysis/stats.py)
    supported = [latency[p] for p in ("p50", "p90", "p99") if latency[p] is not None]
    assert all(p in latency["unsupported"] for p in ("p50", "p90", "p99")
               if latency[p] is None)
    assert 0 < min(supported + [latency["max"]]) and supported + [latency["max"]] == \
        sorted(supported + [latency["max"]])
    assert metrics["service_time_ns"]["n"] == 220   # the spec's interactive.loop_count
    names = {thread["name"] for thread in metrics["threads"].values()}
    assert {"root", "hog0", "hog1", "interactive"} <= names
    assert [t["prio"] for t in metrics["threads"].values() if t["name"] == "root"] == [255]
    assert list((tmp_path / "A").glob("*.png"))


def test_mlfq_serves_the_interactive_thread_faster_than_rr(tmp_path):
    """Equal seL4 priorities: rr makes the interactive thread wait behind the hogs' slices;
    mlfq demotes the hogs and lets it preempt them (DESIGN §4.2)."""
    latency = {}
    for scheduler in ("rr", "mlfq"):
        result = run("mixed", tmp_path / scheduler, scheduler=scheduler)
        assert result.ok, result.message
        metrics = json.loads((tmp_path / scheduler / "metrics.json").read_text())
        latency[scheduler] = metrics["wakeup_latency_ns"]
    assert latency["mlfq"]["p90"] * 100 < latency["rr"]["p90"]
    assert latency["mlfq"]["n"] > latency["rr"]["n"]
