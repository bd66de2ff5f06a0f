"""The kernel's second way in: seL4's elfloader hand-off (DESIGN §3.3), driven by the stand-in
loader in tests/elfloader, runs the whole kernel API suite."""
import re

from harness import TIMEOUT_SECONDS, artifacts
from tools.schedlab.qemu import HOST_KEPT_OUT, QEMU, boot_arguments, run_qemu

FW_DYNAMIC = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"


def test_kernel_api_suite_through_the_elfloader_entry(tmp_path):
    loader = artifacts().directory / "tests" / "elfloader" / "elfloader-ktest.elf"
    command = [QEMU, "-machine", "virt", "-cpu", "rv64", "-smp", "1", "-m", "512M",
               "-nographic", "-no-reboot", *HOST_KEPT_OUT, "-bios", FW_DYNAMIC,
               "-kernel", str(loader),
               "-append", boot_arguments(1, False, ["ktest.answer=42"]),
               "-semihosting-config", "enable=on,target=native", "-icount", "shift=0,sleep=off"]
    outcome = run_qemu(command, tmp_path, tmp_path / "console.log", TIMEOUT_SECONDS)
    console = (tmp_path / "console.log").read_text(errors="replace")
    assert not outcome.timed_out
    assert "entered from seL4's elfloader" in console
    summary = re.search(r"^(\d+) passed, (\d+) failed", console, re.MULTILINE)
    assert summary and int(summary.group(2)) == 0, console[-3000:]
    assert int(summary.group(1)) >= 150
    assert outcome.status == 0
