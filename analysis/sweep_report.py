"""python3 -m analysis.sweep_report DIR: the report of a sweep (tools/schedlab/sweep.py).

Reads DIR/sweep-plan.json and each planned run's DIR/runs/<key>/ (only state ok runs have
figures, results.load_run) and writes:

- sweep.csv: a row per planned run: its key, the swept axes' values, then summary.csv's columns
  (analysis/summary.py), so a sweep reads like a compare in people's own tools;
- sweep-means.csv: a row per point of the grid (every input but the seed): n, and for every
  headline figure its mean over the seeds and the half-width of its 95% Student-t interval
  (analysis/repeats.py, the interval compare --repeat uses);
- sweep/<axis>--<metric>.png: the metric against each swept axis with more than one value, a
  panel per workload (and engine / harts where the sweep has several), one line per
  configuration (its name without the swept parameter), error bars the 95% intervals;
- sweep.html: the plots and links to the tables.

Free of host time: the same runs give the same files.
"""
import html
import json
import sys
from pathlib import Path

from .atomic_file import write_atomically
from .headline import HEADLINE
from .repeats import mean_ci95
from .results import load_run
from .summary import RUN_COLUMNS, summary_row, write_rows

UNITS = {key: unit for key, _, unit, *_ in HEADLINE}
DOCS = {key: doc for key, _, _, doc, _ in HEADLINE}
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
LINESTYLES = ("-", "--", "-.", ":")


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def load(directory):
    """(plan, [(planned run, results.Run)])"""
    directory = Path(directory)
    plan = json.loads((directory / "sweep-plan.json").read_text())
    return plan, [(run, load_run(directory / "runs" / run["key"])) for run in plan["runs"]]


def run_rows(plan, runs, directory):
    axes = list(plan["axes"])
    rows = []
    for planned, run in runs:
        row = summary_row(run, directory)
        row.update({"key": planned["key"], "seed": planned["seed"],
                    "params": " ".join(planned["params"])},
                   **{axis: planned["axes"].get(axis, "") for axis in axes})
        rows.append(row)
    return rows, ["key", *axes, "params", *RUN_COLUMNS]


def _point(planned):
    """The grid point a run belongs to: every input but the seed."""
    return (planned["variant"], planned["workload"], tuple(planned["params"]),
            planned["engine"], planned["harts"])


def points(runs):
    """{point: (a planned run of it, [its ok runs' metrics])}, in plan order."""
    grouped = {}
    for planned, run in runs:
        entry = grouped.setdefault(_point(planned), (planned, []))
        if run.ok:
            entry[1].append(run.metrics.get("headline", {}))
    return grouped


def mean_rows(plan, grouped):
    rows = []
    for (variant, workload, params, engine, harts), (planned, headlines) in grouped.items():
        row = {"variant": variant, "scheduler": planned["scheduler"], "workload": workload,
               "params": " ".join(params), "engine": engine, "harts": harts,
               "n": len(headlines),
               **{axis: planned["axes"].get(axis, "") for axis in plan["axes"]}}
        for key, *_ in HEADLINE:
            estimate = mean_ci95(h[key] for h in headlines if _number(h.get(key)))
            if estimate is not None:
                row[f"headline.{key}"] = estimate.mean
                row[f"headline.{key}.ci95"] = ("" if estimate.half_width is None
                                               else estimate.half_width)
        rows.append(row)
    return rows, ["variant", "scheduler", "workload", *plan["axes"], "params", "engine",
                  "harts", "n"]


def series(plan, grouped, axis, metric):
    """{panel title: {line label: [(x, Estimate)]}} of `metric` against `axis`."""
    engines = {planned["engine"] for planned, _ in grouped.values()}
    harts = {planned["harts"] for planned, _ in grouped.values()}
    other_axes = [a for a in plan["axes"] if a not in (axis, "harts")]
    panels = {}
    for planned, headlines in grouped.values():
        if axis not in planned["axes"]:
            continue   # a configuration (workload) without the parameter
        panel = planned["workload"]
        if len(engines) > 1 or (len(harts) > 1 and axis != "harts"):
            count = planned["harts"]
            engine = f", {planned['engine']}" if len(engines) > 1 else ""
            panel += f" ({count} hart{'s' if count != 1 else ''}{engine})"
        line = planned["series"].get(axis, planned["variant"])
        others = [f"{a}={planned['axes'][a]}" for a in other_axes
                  if a in planned["axes"] and a not in planned["series"] and a != axis]
        if others:
            line += " " + " ".join(others)
        estimate = mean_ci95(h[metric] for h in headlines if _number(h.get(metric)))
        if estimate is not None:
            panels.setdefault(panel, {}).setdefault(line, []).append(
                (planned["axes"][axis], estimate))
    return {panel: {line: sorted(values, key=lambda value: value[0])
                    for line, values in sorted(lines.items())}
            for panel, lines in sorted(panels.items())}


def _reading_unit(unit, values):
    """(unit, divisor): nanoseconds shown as µs or ms when the figures are that large."""
    largest = max((abs(v) for v in values), default=0)
    if unit != "ns" or largest < 10_000:
        return unit, 1
    return ("µs", 1_000) if largest < 10_000_000 else ("ms", 1_000_000)


