# shellcheck shell=bash
# The guest: a small initramfs with busybox-static, the test programs, the
# guest scripts, and a modules tree holding only the dependency closure of the
# modules the tests need, decompressed so that busybox modprobe can load them.
# Where the module came from the Debian packages (KO_DIR/packaged, see
# packages.sh), their CLI with its shared libraries, udev rule and group
# replace the tree's.
#
#   initramfs_build K KVER KO_DIR OUT [OVERLAY]   writes OUT (cpio, zstd or
#       gzip); OVERLAY, a directory tree (a kernel profile's), is copied over
#       the guest's files last; then each directory of $INITRAMFS_EXTRA
#       (run.sh bench-profile: perf and its guest script, in that boot only)

# In-tree modules the guest needs besides ours (missing ones are only warned
# about, except those the harness itself needs: see GUEST_MODULES_REQUIRED).
# vivid (V4L2 test driver, a dma-buf importer that vmaps: 25-readonly-importers)
# brings videodev, videobuf2-{common,v4l2,memops,vmalloc,dma-contig}, v4l2-tpg,
# v4l2-dv-timings, mc, cec and rc-core through its dependency closure.
# tcp_diag (with inet_diag): tcp_info of another process's socket (95-ncdevmem-tx).
GUEST_MODULES="vgem loop ext4 virtio_pci virtio_blk veth vivid crc32c_generic crc32c_intel crc32c_cryptoapi tcp_diag"
GUEST_MODULES_REQUIRED="ext4 virtio_blk"

# Copy one module file into the guest tree at the same relative path, decompressed.
_initramfs_copy_ko() {
	local src=$1 dst=$2
	mkdir -p "$(dirname "$dst")"
	case $src in
	*.ko.xz)  xz -dc "$src" >"${dst%.xz}" ;;
	*.ko.zst) zstd -q -dc "$src" >"${dst%.zst}" ;;
	*.ko.gz)  gzip -dc "$src" >"${dst%.gz}" ;;
	*.ko)     cp "$src" "$dst" ;;
	*) die "unknown module file $src" ;;
	esac
}

# Print the module files (absolute, in the full tree) that NAME needs, itself
# included; nothing for built-in modules.
_initramfs_closure() {
	local full=$1 kver=$2 name=$3
	{ modprobe -d "$full" -S "$kver" --show-depends "$name" 2>/dev/null || :; } |
		awk '$1 == "insmod" { print $2 }'
}

