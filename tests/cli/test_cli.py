"""Tests of the schedlab command line that need no kernel: flag checks, config discovery,
the QEMU and CMake command lines, QEMU supervision (with stand-in processes), reports, and
setup's detection of missing packages.

Run: /usr/bin/python3 -m pytest tests/cli
"""
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tools.schedlab import SchedlabError, UsageError, cli, setup  # noqa: E402
from tools.schedlab.build import build_directory, configure_command  # noqa: E402
from tools.schedlab.compare import write_summary  # noqa: E402
from tools.schedlab.configs import (cmake_variable, discover_schedulers,  # noqa: E402
                                    discover_workloads, resolve_settings)
from tools.schedlab import qemu  # noqa: E402
from tools.schedlab.qemu import boot_arguments, qemu_command, run_qemu  # noqa: E402
from tools.schedlab.test import host_test_commands  # noqa: E402

RR_CONFIG = """\
# Round robin: seL4's baseline, fixed timeslice
set(SCHED_POLICY rr CACHE STRING "")
set(SCHED_TIMESLICE_US 5000 CACHE STRING "timeslice in microseconds [100..1000000] (seL4: 10 ms)")
schedlab_check_range(SCHED_TIMESLICE_US 100 1000000)
# set(SCHED_COMMENTED_OUT 1 CACHE STRING "")
set(SCHED_NAME "two words" CACHE STRING "a quoted default")
"""


MLFQ_CONFIG = """\
# mlfq: feedback levels
set(SCHED_POLICY mlfq CACHE STRING "")
set(SCHED_TIMESLICE_US 2000 CACHE STRING "top-level allotment, microseconds")
set(SCHED_MLFQ_LEVELS 3 CACHE STRING "feedback levels [1..8]")
schedlab_check_range(SCHED_TIMESLICE_US 100 1000000)
schedlab_check_range( SCHED_MLFQ_LEVELS 1 8 )
"""


@pytest.fixture
def repo(tmp_path):
    """A tree with one scheduler and the kinds of directory workload discovery must tell apart."""
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "rr.cmake").write_text(RR_CONFIG)
    (tmp_path / "configs" / "mlfq.cmake").write_text(MLFQ_CONFIG)
    (tmp_path / "workloads" / "mixed").mkdir(parents=True)
    (tmp_path / "workloads" / "mixed" / "README").write_text("Interactive + batch\nmore\n")
    (tmp_path / "workloads" / "bare").mkdir()
    (tmp_path / "workloads" / "bare" / "main.c").write_text("int main(void) { return 0; }\n")
    (tmp_path / "workloads" / "notes").mkdir()   # neither README nor *.c: not a workload
    return tmp_path


def run_cli(repo, capsys, *argv):
    status = cli.main(list(argv), repo=repo)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# --- discovery -----------------------------------------------------------------------------

def test_scheduler_description_and_parameters_come_from_the_config_file(repo):
    rr = discover_schedulers(repo)["rr"]
    assert rr.description == "Round robin: seL4's baseline, fixed timeslice"
    assert {v: p.default for v, p in rr.parameters.items()} == {
        "SCHED_TIMESLICE_US": "5000", "SCHED_NAME": "two words"}
    assert rr.parameters["SCHED_TIMESLICE_US"].doc == \
        "timeslice in microseconds [100..1000000] (seL4: 10 ms)"
    assert rr.parameters["SCHED_TIMESLICE_US"].key == "timeslice_us"
    assert rr.parameters["SCHED_TIMESLICE_US"].range == (100, 1000000)
    assert rr.parameters["SCHED_NAME"].range is None
    mlfq = discover_schedulers(repo)["mlfq"]
    assert mlfq.parameters["SCHED_MLFQ_LEVELS"].range == (1, 8)
    assert mlfq.parameters["SCHED_MLFQ_LEVELS"].name("mlfq") == "levels"


def test_workloads_are_directories_with_a_readme_or_c_source(repo):
    workloads = discover_workloads(repo)
    assert list(workloads) == ["bare", "mixed"]
    assert workloads["mixed"].description == "Interactive + batch"
    assert workloads["bare"].description == ""


