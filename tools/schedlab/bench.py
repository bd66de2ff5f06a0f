"""`./schedlab bench`: the microbenchmarks, per policy, with tracing compiled in and out.

Every root task the build makes in bench/ (microbench: kernel operations; slicebench: what a
timeslice pays the kernel; policybench: the policy's pick and enqueue) runs in QEMU under
icount, where a figure is an exact instruction count, in rounds: a fresh boot each, at least
MIN_ROUNDS, more while the last two rounds differ, up to MAX_ROUNDS. Under icount the rounds
should agree exactly; where they did not, min / median / max say by how much and the table
marks it. Results: <out>/bench.json (every figure with its rounds, what was missing, the seL4
reference figures of bench/reference/ and the verdicts against them, provenance), each
round's console in <out>/bench/<policy>-trace<on|off>-<N>h/<root task>/round<i>.log, and the
table printed (analysis/bench_table.py).

Root tasks print `bench <operation> <instructions per op>` and, for policy decisions,
`bench [decision] <policy> pick|enqueue|round <runnable threads> <instructions>`. An
operation this tool expects (EXPECTED_OPERATIONS, EXPECTED_DECISION_THREADS) that no line names
is listed as missing, never invented.
"""
import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from analysis.bench_table import check_lines, comparison_rows, format_text, operation_label
from analysis.timing_model import timing_model

from . import SchedlabError, shown
from .build import BuildArtifacts, build
from .provenance import git_commit, qemu_version, scheduler_parameters
from .qemu import FIRMWARE, QEMU, boot_arguments, qemu_command, run_qemu

EXPECTED_OPERATIONS = (
    "null_syscall", "call_oneway", "replyrecv_oneway", "call_replyrecv_roundtrip",
    "call_10words_oneway", "send_higher_prio", "yield_noswitch", "yield_switch",
    "signal_higher_prio_waiter", "signal_lower_prio", "wait_notification", "timer_preempt",
    "map_page", "unmap_page")
DECISION_KINDS = ("pick", "enqueue", "round")
EXPECTED_DECISION_THREADS = (1, 16, 256, 1024, 10000)

TRACES = ("on", "off")
MIN_ROUNDS, MAX_ROUNDS = 2, 5
REFERENCE = Path("bench") / "reference" / "sel4-16.0.0.json"

# A root task's kernel watchdog (emulated ms) and wall-clock bound (s): far above what the
# slowest (slicebench: under 2 s of emulated time, 4 s alone on an idle host) needs, so only a
# hang reaches them; the watchdog ends a hang in minutes of host time, not a quarter hour.
BENCH_LIMIT_MS = 20000
BENCH_TIMEOUT_S = 900


class ParseError(ValueError):
    pass


def parse_line(line):
    """A console line -> (operation, threads or None, value), or None if it is no bench line.
    A line that starts with `bench ` but fits neither format raises ParseError."""
    words = line.split()
    if not words or words[0] != "bench":
        return None
    if len(words) == 3 and words[2].isdigit():
        return words[1], None, int(words[2])
    decision = words[2:] if words[1] == "decision" else words[1:]
    if len(decision) == 4 and decision[1] in DECISION_KINDS and decision[2].isdigit() \
            and decision[3].isdigit():
        return decision[1], int(decision[2]), int(decision[3])
    raise ParseError(f"unrecognised bench line '{line.strip()}'")


def parse_console(text):
    """({(operation, threads): value}, [lines that were not understood]) of a console log."""
    figures, unparsed = {}, []
    for line in text.splitlines():
        try:
            parsed = parse_line(line)
        except ParseError:
            unparsed.append(line.strip())
            continue
        if parsed:
            figures[parsed[:2]] = parsed[2]
    return figures, unparsed


def repeat_rounds(run_round, min_rounds=MIN_ROUNDS, max_rounds=MAX_ROUNDS, rounds=None):
    """Call run_round() -> {key: value} until, after min_rounds, the last two rounds are
    identical, or max_rounds were run. Returns every round's figures, appended to `rounds`
    (a list of the caller's, which keeps the rounds before one that raised)."""
    rounds = [] if rounds is None else rounds
    while len(rounds) < max_rounds:
        rounds.append(run_round())
        if len(rounds) >= min_rounds and (len(rounds) == 1 or rounds[-1] == rounds[-2]):
            break
    return rounds


def _number(value):
    return int(value) if float(value).is_integer() else value


def summarise(rounds):
    """{key: {"rounds": [values], "min", "median", "max"}} over the rounds a key appears in."""
    keys = dict.fromkeys(key for figures in rounds for key in figures)
    summary = {}
    for key in keys:
        values = [figures[key] for figures in rounds if key in figures]
        summary[key] = {"rounds": values, "min": min(values),
                        "median": _number(statistics.median(values)), "max": max(values)}
    return summary


def missing_operations(keys):
    """Labels of the expected operations and decisions not among keys, in the expected order.
    Decisions count as expected only for a root task that printed some (policybench)."""
    missing = [op for op in EXPECTED_OPERATIONS if (op, None) not in keys]
    missing += [operation_label(kind, n) for kind in DECISION_KINDS
                for n in EXPECTED_DECISION_THREADS if (kind, n) not in keys]
    return missing


