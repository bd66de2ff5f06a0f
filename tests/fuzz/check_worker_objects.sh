#!/bin/sh
# Usage: check_worker_objects.sh NM OBJECT...
# Worker code (tests/fuzz/worker_*.c) runs where only text and read-only data are mapped: it must
# define no writable data and refer to nothing outside the worker code but the library's memset and
# memcpy. Prints the offending symbols and fails otherwise.
nm=$1
shift
status=0
for object in "$@"; do
    data=$("$nm" "$object" | awk '$2 ~ /^[BbDdGgSsCc]$/ {print $3}')
    if [ -n "$data" ]; then
        echo "$object: worker code defines writable data: $data" >&2
        status=1
    fi
done
defined=$("$nm" --defined-only "$@" | awk 'NF == 3 {print $3}' | sort -u)
for symbol in $("$nm" --undefined-only "$@" | awk '$1 == "U" {print $2}' | sort -u); do
    case "$symbol" in memset | memcpy) continue ;; esac
    if ! printf '%s\n' "$defined" | grep -qx "$symbol"; then
        echo "worker code refers to '$symbol', which is not worker code" >&2
        status=1
    fi
done
exit $status
