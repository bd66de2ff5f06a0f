"""The report's answers (analysis/key_figures.py, key_tables.py, units.py) on hand-made runs
whose figures, best marks, factors, intervals and winners are worked out by hand."""
import pytest

from analysis.key_figures import choose_baseline, comparisons
from analysis.key_tables import short_table, winners_table
from analysis.results import Run
from analysis.units import column_time_unit, format_ratio, format_time, significant


def run(config, workload="mixed", harts=1, engine="qemu", seed=1, repeat=None, ok=True,
        **headline):
    info = {"config": config, "engine": engine, "seed": seed, "ok": ok, "repeat": repeat,
            "timing_model": "exact" if engine == "qemu" else "parallel-sim"}
    return Run(None, config.split("[")[0].split("-")[0], harts, workload, info,
               {"headline": headline} if ok else {})


def only(found, workload="mixed"):
    (comparison,) = [c for c in found if c.workload == workload]
    return comparison


def no_swatch(_):
    return ""


@pytest.mark.parametrize("ns, text", [(30003523, "30.0 ms"), (999, "999 ns"), (38200, "38.2 µs"),
                                      (2.5e9, "2.50 s"), (0, "0 ns"), (None, "n/a")])
def test_times_are_written_in_the_unit_that_suits_them(ns, text):
    assert format_time(ns) == text


def test_a_column_shares_the_unit_of_its_largest_value():
    assert column_time_unit([50_000, 30_000_000, None]) == ("ms", 1e6)
    assert format_time(50_000, ("ms", 1e6)) == "0.0500 ms"
    assert (format_ratio(0.0573), significant(3839.7), significant(0.98513)) == \
        ("5.73%", "3840", "0.985")


def test_best_is_lowest_or_for_fairness_highest_and_within_one_percent_ties():
    found = comparisons([
        run("rr-1h", request_latency_p99_ns=1000, jain_fairness=0.5),
        run("mlfq-1h", request_latency_p99_ns=400, jain_fairness=0.9),
        run("tstune-1h", request_latency_p99_ns=403, jain_fairness=0.95)])  # 0.75% above mlfq
    comparison = only(found)
    assert comparison.best("request_latency_p99_ns") == {"mlfq-1h", "tstune-1h"}
    assert comparison.best("jain_fairness") == {"tstune-1h"}
    mlfq = comparison.entries[1]
    assert mlfq.variant == "mlfq"
    assert comparison.relative(mlfq, "request_latency_p99_ns") == pytest.approx(0.4)
    # mlfq and tstune tie on p99 (within 1%), and fairness, a later deciding figure, tells
    # them apart: tstune
    winners, deciding = comparison.winner()
    assert [e.variant for e in winners] == ["tstune"]
    assert [f.key for f in deciding] == ["request_latency_p99_ns", "jain_fairness"]
    # without fairness they stay tied as winners
    tied = only(comparisons([run("rr-1h", request_latency_p99_ns=1000),
                             run("mlfq-1h", request_latency_p99_ns=400),
                             run("tstune-1h", request_latency_p99_ns=403)]))
    assert [e.variant for e in tied.winner()[0]] == ["mlfq", "tstune"]


def test_the_winner_is_decided_by_misses_first_then_latency():
    # tstune misses most (30%): out, although its p99 is the lowest; rr and mlfq both miss
    # 10%, and p99 decides between them for mlfq (500 / 900 = 0.556 of rr's).
    found = comparisons([
        run("rr-1h", miss_ratio=0.1, request_latency_p99_ns=900),
        run("mlfq-1h", miss_ratio=0.1, request_latency_p99_ns=500),
        run("tstune-1h", miss_ratio=0.3, request_latency_p99_ns=100)])
    winners, deciding = only(found).winner()
    assert [e.variant for e in winners] == ["mlfq"]
    assert [f.key for f in deciding] == ["miss_ratio", "request_latency_p99_ns"]
    assert ("deadline miss ratio 10.0%, ×1.00 rr; then request latency p99 500 ns, ×0.556 rr"
            in winners_table(found, no_swatch, str))
    # nothing tells them apart: a tie, no deciding figure
    tie = comparisons([run("rr-1h", makespan_ns=100), run("mlfq-1h", makespan_ns=100)])
    assert only(tie).winner()[1] == []
    assert "tie" in winners_table(tie, no_swatch, str)


