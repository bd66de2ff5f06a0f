"""report/index.html: a static page that answers which configuration wins each workload.

`python3 -m analysis report RESULTS_DIR [--baseline NAME]` writes RESULTS_DIR/report/index.html,
its plots in RESULTS_DIR/report/plots/, and RESULTS_DIR/summary.csv. The page needs no script
and no server: every link is relative, so the directory can be copied or opened from disk.

What it shows, in order:
- the first screen: which configuration wins each workload on each machine, on which figure
  and by how much against the baseline (key_figures.py decides, key_tables.py writes), and
  what a context switch costs each policy (bench.json, when compare ran the microbenchmarks);
- per workload and machine (engine, harts, timing model: runs are compared only on the same
  machine), a short table of the figures that matter, normalised to the baseline, best marked,
  in units for reading, with sample counts and, for repeats, 95% intervals; then its plots in a
  grid, drawn from every repeat (comparison_plots.py, gantt.py);
- the simulator against QEMU at one hart (agreement.py), the microbenchmarks (bench_report.py);
- collapsed: every headline figure of every run (metrics.json's "headline", rounded for
  display only: summary.csv and metrics.json keep the exact values) and the means across
  repeats;
- the configurations, each listed once (policy, parameters, machine, seeds), and, collapsed,
  every run with its outcome, placement and files.
A configuration's name (a variant such as rr[timeslice_us=2000]-1h) is an opaque string:
escaped in the page, never part of a file name.
"""
import html
import os
import re
import zlib
from pathlib import Path

from . import AnalysisError
from .agreement import agreement_section
from .atomic_file import write_atomically
from .bench_report import bench_section, switch_cost_table
from .comparison_plots import (deadline_miss_bars, distribution_cdf, distribution_histogram,
                               fairness_bars, migrations_per_thread, percentile_bars,
                               switch_rate_bars, tardiness_per_job, utilisation_bars)
from .headline import HEADLINE, display
from .key_figures import choose_baseline, comparisons
from .key_tables import deciding_text, machine_label, short_table, winners_table
from .plot import variant_colours
from .repeats import summarise_repeats
from .results import load_runs, read_json
from .summary import write_summary
from .timing_model import EXPLANATION, MODELS, SHARED_THROUGHPUT, label

# The headline figures a table shows: the sample counts go next to their percentiles instead.
_N_KEYS = {n_key for *_, n_key in HEADLINE if n_key}
_SHOWN = [row for row in HEADLINE if row[0] not in _N_KEYS]

PLACEMENTS = {
    "spread": "spread: the engine places each thread on a hart at creation, round robin",
    "creator": "creator: seL4's rule, a thread starts on the hart of the thread creating it",
}


# (file stem, title, function(runs, path, workload)) for each plot of a workload on a machine,
# in the order the grid shows them: the answers first.
PLOTS = (
    ("request_latency_cdf", "Request latency CDF",
     lambda runs, path, w: distribution_cdf(runs, path, "request_latency_ns",
                                            "request latency", w)),
    ("request_latency_percentiles", "Request latency percentiles",
     lambda runs, path, w: percentile_bars(runs, path, "request_latency_ns",
                                           "request latency", w)),
    ("wakeup_histogram", "Wakeup latency histogram",
     lambda runs, path, w: distribution_histogram(runs, path, "wakeup_latency_ns",
                                                  "wakeup latency", w)),
    ("wakeup_percentiles", "Wakeup latency percentiles",
     lambda runs, path, w: percentile_bars(runs, path, "wakeup_latency_ns", "wakeup latency",
                                           w)),
    ("deadline_misses", "Deadline misses", deadline_miss_bars),
    ("tardiness", "Per-job tardiness", tardiness_per_job),
    ("switch_rate", "Context-switch rate", switch_rate_bars),
    ("fairness", "Fairness", fairness_bars),
    ("utilisation", "Per-hart utilisation", utilisation_bars),
    ("migrations_per_thread", "Migrations per thread", migrations_per_thread),
)
# Not drawn, to keep a default compare's report to a few hundred plots: the wakeup CDF (the
# histogram and percentiles show it) and the service time's (it barely depends on the
# policy); metrics.json has their samples and `python3 -m analysis plot` draws their CDFs.

