"""Cross-validation of the simulator against QEMU (DESIGN §4.4): the same workload, policy and
seed at 1 hart on both engines, and the figures the issue names compared within a tolerance.

Run as a script it prints the agreement table of the default suite:
  /usr/bin/python3 -m tests.sim.crossval [--scheds rr,mlfq] [--workloads mixed,...] [--out DIR]
(QEMU runs are reused from DIR when present.) tests/sim/test_crossval.py asserts it for the
pairs listed there.
"""
import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
# The report's agreement table uses the same figures and rule (one definition, analysis/).
from analysis.agreement import TOLERANCE, agree, figures  # noqa: E402,F401

SUITE = ("cpu-bound", "interactive", "mixed", "ipc-server", "pipeline", "periodic-rt",
         "fork-join", "wakeup-storm", "working-set")
SCHEDULERS = ("rr", "mlfq", "tstune", "affinity")


def run(engine, scheduler, workload, out, seed=1):
    out = Path(out)
    if not (out / "metrics.json").is_file():
        # --force: a directory left by an earlier crossval (whose metrics are stale) is rewritten
        command = [str(REPO / "schedlab"), "run", "--engine", engine, "--sched", scheduler,
                   "--workload", workload, "--cpus", "1", "--seed", str(seed), "--out", str(out),
                   "--force"]
        subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return json.loads((out / "metrics.json").read_text())


def compare(scheduler, workload, root, seed=1):
    """(figures from QEMU, figures from the simulator) for one pair, runs under root."""
    qemu = figures(run("qemu", scheduler, workload, Path(root) / "qemu" / scheduler / workload, seed))
    sim_dir = Path(root) / "sim" / scheduler / workload
    for stale in ("metrics.json",):
        (sim_dir / stale).unlink(missing_ok=True)
    sim = figures(run("sim", scheduler, workload, sim_dir, seed))
    return qemu, sim


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheds", default=",".join(SCHEDULERS))
    parser.add_argument("--workloads", default=",".join(SUITE))
    parser.add_argument("--out", default="/tmp/schedlab-crossval")
    parser.add_argument("--agreeing", action="store_true",
                        help="print the pairs and figures that agree, as test_crossval's AGREEING")
    args = parser.parse_args(argv)
    names, agreeing = None, {}
    for scheduler in args.scheds.split(","):
        for workload in args.workloads.split(","):
            try:
                qemu, sim = compare(scheduler, workload, args.out)
            except subprocess.CalledProcessError as error:
                print(f"{scheduler}/{workload}".ljust(22) + f"failed: {error.cmd[3]} run", flush=True)
                continue
            if names is None:
                names = list(qemu)
                print("pair".ljust(22) + "".join(n[-14:].rjust(16) for n in names))
            cells = []
            agreeing[(scheduler, workload)] = tuple(
                n for n in names if agree(qemu[n], sim[n]) and qemu[n] is not None)
            for name in names:
                mark = "" if agree(qemu[name], sim[name]) else "*"
                cells.append(f"{_short(qemu[name])}/{_short(sim[name])}{mark}".rjust(16))
            print(f"{scheduler}/{workload}".ljust(22) + "".join(cells), flush=True)
    if args.agreeing:
        print("AGREEING = {")
        for pair, agreed in agreeing.items():
            print(f"    {pair!r}: {agreed!r},")
        print("}")
    return 0


def _short(value):
    if value is None:
        return "-"
    value = float(value)
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{unit}"
    return f"{value:.3g}"


if __name__ == "__main__":
    sys.exit(main())
