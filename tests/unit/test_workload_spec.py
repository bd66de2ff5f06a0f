"""Workload spec validation: each malformed spec gets its precise error (file, field path,
what was expected); valid specs compile to the table the engine reads, with the parameter keys
workloads/README.md promises."""
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tools.schedlab import UsageError  # noqa: E402
from tools.schedlab.configs import discover_workloads, split_workload_assignments  # noqa: E402
from tools.schedlab.workload_spec import SpecError, discover_specs, load_spec  # noqa: E402
from tools.schedlab.workload_table import generate, main as compile_main  # noqa: E402


def spec_file(tmp_path, data, name="w"):
    path = tmp_path / f"{name}.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def base(**changes):
    data = {"description": "test workload",
            "threads": [{"name": "t", "phases": [{"run": {"us": 10}}]}]}
    data.update(changes)
    return data


def error_of(tmp_path, data):
    path = spec_file(tmp_path, data)
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    return message[len(f"{path}: "):]


def server_and_client(call_target):
    return base(servers=["kv"], threads=[
        {"name": "server", "daemon": True, "phases": [
            {"loop": {"forever": True, "phases": [{"recv": {"server": "kv"}}, {"reply": {}}]}}]},
        {"name": "client", "phases": [{"run": {"us": 1}}, {"call": {"server": call_target}}]}])


