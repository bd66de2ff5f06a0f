"""`schedlab bench` without QEMU: parsing the root tasks' console lines, the rounds repeated
until they agree, bench.json's shape with what is missing, the table next to seL4's figures and
its verdicts, the flags, compare's use of it and the report's section (QEMU stood in for by
canned console text).

Run: /usr/bin/python3 -m pytest tests/cli/test_bench_cli.py
"""
import json
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from analysis import bench_table  # noqa: E402
from analysis.bench_report import bench_section  # noqa: E402
from tools.schedlab import bench, cli, compare, setup  # noqa: E402
from tools.schedlab.build import BuildArtifacts  # noqa: E402
from tools.schedlab.compare import Comparison  # noqa: E402
from tools.schedlab.qemu import QemuOutcome  # noqa: E402

BOOT = """\
OpenSBI v1.1
SchedLab kernel, policy rr, booted on hart 0, 1 of 1 hart(s) used
context switch (decision, registers, address space) measured at boot: 481 ns
"""
MICROBENCH = BOOT + """\
bench yield_switch 937
bench call_replyrecv_roundtrip 2651
bench call_oneway 190
bench replyrecv_oneway 240
schedlab: halt, status 0, trace records dropped: 0
"""
POLICYBENCH_TODAY = BOOT + "bench rr pick 1 191\nbench rr enqueue 1 85\nbench rr pick 16 180\n"
POLICYBENCH_NEXT = BOOT + "bench decision rr pick 10000 152\nbench decision rr enqueue 10000 84\n"


# --- parsing ---------------------------------------------------------------------------------

def test_a_kernel_operation_line_is_its_name_and_instructions():
    assert bench.parse_line("bench yield_switch 937") == ("yield_switch", None, 937)


@pytest.mark.parametrize("line", ["bench rr pick 16 180", "bench decision rr pick 16 180"])
def test_a_decision_line_today_and_with_the_decision_word(line):
    assert bench.parse_line(line) == ("pick", 16, 180)


@pytest.mark.parametrize("line", ["", "OpenSBI v1.1", "benchmarks follow", "schedlab: halt"])
def test_other_console_lines_are_not_bench_lines(line):
    assert bench.parse_line(line) is None


@pytest.mark.parametrize("line", ["bench yield_switch", "bench yield_switch many",
                                  "bench rr steal 16 180", "bench rr pick x 180"])
def test_a_bench_line_of_no_known_format_is_refused(line):
    with pytest.raises(bench.ParseError, match="unrecognised bench line"):
        bench.parse_line(line)


def test_a_console_gives_every_figure_and_the_lines_it_did_not_understand():
    figures, unparsed = bench.parse_console(POLICYBENCH_TODAY + "bench rr pick\n")
    assert figures == {("pick", 1): 191, ("enqueue", 1): 85, ("pick", 16): 180}
    assert unparsed == ["bench rr pick"]


# --- rounds ----------------------------------------------------------------------------------

def rounds_of(*figures):
    """A stand-in round runner returning the given rounds in turn, and how often it ran."""
    calls = []

    def run():
        calls.append(1)
        return figures[len(calls) - 1]
    return run, calls


def test_two_identical_rounds_are_enough():
    run, calls = rounds_of({"a": 1}, {"a": 1}, {"a": 1})
    assert bench.repeat_rounds(run) == [{"a": 1}, {"a": 1}] and len(calls) == 2


def test_rounds_go_on_until_two_in_a_row_agree():
    run, calls = rounds_of({"a": 1}, {"a": 2}, {"a": 3}, {"a": 3}, {"a": 3})
    assert [r["a"] for r in bench.repeat_rounds(run)] == [1, 2, 3, 3] and len(calls) == 4


def test_rounds_that_never_agree_stop_at_the_maximum():
    run, calls = rounds_of(*({"a": i} for i in range(10)))
    assert len(bench.repeat_rounds(run)) == bench.MAX_ROUNDS == len(calls) == 5


def test_one_round_when_the_minimum_is_one():
    run, calls = rounds_of({"a": 1}, {"a": 2})
    assert bench.repeat_rounds(run, min_rounds=1, max_rounds=1) == [{"a": 1}]