def test_list_shows_schedulers_parameters_and_workloads(repo, capsys):
    status, out, _ = run_cli(repo, capsys, "list")
    assert status == 0
    assert "rr" in out and "Round robin: seL4's baseline" in out
    assert "rr.timeslice_us = 5000  [100..1000000]  timeslice in microseconds (seL4: 10 ms)" in out
    assert "mlfq.levels = 3  [1..8]  feedback levels\n" in out
    assert "mlfq.timeslice_us = 2000  [100..1000000]" in out
    assert "mixed" in out and "Interactive + batch" in out
    assert "notes" not in out


# --- flag validation -----------------------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["run", "--sched", "nosuch", "--workload", "mixed"],
     "error: --sched: unknown scheduler 'nosuch'; valid: mlfq, rr\n"),
    (["run", "--sched", "rr", "--workload", "nosuch"],
     "error: --workload: unknown workload 'nosuch'; valid: bare, mixed\n"),
    (["run", "--sched", "rr", "--workload", "mixed", "--cpus", "0"],
     "error: --cpus: invalid number of harts '0'; valid: 1..8 (--engine qemu), "
     "1..1024 (--engine sim)\n"),
    (["compare", "--cpus", "two"], "error: --cpus: invalid number of harts 'two'; valid: 1..8 (--engine qemu), 1..1024 (--engine sim)\n"),
    (["compare", "--scheds", "rr,nosuch"],
     "error: --scheds: unknown scheduler 'nosuch'; valid: mlfq, rr\n"),
    (["compare", "--workloads", "mixed,nosuch"],
     "error: --workloads: unknown workload 'nosuch'; valid: bare, mixed\n"),
    (["build", "--sched", "nosuch"],
     "error: --sched: unknown scheduler 'nosuch'; valid: mlfq, rr\n"),
    (["run", "--sched", "rr", "--workload", "mixed", "--param", "a=b c"],
     "error: --param: expected key=value without spaces, got 'a=b c'\n"),
    (["run", "--sched", "rr", "--workload", "mixed", "--timeout", "0"],
     "error: --timeout: invalid timeout '0'; valid: seconds > 0\n"),
    (["run", "--sched", "rr", "--workload", "mixed", "--set", "quantum_us=1"],
     "error: --set: unknown parameter 'quantum_us' for scheduler rr; "
     "valid: rr.timeslice_us, rr.name\n"),
    (["build", "--sched", "mlfq", "--set", "mlfq.levels=9"],
     "error: --set: mlfq.levels=9 is out of range: valid values are 1..8\n"),
    (["build", "--sched", "mlfq", "--set", "levels=0"],
     "error: --set: levels=0 is out of range: valid values are 1..8\n"),
    (["build", "--sched", "mlfq", "--set", "mlfq.levels=two"],
     "error: --set: mlfq.levels=two: not an integer; valid values are 1..8\n"),
    (["build", "--sched", "mlfq", "--set", "mlfq.levels=1e3"],
     "error: --set: mlfq.levels=1e3: not an integer; valid values are 1..8\n"),
    (["build", "--sched", "rr", "--set", "timeslice_us=1e3"],
     "error: --set: timeslice_us=1e3: not an integer; valid values are 100..1000000\n"),
    (["build", "--sched", "mlfq", "--set", "rr.levels=4"],
     "error: --set: unknown parameter 'rr.levels' for scheduler mlfq; "
     "valid: mlfq.timeslice_us, mlfq.levels\n"),
    (["build", "--sched", "mlfq", "--set", "policy=rr"],
     "error: --set: unknown parameter 'policy' for scheduler mlfq; "
     "valid: mlfq.timeslice_us, mlfq.levels\n"),
    (["build", "--sched", "rr", "--set", "timeslice_us"],
     "error: --set: expected key=value, got 'timeslice_us'\n"),
    (["run", "--sched", "rr", "--workload", "mixed", "--cpus", "9"],
     "error: --cpus: 9 harts: valid 1..8 with --engine qemu (the kernel starts up to 8); "
     "1..1024 with --engine sim\n"),
    (["run", "--sched", "rr", "--workload", "mixed", "--engine", "sim", "--cpus", "1025"],
     "error: --cpus: invalid number of harts '1025'; valid: 1..8 (--engine qemu), "
     "1..1024 (--engine sim)\n"),
    (["run", "--sched", "rr", "--workload", "mixed", "--engine", "sim", "--realtime"],
     "error: --realtime: the simulator has no wall clock (its timing model is parallel-sim); "
     "use --engine qemu --realtime\n"),
    (["run", "--sched", "rr", "--workload", "mixed", "--costs", "t.json"],
     "error: --costs: only --engine sim uses a cost table\n"),
    (["run", "--sched", "rr", "--workload", "mixed", "--engine", "vm"],
     "error: --engine: invalid choice: 'vm' (choose from 'qemu', 'sim')\n"),
])
def test_bad_flag_values_name_the_flag_and_the_valid_values(repo, capsys, argv, message):
    status, out, err = run_cli(repo, capsys, *argv)
    assert status == 2
    assert err.startswith(message)
    assert out == ""


