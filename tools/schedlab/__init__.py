"""The `schedlab` command: build, run, compare and test SchedLab schedulers.

Shared pieces every module needs live here: where the repository is, which Python runs
the project's code, and the two kinds of error the command reports.
"""
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

# Debian's interpreter: the python3 first on PATH may not see Debian's matplotlib/numpy
# (DESIGN §8), and PyPI is unreachable, so the analysis always runs under this one.
PYTHON = "/usr/bin/python3"


class UsageError(Exception):
    """A bad flag or value; reported as `error: ...` with exit status 2."""


class SchedlabError(Exception):
    """A step that failed (missing tool, build, QEMU run); reported with exit status 1."""


def shown(path):
    """A path as the user should read it: relative to their cwd when it is below it."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