def test_the_rounds_before_a_failing_one_are_kept():
    rounds = []

    def run():
        if rounds:
            raise bench.SchedlabError("exited with status 1")
        return {"a": 1}
    with pytest.raises(bench.SchedlabError):
        bench.repeat_rounds(run, rounds=rounds)
    assert rounds == [{"a": 1}]


def test_summary_is_min_median_max_over_the_rounds_a_figure_is_in():
    summary = bench.summarise([{"a": 5, "b": 1}, {"a": 3}, {"a": 4}])
    assert summary["a"] == {"rounds": [5, 3, 4], "min": 3, "median": 4, "max": 5}
    assert summary["b"] == {"rounds": [1], "min": 1, "median": 1, "max": 1}
    assert bench.summarise([{"a": 3}, {"a": 4}])["a"]["median"] == 3.5


def test_missing_operations_are_named_in_the_expected_order():
    keys = {(op, None) for op in bench.EXPECTED_OPERATIONS if op != "map_page"}
    keys |= {(kind, n) for kind in bench.DECISION_KINDS for n in bench.EXPECTED_DECISION_THREADS}
    assert bench.missing_operations(keys) == ["map_page"]
    keys -= {("enqueue", 10000), ("null_syscall", None)}
    assert bench.missing_operations(keys) == ["null_syscall", "map_page",
                                              "enqueue (10000 threads)"]


# --- a whole bench with QEMU stood in for ------------------------------------------------------

@pytest.fixture
def repo(tmp_path):
    """Two schedulers and the real seL4 reference figures."""
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "rr.cmake").write_text(
        '# rr\nset(SCHED_POLICY rr CACHE STRING "")\n'
        'set(SCHED_TIMESLICE_US 10000 CACHE STRING "timeslice")\n')
    (tmp_path / "configs" / "mlfq.cmake").write_text(
        '# mlfq\nset(SCHED_POLICY mlfq CACHE STRING "")\n'
        'set(SCHED_MLFQ_LEVELS 3 CACHE STRING "levels")\n')
    (tmp_path / "workloads").mkdir()
    (tmp_path / "bench" / "reference").mkdir(parents=True)
    shutil.copy(REPO / bench.REFERENCE, tmp_path / bench.REFERENCE)
    return tmp_path


def fake_build(repo, policy, settings, elfs=("microbench", "policybench")):
    """A build directory with root tasks in bench/ (empty files: QEMU is stood in for)."""
    trace = "off" if settings.get("SCHEDLAB_TRACE") == "OFF" else "on"
    directory = Path(repo) / "build" / f"{policy}-{trace}"
    (directory / "bench").mkdir(parents=True, exist_ok=True)
    for elf in elfs:
        (directory / "bench" / f"{elf}.elf").write_text("")
    return BuildArtifacts(directory)


class FakeQemu:
    """Writes a console for each boot: consoles[(build dir name, root task)] is a list of
    texts, one per round (the last repeats), or a function of the round."""

    def __init__(self, consoles, status=0):
        self.consoles, self.status, self.boots = consoles, status, []

    def __call__(self, command, cwd, log_path, timeout, verbose=False, echo=None):
        kernel, elf = Path(command[command.index("-kernel") + 1]), \
            Path(command[command.index("-initrd") + 1])
        key = (kernel.parents[1].name, elf.stem)
        self.boots.append((key, command))
        texts = self.consoles[key]
        rounds = sum(1 for k, _ in self.boots if k == key)
        Path(log_path).write_text(texts[min(rounds, len(texts)) - 1])
        (Path(cwd) / "trace.bin").write_bytes(b"traced kernels write one")
        return QemuOutcome(self.status, False, 0.1)


def consoles_for(policies, traces, micro=(MICROBENCH,), policy=(POLICYBENCH_TODAY,)):
    return {(f"{p}-{t}", task): list(texts) for p in policies for t in traces
            for task, texts in (("microbench", micro), ("policybench", policy))}


