#!/usr/bin/env bash
# Self-test of the harness's wait for a guest's test runner
# (qemu_runner_started, tests/vm/lib/qemu.sh), no VM: a stand-in for QEMU
# (a sleeping process) and crafted results and console logs. A runner that
# said hello is started; a guest that never says it is not, after
# VM_BOOT_TIMEOUT; a kernel report on the console before the runner (BUG,
# panic, oops) is not waited out but given VM_BOOT_GRACE; a report after
# the runner started changes nothing here (the console scan judges it).
# boot_stage tells a kernel that died before running init from a later death.
set -uo pipefail
unset "${!VM_@}" URING_DMABUF_TEST_START

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d)
guest=
trap '[ -z "$guest" ] || kill "$guest" 2>/dev/null; rm -rf "$tmp"' EXIT
export BUILD=$tmp/build VM_BOOT_TIMEOUT=5 VM_BOOT_GRACE=1
for f in common qemu; do
	# shellcheck source=/dev/null
	source "$TOP/tests/vm/lib/$f.sh"
done

nfail=0
# case NAME WANT RESULTS CONSOLE MAX_S: qemu_runner_started's status is WANT
# (0 started, 1 not) within MAX_S seconds, for a guest that lives on.
case_() {
	local name=$1 want=$2 results=$3 console=$4 max=$5 rc=0 t0 took
	printf '%b' "$results" >"$tmp/results.log"
	printf '%b' "$console" >"$tmp/console.log"
	sleep 60 &
	guest=$!
	t0=$SECONDS
	qemu_runner_started "$guest" "$tmp/results.log" "$tmp/console.log" || rc=$?
	took=$((SECONDS - t0))
	kill "$guest" 2>/dev/null
	wait "$guest" 2>/dev/null
	guest=
	if [ "$rc" = "$want" ] && [ "$took" -le "$max" ]; then
		echo "ok $name"
	else
		echo "not ok $name"
		echo "#   status $rc (wanted $want) after $took s (at most $max)"
		nfail=$((nfail + 1))
	fi
}

boot='[    0.000000] Linux version 6.12.118\n[    2.079731] Calibrating delay loop\n'
kasan='[    2.081126] BUG: KASAN: wild-memory-access in do_raw_spin_lock+0x11d/0x270\n'
case_ "a runner that said hello has started" 0 '@@ kernel 6.12\n' "$boot" 1
case_ "a guest that never says hello has not started, after VM_BOOT_TIMEOUT" 1 '' "$boot" 7
case_ "a KASAN report before the runner: not started, after VM_BOOT_GRACE only" 1 '' "$boot$kasan" 3
case_ "a panic before the runner: not started, after VM_BOOT_GRACE only" 1 '' \
	"${boot}[    1.5] Kernel panic - not syncing: VFS: Unable to mount root fs\n" 3
case_ "a report once the runner said hello: started (the console scan judges it)" 0 \
	'@@ kernel 6.12\n' "$boot$kasan" 1
case_ "a word like BUG in a message is no report" 1 '' \
	"${boot}[    2.1] usb 1-1: DEBUG: BUG_ON-free path\n" 7

# stage NAME WANT CONSOLE: how far a dead boot got, for the retries' verdict.
stage() {
	printf '%b' "$3" >"$tmp/dead.log"
	if [ "$(boot_stage "$tmp/dead.log")" = "$2" ]; then
		echo "ok $1"
	else
		echo "not ok $1 (said: $(boot_stage "$tmp/dead.log"))"
		nfail=$((nfail + 1))
	fi
}
stage "a kernel dead in early boot died before init" "before init" \
	"${boot}[    2.55] Oops: int3: 0000 [#1] SMP NOPTI\n"
stage "a kernel dead once it ran init died after init started" "after init started" \
	"${boot}[    6.87] Run /init as init process\n$kasan"

[ "$nfail" = 0 ]
