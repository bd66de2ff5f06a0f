#!/bin/sh
# Microbenchmarks in instructions per operation (exact under -icount shift=0; one-way figures as
# sel4bench measures them, bench/microbench/main.c): kernel operations
# and slice accounting (bench/slice) with tracing compiled in and out (under one config), then every config's policy decisions
# (pick, enqueue) as runnable threads grow 1, 16, 256, 1024, 10000.
# Usage: bench/run.sh [scheduler config for the kernel operations, default rr]
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
config=${1:-rr}

run_root_task() { # build dir, root task ELF in bench/, prefix for the printed lines
    out=$(mktemp -d)
    # the console goes to a file, not a pipe (a reader that falls behind would make the guest's
    # UART wait, in emulated time), and nothing of the host reaches the guest (see
    # tools/schedlab/qemu.py)
    (cd "$out" && qemu-system-riscv64 -machine virt -cpu rv64 -smp 1 -m 512M -nographic \
        -no-reboot -seed 1 -rtc base=2000-01-01T00:00:00,clock=vm \
        -bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf \
        -kernel "$1/kernel/kernel.elf" -initrd "$1/bench/$2" \
        -append "clock=icount semihost=1" -semihosting-config enable=on,target=native \
        -icount shift=0,sleep=off </dev/null >console.log 2>&1) || true
    grep '^bench' "$out/console.log" | sed -e "s/^bench /$3 /" -e "s/^bench-unsteady /$3 unsteady: /"
    rm -rf "$out"
}

for trace in ON OFF; do
    build="$repo/build/bench-$config-trace$trace"
    cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$repo/cmake/riscv64-elf.cmake" \
        -DSCHEDLAB_CONFIG="$config" -DSCHEDLAB_TRACE="$trace" >/dev/null
    cmake --build "$build" >/dev/null
    run_root_task "$build" microbench.elf "$config trace=$trace"
    # slice accounting: the kernel time a timeslice pays per switch (sched.h quotes it)
    run_root_task "$build" slicebench.elf "$config trace=$trace"
done
for policy_config in "$repo"/configs/*.cmake; do
    policy_config=$(basename "$policy_config" .cmake)
    build="$repo/build/bench-$policy_config-traceOFF"
    cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$repo/cmake/riscv64-elf.cmake" \
        -DSCHEDLAB_CONFIG="$policy_config" -DSCHEDLAB_TRACE=OFF >/dev/null
    cmake --build "$build" >/dev/null
    run_root_task "$build" policybench.elf "bench"
    # context-switch cost per policy: the yield ping-pongs (same and different address spaces)
    run_root_task "$build" microbench.elf "$policy_config trace=OFF" | grep yield_switch
done
