"""`schedlab sweep SPEC`: the grid a sweep file names (sweep_spec.py), run here in parallel or
handed to Snakemake (snakemake.py), into one results layout that either can resume.

Layout of a sweep's directory (default results/sweep-<spec name>/, not timestamped: running the
same sweep again finds its results):

    sweep-plan.json        every planned run: its inputs and content key, and the builds
    runs/<key>/            one run, as `schedlab run` writes it (run.json, metrics.json, ...)
    builds/<build>.json    a build that exists (engine, configuration, build directory)
    sweep.csv, sweep-means.csv, sweep.html, sweep/*.png   the sweep report (analysis/sweep_report.py)

A run's key is a content hash of everything its result depends on: the source (commit, and the
uncommitted changes when the tree is dirty), the scheduler and its settings, the workload and
its parameters, engine, harts, seed and placement. A run whose directory holds a result (run.json
state ok, compare.has_result) is never run again, so an interrupted sweep goes on where it
stopped and a finished one does nothing; a changed input is a new key, a new run.

The runs are compare's: its builds (compare.build_one), its run of one request
(compare.timed_run: QEMU or the simulator, then the analysis), its parallel runner with
progress and interruption (compare.run_in_parallel, children.py).
"""
import hashlib
import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from analysis import results

from . import PYTHON, REPO_ROOT, SchedlabError, UsageError, children, shown
from . import sim
from .build import BuildArtifacts, build_directory
from .compare import build_one, config_name, has_result, run_in_parallel, timed_run
from .file_lock import file_lock
from .provenance import git_commit
from .results_dirs import make_directory, write_json
from .run import RunRequest

PLAN_NAME = "sweep-plan.json"
PLAN_FORMAT = 1
LOCK_NAME = ".schedlab-sweep.lock"
REPORT_OUTPUTS = ("sweep.csv", "sweep.html")


# What a run's result cannot depend on: an edit there (a sweep file widened, the README, a
# test) must not make every run of a sweep new. Everything else of the tree counts.
NOT_SOURCE = (":(exclude)sweeps", ":(exclude)tests", ":(exclude).ci", ":(exclude)*.md",
              ":(exclude).snakemake")


def source_state(repo):
    """What the source is, for the content keys: the commit, and when the tree differs from it
    a hash of the difference (tracked changes and untracked files, outside NOT_SOURCE), so an
    edit of the code is a new key."""
    commit, _ = git_commit(repo)
    if commit is None:
        return "no-git"

    def git(*args):
        return subprocess.run(["git", *args, "--", ".", *NOT_SOURCE], cwd=repo,
                              capture_output=True).stdout
    changes = git("diff", "HEAD", "--binary")
    untracked = sorted(filter(None, git("ls-files", "--others", "--exclude-standard",
                                        "-z").split(b"\0")))
    if not changes and not untracked:
        return commit
    digest = hashlib.sha256(changes)
    for name in untracked:
        digest.update(name)
        try:
            digest.update((Path(repo) / name.decode()).read_bytes())
        except OSError:
            pass
    return f"{commit}+{digest.hexdigest()[:16]}"


def run_key(source, point, placement):
    """The content hash that names a run's directory (16 hex digits of sha256)."""
    inputs = {"source": source, "scheduler": point.scheduler,
              "settings": dict(sorted(point.settings.items())), "workload": point.workload,
              "params": sorted(point.params), "engine": point.engine, "harts": point.harts,
              "seed": point.seed, "placement": placement}
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:16]


def build_id(repo, engine, scheduler, settings):
    """A build's name: its build directory's (rr, rr-1a2b3c4d, sim-rr-1a2b3c4d)."""
    directory = (sim.build_directory(repo, scheduler, settings) if engine == "sim"
                 else build_directory(repo, scheduler, settings))
    return directory.name


