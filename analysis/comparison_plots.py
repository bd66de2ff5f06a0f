"""The report's plots: one workload's runs on one machine (analysis.results.Run), the
configurations side by side.

Each function draws one PNG at `path` and returns True, or returns False and writes nothing
when no run has anything to show. A configuration is labelled by its variant (the machine is in
the title) and keeps its policy's colour (plot.variant_colours). Every repeat is used: a
distribution pools the samples of all repeats of a configuration, and a bar is the mean over
the repeats with its 95% interval as an error bar (repeats.mean_ci95; none for a single run).
Bars run horizontally, with the configurations' names on the y axis, so long variant names
never collide; legends sit outside the axes, never over the data. An axis is logarithmic only
where the values span more than plot.scale_for's ratio. Times are in the unit that suits them
(units.py).
"""
from matplotlib.figure import Figure

from .plot import _save, plain, scale_for, variant_colours
from .repeats import mean_ci95
from .units import column_time_unit


def _groups(runs):
    """{config: [its runs]} in the runs' order."""
    groups = {}
    for run in runs:
        groups.setdefault(run.config, []).append(run)
    return groups


def _colours(groups):
    return variant_colours([group[0].variant for group in groups.values()])


def _name(group):
    repeats = f" ({len(group)} runs)" if len(group) > 1 else ""
    return plain(group[0].variant) + repeats


def _mean(values):
    """(mean, half-width or 0) of the numbers among values; (None, 0) without any."""
    estimate = mean_ci95(v for v in values if v is not None)
    if estimate is None:
        return None, 0
    return estimate.mean, estimate.half_width or 0


def _figure(width=7.5, height=4.2):
    return Figure(figsize=(width, height), layout="constrained")


def _legend_outside(axes, **options):
    if axes.get_legend_handles_labels()[0]:
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
                    frameon=False, **options)


def _done(figure, axes, path, title):
    axes.set_title(title, fontsize="medium")
    _save(figure, path)
    return True


def _samples(group, metric):
    return sorted(s for run in group for s in run.metrics.get(metric, {}).get("samples") or [])


class _Pooled:
    """metrics[metric]["samples"] of runs pooled per configuration (those with any), in the
    unit that suits them all, and whether they need a log axis."""

    def __init__(self, runs, metric):
        self.groups = {c: g for c, g in _groups(runs).items() if _samples(g, metric)}
        self.samples = {config: _samples(group, metric) for config, group in self.groups.items()}
        self.everything = [s for samples in self.samples.values() for s in samples]
        self.unit, self.scale = column_time_unit(self.everything)
        self.log = scale_for(self.everything) == "log"
        self.colours = _colours(self.groups)

    def label(self, config):
        return f"{_name(self.groups[config])}, n={len(self.samples[config])}"

    def colour(self, config):
        return self.colours[self.groups[config][0].variant]

    def axis_label(self, quantity):
        return f"{quantity} ({self.unit}{', log scale' if self.log else ''})"


def distribution_cdf(runs, path, metric, quantity, workload):
    """CDF of metrics[metric]["samples"] (ns), pooled over each configuration's repeats."""
    pooled = _Pooled(runs, metric)
    if not pooled.groups:
        return False
    figure = _figure()
    axes = figure.add_subplot()
    for config, samples in pooled.samples.items():
        xs = [(max(s, 1) if pooled.log else s) / pooled.scale for s in samples]
        fractions = [i / len(xs) for i in range(len(xs) + 1)]
        axes.step([xs[0]] + xs, fractions, where="post", color=pooled.colour(config),
                  label=pooled.label(config))
    if pooled.log:
        axes.set_xscale("log")
    else:
        axes.set_xlim(left=0)
    axes.set_ylabel("fraction of samples ≤ x")
    axes.set_ylim(0, 1.02)
    return _distribution_done(figure, axes, path, pooled, quantity,
                              f"{quantity.capitalize()} CDF: {workload}")


def _distribution_done(figure, axes, path, pooled, quantity, title):
    axes.set_xlabel(pooled.axis_label(quantity))
    axes.grid(True, alpha=0.3)
    _legend_outside(axes)
    return _done(figure, axes, path, title)


