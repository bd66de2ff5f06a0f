"""Builders for synthetic traces: the tests write the records, so every answer is known."""
from analysis.decode import chunk_per_hart, decode_bytes, encode, make_record
from analysis.trace_format import FORMAT

REASONS = FORMAT.enum("trace_switch_reason").members
MARKS = FORMAT.enum("trace_marker_id").members
MIGRATE_REASONS = FORMAT.enum("trace_migrate_reason").members
WAKE_REASONS = FORMAT.enum("trace_wake_reason").members
BLOCK_REASONS = FORMAT.enum("trace_block_reason").members
IPC_KINDS = FORMAT.enum("trace_ipc_kind").members


def trace_of(records, dropped=None, **header):
    """Decode the trace holding `records` (one chunk per hart)."""
    return decode_bytes(encode(chunk_per_hart(records, dropped), **header))


def switch(time, hart, prev, next_, reason="TRACE_SWITCH_BLOCK"):
    return make_record("SWITCH", time, hart, reason=REASONS[reason], prev=prev, next=next_)


def wakeup(time, hart, tid, queued_on=None, waker=1, reason="TRACE_WAKE_IPC"):
    """A WAKEUP by `waker` (0: the kernel) recorded on `hart` that queues tid on `queued_on`
    (default the same hart)."""
    return make_record("WAKEUP", time, hart, hart=hart if queued_on is None else queued_on,
                       tid=tid, waker=waker, wake_reason=WAKE_REASONS[reason])


def block(time, hart, tid, reason="TRACE_BLOCK_SEND"):
    return make_record("BLOCK", time, hart, reason=BLOCK_REASONS[reason], tid=tid)


def ipc(time, hart, sender, receiver, kind="TRACE_IPC_ENDPOINT", words=0, badge=0):
    """An IPC record: a message of `kind` from sender to receiver."""
    return make_record("IPC", time, hart, kind=IPC_KINDS[kind], sender=sender,
                       receiver=receiver, words=words, badge=badge)


def migrate(time, hart, tid, from_hart, to_hart, reason="TRACE_MIGRATE_PULL"):
    return make_record("MIGRATE", time, hart, reason=MIGRATE_REASONS[reason], tid=tid,
                       from_hart=from_hart, to_hart=to_hart)


def marker(time, tid, mark, value, hart=0):
    return make_record("MARKER", time, hart, id=MARKS[mark], tid=tid, value=value)


def name_records(time, tid, name, hart=0):
    raw = name.encode() + bytes(-len(name) % 8)
    return [make_record("THREAD_NAME", time, hart, tid=tid, offset=offset,
                        chars=int.from_bytes(raw[offset:offset + 8], "little"))
            for offset in range(0, len(raw), 8)]


def end_at(time, hart=0):
    """A record that only moves the trace's end to `time`."""
    return make_record("TIMER_SET", time, hart, deadline_ns=0)


def arrival(time, tid, instant, hart=0):
    """tid's MARKER THREAD_ARRIVAL recorded at `time`: its group became due at `instant`."""
    return marker(time, tid, "TRACE_MARK_THREAD_ARRIVAL", instant, hart)


def done(time, tid, hart=0):
    """tid's MARKER THREAD_DONE: the end of its last phase."""
    return marker(time, tid, "TRACE_MARK_THREAD_DONE", 0, hart)


def due(time, tid, instant, hart=0):
    """tid's MARKER REQUEST_DUE: its next request became due at `instant` (0: at its last
    WAKEUP)."""
    return marker(time, tid, "TRACE_MARK_REQUEST_DUE", instant, hart)


def request(begin, end, tid, number, hart=0):
    """A request's BEGIN and END markers."""
    return [marker(begin, tid, "TRACE_MARK_REQUEST_BEGIN", number, hart),
            marker(end, tid, "TRACE_MARK_REQUEST_END", number, hart)]
