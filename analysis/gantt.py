"""Per-hart timeline (Gantt) of a window of each run of a workload: who ran where, when.

One panel per run (its configuration in the title), one row per hart, a bar per interval a
thread held the hart (metrics.hart_timelines); idle is left blank. A thread keeps its colour
in every panel: the colour is chosen by its name (or tid, if unnamed) with a stable hash, so
"hog0" is the same colour under every policy.
"""
import zlib

from matplotlib.figure import Figure

from .lifetimes import workload_span
from .metrics import hart_timelines, threads
from .plot import _save

DEFAULT_WINDOW_NS = 30_000_000  # 30 ms: a few 10 ms timeslices and many short requests
_THREAD_COLOURS = [f"C{i}" for i in range(10)]


def window_of(trace, length_ns=DEFAULT_WINDOW_NS):
    """[start, end) ns to draw: length_ns from the workload's begin marker (or the trace's
    start), cut at the trace's end."""
    start, _ = workload_span(trace)
    return start, min(trace.end_ns, start + length_ns)


def thread_label(tid, names):
    name = names.get(str(tid), {}).get("name")
    return f"{name} ({tid})" if name else f"tid {tid}"


def thread_colour(label, taken=()):
    """The label's colour: a stable hash of it, moved on to the next free colour of the palette
    if another thread of the same figure already has that one (while colours last)."""
    start = zlib.crc32(label.encode()) % len(_THREAD_COLOURS)
    for step in range(len(_THREAD_COLOURS)):
        colour = _THREAD_COLOURS[(start + step) % len(_THREAD_COLOURS)]
        if colour not in taken:
            return colour
    return _THREAD_COLOURS[start]


def gantt(traced_runs, path, workload, length_ns=DEFAULT_WINDOW_NS):
    """traced_runs: [(Run, Trace)]. Draws the window of each run; False if none has records."""
    traced_runs = [(run, trace) for run, trace in traced_runs if len(trace.records)]
    if not traced_runs:
        return False
    rows = sum(trace.nharts for _, trace in traced_runs)
    figure = Figure(figsize=(11, 1.2 + 0.45 * rows + 0.6 * len(traced_runs)))
    idle = traced_runs[0][1].format.constants["TRACE_TID_NONE"]
    legend = {}
    for index, (run, trace) in enumerate(traced_runs):
        axes = figure.add_subplot(len(traced_runs), 1, index + 1)
        start, end = window_of(trace, length_ns)
        names = threads(trace)
        for hart, timeline in hart_timelines(trace).items():
            for tid, begin, finish in zip(timeline.tids.tolist(), timeline.starts.tolist(),
                                          timeline.ends.tolist()):
                if tid == idle or finish <= start or begin >= end:
                    continue
                label = thread_label(tid, names)
                left, right = max(begin, start), min(finish, end)
                if label not in legend:
                    legend[label] = thread_colour(label, set(legend.values()))
                axes.broken_barh([((left - start) / 1e6, (right - left) / 1e6)],
                                 (hart - 0.4, 0.8), color=legend[label])
        axes.set_yticks(range(trace.nharts))
        axes.set_yticklabels([f"hart {h}" for h in range(trace.nharts)])
        axes.set_ylim(trace.nharts - 0.5, -0.5)
        axes.set_xlim(0, (end - start) / 1e6)
        axes.set_title(f"{run.config}: {(end - start) / 1e6:.1f} ms from "
                       f"{start / 1e6:.3f} ms (blank = idle)", fontsize="medium")
        axes.grid(True, alpha=0.3, axis="x")
    axes.set_xlabel("time since the window's start (ms)")
    from matplotlib.patches import Patch
    figure.legend(handles=[Patch(color=colour, label=label)
                           for label, colour in sorted(legend.items())],
                  loc="upper right", fontsize="small", title="thread")
    figure.suptitle(f"Per-hart timeline: {workload}", x=0.02, ha="left")
    figure.tight_layout(rect=(0, 0, 0.82, 0.97))
    _save(figure, path)
    return True
