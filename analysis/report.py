"""report/index.html: a static page gathering a results directory's plots and figures.

`python3 -m analysis report RESULTS_DIR` writes RESULTS_DIR/report/index.html, its plots in
RESULTS_DIR/report/plots/, and RESULTS_DIR/summary.csv. The page needs no script and no server:
every link is relative, so the directory can be copied or opened from disk.

The page starts by saying what each timing model means (timing_model.py). Runs are then shown
per timing model: a headline table, a means table and each workload's plots per model, each
titled with the model's label, so N-hart icount runs (shared-throughput: N harts share one
instruction clock) are never shown as an N-core comparison next to 1-hart runs. The headline
tables show metrics.json's "headline" figures rounded for display only (headline.display;
metrics.json and summary.csv keep the exact values), each percentile with its sample count n,
and the reason where a percentile is null. The configuration table shows what produced each
run, from run.json: policy, parameters, harts, seed, clock, timing model, the placement the
engine was given (engine.placement) and, from the trace, on which harts the workload threads
ran, commit. Runs that failed or have no metrics are listed but not plotted. Repeated runs
(`compare --repeat N`) get one more table: per configuration and workload the mean of each
headline figure with its 95% Student-t interval (repeats.py, the same values as summary.csv's
"mean" rows); their plots show one repeat per configuration, the first that succeeded.
Where the same scheduler and workload ran on QEMU and on the simulator at one hart, a table
shows how well they agree (agreement.py).
A results directory with a bench.json (compare runs the microbenchmarks) gets a section with
its tables and plots after the headline figures (bench_report.py).
"""
import html
import os
from pathlib import Path

from .agreement import agreement_section
from .bench_report import bench_section
from .atomic_file import write_atomically
from .comparison_plots import (deadline_miss_bars, distribution_cdf, fairness_utilisation,
                               percentile_bars, switch_rate_bars)
from .headline import HEADLINE, display
from .plot import policy_colour
from .repeats import summarise_repeats
from .results import load_runs
from .summary import write_summary
from .timing_model import EXPLANATION, MODELS, SHARED_THROUGHPUT, label

# The headline figures a table shows: the sample counts go next to their percentiles instead.
_N_KEYS = {n_key for *_, n_key in HEADLINE if n_key}
_SHOWN = [row for row in HEADLINE if row[0] not in _N_KEYS]

PLACEMENTS = {
    "spread": "spread: the engine places each thread on a hart at creation, round robin",
    "creator": "creator: seL4's rule, a thread starts on the hart of the thread creating it",
}

# (file stem, title, function(runs, path, workload)) for each plot of a workload.
PLOTS = (
    ("wakeup_cdf", "Wakeup latency CDF",
     lambda runs, path, w: distribution_cdf(runs, path, "wakeup_latency_ns", "wakeup latency", w)),
    ("wakeup_percentiles", "Wakeup latency percentiles",
     lambda runs, path, w: percentile_bars(runs, path, "wakeup_latency_ns", "wakeup latency", w)),
    ("request_latency_cdf", "Request latency CDF",
     lambda runs, path, w: distribution_cdf(runs, path, "request_latency_ns", "request latency",
                                            w)),
    ("request_latency_percentiles", "Request latency percentiles",
     lambda runs, path, w: percentile_bars(runs, path, "request_latency_ns", "request latency",
                                           w)),
    ("service_time_cdf", "Request service time CDF",
     lambda runs, path, w: distribution_cdf(runs, path, "service_time_ns", "service time", w)),
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


def _swatch(run):
    # matplotlib's tab: names are CSS-unknown; the page uses the same colours by hex.
    from matplotlib.colors import to_hex
    return f'<span class="swatch" style="background:{to_hex(policy_colour(run.scheduler))}">' \
           f'</span>'


def _link(target, base, text):
    return f'<a href="{_e(os.path.relpath(target, base))}">{_e(text)}</a>'


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


def _headline_table(runs):
    head = "".join(f'<th title="{_e(doc)}">{_e(key)}{f" ({unit})" if unit else ""}</th>'
                   for key, _, unit, doc, _ in _SHOWN)
    rows = []
    for run in runs:
        figures = run.metrics.get("headline", {})
        cells = "".join(f"<td>{_e(_figure(figures, key, n_key))}</td>"
                        for key, _, _, _, n_key in _SHOWN)
        repeat = run.run.get("repeat")
        workload = run.workload if repeat is None else f"{run.workload} rep{repeat}"
        rows.append(f'<tr><td class="text">{_swatch(run)}{_e(run.config)}</td>'
                    f'<td>{run.harts}</td><td class="text">{_e(workload)}</td>{cells}</tr>')
    return (f"<table><tr><th>config</th><th>harts</th><th>workload</th>{head}</tr>"
            f"{''.join(rows)}</table>")


def _headline_section(runs):
    return "".join(f"<h3>{_e(_model_label(model, group))}</h3>{_model_note(model, group)}"
                   f"{_headline_table(group)}" for model, group in _by_model(runs))


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
                      f"<table><tr><th>config</th><th>harts</th><th>workload</th>"
                      f"<th>runs ok</th>{head}</tr>{''.join(rows)}</table>")
    return ("<h2>Means across repeats</h2><p>Per configuration: the mean of the runs that "
            "succeeded ± the half-width of its 95% confidence interval (Student t, n-1 degrees "
            "of freedom), rounded for display. Rows \"mean\" of summary.csv hold the exact "
            "values. In deterministic (icount) mode a run depends only on its build, workload "
            "and seed: the repeats (seeds seed..seed+N-1) vary only as far as the workload "
            "draws from its seed; with --realtime they also show run-to-run noise.</p>"
            + "".join(tables))


