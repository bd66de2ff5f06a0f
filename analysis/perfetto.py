"""Export a trace as Chrome/Perfetto trace-event JSON, to open in ui.perfetto.dev or
chrome://tracing.

Layout of the JSON (the "JSON Array/Object Format" of the Trace Event Format):
  process HARTS_PID "harts":   one track per hart (tid = hart + 1, named "hart N"), with a
                               complete event ('X') for each interval a thread held the hart,
                               named after the thread; idle is left empty;
  process THREADS_PID "threads": one track per thread (tid = the kernel's tid, named from
                               THREAD_NAME), with an 'X' event per state interval named
                               running / runnable / blocked (thread_states), and instant
                               events ('i') for its markers, migrations and wakeups.
The policy's own records (POLICY) are instant events (cat "policy", named "<policy> <KIND>",
their arguments named as the policy's <policy>_trace.h names them, enum values by name) on the
track of the thread they name if the kind's tid field is named "tid", else on the recording
hart's track.
Timestamps and durations are in µs (the format's unit), from the trace's ns; otherData carries
the trace header and the drop count, so a lossy trace says so in the viewer too.
"""
import json

from .metrics import hart_timelines, loss, threads
from .thread_states import thread_states

HARTS_PID, THREADS_PID = 1, 2


def _us(ns):
    return ns / 1000


def _name(tid, names):
    name = names.get(str(tid), {}).get("name")
    return f"{name} ({tid})" if name else f"tid {tid}"


def _metadata(pid, tid, kind, value):
    event = {"ph": "M", "pid": pid, "name": kind, "args": {"name" if "name" in kind
                                                            else "sort_index": value}}
    if tid is not None:
        event["tid"] = tid
    return event


def _instants(trace, names):
    """Markers, migrations, wakeups and IPC messages as instant events on their thread's
    track (a message on the receiver's)."""
    fmt = trace.format
    marker_ids, migrate_reasons = fmt.enum("trace_marker_id"), fmt.enum("trace_migrate_reason")
    wake_reasons = fmt.enum("trace_wake_reason")
    events = []
    markers = trace.events("MARKER")
    for mark, tid, value, time in zip(markers["id"].tolist(), markers["tid"].tolist(),
                                      markers["value"].tolist(), markers.time_ns.tolist()):
        events.append({"ph": "i", "s": "t", "pid": THREADS_PID, "tid": tid, "ts": _us(time),
                       "cat": "marker", "name": marker_ids.short_name(mark) or f"marker {mark}",
                       "args": {"value": value}})
    moves = trace.events("MIGRATE")
    for reason, tid, src, dst, time in zip(moves["reason"].tolist(), moves["tid"].tolist(),
                                           moves["from_hart"].tolist(), moves["to_hart"].tolist(),
                                           moves.time_ns.tolist()):
        events.append({"ph": "i", "s": "t", "pid": THREADS_PID, "tid": tid, "ts": _us(time),
                       "cat": "migrate", "name": f"migrate {src}->{dst}",
                       "args": {"reason": migrate_reasons.short_name(reason) or reason,
                                "from_hart": src, "to_hart": dst}})
    wakeups = trace.events("WAKEUP")
    for hart, tid, waker, reason, time, recorder in zip(
            wakeups["hart"].tolist(), wakeups["tid"].tolist(), wakeups["waker"].tolist(),
            wakeups["wake_reason"].tolist(), wakeups.time_ns.tolist(), wakeups.hart.tolist()):
        events.append({"ph": "i", "s": "t", "pid": THREADS_PID, "tid": tid, "ts": _us(time),
                       "cat": "wakeup", "name": "wakeup",
                       "args": {"queued_on_hart": hart, "recorded_on_hart": recorder,
                                "waker": _name(waker, names) if waker else "kernel",
                                "reason": wake_reasons.short_name(reason) or reason}})
    if "IPC" in fmt.events:
        ipc_kinds = fmt.enum("trace_ipc_kind")
        messages = trace.events("IPC")
        for kind, sender, receiver, words, badge, time in zip(
                messages["kind"].tolist(), messages["sender"].tolist(),
                messages["receiver"].tolist(), messages["words"].tolist(),
                messages["badge"].tolist(), messages.time_ns.tolist()):
            kind_name = ipc_kinds.short_name(kind) or kind
            events.append({"ph": "i", "s": "t", "pid": THREADS_PID, "tid": receiver,
                           "ts": _us(time), "cat": "ipc",
                           "name": f"{str(kind_name).lower()} from {_name(sender, names)}",
                           "args": {"sender": _name(sender, names), "words": words,
                                    "badge": badge}})
    return events + _policy_instants(trace, names)


