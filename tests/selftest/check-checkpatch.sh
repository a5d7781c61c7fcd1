#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Self-test of the checkpatch step of scripts/check.sh: any finding (ERROR,
# WARNING or --strict CHECK) fails it, a clean file passes, and the one
# documented exception (LINUX_VERSION_CODE) holds for module/compat.h only.
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0

# expect DESC EXIT PATTERN FILE...: the step exits EXIT and its output
# matches the ERE PATTERN
expect() {
	local desc=$1 want_rc=$2 pattern=$3 out rc lines
	shift 3
	out=$(CHECKPATCH_FILES="$*" "$TOP/scripts/check.sh" checkpatch 2>&1)
	rc=$?
	if grep -q '# SKIP' <<<"$out"; then
		echo "checkpatch.pl is not available: $(head -n 1 <<<"$out")"
		exit 77
	fi
	if [ "$rc" = "$want_rc" ] && grep -qE "$pattern" <<<"$out"; then
		echo "ok checkpatch step: $desc"
	else
		echo "not ok checkpatch step: $desc"
		echo "# want exit $want_rc and /$pattern/, got exit $rc after:"
		mapfile -t lines <<<"$out"
		printf '# %s\n' "${lines[@]}"
		bad=1
	fi
}

cat >"$tmp/clean.c" <<'C'
// SPDX-License-Identifier: GPL-2.0
/* A file checkpatch --strict has nothing to say about. */
#include <linux/types.h>

int clean_sum(int a, int b)
{
	return a + b;
}
C
cat >"$tmp/error.c" <<'C'
// SPDX-License-Identifier: GPL-2.0
#include <linux/types.h>

int error_sum(int a, int b){
	return a + b;
}
C
cat >"$tmp/warning.c" <<'C'
// SPDX-License-Identifier: GPL-2.0
#include <linux/printk.h>

void warning_hello(void)
{
	printk("hello\n");
}
C
cat >"$tmp/check.c" <<'C'
// SPDX-License-Identifier: GPL-2.0
#include <linux/types.h>

int check_null(int *p)
{
	if (p == NULL)
		return 0;
	return *p;
}
C
cat >"$tmp/version.c" <<'C'
// SPDX-License-Identifier: GPL-2.0
#include <linux/version.h>

#if KERNEL_VERSION(6, 1, 0) > LINUX_VERSION_CODE
#error "too old"
#endif
C

expect "a clean file passes" 0 '^ok checkpatch' "$tmp/clean.c"
expect "an ERROR fails" 1 'ERROR:OPEN_BRACE' "$tmp/error.c"
expect "a WARNING fails" 1 'WARNING:PRINTK_WITHOUT_KERN_LEVEL' "$tmp/warning.c"
expect "a --strict CHECK fails" 1 'CHECK:COMPARISON_TO_NULL' "$tmp/check.c"
expect "one bad file among clean ones fails" 1 'ERROR:OPEN_BRACE' \
	"$tmp/clean.c" "$tmp/error.c" "$TOP/module/compat.h"
expect "LINUX_VERSION_CODE outside module/compat.h fails" 1 \
	'WARNING:LINUX_VERSION_CODE' "$tmp/version.c"
expect "LINUX_VERSION_CODE in module/compat.h is the documented exception" 0 \
	'^ok checkpatch' "$TOP/module/compat.h"
expect "a file that is not there fails" 1 'no such file' "$tmp/missing.c"

exit "$bad"
