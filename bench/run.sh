#!/bin/sh
# Retired in favour of `./schedlab bench` (README, "Benchmarks"), which this calls, so older
# instructions keep working: bench/run.sh CONFIG is ./schedlab bench --scheds CONFIG; flags
# (bench/run.sh --trace off) go to ./schedlab bench as they are.
repo=$(cd "$(dirname "$0")/.." && pwd)
case "${1:-}" in
    "") exec "$repo/schedlab" bench ;;
    -*) exec "$repo/schedlab" bench "$@" ;;
    *) config=$1 && shift && exec "$repo/schedlab" bench --scheds "$config" "$@" ;;
esac
