"""Writing a result file so that no reader ever sees it half-written.

Sweeps run many SchedLab commands at once, and a report may read a run's files while the run is
still writing them: each file is written under a temporary name in its own directory, then
renamed over the real name (rename is atomic within a file system). A write that fails (a full
disk, no permission) removes its temporary file and leaves the earlier version untouched.
Free of numpy, so the schedlab command uses it too.
"""
import os
import threading
from contextlib import contextmanager
from pathlib import Path


def _temporary_name(path):
    # Unique per process and thread: two writers of one file never share a temporary file.
    return path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")


def _naming(error, path):
    """The OSError again, naming the file the caller asked for rather than the temporary one."""
    return OSError(error.errno, error.strerror, str(path))


@contextmanager
def atomic_output(path, mode="w", **open_arguments):
    """open(path, mode) for writing, but the file appears under `path` only when the block
    finishes without an exception; an OSError names `path`."""
    path = Path(path)
    temporary = _temporary_name(path)
    try:
        with open(temporary, mode, **open_arguments) as stream:
            yield stream
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise _naming(error, path) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_atomically(path, data):
    """Path.write_text / write_bytes, atomically (str or bytes)."""
    with atomic_output(path, "wb" if isinstance(data, bytes) else "w") as stream:
        stream.write(data)
    return Path(path)
