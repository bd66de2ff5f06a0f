"""The kernel API suite (tests/kernel/ktest) as a user program sees the kernel."""
import re

from harness import artifacts, run_root_task

MINIMUM_CASES = 150


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
    for group in ("BOOT", "RETYPE", "TCB", "IPC", "NOTIF", "FAULT", "CNODE", "VSPACE", "IRQ"):
        assert re.search(rf"^ok\s+{group}\s", console, re.MULTILINE), f"no {group} cases"


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