def test_missing_subcommand_is_a_usage_error(repo, capsys):
    status, _, err = run_cli(repo, capsys)
    assert status == 2 and err.startswith("error:")


def test_every_subcommand_has_help(repo, capsys):
    for command in ["list", "build", "run", "compare", "plot", "test", "debug"]:
        with pytest.raises(SystemExit) as exit_:
            cli.main([command, "--help"], repo=repo)
        assert exit_.value.code == 0
        assert f"usage: schedlab {command}" in capsys.readouterr().out


def test_plot_of_a_missing_directory_is_a_usage_error(repo, capsys):
    status, _, err = run_cli(repo, capsys, "plot", str(repo / "nosuch"))
    assert status == 2 and "plot: no such directory" in err


def test_test_passes_arguments_after_double_dash_to_ctest(repo):
    args = cli.build_parser({}, {}).parse_args(["test", "--", "-L", "unit", "-R", "rr"])
    assert args.ctest_args == ["-L", "unit", "-R", "rr"]
    ctest = host_test_commands(repo, args.ctest_args)[-1]
    assert ctest == ["ctest", "--test-dir", str(repo.resolve() / "build" / "host"),
                     "--output-on-failure", "-j2", "-L", "unit", "-R", "rr"]


# --- --set and the build -------------------------------------------------------------------

def test_set_keys_map_to_cmake_variables():
    assert cmake_variable("timeslice_us") == "SCHED_TIMESLICE_US"
    assert cmake_variable("mlfq.levels") == "SCHED_MLFQ_LEVELS"
    assert cmake_variable("SCHED_TIMESLICE_US") == "SCHED_TIMESLICE_US"


def test_set_resolves_against_the_config(repo):
    rr = discover_schedulers(repo)["rr"]
    assert resolve_settings(rr, ["timeslice_us=2000"]) == {"SCHED_TIMESLICE_US": "2000"}
    with pytest.raises(UsageError, match="valid: rr.timeslice_us, rr.name"):
        resolve_settings(rr, ["quantum_us=1"])
    assert resolve_settings(rr, ["rr.timeslice_us=100"]) == {"SCHED_TIMESLICE_US": "100"}


@pytest.mark.parametrize("key", ["mlfq.levels", "MLFQ.LEVELS", "mlfq_levels", "levels",
                                 "SCHED_MLFQ_LEVELS"])
def test_set_accepts_the_scheduler_dot_name_form_and_the_plain_forms(repo, key):
    mlfq = discover_schedulers(repo)["mlfq"]
    assert resolve_settings(mlfq, [f"{key}=4"]) == {"SCHED_MLFQ_LEVELS": "4"}
    assert resolve_settings(mlfq, ["timeslice_us=2000", f"{key}=8"]) == {
        "SCHED_TIMESLICE_US": "2000", "SCHED_MLFQ_LEVELS": "8"}


def test_build_with_a_dotted_setting_reaches_cmake(repo, capsys, monkeypatch):
    calls = []
    monkeypatch.setattr(setup, "ensure", lambda **_: None)
    monkeypatch.setattr(cli, "build", lambda repo, sched, settings, verbose: calls.append(
        (sched, settings)) or type("Artifacts", (), {"kernel": repo / "k.elf"})())
    status, _, err = run_cli(repo, capsys, "build", "--sched", "mlfq", "--set", "mlfq.levels=4")
    assert status == 0, err
    assert calls == [("mlfq", {"SCHED_MLFQ_LEVELS": "4"})]


def test_every_parameter_of_the_real_configs_has_a_range_and_a_doc():
    schedulers = discover_schedulers(Path(__file__).resolve().parents[2])
    assert {"rr", "mlfq", "tstune", "affinity"} <= set(schedulers)
    for scheduler in schedulers.values():
        assert scheduler.description
        for parameter in scheduler.parameters.values():
            assert parameter.range and parameter.doc, parameter.variable
            low, high = parameter.range
            assert low <= int(parameter.default) <= high, parameter.variable


