#!/bin/sh
# SPDX-License-Identifier: MIT
# tx-table.sh RESULTS KERNEL [DATE [COMMIT]]: the TX table of a `make
# bench-tx` boot in Markdown on stdout, from the guest's output RESULTS
# (tests/vm/guest/bench-tx's BENCH-TX lines, one per run): per send path
# and MTU the median over the rounds of the sender's CPU time per GiB, and
# each path against send() copying. tests/bench/splice.sh puts it into
# docs/benchmarks.md and README.md between bench:tx markers; nothing in it
# is typed in. No BENCH-TX line: exit 1.
set -eu

if [ $# -lt 2 ] || [ $# -gt 4 ]; then
	echo "usage: tx-table.sh RESULTS KERNEL [DATE [COMMIT]]" >&2
	exit 2
fi
log=$1 kernel=$2
date=${3:-$(date -u '+%Y-%m-%d %H:%M UTC')}
commit=${4:-unknown}

tr -d '\r' <"$log" | sed -n 's/^BENCH-TX {\(.*\)}$/\1/p' | awk -v K="$kernel" -v D="$date" -v C="$commit" '
function field(s, k,   m) {
	if (!match(s, "\"" k "\":\"?[^,\"]*"))
		return ""
	m = substr(s, RSTART + length(k) + 3, RLENGTH - length(k) - 3)
	sub(/^"/, "", m)
	return m
}
# The median of the n values in v[1..n] (sorted here).
function median(v, n,   i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
{
	mode = field($0, "mode"); mtu = field($0, "mtu")
	key = mode SUBSEP mtu
	n[key]++
	# Seconds of sender CPU per GiB sent.
	cpu[key, n[key]] = field($0, "cpu_usec") / 1e6 / (field($0, "bytes") / 1073741824)
	bytes[mtu] = field($0, "bytes")
	if (!(mtu in seen_mtu)) { seen_mtu[mtu] = 1; mtus[++nm] = mtu }
	runs = n[key] > runs ? n[key] : runs
}
END {
	if (!NR)
		exit 1
	split("devmem copy zerocopy sendzc", order, " ")
	name["devmem"] = "devmem TX (`bind-tx -- send --devmem`)"
	name["copy"] = "`send()`, copying"
	name["zerocopy"] = "`send(MSG_ZEROCOPY)`, ordinary memory"
	name["sendzc"] = "io_uring `SEND_ZC`, registered buffer"
	for (i = 1; i <= 4; i++)
		for (j = 1; j <= nm; j++) {
			key = order[i] SUBSEP mtus[j]
			delete v
			for (r = 1; r <= n[key]; r++)
				v[r] = cpu[key, r]
			med[key] = n[key] ? median(v, n[key]) : ""
		}
	printf "Sender CPU time per GiB sent over the simulated NIC pair to a plain\n"
	printf "`recv()` receiver, %d MiB a stream, the median of %d interleaved rounds,\n", bytes[mtus[1]] / 1048576, runs
	printf "in one boot of %s (%s, commit %s),\n", K, D, C
	printf "written by `make bench-tx`. The simulated NIC reads the frames in its\n"
	printf "own context, as a NIC'"'"'s DMA engine does, not on the sender'"'"'s CPU.\n\n"
	printf "| send path |"
	for (j = 1; j <= nm; j++) printf " MTU %s (s per GiB) |", mtus[j]
	for (j = 1; j <= nm; j++) printf " MTU %s / copy |", mtus[j]
	printf "\n|---|"
	for (j = 1; j <= 2 * nm; j++) printf "---:|"
	printf "\n"
	for (i = 1; i <= 4; i++) {
		m = order[i]
		printf "| %s |", name[m]
		for (j = 1; j <= nm; j++) {
			key = m SUBSEP mtus[j]
			printf (med[key] == "" ? " n/a |" : " %.2f |"), med[key]
		}
		for (j = 1; j <= nm; j++) {
			key = m SUBSEP mtus[j]; c = med["copy", mtus[j]]
			printf (med[key] == "" || !c ? " n/a |" : " %.2f |"), (c ? med[key] / c : 0)
		}
		printf "\n"
	}
}'
