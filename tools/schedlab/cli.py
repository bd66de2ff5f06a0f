"""`schedlab` subcommands: argument parsing, validation, and which module does the work."""
import argparse
import subprocess
import sys
from pathlib import Path

from . import REPO_ROOT, SchedlabError, UsageError, children, setup, shown
from .boot_params import FUZZ_KEYS, check_params, format_kernel_keys, refuse_unknown
from .build import build
from .compare import (DEFAULT_CPUS, DEFAULT_MACHINES, Comparison, machines_text, planned_bench,
                      read_plan, replot, run_suite)
from .configs import (discover_schedulers, discover_workloads, format_catalogue,
                      resolve_settings, split_compare_assignments, split_workload_assignments)
from .qemu import GDB_PORT, boot_arguments, gdb_attach_command, qemu_command
from .results_dirs import claim_out, describe_os_error
from .run import (PLACEMENT_ARGUMENT, PLACEMENTS, RunRequest, default_out, new_results_directory,
                  run_workload)
from .test import run_tests
from .variants import parse_variant, parse_variants, with_settings
from .workload_spec import why_not_built
from . import bench as benchmarks
from . import calibrate as calibration
from . import sim
from . import fuzz as fuzzing
from . import snakemake as workflows
from . import sweep as sweeping
from .sweep_spec import expand as expand_sweep, load_spec as load_sweep_spec
from analysis.timing_model import timing_model   # numpy-free

MAX_CPUS = 8   # the kernel starts up to 8 harts (DESIGN §3.4)

COMPARE_EPILOG = """\
Machines: by default QEMU at 1 hart (exact), the simulator at 1 hart (the report shows how
well it agrees with QEMU) and the simulator at 4 and 16 harts for the SMP comparison
(--machines qemu:1,sim:1,sim:4,sim:16). --engine E [--cpus N,..] runs every hart count on one
engine instead (QEMU's N-hart runs: --engine qemu --cpus 1,4).

Results: results/<timestamp>/<config>/<workload>/ per run, config = <sched>-<N>h on QEMU and
<sched>-<N>h-sim on the simulator, <sched> the configuration's name: rr, or
rr[timeslice_us=2000] for --scheds 'rr[timeslice_us=2000]' or --set timeslice_us=2000 (with
--repeat N > 1: .../<workload>/rep<i>/), then
report/index.html and summary.csv in results/<timestamp>/ (results/<timestamp>-2/ ... when
another command started in the same second).

Interrupted (Ctrl-C, SIGTERM): every QEMU stops at once, finished runs are kept, the others are
marked interrupted in their run.json, and the exit status is 130 (143 for SIGTERM). `compare
--resume DIR` runs what has no result yet, with the inputs recorded in DIR/compare-plan.json,
and writes the report.

Timing models (recorded in run.json, metrics.json, summary.csv and the report): 1 hart under
icount is exact; N > 1 harts under icount are shared-throughput: QEMU's instruction counter is
one clock for all harts, so N busy harts each run at 1/N speed (like N hardware threads on one
core, not N cores); --realtime is host-parallel (parallel on host threads, noisy); the
simulator is parallel-sim (N harts that really run in parallel, in simulated time).

--placement spread|creator (default spread): where the workload engine places the threads it
creates at N harts: spread over the harts at creation, or seL4's creator-hart rule.

--repeat: in deterministic (icount) mode, the default, a run depends only on its build,
workload and seed, so repeats with the same seed are identical and repeats with seeds
seed..seed+N-1 vary only through the seed. To measure run-to-run noise (parallel speed-up,
balancing) use --repeat with --realtime; the report then gives means with 95% Student-t
confidence intervals.
"""


BENCH_EPILOG = """\
Writes DIR/bench.json (per operation, policy, trace and harts: instructions per operation,
min / median / max over rounds, each round's figure; the operations the root tasks did not
print, under "missing"; seL4's reference figures from bench/reference/ and the verdicts;
commit, QEMU version) and each round's console under DIR/bench/. Every figure is an exact
instruction count (-icount shift=0): each root task boots at least twice, more (up to 5) while
two rounds in a row differ; a figure whose rounds differed is marked in the table. The exit
status is 1 when a root task failed; a missing operation is reported, not an error.
"""


SWEEP_EPILOG = """\
Results: DIR/runs/<key>/ per run, key = a content hash of the source (commit and uncommitted
changes), configuration, workload and its parameters, engine, harts, seed and placement; a run
whose directory has a result (run.json state ok) is not run again, so an interrupted sweep goes
on where it stopped and a finished one does nothing. DIR/sweep-plan.json lists every run; the
report is DIR/sweep.html (a metric against each swept parameter, one line per configuration,
95% intervals over the seeds), DIR/sweep.csv (a row per run) and DIR/sweep-means.csv.
With --snakemake, `snakemake -s WORKFLOW/Snakefile --cores N` runs the same steps into DIR.
"""


FUZZ_EPILOG = """\
Each run: results/fuzz-<timestamp>/<sched>-<N>h-seed<K>/console.log (and command.txt: the QEMU
command line and the replay command). A run passes when the fuzzer prints its FUZZ SUMMARY line
(calls issued, replies per seL4 error, faults, restarts, rebuilds, checks passed) and exits 0.
A failed check, a kernel panic or a hang fails it: the seed and the command that replays the run
exactly are printed, and the exit status is 1. Runs are deterministic (-icount): the same build,
harts and seed give the same run.
"""


