"""Building the kernel and workloads for one scheduler configuration with CMake + Ninja.

Every command that builds (run, compare, build, debug, fuzz, calibrate, the simulator's builds)
goes through build_locked(): any number of commands needing one build directory build it once.
Each holds an flock on <build dir>/.schedlab-build.lock while CMake and Ninja run there, so the
others wait (saying so, once) and then find it up to date (Ninja does nothing). The kernel
drops the lock when its holder exits, however it ends. Different directories (configurations,
--set variants) build in parallel.

SCHEDLAB_BUILD_ROOT, when set, is used instead of <repo>/build (a sweep's or a test's own
build tree).
"""
import os
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import SchedlabError, children, shown
from .configs import settings_suffix
from .file_lock import file_lock

LOG_TAIL_LINES = 30
BUILD_ROOT_VARIABLE = "SCHEDLAB_BUILD_ROOT"
LOCK_NAME = ".schedlab-build.lock"


@dataclass
class BuildArtifacts:
    directory: Path

    @property
    def kernel(self):
        return self.directory / "kernel" / "kernel.elf"

    def workload(self, name):
        return self.directory / "workloads" / f"{name}.elf"


def build_root(repo):
    """Where build directories go: <repo>/build, or $SCHEDLAB_BUILD_ROOT."""
    return Path(os.environ.get(BUILD_ROOT_VARIABLE) or Path(repo) / "build")


# `debug --debug-build`: kernel and workloads unoptimised (cmake/target_flags.cmake), in a
# directory of their own so the optimised build that runs measure stays as it is
DEBUG_OPTIMIZATION = "-O0"
DEBUG_SUFFIX = "-debug"


def build_directory(repo, scheduler, settings, debug=False):
    """build/<sched>, or build/<sched>-<hash> when --set changes it, so variants coexist;
    -debug appended for the unoptimised build."""
    name = f"{scheduler}-{settings_suffix(settings)}" if settings else scheduler
    return build_root(repo) / (name + (DEBUG_SUFFIX if debug else ""))


@contextmanager
def build_lock(directory, what):
    """Held while `what` builds in `directory`; waits for (and says so) a command holding it."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SchedlabError(f"cannot build {what} in {shown(directory)}: "
                            f"{error.strerror}") from None

    def wait():
        print(f"waiting for the build of {what} in {shown(directory)} (another command is "
              "building it)", flush=True)

    with file_lock(directory / LOCK_NAME, wait):
        yield


def configure_command(repo, scheduler, directory, settings, debug=False):
    repo = Path(repo).resolve()
    return ["cmake", "-S", str(repo), "-B", str(directory), "-G", "Ninja",
            f"-DCMAKE_TOOLCHAIN_FILE={repo / 'cmake' / 'riscv64-elf.cmake'}",
            f"-DSCHEDLAB_CONFIG={scheduler}",
            *(f"-D{variable}={settings[variable]}" for variable in sorted(settings)),
            *([f"-DSCHEDLAB_OPTIMIZATION={DEBUG_OPTIMIZATION}"] if debug else [])]


def _run_logged(command, log, verbose):
    # A child the interrupted command stops with its whole group (children.py): no Ninja or
    # compiler may go on writing into the directory after the lock is gone.
    if verbose:
        return children.run(command)
    log.write(f"$ {' '.join(command)}\n")
    log.flush()
    return children.run(command, stdout=log, stderr=subprocess.STDOUT)


def build_locked(directory, what, configure, verbose=False):
    """Configure (always: cheap, and picks up new --set values) then build incrementally,
    holding the directory's build lock. `configure` is the CMake configure command.

    Output goes to <build dir>/build.log so that `compare`, which builds every scheduler,
    prints one line per step; --verbose streams it instead. A failure shows the log's tail
    and where the log is.
    """
    directory = Path(directory)
    print(f"build {what} -> {shown(directory)}", flush=True)
    with build_lock(directory, what):
        log_path = directory / "build.log"
        with open(log_path, "w") as log:
            for command in (configure, ["cmake", "--build", str(directory)]):
                if _run_logged(command, log, verbose) != 0:
                    if not verbose:
                        log.flush()
                        tail = log_path.read_text().splitlines()[-LOG_TAIL_LINES:]
                        sys.stderr.write("\n".join(tail) + "\n")
                    raise SchedlabError(f"build of {what} failed: '{' '.join(command)}'"
                                        + ("" if verbose else f"; full log: {shown(log_path)}"))
    return directory


def build(repo, scheduler, settings, verbose=False, debug=False):
    """The kernel and workloads of one configuration: BuildArtifacts of its build directory
    (`debug`: the unoptimised build, for gdb)."""
    directory = build_directory(repo, scheduler, settings, debug)
    build_locked(directory, scheduler + (" (unoptimised)" if debug else ""),
                 configure_command(repo, scheduler, directory, settings, debug), verbose)
    artifacts = BuildArtifacts(directory)
    if not artifacts.kernel.is_file():
        raise SchedlabError(f"build of {scheduler} made no kernel at {shown(artifacts.kernel)}")
    return artifacts
