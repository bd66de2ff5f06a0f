"""Decoding trace.bin: round trip, merging chunks and harts, and the errors for bad files."""
import pytest

from analysis.decode import (Chunk, TraceError, TraceTruncatedError, chunk_per_hart, decode,
                             decode_bytes, encode, make_record, write_trace)
from analysis.trace_format import FORMAT


def switch(time, hart, prev, next_, reason=0):
    return make_record("SWITCH", time, hart, reason=reason, prev=prev, next=next_)


def test_round_trip_keeps_every_field(tmp_path):
    records = [switch(10, 0, 0, 1, reason=5),
               make_record("WAKEUP", 20, 0, hart=1, tid=2, waker=1, wake_reason=2),
               make_record("MARKER", 30, 0, id=1, tid=2, value=2**64 - 1)]
    path = tmp_path / "trace.bin"
    write_trace(path, chunk_per_hart(records), nharts=2, clock=1, timeslice_ns=5_000_000)
    trace = decode(path)
    assert trace.header["nharts"] == 2
    assert trace.header["clock"] == 1 and trace.header["timeslice_ns"] == 5_000_000
    assert [dict(zip(FORMAT.record.names, r.tolist())) for r in trace.records] == \
        [{name: record.get(name, 0) for name in FORMAT.record.names} for record in records]
    wakeups = trace.events("WAKEUP")
    # WAKEUP's own `hart` argument (where the thread was queued) is not the recording hart.
    assert wakeups["hart"].tolist() == [1] and wakeups.hart.tolist() == [0]
    assert trace.dropped == 0 and not trace.truncated


def test_a_direct_switch_reads_as_the_slow_paths_three_records():
    """The kernel fastpath's one DIRECT_SWITCH record (trace.h) is its WAKEUP and BLOCK at its
    time and its SWITCH at switch_ns, in its place: a policy record written after it, at the
    wakeup's instant, comes between the BLOCK and the SWITCH, as on the slow path."""
    block_recv = FORMAT.enum("trace_block_reason")["TRACE_BLOCK_RECV"]
    fast = [make_record("IPC", 100, 1, kind=1, sender=3, receiver=4, words=2, badge=9),
            make_record("DIRECT_SWITCH", 100, 1, block_reason=block_recv, prev=3, next=4,
                        switch_ns=160),
            make_record("POLICY", 100, 1, kind=1, tid=4, a=1, b=2, value=7),
            make_record("MARKER", 170, 1, id=1, tid=4, value=5)]
    slow = [fast[0],
            make_record("WAKEUP", 100, 1, hart=1, tid=4, waker=3, wake_reason=0),
            make_record("BLOCK", 100, 1, reason=block_recv, tid=3),
            fast[2],
            make_record("SWITCH", 160, 1, reason=0, prev=3, next=4),
            fast[3]]
    decoded = decode_bytes(encode([Chunk(1, fast)], nharts=2))
    expected = decode_bytes(encode([Chunk(1, slow)], nharts=2))
    assert decoded.records.tobytes() == expected.records.tobytes()
    assert decoded.time_regressions == {0: 0, 1: 0}
    assert len(decoded.events("DIRECT_SWITCH")) == 0


def test_chunks_of_several_harts_merge_in_time_order_and_dropped_is_cumulative():
    chunks = [Chunk(1, [switch(5, 1, 0, 3), switch(40, 1, 3, 0)], dropped=2),
              Chunk(0, [switch(10, 0, 0, 1), switch(30, 0, 1, 2)], dropped=0),
              Chunk(1, [switch(50, 1, 0, 4)], dropped=7),  # hart 1 lost 5 more: 7 in all
              Chunk(0, [switch(30, 0, 2, 1), switch(60, 0, 1, 0)], dropped=1)]
    trace = decode_bytes(encode(chunks))
    times_and_harts = list(zip(trace.records["time_ns"].tolist(), trace.records["hart"].tolist()))
    assert times_and_harts == [(5, 1), (10, 0), (30, 0), (30, 0), (40, 1), (50, 1), (60, 0)]
    # Equal times on one hart keep file order: 1->2 was recorded before 2->1.
    assert trace.events("SWITCH")["next"].tolist() == [3, 1, 2, 1, 0, 4, 0]
    assert trace.dropped_by_hart == {0: 1, 1: 7}
    assert trace.dropped == 8


def test_equal_times_on_different_harts_go_lower_hart_first():
    trace = decode_bytes(encode([Chunk(1, [switch(10, 1, 0, 5)]), Chunk(0, [switch(10, 0, 0, 6)])]))
    assert trace.records["hart"].tolist() == [0, 1]


def test_header_only_trace_is_empty():
    trace = decode_bytes(encode([], nharts=4))
    assert len(trace.records) == 0
    assert trace.dropped_by_hart == {0: 0, 1: 0, 2: 0, 3: 0}
    assert trace.duration_ns == 0


def test_bad_magic_names_the_file(tmp_path):
    path = tmp_path / "notatrace.bin"
    path.write_bytes(encode([Chunk(0, [switch(1, 0, 0, 1)])], magic=0x1234))
    with pytest.raises(TraceError, match=f"{path}: not a SchedLab trace"):
        decode(path)


@pytest.mark.parametrize("field, value, complaint", [
    ("version", 99, "version 99"),
    ("record_size", 24, "records are 24 bytes"),
])
def test_header_that_does_not_match_trace_h_is_an_error(field, value, complaint):
    with pytest.raises(TraceError, match=complaint):
        decode_bytes(encode([], **{field: value}), "t.bin")


def test_truncated_chunk_is_an_error_unless_partial_is_accepted(tmp_path):
    data = encode([Chunk(0, [switch(10, 0, 0, 1), switch(20, 0, 1, 2), switch(30, 0, 2, 1)])])
    path = tmp_path / "cut.bin"
    path.write_bytes(data[:-10])  # the third record is cut short
    with pytest.raises(TraceTruncatedError, match=f"{path}.*truncated"):
        decode(path)
    trace = decode(path, allow_partial=True)
    assert trace.truncated
    assert trace.records["time_ns"].tolist() == [10, 20]


def test_truncated_chunk_header_is_an_error():
    data = encode([Chunk(0, [switch(10, 0, 0, 1)]), Chunk(0, [switch(20, 0, 1, 0)])])
    cut = data[:len(data) - FORMAT.record.itemsize - 4]
    with pytest.raises(TraceTruncatedError, match="truncated inside a chunk header"):
        decode_bytes(cut)
    assert decode_bytes(cut, allow_partial=True).records["time_ns"].tolist() == [10]


def test_file_shorter_than_its_header_is_truncated():
    with pytest.raises(TraceTruncatedError, match="truncated"):
        decode_bytes(encode([])[:10], "short.bin")


def test_corrupt_chunks_are_errors():
    data = bytearray(encode([Chunk(0, [switch(10, 0, 0, 1)])]))
    data[FORMAT.file_header.itemsize] ^= 0xFF  # first byte of the chunk magic
    with pytest.raises(TraceError, match="bad chunk magic"):
        decode_bytes(bytes(data))
    with pytest.raises(TraceError, match="hart 3, but the header says 2 harts"):
        decode_bytes(encode([Chunk(3, [switch(10, 3, 0, 1)])], nharts=2))
    with pytest.raises(TraceError, match="names another hart"):
        decode_bytes(encode([Chunk(0, [switch(10, 1, 0, 1)])], nharts=2))


def test_missing_file_is_an_error_naming_it(tmp_path):
    with pytest.raises(TraceError, match="absent.bin: cannot read"):
        decode(tmp_path / "absent.bin")
