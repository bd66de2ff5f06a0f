"""Plots drawn from metrics dicts (metrics.json), one scheduler alone or several overlaid.

Each plot function takes `runs`, a list of (scheduler name, metrics dict) pairs for the same
workload, so a comparison overlays policies in one figure. A policy keeps its colour in every
plot (POLICY_COLOURS). Output is PNG without a timestamp or version stamp, so the same metrics
give the same file.
"""
import matplotlib

matplotlib.use("Agg")  # files only: no display on build machines

from matplotlib.figure import Figure  # noqa: E402  (after choosing the backend)

import zlib  # noqa: E402

from .atomic_file import atomic_output  # noqa: E402

POLICY_COLOURS = {"rr": "tab:blue", "mlfq": "tab:orange", "tstune": "tab:green",
                  "affinity": "tab:red"}
OTHER_COLOURS = ("tab:purple", "tab:brown", "tab:pink", "tab:gray", "tab:olive", "tab:cyan")


def policy_colour(name):
    """The colour of a scheduler in every plot: POLICY_COLOURS for the known policies, else
    OTHER_COLOURS picked by a stable hash (crc32) of the name, so a policy keeps its colour
    whichever others share the plot. A config name (rr-4h) or a variant's
    (rr[timeslice_us=2000]-1h) takes its policy's colour."""
    policy = name.rsplit("-", 1)[0] if name.rsplit("-", 1)[-1][:-1].isdigit() \
        and name.endswith("h") else name
    policy = policy.split("[", 1)[0]
    if policy in POLICY_COLOURS:
        return POLICY_COLOURS[policy]
    return OTHER_COLOURS[zlib.crc32(policy.encode()) % len(OTHER_COLOURS)]


def variant_colours(variants):
    """{variant: colour} for the configurations of one figure (rr, rr[timeslice_us=2000],
    mlfq ...): each takes its policy's colour (the name before "["), and a second, third ...
    variant of the same policy a lighter, then darker shade of it, so variants of one policy
    read as a family and stay apart."""
    from matplotlib.colors import to_hex, to_rgb
    colours, seen = {}, {}
    for variant in variants:
        policy = variant.split("[", 1)[0]
        index = seen.get(policy, 0)
        seen[policy] = index + 1
        base = to_rgb(policy_colour(policy))
        if index:
            amount = min(0.25 * ((index + 1) // 2), 0.6)
            towards = 1.0 if index % 2 else 0.0          # lighter, then darker
            base = tuple(c + (towards - c) * amount for c in base)
        colours[variant] = to_hex(base)
    return colours


def plain(text):
    """text for a matplotlib label as it is: configuration names are opaque, and a "$" would
    start mathtext."""
    return str(text).replace("$", r"\$")


def scale_for(values, ratio=30.0):
    """"log" when the positive values span more than `ratio` (latencies from µs to 100 ms),
    else "linear": a narrow range reads better on a linear axis."""
    positive = [v for v in values if v is not None and v > 0]
    if not positive:
        return "linear"
    return "log" if max(positive) / min(positive) > ratio else "linear"


def policy_colours(names):
    """{name: policy_colour(name)} for each scheduler name."""
    return {name: policy_colour(name) for name in names}


def _save(figure, path):
    # Software would stamp the matplotlib version; PNG output carries no date otherwise.
    with atomic_output(path, "wb") as stream:
        figure.savefig(stream, format="png", dpi=100, metadata={"Software": None})


def latency_cdf(runs, path, metric="wakeup_latency_ns", quantity="wakeup latency",
                workload=None, log_x=False):
    """Draw the CDF of `metric`'s samples (a distribution in ns, such as wakeup_latency_ns or
    request_latency_ns, which `quantity` names in the labels) for each run, x in µs, and save it
    as PNG at `path`; `workload` goes in the title. Returns False, and writes nothing, when no
    run has a sample."""
    runs = [(name, metrics) for name, metrics in runs if metrics[metric]["samples"]]
    if not runs:
        return False
    colours = policy_colours([name for name, _ in runs])
    figure = Figure(figsize=(7, 4.5))
    axes = figure.add_subplot()
    for name, metrics in runs:
        samples = metrics[metric]["samples"]  # sorted by metrics.py
        # Start at (first sample, 0) so each step rises visibly, even for a single sample.
        fractions = [i / len(samples) for i in range(len(samples) + 1)]
        axes.step([samples[0] / 1000] + [ns / 1000 for ns in samples], fractions, where="post",
                  color=colours[name], label=f"{name} (n={len(samples)})")
    if log_x:
        axes.set_xscale("log")
    else:
        axes.set_xlim(left=0)
    axes.set_xlabel(f"{quantity} (µs{', log scale' if log_x else ''})")
    axes.set_ylabel("fraction of samples ≤ x")
    axes.set_ylim(0, 1.02)
    axes.set_title(f"{quantity.capitalize()} CDF" + (f": {workload}" if workload else ""))
    axes.grid(True, alpha=0.3)
    axes.legend(title="scheduler", loc="lower right")
    figure.tight_layout()
    _save(figure, path)
    return True
