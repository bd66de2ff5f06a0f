"""`schedlab compare` without QEMU: its flags, the runs it plans and where their results go,
the progress line with its estimate of the time left, and a whole comparison with stand-ins
for the build and the runs.

Run: /usr/bin/python3 -m pytest tests/cli
"""
import csv
import json
import re
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tools.schedlab import cli, compare, setup  # noqa: E402
from tools.schedlab.compare import (Comparison, format_duration, format_progress,  # noqa: E402
                                    plan_runs, run_in_parallel, run_label)
from tools.schedlab.eta import BatchClock  # noqa: E402
from tools.schedlab.run import RunRequest, RunResult  # noqa: E402

from fakes import FakeClock  # noqa: E402

RR_CONFIG = """\
# rr: round robin
set(SCHED_POLICY rr CACHE STRING "")
set(SCHED_TIMESLICE_US 10000 CACHE STRING "timeslice in microseconds")
schedlab_check_range(SCHED_TIMESLICE_US 100 1000000)
"""

MLFQ_CONFIG = """\
# mlfq: feedback levels
set(SCHED_POLICY mlfq CACHE STRING "")
set(SCHED_TIMESLICE_US 2000 CACHE STRING "top-level allotment, microseconds")
set(SCHED_MLFQ_LEVELS 3 CACHE STRING "feedback levels")
schedlab_check_range(SCHED_TIMESLICE_US 100 1000000)
schedlab_check_range(SCHED_MLFQ_LEVELS 1 8)
"""


def spec(description, params):
    return json.dumps({"description": description, "params": params,
                       "threads": [{"name": "worker", "phases": [{"run": {"us": 100}}]}]})


@pytest.fixture
def repo(tmp_path):
    """Two schedulers and two spec workloads, only one of which has a `requests` parameter."""
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "rr.cmake").write_text(RR_CONFIG)
    (tmp_path / "configs" / "mlfq.cmake").write_text(MLFQ_CONFIG)
    (tmp_path / "workloads").mkdir()
    (tmp_path / "workloads" / "chat.json").write_text(spec("chat", {"requests": 30}))
    (tmp_path / "workloads" / "batch.json").write_text(spec("batch", {"work_us": 500}))
    return tmp_path


@pytest.fixture
def compared(monkeypatch):
    """Stands in for setup and run_suite: records the Comparison `compare` would run."""
    calls = []
    monkeypatch.setattr(setup, "ensure", lambda **_: None)
    monkeypatch.setattr(cli, "run_suite", lambda repo, comparison, out, bench=True: calls.append(
        (comparison, out)) or True)
    return calls


def run_cli(repo, capsys, *argv):
    status = cli.main(list(argv), repo=repo)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# --- flags ---------------------------------------------------------------------------------

def test_default_is_every_scheduler_and_workload_on_qemu_and_the_simulator(repo, capsys,
                                                                           compared):
    status, _, err = run_cli(repo, capsys, "compare")
    assert status == 0 and err == ""
    [(comparison, out)] = compared
    assert comparison.schedulers == ["mlfq", "rr"]
    assert comparison.workloads == ["batch", "chat"]
    assert comparison.machines == [("qemu", 1), ("sim", 1), ("sim", 4), ("sim", 16)]
    assert (comparison.seed, comparison.repeat, comparison.engine) == (1, 1, None)
    assert not comparison.realtime
    assert out.parent == repo / "results"


def test_the_default_machines_run_what_the_simulator_cannot_on_qemu_only(repo, capsys,
                                                                         compared, tmp_path):
    (repo / "workloads" / "paged.json").write_text(PAGED_SPEC)
    status, _, err = run_cli(repo, capsys, "compare")
    assert status == 0
    assert "compare: paged left out of the simulator's runs: the simulator does not model " \
        "the pager" in err
    [(comparison, _)] = compared
    requests = plan_runs(comparison, tmp_path)
    on = {(r.engine, r.cpus, r.workload) for r in requests}
    assert ("qemu", 1, "paged") in on and not any(w == "paged" for e, _, w in on if e == "sim")
    assert {r.out.relative_to(tmp_path).parts[0] for r in requests} == {
        f"{s}-{n}h{suffix}" for s in ("rr", "mlfq")
        for n, suffix in ((1, ""), (1, "-sim"), (4, "-sim"), (16, "-sim"))}