_STYLE = """
body { font-family: sans-serif; margin: 1.5em; max-width: 1500px; color: #222; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.85em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.5em; text-align: right; vertical-align: top; }
th { background: #eee; } td.text { text-align: left; } td.na { color: #888; }
td.best { font-weight: bold; background: #e6f4e6; }
small { color: #555; font-weight: normal; }
.scroll { overflow-x: auto; max-width: 100%; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.3em;
          vertical-align: middle; border: 1px solid #444; }
.warning { color: #a00; font-weight: bold; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr));
         gap: 0.8em; align-items: start; }
.plots figure { margin: 0; min-width: 0; }
.plots img { width: 100%; height: auto; border: 1px solid #ddd; }
.plots figure.wide { grid-column: 1 / -1; }
figcaption { font-size: 0.85em; color: #444; }
details { margin: 0.8em 0; } summary { cursor: pointer; font-weight: bold; }
"""


class ReportError(AnalysisError):
    """A report option the results cannot satisfy (a --baseline that did not run)."""


def _e(value):
    return html.escape(str(value))


def file_stem(text):
    """text as a file-name part: letters, digits, . _ - kept, anything else _, and a short
    hash of the original when anything changed, so two names never share a file."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", str(text))
    return safe if safe == text else f"{safe}-{zlib.crc32(str(text).encode()):08x}"


def anchor(workload):
    return f"workload-{file_stem(workload)}"


def _machine_stem(machine):
    engine, harts, model = machine
    return file_stem(f"{engine}-{harts}h-{model}")


def _link(target, base, text):
    return f'<a href="{_e(os.path.relpath(target, base))}">{_e(text)}</a>'


class _Swatches:
    """The colour square of a configuration, the same as in the plots (plot.variant_colours
    over every variant of the page, so a variant keeps its colour in every table)."""

    def __init__(self, runs):
        self.colours = variant_colours(sorted({run.variant for run in runs}))

    def __call__(self, item):
        colour = self.colours.get(item.variant, "#888888")
        return f'<span class="swatch" style="background:{colour}"></span>'


def _by_model(runs):
    """[(timing model, its runs)] in MODELS order (unknown models last), runs kept in order."""
    groups = {}
    for run in runs:
        groups.setdefault(run.timing_model, []).append(run)
    order = {model: index for index, model in enumerate(MODELS)}
    return sorted(groups.items(), key=lambda item: (order.get(item[0], len(order)),
                                                    str(item[0])))


def _model_label(model, runs):
    harts = sorted({run.harts for run in runs})
    return label(model, harts[0] if len(harts) == 1 else None)


def _model_note(model, runs):
    """The one-line explanation every table and plot group of a model carries."""
    text = f"{_model_label(model, runs)}. {EXPLANATION.get(model, 'unknown timing model')}."
    css = ' class="warning"' if model == SHARED_THROUGHPUT else ""
    return f"<p{css}>Timing model {_e(text)}</p>"


def _figure(figures, key, n_key):
    """A headline figure for display, with its sample count and, when null for want of
    samples, the reason."""
    value = figures.get(key)
    text = display(value)
    reason = (figures.get("unsupported") or {}).get(key)
    if value is None and reason:
        return f"{text} ({reason})"
    if n_key and figures.get(n_key) is not None:
        return f"{text} (n={figures[n_key]})"
    return text


def _headline_table(runs, swatch):
    head = "".join(f'<th title="{_e(doc)}">{_e(key)}{f" ({unit})" if unit else ""}</th>'
                   for key, _, unit, doc, _ in _SHOWN)
    rows = []
    for run in runs:
        figures = run.metrics.get("headline", {})
        cells = "".join(f"<td>{_e(_figure(figures, key, n_key))}</td>"
                        for key, _, _, _, n_key in _SHOWN)
        repeat = run.run.get("repeat")
        workload = run.workload if repeat is None else f"{run.workload} rep{repeat}"
        rows.append(f'<tr><td class="text">{swatch(run)}{_e(run.config)}</td>'
                    f'<td>{run.harts}</td><td class="text">{_e(workload)}</td>{cells}</tr>')
    return (f'<div class="scroll"><table><tr><th>config</th><th>harts</th><th>workload</th>'
            f"{head}</tr>{''.join(rows)}</table></div>")


def _headline_section(runs, swatch):
    return "".join(f"<h3>{_e(_model_label(model, group))}</h3>{_model_note(model, group)}"
                   f"{_headline_table(group, swatch)}" for model, group in _by_model(runs))


def _estimate_text(estimate):
    """mean +- half-width, rounded for display (summary.csv has the exact values)."""
    if estimate is None:
        return "n/a"
    mean = display(estimate.mean)
    if estimate.half_width is None:
        return f"{mean} (one run)"
    return f"{mean} ± {display(float(estimate.half_width))}"


def _repeats_section(runs):
    """The means table of repeated runs, one per timing model; empty when no run is a repeat."""
    summaries = summarise_repeats(runs)
    if not summaries:
        return ""
    keys = [(key, unit) for key, _, unit, _, _ in HEADLINE if key != "lossy"]
    head = "".join(f"<th>{_e(key)}{f' ({unit})' if unit else ''}</th>" for key, unit in keys)
    tables = []
    model_of = {id(summary): summary.runs[0].timing_model for summary in summaries}
    for model in [m for m, _ in _by_model([s.runs[0] for s in summaries])]:
        chosen = [s for s in summaries if model_of[id(s)] == model]
        rows = []
        for summary in chosen:
            cells = "".join(f"<td>{_e(_estimate_text(summary.estimates.get(key)))}</td>"
                            for key, _ in keys)
            rows.append(f'<tr><td class="text">{_e(summary.config)}</td>'
                        f'<td>{summary.harts}</td><td class="text">{_e(summary.workload)}</td>'
                        f'<td>{len(summary.succeeded)} of {len(summary.runs)}</td>{cells}</tr>')
        group = [s.runs[0] for s in chosen]
        tables.append(f"<h3>{_e(_model_label(model, group))}</h3>{_model_note(model, group)}"
                      f'<div class="scroll"><table><tr><th>config</th><th>harts</th>'
                      f"<th>workload</th><th>runs ok</th>{head}</tr>{''.join(rows)}</table>"
                      f"</div>")
    return ("<h3>Means across repeats</h3><p>Per configuration: the mean of the runs that "
            "succeeded ± the half-width of its 95% confidence interval (Student t, n-1 degrees "
            "of freedom), rounded for display. Rows \"mean\" of summary.csv hold the exact "
            "values. In deterministic (icount) mode a run depends only on its build, workload "
            "and seed: the repeats (seeds seed..seed+N-1) vary only as far as the workload "
            "draws from its seed; with --realtime they also show run-to-run noise.</p>"
            + "".join(tables))


def _placement_cells(run):
    """(where the run placed threads, where the trace shows the workload threads ran)."""
    if run.harts <= 1:
        return "— (1 hart)", "hart 0"
    placement = PLACEMENTS.get(run.placement, f"unrecorded ({run.placement})"
                               if run.placement else "unrecorded (before --placement)")
    harts = run.metrics.get("thread_harts")
    if not harts:
        return placement, "not in metrics.json (recompute: ./schedlab plot DIR)"
    counts = ", ".join(f"h{hart}: {count}" for hart, count in
                       sorted(harts["per_hart"].items(), key=lambda item: int(item[0])))
    used = ", ".join(map(str, harts["harts_used"])) or "none"
    return placement, f"harts {used} (threads per hart: {counts})"


def _outcome(run):
    """A run's outcome as the run table states it (run.json's state)."""
    if run.ok:
        return "ok"
    if run.state == "interrupted":
        return "INTERRUPTED (stopped by Ctrl-C or SIGTERM; compare --resume runs it again)"
    if run.state == "running":
        return "INCOMPLETE (no outcome recorded: still running, or its runner was killed)"
    info = run.run
    return f"FAILED (status {info.get('status')}{', timed out' if info.get('timed_out') else ''})"


def _unfinished_warning(runs):
    """A line above everything when some runs have no result: the plots leave them out."""
    failed = [run for run in runs if not run.ok]
    if not failed:
        return ""
    names = ", ".join(f"{run.config}/{run.workload} {run.state}" for run in failed)
    return (f'<p class="warning">{len(failed)} of {len(runs)} run(s) have no result and are '
            f'left out of the figures: {_e(names)} (see the runs table).</p>')


def _configuration_table(runs, swatch):
    """Each configuration once: what it is, where it ran, which seeds and commits."""
    groups = {}
    for run in runs:
        groups.setdefault(run.config, []).append(run)
    rows = []
    for config, group in groups.items():
        info = group[0].run
        parameters = info.get("sched_params") or info.get("settings") or {}
        params = "<br>".join(f"{_e(k)}={_e(v)}" for k, v in sorted(parameters.items())) or "—"
        seeds = ", ".join(sorted({str(r.run.get("seed", "?")) for r in group}))
        commits = sorted({f"{r.run['commit'][:12]}{' (dirty)' if r.run.get('dirty') else ''}"
                          for r in group if r.run.get("commit")}) or ["unrecorded"]
        placements = sorted({_placement_cells(r)[0] for r in group})
        ok = sum(r.ok for r in group)
        rows.append(
            f'<tr><td class="text">{swatch(group[0])}{_e(config)}</td>'
            f'<td class="text">{_e(group[0].scheduler)}</td><td class="text">{params}</td>'
            f'<td class="text">{_e(group[0].engine)}</td><td>{group[0].harts}</td>'
            f'<td class="text">{_e(group[0].timing_model)}</td>'
            f'<td class="text">{_e(info.get("clock", "?"))}</td>'
            f'<td class="text">{"<br>".join(map(_e, placements))}</td>'
            f'<td class="text">{_e(seeds)}</td>'
            f'<td>{ok} of {len(group)} ok ({len({r.workload for r in group})} workloads)</td>'
            f'<td class="text">{"<br>".join(map(_e, commits))}</td></tr>')
    return ('<div class="scroll"><table><tr><th>configuration</th><th>policy</th>'
            "<th>parameters</th><th>engine</th><th>harts</th><th>timing model</th><th>clock</th>"
            "<th>placement</th><th>seeds</th><th>runs</th><th>commit</th></tr>"
            f"{''.join(rows)}</table></div>")


def _runs_table(runs, base):
    """Every run: its outcome, where its threads ran, its workload parameters and files."""
    rows = []
    for run in runs:
        info = run.run
        workload_params = "<br>".join(map(_e, info.get("params") or [])) or "—"
        files = " ".join(_link(run.directory / name, base, name) for name in
                         ("run.json", "metrics.json", "trace.bin", "console.log")
                         if (run.directory / name).is_file())
        state = _e(_outcome(run))
        warning = run.metrics.get("warning")
        if warning:
            state += f'<br><span class="warning">{_e(warning)}</span>'
        repeat = info.get("repeat")
        rows.append(
            f'<tr><td class="text">{_e(run.config)}</td><td class="text">{_e(run.workload)}'
            f'</td><td>{_e(info.get("seed", "?"))}{"" if repeat is None else f" (rep{repeat})"}'
            f'</td><td class="text">{state}</td>'
            f'<td class="text">{_e(_placement_cells(run)[1])}</td>'
            f'<td class="text">{workload_params}</td><td class="text">{files}</td></tr>')
    return ('<div class="scroll"><table><tr><th>configuration</th><th>workload</th><th>seed</th>'
            "<th>outcome</th><th>workload threads ran on</th><th>workload parameters</th>"
            f"<th>files</th></tr>{''.join(rows)}</table></div>")


def _gantt(runs, path, workload, window_ns):
    from .decode import TraceError, decode
    from .gantt import gantt
    traced, seen = [], set()
    for run in runs:
        if run.config in seen:      # a timeline is of one run: each configuration's first
            continue
        try:
            traced.append((run, decode(run.directory / "trace.bin", allow_partial=True)))
            seen.add(run.config)
        except (TraceError, OSError):
            continue   # a run without a usable trace has no timeline
    return gantt(traced, path, workload, window_ns)


def _draw_comparison(job):
    """Every plot of one workload's runs on one machine: [(title, path)] of those drawn."""
    stem, title, group, plots, window_ns = job
    figures = []
    for plot_stem, plot_title, draw in PLOTS:
        path = plots / f"{stem}_{plot_stem}.png"
        path.unlink(missing_ok=True)
        if group and draw(group, path, title):
            figures.append((plot_title, path))
    path = plots / f"{stem}_timeline.png"
    path.unlink(missing_ok=True)
    if group and _gantt(group, path, title, window_ns):
        figures.append(("Per-hart timeline", path))
    return figures


