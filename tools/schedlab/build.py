"""Building the kernel and workloads for one scheduler configuration with CMake + Ninja."""
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from . import SchedlabError, shown
from .configs import settings_suffix

LOG_TAIL_LINES = 30


@dataclass
class BuildArtifacts:
    directory: Path

    @property
    def kernel(self):
        return self.directory / "kernel" / "kernel.elf"

    def workload(self, name):
        return self.directory / "workloads" / f"{name}.elf"


def build_directory(repo, scheduler, settings):
    """build/<sched>, or build/<sched>-<hash> when --set changes it, so variants coexist."""
    name = f"{scheduler}-{settings_suffix(settings)}" if settings else scheduler
    return Path(repo) / "build" / name


def configure_command(repo, scheduler, directory, settings):
    repo = Path(repo).resolve()
    return ["cmake", "-S", str(repo), "-B", str(directory), "-G", "Ninja",
            f"-DCMAKE_TOOLCHAIN_FILE={repo / 'cmake' / 'riscv64-elf.cmake'}",
            f"-DSCHEDLAB_CONFIG={scheduler}",
            *(f"-D{variable}={settings[variable]}" for variable in sorted(settings))]


def _run_logged(command, log, verbose):
    if verbose:
        return subprocess.run(command).returncode
    log.write(f"$ {' '.join(command)}\n")
    log.flush()
    return subprocess.run(command, stdout=log, stderr=subprocess.STDOUT).returncode


def build(repo, scheduler, settings, verbose=False):
    """Configure (always: cheap, and picks up new --set values) then build incrementally.

    Output goes to <build dir>/build.log so that `compare`, which builds every scheduler,
    prints one line per step; --verbose streams it instead. A failure shows the log's tail
    and where the log is.
    """
    directory = build_directory(repo, scheduler, settings)
    directory.mkdir(parents=True, exist_ok=True)
    log_path = directory / "build.log"
    print(f"build {scheduler} -> {shown(directory)}", flush=True)
    commands = [configure_command(repo, scheduler, directory, settings),
                ["cmake", "--build", str(directory)]]
    with open(log_path, "w") as log:
        for command in commands:
            if _run_logged(command, log, verbose) != 0:
                if not verbose:
                    log.flush()
                    tail = log_path.read_text().splitlines()[-LOG_TAIL_LINES:]
                    sys.stderr.write("\n".join(tail) + "\n")
                raise SchedlabError(f"build of {scheduler} failed: '{' '.join(command)}'"
                                    + ("" if verbose else f"; full log: {shown(log_path)}"))
    artifacts = BuildArtifacts(directory)
    if not artifacts.kernel.is_file():
        raise SchedlabError(f"build of {scheduler} made no kernel at {shown(artifacts.kernel)}")
    return artifacts
