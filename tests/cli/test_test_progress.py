"""`./schedlab test` shows progress while ctest's long groups run: each finished test's line
with the elapsed time, and a line now and then naming the tests still running."""
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tools.schedlab.ctest_progress import CtestProgress, run_ctest  # noqa: E402

from fakes import FakeClock  # noqa: E402


def test_finished_tests_show_the_elapsed_time_and_running_ones_are_named():
    clock = FakeClock()
    progress = CtestProgress(clock)
    assert progress.heartbeat() is None
    assert progress.line("Test project /x/build/host") == "Test project /x/build/host"
    progress.line("      Start  1: unit.cli")
    clock.now = 5
    progress.line("      Start 12: qemu.workloads")
    clock.now = 65
    done = " 1/44 Test  #1: unit.cli .........................   Passed   60.00 sec"
    assert progress.line(done) == done + "  [elapsed 1m05s]"
    clock.now = 250
    assert progress.heartbeat() == ("test: 1 of 44 done, elapsed 4m10s; running: "
                                    "qemu.workloads (4m05s)")


def test_run_ctest_passes_every_line_on_and_beats_while_a_test_runs(tmp_path):
    """A stand-in ctest starts a test and finishes it only once a progress line was shown
    (the writer makes the file it waits for), so no timing is assumed."""
    go = tmp_path / "go"
    script = tmp_path / "ctest"
    script.write_text(f"""#!/bin/sh
echo "      Start  1: qemu.long"
i=0
while [ ! -f {go} ] && [ $i -lt 2000 ]; do sleep 0.05; i=$((i+1)); done
echo " 1/1 Test  #1: qemu.long ....   Passed    1.00 sec"
exit 0
""")
    script.chmod(0o755)
    lines = []

    def write(line):
        lines.append(line)
        if line.startswith("test: 0 done") and "running: qemu.long (" in line:
            go.write_text("")
    assert run_ctest([str(script)], tmp_path, interval=0.05, write=write) == 0
    assert lines[0] == "      Start  1: qemu.long"
    assert any(line.startswith("test: 0 done, elapsed ") for line in lines)
    assert lines[-1].startswith(" 1/1 Test  #1: qemu.long ....   Passed    1.00 sec  [elapsed ")


def test_run_ctest_returns_ctests_status(tmp_path):
    assert run_ctest(["sh", "-c", "echo failing; exit 8"], tmp_path, write=lambda _: None) == 8
