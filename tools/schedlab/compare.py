"""Every scheduler on every workload, independent QEMU runs in parallel, then one report.

The report is <out>/report/index.html (`python3 -m analysis report`: every plot, the headline
figures and each run's configuration), <out>/summary.csv (one row per run: run.json's settings
and metrics.json's scalar metrics) and the comparison plots analysis/ draws into <out>/.
"""
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from analysis import results, summary  # numpy-free parts of analysis/, for summary.csv

from . import PYTHON, SchedlabError, shown
from .build import build
from .run import RunRequest, analyse, run_workload

SUMMARY_RUN_COLUMNS = ["scheduler", "workload", "cpus", "seed", "clock", "ok", "status",
                       "wall_seconds"]


def run_suite(repo, schedulers, workloads, out, **run_options):
    """Build, run and report; returns True when every run succeeded."""
    started = time.monotonic()
    artifacts = {scheduler: build(repo, scheduler, {}) for scheduler in schedulers}
    requests = [RunRequest(scheduler, workload, Path(out) / scheduler / workload, **run_options)
                for scheduler in schedulers for workload in workloads]
    parallel = min(os.cpu_count() or 1, len(requests))
    print(f"compare: {len(requests)} runs ({len(schedulers)} schedulers x {len(workloads)} "
          f"workloads), {parallel} at a time, results in {shown(out)}", flush=True)
    failures = []
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        futures = [pool.submit(run_workload, repo, artifacts[r.scheduler], r) for r in requests]
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                result = future.result()
                request = result.request
                state = "ok" if result.ok else "FAILED: " + result.message
                print(f"run {done}/{len(requests)} {request.scheduler}/{request.workload} "
                      f"{state} elapsed {time.monotonic() - started:.1f}s", flush=True)
                if not result.ok:
                    failures.append(result)
        except KeyboardInterrupt:
            # Ctrl-C already reached the running QEMUs (same process group); start no more.
            for future in futures:
                future.cancel()
            raise
    report_ok = write_report(repo, out)
    print(f"report: {shown(out)}/report/index.html (and summary.csv)", flush=True)
    if failures:
        print(f"compare: {len(failures)} of {len(requests)} runs failed", flush=True)
    return report_ok and not failures


def find_run_dirs(root):
    """Run directories under root (root included): those a run left a run.json or trace.bin in."""
    return results.find_run_dirs(root)


def _read_json(path):
    return results.read_json(path)


def write_summary(root, run_dirs):
    """summary.csv: one row per run (analysis/summary.py, shared with the report)."""
    summary.write_summary(root, run_dirs)


def write_report(repo, root):
    """Comparison plots of the runs that have metrics, and summary.csv of all runs."""
    root = Path(root).resolve()
    run_dirs = find_run_dirs(root)
    # A failed run's trace may be partial: it stays in summary.csv but out of the plots.
    measured = [str(d) for d in run_dirs if (d / "metrics.json").is_file()
                and _read_json(d / "run.json").get("ok", True)]
    ok = True
    if measured:
        command = [PYTHON, "-m", "analysis", "plot", *measured, "-o", str(root)]
        with open(root / "analysis.log", "w") as log:
            if subprocess.run(command, cwd=repo, stdout=log,
                              stderr=subprocess.STDOUT).returncode != 0:
                print(f"error: comparison plots failed; log: {shown(root / 'analysis.log')}",
                      file=sys.stderr)
                ok = False
    write_summary(root, run_dirs)
    # The report page (report/index.html) of every run, which rewrites summary.csv the same way.
    with open(root / "analysis.log", "a") as log:
        if subprocess.run([PYTHON, "-m", "analysis", "report", str(root)], cwd=repo, stdout=log,
                          stderr=subprocess.STDOUT).returncode != 0:
            print(f"error: the report failed; log: {shown(root / 'analysis.log')}",
                  file=sys.stderr)
            ok = False
    return ok


def replot(repo, root):
    """`schedlab plot DIR`: metrics and plots again for every saved trace under DIR."""
    root = Path(root).resolve()
    traced = [d for d in find_run_dirs(root) if (d / "trace.bin").is_file()]
    if not traced:
        raise SchedlabError(f"no trace.bin under {shown(root)}")
    failed = 0
    for index, run_dir in enumerate(traced, start=1):
        scheduler = _read_json(run_dir / "run.json").get("scheduler") or run_dir.parent.name
        try:
            analyse(repo, run_dir, scheduler)
            state = "ok"
        except SchedlabError as error:
            failed += 1
            state = f"FAILED: {error}"
        print(f"plot {index}/{len(traced)} {shown(run_dir)} {state}", flush=True)
    report_ok = True
    if traced != [root]:   # a whole results/<run> directory: redraw its comparison too
        report_ok = write_report(repo, root)
        print(f"report: {shown(root)}/report/index.html (and summary.csv)", flush=True)
    return report_ok and not failed
