#!/usr/bin/python3
"""Where a kernel entry's instructions go: run a root task under QEMU one instruction per block,
log every kernel instruction executed (-d exec -dfilter on the kernel's range), cut the stream at
each trap entry, and print the most frequent entry shapes with their length and the instructions
each kernel function took. A microbenchmark's operation is one of the frequent shapes; its length
is the kernel's part of the figure `./schedlab bench` prints (which adds a few user instructions).

    bench/itrace.py BUILD_DIR [--root-task bench/microbench.elf] [--top 12] [--cpus 1]
                             [--listing K]

Slow (QEMU single-steps and logs ~10^7 lines): a tool for finding costs, not a benchmark.
"""
import argparse
import collections
import os
import subprocess
import sys
import tempfile

FIRMWARE = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf"


def symbols(elf):
    out = subprocess.run(["riscv64-unknown-elf-nm", "-n", elf], capture_output=True, text=True,
                         check=True).stdout
    table = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            table.append((int(parts[0], 16), parts[2]))
    return table


def disassembly(elf):
    """Each instruction's text by address, from objdump."""
    out = subprocess.run(["riscv64-unknown-elf-objdump", "-d", "--no-show-raw-insn", elf],
                         capture_output=True, text=True, check=True).stdout
    text = {}
    for line in out.splitlines():
        head, sep, rest = line.partition(":\t")
        if sep and head.strip() and all(c in "0123456789abcdef" for c in head.strip()):
            text[int(head, 16)] = rest.replace("\t", " ")
    return text


def namer(table):
    import bisect
    addrs = [a for a, _ in table]
    cache = {}

    def name(pc):
        if pc not in cache:
            i = bisect.bisect_right(addrs, pc) - 1
            cache[pc] = table[i][1] if i >= 0 else hex(pc)
        return cache[pc]
    return name


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("build")
    p.add_argument("--root-task", default="bench/microbench.elf")
    p.add_argument("--top", type=int, default=12)
    p.add_argument("--cpus", type=int, default=1)
    p.add_argument("--min-count", type=int, default=100,
                   help="show shapes seen at least this often")
    p.add_argument("--listing", type=int, metavar="K", default=0,
                   help="also print the K-th shape shown, instruction by instruction, from the "
                        "kernel's disassembly")
    a = p.parse_args()
    kernel = os.path.join(a.build, "kernel", "kernel.elf")
    table = symbols(kernel)
    name = namer(table)
    entry = dict((n, addr) for addr, n in table)["kernel_trap_entry"]
    with tempfile.TemporaryDirectory() as d:
        fifo = os.path.join(d, "log")
        os.mkfifo(fifo)
        qemu = subprocess.Popen(
            ["qemu-system-riscv64", "-machine", "virt", "-cpu", "rv64", "-smp", str(a.cpus),
             "-m", "512M", "-nographic", "-no-reboot", "-bios", FIRMWARE, "-kernel", kernel,
             "-initrd", os.path.join(a.build, a.root_task),
             "-append", "clock=icount semihost=1 seed=1 deadlock=halt limit_ms=20000",
             "-semihosting-config", "enable=on,target=native", "-icount", "shift=0,sleep=off",
             "-singlestep", "-d", "exec,nochain", "-dfilter", "0xffffffff80000000+0x7fffffff",
             "-D", fifo], stdout=subprocess.DEVNULL)
        shapes = collections.Counter()
        current = []
        with open(fifo) as log:
            for line in log:
                # "Trace 0: 0x... [0000000000000000/ffffffff802000c8/0020f001/ff020201]"
                i = line.find("/")
                if i < 0:
                    continue
                pc = int(line[i + 1:i + 17], 16)
                if pc == entry and current:
                    shapes[tuple(current)] += 1
                    current = []
                current.append(pc)
        qemu.wait()
    shown = 0
    for shape, count in shapes.most_common():
        if count < a.min_count or shown >= a.top:
            break
        shown += 1
        funcs = collections.Counter(name(pc) for pc in shape)
        order = list(dict.fromkeys(name(pc) for pc in shape))
        print(f"== {len(shape)} instructions, seen {count} times")
        print("   " + ", ".join(f"{f} {funcs[f]}" for f in order))
        if shown == a.listing:
            text = disassembly(kernel)
            for pc in shape:
                print(f"   {name(pc):28} {text.get(pc, hex(pc))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
