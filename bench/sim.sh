#!/bin/sh
# The simulator's speed (issue 11): the default suite (9 workloads) at 4 harts, and short runs
# (mixed, 1 hart) on one host core. CPU seconds (user + system) are what a run costs a core;
# wall seconds depend on what else the host runs. Builds build/sim-<config> if needed.
# Usage: bench/sim.sh [scheduler config, default rr] [suite repetitions, default 20]
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
config=${1:-rr}
reps=${2:-20}
build="$repo/build/sim-$config"
cmake -S "$repo" -B "$build" -G Ninja -DSCHEDLAB_SIM=ON -DSCHEDLAB_CONFIG="$config" >/dev/null
cmake --build "$build" >/dev/null
out=$(mktemp -d)
export build repo config out reps
/usr/bin/time -f "$reps x the default suite at 4 harts ($config): %e s wall, %U + %S s CPU" sh -c '
    i=0
    while [ $i -lt "$reps" ]; do
        for w in cpu-bound interactive mixed ipc-server pipeline periodic-rt fork-join \
                 wakeup-storm working-set; do
            "$build/sim/sim-$w" --harts 4 --costs "$repo/sim/costs/$config.json" \
                --trace "$out/trace.bin" --args seed=$i >/dev/null
        done
        i=$((i + 1))
    done'
/usr/bin/time -f "200 runs of mixed at 1 hart on one core ($config): %e s wall, %U + %S s CPU" \
    taskset -c 0 sh -c '
    i=0
    while [ $i -lt 200 ]; do
        "$build/sim/sim-mixed" --harts 1 --costs "$repo/sim/costs/$config.json" \
            --trace "$out/trace.bin" --args seed=$i >/dev/null
        i=$((i + 1))
    done'
rm -rf "$out"
