"""`schedlab export --perfetto` and what run.json records about the code and settings."""
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from analysis.decode import chunk_per_hart, make_record, write_trace  # noqa: E402
from tools.schedlab import cli  # noqa: E402
from tools.schedlab.provenance import git_commit, provenance, scheduler_parameters  # noqa: E402


def test_export_writes_one_perfetto_json_per_traced_run(tmp_path, capsys):
    for config in ("rr-1h", "mlfq-1h"):
        run = tmp_path / "results" / config / "mixed"
        run.mkdir(parents=True)
        write_trace(run / "trace.bin", chunk_per_hart(
            [make_record("SWITCH", 10, 0, reason=5, prev=0, next=2),
             make_record("SWITCH", 90, 0, reason=0, prev=2, next=0)]))
    out = tmp_path / "perfetto"
    assert cli.main(["export", "--perfetto", str(out), str(tmp_path / "results")],
                    repo=REPO) == 0
    assert sorted(p.name for p in out.iterdir()) == ["mlfq-1h-mixed.json", "rr-1h-mixed.json"]
    events = json.loads((out / "rr-1h-mixed.json").read_text())["traceEvents"]
    assert [(e["ts"], e["dur"]) for e in events if e["ph"] == "X" and e["pid"] == 1] == \
        [(0.01, 0.08)]


def test_the_newest_results_orders_one_seconds_directories_by_number(tmp_path):
    from tools.schedlab.export import newest_results
    for name in ("mine", "20261201-101010", "20261201-101010-9", "compare-20261201-101010-10",
                 "20261201-101009-11"):
        (tmp_path / "results" / name).mkdir(parents=True)
    assert newest_results(tmp_path).name == "compare-20261201-101010-10"
    (tmp_path / "results" / "fuzz-20261201-101011").mkdir()
    assert newest_results(tmp_path).name == "fuzz-20261201-101011"


def test_export_of_a_missing_directory_is_a_usage_error(tmp_path, capsys):
    assert cli.main(["export", "--perfetto", str(tmp_path), str(tmp_path / "nope")],
                    repo=REPO) == 2
    assert "no such directory" in capsys.readouterr().err


def test_run_json_provenance_names_commit_and_every_parameter():
    commit, dirty = git_commit(REPO)
    assert commit is None or len(commit) == 40
    assert scheduler_parameters(REPO, "rr", {"SCHED_TIMESLICE_US": "2000"}) == \
        {"timeslice_us": "2000"}
    assert scheduler_parameters(REPO, "rr", {})["timeslice_us"] == "10000"
    record = provenance(REPO, "rr", {}, 4)
    assert record["config"] == "rr-4h" and record["commit"] == commit
    assert record["dirty"] == dirty
    # a simulator run's configuration names its machine as its directory does: the QEMU run
    # of the same variant and harts is another configuration (summary.csv held two rr-4h)
    assert provenance(REPO, "rr", {}, 4, engine="sim")["config"] == "rr-4h-sim"
    assert provenance(REPO, "rr", {}, 1, variant="rr[timeslice_us=2000]",
                      engine="sim")["config"] == "rr[timeslice_us=2000]-1h-sim"


def test_no_git_no_commit(tmp_path):
    assert git_commit(tmp_path) == (None, None)