class _Parser(argparse.ArgumentParser):
    """Reports errors as `error: --flag: ...` (exit 2) like the checks made after parsing."""

    def error(self, message):
        raise UsageError(message.removeprefix("argument "), self.prog)


def _names(catalogue):
    return ", ".join(catalogue) or "(none found)"


def _one_of(kind, catalogue):
    def parse(value):
        if value not in catalogue:
            raise argparse.ArgumentTypeError(
                f"unknown {kind} '{value}'; valid: {_names(catalogue)}")
        return value
    return parse


def _list_of(kind, catalogue):
    one = _one_of(kind, catalogue)
    # Duplicates dropped: two runs of one name would write the same directory.
    return lambda value: list(dict.fromkeys(one(name.strip()) for name in value.split(",")
                                            if name.strip()))


def _variants(schedulers):
    """compare's --scheds: configurations (variants.py), each once, with their settings."""
    def parse(value):
        try:
            return parse_variants(value, schedulers, report=_note)
        except UsageError as error:   # argparse puts the flag in front itself
            raise argparse.ArgumentTypeError(error.args[0].removeprefix("--scheds: ")) from None
    return parse


def _variant(schedulers, flag):
    """--sched of build, run, debug: one configuration -> (name, scheduler, settings)."""
    def parse(value):
        try:
            return parse_variant(value, schedulers, flag=flag)
        except UsageError as error:
            raise argparse.ArgumentTypeError(error.args[0].removeprefix(f"{flag}: ")) from None
    return parse


def _note(line):
    print(f"note: {line}", file=sys.stderr, flush=True)


def _cpus(value):
    if not value.isdigit() or not 1 <= int(value) <= MAX_CPUS:
        raise argparse.ArgumentTypeError(f"invalid number of harts '{value}'; "
                                         f"valid: 1..{MAX_CPUS}")
    return int(value)


ENGINES = ("qemu", "sim")


def _run_cpus(value):
    """--cpus of run: checked against the engine's limit once the engine is known."""
    if not value.isdigit() or not 1 <= int(value) <= sim.MAX_SIM_CPUS:
        raise argparse.ArgumentTypeError(f"invalid number of harts '{value}'; valid: "
                                         f"1..{MAX_CPUS} (--engine qemu), "
                                         f"1..{sim.MAX_SIM_CPUS} (--engine sim)")
    return int(value)


def _hart_counts(value, one, valid):
    """1,4 -> [1, 4], each checked by one(); an empty entry (1,,4 or 1,) is refused, not
    skipped: it is a typo; duplicates dropped (they would share a directory)."""
    parts = [part.strip() for part in value.split(",")]
    if not all(parts):
        raise argparse.ArgumentTypeError(f"invalid number of harts '{value}'; valid: {valid}, "
                                         "comma-separated")
    return list(dict.fromkeys(one(part) for part in parts))


def _cpus_list(value):
    return _hart_counts(value, _cpus, f"1..{MAX_CPUS}")


def _compare_cpus_list(value):
    """compare's --cpus: like run's, checked against the engine's limit once it is known."""
    return _hart_counts(value, _run_cpus, f"1..{MAX_CPUS} (--engine qemu), "
                                          f"1..{sim.MAX_SIM_CPUS} (--engine sim)")


def _machines(value):
    """qemu:1,sim:4 -> [("qemu", 1), ("sim", 4)]: each engine and hart count checked."""
    machines = []
    for part in (p.strip() for p in value.split(",")):
        engine, _, cpus = part.partition(":")
        limit = MAX_CPUS if engine == "qemu" else sim.MAX_SIM_CPUS
        if engine not in ENGINES or not cpus.isdigit() or not 1 <= int(cpus) <= limit:
            raise argparse.ArgumentTypeError(
                f"invalid machine '{part}'; expected ENGINE:HARTS, comma-separated, with ENGINE "
                f"qemu (harts 1..{MAX_CPUS}) or sim (harts 1..{sim.MAX_SIM_CPUS})")
        machines.append((engine, int(cpus)))
    return list(dict.fromkeys(machines))


def _repeat(value):
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"invalid repeat count '{value}'; "
                                         "valid: an integer >= 1")
    return int(value)


def _seed(value):
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"invalid seed '{value}'; valid: an integer >= 0")
    return int(value)


def _positive(what):
    def parse(value):
        if not value.isdigit() or int(value) < 1:
            raise argparse.ArgumentTypeError(f"invalid {what} '{value}'; valid: an integer >= 1")
        return int(value)
    return parse


def _seconds(value):
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"invalid timeout '{value}'; valid: seconds > 0")
    return seconds


def _boot_parameter(value):
    # Boot arguments are one space-separated string, so a value cannot hold a space.
    key, separator, _ = value.partition("=")
    if not separator or not key or any(c.isspace() for c in value):
        raise argparse.ArgumentTypeError(f"expected key=value without spaces, got '{value}'")
    return value


def _add_build_options(parser, schedulers, runs=True):
    """--sched, --set, --verbose; `runs`: the command also runs a workload, so --set takes
    workload parameters too and --verbose shows the console (build's help says neither)."""
    parser.add_argument("--sched", required=True, metavar="CONFIG",
                        type=_variant(schedulers, "--sched"),
                        help=f"scheduler config from configs/ ({_names(schedulers)}), or one "
                             "with parameter values, e.g. 'rr[timeslice_us=2000]'")
    build_set = ("a scheduler config's parameter or the machine model's, e.g. "
                 "timeslice_us=2000 (see ./schedlab list): builds into build/<sched>-<hash>")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help=f"override a parameter (see ./schedlab list): a workload's, e.g. "
                             "interactive.count=8, through the boot arguments; " + build_set
                        if runs else "override " + build_set)
    parser.add_argument("--verbose", action="store_true",
                        help="show build output and the QEMU console on the terminal" if runs
                        else "show the build's output on the terminal")


