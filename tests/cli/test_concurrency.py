"""Commands that run at once must not break each other (issue 14), without a kernel: the build
lock, results directories that never collide, files that never half-exist, the machine's
limits named with their path, run states in the report, and compare --resume with stand-ins
for the build and the runs. The real thing (QEMU, concurrent builds, SIGINT mid-compare) is
tests/qemu/test_parallel_safety.py.

Run: /usr/bin/python3 -m pytest tests/cli/test_concurrency.py
"""
import csv
import errno
import fcntl
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from analysis import atomic_file, results, summary  # noqa: E402
from tools.schedlab import SchedlabError, children, cli, compare, run, setup  # noqa: E402
from tools.schedlab.compare import PLAN_NAME  # noqa: E402
from tools.schedlab.qemu import QemuOutcome, run_qemu  # noqa: E402
from tools.schedlab.results_dirs import claim_out, write_file  # noqa: E402
from tools.schedlab.run import RunRequest, RunResult  # noqa: E402

RR_CONFIG = """\
# rr: round robin
set(SCHED_POLICY rr CACHE STRING "")
set(SCHED_TIMESLICE_US 10000 CACHE STRING "timeslice in microseconds")
schedlab_check_range(SCHED_TIMESLICE_US 100 1000000)
"""
SPEC = json.dumps({"description": "w", "threads": [{"name": "t", "phases": [{"run": {"us": 1}}]}]})
WAIT = 60   # seconds: far above what any step here needs, only a hung step reaches it


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "rr.cmake").write_text(RR_CONFIG)
    (tmp_path / "workloads").mkdir()
    for name in ("a", "b", "c"):
        (tmp_path / "workloads" / f"{name}.json").write_text(SPEC)
    return tmp_path


@pytest.fixture
def no_setup(monkeypatch):
    monkeypatch.setattr(setup, "ensure", lambda **_: None)


def run_cli(repo, capsys, *argv):
    status = cli.main(list(argv), repo=repo)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def wait_for(condition, what):
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"waited {WAIT}s for {what}"
        time.sleep(0.02)


# --- files that never half-exist -----------------------------------------------------------

def full_disk_after(limit):
    """An open() for atomic_file whose files take `limit` bytes, then fail as a full disk."""
    real_open = open

    class Filling:
        def __init__(self, stream):
            self.stream, self.written = stream, 0

        def write(self, data):
            self.written += len(data)
            if self.written > limit:
                raise OSError(errno.ENOSPC, "No space left on device", self.stream.name)
            return self.stream.write(data)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.stream.close()

    return lambda path, mode="r", **kw: Filling(real_open(path, mode, **kw))


def test_a_full_disk_names_the_file_and_leaves_the_earlier_version(tmp_path, monkeypatch):
    path = tmp_path / "run.json"
    write_file(path, "the earlier version\n")
    monkeypatch.setattr(atomic_file, "open", full_disk_after(4), raising=False)
    with pytest.raises(SchedlabError) as error:
        write_file(path, "a new version, longer than the disk has room for\n")
    assert str(error.value) == f"cannot write {path}: no space left on the device"
    assert path.read_text() == "the earlier version\n"
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]   # no temporary file left


def test_summary_csv_on_a_full_disk_keeps_the_earlier_one(tmp_path, monkeypatch):
    run_dir = tmp_path / "rr-1h" / "a"
    run_dir.mkdir(parents=True)
    (run_dir / "run.json").write_text(json.dumps({"scheduler": "rr", "workload": "a", "cpus": 1,
                                                  "state": "ok", "ok": True}))
    (run_dir / "metrics.json").write_text(json.dumps({"headline": {"switches_per_s": 1.0}}))
    summary.write_summary(tmp_path, [run_dir])
    before = (tmp_path / "summary.csv").read_text()
    monkeypatch.setattr(atomic_file, "open", full_disk_after(10), raising=False)
    with pytest.raises(OSError) as error:
        summary.write_summary(tmp_path, [run_dir])
    assert error.value.errno == errno.ENOSPC
    assert error.value.filename == str(tmp_path / "summary.csv")
    assert (tmp_path / "summary.csv").read_text() == before


