#!/usr/bin/env bash
# The reliability lane as make test runs it: inside what is left of a time
# budget (CI stops a run after 90 minutes), with a shorter fuzz and stress.
#
# The debug kernel is built only if the build and the run fit in the time
# left; otherwise the lane is reported as skipped, with how long it would
# have needed, never as passed. A kernel already in the cache costs nothing,
# so a machine that keeps /var/cache runs the lane every time.
#
# Environment:
#   URING_DMABUF_TEST_START   when make test started (epoch s; default: now)
#   TEST_BUDGET_MINUTES       the whole make test's budget (default 80: CI's
#                             90 less a margin for a slower machine)
#   DEBUG_LANE                auto (default: run when it fits) or 0
#                             (skip, saying so)
#   DEBUG_BUILD_ESTIMATE      seconds a cold kernel build takes (default
#                             from tests/vm/debug/timings)
#   FUZZ_CALLS, FUZZ_SECONDS, STRESS_SECONDS   as for the debug profile
#                             (tests/vm/profiles/debug), with shorter defaults
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
# shellcheck source=/dev/null
source "$HERE/timings"

now=$(date +%s)
start=${URING_DMABUF_TEST_START:-$now}
deadline=$((start + ${TEST_BUDGET_MINUTES:-80} * 60))
: "${FUZZ_CALLS:=20000}" "${FUZZ_SECONDS:=240}" "${STRESS_SECONDS:=60}"
export FUZZ_CALLS FUZZ_SECONDS STRESS_SECONDS

skip() {
	echo "skipped:"
	echo "  debug: reliability lane: $*; the full lane: make vmtest-debug"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
}

[ "${DEBUG_LANE:-auto}" != 0 ] || skip "off (DEBUG_LANE=0)"

if [ -f "$("$HERE/build-kernel.sh" --dir)/.complete" ]; then
	build=0
else
	build=${DEBUG_BUILD_ESTIMATE:-$BUILD_SECONDS}
fi
# The suite's own run on the debug kernel, then the fuzz and the stress.
run=$((RUN_SECONDS + FUZZ_SECONDS + STRESS_SECONDS))
left=$((deadline - now))
need=$((build + run))
if [ "$need" -gt "$left" ]; then
	skip "needs about $((need / 60)) min (kernel build $((build / 60)), run $((run / 60))), $((left / 60)) min left of the ${TEST_BUDGET_MINUTES:-80} min budget"
fi

if [ "$build" != 0 ]; then
	echo "vm: debug: building the debug kernel (about $((build / 60)) min; at most $(((left - run) / 60)))"
	rc=0
	timeout $((left - run)) nice -n 10 "$HERE/build-kernel.sh" >/dev/null || rc=$?
	if [ "$rc" = 124 ]; then
		skip "the debug kernel build took longer than the $(((left - run) / 60)) min left for it"
	elif [ "$rc" != 0 ]; then
		echo "not ok debug: the debug kernel failed to build (status $rc)"
		echo "0 passed, 1 failed"
		exit 1
	fi
fi

# What is left bounds the guest: a hang then fails here instead of in CI.
left=$((deadline - $(date +%s)))
: "${VM_TIMEOUT:=$left}"
export VM_TIMEOUT
exec "$TOP/tests/vm/run.sh" vmtest debug