@pytest.mark.parametrize("argv,machines", [
    (["--machines", "sim:4,qemu:1,sim:4"], [("sim", 4), ("qemu", 1)]),
    (["--engine", "qemu"], [("qemu", 1), ("qemu", 4)]),
    (["--engine", "sim"], [("sim", 1), ("sim", 4), ("sim", 16)]),
    (["--cpus", "2"], [("qemu", 2)]),
    (["--realtime"], [("qemu", 1), ("qemu", 4)]),
])
def test_machines_come_from_machines_or_engine_and_cpus(repo, capsys, compared, argv, machines):
    status, _, err = run_cli(repo, capsys, "compare", *argv)
    assert status == 0, err
    assert compared[-1][0].machines == machines


@pytest.mark.parametrize("argv,message", [
    (["--machines", "qemu:9"], "error: --machines: invalid machine 'qemu:9'; expected "
                               "ENGINE:HARTS, comma-separated, with ENGINE qemu (harts 1..8) or "
                               "sim (harts 1..1024)"),
    (["--machines", "kvm:1"], "error: --machines: invalid machine 'kvm:1'"),
    (["--machines", "sim:1", "--engine", "sim"], "error: --machines: names engine and harts "
                                                 "itself; give either --machines or "
                                                 "--engine/--cpus"),
    (["--machines", "sim:4", "--realtime"], "error: --realtime: the simulator has no wall clock"),
])
def test_bad_machines_are_refused_naming_the_flag(repo, capsys, compared, argv, message):
    assert cli.main(["compare", *argv], repo=repo) == 2
    assert message in capsys.readouterr().err
    assert compared == []


def test_flags_narrow_the_comparison(repo, capsys, compared):
    status, _, _ = run_cli(repo, capsys, "compare", "--scheds", "rr,rr", "--workloads", "chat",
                           "--cpus", "2,8,2", "--seed", "7", "--out", str(repo / "here"))
    assert status == 0
    [(comparison, out)] = compared
    assert (comparison.schedulers, comparison.workloads) == (["rr"], ["chat"])
    assert comparison.cpus == [2, 8] and comparison.seed == 7 and out == repo / "here"


def test_an_unknown_param_key_is_refused_naming_the_valid_ones(repo, capsys, compared):
    status, out, err = run_cli(repo, capsys, "compare", "--param", "chat.request=5")
    assert status == 2 and out == "" and compared == []
    assert err.startswith("error: --param: unknown key 'chat.request' for workload batch, chat; "
                          "valid: ")
    assert "chat.requests" in err and "batch.work_us" in err and "limit_ms" in err
    # a key one compared workload has is fine for the comparison
    assert run_cli(repo, capsys, "compare", "--param", "chat.requests=5")[0] == 0


def test_set_goes_to_the_workloads_and_schedulers_that_have_the_key(repo, capsys, compared):
    status, _, err = run_cli(repo, capsys, "compare", "--set", "chat.requests=5",
                             "--set", "mlfq.levels=4", "--set", "timeslice_us=3000",
                             "--param", "limit_ms=50")
    assert status == 0, err
    [(comparison, _)] = compared
    assert comparison.params == {"chat": ["chat.requests=5", "limit_ms=50"],
                                 "batch": ["limit_ms=50"]}
    # --set is in the configurations' names (variants.py), as it is in their builds
    assert comparison.settings == {
        "rr[timeslice_us=3000]": {"SCHED_TIMESLICE_US": "3000"},
        "mlfq[levels=4,timeslice_us=3000]": {"SCHED_MLFQ_LEVELS": "4",
                                             "SCHED_TIMESLICE_US": "3000"}}
    assert comparison.schedulers == ["mlfq[levels=4,timeslice_us=3000]", "rr[timeslice_us=3000]"]


