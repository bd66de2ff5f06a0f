"""Fixtures for the simulator's tests: its builds (one per scheduler configuration, as
`./schedlab run --engine sim` makes them) and a runner that gives a run's trace and console."""
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tools.schedlab import sim  # noqa: E402


class SimRunner:
    def __init__(self, tmp_path_factory):
        self.builds = {}
        self.tmp = tmp_path_factory.mktemp("sim")
        self.count = 0

    def build(self, scheduler):
        if scheduler not in self.builds:
            self.builds[scheduler] = sim.build_sim(REPO, scheduler, {})
        return self.builds[scheduler]

    def run(self, scheduler, workload, harts=1, args="seed=1", check=True):
        """-> (trace bytes, console text, exit status)"""
        self.count += 1
        trace = self.tmp / f"{scheduler}-{workload}-{harts}-{self.count}.bin"
        binary = self.build(scheduler) / "sim" / f"sim-{workload}"
        command = [str(binary), "--harts", str(harts), "--costs",
                   str(sim.default_costs(REPO, scheduler)), "--trace", str(trace), "--args", args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        console = done.stdout + done.stderr
        if check:
            assert done.returncode == 0, console
        return (trace.read_bytes() if trace.is_file() else b""), console, done.returncode, trace


@pytest.fixture(scope="session")
def simulator(tmp_path_factory):
    return SimRunner(tmp_path_factory)
