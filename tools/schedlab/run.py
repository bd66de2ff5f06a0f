"""One run: a workload on a built scheduler in QEMU, then its metrics and plots.

A run directory holds plain files (DESIGN §6): console.log (QEMU's output), trace.bin
(written by the kernel through semihosting), run.json (what was run and how it ended, with its
timing_model and placement), metrics.json and plots from analysis/, and analysis.log.

timing_model (analysis/timing_model.py): exact (1 hart under icount), shared-throughput (N > 1
harts under icount: one instruction clock for all harts, so N busy harts each run at 1/N
speed), host-parallel (--realtime).
placement: where the workload engine puts the threads it creates at N harts, passed to the
guest as the boot argument engine.placement: spread (over the harts at creation) or creator
(seL4's rule: a new thread starts on its creator's hart).

run.json is written (atomically, as metrics.json) when the run starts, with state "running",
and again when it ends: state ok (analysed, metrics.json written), failed, or interrupted
(SIGINT/SIGTERM stopped it; `compare --resume` runs it again). A reader never takes a run's
leftovers for its result: only state ok has one (analysis/results.py).
"""
import subprocess
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from analysis.results import read_json            # numpy-free
from analysis.timing_model import timing_model   # numpy-free

from . import PYTHON, SchedlabError, children, shown
from .console_reason import because
from .provenance import provenance
from .qemu import boot_arguments, qemu_command, qemu_error, run_qemu
from .results_dirs import describe_os_error, new_directory, write_json
from .workload_spec import why_not_built

# Left by an earlier run into the same directory, they would pass for this run's output.
STALE_OUTPUTS = ("trace.bin", "metrics.json")
STATES = ("running", "ok", "failed", "interrupted")   # run.json's "state"
UNFINISHED_STATES = ("running", "interrupted")        # no whole trace: nothing to analyse

PLACEMENTS = ("spread", "creator")   # engine.placement values; the first is the default
PLACEMENT_ARGUMENT = "engine.placement"


@dataclass
class RunRequest:
    scheduler: str
    workload: str
    out: Path
    cpus: int = 1
    seed: int = 1
    realtime: bool = False
    params: list = field(default_factory=list)     # workload k=v, passed as boot arguments
    settings: dict = field(default_factory=dict)   # build-time --set, recorded for reference
    timeout: float = 120
    verbose: bool = False
    repeat: int = None   # index among `compare --repeat N` runs of one configuration
    placement: str = PLACEMENTS[0]   # engine.placement: spread or creator
    engine: str = "qemu"             # qemu, or sim (the simulator, tools/schedlab/sim.py)
    variant: str = None   # the configuration's name (variants.py); None: the scheduler's

    @property
    def name(self):
        """The configuration's name: rr, rr[timeslice_us=2000] (variants.variant_name)."""
        return self.variant or self.scheduler


@dataclass
class RunResult:
    request: RunRequest
    ok: bool
    message: str       # one line: what happened and, on failure, where to look
    seconds: float
    state: str = None  # run.json's final state; None: ok or failed, as `ok` says

    @property
    def interrupted(self):
        return self.state == "interrupted"


def timestamp():
    return time.strftime("%Y%m%d-%H%M%S")


def new_results_directory(repo, prefix=""):
    """results/<prefix><timestamp>, a directory no other command has (results_dirs)."""
    return new_directory(Path(repo) / "results", f"{prefix}{timestamp()}")


def default_out(repo, scheduler, workload):
    return new_results_directory(repo) / scheduler / workload


def prepare_run_directory(request):
    """The run's directory, made, without an earlier run's outputs; -> its absolute path."""
    out = Path(request.out).resolve()
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name in STALE_OUTPUTS:
            (out / name).unlink(missing_ok=True)
    except OSError as error:
        raise SchedlabError(f"cannot prepare the run directory "
                            f"{describe_os_error(error, out)}") from None
    return out


def record_state(out, record, state):
    """run.json with the run's state (STATES) and ok = whether it has a result."""
    write_json(Path(out) / "run.json", dict(record, state=state, ok=state == "ok"))


def mark_analysed(out):
    """After `schedlab plot` analysed a run again: ok, if its engine had finished cleanly
    (a run whose only failure was its analysis)."""
    record = read_json(Path(out) / "run.json")
    if record.get("state") == "failed" and record.get("status") == 0 and \
            not record.get("timed_out"):
        record_state(out, record, "ok")


