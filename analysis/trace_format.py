"""The trace format, read from include/schedlab/trace.h so the decoder cannot drift from the kernel.

trace.h is the one definition of the binary trace (DESIGN §6). This module parses the forms that
header promises to keep simple -- `#define NAME number`, enums of `NAME = value,` lines, structs of
`uintN_t name;` lines and the `X(NAME, value, "arg0", ..., "argN")` rows of TRACE_EVENTS -- into
numpy dtypes, event descriptions and enums. Nothing about the layout is written down here twice:
add a field or an event to trace.h and the decoder follows.

FORMAT is the format of the tree's own trace.h, parsed when this module is imported; load_format()
reads any other copy (tests use it on an edited header).

A policy's own records (trace.h's POLICY event) are defined by the policy: the
POLICY_TRACE_EVENTS table and enums of kernel/sched/<policy>_trace.h, in the same simple forms.
load_policy_format() reads them for the policy a trace's header names.
"""
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import AnalysisError

DEFAULT_HEADER = Path(__file__).resolve().parent.parent / "include" / "schedlab" / "trace.h"
DEFAULT_SCHED_DIR = Path(__file__).resolve().parent.parent / "kernel" / "sched"
POLICY_EVENT = "POLICY"  # trace.h's event whose records a policy defines

# What the decoder itself relies on; everything else in trace.h is taken as found.
REQUIRED_CONSTANTS = ("TRACE_FILE_MAGIC", "TRACE_CHUNK_MAGIC", "TRACE_VERSION", "TRACE_TID_NONE")
REQUIRED_FIELDS = {
    "trace_record": ("time_ns", "type", "hart"),
    "trace_file_header": ("magic", "version", "record_size", "nharts"),
    "trace_chunk_header": ("magic", "hart", "records", "dropped"),
}

_C_INTEGER_TYPES = {f"{sign}int{bits}_t": f"<{code}{bits // 8}"
                    for sign, code in (("u", "u"), ("", "i")) for bits in (8, 16, 32, 64)}
_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)
_DEFINE_NUMBER = re.compile(
    r"^\s*#\s*define\s+(\w+)\s+\(?\s*(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\s*\)?\s*$", re.MULTILINE)
_ENUM = re.compile(r"\benum\s+(\w+)\s*\{(.*?)\}\s*;", re.DOTALL)
_ENUM_ENTRY = re.compile(r"^\s*(\w+)\s*=\s*(-?(?:0[xX][0-9a-fA-F]+|\d+))\s*,?\s*$")
_STRUCT = re.compile(r"\bstruct\s+(\w+)\s*\{(.*?)\}\s*;", re.DOTALL)
_STRUCT_FIELD = re.compile(r"^\s*(\w+)\s+(\w+)\s*(?:\[\s*(\d+)\s*\])?\s*;\s*$")
_EVENTS_MACRO = re.compile(r"^\s*#\s*define\s+TRACE_EVENTS\s*\(\s*X\s*\)((?:[^\n]*\\\n)*[^\n]*)",
                           re.MULTILINE)
_POLICY_EVENTS_MACRO = re.compile(
    r"^\s*#\s*define\s+POLICY_TRACE_EVENTS\s*\(\s*X\s*\)((?:[^\n]*\\\n)*[^\n]*)", re.MULTILINE)
_EVENT_ROW = re.compile(r"\bX\s*\(([^()]*)\)")
_ARG_FIELD = re.compile(r"^arg(\d+)$")


class TraceFormatError(AnalysisError):
    """trace.h is missing something the decoder needs or uses a form it does not read."""


@dataclass(frozen=True)
class Event:
    """One row of TRACE_EVENTS: an event type and what each argN field of its record holds."""
    name: str
    value: int
    args: tuple  # args[i] names what record field argI holds; "" = unused

    def field(self, arg):
        """The record field (argI) that holds argument `arg` of this event."""
        if arg and arg in self.args:
            return f"arg{self.args.index(arg)}"
        raise KeyError(f"event {self.name} has no argument {arg!r} "
                       f"(its arguments: {', '.join(a for a in self.args if a)})")

    def named_args(self):
        """(arg name, record field) for each argument this event uses."""
        return [(name, f"arg{i}") for i, name in enumerate(self.args) if name]


@dataclass(frozen=True)
class Enum:
    """A C enum of trace.h: member names exactly as in C (one name everywhere) and their values."""
    name: str
    members: dict  # C name -> value

    def __getitem__(self, member):
        try:
            return self.members[member]
        except KeyError:
            raise KeyError(f"enum {self.name} has no member {member}") from None

    def short_name(self, value):
        """The member for `value` without the prefix all members share (TRACE_SWITCH_BLOCK ->
        BLOCK), for listings; None if no member has that value."""
        prefix = _common_prefix(list(self.members))
        for member, member_value in self.members.items():
            if member_value == value:
                return member[len(prefix):]
        return None


