#!/bin/sh
# Retired in favour of `./schedlab bench` (README, "Benchmarks"), which this calls, so older
# instructions keep working: bench/run.sh [config] is ./schedlab bench [--scheds config].
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -gt 0 ]; then
    exec "$repo/schedlab" bench --scheds "$1"
fi
exec "$repo/schedlab" bench
