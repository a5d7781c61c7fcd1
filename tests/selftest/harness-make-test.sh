#!/usr/bin/env bash
# Self-test of make test's closing tally (tests/vm/run.sh test), no VM: a
# fake make stands in for every part and notes retried boots as the real
# boots do. Boots retried add up over the parts (vmtest, swiotlb, numa, iommu, debug):
# of those that died once init ran one passes, two fail the run; of those
# whose kernel died before init (none of our code) three pass, four fail; a stale count of an earlier run does not
# count; the demo part is skipped, with its reason, when 6.12 is not among
# the kernels; a part that fails without a tally counts as one failure; the
# failed checks are named again just above the tally.
set -uo pipefail
# The harness's knobs of a surrounding run (make test exports some) must
# not leak into the crafted runs.
unset "${!VM_@}" URING_DMABUF_TEST_START

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nfail=0
ok() { echo "ok $*"; }
bad() { echo "not ok $*"; nfail=$((nfail + 1)); }

# The fake make: "make ... PART" prints a tally; FAKE_RETRY_PARTS names the
# parts whose boot was retried once, FAKE_BROKEN the part that fails bare,
# FAKE_FAILING the part with one failed check.
cat >"$tmp/make" <<'EOF'
#!/bin/sh
for part; do :; done
case " ${FAKE_RETRY_PARTS:-} " in
*" $part "*) mkdir -p "$BUILD/vm" && echo "6.12: boot 1 died ($part), after init started" >>"$BUILD/vm/boot-retries" ;;
esac
case " ${FAKE_RETRY_ALONE_PARTS:-} " in
*" $part "*) mkdir -p "$BUILD/vm" && echo "7.3: boot 1 died ($part), before init" >>"$BUILD/vm/boot-retries" ;;
esac
[ "$part" != "${FAKE_BROKEN:-}" ] || exit 2
if [ "$part" = "${FAKE_FAILING:-}" ]; then
	echo "not ok 7.3: 95-x: the check that failed"
	echo "2 passed, 1 failed"
	exit 1
fi
echo "3 passed, 0 failed"
EOF
chmod +x "$tmp/make"

# run NAME WANT-STATUS PATTERN... : run.sh test's output has every PATTERN
run() {
	local name=$1 want=$2 rc=0 p miss=
	shift 2
	BUILD=$tmp/build MAKE=$tmp/make KERNELS="6.1 7.3" "$TOP/tests/vm/run.sh" test >"$tmp/out" 2>&1 || rc=$?
	for p; do grep -qE -- "$p" "$tmp/out" || miss="$miss /$p/"; done
	if [ "$rc" = "$want" ] && [ -z "$miss" ]; then
		ok "$name"
	else
		bad "$name (status $rc, wanted $want; missing$miss)"
		sed 's/^/#   /' "$tmp/out"
	fi
}

mkdir -p "$tmp/build/vm"
printf '%s\n' "6.12: stale" "7.3: stale" >"$tmp/build/vm/boot-retries"
run "no boot retried passes; a stale count of an earlier run is dropped" 0 \
	'^0 boots retried$' '^27 passed, 0 failed, 1 skipped$'
run "the demo part is skipped, saying why, without 6.12" 0 \
	'^  demo: runs on 6\.12, which is not in KERNELS \(6\.1 7\.3\)$'
FAKE_RETRY_PARTS="vmtest" run "one boot retried passes and is reported" 0 \
	'^1 boots retried$' '^27 passed, 0 failed, 1 skipped$'
FAKE_RETRY_PARTS="vmtest vmtest-debug-budget" run "two boots retried over two parts fail the run" 1 \
	'^2 boots retried$' '^not ok boots: at most one retried boot' '^27 passed, 1 failed, 1 skipped$'
FAKE_RETRY_ALONE_PARTS="vmtest vmtest-swiotlb vmtest-iommu" FAKE_RETRY_PARTS="vmtest-numa" \
	run "three boots dead before init and one after pass, listed" 0 \
	'^4 boots retried$' '^#   7\.3: boot 1 died \(vmtest-iommu\), before init$' '^27 passed, 0 failed, 1 skipped$'
FAKE_RETRY_ALONE_PARTS="vmtest vmtest-swiotlb vmtest-numa vmtest-iommu" \
	run "four boots dead before init fail the run" 1 \
	'^4 boots retried$' '^not ok boots: at most 3 boots per run dead before init' '^27 passed, 1 failed, 1 skipped$'
FAKE_BROKEN=vmtest run "a part failing without a tally counts as one failure" 1 \
	'^not ok make vmtest failed' '^24 passed, 1 failed, 1 skipped$'
FAKE_FAILING=vmtest-iommu run "a failed check is named again above the tally" 1 \
	'^failed:$' '^  vmtest-iommu: 7\.3: 95-x: the check that failed$' '^26 passed, 1 failed, 1 skipped$'
FAKE_BROKEN=vmtest run "a part failing bare is named above the tally" 1 \
	'^  vmtest: make vmtest failed'
run "a passing run" 0 '^27 passed'
if grep -q '^failed:' "$tmp/out"; then bad "a passing run printed a failed list"; else ok "a passing run has no failed list"; fi

[ "$nfail" = 0 ]
