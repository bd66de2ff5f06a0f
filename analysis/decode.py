"""Reading and writing trace.bin files, laid out as include/schedlab/trace.h defines.

A trace is a file header followed by chunks; each chunk is a chunk header and the records one hart
flushed, in time order. A hart may flush several chunks; its `dropped` count is cumulative, so the
hart's last chunk carries its final count. decode() merges the harts' records into one time-ordered
array, reading each DIRECT_SWITCH record (the kernel fastpath's) as the WAKEUP, BLOCK and SWITCH
records it stands for; encode() writes the same layout (tests build synthetic traces with it).

The file header names the policy that ran (its `policy` field, from trace version 2): the
decoder reads that policy's definitions of its own POLICY records (trace_format.
load_policy_format) so Trace.policy_events(kind) addresses them by name. A header of an older
version trace.h still describes (TRACE_FILE_HEADER_FIELDS_V<n>) is read as that prefix; such a
trace names no policy.
"""
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from . import AnalysisError
from .trace_format import DEFAULT_SCHED_DIR, FORMAT, POLICY_EVENT, TraceFormatError, \
    load_policy_format


class TraceError(AnalysisError):
    """A trace file that cannot be decoded; the message names the file and what is wrong."""


class TraceTruncatedError(TraceError):
    """The file ends inside a chunk (the run was cut short, or the copy was)."""


class Chunk(NamedTuple):
    """One chunk to encode: a hart, its records (dicts of field -> value, as make_record
    gives) and the hart's cumulative dropped count when the chunk was flushed."""
    hart: int
    records: list
    dropped: int = 0


class Events:
    """The records of one event type, in trace order, with arguments addressed by their trace.h
    names: events["prev"] is the SWITCH records' prev column. time_ns and hart (the hart that
    recorded each event) are attributes, as is positions: each record's index in Trace.records,
    which orders events of different types against each other."""

    def __init__(self, event, records, positions):
        self.event = event
        self.records = records
        self.positions = positions
        self.time_ns = records["time_ns"].astype(np.int64)
        self.hart = records["hart"]

    def __len__(self):
        return len(self.records)

    def __getitem__(self, arg):
        return self.records[self.event.field(arg)]


@dataclass
class Trace:
    """A decoded trace: header fields, every record merged across harts and sorted by
    (time_ns, hart, position in the file), and the records each hart lost."""
    path: str
    format: object         # the TraceFormat the file was decoded with
    header: dict           # trace_file_header field -> value
    records: np.ndarray    # structured array of format.record
    dropped_by_hart: dict  # hart -> records that hart dropped (its last chunk's count)
    truncated: bool        # the file ended inside a chunk and decode() was told to accept that
    # hart -> records whose time is earlier than the hart's previous record in file order: a
    # hart's records should be time-ordered, so any is a wrapped or broken clock (decode()
    # still sorts them by time; the metrics say the trace is suspect).
    time_regressions: dict = field(default_factory=dict)
    # the policy's definitions of its POLICY records (trace_format.PolicyFormat); None if the
    # header names no policy (a version-1 trace)
    policy_format: object = None

    @property
    def policy(self):
        """The policy that ran (kernel/sched/<policy>.c), from the header; None if unnamed."""
        return self.header.get("policy") or None

    @property
    def dropped(self):
        return sum(self.dropped_by_hart.values())

    @property
    def nharts(self):
        return int(self.header["nharts"])

    @property
    def start_ns(self):
        return int(self.records["time_ns"][0]) if len(self.records) else 0

    @property
    def end_ns(self):
        return int(self.records["time_ns"][-1]) if len(self.records) else 0

    @property
    def duration_ns(self):
        """Time from the first record to the last, in ns: the span every rate is taken over."""
        return self.end_ns - self.start_ns

    def events(self, name):
        event = self.format.event(name)
        positions = np.flatnonzero(self.records["type"] == event.value)
        return Events(event, self.records[positions], positions)

    def policy_records(self):
        """All POLICY records (any kind), as Events of trace.h's POLICY event."""
        return self.events(POLICY_EVENT)

    def policy_events(self, kind):
        """The POLICY records of the policy's kind `kind`, arguments by the policy's names:
        trace.policy_events("LEVEL")["to_level"]. KeyError names the kinds defined."""
        if self.policy_format is None:
            raise KeyError(f"{self.path}: the trace names no policy, so it has no policy "
                           f"record kind {kind}")
        spec = self.policy_format.kind(kind)
        policy = self.format.event(POLICY_EVENT)
        kind_field = policy.field(policy.args[0])
        positions = np.flatnonzero((self.records["type"] == policy.value)
                                   & (self.records[kind_field] == spec.value))
        return Events(spec, self.records[positions], positions)


