"""The report's plots: for one workload, its runs (analysis.results.Run) side by side.

Each function draws one PNG at `path` and returns True, or returns False and writes nothing
when no run has anything to show. A run is labelled by its configuration (rr-4h); colour says
the policy (plot.policy_colour, the same in every plot), line style or hatch the hart count.
Times are plotted in µs.
"""
from matplotlib.figure import Figure

from .plot import _save, policy_colour

_LINE_STYLES = ("-", "--", ":", "-.")
_HATCHES = ("", "//", "..", "xx")


def _style(run, runs):
    """Line style / hatch index: by the run's hart count among those plotted."""
    harts = sorted({r.harts for r in runs})
    return harts.index(run.harts) % len(_LINE_STYLES)


def _figure(width=7.5, height=4.5):
    figure = Figure(figsize=(width, height))
    return figure, figure.add_subplot()


def _finish(figure, axes, path, title, legend=True):
    axes.set_title(title)
    axes.grid(True, alpha=0.3, axis="y")
    if legend and axes.get_legend_handles_labels()[0]:
        axes.legend(fontsize="small")
    figure.tight_layout()
    _save(figure, path)
    return True


def distribution_cdf(runs, path, metric, quantity, workload):
    """CDF of metrics[metric]["samples"] (ns) per run; x in µs on a log axis, since latencies
    span orders of magnitude."""
    shown = [r for r in runs if r.metrics.get(metric, {}).get("samples")]
    if not shown:
        return False
    figure, axes = _figure()
    for run in shown:
        samples = run.metrics[metric]["samples"]
        fractions = [i / len(samples) for i in range(len(samples) + 1)]
        axes.step([max(samples[0], 1) / 1000] + [max(ns, 1) / 1000 for ns in samples],
                  fractions, where="post", color=policy_colour(run.scheduler),
                  linestyle=_LINE_STYLES[_style(run, shown)],
                  label=f"{run.config} (n={len(samples)})")
    axes.set_xscale("log")
    axes.set_xlabel(f"{quantity} (µs, log scale)")
    axes.set_ylabel("fraction of samples ≤ x")
    axes.set_ylim(0, 1.02)
    axes.grid(True, alpha=0.3, axis="x")
    return _finish(figure, axes, path, f"{quantity.capitalize()} CDF: {workload}")


def _grouped_bars(axes, runs, groups, value_of, unit_scale=1.0, label_of=None):
    """Bars per group (x positions) with one bar per run inside each group; a None value (not
    measured, or a percentile too few samples support) is written "n/a" at the axis' foot."""
    width = 0.8 / len(runs)
    for index, run in enumerate(runs):
        xs = [g + (index - (len(runs) - 1) / 2) * width for g in range(len(groups))]
        values = [value_of(run, group) for group in groups]
        heights = [v / unit_scale if v is not None else 0 for v in values]
        bars = axes.bar(xs, heights, width, color=policy_colour(run.scheduler),
                        hatch=_HATCHES[_style(run, runs)], edgecolor="black", linewidth=0.5,
                        label=label_of(run) if label_of else run.config)
        for bar, value in zip(bars, values):
            if value is None:   # no sample: say so instead of drawing a misleading 0
                axes.annotate("n/a", (bar.get_x() + bar.get_width() / 2, 0.01),
                              xycoords=("data", "axes fraction"), ha="center", va="bottom",
                              fontsize="x-small")
    axes.set_xticks(range(len(groups)))


def percentile_bars(runs, path, metric, quantity, workload):
    """p50, p90, p99 and max of metrics[metric] per run, in µs (log axis); the legend gives each
    run's n, and a percentile its n cannot support is n/a (stats.summarise)."""
    shown = [r for r in runs if r.metrics.get(metric, {}).get("n")]
    if not shown:
        return False
    groups = ["p50", "p90", "p99", "max"]
    figure, axes = _figure()
    _grouped_bars(axes, shown, groups, lambda run, g: run.metrics[metric][g], 1000.0,
                  label_of=lambda run: f"{run.config} (n={run.metrics[metric]['n']})")
    axes.set_xticklabels(groups)
    axes.set_yscale("log")
    axes.set_ylabel(f"{quantity} (µs, log scale)")
    return _finish(figure, axes, path, f"{quantity.capitalize()} percentiles: {workload}")


