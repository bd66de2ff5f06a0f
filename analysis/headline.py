"""The headline figures of a run: what the report's table and summary.csv show first.

Each is a value already in metrics.json, copied under metrics["headline"] so that the report,
summary.csv and metrics.json show the very same number. Floats are rounded to 6 significant
digits when copied (more would be noise), and the rounded value is what metrics.json stores.
"""

# (key, path in metrics.json, unit, what it is)
HEADLINE = (
    ("switches_per_s", "context_switches.per_second", "1/s", "context switches per second"),
    ("voluntary_per_s", "context_switches.voluntary_per_second", "1/s",
     "voluntary switches (block, yield) per second"),
    ("involuntary_per_s", "context_switches.involuntary_per_second", "1/s",
     "involuntary switches (expired, preempted) per second"),
    ("switch_path_p50_ns", "switch_cost.switch_path_ns.p50", "ns",
     "median kernel switch path (trigger to SWITCH)"),
    ("wakeup_p50_ns", "wakeup_latency_ns.p50", "ns", "median wakeup latency"),
    ("wakeup_p90_ns", "wakeup_latency_ns.p90", "ns", "90th percentile wakeup latency"),
    ("wakeup_p99_ns", "wakeup_latency_ns.p99", "ns", "99th percentile wakeup latency"),
    ("wakeup_max_ns", "wakeup_latency_ns.max", "ns", "worst wakeup latency"),
    ("response_p50_ns", "response_time_ns.p50", "ns", "median request response time"),
    ("response_p99_ns", "response_time_ns.p99", "ns", "99th percentile request response time"),
    ("requests_per_s", "throughput.requests_per_second", "1/s",
     "completed requests per second of the workload span"),
    ("jobs_completed", "jobs.completed", "jobs", "periodic jobs completed"),
    ("deadline_misses", "jobs.missed", "jobs", "periodic jobs that missed their deadline"),
    ("miss_ratio", "jobs.miss_ratio", "", "missed / jobs with a known outcome"),
    ("max_tardiness_ns", "jobs.tardiness_ns.max", "ns", "worst job tardiness"),
    ("turnaround_mean_ns", "turnaround_ns.summary.mean", "ns",
     "mean thread turnaround (first runnable to last run)"),
    ("jain_fairness", "fairness.jain_demand_share", "",
     "Jain's index of served/demanded CPU of the workload threads"),
    ("mean_utilisation", "mean_utilisation", "", "busy fraction, averaged over harts"),
    ("migrations", "migrations.explicit", "", "MIGRATE records"),
    ("implicit_migrations", "migrations.implicit", "",
     "switch-ins on another hart than the thread's previous one"),
    ("dropped_events", "dropped_events", "records", "trace records lost"),
    ("lossy", "lossy", "", "the trace is incomplete: every figure may be off"),
)


def lookup(metrics, path):
    """The value at a dotted path of a metrics dict; None where any part is missing."""
    value = metrics
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def rounded(value):
    """Floats to 6 significant digits; everything else as it is."""
    if isinstance(value, float):
        return float(f"{value:.6g}")
    return value


def mean_utilisation(metrics):
    values = [hart["utilisation"] for hart in metrics.get("harts", {}).values()
              if hart.get("utilisation") is not None]
    return sum(values) / len(values) if values else None


def headline(metrics):
    """{key: value} for every HEADLINE row, read from the metrics computed so far."""
    extra = {"mean_utilisation": mean_utilisation(metrics)}
    return {key: rounded(extra[path] if path in extra else lookup(metrics, path))
            for key, path, _, _ in HEADLINE}
