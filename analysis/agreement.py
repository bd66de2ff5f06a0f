"""How well the simulator agrees with QEMU: the report's table for the configurations a compare
ran on both engines at one hart (DESIGN §4.4: within 2% is what lets the simulator's N-hart
results stand for the kernel's).

For every scheduler and workload with an ok QEMU run at 1 hart (exact) and an ok simulator run
at 1 hart with the same seed, each figure of FIGURES side by side with the relative difference
(simulator - QEMU) / QEMU; a figure that is null on both sides (not measured) is skipped, one
null on a single side is a disagreement, and 0 against 0 agrees. The rates are per second of
the run's span, which in QEMU includes the root task's set-up that the simulator does not time
(sim/README.md), so they agree less often than tests/sim/crossval.py's counts.
"""
import html

from .headline import display

TOLERANCE = 0.02
FIGURES = (
    ("voluntary_per_s", "voluntary switches/s"),
    ("involuntary_per_s", "involuntary switches/s"),
    ("migrations", "migrations"),
    ("wakeup_p50_ns", "wakeup p50 (ns)"),
    ("wakeup_p99_ns", "wakeup p99 (ns)"),
    ("request_latency_p50_ns", "request latency p50 (ns)"),
    ("request_latency_p99_ns", "request latency p99 (ns)"),
    ("turnaround_mean_ns", "turnaround mean (ns)"),
)


def relative_difference(qemu, sim):
    """(sim - qemu) / qemu; 0 when both are 0; None when one side is missing or qemu is 0."""
    if qemu is None or sim is None:
        return None
    if qemu == 0:
        return 0.0 if sim == 0 else None
    return (sim - qemu) / qemu


def pairs(runs):
    """(qemu run, simulator run) per (configuration, workload, seed) ran on both at one hart."""
    one_hart = [run for run in runs if run.harts == 1 and run.ok]
    qemu = {(r.variant, r.workload, r.run.get("seed")): r for r in one_hart
            if r.engine == "qemu" and r.timing_model == "exact"}
    found = []
    for run in one_hart:
        key = (run.variant, run.workload, run.run.get("seed"))
        if run.engine == "sim" and key in qemu:
            found.append((qemu[key], run))
    return sorted(found, key=lambda pair: (pair[0].workload, pair[0].variant))


def compare_pair(qemu, sim):
    """[(figure key, qemu value, sim value, relative difference or None, agrees)]"""
    rows = []
    for key, _ in FIGURES:
        q, s = qemu.metrics.get("headline", {}).get(key), sim.metrics.get("headline", {}).get(key)
        if q is None and s is None:
            continue
        diff = relative_difference(q, s)
        rows.append((key, q, s, diff, diff is not None and abs(diff) <= TOLERANCE))
    return rows


def agreement_section(runs):
    """The report's section, or "" when no configuration ran on both engines at one hart."""
    found = pairs(runs)
    if not found:
        return ""
    head = "".join(f"<th>{html.escape(title)}</th>" for _, title in FIGURES)
    body, agreeing, total = [], 0, 0
    for qemu, sim in found:
        cells = {key: (q, s, diff, ok) for key, q, s, diff, ok in compare_pair(qemu, sim)}
        row = [f'<td class="text">{html.escape(qemu.variant)}</td>'
               f'<td class="text">{html.escape(qemu.workload)}</td>']
        for key, _ in FIGURES:
            if key not in cells:
                row.append("<td>-</td>")
                continue
            q, s, diff, ok = cells[key]
            total += 1
            agreeing += ok
            shown = "n/a" if diff is None else f"{diff:+.1%}"
            style = "" if ok else ' class="warning"'
            row.append(f"<td{style}>{html.escape(display(q))} / {html.escape(display(s))}"
                       f"<br>{shown}</td>")
        body.append(f"<tr>{''.join(row)}</tr>")
    return (f"<h2>Simulator against QEMU at one hart</h2><p>Each cell: QEMU (exact) / simulator "
            f"(parallel-sim) and the simulator's relative difference; in red where it exceeds "
            f"{TOLERANCE:.0%} or one side has no value. {agreeing} of {total} figures agree "
            f"within {TOLERANCE:.0%}. Where they differ, the simulator models a mechanism "
            f"differently from the kernel (tests/sim/test_crossval.py lists the figures that "
            f"are held to agree).</p><table><tr><th>configuration</th><th>workload</th>{head}</tr>"
            f"{''.join(body)}</table>")
