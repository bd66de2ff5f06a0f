"""A policy's own trace records (POLICY): decoded by the names of the policy's definitions
(kernel/sched/<policy>_trace.h, for the policy the trace header names), counted into
metrics.json's policy_events and shown by the Perfetto export. Every answer is worked out
from the records the test writes."""
import shutil

import pytest

from analysis.decode import TraceError, chunk_per_hart, decode_bytes, encode, make_record
from analysis.metrics import compute_metrics
from analysis.perfetto import HARTS_PID, THREADS_PID, perfetto_events
from analysis.policy_events import policy_events
from analysis.trace_format import DEFAULT_SCHED_DIR, TraceFormatError, load_policy_format

MLFQ = load_policy_format("mlfq")
WHY = MLFQ.enums["mlfq_level_why"].members


def policy(time, hart, kind, tid=0, a=0, b=0, value=0):
    return make_record("POLICY", time, hart, kind=kind, tid=tid, a=a, b=b, value=value)


def level(time, tid, frm, to, why, hart=0):
    return policy(time, hart, MLFQ.kind("LEVEL").value, tid, frm, to, WHY[why])


def boost(time, number, raised, period=100_000_000, hart=0):
    return policy(time, hart, MLFQ.kind("BOOST").value, 0, number, raised, number * period)


def mlfq_trace(records, sched_dir=DEFAULT_SCHED_DIR, **header):
    data = encode(chunk_per_hart(records), **{"policy": "mlfq", **header})
    return decode_bytes(data, sched_dir=sched_dir)


RECORDS = [level(1_000, 2, 0, 1, "MLFQ_LEVEL_DEMOTED"),
           level(5_000, 3, 0, 1, "MLFQ_LEVEL_DEMOTED"),
           level(100_000_400, 2, 1, 0, "MLFQ_LEVEL_BOOSTED"),
           boost(100_000_700, 1, 1),
           boost(200_000_300, 2, 0, hart=1),
           level(250_000_000, 3, 1, 0, "MLFQ_LEVEL_BOOST_CAUGHT_UP")]


def test_records_are_read_by_the_policys_names():
    trace = mlfq_trace(RECORDS, nharts=2)
    assert trace.policy == "mlfq" and trace.header["policy"] == "mlfq"
    levels = trace.policy_events("LEVEL")
    assert levels["tid"].tolist() == [2, 3, 2, 3]
    assert levels["from_level"].tolist() == [0, 0, 1, 1]
    assert levels["to_level"].tolist() == [1, 1, 0, 0]
    boosts = trace.policy_events("BOOST")
    assert boosts["boost"].tolist() == [1, 2] and boosts["raised"].tolist() == [1, 0]
    assert boosts.hart.tolist() == [0, 1]
    with pytest.raises(KeyError, match="defines no trace record kind SLICE.*LEVEL, BOOST"):
        trace.policy_events("SLICE")


def test_policy_events_counts_kinds_values_and_lateness():
    result = policy_events(mlfq_trace(RECORDS, nharts=2))
    assert result["policy"] == "mlfq" and result["total"] == 6
    assert result["counts"] == {"LEVEL": 4, "BOOST": 2}
    assert result["by_value"] == {"LEVEL": {"why": {"DEMOTED": 2, "BOOSTED": 1,
                                                    "BOOST_CAUGHT_UP": 1}}}
    # BOOST has due_ns: 100_000_700 - 100_000_000 and 200_000_300 - 200_000_000
    assert result["lateness_ns"] == {"BOOST": {"n": 2, "min": 300, "max": 700, "mean": 500.0}}
    assert "undefined" not in result


def test_a_kind_the_policy_does_not_define_is_counted_apart():
    result = policy_events(mlfq_trace(RECORDS + [policy(9, 0, 7), policy(10, 0, 7)]))
    assert result["undefined"] == {"7": 2} and result["total"] == 8


def test_metrics_json_has_policy_events():
    assert compute_metrics(mlfq_trace(RECORDS, nharts=2))["policy_events"]["counts"] == \
        {"LEVEL": 4, "BOOST": 2}