def claim_directory(out):
    """The sweep's directory: new, empty, or a sweep's (any sweep's: runs are keyed by their
    inputs, so sweeps can share one); a directory of other files is refused."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and
                                              not (out / PLAN_NAME).is_file())):
        raise UsageError(f"--out {shown(out)}: holds files but no {PLAN_NAME}: not a sweep's "
                         "directory; choose another")
    return out


def make_plan(repo, sweep, spec_path):
    """sweep-plan.json's content: the runs with their keys and builds, and the axes."""
    source = source_state(repo)
    runs, builds = [], {}
    for point in sweep.points:
        build = build_id(repo, point.engine, point.scheduler, point.settings)
        builds[build] = {"engine": point.engine, "scheduler": point.scheduler,
                         "variant": point.variant, "settings": point.settings}
        runs.append(dict(asdict(point), key=run_key(source, point, sweep.placement),
                         build=build))
    keys = [run["key"] for run in runs]
    if len(set(keys)) != len(keys):   # two points with the same inputs: one run
        runs = list({run["key"]: run for run in runs}.values())
    return {"schedlab_sweep_plan": PLAN_FORMAT, "name": sweep.name,
            "spec": str(Path(spec_path).resolve()), "source": source,
            "placement": sweep.placement, "timeout": sweep.timeout, "axes": sweep.axes,
            "metrics": sweep.metrics, "builds": builds, "runs": runs}


def write_plan(out, plan):
    """DIR/sweep-plan.json, left alone when it says this already (its age tells the report
    and Snakemake whether anything changed)."""
    make_directory(out, parents=True, exist_ok=True)
    if results.read_json(Path(out) / PLAN_NAME) != plan:
        write_json(Path(out) / PLAN_NAME, plan)


def read_plan(out, flag="DIR"):
    path = Path(out) / PLAN_NAME
    plan = results.read_json(path)
    if plan.get("schedlab_sweep_plan") != PLAN_FORMAT:
        raise UsageError(f"{flag} {shown(out)}: not a sweep directory (no readable {PLAN_NAME}; "
                         "./schedlab sweep SPEC writes it)")
    return plan


def request_of(out, plan, run):
    return RunRequest(run["scheduler"], run["workload"], Path(out) / "runs" / run["key"],
                      cpus=run["harts"], seed=run["seed"], params=list(run["params"]),
                      settings=dict(run["settings"]), timeout=plan["timeout"],
                      placement=plan["placement"], engine=run["engine"],
                      variant=run["variant"])


def label(request):
    """How the progress line names a sweep's run: rr[timeslice_us=2000]-1h-sim/mixed/seed2."""
    params = f"[{','.join(request.params)}]" if request.params else ""
    return (f"{config_name(request.name, request.cpus, request.engine)}/{request.workload}"
            f"{params}/seed{request.seed}")


def build_stamp(out, build):
    return Path(out) / "builds" / f"{build}.json"


def do_build(repo, out, plan, build):
    """Build one of the plan's builds and record it in builds/<build>.json (kept when it is
    there already, so that Snakemake sees no newer input)."""
    if build not in plan["builds"]:
        raise UsageError(f"BUILD: '{build}' is not a build of this sweep; valid: "
                         f"{', '.join(sorted(plan['builds']))}")
    what = plan["builds"][build]
    built = build_one(repo, what["engine"], what["scheduler"], what["settings"])
    stamp = build_stamp(out, build)
    if not stamp.is_file():
        make_directory(stamp.parent, parents=True, exist_ok=True)
        directory = built[0] if what["engine"] == "sim" else built.directory
        write_json(stamp, dict(what, directory=str(directory)))
    return built


def artifacts_of(repo, plan, run):
    """What timed_run needs for a run whose build exists, without building (a cluster job)."""
    what = plan["builds"][run["build"]]
    if what["engine"] == "sim":
        return (sim.build_directory(repo, what["scheduler"], what["settings"]),
                sim.default_costs(repo, what["scheduler"]))
    return BuildArtifacts(build_directory(repo, what["scheduler"], what["settings"]))


