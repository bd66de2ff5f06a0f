"""The report's first screen and each workload's short table, as HTML (key_figures.py decides
what they say; units.py writes the numbers for reading).

A column shares one unit (µs, ms ...); a cell gives the mean over the repeats (± the half-width
of its 95% interval when there are several), its factor to the baseline (×0.41: 41% of the
baseline's) and its sample count; the best per column is marked ★.
"""
import html

from .key_figures import BY_KEY, LOWER
from .timing_model import label
from .units import column_time_unit, format_factor, format_ratio, format_time, significant


def _e(value):
    return html.escape(str(value))


def machine_label(machine):
    """A machine as headings name it: "QEMU, 1 hart, exact (icount)"."""
    engine, harts, model = machine
    return f"{'simulator' if engine == 'sim' else 'QEMU'}, {label(model, harts)}"


def machine_short(machine):
    """A machine as a column heading: "QEMU 1h", "sim 16h"."""
    engine, harts, _ = machine
    return f"{'sim' if engine == 'sim' else 'QEMU'} {harts}h"


def _unit_of(figure, comparison):
    """(heading suffix, function value -> text) for a column of one comparison."""
    if figure.kind == "time":
        unit = column_time_unit(e.estimates[figure.key].mean for e in comparison.entries
                                if figure.key in e.estimates)
        return unit[0], lambda value: format_time(value, unit).rsplit(" ", 1)[0]
    if figure.kind == "ratio":
        return "%", lambda value: format_ratio(value)[:-1]
    if figure.kind == "rate":
        return "1/s", significant
    return "", significant


def _cell(comparison, entry, figure, text_of, best):
    estimate = entry.estimates.get(figure.key)
    if estimate is None:
        reason = next((run.metrics.get("headline", {}).get("unsupported", {}).get(figure.key)
                       for run in entry.runs), None)
        return f'<td class="na">n/a{f"<br><small>{_e(reason)}</small>" if reason else ""}</td>'
    text = text_of(estimate.mean)
    if estimate.half_width is not None:
        text += f" ± {text_of(estimate.half_width)}"
    notes = []
    factor = comparison.relative(entry, figure.key)
    if factor is not None and entry is not comparison.baseline:
        notes.append(format_factor(factor))
    if figure.key in entry.samples:
        notes.append(f"n={entry.samples[figure.key]}")
    if len(entry.runs) > 1:
        notes.append(f"{len(entry.runs)} runs")
    mark = ' class="best"' if entry.config in best else ""
    star = " ★" if entry.config in best else ""
    small = f"<br><small>{_e(' · '.join(notes))}</small>" if notes else ""
    return f"<td{mark}>{_e(text)}{star}{small}</td>"


def short_table(comparison, swatch):
    """One comparison's table: a row per configuration, a column per key figure."""
    figures = comparison.figures()
    columns = [(figure, *_unit_of(figure, comparison)) for figure in figures]
    head = "".join(
        f'<th title="{"lower" if f.better == LOWER else "higher"} is better">{_e(f.title)}'
        f'{f" ({_e(unit)})" if unit else ""}<br><small>{"↓" if f.better == LOWER else "↑"}'
        f' better</small></th>' for f, unit, _ in columns)
    rows = []
    for entry in comparison.entries:
        baseline = " (baseline)" if entry is comparison.baseline else ""
        failed = (f'<br><small class="warning">{entry.failed} run(s) failed</small>'
                  if entry.failed else "")
        cells = "".join(_cell(comparison, entry, f, text_of, comparison.best(f.key))
                        for f, _, text_of in columns)
        rows.append(f'<tr><td class="text">{swatch(entry)}{_e(entry.variant)}{baseline}'
                    f'{failed}</td>{cells}</tr>')
    return (f'<div class="scroll"><table class="key"><tr><th>configuration</th>{head}</tr>'
            f'{"".join(rows)}</table></div>')


def _value_text(figure, value):
    if figure.kind == "time":
        return format_time(value)
    if figure.kind == "ratio":
        return format_ratio(value)
    return significant(value)


def _verdict(comparison, swatch):
    """The winners table's cell: who wins, on which figures, by how much against the
    baseline."""
    winners, deciding = comparison.winner()
    if not winners:
        names = ", ".join(e.variant for e in comparison.entries)
        return f'<td class="text">only {_e(names)}</td>'
    if not deciding:
        return ('<td class="text">tie (within 1%, or overlapping intervals, on every deciding '
                'figure)</td>')
    names = " = ".join(f"{swatch(e)}<b>{_e(e.variant)}</b>" for e in winners)
    reasons = []
    for figure in deciding:
        text = f"{figure.title} {_value_text(figure, winners[0].estimates[figure.key].mean)}"
        factor = comparison.relative(winners[0], figure.key)
        if factor is not None and comparison.baseline not in winners:
            text += f", {format_factor(factor)} {comparison.baseline.variant}"
        reasons.append(text)
    return f'<td class="text">{names}<br><small>{_e("; then ".join(reasons))}</small></td>'


def winners_table(found, swatch, anchor):
    """The first screen: a row per workload, a column per machine, the winner in each cell.
    anchor(workload) is the id of the workload's section."""
    machines = sorted({c.machine for c in found}, key=lambda m: (m[0] != "qemu", m[1], m[2]))
    by_cell = {(c.workload, c.machine): c for c in found}
    head = "".join(f'<th title="{_e(machine_label(m))}">{_e(machine_short(m))}</th>'
                   for m in machines)
    rows = []
    for workload in sorted({c.workload for c in found}):
        cells = "".join(_verdict(by_cell[(workload, m)], swatch) if (workload, m) in by_cell
                        else '<td class="na">not run</td>' for m in machines)
        rows.append(f'<tr><td class="text"><a href="#{_e(anchor(workload))}">{_e(workload)}'
                    f'</a></td>{cells}</tr>')
    return (f'<div class="scroll"><table class="winners"><tr><th>workload</th>{head}</tr>'
            f'{"".join(rows)}</table></div>')


def deciding_text():
    """How the winner is chosen, for the page."""
    from .key_figures import DECIDING, TIE
    names = ", then ".join(BY_KEY[key].title for key in DECIDING)
    return (f"The winner is the best on the first of: {names} that tells the configurations "
            f"apart. Best: lowest (fairness: highest); within {TIE:.0%} of the best, or with "
            f"an overlapping 95% interval when there are repeats, counts as tied.")