def distribution_histogram(runs, path, metric, quantity, workload, bins=30):
    """Histogram of metrics[metric]["samples"] pooled per configuration: the fraction of its
    samples in each bin, as outlines (no bar hides another); log-spaced bins where the
    samples span orders of magnitude."""
    import numpy as np
    pooled = _Pooled(runs, metric)
    if not pooled.groups:
        return False
    everything, scale = pooled.everything, pooled.scale
    low, high = max(min(everything), 1) / scale, max(max(everything), 1) / scale
    if high <= low:
        high = low * 1.01 + 1e-9
    edges = np.geomspace(low, high, bins + 1) if pooled.log else \
        np.linspace(min(everything) / scale, high, bins + 1)
    figure = _figure()
    axes = figure.add_subplot()
    for config, samples in pooled.samples.items():
        values = np.clip(np.array(samples, dtype=float) / scale, edges[0], edges[-1])
        counts, _ = np.histogram(values, edges)
        axes.stairs(counts / len(samples), edges, color=pooled.colour(config), linewidth=1.5,
                    label=pooled.label(config))
    if pooled.log:
        axes.set_xscale("log")
    axes.set_ylabel("fraction of samples in the bin")
    axes.set_ylim(bottom=0)
    return _distribution_done(figure, axes, path, pooled, quantity,
                              f"{quantity.capitalize()} histogram: {workload}")


def percentile_bars(runs, path, metric, quantity, workload):
    """p50, p90, p99 and max of metrics[metric] per configuration (mean over repeats, 95%
    interval as error bar); a percentile too few samples support is written n/a."""
    groups = {c: g for c, g in _groups(runs).items()
              if any(run.metrics.get(metric, {}).get("n") for run in g)}
    if not groups:
        return False
    percentiles = ["p50", "p90", "p99", "max"]
    figures = {config: {p: _mean(run.metrics[metric].get(p) for run in group)
                        for p in percentiles} for config, group in groups.items()}
    values = [mean for per in figures.values() for mean, _ in per.values()]
    unit, scale = column_time_unit(values)
    log = scale_for(values) == "log"
    colours = _colours(groups)
    figure = _figure()
    axes = figure.add_subplot()
    width = 0.8 / len(groups)
    for index, (config, per) in enumerate(figures.items()):
        xs = [x + (index - (len(groups) - 1) / 2) * width for x in range(len(percentiles))]
        heights = [(per[p][0] or 0) / scale for p in percentiles]
        errors = [per[p][1] / scale for p in percentiles]
        n = sum(run.metrics[metric].get("n") or 0 for run in groups[config])
        axes.bar(xs, heights, width, yerr=errors if any(errors) else None, capsize=3,
                 color=colours[groups[config][0].variant], edgecolor="black", linewidth=0.5,
                 label=f"{_name(groups[config])}, n={n}")
        for x, p in zip(xs, percentiles):
            if per[p][0] is None:
                axes.annotate("n/a", (x, 0.02), xycoords=("data", "axes fraction"),
                              ha="center", va="bottom", fontsize="x-small", rotation=90)
    axes.set_xticks(range(len(percentiles)))
    axes.set_xticklabels(percentiles)
    if log:
        axes.set_yscale("log")
    axes.set_ylabel(f"{quantity} ({unit}{', log scale' if log else ''})")
    axes.grid(True, alpha=0.3, axis="y")
    _legend_outside(axes)
    return _done(figure, axes, path, f"{quantity.capitalize()} percentiles: {workload}")


def _horizontal(groups, height_per_bar=0.45, extra=1.6):
    figure = _figure(7.5, extra + height_per_bar * len(groups))
    axes = figure.add_subplot()
    axes.set_yticks(range(len(groups)))
    axes.set_yticklabels([_name(group) for group in groups.values()])
    axes.set_ylim(len(groups) - 0.5, -0.5)
    axes.grid(True, alpha=0.3, axis="x")
    return figure, axes


