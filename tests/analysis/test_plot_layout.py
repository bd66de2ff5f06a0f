"""Every plot the report draws is readable: measured with matplotlib's renderer, no two texts
overlap, no legend lies over the data, no text is cut off at the figure's edge; with long
variant names, 16 harts and repeats (error bars from every repeat)."""
import random

import pytest

from analysis import comparison_plots, gantt as gantt_module
from analysis.layout_check import legends_over_data, outside_figure, overlapping_texts
from analysis.report import PLOTS
from analysis.results import Run
from analysis.stats import summarise

from synthetic import name_records, switch, trace_of

VARIANTS = ("rr", "rr[timeslice_us=2000]", "mlfq[levels=4,boost_us=100000]", "tstune")


def distribution(rng, scale, n):
    samples = sorted(int(rng.lognormvariate(0, 1) * scale) + 1 for _ in range(n))
    return dict(summarise(samples), samples=samples)


def metrics(rng, harts):
    return {
        "wakeup_latency_ns": distribution(rng, 20_000, 300),
        "request_latency_ns": distribution(rng, 2_000_000, 150),
        "service_time_ns": distribution(rng, 50_000, 150),
        "context_switches": {"per_second": 4000.0 * rng.random() + 100,
                             "voluntary_per_second": 100.0, "involuntary_per_second": 50.0},
        "fairness": {"jain_demand_share": rng.random()},
        "harts": {str(h): {"utilisation": rng.random()} for h in range(harts)},
        "jobs": {"released": 40, "miss_ratio": rng.random(),
                 "per_job": [{"tid": 2, "job": j, "release_ns": j * 1_000_000,
                              "tardiness_ns": max(0, int(rng.gauss(0, 3e6))),
                              "unfinished": j == 39} for j in range(40)]},
        "migrations": {"per_workload_thread": {"mean": 10 * rng.random(), "max": 17}},
    }


def runs_of(harts, repeats):
    rng = random.Random(7)
    return [Run(None, variant.split("[")[0], harts, "mixed",
                {"config": f"{variant}-{harts}h-sim", "engine": "sim", "repeat": repeat,
                 "seed": repeat + 1, "timing_model": "parallel-sim"}, metrics(rng, harts))
            for variant in VARIANTS for repeat in range(repeats)]


@pytest.fixture
def drawn(monkeypatch):
    """The figures the plot functions would save, instead of PNG files."""
    figures = []
    monkeypatch.setattr(comparison_plots, "_save", lambda figure, path: figures.append(figure))
    monkeypatch.setattr(gantt_module, "_save", lambda figure, path: figures.append(figure))
    return figures


def check(figure):
    assert overlapping_texts(figure) == []
    assert legends_over_data(figure) == []
    assert outside_figure(figure) == []


@pytest.mark.parametrize("harts, repeats", [(1, 1), (16, 3)])
@pytest.mark.parametrize("stem, title, draw", PLOTS, ids=[stem for stem, _, _ in PLOTS])
def test_report_plots_have_no_overlapping_text(drawn, tmp_path, harts, repeats, stem, title,
                                               draw):
    title_text = "mixed\nsimulator, 16 hart(s), parallel-sim (simulator)"
    assert draw(runs_of(harts, repeats), tmp_path / "plot.png", title_text)
    (figure,) = drawn
    check(figure)


def test_bars_use_every_repeat(drawn, tmp_path):
    runs = runs_of(1, 3)
    assert comparison_plots.fairness_bars(runs, tmp_path / "f.png", "mixed")
    axes = drawn[0].axes[0]
    bars = [patch for patch in axes.patches]
    for bar, variant in zip(bars, VARIANTS):
        values = [r.metrics["fairness"]["jain_demand_share"] for r in runs
                  if r.variant == variant]
        assert bar.get_width() == pytest.approx(sum(values) / 3)
    # an error bar per configuration: the interval of its three repeats
    assert len([c for c in axes.containers if type(c).__name__ == "ErrorbarContainer"]) == 4