def test_an_edited_policy_table_is_followed(tmp_path):
    shutil.copy(DEFAULT_SCHED_DIR / "mlfq_trace.h", tmp_path)
    table = tmp_path / "mlfq_trace.h"
    text = table.read_text()
    edited = text.replace('X(BOOST, 2, "", "boost", "raised", "due_ns")',
                          'X(BOOST, 2, "", "boost", "lifted", "due_ns")                   \\\n'
                          '    X(PROBE, 9, "tid", "seen", "", "")')
    assert edited != text, "the edit no longer applies to mlfq_trace.h; update this test"
    table.write_text(edited)
    trace = mlfq_trace(RECORDS + [policy(300, 0, 9, tid=4, a=17)], sched_dir=tmp_path)
    assert trace.policy_events("BOOST")["lifted"].tolist() == [1, 0]
    probe = trace.policy_events("PROBE")
    assert probe["tid"].tolist() == [4] and probe["seen"].tolist() == [17]
    assert policy_events(trace)["counts"] == {"LEVEL": 4, "BOOST": 2, "PROBE": 1}


@pytest.mark.parametrize("old, new, complaint", [
    ('X(LEVEL, 1, "tid", "from_level", "to_level", "why")',
     'X(LEVEL, 1, "tid", "from_level", "to_level")', "LEVEL names 3 fields"),
    ('X(BOOST, 2,', 'X(BOOST, 1,', "BOOST = 1 repeats"),
    ("#define POLICY_TRACE_EVENTS(X)", "#define POLICY_EVENTS(X)", "POLICY_TRACE_EVENTS"),
    ("    MLFQ_LEVEL_DEMOTED = 0,", "    MLFQ_LEVEL_DEMOTED,", "enum mlfq_level_why"),
])
def test_a_policy_table_the_decoder_cannot_read_is_a_clear_error(tmp_path, old, new, complaint):
    text = (DEFAULT_SCHED_DIR / "mlfq_trace.h").read_text()
    assert old in text, "the edit no longer applies to mlfq_trace.h; update this test"
    (tmp_path / "mlfq_trace.h").write_text(text.replace(old, new))
    with pytest.raises(TraceFormatError, match=complaint):
        load_policy_format("mlfq", sched_dir=tmp_path)
    with pytest.raises(TraceError, match="names policy 'mlfq'"):
        mlfq_trace(RECORDS, sched_dir=tmp_path)


def test_a_policy_without_records_and_a_trace_naming_none():
    rr = decode_bytes(encode(chunk_per_hart([]), policy="rr"))
    assert rr.policy == "rr" and policy_events(rr) == {
        "policy": "rr", "counts": {}, "total": 0, "by_value": {}, "lateness_ns": {}}
    unnamed = decode_bytes(encode(chunk_per_hart([])))
    assert unnamed.policy is None and policy_events(unnamed)["policy"] is None
    with pytest.raises(KeyError, match="names no policy"):
        unnamed.policy_events("LEVEL")


def test_a_version_1_trace_still_decodes():
    switch = make_record("SWITCH", 10, 0, reason=5, prev=0, next=1)
    data = encode(chunk_per_hart([switch]), version=1)
    assert len(data) == 32 + 24 + 32  # the version-1 header: no policy field
    trace = decode_bytes(data)
    assert trace.header["version"] == 1 and "policy" not in trace.header
    assert trace.policy is None and trace.events("SWITCH")["next"].tolist() == [1]


def test_perfetto_shows_policy_records_on_thread_and_hart_tracks():
    events = perfetto_events(mlfq_trace(RECORDS, nharts=2))["traceEvents"]
    shown = [e for e in events if e.get("cat") == "policy"]
    assert len(shown) == 6
    first = next(e for e in shown if e["ts"] == 1.0)
    assert first["name"] == "mlfq LEVEL" and (first["pid"], first["tid"]) == (THREADS_PID, 2)
    assert first["args"] == {"tid": "tid 2", "from_level": 0, "to_level": 1, "why": "DEMOTED"}
    second_boost = next(e for e in shown if e["name"] == "mlfq BOOST" and e["args"]["boost"] == 2)
    assert (second_boost["pid"], second_boost["tid"]) == (HARTS_PID, 2)  # hart 1's track
    assert second_boost["args"] == {"boost": 2, "raised": 0, "due_ns": 200_000_000}
