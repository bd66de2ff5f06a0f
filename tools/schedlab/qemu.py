"""The QEMU command line for a SchedLab run, and running it with a log and a timeout."""
import shlex
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .setup import FIRMWARE

QEMU = "qemu-system-riscv64"
GDB_PORT = 1234   # QEMU's -s listens here


RUN_LIMIT_MS = 10000
RUN_LIMIT_MS_REALTIME = 100000


def boot_arguments(seed, realtime, params=()):
    """The kernel reads clock= and semihost= itself and passes all of them on to the root task
    (DESIGN §3.3); params are workload k=v. semihost=1 tells the kernel QEMU was started with
    semihosting, the channel its trace takes to the host."""
    clock = "realtime" if realtime else "icount"
    # A run still going after limit_ms of emulated time has hung or livelocked: the kernel stops
    # it with a dump of every hart and thread (exit status 96), which a wall-clock kill cannot.
    # Under --realtime emulated time is wall-clock time, and a loaded host is slow: allow more,
    # still less than the runner's default wall-clock timeout (120 s).
    default = RUN_LIMIT_MS_REALTIME if realtime else RUN_LIMIT_MS
    limit = [] if any(p.startswith("limit_ms=") for p in params) else [f"limit_ms={default}"]
    return " ".join([f"clock={clock}", "semihost=1", f"seed={seed}", *limit, *params])


def qemu_command(kernel, workload, cpus, bootargs, realtime=False, wait_for_debugger=False):
    command = [QEMU, "-machine", "virt", "-cpu", "rv64", "-smp", str(cpus), "-m", "512M",
               "-nographic", "-no-reboot", "-bios", FIRMWARE,
               "-kernel", str(Path(kernel).resolve()),
               "-initrd", str(Path(workload).resolve()),
               "-append", bootargs,
               "-semihosting-config", "enable=on,target=native"]
    if not realtime:
        # One instruction is one virtual nanosecond: same build + seed, same trace (DESIGN §6).
        command += ["-icount", "shift=0,sleep=off"]
    if wait_for_debugger:
        command += ["-s", "-S"]
    return command


def gdb_attach_command(kernel):
    return shlex.join(["gdb-multiarch", "-ex", "set architecture riscv:rv64",
                       "-ex", f"target remote localhost:{GDB_PORT}", str(Path(kernel).resolve())])


@dataclass
class QemuOutcome:
    status: int          # QEMU's exit status, which is the workload's; meaningless if timed_out
    timed_out: bool
    seconds: float


def _copy_output(source, log, echo):
    while chunk := source.read1(65536):
        log.write(chunk)
        log.flush()
        if echo:
            sys.stdout.buffer.write(chunk)
            sys.stdout.flush()


def run_qemu(command, cwd, log_path, timeout, verbose=False):
    """Run QEMU in cwd (where semihosting writes trace.bin), output to log_path.

    stdin is /dev/null: with -nographic QEMU would otherwise put the user's terminal in
    raw mode, and parallel runs would fight over it.
    """
    started = time.monotonic()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        copier = threading.Thread(target=_copy_output, args=(process.stdout, log, verbose))
        copier.start()
        timed_out = False
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            if process.poll() is None:   # timeout, or Ctrl-C / an error in this process
                process.kill()
                process.wait()
            copier.join()
            process.stdout.close()
    return QemuOutcome(process.returncode, timed_out, time.monotonic() - started)