def _end_labels(axes, ends, texts, limit):
    """Text just right of each bar's end; the axis leaves room for the longest."""
    for y, (end, text) in enumerate(zip(ends, texts)):
        axes.annotate(text, (end, y), xytext=(4, 0), textcoords="offset points", ha="left",
                      va="center", fontsize="small")
    axes.set_xlim(0, limit * 1.3 if limit else 1)


def switch_rate_bars(runs, path, workload):
    """Voluntary, involuntary and other context switches per second, stacked, one bar per
    configuration (means over its repeats; the error bar is the total's interval)."""
    groups = {c: g for c, g in _groups(runs).items()
              if any(r.metrics.get("context_switches", {}).get("per_second") is not None
                     for r in g)}
    if not groups:
        return False
    colours = _colours(groups)
    figure, axes = _horizontal(groups)
    ends, texts = [], []
    for y, (config, group) in enumerate(groups.items()):
        switches = [r.metrics["context_switches"] for r in group]
        total, error = _mean(s.get("per_second") for s in switches)
        voluntary, _ = _mean(s.get("voluntary_per_second") or 0 for s in switches)
        involuntary, _ = _mean(s.get("involuntary_per_second") or 0 for s in switches)
        left = 0
        for value, hatch, kind in ((voluntary, "", "voluntary"),
                                   (involuntary, "//", "involuntary"),
                                   (max(0.0, (total or 0) - voluntary - involuntary), "..",
                                    "from idle / other")):
            axes.barh(y, value, 0.6, left=left, color=colours[group[0].variant], hatch=hatch,
                      edgecolor="black", linewidth=0.5, label=kind if y == 0 else None)
            left += value
        if error:
            axes.errorbar(total, y, xerr=error, color="black", capsize=3)
        ends.append((total or 0) + error)
        texts.append(f"{total:.0f}/s")
    _end_labels(axes, ends, texts, max(ends))
    axes.set_xlabel("context switches per second (hatch: kind of switch)")
    _legend_outside(axes)
    return _done(figure, axes, path, f"Context-switch rate: {workload}")


def _value_bars(runs, path, title, xlabel, value_of, text_of, fixed_limit=None):
    """One horizontal bar per configuration: the mean of value_of(run) over its repeats with
    its interval; text_of(mean, its runs) at the bar's end. False when no run has a value."""
    groups = {c: g for c, g in _groups(runs).items()
              if any(value_of(r) is not None for r in g)}
    if not groups:
        return False
    colours = _colours(groups)
    figure, axes = _horizontal(groups)
    ends, texts = [], []
    for y, (config, group) in enumerate(groups.items()):
        mean, error = _mean(value_of(r) for r in group)
        axes.barh(y, mean, 0.6, xerr=error or None, capsize=3,
                  color=colours[group[0].variant], edgecolor="black", linewidth=0.5)
        ends.append(mean + error)
        texts.append(text_of(mean, group))
    _end_labels(axes, ends, texts, fixed_limit or max(ends))
    axes.set_xlabel(xlabel)
    return _done(figure, axes, path, title)


def fairness_bars(runs, path, workload):
    """Jain's index of served/demanded CPU of the workload threads per configuration."""
    return _value_bars(runs, path, f"Fairness among workload threads: {workload}",
                       "Jain's index of served / demanded CPU (1 = fair)",
                       lambda r: r.metrics.get("fairness", {}).get("jain_demand_share"),
                       lambda v, _: f"{v:.3f}", fixed_limit=1.0)


def deadline_miss_bars(runs, path, workload):
    """The share of periodic jobs that missed their deadline, per configuration."""
    def ratio(run):
        jobs = run.metrics.get("jobs", {})
        return jobs.get("miss_ratio") if jobs.get("released") else None
    return _value_bars(runs, path, f"Deadline misses: {workload}",
                       "periodic jobs that missed their deadline (%)",
                       lambda r: None if ratio(r) is None else ratio(r) * 100,
                       lambda v, _: f"{v:.1f}%", fixed_limit=100.0)


