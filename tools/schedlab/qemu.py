"""The QEMU command line for a SchedLab run, and running it with a log and a timeout."""
import shlex
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import REPO_ROOT, SchedlabError, children
from .setup import FIRMWARE

QEMU = "qemu-system-riscv64"
GDB_PORT = 1234   # QEMU's -s listens here


RUN_LIMIT_MS = 10000
RUN_LIMIT_MS_REALTIME = 100000


def boot_arguments(seed, realtime, params=()):
    """The kernel reads semihost= itself and passes all of them on to the root task
    (DESIGN §3.3); params are workload k=v. semihost=1 tells the kernel QEMU was started with
    semihosting, the channel its trace takes to the host. clock= says how QEMU runs; the kernel
    detects that itself (a seL4 image has no boot arguments) and only warns if clock= disagrees."""
    clock = "realtime" if realtime else "icount"
    # A run still going after limit_ms of emulated time has hung or livelocked: the kernel stops
    # it with a dump of every hart and thread (exit status 96), which a wall-clock kill cannot.
    # Under --realtime emulated time is wall-clock time, and a loaded host is slow: allow more,
    # still less than the runner's default wall-clock timeout (120 s).
    default = RUN_LIMIT_MS_REALTIME if realtime else RUN_LIMIT_MS
    limit = [] if any(p.startswith("limit_ms=") for p in params) else [f"limit_ms={default}"]
    # A run whose threads have all blocked with no timer armed can never finish: deadlock=halt has
    # the kernel stop it there with a dump (exit status 98). Without the key the kernel idles, as
    # seL4 does, which is what a seL4 system image (no such argument) gets.
    deadlock = [] if any(p.startswith("deadlock=") for p in params) else ["deadlock=halt"]
    return " ".join([f"clock={clock}", "semihost=1", f"seed={seed}", *limit, *deadlock, *params])


# Nothing of the host may reach the guest, or an icount run stops repeating byte for byte
# (DESIGN §6): QEMU 7.2 virt otherwise puts 32 bytes of host randomness in the device tree
# (/chosen/rng-seed; -seed makes them a fixed sequence) and starts the goldfish RTC at the
# host's date on the host's clock (its TIME register and its alarms; -rtc makes it count
# emulated time from a fixed date).
GUEST_RNG_SEED = 1
RTC = "base=2000-01-01T00:00:00,clock=vm"
HOST_KEPT_OUT = ["-seed", str(GUEST_RNG_SEED), "-rtc", RTC]   # every QEMU command line has them


def qemu_command(kernel, workload, cpus, bootargs, realtime=False, wait_for_debugger=False):
    command = [QEMU, "-machine", "virt", "-cpu", "rv64", "-smp", str(cpus), "-m", "512M",
               "-nographic", "-no-reboot", *HOST_KEPT_OUT, "-bios", FIRMWARE,
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


def qemu_error(console):
    """QEMU's own complaint in a console log (a line 'qemu-system-riscv64: ...': it could not
    start, e.g. a missing firmware or kernel file), or None."""
    try:
        lines = Path(console).read_text(errors="replace").splitlines()
    except OSError:
        return None
    return next((line for line in lines if line.startswith(f"{QEMU}: ")), None)


def gdb_attach_command(kernel, workload=None):
    """gdb-multiarch attached to the stub, with the kernel's symbols and, given the workload's
    ELF, its symbols too (linked at fixed addresses, so add-symbol-file needs no offset): a
    breakpoint may then be set in user code as in the kernel."""
    user = ["-ex", f"add-symbol-file {shlex.quote(str(Path(workload).resolve()))}"] \
        if workload else []
    # the ELFs name their sources relative to the repository (cmake/target_flags.cmake)
    sources = ["-ex", f"directory {shlex.quote(str(REPO_ROOT))}"]
    return shlex.join(["gdb-multiarch", "-ex", "set architecture riscv:rv64", *sources, *user,
                       "-ex", f"target remote localhost:{GDB_PORT}", str(Path(kernel).resolve())])


@dataclass
class QemuOutcome:
    status: int          # QEMU's exit status, which is the workload's; meaningless if timed_out
    timed_out: bool
    seconds: float
    killed: bool = False  # it outlived SIGTERM by TERM_GRACE_SECONDS and was sent SIGKILL


# A QEMU asked to stop gets this long to exit on SIGTERM before SIGKILL: one whose main loop
# cannot run (the thread that handles the signal needs QEMU's big lock) must not outlive its run.
TERM_GRACE_SECONDS = children.TERM_GRACE_SECONDS


def stop_qemu(process, grace=None):
    """SIGTERM, then SIGKILL if it is still there after `grace` seconds (TERM_GRACE_SECONDS);
    True if it needed that."""
    grace = TERM_GRACE_SECONDS if grace is None else grace
    if process.poll() is not None:
        return False
    process.terminate()
    try:
        process.wait(timeout=grace)
        return False
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return True


def _follow(path, echo, stopped):
    """Copy what QEMU appends to `path` to `echo` until `stopped` is set and all is copied."""
    with open(path, "rb") as log:
        while True:
            finished = stopped.is_set()
            while chunk := log.read(65536):
                echo.write(chunk)
                echo.flush()
            if finished:
                return
            stopped.wait(0.05)


def _dies_with_its_runner(command):
    """A runner killed outright (SIGKILL, or SIGTERM, which skips Python's clean-up) takes its
    QEMU with it: util-linux's setpriv sets the parent-death signal and execs the command."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "KILL", "--", *command] if setpriv else list(command)


def run_qemu(command, cwd, log_path, timeout, verbose=False, echo=None):
    """Run QEMU in cwd (where semihosting writes trace.bin), its output into log_path; after
    `timeout` wall-clock seconds it is stopped (stop_qemu) and the outcome says timed_out.

    QEMU writes straight into log_path, a regular file, where a write never waits for a reader.
    Through a pipe it would: QEMU makes its stdout non-blocking, so when the reader falls behind
    (a loaded host, a slow terminal under --verbose) and the pipe fills, the UART's write gets
    EAGAIN and QEMU keeps the transmitter busy (LSR.THRE clear) until the host drains the pipe,
    while the guest's console driver spins on it: emulated time the host decides, so an icount
    run stops repeating, and a reader that stops leaves the guest spinning silently for ever.
    --verbose (or `echo`, a binary stream) follows the file instead, at its own pace.

    stdin is /dev/null: with -nographic QEMU would otherwise put the user's terminal in
    raw mode, and parallel runs would fight over it. QEMU runs in a process group of its own
    (children.start), which an interrupted command stops with the others.
    """
    started = time.monotonic()
    if verbose and echo is None:
        echo = sys.stdout.buffer
    if shutil.which(command[0]) is None:   # setpriv would start, and then fail to exec it
        raise SchedlabError(f"QEMU cannot start: {command[0]}: no such program")
    with open(log_path, "wb") as log:
        try:
            process = children.start(_dies_with_its_runner(command), cwd=cwd,
                                     stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=subprocess.STDOUT)
        except OSError as error:
            raise SchedlabError(f"QEMU cannot start: {command[0]}: {error.strerror}") from None
    stopped = threading.Event()
    follower = threading.Thread(target=_follow, args=(log_path, echo, stopped)) if echo else None
    if follower:
        follower.start()
    timed_out = killed = False
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        # timeout, or Ctrl-C / an error in this process
        killed = stop_qemu(process)
        children.forget(process)
        stopped.set()
        if follower:
            follower.join()
    return QemuOutcome(process.returncode, timed_out, time.monotonic() - started, killed)