def _common_prefix(names):
    """The longest prefix ending in "_" that every name has and that leaves each non-empty."""
    prefix = names[0][:min(map(len, names)) - 1]
    for name in names[1:]:
        while not name.startswith(prefix):
            prefix = prefix[:-1]
    return prefix[:prefix.rfind("_") + 1]


@dataclass(frozen=True)
class TraceFormat:
    """Everything trace.h says about the binary trace, as the decoder and metrics use it."""
    header_path: Path
    constants: dict   # #define NAME number
    enums: dict       # enum name -> Enum
    structs: dict     # struct name -> numpy dtype with C's natural alignment
    events: dict      # event name -> Event
    events_by_value: dict

    @property
    def record(self):
        return self.structs["trace_record"]

    @property
    def file_header(self):
        return self.structs["trace_file_header"]

    @property
    def chunk_header(self):
        return self.structs["trace_chunk_header"]

    def event(self, name):
        try:
            return self.events[name]
        except KeyError:
            raise KeyError(f"{self.header_path} defines no event {name}") from None

    def enum(self, name):
        try:
            return self.enums[name]
        except KeyError:
            raise KeyError(f"{self.header_path} defines no enum {name}") from None

    def old_file_header(self, version):
        """The file header of an older trace `version` (fields are only appended: a prefix of
        trace_file_header, TRACE_FILE_HEADER_FIELDS_V<version> fields long), or None if trace.h
        describes no such version."""
        count = self.constants.get(f"TRACE_FILE_HEADER_FIELDS_V{version}")
        if count is None:
            return None
        names = self.file_header.names[:count]
        return np.dtype([(name, self.file_header.fields[name][0]) for name in names], align=True)

    def arg_enum(self, event, arg):
        """The enum that names the values of `arg` of `event`, by trace.h's naming convention:
        enum trace_<event>_<arg> (SWITCH reason -> trace_switch_reason, MARKER id ->
        trace_marker_id) or else enum trace_<arg> (WAKEUP wake_reason -> trace_wake_reason).
        None if neither exists. Used only to make listings readable."""
        for name in (f"trace_{event.name.lower()}_{arg}", f"trace_{arg}"):
            if name in self.enums:
                return self.enums[name]
        return None


def _fail(path, message):
    raise TraceFormatError(f"{path}: {message} (analysis/trace_format.py reads the forms "
                           f"described at the top of that header)")


def _parse_constants(text):
    return {name: int(value, 0) for name, value in _DEFINE_NUMBER.findall(text)}


def _parse_enums(path, text):
    enums = {}
    for name, body in _ENUM.findall(text):
        lines = [line.strip() for line in body.splitlines() if line.strip()]
        entries = [_ENUM_ENTRY.match(line) for line in lines]
        if not any(entries):
            continue  # an enum generated from TRACE_EVENTS, which is read directly
        for line, entry in zip(lines, entries):
            if not entry:
                _fail(path, f"enum {name}: cannot read line {line!r}; expected `NAME = value,`")
        enums[name] = Enum(name, {e.group(1): int(e.group(2), 0) for e in entries})
    return enums


def _parse_structs(path, text):
    structs = {}
    for name, body in _STRUCT.findall(text):
        fields = []
        for line in (line.strip() for line in body.splitlines()):
            if not line:
                continue
            field = _STRUCT_FIELD.match(line)
            if not field or field.group(1) not in _C_INTEGER_TYPES:
                _fail(path, f"struct {name}: cannot read line {line!r}; expected "
                            f"`uintN_t name;` or `uintN_t name[n];`")
            c_type, field_name, count = field.groups()
            code = _C_INTEGER_TYPES[c_type]
            fields.append((field_name, code, (int(count),)) if count else (field_name, code))
        if not fields:
            _fail(path, f"struct {name} has no fields")
        # align=True lays fields out as a C compiler does (natural alignment, tail padding).
        structs[name] = np.dtype(fields, align=True)
    return structs


def _parse_row(path, row, table):
    """One `X(NAME, value, "a", "b", ...)` row of an event table: (name, value, quoted names)."""
    parts = [part.strip() for part in row.split(",")]
    name, value, args = parts[0], parts[1], parts[2:]
    if not re.fullmatch(r"\w+", name) or not re.fullmatch(r"0[xX][0-9a-fA-F]+|\d+", value) \
            or not all(re.fullmatch(r'"\w*"', arg) for arg in args):
        _fail(path, f"cannot read {table} row X({row})")
    return name, value, args


def _parse_events(path, text, record):
    macro = _EVENTS_MACRO.search(text)
    if not macro:
        _fail(path, "no `#define TRACE_EVENTS(X)` table")
    arg_fields = sorted(int(m.group(1)) for m in map(_ARG_FIELD.match, record.names) if m)
    if arg_fields != list(range(len(arg_fields))):
        _fail(path, f"struct trace_record's arg fields are not arg0..argN: {arg_fields}")
    events = {}
    for row in _EVENT_ROW.findall(macro.group(1)):
        name, value, args = _parse_row(path, row, "TRACE_EVENTS")
        if len(args) != len(arg_fields):
            _fail(path, f"event {name} names {len(args)} arguments but struct trace_record "
                        f"has {len(arg_fields)} arg fields")
        event = Event(name, int(value, 0), tuple(arg.strip('"') for arg in args))
        if name in events or any(e.value == event.value for e in events.values()):
            _fail(path, f"event {name} = {event.value} repeats a name or value")
        events[name] = event
    if not events:
        _fail(path, "TRACE_EVENTS lists no events")
    return events


