# shellcheck shell=bash
# The modules for a kernel built from source (a profile's, e.g. the debug
# kernel): uring_dmabuf with the top-level Makefile's module target, the
# test-only modules with make -C KDIR M=..., no DKMS (the tree is no package).
#
#   kdir_build K KVER KDIR OUT   leaves uring_dmabuf.ko in OUT/dkms/ (where
#                                initramfs_build looks for ours) and the test
#                                modules in OUT/kmod/

kdir_build() {
	local k=$1 kver=$2 kdir=$3 out=$4 kb=$VMBUILD/$1/kbuild name work log
	rm -rf "$out/dkms" "$out/kmod" "$kb"
	mkdir -p "$out/dkms" "$out/kmod" "$kb"
	log "$k: building uring_dmabuf against $kdir"
	make -s -C "$TOP" module KDIR="$kdir" BUILD="$kb" >"$kb/module.log" 2>&1 ||
		{ cat "$kb/module.log" >&2; die "$k: uring_dmabuf failed to build against $kdir"; }
	cp "$kb/module/$kver/module/uring_dmabuf.ko" "$out/dkms/" ||
		die "$k: no uring_dmabuf.ko for $kver in $kb/module"
	for name in $(kmods_list); do
		work=$kb/kmod/$name log=$out/kmod/$name.log
		mkdir -p "$work"
		cp -a "$TOP/tests/kmod/$name/." "$work/"
		make -C "$kdir" M="$work" modules >"$log" 2>&1 ||
			{ cat "$log" >&2; die "$k: test module $name failed to build"; }
		find "$work" -maxdepth 1 -name '*.ko' -exec cp {} "$out/kmod/" \;
	done
	log "$k: built uring_dmabuf and the test module(s): $(kmods_list | tr '\n' ' ')"
}
