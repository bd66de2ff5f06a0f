"""The simulator's cost table (sim/src/sim.h, costs.c; ctest label sim): what each key charges,
and where. Each test runs a workload at one hart on the committed table with one key changed
and checks the trace's gaps move by exactly that much: figures follow from the table, not from
the host.
"""
import json
import subprocess

from analysis.decode import decode
from tools.schedlab import sim

from .conftest import REPO

REQUEST_END, JOB_END = 2, 4   # include/schedlab/trace.h enum trace_marker_id
ROOT_TID = 1


def run_with(simulator, scheduler, workload, name, change):
    """The decoded trace of a run on the committed table after change(table)."""
    table = json.loads(sim.default_costs(REPO, scheduler).read_text())
    change(table)
    costs, trace = simulator.tmp / f"{name}.json", simulator.tmp / f"{name}.bin"
    costs.write_text(json.dumps(table))
    binary = simulator.build(scheduler) / "sim" / f"sim-{workload}"
    subprocess.run([str(binary), "--harts", "1", "--costs", str(costs), "--trace", str(trace),
                    "--args", "seed=1"], check=True, stdout=subprocess.DEVNULL, timeout=600)
    return decode(trace)


def marker_gaps(trace, first, then):
    """Gaps from each marker `first` to the same thread's next record when it is marker `then`."""
    records, marker = trace.records, trace.format.events["MARKER"].value
    gaps = []
    for i in range(len(records) - 1):
        a, b = records[i], records[i + 1]
        if (a["type"] == b["type"] == marker and a["arg0"] == first and b["arg0"] == then
                and a["arg1"] == b["arg1"]):
            gaps.append(int(b["time_ns"]) - int(a["time_ns"]))
    return gaps


def set_user(keys):
    return lambda table: table["user_ns"].update(keys)


def test_a_chain_is_charged_its_measured_user_time(simulator):
    """mixed's interactive thread, after a request, reads the clock (request_end) and ends its
    job: that chain's user time lies between its two markers, whatever the table says it is."""
    chain = "MARKER_2>CLOCK_NOW@request_end>MARKER_4=MARKER"
    base = marker_gaps(run_with(simulator, "rr", "mixed", "chain-0", set_user({chain: 0})),
                       REQUEST_END, JOB_END)
    more = marker_gaps(run_with(simulator, "rr", "mixed", "chain-5000",
                                set_user({chain: 5000})), REQUEST_END, JOB_END)
    assert len(base) == len(more) == 220
    assert [m - b for b, m in zip(base, more)] == [5000] * 220


def test_a_chain_is_charged_no_more_than_any_chain_it_may_still_become(simulator):
    """At the clock read the thread might still go on to a sleep (a chain of 5000 ns) or end
    its job (one of 1000): it is charged the 1000 both will have spent by then, never the
    sleep's 5000, and the job's end costs its own chain's time in all."""
    job_end = "MARKER_2>CLOCK_NOW@request_end>MARKER_4=MARKER"
    sleep = "MARKER_2>CLOCK_NOW@request_end>CLOCK_NOW@sleep>SLEEP_UNTIL=BLOCK"
    alone = marker_gaps(run_with(simulator, "rr", "mixed", "alone", set_user({job_end: 1000})),
                        REQUEST_END, JOB_END)
    shared = marker_gaps(run_with(simulator, "rr", "mixed", "shared",
                                  set_user({job_end: 1000, sleep: 5000})), REQUEST_END, JOB_END)
    assert shared == alone


def test_calls_the_fastpath_takes_cost_their_own_paths(simulator):
    """ipc-server's clients call a server that waits for them at the same priority: under rr
    those Calls switch directly (the kernel's fastpath, decided by the core's
    sched_switch_directly), and their IPC>WAKEUP path is the CALL_FAST key's, no other."""
    paths = json.loads(sim.default_costs(REPO, "rr").read_text())["path_ns"]
    slow = paths.get("CALL:IPC>WAKEUP", paths["IPC>WAKEUP"])   # the slow path's, if it is taken
    trace = run_with(simulator, "rr", "ipc-server", "fast",
                     lambda table: table["path_ns"].update({"CALL_FAST:IPC>WAKEUP": 7000}))
    records, events = trace.records, trace.format.events
    calls = [int(records["time_ns"][i + 1]) - int(records["time_ns"][i])
             for i in range(len(records) - 1)
             if records["type"][i] == events["IPC"].value
             and records["type"][i + 1] == events["WAKEUP"].value
             and records["arg0"][i] == 0   # a Call's message, not a Reply's
             and records["arg2"][i] != ROOT_TID]   # nor a thread's Send that it is done
    assert set(calls) <= {slow, 7000} and calls.count(7000) > len(calls) / 2, sorted(set(calls))


def test_only_a_runnable_thread_records_a_block(simulator):
    """As kernel/thread.c: a caller that a receive takes from the endpoint's queue goes from
    waiting to send to waiting for the reply with no BLOCK record; every BLOCK at one hart is
    the running thread's."""
    trace = run_with(simulator, "rr", "ipc-server", "blocks", lambda table: None)
    records, events = trace.records, trace.format.events
    running = None
    for r in records:
        if r["type"] == events["SWITCH"].value:
            running = int(r["arg2"])
        elif r["type"] == events["BLOCK"].value:
            assert int(r["arg1"]) == running, r