def test_settings_get_their_own_stable_build_directory(repo):
    assert build_directory(repo, "rr", {}) == repo / "build" / "rr"
    one = build_directory(repo, "rr", {"SCHED_A": "1", "SCHED_B": "2"})
    same = build_directory(repo, "rr", {"SCHED_B": "2", "SCHED_A": "1"})
    other = build_directory(repo, "rr", {"SCHED_A": "1", "SCHED_B": "3"})
    assert one == same != other
    assert one.name.startswith("rr-") and len(one.name) == len("rr-") + 8


def test_configure_command_selects_config_toolchain_and_settings(repo):
    directory = build_directory(repo, "rr", {"SCHED_TIMESLICE_US": "2000"})
    command = configure_command(repo, "rr", directory, {"SCHED_TIMESLICE_US": "2000"})
    assert command == ["cmake", "-S", str(repo.resolve()), "-B", str(directory), "-G", "Ninja",
                       f"-DCMAKE_TOOLCHAIN_FILE={repo.resolve()}/cmake/riscv64-elf.cmake",
                       "-DSCHEDLAB_CONFIG=rr", "-DSCHED_TIMESLICE_US=2000"]


# --- QEMU ----------------------------------------------------------------------------------

def test_qemu_command_is_deterministic_by_default(tmp_path):
    command = qemu_command(tmp_path / "kernel.elf", tmp_path / "mixed.elf", 4,
                           boot_arguments(7, False, ["n=3"]))
    assert command == [
        "qemu-system-riscv64", "-machine", "virt", "-cpu", "rv64", "-smp", "4", "-m", "512M",
        "-nographic", "-no-reboot", "-seed", "1", "-rtc", "base=2000-01-01T00:00:00,clock=vm",
        "-bios", "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf",
        "-kernel", str(tmp_path / "kernel.elf"), "-initrd", str(tmp_path / "mixed.elf"),
        "-append", "clock=icount semihost=1 seed=7 limit_ms=10000 deadlock=halt n=3",
        "-semihosting-config", "enable=on,target=native",
        "-icount", "shift=0,sleep=off"]


def test_realtime_drops_icount_and_says_so_in_bootargs(tmp_path):
    command = qemu_command("k.elf", "w.elf", 1, boot_arguments(1, True), realtime=True)
    assert "-icount" not in command
    assert (command[command.index("-append") + 1]
            == "clock=realtime semihost=1 seed=1 limit_ms=100000 deadlock=halt")
    assert Path(command[command.index("-kernel") + 1]).is_absolute()


def test_debug_waits_for_gdb():
    assert qemu_command("k.elf", "w.elf", 1, "", wait_for_debugger=True)[-2:] == ["-s", "-S"]


def test_run_qemu_logs_output_and_returns_the_exit_status(tmp_path):
    outcome = run_qemu(["sh", "-c", "echo booted; echo oops >&2; pwd; exit 3"], tmp_path,
                       tmp_path / "console.log", timeout=30)
    assert outcome.status == 3 and not outcome.timed_out
    assert (tmp_path / "console.log").read_text().split() == ["booted", "oops", str(tmp_path)]


def test_run_qemu_kills_a_run_that_outlives_its_timeout(tmp_path):
    outcome = run_qemu(["sh", "-c", "echo started; exec sleep 30"], tmp_path,
                       tmp_path / "console.log", timeout=0.5)
    assert outcome.timed_out
    assert outcome.seconds < 10
    assert (tmp_path / "console.log").read_text() == "started\n"
    assert not outcome.killed


def test_run_qemu_kills_a_run_that_ignores_sigterm(tmp_path, monkeypatch):
    monkeypatch.setattr(qemu, "TERM_GRACE_SECONDS", 0.5)
    outcome = run_qemu(["sh", "-c", "trap '' TERM; echo started; exec sleep 30"], tmp_path,
                       tmp_path / "console.log", timeout=0.5)
    assert outcome.timed_out and outcome.killed
    assert outcome.seconds < 10


