"""A failed run says why on the terminal: the reason its console.log gives (a workload's
"FAILED: ...", the run limit, a kernel panic), for QEMU runs and simulator runs alike, and so
in compare's progress lines, which print each run's message. Stand-ins replace QEMU and the
simulator; no kernel is built.

Run: /usr/bin/python3 -m pytest tests/cli/test_failure_reasons.py
"""
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tools.schedlab import run, sim  # noqa: E402
from tools.schedlab.build import BuildArtifacts  # noqa: E402
from tools.schedlab.console_reason import console_reason  # noqa: E402
from tools.schedlab.run import RunRequest  # noqa: E402

TOO_MANY = "storm: FAILED: more than 63 threads"
LIMIT = "run limit of 20 ms reached: the workload did not finish"


@pytest.mark.parametrize("console,reason", [
    (f"booting\n{TOO_MANY}\nworkload exit 3\n", TOO_MANY),
    (f"\n{LIMIT}\n", LIMIT),
    ("x\nKERNEL PANIC: trap in the kernel: cause 0xd\n", "KERNEL PANIC: trap in the kernel: cause 0xd"),
    ("sim: all threads are blocked and no timer is pending: deadlock\n",
     "sim: all threads are blocked and no timer is pending: deadlock"),
    # the workload's own complaint is the cause; the run limit it led to comes second
    (f"{LIMIT}\n{TOO_MANY}\n", TOO_MANY),
    ("booting\nall fine\n", None),
])
def test_the_reason_is_the_line_that_names_the_cause(console, reason):
    assert console_reason(console) == reason


def test_a_failed_qemu_run_says_why(monkeypatch, tmp_path):
    build = tmp_path / "build"
    (build / "workloads").mkdir(parents=True)
    (build / "workloads" / "storm.elf").write_text("")
    monkeypatch.setattr(run, "qemu_command",
                        lambda *a, **k: ["sh", "-c", f"echo booting; echo '{TOO_MANY}'; exit 3"])
    request = RunRequest("rr", "storm", tmp_path / "out", timeout=60)
    result = run.run_workload(REPO, BuildArtifacts(build), request)
    assert not result.ok
    assert result.message.startswith(f"workload exited with status 3: {TOO_MANY}; console: ")


def test_a_failed_simulator_run_says_why(tmp_path):
    binary = tmp_path / "build" / "sim" / "sim-storm"
    binary.parent.mkdir(parents=True)
    binary.write_text(f"#!/bin/sh\necho 'sim: {LIMIT}' >&2\nexit 1\n")
    binary.chmod(0o755)
    costs = tmp_path / "costs.json"
    costs.write_text(json.dumps({"costs_ns": {}}))
    request = RunRequest("rr", "storm", tmp_path / "out", timeout=60)
    result = sim.run_sim(REPO, tmp_path / "build", request, costs)
    assert not result.ok
    assert result.message.startswith(f"the simulator exited with status 1: sim: {LIMIT}; ")
