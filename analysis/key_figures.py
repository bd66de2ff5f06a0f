"""The figures that decide: per workload and machine, the few figures that matter, normalised
to a baseline, the best per figure, and which configuration wins.

A comparison is one workload on one machine (engine, harts, timing model: DESIGN §4.2, the
comparison is always the same workload on the same number of harts). Its entries are the
configurations that ran there, each with every repeat that succeeded: a figure is the mean
over the repeats with its 95% Student-t interval (repeats.mean_ci95; a single run has no
interval), and its sample count is summed over them.

Best per figure: the lowest (or, for fairness, the highest) mean; an entry within TIE of it
(relative), or whose interval overlaps the best one's, is marked best too: the data cannot
tell them apart.

The winner of a comparison is decided lexicographically over DECIDING: deadline misses first
(a real-time workload that misses is broken whatever its latency), then request latency p99
and p50 (what a client waits), then makespan and mean turnaround (a batch workload's answers:
when the work is the same, makespans tie and turnaround tells who finished jobs early), then
wakeup latency p99 and fairness. Each figure keeps only the candidates best on it; a figure
they all tie on passes to the next; when none tells them apart they tie.
"""
from dataclasses import dataclass, field

from .repeats import mean_ci95, _is_number

LOWER, HIGHER = "lower", "higher"
TIE = 0.01
DEFAULT_BASELINE = "rr"


@dataclass(frozen=True)
class KeyFigure:
    key: str          # the headline key (headline.py)
    title: str
    kind: str         # time (ns), ratio (a fraction), rate (1/s), index (0..1)
    better: str       # LOWER or HIGHER
    n_key: str = None  # the headline key of its sample count


KEY_FIGURES = (
    KeyFigure("request_latency_p50_ns", "request latency p50", "time", LOWER,
              "request_latency_n"),
    KeyFigure("request_latency_p99_ns", "request latency p99", "time", LOWER,
              "request_latency_n"),
    KeyFigure("wakeup_p99_ns", "wakeup latency p99", "time", LOWER, "wakeup_n"),
    KeyFigure("miss_ratio", "deadline miss ratio", "ratio", LOWER, "jobs_completed"),
    KeyFigure("switches_per_s", "context switches", "rate", LOWER),
    KeyFigure("switch_path_p50_ns", "switch cost (kernel path p50)", "time", LOWER,
              "switch_path_n"),
    KeyFigure("jain_fairness", "fairness (Jain)", "index", HIGHER),
    KeyFigure("makespan_ns", "makespan", "time", LOWER),
    KeyFigure("turnaround_mean_ns", "mean turnaround", "time", LOWER, "turnaround_n"),
)
BY_KEY = {figure.key: figure for figure in KEY_FIGURES}
DECIDING = ("miss_ratio", "request_latency_p99_ns", "request_latency_p50_ns", "makespan_ns",
            "turnaround_mean_ns", "wakeup_p99_ns", "jain_fairness")


@dataclass
class Entry:
    """One configuration on one machine for one workload."""
    config: str
    variant: str
    scheduler: str
    runs: list                                    # the repeats that succeeded
    failed: int = 0                               # the repeats that did not
    estimates: dict = field(default_factory=dict)  # key -> repeats.Estimate
    samples: dict = field(default_factory=dict)    # key -> sample count over the repeats


def make_entry(runs):
    """The Entry of one configuration's runs (its repeats, failed ones included)."""
    ok = [run for run in runs if run.ok]
    entry = Entry(runs[0].config, runs[0].variant, runs[0].scheduler, ok, len(runs) - len(ok))
    for figure in KEY_FIGURES:
        values = [run.metrics.get("headline", {}).get(figure.key) for run in ok]
        estimate = mean_ci95(v for v in values if _is_number(v))
        if estimate is not None:
            entry.estimates[figure.key] = estimate
        if figure.n_key:
            counts = [run.metrics.get("headline", {}).get(figure.n_key) for run in ok]
            entry.samples[figure.key] = sum(c for c in counts if _is_number(c))
    return entry


def _interval(estimate):
    if estimate.half_width is None:
        return estimate.mean, estimate.mean
    return estimate.low, estimate.high


