# shellcheck shell=bash
# Booting a guest: QEMU under TCG (no KVM here), no network, the stock Debian
# kernel, our initramfs and an ext4 scratch disk. The console (ttyS0) goes to
# a log kept for diagnostics; results come back on a second serial port (ttyS1).
#
#   qemu_boot K KVER INITRD DIR test|shell
#       test: waits at most $VM_TIMEOUT s; returns 0, 124 if the guest hung,
#             1 if QEMU itself failed
#       shell: the console is the terminal (Ctrl-a x quits)

: "${VM_MEM:=3G}"
: "${VM_SMP:=2}"
: "${VM_TIMEOUT:=900}"         # whole guest, seconds
: "${VM_TEST_TIMEOUT:=240}"    # one test program, seconds
: "${VM_DISK_SIZE:=256M}"
: "${VM_HUGEPAGES_2M:=64}"     # 2 MiB pages reserved at boot
: "${VM_APPEND:=}"             # more kernel command line (demo, bench)
: "${VM_TESTS:=}"              # only these test programs (name globs)

qemu_cmdline() {
	local mode=$1
	# hugepagesz= applies to the hugepages= that follows it.
	echo "console=ttyS0,115200 panic=-1 log_buf_len=4M" \
		"hugepagesz=2M hugepages=$VM_HUGEPAGES_2M hugepagesz=1G hugepages=1" \
		"udmabuf.size_limit_mb=4096" \
		"rdinit=/init uring_dmabuf_vm.mode=$mode uring_dmabuf_vm.timeout=$VM_TEST_TIMEOUT" \
		${VM_TESTS:+"uring_dmabuf_vm.only=${VM_TESTS// /,}"} \
		$VM_APPEND
}

qemu_disk() {
	local img=$1
	rm -f "$img"
	truncate -s "$VM_DISK_SIZE" "$img"
	mkfs.ext4 -q -F -L uring-dmabuf "$img" || die "mkfs.ext4 of the scratch disk failed"
}

qemu_boot() {
	local k=$1 kver=$2 initrd=$3 dir=$4 mode=$5 rc=0
	local -a args
	qemu_disk "$dir/ext4.img"
	# -cpu max: the default CPU model lacks pdpe1gb, so 1 GiB pages would be refused.
	args=(-accel tcg -cpu max -smp "$VM_SMP" -m "$VM_MEM" -nodefaults -no-reboot
		-display none -nic none
		-kernel "$(kernel_dir "$kver")/vmlinuz" -initrd "$initrd"
		-append "$(qemu_cmdline "$mode")"
		-drive "file=$dir/ext4.img,if=virtio,format=raw")
	rm -f "$dir/console.log" "$dir/results.log"
	if [ "$mode" = shell ]; then
		args+=(-serial mon:stdio -chardev "file,id=results,path=$dir/results.log" -serial chardev:results)
		qemu-system-x86_64 "${args[@]}"
		return
	fi
	args+=(-chardev "file,id=console,path=$dir/console.log" -serial chardev:console
		-chardev "file,id=results,path=$dir/results.log" -serial chardev:results)
	timeout -k 10 "$VM_TIMEOUT" qemu-system-x86_64 "${args[@]}" </dev/null >"$dir/qemu.log" 2>&1 || rc=$?
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		return 124
	elif [ "$rc" != 0 ]; then
		cat "$dir/qemu.log" >&2
		warn "$k: qemu-system-x86_64 failed (status $rc)"
		return 1
	fi
	return 0
}