def load_format(header_path=DEFAULT_HEADER):
    """Parse a trace.h into a TraceFormat; TraceFormatError names what could not be read."""
    path = Path(header_path)
    try:
        text = _COMMENT.sub(" ", path.read_text())
    except OSError as error:
        raise TraceFormatError(f"cannot read the trace format header {path}: "
                               f"{error.strerror}") from None
    constants = _parse_constants(text)
    missing = [name for name in REQUIRED_CONSTANTS if name not in constants]
    if missing:
        _fail(path, f"missing #define {', '.join(missing)}")
    structs = _parse_structs(path, text)
    for struct, fields in REQUIRED_FIELDS.items():
        if struct not in structs:
            _fail(path, f"missing struct {struct}")
        absent = [field for field in fields if field not in structs[struct].names]
        if absent:
            _fail(path, f"struct {struct} lacks field(s) {', '.join(absent)}")
    events = _parse_events(path, text, structs["trace_record"])
    return TraceFormat(header_path=path, constants=constants, enums=_parse_enums(path, text),
                       structs=structs, events=events,
                       events_by_value={event.value: event for event in events.values()})


@dataclass(frozen=True)
class PolicyFormat:
    """What a policy's kernel/sched/<policy>_trace.h says about its POLICY records: each kind
    as an Event whose args name the record fields (arg0, the kind, is unnamed), so
    Events(kind, ...)["from_level"] reads the field that holds it, and the policy's enums."""
    policy: str
    header_path: Path  # None: the policy defines no records (it has no <policy>_trace.h)
    kinds: dict        # kind name -> Event
    kinds_by_value: dict
    enums: dict

    def kind(self, name):
        try:
            return self.kinds[name]
        except KeyError:
            raise KeyError(f"policy {self.policy} defines no trace record kind {name} (its "
                           f"kinds: {', '.join(self.kinds) or 'none'})") from None

    def arg_enum(self, kind, arg):
        """The enum naming the values of `arg` of `kind`: enum <policy>_<kind>_<arg> or
        <policy>_<arg> (mlfq LEVEL why -> mlfq_level_why); None if neither exists."""
        for name in (f"{self.policy}_{kind.name.lower()}_{arg}", f"{self.policy}_{arg}"):
            if name in self.enums:
                return self.enums[name]
        return None


def load_policy_format(policy, fmt=None, sched_dir=DEFAULT_SCHED_DIR):
    """Parse kernel/sched/<policy>_trace.h (in `sched_dir`) into a PolicyFormat. Each row
    X(NAME, kind, "n1", ...) names, in order, what the fields of fmt's POLICY event other than
    its first (the kind) hold for that kind. A policy without that file defines no records.
    `fmt` is the trace format (default: the tree's own, FORMAT)."""
    fmt = fmt or FORMAT
    if not re.fullmatch(r"\w+", policy or ""):
        raise TraceFormatError(f"policy name {policy!r} is not a C identifier; the trace "
                               f"header's policy field names kernel/sched/<policy>.c")
    policy_event = fmt.event(POLICY_EVENT)
    fields = [f"arg{i}" for i, name in enumerate(policy_event.args) if name][1:]
    path = Path(sched_dir) / f"{policy}_trace.h"
    if not path.exists():
        return PolicyFormat(policy, None, {}, {}, {})
    try:
        text = _COMMENT.sub(" ", path.read_text())
    except OSError as error:
        raise TraceFormatError(f"cannot read {path}: {error.strerror}") from None
    macro = _POLICY_EVENTS_MACRO.search(text)
    if not macro:
        _fail(path, "no `#define POLICY_TRACE_EVENTS(X)` table")
    kinds = {}
    for row in _EVENT_ROW.findall(macro.group(1)):
        name, value, names = _parse_row(path, row, "POLICY_TRACE_EVENTS")
        if len(names) != len(fields):
            _fail(path, f"kind {name} names {len(names)} fields but trace.h's {POLICY_EVENT} "
                        f"event has {len(fields)} besides its kind "
                        f"({', '.join(policy_event.args[1:])})")
        args = [""] * len(policy_event.args)
        for field, arg in zip(fields, names):
            args[int(field[3:])] = arg.strip('"')
        event = Event(name, int(value, 0), tuple(args))
        if name in kinds or any(k.value == event.value for k in kinds.values()):
            _fail(path, f"kind {name} = {event.value} repeats a name or value")
        kinds[name] = event
    return PolicyFormat(policy, path, kinds, {k.value: k for k in kinds.values()},
                        _parse_enums(path, text))


FORMAT = load_format()