def _add_machine_options(parser):
    parser.add_argument("--cpus", type=_cpus, default=1, metavar="N",
                        help=f"harts, 1..{MAX_CPUS} (default 1)")
    _add_seed_and_clock(parser, "workload seed (default 1)")


def _add_seed_and_clock(parser, seed_help):
    parser.add_argument("--seed", type=_seed, default=1, metavar="N", help=seed_help)
    parser.add_argument("--realtime", action="store_true",
                        help="real time instead of -icount (not reproducible, noisy; needed "
                             "for parallel speed-up on several harts)")
    parser.add_argument("--param", type=_boot_parameter, action="append", default=[],
                        metavar="KEY=VALUE",
                        help="workload parameter passed through the boot arguments")


def _add_placement(parser):
    parser.add_argument("--placement", type=_one_of("placement", PLACEMENTS),
                        default=PLACEMENTS[0], metavar="|".join(PLACEMENTS),
                        help="where the workload engine places the threads it creates at N "
                             "harts: spread (over the harts at creation, the default) or "
                             "creator (seL4's rule: a thread starts on its creator's hart); "
                             f"passed as the boot argument {PLACEMENT_ARGUMENT}")


def _check_no_placement_param(params):
    """engine.placement has its own flag, so a run records which placement it used."""
    for param in params:
        if param.partition("=")[0] == PLACEMENT_ARGUMENT:
            raise UsageError(f"--param: {PLACEMENT_ARGUMENT} is set with --placement; "
                             f"valid: --placement {'|'.join(PLACEMENTS)}")


def _add_baseline(sub):
    sub.add_argument("--baseline", metavar="NAME",
                     help="the configuration the report normalises figures to (default rr), "
                          "e.g. mlfq or 'rr[timeslice_us=2000]'")


def _add_force(parser, what):
    parser.add_argument("--force", action="store_true",
                        help=f"write into an --out directory that already holds {what}")


def _add_timeout(parser):
    parser.add_argument("--timeout", type=_seconds, default=120, metavar="SECONDS",
                        help="wall-clock seconds before QEMU is killed (default 120)")


