"""Running root tasks in QEMU for the tests, with the CLI's own QEMU command line and runner."""
import time
from pathlib import Path

from tools.schedlab import REPO_ROOT
from tools.schedlab.build import BuildArtifacts, build_directory
from tools.schedlab.qemu import boot_arguments, qemu_command, run_qemu
from tools.schedlab.run import RunRequest, run_workload

TIMEOUT_SECONDS = 300


def artifacts(scheduler="rr", settings=None):
    """The build `qemu.build.<scheduler>` made (the ctest fixture); tests never build."""
    found = BuildArtifacts(build_directory(REPO_ROOT, scheduler, settings or {}))
    assert found.kernel.is_file(), f"no kernel at {found.kernel}: run ./schedlab build first"
    return found


def run_root_task(elf, out, params=(), cpus=1, scheduler="rr", realtime=False, settings=None,
                  clock_argument=True):
    """Boot `elf` as the root task; returns (exit status, console text). clock_argument=False
    leaves clock= out of the boot arguments, as a seL4 image's device tree has none: the kernel
    must find out the clock itself."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    bootargs = boot_arguments(1, realtime, list(params))
    if not clock_argument:
        bootargs = " ".join(word for word in bootargs.split() if not word.startswith("clock="))
    command = qemu_command(artifacts(scheduler, settings).kernel, elf, cpus, bootargs,
                           realtime=realtime)
    outcome = run_qemu(command, out, out / "console.log", TIMEOUT_SECONDS)
    assert not outcome.timed_out, (f"ran longer than {TIMEOUT_SECONDS} s wall clock: hung, or the "
                                   f"host is very slow (QEMU stopped); console: {out / 'console.log'}")
    return outcome.status, (out / "console.log").read_text(errors="replace")


def run(workload, out, scheduler="rr", params=(), cpus=1, settings=None, placement="spread"):
    """A full `./schedlab run` of a workload (QEMU, metrics, plots) against the fixture build."""
    request = RunRequest(scheduler=scheduler, workload=workload, out=Path(out), params=list(params),
                         timeout=TIMEOUT_SECONDS, cpus=cpus, settings=dict(settings or {}),
                         placement=placement)
    return run_workload(REPO_ROOT, artifacts(scheduler, settings), request)


class StalledTerminal:
    """A console reader that falls behind: its first write takes seconds, as a loaded host's
    terminal or a busy Python process can."""
    def __init__(self, stall):
        self.stall, self.written = stall, 0

    def write(self, chunk):
        if not self.written:
            time.sleep(self.stall)
        self.written += len(chunk)

    def flush(self):
        pass