CASES = [
    ("unknown server",
     server_and_client("db"),
     'threads[1].phases[1].call.server: unknown server "db"; servers are: kv'),
    ("unknown phase kind",
     base(threads=[{"name": "t", "phases": [{"compute": {"us": 1}}]}]),
     "threads[0].phases[0]: unknown phase 'compute'; expected one of: run, sleep, timer, "
     "call, recv, reply, signal, wait, lock, unlock, barrier, yield, spawn, loop"),
    ("two phase kinds in one object",
     base(threads=[{"name": "t", "phases": [{"run": {"us": 1}, "sleep": {"us": 1}}]}]),
     "threads[0].phases[0]: expected an object with exactly one phase kind: run, sleep, timer, "
     "call, recv, reply, signal, wait, lock, unlock, barrier, yield, spawn, loop"),
    ("missing description",
     {"threads": [{"name": "t", "phases": [{"yield": {}}]}]},
     "description: expected a one-line description of the workload"),
    ("count is not a number",
     base(threads=[{"name": "t", "count": "four", "phases": [{"yield": {}}]}]),
     'threads[0].count: expected threads in the group: an integer 0..281474976710655 or a '
     '"$param", got "four"'),
    ("negative run time",
     base(threads=[{"name": "t", "phases": [{"run": {"us": -5}}]}]),
     'threads[0].phases[0].run.us: expected run us: an integer 0..281474976710655 or a '
     '"$param", got -5'),
    ("unknown parameter reference",
     base(params={"n": 3}, threads=[{"name": "t", "phases": [{"sleep": {"us": "$m"}}]}]),
     "threads[0].phases[0].sleep.us: unknown parameter '$m'; params are: $n, $harts"),
    ("missing phase field",
     base(threads=[{"name": "t", "phases": [{"sleep": {}}]}]),
     "threads[0].phases[0].sleep: missing field 'us'"),
    ("unknown phase field",
     base(threads=[{"name": "t", "phases": [{"sleep": {"ms": 1}}]}]),
     "threads[0].phases[0].sleep.ms: unknown field; expected one of: us"),
    ("unknown group field",
     base(threads=[{"name": "t", "prio": 3, "phases": [{"yield": {}}]}]),
     "threads[0].prio: unknown field; expected one of: name, count, priority, affinity, "
     "address_space, working_set_kb, arrival_us, start, daemon, paged, phases"),
    ("duplicate group name",
     base(threads=[{"name": "t", "phases": [{"yield": {}}]},
                   {"name": "t", "phases": [{"yield": {}}]}]),
     "threads[1].name: duplicate thread group name 't'"),
    ("bad address space",
     base(threads=[{"name": "t", "address_space": "private", "phases": [{"yield": {}}]}]),
     "threads[0].address_space: expected 'shared' or 'own', got \"private\""),
    ("barrier in its own address space",
     base(barriers=["b"], threads=[{"name": "t", "address_space": "own",
                                    "phases": [{"barrier": {"barrier": "b"}}]}]),
     "threads[0].phases[0].barrier: barriers count arrivals in shared memory: use them only in "
     "threads with \"address_space\": \"shared\""),
    ("undeclared lock",
     base(threads=[{"name": "t", "phases": [{"lock": {"lock": "m"}}]}]),
     'threads[0].phases[0].lock.lock: unknown lock "m"; locks are: (none: declare them in '
     '"locks")'),
    ("reply without recv",
     base(threads=[{"name": "t", "phases": [{"reply": {}}]}]),
     "threads[0].phases[0].reply: a reply needs a recv phase in the same thread"),
    ("paged without its own address space",
     base(threads=[{"name": "t", "paged": True, "working_set_kb": 8,
                    "phases": [{"run": {"us": 1}}]}]),
     "threads[0].paged: paged threads need \"address_space\": \"own\" (the pager maps frames "
     "into their address space)"),
    ("spawn of a group that starts at boot",
     base(threads=[{"name": "a", "phases": [{"spawn": {"threads": "b"}}]},
                   {"name": "b", "phases": [{"yield": {}}]}]),
     "threads[0]: spawns 'b', which has no \"start\": \"spawn\""),
    ("spawned group nobody spawns",
     base(threads=[{"name": "a", "phases": [{"yield": {}}]},
                   {"name": "b", "start": "spawn", "phases": [{"yield": {}}]}]),
     "threads[1].start: 'b' starts by spawn but no phase spawns it"),
    ("server called but never received on",
     base(servers=["kv"], threads=[{"name": "c", "phases": [{"call": {"server": "kv"}}]}]),
     "servers: 'kv' is called but no thread has a recv phase for it"),
    ("only daemons",
     base(threads=[{"name": "t", "daemon": True, "phases": [{"yield": {}}]}]),
     "threads: every thread group is a daemon: nothing to wait for"),
    ("loop with count and forever",
     base(threads=[{"name": "t", "phases": [
         {"loop": {"count": 2, "forever": True, "phases": [{"yield": {}}]}}]}]),
     "threads[0].phases[0].loop: expected exactly one of 'count' or \"forever\": true"),
    ("empty loop",
     base(threads=[{"name": "t", "phases": [{"loop": {"count": 2, "phases": []}}]}]),
     "threads[0].phases[0].loop.phases: expected a non-empty list of phases"),
    ("run with both amounts",
     base(threads=[{"name": "t", "phases": [{"run": {"us": 1, "percent_of_period": 5}}]}]),
     "threads[0].phases[0].run: expected exactly one of 'us' or 'percent_of_period'"),
    ("percent of a period without a timer",
     base(threads=[{"name": "t", "phases": [{"run": {"percent_of_period": 5}}]}]),
     "threads[0].phases[0].run: 'percent_of_period' needs a timer phase before it in this "
     "thread"),
    ("zero affinity mask",
     base(threads=[{"name": "t", "affinity": 0, "phases": [{"yield": {}}]}]),
     "threads[0].affinity: an affinity mask needs at least one hart"),
    ("pager frames without a paged group",
     base(pager_frames=4),
     "pager_frames: only specs with a \"paged\": true thread group have a pager"),
    ("colliding parameter keys",
     base(params={"count": 1}, threads=[{"name": "w", "phases": [{"yield": {}}]}]),
     "threads[0].count: parameter key 'w.count' is already used; rename the thread group or "
     "parameter"),
    ("unknown top-level field",
     base(thread=[]),
     "thread: unknown field; expected one of: description, params, pager_frames, threads, "
     "servers, notifications, locks, barriers"),
    ("unknown distribution",
     base(threads=[{"name": "t", "phases": [{"sleep": {"us": {"dist": "poisson", "mean": 5}}}]}]),
     'threads[0].phases[0].sleep.us.dist: expected a distribution: one of uniform, exponential, '
     'normal, got "poisson"'),
    ("distribution without its required parameter",
     base(threads=[{"name": "t", "phases": [{"run": {"us": {"dist": "normal", "mean": 50}}}]}]),
     "threads[0].phases[0].run.us: a normal distribution needs 'sd' (fields: mean, sd, min, max)"),
    ("unknown distribution parameter",
     base(threads=[{"name": "t", "phases": [{"run": {"us": {"dist": "uniform", "lo": 1,
                                                           "max": 5}}}]}]),
     "threads[0].phases[0].run.us.lo: unknown field of a uniform distribution; expected one of: "
     "dist, min, max"),
    ("uniform bounds the wrong way round",
     base(threads=[{"name": "t", "phases": [{"run": {"us": {"dist": "uniform", "min": 9,
                                                           "max": 5}}}]}]),
     "threads[0].phases[0].run.us: uniform max 5 is below min 9"),
    ("exponential max below min",
     base(threads=[{"name": "t", "arrival_us": {"dist": "exponential", "mean": 10, "min": 8,
                                                "max": 4}, "phases": [{"yield": {}}]}]),
     "threads[0].arrival_us: exponential max 4 is below min 8 (max 0: no upper bound)"),
    ("exponential with mean 0",
     base(threads=[{"name": "t", "phases": [{"sleep": {"us": {"dist": "exponential",
                                                             "mean": 0}}}]}]),
     "threads[0].phases[0].sleep.us.mean: an exponential distribution needs a mean > 0"),
    ("negative distribution parameter",
     base(threads=[{"name": "t", "phases": [{"sleep": {"us": {"dist": "uniform", "min": -1,
                                                             "max": 3}}}]}]),
     'threads[0].phases[0].sleep.us.min: expected sleep us min: an integer 0..281474976710655 '
     'or a "$param", got -1'),
    ("a distribution where only a constant makes sense",
     base(threads=[{"name": "t", "priority": {"dist": "uniform", "min": 1, "max": 5},
                    "phases": [{"yield": {}}]}]),
     "threads[0].priority: expected seL4 priority, below the root task's 255: a constant "
     '(an integer or a "$param"); '
     'distributions are for durations, counts and arrivals'),
    ("a distribution parameter used as a priority",
     base(params={"p": {"value": {"dist": "uniform", "min": 1, "max": 5}}},
          threads=[{"name": "t", "priority": "$p", "phases": [{"yield": {}}]}]),
     "threads[0].priority: '$p' is a uniform distribution; this field takes a constant"),
    ("priority not below the root task's",
     base(threads=[{"name": "t", "priority": 255, "phases": [{"yield": {}}]}]),
     "threads[0].priority: expected a priority below the root task's (255), which must outrank "
     "every workload thread until they all started; got 255"),
    ("spawned group in its own address space",
     base(threads=[{"name": "m", "phases": [{"spawn": {"threads": "w"}}]},
                   {"name": "w", "start": "spawn", "address_space": "own",
                    "phases": [{"yield": {}}]}]),
     "threads[1].start: a spawned group reads its arrival instant from the spawner's memory: it "
     'needs "address_space": "shared"'),
]