def _as_dict(value):
    return {name: value[name].tolist() for name in value.dtype.names}


def _header_dict(value):
    """The file header as a dict; a uint8_t name[n] field is NUL-padded text (policy)."""
    header = {}
    for name in value.dtype.names:
        if value.dtype.fields[name][0].shape and value.dtype.fields[name][0].base == np.uint8:
            header[name] = bytes(value[name]).split(b"\0", 1)[0].decode("ascii", "replace")
        else:
            header[name] = value[name].tolist()
    return header


def _read_header(data, path, fmt):
    """The file header's dtype (the current one, or an older version's) and its fields."""
    constants = fmt.constants
    # magic and version lead every version's header
    lead = np.dtype([(name, fmt.file_header.fields[name][0]) for name in ("magic", "version")],
                    align=True)
    dtype = fmt.file_header
    if len(data) >= lead.itemsize:
        first = _as_dict(np.frombuffer(data, lead, count=1)[0])
        if first["magic"] != constants["TRACE_FILE_MAGIC"]:
            raise TraceError(f"{path}: not a SchedLab trace (magic {first['magic']:#x}, "
                             f"expected {constants['TRACE_FILE_MAGIC']:#x})")
        if first["version"] != constants["TRACE_VERSION"]:
            dtype = fmt.old_file_header(first["version"])
            if dtype is None:
                raise TraceError(f"{path}: trace format version {first['version']}, but "
                                 f"{fmt.header_path} defines version "
                                 f"{constants['TRACE_VERSION']} (and describes no older "
                                 f"version {first['version']})")
    if len(data) < dtype.itemsize:
        raise TraceTruncatedError(f"{path}: {len(data)} bytes is shorter than the "
                                  f"{dtype.itemsize}-byte file header; the trace "
                                  f"is truncated or not a trace")
    return dtype, _header_dict(np.frombuffer(data, dtype, count=1)[0])


DIRECT_SWITCH = "DIRECT_SWITCH"


def _expand_direct_switches(records, fmt):
    """Each DIRECT_SWITCH record (trace.h: the kernel's IPC fastpath) as the WAKEUP, BLOCK and
    SWITCH records it stands for, in its place in file order: WAKEUP and BLOCK at its time,
    SWITCH at its switch_ns."""
    if DIRECT_SWITCH not in fmt.events:
        return records
    direct = fmt.event(DIRECT_SWITCH)
    where = records["type"] == direct.value
    if not where.any():
        return records
    copies = np.where(where, 3, 1)
    expanded = np.repeat(records, copies)
    first = (np.cumsum(copies) - copies)[where]
    source = records[where]
    prev, nxt = source[direct.field("prev")], source[direct.field("next")]
    wake, block, switch = fmt.event("WAKEUP"), fmt.event("BLOCK"), fmt.event("SWITCH")
    parts = ((first, wake, source["time_ns"],
              {"hart": source["hart"], "tid": nxt, "waker": prev,
               "wake_reason": fmt.enum("trace_wake_reason")["TRACE_WAKE_IPC"]}),
             (first + 1, block, source["time_ns"],
              {"reason": source[direct.field("block_reason")], "tid": prev}),
             (first + 2, switch, source[direct.field("switch_ns")],
              {"reason": fmt.enum("trace_switch_reason")["TRACE_SWITCH_BLOCK"], "prev": prev,
               "next": nxt}))
    for at, event, time_ns, args in parts:
        for name in ("arg0", "arg1", "arg2", "arg3", "arg4"):
            expanded[name][at] = 0
        expanded["type"][at] = event.value
        expanded["time_ns"][at] = time_ns
        for arg, value in args.items():
            expanded[event.field(arg)][at] = value
    return expanded


