"""report/index.html: a static page gathering a results directory's plots and figures.

`python3 -m analysis report RESULTS_DIR` writes RESULTS_DIR/report/index.html, its plots in
RESULTS_DIR/report/plots/, and RESULTS_DIR/summary.csv. The page needs no script and no server:
every link is relative, so the directory can be copied or opened from disk.

The headline table prints each figure exactly as metrics.json stores it (headline.py; the same
JSON text), so the page, summary.csv and metrics.json agree digit for digit. The configuration
table shows what produced each run, from run.json: policy, parameters, harts, seed, clock,
commit. Runs that failed or have no metrics are listed but not plotted. Repeated runs
(`compare --repeat N`) get one more table: per configuration and workload the mean of each
headline figure with its 95% Student-t interval (repeats.py, the same values as summary.csv's
"mean" rows); their plots show one repeat per configuration, the first that succeeded.
"""
import html
import json
import os
from pathlib import Path

from .comparison_plots import (deadline_miss_bars, distribution_cdf, fairness_utilisation,
                               percentile_bars, switch_rate_bars)
from .headline import HEADLINE, rounded
from .plot import policy_colour
from .repeats import summarise_repeats
from .results import load_runs
from .summary import write_summary

# (file stem, title, function(runs, path, workload)) for each plot of a workload.
PLOTS = (
    ("wakeup_cdf", "Wakeup latency CDF",
     lambda runs, path, w: distribution_cdf(runs, path, "wakeup_latency_ns", "wakeup latency", w)),
    ("wakeup_percentiles", "Wakeup latency percentiles",
     lambda runs, path, w: percentile_bars(runs, path, "wakeup_latency_ns", "wakeup latency", w)),
    ("response_cdf", "Request response time CDF",
     lambda runs, path, w: distribution_cdf(runs, path, "response_time_ns", "response time", w)),
    ("response_percentiles", "Request response time percentiles",
     lambda runs, path, w: percentile_bars(runs, path, "response_time_ns", "response time", w)),
    ("switch_rate", "Context-switch rate", switch_rate_bars),
    ("fairness_utilisation", "Fairness and utilisation", fairness_utilisation),
    ("deadline_misses", "Deadline misses", deadline_miss_bars),
)

_STYLE = """
body { font-family: sans-serif; margin: 2em; max-width: 1400px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.85em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.5em; text-align: right; vertical-align: top; }
th { background: #eee; } td.text { text-align: left; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.3em;
          vertical-align: middle; border: 1px solid #444; }
.warning { color: #a00; font-weight: bold; }
img { max-width: 100%; border: 1px solid #ddd; margin: 0.5em 0; }
.plots { display: flex; flex-wrap: wrap; gap: 1em; } .plots figure { margin: 0; }
"""


def _e(value):
    return html.escape(str(value))


def _figure(value):
    """A headline value exactly as metrics.json writes it."""
    return "n/a" if value is None else json.dumps(value)


def _swatch(run):
    # matplotlib's tab: names are CSS-unknown; the page uses the same colours by hex.
    from matplotlib.colors import to_hex
    return f'<span class="swatch" style="background:{to_hex(policy_colour(run.scheduler))}">' \
           f'</span>'


def _link(target, base, text):
    return f'<a href="{_e(os.path.relpath(target, base))}">{_e(text)}</a>'


def _headline_table(runs):
    head = "".join(f'<th title="{_e(doc)}">{_e(key)}{f" ({unit})" if unit else ""}</th>'
                   for key, _, unit, doc in HEADLINE)
    rows = []
    for run in runs:
        figures = run.metrics.get("headline", {})
        cells = "".join(f"<td>{_e(_figure(figures.get(key)))}</td>" for key, _, _, _ in HEADLINE)
        repeat = run.run.get("repeat")
        workload = run.workload if repeat is None else f"{run.workload} rep{repeat}"
        rows.append(f'<tr><td class="text">{_swatch(run)}{_e(run.config)}</td>'
                    f'<td>{run.harts}</td><td class="text">{_e(workload)}</td>{cells}</tr>')
    return (f"<table><tr><th>config</th><th>harts</th><th>workload</th>{head}</tr>"
            f"{''.join(rows)}</table>")