@pytest.mark.parametrize("argv, message", [
    (["--scheds", "rr,nosuch"], "error: --scheds: unknown scheduler 'nosuch'; valid: mlfq, rr\n"),
    (["--workloads", "nosuch"],
     "error: --workloads: unknown workload 'nosuch'; valid: batch, chat\n"),
    (["--cpus", "9"], "error: --cpus: 9 harts: valid 1..8 with --engine qemu; 1..1024 with --engine sim\n"),
    (["--cpus", "1,0"], "error: --cpus: invalid number of harts '0'; valid: 1..8 (--engine qemu), 1..1024 (--engine sim)\n"),
    (["--cpus", "1,x"], "error: --cpus: invalid number of harts 'x'; valid: 1..8 (--engine qemu), 1..1024 (--engine sim)\n"),
    (["--cpus", ","], "error: --cpus: invalid number of harts ','; valid: 1..8 (--engine qemu), 1..1024 (--engine sim), comma-separated\n"),
    (["--cpus", "1,,4"], "error: --cpus: invalid number of harts '1,,4'; valid: 1..8 (--engine qemu), 1..1024 (--engine sim), comma-separated\n"),
    (["--repeat", "0"], "error: --repeat: invalid repeat count '0'; valid: an integer >= 1\n"),
    (["--seed", "-1"], "error: --seed: invalid seed '-1'; valid: an integer >= 0\n"),
    (["--set", "quantum=1"], "error: --set: unknown parameter 'quantum' for the compared "
     "schedulers and workloads; scheduler parameters: mlfq.timeslice_us, mlfq.levels, "
     "rr.timeslice_us; workload parameters: see ./schedlab list\n"),
    (["--scheds", "rr", "--set", "mlfq.levels=4"], "error: --set: unknown parameter "
     "'mlfq.levels' for the compared schedulers and workloads; scheduler parameters: "
     "rr.timeslice_us; workload parameters: see ./schedlab list\n"),
    (["--set", "mlfq.levels=9"],
     "error: --set: mlfq.levels=9 is out of range: valid values are 1..8\n"),
    (["--set", "chat.requests=many"],
     "error: --set: chat.requests=many: not an integer; workload parameter 'chat.requests' "
     "takes an integer >= 0\n"),
    (["--set", "timeslice_us=1e3"],
     "error: --set: timeslice_us=1e3: not an integer; valid values are 100..1000000\n"),
    (["--set", "levels"], "error: --set: expected key=value, got 'levels'\n"),
])
def test_bad_input_is_a_usage_error_naming_what_is_valid(repo, capsys, compared, argv, message):
    status, out, err = run_cli(repo, capsys, "compare", *argv)
    assert status == 2
    assert err.startswith(message)
    assert out == "" and compared == []


def test_repeat_without_realtime_warns_and_still_runs(repo, capsys, compared):
    status, _, err = run_cli(repo, capsys, "compare", "--repeat", "3")
    assert status == 0 and compared[0][0].repeat == 3
    assert err.startswith("note: --repeat in deterministic (icount) mode")
    status, _, err = run_cli(repo, capsys, "compare", "--repeat", "3", "--realtime")
    assert status == 0 and err == ""


def test_help_says_repeat_is_meant_with_realtime(repo, capsys):
    with pytest.raises(SystemExit):
        cli.main(["compare", "--help"], repo=repo)
    text = " ".join(capsys.readouterr().out.split())
    assert "use --repeat with --realtime" in text
    assert "repeats with the same seed are identical" in text
    assert "<config>/<workload>/" in text and "rep<i>/" in text
    assert "<sched>-<N>h on QEMU and <sched>-<N>h-sim on the simulator" in text


