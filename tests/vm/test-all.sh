#!/usr/bin/env bash
# make test, after make deps: the unit tests, the static checks, then the VM
# tests even when the others failed (every result is worth having), a second
# short boot of 6.12 and 7.3 with swiotlb=force (vm.mk's vmtest-swiotlb), the
# reliability lane if it fits the time budget (tests/vm/debug/run-budgeted.sh),
# then one closing tally.
#
# Each part prints its own "N passed, N failed[, N skipped]" lines; the last
# line here is their sum. A part that fails without such a line (it did not
# build, say) counts as one failure, so the sum never looks better than the
# exit status.
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${BUILD:=$TOP/build}"
: "${MAKE:=make}"
mkdir -p "$BUILD"

# From a function, so that editing this file during a run cannot derail it.
main() {
	local rc=0 p=0 f=0 s=0 part log prc pp pf ps
	for part in unit check vmtest vmtest-swiotlb vmtest-debug-budget; do
		log=$BUILD/test-$part.log
		prc=0
		$MAKE --no-print-directory -C "$TOP" "$part" 2>&1 | tee "$log" || prc=$?
		read -r pp pf ps < <(sed -n 's/^\([A-Za-z]*: \)\?\([0-9]\+\) passed, \([0-9]\+\) failed\(, \([0-9]\+\) skipped\)\?$/\2 \3 \5/p' "$log" |
			awk '{ p += $1; f += $2; s += $3 } END { print p + 0, f + 0, s + 0 }')
		if [ "$prc" != 0 ] && [ "$pf" = 0 ]; then
			echo "not ok make $part failed (status $prc) without reporting a failed test"
			pf=1
		fi
		[ "$prc" = 0 ] || rc=1
		p=$((p + pp)) f=$((f + pf)) s=$((s + ps))
	done
	echo "$p passed, $f failed, $s skipped"
	return $rc
}

main "$@"; exit  # one line: bash has read it before main runs
