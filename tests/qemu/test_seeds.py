"""The seed and the engine's markers (workloads/README.md, Distributions and Markers): mixed
with seed 1 twice gives byte-identical traces and with seed 2 a different one; in every run
each workload thread marks its ARRIVAL first and once, its DONE last and once, and a DUE right
before every REQUEST_BEGIN. And where threads start (engine.placement): spread puts rr's
threads on every hart, creator keeps them on the root task's hart 0 (seL4's rule)."""
import re
import statistics

import pytest
from harness import TIMEOUT_SECONDS, artifacts
from trace_markers import MARK, decode, harts_run_on, marker_problems, markers_by_thread

from tools.schedlab.qemu import boot_arguments, qemu_command, run_qemu


def run_mixed(out, seed, harts, params=(), scheduler="rr", workload="mixed"):
    out.mkdir(parents=True, exist_ok=True)
    command = qemu_command(artifacts(scheduler).kernel, artifacts(scheduler).workload(workload),
                           harts, boot_arguments(seed, False, list(params)))
    outcome = run_qemu(command, out, out / "console.log", TIMEOUT_SECONDS)
    console = (out / "console.log").read_text(errors="replace")
    assert outcome.status == 0 and not outcome.timed_out, console[-2000:]
    threads = int(re.search(rf"{workload}: (\d+) threads done", console).group(1))
    return out / "trace.bin", console, threads


@pytest.mark.parametrize("harts", (1, 2), ids=lambda h: f"{h}hart")
def test_a_seed_fixes_the_trace_and_another_seed_changes_it(tmp_path, harts):
    first, console, threads = run_mixed(tmp_path / "seed1a", 1, harts)
    again, _, _ = run_mixed(tmp_path / "seed1b", 1, harts)
    other, other_console, _ = run_mixed(tmp_path / "seed2", 2, harts)
    assert "mixed: seed=1 " in console and "mixed: seed=2 " in other_console
    assert first.read_bytes() == again.read_bytes()
    assert first.read_bytes() != other.read_bytes()
    for trace in (first, other):
        assert marker_problems(trace, threads) == []


@pytest.mark.parametrize("workload", ["interactive", "ipc-server", "wakeup-storm", "fork-join"])
def test_markers_are_well_formed_in_other_workloads(tmp_path, workload):
    trace, _, threads = run_mixed(tmp_path, 1, 2, workload=workload)
    daemons = {"ipc-server": 1}.get(workload, 0)   # the server never finishes
    problems = marker_problems(trace, threads + daemons)
    if daemons:
        problems = [p for p in problems if "DONE is not" not in p]
    assert problems == []


def test_spread_placement_uses_every_hart_and_creator_keeps_hart_0(tmp_path):
    spread, console, _ = run_mixed(tmp_path / "spread", 1, 2, workload="cpu-bound")
    creator, creator_console, _ = run_mixed(tmp_path / "creator", 1, 2, workload="cpu-bound",
                                            params=["engine.placement=creator"])
    assert "engine.placement=spread" in console
    assert "engine.placement=creator" in creator_console
    on = harts_run_on(spread)
    assert set().union(*on.values()) == {0, 1}
    assert sum(1 for harts in on.values() if harts == {1}) >= 2
    assert set().union(*harts_run_on(creator).values()) == {0}


def test_an_unknown_placement_is_refused_naming_the_key(tmp_path):
    out = tmp_path / "bad"
    out.mkdir()
    command = qemu_command(artifacts("rr").kernel, artifacts("rr").workload("mixed"), 1,
                           boot_arguments(1, False, ["engine.placement=random"]))
    outcome = run_qemu(command, out, out / "console.log", TIMEOUT_SECONDS)
    console = (out / "console.log").read_text(errors="replace")
    assert outcome.status != 0
    assert "engine.placement=random: expected spread or creator" in console


def values(marks, name):
    return [value for _, mark, value in marks if mark == MARK[name]]


