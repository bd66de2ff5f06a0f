"""Tests of `schedlab fuzz` that need no kernel: its flags, the runs it plans, and how it judges
a run (with a stand-in for QEMU): the summary line, and for a failure the reason, the seed and
the exact command that replays it.

Run: /usr/bin/python3 -m pytest tests/cli
"""
import shlex
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tools.schedlab import cli, fuzz  # noqa: E402
from tools.schedlab.build import BuildArtifacts  # noqa: E402

SUMMARY = ("FUZZ SUMMARY seed=7 harts=4 workers=8 calls=100012 emulated_ms=900 replies: "
           "NoError=10 faults: CapFault=3 checks_passed: ipc=4")


def run_cli(capsys, *argv):
    status = cli.main(list(argv), repo=REPO)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("argv,message", [
    (["fuzz"], "error: the following arguments are required: --sched"),
    (["fuzz", "--sched", "nosuch"], "error: --sched: unknown scheduler 'nosuch'; valid: "),
    (["fuzz", "--sched", "rr", "--cpus", "9"],
     "error: --cpus: invalid number of harts '9'; valid: 1..8"),
    (["fuzz", "--sched", "rr", "--cpus", "1,,4"],
     "error: --cpus: invalid number of harts '1,,4'; valid: 1..8, comma-separated"),
    (["fuzz", "--sched", "rr", "--seed", "-1"],
     "error: --seed: invalid seed '-1'; valid: an integer >= 0"),
    (["fuzz", "--sched", "rr", "--calls", "0"],
     "error: --calls: invalid call count '0'; valid: an integer >= 1"),
    (["fuzz", "--sched", "rr", "--runs", "x"],
     "error: --runs: invalid number of runs 'x'; valid: an integer >= 1"),
    (["fuzz", "--sched", "rr", "--long", "--calls", "5"],
     "error: --calls: not allowed with argument --long"),
    (["fuzz", "--sched", "rr", "--set", "check_invariants=maybe"],
     "error: --set: check_invariants=maybe: valid values are ON, OFF"),
    (["fuzz", "--sched", "rr", "--set", "quantum_us=5"],
     "error: --set: unknown parameter 'quantum_us' for scheduler rr; valid: rr.timeslice_us"),
    (["fuzz", "--sched", "rr", "--param", "a=b c"],
     "error: --param: expected key=value without spaces, got 'a=b c'"),
    (["fuzz", "--sched", "rr", "--param", "fuzz.worker=6"],
     "error: --param: unknown key 'fuzz.worker' for the fuzzer; valid: fuzz.workers, fuzz.skip, "
     "fuzz.lateness_ms, limit_ms, deadlock, trace_kb, invariants.scan_every, engine.extensions"),
])
def test_bad_fuzz_flags_name_the_flag_and_the_valid_values(capsys, argv, message):
    status, out, err = run_cli(capsys, *argv)
    assert status == 2
    assert err.startswith(message), err
    assert out == ""


def test_fuzz_has_help(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["fuzz", "--help"], repo=REPO)
    assert exit_.value.code == 0
    assert "usage: schedlab fuzz" in capsys.readouterr().out


def test_fuzz_runs_every_scheduler_hart_count_and_seed(capsys, monkeypatch, tmp_path):
    planned = []

    def fake_fuzz_all(repo, requests, verbose=False):
        planned.extend(requests)
        return [fuzz.FuzzResult(r, r.seed != 8, "", Path("console.log"), 0.0) for r in requests]

    monkeypatch.setattr(cli.fuzzing, "fuzz_all", fake_fuzz_all)
    monkeypatch.setattr(cli.setup, "ensure", lambda **_: None)
    status, _, _ = run_cli(capsys, "fuzz", "--sched", "rr,mlfq", "--cpus", "1,4", "--seed", "7",
                           "--runs", "2", "--long", "--set", "check_invariants=ON",
                           "--out", str(tmp_path))
    assert status == 1   # seed 8 "failed"
    assert [(r.scheduler, r.cpus, r.seed) for r in planned] == [
        (s, c, k) for s in ("rr", "mlfq") for c in (1, 4) for k in (7, 8)]
    assert {r.calls for r in planned} == {fuzz.LONG_CALLS}
    assert all(r.settings == {"SCHEDLAB_CHECK_INVARIANTS": "ON"} for r in planned)
    assert planned[0].out == tmp_path / "rr-1h-seed7"


def test_the_replay_command_parses_back_to_the_same_run():
    request = fuzz.FuzzRequest("affinity", 4, 123, 5000, Path("out"),
                               assignments=["check_invariants=ON"], params=["fuzz.workers=6"])
    words = shlex.split(request.replay_command())
    assert words[:2] == ["./schedlab", "fuzz"]
    args = cli.build_parser(["affinity", "rr"], []).parse_args(words[1:])
    assert (args.sched, args.cpus, args.seed, args.calls) == (["affinity"], [4], 123, 5000)
    assert args.set == ["check_invariants=ON"] and args.param == ["fuzz.workers=6"]


def test_boot_arguments_carry_seed_calls_and_a_run_limit_scaled_to_the_calls():
    args = fuzz.boot_args(fuzz.FuzzRequest("rr", 1, 9, 1000, Path("o"), params=["fuzz.x=1"]))
    assert "seed=9" in args.split() and "fuzz.calls=1000" in args.split()
    assert f"limit_ms={fuzz.BASE_LIMIT_MS + 1000 * fuzz.LIMIT_MS_PER_CALL}" in args.split()
    assert args.endswith("fuzz.x=1")
    assert "fuzz.lateness_ms" not in args


