"""`./schedlab calibrate`: the simulator's cost table (sim/costs/<sched>.json), measured in QEMU.

For each scheduler configuration it runs workloads of the default suite in QEMU under icount
(1 hart: one instruction is one ns) and measures, in their traces, how long the kernel's paths
take between the records they leave: the medians are the costs the simulator charges (sim/src/
sim.h names each). Under icount a QEMU trace is exact, so these are the kernel's own figures
for this build. What each key measures (METHOD below is written into the table):
"""
import json
import re
import statistics
from pathlib import Path

from . import SchedlabError, shown
from .build import build
from .provenance import git_commit
from .run import RunRequest, run_workload

CALIBRATION_WORKLOADS = ("mixed", "interactive", "ipc-server", "pipeline")
IPI_WORKLOAD, IPI_HARTS = "wakeup-storm", 2
SHORT_PATH_NS = 3000   # a gap longer than this between two records has user work in it

METHOD = {
    "syscall_entry_ns": "half the median gap between two back-to-back marker system calls of "
                        "one thread (REQUEST_DUE then REQUEST_BEGIN, JOB_RELEASE then "
                        "JOB_DEADLINE): a trap, the call and the return; only the sum of entry "
                        "and exit is visible in a trace",
    "syscall_exit_ns": "the other half of that round trip",
    "irq_entry_ns": "median from a timer deadline (TIMER_SET) to the handler's first record "
                    "(PREEMPT of an expired slice, or WAKEUP of a sleeper) on a busy hart",
    "irq_exit_ns": "not visible in a trace (the interrupted thread's next record is after "
                   "its work): taken equal to switch_exit_ns, the same trap return",
    "decision_ns": "median from a BLOCK, YIELD or PREEMPT record to the SWITCH it causes",
    "timer_set_ns": "median from a SWITCH to the TIMER_SET that follows it",
    "switch_exit_ns": "median from the TIMER_SET after a switch to the incoming thread's first "
                      "marker, less syscall_entry_ns (so it holds the few user instructions "
                      "before that call too)",
    "idle_wake_ns": "median from a timer deadline to the first record of an idle hart's wakeup",
    "ipi_latency_ns": "minimum, over a 2-hart wakeup-storm run, from an IPI record to the next "
                      "record of its target hart (icount runs harts in turns, so only the "
                      "minimum is the interrupt's own latency)",
    "switch_cost_ns": "the kernel's boot calibration of a context switch (its console line)",
}


def _per_hart(trace):
    records = trace.records
    return [records[records["hart"] == h] for h in range(trace.nharts)]


def measure(trace):
    """Samples of each cost in one decoded 1-hart trace: {key: [ns, ...]}."""
    types = {name: trace.format.events[name].value for name in trace.format.events}
    marker_pairs = {(10, 1), (3, 7)}   # REQUEST_DUE->REQUEST_BEGIN, JOB_RELEASE->JOB_DEADLINE
    samples = {key: [] for key in ("round_trip", "irq_entry", "idle_wake", "decision",
                                   "timer_set", "switch_exit_total")}
    for seq in _per_hart(trace):
        times, kinds = seq["time_ns"].astype(int), seq["type"].astype(int)
        arg0, arg1, arg4 = seq["arg0"].astype(int), seq["arg1"].astype(int), seq["arg4"].astype(int)
        deadline = None
        for i in range(1, len(seq)):
            gap = times[i] - times[i - 1]
            kind, before = kinds[i], kinds[i - 1]
            if (kind == before == types["MARKER"] and arg1[i] == arg1[i - 1]
                    and (arg0[i - 1], arg0[i]) in marker_pairs and gap < SHORT_PATH_NS):
                samples["round_trip"].append(gap)
            if kind == types["SWITCH"] and before in (types["BLOCK"], types["YIELD"],
                                                      types["PREEMPT"]):
                samples["decision"].append(gap)
            if kind == types["TIMER_SET"] and before == types["SWITCH"]:
                samples["timer_set"].append(gap)
                if (i + 1 < len(seq) and kinds[i + 1] == types["MARKER"]
                        and arg1[i + 1] == seq["arg2"][i - 1] and times[i + 1] - times[i] < SHORT_PATH_NS):
                    samples["switch_exit_total"].append(int(times[i + 1] - times[i]))
            if deadline is not None and times[i] >= deadline and kind in (types["PREEMPT"],
                                                                           types["WAKEUP"]):
                key = "idle_wake" if before == types["IDLE_ENTER"] else "irq_entry"
                if times[i] - deadline < SHORT_PATH_NS:
                    samples[key].append(int(times[i] - deadline))
                deadline = None
            if kind == types["TIMER_SET"]:
                deadline = arg4[i]
    return samples