initramfs_build() {
	local k=$1 kver=$2 ko_dir=$3 out=$4 overlay=${5:-}
	local full stage mods ko name dep files f rel progs n packaged rule sysusers
	full=$(kernel_dir "$kver")/root
	[ -d "$full/lib/modules/$kver" ] || die "$k: kernel $kver not fetched; run 'make deps' first"
	stage=$VMBUILD/$k/initramfs
	mods=$stage/lib/modules/$kver
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,run,mnt/ext4,tests} "$mods"

	# busybox-static and one symlink per applet
	cp /bin/busybox "$stage/bin/busybox"
	busybox --list-full | while read -r f; do
		[ "$f" = bin/busybox ] || ln -sf /bin/busybox "$stage/$f"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$stage/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"
	# What make install (or the packages) sets up, for 15-device-access (no
	# udev in the guest): the udev rule where it is installed, and the groups
	# of sysusers.d, given system gids from 999 down as systemd-sysusers does.
	if [ -d "$ko_dir/packaged" ]; then
		packaged=$ko_dir/packaged
		rule=$packaged/usr/lib/udev/rules.d/70-uring-dmabuf.rules
		sysusers=$packaged/usr/lib/sysusers.d/uring-dmabuf.conf
	else
		packaged=
		rule=$TOP/packaging/udev/70-uring-dmabuf.rules
		sysusers=$TOP/packaging/sysusers/uring-dmabuf.conf
	fi
	install -D -m 0644 "$rule" "$stage/usr/lib/udev/rules.d/70-uring-dmabuf.rules"
	awk -v gid=999 '$1 == "g" { printf "%s:x:%d:\n", $2, $3 ~ /^[0-9]+$/ ? $3 : gid-- }' \
		"$sysusers" >>"$stage/etc/group"
	install -m 0755 "$VMDIR/guest/init" "$stage/init"
	install -m 0755 "$VMDIR/guest/run-tests" "$stage/bin/run-tests"

	# test programs: every executable file of the progs directory
	progs=$VMBUILD/progs n=0
	if [ -d "$progs" ]; then
		for f in "$progs"/*; do
			[ -f "$f" ] && [ -x "$f" ] || continue
			cp "$f" "$stage/tests/"
			n=$((n + 1))
		done
	fi
	[ "$n" -gt 0 ] || warn "$k: no test programs in $progs ('make progs' builds them)"

	# the CLI (on PATH, as a user has it: the packaged one with its shared
	# libraries, else the tree's static build), the benchmark and the demo
	if [ -n "$packaged" ]; then
		cp -a "$packaged/." "$stage/"
	elif [ -x "$BUILD/tools/uring-dmabuf" ]; then
		cp "$BUILD/tools/uring-dmabuf" "$stage/usr/bin/"
	else
		warn "$k: no $BUILD/tools/uring-dmabuf ('make tools' builds it)"
	fi
	[ -x "$BUILD/bench/bench" ] && cp "$BUILD/bench/bench" "$stage/usr/bin/uring-dmabuf-bench"
	[ -x "$BUILD/bench/bench-tx" ] && cp "$BUILD/bench/bench-tx" "$stage/usr/bin/uring-dmabuf-bench-tx"
	install -m 0755 "$VMDIR/guest/demo" "$stage/bin/demo"
	install -m 0755 "$VMDIR/guest/bench-recv" "$stage/bin/bench-recv"
	install -m 0755 "$VMDIR/guest/bench-tx" "$stage/bin/bench-tx"

	# ours (from DKMS, and the test-only ones) first, then their in-tree needs
	files=
	for ko in "$ko_dir"/dkms/*.ko* "$ko_dir"/kmod/*.ko; do
		[ -f "$ko" ] || continue
		case $ko in
		*/dkms/*) f=$mods/updates/dkms/$(basename "$ko") ;;
		*)        f=$mods/extra/$(basename "$ko") ;;
		esac
		_initramfs_copy_ko "$ko" "$f"
		f=${f%.xz}; f=${f%.zst}; f=${f%.gz}
		# which file the packages' DKMS built, for 05-packaged.sh
		case $f in */dkms/*)
			[ -z "$packaged" ] ||
				echo "PKG_KO_SHA256=$(sha256sum "$f" | cut -d' ' -f1)" >>"$stage/etc/uring-dmabuf-test/packaged" ;;
		esac
		for dep in $(modinfo -F depends "$f" | tr ',' ' '); do
			files="$files $(_initramfs_closure "$full" "$kver" "$dep")"
		done
	done
	for name in $GUEST_MODULES; do
		dep=$(_initramfs_closure "$full" "$kver" "$name")
		if [ -z "$dep" ] && ! modprobe -d "$full" -S "$kver" --show-depends "$name" >/dev/null 2>&1; then
			case " $GUEST_MODULES_REQUIRED " in
			*" $name "*) die "$k: kernel $kver has no module $name" ;;
			esac
		fi
		files="$files $dep"
	done
	for f in $(printf '%s\n' $files | sort -u); do
		rel=${f#"$full"/lib/modules/"$kver"/}
		_initramfs_copy_ko "$f" "$mods/$rel"
	done
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		[ -f "$full/lib/modules/$kver/$f" ] && cp "$full/lib/modules/$kver/$f" "$mods/"
	done
	depmod -b "$stage" "$kver" || die "$k: depmod of the guest modules tree failed"
	if [ -n "$overlay" ]; then
		cp -a "$overlay/." "$stage/" || die "$k: copying the overlay $overlay failed"
	fi
	for f in ${INITRAMFS_EXTRA:-}; do
		cp -a "$f/." "$stage/" || die "$k: copying $f (INITRAMFS_EXTRA) failed"
	done

	# zstd where the kernel can unpack it, else gzip
	if grep -q '^CONFIG_RD_ZSTD=y' "$(kernel_dir "$kver")/config"; then
		(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | zstd -q -T0 -10 >"$out.tmp")
	else
		(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -6 >"$out.tmp")
	fi
	mv -f "$out.tmp" "$out"
	log "$k: initramfs $(du -h "$out" | cut -f1) with $n test program(s), $(find "$mods" -name '*.ko' | wc -l) modules"
}
