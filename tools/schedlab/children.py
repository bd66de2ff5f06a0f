"""The processes a command runs its work in (QEMU, the simulator, the analysis), so that an
interrupted command stops every one of them at once and leaves none behind.

Each child starts a session of its own, which everything it starts stays in (the analysis's
plotting workers, Ninja's compilers, though Ninja gives each its own process group), so the
terminal's Ctrl-C reaches only schedlab: schedlab then stops the children itself, knowing
which runs they belonged to. On SIGINT or SIGTERM (interruptible(), around every command) every
process of every child's session gets SIGTERM at once; what is still there TERM_GRACE_SECONDS
later gets SIGKILL, so a QEMU that cannot handle SIGTERM (its main loop stuck) does not outlive
its command. From then on no new child starts: start() raises
Interrupted, and the runs that were going record that they were interrupted.
"""
import os
import signal
import subprocess
import threading
import time
from contextlib import contextmanager

TERM_GRACE_SECONDS = 5

_lock = threading.Lock()
_live = set()
_stopping = threading.Event()


class Interrupted(BaseException):
    """SIGINT or SIGTERM reached the command. A BaseException, like KeyboardInterrupt: no
    `except Exception` in between may swallow it. exit_status is the shell's: 128 + signal."""

    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.exit_status = 128 + signum


def stopping():
    """True once the command was interrupted: a run that fails now failed because of that."""
    return _stopping.is_set()


def start(command, **popen_arguments):
    """subprocess.Popen in a new process group, known to stop_all() until forget()."""
    with _lock:
        if _stopping.is_set():
            raise Interrupted(signal.SIGINT)
        process = subprocess.Popen(command, start_new_session=True, **popen_arguments)
        _live.add(process)
    return process


def forget(process):
    """The process has been waited for: stop_all() must not signal its (reusable) group id."""
    with _lock:
        _live.discard(process)


def run(command, timeout=None, **popen_arguments):
    """subprocess.run's return code, for a child stop_all() can stop; on `timeout` the child is
    killed and subprocess.TimeoutExpired raised."""
    process = start(command, **popen_arguments)
    try:
        return process.wait(timeout=timeout)
    finally:
        if process.poll() is None:
            _signal_session(process.pid, signal.SIGKILL)
            process.wait()
        if _stopping.is_set():   # what the child started goes with it
            _signal_session(process.pid, signal.SIGKILL)
        forget(process)


def _session_members(session):
    """pids of the processes in a session (from /proc: Linux has no kill for a session). Its
    id, the leader's pid, is not reused while any of them lives."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()   # after "(command name)"
        except OSError:
            continue
        if int(fields[3]) == session:   # state, ppid, pgrp, session
            members.append(int(entry))
    return members


def _signal_session(session, signum):
    for pid in _session_members(session):
        try:
            os.kill(pid, signum)
        except (ProcessLookupError, PermissionError):
            pass


def _live_processes():
    with _lock:
        return [process for process in _live if process.poll() is None]


def _kill_survivors(deadline):
    while time.monotonic() < deadline and _live_processes():
        time.sleep(0.05)
    for process in _live_processes():
        _signal_session(process.pid, signal.SIGKILL)


def stop_all():
    """SIGTERM to every child's session now, SIGKILL to what remains after TERM_GRACE_SECONDS
    (from a thread: the caller goes on at once); no child starts after this."""
    with _lock:
        first = not _stopping.is_set()
        _stopping.set()
    for process in _live_processes():
        _signal_session(process.pid, signal.SIGTERM)
    if first:
        threading.Thread(target=_kill_survivors, daemon=True,
                         args=(time.monotonic() + TERM_GRACE_SECONDS,)).start()


def wait_all(bound=TERM_GRACE_SECONDS + 30):
    """After stop_all(): until no child is left (SIGKILL comes after the grace period); the
    bound only keeps a process the kernel cannot reap from hanging the command."""
    deadline = time.monotonic() + bound
    while _live_processes() and time.monotonic() < deadline:
        time.sleep(0.05)


def _interrupt(signum, frame):
    first = not _stopping.is_set()
    stop_all()
    if first:   # a second Ctrl-C must not cut short the clean-up of the first
        raise Interrupted(signum)


@contextmanager
def interruptible():
    """SIGINT and SIGTERM stop the children and raise Interrupted in the main thread; the
    previous handlers come back afterwards. Anywhere but the main thread it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _interrupt)
                for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def reset():
    """Forget an earlier interruption (a test calls several commands in one process)."""
    with _lock:
        _stopping.clear()
