"""Checking for, and installing, the Debian packages SchedLab needs (DESIGN §1, §8).

On a fresh Debian 12 machine as root `./schedlab compare` and `./schedlab test` must just
work, so every subcommand that needs tools calls ensure() first. It is silent when nothing
is missing.
"""
import os
import shutil
import subprocess
from pathlib import Path

from . import PYTHON, SchedlabError

FIRMWARE = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf"

REQUIRED_COMMANDS = {
    "riscv64-unknown-elf-gcc": "gcc-riscv64-unknown-elf",
    "qemu-system-riscv64": "qemu-system-misc",
    "cmake": "cmake",
    "ninja": "ninja-build",
    "gcc": "gcc",          # host unit tests (policies compiled from the kernel sources)
}
DEBUGGER_COMMANDS = {"gdb-multiarch": "gdb-multiarch"}
# `./schedlab test` only: the report is checked in a real headless browser
# (tests/report/test_report_browser.py), driven through chromedriver
BROWSER_COMMANDS = {"chromium": "chromium", "chromedriver": "chromium-driver"}
# `sweep --snakemake` and `./schedlab test` (sim.sweep runs a sweep through it): nothing else
# needs it, so no other command asks for it
WORKFLOW_COMMANDS = {"snakemake": "snakemake"}
REQUIRED_FILES = {FIRMWARE: "opensbi"}
REQUIRED_PYTHON_MODULES = {
    "matplotlib": "python3-matplotlib",
    "numpy": "python3-numpy",
    "pytest": "python3-pytest",
}

_PRINT_MISSING_MODULES = (
    "import importlib.util, sys\n"
    "print(' '.join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))"
)


def _missing_python_modules(python):
    if not os.access(python, os.X_OK):
        return list(REQUIRED_PYTHON_MODULES)
    result = subprocess.run([python, "-c", _PRINT_MISSING_MODULES, *REQUIRED_PYTHON_MODULES],
                            capture_output=True, text=True)
    if result.returncode != 0:
        return list(REQUIRED_PYTHON_MODULES)
    return result.stdout.split()


def find_missing(path=None, python=PYTHON, with_debugger=False, with_browser=False,
                 with_workflows=False):
    """Return {what is missing: Debian package}; path and python are for tests."""
    commands = dict(REQUIRED_COMMANDS, **(DEBUGGER_COMMANDS if with_debugger else {}),
                    **(BROWSER_COMMANDS if with_browser else {}),
                    **(WORKFLOW_COMMANDS if with_workflows else {}))
    missing = {command: package for command, package in commands.items()
               if shutil.which(command, path=path) is None}
    missing.update({file: package for file, package in REQUIRED_FILES.items()
                    if not Path(file).exists()})
    for module in _missing_python_modules(python):
        missing[f"python module {module}"] = REQUIRED_PYTHON_MODULES[module]
    return missing


APT_LOCK_WAIT_S = 900


def install_command(packages):
    return ["apt-get", "install", "-y", "--no-install-recommends", *packages]


def ensure(with_debugger=False, with_browser=False, with_workflows=False):
    wanted = dict(with_debugger=with_debugger, with_browser=with_browser,
                  with_workflows=with_workflows)
    missing = find_missing(**wanted)
    if not missing:
        return
    packages = sorted(set(missing.values()))
    what = ", ".join(missing)
    if os.geteuid() != 0:
        raise SchedlabError(f"missing: {what}\ninstall with:\n  sudo "
                            + " ".join(install_command(packages)))
    print(f"setup: missing {what}", flush=True)
    print(f"setup: installing Debian packages: {' '.join(packages)}", flush=True)
    environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update"], install_command(packages)):
        print("setup: " + " ".join(command), flush=True)
        # Another apt (a second schedlab command, unattended-upgrades on a fresh machine)
        # may hold dpkg's lock: wait for it instead of failing at once.
        waiting = [command[0], "-o", f"DPkg::Lock::Timeout={APT_LOCK_WAIT_S}", *command[1:]]
        if subprocess.run(waiting, env=environment).returncode != 0:
            raise SchedlabError(f"setup: '{' '.join(command)}' failed")
    still_missing = find_missing(**wanted)
    if still_missing:
        raise SchedlabError(f"setup: still missing after install: {', '.join(still_missing)}")