def test_a_periodic_request_is_due_at_its_release(tmp_path):
    """mixed's interactive thread: request k is due at job k's release, and with implicit
    deadlines job k's deadline is job k+1's release (the drawn period between them)."""
    trace, _, _ = run_mixed(tmp_path, 3, 1)
    marks = next(m for m in markers_by_thread(decode(trace)).values()
                 if MARK["JOB_RELEASE"] in [mark for _, mark, _ in m])
    due, deadlines = values(marks, "REQUEST_DUE"), values(marks, "JOB_DEADLINE")
    assert len(due) == len(deadlines) == 220
    assert due[1:] == deadlines[:-1]
    assert len(set(b - a for a, b in zip(due, due[1:]))) > 20   # the period's jitter


def test_requests_after_a_barrier_are_due_when_it_opened(tmp_path):
    """wakeup-storm: every sleeper's request of a round is due at the same instant, the one
    when the last party arrived; one instant per round."""
    trace, _, _ = run_mixed(tmp_path, 1, 1, workload="wakeup-storm")
    rounds = [values(m, "REQUEST_DUE") for m in markers_by_thread(decode(trace)).values()
              if MARK["REQUEST_DUE"] in [mark for _, mark, _ in m]]
    assert len(rounds) == 16
    per_round = list(zip(*rounds))
    assert len(per_round) == 20 and all(len(set(r)) == 1 for r in per_round)
    assert len({r[0] for r in per_round}) == 20


def test_a_call_is_due_when_made_and_the_server_sees_that_instant(tmp_path):
    """ipc-server: each call's DUE is its own clock reading, just before its REQUEST_BEGIN."""
    trace, _, _ = run_mixed(tmp_path, 1, 1, workload="ipc-server")
    for marks in markers_by_thread(decode(trace)).values():
        for (due_time, mark, due), (begin, next_mark, _) in zip(marks, marks[1:]):
            if mark == MARK["REQUEST_DUE"]:
                assert next_mark == MARK["REQUEST_BEGIN"] and due_time - 5000 < due <= begin


def test_drawn_values_follow_their_distributions(tmp_path):
    """The engine's draws, seen in the trace. interactive (seed 1): think times exponential,
    mean 1000 us clamped to [100, 5000] (mean of the clamped law 998 us), requests uniform in
    [30, 70] us; mixed: periods normal, mean 500 us, sd 50, clamped to [350, 650]. The bounds
    are exact; mean and sd within about 3 standard errors of the ~220 samples."""
    trace, _, _ = run_mixed(tmp_path / "interactive", 1, 1, workload="interactive")
    think, service = [], []
    for marks in markers_by_thread(decode(trace)).values():
        end = begin = None
        for time, mark, value in marks:
            if mark == MARK["REQUEST_DUE"] and end is not None:
                think.append((value - end) / 1000)    # the sleep began just after the END
            if mark == MARK["REQUEST_BEGIN"]:
                begin = time
            if mark == MARK["REQUEST_END"]:
                end = time
                service.append((time - begin) / 1000)
    assert len(think) == 4 * 59 and len(service) == 4 * 60
    assert 100 <= min(think) and max(think) <= 5000 + 5
    assert abs(statistics.mean(think) - 998) < 0.12 * 998
    assert 30 <= min(service) and max(service) <= 70 + 5
    assert abs(statistics.mean(service) - 50) < 2.5

    trace, _, _ = run_mixed(tmp_path / "mixed", 1, 1)
    due = next(values(m, "REQUEST_DUE") for m in markers_by_thread(decode(trace)).values()
               if len(values(m, "REQUEST_DUE")) > 1)
    periods = [(b - a) / 1000 for a, b in zip(due, due[1:])]
    assert 350 <= min(periods) and max(periods) <= 650
    assert abs(statistics.mean(periods) - 500) < 10
    assert abs(statistics.stdev(periods) - 50) < 7.5