def _plotted(runs):
    """The runs a workload's plots show: one per configuration, so repeats do not crowd the
    legend (the means table covers them): the first repeat that succeeded."""
    chosen = {}
    for run in runs:
        if run.ok:
            chosen.setdefault(run.config, run)
    return list(chosen.values())


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
    """A run's outcome as the configuration table states it (run.json's state)."""
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
            f'left out of the figures: {_e(names)} (see the outcome column).</p>')


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
        placement, ran_on = _placement_cells(run)
        state = _e(_outcome(run))
        warning = run.metrics.get("warning")
        if warning:
            state += f'<br><span class="warning">{_e(warning)}</span>'
        rows.append(
            f'<tr><td class="text">{_swatch(run)}{_e(run.config)}</td>'
            f'<td class="text">{_e(run.workload)}</td><td class="text">{_e(run.scheduler)}</td>'
            f'<td class="text">{params}</td><td>{run.harts}</td><td>{_e(info.get("seed", "?"))}'
            f'</td><td class="text">{_e(info.get("clock", "?"))}</td>'
            f'<td class="text">{_e(run.timing_model)}</td><td class="text">{_e(placement)}</td>'
            f'<td class="text">{_e(ran_on)}</td>'
            f'<td class="text">{workload_params}</td><td class="text">{_e(commit_text)}</td>'
            f'<td class="text">{state}</td><td class="text">{files}</td></tr>')
    return ("<table><tr><th>config</th><th>workload</th><th>policy</th><th>parameters</th>"
            "<th>harts</th><th>seed</th><th>clock</th><th>timing model</th><th>placement</th>"
            "<th>workload threads ran on</th><th>workload parameters</th>"
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
    """Every plot of one workload's runs of one timing model: [(title, path)] of those drawn.
    Plot titles name the workload and the model's label."""
    workload, model, title, group, plots, window_ns = job
    figures = []
    for stem, plot_title, draw in PLOTS:
        path = plots / f"{workload}_{model}_{stem}.png"
        path.unlink(missing_ok=True)
        if group and draw(group, path, title):
            figures.append((plot_title, path))
    path = plots / f"{workload}_{model}_timeline.png"
    path.unlink(missing_ok=True)
    if group and _gantt(group, path, title, window_ns):
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


def _models_section(runs):
    """What each timing model means, and which of this report's configurations used it."""
    used = {model: sorted({run.config for run in group}) for model, group in _by_model(runs)}
    items = "".join(
        f"<li><b>{_e(model)}</b>: {_e(EXPLANATION[model])}"
        f"{'. Here: ' + _e(', '.join(used[model])) if model in used else ''}</li>"
        for model in MODELS)
    warning = ""
    if SHARED_THROUGHPUT in used:
        warning = ('<p class="warning">The multi-hart runs here are shared-throughput: QEMU '
                   "counts one instruction stream for all harts, so N busy harts each run at "
                   "1/N speed (fork-join with one worker per hart takes 41.1 / 166 / 411 ms at "
                   "1 / 2 / 4 harts, its spinning workers taking the working ones' "
                   "instructions). "
                   "Compare them with each other for placement and contention, not with the "
                   "1-hart runs as an N-core speed-up; for N cores use the simulator "
                   "(parallel-sim).</p>")
    return f"<h2>Timing models</h2><ul>{items}</ul>{warning}"


def write_report(root, window_ns=None):
    """Write the report of every run under root; returns the path of index.html."""
    from .gantt import DEFAULT_WINDOW_NS
    root = Path(root).resolve()
    out, plots = root / "report", root / "report" / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    runs = load_runs(root)
    summary = write_summary(root, [run.directory for run in runs])
    workloads = sorted({run.workload for run in runs})
    jobs = []
    for workload in workloads:
        for model, group in _by_model(run for run in runs if run.workload == workload):
            jobs.append((workload, model, f"{workload}\n{_model_label(model, group)}",
                         _plotted(group), plots, window_ns or DEFAULT_WINDOW_NS))
    drawn = dict(((job[0], job[1]), figures) for job, figures in zip(jobs, _draw_all(jobs)))
    sections = []
    for workload in workloads:
        parts = []
        for model, group in _by_model(run for run in runs if run.workload == workload):
            figures = drawn[(workload, model)]
            images = "".join(f'<figure><a href="{_e(os.path.relpath(p, out))}"><img src="'
                             f'{_e(os.path.relpath(p, out))}" alt="{_e(t)}: {_e(workload)}, '
                             f'{_e(model)}" width="700"></a><figcaption>{_e(t)}'
                             f'</figcaption></figure>' for t, p in figures)
            missing = [title for _, title, _ in PLOTS if title not in {t for t, _ in figures}]
            note = (f"<p>Not drawn (no run has the data): {_e(', '.join(missing))}.</p>"
                    if missing else "")
            parts.append(f"<h3>{_e(workload)}: {_e(_model_label(model, group))}</h3>"
                         f"{_model_note(model, group)}<div class=\"plots\">{images}</div>"
                         f"{note}")
        sections.append(f'<h2 id="{_e(workload)}">Workload {_e(workload)}</h2>{"".join(parts)}')
    lossy = [run for run in runs if run.metrics.get("lossy")]
    warning = (f'<p class="warning">{len(lossy)} run(s) have lossy traces; their figures may be '
               f'off (see the outcome column).</p>' if lossy else "")
    legend = "".join(f"<li>{_e(key)}{f' ({unit})' if unit else ''}: {_e(doc)}</li>"
                     for key, _, unit, doc, _ in HEADLINE)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>SchedLab report: {_e(root.name)}</title>
<style>{_STYLE}</style></head><body>
<h1>SchedLab report: {_e(root.name)}</h1>
<p>{len(runs)} run(s), {len(workloads)} workload(s). Figures per run:
{_link(summary, out, "summary.csv")}; each run's metrics.json is linked below.
Colours: one per policy in every plot; hatch or line style: hart count.</p>{warning}
{_unfinished_warning(runs)}
{_models_section(runs)}
<h2>Headline figures</h2>
<p>The values of each run's metrics.json "headline", rounded for display (6 significant
digits; metrics.json and summary.csv hold them exactly). n = the sample count of a percentile
or mean; n/a = null: not measured, or too few samples for the percentile (the reason is
given).</p>
{_headline_section(runs)}
<details><summary>What each column means</summary><ul>{legend}</ul>
<p>Definitions, with units, are in analysis/*.py next to the code computing them.</p>
</details>
{bench_section(root, out, plots)}
{_repeats_section(runs)}
{agreement_section(runs)}
{''.join(sections)}
<h2>Configurations</h2>
{_configuration_table(runs, out)}
</body></html>
"""
    index = out / "index.html"
    write_atomically(index, page)
    return index