@pytest.fixture
def stand_ins(monkeypatch):
    monkeypatch.setattr(setup, "ensure", lambda **_: None)
    monkeypatch.setattr(bench, "build", lambda repo, policy, settings, verbose=False:
                        fake_build(repo, policy, settings))
    monkeypatch.setattr(bench, "qemu_version", lambda executable: "QEMU emulator version 7.2.0")

    def install(consoles, status=0):
        qemu = FakeQemu(consoles, status)
        monkeypatch.setattr(bench, "run_qemu", qemu)
        return qemu
    return install


def test_bench_json_has_every_figure_with_its_rounds_and_what_is_missing(repo, capsys,
                                                                          stand_ins):
    qemu = stand_ins(consoles_for(["rr"], ["on", "off"]))
    out = repo / "results" / "b"
    assert cli.main(["bench", "--scheds", "rr", "--out", str(out)], repo=repo) == 0
    data = json.loads((out / "bench.json").read_text())
    assert [(c["policy"], c["trace"], c["harts"]) for c in data["configs"]] == [
        ("rr", "on", 1), ("rr", "off", 1)]
    assert data["configs"][0]["sched_params"] == {"timeslice_us": "10000"}
    row = next(r for r in data["results"] if r["operation"] == "yield_switch"
               and r["trace"] == "off")
    assert row == {"operation": "yield_switch", "threads": None, "policy": "rr", "trace": "off",
                   "harts": 1, "root_task": "microbench", "unit": "instructions",
                   "instructions": 937, "rounds": [937, 937], "min": 937, "median": 937,
                   "max": 937}
    pick = next(r for r in data["results"] if r["operation"] == "pick" and r["threads"] == 16)
    assert pick["instructions"] == 180 and pick["root_task"] == "policybench"
    assert len(qemu.boots) == 8   # 2 builds x 2 root tasks x 2 identical rounds
    micro = data["configs"][1]["root_tasks"]["microbench"]
    assert micro["qemu_command"] == [c for k, c in qemu.boots if k == ("rr-off", "microbench")][0]
    assert micro["rounds"] == 2 and micro["repeated_exactly"] is True and micro["error"] is None
    assert all("-icount" in command for _, command in qemu.boots)
    [missing_on, missing_off] = data["missing"]
    assert missing_off["trace"] == "off" and "map_page" in missing_off["operations"]
    assert "pick (10000 threads)" in missing_off["operations"]
    assert "yield_switch" not in missing_off["operations"]
    assert data["provenance"]["qemu"] == "QEMU emulator version 7.2.0"
    assert data["provenance"]["command"] == "schedlab bench --scheds rr --trace on,off --cpus 1"
    assert data["reference"]["provenance"]["kernel"].startswith("seL4 16.0.0")
    assert data["rounds"]["min"] == 2 and data["rounds"]["max"] == 5
    assert not list(out.rglob("trace.bin")), "a kept trace.bin would pass for a run's"
    assert (out / "bench" / "rr-traceoff-1h" / "microbench" / "round2.log").is_file()
    printed = capsys.readouterr().out
    assert "missing for rr/off: null_syscall," in printed
    assert "yield_switch (rr/off): 937, goal <= 409: NO; seL4 511: NO" in printed
    assert "call_oneway (rr/off): 190, goal <= 200: yes; seL4 249: yes" in printed


def test_rounds_that_differ_are_run_again_and_marked(repo, capsys, stand_ins):
    varying = [MICROBENCH.replace("937", "940"), MICROBENCH, MICROBENCH]
    stand_ins(consoles_for(["rr"], ["off"], micro=varying))
    out = repo / "results" / "b"
    assert cli.main(["bench", "--scheds", "rr", "--trace", "off", "--out", str(out)],
                    repo=repo) == 0
    data = json.loads((out / "bench.json").read_text())
    row = next(r for r in data["results"] if r["operation"] == "yield_switch")
    assert row["rounds"] == [940, 937, 937] and (row["min"], row["max"]) == (937, 940)
    micro = data["configs"][0]["root_tasks"]["microbench"]
    assert micro["rounds"] == 3 and micro["repeated_exactly"] is False
    assert micro["last_two_agree"] is True
    printed = capsys.readouterr().out
    assert "937~" in printed and "rounds differed (~) for 1 figure(s): rr/off yield_switch " \
                                 "[940, 937, 937]" in printed


