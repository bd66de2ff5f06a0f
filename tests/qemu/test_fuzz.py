"""The kernel fuzzer (tests/fuzz, ./schedlab fuzz) under every policy at 1 and 4 harts: 10^5
system calls on each plain kernel, and on each kernel that checks its own invariants (several
times slower) 2 x 10^4 on one hart and 10^4 on four; every run passes all of the fuzzer's checks,
and a rerun repeats a run exactly.

All runs start at once, as many in parallel as the machine has cores; each test then asserts on
its run. Every bound the runs use is in emulated time (the wall-clock timeout only catches a
guest that stopped altogether), so the outcome does not depend on the host's speed."""
import os
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from harness import artifacts

from tools.schedlab import REPO_ROOT
from tools.schedlab.configs import discover_schedulers
from tools.schedlab.fuzz import FuzzRequest, report, run_fuzz

CALLS = 100_000
CHECKED_CALLS = {1: 20_000, 4: 10_000}
CHECKED = {"SCHEDLAB_CHECK_INVARIANTS": "ON"}
SEED = 1
SCHEDULERS = sorted(discover_schedulers(REPO_ROOT))
RUNS = [(s, cpus, checked) for checked in (False, True) for s in SCHEDULERS for cpus in (1, 4)]
RERUN = ("affinity", 4, False)   # run twice: the same seed must give the same run


def request(scheduler, cpus, checked, out):
    return FuzzRequest(scheduler=scheduler, cpus=cpus, seed=SEED,
                       calls=CHECKED_CALLS[cpus] if checked else CALLS, out=out,
                       settings=CHECKED if checked else {},
                       assignments=["check_invariants=ON"] if checked else [])


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    base = tmp_path_factory.mktemp("fuzz")
    jobs = {run: request(*run, base / "-".join(map(str, run))) for run in RUNS}
    jobs["rerun"] = request(*RERUN, base / "rerun")

    def start(job):
        scheduler, _, checked = (job.scheduler, job.cpus, bool(job.settings))
        return run_fuzz(artifacts(scheduler, CHECKED if checked else None), job)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        done = dict(zip(jobs, pool.map(start, jobs.values())))
    return done


def calls_issued(summary):
    return int(re.search(r"\bcalls=(\d+)", summary).group(1))


@pytest.mark.parametrize("scheduler,cpus,checked", RUNS)
def test_fuzzing_finds_nothing(results, scheduler, cpus, checked):
    result = results[(scheduler, cpus, checked)]
    assert result.ok, report(result)
    assert calls_issued(result.summary) >= result.request.calls
    # every check ran, and the workers were rebuilt along the way
    for check in ("ipc", "revoke", "frames", "census", "unmap", "stop"):
        assert int(re.search(rf"\b{check}=(\d+)", result.summary).group(1)) > 0, check
    if cpus > 1:
        assert int(re.search(r"\baffinity=(\d+)", result.summary).group(1)) > 0


def test_a_rerun_with_the_same_seed_is_the_same_run(results):
    first, again = results[RERUN], results["rerun"]
    assert first.ok and again.ok, report(again)
    assert first.console.read_bytes() == again.console.read_bytes()


def test_the_console_stays_text(results):
    """The fuzzer names its threads with random bytes, and a thread that faults is printed with
    its name: whatever a program names a thread, the console is printable ASCII lines."""
    for key, result in results.items():
        text = result.console.read_bytes()
        odd = sorted({b for b in text if not (0x20 <= b < 0x7f or b in b"\r\n\t")})
        assert not odd, (key, [hex(b) for b in odd], result.console)
