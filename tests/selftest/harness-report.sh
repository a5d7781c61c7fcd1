#!/usr/bin/env bash
# Self-test of the VM harness's verdicts (tests/vm/lib/report.sh), no VM:
# crafted results and console logs, each broken in one way, must fail, and
# a good one must pass. What is checked: the end marker "@@ done", the
# runner's and the debug profile's verdict lines, the must-run list
# (tests/vm/must-run: a program skipped or missing, a required check
# skipped or missing, per kernel version), the console scan (hung task, RCU
# stall, UBSAN, soft lockup), the boots retried, the demo's verdict.
set -uo pipefail
# The harness's knobs of a surrounding run (make test exports some) must
# not leak into the crafted runs.
unset "${!VM_@}" URING_DMABUF_TEST_START

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export BUILD=$tmp/build VM_TEST_TIMEOUT=240 VM_TIMEOUT=900
for f in common report; do
	# shellcheck source=/dev/null
	source "$TOP/tests/vm/lib/$f.sh"
done
mkdir -p "$VMBUILD"

nfail=0
ok() { echo "ok $*"; }
bad() { echo "not ok $*"; nfail=$((nfail + 1)); }
# that NAME COMMAND...: ok NAME when COMMAND succeeds
that() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else bad "$name"; fi
}

# report K LOGTEXT: report_kernel on a results log; prints its lines, leaves
# its "pass fail skip" in $tally.
report() {
	local k=$1 d=$tmp/$1
	mkdir -p "$d"
	printf '%s\n' "$2" >"$d/results.log"
	rm -f "$VMBUILD/tally"
	report_kernel "$k" "$d" 0 >"$tmp/out"
	tally=$(cat "$VMBUILD/tally")
}

# expect_pass NAME: the last report had no failure.
expect_pass() {
	if [ "$(echo "$tally" | cut -d' ' -f2)" = 0 ] && ! grep -q '^not ok' "$tmp/out"; then
		ok "$1"
	else
		bad "$1"
		sed 's/^/#   /' "$tmp/out"
	fi
}

# expect_fail NAME PATTERN: the last report failed, with a line matching PATTERN.
expect_fail() {
	if [ "$(echo "$tally" | cut -d' ' -f2)" != 0 ] && grep -qE "^not ok .*$2" "$tmp/out"; then
		ok "$1"
	else
		bad "$1 (wanted a failure matching /$2/)"
		sed 's/^/#   /' "$tmp/out"
	fi
}