def _ties(a, b):
    """Estimates a and b cannot be told apart: within TIE of each other, or their intervals
    (of repeats) overlap."""
    scale = max(abs(a.mean), abs(b.mean))
    if abs(a.mean - b.mean) <= TIE * scale:
        return True
    if a.half_width is None and b.half_width is None:
        return False
    (a_low, a_high), (b_low, b_high) = _interval(a), _interval(b)
    return a_low <= b_high and b_low <= a_high


@dataclass
class Comparison:
    """One workload on one machine: its entries and its baseline (an entry or None)."""
    workload: str
    machine: tuple                 # (engine, harts, timing model)
    entries: list
    baseline: Entry = None

    def figures(self):
        """The KEY_FIGURES some entry has a value of (a workload without requests has no
        request latency column)."""
        return [f for f in KEY_FIGURES if any(f.key in e.estimates for e in self.entries)]

    def best(self, key, among=None):
        """The configs marked best on `key` among `among` (default every entry); empty when
        none has it."""
        having = [e for e in (self.entries if among is None else among) if key in e.estimates]
        if not having:
            return set()
        pick = min if BY_KEY[key].better == LOWER else max
        top = pick(having, key=lambda e: e.estimates[key].mean).estimates[key]
        return {e.config for e in having if _ties(e.estimates[key], top)}

    def relative(self, entry, key):
        """entry's mean / the baseline's; None without a baseline value or when it is 0."""
        if self.baseline is None or key not in self.baseline.estimates or \
                key not in entry.estimates:
            return None
        base = self.baseline.estimates[key].mean
        return None if base == 0 else entry.estimates[key].mean / base

    def winner(self):
        """(winning entries, [the KeyFigures that decided]), lexicographically over DECIDING:
        each figure that tells the remaining candidates apart keeps only its best ones (a
        candidate without the figure drops out at it), and the figures they tie on pass.
        ([], []) with fewer than two entries; every entry and [] when nothing decides."""
        if len(self.entries) < 2:
            return [], []
        candidates, deciding = [e for e in self.entries if e.runs], []
        for key in DECIDING:
            having = [e for e in candidates if key in e.estimates]
            if len(having) < 2 and len(having) == len(candidates):
                continue
            if not having:
                continue
            best = self.best(key, having)
            if len(best) < len(candidates):
                candidates = [e for e in having if e.config in best]
                deciding.append(BY_KEY[key])
            if len(candidates) == 1:
                break
        return candidates, deciding


def comparisons(runs, baseline=DEFAULT_BASELINE):
    """A Comparison per (workload, machine) of runs (results.Run), ordered by workload and
    machine; entries in the runs' order; the baseline is the entry whose variant is
    `baseline`."""
    groups = {}
    for run in runs:
        groups.setdefault((run.workload, run.machine), {}).setdefault(run.config, []).append(run)
    found = []
    for (workload, machine), by_config in sorted(groups.items(), key=_order):
        entries = [make_entry(group) for group in by_config.values()]
        chosen = next((e for e in entries if e.variant == baseline and e.runs), None)
        found.append(Comparison(workload, machine, entries, chosen))
    return found


def _order(item):
    from .timing_model import MODELS
    (workload, (engine, harts, model)), _ = item
    rank = MODELS.index(model) if model in MODELS else len(MODELS)
    return workload, engine != "qemu", harts, rank, str(model)


def variants(runs):
    """The variant names of runs that succeeded, sorted: what --baseline may name."""
    return sorted({run.variant for run in runs if run.ok})


def choose_baseline(runs, requested=None):
    """The baseline to normalise to: `requested` (ValueError naming the valid ones when no run
    of it succeeded), else rr when it ran, else the first variant; None for no runs."""
    names = variants(runs)
    if requested is not None:
        if requested not in names:
            raise ValueError(f"--baseline {requested}: no successful run of that "
                             f"configuration here; valid: {', '.join(names) or 'none'}")
        return requested
    if DEFAULT_BASELINE in names:
        return DEFAULT_BASELINE
    return names[0] if names else None
