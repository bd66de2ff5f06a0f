"""`schedlab sweep` without a kernel: the sweep file and its grid, the content keys, a local
sweep with stand-ins for the builds and runs (skip, resume, rerun does nothing), the Snakemake
workflow it writes, and the sweep report's plots (error bars over seeds). The real thing, on the
simulator, locally and through Snakemake, is tests/sim/test_sweep.py.

Run: /usr/bin/python3 -m pytest tests/cli/test_sweep.py
"""
import csv
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from analysis import sweep_report  # noqa: E402
from tools.schedlab import UsageError, setup, snakemake, sweep  # noqa: E402
from tools.schedlab.configs import discover_schedulers, discover_workloads  # noqa: E402
from tools.schedlab.run import RunResult  # noqa: E402
from tools.schedlab.sweep_spec import expand, load_spec  # noqa: E402

from test_compare import repo, run_cli  # noqa: E402,F401  (fixtures)

TOML = """\
variants = ["rr", "mlfq[levels=4]"]
workloads = ["chat", "batch"]
engines = ["sim"]
seeds = { from = 1, count = 3 }

[params]
timeslice_us = [1000, 10000, 50000]

[workload_params]
"chat.requests" = [10, 20]
"""


def grid(repo, spec):  # noqa: F811
    return expand(spec, discover_schedulers(repo), discover_workloads(repo), "s")