def test_a_runner_killed_outright_takes_its_qemu_with_it(tmp_path):
    runner = subprocess.Popen([sys.executable, "-c", f"""
import sys
sys.path.insert(0, {str(REPO)!r})
from tools.schedlab.qemu import run_qemu
run_qemu(["sh", "-c", "echo $$ >pid; exec sleep 60"], {str(tmp_path)!r}, {str(tmp_path / "log")!r}, 60)
"""])
    pid_file = tmp_path / "pid"
    for _ in range(200):
        if pid_file.is_file() and pid_file.read_text().strip():
            break
        time.sleep(0.05)
    qemu_pid = int(pid_file.read_text())
    runner.kill()
    runner.wait()
    for _ in range(100):
        try:
            if "State:\tZ" in Path(f"/proc/{qemu_pid}/status").read_text():
                return   # dead, not yet reaped by whoever adopted it
        except FileNotFoundError:
            return
        time.sleep(0.05)
    os.kill(qemu_pid, 9)
    raise AssertionError("the run outlived its runner")


class StalledTerminal:
    """A --verbose echo whose first write takes seconds, as a loaded host's terminal can."""
    def __init__(self, stall):
        self.stall, self.data = stall, b""

    def write(self, chunk):
        if not self.data:
            time.sleep(self.stall)
        self.data += chunk

    def flush(self):
        pass


def test_run_qemu_never_waits_for_its_echo(tmp_path):
    """The console reaches its file at the program's pace, whatever the echo's: through a pipe,
    more than a pipe's worth of output would wait for the reader, and a guest spins in emulated
    time while QEMU waits (issue 9, item 6)."""
    echo = StalledTerminal(stall=4)
    script = ("i=0; while [ $i -lt 3000 ]; do echo line $i of a chatty console; i=$((i+1)); "
              "done; date +%s.%N >finished")
    started = time.time()
    outcome = run_qemu(["sh", "-c", script], tmp_path, tmp_path / "console.log", timeout=60,
                       echo=echo)
    assert outcome.status == 0 and not outcome.timed_out
    assert float((tmp_path / "finished").read_text()) - started < 3, "it waited for the echo"
    console = (tmp_path / "console.log").read_bytes()
    assert len(console) > 64 * 1024 and echo.data == console


# --- report --------------------------------------------------------------------------------

def test_summary_has_one_row_per_run_with_scalar_metrics(tmp_path):
    good, failed = tmp_path / "rr" / "mixed", tmp_path / "rr" / "bare"
    for run_dir, ok in [(good, True), (failed, False)]:
        run_dir.mkdir(parents=True)
        (run_dir / "run.json").write_text(json.dumps({
            "scheduler": "rr", "workload": run_dir.name, "cpus": 1, "seed": 1,
            "clock": "icount", "ok": ok, "status": 0 if ok else 3, "wall_seconds": 1.5}))
    (good / "metrics.json").write_text(json.dumps(
        {"switches": {"voluntary": 3}, "jain": 0.9, "latency_cdf": [1, 2, 3]}))
    write_summary(tmp_path, [good, failed])
    with open(tmp_path / "summary.csv") as summary:
        rows = list(csv.DictReader(summary))
    assert [(r["workload"], r["ok"], r["jain"], r["switches.voluntary"]) for r in rows] == [
        ("mixed", "True", "0.9", "3"), ("bare", "False", "", "")]
    assert "latency_cdf" not in rows[0]


# --- setup ---------------------------------------------------------------------------------

def fake_commands(directory, names):
    directory.mkdir(exist_ok=True)
    for name in names:
        (directory / name).write_text("#!/bin/sh\n")
        (directory / name).chmod(0o755)
    return str(directory)


@pytest.fixture
def firmware_present(tmp_path, monkeypatch):
    firmware = tmp_path / "fw_jump.elf"
    firmware.write_text("")
    monkeypatch.setattr(setup, "REQUIRED_FILES", {str(firmware): "opensbi"})


def test_setup_names_the_package_of_each_missing_command(tmp_path, firmware_present):
    path = fake_commands(tmp_path / "bin", ["cmake", "ninja", "gcc"])
    missing = setup.find_missing(path=path)
    assert missing == {"riscv64-unknown-elf-gcc": "gcc-riscv64-unknown-elf",
                       "qemu-system-riscv64": "qemu-system-misc"}


def test_setup_finds_nothing_missing_when_all_is_there(tmp_path, firmware_present):
    path = fake_commands(tmp_path / "bin", setup.REQUIRED_COMMANDS)
    assert setup.find_missing(path=path) == {}
    assert setup.find_missing(path=path, with_debugger=True) == {
        "gdb-multiarch": "gdb-multiarch"}
    # the browser the report test drives: only `./schedlab test` asks for it
    assert setup.find_missing(path=path, with_browser=True) == {
        "chromium": "chromium", "chromedriver": "chromium-driver"}
    # snakemake: only sweep --snakemake and `./schedlab test` ask for it
    assert setup.find_missing(path=path, with_workflows=True) == {"snakemake": "snakemake"}


