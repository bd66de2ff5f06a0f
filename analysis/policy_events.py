"""The policy's own trace records (trace.h's POLICY event), counted for metrics.json.

A policy defines its record kinds and what each field holds in kernel/sched/<policy>_trace.h
(its POLICY_TRACE_EVENTS table); the trace header names the policy, and the decoder reads those
definitions (trace_format.load_policy_format), so every name here comes from the policy's file.

policy_events(trace) is the `policy_events` entry of metrics.json:
  policy     -- the policy the trace header names (null for a trace that names none);
  counts     -- kind name -> number of records of that kind (every kind the policy defines,
                0 included);
  total      -- all POLICY records;
  by_value   -- kind -> argument -> value name -> count, for each argument whose values an enum
                of the policy names (mlfq LEVEL why: DEMOTED, BOOSTED, ...);
  lateness_ns -- kind -> {n, min, max, mean}: for a kind with an argument named `due_ns` (the
                instant the decision was due, e.g. mlfq's BOOST), record time - due_ns in ns,
                how late the policy acted (null statistics when n = 0);
  undefined  -- kind value (str) -> count, for records whose kind the policy does not define
                (present only if there are any: a trace from another version of the policy).
"""
import numpy as np

DUE_ARG = "due_ns"


def _lateness(times, due):
    late = times.astype(np.int64) - due.astype(np.int64)
    if not len(late):
        return {"n": 0, "min": None, "max": None, "mean": None}
    return {"n": int(len(late)), "min": int(late.min()), "max": int(late.max()),
            "mean": float(late.mean())}


def policy_events(trace):
    """The `policy_events` dict of metrics.json for `trace` (see the module docstring)."""
    records = trace.policy_records()
    spec = trace.policy_format
    result = {"policy": trace.policy, "counts": {}, "total": len(records), "by_value": {},
              "lateness_ns": {}}
    kinds = spec.kinds if spec is not None else {}
    kind_values = records[records.event.args[0]]
    for name in kinds:
        events = trace.policy_events(name)
        result["counts"][name] = len(events)
        for arg, _ in events.event.named_args():
            names = spec.arg_enum(events.event, arg)
            if names is not None:
                values, counts = np.unique(events[arg], return_counts=True)
                result["by_value"].setdefault(name, {})[arg] = {
                    str(names.short_name(v) or v): int(c)
                    for v, c in zip(values.tolist(), counts.tolist())}
        if DUE_ARG in events.event.args:
            result["lateness_ns"][name] = _lateness(events.time_ns, events[DUE_ARG])
    defined = [kind.value for kind in kinds.values()]
    undefined = kind_values[~np.isin(kind_values, defined)]
    if len(undefined):
        values, counts = np.unique(undefined, return_counts=True)
        result["undefined"] = {str(v): int(c) for v, c in zip(values.tolist(), counts.tolist())}
    return result