def _policy_instants(trace, names):
    """The policy's own records as instant events (see the module docstring)."""
    spec, events = trace.policy_format, []
    if spec is None:
        return events
    for kind in spec.kinds:
        records = trace.policy_events(kind)
        if not len(records):
            continue
        args = records.event.named_args()
        on_thread = args[0][1] == "arg1" and args[0][0] == "tid"
        columns = {arg: records[arg].tolist() for arg, _ in args}
        enums = {arg: spec.arg_enum(records.event, arg) for arg, _ in args}
        for i, (time, hart) in enumerate(zip(records.time_ns.tolist(), records.hart.tolist())):
            values = {arg: (enums[arg].short_name(column[i]) or column[i]) if enums[arg]
                      else column[i] for arg, column in columns.items()}
            if on_thread:
                values["tid"] = _name(values["tid"], names)
                track = {"pid": THREADS_PID, "tid": columns["tid"][i]}
            else:
                track = {"pid": HARTS_PID, "tid": hart + 1}
            events.append({"ph": "i", "s": "t", **track, "ts": _us(time), "cat": "policy",
                           "name": f"{spec.policy} {kind}", "args": values})
    return events


def perfetto_events(trace):
    """The trace-event JSON object (a dict) for `trace`."""
    names = threads(trace)
    idle = trace.format.constants["TRACE_TID_NONE"]
    events = [_metadata(HARTS_PID, None, "process_name", "harts"),
              _metadata(HARTS_PID, None, "process_sort_index", 0),
              _metadata(THREADS_PID, None, "process_name", "threads"),
              _metadata(THREADS_PID, None, "process_sort_index", 1)]
    for hart, timeline in hart_timelines(trace).items():
        events += [_metadata(HARTS_PID, hart + 1, "thread_name", f"hart {hart}"),
                   _metadata(HARTS_PID, hart + 1, "thread_sort_index", hart)]
        for tid, start, end in zip(timeline.tids.tolist(), timeline.starts.tolist(),
                                   timeline.ends.tolist()):
            if tid != idle and end > start:
                events.append({"ph": "X", "pid": HARTS_PID, "tid": hart + 1, "ts": _us(start),
                               "dur": _us(end - start), "name": _name(tid, names),
                               "cat": "running", "args": {"tid": tid}})
    intervals = thread_states(trace)
    for tid in sorted({i.tid for i in intervals} | {int(t) for t in names}):
        events += [_metadata(THREADS_PID, tid, "thread_name", _name(tid, names)),
                   _metadata(THREADS_PID, tid, "thread_sort_index", tid)]
    for interval in intervals:
        events.append({"ph": "X", "pid": THREADS_PID, "tid": interval.tid,
                       "ts": _us(interval.start), "dur": _us(interval.end - interval.start),
                       "name": interval.state, "cat": "state", "args": {"hart": interval.hart}})
    events += _instants(trace, names)
    header = {k: v for k, v in trace.header.items() if k not in ("magic", "record_size")}
    return {"traceEvents": events, "displayTimeUnit": "ns",
            "otherData": {"source": str(trace.path), **{k: str(v) for k, v in header.items()},
                          **{k: str(v) for k, v in loss(trace).items()}}}


def write_perfetto(trace, path):
    with open(path, "w") as out:
        json.dump(perfetto_events(trace), out, separators=(",", ":"))
