#!/usr/bin/env bash
# make vmtest-debug: the whole VM suite on the debug kernel (KASAN, lockdep,
# kmemleak, DMA-API debug, fault injection), the fuzzer's long run included.
#
# Reuses the harness (tests/vm/lib) as is: the debug kernel's directory has
# the layout of a fetched kernel, so only kernel_dir and the kernel command
# line are redefined here. The module and the test modules are built with
# make -C KDIR M=..., not DKMS. The guest gets the harness's initramfs plus
# an overlay archive whose run-tests wraps the stock one with the checkers'
# verdicts (guest/run-tests); the host then also scans the console log.
#
# Environment: BUILD, URING_DMABUF_CACHE, FUZZ_CALLS (default 100000),
# FUZZ_SECONDS (its time limit, default 570), FUZZ_SEED, STRESS_SECONDS
# (default 600), VM_TIMEOUT, VM_TEST_TIMEOUT, VM_BOOT_TIMEOUT, VM_BOOT_TRIES.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)

# Everything runs slower under KASAN and lockdep. Set before the harness's
# libraries, which default the timeouts for the stock kernels.
: "${FUZZ_CALLS:=100000}" "${FUZZ_SECONDS:=570}" "${STRESS_SECONDS:=600}"
: "${VM_TEST_TIMEOUT:=$((FUZZ_SECONDS > STRESS_SECONDS ? FUZZ_SECONDS + 330 : STRESS_SECONDS + 300))}"
: "${VM_TIMEOUT:=$((3 * VM_TEST_TIMEOUT + 1200))}"
# KASAN's boot takes about 45 s on an idle machine. Three boots: one in six
# dies early under TCG (a KASAN report in an interrupt during CPU bring-up,
# before any of our code; see README) and hangs.
: "${VM_BOOT_TIMEOUT:=300}" "${VM_BOOT_TRIES:=3}"
export VM_TEST_TIMEOUT VM_TIMEOUT VM_BOOT_TIMEOUT VM_BOOT_TRIES

for f in common kernels initramfs qemu report kmods; do
	# shellcheck source=/dev/null
	source "$TOP/tests/vm/lib/$f.sh"
done

K=debug
OUT=$VMBUILD/$K

log "== $K: debug kernel (built once, then cached)"
t0=$(date +%s)
DEBUG_DIR=$(nice -n 10 "$HERE/build-kernel.sh")
DEBUG_KVER=$(cat "$DEBUG_DIR/kver")
KDIR=$DEBUG_DIR/src
log "$K: kernel $DEBUG_KVER ready after $(($(date +%s) - t0)) s ($DEBUG_DIR)"

# The harness looks kernels up by KVER under the cache; ours lives apart.
eval "stock_$(declare -f kernel_dir)"
kernel_dir() {
	if [ "$1" = "$DEBUG_KVER" ]; then echo "$DEBUG_DIR"; else stock_kernel_dir "$1"; fi
}

# Unknown name=value parameters become init's environment, and so the
# test programs': that is how the long runs are asked for.
eval "stock_$(declare -f qemu_cmdline)"
qemu_cmdline() {
	echo "$(stock_qemu_cmdline "$@") kasan_multi_shot" \
		"URING_DMABUF_FUZZ_CALLS=$FUZZ_CALLS URING_DMABUF_FUZZ_SECONDS=$FUZZ_SECONDS" \
		"${FUZZ_SEED:+URING_DMABUF_FUZZ_SEED=$FUZZ_SEED}" \
		"URING_DMABUF_STRESS_SECONDS=$STRESS_SECONDS"
}

build_modules() {
	local name work log
	rm -rf "$OUT/ko" "$OUT/kbuild"
	mkdir -p "$OUT/ko/dkms" "$OUT/ko/kmod" "$OUT/kbuild"
	log "$K: building uring_dmabuf against $KDIR"
	make -s -C "$TOP" module KDIR="$KDIR" BUILD="$OUT/kbuild" >"$OUT/kbuild/module.log" 2>&1 ||
		{ cat "$OUT/kbuild/module.log" >&2; die "$K: uring_dmabuf failed to build"; }
	cp "$OUT/kbuild/module/$DEBUG_KVER/module/uring_dmabuf.ko" "$OUT/ko/dkms/"
	for name in $(kmods_list); do
		work=$OUT/kbuild/kmod/$name log=$OUT/ko/kmod/$name.log
		mkdir -p "$work"
		cp -a "$TOP/tests/kmod/$name/." "$work/"
		make -C "$KDIR" M="$work" modules >"$log" 2>&1 ||
			{ cat "$log" >&2; die "$K: test module $name failed to build"; }
		find "$work" -maxdepth 1 -name '*.ko' -exec cp {} "$OUT/ko/kmod/" \;
	done
	log "$K: built uring_dmabuf and test module(s): $(kmods_list | tr '\n' ' ')"
}

