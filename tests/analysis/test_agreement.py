"""The report's simulator-against-QEMU table (analysis/agreement.py) on hand-made runs: the
figures are tests/sim/crossval.py's (counts and latencies, not per-second rates)."""
from pathlib import Path

import pytest

from analysis.agreement import (agree, agreement_section, compare_pair, figures, pairs,
                                relative_difference)
from analysis.results import Run


def metrics(voluntary=10, involuntary=5, wakeup_p50=1000, wakeup_p99=None, request_p50=None,
            turnaround_p50=None, cpu=None, per_second=None):
    return {"context_switches": {"voluntary": voluntary, "involuntary": involuntary,
                                 "per_second": per_second},
            "migrations": {"explicit": 0, "implicit": 0},
            "wakeup_latency_ns": {"p50": wakeup_p50, "p99": wakeup_p99},
            "request_latency_ns": {"p50": request_p50},
            "turnaround_ns": {"summary": {"p50": turnaround_p50}},
            "cpu_time_ns": cpu or {"1": 500, "2": 1000}}


def run(scheduler, engine, harts=1, seed=1, ok=True, config=None, **figures_):
    model = "parallel-sim" if engine == "sim" else ("exact" if harts == 1 else "shared-throughput")
    info = {"engine": engine, "seed": seed, "ok": ok, "timing_model": model}
    if config:
        info["config"] = config
    return Run(None, scheduler, harts, "mixed", info, metrics(**figures_) if ok else {})


@pytest.mark.parametrize("qemu, sim, expected", [
    (100, 102, 0.02), (100, 97, -0.03), (0, 0, 0.0), (0, 5, None), (None, 5, None),
    (5, None, None)])
def test_relative_difference_is_against_qemu(qemu, sim, expected):
    assert relative_difference(qemu, sim) == (None if expected is None
                                              else pytest.approx(expected))


@pytest.mark.parametrize("a, b, agrees", [
    (100, 102, True), (100, 103, False), (0, 1, True), (0, 2, False), (None, None, True),
    (None, 0, False), (1000, 980, True)])
def test_agree_is_within_two_percent_of_the_larger_or_one_apart(a, b, agrees):
    assert agree(a, b) is agrees


def test_figures_are_counts_and_the_workload_threads_cpu_time():
    found = figures(metrics(voluntary=7, involuntary=3, cpu={"1": 400, "2": 50, "3": 25},
                            per_second=123.0))
    assert found["switches.voluntary"] == 7 and found["switches.involuntary"] == 3
    assert found["cpu_time.workload"] == 75          # the root task (tid 1) left out
    assert 123.0 not in found.values()                # no rate is compared


def test_pairs_are_one_hart_ok_runs_of_the_same_configuration_and_seed():
    runs = [run("rr", "qemu"), run("rr", "sim"),
            run("rr", "sim", harts=4), run("rr", "qemu", harts=4),
            run("mlfq", "qemu"), run("mlfq", "sim", seed=2),        # other seed: no pair
            run("tstune", "qemu"), run("tstune", "sim", ok=False),  # failed: no pair
            # a variant meets only itself
            run("rr", "qemu", config="rr[timeslice_us=2000]-1h"),
            run("rr", "sim", config="rr[timeslice_us=2000]-1h-sim")]
    found = pairs(runs)
    assert [(q.variant, s.variant, s.engine, s.harts) for q, s in found] == [
        ("rr", "rr", "sim", 1), ("rr[timeslice_us=2000]", "rr[timeslice_us=2000]", "sim", 1)]


def test_each_figure_agrees_within_two_percent_and_missing_ones_disagree():
    qemu = run("rr", "qemu", voluntary=100, involuntary=0, wakeup_p50=1000, wakeup_p99=1000,
               turnaround_p50=50)
    sim = run("rr", "sim", voluntary=102, involuntary=1, wakeup_p50=1020, wakeup_p99=1030,
              turnaround_p50=None)
    rows = {name: (diff, ok) for name, _, _, diff, ok in compare_pair(qemu, sim)}
    assert rows["switches.voluntary"] == (pytest.approx(0.02), True)
    assert rows["switches.involuntary"] == (None, True)      # 0 and 1: one apart
    assert rows["wakeup.p99"] == (pytest.approx(0.03), False)
    assert rows["migrations"] == (0.0, True)
    assert "request.p50" not in rows                         # null on both sides
    assert rows["turnaround.p50"] == (None, False)           # one side only: a disagreement
    section = agreement_section([qemu, sim])
    # voluntary, involuntary, migrations, wakeup p50, cpu time agree; p99 and turnaround not
    assert "5 of 7 figures agree within 2%" in section
    assert "1000 / 1030<br>+3.0%" in section


def test_no_section_without_both_engines_at_one_hart():
    assert agreement_section([run("rr", "qemu"), run("rr", "sim", harts=4)]) == ""