def test_narrow_ranges_get_a_linear_axis_wide_ones_a_log_axis(drawn, tmp_path):
    runs = runs_of(1, 1)
    for run in runs:        # every sample within 1.0 .. 1.5 ms
        samples = sorted(1_000_000 + 5_000 * i for i in range(100))
        run.metrics["request_latency_ns"] = dict(summarise(samples), samples=samples)
    comparison_plots.distribution_cdf(runs, tmp_path / "a.png", "request_latency_ns",
                                      "request latency", "mixed")
    comparison_plots.distribution_cdf(runs, tmp_path / "b.png", "wakeup_latency_ns",
                                      "wakeup latency", "mixed")
    narrow, wide = drawn
    assert narrow.axes[0].get_xscale() == "linear" and "(ms)" in narrow.axes[0].get_xlabel()
    assert wide.axes[0].get_xscale() == "log"


def test_the_timeline_covers_the_whole_workload_and_the_same_axis_for_all(drawn, tmp_path):
    short = trace_of([*name_records(0, 2, "worker"), switch(0, 0, 0, 2),
                      switch(4_000_000, 0, 2, 0)])
    long = trace_of([*name_records(0, 2, "worker"), switch(0, 0, 0, 2),
                     switch(9_000_000, 0, 2, 0)])
    runs = [Run(None, "rr", 1, "mixed", {"config": f"{v}-1h"}, {}) for v in VARIANTS[:2]]
    assert gantt_module.gantt(list(zip(runs, (short, long))), tmp_path / "t.png", "mixed")
    (figure,) = drawn
    panels = [axes for axes in figure.axes if axes.axison]
    assert [axes.get_xlim() for axes in panels] == [(0, 9.0), (0, 9.0)]
    assert "4.0 ms" in panels[0].get_title() and "9.0 ms" in panels[1].get_title()
    check(figure)


def test_the_checks_see_overlaps_legends_over_bars_and_cut_off_text():
    from matplotlib.figure import Figure
    figure = Figure(figsize=(4, 3))
    axes = figure.add_subplot()
    axes.bar([0, 1], [5, 5], label="bars")
    axes.legend(loc="center")                          # over the bars
    axes.text(0.5, 0.5, "one", transform=axes.transAxes)
    axes.text(0.5, 0.5, "two", transform=axes.transAxes)
    axes.set_xlabel("a label far too long to fit in a figure only four inches wide at all")
    assert ("one", "two") in overlapping_texts(figure)
    assert legends_over_data(figure) == ["bars"]
    assert outside_figure(figure) == [axes.get_xlabel()]


def test_bench_plots_have_no_overlapping_text(monkeypatch, tmp_path):
    from analysis import bench_plots
    figures = []
    monkeypatch.setattr(bench_plots, "_save", lambda figure, path: figures.append(figure))
    operations = ("call_10words_oneway", "call_replyrecv_roundtrip_nofpu_control",
                  "signal_higher_prio_waiter_roundtrip", "yield_switch", "map_page")
    configs = [{"policy": p, "trace": t, "harts": 1} for p in ("rr", "mlfq", "tstune", "affinity")
               for t in ("on", "off")]
    results = [dict(c, operation=op, threads=None, unit="instructions",
                    instructions=300 + 40 * i) for c in configs
               for i, op in enumerate(operations)]
    results += [dict(c, operation=kind, threads=n, unit="instructions", instructions=50 + n)
                for c in configs for kind in ("pick", "enqueue") for n in (1, 16, 256, 10000)]
    bench = {"configs": configs, "results": results,
             "reference": {"name": "seL4 16.0.0",
                           "figures": [{"operation": "yield_switch", "instructions": 511}]}}
    assert bench_plots.kernel_operation_bars(bench, tmp_path / "k.png")
    assert bench_plots.decision_lines(bench, tmp_path / "d.png")
    for figure in figures:
        check(figure)