# A whole results log: the runner's framing around the given program blocks.
runner_log() { # KVER PROGRAM-BLOCKS [VERDICT-LINES]
	printf '%s\n' "@@ kernel $1" "@@ ok guest: ext4 scratch disk mounted" "@@ ok guest: set up by init" \
		"@@ ok modprobe uring_dmabuf" "$2" "@@ ok no pin leak" "@@ ok rmmod uring_dmabuf" \
		"@@ ok no kernel warnings in dmesg"
	[ -z "${3:-}" ] || printf '%s\n' "$3"
	echo "@@ done"
}
prog() { # NAME RC LINES...
	local name=$1 rc=$2
	shift 2
	echo "@@ begin $name"
	[ $# = 0 ] || printf '%s\n' "$@"
	echo "@@ end $name $rc 1"
}

v10=$(prog 10-version-info 0 "ok version matches")
v70skip=$(prog 70-mem-region 77 "# SKIP IORING_REGISTER_MEM_REGION refused with EINVAL: kernel older than 6.13")
v70=$(prog 70-mem-region 0 "ok register a user-provided region" "ok user-provided region: create succeeds")
v95skip=$(prog 95-simnic-devmem 77 "# SKIP kernel without devmem TCP (no NETDEV_CMD_BIND_RX)")
v95=$(prog 95-simnic-devmem 0 "ok modprobe uring_dmabuf_simnic" \
	"ok MTU 1500: received all 41943040 bytes with MSG_SOCK_DEVMEM" \
	"ok two queues, queue 2: received all 4194304 bytes with MSG_SOCK_DEVMEM" \
	"ok rx_page_size: dma-buf from 32 MiB of THP # SKIP kernel without NETDEV_A_DMABUF_RX_PAGE_SIZE (7.3+)")
v95rx=$(prog 95-simnic-devmem 0 \
	"ok MTU 1500: received all 41943040 bytes with MSG_SOCK_DEVMEM" \
	"ok two queues, queue 2: received all 4194304 bytes with MSG_SOCK_DEVMEM" \
	"ok rx_page_size 16K, MTU 9000: one 16384-byte netmem per frame (largest frag 8948)")
v95rxskip=$(prog 95-simnic-devmem 0 \
	"ok MTU 1500: received all 41943040 bytes with MSG_SOCK_DEVMEM" \
	"ok two queues, queue 2: received all 4194304 bytes with MSG_SOCK_DEVMEM" \
	"ok rx_page_size 16K, MTU 9000: one 16384-byte netmem per frame # SKIP kernel without NETDEV_A_DMABUF_RX_PAGE_SIZE (7.3+)")

# The real must-run list, on the programs of these logs only (not the
# -m32 builds of 10-version-info, nor 95-teardown).
export VM_TESTS="10-version-info 70-* 95-simnic-devmem"

report 6.12 "$(runner_log 6.12.118+deb12-amd64 "$v10
$v70skip
$v95")"
expect_pass "a good 6.12 log passes (70 may skip before 6.13, rx_page_size before 7.3)"

report 6.1 "$(runner_log 6.1.0-57-amd64 "$v10
$v70skip
$v95skip")"
expect_pass "6.1 does not demand devmem: 95 skipped as a whole passes"

report 7.3 "$(runner_log 7.3.1+bpo-amd64 "$v10
$v70
$v95rx")"
expect_pass "a good 7.3 log passes"

report 6.12 "$(runner_log 6.12.118+deb12-amd64 "$v10
$v70skip
$v95" | grep -v '^@@ done')"
expect_fail "a log without \"@@ done\" fails" 'guest stopped before the end'

report 6.12 "$(runner_log 6.12.118+deb12-amd64 "$v10
$v70skip
$v95skip")"
expect_fail "6.12: 95-simnic-devmem skipped as a whole fails" '95-simnic-devmem: skipped as a whole, and it must run'

report 6.12 "$(runner_log 6.12.118+deb12-amd64 "$v10
$v70skip")"
expect_fail "6.12: 95-simnic-devmem not run at all fails" '95-simnic-devmem: did not run, and it must run'

report 7.2 "$(runner_log 7.2.4-amd64 "$v10
$v70skip
$v95")"
expect_fail "7.2: 70-mem-region skipped fails (6.13+)" '70-mem-region: skipped as a whole'

report 7.3 "$(runner_log 7.3.1+bpo-amd64 "$v10
$v70
$v95rxskip")"
expect_fail "7.3: the rx_page_size check skipped fails" '95-simnic-devmem: no passing check matches /\^rx_page_size'

report 7.3 "$(runner_log 7.3.1+bpo-amd64 "$v10
$v70
$v95")"
expect_fail "7.3: the rx_page_size check missing fails" '95-simnic-devmem: no passing check matches /\^rx_page_size'

report 7.3 "$(runner_log 7.3.1+bpo-amd64 "$v10
$(prog 70-mem-region 0 "ok register a user-provided region" "not ok user-provided region: create succeeds")
$v95rx")"
expect_fail "7.3: a required check that failed is not a pass of the must-run rule" '70-mem-region: no passing check matches'

VM_TESTS="92-*"
v92=$(prog 92-swiotlb 0 "ok huge pages through swiotlb: segments within 262144 bytes")
report 6.12+swiotlb "$(runner_log 6.12.118+deb12-amd64 "$v92")"
expect_pass "a labelled boot is held to its VM_MUST_RUN, not to the list"
VM_MUST_RUN=92-swiotlb report 6.12+swiotlb "$(runner_log 6.12.118+deb12-amd64 "$(prog 92-swiotlb 77 "# SKIP no swiotlb=force")")"
expect_fail "a labelled boot: its VM_MUST_RUN program skipped fails" '92-swiotlb: skipped as a whole, and this boot is for it'
VM_TESTS="95-*"
v95tx_skip=$(prog 95-devmem-tx 77 "# SKIP kernel lacks NETDEV_CMD_BIND_TX (devmem TX is 6.16+)")
VM_MUST_RUN="95-devmem-tx@6.16+" report 6.12+iommu "$(runner_log 6.12.118+deb12-amd64 "$v95tx_skip")"
expect_pass "a lane's PROG@6.16+ is not asked of its 6.12 boot"
VM_MUST_RUN="95-devmem-tx@6.16+" report 7.3+iommu "$(runner_log 7.3.1+bpo-amd64 "$v95tx_skip")"
expect_fail "a lane's PROG@6.16+ skipped on its 7.3 boot fails" '95-devmem-tx: skipped as a whole, and this boot is for it'
VM_MUST_RUN="95-devmem-tx@7.3+iommu" report 7.3+iommu "$(runner_log 7.3.1+bpo-amd64 "$v95tx_skip")"
expect_fail "PROG@7.3+iommu names that boot" '95-devmem-tx: skipped as a whole, and this boot is for it'

VM_TESTS="30-bad-input"
report 6.1 "$(runner_log 6.1.0-57-amd64 "$(prog 30-bad-input 0 "ok MAP_SHARED read-write mapping of an ext4 file fails with EOPNOTSUPP" \
	"ok MAP_PRIVATE mapping of an ext4 file succeeds")")"
expect_pass "30-bad-input with its ext4 cases passes"
report 6.1 "$(runner_log 6.1.0-57-amd64 "$(prog 30-bad-input 0 \
	"ok shared mapping of an ext4 file # SKIP URING_DMABUF_TEST_EXT4 not set")")"
expect_fail "30-bad-input without its ext4 cases fails" '30-bad-input: no passing check matches /\^MAP_SHARED'

# An -m32 build must show that it ran as an i386 process (common.c's
# t_init): passing checks alone, as a 64-bit build would give, fail.
VM_TESTS="10-version-info-m32"
report 7.3 "$(runner_log 7.3.1+bpo-amd64 "$(prog 10-version-info-m32 0 \
	"ok 32-bit process: i386 ELF (class 32), sizeof(long) and sizeof(void *) 4" "ok VERSION succeeds")")"
expect_pass "an -m32 build that says it is an i386 process passes"
report 7.3 "$(runner_log 7.3.1+bpo-amd64 "$(prog 10-version-info-m32 0 "ok VERSION succeeds")")"
expect_fail "an -m32 build without the i386 check fails" '10-version-info-m32: no passing check matches /\^32-bit process'

VM_TESTS="10-version-info"
report 6.12 "$(runner_log 6.12.118+deb12-amd64 "$v10" | sed 's/^@@ ok guest: ext4 scratch disk mounted$/@@ not ok guest: ext4 scratch disk mounted/')"
expect_fail "the ext4 scratch disk not mounted fails" 'ext4 scratch disk mounted'
report 6.12 "$(runner_log 6.12.118+deb12-amd64 "$v10" | grep -v '^@@ ok no pin leak')"
expect_fail "a missing runner verdict (no pin leak) fails" 'no pin leak: the runner never gave this verdict'
report 6.12 "$(runner_log 6.12.118+deb12-amd64 "$v10")
@@ ok late verdict"
expect_fail "a verdict after \"@@ done\" fails" 'nothing after the end of the run'

# The debug profile: its verdict list, from the profile itself.
VM_VERDICTS=$(TOP=$TOP bash -c 'source "$TOP/tests/vm/profiles/debug" && echo "$VM_VERDICTS"')
that "the debug profile names its verdicts" [ -n "$VM_VERDICTS" ]
checkers=$TOP/tests/vm/debug/guest/etc/run-tests/verdicts/checkers
missing=
IFS=';' read -ra vv <<<"$VM_VERDICTS"
for v in "${vv[@]}"; do
	grep -qF "say \"ok $v\"" "$checkers" && grep -qF "say \"not ok $v\"" "$checkers" || missing="$missing [$v]"
done
that "each of the profile's verdicts is said (ok and not ok) by its checkers$missing" [ -z "$missing" ]
missing=
IFS=';' read -ra vv <<<"$VERDICTS_STOCK"
for v in "${vv[@]}"; do
	grep -qF "$v" "$TOP/tests/vm/guest/run-tests" || missing="$missing [$v]"
done
that "each stock verdict is said by guest/run-tests$missing" [ -z "$missing" ]

VM_TESTS="10-version-info 97-*"
dbg_verdicts=$(IFS=';'; for v in ${VM_VERDICTS}; do echo "@@ ok $v"; done)
v97=$(prog 97-fault-injection 0 "ok random failures (5% of allocations) over 300 calls: 129 failed, each clean" \
	"ok NETDEV_CMD_BIND_RX to sim0b queue 1: each of its 35 allocations failed once, each a clean errno, nothing left" \
	"ok NETDEV_CMD_BIND_TX to sim0b: each of its 6 allocations failed once, each a clean errno, nothing left" \
	"ok zcrx ifq on sim0b queue 1, a dma-buf area: each of its 6 allocations failed once, each a clean errno, nothing left")
report debug "$(runner_log 7.3.4-uring-dmabuf-debug "$v10
$v97" "$dbg_verdicts")"
expect_pass "a good debug log passes"
report debug "$(runner_log 7.3.4-uring-dmabuf-debug "$v10
$v97" "$(echo "$dbg_verdicts" | grep -v lockdep)")"
expect_fail "debug: a missing lockdep verdict fails" 'kernel: lockdep still on \(no splat\): the runner never gave'
report debug "$(runner_log 7.3.4-uring-dmabuf-debug "$v10
$v97" "$dbg_verdicts" | grep -v '^@@ done')"
expect_fail "debug: verdicts without \"@@ done\" fail" 'guest stopped before the end'
report debug "$(runner_log 7.3.4-uring-dmabuf-debug "$v10
$(prog 97-fault-injection 77 "# SKIP no fault injection here")" "$dbg_verdicts")"
expect_fail "debug: 97-fault-injection skipped fails" '97-fault-injection: skipped as a whole'
unset VM_VERDICTS
report 6.12 "$(runner_log 6.12.118+deb12-amd64 "$v10
$(prog 97-fault-injection 77 "# SKIP no fault injection here")")"
expect_pass "a stock kernel may skip 97-fault-injection"

# The must-run list itself: each program exists (NN-name-m32: NN-name.c
# built -m32, named in tests/Makefile's PROGS_M32), each KERNELS field and
# regex is well formed.
m32=$(sed -n 's/^PROGS_M32 := //p' "$TOP/tests/Makefile")
missing=
while read -r kernels p re; do
	case $kernels in '' | '#'*) continue ;; esac
	case " $m32 " in *" ${p%-m32} "*) [ "$p" != "${p%-m32}" ] && p=${p%-m32} ;; esac
	[ -e "$TOP/tests/vm/progs/$p.c" ] || [ -d "$TOP/tests/vm/progs/$p" ] ||
		[ -e "$TOP/tests/vm/progs/$p" ] || missing="$missing [no program $p]"
	[[ $kernels =~ ^(!?(all|debug|[0-9]+\.[0-9]+\+?),?)+$ ]] || missing="$missing [KERNELS $kernels]"
	[ -z "$re" ] || echo | RE=$re awk '{ exit !("" ~ ENVIRON["RE"] || 1) }' 2>/dev/null || missing="$missing [regex $re]"
