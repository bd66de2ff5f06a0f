"""The report's microbenchmark plots, from a bench.json (`./schedlab bench`, or compare's).

kernel_operation_bars: instructions per kernel operation, one bar per policy (its colour in
every plot, plot.policy_colour; hatched: tracing compiled in) in each operation's group, and
seL4's figure as a black mark where the reference has one, so each policy's switch cost sits
next to seL4's and to the others'. decision_lines: each policy's pick and enqueue cost against
runnable threads. Each returns False, and writes nothing, when bench.json has no such figure.
"""
from matplotlib.figure import Figure

from .bench_table import config_label
from .plot import _save, policy_colour


def _series(bench, decisions):
    """{config label: (config, {(operation, threads): median})} in bench.json's config order."""
    series = {config_label(c): (c, {}) for c in bench.get("configs", [])}
    for row in bench.get("results", []):
        if (row.get("threads") is not None) != decisions or row.get("unit") != "instructions":
            continue
        label = config_label(row)
        if label in series:
            series[label][1][(row["operation"], row.get("threads"))] = row["instructions"]
    return {label: value for label, value in series.items() if value[1]}


def kernel_operation_bars(bench, path):
    series = _series(bench, decisions=False)
    operations = sorted({op for _, figures in series.values() for op, _ in figures})
    if not operations:
        return False
    reference = {f["operation"]: f["instructions"]
                 for f in bench.get("reference", {}).get("figures", [])}
    figure = Figure(figsize=(max(7.5, 0.9 * len(operations)), 5), layout="constrained")
    axes = figure.add_subplot()
    width = 0.8 / len(series)
    for index, (label, (config, figures)) in enumerate(series.items()):
        xs = [x + (index - (len(series) - 1) / 2) * width for x in range(len(operations))]
        axes.bar(xs, [figures.get((op, None), 0) for op in operations], width,
                 color=policy_colour(config["policy"]),
                 hatch="//" if config["trace"] == "on" else "", edgecolor="black",
                 linewidth=0.5, label=label)
    marks = [(x, reference[op]) for x, op in enumerate(operations) if op in reference]
    if marks:
        axes.scatter([x for x, _ in marks], [y for _, y in marks], marker="_", s=900,
                     color="black", linewidths=2, zorder=3,
                     label=bench.get("reference", {}).get("name", "seL4"))
    axes.set_xticks(range(len(operations)))
    # upright: slanted, the long names run into their neighbours
    axes.set_xticklabels(operations, rotation=90, fontsize="small")
    axes.set_ylabel("instructions per operation")
    axes.set_title("Kernel operations per policy (hatched: tracing compiled in)")
    axes.grid(True, alpha=0.3, axis="y")
    # Outside the axes (constrained layout makes room): a legend never covers a bar.
    axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    _save(figure, path)
    return True


def decision_lines(bench, path):
    series = _series(bench, decisions=True)
    if not series:
        return False
    figure = Figure(figsize=(8.5, 4.5), layout="constrained")
    axes = figure.add_subplot()
    for label, (config, figures) in series.items():
        for kind, style in (("round", "-"), ("pick", "--"), ("enqueue", ":")):
            points = sorted((n, v) for (k, n), v in figures.items() if k == kind)
            if points:
                axes.plot([n for n, _ in points], [v for _, v in points], style, marker="o",
                          color=policy_colour(config["policy"]), label=f"{label} {kind}")
    axes.set_xscale("log")
    axes.set_xlabel("runnable threads (log scale)")
    axes.set_ylabel("instructions per decision")
    axes.set_title("Policy decisions by runnable threads")
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize="x-small", loc="upper left", bbox_to_anchor=(1.01, 1.0),
                frameon=False)
    _save(figure, path)
    return True