def _draw_all(jobs):
    """The plots, drawn in parallel on the machine's cores (matplotlib draws on one core)."""
    workers = min(os.cpu_count() or 1, len(jobs))
    if workers <= 1:
        return [_draw_comparison(job) for job in jobs]
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_draw_comparison, jobs))


def _models_section(runs):
    """What each timing model means, and which of this report's configurations used it."""
    used = {model: sorted({run.config for run in group}) for model, group in _by_model(runs)}
    items = "".join(
        f"<li><b>{_e(model)}</b>: {_e(EXPLANATION[model])}"
        f"{'. Here: ' + _e(', '.join(used[model])) if model in used else ''}</li>"
        for model in MODELS)
    warning = ""
    if SHARED_THROUGHPUT in used:
        warning = ('<p class="warning">The multi-hart QEMU runs here are shared-throughput: '
                   "QEMU counts one instruction stream for all harts, so N busy harts each run "
                   "at 1/N speed (fork-join with one worker per hart takes 41.1 / 166 / 411 ms "
                   "at 1 / 2 / 4 harts, its spinning workers taking the working ones' "
                   "instructions). Compare them with each other for placement and contention, "
                   "not with the 1-hart runs as an N-core speed-up; for N cores use the "
                   "simulator (parallel-sim).</p>")
    return f"<h2>Timing models</h2><ul>{items}</ul>{warning}"