def migrations_per_thread(runs, path, workload):
    """Mean moves between harts per workload thread (bar) and the most of any one thread
    (text); not drawn when no thread moved (one hart)."""
    def moves(run):
        return run.metrics.get("migrations", {}).get("per_workload_thread", {}).get("mean")

    def most(group):
        values = [run.metrics["migrations"]["per_workload_thread"].get("max") for run in group
                  if run.metrics.get("migrations", {}).get("per_workload_thread")]
        return max((v for v in values if v is not None), default=None)
    if not any(moves(run) for run in runs):
        return False
    return _value_bars(runs, path, f"Migrations per workload thread: {workload}",
                       "moves between harts per thread (bar: mean, text: most)",
                       moves, lambda v, group: f"{v:.3g} (max {most(group)})")


def utilisation_bars(runs, path, workload):
    """Per-hart utilisation per configuration, %, grouped by hart (means over repeats)."""
    groups = {c: g for c, g in _groups(runs).items() if any(r.metrics.get("harts") for r in g)}
    if not groups:
        return False
    harts = max(len(r.metrics["harts"]) for g in groups.values() for r in g)
    colours = _colours(groups)
    figure = _figure(max(7.5, 3 + 0.5 * harts), 4.2)
    axes = figure.add_subplot()
    width = 0.8 / len(groups)
    for index, (config, group) in enumerate(groups.items()):
        xs = [h + (index - (len(groups) - 1) / 2) * width for h in range(harts)]
        estimates = [_mean(None if (u := r.metrics["harts"].get(str(h), {}).get("utilisation"))
                           is None else u * 100 for r in group) for h in range(harts)]
        errors = [e for _, e in estimates]
        axes.bar(xs, [m or 0 for m, _ in estimates], width,
                 yerr=errors if any(errors) else None, capsize=2,
                 color=colours[group[0].variant], edgecolor="black", linewidth=0.5,
                 label=_name(group))
    axes.set_xticks(range(harts))
    axes.set_xticklabels([str(h) for h in range(harts)])
    axes.set_xlabel("hart")
    axes.set_ylim(0, 105)
    axes.set_ylabel("busy (% of the trace's span)")
    axes.grid(True, alpha=0.3, axis="y")
    _legend_outside(axes)
    return _done(figure, axes, path, f"Per-hart utilisation: {workload}")


def tardiness_per_job(runs, path, workload):
    """Each periodic job's tardiness (how late it ended past its deadline; 0 when on time)
    against its release, from the workload's start, every repeat's jobs; unfinished jobs past
    their deadline are drawn hollow (their tardiness is a lower bound)."""
    groups = {c: g for c, g in _groups(runs).items()
              if any(j.get("tardiness_ns") is not None
                     for r in g for j in r.metrics.get("jobs", {}).get("per_job") or [])}
    if not groups:
        return False
    points = {}
    for config, group in groups.items():
        points[config] = []
        for run in group:
            first = min((j["release_ns"] for j in run.metrics["jobs"]["per_job"]), default=0)
            points[config] += [((j["release_ns"] - first) / 1e6, j["tardiness_ns"],
                                j["unfinished"]) for j in run.metrics["jobs"]["per_job"]
                               if j.get("tardiness_ns") is not None]
    unit, scale = column_time_unit([t for ps in points.values() for _, t, _ in ps])
    colours = _colours(groups)
    figure = _figure()
    axes = figure.add_subplot()
    for config, ps in points.items():
        colour = colours[groups[config][0].variant]
        done = [(x, t / scale) for x, t, unfinished in ps if not unfinished]
        open_ = [(x, t / scale) for x, t, unfinished in ps if unfinished]
        late = sum(1 for _, t, _ in ps if t > 0)
        axes.plot([x for x, _ in done], [t for _, t in done], "o", markersize=3, color=colour,
                  label=f"{_name(groups[config])}: {late} of {len(ps)} late")
        if open_:
            axes.plot([x for x, _ in open_], [t for _, t in open_], "o", markersize=5,
                      markerfacecolor="none", color=colour)
    axes.set_xlabel("job release (ms from the first release)")
    axes.set_ylabel(f"tardiness ({unit}; 0 = on time)")
    axes.set_ylim(bottom=0)
    axes.grid(True, alpha=0.3)
    _legend_outside(axes)
    return _done(figure, axes, path, f"Per-job tardiness: {workload}")