def test_repeats_give_mean_interval_and_summed_sample_counts():
    # rr: 10, 12, 14 -> mean 12, s = 2, half-width t(0.975, 2) * 2 / sqrt(3) = 4.969
    runs = [run("rr-1h", seed=s, repeat=i, wakeup_p99_ns=v, wakeup_n=100)
            for i, (s, v) in enumerate(((1, 10_000), (2, 12_000), (3, 14_000)))]
    # mlfq: 16, 16, 16 (mean 16, zero interval): outside rr's 7.03..16.97? No: 16 is inside,
    # so the intervals overlap and both are best.
    runs += [run("mlfq-1h", seed=s, repeat=i, wakeup_p99_ns=16_000, wakeup_n=50)
             for i, s in enumerate((1, 2, 3))]
    comparison = only(comparisons(runs))
    rr = next(e for e in comparison.entries if e.variant == "rr")
    estimate = rr.estimates["wakeup_p99_ns"]
    assert (estimate.mean, estimate.n) == (12_000, 3)
    assert estimate.half_width == pytest.approx(4.303 * 2000 / 3 ** 0.5)
    assert rr.samples["wakeup_p99_ns"] == 300
    assert comparison.best("wakeup_p99_ns") == {"rr-1h", "mlfq-1h"}
    table = short_table(comparison, no_swatch)
    assert "wakeup latency p99 (µs)" in table
    assert "12.0 ± 4.97 ★" in table and "n=300 · 3 runs" in table
    assert "×1.33" in table                       # mlfq: 16 / 12 of the baseline rr


def test_failed_runs_are_counted_not_averaged():
    comparison = only(comparisons([run("rr-1h", repeat=0, makespan_ns=100),
                                   run("rr-1h", repeat=1, ok=False)]))
    (entry,) = comparison.entries
    assert (len(entry.runs), entry.failed, entry.estimates["makespan_ns"].mean) == (1, 1, 100)
    assert "1 run(s) failed" in short_table(comparison, no_swatch)


def test_machines_are_compared_apart_and_the_baseline_is_a_variant():
    name = "rr[timeslice_us=2000]"
    runs = [run("rr-1h", makespan_ns=200), run(f"{name}-1h", makespan_ns=100),
            run("rr-4h-sim", harts=4, engine="sim", makespan_ns=50),
            run(f"{name}-4h-sim", harts=4, engine="sim", makespan_ns=60)]
    found = comparisons(runs, baseline=name)
    assert [(c.machine[0], c.machine[1], len(c.entries)) for c in found] == [
        ("qemu", 1, 2), ("sim", 4, 2)]
    qemu, sim = found
    assert qemu.baseline.config == f"{name}-1h" and sim.baseline.config == f"{name}-4h-sim"
    assert [e.variant for e in qemu.winner()[0]] == [name]      # 100 against rr's 200
    assert [e.variant for e in sim.winner()[0]] == ["rr"]
    page = winners_table(found, no_swatch, str)
    assert f"<b>{name}</b>" in page and "<th" in page and "QEMU 1h" in page and "sim 4h" in page
    assert "makespan 50 ns, ×0.833 rr[timeslice_us=2000]" in page


def test_baseline_must_have_run_and_names_are_escaped():
    runs = [run("rr-1h", makespan_ns=1), run("a<b>-1h", makespan_ns=2)]
    assert choose_baseline(runs) == "rr"
    assert choose_baseline(runs[1:]) == "a<b>"          # no rr: the first variant
    with pytest.raises(ValueError, match=r"--baseline mlfq: .*valid: a<b>, rr"):
        choose_baseline(runs, "mlfq")
    table = short_table(only(comparisons(runs)), no_swatch)
    assert "a&lt;b&gt;" in table and "a<b>" not in table


def test_switch_cost_per_policy_from_bench_json_with_factors_to_rr():
    from analysis.bench_report import switch_cost_table, switch_costs

    def row(policy, operation, median, trace="on"):
        return {"policy": policy, "operation": operation, "median": median, "trace": trace,
                "harts": 1, "threads": None}
    bench = {"results": [row("rr", "yield_switch", 800), row("mlfq", "yield_switch", 1000),
                         row("rr", "yield_switch", 700, trace="off"),   # not compare's build
                         row("rr", "slice_switch_gap_ns", 845),
                         row("mlfq", "slice_switch_gap_ns", 297528130220897028)]}
    assert switch_costs(bench) == {"rr": {"yield_switch": 800, "slice_switch_gap_ns": 845},
                                   "mlfq": {"yield_switch": 1000, "slice_switch_gap_ns": None}}
    table = switch_cost_table(bench)
    assert "×1.25 rr" in table                      # 1000 / 800
    assert "n/a (missing or implausible)" in table  # a negative difference printed unsigned
    assert table.index(">rr<") < table.index(">mlfq<")
    assert switch_cost_table({}) == ""


def test_file_names_never_carry_a_names_special_characters():
    from analysis.report import file_stem
    assert file_stem("mixed") == "mixed" and file_stem("fork-join_2.x") == "fork-join_2.x"
    odd = file_stem("rr[timeslice_us=2000,a=b]/x")
    assert all(c.isalnum() or c in "._-" for c in odd)
    assert odd != file_stem("rr[timeslice_us=2000,a=c]/x")     # a hash keeps them apart