@pytest.mark.parametrize("data,expected", [(d, e) for _, d, e in CASES],
                         ids=[name for name, _, _ in CASES])
def test_malformed_spec_gets_its_precise_error(tmp_path, data, expected):
    assert error_of(tmp_path, data) == expected


def test_invalid_json_names_line_and_column(tmp_path):
    path = spec_file(tmp_path, '{"description": "x",\n  "threads": [}\n')
    with pytest.raises(SpecError, match=r"w\.json:2:15: not valid JSON"):
        load_spec(path)


def test_the_compiler_fails_with_the_error_on_stderr(tmp_path, capsys):
    path = spec_file(tmp_path, server_and_client("db"))
    assert compile_main([str(path), str(tmp_path / "out.c")]) == 1
    assert 'call.server: unknown server "db"; servers are: kv' in capsys.readouterr().err
    assert not (tmp_path / "out.c").exists()


def test_every_suite_spec_is_valid_and_compiles():
    specs = discover_specs(REPO)
    assert {"cpu-bound", "interactive", "mixed", "ipc-server", "pipeline", "periodic-rt",
            "fork-join", "wakeup-storm", "working-set", "pager"} <= set(specs)
    for name, path in specs.items():
        text = generate(load_spec(path), f"workloads/{path.name}")
        assert "const struct wl_spec wl_spec" in text, name


