"""SchedLab commands run at once and interrupted (issue 14), for real: eight runs of one
configuration nobody has built yet, started together, all succeed with identical traces; a
compare interrupted half-way leaves no QEMU behind and a directory `compare --resume` finishes
into the same summary.csv as a compare nobody interrupted.

No wait here depends on the host's speed: each waits for an event (a run.json saying ok, a
process ending) with a bound far above the need.

Run: /usr/bin/python3 -m pytest tests/qemu/test_parallel_safety.py
"""
import csv
import hashlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

from tools.schedlab import REPO_ROOT

SCHEDLAB = str(REPO_ROOT / "schedlab")
BOUND = 1800   # seconds: a whole step on a loaded 2-core host takes a fraction of this
# Runs in the order given: the short interactive finishes first, while cpu-bound, 25 times
# its instructions, is still in QEMU; ipc-server is left to start or not.
COMPARE = ["compare", "--scheds", "rr", "--workloads", "interactive,cpu-bound,ipc-server",
           "--cpus", "1", "--set", "cpu-bound.work_us=1000000"]
SIM_COMPARE = ["compare", "--engine", "sim", "--scheds", "rr", "--cpus", "1",
               "--workloads", "interactive,ipc-server,pipeline,mixed"]


def schedlab(*argv, env=None):
    return subprocess.run([SCHEDLAB, *argv], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=BOUND)


def being_killed(status):
    """A process with SIGKILL pending (from /proc/PID/status) is gone once it is next
    scheduled: only the host's scheduler decides when."""
    pending = {line.split(":")[0]: int(line.split()[1], 16) for line in status.splitlines()
               if line.startswith(("SigPnd:", "ShdPnd:"))}
    return any(mask & (1 << (signal.SIGKILL - 1)) for mask in pending.values())


def processes_working_in(directory):
    """(pid, program) of the live processes working on `directory`: working in it (QEMU works
    in its run's directory, where semihosting writes trace.bin) or naming it in their command
    line (the simulator, the analysis). A process whose exit has begun is not one: CI once saw a
    killed compiler with its address space gone and its cwd not yet released."""
    directory = Path(directory).resolve()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = Path(os.readlink(entry / "cwd"))
            command = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
            if being_killed((entry / "status").read_text()):
                continue
        except OSError:
            continue   # gone, or a zombie
        if command == [""]:
            continue   # no address space: it is exiting (do_exit released it) and runs no code
        if cwd == directory or directory in cwd.parents or \
                any(str(directory) in argument for argument in command):
            found.append((int(entry.name), command[0]))
    return found


def states(root):
    """{run directory relative to root: run.json's state}"""
    return {path.parent.relative_to(root).as_posix(): json.loads(path.read_text()).get("state")
            for path in Path(root).rglob("run.json")}


def wait_for_a_finished_run(root, process):
    deadline = time.monotonic() + BOUND
    while "ok" not in states(root).values():
        assert process.poll() is None, "the compare ended before any run finished"
        assert time.monotonic() < deadline, f"no run finished in {BOUND}s"
        time.sleep(0.02)


def summary_rows(root):
    """summary.csv's rows, whole: no column depends on the host's speed (wall time is in
    run.json only)."""
    with open(Path(root) / "summary.csv") as stream:
        return list(csv.DictReader(stream))


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_eight_runs_of_an_unbuilt_configuration_started_at_once_all_succeed(tmp_path):
    env = dict(os.environ, SCHEDLAB_BUILD_ROOT=str(tmp_path / "build"))   # nothing built yet
    runs = [subprocess.Popen([SCHEDLAB, "run", "--sched", "tstune", "--workload", "pager",
                              "--cpus", "4", "--out", str(tmp_path / f"run{i}")],
                             cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True) for i in range(8)]
    outputs = [run.communicate(timeout=BOUND)[0] for run in runs]
    for run, output in zip(runs, outputs):
        assert run.returncode == 0, output
    traces = {digest(tmp_path / f"run{i}" / "trace.bin") for i in range(8)}
    assert len(traces) == 1, "the same build, workload and seed gave different traces"
    assert len({digest(tmp_path / f"run{i}" / "metrics.json") for i in range(8)}) == 1
    waited = sum("waiting for the build of tstune" in output for output in outputs)
    print(f"{waited} of 8 waited for another's build")


