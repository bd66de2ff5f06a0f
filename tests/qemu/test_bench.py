"""`./schedlab bench` end to end: rr with tracing compiled out, in QEMU under icount.

It builds its own kernel (tracing off: build/rr-<hash>, which no other test uses) and boots
each root task at least twice. Under icount the figures are instruction counts, so the rounds
must agree exactly; every operation the tool expects is either measured or listed as missing
(never dropped, never invented).
"""
import json
import subprocess

from tools.schedlab import REPO_ROOT
from tools.schedlab.bench import EXPECTED_OPERATIONS, MIN_ROUNDS

BENCH_TIMEOUT_SECONDS = 1800   # a build and six boots; far above what they need


def test_bench_rr_without_tracing_repeats_exactly(tmp_path):
    out = tmp_path / "bench"
    result = subprocess.run([str(REPO_ROOT / "schedlab"), "bench", "--scheds", "rr", "--trace",
                             "off", "--out", str(out)], capture_output=True, text=True,
                            timeout=BENCH_TIMEOUT_SECONDS)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    data = json.loads((out / "bench.json").read_text())
    assert [(c["policy"], c["trace"], c["harts"]) for c in data["configs"]] == [("rr", "off", 1)]
    tasks = data["configs"][0]["root_tasks"]
    assert {"microbench", "policybench", "slicebench"} <= set(tasks)
    assert all(t["error"] is None and t["repeated_exactly"] for t in tasks.values()), tasks
    results = data["results"]
    for row in results:
        assert len(row["rounds"]) == MIN_ROUNDS and row["min"] == row["max"], row
        assert row["instructions"] > 0 and row["policy"] == "rr" and row["trace"] == "off"
    measured = {row["operation"] for row in results if row["threads"] is None}
    missing = set(data["missing"][0]["operations"]) if data["missing"] else set()
    assert set(EXPECTED_OPERATIONS) <= measured | missing
    assert not measured & missing
    assert {"yield_switch", "call_replyrecv_roundtrip"} <= measured
    # measured as sel4bench measures: less the interval's own user instructions (the counter
    # reads, the stub's set-up, a nop for the ecall), a handful, never nothing
    figures = {row["operation"]: row["instructions"] for row in results if row["threads"] is None}
    for op in ("null_syscall", "call_oneway", "replyrecv_oneway", "call_10words_oneway",
               "send_higher_prio", "yield_switch", "yield_noswitch", "signal_higher_prio_waiter",
               "signal_lower_prio", "wait_notification"):
        assert 0 < figures[f"{op}_overhead"] < 16, (op, figures[f"{op}_overhead"])
    # the round trip's interval holds both one-way overheads
    assert figures["call_replyrecv_roundtrip_overhead"] == (figures["call_oneway_overhead"]
                                                           + figures["replyrecv_oneway_overhead"])
    decisions = {(row["operation"], row["threads"]) for row in results if row["threads"]}
    assert {(kind, n) for kind in ("pick", "enqueue", "round")
            for n in (1, 16, 256, 1024)} <= decisions
    # the round is the pick and the enqueue together (each a mean rounded down: one apart at most)
    decision = {(row["policy"], row["trace"], row["operation"], row["threads"]): row["median"]
                for row in results if row["threads"]}
    for (policy, trace, kind, n), v in decision.items():
        if kind == "round":
            parts = decision[(policy, trace, "pick", n)] + decision[(policy, trace, "enqueue", n)]
            assert 0 <= v - parts <= 1, (policy, trace, n, v, parts)
    assert "Kernel operations" in result.stdout and "seL4" in result.stdout
