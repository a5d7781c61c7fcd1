# shellcheck shell=bash
# DKMS for real, on the host (6.x) or in the kernel's build chroot (7.x),
# two ways: where packages_env says so, apt-get install of the Debian
# packages, whose postinst runs DKMS (packages.sh); elsewhere the tree's
# own path, make dkms-install, then dkms add/build/install for one kernel.
# The module the guest loads is the one DKMS installed under
# /lib/modules/KVER/updates/dkms/.
#
#   dkms_build_install K KVER ENV OUT [PKGROOT]   leaves uring_dmabuf.ko* in
#       OUT/; from the packages, also what the guest takes from them
#       (packages_stage) as a tree in PKGROOT

DKMS_NAME=uring-dmabuf
DKMS_KO=uring_dmabuf

# Run a shell command where the kernel is built: the host or a chroot.
build_env_run() {
	local env=$1; shift
	if [ "$env" = host ]; then
		env DEBIAN_FRONTEND=noninteractive /bin/sh -c "$1"
	else
		chroot_run "$env" "$1"
	fi
}

build_env_root() {
	if [ "$1" = host ]; then echo /; else chroot_dir "$1"; fi
}

dkms_build_install() {
	with_env_lock "$3" _dkms_build_install "$@"
}

_dkms_build_install() {
	local k=$1 kver=$2 env=$3 out=$4 pkgroot=${5:-} root log ko how
	root=$(build_env_root "$env")
	log=$out/dkms.log
	mkdir -p "$out"
	: >"$log"
	if packages_env "$env"; then
		packages_install "$k" "$kver" "$env" "$log"
		[ -z "$pkgroot" ] || packages_stage "$k" "$kver" "$env" "$pkgroot"
		how="the packages' DKMS"
	else
		packages_purge "$env" "$log"
		_dkms_from_tree "$k" "$kver" "$env" "$log" "$out"
		how="dkms (make dkms-install)"
	fi
	ko=$(find "$root/lib/modules/$kver/updates/dkms" -maxdepth 1 -name "$DKMS_KO.ko*" -print -quit 2>/dev/null)
	[ -n "$ko" ] || die "$k: dkms install left no $DKMS_KO.ko in /lib/modules/$kver/updates/dkms"
	rm -f "$out/$DKMS_KO".ko*
	cp "$ko" "$out/"
	log "$k: $how installed $(basename "$ko") for $kver"
}

_dkms_from_tree() {
	local k=$1 kver=$2 env=$3 log=$4 out=$5 ver root
	ver=$(cat "$TOP/VERSION")
	root=$(build_env_root "$env")
	# A previous registration of this version would build the old copy of the
	# sources: drop it (for every kernel) so the working tree is what gets built.
	build_env_run "$env" "
		if dkms status -m $DKMS_NAME -v $ver 2>/dev/null | grep -q .; then
			dkms remove $DKMS_NAME/$ver --all
		fi" >>"$log" 2>&1 || { cat "$log" >&2; die "$k: dkms remove $DKMS_NAME/$ver failed"; }
	make -s -C "$TOP" dkms-install DESTDIR="${root%/}" >>"$log" 2>&1 ||
		{ cat "$log" >&2; die "$k: make dkms-install DESTDIR=$root failed"; }
	if ! build_env_run "$env" "
		set -e
		dkms add $DKMS_NAME/$ver
		dkms build $DKMS_NAME/$ver -k $kver
		dkms install $DKMS_NAME/$ver -k $kver --force" >>"$log" 2>&1; then
		cat "$log" >&2
		for f in "$root/var/lib/dkms/$DKMS_NAME/$ver/build/make.log" \
			 "$root/var/lib/dkms/$DKMS_NAME/$ver/$kver/x86_64/log/make.log"; do
			[ -f "$f" ] || continue
			cp "$f" "$out/make.log"
			echo "--- make.log" >&2
			cat "$f" >&2
		done
		die "$k: dkms could not build/install $DKMS_NAME $ver for $kver (logs: $log, $out/make.log)"
	fi
}
