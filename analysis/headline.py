"""The headline figures of a run: what the report's table and summary.csv show first.

Each is a value already in metrics.json, copied under metrics["headline"] so that the report,
summary.csv and metrics.json show the very same number. Values are stored exactly as computed;
only the report rounds them for display (display()). Each percentile row names the headline
key of its sample count (n_key), so no percentile is shown without its n. A figure that was
not measured is None: the job figures when the workload releases no periodic job, the
request rate when it marks no request (lifetimes.throughput), a percentile of too few samples.
"""

# (key, path in metrics.json, unit, what it is, n_key: the key of its sample count or None)
HEADLINE = (
    ("switches_per_s", "context_switches.per_second", "1/s", "context switches per second",
     None),
    ("voluntary_per_s", "context_switches.voluntary_per_second", "1/s",
     "voluntary switches (block, yield) per second", None),
    ("involuntary_per_s", "context_switches.involuntary_per_second", "1/s",
     "involuntary switches (expired, preempted) per second", None),
    ("switch_path_p50_ns", "switch_cost.switch_path_ns.p50", "ns",
     "median kernel switch path (trigger to SWITCH)", "switch_path_n"),
    ("switch_path_n", "switch_cost.switch_path_ns.n", "", "switch path samples", None),
    ("request_latency_p50_ns", "request_latency_ns.p50", "ns",
     "median request latency (due instant to completion)", "request_latency_n"),
    ("request_latency_p99_ns", "request_latency_ns.p99", "ns",
     "99th percentile request latency (due instant to completion)", "request_latency_n"),
    ("request_latency_n", "request_latency_ns.n", "", "request latency samples", None),
    ("service_p50_ns", "service_time_ns.p50", "ns",
     "median request service time (REQUEST_BEGIN to END)", "service_n"),
    ("service_n", "service_time_ns.n", "", "service time samples", None),
    ("thread_response_mean_ns", "thread_response_ns.summary.mean", "ns",
     "mean thread response (arrival to first run)", "thread_response_n"),
    ("thread_response_n", "thread_response_ns.summary.n", "", "threads with a response", None),
    ("turnaround_mean_ns", "turnaround_ns.summary.mean", "ns",
     "mean thread turnaround (arrival to completion; see turnaround_ns.basis)", "turnaround_n"),
    ("turnaround_n", "turnaround_ns.summary.n", "", "threads with a turnaround", None),
    ("turnaround_basis", "turnaround_ns.basis", "",
     "what turnaround measures: arrival (arrival to completion, from the workload's markers) "
     "or first_runnable_to_last_run (a trace without arrival markers)", None),
    ("wakeup_p50_ns", "wakeup_latency_ns.p50", "ns", "median wakeup latency", "wakeup_n"),
    ("wakeup_p90_ns", "wakeup_latency_ns.p90", "ns", "90th percentile wakeup latency",
     "wakeup_n"),
    ("wakeup_p99_ns", "wakeup_latency_ns.p99", "ns", "99th percentile wakeup latency",
     "wakeup_n"),
    ("wakeup_max_ns", "wakeup_latency_ns.max", "ns", "worst wakeup latency", "wakeup_n"),
    ("wakeup_n", "wakeup_latency_ns.n", "", "wakeup latency samples (start-up waits excluded)",
     None),
    ("requests_per_s", "throughput.requests_per_second", "1/s",
     "completed requests per second of the workload span", None),
    ("jobs_completed", "jobs.completed", "jobs", "periodic jobs completed", None),
    ("deadline_misses", "jobs.missed", "jobs", "periodic jobs that missed their deadline", None),
    ("miss_ratio", "jobs.miss_ratio", "", "missed / jobs with a known outcome", None),
    ("max_tardiness_ns", "jobs.tardiness_ns.max", "ns", "worst job tardiness", None),
    ("jain_fairness", "fairness.jain_demand_share", "",
     "Jain's index of served/demanded CPU of the workload threads", None),
    ("mean_utilisation", "mean_utilisation", "", "busy fraction, averaged over harts", None),
    ("migrations", "migrations.explicit", "", "MIGRATE records", None),
    ("implicit_migrations", "migrations.implicit", "",
     "switch-ins on another hart than the thread's previous one", None),
    ("migrations_per_thread_mean", "migrations.per_workload_thread.mean", "",
     "mean moves between harts per workload thread", None),
    ("migrations_per_thread_max", "migrations.per_workload_thread.max", "",
     "most moves between harts of one workload thread", None),
    ("makespan_ns", "throughput.span_ns", "ns",
     "workload span: WORKLOAD_BEGIN to WORKLOAD_END (the trace's ends without them)", None),
    ("dropped_events", "dropped_events", "records", "trace records lost", None),
    ("lossy", "lossy", "", "the trace is incomplete: every figure may be off", None),
)

# Figures that only mean something when the workload has periodic jobs.
_JOB_KEYS = ("jobs_completed", "deadline_misses", "miss_ratio", "max_tardiness_ns")


def lookup(metrics, path):
    """The value at a dotted path of a metrics dict; None where any part is missing."""
    value = metrics
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def display(value):
    """A figure as the report shows it: floats to 6 significant digits (more would be noise),
    integral floats as integers (a mean of 1001512 and 1001512 shows 1001512); None as n/a.
    For display only: metrics.json and summary.csv keep the exact value."""
    if value is None:
        return "n/a"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.6g}"
    return str(value).lower() if isinstance(value, bool) else str(value)


def unsupported_reason(metrics, path):
    """Why the percentile at `path` (…​.pX) is None, from its summary's unsupported; or None."""
    parent, _, name = path.rpartition(".")
    reasons = lookup(metrics, f"{parent}.unsupported") if parent else None
    return reasons.get(name) if isinstance(reasons, dict) else None


def mean_utilisation(metrics):
    values = [hart["utilisation"] for hart in metrics.get("harts", {}).values()
              if hart.get("utilisation") is not None]
    return sum(values) / len(values) if values else None


def headline(metrics):
    """{key: value} for every HEADLINE row, read from the metrics computed so far, plus
    "unsupported": {key: reason} for each percentile left None for want of samples."""
    extra = {"mean_utilisation": mean_utilisation(metrics)}
    figures = {key: extra[path] if path in extra else lookup(metrics, path)
               for key, path, _, _, _ in HEADLINE}
    if not lookup(metrics, "jobs.released"):
        figures.update(dict.fromkeys(_JOB_KEYS))
    unsupported = {key: reason for key, path, _, _, _ in HEADLINE
                   if figures[key] is None and (reason := unsupported_reason(metrics, path))}
    return dict(figures, unsupported=unsupported)