def test_a_failing_root_task_fails_the_bench_and_says_where_its_console_is(repo, capsys,
                                                                           stand_ins):
    stand_ins(consoles_for(["rr"], ["off"]), status=3)
    out = repo / "results" / "b"
    assert cli.main(["bench", "--scheds", "rr", "--trace", "off", "--out", str(out)],
                    repo=repo) == 1
    data = json.loads((out / "bench.json").read_text())
    outcome = data["configs"][0]["root_tasks"]["microbench"]
    assert outcome["rounds"] == 0 and "exited with status 3" in outcome["error"]
    assert "failed: rr/off microbench: exited with status 3; console: " in capsys.readouterr().out


def test_a_console_line_of_no_known_format_fails_its_root_task(repo, capsys, stand_ins):
    stand_ins(consoles_for(["rr"], ["off"], micro=(MICROBENCH + "bench yield_switch fast\n",)))
    assert cli.main(["bench", "--scheds", "rr", "--trace", "off", "--out",
                     str(repo / "b")], repo=repo) == 1
    assert "'bench yield_switch fast' fits no bench line format" in capsys.readouterr().out


def test_decisions_are_read_in_both_formats(repo, capsys, stand_ins):
    stand_ins(consoles_for(["rr"], ["off"], policy=(POLICYBENCH_TODAY + POLICYBENCH_NEXT,)))
    assert cli.main(["bench", "--scheds", "rr", "--trace", "off", "--out", str(repo / "b")],
                    repo=repo) == 0
    data = json.loads((repo / "b" / "bench.json").read_text())
    assert {(r["operation"], r["threads"]) for r in data["results"] if r["threads"]} == {
        ("pick", 1), ("enqueue", 1), ("pick", 16), ("pick", 10000), ("enqueue", 10000)}
    assert "pick (10000 threads)" not in data["missing"][0]["operations"]
    assert "enqueue (16 threads)" in data["missing"][0]["operations"]


@pytest.mark.parametrize("argv,message", [
    (["--trace", "of"], "error: --trace: unknown trace 'of'; valid: on, off"),
    (["--trace", ","], "error: --trace: empty; valid: on, off"),
    (["--scheds", "cfs"], "error: --scheds: unknown scheduler 'cfs'; valid: mlfq, rr"),
    (["--cpus", "0"], "error: --cpus: invalid number of harts '0'; valid: 1..8"),
])
def test_bad_flags_name_the_flag_and_the_valid_values(repo, capsys, argv, message):
    assert cli.main(["bench", *argv], repo=repo) == 2
    assert capsys.readouterr().err.startswith(message)


# --- the table against seL4's figures ----------------------------------------------------------

def bench_data(figures, repo=REPO):
    """bench.json's content for {(policy, trace): {operation: instructions}}, one round each."""
    configs = [{"policy": p, "trace": t, "harts": 1, "root_tasks": {}} for p, t in figures]
    results = [{"operation": op, "threads": None, "policy": p, "trace": t, "harts": 1,
                "unit": "instructions", "instructions": v, "min": v, "median": v, "max": v,
                "rounds": [v]} for (p, t), ops in figures.items() for op, v in ops.items()]
    return {"configs": configs, "results": results, "missing": [],
            "expected_operations": list(bench.EXPECTED_OPERATIONS),
            "reference": bench.load_reference(repo)}


def test_the_comparison_uses_rr_without_tracing_and_says_what_is_met():
    data = bench_data({("rr", "on"): {"call_oneway": 300}, ("rr", "off"): {"call_oneway": 200,
                                                                         "yield_switch": 600}})
    rows = {row["operation"]: row for row in bench_table.comparison_rows(data)}
    assert rows["call_oneway"] == {
        "operation": "call_oneway", "sel4_name": "Call, one-way", "sel4": 249, "ours": 200,
        "ours_config": "rr/off", "ratio": 0.803, "milestone_met": True, "goal": 200,
        "goal_met": True, "policies_compared_with_rr": [], "policies_over_tolerance": []}
    assert rows["yield_switch"]["milestone_met"] is False and \
        rows["yield_switch"]["goal_met"] is False
    assert rows["map_page"]["ours"] is None and rows["map_page"]["milestone_met"] is None