done <"$TOP/tests/vm/must-run"
that "tests/vm/must-run names existing programs, well-formed kernels and regexes$missing" [ -z "$missing" ]

# The KERNELS field of the must-run list.
matches() { # FIELD NAME VER WANT
	local got=no
	must_run_matches "$1" "$2" "$3" && got=yes
	that "must-run: '$1' on $2 ($3): $4 (got $got)" [ "$got" = "$4" ]
}
matches all 6.1 6.1 yes
matches 6.12+ 6.1 6.1 no
matches 6.12+ 6.12 6.12 yes
matches 6.12+ 7.2 7.2 yes
matches 6.12+ debug 6.12 yes
matches 6.13+ 6.12 6.12 no
matches 6.13+ 7.2 7.2 yes
matches 7.3 7.2 7.2 no
matches 7.3 7.3 7.3 yes
matches 6.1,7.3 7.3 7.3 yes
matches debug 6.12 6.12 no
matches debug debug 6.12 yes
matches 'all,!debug' debug 6.12 no
matches 'all,!debug' 6.12 6.12 yes

# The console scan, on every boot.
console() { # NAME LINE WANT(ok|not ok)
	local d=$tmp/con
	mkdir -p "$d"
	printf '%s\n' "[    0.000000] Linux version 6.12.118" "[    1.2] Run /init as init process" "$2" >"$d/console.log"
	rm -f "$VMBUILD/tally"
	report_console k "$d" >"$tmp/out"
	if grep -q "^$3 k: console" "$tmp/out"; then ok "console: $1"; else bad "console: $1"; sed 's/^/#   /' "$tmp/out"; fi
}
console "a clean console passes" "[   20.1] run-tests: 10-version-info" "ok"
console "a hung task fails" "[  243.1] INFO: task kworker/0:1:12 blocked for more than 120 seconds." "not ok"
console "an RCU stall fails" "[  300.5] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:" "not ok"
console "a self-detected RCU stall fails" "[  300.5] rcu: INFO: rcu_sched self-detected stall on CPU" "not ok"
console "UBSAN fails" "[   50.2] UBSAN: shift-out-of-bounds in module/dmabuf.c:120:9" "not ok"
console "a soft lockup fails" "[   80.0] watchdog: BUG: soft lockup - CPU#1 stuck for 26s! [fuzz:211]" "not ok"
console "a KASAN report fails" "[   60.0] BUG: KASAN: slab-use-after-free in udmabuf_release+0x1c/0x80" "not ok"
rm -f "$tmp/con/console.log"
report_console k "$tmp/con" >"$tmp/out"
that "console: a missing console log fails" grep -q '^not ok k: console: no console log' "$tmp/out"

