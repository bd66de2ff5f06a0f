"""The report's simulator-against-QEMU table (analysis/agreement.py) on hand-made runs."""
from pathlib import Path

import pytest

from analysis.agreement import agreement_section, compare_pair, pairs, relative_difference
from analysis.results import Run


def run(scheduler, engine, harts=1, seed=1, ok=True, directory=None, **headline):
    model = "parallel-sim" if engine == "sim" else ("exact" if harts == 1 else "shared-throughput")
    return Run(directory and Path(directory), scheduler, harts, "mixed",
               {"engine": engine, "seed": seed, "ok": ok, "timing_model": model},
               {"headline": headline} if ok else {})


@pytest.mark.parametrize("qemu, sim, expected", [
    (100, 102, 0.02), (100, 97, -0.03), (0, 0, 0.0), (0, 5, None), (None, 5, None),
    (5, None, None)])
def test_relative_difference_is_against_qemu(qemu, sim, expected):
    assert relative_difference(qemu, sim) == (None if expected is None
                                              else pytest.approx(expected))


def test_pairs_are_one_hart_ok_runs_of_the_same_scheduler_and_seed():
    runs = [run("rr", "qemu", wakeup_p50_ns=100), run("rr", "sim", wakeup_p50_ns=101),
            run("rr", "sim", harts=4), run("rr", "qemu", harts=4),
            run("mlfq", "qemu"), run("mlfq", "sim", seed=2),        # other seed: no pair
            run("tstune", "qemu"), run("tstune", "sim", ok=False)]  # failed: no pair
    found = pairs(runs)
    assert [(q.scheduler, q.engine, s.engine, s.harts) for q, s in found] == [
        ("rr", "qemu", "sim", 1)]


def test_each_figure_agrees_within_two_percent_and_missing_ones_disagree():
    qemu = run("rr", "qemu", wakeup_p50_ns=1000, wakeup_p99_ns=1000, migrations=0,
               request_latency_p50_ns=None, turnaround_mean_ns=50)
    sim = run("rr", "sim", wakeup_p50_ns=1020, wakeup_p99_ns=1021, migrations=0,
              request_latency_p50_ns=None, turnaround_mean_ns=None)
    rows = {key: (diff, ok) for key, _, _, diff, ok in compare_pair(qemu, sim)}
    assert rows["wakeup_p50_ns"] == (pytest.approx(0.02), True)
    assert rows["wakeup_p99_ns"] == (pytest.approx(0.021), False)
    assert rows["migrations"] == (0.0, True)
    assert "request_latency_p50_ns" not in rows           # null on both sides: not measured
    assert rows["turnaround_mean_ns"] == (None, False)     # one side only: a disagreement
    section = agreement_section([qemu, sim])
    assert "2 of 4 figures agree within 2%" in section
    assert "1000 / 1021<br>+2.1%" in section


def test_no_section_without_both_engines_at_one_hart():
    assert agreement_section([run("rr", "qemu"), run("rr", "sim", harts=4)]) == ""