def test_a_reader_sees_the_old_file_or_the_new_one_never_a_part(tmp_path):
    path = tmp_path / "metrics.json"
    old, new = "o" * 200000, "n" * 200000
    atomic_file.write_atomically(path, old)
    with atomic_file.atomic_output(path) as stream:
        stream.write(new[:100000])
        assert path.read_text() == old        # half written: not visible
        stream.write(new[100000:])
    assert path.read_text() == new


# --- results directories -------------------------------------------------------------------

def test_directories_made_at_once_by_many_processes_are_all_different(tmp_path):
    script = (f"import sys; sys.path.insert(0, {str(REPO)!r}); from pathlib import Path; "
              "from tools.schedlab.results_dirs import new_directory; "
              f"print(new_directory(Path({str(tmp_path)!r}), '20261201-120000'))")
    makers = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
              for _ in range(8)]
    made = [maker.communicate(timeout=WAIT)[0].strip() for maker in makers]
    assert all(maker.returncode == 0 for maker in makers)
    assert sorted(Path(p).name for p in made) == sorted(
        ["20261201-120000"] + [f"20261201-120000-{i}" for i in range(2, 9)])


def test_two_runs_started_in_the_same_second_get_different_directories(repo, capsys, no_setup,
                                                                       monkeypatch):
    outs = []
    monkeypatch.setattr(run, "timestamp", lambda: "20261201-120000")
    monkeypatch.setattr(cli, "build", lambda *args, **kwargs: None)
    monkeypatch.setattr(cli, "run_workload", lambda repo, artifacts, request: outs.append(
        request.out) or RunResult(request, True, "ok", 0.0))
    for _ in range(2):
        status, _, err = run_cli(repo, capsys, "run", "--sched", "rr", "--workload", "a")
        assert status == 0, err
    assert outs == [repo / "results" / "20261201-120000" / "rr" / "a",
                    repo / "results" / "20261201-120000-2" / "rr" / "a"]


def test_two_compares_started_in_the_same_second_get_different_directories(repo, capsys,
                                                                           no_setup, monkeypatch):
    outs = []
    monkeypatch.setattr(run, "timestamp", lambda: "20261201-120000")
    monkeypatch.setattr(cli, "run_suite", lambda repo, comparison, out, **_: outs.append(out) or True)
    for _ in range(2):
        assert run_cli(repo, capsys, "compare")[0] == 0
    assert [out.name for out in outs] == ["20261201-120000", "20261201-120000-2"]


@pytest.mark.parametrize("command", [["run", "--sched", "rr", "--workload", "a"], ["compare"]])
def test_an_out_directory_holding_results_is_refused_without_force(repo, capsys, no_setup,
                                                                   monkeypatch, command):
    monkeypatch.setattr(cli, "build", lambda *args, **kwargs: None)
    monkeypatch.setattr(cli, "run_workload", lambda repo, artifacts, request: RunResult(
        request, True, "ok", 0.0))
    monkeypatch.setattr(cli, "run_suite", lambda repo, comparison, out, **_: True)
    out = repo / "earlier"
    out.mkdir()
    (out / "run.json").write_text("{}")
    status, _, err = run_cli(repo, capsys, *command, "--out", str(out))
    assert status == 1
    assert err == (f"error: --out {out}: already holds results; choose another directory, or "
                   "add --force to write over them\n")
    assert (out / "run.json").read_text() == "{}"
    assert run_cli(repo, capsys, *command, "--out", str(out), "--force")[0] == 0
    assert run_cli(repo, capsys, *command, "--out", str(repo / "empty-is-fine"))[0] == 0


