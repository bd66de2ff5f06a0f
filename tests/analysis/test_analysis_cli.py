"""`python3 -m analysis`: the commands the runner calls, and their errors."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.__main__ import main
from analysis.decode import chunk_per_hart, make_record, write_trace

REPO = Path(__file__).resolve().parents[2]


def write_run(directory, latencies, dropped=None):
    """A trace.bin in `directory` whose wakeups of thread 2 wait `latencies` ns."""
    directory.mkdir(parents=True, exist_ok=True)
    records = [make_record("THREAD_NAME", 0, 0, offset=0, tid=2,
                           chars=int.from_bytes(b"worker", "little"))]
    for i, latency in enumerate(latencies):
        start = 10_000 * (i + 1)
        records += [make_record("WAKEUP", start, 0, hart=0, tid=2, waker=1),
                    make_record("SWITCH", start + latency, 0, reason=5, prev=0, next=2),
                    make_record("SWITCH", start + 5000, 0, reason=0, prev=2, next=0)]
    write_trace(directory / "trace.bin", chunk_per_hart(records, dropped))
    return directory / "trace.bin"


def test_metrics_command_writes_identical_json_twice(tmp_path):
    trace = write_run(tmp_path / "run", [100, 200, 300])
    assert main(["metrics", str(trace), "-o", str(tmp_path / "a.json"), "--sched", "rr"]) == 0
    assert main(["metrics", str(trace), "-o", str(tmp_path / "b.json"), "--sched", "rr"]) == 0
    first = (tmp_path / "a.json").read_bytes()
    assert first == (tmp_path / "b.json").read_bytes()
    metrics = json.loads(first)
    assert metrics["scheduler"] == "rr"
    assert metrics["wakeup_latency_ns"]["samples"] == [100, 200, 300]
    assert metrics["threads"]["2"]["name"] == "worker"


def test_lossy_trace_warns(tmp_path, capsys):
    trace = write_run(tmp_path / "run", [100], dropped={0: 3})
    assert main(["metrics", str(trace), "-o", str(tmp_path / "m.json")]) == 0
    assert "lossy" in capsys.readouterr().err
    assert json.loads((tmp_path / "m.json").read_text())["lossy"] is True


def test_plot_command_overlays_runs_of_a_workload(tmp_path, capsys):
    for scheduler, latencies in (("rr", [100, 900, 4000]), ("mlfq", [200, 300])):
        run = tmp_path / scheduler / "mixed"
        trace = write_run(run, latencies)
        (run / "run.json").write_text(json.dumps({"workload": "mixed", "scheduler": scheduler}))
        assert main(["metrics", str(trace), "-o", str(run / "metrics.json"),
                     "--sched", scheduler]) == 0
    out = tmp_path / "plots"
    assert main(["plot", str(tmp_path / "rr" / "mixed"), str(tmp_path / "mlfq" / "mixed"),
                 "-o", str(out)]) == 0
    plot = out / "wakeup_latency_cdf_mixed.png"
    assert plot.read_bytes().startswith(b"\x89PNG") and plot.stat().st_size > 1000
    assert "skipped" in capsys.readouterr().out  # no request markers: no response-time plot


def test_dump_lists_events_by_name(tmp_path, capsys):
    trace = write_run(tmp_path / "run", [100])
    assert main(["dump", str(trace)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].split() == ["0", "h0", "THREAD_NAME", "offset=0", "tid=2", "chars='worker'"]
    assert lines[3].split() == ["10000", "h0", "WAKEUP", "hart=0", "tid=2", "waker=1",
                                "wake_reason=IPC"]
    assert lines[4].split() == ["10100", "h0", "SWITCH", "reason=FROM_IDLE", "prev=0", "next=2"]


def test_bad_inputs_fail_with_a_message(tmp_path, capsys):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"this is not a trace at all, just text....")
    assert main(["metrics", str(bad)]) == 1
    assert "not a SchedLab trace" in capsys.readouterr().err
    assert main(["metrics", str(tmp_path / "missing.bin")]) == 1
    assert "missing.bin" in capsys.readouterr().err
    assert main(["plot", str(tmp_path), "-o", str(tmp_path / "out")]) == 1
    assert "no metrics.json" in capsys.readouterr().err


def test_truncated_trace_fails_unless_partial(tmp_path, capsys):
    trace = write_run(tmp_path / "run", [100, 200])
    trace.write_bytes(trace.read_bytes()[:-5])
    assert main(["metrics", str(trace), "-o", str(tmp_path / "m.json")]) == 1
    assert "truncated" in capsys.readouterr().err
    assert main(["metrics", str(trace), "-o", str(tmp_path / "m.json"), "--partial"]) == 0
    metrics = json.loads((tmp_path / "m.json").read_text())
    assert metrics["truncated"] is True and metrics["lossy"] is True


def test_module_entry_point_runs_with_help():
    result = subprocess.run([sys.executable, "-m", "analysis", "--help"], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 0
    assert "metrics" in result.stdout and "plot" in result.stdout and "dump" in result.stdout


def test_usage_errors_exit_2():
    with pytest.raises(SystemExit) as exit_:
        main(["metrics"])
    assert exit_.value.code == 2
