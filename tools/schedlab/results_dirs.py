"""Results directories that never collide, and result files that never half-exist.

Many SchedLab commands may start in the same second (a sweep): each run, compare, fuzz or
calibrate gets a directory of its own, results/<stem>, or results/<stem>-2, -3 ... when another
command took that name first (mkdir fails on an existing directory, so two processes can never
both have one). A directory named by --out is the user's choice; one that already holds
results is refused unless --force says to write over it.

Errors of the machine (a full disk, no permission on results/) name their cause and the path.
"""
import errno
import itertools
import json
from pathlib import Path

from analysis.atomic_file import write_atomically   # numpy-free

from . import SchedlabError, shown

_CAUSES = {errno.ENOSPC: "no space left on the device",
           errno.EDQUOT: "disk quota exceeded",
           errno.EACCES: "permission denied",
           errno.EPERM: "operation not permitted",
           errno.EROFS: "read-only file system"}


def describe_os_error(error, path=None):
    """'results/x: permission denied' from an OSError, for an `error:` line."""
    cause = _CAUSES.get(error.errno, error.strerror or str(error))
    where = path if path is not None else error.filename
    return f"{shown(where)}: {cause}" if where is not None else cause


def make_directory(path, **mkdir_arguments):
    """Path.mkdir, a failure naming its cause and the path (FileExistsError passes through)."""
    try:
        Path(path).mkdir(**mkdir_arguments)
    except FileExistsError:
        raise
    except OSError as error:
        raise SchedlabError(f"cannot create the results directory "
                            f"{describe_os_error(error, path)}") from None


def new_directory(parent, stem):
    """A directory under `parent` that this call created: parent/stem, else stem-2, stem-3..."""
    make_directory(parent, parents=True, exist_ok=True)
    for index in itertools.count(1):
        path = Path(parent) / (stem if index == 1 else f"{stem}-{index}")
        try:
            make_directory(path)
            return path
        except FileExistsError:
            continue


def claim_out(path, force, flag="--out"):
    """The directory --out names, made if missing; one that already holds files is refused
    without --force, so no command writes over results by accident."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise SchedlabError(f"{flag} {shown(path)}: exists and is not a directory")
    if path.is_dir() and any(path.iterdir()) and not force:
        raise SchedlabError(f"{flag} {shown(path)}: already holds results; choose another "
                            "directory, or add --force to write over them")
    make_directory(path, parents=True, exist_ok=True)
    return path


def write_file(path, text):
    """path's new content, atomically (analysis.atomic_file); a failure names cause and path."""
    try:
        return write_atomically(path, text)
    except OSError as error:
        raise SchedlabError(f"cannot write {describe_os_error(error, path)}") from None


def write_json(path, value):
    return write_file(path, json.dumps(value, indent=2) + "\n")
