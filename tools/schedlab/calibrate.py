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

from analysis.atomic_file import write_atomically   # numpy-free

from . import SchedlabError, shown
from .build import build
from .provenance import git_commit
from .run import RunRequest, run_workload
from .sim import build_sim

# The suite's workloads but two (periodic-rt and working-set: the cross-check sees them without
# having calibrated on them), and sim/calibration/'s, which exercise what only those two use
# (periodic's timer phases with jobs sized as a share of the period).
CALIBRATION_WORKLOADS = ("mixed", "interactive", "ipc-server", "pipeline", "cpu-bound", "fork-join",
                         "wakeup-storm", "periodic")
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
    "ipi_latency_ns": "minimum, over a 2-hart wakeup-storm run, from the sender's last record "
                      "before the target hart's first record after an IPI to that record, less "
                      "idle_wake_ns (icount runs harts in turns, so only the minimum can be "
                      "the interrupt's own latency; an upper bound of it)",
    "switch_cost_ns": "the kernel's boot calibration of a context switch (its console line)",
    "path_ns": "per pair of consecutive records of one kernel entry, by how the entry began "
               "(ENTRY:PREV>NEXT, ENTRY the system call, MARKER_<id> for a marker, CALL_FAST "
               "for a Call the kernel's fastpath takes, IRQ or IDLE; PREV>NEXT over every "
               "entry, used where the entry's own key is missing): the median QEMU gap between "
               "them, where the simulator's trace of the same run (which knows the entries) "
               "matches QEMU's event for event; keys with fewer than 5 samples, unless 2 or more "
               "all equal (an exact cost), are left out (the scalar costs apply)",
    "user_ns": "per chain of system calls between two records of a hart "
               "(ENTRY:BEFORE>CALL>...>CALL=RECORD: the record before, MARKER_<id> for a "
               "marker; the entry that made it, as path_ns's, or none for a key over every "
               "entry; the calls, CLOCK_NOW@<function> for a clock read by that engine "
               "function, CALL_FAST for a last Call the fastpath took; and the record the last "
               "call made): the median QEMU gap between the two records less the simulator's "
               "kernel time in it, where the traces match: the user instructions (the "
               "interpreter, its draws) that the simulator runs in no time, and the kernel's "
               "path to an entry's first record; 5 samples at least (or 2 all equal), negative "
               "medians taken as 0. path_ns and user_ns are measured twice, the second time with the simulator "
               "run on the first's tables, whose timeline aligns with QEMU's better",
    "boot_ns": "median over the 1-hart runs of the first trace record's time: the kernel's "
               "boot, from reset to the root task's first record; the simulator's clock starts "
               "there, so that what counts from boot (mlfq's boosts) falls where it does in "
               "QEMU (the root task's set-up after it, 0.5 to 5 ms in QEMU, is not modelled)",
    "touch_ns_per_line": "instructions of the working-set loop in the engine's run() "
                         "(interpret.c touch(), one 64-byte line per iteration), counted in the "
                         "kernel build's object code (objdump): one instruction is one ns",
}


def touch_loop_instructions(build_dir):
    """Instructions per iteration of the only loop in interpret.c's run(): touch()."""
    import subprocess
    objects = list(Path(build_dir).glob("workloads/CMakeFiles/workload_engine.dir/engine/"
                                        "interpret.c.obj"))
    if not objects:
        raise SchedlabError(f"calibrate: no interpret.c object in {shown(build_dir)}")
    listing = subprocess.run(["riscv64-unknown-elf-objdump", "-d", str(objects[0])],
                             capture_output=True, text=True, check=True).stdout
    # run()'s code: up to the next function's label (local labels start with ".L")
    body = re.split(r"\n[0-9a-f]+ <[^.][^>]*>:", listing.split("<run>:", 1)[1], maxsplit=1)[0]
    instructions = re.findall(r"^\s+([0-9a-f]+):\s+[0-9a-f]+\s+(\S+)\s*(.*)$", body, re.M)
    for address, mnemonic, operands in instructions:
        target = re.search(r",([0-9a-f]+) <", operands)
        if mnemonic.startswith("b") and target and int(target.group(1), 16) < int(address, 16):
            start, end = int(target.group(1), 16), int(address, 16)
            return sum(1 for a, _, _ in instructions if start <= int(a, 16) <= end)
    raise SchedlabError("calibrate: no loop found in interpret.c's run()")


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
        # a policy's own records (tstune's SLICE after a SWITCH, mlfq's LEVEL) are part of the
        # paths measured here, not ends of them
        seq = seq[seq["type"] != types["POLICY"]]
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
    """Samples of an IPI's own latency in a 2-hart trace: from the sender's last record before
    the target's first record after the IPI (the sender may keep the lock a while) to that
    first record; the target's idle-wake path is taken off by the caller."""
    types = {name: trace.format.events[name].value for name in trace.format.events}
    records = trace.records
    times, harts = records["time_ns"].astype(int), records["hart"].astype(int)
    latencies = []
    for i in range(len(records)):
        if records["type"][i] != types["IPI"] or records["arg0"][i] != 0:
            continue
        target, sender, sent = int(records["arg1"][i]), harts[i], times[i]
        later = (harts == target) & (times > sent)
        if not later.any():
            continue
        first = times[later][0]
        sender_before = times[(harts == sender) & (times <= first)]
        latencies.append(int(first - sender_before[-1]))
    return latencies