def build_parser(schedulers, workloads):
    parser = _Parser(prog="schedlab", description="Build, run and compare SchedLab schedulers "
                     "in QEMU. Results are plain files under results/.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, handler, help):
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(handler=handler)
        return sub

    command("list", cmd_list, "list schedulers with their parameters, and workloads")

    sub = command("build", cmd_build, "build the kernel and workloads for one scheduler")
    _add_build_options(sub, schedulers, runs=False)

    sub = command("run", cmd_run, "build if needed, run one workload in QEMU (or on the "
                  "simulator: --engine sim), then compute its metrics and plots")
    _add_build_options(sub, schedulers)
    sub.add_argument("--workload", required=True, metavar="NAME",
                     type=_one_of("workload", workloads),
                     help=f"workload from workloads/: {_names(workloads)}")
    sub.add_argument("--cpus", type=_run_cpus, default=1, metavar="N",
                     help=f"harts, 1..{MAX_CPUS} in QEMU, 1..{sim.MAX_SIM_CPUS} on the "
                          "simulator (default 1)")
    _add_seed_and_clock(sub, "workload seed (default 1)")
    sub.add_argument("--engine", choices=ENGINES, default=ENGINES[0],
                     help="qemu (the kernel in QEMU, the default) or sim (the simulator, sim/: "
                          "the same policy and workload code on N parallel simulated harts, "
                          "timing model parallel-sim)")
    sub.add_argument("--costs", type=Path, metavar="FILE",
                     help="--engine sim: the cost table (default sim/costs/<sched>.json, "
                          "measured by ./schedlab calibrate)")
    _add_placement(sub)
    _add_timeout(sub)
    sub.add_argument("--out", type=Path, metavar="DIR",
                     help="run directory (default results/<timestamp>/<sched>/<workload>); "
                          "one that holds files is refused without --force")
    _add_force(sub, "results")

    sub = command("compare", cmd_compare, "run every workload on every scheduler on QEMU at 1 "
                  "hart and on the simulator at 1, 4 and 16 harts, runs in parallel, and write "
                  "a comparison report")
    sub.epilog = COMPARE_EPILOG
    sub.formatter_class = argparse.RawDescriptionHelpFormatter
    sub.add_argument("--scheds", metavar="CONFIG,..", type=_variants(schedulers),
                     help="comma-separated configurations: a scheduler, or a scheduler with "
                          "parameter values, e.g. 'rr,rr[timeslice_us=2000],mlfq[levels=4]' "
                          f"(default every scheduler: {_names(schedulers)})")
    sub.add_argument("--workloads", metavar="W,..", type=_list_of("workload", workloads),
                     help=f"comma-separated workloads (default all: {_names(workloads)})")
    sub.add_argument("--cpus", type=_compare_cpus_list, metavar="N,..",
                     help=f"comma-separated hart counts for --engine, each 1..{MAX_CPUS} "
                          f"(1..{sim.MAX_SIM_CPUS} with --engine sim; default "
                          f"{','.join(map(str, DEFAULT_CPUS['qemu']))} on QEMU, "
                          f"{','.join(map(str, DEFAULT_CPUS['sim']))} on the simulator)")
    sub.add_argument("--machines", type=_machines, metavar="ENGINE:N,..",
                     help="the machines to compare on, e.g. qemu:1,sim:4 (default "
                          f"{machines_text(DEFAULT_MACHINES)}; not with --engine or --cpus)")
    sub.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                     help="override a parameter (see ./schedlab list) of every compared "
                          "workload that has it (boot arguments) and every compared scheduler "
                          "that has it (a build in build/<sched>-<hash>)")
    _add_seed_and_clock(sub, "workload seed (default 1); with --repeat R the repeats use "
                             "seeds N..N+R-1")
    sub.add_argument("--repeat", type=_repeat, default=1, metavar="N",
                     help="run each configuration N times (seeds seed..seed+N-1, into "
                          ".../<workload>/rep<i>/) and report means with 95%% confidence "
                          "intervals; meant with --realtime (see below)")
    _add_placement(sub)
    _add_timeout(sub)
    sub.add_argument("--no-bench", dest="bench", action="store_false",
                     help="leave out the microbenchmarks (./schedlab bench, one round, tracing "
                          "on, 1 hart, on the compared kernel builds: about 15 s) and the "
                          "report's bench section")
    sub.add_argument("--out", type=Path, metavar="DIR",
                     help="report directory (default results/<timestamp>); one that holds "
                          "files is refused without --force")
    _add_force(sub, "results")
    sub.add_argument("--resume", type=Path, metavar="DIR",
                     help="go on with the interrupted compare in DIR: run only what has no "
                          "result yet (its inputs are DIR/compare-plan.json), then the report")
    _add_baseline(sub)
    sub.set_defaults(compare_parser=sub)
    sub.add_argument("--engine", choices=ENGINES,
                     help="qemu or sim: every hart count of --cpus on that engine instead of "
                          "the default machines (sim: the simulator, sim/, timing model "
                          f"parallel-sim, --cpus up to {sim.MAX_SIM_CPUS}); workloads the "
                          "simulator does not model are left out of its runs, and it says so")

    sub = command("sweep", cmd_sweep, "run the grid of a sweep file (JSON or TOML: "
                  "configurations and parameter ranges, workloads and their parameters, harts, "
                  "engines, seeds) in parallel, skipping runs that have a result, then the sweep "
                  "report; or write it as a Snakemake workflow")
    sub.epilog = SWEEP_EPILOG
    sub.formatter_class = argparse.RawDescriptionHelpFormatter
    sub.add_argument("spec", type=Path, metavar="SPEC", help="the sweep file (.toml or .json)")
    sub.add_argument("-j", "--jobs", type=_positive("number of parallel runs"),
                     default=sweeping.default_parallel(), metavar="N",
                     help=f"runs at a time (default the core count, {sweeping.default_parallel()})")
    sub.add_argument("--out", type=Path, metavar="DIR",
                     help="the sweep's directory (default results/sweep-<SPEC's name>); the "
                          "same sweep again into it runs only what has no result")
    sub.add_argument("--snakemake", type=Path, metavar="DIR",
                     help="do not run: write DIR/Snakefile and DIR/config.json, whose rules "
                          "are sweep-build, sweep-run and sweep-report, for `snakemake "
                          "--cores N` here or a Snakemake profile on a cluster")

    sub = command("sweep-build", cmd_sweep_build, "build one of a sweep's builds (a rule of "
                  "the Snakemake workflow; ./schedlab sweep does it itself)")
    sub.add_argument("dir", type=Path, metavar="DIR", help="the sweep's directory")
    sub.add_argument("build", metavar="BUILD", help="a build of DIR/sweep-plan.json")
    sub = command("sweep-run", cmd_sweep_run, "run one of a sweep's runs into DIR/runs/KEY (a "
                  "rule of the Snakemake workflow)")
    sub.add_argument("dir", type=Path, metavar="DIR", help="the sweep's directory")
    sub.add_argument("key", metavar="KEY", help="a run's key in DIR/sweep-plan.json")
    sub = command("sweep-report", cmd_sweep_report, "write a sweep's report from its runs: "
                  "sweep.csv, sweep-means.csv, sweep.html and plots")
    sub.add_argument("dir", type=Path, metavar="DIR", help="the sweep's directory")

    sub = command("calibrate", cmd_calibrate, "measure the simulator's cost tables in QEMU "
                  "(sim/costs/<sched>.json) from the kernel's paths in icount traces")
    sub.add_argument("--scheds", metavar="A,B", type=_list_of("scheduler", schedulers),
                     help=f"comma-separated schedulers (default all: {_names(schedulers)})")
    sub.add_argument("--out", type=Path, metavar="DIR",
                     help="where the calibration runs go (default results/calibrate-<timestamp>)")
    sub.add_argument("--verbose", action="store_true", help="show build output and the QEMU console")

    sub = command("bench", cmd_bench, "run the microbenchmarks (kernel operations, slice "
                  "accounting, policy decisions) per scheduler with tracing compiled in and "
                  "out, and print them next to seL4's figures")
    sub.epilog = BENCH_EPILOG
    sub.formatter_class = argparse.RawDescriptionHelpFormatter
    sub.add_argument("--scheds", metavar="A,B", type=_list_of("scheduler", schedulers),
                     help=f"comma-separated schedulers (default all: {_names(schedulers)})")
    sub.add_argument("--trace", metavar="on,off", type=_list_of("trace", benchmarks.TRACES),
                     default=list(benchmarks.TRACES),
                     help="tracing compiled in (on), out (off) or both (default on,off)")
    sub.add_argument("--cpus", type=_cpus, default=1, metavar="N",
                     help=f"harts, 1..{MAX_CPUS} (default 1; seL4's figures are at 1)")
    sub.add_argument("--out", type=Path, metavar="DIR",
                     help="where bench.json goes (default results/bench-<timestamp>); one "
                          "that holds files is refused without --force")
    _add_force(sub, "results")
    sub.add_argument("--verbose", action="store_true", help="show build output")

    sub = command("plot", cmd_plot, "recompute metrics and redraw plots from saved traces")
    sub.add_argument("dir", type=Path, metavar="DIR",
                     help="a run directory or a whole results/<timestamp> directory")
    _add_baseline(sub)

    sub = command("export", cmd_export, "export traces as Perfetto/Chrome trace-event JSON")
    sub.add_argument("--perfetto", type=Path, required=True, metavar="DIR",
                     help="directory to write one .json per run into")
    sub.add_argument("results", type=Path, nargs="?", metavar="RESULTS",
                     help="a run directory or results/<run> (default: the newest results/)")

    sub = command("test", cmd_test, "install what is missing, build, and run every test "
                  "(unit, qemu, analysis) with ctest")
    sub.add_argument("ctest_args", nargs="*", metavar="-- CTEST_ARGS",
                     help="extra ctest arguments after --, e.g. -- -L unit")

    sub = command("fuzz", cmd_fuzz, "build if needed and run the kernel fuzzer in QEMU: "
                  "seeded random system calls from unprivileged workers, checked continually")
    sub.epilog = FUZZ_EPILOG
    sub.formatter_class = argparse.RawDescriptionHelpFormatter
    sub.add_argument("--sched", required=True, metavar="NAME[,NAME..]",
                     type=_list_of("scheduler", schedulers),
                     help=f"scheduler config(s) from configs/: {_names(schedulers)}")
    sub.add_argument("--cpus", type=_cpus_list, default=[1], metavar="N[,N..]",
                     help=f"harts, each 1..{MAX_CPUS} (default 1)")
    sub.add_argument("--seed", type=_seed, default=1, metavar="K",
                     help="seed: every random choice follows from it (default 1)")
    sub.add_argument("--runs", type=_positive("number of runs"), default=1, metavar="R",
                     help="run seeds K..K+R-1 (default 1)")
    calls = sub.add_mutually_exclusive_group()
    calls.add_argument("--calls", type=_positive("call count"), default=fuzzing.DEFAULT_CALLS,
                       metavar="M", help="system calls the workers issue in all "
                       f"(default {fuzzing.DEFAULT_CALLS})")
    calls.add_argument("--long", action="store_true",
                       help=f"the long campaign: {fuzzing.LONG_CALLS} calls per run")
    sub.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                     help="build parameter, e.g. check_invariants=ON (the kernel checks its "
                          "invariants at every exit; slower) or timeslice_us=2000")
    sub.add_argument("--param", type=_boot_parameter, action="append", default=[],
                     metavar="KEY=VALUE", help="extra boot argument, e.g. fuzz.workers=6")
    sub.add_argument("--timeout", type=_seconds, metavar="SECONDS",
                     help="wall-clock seconds before QEMU is killed as hung (default: "
                          f"{fuzzing.BASE_TIMEOUT_S} + {fuzzing.TIMEOUT_S_PER_CALL} per call)")
    sub.add_argument("--out", type=Path, metavar="DIR",
                     help="directory for the runs (default results/fuzz-<timestamp>)")
    sub.add_argument("--keep-trace", action="store_true",
                     help="keep the kernel's trace.bin of each run (large for long runs)")
    sub.add_argument("--verbose", action="store_true",
                     help="show build output and the QEMU console on the terminal")

    sub = command("debug", cmd_debug, "start QEMU halted with a gdb stub and print "
                  "how to attach gdb-multiarch")
    _add_build_options(sub, schedulers)
    sub.add_argument("--workload", required=True, metavar="NAME",
                     type=_one_of("workload", workloads),
                     help=f"workload from workloads/: {_names(workloads)}")
    _add_machine_options(sub)
    _add_placement(sub)
    sub.add_argument("--debug-build", action="store_true",
                     help="kernel and workload unoptimised (-O0), built into their own "
                          "directory (build/<sched>-debug), so gdb shows every variable")
    return parser