def test_without_rr_off_the_comparison_falls_back_to_rr_as_measured():
    data = bench_data({("mlfq", "on"): {"call_oneway": 1}, ("rr", "on"): {"call_oneway": 250}})
    [row] = [r for r in bench_table.comparison_rows(data) if r["operation"] == "call_oneway"]
    assert row["ours_config"] == "rr/on" and row["milestone_met"] is False


def test_of_a_policys_decisions_only_the_round_is_held_to_rrs():
    """Where the expired thread is queued is each policy's choice, so its pick or its enqueue
    alone may cost more than rr's while the round (the two) does not: only the round is flagged."""
    data = bench_data({})
    for policy, (pick, enqueue) in {"rr": (50, 40), "affinity": (70, 14), "tstune": (60, 45)}.items():
        data["configs"].append({"policy": policy, "trace": "off", "harts": 1, "root_tasks": {}})
        for kind, v in (("pick", pick), ("enqueue", enqueue), ("round", pick + enqueue)):
            data["results"].append({"operation": kind, "threads": 256, "policy": policy,
                                    "trace": "off", "harts": 1, "unit": "instructions",
                                    "instructions": v, "min": v, "median": v, "max": v,
                                    "rounds": [v]})
    header, rows = bench_table.decision_table(data)
    cells = {(row[0], row[1]): row[header.index("N=256")] for row in rows}
    assert cells[("affinity/off", "pick")] == "70"      # 40% above rr's pick: not judged alone
    assert cells[("affinity/off", "round")] == "84"     # below rr's 90
    assert cells[("tstune/off", "round")] == "105!"     # 16.7% above rr's round
    assert cells[("tstune/off", "enqueue")] == "45"


def test_a_policy_more_than_ten_percent_above_rr_is_flagged():
    data = bench_data({("rr", "off"): {"yield_switch": 400, "call_oneway": 200,
                                       "slice_user_ns": 100, "slice_kernel_ns": 100,
                                       "yield_switch_overhead": 4},
                       ("mlfq", "off"): {"yield_switch": 444, "call_oneway": 220,
                                         "slice_user_ns": 200, "slice_kernel_ns": 200,
                                         "yield_switch_overhead": 40},
                       ("mlfq", "on"): {"yield_switch": 900, "call_oneway": 500},
                       ("rr", "on"): {"call_oneway": 250}})
    header, rows = bench_table.kernel_table(data)
    cells = {row[0]: dict(zip(header, row)) for row in rows}
    assert cells["yield_switch"]["mlfq/off"] == "444!"
    assert cells["call_oneway"]["mlfq/off"] == "220"          # exactly 10%: within
    assert cells["yield_switch"]["mlfq/on"] == "900"          # no rr/on to compare with
    assert cells["call_oneway"]["mlfq/on"] == "500!"          # marked against rr/on
    assert cells["null_syscall"]["rr/off"] == "missing"
    # the timer tick's phase moves a slice's split between user and kernel: not flagged
    assert cells["slice_kernel_ns"]["mlfq/off"] == "200"
    assert cells["yield_switch"]["seL4"] == "511" and cells["yield_switch"]["<= seL4"] == "yes"
    assert cells["yield_switch"]["goal"] == "<= 409: yes"
    lines = bench_table.check_lines(data)
    assert any(line.startswith("yield_switch (rr/off): 400, goal <= 409: yes")
               and line.endswith("other policies within 10% of rr/off: NO (mlfq/off)")
               for line in lines)
    # the verdicts judge under the targets' conditions (rr/off's): mlfq/on's 500 is not in them
    assert any(line.startswith("call_oneway (rr/off): 200") and line.endswith("yes (mlfq/off)")
               for line in lines)
    # every kernel operation: not the user-instruction overhead nor the slice's split between
    # user and kernel time, which moves with the timer tick's phase
    assert "other policies within 10% of rr/off on every kernel operation: NO (mlfq/off " \
        "yield_switch +11.0%)" in lines
    assert bench_table.policies_over(data) == ([("mlfq/off", "yield_switch", 444 / 400)], True)