def interrupt_a_compare(tmp_path, argv, signum, when_a_run_finished=lambda cut: None):
    """A reference compare nobody interrupts, then the same compare sent `signum` once its
    first run has a result. -> (reference dir, interrupted dir, the second compare's
    (status, stdout, stderr), what when_a_run_finished(dir) returned just before the signal)."""
    reference, cut = tmp_path / "reference", tmp_path / "interrupted"
    done = schedlab(*argv, "--out", str(reference))
    assert done.returncode == 0, done.stdout + done.stderr
    compare = subprocess.Popen([SCHEDLAB, *argv, "--out", str(cut)], cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_a_finished_run(cut, compare)
    seen = when_a_run_finished(cut)
    compare.send_signal(signum)
    stdout, stderr = compare.communicate(timeout=BOUND)
    assert processes_working_in(cut) == [], "a child of the compare outlived it"
    return reference, cut, (compare.returncode, stdout, stderr), seen


def resume_path_printed(stderr):
    """The directory in compare's "Continue with: ./schedlab compare --resume DIR" (relative to
    the repository, where the tests run schedlab, when it is below it)."""
    marker = "Continue with:\n  ./schedlab compare --resume "
    assert marker in stderr, stderr
    printed = stderr.split(marker, 1)[1].splitlines()[0]
    return (Path(REPO_ROOT) / printed).resolve()


def resume_gives_the_uninterrupted_summary(reference, cut):
    resumed = schedlab("compare", "--resume", str(cut))
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "kept from before" in resumed.stdout
    assert set(states(cut).values()) == {"ok"}
    assert summary_rows(cut) == summary_rows(reference)
    assert processes_working_in(cut) == []


def test_sigint_mid_compare_stops_every_qemu_and_resume_finishes_it(tmp_path):
    reference, cut, (status, stdout, stderr), running = interrupt_a_compare(
        tmp_path, COMPARE, signal.SIGINT,
        lambda cut: [pid for pid, program in processes_working_in(cut) if "qemu" in program])
    assert running, "cpu-bound's QEMU should be running when interactive has finished"
    assert status == 130, stdout + stderr
    assert all(not Path(f"/proc/{pid}").exists() or
               "State:\tZ" in Path(f"/proc/{pid}/status").read_text() for pid in running)
    assert resume_path_printed(stderr) == cut.resolve()
    assert states(cut)["rr-1h/interactive"] == "ok"
    assert states(cut)["rr-1h/cpu-bound"] == "interrupted"
    assert not (cut / "rr-1h" / "cpu-bound" / "metrics.json").exists()
    resume_gives_the_uninterrupted_summary(reference, cut)


def test_sigterm_mid_compare_on_the_simulator_is_resumable(tmp_path):
    """The tooling alone, fast: SIGTERM stops the analysis children too, exit status 143."""
    reference, cut, (status, stdout, stderr), _ = interrupt_a_compare(
        tmp_path, SIM_COMPARE, signal.SIGTERM)
    assert status == 143, stdout + stderr
    assert "compare interrupted (SIGTERM)" in stderr
    assert list(states(cut).values()).count("ok") < 4
    resume_gives_the_uninterrupted_summary(reference, cut)


def test_a_run_stopped_by_sigterm_is_marked_interrupted_and_leaves_no_qemu(tmp_path):
    out = tmp_path / "run"
    run = subprocess.Popen([SCHEDLAB, "run", "--sched", "rr", "--workload", "cpu-bound", "--set",
                            "cpu-bound.work_us=1000000", "--out", str(out)], cwd=REPO_ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + BOUND
    while not any("qemu" in program for _, program in processes_working_in(out)):
        assert run.poll() is None, "the run ended before its QEMU was seen"
        assert time.monotonic() < deadline, f"no QEMU in {BOUND}s"
        time.sleep(0.02)
    assert json.loads((out / "run.json").read_text())["state"] == "running"
    run.send_signal(signal.SIGTERM)
    stdout, stderr = run.communicate(timeout=BOUND)
    assert run.returncode == 143, stdout + stderr
    assert processes_working_in(out) == []
    assert states(out) == {".": "interrupted"}
    record = json.loads((out / "run.json").read_text())
    assert (record["state"], record["ok"]) == ("interrupted", False)


def test_an_interrupted_build_leaves_no_compiler_behind(tmp_path):
    """Ninja and its compilers stop with the command: none may write into the build directory
    once its lock is released."""
    env = dict(os.environ, SCHEDLAB_BUILD_ROOT=str(tmp_path / "build"))
    build = subprocess.Popen([SCHEDLAB, "build", "--sched", "rr"], cwd=REPO_ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    log = tmp_path / "build" / "rr" / "build.log"
    deadline = time.monotonic() + BOUND
    while not (log.is_file() and "$ cmake --build" in log.read_text() and
               any("riscv64-unknown-elf" in program
                   for _, program in processes_working_in(tmp_path / "build"))):
        assert build.poll() is None, "the build ended before Ninja ran a compiler"
        assert time.monotonic() < deadline, f"no compiler started in {BOUND}s"
        time.sleep(0.02)
    build.send_signal(signal.SIGTERM)
    stdout, stderr = build.communicate(timeout=BOUND)
    assert build.returncode == 143, stdout + stderr
    assert processes_working_in(tmp_path / "build") == []
