"""Per-hart timeline (Gantt) of each run of a workload on one machine: who ran where, when.

One panel per run (its configuration in the title), one row per hart, a bar per interval a
thread held the hart (metrics.hart_timelines); idle is left blank. The window is the whole
workload (WORKLOAD_BEGIN to END, lifetimes.workload_span), or a chosen length from its begin,
and every panel has the same time axis: the longest run's length, so runs of different
lengths compare at a glance. A thread keeps its colour in every panel: the colour is chosen by
its name (or tid, if unnamed) with a stable hash, so "hog0" is the same colour under every
policy. The legend names the first LEGEND_THREADS threads and counts the rest.
"""
import zlib

from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from .lifetimes import workload_span
from .metrics import hart_timelines, threads
from .plot import _save, plain

LEGEND_THREADS = 16
_THREAD_COLOURS = [f"C{i}" for i in range(10)]


def window_of(trace, length_ns=None):
    """[start, end) ns to draw: the workload span (from its begin marker, or the trace's
    start), or length_ns from its begin, cut at the trace's end."""
    start, end = workload_span(trace)
    if length_ns:
        end = start + length_ns
    return start, min(trace.end_ns, max(start, end))


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


def gantt(traced_runs, path, workload, length_ns=None):
    """traced_runs: [(Run, Trace)]. Draws the window of each run; False if none has records."""
    traced_runs = [(run, trace) for run, trace in traced_runs if len(trace.records)]
    if not traced_runs:
        return False
    windows = [window_of(trace, length_ns) for _, trace in traced_runs]
    common_ms = max(end - start for start, end in windows) / 1e6 or 1e-3
    rows = sum(trace.nharts for _, trace in traced_runs)
    figure = Figure(figsize=(11, 1.4 + 0.3 * rows + 0.7 * len(traced_runs)), layout="constrained")
    idle = traced_runs[0][1].format.constants["TRACE_TID_NONE"]
    legend = {}
    # Panels on the left, the thread legend in a column of its own: it never covers a bar.
    grid = figure.add_gridspec(len(traced_runs), 2, width_ratios=(5, 1))
    for index, ((run, trace), (start, end)) in enumerate(zip(traced_runs, windows)):
        axes = figure.add_subplot(grid[index, 0])
        names = threads(trace)
        boxes, colours = [], []   # one collection per panel: thousands of bars draw at once
        for hart, timeline in hart_timelines(trace).items():
            for tid, begin, finish in zip(timeline.tids.tolist(), timeline.starts.tolist(),
                                          timeline.ends.tolist()):
                if tid == idle or finish <= start or begin >= end:
                    continue
                label = thread_label(tid, names)
                if label not in legend:
                    legend[label] = thread_colour(label, set(legend.values()))
                left = (max(begin, start) - start) / 1e6
                right = (min(finish, end) - start) / 1e6
                boxes.append(((left, hart - 0.4), (left, hart + 0.4), (right, hart + 0.4),
                              (right, hart - 0.4)))
                colours.append(legend[label])
        # An edge in the bar's colour keeps a bar thinner than a pixel visible.
        axes.add_collection(PolyCollection(boxes, facecolors=colours, edgecolors=colours,
                                           linewidths=0.3, antialiaseds=False), autolim=False)
        axes.set_yticks(range(trace.nharts))
        axes.set_yticklabels([f"hart {h}" for h in range(trace.nharts)],
                             fontsize="small" if trace.nharts <= 8 else "x-small")
        if trace.nharts > 8:    # every 4th hart labelled: 16 labels in a short panel collide
            for h, tick in enumerate(axes.get_yticklabels()):
                tick.set_visible(h % 4 == 0)
        axes.set_ylim(trace.nharts - 0.5, -0.5)
        axes.set_xlim(0, common_ms)
        axes.set_title(f"{plain(run.variant)}: {(end - start) / 1e6:.1f} ms from "
                       f"{start / 1e6:.3f} ms (blank = idle)", fontsize="small")
        axes.grid(True, alpha=0.3, axis="x")
    axes.set_xlabel("time since the workload's begin (ms)")
    from matplotlib.patches import Patch
    shown = sorted(legend.items())[:LEGEND_THREADS]
    handles = [Patch(color=colour, label=plain(label)) for label, colour in shown]
    if len(legend) > LEGEND_THREADS:
        handles.append(Patch(color="white", label=f"... {len(legend) - LEGEND_THREADS} more"))
    key = figure.add_subplot(grid[:, 1])
    key.axis("off")
    key.legend(handles=handles, loc="upper left", fontsize="small", title="thread",
               frameon=False)
    figure.suptitle(f"Per-hart timeline: {plain(workload)}", x=0.02, ha="left")
    _save(figure, path)
    return True
