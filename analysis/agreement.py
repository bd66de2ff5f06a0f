"""How well the simulator agrees with QEMU: the figures compared, the rule that says they agree,
and the report's table for the configurations a compare ran on both engines at one hart
(DESIGN §4.4: within 2% is what lets the simulator's N-hart results stand for the kernel's).

tests/sim/crossval.py (and so tests/sim/test_crossval.py) uses figures() and agree() from here,
so the report and the cross-validation judge the same numbers the same way. The figures are
counts and latencies over what both engines measure, not rates per second of the run's span:
a QEMU span includes the root task's set-up, which the simulator does not time (sim/README.md),
so a rate differs by that set-up even where every count agrees. cpu_time.workload is the CPU
time of the workload threads, without the root task's for the same reason.

For every configuration and workload with an ok QEMU run at 1 hart (exact) and an ok simulator
run at 1 hart with the same seed, each figure side by side with the relative difference
(simulator - QEMU) / QEMU; a figure that is null on both sides (not measured) is skipped, one
null on a single side is a disagreement.
"""
import html

from .units import significant

TOLERANCE = 0.02
ROOT_TID = 1
# (name, what it is): the figures compared, named as crossval prints them
FIGURES = (
    ("switches.voluntary", "voluntary switches"),
    ("switches.involuntary", "involuntary switches"),
    ("migrations", "migrations"),
    ("wakeup.p50", "wakeup p50 (ns)"),
    ("wakeup.p99", "wakeup p99 (ns)"),
    ("request.p50", "request latency p50 (ns)"),
    ("turnaround.p50", "turnaround p50 (ns)"),
    ("cpu_time.workload", "workload CPU time (ns)"),
)


def figures(metrics):
    """The compared figures of one metrics.json: name -> number (None when not measured)."""
    switches = metrics.get("context_switches", {})
    wakeup = metrics.get("wakeup_latency_ns", {})
    request = metrics.get("request_latency_ns", {})
    request = request.get("summary") or request
    turnaround = metrics.get("turnaround_ns", {}).get("summary") or {}
    moves = metrics.get("migrations", {})
    cpu = metrics.get("cpu_time_ns", {})
    return {
        "switches.voluntary": switches.get("voluntary"),
        "switches.involuntary": switches.get("involuntary"),
        "migrations": (moves["explicit"] + moves["implicit"]) if moves else None,
        "wakeup.p50": wakeup.get("p50"),
        "wakeup.p99": wakeup.get("p99"),
        "request.p50": request.get("p50"),
        "turnaround.p50": turnaround.get("p50"),
        "cpu_time.workload": (sum(v for tid, v in cpu.items() if str(tid) != str(ROOT_TID))
                              if cpu else None),
    }


def agree(a, b, tolerance=TOLERANCE):
    """Within the tolerance of the larger, or at most 1 apart (two counts of 0 and 1); two
    Nones agree, one None does not."""
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tolerance * max(abs(a), abs(b)) or abs(a - b) <= 1


def relative_difference(qemu, sim):
    """(sim - qemu) / qemu; 0 when both are 0; None when one side is missing or qemu is 0."""
    if qemu is None or sim is None:
        return None
    if qemu == 0:
        return 0.0 if sim == 0 else None
    return (sim - qemu) / qemu


def pairs(runs):
    """(qemu run, simulator run) per (configuration, workload, seed) ran on both at one
    hart; a configuration is its variant (rr[timeslice_us=2000] meets only itself)."""
    one_hart = [run for run in runs if run.harts == 1 and run.ok]
    qemu = {(r.variant, r.workload, r.run.get("seed"), r.run.get("repeat")): r
            for r in one_hart if r.engine == "qemu" and r.timing_model == "exact"}
    found = []
    for run in one_hart:
        key = (run.variant, run.workload, run.run.get("seed"), run.run.get("repeat"))
        if run.engine == "sim" and key in qemu:
            found.append((qemu[key], run))
    return sorted(found, key=lambda pair: (pair[0].workload, pair[0].variant,
                                           pair[0].run.get("repeat") or 0))


def compare_pair(qemu, sim):
    """[(figure name, qemu value, sim value, relative difference or None, agrees)]"""
    rows = []
    q_figures, s_figures = figures(qemu.metrics), figures(sim.metrics)
    for name, _ in FIGURES:
        q, s = q_figures[name], s_figures[name]
        if q is None and s is None:
            continue
        rows.append((name, q, s, relative_difference(q, s), agree(q, s)))
    return rows


def agreement_section(runs):
    """The report's section, or "" when no configuration ran on both engines at one hart."""
    found = pairs(runs)
    if not found:
        return ""
    head = "".join(f"<th>{html.escape(title)}</th>" for _, title in FIGURES)
    body, agreeing, total = [], 0, 0
    for qemu, sim in found:
        cells = {name: (q, s, diff, ok) for name, q, s, diff, ok in compare_pair(qemu, sim)}
        repeat = qemu.run.get("repeat")
        row = [f'<td class="text">{html.escape(qemu.variant)}</td>'
               f'<td class="text">{html.escape(qemu.workload)}'
               f'{"" if repeat is None else f" rep{repeat}"}</td>']
        for name, _ in FIGURES:
            if name not in cells:
                row.append("<td>-</td>")
                continue
            q, s, diff, ok = cells[name]
            total += 1
            agreeing += ok
            shown = "n/a" if diff is None else f"{diff:+.1%}"
            style = "" if ok else ' class="warning"'
            row.append(f"<td{style}>{html.escape(significant(q, 6))} / "
                       f"{html.escape(significant(s, 6))}<br>{shown}</td>")
        body.append(f"<tr>{''.join(row)}</tr>")
    return (f'<h2 id="agreement">Simulator against QEMU at one hart</h2><p>Each cell: QEMU '
            f"(exact) / simulator (parallel-sim) and the simulator's relative difference; in "
            f"red where they differ by more than {TOLERANCE:.0%} of the larger (and more than "
            f"1) or one side has no value. Counts and latencies over what both measure, as "
            f"tests/sim/crossval.py compares them (not rates: QEMU's span includes the root "
            f"task's set-up, which the simulator does not time). <b>{agreeing} of {total} "
            f"figures agree within {TOLERANCE:.0%}.</b> Where they differ, the simulator "
            f"models a mechanism differently from the kernel (tests/sim/test_crossval.py "
            f"lists the figures that are held to agree, sim/README.md the known gaps).</p>"
            f'<div class="scroll"><table><tr><th>configuration</th><th>workload</th>{head}'
            f"</tr>{''.join(body)}</table></div>")