def _workload_section(workload, found, drawn, out, swatch):
    parts = []
    for comparison in found:
        figures = drawn.get((workload, comparison.machine), [])
        images = "".join(
            f'<figure{" class=wide" if t == "Per-hart timeline" else ""}><a href="'
            f'{_e(os.path.relpath(p, out))}"><img src="{_e(os.path.relpath(p, out))}" '
            f'alt="{_e(t)}: {_e(workload)}, {_e(machine_label(comparison.machine))}"></a>'
            f"<figcaption>{_e(t)}</figcaption></figure>" for t, p in figures)
        note = "" if figures else "<p>Not drawn: no run here has the data.</p>"
        model = comparison.machine[2]
        group = [run for entry in comparison.entries for run in entry.runs]
        parts.append(f"<h3>{_e(workload)}: {_e(machine_label(comparison.machine))}</h3>"
                     f"{_model_note(model, group) if group else ''}"
                     f"{short_table(comparison, swatch)}"
                     f'<div class="plots">{images}</div>{note}')
    return f'<h2 id="{_e(anchor(workload))}">Workload {_e(workload)}</h2>{"".join(parts)}'


def write_report(root, window_ns=None, baseline=None):
    """Write the report of every run under root; returns the path of index.html.
    window_ns: the timelines' length from each workload's begin (None: the whole workload);
    baseline: the variant figures are normalised to (default rr; ReportError if it did not
    run)."""
    root = Path(root).resolve()
    out, plots = root / "report", root / "report" / "plots"
    runs = load_runs(root)
    try:
        baseline = choose_baseline(runs, baseline)
    except ValueError as error:
        raise ReportError(str(error)) from None
    plots.mkdir(parents=True, exist_ok=True)
    summary = write_summary(root, [run.directory for run in runs])
    swatch = _Swatches(runs)
    found = comparisons(runs, baseline)
    workloads = sorted({run.workload for run in runs})
    jobs = [(f"{file_stem(c.workload)}_{_machine_stem(c.machine)}",
             f"{c.workload}\n{machine_label(c.machine)}",
             [run for entry in c.entries for run in entry.runs], plots, window_ns)
            for c in found]
    drawn = {(c.workload, c.machine): figures for c, figures in zip(found, _draw_all(jobs))}
    sections = "".join(_workload_section(w, [c for c in found if c.workload == w], drawn, out,
                                         swatch) for w in workloads)
    lossy = [run for run in runs if run.metrics.get("lossy")]
    warning = (f'<p class="warning">{len(lossy)} run(s) have lossy traces; their figures may be '
               f'off (see the runs table).</p>' if lossy else "")
    legend = "".join(f"<li>{_e(key)}{f' ({unit})' if unit else ''}: {_e(doc)}</li>"
                     for key, _, unit, doc, _ in HEADLINE)
    bench_html = bench_section(root, out, plots)
    # A plot an earlier report drew and this one does not (a configuration gone, a plot
    # retired) would linger among the current ones: only what the page shows stays.
    shown = {path for figures in drawn.values() for _, path in figures}
    for stale in plots.glob("*.png"):
        if stale not in shown and not stale.name.startswith("bench_"):
            stale.unlink()
    bench = read_json(root / "bench.json")
    costs = switch_cost_table(bench)
    costs_html = (f"<h3>What a context switch costs each policy</h3><p>From bench.json "
                  f"(<a href=\"#bench\">microbenchmarks</a>), tracing on, 1 hart, icount: one "
                  f"instruction is one ns.</p>{costs}") if costs else ""
    baseline_text = (f"Figures are normalised to <b>{_e(baseline)}</b> on the same machine "
                     f"(×0.5: half of {_e(baseline)}'s; choose another with --baseline)."
                     if baseline else "")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>SchedLab report: {_e(root.name)}</title>