def _styles(lines):
    """A colour per policy (plot.policy_colour), a marker and dash per variant of it."""
    from .plot import policy_colour
    seen, styles = {}, {}
    for line in lines:
        policy = line.partition("[")[0].partition(" ")[0]
        index = seen.get(policy, 0)
        seen[policy] = index + 1
        styles[line] = dict(color=policy_colour(policy), marker=MARKERS[index % len(MARKERS)],
                            linestyle=LINESTYLES[index % len(LINESTYLES)])
    return styles


def draw(panels, axis, metric, path=None):
    """The figure of one axis and metric: a grid of panels, error bars at every point with an
    interval. -> the matplotlib Figure (saved at `path` when given)."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from .plot import _save
    columns = min(3, len(panels))
    rows = -(-len(panels) // columns)
    lines = sorted({line for lines in panels.values() for line in lines})
    legend_columns = min(columns, len(lines))   # a column of labels per panel's width
    # The legend gets a band of its own below the panels, so it never covers a line.
    legend_inches = 0.45 + 0.28 * -(-len(lines) // legend_columns)
    height = 3.9 * rows + 0.5 + legend_inches
    figure = Figure(figsize=(5.2 * columns, height))
    styles = _styles(lines)
    unit, scale = _reading_unit(UNITS.get(metric, ""), [e.mean for lines in panels.values()
                                                        for values in lines.values()
                                                        for _, e in values])
    for index, (panel, panel_lines) in enumerate(panels.items()):
        axes = figure.add_subplot(rows, columns, index + 1)
        xs = sorted({x for values in panel_lines.values() for x, _ in values})
        for line, values in panel_lines.items():
            axes.errorbar([x for x, _ in values], [e.mean / scale for _, e in values],
                          yerr=[(e.half_width or 0) / scale for _, e in values], capsize=4,
                          label=line, **styles[line])
        if xs and xs[0] > 0 and xs[-1] / xs[0] >= 20:
            axes.set_xscale("log")
        axes.set_xticks(xs, [str(x) for x in xs], rotation=30 if len(xs) > 5 else 0)
        axes.minorticks_off()
        axes.set_title(panel)
        axes.set_xlabel(axis)
        axes.set_ylabel(f"{metric}" + (f" ({unit})" if unit else ""))
        axes.grid(True, alpha=0.3)
    by_label = {}
    for ax in figure.axes:
        for handle, text in zip(*ax.get_legend_handles_labels()):
            by_label.setdefault(text, handle)
    figure.legend(list(by_label.values()), list(by_label), loc="lower center",
                  ncol=legend_columns, frameon=False,
                  title="configuration (mean over seeds, 95% interval)")
    figure.suptitle(f"{DOCS.get(metric, metric)} against {axis}")
    figure.tight_layout(rect=(0, legend_inches / height, 1, 1 - 0.35 / height))
    if path is not None:
        _save(figure, path)
    return figure


def plots(plan, grouped, directory):
    """Every plot of the sweep: [(axis, metric, relative path)]."""
    drawn = []
    (Path(directory) / "sweep").mkdir(exist_ok=True)
    for axis, values in plan["axes"].items():
        if len(values) < 2:
            continue
        for metric in plan["metrics"]:
            panels = series(plan, grouped, axis, metric)
            if not panels:
                continue
            name = f"sweep/{_file_name(axis)}--{metric}.png"
            draw(panels, axis, metric, Path(directory) / name)
            drawn.append((axis, metric, name))
    return drawn


def _file_name(text):
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in text)


def page(plan, grouped, drawn):
    ok = sum(len(headlines) for _, headlines in grouped.values())
    total = len(plan["runs"])
    figures = "\n".join(f'<figure><img src="{html.escape(path)}" alt="{html.escape(metric)} '
                        f'against {html.escape(axis)}"><figcaption>{html.escape(metric)} against '
                        f'{html.escape(axis)}</figcaption></figure>' for axis, metric, path in drawn)
    axes = "".join(f"<li>{html.escape(axis)}: {html.escape(', '.join(map(str, values)))}</li>"
                   for axis, values in plan["axes"].items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>sweep {html.escape(plan['name'])}</title>
<style>body{{font-family:sans-serif;margin:1.5em;max-width:1700px}}
figure{{margin:1em 0}}img{{max-width:100%}}</style></head><body>
<h1>Sweep {html.escape(plan['name'])}</h1>
<p>{ok} of {total} runs have a result. Source {html.escape(plan['source'])}.
Each point is the mean over the seeds; error bars are 95% Student-t intervals.
Tables: <a href="sweep.csv">sweep.csv</a> (a row per run),
<a href="sweep-means.csv">sweep-means.csv</a> (a row per point: means and intervals).</p>
<ul>{axes}</ul>
{figures or '<p>No axis with more than one value: nothing to plot.</p>'}
</body></html>
"""


def write(directory):
    directory = Path(directory)
    plan, runs = load(directory)
    rows, first = run_rows(plan, runs, directory)
    write_rows(directory / "sweep.csv", rows, first)
    grouped = points(runs)
    rows, first = mean_rows(plan, grouped)
    write_rows(directory / "sweep-means.csv", rows, first)
    drawn = plots(plan, grouped, directory)
    write_atomically(directory / "sweep.html", page(plan, grouped, drawn))
    return drawn


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python3 -m analysis.sweep_report SWEEP_DIR", file=sys.stderr)
        return 2
    try:
        drawn = write(argv[0])
    except (OSError, ValueError, KeyError) as error:
        print(f"error: {argv[0]}: not a readable sweep ({error})", file=sys.stderr)
        return 1
    print(f"sweep report: {len(drawn)} plots, {argv[0]}/sweep.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
