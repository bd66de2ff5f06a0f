"""ctest's output with progress, for `./schedlab test`: the long QEMU groups run for minutes
with nothing on the terminal (ctest shows a test's output only when it ends), so every line
ctest prints is passed on, a finished test's line gains the elapsed time of the whole run, and
while tests run a line every `interval` seconds says which, for how long, and how many are done:
  test: 31 of 44 done, elapsed 6m12s; running: qemu.workloads (4m05s), qemu.smp (1m40s)
"""
import re
import subprocess
import threading
import time

from . import children
from .compare import format_duration

_START = re.compile(r"^\s*Start\s+(\d+): (\S+)")
_DONE = re.compile(r"^\s*(\d+)/(\d+) Test\s+#(\d+): (\S+)")


class CtestProgress:
    """What ctest's lines say: which tests run since when, how many of how many are done."""

    def __init__(self, clock=time.monotonic):
        self.clock, self.began = clock, clock()
        self.running = {}          # name -> start time
        self.done, self.total = 0, None

    def line(self, text):
        """The line to show for one line of ctest's output."""
        started, finished = _START.match(text), _DONE.match(text)
        if started:
            self.running[started.group(2)] = self.clock()
        elif finished:
            self.running.pop(finished.group(4), None)
            self.done, self.total = int(finished.group(1)), int(finished.group(2))
            return f"{text}  [elapsed {format_duration(self.clock() - self.began)}]"
        return text

    def heartbeat(self):
        """The progress line, or None when no test runs."""
        if not self.running:
            return None
        now = self.clock()
        running = ", ".join(f"{name} ({format_duration(now - since)})"
                            for name, since in sorted(self.running.items(), key=lambda i: i[1]))
        done = f"{self.done} of {self.total} done" if self.total else f"{self.done} done"
        return f"test: {done}, elapsed {format_duration(now - self.began)}; running: {running}"


def run_ctest(command, cwd, interval=30, write=print):
    """Run ctest, showing its output with progress (module docstring); its exit status."""
    progress, lock, finished = CtestProgress(), threading.Lock(), threading.Event()

    def show(text):
        with lock:
            write(text)

    def beat():
        while not finished.wait(interval):
            with lock:
                line = progress.heartbeat()
            if line:
                show(line)

    process = children.start(command, cwd=cwd, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, bufsize=1)
    beater = threading.Thread(target=beat, daemon=True)
    beater.start()
    try:
        for text in process.stdout:
            with lock:
                line = progress.line(text.rstrip("\n"))
            show(line)
        return process.wait()
    finally:
        finished.set()
        if process.poll() is None:
            process.kill()
            process.wait()
        children.forget(process)