def test_a_kernel_checking_its_invariants_gets_a_looser_lateness_bound():
    checked = {"SCHEDLAB_CHECK_INVARIANTS": "ON"}
    one = fuzz.boot_args(fuzz.FuzzRequest("rr", 1, 1, 10, Path("o"), settings=checked)).split()
    four = fuzz.boot_args(fuzz.FuzzRequest("rr", 4, 1, 10, Path("o"), settings=checked)).split()
    assert "fuzz.lateness_ms=50" in one and "fuzz.lateness_ms=250" in four
    mine = fuzz.FuzzRequest("rr", 4, 1, 10, Path("o"), settings=checked,
                            params=["fuzz.lateness_ms=7"])
    assert [a for a in fuzz.boot_args(mine).split() if "lateness" in a] == ["fuzz.lateness_ms=7"]


# --- judging a run, with a stand-in for QEMU ------------------------------------------------

@pytest.fixture
def fake_build(tmp_path):
    directory = tmp_path / "build"
    (directory / "tests" / "fuzz").mkdir(parents=True)
    (directory / "tests" / "fuzz" / "fuzz.elf").write_text("")
    return BuildArtifacts(directory)


def fake_run(monkeypatch, fake_build, tmp_path, script, **request_args):
    monkeypatch.setattr(fuzz, "qemu_command", lambda *a, **k: ["sh", "-c", script])
    request = fuzz.FuzzRequest("rr", 4, 7, 100000, tmp_path / "run", **request_args)
    return fuzz.run_fuzz(fake_build, request)


def test_a_run_with_its_summary_and_status_0_passes(monkeypatch, fake_build, tmp_path):
    result = fake_run(monkeypatch, fake_build, tmp_path,
                      f"echo booting; echo '{SUMMARY}'; exit 0")
    assert result.ok and result.summary == SUMMARY
    assert "passed" in fuzz.report(result)
    assert (tmp_path / "run" / "command.txt").read_text().splitlines()[1] == \
        "./schedlab fuzz --sched rr --cpus 4 --seed 7 --calls 100000"


@pytest.mark.parametrize("script,reason", [
    ("echo 'FUZZ FAIL [unmap]: hart 2 read the page 5 more times'; exit 3",
     "FUZZ FAIL [unmap]: hart 2 read the page 5 more times"),
    ("echo; echo 'KERNEL PANIC: invariant broken: tid 5 woken while running'; exit 99",
     "KERNEL PANIC: invariant broken: tid 5 woken while running"),
    ("echo 'run limit of 220000 ms reached: the workload did not finish'; exit 96",
     "run limit of 220000 ms reached: the workload did not finish"),
    ("exit 99", "kernel panic (exit status 99)"),
    (f"echo '{SUMMARY}'; exit 5", "exit status 5"),
    ("exit 0", "exit status 0 but no FUZZ SUMMARY line"),
])
def test_a_failed_run_says_why_and_how_to_replay_it(monkeypatch, fake_build, tmp_path, script,
                                                   reason):
    result = fake_run(monkeypatch, fake_build, tmp_path, script,
                      assignments=["check_invariants=ON"])
    assert not result.ok and result.summary == reason
    text = fuzz.report(result)
    assert "FAILED" in text and "seed: 7" in text
    assert ("replay: ./schedlab fuzz --sched rr --cpus 4 --seed 7 --calls 100000 "
            "--set check_invariants=ON") in text


def test_command_txt_is_never_half_written(monkeypatch, fake_build, tmp_path):
    """Written under another name and renamed over (analysis/atomic_file.py): a write that
    fails (a full disk) leaves the earlier command.txt whole."""
    import errno
    from analysis import atomic_file
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "command.txt").write_text("the earlier command\n")
    real_open = open

    def full(path, mode="r", **kw):
        stream = real_open(path, mode, **kw)
        stream.write = lambda data: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full"))
        return stream
    monkeypatch.setattr(atomic_file, "open", full, raising=False)
    with pytest.raises(OSError):
        fake_run(monkeypatch, fake_build, tmp_path, f"echo '{SUMMARY}'; exit 0")
    assert (tmp_path / "run" / "command.txt").read_text() == "the earlier command\n"
    assert not [p.name for p in (tmp_path / "run").iterdir() if ".tmp" in p.name]


def test_a_run_that_outlives_its_timeout_is_a_hang(monkeypatch, fake_build, tmp_path):
    result = fake_run(monkeypatch, fake_build, tmp_path, "echo started; exec sleep 30",
                      timeout=0.5)
    assert not result.ok and result.summary.startswith("hang: QEMU still running after 0.5 s")


def test_the_trace_goes_nowhere_unless_kept(monkeypatch, fake_build, tmp_path):
    write = "echo data > trace.bin; ls -l trace.bin; exit 0"
    fake_run(monkeypatch, fake_build, tmp_path, write)
    assert "-> /dev/null" in (tmp_path / "run" / "console.log").read_text()
    assert not (tmp_path / "run" / "trace.bin").exists()
    fake_run(monkeypatch, fake_build, tmp_path, write, keep_trace=True)
    assert (tmp_path / "run" / "trace.bin").read_text() == "data\n"
