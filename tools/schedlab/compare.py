"""Every scheduler on every workload on each machine (an engine at a hart count), independent
runs in parallel, then one report.

The default machines: QEMU at 1 hart (exact), the simulator at 1 hart (its agreement with QEMU
is in the report), and the simulator at 4 and 16 harts for the SMP comparison (parallel-sim).
QEMU at N harts (shared-throughput) is there on request: --engine qemu --cpus 1,4.

Layout (issue 5): <out>/<config>/<workload>/ for each run, config = <sched>-<N>h on QEMU and
<sched>-<N>h-sim on the simulator, or .../<workload>/rep<i>/ with
--repeat N > 1; then <out>/report/index.html (`python3 -m analysis report`: every plot, the
headline figures, means with confidence intervals of repeats, each run's configuration) and
<out>/summary.csv (one row per run, plus one "mean" row per repeated configuration).

Interruptions lose nothing done (issue 14): <out>/compare-plan.json records what the compare
runs before any run starts. SIGINT or SIGTERM stops every QEMU at once (children.py), keeps
the finished runs, marks the others interrupted in their run.json and prints how to go on:
`schedlab compare --resume <out>` reads the plan, runs only the runs without a result (state
ok), and writes the report, the same as an uninterrupted compare's. A compare holds an flock on
<out>/.schedlab-compare.lock while it runs: a second compare or resume there is refused.
"""
import dataclasses
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from analysis import results, summary  # numpy-free parts of analysis/, for summary.csv

from . import PYTHON, SchedlabError, children, shown
from . import sim
from .build import BuildArtifacts, build
from .eta import BatchClock
from .file_lock import file_lock
from .results_dirs import make_directory, write_json
from .variants import config_name, scheduler_of
from .run import (PLACEMENTS, UNFINISHED_STATES, RunRequest, RunResult, analyse, mark_analysed,
                  run_workload)

PLAN_NAME = "compare-plan.json"
FAILURES_SHOWN = 10   # failed runs listed again at the end of a compare
LOCK_NAME = ".schedlab-compare.lock"   # held by the compare running in the directory
PLAN_FORMAT = 1

DEFAULT_CPUS = {"qemu": (1, 4), "sim": (1, 4, 16)}   # --engine E without --cpus
DEFAULT_MACHINES = (("qemu", 1), ("sim", 1), ("sim", 4), ("sim", 16))

SHARED_THROUGHPUT_NOTE = (
    "note: the N-hart runs are under icount, timing model shared-throughput: one instruction "
    "clock for all harts, so N busy harts each run at 1/N speed (like N hardware threads on "
    "one core, not N cores); the report labels them so. For N cores use the simulator "
    "(the default machines, or --engine sim).")


@dataclass
class Comparison:
    """What `schedlab compare` runs: every configuration x workload x machine x repeat.
    `schedulers` are configuration names (variants.py: rr, rr[timeslice_us=2000]) and
    `settings` maps each name to its {CMAKE_VARIABLE: value}; the name says the settings (the
    command line makes both, variants.variant_name). A machine is (engine, harts). `machines` may instead be given as `engine` and `cpus` (every hart
    count on that engine); after construction `cpus` lists the hart counts and `engine` is the
    one engine of all machines (None when they mix engines). `sim_workloads` are the workloads
    the simulator's machines run (None: all)."""
    schedulers: list
    workloads: list
    cpus: list = None
    seed: int = 1
    repeat: int = 1
    realtime: bool = False
    timeout: float = 120
    settings: dict = field(default_factory=dict)   # configuration -> {CMAKE_VARIABLE: value}
    params: dict = field(default_factory=dict)     # workload -> [k=v boot arguments]
    placement: str = PLACEMENTS[0]                 # engine.placement of every run
    engine: str = None
    machines: list = None
    sim_workloads: list = None

    def __post_init__(self):
        if self.machines is None:
            if self.cpus is None and self.engine is None:
                self.machines = list(DEFAULT_MACHINES)
            else:
                engine = self.engine or "qemu"
                self.machines = [(engine, cpus) for cpus in self.cpus or DEFAULT_CPUS[engine]]
        self.cpus = sorted({cpus for _, cpus in self.machines})
        engines = self.engines
        self.engine = engines[0] if len(engines) == 1 else None

    @property
    def engines(self):
        return sorted({engine for engine, _ in self.machines})

    def workloads_on(self, engine):
        if engine == "sim" and self.sim_workloads is not None:
            return [w for w in self.workloads if w in self.sim_workloads]
        return list(self.workloads)