# sim/src/sim.h enum sim_path_start: tags past the event types
PATH_TAGS = {32: "SYSCALL", 33: "IRQ", 34: "IDLE", 35: "PREEMPT_BY_WAKEUP"}
# the root task's set-up: the simulator does not model its cost (its records are kept apart)
SETUP_EVENTS = {"THREAD_NEW", "THREAD_NAME", "PRIO_CHANGE"}
ROOT_MARKERS = ("MARKER_5", "MARKER_6")   # WORKLOAD_BEGIN / END: the root task's set-up
MIN_PATH_SAMPLES = 5


def _chain_is_root_task(chain):
    """A chain ("BEFORE>CALL>...=RECORD") that marks the root task's set-up, which the simulator
    does not time."""
    return any(call in ROOT_MARKERS for call in chain.split("=")[0].split(">")[1:])


def measure_paths(qemu_trace, sim_trace, annotations):
    """Samples of path_ns["ENTRY:PREV>NEXT"] (and "PREV>NEXT", every entry's) and user_ns
    ["BEFORE>CALL>..."]: the simulator's trace of the same run says which consecutive records
    belong to one kernel entry and how it began, and for the first record of a system call the
    chain of calls since the hart's last record (annotations: "PREV ENTRY CHAIN" per record);
    where the two traces' event sequences match (difflib), the QEMU gap between two records of
    one entry is the kernel path's cost, and across a chain the QEMU gap less the simulator's
    is the user time the simulator did not see."""
    import difflib
    names = {event.value: name for name, event in qemu_trace.format.events.items()}
    names.update(PATH_TAGS)
    preempt = qemu_trace.format.events["PREEMPT"].value
    wakeup = qemu_trace.format.enums["trace_preempt_reason"]["TRACE_PREEMPT_WAKEUP"]

    def tags(trace):
        types, arg0 = trace.records["type"].astype(int), trace.records["arg0"].astype(int)
        return [35 if t == preempt and a == wakeup else t for t, a in zip(types.tolist(),
                                                                          arg0.tolist())]
    q_types, s_types = tags(qemu_trace), tags(sim_trace)
    q_times = qemu_trace.records["time_ns"].astype(int)
    s_times = sim_trace.records["time_ns"].astype(int)
    users = {}
    matcher = difflib.SequenceMatcher(None, q_types, s_types, autojunk=False)
    samples = {}
    for q_start, s_start, size in matcher.get_matching_blocks():
        for k in range(1, size):
            before, entry, chain, charged = annotations[s_start + k]
            names_involved = {names.get(s_types[s_start + k]), names.get(s_types[s_start + k - 1])}
            if (chain != "-" and not _chain_is_root_task(chain)
                    and not names_involved & SETUP_EVENTS):
                q_gap = q_times[q_start + k] - q_times[q_start + k - 1]
                # the simulator's kernel time in the gap: less what it charged as user time
                s_gap = s_times[s_start + k] - s_times[s_start + k - 1] - charged
                users.setdefault(chain, []).append(int(q_gap - s_gap))
                if ":" in chain.split(">")[0]:   # the same chain, whichever entry made BEFORE
                    users.setdefault(chain.split(":", 1)[1], []).append(int(q_gap - s_gap))
            if before >= 32 and before != 35 or before != s_types[s_start + k - 1]:
                continue   # the first record of an entry, or not this entry's previous record
            if {names[before], names[s_types[s_start + k]]} & SETUP_EVENTS:
                continue
            key = f"{names[before]}>{names[s_types[s_start + k]]}"
            gap = int(q_times[q_start + k] - q_times[q_start + k - 1])
            samples.setdefault(key, []).append(gap)
            if entry != "-":   # the same path, in entries that began this way
                samples.setdefault(f"{entry}:{key}", []).append(gap)
    return samples, users, matcher.ratio()


def _median(values, what):
    if not values:
        raise SchedlabError(f"calibrate: no samples of {what} in the calibration traces")
    return int(round(statistics.median(values)))