def test_parameter_keys_follow_the_documented_names(tmp_path):
    spec = load_spec(spec_file(tmp_path, base(
        params={"n": 3},
        threads=[{"name": "hog", "count": "$harts", "phases": [
            {"run": {"us": 10}}, {"loop": {"count": "$n", "phases": [{"run": {"us": 20}}]}},
            {"timer": {"period_us": 100, "deadline_us": 50}}]}]), name="demo"))
    values = {v.key: v for v in spec.values}
    assert values["demo.n"].default == 3
    assert values["hog.count"].from_harts
    assert values["hog.run_us"].default == 10 and values["hog.run_us2"].default == 20
    assert values["hog.timer_deadline_us"].default == 50
    assert "hog.loop_count" not in values    # "$n" follows the workload parameter


def test_set_sends_workload_keys_to_boot_arguments_and_the_rest_to_the_build():
    interactive = discover_workloads(REPO)["interactive"]
    boot, rest = split_workload_assignments(
        interactive, ["interactive.count=8", "timeslice_us=2000", "interactive.requests=5"])
    assert boot == ["interactive.count=8", "interactive.requests=5"]
    assert rest == ["timeslice_us=2000"]
    with pytest.raises(UsageError, match="takes an integer"):
        split_workload_assignments(interactive, ["interactive.count=many"])


def test_list_shows_spec_workloads_with_descriptions_and_parameters():
    workloads = discover_workloads(REPO)
    assert workloads["mixed"].description.startswith("mixed:")
    assert workloads["interactive"].parameters["interactive.count"] == 4
    assert "engine" not in workloads


def test_distribution_parameters_get_their_own_keys(tmp_path):
    spec = load_spec(spec_file(tmp_path, base(
        params={"think": {"value": {"dist": "exponential", "mean": 500, "max": 5000},
                          "doc": "think time"}},
        threads=[{"name": "c", "count": {"dist": "uniform", "min": 2, "max": 4},
                  "arrival_us": {"dist": "normal", "mean": 100, "sd": 10, "min": 50},
                  "phases": [{"sleep": {"us": "$think"}},
                             {"run": {"us": {"dist": "uniform", "min": 1, "max": "$lo"}}}]}],
    ) | {"params": {"think": {"value": {"dist": "exponential", "mean": 500, "max": 5000}},
                    "lo": 7}}, name="demo"))
    values = {v.key: v.default for v in spec.values}
    assert values["demo.think.mean"] == 500 and values["demo.think.max"] == 5000
    assert values["demo.think.min"] == 0          # a bound left out: 0 (max 0: none)
    assert values["c.count.min"] == 2 and values["c.count.max"] == 4
    assert values["c.arrival_us.sd"] == 10 and values["c.arrival_us.max"] == 0
    assert values["c.run_us.min"] == 1 and "c.run_us.max" not in values  # "$lo" follows lo
    assert "c.sleep_us" not in values and "c.sleep_us.mean" not in values  # "$think" follows
    kinds = [q.kind for q in spec.quantities]
    assert kinds.count("exponential") == 1 and kinds.count("uniform") == 2
    table = generate(spec, "demo.json")
    assert "WL_EXPONENTIAL" in table and "WL_NORMAL" in table


def test_the_engines_normal_and_exponential_methods_are_as_accurate_as_documented():
    """draw.c's integer methods, computed here exactly as the engine does: the exponential's
    log2 by squaring against the true logarithm, and the Irwin-Hall sum of 12 uniforms against
    the normal CDF (the bounds workloads/README.md states)."""
    import math

    def log2_q32(u):
        top = u.bit_length() - 1
        m, fraction = u << (62 - top), 0
        for bit in range(31, -1, -1):
            m = (m * m) >> 62
            if m >= 1 << 63:
                m >>= 1
                fraction |= 1 << bit
        return top << 32 | fraction
    for u in (1, 2, 3, 1000, 123456789, (1 << 32) - 1, 1 << 32):
        assert abs(log2_q32(u) / 2**32 - math.log2(u)) < 2**-28
    # Irwin-Hall(12) - 6 against N(0, 1): the CDF of the sum, by its closed form
    def irwin_hall_cdf(x, n=12):
        return sum((-1) ** k * math.comb(n, k) * (x - k) ** n
                   for k in range(int(math.floor(x)) + 1)) / math.factorial(n)
    worst = max(abs(irwin_hall_cdf(z + 6) - 0.5 * (1 + math.erf(z / math.sqrt(2))))
                for z in [i / 100 for i in range(-599, 600)])
    assert worst < 0.0024