@dataclass
class BenchBuild:
    """One configuration measured: a policy (configs/<policy>.cmake) built with tracing on/off."""
    policy: str
    trace: str                  # "on" or "off"
    artifacts: BuildArtifacts
    settings: dict = field(default_factory=dict)   # {CMAKE_VARIABLE: value} it was built with

    def root_tasks(self):
        return sorted((self.artifacts.directory / "bench").glob("*.elf"))


def trace_settings(settings, trace):
    """The build settings for tracing on (the default build, shared with run and compare) or
    off (SCHEDLAB_TRACE=OFF: its own build directory)."""
    settings = dict(settings)
    if trace == "off":
        settings["SCHEDLAB_TRACE"] = "OFF"
    return settings


def build_for_bench(repo, policy, trace, settings=None, verbose=False):
    settings = trace_settings(settings or {}, trace)
    return BenchBuild(policy, trace, build(repo, policy, settings, verbose=verbose), settings)


def config_directory(out, bench_build, cpus):
    return Path(out) / "bench" / f"{bench_build.policy}-trace{bench_build.trace}-{cpus}h"


def round_command(bench_build, elf, cpus):
    """The QEMU command line of every round of a root task (bench.json records it)."""
    return qemu_command(bench_build.artifacts.kernel, elf, cpus,
                        boot_arguments(1, False, [f"limit_ms={BENCH_LIMIT_MS}"]))


def run_round(bench_build, elf, cpus, directory, index, timeout=BENCH_TIMEOUT_S):
    """One boot of one root task: its figures, its console in directory/round<index>.log."""
    directory.mkdir(parents=True, exist_ok=True)
    command = round_command(bench_build, elf, cpus)
    console = directory / f"round{index}.log"
    outcome = run_qemu(command, directory, console, timeout)
    # a traced kernel writes trace.bin: not kept (a results directory's runs are found by it)
    (directory / "trace.bin").unlink(missing_ok=True)
    if outcome.timed_out:
        raise SchedlabError(f"ran longer than {timeout:g}s; console: {shown(console)}")
    if outcome.status != 0:
        raise SchedlabError(f"exited with status {outcome.status}; console: {shown(console)}")
    figures, unparsed = parse_console(console.read_text(errors="replace"))
    if unparsed:
        raise SchedlabError(f"{unparsed[0]!r} fits no bench line format; console: "
                            f"{shown(console)}")
    if not figures:
        raise SchedlabError(f"printed no bench lines; console: {shown(console)}")
    return figures


def measure_root_task(bench_build, elf, cpus, out, min_rounds, max_rounds):
    """(summary of the root task's figures, outcome record for bench.json)."""
    directory = config_directory(out, bench_build, cpus) / elf.stem
    rounds = []
    try:
        repeat_rounds(lambda: run_round(bench_build, elf, cpus, directory, len(rounds) + 1),
                      min_rounds, max_rounds, rounds)
        error = None
    except SchedlabError as failure:
        error = str(failure)
    outcome = {"rounds": len(rounds), "error": error,
               # None: one round, nothing to compare with
               "repeated_exactly": all(r == rounds[0] for r in rounds)
               if len(rounds) >= 2 else None,
               "last_two_agree": rounds[-1] == rounds[-2] if len(rounds) >= 2 else None,
               "consoles": [shown(directory / f"round{i}.log") for i in range(1, len(rounds) + 1)],
               "qemu_command": round_command(bench_build, elf, cpus)}
    return summarise(rounds), outcome


def result_rows(bench_build, cpus, task, summary):
    rows = []
    for (operation, threads), figure in summary.items():
        rows.append({"operation": operation, "threads": threads, "policy": bench_build.policy,
                     "trace": bench_build.trace, "harts": cpus, "root_task": task,
                     "unit": "ns" if operation.endswith("_ns") else "instructions",
                     "instructions": figure["median"], **figure})
    return rows


def run_bench(repo, builds, out, cpus=1, min_rounds=MIN_ROUNDS, max_rounds=MAX_ROUNDS,
              parallel=None, report=print, command_line=None):
    """Measure every root task of every build, `parallel` QEMUs at a time: bench.json's
    content, without the verdicts (write_bench adds them)."""
    out = Path(out)
    jobs = [(b, elf) for b in builds for elf in b.root_tasks()]
    if not jobs:
        raise SchedlabError("bench: the builds made no root task in bench/")
    parallel = parallel or max(1, min(os.cpu_count() or 1, len(jobs)))
    started = time.monotonic()
    done = []

    def measure(job):
        bench_build, elf = job
        summary, outcome = measure_root_task(bench_build, elf, cpus, out, min_rounds, max_rounds)
        done.append(job)
        state = f"FAILED: {outcome['error']}" if outcome["error"] else \
            f"{outcome['rounds']} round(s)" + ("" if outcome["repeated_exactly"] is not False
                                               else ", rounds differed")
        report(f"bench {len(done)} of {len(jobs)}, {bench_build.policy} trace={bench_build.trace}"
               f" {elf.stem}: {state}, elapsed {time.monotonic() - started:.1f}s")
        return summary, outcome

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        measured = list(pool.map(measure, jobs))
    return assemble(repo, builds, jobs, measured, cpus, min_rounds, max_rounds, command_line)


