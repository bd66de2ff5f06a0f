"""The microbenchmark tables of a bench.json (`./schedlab bench`), next to seL4's figures.

One reading of bench.json for the printed table (tools/schedlab/bench.py) and the report's
(report.py): which of our figures each seL4 figure compares with, the ratio, whether the
milestone (at or below seL4) and the goal (where the reference sets one) are met, and whether
every other policy stays within the reference's tolerance of rr under the targets' conditions
(rr's tracing and harts: compiled out, one hart). Numpy-free, so the schedlab
command can use it under any Python.

Cells: a figure is the median over its rounds; "~" after it says its rounds differed (under
icount they should not: min and max are in bench.json), "!" that it is more than the
tolerance above rr's figure under the same tracing (not on a row that is not an exact kernel
cost: is_kernel_cost; of a policy's decisions, only on the round: compared_with_rr);
"missing" that the root task printed no such line.
"""

DIFFERED, OVER_RR, MISSING = "~", "!", "missing"


def operation_label(operation, threads=None):
    """pick (16 threads) for a policy decision; the operation's name otherwise."""
    return operation if threads is None else f"{operation} ({threads} threads)"


def config_label(config):
    """rr/off, or rr/off/4h at more than one hart: a column of the tables."""
    label = f"{config['policy']}/{config['trace']}"
    return label if config.get("harts", 1) == 1 else f"{label}/{config['harts']}h"


def _key_label(key):
    """config_label of a (policy, trace, harts) key."""
    return config_label(dict(zip(("policy", "trace", "harts"), key)))


def _config_key(row):
    return (row["policy"], row["trace"], row.get("harts", 1))


def _figures(bench):
    """{(policy, trace, harts): {(operation, threads): result row}}"""
    figures = {}
    for row in bench.get("results", []):
        figures.setdefault(_config_key(row), {})[(row["operation"], row.get("threads"))] = row
    return figures


def _configs(bench):
    return [(c["policy"], c["trace"], c.get("harts", 1)) for c in bench.get("configs", [])]


def base_config(bench):
    """The configuration seL4's figures compare with: the reference's (rr, trace off, 1 hart)
    if it was measured, else the first measured one of the same policy; None without it."""
    wanted = bench.get("reference", {}).get("compared_with", {})
    key = (wanted.get("policy", "rr"), wanted.get("trace", "off"), wanted.get("harts", 1))
    configs = _configs(bench)
    if key in configs:
        return key
    return next((c for c in configs if c[0] == key[0]), None)


def tolerance(bench):
    return bench.get("reference", {}).get("targets", {}).get("other_policies_tolerance", 0.10)


def tracing_limit(bench):
    return bench.get("reference", {}).get("targets", {}).get("tracing_limit", 0.25)


# Figures that depend on where the slice's end falls in QEMU virt's 100 ns timer tick (the
# timer is 10 MHz; a slice ends on the first tick at or after its end, and which tick that is
# follows the kernel path's length modulo 100): one instruction more on the path can move them
# by up to 100. They are printed, but compared with nothing; the same path's exact figures are
# slice_switch_gap_ns and timer_preempt (bench/slice/main.c).
TICK_PHASE_DEPENDENT = ("slice_user_ns", "slice_kernel_ns")


def is_kernel_cost(operation):
    """A row that is what the kernel costs, exactly: not an `_overhead` row (user instructions)
    nor a figure that moves with the timer tick's phase (TICK_PHASE_DEPENDENT)."""
    return not operation.endswith("_overhead") and operation not in TICK_PHASE_DEPENDENT


# Of a policy's decisions, the one compared across policies: the whole round (an expiry and the
# pick after it). Which of the two queues the expired thread is each policy's choice (rr at the
# expiry; affinity and tstune hold it as the candidate and queue it at the pick when something
# comes before it), so pick and enqueue alone compare different shares of the same work.
COMPARED_DECISION = "round"


def compared_with_rr(key):
    """Is the figure of key (operation, threads) one that policies must keep within the
    tolerance of rr's?"""
    operation, threads = key
    return operation == COMPARED_DECISION if threads is not None else is_kernel_cost(operation)


def tracing_over(bench):
    """The kernel operations whose figure with tracing compiled in is more than the tracing
    limit above the same policy's at the same harts without it: [(config label, operation,
    on / off)] in table order, and whether any pair was measured both ways. A policy decision
    or an `_overhead` row (user instructions) is not a kernel operation."""
    figures = _figures(bench)
    over, compared = [], False
    for policy, trace, harts in _configs(bench):
        off = figures.get((policy, "off", harts)) if trace == "on" else None
        if off is None:
            continue
        for key in _ordered_keys(bench, decisions=False):
            on_row, off_row = figures[(policy, "on", harts)].get(key), off.get(key)
            if not is_kernel_cost(key[0]) or not on_row or not off_row \
                    or not off_row["instructions"]:
                continue
            compared = True
            ratio = on_row["instructions"] / off_row["instructions"]
            if ratio > 1 + tracing_limit(bench):
                over.append((_key_label((policy, trace, harts)), key[0], ratio))
    return over, compared


