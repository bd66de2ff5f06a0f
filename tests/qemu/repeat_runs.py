"""Run one icount configuration N times, some at once, optionally on a loaded host, and say
whether every run gave the same trace.bin and console.log (sha256): the reproducer of issue 9,
item 6. Not a test (tests/qemu/test_determinism.py is); a tool for looking, e.g.

    /usr/bin/python3 tests/qemu/repeat_runs.py --sched affinity --run mixed --cpus 4 -n 8 -j 4 --load 2
    /usr/bin/python3 tests/qemu/repeat_runs.py --sched rr --run ktest --param ktest.chatter_kb=128 \\
        -n 4 -j 4 --load 2 --stall 4

--load N keeps N busy loops going meanwhile; --stall S makes every other run's console reader
(a --verbose echo) stall for S seconds at its first write. Runs use the build in build/<sched>
(./schedlab build --sched S) and the runner's own QEMU command line and runner.
"""
import argparse
import collections
import hashlib
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tools.schedlab import REPO_ROOT  # noqa: E402
from tools.schedlab.build import BuildArtifacts, build_directory  # noqa: E402
from tools.schedlab.qemu import boot_arguments, qemu_command, run_qemu  # noqa: E402
from harness import StalledTerminal  # noqa: E402


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else "missing"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sched", default="affinity")
    parser.add_argument("--run", default="mixed", help="a workload, or ktest (the kernel API suite)")
    parser.add_argument("--cpus", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("-n", type=int, default=6, help="runs")
    parser.add_argument("-j", type=int, default=2, help="runs at once")
    parser.add_argument("--load", type=int, default=0, help="busy loops meanwhile")
    parser.add_argument("--stall", type=float, default=0, metavar="SECONDS")
    parser.add_argument("--out", type=Path, default=Path("/tmp/schedlab-repeat-runs"))
    args = parser.parse_args()

    build = BuildArtifacts(build_directory(REPO_ROOT, args.sched, {}))
    elf = (build.directory / "tests" / "kernel" / "ktest.elf" if args.run == "ktest"
           else build.workload(args.run))
    params = (["ktest.answer=42"] if args.run == "ktest" else []) + args.param
    command = qemu_command(build.kernel, elf, args.cpus, boot_arguments(args.seed, False, params))

    def one(i):
        out = args.out / f"{args.sched}-{args.run}-{args.cpus}h-{i}"
        out.mkdir(parents=True, exist_ok=True)
        (out / "trace.bin").unlink(missing_ok=True)
        echo = StalledTerminal(args.stall) if args.stall and i % 2 else None
        outcome = run_qemu(command, out, out / "console.log", 600, echo=echo)
        return i, outcome, digest(out / "trace.bin"), digest(out / "console.log")

    load = [subprocess.Popen(["sh", "-c", "while :; do :; done"]) for _ in range(args.load)]
    try:
        with ThreadPoolExecutor(args.j) as pool:
            results = list(pool.map(one, range(args.n)))
    finally:
        for process in load:
            process.kill()
            process.wait()
    for i, outcome, trace, console in results:
        print(f"run {i}: status {outcome.status}{' TIMED OUT' if outcome.timed_out else ''}, "
              f"{outcome.seconds:.1f}s, trace {trace}, console {console}")
    kinds = collections.Counter((trace, console) for _, _, trace, console in results)
    print(f"{len(kinds)} distinct (trace, console) over {args.n} runs: "
          + ", ".join(f"{t}/{c} x{k}" for (t, c), k in kinds.items()))
    return 0 if len(kinds) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
