#!/usr/bin/env bash
# make test, after make deps: the unit tests, the static checks, then the VM
# tests even when the others failed (every result is worth having), a second
# short boot of 6.12 and 7.3 with swiotlb=force (make vmtest-swiotlb), the
# demo on 6.12 (make demo, booting the build vmtest made), the reliability
# lane if it fits the time budget (tests/vm/debug/run-budgeted.sh), then one
# closing tally.
#
# Each part prints its own "N passed, N failed[, N skipped]" lines; the last
# line here is their sum. A part that fails without such a line (it did not
# build, say) counts as one failure, so the sum never looks better than the
# exit status. Boots retried (a guest that died before its tests) add up
# over the parts: more than one in all fails the run.
#
# Environment: BUILD, MAKE, KERNELS (the matrix of make vmtest; the demo
# part needs 6.12 in it), URING_DMABUF_TEST_START.
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${BUILD:=$TOP/build}"
: "${MAKE:=make}"
export BUILD
for f in common report; do
	# shellcheck source=/dev/null
	source "$TOP/tests/vm/lib/$f.sh"
done
mkdir -p "$VMBUILD"

# make demo's path, on the build make vmtest made a moment ago.
demo_part() {
	case " ${KERNELS:-6.12} " in
	*" 6.12 "*)
		VM_REUSE_SINCE=${URING_DMABUF_TEST_START:-} "$TOP/tests/vm/run.sh" demo 6.12 ;;
	*)
		echo "skipped:"
		echo "  demo: runs on 6.12, which is not in KERNELS (${KERNELS:-})"
		echo "0 passed, 0 failed, 1 skipped" ;;
	esac
}

run_part() {
	case $1 in
	demo) demo_part ;;
	*) $MAKE --no-print-directory -C "$TOP" "$1" ;;
	esac
}

# From a function, so that editing this file during a run cannot derail it.
main() {
	local rc=0 p=0 f=0 s=0 part log prc pp pf ps
	rm -f "$(retries_file)"
	export VM_RETRIES_KEEP=1
	for part in unit check vmtest vmtest-swiotlb demo vmtest-debug-budget; do
		log=$BUILD/test-$part.log
		prc=0
		run_part "$part" 2>&1 | tee "$log" || prc=$?
		read -r pp pf ps < <(sed -n 's/^\([A-Za-z]*: \)\?\([0-9]\+\) passed, \([0-9]\+\) failed\(, \([0-9]\+\) skipped\)\?$/\2 \3 \5/p' "$log" |
			awk '{ p += $1; f += $2; s += $3 } END { print p + 0, f + 0, s + 0 }')
		if [ "$prc" != 0 ] && [ "$pf" = 0 ]; then
			echo "not ok make $part failed (status $prc) without reporting a failed test"
			pf=1
		fi
		[ "$prc" = 0 ] || rc=1
		p=$((p + pp)) f=$((f + pf)) s=$((s + ps))
	done
	report_retries || { f=$((f + 1)) rc=1; }
	echo "$p passed, $f failed, $s skipped"
	return $rc
}

main "$@"; exit  # one line: bash has read it before main runs
