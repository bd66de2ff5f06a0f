"""The report's microbenchmark section, from <results>/bench.json when there is one.

The tables are bench_table.py's (the same cells `./schedlab bench` prints), the plots
bench_plots.py's. switch_cost_table is the first screen's short table: per policy what a
context switch costs (SWITCH_OPERATIONS), next to rr's.
"""
import html
import os

from .bench_plots import decision_lines, kernel_operation_bars
from .bench_table import (DIFFERED, MISSING, OVER_RR, check_lines, decision_table, kernel_table,
                          tolerance)
from .results import read_json


def _e(value):
    return html.escape(str(value))


# (operation, what it measures, unit): the figures that say what a switch costs a policy
SWITCH_OPERATIONS = (
    ("yield_switch", "yield to another thread", "instructions"),
    ("timer_preempt", "timer preemption", "instructions"),
    ("slice_switch_gap_ns", "slice end to the next thread running", "ns"),
)
# A switch costing more than a second of emulated time is no cost but a bad reading (a
# negative difference printed unsigned: bench.json has such figures for mlfq and tstune).
_IMPLAUSIBLE = 10 ** 9


def switch_costs(bench):
    """{policy: {operation: median}} of SWITCH_OPERATIONS, tracing on (the build compare
    runs), 1 hart; None for a figure that is missing or implausible."""
    costs = {}
    for row in bench.get("results", []):
        if row.get("trace") != "on" or row.get("harts", 1) != 1 or row.get("threads"):
            continue
        if row["operation"] in {op for op, _, _ in SWITCH_OPERATIONS}:
            value = row.get("median")
            costs.setdefault(row["policy"], {})[row["operation"]] = \
                value if isinstance(value, (int, float)) and 0 <= value < _IMPLAUSIBLE else None
    return costs


def switch_cost_table(bench):
    """The HTML table of switch_costs, each figure with its factor to rr's; "" without it."""
    from .units import format_factor, significant
    costs = switch_costs(bench or {})
    if not costs:
        return ""
    base = costs.get("rr", {})
    head = "".join(f"<th>{_e(title)} ({_e(unit)})</th>" for _, title, unit in SWITCH_OPERATIONS)
    rows = []
    for policy in sorted(costs, key=lambda p: (p != "rr", p)):
        cells = []
        for operation, _, _ in SWITCH_OPERATIONS:
            value = costs[policy].get(operation)
            if value is None:
                cells.append('<td class="na">n/a (missing or implausible)</td>')
                continue
            reference = base.get(operation)
            factor = (f"<br><small>{format_factor(value / reference)} rr</small>"
                      if policy != "rr" and reference else "")
            cells.append(f"<td>{_e(significant(value))}{factor}</td>")
        rows.append(f'<tr><td class="text">{_e(policy)}</td>{"".join(cells)}</tr>')
    return (f"<table><tr><th>policy</th>{head}</tr>{''.join(rows)}</table>")


def _table(header, rows):
    head = "".join(f"<th>{_e(cell)}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f'<td{" class=text" if i == 0 else ""}>{_e(cell)}</td>'
                                    for i, cell in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def bench_section(root, out, plots):
    """The section's HTML ("" when root has no bench.json); its plots go in `plots`."""
    bench = read_json(root / "bench.json")
    if not bench.get("results"):
        return ""
    figures = []
    for stem, title, draw in (("bench_kernel_operations", "Kernel operations per policy",
                               kernel_operation_bars),
                              ("bench_decisions", "Policy decisions", decision_lines)):
        path = plots / f"{stem}.png"
        path.unlink(missing_ok=True)
        if draw(bench, path):
            link = _e(os.path.relpath(path, out))
            figures.append(f'<figure><a href="{link}"><img src="{link}" alt="{_e(title)}" '
                           f'width="700"></a><figcaption>{_e(title)}</figcaption></figure>')
    reference = bench.get("reference", {})
    sel4 = reference.get("provenance", {})
    provenance = bench.get("provenance", {})
    rounds = bench.get("rounds", {})
    verdicts = "".join(f"<li>{_e(line)}</li>" for line in check_lines(bench))
    low, high = rounds.get("min", "?"), rounds.get("max", "?")
    repeats = (f"one round per root task ({_e(provenance.get('command') or 'compare')}; "
               "./schedlab bench repeats them until they agree)" if high == 1
               else f"{_e(low)} to {_e(high)} rounds per root task, until two in a row agree")
    return (f'<h2 id="bench">Microbenchmarks</h2><p>Instructions per operation under icount, '
            f"timing model {_e(provenance.get('timing_model', '?'))}; {repeats}; the median "
            f"shown ({_e(DIFFERED)}: rounds differed, {_e(OVER_RR)}: more than "
            f"{tolerance(bench):.0%} above rr, "
            f"{_e(MISSING)}: the root task printed no such figure). seL4's figures: "
            f"{_e(sel4.get('kernel', ''))}, {_e(sel4.get('benchmark', ''))}, "
            f"{_e(sel4.get('machine', ''))} ({_e(reference.get('path', ''))}). Commit "
            f"{_e(provenance.get('commit'))}{' (dirty)' if provenance.get('dirty') else ''}, "
            f'{_e(provenance.get("qemu"))}; <a href="../bench.json">bench.json</a>.</p>'
            f"{_table(*kernel_table(bench))}<ul>{verdicts}</ul>"
            f"<h3>Policy decisions by runnable threads</h3>{_table(*decision_table(bench))}"
            f'<div class="plots">{"".join(figures)}</div>')
