#!/bin/sh
# SPDX-License-Identifier: MIT
# table.sh BENCH.JSON: the Markdown page of one `make bench` boot on stdout
# (docs/benchmarks.md), from the bench.json that tests/bench/bench-json.sh
# writes. Every figure comes from that file; nothing here is typed in, so
# the page is regenerated, never edited. The work is table.awk's.
# Exit 1 without results.
#
# table.sh --iommu BENCH.JSON: the binding table of a `make bench-iommu`
# boot (bench-json.sh --bind), the part that tests/bench/splice.sh puts
# into docs/benchmarks.md and README.md.
#
# table.sh --recv BENCH.JSON: the receive table of a `make bench-recv` boot
# (bench-json.sh --recv), the same way (bench:recv markers).
set -eu

iommu=0 recv=0
case ${1:-} in
--iommu) iommu=1; shift ;;
--recv) recv=1; shift ;;
esac
[ $# -eq 1 ] || {
	echo "usage: table.sh [--iommu|--recv] BENCH.JSON >docs/benchmarks.md" >&2
	exit 2
}
[ -r "$1" ] || {
	echo "table.sh: cannot read $1" >&2
	exit 1
}

exec awk -v IOMMU=$iommu -v RECV=$recv -f "$(dirname "$0")/table.awk" "$1"