def policies_over(bench):
    """The kernel operations on which another policy is more than the tolerance above rr under
    the targets' conditions (the base configuration's tracing and harts): [(config label,
    operation, ours / rr's)] in table order, and whether any was compared."""
    base = base_config(bench)
    figures = _figures(bench)
    over, compared = [], False
    for config in _configs(bench):
        if not base or config[1:] != base[1:]:
            continue
        for key in _ordered_keys(bench, decisions=False):
            verdict = over_rr(bench, config, key) if is_kernel_cost(key[0]) else None
            if verdict is None:
                continue
            compared = True
            if verdict:
                ratio = figures[config][key]["instructions"] / \
                    figures[(base[0], *config[1:])][key]["instructions"]
                over.append((_key_label(config), key[0], ratio))
    return over, compared


def _shares_verdict(head, over, compared, not_compared):
    """A verdict line: n/a (not_compared), yes, or NO naming each (label, operation, ratio)."""
    if not compared:
        return head + f"n/a ({not_compared})"
    if not over:
        return head + "yes"
    return head + "NO (" + ", ".join(f"{label} {operation} +{ratio - 1:.1%}"
                                     for label, operation, ratio in over) + ")"


def _policies_verdict_all(bench):
    base = base_config(bench)
    head = (f"other policies within {tolerance(bench):.0%} of "
            f"{_key_label(base) if base else 'rr'} on every kernel operation: ")
    return _shares_verdict(head, *policies_over(bench),
                           "no other policy measured under the same conditions")


def _tracing_verdict(bench):
    head = f"tracing adds at most {tracing_limit(bench):.0%} to every kernel operation: "
    return _shares_verdict(head, *tracing_over(bench),
                           "no policy measured with tracing both in and out")


def over_rr(bench, config, key):
    """True when config's figure for key is more than the tolerance above rr's under the same
    tracing and harts; None when either is not measured or config is rr's own."""
    policy, trace, harts = config
    base = bench.get("reference", {}).get("compared_with", {}).get("policy", "rr")
    if policy == base:
        return None
    figures = _figures(bench)
    ours = figures.get(config, {}).get(key)
    theirs = figures.get((base, trace, harts), {}).get(key)
    if ours is None or theirs is None or not theirs["instructions"]:
        return None
    return ours["instructions"] > theirs["instructions"] * (1 + tolerance(bench))


def comparison_rows(bench):
    """One row per seL4 reference figure: ours (the base configuration's median), seL4's, the
    ratio, milestone met (ours <= seL4's), the goal and whether it is met, and the policies
    more than the tolerance above rr. ours None: not measured (the root task printed no such
    line)."""
    base = base_config(bench)
    figures = _figures(bench).get(base, {}) if base else {}
    rows = []
    for figure in bench.get("reference", {}).get("figures", []):
        key = (figure["operation"], None)
        ours = figures.get(key, {}).get("instructions")
        sel4, goal = figure["instructions"], figure.get("goal")
        # the targets' conditions: the base's tracing and harts (the issue's: compiled out)
        compared = [c for c in _configs(bench) if base and c[1:] == base[1:]
                    and over_rr(bench, c, key) is not None]
        rows.append({
            "operation": figure["operation"], "sel4_name": figure["sel4"], "sel4": sel4,
            "ours": ours, "ours_config": _key_label(base) if base else None,
            "ratio": round(ours / sel4, 3) if ours is not None else None,
            "milestone_met": ours <= sel4 if ours is not None else None,
            "goal": goal, "goal_met": ours <= goal if ours is not None and goal else None,
            "policies_compared_with_rr": [_key_label(c) for c in compared],
            "policies_over_tolerance": [_key_label(c) for c in compared
                                        if over_rr(bench, c, key)]})
    return rows


def number(value):
    """A figure as the tables show it: whole numbers in full, a median between two rounds
    with one decimal."""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _cell(bench, config, key):
    row = _figures(bench).get(config, {}).get(key)
    if row is None:
        return MISSING
    text = number(row["instructions"])
    if row["min"] != row["max"]:
        text += DIFFERED
    if compared_with_rr(key) and over_rr(bench, config, key):
        text += OVER_RR
    return text


def _yes_no(value):
    return "n/a" if value is None else ("yes" if value else "NO")


def _ordered_keys(bench, decisions):
    """Expected operations first, in the order bench.json lists them, then any others."""
    expected = [(o, None) for o in bench.get("expected_operations", [])]
    if decisions:
        expected = [(kind, n) for kind in bench.get("expected_decisions", {}).get("kinds", [])
                    for n in bench.get("expected_decisions", {}).get("threads", [])]
    seen = {(r["operation"], r.get("threads")) for r in bench.get("results", [])
            if (r.get("threads") is not None) == decisions}
    extra = sorted(seen - set(expected), key=lambda k: (k[0], k[1] or 0))
    return expected + extra