def cmd_list(args, repo):
    print(format_catalogue(discover_schedulers(repo), discover_workloads(repo)))
    print(f"\n{format_kernel_keys()}")
    return 0


def _settings(args, repo):
    """The build settings of --sched CONFIG with --set on top; afterwards args.sched is the
    scheduler and args.variant the configuration's name (rr[timeslice_us=2000])."""
    assignments = args.set
    if getattr(args, "workload", None):   # workload keys go to the boot arguments
        boot, assignments = split_workload_assignments(discover_workloads(repo)[args.workload],
                                                       args.set)
        args.param = args.param + boot
    name, args.sched, own = args.sched
    scheduler = discover_schedulers(repo)[args.sched]
    args.variant, settings = with_settings(name, scheduler, own,
                                           resolve_settings(scheduler, assignments))
    return settings


# Flags are checked before setup.ensure(), so a typo never waits for an apt-get install.
def cmd_build(args, repo):
    settings = _settings(args, repo)
    setup.ensure()
    artifacts = build(repo, args.sched, settings, verbose=args.verbose)
    print(f"kernel: {shown(artifacts.kernel)}")
    return 0


def cmd_run(args, repo):
    _check_no_placement_param(args.param)
    check_params(args.param, [discover_workloads(repo)[args.workload]], "schedlab run")
    if args.engine == "qemu" and args.cpus > MAX_CPUS:
        raise UsageError(f"--cpus: {args.cpus} harts: valid 1..{MAX_CPUS} with --engine qemu "
                         f"(the kernel starts up to {MAX_CPUS}); 1..{sim.MAX_SIM_CPUS} with "
                         "--engine sim", "schedlab run")
    if args.engine == "sim" and args.realtime:
        raise UsageError("--realtime: the simulator has no wall clock (its timing model is "
                         "parallel-sim); use --engine qemu --realtime", "schedlab run")
    if args.costs and args.engine != "sim":
        raise UsageError("--costs: only --engine sim uses a cost table", "schedlab run")
    if args.engine == "sim":
        return _run_sim(args, repo)
    settings = _settings(args, repo)
    setup.ensure()
    out = _run_out(args, repo)
    artifacts = build(repo, args.sched, settings, verbose=args.verbose)
    request = RunRequest(args.sched, args.workload, out,
                         cpus=args.cpus, seed=args.seed, realtime=args.realtime,
                         params=args.param, settings=settings, timeout=args.timeout,
                         verbose=args.verbose, placement=args.placement,
                         variant=args.variant)
    model = timing_model(args.cpus, args.realtime)
    print(f"run {request.name}/{args.workload} on {args.cpus} hart(s), timing model {model}, "
          f"placement {args.placement} -> {shown(request.out)}", flush=True)
    result = run_workload(repo, artifacts, request)
    print(f"run {request.name}/{args.workload}: {result.message} ({result.seconds:.1f}s)",
          file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


def _run_out(args, repo):
    """The run's directory: --out (refused if it holds files, without --force), or a new one."""
    if args.out:
        return claim_out(args.out, args.force)
    return default_out(repo, args.variant, args.workload)


def _run_sim(args, repo):
    settings = _settings(args, repo)
    costs = args.costs or sim.default_costs(repo, args.sched)
    if not Path(costs).is_file():
        raise UsageError(f"--costs {costs}: no such file", "schedlab run")
    out = _run_out(args, repo)
    build_dir = sim.build_sim(repo, args.sched, settings, verbose=args.verbose)
    request = RunRequest(args.sched, args.workload, out, cpus=args.cpus, seed=args.seed,
                         params=args.param, settings=settings,
                         timeout=args.timeout, verbose=args.verbose, placement=args.placement,
                         variant=args.variant)
    print(f"run {request.name}/{args.workload} on the simulator, {args.cpus} hart(s), timing "
          f"model {sim.PARALLEL_SIM}, costs {shown(costs)}, placement {args.placement} -> "
          f"{shown(request.out)}", flush=True)
    result = sim.run_sim(repo, build_dir, request, costs)
    print(f"run {request.name}/{args.workload}: {result.message} ({result.seconds:.2f}s)",
          file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


def cmd_calibrate(args, repo):
    schedulers = args.scheds or list(discover_schedulers(repo))
    setup.ensure()
    out = args.out or new_results_directory(repo, "calibrate-")
    calibration.calibrate(repo, schedulers, out, verbose=args.verbose)
    return 0


REPEAT_WITHOUT_REALTIME = (
    "note: --repeat in deterministic (icount) mode: the repeats differ through their seeds (the "
    "workloads' drawn durations, counts and arrivals), so the intervals are over seeds; add "
    "--realtime to measure run-to-run noise as well")


def comparison_from_args(args, repo):
    """The Comparison the flags ask for; --set dispatched to builds and boot arguments."""
    _check_no_placement_param(args.param)
    all_schedulers, all_workloads = discover_schedulers(repo), discover_workloads(repo)
    variants = args.scheds or [(name, name, {}) for name in all_schedulers]
    workloads = args.workloads or list(all_workloads)
    if not variants or not workloads:
        raise UsageError("compare: no schedulers in configs/ or no workloads in workloads/")
    bases = list(dict.fromkeys(base for _, base, _ in variants))
    extra, boot = split_compare_assignments([all_schedulers[s] for s in bases],
                                            [all_workloads[w] for w in workloads], args.set)
    settings = _with_set(variants, all_schedulers, extra)
    schedulers = list(settings)
    check_params(args.param, [all_workloads[w] for w in workloads], "schedlab compare")
    params = {workload: boot[workload] + args.param for workload in workloads}
    machines = _compare_machines(args)
    sim_workloads = None
    if any(engine == "sim" for engine, _ in machines):
        only_sim = all(engine == "sim" for engine, _ in machines)
        sim_workloads = _simulated_workloads(workloads, all_workloads, only_sim)
        if only_sim:
            workloads = sim_workloads
    return Comparison(schedulers, workloads, machines=machines, seed=args.seed,
                      repeat=args.repeat, realtime=args.realtime, timeout=args.timeout,
                      settings=settings, params=params, placement=args.placement,
                      sim_workloads=sim_workloads)


def _with_set(variants, all_schedulers, extra):
    """{name: settings} of the configurations with --set on top (`extra`: {scheduler:
    settings}): --set timeslice_us=2000 makes rr rr[timeslice_us=2000]. Two that become one
    run once, saying so."""
    settings = {}
    for name, base, own in variants:
        merged_name, merged = with_settings(name, all_schedulers[base], own, extra[base])
        if merged_name in settings:
            _note(f"--set: {name} becomes {merged_name}, already listed: run once")
        settings.setdefault(merged_name, merged)
    return settings


def _compare_machines(args):
    """--machines, or --engine/--cpus, or the default machines (QEMU with --realtime)."""
    if args.machines and (args.engine or args.cpus):
        raise UsageError("--machines: names engine and harts itself; give either --machines "
                         "or --engine/--cpus", "schedlab compare")
    if args.machines:
        machines = args.machines
    elif args.engine or args.cpus or args.realtime:
        engine = args.engine or "qemu"
        machines = [(engine, cpus) for cpus in args.cpus or DEFAULT_CPUS[engine]]
        if engine == "qemu" and max(cpus for _, cpus in machines) > MAX_CPUS:
            raise UsageError(f"--cpus: {max(c for _, c in machines)} harts: valid 1..{MAX_CPUS} "
                             f"with --engine qemu; 1..{sim.MAX_SIM_CPUS} with --engine sim",
                             "schedlab compare")
    else:
        machines = list(DEFAULT_MACHINES)
    if args.realtime and any(engine == "sim" for engine, _ in machines):
        raise UsageError("--realtime: the simulator has no wall clock (its timing model is "
                         "parallel-sim); use --engine qemu --realtime", "schedlab compare")
    return machines


def _simulated_workloads(workloads, all_workloads, only_sim):
    """The workloads the simulator models (the others named: left out of its runs)."""
    kept = []
    for workload in workloads:
        why = _not_simulated(all_workloads[workload])
        if why:
            where = "left out" if only_sim else "left out of the simulator's runs"
            print(f"compare: {workload} {where}: {why}", file=sys.stderr, flush=True)
        else:
            kept.append(workload)
    if only_sim and not kept:
        raise UsageError("--engine sim: none of the chosen workloads can be simulated",
                         "schedlab compare")
    return kept


def cmd_compare(args, repo):
    if args.resume:
        return _resume_compare(args, repo)
    comparison = comparison_from_args(args, repo)
    compared = [str(name) for name in comparison.schedulers]
    if args.baseline is not None and args.baseline not in compared:
        raise UsageError(f"--baseline {args.baseline}: not a compared configuration; valid: "
                         f"{', '.join(compared)}", "schedlab compare")
    if comparison.repeat > 1 and not comparison.realtime:
        print(REPEAT_WITHOUT_REALTIME, file=sys.stderr, flush=True)
    setup.ensure()
    out = claim_out(args.out, args.force) if args.out else new_results_directory(repo)
    chosen = {} if args.baseline is None else {"baseline": args.baseline}
    return 0 if run_suite(repo, comparison, out, bench=args.bench, **chosen) else 1


def cmd_sweep(args, repo):
    spec = load_sweep_spec(args.spec)
    name = args.spec.stem
    workloads = discover_workloads(repo)
    sweep = expand_sweep(spec, discover_schedulers(repo), workloads, name,
                         not_modelled=lambda workload: _not_simulated(workloads[workload]))
    for note in sweep.notes:
        print(note, file=sys.stderr, flush=True)
    out = sweeping.claim_directory(args.out or Path(repo) / "results" / f"sweep-{name}")
    plan = sweeping.make_plan(repo, sweep, args.spec)
    sweeping.write_plan(out, plan)
    if args.snakemake:
        snakefile = workflows.write_workflow(args.snakemake, out, plan, args.spec)
        print(f"sweep {name}: {len(plan['runs'])} runs; workflow {shown(snakefile)}, results in "
              f"{shown(out)}. Run it here with:\n  snakemake -s {shown(snakefile)} --cores "
              f"{sweeping.default_parallel()}\nor on a cluster with a profile: add --profile "
              "NAME", flush=True)
        try:
            workflows.check_installed()
        except SchedlabError as error:
            print(f"note: {error}", file=sys.stderr)
        return 0
    setup.ensure()
    return 0 if sweeping.run_sweep(repo, out, plan, args.jobs) else 1


def _not_simulated(workload):
    """Why the simulator cannot run `workload` (configs.Workload), or None."""
    path = getattr(workload, "path", None)
    if not path or not str(path).endswith(".json"):
        return "a hand-written root task: the simulator runs spec workloads only"
    return sim.not_modelled(path)


def cmd_sweep_build(args, repo):
    plan = sweeping.read_plan(args.dir)
    setup.ensure()
    sweeping.do_build(repo, args.dir, plan, args.build)
    return 0


def cmd_sweep_run(args, repo):
    return 0 if sweeping.run_one(repo, args.dir, args.key) else 1


def cmd_sweep_report(args, repo):
    sweeping.read_plan(args.dir)
    return 0 if sweeping.report(repo, args.dir) else 1


def cmd_bench(args, repo):
    if not args.trace:
        raise UsageError(f"--trace: empty; valid: {', '.join(benchmarks.TRACES)}",
                         "schedlab bench")
    schedulers = args.scheds or list(discover_schedulers(repo))
    if not schedulers:
        raise UsageError("bench: no schedulers in configs/")
    setup.ensure()
    out = claim_out(args.out, args.force) if args.out else new_results_directory(repo, "bench-")
    command_line = (f"schedlab bench --scheds {','.join(schedulers)} --trace "
                    f"{','.join(args.trace)} --cpus {args.cpus}")
    ok = benchmarks.bench_command(repo, schedulers, args.trace, out, cpus=args.cpus,
                                  verbose=args.verbose, command_line=command_line)
    return 0 if ok else 1


def _resume_compare(args, repo):
    """compare --resume DIR: the plan is DIR's, so no flag may say otherwise."""
    parser = args.compare_parser
    for action in parser._actions:
        # --baseline only changes the report, so it may differ from the first compare's
        if action.dest not in ("help", "resume", "compare_parser", "handler", "baseline") and \
                getattr(args, action.dest, None) != parser.get_default(action.dest):
            raise UsageError(f"--resume: {action.option_strings[0]} cannot be given with it "
                             f"(the compare's inputs are {args.resume}/compare-plan.json)",
                             "schedlab compare")
    comparison = read_plan(args.resume)
    setup.ensure()
    chosen = {} if args.baseline is None else {"baseline": args.baseline}
    return 0 if run_suite(repo, comparison, args.resume, resume=True,
                          bench=planned_bench(args.resume), **chosen) else 1


def cmd_plot(args, repo):
    if not args.dir.is_dir():
        raise UsageError(f"plot: no such directory '{args.dir}'")
    if args.baseline is not None:     # before recomputing anything: a typo fails at once
        from analysis.key_figures import choose_baseline   # numpy-free
        from analysis.results import load_runs
        try:
            choose_baseline(load_runs(args.dir), args.baseline)
        except ValueError as error:
            raise UsageError(str(error), "schedlab plot") from None
    setup.ensure()
    return 0 if replot(repo, args.dir, **({} if args.baseline is None else
                                          {"baseline": args.baseline})) else 1


def cmd_export(args, repo):
    from .export import export_perfetto
    if args.results is not None and not args.results.is_dir():
        raise UsageError(f"export: no such directory '{args.results}'")
    return 0 if export_perfetto(repo, args.perfetto, args.results) else 1


def cmd_test(args, repo):
    setup.ensure(with_browser=True, with_workflows=True)
    return run_tests(repo, args.ctest_args)


def cmd_fuzz(args, repo):
    refuse_unknown(args.param, FUZZ_KEYS, "the fuzzer", "schedlab fuzz")
    schedulers = discover_schedulers(repo)
    settings = {name: resolve_settings(schedulers[name], args.set) for name in args.sched}
    calls = fuzzing.LONG_CALLS if args.long else args.calls
    setup.ensure()
    out = args.out or new_results_directory(repo, "fuzz-")
    requests = [fuzzing.FuzzRequest(scheduler=name, cpus=cpus, seed=seed, calls=calls,
                                    out=out / f"{name}-{cpus}h-seed{seed}",
                                    settings=settings[name], assignments=list(args.set),
                                    params=list(args.param), timeout=args.timeout,
                                    keep_trace=args.keep_trace, verbose=args.verbose)
                for name in args.sched for cpus in args.cpus
                for seed in range(args.seed, args.seed + args.runs)]
    results = fuzzing.fuzz_all(repo, requests, verbose=args.verbose)
    return 0 if all(result.ok for result in results) else 1


def cmd_debug(args, repo):
    _check_no_placement_param(args.param)
    check_params(args.param, [discover_workloads(repo)[args.workload]], "schedlab debug")
    settings = _settings(args, repo)
    setup.ensure(with_debugger=True)
    artifacts = build(repo, args.sched, settings, verbose=args.verbose, debug=args.debug_build)
    if not artifacts.workload(args.workload).is_file():
        raise SchedlabError(f"the build made no {shown(artifacts.workload(args.workload))}"
                            f"{why_not_built(repo, args.workload)}")
    out = default_out(repo, args.variant, args.workload)
    out.mkdir(parents=True, exist_ok=True)
    command = qemu_command(artifacts.kernel, artifacts.workload(args.workload), args.cpus,
                           boot_arguments(args.seed, args.realtime,
                                          [f"{PLACEMENT_ARGUMENT}={args.placement}", *args.param]),
                           realtime=args.realtime, wait_for_debugger=True)
    print(f"QEMU is halted, waiting for gdb on port {GDB_PORT} (trace.bin goes to "
          f"{shown(out)}). In another terminal run:\n  "
          f"{gdb_attach_command(artifacts.kernel, artifacts.workload(args.workload))}\n"
          "then 'continue' in gdb. Quit QEMU with Ctrl-A X.", flush=True)
    return subprocess.run(command, cwd=out).returncode


def main(argv=None, repo=REPO_ROOT):
    children.reset()
    try:
        with children.interruptible():
            parser = build_parser(discover_schedulers(repo), discover_workloads(repo))
            args = parser.parse_args(argv)
            return args.handler(args, repo)
    except UsageError as error:
        print(f"error: {error.args[0]}", file=sys.stderr)
        if len(error.args) > 1:
            print(f"usage: {error.args[1]} --help", file=sys.stderr)
        return 2
    except SchedlabError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:   # the machine's limits: a full disk, a directory not writable
        print(f"error: {describe_os_error(error)}", file=sys.stderr)
        return 1
    except (children.Interrupted, KeyboardInterrupt) as interruption:
        children.stop_all()
        children.wait_all()
        print("interrupted", file=sys.stderr)
        return getattr(interruption, "exit_status", 130)