def decode_bytes(data, path="<bytes>", fmt=FORMAT, allow_partial=False,
                 sched_dir=DEFAULT_SCHED_DIR):
    """Decode a whole trace held in memory; `path` only names it in errors. The POLICY records'
    definitions are read from `sched_dir` (kernel/sched/<policy>_trace.h)."""
    chunk_dtype, record_dtype = fmt.chunk_header, fmt.record
    constants = fmt.constants
    file_header_dtype, header = _read_header(data, path, fmt)
    if header["record_size"] != record_dtype.itemsize:
        raise TraceError(f"{path}: records are {header['record_size']} bytes, but "
                         f"{fmt.header_path} defines {record_dtype.itemsize}-byte records")

    # a record holds its hart modulo 256; past 256 harts (the simulator's machines) the decoded
    # records get a 16-bit hart, the chunk header's
    wide = header["nharts"] > 256
    decoded_dtype = np.dtype([(name, "<u2" if name == "hart" else record_dtype.fields[name][0])
                              for name in record_dtype.names]) if wide else record_dtype
    chunks, dropped_by_hart, truncated = [], dict.fromkeys(range(header["nharts"]), 0), False
    offset = file_header_dtype.itemsize
    while offset < len(data) and not truncated:
        where = f"{path}: chunk {len(chunks)} at byte {offset}"
        if len(data) - offset < chunk_dtype.itemsize:
            if not allow_partial:
                raise TraceTruncatedError(f"{where}: the trace is truncated inside a chunk header")
            truncated = True
            break
        chunk = _as_dict(np.frombuffer(data, chunk_dtype, count=1, offset=offset)[0])
        if chunk["magic"] != constants["TRACE_CHUNK_MAGIC"]:
            raise TraceError(f"{where}: bad chunk magic {chunk['magic']:#x} (expected "
                             f"{constants['TRACE_CHUNK_MAGIC']:#x}); the file is corrupt")
        if chunk["hart"] >= header["nharts"]:
            raise TraceError(f"{where}: hart {chunk['hart']}, but the header says "
                             f"{header['nharts']} harts")
        offset += chunk_dtype.itemsize
        count = chunk["records"]
        available = (len(data) - offset) // record_dtype.itemsize
        if available < count:
            if not allow_partial:
                raise TraceTruncatedError(f"{where}: the trace is truncated: the chunk holds "
                                          f"{count} records, the file only {available}")
            truncated, count = True, available
        records = np.frombuffer(data, record_dtype, count=count, offset=offset)
        if np.any(records["hart"] != chunk["hart"] % 256):
            raise TraceError(f"{where}: a record of hart {chunk['hart']}'s chunk names another "
                             f"hart; the file is corrupt")
        if wide:
            widened = np.empty(len(records), decoded_dtype)
            for name in record_dtype.names:
                widened[name] = records[name]
            widened["hart"] = chunk["hart"]
            records = widened
        chunks.append(records)
        dropped_by_hart[chunk["hart"]] = chunk["dropped"]  # cumulative: the last chunk wins
        offset += count * record_dtype.itemsize

    records = np.concatenate(chunks) if chunks else np.zeros(0, decoded_dtype)
    regressions = {}
    for hart in range(header["nharts"]):
        times = records["time_ns"][records["hart"] == hart].astype(np.int64)
        regressions[hart] = int(np.sum(np.diff(times) < 0))
    # (after the check: a direct switch's SWITCH comes later than the records written after it)
    records = _expand_direct_switches(records, fmt)
    # Ties in time go to the lower hart, then (lexsort is stable) to file order, so the merge
    # is deterministic.
    order = np.lexsort((records["hart"], records["time_ns"]))
    policy_format = None
    if header.get("policy"):
        try:
            policy_format = load_policy_format(header["policy"], fmt, sched_dir)
        except TraceFormatError as error:
            raise TraceError(f"{path}: the header names policy {header['policy']!r}: "
                             f"{error}") from None
    return Trace(str(path), fmt, header, records[order], dropped_by_hart, truncated,
                 regressions, policy_format)


