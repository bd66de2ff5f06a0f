"""--placement and the timing model of `schedlab run` and `schedlab compare`, without QEMU:
the flag's checks, the boot argument the guest gets, and what run.json records.

Run: /usr/bin/python3 -m pytest tests/cli
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tools.schedlab import cli, compare, run, setup  # noqa: E402
from tools.schedlab.build import BuildArtifacts  # noqa: E402
from tools.schedlab.compare import Comparison, plan_runs  # noqa: E402
from tools.schedlab.qemu import QemuOutcome  # noqa: E402
from tools.schedlab.run import RunRequest, run_workload  # noqa: E402

from fakes import make_tree  # noqa: E402

@pytest.fixture
def repo(tmp_path):
    return make_tree(tmp_path, {"chat": {
        "description": "chat", "params": {"requests": 3},
        "threads": [{"name": "worker", "phases": [{"run": {"us": 100}}]}]}})


@pytest.fixture
def compared(monkeypatch):
    calls = []
    monkeypatch.setattr(setup, "ensure", lambda **_: None)
    monkeypatch.setattr(cli, "run_suite", lambda repo, comparison, out, bench=True: calls.append(
        comparison) or True)
    return calls


def run_cli(repo, capsys, *argv):
    status = cli.main(list(argv), repo=repo)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_compare_places_threads_spread_by_default_and_creator_on_request(repo, capsys,
                                                                          compared):
    assert run_cli(repo, capsys, "compare")[0] == 0
    assert run_cli(repo, capsys, "compare", "--placement", "creator")[0] == 0
    assert [comparison.placement for comparison in compared] == ["spread", "creator"]
    requests = plan_runs(compared[1], repo / "out")
    assert {request.placement for request in requests} == {"creator"}


WITH_PLACEMENT = [["compare"], ["run", "--sched", "rr", "--workload", "chat"],
                  ["debug", "--sched", "rr", "--workload", "chat"]]


@pytest.mark.parametrize("command", WITH_PLACEMENT)
def test_an_invalid_placement_names_the_flag_and_the_valid_values(repo, capsys, compared,
                                                                  command):
    status, out, err = run_cli(repo, capsys, *command, "--placement", "random")
    assert status == 2 and out == "" and compared == []
    assert err.startswith("error: --placement: unknown placement 'random'; "
                          "valid: spread, creator\n")


@pytest.mark.parametrize("command", WITH_PLACEMENT)
def test_placement_as_a_boot_parameter_is_refused_for_the_flag(repo, capsys, compared,
                                                               command):
    status, _, err = run_cli(repo, capsys, *command, "--param", "engine.placement=creator")
    assert status == 2 and compared == []
    assert err.startswith("error: --param: engine.placement is set with --placement; "
                          "valid: --placement spread|creator\n")


def test_help_names_the_placements_and_the_timing_models(repo, capsys):
    with pytest.raises(SystemExit):
        cli.main(["compare", "--help"], repo=repo)
    text = " ".join(capsys.readouterr().out.split())
    assert "--placement spread|creator" in text and "seL4's creator-hart rule" in text
    assert "shared-throughput" in text and "host-parallel" in text


class Artifacts:
    def __init__(self, root):
        self.directory = root / "build"
        self.kernel = root / "kernel.elf"

    def workload(self, name):
        path = self.directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("elf")
        return path


@pytest.mark.parametrize("cpus, realtime, placement, model", [
    (1, False, "spread", "exact"), (4, False, "creator", "shared-throughput"),
    (2, True, "spread", "host-parallel")])
def test_the_guest_gets_engine_placement_and_run_json_records_it(tmp_path, monkeypatch, cpus,
                                                                 realtime, placement, model):
    commands = []

    def fake_qemu(command, cwd, log_path, timeout, verbose=False):
        commands.append(command)
        (Path(cwd) / "trace.bin").write_bytes(b"")
        return QemuOutcome(0, False, 0.1)

    monkeypatch.setattr(run, "run_qemu", fake_qemu)
    monkeypatch.setattr(run, "analyse", lambda repo, out, scheduler: None)
    request = RunRequest("rr", "chat", tmp_path / "out", cpus=cpus, realtime=realtime,
                         placement=placement, params=["chat.requests=2"])
    assert run_workload(tmp_path, Artifacts(tmp_path), request).ok
    [command] = commands
    bootargs = command[command.index("-append") + 1]
    assert f"engine.placement={placement} chat.requests=2" in bootargs
    recorded = json.loads((tmp_path / "out" / "run.json").read_text())
    assert (recorded["placement"], recorded["timing_model"]) == (placement, model)


def test_compare_says_its_multi_hart_icount_runs_are_shared_throughput(repo, capsys,
                                                                       monkeypatch):
    monkeypatch.setattr(setup, "ensure", lambda **_: None)
    monkeypatch.setattr(compare, "build", lambda repo, scheduler, settings: scheduler)
    monkeypatch.setattr(compare, "run_in_parallel", lambda *args, **kwargs: [])
    monkeypatch.setattr(compare, "write_report", lambda repo, root: True)
    assert compare.run_suite(repo, Comparison(["rr"], ["chat"], cpus=[1, 4]), repo / "o")
    out = capsys.readouterr().out
    assert "placement spread" in out and "shared-throughput" in out
    assert compare.run_suite(repo, Comparison(["rr"], ["chat"], cpus=[1]), repo / "p")
    assert "shared-throughput" not in capsys.readouterr().out


def test_debug_boots_with_the_placement_it_is_given(repo, capsys, monkeypatch):
    """debug starts QEMU halted for gdb with the same boot arguments a run has, placement
    included (QEMU and the build stubbed out)."""
    commands = []
    monkeypatch.setattr(setup, "ensure", lambda **_: None)
    monkeypatch.setattr(cli, "build", lambda repo, sched, settings, **_:
                        BuildArtifacts(repo / "build" / sched))
    (repo / "build" / "rr" / "workloads").mkdir(parents=True)
    (repo / "build" / "rr" / "workloads" / "chat.elf").write_text("")
    monkeypatch.setattr(cli.subprocess, "run", lambda command, cwd: commands.append(command) or
                        subprocess.CompletedProcess(command, 0))
    assert run_cli(repo, capsys, "debug", "--sched", "rr", "--workload", "chat",
                   "--placement", "creator")[0] == 0
    [command] = commands
    assert "engine.placement=creator" in command[command.index("-append") + 1]
    assert command[-2:] == ["-s", "-S"]
