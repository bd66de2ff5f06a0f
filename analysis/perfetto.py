"""Export a trace as Chrome/Perfetto trace-event JSON, to open in ui.perfetto.dev or
chrome://tracing.

Layout of the JSON (the "JSON Array/Object Format" of the Trace Event Format):
  process HARTS_PID "harts":   one track per hart (tid = hart + 1, named "hart N"), with a
                               complete event ('X') for each interval a thread held the hart,
                               named after the thread; idle is left empty; and counters
                               ('C') "hart N runnable": the threads queued on each hart
                               (runnable, not running) over time;
  process THREADS_PID "threads": one track per thread (tid = the kernel's tid, named from
                               THREAD_NAME), with an 'X' event per state interval named
                               running / runnable / blocked, with the reason when the trace
                               gives one ("blocked: recv", "runnable: preempted";
                               thread_states), and instant events ('i') for its markers,
                               migrations and wakeups.
Flows (arrows, 's' then 'f' with the same id, cat and name) join threads' "running" slices:
cat "wakeup" from the waker, at the WAKEUP, to the wakee's next run (a kernel wakeup, waker 0,
has no arrow: the instant event says "kernel"); cat "ipc" from the sender of each IPC record
(endpoint, reply or fault message) to the receiver's run that takes it. Each end sits strictly
inside the slice it belongs to and binds to it as the enclosing slice ("bp": "e" on the 'f'),
so no viewer's tie-break between a slice that ends and one that starts at the same instant
matters. An end with no slice to bind to (the thread never ran in the trace) drops the arrow.
The policy's own records (POLICY) are instant events (cat "policy", named "<policy> <KIND>",
their arguments named as the policy's <policy>_trace.h names them, enum values by name) on the
track of the thread they name if the kind's tid field is named "tid", else on the recording
hart's track.
Timestamps and durations are in µs (the format's unit), from the trace's ns; otherData carries
the trace header and the drop count (as JSON values; a field with no value is left out, never
"None"), so a lossy trace says so in the viewer too.
"""
import json
from bisect import bisect_right

from .metrics import hart_timelines, loss, threads
from .thread_states import RUNNABLE, RUNNING, thread_states

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


class _RunningSlices:
    """Each thread's running intervals, to bind flow ends to."""

    def __init__(self, intervals):
        self.spans = {}
        for interval in intervals:    # ordered by start
            if interval.state == RUNNING:
                self.spans.setdefault(interval.tid, []).append((interval.start, interval.end))
        self.starts = {tid: [start for start, _ in spans] for tid, spans in self.spans.items()}

    def _last_started(self, tid, time):
        """Index of tid's last span starting at or before time (-1: none)."""
        return bisect_right(self.starts.get(tid, []), time) - 1

    def source(self, tid, time):
        """The span tid ran in at `time`, or its last one before (where it sent a message
        that was taken later); None if it had not run yet."""
        index = self._last_started(tid, time)
        return self.spans[tid][index] if index >= 0 else None

    def target(self, tid, time):
        """The span tid runs in at `time` (start <= time < end), else its next one; None if
        it does not run again."""
        index = self._last_started(tid, time)
        spans = self.spans.get(tid, [])
        if index >= 0 and spans[index][1] > time:
            return spans[index]
        return spans[index + 1] if index + 1 < len(spans) else None


def _inside(span, time):
    """`time` moved strictly inside span [start, end) (by up to half a ns from its edges), in
    µs: a flow end there binds to this slice and not to a neighbour that touches it."""
    start, end = span
    margin = min(0.5, (end - start) / 2)
    return _us(min(max(time, start + margin), end - margin))


def _flows(trace, intervals):
    """The flow events (see the module docstring): waker -> wakee, sender -> receiver."""
    slices = _RunningSlices(intervals)
    pairs = []    # (cat, name, from tid, to tid, time)
    wakeups = trace.events("WAKEUP")
    for tid, waker, time in zip(wakeups["tid"].tolist(), wakeups["waker"].tolist(),
                                wakeups.time_ns.tolist()):
        pairs.append(("wakeup", "wakeup", waker, tid, time))
    if "IPC" in trace.format.events:
        kinds = trace.format.enum("trace_ipc_kind")
        messages = trace.events("IPC")
        for kind, sender, receiver, time in zip(messages["kind"].tolist(),
                                                messages["sender"].tolist(),
                                                messages["receiver"].tolist(),
                                                messages.time_ns.tolist()):
            pairs.append(("ipc", str(kinds.short_name(kind) or kind).lower(), sender, receiver,
                          time))
    idle = trace.format.constants["TRACE_TID_NONE"]
    events = []
    for cat, name, src, dst, time in pairs:
        if idle in (src, dst) or src == dst:
            continue
        begin, end = slices.source(src, time), slices.target(dst, time)
        if begin is None or end is None:
            continue
        flow = {"cat": cat, "name": name, "id": len(events) // 2 + 1, "pid": THREADS_PID}
        events += [{"ph": "s", **flow, "tid": src, "ts": _inside(begin, time)},
                   {"ph": "f", "bp": "e", **flow, "tid": dst, "ts": _inside(end, time)}]
    return events


def _runnable_counters(trace, intervals):
    """'C' events: threads queued (runnable) on each hart, from 0 at the trace's start, one
    value at every instant the count changes."""
    if not len(trace.records):
        return []
    changes = {hart: {} for hart in range(trace.nharts)}
    for interval in intervals:
        if interval.state == RUNNABLE:
            deltas = changes.setdefault(interval.hart, {})
            deltas[interval.start] = deltas.get(interval.start, 0) + 1
            deltas[interval.end] = deltas.get(interval.end, 0) - 1
    events = []
    for hart, deltas in sorted(changes.items()):
        counter = {"ph": "C", "pid": HARTS_PID, "name": f"hart {hart} runnable"}
        events.append({**counter, "ts": _us(trace.start_ns), "args": {"threads": 0}})
        count = 0
        for time, delta in sorted(deltas.items()):
            if delta:
                count += delta
                events.append({**counter, "ts": _us(time), "args": {"threads": count}})
    return events


def _other_data(trace):
    """otherData: where the trace came from, its header and its losses; fields with no value
    (None, an empty policy name) are left out."""
    header = {k: v for k, v in trace.header.items() if k not in ("magic", "record_size")}
    data = {"source": str(trace.path) if trace.path else None, **header, **loss(trace)}
    return {k: v for k, v in data.items() if v not in (None, "")}


def _state_name(interval):
    return f"{interval.state}: {interval.reason}" if interval.reason else interval.state


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
        args = {"hart": interval.hart}
        if interval.reason:
            args["reason"] = interval.reason
        events.append({"ph": "X", "pid": THREADS_PID, "tid": interval.tid,
                       "ts": _us(interval.start), "dur": _us(interval.end - interval.start),
                       "name": _state_name(interval), "cat": "state", "args": args})
    events += _runnable_counters(trace, intervals)
    events += _flows(trace, intervals)
    events += _instants(trace, names)
    return {"traceEvents": events, "displayTimeUnit": "ns", "otherData": _other_data(trace)}


def write_perfetto(trace, path):
    with open(path, "w") as out:
        json.dump(perfetto_events(trace), out, separators=(",", ":"))
