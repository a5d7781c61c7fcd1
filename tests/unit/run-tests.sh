#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs cmocka test binaries, shows their output (each ends with cmocka's own
# summary) and adds the counts up into one last line
# "N passed, N failed, N skipped". Besides the tests cmocka reports failed,
# a binary counts as one failure when it dies before its summary, when it
# exits non-zero although its summary shows no failure, and (--valgrind)
# when valgrind finds errors. tests/selftest/unit-runner.sh tests this.
# Usage: run-tests.sh [--valgrind] BINARY...
set -u

run=""
if [ "${1:-}" = "--valgrind" ]; then
	shift
	run="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
fi

passed=0
failed=0
skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# cmocka's count lines, e.g. "[  SKIPPED ] 2 test(s), listed below:", summed
# over every group of the binary; the last field says how many lines there were.
counts() {
	awk '/^\[  (PASSED  |FAILED  |SKIPPED )\] [0-9]+ test/ { n++ }
	     /^\[  PASSED  \] [0-9]+ test/ { p += $4 }
	     /^\[  FAILED  \] [0-9]+ test/ { f += $4 }
	     /^\[  SKIPPED \] [0-9]+ test/ { s += $4 }
	     END { print p + 0, f + 0, s + 0, n + 0 }' "$1"
}

for bin in "$@"; do
	name=$(basename "$bin")
	echo "== $name"
	$run "$bin" >"$log" 2>&1
	rc=$?
	cat "$log"
	read -r p f s n <<-EOF
		$(counts "$log")
	EOF
	if [ "$n" = 0 ]; then
		echo "$name: no cmocka summary (exit $rc)"
		f=$((f + 1))
	elif [ -n "$run" ] && [ "$rc" = 99 ]; then
		echo "$name: valgrind found errors"
		f=$((f + 1))
	elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "$name: exit $rc although its summary shows no failure"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
