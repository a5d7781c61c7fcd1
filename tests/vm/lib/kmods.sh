# shellcheck shell=bash
# Test-only kernel modules: every tests/kmod/*/ with a Kbuild file, built per
# kernel against its headers (on the host or in the chroot) from a copy of the
# directory. They only ever go into the guest's modules tree, never through DKMS.
#
#   kmods_list               names of the test-only module directories
#   kmods_build K KVER ENV OUT   leaves every built .ko in OUT/

kmods_list() {
	local d
	for d in "$TOP"/tests/kmod/*/; do
		[ -f "$d/Kbuild" ] && basename "$d"
	done
	return 0
}

kmods_build() {
	with_env_lock "$3" _kmods_build "$@"
}

_kmods_build() {
	local k=$1 kver=$2 env=$3 out=$4 name root work inner n=0
	root=$(build_env_root "$env")
	mkdir -p "$out"
	rm -f "$out"/*.ko
	for name in $(kmods_list); do
		# The copy lives where the compiler can see it: in the build tree on
		# the host, under /var/tmp inside a chroot.
		if [ "$env" = host ]; then
			work=$VMBUILD/$k/kmod-src/$name inner=$work
		else
			inner=/var/tmp/uring-dmabuf-kmod/$kver/$name work=${root%/}$inner
		fi
		rm -rf "$work"
		mkdir -p "$work"
		cp -a "$TOP/tests/kmod/$name/." "$work/"
		build_env_run "$env" "make -C /lib/modules/$kver/build M=$inner modules" \
			>"$out/$name.log" 2>&1 ||
			{ cat "$out/$name.log" >&2; die "$k: test module $name failed to build for $kver"; }
		find "$work" -maxdepth 1 -name '*.ko' -exec cp {} "$out/" \;
		n=$((n + 1))
	done
	log "$k: built $n test module(s): $(kmods_list | tr '\n' ' ')"
}