def test_tracing_over_a_quarter_of_an_operation_is_named_with_its_share():
    # Call: 250 against 200 is +25% exactly, within; yield: 600 against 470 is +27.7%; the
    # overhead rows are user instructions, and mlfq has no untraced figures to compare with
    data = bench_data({("rr", "off"): {"call_oneway": 200, "yield_switch": 470,
                                       "call_oneway_overhead": 5, "slice_kernel_ns": 200},
                       ("rr", "on"): {"call_oneway": 250, "yield_switch": 600,
                                      "call_oneway_overhead": 50, "slice_kernel_ns": 300},
                       ("mlfq", "on"): {"call_oneway": 900}})
    over, compared = bench_table.tracing_over(data)
    assert compared and over == [("rr/on", "yield_switch", 600 / 470)]
    assert "tracing adds at most 25% to every kernel operation: NO (rr/on yield_switch +27.7%)" \
        in bench_table.check_lines(data)
    within = bench_data({("rr", "off"): {"call_oneway": 200}, ("rr", "on"): {"call_oneway": 250}})
    assert "tracing adds at most 25% to every kernel operation: yes" in \
        bench_table.check_lines(within)
    one_way = bench_data({("rr", "off"): {"call_oneway": 200}})
    assert bench_table.tracing_over(one_way) == ([], False)
    assert any(line.endswith("n/a (no policy measured with tracing both in and out)")
               for line in bench_table.check_lines(one_way))


def test_operations_beyond_the_expected_ones_are_shown_after_them():
    data = bench_data({("rr", "off"): {"zz_new_operation": 5, "yield_switch": 400}})
    _, rows = bench_table.kernel_table(data)
    names = [row[0] for row in rows]
    assert names[:len(bench.EXPECTED_OPERATIONS)] == list(bench.EXPECTED_OPERATIONS)
    assert names[-1] == "zz_new_operation"


def test_every_reference_figure_names_one_of_our_operations_and_its_provenance():
    reference = bench.load_reference(REPO)
    for key in ("kernel", "benchmark", "machine", "firmware", "unit"):
        assert reference["provenance"][key]
    ours = {f["operation"] for f in reference["figures"]}
    assert {"call_oneway", "replyrecv_oneway", "call_replyrecv_roundtrip", "call_10words_oneway",
            "send_higher_prio", "yield_switch", "signal_higher_prio_waiter", "map_page"} <= ours
    goals = {f["operation"]: f["goal"] for f in reference["figures"] if "goal" in f}
    assert goals == {"call_oneway": 200, "replyrecv_oneway": 231, "yield_switch": 409}


# --- compare and the report ----------------------------------------------------------------------

def test_compare_benches_its_own_builds_once_with_tracing_on(repo, capsys, stand_ins):
    qemu = stand_ins(consoles_for(["rr", "mlfq"], ["on"]))
    artifacts = {p: fake_build(repo, p, {}) for p in ("rr", "mlfq")}
    comparison = Comparison(["rr", "mlfq"], ["chat"],
                            settings={"mlfq": {"SCHED_MLFQ_LEVELS": "2"}})
    assert compare._bench(repo, comparison, artifacts, repo / "out")
    data = json.loads((repo / "out" / "bench.json").read_text())
    assert [(c["policy"], c["trace"]) for c in data["configs"]] == [("rr", "on"), ("mlfq", "on")]
    assert data["configs"][1]["sched_params"] == {"mlfq_levels": "2"}
    assert len(qemu.boots) == 4 and data["rounds"] == dict(data["rounds"], min=1, max=1)
    assert "bench: " in capsys.readouterr().out


