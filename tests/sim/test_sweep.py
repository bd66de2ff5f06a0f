"""The issue's check of `schedlab sweep` (ctest label sim): sweeps/rr-timeslice.toml, rr's
timeslice over 3 values x 2 workloads x 3 seeds on the simulator, run locally (interrupted after
its first result, then resumed) and again through `snakemake --cores 2`: the same results, byte
for byte; a rerun does nothing, either way and across the two; the sweep's means have intervals
and its plots are there; the variants' names are in every table.

Nothing here depends on the host's speed: each wait is for an event, with a bound far above
what it needs.
"""
import csv
import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "sweeps" / "rr-timeslice.toml"
RUNS = 18
WAIT = 1200   # seconds: only a hung step comes near it
NAMES = {"rr[timeslice_us=1000]", "rr", "rr[timeslice_us=50000]"}


def schedlab(*args, cwd=REPO):
    done = subprocess.run([str(REPO / "schedlab"), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=WAIT)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def snakemake(workflow, cwd):
    done = subprocess.run(["snakemake", "-s", str(workflow / "Snakefile"), "--cores", "2"],
                          cwd=cwd, capture_output=True, text=True, timeout=WAIT)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def results_with_state(out, state="ok"):
    return [path.parent.name for path in (out / "runs").glob("*/run.json")
            if json.loads(path.read_text() or "{}").get("state") == state]


def interrupted_sweep(out):
    """A local sweep, one run at a time, stopped with SIGTERM once a run has a result."""
    sweep = subprocess.Popen([str(REPO / "schedlab"), "sweep", str(SPEC), "--out", str(out),
                              "-j", "1"], cwd=REPO, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + WAIT
    while sweep.poll() is None and time.monotonic() < deadline:
        if (out / "runs").is_dir() and results_with_state(out):
            break
        time.sleep(0.05)
    sweep.send_signal(signal.SIGTERM)
    stdout, stderr = sweep.communicate(timeout=WAIT)
    return sweep.returncode, stdout, stderr


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory):
    if subprocess.run(["sh", "-c", "command -v snakemake"], capture_output=True).returncode:
        pytest.fail("snakemake is missing: apt-get install -y snakemake (./schedlab test "
                    "installs it)")
    tmp = tmp_path_factory.mktemp("sweep")
    local, cluster, workflow = tmp / "local", tmp / "snakemake", tmp / "workflow"
    status, stdout, stderr = interrupted_sweep(local)
    kept = len(results_with_state(local))
    resumed = schedlab("sweep", SPEC, "--out", local)
    again = schedlab("sweep", SPEC, "--out", local)
    schedlab("sweep", SPEC, "--out", cluster, "--snakemake", workflow)
    first = snakemake(workflow, tmp)
    second = snakemake(workflow, tmp)
    return dict(local=local, cluster=cluster, workflow=workflow, tmp=tmp, killed=status,
                killed_err=stderr, kept=kept, resumed=resumed, again=again, first=first,
                second=second)


def test_an_interrupted_sweep_resumes_with_only_what_had_no_result(sweeps):
    if sweeps["killed"] != 0:   # it was stopped before its last run (it always is, in practice)
        assert sweeps["killed"] == 128 + signal.SIGTERM
        assert "sweep interrupted: " in sweeps["killed_err"]
        assert "run the same command again to go on" in sweeps["killed_err"]
    kept = sweeps["kept"]
    assert 1 <= kept <= RUNS
    assert f"{RUNS} runs, {kept} with a result, {RUNS - kept} to run" in sweeps["resumed"]
    assert len([line for line in sweeps["resumed"].splitlines()
                if line.startswith("run ")]) == RUNS - kept
    assert len(results_with_state(sweeps["local"])) == RUNS


def test_a_rerun_does_nothing_locally_or_through_snakemake(sweeps):
    assert f"{RUNS} runs, {RUNS} with a result, 0 to run" in sweeps["again"]
    assert not any(line.startswith(("run ", "build ")) for line in sweeps["again"].splitlines())
    # 18 runs, 3 builds (one per timeslice), the report and "all"
    assert f"{RUNS + 5} of {RUNS + 5} steps (100%) done" in sweeps["first"]
    assert "Nothing to be done" in sweeps["second"]
    # and across: each finds the other's results
    assert f"{RUNS} with a result, 0 to run" in schedlab("sweep", SPEC, "--out",
                                                         sweeps["cluster"])
    schedlab("sweep", SPEC, "--out", sweeps["local"], "--snakemake", sweeps["tmp"] / "again")
    assert "Nothing to be done" in snakemake(sweeps["tmp"] / "again", sweeps["tmp"])


def test_local_and_snakemake_sweeps_give_the_same_results(sweeps):
    local, cluster = sweeps["local"], sweeps["cluster"]
    plan = json.loads((local / "sweep-plan.json").read_text())
    assert plan == json.loads((cluster / "sweep-plan.json").read_text())
    assert len(plan["runs"]) == RUNS
    for run in plan["runs"]:
        name = f"runs/{run['key']}/metrics.json"
        assert (local / name).read_bytes() == (cluster / name).read_bytes(), name
    for table in ("sweep.csv", "sweep-means.csv"):
        assert (local / table).read_bytes() == (cluster / table).read_bytes(), table


def test_the_sweep_report_has_intervals_plots_and_variant_names(sweeps):
    local = sweeps["local"]
    with open(local / "sweep.csv") as table:
        rows = list(csv.DictReader(table))
    assert len(rows) == RUNS and {row["state"] for row in rows} == {"ok"}
    assert {row["variant"] for row in rows} == NAMES
    assert {(row["variant"], row["timeslice_us"]) for row in rows} == {
        ("rr[timeslice_us=1000]", "1000"), ("rr", "10000"), ("rr[timeslice_us=50000]", "50000")}
    with open(local / "sweep-means.csv") as table:
        means = list(csv.DictReader(table))
    assert len(means) == 3 * 2 and {row["n"] for row in means} == {"3"}
    # the seeds vary the workloads, so the intervals have width: the plots' error bars
    widths = [float(row["headline.turnaround_mean_ns.ci95"]) for row in means]
    assert all(width > 0 for width in widths)
    page = (local / "sweep.html").read_text()
    for metric in ("wakeup_p99_ns", "switches_per_s", "turnaround_mean_ns"):
        assert (local / "sweep" / f"timeslice_us--{metric}.png").is_file()
        assert f"sweep/timeslice_us--{metric}.png" in page
    record = json.loads((local / "runs" / rows[0]["key"] / "run.json").read_text())
    assert record["variant"] == rows[0]["variant"] and record["engine"] == "sim"