def test_a_results_directory_that_cannot_be_made_names_the_path(repo, capsys, no_setup,
                                                               monkeypatch):
    """As a read-only results/ does (root ignores file modes, so the refusal is injected)."""
    real_mkdir = Path.mkdir

    def read_only_results(path, *args, **kwargs):
        if Path(path).is_relative_to(repo / "results") and path != repo / "results":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only_results)
    monkeypatch.setattr(cli, "build", lambda *args, **kwargs: None)
    status, out, err = run_cli(repo, capsys, "run", "--sched", "rr", "--workload", "a")
    assert status == 1 and "Traceback" not in err
    assert err.startswith(f"error: cannot create the results directory {repo / 'results'}/")
    assert err.endswith(": permission denied\n")


def test_claim_out_refuses_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(SchedlabError, match="exists and is not a directory"):
        claim_out(tmp_path / "f", force=True)


# --- QEMU that cannot start ----------------------------------------------------------------

def test_a_qemu_that_is_not_there_names_the_command(tmp_path):
    with pytest.raises(SchedlabError) as error:
        run_qemu([str(tmp_path / "no-qemu")], tmp_path, tmp_path / "console.log", timeout=WAIT)
    assert str(error.value) == f"QEMU cannot start: {tmp_path / 'no-qemu'}: no such program"


def test_a_qemu_that_refuses_to_start_is_reported_as_such(tmp_path):
    console = tmp_path / "console.log"
    complaint = "qemu-system-riscv64: Unable to load the RISC-V firmware \"/x/fw_jump.elf\""
    outcome = run_qemu(["sh", "-c", f"echo '{complaint}' >&2; exit 1"], tmp_path, console,
                       timeout=WAIT)
    request = RunRequest("rr", "a", tmp_path)
    assert run._describe_failure(request, outcome, console) == (
        f"QEMU could not run: {complaint}; console: {console}")
    assert run._describe_failure(request, QemuOutcome(3, False, 0.1), tmp_path / "none") == (
        f"workload exited with status 3; console: {tmp_path / 'none'}")


# --- stopping every child at once ----------------------------------------------------------

def alive(pid):
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


def test_stop_all_stops_each_child_with_its_own_children(tmp_path):
    children.reset()
    try:
        process = children.start(["sh", "-c", "sleep 60 & echo $! >grandchild; exec sleep 60"],
                                 cwd=tmp_path)
        wait_for(lambda: (tmp_path / "grandchild").is_file() and
                 (tmp_path / "grandchild").read_text().strip(), "the child to start")
        grandchild = int((tmp_path / "grandchild").read_text())
        children.stop_all()
        assert process.wait(timeout=WAIT) == -15
        wait_for(lambda: not alive(grandchild), "the grandchild to go")
        with pytest.raises(children.Interrupted):   # nothing starts once stopping
            children.start(["true"])
    finally:
        children.forget(process)
        children.reset()


def test_stop_all_kills_a_child_that_ignores_sigterm(tmp_path, monkeypatch):
    children.reset()
    monkeypatch.setattr(children, "TERM_GRACE_SECONDS", 0.3)
    try:
        process = children.start(["sh", "-c", "trap '' TERM; echo ready >ready; "
                                  "while :; do sleep 1; done"], cwd=tmp_path)
        wait_for(lambda: (tmp_path / "ready").is_file(), "the child to start")
        children.stop_all()
        assert process.wait(timeout=WAIT) == -9
    finally:
        children.forget(process)
        children.reset()


# --- the build lock ------------------------------------------------------------------------

def lock_holder(directory, what, then=""):
    script = (f"import sys; sys.path.insert(0, {str(REPO)!r}); "
              "from tools.schedlab.build import build_lock; "
              f"lock = build_lock({str(directory)!r}, {what!r}); lock.__enter__(); "
              "print('holding', flush=True); " + then)
    return subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)


