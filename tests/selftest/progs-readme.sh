#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The table of tests/vm/progs/README.md lists every guest program, in run
# order, one line each: a program added without its line, or a line left for
# one that is gone, fails here. A table with a line missing must fail too.
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PROGS=$TOP/tests/vm/progs
bad=0

# The programs, by the names the guest runs them under (sorted as it does).
programs() {
	local p
	for p in "$PROGS"/[0-9][0-9]-*; do
		p=${p##*/}
		echo "${p%.[cs]*}"
	done | LC_ALL=C sort
}

# The first column of the table's rows in README $1.
listed() {
	sed -n 's/^| \([0-9][0-9]-[^ |]*\) |.*/\1/p' "$1"
}

# check DESC README: the table lists exactly programs(), in order.
check() {
	if diff <(programs) <(listed "$2") >/dev/null; then
		echo "ok progs README: $1"
	else
		echo "not ok progs README: $1 (programs < > table):"
		diff <(programs) <(listed "$2") | grep '^[<>]' | while read -r line; do echo "# $line"; done
		return 1
	fi
}

check "every program listed once, in run order" "$PROGS/README.md" || bad=1

# Broken input: the same README without its first program's line must fail.
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
first=$(programs | head -n 1)
grep -v "^| $first |" "$PROGS/README.md" >"$tmp"
if check "(a table missing $first, must fail)" "$tmp" >/dev/null; then
	echo "not ok progs README: a table missing $first is not caught"
	bad=1
else
	echo "ok progs README: a table missing $first is caught"
fi
exit $bad
