#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs cmocka test binaries, shows their output (each ends with cmocka's own
# summary) and adds the counts up into one last line "N passed, N failed".
# A binary that dies before its summary counts as one failure.
# Usage: run-tests.sh [--valgrind] BINARY...
set -u

run=""
if [ "${1:-}" = "--valgrind" ]; then
	shift
	run="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
fi

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for bin in "$@"; do
	echo "== $(basename "$bin")"
	$run "$bin" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log")
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log")
	if [ -z "$p$f" ]; then
		echo "$(basename "$bin"): no cmocka summary (exit $rc)"
		f=1
	elif [ "$rc" = 99 ]; then
		echo "$(basename "$bin"): valgrind found errors"
		f=$((${f:-0} + 1))
	fi
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