def run_directory(out, scheduler, cpus, workload, repeat=None, engine="qemu"):
    directory = Path(out) / config_name(scheduler, cpus, engine) / workload
    return directory if repeat is None else directory / f"rep{repeat}"


def machines_text(machines):
    """qemu:1,sim:1,sim:4 as the progress line and --machines write it."""
    return ",".join(f"{engine}:{cpus}" for engine, cpus in machines)


def plan_runs(comparison, out):
    """One RunRequest per run. Repeat i gets seed + i; a single run keeps no repeat index, so
    its directory and summary row look like any other run's."""
    repeats = range(comparison.repeat) if comparison.repeat > 1 else [None]
    return [RunRequest(scheduler_of(name), workload,
                       run_directory(out, name, cpus, workload, repeat, engine),
                       cpus=cpus, seed=comparison.seed + (repeat or 0),
                       realtime=comparison.realtime,
                       params=list(comparison.params.get(workload, [])),
                       settings=dict(comparison.settings.get(name, {})),
                       timeout=comparison.timeout, repeat=repeat,
                       placement=comparison.placement, engine=engine, variant=name)
            for engine, cpus in comparison.machines for name in comparison.schedulers
            for workload in comparison.workloads_on(engine) for repeat in repeats]


def write_plan(out, comparison, bench=True):
    """out/compare-plan.json: the Comparison and whether the microbenchmarks run (--no-bench),
    all that --resume needs to go on."""
    write_json(Path(out) / PLAN_NAME, {"schedlab_compare_plan": PLAN_FORMAT,
                                       "comparison": dataclasses.asdict(comparison),
                                       "bench": bench})


def planned_bench(out):
    """Whether the compare in `out` runs the microbenchmarks: False if it was started with
    --no-bench (a plan written before this was recorded says nothing: True)."""
    try:
        return json.loads((Path(out) / PLAN_NAME).read_text()).get("bench", True) is not False
    except (OSError, ValueError, AttributeError):
        return True


def read_plan(out):
    """The Comparison out/compare-plan.json records; a clear error if out is no compare's."""
    path = Path(out) / PLAN_NAME
    if not Path(out).is_dir():
        raise SchedlabError(f"--resume {shown(out)}: no such directory")
    if not path.is_file():
        raise SchedlabError(f"--resume {shown(out)}: not a compare directory (it has no "
                            f"{PLAN_NAME}, which every compare writes before its first run)")
    try:
        plan = json.loads(path.read_text())
        if plan.get("schedlab_compare_plan") != PLAN_FORMAT:
            raise ValueError(f"format {plan.get('schedlab_compare_plan')!r}, "
                             f"expected {PLAN_FORMAT}")
        # JSON has no tuples: pairs in a list (a machine's (engine, harts)) come back as lists.
        fields = {key: [tuple(item) if isinstance(item, list) else item for item in value]
                  if isinstance(value, list) else value
                  for key, value in plan["comparison"].items()}
        return Comparison(**fields)
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
        raise SchedlabError(f"--resume {shown(out)}: {shown(path)} is not a readable compare "
                            f"plan ({error})") from None


def has_result(request):
    """The run finished with a result (run.json state ok, metrics.json there): --resume
    keeps it."""
    out = Path(request.out)
    return (results.read_json(out / "run.json").get("state") == "ok"
            and (out / "metrics.json").is_file())


def run_label(request):
    """How the progress line names a run: rr-4h/mixed, rr[timeslice_us=2000]-4h-sim/mixed/rep2."""
    label = f"{config_name(request.name, request.cpus, request.engine)}/{request.workload}"
    return label if request.repeat is None else f"{label}/rep{request.repeat}"


def format_duration(seconds):
    """45s under a minute, 3m05s above: the ETA is rough, tenths would be noise."""
    seconds = max(0, round(seconds))
    return f"{seconds}s" if seconds < 60 else f"{seconds // 60}m{seconds % 60:02d}s"


def format_progress(done, total, label, state, elapsed, remaining_seconds):
    """run 3 of 80, rr-1h/mixed ok, elapsed 12.3s, about 45s left"""
    line = f"run {done} of {total}, {label} {state}, elapsed {elapsed:.1f}s"
    if done < total and remaining_seconds is not None:
        line += f", about {format_duration(remaining_seconds)} left"
    return line


def timed_run(repo, built, request):
    """One run and its wall time, analysis included: what the ETA must predict. `built` maps
    (engine, configuration name) to its BuildArtifacts (qemu) or (simulator build directory,
    cost table) (sim)."""
    started = time.monotonic()
    artifacts = built[(request.engine, request.name)]
    try:
        if request.engine == "sim":
            result = sim.run_sim(repo, artifacts[0], request, artifacts[1])
        else:
            result = run_workload(repo, artifacts, request)
    except SchedlabError as error:   # e.g. a full disk: this run fails, saying why
        result = RunResult(request, False, str(error), 0.0)
    return result, time.monotonic() - started


