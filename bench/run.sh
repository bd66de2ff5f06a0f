#!/bin/sh
# Microbenchmarks in instructions per operation (exact under -icount shift=0), with tracing
# compiled in and out. Usage: bench/run.sh [scheduler config, default rr]
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
config=${1:-rr}
for trace in ON OFF; do
    build="$repo/build/bench-$config-trace$trace"
    cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$repo/cmake/riscv64-elf.cmake" \
        -DSCHEDLAB_CONFIG="$config" -DSCHEDLAB_TRACE="$trace" >/dev/null
    cmake --build "$build" >/dev/null
    out=$(mktemp -d)
    (cd "$out" && qemu-system-riscv64 -machine virt -cpu rv64 -smp 1 -m 512M -nographic \
        -no-reboot -bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf \
        -kernel "$build/kernel/kernel.elf" -initrd "$build/bench/microbench.elf" \
        -append "clock=icount semihost=1" -semihosting-config enable=on,target=native \
        -icount shift=0,sleep=off </dev/null) | grep '^bench' | sed "s/^bench/$config trace=$trace/"
    rm -rf "$out"
done
