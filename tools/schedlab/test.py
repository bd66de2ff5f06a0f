"""`schedlab test`: the one command that runs every test (DESIGN §7), also what CI runs.

The host build (no toolchain file) compiles the unit tests, drives the cross build of the
rr config and registers the qemu and analysis tests; ctest runs all of them. The host build
holds build/host's build lock (build.build_lock) as every build does, so two `schedlab test`
at once do not run CMake in one directory together.
"""
import subprocess
from pathlib import Path

from .build import build_lock
from .ctest_progress import run_ctest


def host_build_directory(repo):
    return Path(repo).resolve() / "build" / "host"


def host_test_commands(repo, ctest_args=()):
    directory = str(host_build_directory(repo))
    return [["cmake", "-S", str(Path(repo).resolve()), "-B", directory, "-G", "Ninja"],
            ["cmake", "--build", directory],
            ["ctest", "--test-dir", directory, "--output-on-failure", "-j2", *ctest_args]]


def _run(command, repo):
    print("test: " + " ".join(command), flush=True)
    return subprocess.run(command, cwd=repo).returncode


def run_tests(repo, ctest_args=()):
    """Returns ctest's exit status, or the first failing build step's. ctest's output comes
    with progress while the long groups run (ctest_progress.py)."""
    *build_commands, ctest = host_test_commands(repo, ctest_args)
    with build_lock(host_build_directory(repo), "the host tests"):
        for command in build_commands:
            status = _run(command, repo)
            if status != 0:
                return status
    print("test: " + " ".join(ctest), flush=True)
    return run_ctest(ctest, repo, write=lambda line: print(line, flush=True))
