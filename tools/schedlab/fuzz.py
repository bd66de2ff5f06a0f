"""`schedlab fuzz`: the kernel fuzzer (tests/fuzz, DESIGN §7) in QEMU, deterministic from its seed.

The root task gives unprivileged workers real caps of every type, has them issue seeded random
system calls, invocations and faults, and checks the kernel continually; it prints one
"FUZZ SUMMARY" line and exits 0, or a "FUZZ FAIL [check]" line and exits FUZZ_STATUS_FAILED. A
kernel panic, the kernel's run limit (a hang it noticed) or QEMU still running at the wall-clock
timeout (a hang nothing inside noticed) fail the run too. Every failure prints the seed and the
exact command that replays it.
"""
import os
import re
import shlex
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from analysis.atomic_file import write_atomically   # numpy-free

from . import SchedlabError, shown
from .build import build
from .console_reason import console_reason
from .qemu import boot_arguments, qemu_command, run_qemu

DEFAULT_CALLS = 100_000
LONG_CALLS = 10_000_000
FUZZ_STATUS_FAILED = 3     # tests/fuzz/supervisor.h
KERNEL_STATUS = {96: "the kernel's run limit was reached: the run hung",
                 98: "the kernel found every hart deadlocked",
                 99: "kernel panic"}
# The kernel's run limit (emulated time): far above what the calls need (the slowest
# configuration measured, a 4-hart kernel checking its invariants, takes 0.3 ms per call), so
# only a hang reaches it.
BASE_LIMIT_MS = 20_000
LIMIT_MS_PER_CALL = 2
# The wall-clock backstop for a guest that stopped taking timer interrupts: generous for any
# host (the slowest configuration measured takes about 1 ms per call on this project's machines).
BASE_TIMEOUT_S = 300
TIMEOUT_S_PER_CALL = 0.01
# A kernel checking its invariants scans every object now and then, in one kernel entry: the
# fuzzer's bound on how late its watchdog may wake is this much looser there.
CHECKED_LATENESS_FACTOR = 10
FUZZ_LATENESS_MS, FUZZ_LATENESS_SMP_MS = 5, 25   # tests/fuzz/watchdog.c


@dataclass
class FuzzRequest:
    scheduler: str
    cpus: int
    seed: int
    calls: int
    out: Path
    settings: dict = field(default_factory=dict)   # build-time --set, as CMake variables
    assignments: list = field(default_factory=list)  # the same as typed, for the replay line
    params: list = field(default_factory=list)     # extra boot arguments (--param)
    timeout: float = None
    keep_trace: bool = False
    verbose: bool = False

    def wall_timeout(self):
        return self.timeout or BASE_TIMEOUT_S + TIMEOUT_S_PER_CALL * self.calls

    def replay_command(self):
        words = ["./schedlab", "fuzz", "--sched", self.scheduler, "--cpus", str(self.cpus),
                 "--seed", str(self.seed), "--calls", str(self.calls)]
        for assignment in self.assignments:
            words += ["--set", assignment]
        for param in self.params:
            words += ["--param", param]
        return shlex.join(words)


@dataclass
class FuzzResult:
    request: FuzzRequest
    ok: bool
    summary: str     # the FUZZ SUMMARY line, or why the run failed
    console: Path
    seconds: float


def boot_args(request):
    limit = BASE_LIMIT_MS + LIMIT_MS_PER_CALL * request.calls
    params = [f"fuzz.calls={request.calls}", f"limit_ms={limit}"]
    checked = request.settings.get("SCHEDLAB_CHECK_INVARIANTS") == "ON"
    if checked and not any(p.startswith("fuzz.lateness_ms=") for p in request.params):
        lateness = FUZZ_LATENESS_SMP_MS if request.cpus > 1 else FUZZ_LATENESS_MS
        params.append(f"fuzz.lateness_ms={lateness * CHECKED_LATENESS_FACTOR}")
    return boot_arguments(request.seed, False, [*params, *request.params])


def failure_reason(status, timed_out, console_text, timeout):
    """One line: what went wrong, from the exit status and the console."""
    if timed_out:
        return (f"hang: QEMU still running after {timeout:g} s of wall-clock time "
                "(the guest stopped taking timer interrupts)")
    reason = console_reason(console_text)
    if reason:
        return reason
    if status in KERNEL_STATUS:
        return f"{KERNEL_STATUS[status]} (exit status {status})"
    if status == 0:
        return "exit status 0 but no FUZZ SUMMARY line"
    return f"exit status {status}"


def run_fuzz(artifacts, request):
    """One fuzz run in QEMU; the console goes to request.out/console.log."""
    out = Path(request.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    elf = artifacts.directory / "tests" / "fuzz" / "fuzz.elf"
    if not elf.is_file():
        raise SchedlabError(f"the build made no {shown(elf)}")
    trace = out / "trace.bin"
    if trace.is_symlink() or trace.exists():
        trace.unlink()
    if not request.keep_trace:
        # the kernel writes its trace through semihosting; a long run's would be gigabytes
        trace.symlink_to(os.devnull)
    command = qemu_command(artifacts.kernel, elf, request.cpus, boot_args(request))
    console = out / "console.log"
    outcome = run_qemu(command, out, console, request.wall_timeout(), request.verbose)
    if not request.keep_trace:
        trace.unlink()
    text = console.read_text(errors="replace")
    summary = re.search(r"^FUZZ SUMMARY .*$", text, re.MULTILINE)
    ok = not outcome.timed_out and outcome.status == 0 and summary is not None
    line = summary.group(0) if ok else failure_reason(outcome.status, outcome.timed_out, text,
                                                      request.wall_timeout())
    write_atomically(out / "command.txt",
                     shlex.join(command) + "\n" + request.replay_command() + "\n")
    return FuzzResult(request, ok, line, console, outcome.seconds)


def report(result):
    request = result.request
    label = f"{request.scheduler}, {request.cpus} hart(s), seed {request.seed}"
    if result.ok:
        return f"fuzz {label}: passed in {result.seconds:.1f}s\n  {result.summary}"
    return (f"fuzz {label}: FAILED after {result.seconds:.1f}s\n"
            f"  {result.summary}\n"
            f"  seed: {request.seed}\n"
            f"  replay: {request.replay_command()}\n"
            f"  console: {shown(result.console)}")


def fuzz_all(repo, requests, parallel=None, verbose=False):
    """Build each scheduler (once per settings) and run every request, in parallel up to the
    number of cores. Returns the results in request order."""
    built = {}
    for request in requests:
        key = (request.scheduler, tuple(sorted(request.settings.items())))
        if key not in built:
            built[key] = build(repo, request.scheduler, request.settings, verbose=verbose)
    parallel = parallel or max(1, min(os.cpu_count() or 1, len(requests)))
    started = time.monotonic()

    def run(request):
        key = (request.scheduler, tuple(sorted(request.settings.items())))
        result = run_fuzz(built[key], request)
        print(report(result), flush=True)
        return result

    print(f"fuzz: {len(requests)} run(s), {parallel} at a time", flush=True)
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        results = list(pool.map(run, requests))
    failed = sum(not r.ok for r in results)
    print(f"fuzz: {len(results) - failed} of {len(results)} passed "
          f"({time.monotonic() - started:.1f}s)", flush=True)
    return results