# --- every error, and a broken spec that leaves the others buildable -------------------------

def broken_in_three_places():
    """An unknown top-level field, a bad phase in group a and another in group b."""
    return base(color="red", threads=[
        {"name": "a", "phases": [{"run": {"us": 10}}, {"nap": {}}]},
        {"name": "b", "phases": [{"sleep": {"us": -1}}, {"run": {"us": 1}}]}])


def test_every_error_in_a_spec_is_reported(tmp_path):
    path = spec_file(tmp_path, broken_in_three_places())
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert caught.value.errors == [
        f"{path}: color: unknown field; expected one of: description, params, pager_frames, "
        "threads, servers, notifications, locks, barriers",
        f"{path}: threads[0].phases[1]: unknown phase 'nap'; expected one of: "
        "run, sleep, timer, call, recv, reply, signal, wait, lock, unlock, barrier, yield, "
        "spawn, loop",
        f"{path}: threads[1].phases[0].sleep.us: expected sleep us: an integer "
        "0..281474976710655 or a \"$param\", got -1"]
    assert str(caught.value) == "\n".join(caught.value.errors)


def test_check_prints_every_error_and_valid_lists_the_good_specs(tmp_path, capsys):
    bad = spec_file(tmp_path, broken_in_three_places(), name="bad")
    good = spec_file(tmp_path, base(), name="good")
    assert compile_main(["--check", str(bad), str(good)]) == 1
    assert capsys.readouterr().err.count("error: ") == 3
    assert compile_main(["--valid", str(bad), str(good)]) == 0
    captured = capsys.readouterr()
    assert captured.out.split() == [str(good)] and captured.err.count("error: ") == 3


def test_the_configure_step_leaves_out_a_broken_spec_and_its_stale_binary(tmp_path):
    """cmake/workload_specs.cmake, in a project of its own (no compiler needed): the valid spec
    is kept, the broken one left out with a warning, and its old binary removed."""
    import subprocess
    project = tmp_path / "project"
    (project / "workloads").mkdir(parents=True)
    (project / "tools").symlink_to(REPO / "tools")
    spec_file(project / "workloads", base(), name="good")
    spec_file(project / "workloads", broken_in_three_places(), name="bad")
    (project / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.20)\nproject(specs NONE)\n"
        f"include({REPO}/cmake/workload_specs.cmake)\n"
        "schedlab_workload_specs(specs)\n"
        'file(WRITE ${CMAKE_BINARY_DIR}/specs.txt "${specs}")\n')
    build = tmp_path / "build"
    build.mkdir()
    (build / "bad.elf").write_text("stale")
    result = subprocess.run(["cmake", "-S", str(project), "-B", str(build)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (build / "specs.txt").read_text() == str(project / "workloads" / "good.json")
    assert "not built, their specs are invalid: bad" in result.stderr
    assert "unknown phase 'nap'" in result.stderr
    assert not (build / "bad.elf").exists()


def test_a_run_of_a_workload_whose_spec_is_broken_says_why(tmp_path):
    from tools.schedlab.workload_spec import why_not_built
    (tmp_path / "workloads").mkdir()
    spec_file(tmp_path / "workloads", broken_in_three_places(), name="bad")
    spec_file(tmp_path / "workloads", base(), name="good")
    assert why_not_built(tmp_path, "bad").startswith(": its spec is invalid: ")
    assert "unknown phase 'nap'" in why_not_built(tmp_path, "bad")
    assert why_not_built(tmp_path, "good") == "" and why_not_built(tmp_path, "none") == ""
