"""The kernel checking its own invariants (check_invariants=ON, kernel/invariants.h): the kernel
API suite and the workload suite pass under every policy at 1 and 4 harts, with the kernel
checking at every exit that no thread runs twice or is lost, that no two objects overlap and that
the derivation tree is whole. (Such a kernel is slower, so cases get more emulated time and the
ticker case's lateness bound, which measures the kernel's speed, is relaxed.)"""
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from harness import TIMEOUT_SECONDS, artifacts, run_root_task

from tools.schedlab import REPO_ROOT
from tools.schedlab.configs import discover_schedulers
from tools.schedlab.qemu import boot_arguments, qemu_command, run_qemu
from tools.schedlab.workload_spec import discover_specs

CHECKED = {"SCHEDLAB_CHECK_INVARIANTS": "ON"}
SCHEDULERS = sorted(discover_schedulers(REPO_ROOT))
WORKLOADS = sorted(discover_specs(REPO_ROOT))
SHORT = {"cpu-bound": ["cpu-bound.work_us=5000", "yielder.loop_count=10"],
         "mixed": ["hog.run_us=10000", "interactive.loop_count=10"],
         "working-set": ["big.loop_count=5", "small.loop_count=10"]}


def checked(scheduler):
    return artifacts(scheduler, CHECKED)


def test_a_checking_kernel_panics_when_an_invariant_breaks(tmp_path):
    """The checks are compiled in: the boot log says so."""
    elf = checked("rr").directory / "tests" / "kernel" / "ktest.elf"
    _, console = run_root_task(elf, tmp_path, params=["ktest.answer=42"], scheduler="rr",
                               settings=CHECKED)
    assert "invariant checks: on" in console


@pytest.mark.parametrize("cpus", [1, 4])
@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_kernel_api_suite_passes_with_invariants_checked(tmp_path, scheduler, cpus):
    elf = checked(scheduler).directory / "tests" / "kernel" / "ktest.elf"
    status, console = run_root_task(
        elf, tmp_path, cpus=cpus, scheduler=scheduler, settings=CHECKED,
        params=["ktest.answer=42", "ktest.timeout_ms=5000", "ktest.max_late_us=100000",
                "limit_ms=400000"])
    failures = [line for line in console.splitlines() if line.startswith("FAIL")]
    assert "invariant broken" not in console, console[-3000:]
    assert re.search(r"^(\d+) passed, 0 failed", console, re.MULTILINE), "\n".join(failures)
    assert re.search(r"^ok\s+INTEG\s", console, re.MULTILINE)
    assert status == 0


@pytest.fixture(scope="module")
def suite_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("checked-suite")

    def run_once(scheduler, workload):
        out = base / f"{scheduler}-{workload}"
        out.mkdir()
        command = qemu_command(checked(scheduler).kernel, checked(scheduler).workload(workload),
                               4, boot_arguments(1, False, SHORT.get(workload, [])))
        outcome = run_qemu(command, out, out / "console.log", TIMEOUT_SECONDS)
        return outcome, (out / "console.log").read_text(errors="replace")

    keys = [(s, w) for s in SCHEDULERS for w in WORKLOADS]
    with ThreadPoolExecutor(2) as pool:
        futures = {key: pool.submit(run_once, *key) for key in keys}
    return {key: future.result() for key, future in futures.items()}


@pytest.mark.parametrize("workload", WORKLOADS)
@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_workload_passes_on_four_harts_with_invariants_checked(suite_runs, scheduler, workload):
    outcome, console = suite_runs[(scheduler, workload)]
    assert not outcome.timed_out
    assert "invariant broken" not in console, console[-3000:]
    assert outcome.status == 0, console[-3000:]
