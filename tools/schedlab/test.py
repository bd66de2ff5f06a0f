"""`schedlab test`: the one command that runs every test (DESIGN §7), also what CI runs.

The host build (no toolchain file) compiles the unit tests, drives the cross build of the
rr config and registers the qemu and analysis tests; ctest runs all of them.
"""
import subprocess
from pathlib import Path


def host_test_commands(repo, ctest_args=()):
    directory = str(Path(repo).resolve() / "build" / "host")
    return [["cmake", "-S", str(Path(repo).resolve()), "-B", directory, "-G", "Ninja"],
            ["cmake", "--build", directory],
            ["ctest", "--test-dir", directory, "--output-on-failure", "-j2", *ctest_args]]


def run_tests(repo, ctest_args=()):
    """Returns ctest's exit status, or the first failing build step's."""
    for command in host_test_commands(repo, ctest_args):
        print("test: " + " ".join(command), flush=True)
        status = subprocess.run(command, cwd=repo).returncode
        if status != 0:
            return status
    return 0
