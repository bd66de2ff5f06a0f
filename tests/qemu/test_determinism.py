"""Deterministic mode repeats byte for byte whatever the host does (DESIGN §6; issue 9, item 6).

Nothing of the host may reach the guest: not the host's randomness or date (QEMU 7.2 virt puts
host-random bytes in the device tree and starts its RTC at the host's date, on the host's clock),
and not the host's speed. The speed got in through the console: QEMU makes its stdout
non-blocking, so when whoever reads it falls behind and the pipe fills, the UART's write fails
with EAGAIN and QEMU keeps the transmitter busy until the host drains the pipe, while the
guest's console driver spins on it for as much emulated time as the host takes.
"""
import hashlib
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor

from harness import TIMEOUT_SECONDS, StalledTerminal, artifacts

from tools.schedlab.qemu import boot_arguments, qemu_command, run_qemu


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_machine_is_the_same_at_every_boot(tmp_path):
    """The device tree QEMU gives the guest, dumped from the runner's own command line twice."""
    build = artifacts("affinity")
    dumps = []
    for i in range(2):
        dump = tmp_path / f"virt-{i}.dtb"
        command = qemu_command(build.kernel, build.workload("mixed"), 4, boot_arguments(1, False))
        command[command.index("virt")] = f"virt,dumpdtb={dump}"
        subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
                       check=True)
        dumps.append(dump.read_bytes())
    assert dumps[0] == dumps[1], "the device tree differs between boots (host randomness)"



def busy_loops():
    """One busy process per core, for as long as the runs take."""
    return [subprocess.Popen(["sh", "-c", "while :; do :; done"]) for _ in range(os.cpu_count() or 2)]


def test_a_four_hart_icount_run_repeats_byte_for_byte_on_a_loaded_host(tmp_path):
    """The kernel API suite on 4 harts (affinity, whose SMP machinery does the most), twice at
    once beside a busy loop per core; one run's console reader stalls while the suite prints more
    than a pipe holds. Same build, same seed: the same trace and console, byte for byte."""
    build = artifacts("affinity")
    command = qemu_command(build.kernel, build.directory / "tests" / "kernel" / "ktest.elf", 4,
                           boot_arguments(1, False, ["ktest.answer=42", "ktest.chatter_kb=96"]))
    runs = [tmp_path / "steady", tmp_path / "stalled"]
    for run in runs:
        run.mkdir()
    echoes = [None, StalledTerminal(stall=5)]
    load = busy_loops()
    try:
        with ThreadPoolExecutor(len(runs)) as pool:
            outcomes = list(pool.map(
                lambda run, echo: run_qemu(command, run, run / "console.log", TIMEOUT_SECONDS,
                                           echo=echo), runs, echoes))
    finally:
        for process in load:
            process.kill()
            process.wait()
    for run, outcome in zip(runs, outcomes):
        console = (run / "console.log").read_text(errors="replace")
        assert not outcome.timed_out and outcome.status == 0, f"{run.name}: {console[-2000:]}"
        assert "passed, 0 failed" in console and len(console) > 96 * 1024, run.name
    assert echoes[1].written == (runs[1] / "console.log").stat().st_size
    assert sha256(runs[0] / "console.log") == sha256(runs[1] / "console.log")
    assert sha256(runs[0] / "trace.bin") == sha256(runs[1] / "trace.bin"), \
        "the same 4-hart icount run gave two traces"
