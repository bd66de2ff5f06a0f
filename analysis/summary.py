"""summary.csv: one row per run of a results directory, for people's own tools.

Columns: what was run (RUN_COLUMNS, from run.json; variant is the configuration's name, the
scheduler with its parameter values, e.g. rr[timeslice_us=2000], and config that name on its
machine, rr[timeslice_us=2000]-1h; timing_model -- exact, shared-throughput or
host-parallel, timing_model.py -- falls back to metrics.json's for runs that predate it), then
the headline figures (headline.*, exactly metrics.json's "headline"), then every other scalar
of metrics.json under its dotted path. Per-thread tables and sample lists are left out (they
are in metrics.json), so the columns stay the same from run to run. Every value of a run's row
is the one in its metrics.json. state is run.json's (running, ok, failed, interrupted; a run
only a state "ok" has figures); directory is the run's, relative to summary.csv, so two
comparisons of the same inputs give the same file wherever they were written.

With repeated runs (`compare --repeat N`: run.json has a repeat index) one more row per
configuration and workload follows the runs: repeat = "mean", repeats = the runs averaged,
headline.<key> = their mean and headline.<key>.ci95 = the half-width of its 95% Student-t
interval (analysis/repeats.py).
Free of numpy, so the schedlab command can write it under any Python.
"""
import csv
import os
from pathlib import Path

from .atomic_file import atomic_output
from .repeats import summarise_repeats, summary_rows
from .results import load_run

RUN_COLUMNS = ["config", "scheduler", "variant", "workload", "engine", "cpus", "seed", "repeat", "repeats",
               "clock", "timing_model", "placement", "ok", "state", "status", "commit", "dirty",
               "directory"]
_LEFT_OUT = {"per_thread", "threads", "cpu_time_ns", "samples", "shares", "unfinished"}


def flatten(metrics, prefix=""):
    """Scalar metrics as {dotted.path: value}; lists and per-thread tables are left out."""
    flat = {}
    for key, value in metrics.items():
        if key in _LEFT_OUT:
            continue
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        elif not isinstance(value, list):
            flat[f"{prefix}{key}"] = value
    return flat


def summary_row(run, root):
    """The row of one run (analysis.results.Run) in root/summary.csv."""
    row = {column: run.run.get(column, "") for column in RUN_COLUMNS}
    row.update(config=run.config, scheduler=run.scheduler, variant=run.variant,
               workload=run.workload,
               engine=run.engine, cpus=run.harts, timing_model=run.timing_model,
               state=run.state,
               directory=os.path.relpath(Path(run.directory).resolve(), Path(root).resolve()))
    row.update(flatten(run.metrics))
    return row


def write_summary(root, run_dirs):
    """Write root/summary.csv with a row per run directory; returns its path."""
    runs = [load_run(run_dir) for run_dir in run_dirs]
    rows = [summary_row(run, root) for run in runs] + summary_rows(summarise_repeats(runs))
    return write_rows(Path(root) / "summary.csv", rows, RUN_COLUMNS)


def write_rows(path, rows, first_columns):
    """A CSV of rows (dicts): first_columns, then the headline.* columns, then every other
    column, sorted, so the same rows always give the same file."""
    keys = {key for row in rows for key in row} - set(first_columns)
    headline = sorted(key for key in keys if key.startswith("headline."))
    columns = list(first_columns) + headline + sorted(keys - set(headline))
    with atomic_output(path, "w", newline="") as summary:
        writer = csv.DictWriter(summary, columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path
