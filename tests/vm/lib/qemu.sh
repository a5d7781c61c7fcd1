# shellcheck shell=bash
# Booting a guest: QEMU under TCG (no KVM here), no network, the stock Debian
# kernel, our initramfs and an ext4 scratch disk. The console (ttyS0) goes to
# a log kept for diagnostics; results come back on a second serial port (ttyS1).
#
#   qemu_boot K KVER INITRD DIR test|shell
#       test (or demo, bench: their output is the result): waits at most
#             $VM_TIMEOUT s; returns 0, 124 if the guest hung,
#             125 if its test runner did not start within $VM_BOOT_TIMEOUT s,
#             1 if QEMU itself failed
#       shell: the console is the terminal (Ctrl-a x quits)
#   qemu_test_boots K KVER INITRD DIR
#       qemu_boot ... test, booting again (at most $VM_BOOT_TRIES boots in
#       all) while the guest died or hung before its test runner started;
#       each boot again is counted (retry_note, report.sh)

: "${VM_MEM:=3G}"
: "${VM_SMP:=2}"
: "${VM_TIMEOUT:=900}"         # whole guest, seconds
: "${VM_TEST_TIMEOUT:=240}"    # one test program, seconds
: "${VM_BOOT_TIMEOUT:=180}"    # until the test runner says hello, seconds
: "${VM_BOOT_TRIES:=2}"        # boots when the guest dies before the tests
: "${VM_BOOT_GRACE:=30}"       # after a kernel report before the tests, seconds
: "${VM_DISK_SIZE:=256M}"
: "${VM_HUGEPAGES_2M:=64}"     # 2 MiB pages reserved at boot
: "${VM_APPEND:=}"             # more kernel command line (demo, bench)
: "${VM_TESTS:=}"              # only these test programs (name globs)
: "${VM_EXPECT:=}"             # what the boot is for (uring_dmabuf_vm.expect)
: "${VM_QEMU_ARGS:=}"          # more QEMU arguments, as words (a lane's machine:
                               # q35 and an IOMMU, NUMA nodes)

qemu_cmdline() {
	local mode=$1
	# shellcheck disable=SC2086 # the additions are words of the command line
	# hugepagesz= applies to the hugepages= that follows it.
	echo "console=ttyS0,115200 panic=-1 log_buf_len=4M" \
		"hugepagesz=2M hugepages=$VM_HUGEPAGES_2M hugepagesz=1G hugepages=1" \
		"udmabuf.size_limit_mb=4096" \
		"rdinit=/init uring_dmabuf_vm.mode=$mode uring_dmabuf_vm.timeout=$VM_TEST_TIMEOUT" \
		${VM_TESTS:+"uring_dmabuf_vm.only=${VM_TESTS// /,}"} \
		${VM_EXPECT:+"uring_dmabuf_vm.expect=${VM_EXPECT// /,}"} \
		${PROFILE_APPEND:-} $VM_APPEND
}

qemu_disk() {
	local img=$1
	rm -f "$img"
	truncate -s "$VM_DISK_SIZE" "$img"
	mkfs.ext4 -q -F -L uring-dmabuf "$img" || die "mkfs.ext4 of the scratch disk failed"
}

qemu_boot() {
	local k=$1 kver=$2 initrd=$3 dir=$4 mode=$5 rc=0 pid
	local -a args
	qemu_disk "$dir/ext4.img"
	# -cpu max: the default CPU model lacks pdpe1gb, so 1 GiB pages would be refused.
	args=(-accel tcg -cpu max -smp "$VM_SMP" -m "$VM_MEM" -nodefaults -no-reboot
		-display none -nic none
		-kernel "$(kernel_dir "$kver")/vmlinuz" -initrd "$initrd"
		-append "$(qemu_cmdline "$mode")"
		-drive "file=$dir/ext4.img,if=virtio,format=raw")
	# shellcheck disable=SC2206 # the lane's arguments are words
	args+=($VM_QEMU_ARGS)
	rm -f "$dir/console.log" "$dir/results.log"
	if [ "$mode" = shell ]; then
		args+=(-serial mon:stdio -chardev "file,id=results,path=$dir/results.log" -serial chardev:results)
		qemu-system-x86_64 "${args[@]}"
		return
	fi
	args+=(-chardev "file,id=console,path=$dir/console.log" -serial chardev:console
		-chardev "file,id=results,path=$dir/results.log" -serial chardev:results)
	timeout -k 10 "$VM_TIMEOUT" qemu-system-x86_64 "${args[@]}" </dev/null >"$dir/qemu.log" 2>&1 &
	pid=$!
	if [ "$mode" = test ] && ! qemu_runner_started "$pid" "$dir/results.log" "$dir/console.log"; then
		kill "$pid" 2>/dev/null
		wait "$pid" || :
		return 125
	fi
	wait "$pid" || rc=$?
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		return 124
	elif [ "$rc" != 0 ]; then
		cat "$dir/qemu.log" >&2
		warn "$k: qemu-system-x86_64 failed (status $rc)"
		return 1
	fi
	return 0
}

# Whether the guest's test runner said hello ("@@ kernel") on the results
# port within $VM_BOOT_TIMEOUT s; a guest that exits earlier without it
# counts as not started too. A kernel that hangs in early boot (seen under
# TCG: a timer or interrupt going wrong before init) would otherwise hold
# the run for the whole $VM_TIMEOUT. A kernel report (BUG, panic, oops)
# before the runner started is such a boot too (seen: the debug kernel's
# KASAN report in an interrupt during identify_cpu, then a hang): given
# $VM_BOOT_GRACE s more to start anyway, it is not waited out.
qemu_runner_started() {
	local pid=$1 results=$2 console=${3:-} waited=0 grace=-1
	until grep -q '^@@ kernel' "$results" 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null || { grep -q '^@@ kernel' "$results" 2>/dev/null; return; }
		[ "$waited" -lt "$VM_BOOT_TIMEOUT" ] || return 1
		if [ "$grace" -lt 0 ] && [ -n "$console" ] &&
			grep -qE '\] (BUG: |Kernel panic|Oops: |general protection fault)' "$console" 2>/dev/null; then
			grace=$VM_BOOT_GRACE
		fi
		[ "$grace" != 0 ] || return 1
		[ "$grace" -lt 0 ] || grace=$((grace - 1))
		sleep 1
		waited=$((waited + 1))
	done
}

# How far a dead boot got: "before init" if the kernel never ran init (so
# none of our modules or programs), else "after init started".
boot_stage() {
	if grep -q 'Run /init as init process' "$1" 2>/dev/null; then
		echo "after init started"
	else
		echo "before init"
	fi
}

qemu_test_boots() {
	local k=$1 kver=$2 initrd=$3 dir=$4 boot=1 rc
	while :; do
		rc=0
		qemu_boot "$k" "$kver" "$initrd" "$dir" test || rc=$?
		[ "$rc" = 125 ] || return "$rc"
		cp -f "$dir/console.log" "$dir/console-boot-$boot.log" 2>/dev/null || :
		warn "$k: boot $boot of $VM_BOOT_TRIES: the guest died, hung (${VM_BOOT_TIMEOUT} s) or reported a kernel bug before its tests started (console: $dir/console-boot-$boot.log, last lines below)"
		tail -n 12 "$dir/console.log" 2>/dev/null | sed 's/^/#   /' >&2
		[ "$boot" -lt "$VM_BOOT_TRIES" ] || return 125
		retry_note "$k" "boot $boot died or hung before its tests started, $(boot_stage "$dir/console-boot-$boot.log") ($dir/console-boot-$boot.log)"
		boot=$((boot + 1))
	done
}