# Boots retried: one is reported, two fail the run.
rm -f "$(retries_file)"
report_retries >"$tmp/out"
that "retries: none, reported as 0" grep -qx '0 boots retried' "$tmp/out"
retry_note 6.12 "boot 1 died or hung before its tests started"
if report_retries >"$tmp/out" && grep -qx '1 boots retried' "$tmp/out"; then ok "retries: one passes, reported"; else bad "retries: one passes, reported"; fi
retry_note debug "boot 1 died or hung before its tests started"
if ! report_retries >"$tmp/out" && grep -qx '2 boots retried' "$tmp/out"; then ok "retries: two fail"; else bad "retries: two fail"; fi
rm -f "$VMBUILD/tally" "$VMBUILD/skips"
echo "5 0 0" >"$VMBUILD/tally"
if ! report_summary >"$tmp/out" && grep -qx '5 passed, 1 failed, 0 skipped' "$tmp/out"; then
	ok "retries: two fail the summary of a run of its own"
else
	bad "retries: two fail the summary of a run of its own"; sed 's/^/#   /' "$tmp/out"
fi
if VM_RETRIES_KEEP=1 report_summary >"$tmp/out" && grep -qx '5 passed, 0 failed, 0 skipped' "$tmp/out"; then
	ok "retries: inside make test, the parts leave the verdict to run.sh test"
else
	bad "retries: inside make test, the parts leave the verdict to run.sh test"; sed 's/^/#   /' "$tmp/out"
fi
VM_RETRIES_KEEP=1 retries_reset
that "retries: kept across the parts of make test" [ -s "$(retries_file)" ]
retries_reset
that "retries: a run of its own starts from none" [ ! -e "$(retries_file)" ]

# The demo's verdict.
demo() { # NAME LAST-LINE RC WANT
	local d=$tmp/demo
	mkdir -p "$d"
	printf '%s\n' "### kernel 6.12" "$2" >"$d/results.log"
	rm -f "$VMBUILD/tally"
	report_demo 6.12 "$d" "$3" >"$tmp/out"
	if grep -q "^$4 6.12: demo" "$tmp/out"; then ok "demo: $1"; else bad "demo: $1"; sed 's/^/#   /' "$tmp/out"; fi
}
demo "PASS as the last line passes" "demo: PASS" 0 ok
demo "FAIL fails" "demo: FAIL payload did not match" 0 "not ok"
demo "a guest that did not finish fails" "demo: PASS" 124 "not ok"
demo "no verdict line fails" "### after the receiver exited" 0 "not ok"

[ "$nfail" = 0 ]