def write(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


# --- the sweep file and its grid -----------------------------------------------------------

def test_toml_and_json_name_the_same_grid(repo, tmp_path):  # noqa: F811
    from_toml = load_spec(write(tmp_path, TOML))
    from_json = load_spec(write(tmp_path, json.dumps(from_toml), "s.json"))
    assert from_toml == from_json
    sweep_ = grid(repo, from_toml)
    # 2 configurations x 3 timeslices x (chat x 2 requests + batch) x 3 seeds, 1 engine, 1 harts
    assert len(sweep_.points) == 2 * 3 * 3 * 3
    assert sweep_.axes == {"timeslice_us": [1000, 10000, 50000], "chat.requests": [10, 20]}
    names = sorted({p.variant for p in sweep_.points})
    assert names == sorted(["mlfq[levels=4,timeslice_us=1000]", "mlfq[levels=4,timeslice_us=10000]",
                            "mlfq[levels=4,timeslice_us=50000]", "rr", "rr[timeslice_us=1000]",
                            "rr[timeslice_us=50000]"])   # rr at its default 10000 is rr
    point = next(p for p in sweep_.points if p.variant == "mlfq[levels=4,timeslice_us=1000]"
                 and p.workload == "chat")
    assert point.axes == {"timeslice_us": 1000, "chat.requests": point.axes["chat.requests"]}
    assert point.series == {"timeslice_us": "mlfq[levels=4]"}   # its line in the plots
    assert point.params in (["chat.requests=10"], ["chat.requests=20"])
    assert {p.seed for p in sweep_.points} == {1, 2, 3}
    batch = [p for p in sweep_.points if p.workload == "batch"]
    assert all(p.params == [] and "chat.requests" not in p.axes for p in batch)


@pytest.mark.parametrize("values, expected", [
    ({"linear": [1000, 9000], "count": 5}, [1000, 3000, 5000, 7000, 9000]),
    ({"log": [1000, 100000], "count": 3}, [1000, 10000, 100000]),
    ([3000, 2000], [3000, 2000]),
])
def test_ranges_are_lists_linear_or_log(repo, values, expected):  # noqa: F811
    spec = {"variants": ["rr"], "workloads": ["chat"], "params": {"timeslice_us": values}}
    assert grid(repo, spec).axes["timeslice_us"] == expected


@pytest.mark.parametrize("spec, message", [
    ({"workloads": ["chat"]}, "sweep: variants: expected a list of names; valid: mlfq, rr"),
    ({"variants": ["rr"], "workloads": ["nope"]},
     "sweep: workloads: unknown workload 'nope'; valid: batch, chat"),
    ({"variants": ["fifo"], "workloads": ["chat"]},
     "sweep: variants: unknown scheduler 'fifo'; valid: mlfq, rr"),
    ({"variants": ["rr"], "workloads": ["chat"], "params": {"levels": [1, 2]}},
     "sweep: params.levels: no configuration of the sweep has it; valid: rr.timeslice_us"),
    ({"variants": ["rr"], "workloads": ["chat"], "params": {"timeslice_us": [5, 1000]}},
     "sweep: params.timeslice_us: 5 is out of range for rr: valid values are 100..1000000"),
    ({"variants": ["rr[timeslice_us=2000]"], "workloads": ["chat"],
      "params": {"timeslice_us": [1000, 3000]}},
     "sweep: params: timeslice_us=1000 disagrees with the configuration rr[timeslice_us=2000]"),
    ({"variants": ["rr"], "workloads": ["chat"], "params": {"timeslice_us": {"log": [0, 10],
                                                                               "count": 3}}},
     "sweep: params.timeslice_us: log = [low, high] needs integers low < high and low > 0"),
    ({"variants": ["rr"], "workloads": ["chat"], "params": {"timeslice_us": {"linear": [100,
                                                                                102], "count": 5}}},
     "sweep: params.timeslice_us: the values [100, 100, 101, 102, 102] repeat"),
    ({"variants": ["rr"], "workloads": ["chat"], "params": {"timeslice_us": "1000"}},
     "sweep: params.timeslice_us: expected a list of integers"),
    ({"variants": ["rr"], "workloads": ["chat"], "workload_params": {"x.y": [1]}},
     "sweep: workload_params.x.y: no workload of the sweep has it"),
    ({"variants": ["rr"], "workloads": ["chat"], "engines": ["kvm"]},
     "sweep: engines: unknown engine 'kvm'; valid: qemu, sim"),
    ({"variants": ["rr"], "workloads": ["chat"], "harts": [16]},
     "sweep: harts: 16 on qemu: valid 1..8"),
    ({"variants": ["rr"], "workloads": ["chat"], "seeds": [-1]},
     "sweep: seeds: [-1]: valid: integers >= 0"),
    ({"variants": ["rr"], "workloads": ["chat"], "metrics": ["speed"]},
     "sweep: metrics: unknown figure 'speed'; valid: switches_per_s,"),
    ({"variants": ["rr"], "workloads": ["chat"], "placement": "here"},
     "sweep: placement: 'here'; valid: spread, creator"),
])
def test_bad_sweeps_are_refused_naming_what_is_valid(repo, spec, message):  # noqa: F811
    with pytest.raises(UsageError) as error:
        grid(repo, spec)
    assert error.value.args[0].startswith(message)


def test_bad_files_are_usage_errors_without_a_traceback(repo, capsys, tmp_path):  # noqa: F811
    for name, text, message in (
            ("a.toml", "variants = [", "error: sweep: "),
            ("b.json", "{", "error: sweep: "),
            ("c.toml", "varients = ['rr']", "error: sweep: "),
            ("missing.toml", None, "error: sweep: cannot read ")):
        path = write(tmp_path, text, name) if text is not None else tmp_path / name
        status, _, err = run_cli(repo, capsys, "sweep", str(path))
        assert status == 2 and err.startswith(message) and "Traceback" not in err, err
    assert "unknown key varients; valid: variants," in run_cli(
        repo, capsys, "sweep", str(tmp_path / "c.toml"))[2]


# --- keys, the plan and a local sweep with stand-ins ----------------------------------------

def test_every_input_of_a_run_is_in_its_key(repo):  # noqa: F811
    sweep_ = grid(repo, load_spec_text(TOML))
    keys = [sweep.run_key("abc", point, "spread") for point in sweep_.points]
    assert len(set(keys)) == len(keys)   # every point its own directory
    point = sweep_.points[0]
    assert sweep.run_key("abc", point, "spread") == keys[0]   # stable
    assert sweep.run_key("abd", point, "spread") != keys[0]   # another source
    assert sweep.run_key("abc", point, "creator") != keys[0]


def load_spec_text(text):
    import tomllib
    return tomllib.loads(text)


@pytest.fixture
def stand_ins(monkeypatch):
    """Builds and runs that write what a real run writes (run.json state ok, metrics.json),
    with a figure that depends on the seed and the timeslice; records what ran."""
    ran, built = [], []
    monkeypatch.setattr(setup, "ensure", lambda **_: None)
    monkeypatch.setattr(sweep, "build_one", lambda repo, engine, scheduler, settings: built.append(
        (engine, scheduler, dict(settings))) or (Path("/nonexistent"), Path("costs.json")))

    def run(repo, artifacts, request):
        ran.append(request)
        request.out.mkdir(parents=True, exist_ok=True)
        timeslice = int(request.settings.get("SCHED_TIMESLICE_US", 10000))
        (request.out / "metrics.json").write_text(json.dumps(
            {"headline": {"switches_per_s": 1e7 / timeslice + request.seed}}))
        (request.out / "run.json").write_text(json.dumps(
            {"scheduler": request.scheduler, "variant": request.name, "workload":
             request.workload, "cpus": request.cpus, "seed": request.seed, "engine":
             request.engine, "state": "ok", "ok": True}))
        return RunResult(request, True, "ok", 0.0), 0.0

    monkeypatch.setattr(sweep, "timed_run", run)
    return ran, built


SMALL = """\
variants = ["rr"]
workloads = ["chat"]
engines = ["sim"]
seeds = [1, 2, 3]
metrics = ["switches_per_s"]
[params]
timeslice_us = [1000, 2000]
"""


def test_a_sweep_runs_what_has_no_result_and_a_rerun_does_nothing(repo, capsys, tmp_path,  # noqa: F811
                                                                    stand_ins):
    ran, built = stand_ins
    spec, out = write(tmp_path, SMALL), tmp_path / "out"
    status, stdout, err = run_cli(repo, capsys, "sweep", str(spec), "--out", str(out), "-j", "2")
    assert status == 0, err
    assert len(ran) == 6 and len(built) == 2
    assert "sweep s: 6 runs, 0 with a result, 6 to run, 2 at a time" in stdout
    assert "run 6 of 6, rr[timeslice_us=1000]-1h-sim/chat/seed" in stdout or \
        "run 6 of 6, rr[timeslice_us=2000]-1h-sim/chat/seed" in stdout
    plan = json.loads((out / "sweep-plan.json").read_text())
    assert sorted(p.name for p in (out / "runs").iterdir()) == sorted(r["key"] for r in
                                                                      plan["runs"])
    assert sorted((out / "builds").iterdir()) != []
    with open(out / "sweep.csv") as table:
        rows = list(csv.DictReader(table))
    assert sorted({(row["variant"], row["timeslice_us"]) for row in rows}) == [
        ("rr[timeslice_us=1000]", "1000"), ("rr[timeslice_us=2000]", "2000")]
    assert {row["config"] for row in rows} == {"rr[timeslice_us=1000]-1h-sim",
                                               "rr[timeslice_us=2000]-1h-sim"}
    with open(out / "sweep-means.csv") as table:
        means = {row["variant"]: row for row in csv.DictReader(table)}
    assert float(means["rr[timeslice_us=1000]"]["headline.switches_per_s"]) == 10002.0
    assert float(means["rr[timeslice_us=1000]"]["headline.switches_per_s.ci95"]) == \
        pytest.approx(4.303 * 1 / 3 ** 0.5)   # seeds 1, 2, 3: s = 1, t(0.975, 2) = 4.303
    assert (out / "sweep" / "timeslice_us--switches_per_s.png").is_file()
    report_time = (out / "sweep.csv").stat().st_mtime_ns

    ran.clear(), built.clear()
    status, stdout, _ = run_cli(repo, capsys, "sweep", str(spec), "--out", str(out))
    assert status == 0 and ran == [] and built == []
    assert "6 runs, 6 with a result, 0 to run" in stdout and "sweep report" not in stdout
    assert (out / "sweep.csv").stat().st_mtime_ns == report_time


def test_an_interrupted_sweep_goes_on_with_what_has_no_result(repo, capsys, tmp_path,  # noqa: F811
                                                               stand_ins):
    ran, _ = stand_ins
    spec, out = write(tmp_path, SMALL), tmp_path / "out"
    assert run_cli(repo, capsys, "sweep", str(spec), "--out", str(out))[0] == 0
    plan = json.loads((out / "sweep-plan.json").read_text())
    lost = [plan["runs"][0]["key"], plan["runs"][4]["key"]]
    for key in lost:   # as an interrupted run leaves it
        record = json.loads((out / "runs" / key / "run.json").read_text())
        (out / "runs" / key / "run.json").write_text(json.dumps(dict(record,
                                                                     state="interrupted")))
    ran.clear()
    status, stdout, _ = run_cli(repo, capsys, "sweep", str(spec), "--out", str(out))
    assert status == 0
    assert sorted(request.out.name for request in ran) == sorted(lost)
    assert "6 runs, 4 with a result, 2 to run" in stdout


def test_sweep_run_runs_one_planned_run_by_its_key(repo, capsys, tmp_path, stand_ins):  # noqa: F811
    ran, _ = stand_ins
    (repo / "sim" / "costs").mkdir(parents=True)
    (repo / "sim" / "costs" / "rr.json").write_text('{"costs_ns": {}}')
    spec, out = write(tmp_path, SMALL), tmp_path / "out"
    assert run_cli(repo, capsys, "sweep", str(spec), "--out", str(out),
                   "--snakemake", str(tmp_path / "wf"))[0] == 0
    assert ran == [] and not (out / "runs").exists()   # --snakemake only writes the workflow
    key = json.loads((out / "sweep-plan.json").read_text())["runs"][2]["key"]
    status, stdout, _ = run_cli(repo, capsys, "sweep-run", str(out), key)
    assert status == 0 and [r.out.name for r in ran] == [key]
    status, stdout, _ = run_cli(repo, capsys, "sweep-run", str(out), key)
    assert status == 0 and len(ran) == 1 and "has a result" in stdout
    status, _, err = run_cli(repo, capsys, "sweep-run", str(out), "0123")
    assert status == 2 and err.startswith("error: KEY: '0123' is not a run of ")
    status, _, err = run_cli(repo, capsys, "sweep-run", str(tmp_path), key)
    assert status == 2 and "not a sweep directory" in err
    status, _, err = run_cli(repo, capsys, "sweep", str(spec), "--out", str(tmp_path))
    assert status == 2 and err.startswith(f"error: --out {tmp_path}: holds files but no "
                                          "sweep-plan.json: not a sweep's directory")


def test_the_workflow_runs_the_projects_own_commands(repo, capsys, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setattr(snakemake.shutil, "which", lambda name: None)
    spec, out, workflow = write(tmp_path, SMALL), tmp_path / "out", tmp_path / "wf"
    status, stdout, err = run_cli(repo, capsys, "sweep", str(spec), "--out", str(out),
                                  "--snakemake", str(workflow))
    assert status == 0
    assert f"snakemake -s {workflow / 'Snakefile'} --cores" in stdout
    assert "note: snakemake is not installed; install Debian's package: apt-get install -y " \
        "snakemake" in err
    text = (workflow / "Snakefile").read_text()
    for rule in ('"{SCHEDLAB} sweep-report ."', '"{SCHEDLAB} sweep-run . {wildcards.key}"',
                 '"{SCHEDLAB} sweep-build . {wildcards.build}"', 'output: "runs/{key}/metrics.json"',
                 'ancient(f"builds/{RUNS[wildcards.key]}.json")'):
        assert rule in text
    config = json.loads((workflow / "config.json").read_text())
    plan = json.loads((out / "sweep-plan.json").read_text())
    assert config["results"] == str(out.resolve())
    assert config["runs"] == {run["key"]: run["build"] for run in plan["runs"]}
    assert Path(config["schedlab"]).name == "schedlab"


# --- the sweep report -----------------------------------------------------------------------

def test_sweep_plots_draw_a_line_per_configuration_with_error_bars(repo, capsys, tmp_path,  # noqa: F811
                                                                   stand_ins):
    spec = write(tmp_path, SMALL.replace('variants = ["rr"]', 'variants = ["rr", "mlfq"]'))
    out = tmp_path / "out"
    assert run_cli(repo, capsys, "sweep", str(spec), "--out", str(out))[0] == 0
    plan, runs = sweep_report.load(out)
    panels = sweep_report.series(plan, sweep_report.points(runs), "timeslice_us",
                                 "switches_per_s")
    assert list(panels) == ["chat"]
    assert list(panels["chat"]) == ["mlfq", "rr"]      # a line per configuration
    assert [x for x, _ in panels["chat"]["rr"]] == [1000, 2000]
    figure = sweep_report.draw(panels, "timeslice_us", "switches_per_s")
    [axes] = figure.axes
    from matplotlib.container import ErrorbarContainer
    bars = [c for c in axes.containers if isinstance(c, ErrorbarContainer)]
    assert len(bars) == 2
    for container in bars:
        _, _, (vertical,) = container.lines
        heights = [abs(segment[1][1] - segment[0][1]) for segment in vertical.get_segments()]
        assert len(heights) == 2 and all(h > 0 for h in heights)   # an interval at each point
    assert [t.get_text() for t in figure.legends[0].get_texts()] == ["mlfq", "rr"]
    assert "sweep/timeslice_us--switches_per_s.png" in (out / "sweep.html").read_text()


def test_the_source_state_changes_with_the_code_not_with_sweep_files(tmp_path):
    import subprocess

    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
                       cwd=tmp_path, check=True, capture_output=True)
    (tmp_path / "kernel").mkdir()
    (tmp_path / "sweeps").mkdir()
    (tmp_path / "kernel" / "sched.c").write_text("int x;\n")
    (tmp_path / "sweeps" / "s.toml").write_text("seeds = [1]\n")
    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "start")
    clean = sweep.source_state(tmp_path)
    assert len(clean) == 40   # the commit alone
    (tmp_path / "sweeps" / "s.toml").write_text("seeds = [1, 2]\n")   # a widened sweep
    (tmp_path / "sweeps" / "new.toml").write_text("seeds = [3]\n")
    (tmp_path / "README.md").write_text("notes\n")
    assert sweep.source_state(tmp_path) == clean
    (tmp_path / "kernel" / "sched.c").write_text("int y;\n")
    edited = sweep.source_state(tmp_path)
    assert edited.startswith(clean + "+")
    (tmp_path / "kernel" / "new.c").write_text("int z;\n")
    assert sweep.source_state(tmp_path) not in (clean, edited)
