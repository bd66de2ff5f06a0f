"""Configurations as first-class names (tools/schedlab/variants.py): rr, rr[timeslice_us=2000].

One configuration has one canonical name (keys sorted, values canonical, defaults left out),
the name compare's directories, run.json, summary.csv and the report use; bad names and values
are refused naming what is valid.

Run: /usr/bin/python3 -m pytest tests/cli/test_variants.py
"""
import csv
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from analysis import results, summary  # noqa: E402
from tools.schedlab import UsageError, cli  # noqa: E402
from tools.schedlab.compare import plan_runs, run_label  # noqa: E402
from tools.schedlab.configs import discover_schedulers  # noqa: E402
from tools.schedlab.run import RunResult  # noqa: E402
from tools.schedlab.variants import parse_variant, parse_variants, split_top_level  # noqa: E402

from test_compare import repo, compared, run_cli  # noqa: E402,F401  (fixtures)


@pytest.fixture
def schedulers(repo):  # noqa: F811
    return discover_schedulers(repo)


@pytest.mark.parametrize("text, name, settings", [
    ("rr", "rr", {}),
    ("rr[timeslice_us=2000]", "rr[timeslice_us=2000]", {"SCHED_TIMESLICE_US": "2000"}),
    ("rr[ timeslice_us = 02000 ]", "rr[timeslice_us=2000]", {"SCHED_TIMESLICE_US": "2000"}),
    ("rr[timeslice_us=10000]", "rr", {}),                        # the default: left out
    ("mlfq[timeslice_us=1000,levels=4]", "mlfq[levels=4,timeslice_us=1000]",
     {"SCHED_MLFQ_LEVELS": "4", "SCHED_TIMESLICE_US": "1000"}),  # keys sorted
    ("mlfq[mlfq.levels=4]", "mlfq[levels=4]", {"SCHED_MLFQ_LEVELS": "4"}),
    ("mlfq[SCHED_MLFQ_LEVELS=4]", "mlfq[levels=4]", {"SCHED_MLFQ_LEVELS": "4"}),
])
def test_every_spelling_has_one_canonical_name(schedulers, text, name, settings):
    assert parse_variant(text, schedulers) == (name, text.partition("[")[0], settings)


@pytest.mark.parametrize("text, message", [
    ("fifo", "--scheds: unknown scheduler 'fifo'; valid: mlfq, rr"),
    ("fifo[a=1]", "--scheds: unknown scheduler 'fifo' in 'fifo[a=1]'; valid: mlfq, rr"),
    ("rr[timeslice_us=2000", "--scheds: 'rr[timeslice_us=2000': expected SCHED[key=value,...] "
                             "with a closing ']'"),
    ("rr[]", "--scheds: 'rr[]': no key=value between the brackets"),
    ("rr[levels=4]", "--scheds: rr[levels=4]: unknown parameter 'levels' for scheduler rr; "
                     "valid: rr.timeslice_us"),
    ("rr[timeslice_us=5]", "--scheds: rr[timeslice_us=5]: timeslice_us=5 is out of range: "
                           "valid values are 100..1000000"),
    ("mlfq[levels=2,levels=3]", "--scheds: 'mlfq[levels=2,levels=3]' sets levels twice"),
])
def test_bad_configurations_are_refused_naming_what_is_valid(schedulers, text, message):
    with pytest.raises(UsageError) as error:
        parse_variant(text, schedulers)
    assert error.value.args[0] == message


def test_lists_split_outside_brackets_and_name_each_configuration_once(schedulers):
    assert split_top_level("rr, mlfq[levels=4,timeslice_us=1000] ,rr[timeslice_us=3000]") == [
        "rr", "mlfq[levels=4,timeslice_us=1000]", "rr[timeslice_us=3000]"]
    notes = []
    chosen = parse_variants("rr,rr[timeslice_us=10000],rr[timeslice_us=2000],rr", schedulers,
                            report=notes.append)
    assert [name for name, _, _ in chosen] == ["rr", "rr[timeslice_us=2000]"]
    assert notes == ["--scheds: 'rr[timeslice_us=10000]' is the configuration rr, already "
                     "listed: run once",
                     "--scheds: 'rr' is the configuration rr, already listed: run once"]


