"""The simulator engine (sim/, DESIGN §4.4): building it, running a workload on it, and
`calibrate`, which measures its cost table in QEMU.

A simulator run directory holds what a QEMU run's does (console.log, trace.bin, run.json,
metrics.json, plots), so the analysis reads it unchanged; run.json says engine "sim", the cost
table it used (path and the commit it was measured at) and timing model parallel-sim.
"""
import json
import subprocess
import sys
import time
from pathlib import Path

from analysis.timing_model import PARALLEL_SIM   # numpy-free

from . import SchedlabError, children, shown
from .console_reason import because
from .workload_spec import why_not_built
from .build import build_locked, build_root
from .configs import settings_suffix

MAX_SIM_CPUS = 1024  # SCHED_MAX_HARTS of the simulator build (CMakeLists.txt)
COSTS_DIR = Path("sim") / "costs"
RUN_LIMIT_MS = 10000   # as QEMU runs' limit_ms: a workload still running then has hung


def build_directory(repo, scheduler, settings):
    """build/sim-<sched>, or build/sim-<sched>-<hash> for --set variants."""
    name = f"sim-{scheduler}-{settings_suffix(settings)}" if settings else f"sim-{scheduler}"
    return build_root(repo) / name


def build_sim(repo, scheduler, settings, verbose=False):
    """Configure and build the simulator for one scheduler configuration (under the build
    directory's lock, as every build); -> its build dir."""
    repo = Path(repo).resolve()
    directory = build_directory(repo, scheduler, settings)
    configure = ["cmake", "-S", str(repo), "-B", str(directory), "-G", "Ninja",
                 "-DSCHEDLAB_SIM=ON", f"-DSCHEDLAB_CONFIG={scheduler}",
                 *(f"-D{variable}={settings[variable]}" for variable in sorted(settings))]
    return build_locked(directory, f"sim {scheduler}", configure, verbose)


def not_modelled(spec_path):
    """Why the simulator cannot run the spec at spec_path (sim/src/setup.c refuses the same), or
    None: today only a workload with a pager (demand paging: VM faults and their handler)."""
    from .workload_spec import SpecError, load_spec
    try:
        spec = load_spec(spec_path)
    except SpecError:   # planned still: its run fails, saying what is wrong with the spec
        return None
    if spec.pager_frames >= 0:
        return "the simulator does not model the pager (demand paging); use --engine qemu"
    return None


def default_costs(repo, scheduler):
    """The committed cost table for a scheduler configuration: sim/costs/<sched>.json."""
    path = Path(repo) / COSTS_DIR / f"{scheduler}.json"
    if not path.is_file():
        raise SchedlabError(f"no cost table {shown(path)} for {scheduler}: measure one with "
                            f"`./schedlab calibrate --scheds {scheduler}` or pass --costs FILE")
    return path


def read_costs(path):
    """The cost table at `path` as a dict; a clear error if it is not one."""
    try:
        table = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise SchedlabError(f"--costs {path}: not a readable JSON cost table ({error})")
    if not isinstance(table.get("costs_ns"), dict):
        raise SchedlabError(f"--costs {path}: no \"costs_ns\" object of kernel operation costs")
    return table


def sim_arguments(request):
    """The boot arguments the root task would get (tools/schedlab/qemu.py boot_arguments, less
    the kernel's own clock= and semihost=)."""
    return " ".join([f"seed={request.seed}", f"engine.placement={request.placement}",
                     *request.params])


def run_sim(repo, build_dir, request, costs_path):
    """One workload on the simulator; writes the run directory (run.json's state as a QEMU
    run's, tools/schedlab/run.py) and analyses it."""
    from .run import RunResult, conclude_run, prepare_run_directory, recording_interruption, \
        run_record
    out = prepare_run_directory(request)
    binary = Path(build_dir) / "sim" / f"sim-{request.workload}"
    if not binary.is_file():
        return RunResult(request, False, f"the build made no {shown(binary)}"
                         f"{why_not_built(repo, request.workload)}", 0.0)
    table = read_costs(costs_path)
    command = [str(binary), "--harts", str(request.cpus), "--costs", str(Path(costs_path).resolve()),
               "--trace", str(out / "trace.bin"), "--args", sim_arguments(request),
               "--limit-ms", str(RUN_LIMIT_MS)]
    console = out / "console.log"
    record = run_record(repo, request, out, engine="sim", clock="simulated",
                        timing_model=PARALLEL_SIM, build_dir=str(build_dir), sim_command=command,
                        costs=str(Path(costs_path).resolve()), costs_commit=table.get("commit"),
                        costs_policy=table.get("policy"))
    with recording_interruption(out, record):
        started = time.monotonic()
        with open(console, "wb") as log:
            try:
                status = children.run(command, stdout=log, stderr=subprocess.STDOUT,
                                      timeout=request.timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                status, timed_out = None, True
        seconds = time.monotonic() - started
        if request.verbose:
            sys.stdout.write(console.read_text())
        record.update(status=status, timed_out=timed_out, wall_seconds=round(seconds, 3))
        traced = status == 0 and (out / "trace.bin").is_file()
        why = (f"ran longer than {request.timeout:g}s (--timeout)" if timed_out
               else f"the simulator exited with status {status}{because(console)}")
        return conclude_run(repo, request, out, record,
                            None if traced else f"{why}; console: {shown(console)}", seconds)