def decode(path, fmt=FORMAT, allow_partial=False, sched_dir=DEFAULT_SCHED_DIR):
    """Decode trace file `path`. A file that ends inside a chunk raises TraceTruncatedError
    unless allow_partial, which keeps the whole records present and sets Trace.truncated."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise TraceError(f"{path}: cannot read: {error.strerror}") from None
    return decode_bytes(data, path, fmt, allow_partial, sched_dir)


def make_record(event, time_ns, hart=0, fmt=FORMAT, /, **args):
    """A record (dict of field -> value) of event `event` recorded by `hart`, its arguments
    given by their trace.h names: make_record("SWITCH", 100, 0, reason=0, prev=1, next=2).
    The leading parameters are positional-only, so an argument may be called hart (WAKEUP's)."""
    spec = fmt.event(event)
    record = {"time_ns": time_ns, "type": spec.value, "hart": hart}
    record.update({spec.field(name): value for name, value in args.items()})
    return record


def _record_array(records, fmt):
    array = np.zeros(len(records), fmt.record)
    for index, record in enumerate(records):
        for field, value in record.items():
            if field not in fmt.record.names:
                raise KeyError(f"struct trace_record has no field {field}")
            array[field][index] = value
    return array


def chunk_per_hart(records, dropped=None):
    """Chunks for encode(): one per hart that has records (or dropped counts), in hart order."""
    dropped = dropped or {}
    harts = sorted({record["hart"] for record in records} | set(dropped))
    return [Chunk(hart, [r for r in records if r["hart"] == hart], dropped.get(hart, 0))
            for hart in harts]


def encode(chunks, fmt=FORMAT, **header):
    """The bytes of a trace file holding `chunks` (Chunk tuples), in the order given. File
    header fields default to a valid header (nharts = highest chunk hart + 1, no policy named);
    keyword arguments override any of them, e.g. magic=0 for a corrupt file, policy="mlfq" (text
    fields take a str). An older version that trace.h describes gets that version's header."""
    fields = {"magic": fmt.constants["TRACE_FILE_MAGIC"],
              "version": fmt.constants["TRACE_VERSION"],
              "record_size": fmt.record.itemsize,
              "nharts": max((chunk.hart for chunk in chunks), default=0) + 1}
    fields.update(header)
    dtype = fmt.file_header
    if fields["version"] != fmt.constants["TRACE_VERSION"]:
        dtype = fmt.old_file_header(fields["version"]) or dtype
    file_header = np.zeros(1, dtype)
    for field, value in fields.items():
        if isinstance(value, str):
            size = dtype.fields[field][0].shape[0]
            value = np.frombuffer(value.encode("ascii")[:size].ljust(size, b"\0"), np.uint8)
        file_header[field] = value
    parts = [file_header.tobytes()]
    for chunk in chunks:
        chunk_header = np.zeros(1, fmt.chunk_header)
        chunk_header["magic"] = fmt.constants["TRACE_CHUNK_MAGIC"]
        chunk_header["hart"] = chunk.hart
        chunk_header["records"] = len(chunk.records)
        chunk_header["dropped"] = chunk.dropped
        parts += [chunk_header.tobytes(), _record_array(chunk.records, fmt).tobytes()]
    return b"".join(parts)


def write_trace(path, chunks, fmt=FORMAT, **header):
    """Write encode(chunks, ...) to `path`."""
    Path(path).write_bytes(encode(chunks, fmt, **header))