def _estimate_text(estimate):
    """mean +- half-width, each as summary.csv writes it."""
    if estimate is None:
        return "n/a"
    mean = json.dumps(rounded(float(estimate.mean)))
    if estimate.half_width is None:
        return f"{mean} (one run)"
    return f"{mean} ± {json.dumps(rounded(float(estimate.half_width)))}"


def _repeats_section(runs):
    """The means table of repeated runs; empty when no run is a repeat."""
    summaries = summarise_repeats(runs)
    if not summaries:
        return ""
    keys = [(key, unit) for key, _, unit, _ in HEADLINE if key != "lossy"]
    head = "".join(f"<th>{_e(key)}{f' ({unit})' if unit else ''}</th>" for key, unit in keys)
    rows = []
    for summary in summaries:
        cells = "".join(f"<td>{_e(_estimate_text(summary.estimates.get(key)))}</td>"
                        for key, _ in keys)
        rows.append(f'<tr><td class="text">{_e(summary.config)}</td><td>{summary.harts}</td>'
                    f'<td class="text">{_e(summary.workload)}</td>'
                    f'<td>{len(summary.succeeded)} of {len(summary.runs)}</td>{cells}</tr>')
    return ("<h2>Means across repeats</h2><p>Per configuration: the mean of the runs that "
            "succeeded ± the half-width of its 95% confidence interval (Student t, n-1 degrees "
            "of freedom). Rows \"mean\" of summary.csv hold the same values. In deterministic "
            "(icount) mode repeats with the same seed are identical; repeats mean something with "
            "--realtime.</p>"
            f"<table><tr><th>config</th><th>harts</th><th>workload</th><th>runs ok</th>{head}"
            f"</tr>{''.join(rows)}</table>")


def _plotted(runs):
    """The runs a workload's plots show: one per configuration, so repeats do not crowd the
    legend (the means table covers them): the first repeat that succeeded."""
    chosen = {}
    for run in runs:
        if run.ok:
            chosen.setdefault(run.config, run)
    return list(chosen.values())


def _configuration_table(runs, base):
    rows = []
    for run in runs:
        info = run.run
        parameters = info.get("sched_params") or info.get("settings") or {}
        params = "<br>".join(f"{_e(k)}={_e(v)}" for k, v in sorted(parameters.items())) or "—"
        workload_params = "<br>".join(map(_e, info.get("params") or [])) or "—"
        commit = info.get("commit")
        commit_text = (f"{commit}{' (dirty: uncommitted changes)' if info.get('dirty') else ''}"
                       if commit else "unrecorded")
        files = " ".join(_link(run.directory / name, base, name) for name in
                         ("run.json", "metrics.json", "trace.bin", "console.log")
                         if (run.directory / name).is_file())
        state = "ok" if run.ok else _e(f"FAILED (status {info.get('status')}"
                                       f"{', timed out' if info.get('timed_out') else ''})")
        warning = run.metrics.get("warning")
        if warning:
            state += f'<br><span class="warning">{_e(warning)}</span>'
        rows.append(
            f'<tr><td class="text">{_swatch(run)}{_e(run.config)}</td>'
            f'<td class="text">{_e(run.workload)}</td><td class="text">{_e(run.scheduler)}</td>'
            f'<td class="text">{params}</td><td>{run.harts}</td><td>{_e(info.get("seed", "?"))}'
            f'</td><td class="text">{_e(info.get("clock", "?"))}</td>'
            f'<td class="text">{workload_params}</td><td class="text">{_e(commit_text)}</td>'
            f'<td class="text">{state}</td><td class="text">{files}</td></tr>')
    return ("<table><tr><th>config</th><th>workload</th><th>policy</th><th>parameters</th>"
            "<th>harts</th><th>seed</th><th>clock</th><th>workload parameters</th>"
            f"<th>commit</th><th>outcome</th><th>files</th></tr>{''.join(rows)}</table>")


