"""Rough edges a new user found, each with its fix: unknown --param keys, `list`'s parameter
docs and ranges, `build --help` about build alone, and `debug --debug-build` with the
workload's symbols. No kernel is built (the build and QEMU are stubbed out).

Run: /usr/bin/python3 -m pytest tests/cli/test_rough_edges.py
"""
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tools.schedlab import build as building, cli, setup  # noqa: E402
from tools.schedlab.build import BuildArtifacts  # noqa: E402

from fakes import make_tree  # noqa: E402

@pytest.fixture
def repo(tmp_path):
    """One scheduler, one spec workload with a documented parameter, one hand-written one."""
    return make_tree(tmp_path, {"chat": {
        "description": "chat", "params": {"requests": {"value": 3, "doc": "requests sent"}},
        "threads": [{"name": "worker", "priority": 90, "phases": [{"run": {"us": 100}}]}]}},
        hand_written=["bare"])


def run_cli(repo, capsys, *argv):
    status = cli.main(list(argv), repo=repo)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_run_refuses_an_unknown_param_key_naming_the_valid_ones(repo, capsys):
    status, out, err = run_cli(repo, capsys, "run", "--sched", "rr", "--workload", "chat",
                               "--param", "chat.reqests=5")
    assert status == 2 and out == ""
    assert err.startswith("error: --param: unknown key 'chat.reqests' for workload chat; valid: "
                          "chat.requests, worker.affinity, worker.arrival_us, worker.count, "
                          "worker.priority, worker.run_us, worker.working_set_kb, limit_ms, "
                          "deadlock, trace_kb, invariants.scan_every, engine.extensions "
                          "(see ./schedlab list)\n")


@pytest.mark.parametrize("command", ["run", "debug"])
def test_known_param_keys_pass_and_a_hand_written_workload_takes_any(repo, capsys, monkeypatch,
                                                                     command):
    """The check passes them on to the build, which is stubbed to stop there."""
    def stop(*_, **__):
        raise cli.SchedlabError("stop here")
    monkeypatch.setattr(setup, "ensure", lambda **_: None)
    monkeypatch.setattr(cli, "build", stop)
    for workload, param in (("chat", "chat.requests=5"), ("chat", "limit_ms=50"),
                            ("bare", "anything=1")):
        status, _, err = run_cli(repo, capsys, command, "--sched", "rr", "--workload", workload,
                                 "--param", param)
        assert (status, err) == (1, "error: stop here\n")


def test_list_shows_each_workload_parameters_default_range_and_doc(repo, capsys):
    status, out, _ = run_cli(repo, capsys, "list")
    assert status == 0
    assert "      chat.requests = 3  [>= 0]  requests sent\n" in out
    assert "      worker.priority = 90  [0..254]  seL4 priority, below the root task's 255\n" in out
    assert "      worker.count = 1  [>= 0]  threads in the group\n" in out
    assert "      limit_ms " in out          # the keys every run may pass


def test_build_help_describes_only_builds_options(repo, capsys):
    with pytest.raises(SystemExit):
        cli.main(["build", "--help"], repo=repo)
    text = " ".join(capsys.readouterr().out.split()).partition("options:")[2]
    assert "--sched CONFIG" in text and "--set KEY=VALUE" in text and "--verbose" in text
    for other in ("workload", "QEMU", "console", "boot argument", "--cpus", "--seed"):
        assert other not in text, other


def test_the_debug_build_is_unoptimised_in_a_directory_of_its_own(repo):
    normal = building.build_directory(repo, "rr", {})
    debug = building.build_directory(repo, "rr", {}, debug=True)
    assert debug.name == "rr-debug" and debug != normal
    assert building.build_directory(repo, "rr", {"SCHED_TIMESLICE_US": "2000"},
                                    debug=True).name.endswith("-debug")
    assert "-DSCHEDLAB_OPTIMIZATION=-O0" in building.configure_command(repo, "rr", debug, {},
                                                                       debug=True)
    assert not any("OPTIMIZATION" in a for a in building.configure_command(repo, "rr", normal, {}))


@pytest.mark.parametrize("flag,debug", [([], False), (["--debug-build"], True)])
def test_debug_offers_the_debug_build_and_loads_the_workloads_symbols(repo, capsys, monkeypatch,
                                                                      flag, debug):
    builds, commands = [], []
    monkeypatch.setattr(setup, "ensure", lambda **_: None)

    def fake_build(repo, sched, settings, verbose=False, debug=False):
        builds.append(debug)
        return BuildArtifacts(building.build_directory(repo, sched, settings, debug))
    monkeypatch.setattr(cli, "build", fake_build)
    elf = building.build_directory(repo, "rr", {}, debug) / "workloads" / "chat.elf"
    elf.parent.mkdir(parents=True)
    elf.write_text("")
    monkeypatch.setattr(cli.subprocess, "run", lambda command, cwd: commands.append(command) or
                        subprocess.CompletedProcess(command, 0))
    status, out, _ = run_cli(repo, capsys, "debug", "--sched", "rr", "--workload", "chat", *flag)
    assert status == 0 and builds == [debug]
    assert f"-ex 'add-symbol-file {elf.resolve()}'" in out
    assert str(elf.parent.parent / "kernel" / "kernel.elf") in out
    [command] = commands
    assert str(elf) in command
