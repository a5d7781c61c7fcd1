#!/bin/sh
# SPDX-License-Identifier: MIT
# bench-json.sh RESULTS KERNEL [DATE [COMMIT]]: the one JSON document of a
# `make bench` boot, on stdout, from the guest's output RESULTS (results.log:
# the benchmark's BENCH-JSON line and bench_bind()'s BENCH-BIND lines).
# Where and when it ran come first, then one section per line, which is what
# tests/bench/table.sh reads:
#
#   {"kernel":"...","date":"...","commit":"...",
#   "results":[{...},...],
#   "bind":[{...},...]}
#
# The serial port adds carriage returns; they go. No BENCH-JSON line: exit 1.
#
# bench-json.sh --bind RESULTS KERNEL [DATE [COMMIT]]: the same of a boot
# that measured bindings only (make bench-iommu): where and when, then
# "bind"; no BENCH-BIND line: exit 1.
#
# bench-json.sh --recv RESULTS KERNEL [DATE [COMMIT]]: the same of make
# bench-recv's boot: where and when, then "recv"; no BENCH-RECV line: exit 1.
set -eu

bind_only=0 recv_only=0
case ${1:-} in
--bind) bind_only=1; shift ;;
--recv) recv_only=1; shift ;;
esac

if [ $# -lt 2 ] || [ $# -gt 4 ]; then
	echo "usage: bench-json.sh [--bind|--recv] RESULTS KERNEL [DATE [COMMIT]]" >&2
	exit 2
fi
log=$1 kernel=$2
date=${3:-$(date -u '+%Y-%m-%d %H:%M UTC')}
commit=${4:-unknown}

lines=$(tr -d '\r' <"$log")
bind=$(printf '%s\n' "$lines" | sed -n 's/^BENCH-BIND \({.*}\)$/\1/p' | paste -sd, -)
if [ "$bind_only" = 1 ]; then
	[ -n "$bind" ] || {
		echo "bench-json.sh: $log has no BENCH-BIND line (did the binding run?)" >&2
		exit 1
	}
	printf '{"kernel":"%s","date":"%s","commit":"%s",\n' "$kernel" "$date" "$commit"
	printf '"bind":[%s]}\n' "$bind"
	exit 0
fi
recv=$(printf '%s\n' "$lines" | sed -n 's/^BENCH-RECV \({.*}\)$/\1/p' | tail -n 1)
if [ "$recv_only" = 1 ]; then
	[ -n "$recv" ] || {
		echo "bench-json.sh: $log has no BENCH-RECV line (did bench-recv run?)" >&2
		exit 1
	}
	printf '{"kernel":"%s","date":"%s","commit":"%s",\n' "$kernel" "$date" "$commit"
	printf '"recv":%s}\n' "$recv"
	exit 0
fi
results=$(printf '%s\n' "$lines" | sed -n 's/^BENCH-JSON {"results":\(\[.*\]\)}$/\1/p' | tail -n 1)
[ -n "$results" ] || {
	echo "bench-json.sh: $log has no BENCH-JSON line (did the benchmark run?)" >&2
	exit 1
}
printf '{"kernel":"%s","date":"%s","commit":"%s",\n' "$kernel" "$date" "$commit"
printf '"results":%s,\n' "$results"
printf '"bind":[%s]}\n' "$bind"