def _gantt(runs, path, workload, window_ns):
    from .decode import TraceError, decode
    from .gantt import gantt
    traced = []
    for run in runs:
        try:
            traced.append((run, decode(run.directory / "trace.bin", allow_partial=True)))
        except TraceError:
            continue   # a run without a usable trace has no timeline
    return gantt(traced, path, workload, window_ns)


def _draw_workload(job):
    """Every plot of one workload: [(title, path)] of those drawn."""
    workload, group, plots, window_ns = job
    figures = []
    for stem, title, draw in PLOTS:
        path = plots / f"{workload}_{stem}.png"
        path.unlink(missing_ok=True)
        if group and draw(group, path, workload):
            figures.append((title, path))
    path = plots / f"{workload}_timeline.png"
    path.unlink(missing_ok=True)
    if group and _gantt(group, path, workload, window_ns):
        figures.append(("Per-hart timeline", path))
    return figures


def _draw_all(jobs):
    """The workloads' plots, drawn in parallel on the machine's cores (matplotlib draws on one
    core; a default compare has ten workloads)."""
    workers = min(os.cpu_count() or 1, len(jobs))
    if workers <= 1:
        return [_draw_workload(job) for job in jobs]
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_draw_workload, jobs))


def write_report(root, window_ns=None):
    """Write the report of every run under root; returns the path of index.html."""
    from .gantt import DEFAULT_WINDOW_NS
    root = Path(root).resolve()
    out, plots = root / "report", root / "report" / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    runs = load_runs(root)
    summary = write_summary(root, [run.directory for run in runs])
    workloads = sorted({run.workload for run in runs})
    sections = []
    jobs = [(workload, _plotted(run for run in runs if run.workload == workload), plots,
             window_ns or DEFAULT_WINDOW_NS) for workload in workloads]
    for workload, figures in zip(workloads, _draw_all(jobs)):
        images = "".join(f'<figure><a href="{_e(os.path.relpath(p, out))}"><img src="'
                         f'{_e(os.path.relpath(p, out))}" alt="{_e(t)}: {_e(workload)}" '
                         f'width="700"></a><figcaption>{_e(t)}</figcaption></figure>'
                         for t, p in figures)
        missing = [title for _, title, _ in PLOTS if title not in {t for t, _ in figures}]
        note = (f"<p>Not drawn (no run has the data): {_e(', '.join(missing))}.</p>"
                if missing else "")
        sections.append(f'<h2 id="{_e(workload)}">Workload {_e(workload)}</h2>'
                        f'<div class="plots">{images}</div>{note}')
    lossy = [run for run in runs if run.metrics.get("lossy")]
    warning = (f'<p class="warning">{len(lossy)} run(s) have lossy traces; their figures may be '
               f'off (see the outcome column).</p>' if lossy else "")
    legend = "".join(f"<li>{_e(key)}{f' ({unit})' if unit else ''}: {_e(doc)}</li>"
                     for key, _, unit, doc in HEADLINE)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>SchedLab report: {_e(root.name)}</title>
<style>{_STYLE}</style></head><body>
<h1>SchedLab report: {_e(root.name)}</h1>
<p>{len(runs)} run(s), {len(workloads)} workload(s). Figures per run:
{_link(summary, out, "summary.csv")}; each run's metrics.json is linked below.
Colours: one per policy in every plot; hatch or line style: hart count.</p>{warning}
<h2>Headline figures</h2>
<p>Exactly the values of each run's metrics.json "headline" (n/a = null: nothing to measure).</p>
{_headline_table(runs)}
<details><summary>What each column means</summary><ul>{legend}</ul>
<p>Definitions, with units, are in analysis/*.py next to the code computing them.</p>
</details>
{_repeats_section(runs)}
{''.join(sections)}
<h2>Configurations</h2>
{_configuration_table(runs, out)}
</body></html>
"""
    index = out / "index.html"
    index.write_text(page)
    return index