def test_a_build_in_progress_makes_the_others_wait_and_say_so(tmp_path):
    first = lock_holder(tmp_path / "rr", "rr", "sys.stdin.readline()")
    assert first.stdout.readline() == "holding\n"
    second = lock_holder(tmp_path / "rr", "rr")
    other = lock_holder(tmp_path / "mlfq", "mlfq")    # another directory: no wait
    assert other.communicate(timeout=WAIT)[0] == "holding\n"
    assert second.stdout.readline() == (f"waiting for the build of rr in {tmp_path / 'rr'} "
                                        "(another command is building it)\n")
    time.sleep(0.2)
    assert second.poll() is None, "it went on while the build was in progress"
    first.communicate("done\n", timeout=WAIT)
    assert second.communicate(timeout=WAIT)[0] == "holding\n"


def test_a_build_lock_dies_with_its_holder(tmp_path):
    first = lock_holder(tmp_path / "rr", "rr", "sys.stdin.readline()")
    assert first.stdout.readline() == "holding\n"
    first.kill()
    first.wait()
    assert lock_holder(tmp_path / "rr", "rr").communicate(timeout=WAIT)[0] == "holding\n"


def lock_is_held(directory):
    from tools.schedlab.build import LOCK_NAME
    descriptor = os.open(Path(directory) / LOCK_NAME, os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)   # another description: conflicts
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)


def test_every_build_goes_through_the_lock(tmp_path, monkeypatch):
    """build() and the simulator's build_sim() both run CMake under the directory's lock, in
    the build root SCHEDLAB_BUILD_ROOT names."""
    from tools.schedlab import build, sim
    ran = []

    def fake_run(command, log, verbose):
        directory = command[command.index("-B") + 1] if "-B" in command else command[-1]
        ran.append((command[:2], Path(directory).name, lock_is_held(directory)))
        return 0

    monkeypatch.setenv("SCHEDLAB_BUILD_ROOT", str(tmp_path / "tree"))
    monkeypatch.setattr(build, "_run_logged", fake_run)
    (tmp_path / "tree" / "rr" / "kernel").mkdir(parents=True)
    (tmp_path / "tree" / "rr" / "kernel" / "kernel.elf").write_text("")
    assert build.build(REPO, "rr", {}).directory == tmp_path / "tree" / "rr"
    assert sim.build_sim(REPO, "rr", {}) == tmp_path / "tree" / "sim-rr"
    assert ran == [(["cmake", "-S"], "rr", True), (["cmake", "--build"], "rr", True),
                   (["cmake", "-S"], "sim-rr", True), (["cmake", "--build"], "sim-rr", True)]
    assert not lock_is_held(tmp_path / "tree" / "rr")


# --- run states and the report -------------------------------------------------------------

def make_run(root, workload, state, metrics=True):
    run_dir = root / "rr-1h" / workload
    run_dir.mkdir(parents=True)
    record = {"scheduler": "rr", "workload": workload, "cpus": 1, "status": 0,
              "ok": state in ("ok", None)}
    if state:
        record["state"] = state
    (run_dir / "run.json").write_text(json.dumps(record))
    if metrics:
        (run_dir / "metrics.json").write_text(json.dumps({"headline": {"switches_per_s": 5.0}}))
    return run_dir


def test_only_a_run_in_state_ok_has_figures(tmp_path):
    dirs = [make_run(tmp_path, "a", "ok"), make_run(tmp_path, "b", "interrupted"),
            make_run(tmp_path, "c", "running"), make_run(tmp_path, "d", None)]
    runs = [results.load_run(d) for d in dirs]
    assert [(r.state, r.ok, bool(r.metrics)) for r in runs] == [
        ("ok", True, True), ("interrupted", False, False), ("running", False, False),
        ("ok", True, True)]   # d: a run from before run.json had a state
    summary.write_summary(tmp_path, dirs)
    with open(tmp_path / "summary.csv") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["workload"], r["state"], r["headline.switches_per_s"], r["directory"])
            for r in rows] == [("a", "ok", "5.0", "rr-1h/a"), ("b", "interrupted", "", "rr-1h/b"),
                               ("c", "running", "", "rr-1h/c"), ("d", "ok", "5.0", "rr-1h/d")]