def kernel_table(bench):
    """(header, rows) of strings: each kernel operation's figure per configuration, then seL4's
    figure, ours/seL4 (the base configuration), milestone and goal."""
    configs = _configs(bench)
    reference = {row["operation"]: row for row in comparison_rows(bench)}
    header = ["operation", *[_key_label(c)
                             for c in configs], "seL4", "ours/seL4", "<= seL4", "goal"]
    rows = []
    for key in _ordered_keys(bench, decisions=False):
        ref = reference.get(key[0])
        tail = ["", "", "", ""]
        if ref:
            goal = "" if ref["goal"] is None else f"<= {ref['goal']}: {_yes_no(ref['goal_met'])}"
            tail = [str(ref["sel4"]), "n/a" if ref["ratio"] is None else f"{ref['ratio']:.2f}",
                    _yes_no(ref["milestone_met"]), goal]
        rows.append([operation_label(*key), *[_cell(bench, c, key) for c in configs], *tail])
    return header, rows


def decision_table(bench):
    """(header, rows): each policy's pick, enqueue and round cost by runnable threads (a column
    per thread count); one row per configuration and kind."""
    keys = _ordered_keys(bench, decisions=True)
    threads = sorted({n for _, n in keys})
    kinds = list(dict.fromkeys(kind for kind, _ in keys))
    header = ["policy", "decision", *[f"N={n}" for n in threads]]
    rows = []
    for config in _configs(bench):
        label = _key_label(config)
        for kind in kinds:
            rows.append([label, kind, *[_cell(bench, config, (kind, n)) for n in threads]])
    return header, rows


def _policies_verdict(row):
    if row["policies_over_tolerance"]:
        return "NO (" + ", ".join(row["policies_over_tolerance"]) + ")"
    if not row["policies_compared_with_rr"]:
        return "n/a (no other policy measured it)"
    return "yes (" + ", ".join(row["policies_compared_with_rr"]) + ")"


def check_lines(bench):
    """The verdicts under the tables: targets, policies against rr, tracing's cost, rounds,
    missing lines."""
    lines = []
    for row in comparison_rows(bench):
        if row["goal"] is None:
            continue
        ours = "not measured" if row["ours"] is None else number(row["ours"])
        lines.append(f"{row['operation']} ({row['ours_config'] or 'rr not measured'}): {ours}, "
                     f"goal <= {row['goal']}: {_yes_no(row['goal_met'])}; seL4 {row['sel4']}: "
                     f"{_yes_no(row['milestone_met'])}; other policies within "
                     f"{tolerance(bench):.0%} of {row['ours_config'] or 'rr'}: "
                     + _policies_verdict(row))
    lines.append(_policies_verdict_all(bench))
    lines.append(_tracing_verdict(bench))
    differed = [r for r in bench.get("results", []) if r["min"] != r["max"]]
    if differed:
        lines.append(f"rounds differed ({DIFFERED}) for {len(differed)} figure(s): "
                     + ", ".join(f"{r['policy']}/{r['trace']} "
                                 f"{operation_label(r['operation'], r.get('threads'))} "
                                 f"{r['rounds']}" for r in differed))
    for missing in bench.get("missing", []):
        lines.append(f"missing for {config_label(missing)}: "
                     + ", ".join(missing["operations"]))
    for config in bench.get("configs", []):
        for task, outcome in config.get("root_tasks", {}).items():
            if outcome.get("error"):
                lines.append(f"failed: {config_label(config)} {task}: {outcome['error']}")
    return lines


def _text_table(header, rows):
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(w) if i == 0 else str(cell).rjust(w)
                       for i, (cell, w) in enumerate(zip(line, widths))).rstrip()
             for line in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_text(bench):
    """The printed table: kernel operations next to seL4's figures, policy decisions, verdicts."""
    reference = bench.get("reference", {})
    provenance = reference.get("provenance", {})
    base = base_config(bench)
    parts = [f"Kernel operations, {bench.get('unit', 'instructions per operation')} "
             f"(median of rounds; {DIFFERED} rounds differed, {OVER_RR} more than "
             f"{tolerance(bench):.0%} above rr, {MISSING} not printed by the root task)",
             _text_table(*kernel_table(bench)),
             f"seL4 ({reference.get('path', 'reference')}): {provenance.get('kernel', '?')}; "
             f"{provenance.get('benchmark', '')}; {provenance.get('machine', '')}. "
             f"ours/seL4 and the verdicts use {_key_label(base) if base else 'rr (not measured)'}. "
             "As sel4bench's, a figure with an <operation>_overhead row is the interval timed less "
             "its own user instructions (the same with a nop for the ecall). "
             + ", ".join(TICK_PHASE_DEPENDENT) + " move with the phase of the slice's end in "
             "the 100 ns timer tick (up to 100 ns as code layout changes) and are not compared; "
             "slice_switch_gap_ns and timer_preempt are the same path's exact figures.",
             "",
             "Policy decisions, instructions per decision, by runnable threads N",
             _text_table(*decision_table(bench)), ""]
    parts += check_lines(bench)
    return "\n".join(parts) + "\n"
