"""Where the simulator's run first departs from QEMU's: the two traces' scheduling events side by
side, from each run's first workload marker, until their order differs or their times drift apart.

  /usr/bin/python3 -m tests.sim.tracediff QEMU_RUN_DIR SIM_RUN_DIR [--drift-ns N] [--context K]

Both runs are of one workload, policy and seed at one hart (tests/sim/crossval.py makes such
pairs under its --out). Events compared: SWITCH, WAKEUP, BLOCK, PREEMPT, YIELD and the workload's
MARKERs, each as (type, thread ids, reason); times are ns since the run's first MARKER. Prints the
first event whose kind differs, or else the first whose time differs by more than --drift-ns from
the same event of the other run, with the K events before it in both, and how the drift grew
until then (so that a mechanism that costs too little or too much shows as a steady slope, and a
different decision as a jump).
"""
import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from analysis.decode import decode  # noqa: E402

COMPARED = ("SWITCH", "WAKEUP", "BLOCK", "PREEMPT", "YIELD", "MARKER")


def scheduling_events(run_dir):
    """[(time since the first marker, key, text)] of the run's compared events, in trace order."""
    trace = decode(Path(run_dir) / "trace.bin")
    fmt = trace.format
    names = {fmt.event(name).value: name for name in COMPARED}
    marker = fmt.event("MARKER").value
    records = trace.records
    start = None
    out = []
    for record in records:
        kind = names.get(int(record["type"]))
        if kind is None:
            continue
        if start is None:
            if int(record["type"]) != marker:
                continue
            start = int(record["time_ns"])
        event = fmt.event(kind)
        args = tuple(int(record[event.field(a)]) for a in event.args if a)
        if kind == "WAKEUP":  # the hart and the reason are the same at one hart; tid, waker
            args = args[1:3]
        if kind == "MARKER":  # its value is a time or a count the run measured itself
            args = args[:2]
        key = (kind,) + args
        out.append((int(record["time_ns"]) - start, key,
                    f"{kind.lower()} " + " ".join(f"{a}={int(record[event.field(a)])}"
                                                  for a in event.args if a)))
    return out


def first_departure(qemu, sim, drift_ns, anchor=0, step_ns=0):
    """Where two runs' scheduling_events first part: (index or None, why, base, milestones).
    base is the drift at `anchor`, taken as 0; why is "order differs", "drift N ns", "differs
    before the anchor" or "" (none within the shorter run); milestones are (index, time, drift)
    each time the drift grew by step_ns (default a tenth of drift_ns)."""
    worst, milestones = 0, []
    base = sim[anchor][0] - qemu[anchor][0] if min(len(qemu), len(sim)) > anchor else 0
    for i, (q, s) in enumerate(zip(qemu, sim)):
        drift = s[0] - q[0] - base
        if i < anchor:
            if q[1] != s[1]:
                return i, "differs before the anchor", base, milestones
            continue
        if abs(drift) > abs(worst) + max(step_ns or drift_ns // 10, 1):
            worst = drift
            milestones.append((i, q[0], drift))
        if q[1] != s[1]:
            return i, "order differs", base, milestones
        if abs(drift) > drift_ns:
            return i, f"drift {drift} ns", base, milestones
    return None, "", base, milestones


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("qemu")
    parser.add_argument("sim")
    parser.add_argument("--drift-ns", type=int, default=1000)
    parser.add_argument("--context", type=int, default=12)
    parser.add_argument("--step-ns", type=int, default=0,
                        help="note the drift each time it grows by this much (default: a tenth of "
                             "--drift-ns)")
    parser.add_argument("--anchor", type=int, default=0,
                        help="count drift from this event on (its drift taken as 0): past a known "
                             "difference, such as the root task's start-up the simulator does "
                             "not model")
    parser.add_argument("--milestones", type=int, default=12, help="how many drift notes to print")
    args = parser.parse_args(argv)
    qemu, sim = scheduling_events(args.qemu), scheduling_events(args.sim)
    print(f"{len(qemu)} events in QEMU's run, {len(sim)} in the simulator's")
    i, why, base, milestones = first_departure(qemu, sim, args.drift_ns, args.anchor, args.step_ns)
    if i is None:
        print("no departure within the shorter run")
    else:
        print(f"first departure at event {i} ({why}):")
        for j in range(max(0, i - args.context), min(i + 3, len(qemu), len(sim))):
            mark = ">>" if j == i else "  "
            print(f"{mark}{j:7d}  qemu {qemu[j][0]:>12d}  {qemu[j][2]:<44s}"
                  f"sim {sim[j][0]:>12d} ({sim[j][0] - qemu[j][0] - base:+d})  {sim[j][2]}")
    print("drift (sim - qemu) as it grew: " +
          ", ".join(f"event {k} at {t / 1e6:.3f} ms: {d:+d} ns"
                    for k, t, d in milestones[-args.milestones:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