# --- the runs and their directories --------------------------------------------------------

def test_every_run_gets_its_config_and_workload_directory(tmp_path):
    comparison = Comparison(["rr", "mlfq"], ["chat", "batch"], cpus=[1, 4], seed=5,
                            settings={"rr": {"SCHED_TIMESLICE_US": "3000"}},
                            params={"chat": ["chat.requests=5"]})
    requests = plan_runs(comparison, tmp_path)
    assert len(requests) == 2 * 2 * 2
    assert {r.out.relative_to(tmp_path).as_posix() for r in requests} == {
        f"{s}-{n}h/{w}" for s in ("rr", "mlfq") for n in (1, 4) for w in ("chat", "batch")}
    assert {r.seed for r in requests} == {5} and {r.repeat for r in requests} == {None}
    chat_rr = next(r for r in requests if r.scheduler == "rr" and r.workload == "chat")
    assert chat_rr.params == ["chat.requests=5"]
    assert chat_rr.settings == {"SCHED_TIMESLICE_US": "3000"}
    batch_mlfq = next(r for r in requests if r.scheduler == "mlfq" and r.workload == "batch")
    assert batch_mlfq.params == [] and batch_mlfq.settings == {}


def test_repeats_get_consecutive_seeds_and_their_own_directories(tmp_path):
    requests = plan_runs(Comparison(["rr"], ["chat"], cpus=[4], seed=7, repeat=3,
                                    realtime=True), tmp_path)
    assert [(r.out.relative_to(tmp_path).as_posix(), r.seed, r.repeat, r.realtime)
            for r in requests] == [("rr-4h/chat/rep0", 7, 0, True), ("rr-4h/chat/rep1", 8, 1, True),
                                   ("rr-4h/chat/rep2", 9, 2, True)]
    assert [run_label(r) for r in requests] == ["rr-4h/chat/rep0", "rr-4h/chat/rep1",
                                                "rr-4h/chat/rep2"]


# --- progress ------------------------------------------------------------------------------

@pytest.mark.parametrize("seconds, text", [(0, "0s"), (44.6, "45s"), (59.4, "59s"),
                                           (60, "1m00s"), (185, "3m05s"), (-3, "0s")])
def test_durations_read_as_seconds_or_minutes(seconds, text):
    assert format_duration(seconds) == text


def test_remaining_time_goes_by_engine_and_workload_from_the_first_runs():
    """Two QEMU runs (30 s each) and four simulator runs (0.3 s each), 2 at a time. The first
    to finish are simulator runs: a mean over all runs would predict the QEMU runs from them."""
    qemu = [RunRequest("rr", w, Path(w), engine="qemu") for w in ("a", "b")]
    sims = [RunRequest("rr", w, Path(w + "s"), engine="sim") for w in ("a", "b", "a", "b")]
    clock = FakeClock()
    eta = BatchClock(qemu + sims, parallel=2, clock=clock)
    assert eta.remaining() is None                      # nothing known yet
    eta.started(qemu[0])
    eta.started(sims[0])
    clock.now = 0.3
    eta.finished(sims[0], 0.3)
    eta.started(sims[1])
    # qemu a has run 0.3 s (a lower bound for it and for qemu b); sim b has no finished run of
    # its own workload: it takes the simulator's mean. Left: 0 + 0.3 + 0.3 + 0.3 + 0.3 -> / 2
    assert eta.remaining() == pytest.approx(max((0 + 0.3 + 0.3 + 0.3 + 0.3) / 2, 0.3))
    clock.now = 30.0
    eta.finished(qemu[0], 30.0)
    eta.started(qemu[1])
    # qemu b: 30 s (its engine's), the sims are gone through meanwhile except three
    for request in sims[1:]:
        eta.finished(request, 0.3)
    assert eta.remaining() == pytest.approx(30.0)       # its longest run bounds the batch
    clock.now = 50.0
    assert eta.remaining() == pytest.approx(10.0)       # a run in flight counts what is left
    eta.finished(qemu[1], 31.0)
    assert eta.remaining() == 0


