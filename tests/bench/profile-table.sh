#!/bin/sh
# SPDX-License-Identifier: MIT
# profile-table.sh RESULTS KERNEL [DATE [COMMIT]]: where the receiver's CPU
# goes, in Markdown on stdout, from the guest's output RESULTS of a `make
# bench-profile` boot (tests/vm/guest/recv-profile's BENCH-PROFILE lines,
# one per receiver and MTU): how the receiving process's samples split
# between user space, kernel and softirq, who ran the whole machine's
# samples, and the receiver's top symbols per MTU. tests/bench/splice.sh
# puts it into docs/benchmarks.md between bench:profile markers; nothing in
# it is typed in. No BENCH-PROFILE line: exit 1.
set -eu

if [ $# -lt 2 ] || [ $# -gt 4 ]; then
	echo "usage: profile-table.sh RESULTS KERNEL [DATE [COMMIT]]" >&2
	exit 2
fi
log=$1 kernel=$2
date=${3:-$(date -u '+%Y-%m-%d %H:%M UTC')}
commit=${4:-unknown}

tr -d '\r' <"$log" | sed -n 's/^BENCH-PROFILE {\(.*\)}$/\1/p' | awk -v K="$kernel" -v D="$date" -v C="$commit" '
# The value of "k": a number or a string, in s (the first one).
function field(s, k,   m) {
	if (!match(s, "\"" k "\":(\"[^\"]*\"|[-0-9.]+)"))
		return ""
	m = substr(s, RSTART + length(k) + 3, RLENGTH - length(k) - 3)
	gsub(/"/, "", m)
	return m
}
# The text of the object "k":{...} (no nested objects in it).
function object(s, k) {
	if (!match(s, "\"" k "\":\\{[^}]*\\}"))
		return ""
	return substr(s, RSTART, RLENGTH)
}
# The list "k":[{"sym":..,"share":..},...] of s into A[key, 1..n] as
# Markdown cells; returns n. (A symbol may hold brackets: "[unknown] libc.so.6".)
function list(s, k, key, A,   t, i, n, o) {
	if (!(i = index(s, "\"" k "\":[")))
		return 0
	t = substr(s, i + length(k) + 4)
	if ((i = index(t, "],\"")))
		t = substr(t, 1, i - 1)
	n = 0
	while (match(t, /\{[^}]*\}/)) {
		o = substr(t, RSTART, RLENGTH); t = substr(t, RSTART + RLENGTH)
		A[key, ++n] = sprintf("`%s` %.1f%%", field(o, "sym"), field(o, "share"))
	}
	return n
}
# A table per MTU j: a column per receiver measured there, A[key, row]
# the cells, N[key] the rows.
function coltable(j, title, A, N,   i, nc, nr, key, col, r) {
	nc = 0; nr = 0
	for (i = 1; i <= no; i++) {
		key = order[i] SUBSEP mtus[j]
		if (!(key in nsamp)) continue
		col[++nc] = order[i]
		nr = N[key] > nr ? N[key] : nr
	}
	if (!nr)
		return
	printf "\n%s:\n\n| # |", title
	for (i = 1; i <= nc; i++) printf " %s |", name[col[i]]
	printf "\n|---:|"
	for (i = 1; i <= nc; i++) printf "---|"
	printf "\n"
	for (r = 1; r <= nr; r++) {
		printf "| %d |", r
		for (i = 1; i <= nc; i++) {
			key = col[i] SUBSEP mtus[j]
			printf (r <= N[key] ? " %s |" : " |"), A[key, r]
		}
		printf "\n"
	}
}
{
	mode = field($0, "mode"); mtu = field($0, "mtu")
	key = mode SUBSEP mtu
	if (!(mode in seen_mode)) { seen_mode[mode] = 1; modes[++nmo] = mode }
	if (!(mtu in seen_mtu)) { seen_mtu[mtu] = 1; mtus[++nm] = mtu }
	freq = field($0, "freq"); bytes[mtu] = field($0, "bytes")
	b = field($0, "bytes")
	gib[key] = b > 0 ? field($0, "cpu_usec") / 1e6 / (b / 1073741824) : ""
	nsamp[key] = field($0, "receiver_samples")
	r = object($0, "receiver")
	user[key] = field(r, "user"); kern[key] = field(r, "kernel"); soft[key] = field(r, "softirq")
	m = object($0, "machine")
	m_recv[key] = field(m, "receiver"); m_send[key] = field(m, "sender")
	m_soft[key] = field(m, "softirq_elsewhere"); m_other[key] = field(m, "other"); m_idle[key] = field(m, "idle")
	ntop[key] = list($0, "top", key, top)
	nsys[key] = list($0, "syscalls", key, sys)
	nthr[key] = list($0, "threads", key, thr)
	ngrp[key] = list($0, "groups", key, grp)
	nplumb[key] = list($0, "plumbing_callers", key, plumb)
}
END {
	if (!NR)
		exit 1
	name["devmem"] = "devmem TCP, uring-dmabuf dma-buf"
	name["zcrx_user"] = "io_uring zcrx, user area"
	name["zcrx_dmabuf"] = "io_uring zcrx, uring-dmabuf area"
	name["copy"] = "`recv()`, copying"
	# The known receivers first, in this order, then any other.
	split("devmem zcrx_user zcrx_dmabuf copy", known, " ")
	no = 0
	for (i = 1; i <= 4; i++)
		if (known[i] in seen_mode) order[++no] = known[i]
	for (i = 1; i <= nmo; i++)
		if (!(modes[i] in name)) { order[++no] = modes[i]; name[modes[i]] = modes[i] }

	printf "Whole-machine `cpu-clock` samples (`perf record -a -g -F %s`: TCG has\n", freq
	printf "no PMU) during one %d MiB stream per receiver and MTU over the simulated\n", bytes[mtus[1]] / 1048576
	printf "NIC pair, the receiver set up before sampling starts, in one boot of\n"
	printf "%s (%s, commit %s), written by `make bench-profile`\n", K, D, C
	printf "(perf from that kernel'"'"'s `tools/perf`). The receiving process'"'"'s samples\n"
	printf "(what its CPU time per GiB counts) split into user space, its kernel\n"
	printf "time (syscalls, faults) and softirq run in its context; the machine'"'"'s\n"
	printf "into the receiver, the sender, softirq in other contexts\n"
	printf "(`ksoftirqd`, interrupted tasks), everything else (the simulated NIC'"'"'s\n"
	printf "DMA work, kernel threads) and idle. Percentages of samples. CPU s per\n"
	printf "GiB: the receiver'"'"'s own CPU time in this sampled run (sampling under\n"
	printf "TCG adds to it: the receive table of `make bench` has the unsampled figures).\n\n"
	printf "| receiver | MTU | CPU s per GiB | its samples | user | kernel | softirq | machine: receiver | sender | softirq elsewhere | other | idle |\n"
	printf "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
	for (j = 1; j <= nm; j++)
		for (i = 1; i <= no; i++) {
			key = order[i] SUBSEP mtus[j]
			if (!(key in nsamp)) continue
			printf "| %s | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", name[order[i]], mtus[j],
				gib[key] == "" ? "n/a" : sprintf("%.2f", gib[key]), nsamp[key],
				user[key], kern[key], soft[key], m_recv[key], m_send[key], m_soft[key], m_other[key], m_idle[key]
		}
	for (j = 1; j <= nm; j++) {
		printf "\n### MTU %s\n", mtus[j]
		coltable(j, "Where the receiving process'"'"'s samples go, grouped (each sample in the\nfirst group that fits, in the order of `tests/vm/guest/recv-profile`)", grp, ngrp)
		coltable(j, "The receiving process'"'"'s top symbols, share of its samples\n(`[unknown] FILE`: a stripped binary'"'"'s own code)", top, ntop)
		coltable(j, "The system calls its samples are in (the frame `x64_sys_call` called;\n`[kernel, no syscall]`: interrupts, kernel threads of the process)", sys, nsys)
		coltable(j, "Its threads (the samples of each, by thread name)", thr, nthr)
		coltable(j, "Who called its lock, workqueue and irq-enable frames (`frame < caller`:\ncpu-clock cannot sample with irqs off, that time lands where they are\nenabled again)", plumb, nplumb)
	}
}'
