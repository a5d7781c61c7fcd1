#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Self-test of tests/unit/run-tests.sh: fake test binaries (scripts printing
# what cmocka prints) must be counted as they are: skips as skips, a
# non-zero exit or a death before the summary as a failure. A real cmocka
# binary, when cc and cmocka are here, keeps the fakes honest.
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUNNER=$TOP/tests/unit/run-tests.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0

# fake NAME EXIT LINE...: a binary printing LINEs, then exiting with EXIT
# ("crash": killed by SIGSEGV instead)
fake() {
	local name=$1 status=$2
	shift 2
	{
		echo '#!/bin/sh'
		printf "echo '%s'\n" "$@"
		if [ "$status" = crash ]; then
			echo 'kill -SEGV $$'
		else
			echo "exit $status"
		fi
	} >"$tmp/$name"
	chmod +x "$tmp/$name"
}

# expect DESC 'N passed, N failed, N skipped' EXIT BINARY...
expect() {
	local desc=$1 want=$2 want_rc=$3 got rc lines
	shift 3
	got=$("$RUNNER" "${@/#/$tmp/}" 2>&1)
	rc=$?
	if [ "$(tail -n 1 <<<"$got")" = "$want" ] && [ "$rc" = "$want_rc" ]; then
		echo "ok unit runner: $desc"
	else
		echo "not ok unit runner: $desc"
		echo "# want '$want' and exit $want_rc, got exit $rc after:"
		mapfile -t lines <<<"$got"
		printf '# %s\n' "${lines[@]}"
		bad=1
	fi
}

fake pass 0 '[==========] 4 test(s) run.' '[  PASSED  ] 4 test(s).'
fake skip 0 '[  PASSED  ] 2 test(s).' '[  SKIPPED ] 1 test(s), listed below:' \
	'[  SKIPPED ] needs_a_nic'
fake exit1 1 '[  PASSED  ] 3 test(s).'
fake crash crash '[ RUN      ] first'
fake quit 0 '[ RUN      ] calls_exit_0'
fake fail 2 '[  PASSED  ] 1 test(s).' '[  FAILED  ] 2 test(s), listed below:' \
	'[  FAILED  ] one' '[  FAILED  ] two'
fake groups 0 '[  PASSED  ] 2 test(s).' '[  PASSED  ] 3 test(s).' \
	'[  SKIPPED ] 1 test(s), listed below:' '[  SKIPPED ] later'

expect "a clean binary passes" "4 passed, 0 failed, 0 skipped" 0 pass
expect "skipped tests are counted" "2 passed, 0 failed, 1 skipped" 0 skip
expect "exit 1 with a summary of passes only is a failure" "3 passed, 1 failed, 0 skipped" 1 exit1
expect "a crash before the summary is a failure" "0 passed, 1 failed, 0 skipped" 1 crash
expect "exit 0 before the summary is a failure" "0 passed, 1 failed, 0 skipped" 1 quit
expect "cmocka's failures count once each" "1 passed, 2 failed, 0 skipped" 1 fail
expect "every group's summary is added" "5 passed, 0 failed, 1 skipped" 0 groups
expect "the counts of all binaries add up" "15 passed, 4 failed, 2 skipped" 1 \
	pass skip exit1 crash fail groups
expect "a missing binary is a failure" "0 passed, 1 failed, 0 skipped" 1 missing

# The same format from real cmocka: one pass, one skip, one failure.
cat >"$tmp/real.c" <<'C'
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
static void passes(void **s) { (void)s; }
static void skips(void **s) { (void)s; skip(); }
static void fails(void **s) { (void)s; fail(); }
int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(passes), cmocka_unit_test(skips), cmocka_unit_test(fails),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
C
if ${CC:-cc} -o "$tmp/real" "$tmp/real.c" -lcmocka >"$tmp/cc.log" 2>&1; then
	expect "a real cmocka binary is counted as it ran" "1 passed, 1 failed, 1 skipped" 1 real
else
	echo "ok unit runner: a real cmocka binary is counted as it ran # SKIP cannot build with -lcmocka: $(head -n 1 "$tmp/cc.log")"
fi

exit "$bad"