def load_reference(repo):
    path = Path(repo) / REFERENCE
    try:
        return dict(json.loads(path.read_text()), path=str(REFERENCE))
    except (OSError, ValueError) as error:
        raise SchedlabError(f"bench: cannot read the seL4 reference figures {shown(path)}: "
                            f"{error}")


def provenance(repo, cpus, command_line):
    commit, dirty = git_commit(repo)
    return {"commit": commit, "dirty": dirty, "qemu": qemu_version(QEMU), "firmware": FIRMWARE,
            "clock": "icount", "timing_model": timing_model(cpus, False),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "command": command_line}


def assemble(repo, builds, jobs, measured, cpus, min_rounds, max_rounds, command_line=None):
    """bench.json's content from each (build, root task)'s summary and outcome."""
    configs, results, missing = [], [], []
    for bench_build in builds:
        tasks = {elf.stem: outcome for (b, elf), (_, outcome) in zip(jobs, measured)
                 if b is bench_build}
        configs.append({"policy": bench_build.policy, "trace": bench_build.trace, "harts": cpus,
                        "build_dir": shown(bench_build.artifacts.directory),
                        "sched_params": scheduler_parameters(repo, bench_build.policy,
                                                             bench_build.settings),
                        "root_tasks": tasks})
        keys = set()
        for (b, elf), (summary, _) in zip(jobs, measured):
            if b is bench_build:
                results += result_rows(b, cpus, elf.stem, summary)
                keys |= set(summary)
        absent = missing_operations(keys)
        if absent:
            missing.append({"policy": bench_build.policy, "trace": bench_build.trace,
                            "harts": cpus, "operations": absent})
    return {"format": "schedlab-bench/1", "unit": "instructions per operation",
            "provenance": provenance(repo, cpus, command_line),
            "rounds": {"min": min_rounds, "max": max_rounds,
                       "rule": "a fresh boot per round; after the minimum, more while the last "
                               "two rounds differ, up to the maximum"},
            "expected_operations": list(EXPECTED_OPERATIONS),
            "expected_decisions": {"kinds": list(DECISION_KINDS),
                                   "threads": list(EXPECTED_DECISION_THREADS)},
            "configs": configs, "results": results, "missing": missing,
            "reference": load_reference(repo)}


def with_verdicts(bench):
    """bench.json's content with the comparison with seL4 (analysis/bench_table.py) added."""
    return dict(bench, comparison=comparison_rows(bench), verdicts=check_lines(bench))


def write_bench(out, bench):
    bench = with_verdicts(bench)
    Path(out).mkdir(parents=True, exist_ok=True)
    (Path(out) / "bench.json").write_text(json.dumps(bench, indent=1) + "\n")
    return bench


def bench_command(repo, policies, traces, out, cpus=1, settings=None, verbose=False,
                  command_line=None):
    """`./schedlab bench`: build each (policy, trace), measure, write bench.json, print the
    table. Returns True when every root task ran."""
    settings = settings or {}
    builds = [build_for_bench(repo, policy, trace, settings.get(policy, {}), verbose)
              for policy in policies for trace in traces]
    print(f"bench: {len(builds)} configuration(s) ({', '.join(policies)} x trace "
          f"{','.join(traces)}) at {cpus} hart(s), rounds {MIN_ROUNDS}..{MAX_ROUNDS}, results in "
          f"{shown(out)}", flush=True)
    bench = run_bench(repo, builds, out, cpus, command_line=command_line,
                      report=lambda line: print(line, flush=True))
    bench = write_bench(out, bench)
    sys.stdout.write("\n" + format_text(bench))
    print(f"bench: {shown(Path(out) / 'bench.json')}", flush=True)
    return not any(o["error"] for c in bench["configs"] for o in c["root_tasks"].values())


def bench_for_compare(repo, artifacts, out, settings=None, cpus=1, report=print):
    """compare's bench: on compare's own builds ({policy: BuildArtifacts}, tracing compiled
    in, `settings` {policy: {CMAKE_VARIABLE: value}} as built), one round each (icount repeats
    exactly; `./schedlab bench` checks that), into <out>/bench.json."""
    settings = settings or {}
    builds = [BenchBuild(policy, "on", built, dict(settings.get(policy, {})))
              for policy, built in artifacts.items()]
    started = time.monotonic()
    bench = run_bench(repo, builds, out, cpus, min_rounds=1, max_rounds=1, report=report,
                      command_line="schedlab compare")
    bench = write_bench(out, bench)
    report(f"bench: {shown(Path(out) / 'bench.json')} ({time.monotonic() - started:.1f}s)")
    return bench