def switch_rate_bars(runs, path, workload):
    """Voluntary and involuntary context switches per second, stacked, one bar per run."""
    shown = [r for r in runs if r.metrics.get("context_switches", {}).get("per_second")
             is not None]
    if not shown:
        return False
    figure, axes = _figure()
    for index, run in enumerate(shown):
        switches = run.metrics["context_switches"]
        voluntary = switches.get("voluntary_per_second") or 0
        involuntary = switches.get("involuntary_per_second") or 0
        other = max(0.0, switches["per_second"] - voluntary - involuntary)
        colour = policy_colour(run.scheduler)
        bottom = 0
        for value, hatch, kind in ((voluntary, "", "voluntary"), (involuntary, "//",
                                                                   "involuntary"),
                                   (other, "..", "from idle / other")):
            axes.bar(index, value, 0.6, bottom=bottom, color=colour, hatch=hatch,
                     edgecolor="black", linewidth=0.5, label=kind if index == 0 else None)
            bottom += value
        axes.annotate(f"{switches['per_second']:.0f}/s", (index, bottom), ha="center",
                      va="bottom", fontsize="small")
    axes.set_xticks(range(len(shown)))
    axes.set_xticklabels([r.config for r in shown])
    axes.set_ylabel("context switches per second (1/s)")
    axes.set_xlabel("configuration (colour: policy; hatch: kind of switch)")
    return _finish(figure, axes, path, f"Context-switch rate: {workload}")


def fairness_utilisation(runs, path, workload):
    """Left: Jain's fairness index per run (0..1). Right: utilisation of each hart per run."""
    shown = [r for r in runs if r.metrics.get("harts")]
    if not shown:
        return False
    figure = Figure(figsize=(10, 4.5))
    left, right = figure.add_subplot(1, 2, 1), figure.add_subplot(1, 2, 2)
    for index, run in enumerate(shown):
        jain = run.metrics.get("fairness", {}).get("jain_demand_share")
        left.bar(index, jain or 0, 0.6, color=policy_colour(run.scheduler),
                 hatch=_HATCHES[_style(run, shown)], edgecolor="black", linewidth=0.5)
        left.annotate("n/a" if jain is None else f"{jain:.3f}", (index, jain or 0),
                      ha="center", va="bottom", fontsize="small")
    left.set_xticks(range(len(shown)))
    left.set_xticklabels([r.config for r in shown])
    left.set_ylim(0, 1.1)
    left.set_ylabel("Jain's index of served/demanded CPU (1 = fair)")
    left.set_title("Fairness among workload threads")
    left.grid(True, alpha=0.3, axis="y")
    max_harts = max(len(r.metrics["harts"]) for r in shown)
    _grouped_bars(right, shown, [str(h) for h in range(max_harts)],
                  lambda run, h: run.metrics["harts"].get(h, {}).get("utilisation"), 0.01)
    right.set_xticklabels([f"hart {h}" for h in range(max_harts)])
    right.set_ylim(0, 110)
    right.set_ylabel("utilisation (% of the trace's span busy)")
    right.set_title("Per-hart utilisation")
    right.grid(True, alpha=0.3, axis="y")
    right.legend(fontsize="small", loc="lower right")
    figure.suptitle(f"Fairness and utilisation: {workload}")
    figure.tight_layout()
    _save(figure, path)
    return True


def deadline_miss_bars(runs, path, workload):
    """Periodic jobs per run: completed on time, missed; miss ratio written above."""
    shown = [r for r in runs if r.metrics.get("jobs", {}).get("released")]
    if not shown:
        return False
    figure, axes = _figure()
    for index, run in enumerate(shown):
        jobs = run.metrics["jobs"]
        on_time = jobs["completed"] - (jobs["missed"] - jobs["unfinished_missed"])
        colour = policy_colour(run.scheduler)
        axes.bar(index, on_time, 0.6, color=colour, edgecolor="black", linewidth=0.5,
                 label="met deadline (or none)" if index == 0 else None)
        axes.bar(index, jobs["missed"], 0.6, bottom=on_time, color=colour, hatch="xx",
                 edgecolor="black", linewidth=0.5, label="missed" if index == 0 else None)
        ratio = jobs["miss_ratio"]
        axes.annotate(f"{jobs['missed']} missed" + (f" ({ratio:.1%})" if ratio is not None
                                                    else ""),
                      (index, on_time + jobs["missed"]), ha="center", va="bottom",
                      fontsize="small")
    axes.set_xticks(range(len(shown)))
    axes.set_xticklabels([r.config for r in shown])
    axes.set_ylabel("periodic jobs")
    return _finish(figure, axes, path, f"Deadline misses: {workload}")
