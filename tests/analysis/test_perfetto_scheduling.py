"""The Perfetto export shows scheduling: arrows from waker to wakee and from sender to receiver,
thread-state tracks with the reason, and counters of runnable threads per hart; every answer is
worked out by hand from a synthetic client/server trace."""
import json
from collections import defaultdict

from analysis.__main__ import main
from analysis.decode import chunk_per_hart, write_trace
from analysis.perfetto import HARTS_PID, THREADS_PID, perfetto_events

from synthetic import block, ipc, name_records, switch, trace_of, wakeup


def client_server_records():
    """Client 2 runs on hart 0 from 0 and calls server 3 at 100 (3 is blocked in recv since 50
    on hart 1): the call wakes 3 onto hart 1, where it runs 130-200, replies at 200 and blocks
    in recv again. The reply wakes 2 onto hart 0, which runs 4 then: the timer woke 4 (waker 0,
    the kernel) at 150, it ran 160-220 and was switched out (expired) for 2, which runs to 300."""
    return [*name_records(0, 2, "client"), *name_records(0, 3, "server"),
            switch(0, 0, 0, 2, "TRACE_SWITCH_FROM_IDLE"),
            switch(0, 1, 0, 3, "TRACE_SWITCH_FROM_IDLE"),
            block(40, 1, 3, "TRACE_BLOCK_RECV"), switch(50, 1, 3, 0),
            ipc(100, 0, 2, 3, words=2), wakeup(100, 0, 3, queued_on=1, waker=2),
            block(100, 0, 2, "TRACE_BLOCK_REPLY"), switch(100, 0, 2, 0),
            switch(130, 1, 0, 3, "TRACE_SWITCH_FROM_IDLE"),
            wakeup(150, 0, 4, waker=0, reason="TRACE_WAKE_TIMER"),
            switch(160, 0, 0, 4, "TRACE_SWITCH_FROM_IDLE"),
            ipc(200, 1, 3, 2, kind="TRACE_IPC_REPLY"), wakeup(200, 1, 2, queued_on=0, waker=3),
            block(200, 1, 3, "TRACE_BLOCK_RECV"), switch(200, 1, 3, 0),
            switch(220, 0, 4, 2, "TRACE_SWITCH_EXPIRED"),
            switch(300, 0, 2, 0, "TRACE_SWITCH_BLOCK"), switch(300, 1, 0, 0)]


def exported(tmp_path):
    """The JSON `python3 -m analysis perfetto` writes for the client/server trace, loaded."""
    path, out = tmp_path / "trace.bin", tmp_path / "out.json"
    write_trace(path, chunk_per_hart(client_server_records()), nharts=2)
    assert main(["perfetto", str(path), str(out)]) == 0
    text = out.read_text()
    return text, json.loads(text)["traceEvents"]


def slices_by_track(events):
    tracks = defaultdict(list)
    for e in events:
        if e["ph"] == "X":
            tracks[(e["pid"], e["tid"])].append(e)
    return tracks


def check_flows_paired_and_bound(events):
    """Every flow id has one 's' and one 'f' with the same cat and name, the 's' not after the
    'f', and each end strictly inside a "running" slice of its own thread track (so it binds to
    that slice whatever a viewer does with slices that touch)."""
    ends = defaultdict(dict)
    for e in events:
        if e["ph"] in "sf":
            assert e["ph"] not in ends[e["id"]], f"flow {e['id']} has two '{e['ph']}'"
            ends[e["id"]][e["ph"]] = e
    tracks = slices_by_track(events)
    for flow_id, pair in ends.items():
        assert set(pair) == {"s", "f"}, f"flow {flow_id} is unpaired"
        start, finish = pair["s"], pair["f"]
        assert (start["cat"], start["name"]) == (finish["cat"], finish["name"])
        assert start["ts"] <= finish["ts"] and finish["bp"] == "e"
        for end in (start, finish):
            assert [s for s in tracks[(end["pid"], end["tid"])]
                    if s["name"] == "running" and s["ts"] < end["ts"] < s["ts"] + s["dur"]]
    return ends


def test_the_export_loads_and_every_flow_is_paired_and_bound(tmp_path):
    text, events = exported(tmp_path)
    assert "None" not in text
    assert len(check_flows_paired_and_bound(events)) == 4


def test_arrows_go_from_waker_to_wakee_and_from_sender_to_receiver(tmp_path):
    _, events = exported(tmp_path)
    ends = defaultdict(dict)
    for e in events:
        if e["ph"] in "sf":
            ends[e["id"]][e["ph"]] = e
    arrows = sorted((p["s"]["cat"], p["s"]["name"], p["s"]["tid"], p["s"]["ts"],
                     p["f"]["tid"], p["f"]["ts"]) for p in ends.values())
    # The call at 100 ends 2's slice 0-100, so its arrow leaves half a ns before 100; 3 takes
    # it in its run from 130 (bound half a ns in). The reply at 200 likewise leaves 3's slice
    # 130-200 and reaches 2's run from 220. The kernel's timer wakeup of 4 has no arrow.
    assert arrows == [("ipc", "endpoint", 2, 0.0995, 3, 0.1305),
                      ("ipc", "reply", 3, 0.1995, 2, 0.2205),
                      ("wakeup", "wakeup", 2, 0.0995, 3, 0.1305),
                      ("wakeup", "wakeup", 3, 0.1995, 2, 0.2205)]


def test_thread_state_tracks_name_the_reason(tmp_path):
    _, events = exported(tmp_path)
    states = {tid: [(e["name"], e["ts"], e["dur"]) for e in slices]
              for (pid, tid), slices in slices_by_track(events).items() if pid == THREADS_PID}
    assert states[2] == [("running", 0.0, 0.1), ("blocked: reply", 0.1, 0.1),
                         ("runnable: ipc", 0.2, 0.02), ("running", 0.22, 0.08)]
    assert states[3] == [("running", 0.0, 0.05), ("blocked: recv", 0.05, 0.05),
                         ("runnable: ipc", 0.1, 0.03), ("running", 0.13, 0.07),
                         ("blocked: recv", 0.2, 0.1)]
    assert [(e["name"], e["args"]) for e in events if e["ph"] == "X"
            and e["pid"] == THREADS_PID and e["tid"] == 4] == [
        ("runnable: timer", {"hart": 0, "reason": "timer"}), ("running", {"hart": 0}),
        ("runnable: expired", {"hart": 0, "reason": "expired"})]


def test_counters_count_the_threads_queued_on_each_hart(tmp_path):
    _, events = exported(tmp_path)
    counters = defaultdict(list)
    for e in events:
        if e["ph"] == "C":
            assert e["pid"] == HARTS_PID
            counters[e["name"]].append((e["ts"], e["args"]["threads"]))
    # hart 0: 4 queued 150-160, 2 queued 200-220, 4 queued again 220-300 (at 220 one leaves
    # and one joins: no change); hart 1: 3 queued 100-130.
    assert counters == {"hart 0 runnable": [(0.0, 0), (0.15, 1), (0.16, 0), (0.2, 1), (0.3, 0)],
                        "hart 1 runnable": [(0.0, 0), (0.1, 1), (0.13, 0)]}


def test_metadata_has_values_not_none_strings():
    other = perfetto_events(trace_of([switch(0, 0, 0, 2)]))["otherData"]
    assert other["lossy"] is False and other["dropped_events"] == 0
    assert "warning" not in other and "policy" not in other      # none and empty: left out
    assert all(v is not None and v != "None" for v in other.values())