def test_an_engine_no_run_finished_on_is_not_predicted_from_a_run_just_started():
    """QEMU's run took 30 s; the first simulator run has only just begun: the simulator's
    runs take the mean of what finished (too long, until one ends), not ~0 s."""
    qemu, sim = (RunRequest("rr", "a", Path("q"), engine="qemu"),
                 RunRequest("rr", "a", Path("s"), engine="sim"))
    clock = FakeClock()
    eta = BatchClock([qemu, sim], parallel=1, clock=clock)
    eta.started(qemu)
    clock.now = 30.0
    eta.finished(qemu, 30.0)
    eta.started(sim)
    assert eta.remaining() == pytest.approx(30.0)
    clock.now = 40.0                   # still going after 10 s: 20 s left of the 30 s guess
    assert eta.remaining() == pytest.approx(20.0)


def test_remaining_time_uses_the_same_workload_and_harts_when_it_can():
    long, short = (RunRequest("rr", "long", Path("l"), cpus=4),
                   RunRequest("rr", "short", Path("s"), cpus=4))
    todo = [RunRequest("rr", "long", Path("l2"), cpus=4), RunRequest("rr", "short", Path("s2"),
                                                                   cpus=1)]
    eta = BatchClock([long, short, *todo], parallel=1, clock=FakeClock())
    eta.finished(long, 10.0)
    eta.finished(short, 1.0)
    assert eta.remaining() == pytest.approx(10.0 + 1.0)  # short at 1 hart: short's mean


def test_progress_line_format():
    assert format_progress(3, 80, "rr-1h/mixed", "ok", 12.34, 45) == \
        "run 3 of 80, rr-1h/mixed ok, elapsed 12.3s, about 45s left"
    assert format_progress(80, 80, "rr-4h/pager", "ok", 200.0, 0) == \
        "run 80 of 80, rr-4h/pager ok, elapsed 200.0s"


def fake_result(request, ok=True):
    return RunResult(request, ok, "ok" if ok else "timed out after 1s", 0.0)


def test_runs_go_in_parallel_with_a_line_per_finished_run(tmp_path):
    requests = plan_runs(Comparison(["rr"], ["a", "b", "c", "d"], cpus=[1]), tmp_path)
    running, most, lock = [0], [0], threading.Lock()
    both_started = threading.Barrier(2)

    def run(request):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        if request.workload in ("a", "b"):
            both_started.wait(timeout=10)   # the first two must run at the same time
        with lock:
            running[0] -= 1
        return fake_result(request, ok=request.workload != "c"), 2.0

    lines = []
    failures = run_in_parallel(requests, run, parallel=2, report=lines.append)
    assert most[0] == 2
    assert [f.request.workload for f in failures] == ["c"]
    assert len(lines) == 4
    assert lines[0].startswith("run 1 of 4, rr-1h/")
    # 3 left at 2 s each (the run in flight has gone on a little), 2 at a time: about 3 s
    # (tests/cli/test_compare.py's BatchClock tests work the estimate out on a fake clock)
    assert re.search(r", about [23]s left$", lines[0]), lines[0]
    assert lines[-1].startswith("run 4 of 4, ") and "left" not in lines[-1]
    assert any("rr-1h/c FAILED: timed out after 1s, elapsed" in line for line in lines)


# --- a whole comparison with stand-ins -----------------------------------------------------