def test_setup_notices_missing_firmware(tmp_path, monkeypatch):
    monkeypatch.setattr(setup, "REQUIRED_FILES", {str(tmp_path / "nosuch.elf"): "opensbi"})
    path = fake_commands(tmp_path / "bin", setup.REQUIRED_COMMANDS)
    assert setup.find_missing(path=path) == {str(tmp_path / "nosuch.elf"): "opensbi"}


def test_setup_notices_python_modules_the_interpreter_cannot_import(tmp_path, firmware_present):
    # -S drops site-packages: an interpreter that cannot see Debian's packages (DESIGN §8).
    python = tmp_path / "python3"
    python.write_text(f'#!/bin/sh\nexec {sys.executable} -S "$@"\n')
    python.chmod(0o755)
    path = fake_commands(tmp_path / "bin", setup.REQUIRED_COMMANDS)
    assert sorted(setup.find_missing(path=path, python=str(python)).values()) == [
        "python3-matplotlib", "python3-numpy", "python3-pytest"]


def test_setup_without_root_gives_the_exact_install_line(monkeypatch):
    monkeypatch.setattr(setup, "find_missing", lambda **_: {
        "qemu-system-riscv64": "qemu-system-misc", "cmake": "cmake"})
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(SchedlabError) as error:
        setup.ensure()
    assert "missing: qemu-system-riscv64, cmake" in str(error.value)
    assert str(error.value).endswith(
        "sudo apt-get install -y --no-install-recommends cmake qemu-system-misc")


def test_setup_as_root_waits_for_a_held_apt_lock(monkeypatch, capsys):
    missing = {"qemu-system-riscv64": "qemu-system-misc"}
    monkeypatch.setattr(setup, "find_missing", lambda **_: dict(missing))
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    ran = []

    def run(command, env):
        ran.append(command)
        if command[-1] == "qemu-system-misc":
            missing.clear()
        return subprocess.CompletedProcess(command, 0)
    monkeypatch.setattr(setup.subprocess, "run", run)
    setup.ensure()
    lock = f"DPkg::Lock::Timeout={setup.APT_LOCK_WAIT_S}"
    assert ran == [["apt-get", "-o", lock, "update"],
                   ["apt-get", "-o", lock, "install", "-y", "--no-install-recommends",
                    "qemu-system-misc"]]
    assert "setup: apt-get install -y --no-install-recommends qemu-system-misc" in \
        capsys.readouterr().out


def test_setup_is_silent_when_nothing_is_missing(monkeypatch, capsys):
    monkeypatch.setattr(setup, "find_missing", lambda **_: {})
    setup.ensure()
    assert capsys.readouterr() == ("", "")


def test_a_given_run_limit_replaces_the_default():
    assert (boot_arguments(1, False, ["limit_ms=5"])
            == "clock=icount semihost=1 seed=1 deadlock=halt limit_ms=5")


def test_runs_ask_for_the_deadlock_stop_unless_told_otherwise():
    assert "deadlock=halt" in boot_arguments(1, False).split()
    args = boot_arguments(1, False, ["deadlock=idle"]).split()
    assert "deadlock=idle" in args and "deadlock=halt" not in args


def test_machine_parameters_are_set_for_any_scheduler_and_checked():
    schedulers = discover_schedulers(REPO)
    for name in ("rr", "affinity"):
        assert resolve_settings(schedulers[name], ["cache_model=on", "cache_bytes=8192"]) == \
            {"SCHEDLAB_CACHE_MODEL": "ON", "SCHEDLAB_CACHE_BYTES": "8192"}
    with pytest.raises(UsageError, match="valid values are ON, OFF"):
        resolve_settings(schedulers["rr"], ["cache_model=maybe"])
    with pytest.raises(UsageError, match="4096..268435456"):
        resolve_settings(schedulers["rr"], ["cache_bytes=5"])
    with pytest.raises(UsageError, match="cache_model"):
        resolve_settings(schedulers["rr"], ["no_such_thing=1"])


def test_list_shows_the_machine_model_once(capsys):
    assert cli.main(["list"], repo=REPO) == 0
    out = capsys.readouterr().out
    assert out.count("cache_model = OFF") == 1
    assert "Machine model, under every scheduler" in out
