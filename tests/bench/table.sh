#!/bin/sh
# SPDX-License-Identifier: MIT
# table.sh BENCH.JSON: the Markdown page of one `make bench` boot on stdout
# (docs/benchmarks.md), from the bench.json that tests/bench/bench-json.sh
# writes. Every figure comes from that file; nothing here is typed in, so
# the page is regenerated, never edited. The work is table.awk's.
# Exit 1 without results.
set -eu

[ $# -eq 1 ] || {
	echo "usage: table.sh BENCH.JSON >docs/benchmarks.md" >&2
	exit 2
}
[ -r "$1" ] || {
	echo "table.sh: cannot read $1" >&2
	exit 1
}

exec awk -f "$(dirname "$0")/table.awk" "$1"