def test_compare_writes_every_run_then_summary_and_report(repo, capsys, monkeypatch):
    built, reports = [], []
    monkeypatch.setattr(setup, "ensure", lambda **_: None)
    monkeypatch.setattr(compare, "build", lambda repo, scheduler, settings: built.append(
        (scheduler, settings)) or scheduler)

    def fake_run_workload(repo, artifacts, request):
        request.out.mkdir(parents=True)
        (request.out / "run.json").write_text(json.dumps(
            {"scheduler": request.scheduler, "workload": request.workload, "cpus": request.cpus,
             "seed": request.seed, "repeat": request.repeat, "ok": True, "status": 0}))
        (request.out / "metrics.json").write_text(json.dumps(
            {"headline": {"switches_per_s": 10.0 * (request.seed + request.cpus)}}))
        return fake_result(request)

    monkeypatch.setattr(compare, "run_workload", fake_run_workload)

    def fake_report(repo, root):   # summary.csv only: the page itself is analysis's test
        compare.write_summary(root, compare.find_run_dirs(root))
        reports.append(root)
        return True

    monkeypatch.setattr(compare, "write_report", fake_report)
    out = repo / "results" / "now"
    status, stdout, err = run_cli(repo, capsys, "compare", "--workloads", "chat", "--repeat",
                                  "2", "--realtime", "--set", "mlfq.levels=2", "--out", str(out))
    assert status == 0, err
    assert sorted(built) == [("mlfq", {"SCHED_MLFQ_LEVELS": "2"}), ("rr", {})]
    assert sorted(p.relative_to(out).as_posix() for p in out.glob("*/*/*/run.json")) == [
        f"{s}-{n}h/chat/rep{i}/run.json" for s in ("mlfq[levels=2]", "rr") for n in (1, 4)
        for i in (0, 1)]
    progress = [line for line in stdout.splitlines() if line.startswith("run ")]
    assert len(progress) == 8 and progress[-1].startswith("run 8 of 8, ")
    assert "compare: 8 runs (2 configurations x 1 workloads x machines qemu:1,qemu:4 x 2 repeats)" \
        in stdout
    with open(out / "summary.csv") as summary:
        rows = list(csv.DictReader(summary))
    means = {row["config"]: row for row in rows if row["repeat"] == "mean"}
    assert set(means) == {"mlfq[levels=2]-1h", "mlfq[levels=2]-4h", "rr-1h", "rr-4h"}
    assert float(means["rr-4h"]["headline.switches_per_s"]) == 55.0   # seeds 1, 2 + 4 harts
    assert reports == [out.resolve()] or reports == [out]


PAGED_SPEC = json.dumps({
    "description": "paged", "pager_frames": 4,
    "threads": [{"name": "p", "address_space": "own", "paged": True, "working_set_kb": 64,
                 "phases": [{"run": {"us": 100}}]}]})


def test_engine_sim_runs_every_run_on_the_simulator_and_leaves_out_what_it_cannot(
        repo, capsys, compared):
    (repo / "workloads" / "paged.json").write_text(PAGED_SPEC)
    assert cli.main(["compare", "--engine", "sim", "--cpus", "1,16"], repo=repo) == 0
    comparison, _ = compared[-1]
    assert comparison.engine == "sim" and comparison.cpus == [1, 16]
    assert comparison.workloads == ["batch", "chat"]
    assert "compare: paged left out: the simulator does not model the pager" in \
        capsys.readouterr().err


@pytest.mark.parametrize("argv,message", [
    (["--engine", "sim", "--realtime"], "error: --realtime: the simulator has no wall clock"),
    (["--cpus", "16"], "error: --cpus: 16 harts: valid 1..8 with --engine qemu; 1..1024 with "
                       "--engine sim"),
    (["--engine", "sim", "--workloads", "paged"],
     "error: --engine sim: none of the chosen workloads can be simulated"),
])
def test_engine_sim_refusals_name_the_flag(repo, capsys, compared, argv, message):
    (repo / "workloads" / "paged.json").write_text(PAGED_SPEC)
    assert cli.main(["compare", *argv], repo=repo) == 2
    assert message in capsys.readouterr().err
    assert compared == []
