"""An flock on a file: held by one process (one open file) at a time, dropped by the kernel
when its holder exits, however it ends. Used for build directories (one build at a time,
the others wait) and compare directories (one compare at a time, another is refused)."""
import fcntl
import os
from contextlib import contextmanager

from . import SchedlabError, shown


@contextmanager
def file_lock(path, busy):
    """Hold the lock on `path` (made if missing) in the block. When another holds it, busy()
    is called once: it raises to refuse, or returns to wait for the lock."""
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise SchedlabError(f"cannot lock {shown(path)}: {error.strerror}") from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            busy()
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)   # releases the lock
