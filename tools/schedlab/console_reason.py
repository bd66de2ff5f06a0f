"""Why a run failed, in the words of its console.log: the line a workload, the kernel or the
simulator printed when it gave up, so the terminal says "mixed: FAILED: more than 63 threads"
or "run limit of 20 ms reached", not only an exit status.

The patterns are the messages those programs print (workloads/engine: "<name>: FAILED: ...";
kernel/printk.c: "KERNEL PANIC: ..."; kernel/entry.c and sim/src/machine.c: the run limit and
the deadlock; tests/fuzz: "FUZZ FAIL ..."), tried in this order: the first names the cause,
the later ones are what a cause can lead to.
"""
import re
from pathlib import Path

_REASONS = [re.compile(pattern, re.MULTILINE) for pattern in (
    r"^FUZZ FAIL .*$",
    r"^\S+: FAILED: .*$",
    r"KERNEL PANIC: .*$",
    r"^sim: panic .*$",
    r"^(?:sim: )?run limit of .*$",
    r"^(?:sim: )?all threads are blocked .*$",
    r"invariant broken.*$",
    r"^sim: .*$",
)]


def console_reason(text):
    """The line of console text that says why the run failed, stripped, or None."""
    for pattern in _REASONS:
        found = pattern.search(text)
        if found:
            return found.group(0).strip()
    return None


def because(console):
    """': <why>' from a console.log file, to follow "exited with status N"; "" if it says
    nothing or cannot be read."""
    try:
        reason = console_reason(Path(console).read_text(errors="replace"))
    except OSError:
        return ""
    return f": {reason}" if reason else ""