@contextmanager
def recording_interruption(out, record):
    """run.json says "running" in the block, and "interrupted" if SIGINT/SIGTERM ends it."""
    record_state(out, record, "running")
    try:
        yield
    except (children.Interrupted, KeyboardInterrupt):
        record_state(out, record, "interrupted")
        raise


def conclude_run(repo, request, out, record, failure, seconds):
    """Analyse a run whose engine left a trace (failure None), record its final state, and
    say how it went. A failure while the command is being interrupted is an interruption."""
    if failure is None:
        try:
            analyse(repo, out, request.scheduler)
        except SchedlabError as error:
            failure = str(error)
    state = ("ok" if failure is None else
             "interrupted" if children.stopping() else "failed")
    if state == "interrupted":
        failure = "interrupted (SIGINT/SIGTERM)"
    record_state(out, record, state)
    return RunResult(request, state == "ok", failure or f"ok, results in {shown(out)}",
                     seconds, state)


def analyse(repo, run_dir, scheduler):
    """metrics.json and per-run plots from trace.bin, through the analysis CLI."""
    run_dir = Path(run_dir).resolve()
    log_path = run_dir / "analysis.log"
    commands = [
        [PYTHON, "-m", "analysis", "metrics", str(run_dir / "trace.bin"),
         "-o", str(run_dir / "metrics.json"), "--sched", scheduler],
        [PYTHON, "-m", "analysis", "plot", str(run_dir), "-o", str(run_dir)],
    ]
    with open(log_path, "w") as log:
        for command in commands:
            log.write(f"$ {' '.join(command)}\n")
            log.flush()
            # cwd=repo so `-m analysis` finds the package in the tree.
            if children.run(command, cwd=repo, stdout=log,
                            stderr=subprocess.STDOUT) != 0:
                raise SchedlabError(f"analysis failed: {' '.join(command[1:4])}; "
                                    f"log: {shown(log_path)}")


def _describe_failure(request, outcome, console):
    if outcome.timed_out:
        how = ("it ignored SIGTERM and was killed with SIGKILL" if outcome.killed
               else "QEMU stopped with SIGTERM")
        return (f"ran longer than its wall-clock bound of {request.timeout:g}s (--timeout): "
                f"hung, or the host is very slow; {how}; console: {shown(console)}")
    complaint = qemu_error(console)
    if outcome.status != 0 and complaint:
        return f"QEMU could not run: {complaint}; console: {shown(console)}"
    if outcome.status != 0:
        return (f"workload exited with status {outcome.status}{because(console)}; "
                f"console: {shown(console)}")
    return f"QEMU exited 0 but wrote no trace.bin; console: {shown(console)}"


def run_record(repo, request, out, **engine_fields):
    """What run.json says of every run, whatever its engine: the request, where its files
    are, its provenance, and the engine's own fields."""
    record = dict(asdict(request), out=str(out), variant=request.name, **engine_fields)
    del record["verbose"]
    record.update(provenance(repo, request.scheduler, request.settings, request.cpus,
                             request.name, request.engine))
    return record


def run_workload(repo, artifacts, request):
    out = prepare_run_directory(request)
    workload_elf = artifacts.workload(request.workload)
    if not workload_elf.is_file():
        return RunResult(request, False, f"the build made no {shown(workload_elf)}"
                         f"{why_not_built(repo, request.workload)}", 0.0)
    command = qemu_command(artifacts.kernel, workload_elf, request.cpus,
                           boot_arguments(request.seed, request.realtime,
                                          [f"{PLACEMENT_ARGUMENT}={request.placement}",
                                           *request.params]),
                           realtime=request.realtime)
    console = out / "console.log"
    record = run_record(repo, request, out, clock="realtime" if request.realtime else "icount",
                        timing_model=timing_model(request.cpus, request.realtime),
                        build_dir=str(artifacts.directory), qemu_command=command)
    with recording_interruption(out, record):
        outcome = run_qemu(command, out, console, request.timeout, request.verbose)
        traced = not outcome.timed_out and outcome.status == 0 and (out / "trace.bin").is_file()
        record.update(status=outcome.status, timed_out=outcome.timed_out,
                      wall_seconds=round(outcome.seconds, 3))
        return conclude_run(repo, request, out, record,
                            None if traced else _describe_failure(request, outcome, console),
                            outcome.seconds)