# The overlay: a later archive in the initrd replaces files of an earlier one.
overlay_initramfs() {
	local img=$1 stage=$OUT/overlay
	rm -rf "$stage"
	mkdir -p "$stage/bin"
	install -m 0755 "$TOP/tests/vm/guest/run-tests" "$stage/bin/run-tests-stock"
	install -m 0755 "$HERE/guest/run-tests" "$stage/bin/run-tests"
	(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -6) >>"$img"
}

# The report blocks the checkers printed on the console, whatever the guest
# managed to say on the results port: each kind once (KASAN's multi-shot
# repeats a report thousands of times), with how often it came. DMA-API
# debug errors come as WARNINGs.
console_reports() {
	local con=$1
	[ -f "$con" ] || return 0
	tr -d '\r' <"$con" | sed 's/^\[ *[0-9.]*\] //' | awk '
		/BUG: |WARNING:|Oops|unreferenced object|possible (recursive|circular) locking|inconsistent lock state|suspicious RCU usage|general protection fault/ {
			key = $0; gsub(/0x[0-9a-f]+|[0-9]+/, "N", key)
			if (!(key in seen)) { order[++n] = key; n_lines = 60 } else { n_lines = 0 }
			seen[key]++
		}
		n_lines > 0 { print; n_lines-- }
		END {
			for (i = 1; i <= n; i++) printf("%d time(s): %s\n", seen[order[i]], order[i])
			exit n ? 0 : 1
		}'
}

[ "$(id -u)" = 0 ] || die "vmtest-debug builds in the cache and boots QEMU: run it as root"
mkdir -p "$VMBUILD" "$OUT"
exec 8>"$VMBUILD/.lock"
flock -n 8 || { log "another vmtest is using $VMBUILD; waiting"; flock 8; }
rm -f "$VMBUILD/tally" "$VMBUILD/skips"

build_modules
initramfs_build "$K" "$DEBUG_KVER" "$OUT/ko" "$OUT/initramfs.img"
overlay_initramfs "$OUT/initramfs.img"
t1=$(date +%s)
log "== $K: boot $DEBUG_KVER (fuzz $FUZZ_CALLS calls, stress $STRESS_SECONDS s)"
rc=0
qemu_test_boots "$K" "$DEBUG_KVER" "$OUT/initramfs.img" "$OUT" || rc=$?
if [ "$rc" = 125 ]; then
	report_fail "$K" "the guest did not start its tests in $VM_BOOT_TRIES boots of $DEBUG_KVER"
	report_summary
	exit 1
fi
[ "$rc" = 0 ] || [ "$rc" = 124 ] || die "$K: could not boot $DEBUG_KVER"
log "== $K: guest ran $(($(date +%s) - t1)) s"
report_kernel "$K" "$OUT" "$([ "$rc" = 124 ] && echo 1 || echo 0)" | tee "$OUT/report.txt"
if console_reports "$OUT/console.log" >"$OUT/console-reports.txt"; then
	echo "not ok $K: the console shows kernel reports (all of them below, also in $OUT/console-reports.txt)"
	sed 's/^/#   /' "$OUT/console-reports.txt"
	echo "0 1 0" >>"$VMBUILD/tally"
else
	echo "ok $K: no KASAN, lockdep, kmemleak, DMA-API, WARN or BUG report on the console"
	echo "1 0 0" >>"$VMBUILD/tally"
fi
if grep -qE '^not ok .*(guest|did not finish|crashed|timed out)' "$OUT/report.txt"; then
	echo "# $K: console log: $OUT/console.log (last lines below)"
	tail -n 15 "$OUT/console.log" | sed 's/^/#   /'
fi
report_summary