def test_compare_benches_kernel_builds_only_whatever_build_all_keys_them_by(repo, stand_ins):
    qemu = stand_ins(consoles_for(["rr"], ["on"]))
    simulator = (repo / "build" / "sim-rr", repo / "sim" / "costs" / "rr.json")
    assert compare._bench(repo, Comparison(["rr"], ["chat"], engine="sim"), {"rr": simulator},
                          repo / "o")
    assert qemu.boots == [] and not (repo / "o" / "bench.json").exists()
    built = {("qemu", "rr"): fake_build(repo, "rr", {}), ("sim", "rr"): simulator}
    assert compare._bench(repo, Comparison(["rr"], ["chat"]), built, repo / "p")
    data = json.loads((repo / "p" / "bench.json").read_text())
    assert [c["policy"] for c in data["configs"]] == ["rr"] and len(qemu.boots) == 2


def test_compare_runs_the_bench_unless_told_not_to(repo, capsys, monkeypatch):
    benched, suites = [], []
    monkeypatch.setattr(setup, "ensure", lambda **_: None)
    monkeypatch.setattr(compare, "build", lambda repo, scheduler, settings: scheduler)
    monkeypatch.setattr(compare.sim, "build_sim", lambda repo, scheduler, settings: scheduler)
    monkeypatch.setattr(compare.sim, "default_costs", lambda repo, scheduler: "costs.json")
    monkeypatch.setattr(compare, "run_in_parallel", lambda *args, **kwargs: [])
    monkeypatch.setattr(compare, "write_report", lambda repo, root: True)
    monkeypatch.setattr(compare, "_bench", lambda repo, comparison, artifacts, out:
                        benched.append(sorted(artifacts)) or False)
    qemu = [("qemu", "mlfq"), ("qemu", "rr")]
    assert not compare.run_suite(repo, Comparison(["rr", "mlfq"], ["chat"], engine="qemu"),
                                 repo / "o")
    assert benched == [qemu]   # and a failed root task fails the comparison
    assert compare.run_suite(repo, Comparison(["rr"], ["chat"]), repo / "p", bench=False)
    assert benched == [qemu]
    real_run_suite = compare.run_suite
    monkeypatch.setattr(cli, "run_suite", lambda repo, comparison, out, bench=True:
                        suites.append(bench) or real_run_suite(repo, comparison, out, bench=bench))
    (repo / "workloads" / "chat.json").write_text(json.dumps(
        {"description": "chat", "threads": [{"name": "w", "phases": [{"run": {"us": 1}}]}]}))
    assert cli.main(["compare", "--no-bench"], repo=repo) == 0
    assert cli.main(["compare"], repo=repo) == 1
    assert suites == [False, True] and len(benched) == 2


def test_the_report_shows_the_bench_tables_and_plots(tmp_path):
    data = bench_data({("rr", "off"): {"yield_switch": 400},
                       ("mlfq", "off"): {"yield_switch": 500}})
    data["results"].append({"operation": "pick", "threads": 16, "policy": "rr", "trace": "off",
                            "harts": 1, "unit": "instructions", "instructions": 150, "min": 150,
                            "median": 150, "max": 150, "rounds": [150]})
    (tmp_path / "bench.json").write_text(json.dumps(data))
    plots = tmp_path / "report" / "plots"
    plots.mkdir(parents=True)
    section = bench_section(tmp_path, tmp_path / "report", plots)
    assert '<h2 id="bench">Microbenchmarks</h2>' in section
    assert "<td>500!</td>" in section and "<td>511</td>" in section
    assert (plots / "bench_kernel_operations.png").is_file()
    assert (plots / "bench_decisions.png").is_file()
    assert 'src="plots/bench_kernel_operations.png"' in section


def test_the_report_page_has_the_section_after_the_answers(tmp_path):
    from analysis.report import write_report
    (tmp_path / "bench.json").write_text(json.dumps(bench_data({("rr", "off"): {
        "yield_switch": 400}})))
    page = write_report(tmp_path).read_text()
    assert page.index("<h2>Which configuration wins each workload</h2>") \
        < page.index('<h2 id="bench">') < page.index("<h2>Configurations</h2>")


def test_a_report_without_bench_json_has_no_bench_section(tmp_path):
    assert bench_section(tmp_path, tmp_path / "report", tmp_path) == ""