def run_in_parallel(requests, run, parallel, report=print, label=run_label):
    """Call run(request) -> (RunResult, wall seconds) for every request, `parallel` at a time,
    reporting a progress line (naming the run by label(request)) as each finishes. Returns the
    failed RunResults."""
    started = time.monotonic()
    failures, eta = [], BatchClock(requests, parallel)

    def timed(request):
        eta.started(request)
        return run(request)

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        futures = {pool.submit(timed, request): request for request in requests}
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                result, seconds = future.result()
                eta.finished(futures[future], seconds)
                if not result.ok:
                    failures.append(result)
                state = "ok" if result.ok else f"FAILED: {result.message}"
                left = eta.remaining()
                report(format_progress(done, len(requests), label(result.request), state,
                                       time.monotonic() - started, left))
        except (children.Interrupted, KeyboardInterrupt):
            # Stop every run's QEMU now (the signal handler has, if there was one), start no
            # more; leaving the pool waits for the running ones to record "interrupted".
            children.stop_all()
            for future in futures:
                future.cancel()
            raise
    return failures


def build_all(repo, comparison):
    """Each configuration once per engine (a variant builds into its own directory).
    -> {(engine, name): what timed_run needs}"""
    return {(engine, name): build_one(repo, engine, scheduler_of(name),
                                      comparison.settings.get(name, {}))
            for engine in comparison.engines for name in comparison.schedulers}


def build_one(repo, engine, scheduler, settings):
    """One configuration's build for an engine: the kernel and workloads for QEMU
    (BuildArtifacts), the simulator and its default cost table for the simulator."""
    if engine == "sim":
        return sim.build_sim(repo, scheduler, settings), sim.default_costs(repo, scheduler)
    return build(repo, scheduler, settings)


def run_suite(repo, comparison, out, resume=False, bench=True, baseline=None):
    """Build, run and report; returns True when every run and the report succeeded. A new
    compare records its plan first; resume=True runs only the planned runs without a result.
    bench: the microbenchmarks on the QEMU builds first (bench.py), for the report's bench
    table (a resumed compare keeps the bench.json it has); baseline: the report's (default rr).
    Interrupted (SIGINT/SIGTERM): says how to go on, and lets it through."""
    make_directory(out, parents=True, exist_ok=True)
    with file_lock(Path(out) / LOCK_NAME, lambda: _refuse_busy(out)):
        if not resume:
            write_plan(out, comparison, bench)
        return _interruptible_suite(repo, comparison, out, resume, bench, baseline)


def _refuse_busy(out):
    raise SchedlabError(f"{shown(out)}: another compare is running in it (it holds "
                        f"{shown(Path(out) / LOCK_NAME)}); wait for it, or choose another "
                        "directory")


def _interruptible_suite(repo, comparison, out, resume, bench, baseline=None):
    planned = plan_runs(comparison, out)
    try:
        return _build_run_and_report(repo, comparison, out, planned, resume, bench, baseline)
    except (children.Interrupted, KeyboardInterrupt) as interruption:
        children.wait_all()
        done = sum(has_result(request) for request in planned)
        why = interruption.args[0] if interruption.args else "SIGINT"
        print(f"compare interrupted ({why}): {done} of {len(planned)} runs have a result, kept "
              f"in {shown(out)}; the unfinished ones are marked interrupted. Continue with:\n"
              f"  ./schedlab compare --resume {shown(out)}", file=sys.stderr, flush=True)
        raise


