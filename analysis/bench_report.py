"""The report's microbenchmark section, from <results>/bench.json when there is one.

The tables are bench_table.py's (the same cells `./schedlab bench` prints), the plots
bench_plots.py's; the section sits after the headline figures, so each policy's switch and IPC
costs are read next to its latency figures.
"""
import html
import os

from .bench_plots import decision_lines, kernel_operation_bars
from .bench_table import (DIFFERED, MISSING, OVER_RR, check_lines, decision_table, kernel_table,
                          tolerance)
from .results import read_json


def _e(value):
    return html.escape(str(value))


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
