"""tests/sim/tracediff.py on two hand-made traces whose departure is known."""
from analysis.decode import chunk_per_hart, make_record, write_trace
from tests.sim.tracediff import first_departure, scheduling_events


def run(tmp_path, name, wake_at, second_wakeup):
    """The root task marks the workload's begin at 1000 and switches to tid 2 at 1200; tid 2 is
    woken at `wake_at`, then `second_wakeup` (a tid), then a switch. A TIMER_SET, which the diff
    does not compare, sits in between."""
    records = [make_record("MARKER", 1000, id=5, tid=1),
               make_record("SWITCH", 1200, reason=0, prev=1, next=2),
               make_record("TIMER_SET", 1300, deadline_ns=5000),
               make_record("WAKEUP", wake_at, hart=0, tid=3, waker=2, wake_reason=0),
               make_record("WAKEUP", wake_at + 100, hart=0, tid=second_wakeup, waker=2,
                           wake_reason=0),
               make_record("SWITCH", wake_at + 300, reason=0, prev=2, next=3)]
    directory = tmp_path / name
    directory.mkdir()
    write_trace(directory / "trace.bin", chunk_per_hart(records))
    return scheduling_events(directory)


def test_the_first_drift_and_the_first_order_difference(tmp_path):
    # the second run wakes tid 3 200 ns later than the first, then tid 5 where the first woke
    # tid 4
    qemu = run(tmp_path, "qemu", 1500, 4)
    sim = run(tmp_path, "sim", 1700, 5)
    # events: marker, switch, wakeup 3, wakeup 4/5, switch (the TIMER_SET is not compared)
    assert len(qemu) == len(sim) == 5
    # drift counted from the first event: the wakeup is 200 ns late, past a 100 ns bound
    assert first_departure(qemu, sim, 100)[:3] == (2, "drift 200 ns", 0)
    # with a looser bound the next difference is the order: tid 5 woken where QEMU woke tid 4
    index, why, base, milestones = first_departure(qemu, sim, 1000, step_ns=50)
    assert (index, why, base) == (3, "order differs", 0)
    assert milestones == [(2, 1500 - 1000, 200)]
    # anchored at the wakeup, its 200 ns is the base and nothing drifts after it
    assert first_departure(qemu, sim, 100, anchor=2)[:3] == (3, "order differs", 200)
    # identical runs do not part
    assert first_departure(qemu, qemu, 1)[:2] == (None, "")
