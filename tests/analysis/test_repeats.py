"""Means and 95% Student-t intervals of repeated runs (analysis/repeats.py), in summary.csv and
the report, on synthetic metrics whose answers are worked out by hand."""
import csv
import json
import math

import pytest

from analysis.__main__ import main
from analysis.repeats import T_975, mean_ci95, summarise_repeats, t_critical_95
from analysis.results import Run, load_runs


@pytest.mark.parametrize("df, t", [(1, 12.706), (2, 4.303), (4, 2.776), (9, 2.262),
                                   (30, 2.042), (35, 2.042), (60, 2.000), (1000, 1.980),
                                   (math.inf, 1.960)])
def test_t_critical_values_are_the_table_and_err_wide_between_entries(df, t):
    assert t_critical_95(df) == t


def test_t_table_agrees_with_scipy_where_scipy_is_installed():
    stats = pytest.importorskip("scipy.stats")
    for df, t in T_975.items():
        assert t == pytest.approx(stats.t.ppf(0.975, df), abs=0.0006), df


def test_t_needs_two_samples():
    with pytest.raises(ValueError):
        t_critical_95(0)


def test_mean_and_interval_of_known_samples():
    # 1, 2, 3: mean 2, sample sd 1, half-width t(0.975, 2) / sqrt(3) = 4.303 / 1.7320508
    estimate = mean_ci95([1, 2, 3])
    assert estimate.mean == 2 and estimate.n == 3
    assert estimate.half_width == pytest.approx(4.303 / math.sqrt(3))
    assert (estimate.low, estimate.high) == pytest.approx((2 - 2.48434, 2 + 2.48434), abs=1e-5)
    # Equal samples: no spread, a zero-width interval.
    assert mean_ci95([5, 5, 5, 5]).half_width == 0
    # One sample: a mean, no interval; none: nothing.
    single = mean_ci95([7])
    assert (single.mean, single.half_width, single.low) == (7, None, None)
    assert mean_ci95([]) is None


def run(scheduler, harts, workload, repeat, headline, ok=True):
    return Run(directory=None, scheduler=scheduler, harts=harts, workload=workload,
               run={"repeat": repeat, "ok": ok}, metrics={"headline": headline})


def test_repeats_are_grouped_per_configuration_and_failed_runs_left_out():
    runs = [run("rr", 1, "mixed", 0, {"switches_per_s": 10.0, "lossy": False}),
            run("rr", 1, "mixed", 1, {"switches_per_s": 20.0, "lossy": False}),
            run("rr", 1, "mixed", 2, {"switches_per_s": 30.0, "lossy": True}),
            run("rr", 1, "mixed", 3, {"switches_per_s": 1e9}, ok=False),
            run("rr", 4, "mixed", 0, {"switches_per_s": 5, "wakeup_p50_ns": None}),
            run("rr", 4, "mixed", 1, {"switches_per_s": 7, "wakeup_p50_ns": None}),
            run("mlfq", 1, "mixed", None, {"switches_per_s": 99.0})]   # not a repeat
    summaries = summarise_repeats(runs)
    assert [(s.config, s.workload, len(s.runs), len(s.succeeded)) for s in summaries] == [
        ("rr-1h", "mixed", 4, 3), ("rr-4h", "mixed", 2, 2)]
    one, four = summaries
    assert one.estimates["switches_per_s"].mean == 20
    assert one.estimates["switches_per_s"].half_width == pytest.approx(4.303 * 10 / math.sqrt(3))
    assert "lossy" not in one.estimates            # a flag, not a figure to average
    assert four.estimates["switches_per_s"].mean == 6
    assert four.estimates["switches_per_s"].half_width == pytest.approx(
        12.706 * math.sqrt(2) / math.sqrt(2))
    assert "wakeup_p50_ns" not in four.estimates   # nothing measured in any repeat


HEADLINES = {0: {"switches_per_s": 100.0, "wakeup_p50_ns": 1000, "lossy": False},
             1: {"switches_per_s": 110.0, "wakeup_p50_ns": 1200, "lossy": False},
             2: {"switches_per_s": 120.0, "wakeup_p50_ns": 1400, "lossy": False}}


def make_repeats(root):
    """rr at 2 harts on mixed, three repeats with the headline figures above."""
    for repeat, headline in HEADLINES.items():
        directory = root / "rr-2h" / "mixed" / f"rep{repeat}"
        directory.mkdir(parents=True)
        (directory / "run.json").write_text(json.dumps({
            "scheduler": "rr", "workload": "mixed", "cpus": 2, "seed": 1 + repeat,
            "repeat": repeat, "clock": "realtime", "ok": True, "status": 0}))
        (directory / "metrics.json").write_text(json.dumps({"scheduler": "rr",
                                                            "headline": headline}))


def test_summary_csv_has_a_mean_row_with_intervals_after_the_runs(tmp_path):
    make_repeats(tmp_path)
    assert main(["report", str(tmp_path)]) == 0
    with open(tmp_path / "summary.csv") as summary:
        rows = list(csv.DictReader(summary))
    assert [(r["config"], r["repeat"], r["seed"]) for r in rows] == [
        ("rr-2h", "0", "1"), ("rr-2h", "1", "2"), ("rr-2h", "2", "3"), ("rr-2h", "mean", "")]
    mean = rows[-1]
    assert (mean["workload"], mean["cpus"], mean["repeats"]) == ("mixed", "2", "3")
    assert float(mean["headline.switches_per_s"]) == 110
    assert float(mean["headline.switches_per_s.ci95"]) == pytest.approx(4.303 * 10 / math.sqrt(3),
                                                                        rel=1e-5)
    assert float(mean["headline.wakeup_p50_ns"]) == 1200
    assert float(mean["headline.wakeup_p50_ns.ci95"]) == pytest.approx(4.303 * 200 / math.sqrt(3),
                                                                       rel=1e-5)
    assert rows[0]["headline.switches_per_s.ci95"] == ""   # single runs have no interval


def test_report_shows_the_means_table_with_the_csv_values(tmp_path):
    make_repeats(tmp_path)
    assert main(["report", str(tmp_path)]) == 0
    page = (tmp_path / "report" / "index.html").read_text()
    assert "Means across repeats" in page and "Student t" in page
    assert "110 ± 24.8434" in page and "1200 ± 496.868" in page
    assert "3 of 3" in page
    assert "mixed rep2" in page   # each repeat is still a row of the headline table


def test_runs_without_a_repeat_index_get_no_means(tmp_path):
    directory = tmp_path / "rr-1h" / "mixed"
    directory.mkdir(parents=True)
    (directory / "run.json").write_text(json.dumps({"scheduler": "rr", "workload": "mixed",
                                                   "cpus": 1, "ok": True}))
    (directory / "metrics.json").write_text(json.dumps({"headline": {"switches_per_s": 1.0}}))
    assert main(["report", str(tmp_path)]) == 0
    assert "Means across repeats" not in (tmp_path / "report" / "index.html").read_text()
    with open(tmp_path / "summary.csv") as summary:
        assert [row["repeat"] for row in csv.DictReader(summary)] == [""]


def test_repeat_directories_name_their_run_without_run_json(tmp_path):
    directory = tmp_path / "mlfq-4h" / "pager" / "rep1"
    directory.mkdir(parents=True)
    (directory / "trace.bin").write_bytes(b"")
    [found] = load_runs(tmp_path)
    assert (found.scheduler, found.harts, found.workload) == ("mlfq", 4, "pager")