def measure_ipi(trace):
    types = {name: trace.format.events[name].value for name in trace.format.events}
    records = trace.records
    latencies = []
    for i in range(len(records)):
        if records["type"][i] != types["IPI"] or records["arg0"][i] != 0:
            continue
        target, sent = int(records["arg1"][i]), int(records["time_ns"][i])
        later = records[(records["hart"] == target) & (records["time_ns"] > sent)]
        if len(later):
            latencies.append(int(later["time_ns"][0]) - sent)
    return latencies


def _median(values, what):
    if not values:
        raise SchedlabError(f"calibrate: no samples of {what} in the calibration traces")
    return int(round(statistics.median(values)))


def calibrate(repo, schedulers, out_root, verbose=False):
    """Run the calibration workloads for each scheduler and write sim/costs/<sched>.json."""
    from analysis.decode import decode
    repo = Path(repo)
    commit, dirty = git_commit(repo)
    written = []
    for scheduler in schedulers:
        artifacts = build(repo, scheduler, {}, verbose=verbose)
        merged, switch_costs, runs = {}, [], []
        for workload, cpus in [*((w, 1) for w in CALIBRATION_WORKLOADS), (IPI_WORKLOAD, IPI_HARTS)]:
            out = Path(out_root) / scheduler / f"{workload}-{cpus}h"
            result = run_workload(repo, artifacts, RunRequest(scheduler, workload, out, cpus=cpus))
            if not result.ok:
                raise SchedlabError(f"calibrate {scheduler}: {workload}: {result.message}")
            runs.append(f"{workload} at {cpus} hart(s), seed 1")
            trace = decode(out / "trace.bin")
            console = (out / "console.log").read_text(errors="replace")
            found = re.search(r"measured at boot: (\d+) ns", console)
            if found:
                switch_costs.append(int(found.group(1)))
            if cpus == 1:
                for key, values in measure(trace).items():
                    merged.setdefault(key, []).extend(values)
            else:
                merged["ipi"] = measure_ipi(trace)
        round_trip = _median(merged["round_trip"], "marker round trips")
        entry = round_trip // 2
        switch_exit = max(0, _median(merged["switch_exit_total"], "switch exits") - entry)
        costs = {
            "syscall_entry_ns": entry,
            "syscall_exit_ns": round_trip - entry,
            "irq_entry_ns": _median(merged["irq_entry"], "timer interrupt entries"),
            "irq_exit_ns": switch_exit,
            "decision_ns": _median(merged["decision"], "switch decisions"),
            "timer_set_ns": _median(merged["timer_set"], "timer programming"),
            "switch_exit_ns": switch_exit,
            "idle_wake_ns": _median(merged["idle_wake"] or merged["irq_entry"], "idle wakeups"),
            "ipi_latency_ns": min(merged["ipi"]) if merged.get("ipi") else 0,
            "switch_cost_ns": _median(switch_costs, "the boot switch-cost line"),
        }
        table = {
            "config": scheduler,
            "policy": trace.policy,
            "commit": commit,
            "dirty": dirty,
            "measured_with": runs,
            "clock": "QEMU 7.2 -icount shift=0 (1 instruction = 1 ns)",
            "costs_ns": costs,
            "samples": {key: len(values) for key, values in sorted(merged.items())},
            "method": METHOD,
        }
        path = repo / "sim" / "costs" / f"{scheduler}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(table, indent=2) + "\n")
        print(f"calibrate {scheduler}: {', '.join(f'{k}={v}' for k, v in costs.items())} "
              f"-> {shown(path)}", flush=True)
        written.append(path)
    return written
