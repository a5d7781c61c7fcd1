#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Self-test of the profile table generator (tests/bench/profile-table.sh),
# which `make bench-profile` runs to write the bench:profile part of
# docs/benchmarks.md: made-up BENCH-PROFILE lines must come out as their
# shares, per receiver and MTU, the receivers in their fixed order whatever
# the order of the lines, symbols holding brackets kept whole; an output
# without BENCH-PROFILE lines must fail, not write an empty table.
# The table's lines hold Markdown backquotes, not expansions.
# shellcheck disable=SC2016
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0

result() {
	if [ "$1" = 0 ]; then echo "ok bench profile table: $2"; else echo "not ok bench profile table: $2"; bad=1; fi
}

# line MODE MTU CPU_USEC TOP...: one BENCH-PROFILE line of 256 MiB, as the
# serial port has it; TOP: "sym:share" pairs.
line() {
	local mode=$1 mtu=$2 cpu=$3 t="" s
	shift 3
	for s in "$@"; do t="$t${t:+,}{\"sym\":\"${s%:*}\",\"share\":${s##*:}}"; done
	printf 'BENCH-PROFILE {"mode":"%s","mtu":%s,"freq":2000,"bytes":268435456,"cpu_usec":%s,' "$mode" "$mtu" "$cpu"
	printf '"samples":4000,"receiver_samples":900,"receiver":{"user":5.0,"kernel":80.5,"softirq":14.5},'
	printf '"machine":{"receiver":22.5,"sender":30.0,"softirq_elsewhere":10.0,"other":7.5,"idle":30.0},'
	printf '"top":[%s],"machine_top":[{"sym":"_raw_spin_unlock_irqrestore","share":9.9}],' "$t"
	printf '"groups":[{"sym":"waiting for the socket spinlock","share":40.0}],'
	printf '"threads":[{"sym":"uring-dmabuf","share":90.0},{"sym":"iou-wrk-212","share":10.0}],'
	printf '"syscalls":[{"sym":"__x64_sys_recvfrom","share":70.0},{"sym":"[user space]","share":5.0}],'
	printf '"plumbing_callers":[{"sym":"queue_work_on < simnic_xmit","share":12.5}]}\r\n'
}
# old_line: a line from before the group, thread, syscall and caller lists, which leaves
# those tables out.
old_line() {
	line "$@" | sed 's/,"groups".*}/}/'
}

{
	echo 'recv-profile: text lines in between'
	line copy 9000 950000 copy_user_generic:61.2 tcp_recvmsg_locked:4.0
	line devmem 9000 455000 tcp_recvmsg_dmabuf:20.5 '[unknown] libc.so.6:3.1' sock_setsockopt:7.26
	line zcrx_user 9000 262500 io_zcrx_recv_frag:30.0
	old_line devmem 1500 600000 tcp_recvmsg_dmabuf:11.0
} >"$tmp/results.log"

"$TOP/tests/bench/profile-table.sh" "$tmp/results.log" 7.3.99-test "2026-01-01 00:00 UTC" abc1234 >"$tmp/profile.md"
result $? "profile-table.sh reads a guest output"
# 455000 us for 256 MiB: 1.82 s per GiB.
grep -qxF '| devmem TCP, uring-dmabuf dma-buf | 9000 | 1.82 | 900 | 5.0 | 80.5 | 14.5 | 22.5 | 30.0 | 10.0 | 7.5 | 30.0 |' "$tmp/profile.md"
result $? "devmem at 9000: CPU per GiB, the receiver's split, the machine's"
grep -qxF '| 1 | `tcp_recvmsg_dmabuf` 20.5% | `io_zcrx_recv_frag` 30.0% | `copy_user_generic` 61.2% |' "$tmp/profile.md"
result $? "top symbols at 9000: devmem, zcrx, copy in that order"
grep -qxF '| 2 | `[unknown] libc.so.6` 3.1% | | `tcp_recvmsg_locked` 4.0% |' "$tmp/profile.md"
result $? "a symbol with brackets is kept whole, a shorter list leaves its cell empty"

	grep -qxF '| 3 | `sock_setsockopt` 7.3% | | |' "$tmp/profile.md"
result $? "the third row"
grep -qxF '| 1 | `tcp_recvmsg_dmabuf` 11.0% |' "$tmp/profile.md"
result $? "MTU 1500: only the receiver it has"
grep -qxF '| 1 | `__x64_sys_recvfrom` 70.0% | `__x64_sys_recvfrom` 70.0% | `__x64_sys_recvfrom` 70.0% |' "$tmp/profile.md" &&
	grep -qxF '| 1 | `queue_work_on < simnic_xmit` 12.5% | `queue_work_on < simnic_xmit` 12.5% | `queue_work_on < simnic_xmit` 12.5% |' "$tmp/profile.md" &&
	grep -qxF '| 1 | `waiting for the socket spinlock` 40.0% | `waiting for the socket spinlock` 40.0% | `waiting for the socket spinlock` 40.0% |' "$tmp/profile.md" &&
	grep -qxF '| 2 | `iou-wrk-212` 10.0% | `iou-wrk-212` 10.0% | `iou-wrk-212` 10.0% |' "$tmp/profile.md" &&
	[ "$(grep -c '^The system calls' "$tmp/profile.md")" = 1 ]
result $? "the groups', system calls', threads' and callers' lists, left out where a line has none"
[ "$(grep -c '^| .* | 9000 |' "$tmp/profile.md")" = 3 ] && [ "$(grep -c '^| .* | 1500 |' "$tmp/profile.md")" = 1 ]
result $? "one summary row per receiver and MTU"
grep -qF 'one 256 MiB stream' "$tmp/profile.md" && grep -qF '7.3.99-test (2026-01-01 00:00 UTC, commit abc1234)' "$tmp/profile.md" &&
	grep -qF 'perf record -a -g -F 2000' "$tmp/profile.md"
result $? "the table says the stream, the sampling, the kernel, the date and the commit"

echo 'BENCH-TX {"mode":"copy"}' >"$tmp/none.log"
! "$TOP/tests/bench/profile-table.sh" "$tmp/none.log" 7.3.99-test >"$tmp/none.md" 2>/dev/null
result $? "an output without BENCH-PROFILE lines fails"

exit $bad