def run_one(repo, out, key):
    """`schedlab sweep-run DIR KEY`: one planned run, into DIR/runs/KEY (Snakemake's rule)."""
    plan = read_plan(out)
    run = next((run for run in plan["runs"] if run["key"] == key), None)
    if run is None:
        raise UsageError(f"KEY: '{key}' is not a run of {shown(Path(out) / PLAN_NAME)}")
    request = request_of(out, plan, run)
    if has_result(request):
        print(f"sweep-run {label(request)}: has a result in {shown(request.out)}")
        return True
    result, seconds = timed_run(repo, {(run["engine"], run["variant"]):
                                       artifacts_of(repo, plan, run)}, request)
    print(f"sweep-run {label(request)}: {result.message} ({seconds:.1f}s)",
          file=sys.stdout if result.ok else sys.stderr, flush=True)
    return result.ok


def report(repo, out):
    """The sweep report, by the analysis (matplotlib): sweep.csv, sweep-means.csv, sweep.html
    and the plots; a failure names its log."""
    out = Path(out).resolve()
    with open(out / "sweep-report.log", "w") as log:
        # cwd: where the analysis package is (the code's tree, whichever tree `repo` is)
        status = children.run([PYTHON, "-m", "analysis.sweep_report", str(out)], cwd=REPO_ROOT,
                              stdout=log, stderr=subprocess.STDOUT)
    if status != 0:
        print(f"error: the sweep report failed; log: {shown(out / 'sweep-report.log')}",
              file=sys.stderr)
        return False
    print(f"sweep report: {shown(out / 'sweep.html')} (and sweep.csv, sweep-means.csv)",
          flush=True)
    return True


def _report_is_current(out, requests):
    """The report exists and is newer than the plan and every run's result."""
    outputs = [Path(out) / name for name in REPORT_OUTPUTS]
    if not all(path.is_file() for path in outputs):
        return False
    inputs = [Path(out) / PLAN_NAME] + [Path(r.out) / "metrics.json" for r in requests]
    newest = max(path.stat().st_mtime for path in inputs if path.is_file())
    return min(path.stat().st_mtime for path in outputs) >= newest


def run_sweep(repo, out, plan, parallel):
    """Run what has no result yet, `parallel` at a time, then the report. True when every run
    has a result and the report was written."""
    with file_lock(Path(out) / LOCK_NAME, lambda: _refuse_busy(out)):
        requests = [request_of(out, plan, run) for run in plan["runs"]]
        pending = [(run, request) for run, request in zip(plan["runs"], requests)
                   if not has_result(request)]
        print(f"sweep {plan['name']}: {len(requests)} runs, {len(requests) - len(pending)} "
              f"with a result, {len(pending)} to run, {parallel} at a time, results in "
              f"{shown(out)}", flush=True)
        try:
            failures = _run_pending(repo, out, plan, pending, parallel)
        except (children.Interrupted, KeyboardInterrupt):
            children.wait_all()
            done = sum(has_result(request) for request in requests)
            print(f"sweep interrupted: {done} of {len(requests)} runs have a result, kept in "
                  f"{shown(out)}; run the same command again to go on", file=sys.stderr,
                  flush=True)
            raise
        report_ok = (not pending and _report_is_current(out, requests)) or report(repo, out)
        if failures:
            print(f"sweep: {len(failures)} of {len(pending)} runs failed; running the sweep "
                  "again retries them", flush=True)
        return report_ok and not failures


def _run_pending(repo, out, plan, pending, parallel):
    if not pending:
        return []
    built = {}   # one build per (engine, configuration): names are canonical (variants.py)
    for build in dict.fromkeys(run["build"] for run, _ in pending):
        what = plan["builds"][build]
        built[(what["engine"], what["variant"])] = do_build(repo, out, plan, build)
    return run_in_parallel([request for _, request in pending],
                           lambda request: timed_run(repo, built, request),
                           max(1, min(parallel, len(pending))),
                           report=lambda line: print(line, flush=True), label=label)


def _refuse_busy(out):
    raise SchedlabError(f"{shown(out)}: another sweep is running in it (it holds "
                        f"{shown(Path(out) / LOCK_NAME)}); wait for it")


def default_parallel():
    return os.cpu_count() or 1