def test_the_report_lists_unfinished_runs_as_such(tmp_path):
    from analysis import report
    dirs = [make_run(tmp_path, "a", "ok"), make_run(tmp_path, "b", "interrupted"),
            make_run(tmp_path, "c", "running", metrics=False), make_run(tmp_path, "e", "failed")]
    runs = [results.load_run(d) for d in dirs]
    assert [report._outcome(r).split(" (")[0] for r in runs] == [
        "ok", "INTERRUPTED", "INCOMPLETE", "FAILED"]
    warning = report._unfinished_warning(runs)
    assert "3 of 4 run(s) have no result" in warning
    assert "rr-1h/b interrupted, rr-1h/c running, rr-1h/e failed" in warning
    assert report._unfinished_warning(runs[:1]) == ""


# --- compare --resume, with stand-ins ------------------------------------------------------

@pytest.fixture
def stand_ins(monkeypatch, no_setup):
    """compare with stand-ins for the build and the runs: each run records itself, and runs
    named in `interrupt` end as an interrupted run does (run.json state, no result)."""
    ran, interrupt = [], set()
    monkeypatch.setattr(compare, "build", lambda repo, scheduler, settings: scheduler)

    def fake_run_workload(repo, artifacts, request):
        ran.append(request.workload)
        request.out.mkdir(parents=True, exist_ok=True)
        state = "interrupted" if request.workload in interrupt else "ok"
        (request.out / "run.json").write_text(json.dumps(
            {"scheduler": request.scheduler, "workload": request.workload, "cpus": request.cpus,
             "seed": request.seed, "state": state, "ok": state == "ok", "status": 0}))
        if state == "ok":
            (request.out / "metrics.json").write_text(json.dumps(
                {"headline": {"switches_per_s": 10.0 * request.seed}}))
        return RunResult(request, state == "ok", state, 0.0, state)

    monkeypatch.setattr(compare, "run_workload", fake_run_workload)
    monkeypatch.setattr(compare, "write_report", lambda repo, root: compare.write_summary(
        root, compare.find_run_dirs(root)) or True)
    return ran, interrupt


def test_resume_runs_only_what_has_no_result_then_reports(repo, capsys, stand_ins):
    ran, interrupt = stand_ins
    out = repo / "cmp"
    interrupt.update({"b", "c"})
    status, stdout, _ = run_cli(repo, capsys, "compare", "--cpus", "1", "--seed", "3",
                                "--out", str(out))
    assert status == 1 and sorted(ran) == ["a", "b", "c"]
    # the failures again at the end, each with its message
    tail = stdout.splitlines()[-3:]
    assert tail[0] == "compare: 2 of 3 runs failed:"
    assert sorted(tail[1:]) == ["  rr-1h/b: interrupted", "  rr-1h/c: interrupted"]
    plan = json.loads((out / PLAN_NAME).read_text())
    assert plan["comparison"]["seed"] == 3 and plan["comparison"]["cpus"] == [1]
    ran.clear()
    interrupt.clear()
    status, stdout, err = run_cli(repo, capsys, "compare", "--resume", str(out))
    assert status == 0, err
    assert sorted(ran) == ["b", "c"]
    assert "compare: 2 runs, 1 kept from before (1 configurations x 3 workloads x " in stdout
    with open(out / "summary.csv") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["workload"], r["state"], r["seed"], r["headline.switches_per_s"]) for r in rows] \
        == [("a", "ok", "3", "30.0"), ("b", "ok", "3", "30.0"), ("c", "ok", "3", "30.0")]
    ran.clear()
    assert run_cli(repo, capsys, "compare", "--resume", str(out))[0] == 0 and ran == []