def test_compare_runs_variants_side_by_side_under_their_names(repo, capsys, compared,  # noqa: F811
                                                              tmp_path):
    status, _, err = run_cli(repo, capsys, "compare", "--scheds",
                             "rr,rr[timeslice_us=2000],mlfq[levels=4]", "--workloads", "chat",
                             "--machines", "qemu:1,sim:4")
    assert status == 0, err
    [(comparison, _)] = compared
    assert comparison.schedulers == ["rr", "rr[timeslice_us=2000]", "mlfq[levels=4]"]
    requests = plan_runs(comparison, tmp_path)
    assert sorted(r.out.relative_to(tmp_path).as_posix() for r in requests) == sorted(
        f"{name}-{machine}/chat" for name in comparison.schedulers
        for machine in ("1h", "4h-sim"))
    variant = next(r for r in requests if r.variant == "rr[timeslice_us=2000]" and r.cpus == 4)
    assert (variant.scheduler, variant.settings) == ("rr", {"SCHED_TIMESLICE_US": "2000"})
    assert run_label(variant) == "rr[timeslice_us=2000]-4h-sim/chat"


def test_a_repeated_configuration_runs_once_and_says_so(repo, capsys, compared):  # noqa: F811
    status, _, err = run_cli(repo, capsys, "compare", "--scheds", "rr,rr,rr[timeslice_us=10000]")
    assert status == 0
    assert compared[0][0].schedulers == ["rr"]
    assert "note: --scheds: 'rr' is the configuration rr, already listed: run once" in err


def test_set_is_in_the_name_and_agrees_with_the_configurations(repo, capsys, compared):  # noqa: F811
    status, _, err = run_cli(repo, capsys, "compare", "--scheds", "rr,rr[timeslice_us=2000]",
                             "--set", "timeslice_us=2000")
    assert status == 0, err
    assert compared[0][0].schedulers == ["rr[timeslice_us=2000]"]
    assert "note: --set: rr[timeslice_us=2000] becomes rr[timeslice_us=2000], already listed" \
        in err
    status, _, err = run_cli(repo, capsys, "compare", "--scheds", "rr[timeslice_us=2000]",
                             "--set", "timeslice_us=3000")
    assert status == 2
    assert err.startswith("error: --set: timeslice_us=3000 disagrees with the configuration "
                          "rr[timeslice_us=2000], which sets timeslice_us=2000; give the value "
                          "in one place")


def test_bad_scheds_is_a_usage_error(repo, capsys, compared):  # noqa: F811
    status, out, err = run_cli(repo, capsys, "compare", "--scheds", "rr[quantum=3]")
    assert status == 2 and compared == []
    assert err.startswith("error: --scheds: rr[quantum=3]: unknown parameter 'quantum' "
                          "for scheduler rr; valid: rr.timeslice_us")


def test_the_variant_name_reaches_run_json_summary_and_the_report_names(tmp_path):
    """A run records its configuration's name; the analysis reads it back, and falls back to
    the directory's for a run without one."""
    for config, record in (("rr[timeslice_us=2000]-1h", {"variant": "rr[timeslice_us=2000]"}),
                           ("mlfq[levels=4]-4h-sim", {})):
        run_dir = tmp_path / config / "chat"
        run_dir.mkdir(parents=True)
        (run_dir / "run.json").write_text(json.dumps(dict(
            record, scheduler=config.partition("[")[0], workload="chat", state="ok", ok=True,
            cpus=int(config.split("-")[1][:-1]))))
        (run_dir / "metrics.json").write_text(json.dumps({"headline": {"switches_per_s": 1}}))
    runs = results.load_runs(tmp_path)
    assert [(r.scheduler, r.variant, r.config) for r in runs] == [
        ("rr", "rr[timeslice_us=2000]", "rr[timeslice_us=2000]-1h"),
        ("mlfq", "mlfq[levels=4]", "mlfq[levels=4]-4h-sim")]
    summary.write_summary(tmp_path, results.find_run_dirs(tmp_path))
    with open(tmp_path / "summary.csv") as table:
        rows = list(csv.DictReader(table))
    assert sorted((row["config"], row["scheduler"], row["variant"]) for row in rows) == [
        ("mlfq[levels=4]-4h-sim", "mlfq", "mlfq[levels=4]"),
        ("rr[timeslice_us=2000]-1h", "rr", "rr[timeslice_us=2000]")]


