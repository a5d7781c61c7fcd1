#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Self-test of the TX table generator (tests/bench/tx-table.sh), which
# `make bench-tx` runs to write the bench:tx part of docs/benchmarks.md and
# README.md: made-up BENCH-TX runs must come out as their medians (not the
# mean, not the last round) per send path and MTU, with each path against
# send() copying; an output without BENCH-TX lines must fail, not write an
# empty table.
# The table's lines hold Markdown backquotes, not expansions.
# shellcheck disable=SC2016
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0

result() {
	if [ "$1" = 0 ]; then echo "ok bench tx table: $2"; else echo "not ok bench tx table: $2"; bad=1; fi
}

# run MODE MTU ROUND CPU_USEC: one run of 256 MiB, as the serial port has it.
run() {
	printf 'BENCH-TX {"mtu":%s,"mode":"%s","round":%s,"bytes":268435456,"cpu_usec":%s,"usec":900000}\r\n' \
		"$2" "$1" "$3" "$4"
}

{
	echo 'tx devmem mtu 1500 round 1: text lines in between'
	# Medians (s per GiB): devmem 0.40 (rounds 0.4, 2.0, 0.2: not the
	# mean 0.87, not the last 0.2), copy 1.20, zerocopy 0.60, sendzc 0.80.
	run devmem 1500 1 100000; run copy 1500 1 300000; run zerocopy 1500 1 150000; run sendzc 1500 1 200000
	run devmem 1500 2 500000; run copy 1500 2 310000; run zerocopy 1500 2 150000; run sendzc 1500 2 200000
	run devmem 1500 3 50000; run copy 1500 3 250000; run zerocopy 1500 3 150000; run sendzc 1500 3 200000
	run devmem 9000 1 25000; run copy 9000 1 100000; run zerocopy 9000 1 50000; run sendzc 9000 1 75000
} >"$tmp/results.log"

"$TOP/tests/bench/tx-table.sh" "$tmp/results.log" 7.2.99-test "2026-01-01 00:00 UTC" abc1234 >"$tmp/tx.md"
result $? "tx-table.sh reads a guest output"
grep -qxF '| devmem TX (`bind-tx -- send --devmem`) | 0.40 | 0.10 | 0.33 | 0.25 |' "$tmp/tx.md"
result $? "devmem: the median per MTU and the ratio to copying"
grep -qxF '| `send()`, copying | 1.20 | 0.40 | 1.00 | 1.00 |' "$tmp/tx.md"
result $? "copy: its medians, 1.00 against itself"
grep -qxF '| io_uring `SEND_ZC`, registered buffer | 0.80 | 0.30 | 0.67 | 0.75 |' "$tmp/tx.md"
result $? "SEND_ZC: its medians and ratios"
grep -qF 'median of 3 interleaved rounds' "$tmp/tx.md" && grep -qF '7.2.99-test (2026-01-01 00:00 UTC, commit abc1234)' "$tmp/tx.md"
result $? "the table says the rounds, the kernel, the date and the commit"

echo 'BENCH-RECV {"devmem_bytes":1}' >"$tmp/none.log"
! "$TOP/tests/bench/tx-table.sh" "$tmp/none.log" 7.2.99-test >"$tmp/none.md" 2>/dev/null
result $? "an output without BENCH-TX lines fails"

exit $bad