@pytest.mark.parametrize("flags,bench", [([], True), (["--no-bench"], False)])
def test_resume_remembers_no_bench(repo, capsys, stand_ins, monkeypatch, flags, bench):
    ran, interrupt = stand_ins
    benched = []
    monkeypatch.setattr(compare, "_bench", lambda *args: benched.append(True) or True)
    out = repo / "cmp"
    interrupt.add("b")
    assert run_cli(repo, capsys, "compare", "--cpus", "1", "--out", str(out), *flags)[0] == 1
    assert json.loads((out / PLAN_NAME).read_text())["bench"] is bench
    assert benched == [True] * bench
    benched.clear()
    interrupt.clear()
    assert run_cli(repo, capsys, "compare", "--resume", str(out))[0] == 0
    assert benched == [True] * bench      # no bench.json yet: a bench run is still due


def test_resume_refuses_what_is_not_a_compare_directory(repo, capsys, stand_ins):
    status, _, err = run_cli(repo, capsys, "compare", "--resume", str(repo / "none"))
    assert (status, err) == (1, f"error: --resume {repo / 'none'}: no such directory\n")
    status, _, err = run_cli(repo, capsys, "compare", "--resume", str(repo / "configs"))
    assert status == 1
    assert err == (f"error: --resume {repo / 'configs'}: not a compare directory (it has no "
                   f"{PLAN_NAME}, which every compare writes before its first run)\n")
    (repo / "configs" / PLAN_NAME).write_text("{\"schedlab_compare_plan\": 1}")
    status, _, err = run_cli(repo, capsys, "compare", "--resume", str(repo / "configs"))
    assert status == 1 and "is not a readable compare plan" in err


def test_resume_takes_no_flag_that_would_change_the_plan(repo, capsys, stand_ins):
    (repo / "cmp").mkdir()
    status, _, err = run_cli(repo, capsys, "compare", "--resume", str(repo / "cmp"),
                             "--scheds", "rr")
    assert status == 2
    assert err.startswith("error: --resume: --scheds cannot be given with it")


def test_an_interrupted_compare_stops_its_runs_and_says_how_to_go_on(repo, capsys, stand_ins,
                                                                     monkeypatch):
    """The main thread is interrupted while runs are going: every child is stopped (a stand-in
    records the call), the pool is left, the message names --resume, the status is 130."""
    ran, _ = stand_ins
    stopped = []
    monkeypatch.setattr(children, "stop_all", lambda: stopped.append(True))

    def interrupted_in_parallel(requests, run, parallel, report=print):
        run(requests[0])
        raise children.Interrupted(2)

    real = compare.run_in_parallel
    monkeypatch.setattr(compare, "run_in_parallel", interrupted_in_parallel)
    out = repo / "cmp"
    status, _, err = run_cli(repo, capsys, "compare", "--cpus", "1", "--out", str(out))
    assert status == 130 and stopped
    assert (f"compare interrupted (SIGINT): 1 of 3 runs have a result, kept in {out}; the "
            f"unfinished ones are marked interrupted. Continue with:\n  ./schedlab compare "
            f"--resume {out}\n") in err
    monkeypatch.setattr(compare, "run_in_parallel", real)
    ran.clear()
    assert run_cli(repo, capsys, "compare", "--resume", str(out))[0] == 0
    assert sorted(ran) == ["b", "c"]


