"""Means and 95% confidence intervals of the headline figures across repeated runs.

`schedlab compare --repeat N` runs each configuration (scheduler, harts, workload) N times
with seeds seed..seed+N-1 into .../<workload>/rep<i>/, recording the repeat index in run.json.
Realtime runs are noisy, so one run says little; the mean of N with a Student-t interval says
how far it can be trusted. The interval is mean +- t(0.975, n-1) * s / sqrt(n), with s the
sample standard deviation (n-1 in the denominator).

Only runs that carry a repeat index are grouped, so a results directory of single runs has no
aggregates. Failed runs are left out of every mean (their figures may be partial); n says how
many runs a mean is of. Means are exact, never rounded: the mean of integers is computed in
rational arithmetic and is an int when it is a whole number (two runs of 1001512 give 1001512),
else the nearest float; only the report rounds, for display. Free of numpy, so summary.csv can
be written under any Python.
"""
import math
from dataclasses import dataclass, field

from fractions import Fraction

from .headline import HEADLINE

# Two-sided 95% critical values of Student's t, t(0.975, df), to 3 decimals (any statistics
# table). A table rather than scipy, which the project does not depend on.
T_975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
         9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131,
         16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074,
         23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045,
         30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980}
T_975_LIMIT = 1.960   # the normal quantile, t's limit as df grows


def t_critical_95(degrees_of_freedom):
    """t(0.975, df). Between tabulated values the next smaller df is used, whose value is
    larger: the interval errs wide, never narrow."""
    if degrees_of_freedom < 1:
        raise ValueError("a confidence interval needs at least two samples")
    if degrees_of_freedom == math.inf:
        return T_975_LIMIT
    return T_975[max(df for df in T_975 if df <= degrees_of_freedom)]


@dataclass
class Estimate:
    mean: float
    half_width: float   # the 95% interval is mean +- half_width; None for a single sample
    n: int

    @property
    def low(self):
        return None if self.half_width is None else self.mean - self.half_width

    @property
    def high(self):
        return None if self.half_width is None else self.mean + self.half_width


def mean_ci95(values):
    """Estimate of the mean of values with its 95% Student-t interval; None for no values."""
    values = list(values)
    if not values:
        return None
    n = len(values)
    exact = sum(map(Fraction, values)) / n      # Fraction(float) is exact too
    mean = exact.numerator if exact.denominator == 1 else float(exact)
    if n < 2:
        return Estimate(mean, None, n)
    variance = sum((Fraction(v) - exact) ** 2 for v in values) / (n - 1)
    return Estimate(mean, t_critical_95(n - 1) * math.sqrt(variance / n), n)


def _is_number(value):
    # bool is an int in Python, but "lossy" is a flag, not a figure to average.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass
class RepeatSummary:
    """The repeats of one configuration on one workload, and the estimate of each figure."""
    scheduler: str
    harts: int
    workload: str
    runs: list                                        # every repeat, failed ones included
    estimates: dict = field(default_factory=dict)     # headline key -> Estimate

    @property
    def config(self):
        return self.runs[0].config

    @property
    def succeeded(self):
        return [run for run in self.runs if run.ok]


def is_repeat(run):
    return run.run.get("repeat") is not None


def summarise_repeats(runs):
    """A RepeatSummary per (config, workload) among runs (analysis.results.Run) that carry a
    repeat index, ordered like the report's tables."""
    groups = {}
    # By configuration name, not scheduler: two variants of one policy are two configurations.
    for run in filter(is_repeat, runs):
        groups.setdefault((run.workload, run.harts, run.engine, run.config), []).append(run)
    summaries = []
    for (workload, harts, _, _), group in sorted(groups.items()):
        summary = RepeatSummary(group[0].scheduler, harts, workload, group)
        for key, *_ in HEADLINE:
            values = [run.metrics.get("headline", {}).get(key) for run in summary.succeeded]
            estimate = mean_ci95(v for v in values if _is_number(v))
            if estimate is not None:
                summary.estimates[key] = estimate
        summaries.append(summary)
    return summaries


def summary_rows(summaries):
    """summary.csv rows of the aggregates: repeat = "mean", repeats = runs averaged,
    headline.<key> = the mean and headline.<key>.ci95 = the interval's half-width."""
    rows = []
    for summary in summaries:
        row = {"config": summary.config, "scheduler": summary.scheduler,
               "variant": summary.runs[0].variant,
               "workload": summary.workload, "engine": summary.runs[0].engine,
               "cpus": summary.harts, "repeat": "mean",
               "timing_model": summary.runs[0].timing_model,
               "placement": summary.runs[0].placement or "",
               "repeats": len(summary.succeeded), "ok": len(summary.succeeded) ==
               len(summary.runs)}
        for key, estimate in summary.estimates.items():
            row[f"headline.{key}"] = estimate.mean
            row[f"headline.{key}.ci95"] = ("" if estimate.half_width is None
                                           else estimate.half_width)
        rows.append(row)
    return rows
