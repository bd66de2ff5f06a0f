"""Compile a workload spec into the table the engine interprets (workloads/engine/table.h).

    /usr/bin/python3 -m tools.schedlab.workload_table workloads/<name>.json OUT.c
    /usr/bin/python3 -m tools.schedlab.workload_table --check workloads/*.json
    /usr/bin/python3 -m tools.schedlab.workload_table --valid workloads/*.json

CMake runs the first form for every spec; a bad spec fails the build with the validator's
message (file, field path, what was expected) on stderr. --check prints every error of every
spec named (exit status 1 if any). --valid prints the specs that are valid, one per line, and
the errors of the others on stderr (exit status 0): CMake's configure step builds only those
(cmake/workload_specs.cmake), so one broken spec leaves the other workloads buildable.
"""
import json
import sys

from .workload_spec import OBJECT_KINDS, SpecError, load_spec

NO_VALUE = 0xFFFF
OBJECT_FIELD = {"call": "servers", "recv": "servers", "signal": "notifications",
                "wait": "notifications", "lock": "locks", "unlock": "locks",
                "barrier": "barriers"}
AFFINITY = {"all": "WL_AFFINITY_ALL", "spread": "WL_AFFINITY_SPREAD", "mask": "WL_AFFINITY_MASK"}
DIST = {"constant": "WL_CONSTANT", "uniform": "WL_UNIFORM", "exponential": "WL_EXPONENTIAL",
        "normal": "WL_NORMAL"}


def _flatten(spec, group, phases, ops):
    """Phases to ops; a loop becomes WL_LOOP ... WL_END_LOOP(back to the WL_LOOP)."""
    for phase in phases:
        obj = 0
        if phase.kind in OBJECT_FIELD:
            obj = spec.objects[OBJECT_FIELD[phase.kind]].index(phase.target)
        elif phase.kind == "spawn":
            obj = [g.name for g in spec.groups].index(phase.target)
        if phase.kind == "loop":
            start = len(ops)
            ops.append(["WL_LOOP_FOREVER" if phase.flag else "WL_LOOP", 0, 0,
                        phase.values.get("count", NO_VALUE), NO_VALUE])
            _flatten(spec, group, phase.body, ops)
            ops.append(["WL_END_LOOP", 0, 0, start, NO_VALUE])
            continue
        if phase.kind == "run":
            code = "WL_RUN_PERCENT" if "percent_of_period" in phase.values else "WL_RUN"
            a = phase.values.get("us", phase.values.get("percent_of_period"))
            ops.append([code, int(phase.flag), 0, a, NO_VALUE])
        elif phase.kind == "timer":
            ops.append(["WL_TIMER", 0, 0, phase.values["period_us"],
                        phase.values.get("deadline_us", NO_VALUE)])
        else:
            a = phase.values.get("us", phase.values.get("spin_us", NO_VALUE))
            ops.append([f"WL_{phase.kind.upper()}", 0, obj, a, NO_VALUE])


def _c_string(text):
    return json.dumps(text)   # JSON string escapes are valid C for the ASCII we allow


def generate(spec, source):
    ops, groups = [], []
    for group in spec.groups:
        first = len(ops)
        _flatten(spec, group, group.phases, ops)
        v = group.values
        groups.append(
            f"    {{{_c_string(group.name)}, {v['count']}, {v['priority']}, {v['affinity']}, "
            f"{v['working_set_kb']}, {v['arrival_us']}, {AFFINITY[group.affinity]}, "
            f"{int(group.own_space)}, {int(group.spawned)}, {int(group.daemon)}, "
            f"{int(group.paged)}, {first}, {len(ops) - first}}},")
    if len(ops) >= NO_VALUE or len(spec.values) >= NO_VALUE or len(spec.quantities) >= NO_VALUE:
        raise SpecError(f"{source}: too many phases or parameters for the engine's table")
    lines = [f"/* Generated from {source} by tools/schedlab/workload_table.py: do not edit. */",
             '#include "table.h"', "", "struct wl_value wl_values[] = {"]
    for value in spec.values:
        lines.append(f"    {{{_c_string(value.key)}, {value.default}ull, "
                     f"{int(value.from_harts)}}},")
    lines += ["};", "", "static const struct wl_quantity quantities[] = {"]
    for q in spec.quantities:
        params = ", ".join(str(p) for p in q.params + [NO_VALUE] * (4 - len(q.params)))
        lines.append(f"    {{{DIST[q.kind]}, {{{params}}}}},")
    lines += ["};", "", "static const struct wl_op ops[] = {"]
    lines += [f"    {{{code}, {flags}, {obj}, {a}, {b}}}," for code, flags, obj, a, b in ops]
    lines += ["};", "", "static const struct wl_group groups[] = {"] + groups + ["};", ""]
    for kind in OBJECT_KINDS:
        names = ", ".join(_c_string(n) for n in spec.objects[kind]) or "0"
        lines.append(f"static const char *const {kind}[] = {{{names}}};")
    counts = ", ".join(str(len(spec.objects[kind])) for kind in OBJECT_KINDS)
    lines += ["", "const struct wl_spec wl_spec = {",
              f"    {_c_string(spec.name)}, {_c_string(spec.description)},",
              f"    wl_values, {len(spec.values)}, quantities, {len(spec.quantities)},",
              f"    ops, {len(ops)}, groups, {len(spec.groups)},",
              f"    {{{', '.join(OBJECT_KINDS)}}}, {{{counts}}},",
              f"    {spec.pager_frames if spec.pager_frames >= 0 else NO_VALUE},",
              "};", ""]
    return "\n".join(lines)


def main(argv):
    if len(argv) >= 1 and argv[0] in ("--check", "--valid"):
        valid = []
        for path in argv[1:]:
            try:
                load_spec(path)
                valid.append(path)
            except SpecError as error:
                for line in error.errors:
                    print(f"error: {line}", file=sys.stderr)
        if argv[0] == "--valid":
            print("\n".join(valid))
            return 0
        return 0 if len(valid) == len(argv) - 1 else 1
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    source, out = argv
    try:
        text = generate(load_spec(source), source)
    except SpecError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    with open(out, "w") as handle:
        handle.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