@pytest.mark.parametrize("argv", [["--sched", "rr", "--set", "timeslice_us=2000"],
                                  ["--sched", "rr[timeslice_us=2000]"],
                                  ["--sched", "rr[timeslice_us=2000]", "--set",
                                   "timeslice_us=2000"]])
def test_run_records_its_configurations_name(repo, capsys, monkeypatch, argv):  # noqa: F811
    recorded, built = [], []
    monkeypatch.setattr(cli.setup, "ensure", lambda **_: None)
    monkeypatch.setattr(cli, "build", lambda repo, scheduler, settings, verbose: built.append(
        (scheduler, settings)))
    monkeypatch.setattr(cli, "run_workload", lambda repo, artifacts, request: recorded.append(
        request) or RunResult(request, True, "ok", 0.0))
    status, out, err = run_cli(repo, capsys, "run", *argv, "--workload", "chat",
                               "--out", str(repo / "one"))
    assert status == 0, err
    assert built == [("rr", {"SCHED_TIMESLICE_US": "2000"})]
    assert (recorded[0].scheduler, recorded[0].name) == ("rr", "rr[timeslice_us=2000]")
    assert "run rr[timeslice_us=2000]/chat" in out


@pytest.mark.parametrize("argv, message", [
    (["--sched", "rr[quantum=1]"], "error: --sched: rr[quantum=1]: unknown parameter "
                                   "'quantum' for scheduler rr; valid: rr.timeslice_us"),
    (["--sched", "rr[timeslice_us=2000]", "--set", "timeslice_us=3000"],
     "error: --set: timeslice_us=3000 disagrees with the configuration rr[timeslice_us=2000]"),
])
def test_run_refuses_a_bad_configuration(repo, capsys, argv, message):  # noqa: F811
    status, _, err = run_cli(repo, capsys, "run", *argv, "--workload", "chat")
    assert status == 2 and err.startswith(message), err


def test_qemu_and_simulator_runs_pair_by_configuration(tmp_path):
    """The report's agreement table (analysis/agreement.py) pairs rr with rr and
    rr[timeslice_us=2000] with itself, not whichever rr came last."""
    from analysis import agreement
    for variant in ("rr", "rr[timeslice_us=2000]"):
        for engine, suffix in (("qemu", ""), ("sim", "-sim")):
            run_dir = tmp_path / f"{variant}-1h{suffix}" / "chat"
            run_dir.mkdir(parents=True)
            (run_dir / "run.json").write_text(json.dumps(
                {"scheduler": "rr", "variant": variant, "workload": "chat", "cpus": 1,
                 "seed": 1, "engine": engine, "state": "ok", "ok": True,
                 "timing_model": "exact" if engine == "qemu" else "parallel-sim"}))
            (run_dir / "metrics.json").write_text(json.dumps({"headline": {}}))
    pairs = agreement.pairs(results.load_runs(tmp_path))
    assert [(qemu.config, sim.config) for qemu, sim in pairs] == [
        ("rr-1h", "rr-1h-sim"), ("rr[timeslice_us=2000]-1h", "rr[timeslice_us=2000]-1h-sim")]


def test_a_simulator_runs_configuration_names_its_engine_even_from_an_older_run_json():
    # run.json's "config" named no engine before (rr-1h for a simulator run): the name is built
    # from the variant, harts and engine, so a QEMU and a simulator run never share one
    from analysis.results import Run
    old = Run(None, "rr", 1, "mixed", run={"config": "rr-1h", "engine": "sim"})
    assert (old.variant, old.config) == ("rr", "rr-1h-sim")
    new = Run(None, "rr", 4, "mixed", run={"config": "rr[timeslice_us=2000]-4h-sim",
                                           "variant": "rr[timeslice_us=2000]", "engine": "sim"})
    assert new.config == "rr[timeslice_us=2000]-4h-sim"
    assert Run(None, "rr", 1, "mixed", run={"engine": "qemu"}).config == "rr-1h"