def _enough(values):
    """Enough samples to trust a key's median: MIN_PATH_SAMPLES, or two or more that are all the
    same (an exact cost, as under icount: each client's first chain of a run, say, of which a run
    has one per client)."""
    return len(values) >= MIN_PATH_SAMPLES or (len(values) >= 2 and len(set(values)) == 1)


def _tables(paths, users):
    """The cost table's path_ns and user_ns from their samples."""
    return ({key: int(round(statistics.median(values))) for key, values in sorted(paths.items())
             if _enough(values)},
            {key: max(0, int(round(statistics.median(values))))
             for key, values in sorted(users.items()) if _enough(values)})


def _read_annotations(path):
    """--annotate's lines: (prev tag, entry name, chain or "-", user ns charged to it)"""
    rows = []
    for line in Path(path).read_text().splitlines():
        prev, entry, chain, *charged = line.split()
        rows.append((int(prev), entry, chain, int(charged[0]) if charged else 0))
    return rows


def _calibrate_paths(repo, scheduler, costs, out_root):
    """Run the simulator on the calibration workloads and measure the path and user costs
    against the QEMU runs (already in out_root). Twice: first with the scalar costs, then with
    the tables the first pass measured, whose timeline is QEMU's more closely, so more of the
    two traces align event for event. -> (path samples, user samples, alignment ratios)"""
    import subprocess
    from analysis.decode import decode
    build_dir = build_sim(repo, scheduler, {})
    work = Path(out_root) / scheduler / "sim"
    work.mkdir(parents=True, exist_ok=True)
    table = work / "pass-costs.json"
    write_atomically(table, json.dumps({"costs_ns": costs}) + "\n")
    for _ in range(2):
        samples, users, matched = {}, {}, {}
        for workload in CALIBRATION_WORKLOADS:
            trace, notes = work / f"{workload}.bin", work / f"{workload}.before"
            subprocess.run([str(build_dir / "sim" / f"sim-{workload}"), "--harts", "1", "--costs",
                            str(table), "--trace", str(trace), "--annotate", str(notes),
                            "--args", "seed=1 engine.placement=spread"],
                           check=True, stdout=subprocess.DEVNULL)
            qemu = decode(Path(out_root) / scheduler / f"{workload}-1h" / "trace.bin")
            found, user_found, ratio = measure_paths(qemu, decode(trace),
                                                     _read_annotations(notes))
            matched[workload] = round(ratio, 4)
            for key, values in found.items():
                samples.setdefault(key, []).extend(values)
            for key, values in user_found.items():
                users.setdefault(key, []).extend(values)
        path_ns, user_ns = _tables(samples, users)
        write_atomically(table, json.dumps({"costs_ns": costs, "path_ns": path_ns,
                                            "user_ns": user_ns}) + "\n")
    return samples, users, matched


def calibrate(repo, schedulers, out_root, verbose=False):
    """Run the calibration workloads for each scheduler and write sim/costs/<sched>.json."""
    from analysis.decode import decode
    repo = Path(repo)
    commit, dirty = git_commit(repo)
    written = []
    for scheduler in schedulers:
        artifacts = build(repo, scheduler, {}, verbose=verbose)
        merged, switch_costs, runs, boots = {}, [], [], []
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
                boots.append(trace.start_ns)
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
            "ipi_latency_ns": 0,
            "switch_cost_ns": _median(switch_costs, "the boot switch-cost line"),
            "touch_ns_per_line": touch_loop_instructions(artifacts.directory),
            "boot_ns": _median(boots, "the first records' times"),
        }
        paths, users, matched = _calibrate_paths(repo, scheduler, costs, out_root)
        idle_wake = costs["idle_wake_ns"]
        if merged.get("ipi"):
            costs["ipi_latency_ns"] = max(0, min(merged["ipi"]) - idle_wake)
        table = {
            "config": scheduler,
            "policy": trace.policy,
            "commit": commit,
            "dirty": dirty,
            "measured_with": runs,
            "clock": "QEMU 7.2 -icount shift=0 (1 instruction = 1 ns)",
            "costs_ns": costs,
            "path_ns": _tables(paths, users)[0],
            "path_samples": {key: len(values) for key, values in sorted(paths.items())},
            "user_ns": _tables(paths, users)[1],
            "user_samples": {key: len(values) for key, values in sorted(users.items())},
            "path_alignment": matched,
            "samples": {key: len(values) for key, values in sorted(merged.items())},
            "method": METHOD,
        }
        path = repo / "sim" / "costs" / f"{scheduler}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        # in place, a simulator run starting now could read half a table: renamed over it
        write_atomically(path, json.dumps(table, indent=2) + "\n")
        print(f"calibrate {scheduler}: {', '.join(f'{k}={v}' for k, v in costs.items())} "
              f"-> {shown(path)}", flush=True)
        written.append(path)
    return written