<style>{_STYLE}</style></head><body>
<h1>SchedLab report: {_e(root.name)}</h1>
<p>{len(runs)} run(s) of {len({r.config for r in runs})} configuration(s) on
{len(workloads)} workload(s). {baseline_text} Every run's figures:
{_link(summary, out, "summary.csv")}.</p>{warning}
{_unfinished_warning(runs)}
<h2>Which configuration wins each workload</h2>
<p>{_e(deciding_text())} Click a workload for its figures and plots.</p>
{winners_table(found, swatch, anchor)}
{costs_html}
{_models_section(runs)}
{sections}
{agreement_section(runs)}
{bench_html}
<h2>Every figure</h2>
<details><summary>Headline figures of every run ({len(runs)} rows; exact values in
summary.csv)</summary>
<p>The values of each run's metrics.json "headline", rounded for display (6 significant
digits; metrics.json and summary.csv hold them exactly). n = the sample count of a percentile
or mean; n/a = null: not measured, or too few samples for the percentile (the reason is
given).</p>
{_headline_section(runs, swatch)}
{_repeats_section(runs)}
<h3>What each column means</h3><ul>{legend}</ul>
<p>Definitions, with units, are in analysis/*.py next to the code computing them.</p>
</details>
<h2>Configurations</h2>
{_configuration_table(runs, swatch)}
<details><summary>Every run: outcome, placement, files ({len(runs)} rows)</summary>
{_runs_table(runs, out)}
</details>
</body></html>
"""
    index = out / "index.html"
    write_atomically(index, page)
    return index