def _build_run_and_report(repo, comparison, out, planned, resume, bench, baseline=None):
    artifacts = build_all(repo, comparison)
    bench_ok = True
    if bench and not (resume and (Path(out) / "bench.json").is_file()):
        bench_ok = _bench(repo, comparison, artifacts, out)
    requests = [request for request in planned if not (resume and has_result(request))]
    parallel = max(1, min(os.cpu_count() or 1, len(requests)))
    repeats = f" x {comparison.repeat} repeats" if comparison.repeat > 1 else ""
    kept = f", {len(planned) - len(requests)} kept from before" if resume else ""
    print(f"compare: {len(requests)} runs{kept} ({len(comparison.schedulers)} configurations x "
          f"{len(comparison.workloads)} workloads x machines {machines_text(comparison.machines)}"
          f"{repeats}), {parallel} at a time, placement {comparison.placement}, "
          f"results in {shown(out)}", flush=True)
    if not comparison.realtime and any(engine == "qemu" and cpus > 1
                                       for engine, cpus in comparison.machines):
        print(SHARED_THROUGHPUT_NOTE, flush=True)
    failures = run_in_parallel(
        requests, lambda request: timed_run(repo, artifacts, request),
        parallel, report=lambda line: print(line, flush=True))
    report_ok = _report(repo, out, baseline)
    print(f"report: {shown(out)}/report/index.html (and summary.csv)", flush=True)
    if failures:   # again at the end, with why, as the progress lines have scrolled away
        print(f"compare: {len(failures)} of {len(requests)} runs failed:", flush=True)
        for failure in failures[:FAILURES_SHOWN]:
            print(f"  {run_label(failure.request)}: {failure.message}", flush=True)
        if len(failures) > FAILURES_SHOWN:
            print(f"  and {len(failures) - FAILURES_SHOWN} more (summary.csv lists every run)",
                  flush=True)
    return report_ok and bench_ok and not failures


def _bench(repo, comparison, artifacts, out):
    """The microbenchmarks (bench.bench_for_compare) on build_all's kernel builds, the
    BuildArtifacts among them (a simulator build has no kernel to measure); False when a root
    task failed. build_all's keys are schedulers, or (engine, scheduler) pairs."""
    kernels = {key[-1] if isinstance(key, tuple) else key: built
               for key, built in artifacts.items() if isinstance(built, BuildArtifacts)}
    if not kernels:
        return True
    from .bench import bench_for_compare
    bench = bench_for_compare(repo, kernels, out, settings=comparison.settings,
                              report=lambda line: print(line, flush=True))
    return not any(o["error"] for c in bench["configs"] for o in c["root_tasks"].values())


def find_run_dirs(root):
    """Run directories under root (root included): those a run left a run.json or trace.bin in."""
    return results.find_run_dirs(root)


def write_summary(root, run_dirs):
    """summary.csv: one row per run (analysis/summary.py, shared with the report)."""
    summary.write_summary(root, run_dirs)


def write_report(repo, root, baseline=None):
    """summary.csv of every run, then report/index.html with the comparison plots (which
    rewrites summary.csv the same way; written first so a failing report still leaves it),
    its figures normalised to `baseline` (the report's default, rr, when None)."""
    root = Path(root).resolve()
    write_summary(root, find_run_dirs(root))
    command = [PYTHON, "-m", "analysis", "report", str(root)]
    if baseline is not None:
        command += ["--baseline", baseline]
    with open(root / "analysis.log", "w") as log:
        if children.run(command, cwd=repo, stdout=log, stderr=subprocess.STDOUT) != 0:
            print(f"error: the report failed; log: {shown(root / 'analysis.log')}",
                  file=sys.stderr)
            return False
    return True


def _report(repo, root, baseline):
    """write_report, given the baseline only when one was chosen (its callers' stand-ins in
    the tests know no baseline)."""
    return write_report(repo, root) if baseline is None else write_report(repo, root, baseline)


def replot(repo, root, baseline=None):
    """`schedlab plot DIR`: metrics and plots again for every saved trace under DIR, but not
    for runs that never finished (running or interrupted: their trace is cut short). A run
    whose engine finished and whose analysis failed before is ok once analysed."""
    root = Path(root).resolve()
    traced = [d for d in find_run_dirs(root) if (d / "trace.bin").is_file()]
    unfinished = [d for d in traced if results.read_json(d / "run.json").get("state")
                  in UNFINISHED_STATES]
    for run_dir in unfinished:
        print(f"plot: {shown(run_dir)} left out: the run did not finish "
              f"(state {results.read_json(run_dir / 'run.json')['state']})", flush=True)
    traced = [d for d in traced if d not in unfinished]
    if not traced:
        raise SchedlabError(f"no trace.bin of a finished run under {shown(root)}")
    failed = 0
    for index, run_dir in enumerate(traced, start=1):
        scheduler = results.load_run(run_dir).scheduler   # run.json's, else the directories'
        try:
            analyse(repo, run_dir, scheduler)
            mark_analysed(run_dir)
            state = "ok"
        except SchedlabError as error:
            failed += 1
            state = f"FAILED: {error}"
        print(f"plot {index}/{len(traced)} {shown(run_dir)} {state}", flush=True)
    report_ok = True
    if traced != [root]:   # a whole results/<run> directory: redraw its comparison too
        report_ok = _report(repo, root, baseline)
        print(f"report: {shown(root)}/report/index.html (and summary.csv)", flush=True)
    return report_ok and not failed
