"""The decoder's view of include/schedlab/trace.h, and that it follows edits to the header."""
import pytest

from analysis.decode import Chunk, decode_bytes, encode, make_record
from analysis.trace_format import DEFAULT_HEADER, FORMAT, TraceFormatError, load_format


def edited_header(tmp_path, old, new):
    text = DEFAULT_HEADER.read_text()
    assert old in text, "the edit no longer applies to trace.h; update this test"
    path = tmp_path / "trace.h"
    path.write_text(text.replace(old, new, 1))
    return path


def test_record_layout_is_the_c_layout():
    # Natural alignment, as the header promises: 32-byte records, arg4 on an 8-byte boundary.
    record = FORMAT.record
    assert record.itemsize == 32
    assert [record.fields[name][1] for name in record.names] == [0, 8, 9, 10, 12, 16, 20, 24]
    assert FORMAT.file_header.itemsize == 48  # version 2: 32 bytes, then policy[16]
    assert FORMAT.old_file_header(1).itemsize == 32
    assert FORMAT.chunk_header.itemsize == 24


def test_events_enums_and_constants_come_from_the_header():
    switch = FORMAT.event("SWITCH")
    assert switch.value == 1
    assert switch.field("prev") == "arg1" and switch.field("next") == "arg2"
    assert FORMAT.events_by_value[8].name == "MARKER"
    assert FORMAT.event("MARKER").field("value") == "arg4"
    assert FORMAT.enum("trace_switch_reason")["TRACE_SWITCH_PREEMPTED"] == 3
    assert FORMAT.enum("trace_marker_id").short_name(2) == "REQUEST_END"
    assert FORMAT.constants["TRACE_FILE_MAGIC"] == int.from_bytes(b"SLSTRAC1", "little")
    assert FORMAT.constants["TRACE_CHUNK_MAGIC"] == int.from_bytes(b"CHNK", "little")


def test_unknown_argument_is_an_error_naming_the_event():
    with pytest.raises(KeyError, match="SWITCH has no argument 'tid'"):
        FORMAT.event("SWITCH").field("tid")


def test_an_event_added_to_the_header_is_decoded(tmp_path):
    header = edited_header(
        tmp_path, '    X(IRQ, 13, "", "irq", "", "", "")',
        '    X(IRQ, 13, "", "irq", "", "", "")                                                 \\\n'
        '    X(STEAL, 99, "", "tid", "from", "to", "")')
    fmt = load_format(header)
    assert "STEAL" not in FORMAT.events
    assert fmt.event("STEAL").value == 99
    record = make_record("STEAL", 500, 1, fmt, tid=7, **{"from": 1, "to": 0})
    trace = decode_bytes(encode([Chunk(1, [record])], fmt), fmt=fmt)
    steals = trace.events("STEAL")
    assert len(steals) == 1
    assert (steals["tid"][0], steals["from"][0], steals["to"][0]) == (7, 1, 0)


def test_a_field_added_to_the_record_changes_the_layout(tmp_path):
    header = edited_header(tmp_path, "    uint64_t arg4;\n",
                           "    uint64_t arg4;\n    uint32_t cycles;\n")
    fmt = load_format(header)
    # As in C: the struct is padded to a multiple of its 8-byte alignment.
    assert fmt.record.fields["cycles"][1] == 32 and fmt.record.itemsize == 40
    record = dict(make_record("YIELD", 9, 0, fmt, tid=3), cycles=12345)
    data = encode([Chunk(0, [record])], fmt)
    assert decode_bytes(data, fmt=fmt).records["cycles"][0] == 12345
    # The tree's decoder reads 32-byte records and says the file does not match.
    with pytest.raises(Exception, match="40-byte|records are 40 bytes"):
        decode_bytes(data)


@pytest.mark.parametrize("old, new, complaint", [
    ("#define TRACE_EVENTS(X)", "#define TRACE_EVENT_TABLE(X)", "TRACE_EVENTS"),
    ("    uint32_t arg1;", "    uint32_t arg1, arg1b;", "struct trace_record"),
    ("    TRACE_SWITCH_YIELD = 1,", "    TRACE_SWITCH_YIELD,", "enum trace_switch_reason"),
    ('X(SWITCH, 1, "reason", "prev", "next", "", "")', 'X(SWITCH, 1, "reason", "prev", "next")',
     "SWITCH names 3 arguments"),
    ("#define TRACE_VERSION     3", "", "TRACE_VERSION"),
    ("    uint64_t time_ns;", "    uint64_t time;", "lacks field.*time_ns"),
])
def test_a_header_the_decoder_cannot_read_is_a_clear_error(tmp_path, old, new, complaint):
    header = edited_header(tmp_path, old, new)
    with pytest.raises(TraceFormatError, match=complaint) as error:
        load_format(header)
    assert str(header) in str(error.value)


def test_a_missing_header_is_a_clear_error(tmp_path):
    with pytest.raises(TraceFormatError, match="cannot read the trace format header"):
        load_format(tmp_path / "nowhere.h")
