"""The kernel API suite (tests/kernel/ktest) as a user program sees the kernel."""
import re

import pytest

from harness import TIMEOUT_SECONDS, artifacts, run_root_task
from tools.schedlab.qemu import qemu_command, run_qemu

MINIMUM_CASES = 180
# Without icount emulated time is wall-clock time and a loaded 2-core host is slow: bounds for
# hangs only (as test_smp's realtime group), far above what the suite needs (~6 s alone).
REALTIME_PARAMS = ["ktest.timeout_ms=20000", "limit_ms=240000", "ktest.wall_clock=1"]


def test_kernel_api_suite_passes(tmp_path):
    status, console = run_root_task(artifacts().directory / "tests" / "kernel" / "ktest.elf",
                                    tmp_path, params=["ktest.answer=42"])
    summary = re.search(r"^(\d+) passed, (\d+) failed", console, re.MULTILINE)
    failures = [line for line in console.splitlines() if line.startswith("FAIL")]
    assert summary, f"no summary line; console:\n{console[-3000:]}"
    passed, failed = int(summary.group(1)), int(summary.group(2))
    assert failed == 0 and not failures, "\n".join(failures)
    assert passed >= MINIMUM_CASES
    assert status == 0
    for group in ("BOOT", "RETYPE", "TCB", "IPC", "NOTIF", "FAULT", "CNODE", "VSPACE", "IRQ",
                  "CLOCK", "REVOKE", "RESUME"):
        assert re.search(rf"^ok\s+{group}\s", console, re.MULTILINE), f"no {group} cases"
    # the kernel prints through SBI, and the UART it no longer keeps prints for user level
    assert "SchedLab kernel, policy" in console and "console SBI" in console
    assert "uart: written by user level" in console
    assert "clock: cycle counter, exact under icount (detected)" in console


@pytest.mark.parametrize("clock_argument", [False, True])
def test_kernel_api_suite_passes_without_icount(tmp_path, clock_argument):
    """No -icount: the kernel finds that the cycle counter is the host's and keeps time with
    rdtime, whether or not the boot arguments say clock=realtime (a seL4 image's say nothing),
    so timeslices expire and equal priorities round-robin (CLOCK cases)."""
    status, console = run_root_task(artifacts().directory / "tests" / "kernel" / "ktest.elf",
                                    tmp_path, params=["ktest.answer=42", *REALTIME_PARAMS],
                                    realtime=True, clock_argument=clock_argument)
    failures = [line for line in console.splitlines() if line.startswith("FAIL")]
    assert re.search(r"^(\d+) passed, 0 failed", console, re.MULTILINE), "\n".join(failures)
    assert re.search(r"^ok\s+CLOCK\s+timeslice round-robins", console, re.MULTILINE)
    assert "clock: rdtime, no icount (detected)" in console
    assert "clock: the boot arguments say" not in console
    assert status == 0


def test_a_faulting_hanging_or_scribbling_case_does_not_stop_the_suite(tmp_path):
    status, console = run_root_task(artifacts().directory / "tests" / "kernel" / "ktest.elf",
                                    tmp_path, params=["ktest.answer=42", "ktest.selfcheck=1"])
    summary = re.search(r"^(\d+) passed, (\d+) failed", console, re.MULTILINE)
    assert summary, f"no summary line; console:\n{console[-3000:]}"
    failures = [line for line in console.splitlines() if line.startswith("FAIL")]
    assert failures == [
        "FAIL SELF    a case that scribbles over all its memory (expected to FAIL)",
        "FAIL SELF    a case that faults (expected to FAIL)",
        "FAIL SELF    a case that hangs (expected to FAIL)"], failures
    assert "VM fault at pc" in console and "timed out after 100 ms" in console
    # each case is its own process: the scribbler wrecked only its own copy of the program
    assert int(summary.group(1)) >= MINIMUM_CASES and int(summary.group(2)) == 3
    assert status == 3


def blocked_task():
    return artifacts().directory / "tests" / "kernel" / "blocked.elf"


@pytest.mark.parametrize("cpus", [1, 4])
def test_a_run_that_asks_for_it_halts_when_every_thread_blocks_for_ever(tmp_path, cpus):
    # the CLI's boot arguments carry deadlock=halt
    status, console = run_root_task(blocked_task(), tmp_path, cpus=cpus)
    assert "blocked: waiting" in console and "woken" not in console
    assert "all threads are blocked and no timer is pending: deadlock" in console
    assert status == 98


@pytest.mark.parametrize("cpus", [1, 4])
def test_without_the_argument_the_kernel_idles_as_sel4_does(tmp_path, cpus):
    # a seL4 image's boot arguments have no deadlock key: the kernel idles, here until the run
    # limit (emulated time, so the answer does not depend on the host) stops it
    bootargs = "clock=icount semihost=1 limit_ms=200"
    command = qemu_command(artifacts().kernel, blocked_task(), cpus, bootargs)
    outcome = run_qemu(command, tmp_path, tmp_path / "console.log", TIMEOUT_SECONDS)
    console = (tmp_path / "console.log").read_text(errors="replace")
    assert not outcome.timed_out
    assert "blocked: waiting" in console and "deadlock" not in console
    assert "run limit of 200 ms reached" in console
    assert outcome.status == 96