def test_a_second_compare_in_a_directory_in_use_is_refused(repo, capsys, stand_ins):
    ran, interrupt = stand_ins
    out = repo / "cmp"
    interrupt.add("b")
    assert run_cli(repo, capsys, "compare", "--cpus", "1", "--out", str(out))[0] == 1
    script = (f"import sys; sys.path.insert(0, {str(REPO)!r}); "
              "from tools.schedlab.file_lock import file_lock; "
              f"lock = file_lock({str(out / compare.LOCK_NAME)!r}, None); lock.__enter__(); "
              "print('holding', flush=True); sys.stdin.readline()")
    holder = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "holding\n"
        ran.clear()
        status, _, err = run_cli(repo, capsys, "compare", "--resume", str(out))
        assert status == 1 and ran == []
        assert err == (f"error: {out}: another compare is running in it (it holds "
                       f"{out / compare.LOCK_NAME}); wait for it, or choose another directory\n")
    finally:
        holder.communicate("done\n", timeout=WAIT)
    interrupt.clear()
    assert run_cli(repo, capsys, "compare", "--resume", str(out))[0] == 0 and ran == ["b"]


def test_a_results_directory_without_write_permission_is_named():
    """For real: results/ is read-only to the user running schedlab (as root, the command runs
    as nobody: root ignores file modes)."""
    import shutil
    import tempfile
    tree = Path(tempfile.mkdtemp(prefix="schedlab-readonly-"))   # reachable by nobody
    try:
        tree.chmod(0o755)
        for part in ("configs", "workloads"):
            (tree / part).mkdir()
        shutil.copy(REPO / "configs" / "rr.cmake", tree / "configs")
        shutil.copy(REPO / "workloads" / "interactive.json", tree / "workloads")
        # the code too: the checkout itself may be out of nobody's reach (a clone in a 0700
        # temporary directory, as CI's)
        for package in ("tools", "analysis"):
            shutil.copytree(REPO / package, tree / package,
                            ignore=shutil.ignore_patterns("__pycache__"))
        (tree / "results").mkdir()
        (tree / "results").chmod(0o555)
        as_user = (["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"]
                   if os.geteuid() == 0 else [])
        script = (f"import sys; sys.path.insert(0, {str(tree)!r}); from tools.schedlab import cli; "
                  f"sys.exit(cli.main(sys.argv[1:], repo={str(tree)!r}))")
        for argv in (["run", "--sched", "rr", "--workload", "interactive"], ["compare"]):
            done = subprocess.run([*as_user, sys.executable, "-c", script, *argv], cwd=tree,
                                  capture_output=True, text=True, timeout=WAIT,
                                  env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
            assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
            assert done.stderr.startswith("error: cannot create the results directory results/")
            assert done.stderr.endswith(": permission denied\n")
        assert list((tree / "results").iterdir()) == []
    finally:
        (tree / "results").chmod(0o755)
        shutil.rmtree(tree)


def test_plot_leaves_out_unfinished_runs_and_mends_a_failed_analysis(tmp_path, capsys,
                                                                     monkeypatch):
    finished = make_run(tmp_path, "a", "ok")
    cut = make_run(tmp_path, "b", "interrupted", metrics=False)
    analysis_failed = make_run(tmp_path, "c", "failed", metrics=False)
    timed_out = make_run(tmp_path, "d", "failed", metrics=False)
    record = json.loads((timed_out / "run.json").read_text())
    (timed_out / "run.json").write_text(json.dumps(dict(record, timed_out=True)))
    for run_dir in (finished, cut, analysis_failed, timed_out):
        (run_dir / "trace.bin").write_bytes(b"trace")
    analysed = []
    monkeypatch.setattr(compare, "analyse", lambda repo, run_dir, scheduler: analysed.append(
        run_dir.name))
    monkeypatch.setattr(compare, "write_report", lambda repo, root: True)
    assert compare.replot(REPO, tmp_path)
    assert analysed == ["a", "c", "d"]
    assert f"plot: {cut} left out: the run did not finish (state interrupted)" in \
        capsys.readouterr().out
    assert {d.name: results.load_run(d).run["state"] for d in
            (finished, cut, analysis_failed, timed_out)} == {
        "a": "ok", "b": "interrupted", "c": "ok", "d": "failed"}
