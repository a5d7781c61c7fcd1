# shellcheck shell=bash
# Build chroots of newer Debian suites (their kbuild binaries need their own
# glibc and gcc), created with debootstrap in the cache and kept there.
#
#   chroot_dir NAME             path of chroot NAME (sid | trixie)
#   chroot_ensure NAME KVER     create/refresh it so that headers for KVER are in
#   chroot_run NAME CMD         run a shell command inside, with a private /proc
#
# Every mount (/proc, /dev) is made inside a private mount namespace of the
# command it serves (unshare -m), so no mount ever outlives a build and none
# is ever left inside the cache directory.

# Packages of a build chroot; changing this list rebuilds the chroots.
CHROOT_PACKAGES="gcc make dkms kmod libelf-dev dwarves openssl xz-utils zstd bc findutils"
CHROOT_RECIPE=1

chroot_dir() { echo "$CACHE/chroot/$1"; }

_chroot_suite() {
	case $1 in
	sid)    CH_SUITE=sid CH_RELEASE=sid CH_EXTRA= ;;
	trixie) CH_SUITE=trixie CH_RELEASE=trixie-backports CH_EXTRA=trixie-backports ;;
	*) die "unknown chroot '$1'" ;;
	esac
}

chroot_run() {
	local name=$1 dir; shift
	dir=$(chroot_dir "$name")
	[ -x "$dir/bin/sh" ] || die "chroot $name does not exist; run 'make deps' first"
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb \
		DEBIAN_FRONTEND=noninteractive \
		unshare -m --propagation private -- chroot "$dir" /bin/sh -c \
		'mount -t proc proc /proc || exit 1; mount -t devtmpfs devtmpfs /dev 2>/dev/null || :; '"$1"
}

_chroot_configure() {
	local name=$1 dir uri
	dir=$(chroot_dir "$name")
	uri=$(mirror_uri main)
	_chroot_suite "$name"
	{
		echo "deb $uri $CH_SUITE main"
		[ -z "$CH_EXTRA" ] || echo "deb $uri $CH_EXTRA main"
	} >"$dir/etc/apt/sources.list"
	cat >"$dir/etc/apt/apt.conf.d/99uring-dmabuf" <<-'CONF'
	// The archive can lag behind its Release files' Valid-Until.
	Acquire::Check-Valid-Until "false";
	Acquire::Languages "none";
	APT::Install-Recommends "false";
	APT::Install-Suggests "false";
	CONF
	cat >"$dir/etc/dpkg/dpkg.cfg.d/99uring-dmabuf" <<-'CONF'
	path-exclude=/usr/share/doc/*
	path-exclude=/usr/share/man/*
	path-exclude=/usr/share/locale/*
	CONF
	printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
	chmod 755 "$dir/usr/sbin/policy-rc.d"
}

_chroot_create() {
	local name=$1 dir tmp uri
	dir=$(chroot_dir "$name")
	tmp=$dir.new
	uri=$(mirror_uri main)
	_chroot_suite "$name"
	log "chroot $name: debootstrap $CH_SUITE (takes a few minutes)"
	safe_rm_rf "$tmp"
	mkdir -p "$(dirname "$dir")"
	# debootstrap mounts /proc and /sys in the target: keep them in a namespace
	# that dies with it, even if it fails half-way.
	if ! unshare -m --propagation private -- debootstrap --variant=minbase \
		--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
		--include="$(echo "$CHROOT_PACKAGES" | tr ' ' ',')" \
		"$CH_SUITE" "$tmp" "$uri" >"$tmp.log" 2>&1; then
		tail -n 30 "$tmp.log" | redact >&2
		[ -f "$tmp/debootstrap/debootstrap.log" ] && tail -n 30 "$tmp/debootstrap/debootstrap.log" | redact >&2
		die "chroot $name: debootstrap $CH_SUITE failed (log: $tmp.log)"
	fi
	mv "$tmp.log" "$tmp/debootstrap.log"
	safe_rm_rf "$dir"
	mv "$tmp" "$dir"
	_chroot_configure "$name"
	stamp_set "$dir/.uring-dmabuf-recipe" "$CHROOT_RECIPE $CHROOT_PACKAGES"
}

chroot_ensure() {
	local name=$1 kver=$2 dir
	dir=$(chroot_dir "$name")
	_chroot_suite "$name"
	stamp_ok "$dir/.uring-dmabuf-recipe" "$CHROOT_RECIPE $CHROOT_PACKAGES" || _chroot_create "$name"
	if [ -d "$dir/usr/src/linux-headers-$kver" ] && [ -e "$dir/lib/modules/$kver/build/Makefile" ]; then
		log "chroot $name: headers $kver present"
		return 0
	fi
	log "chroot $name: installing linux-headers-amd64 ($kver) from $CH_RELEASE"
	_chroot_configure "$name"
	chroot_run "$name" "apt-get -q update && apt-get -q -y -t $CH_RELEASE install linux-headers-amd64 $CHROOT_PACKAGES && apt-get -q -y autoremove && apt-get clean" \
		>"$dir/.apt.log" 2>&1 || { tail -n 30 "$dir/.apt.log" | redact >&2; die "chroot $name: installing headers failed"; }
	[ -e "$dir/lib/modules/$kver/build/Makefile" ] ||
		die "chroot $name: linux-headers-amd64 did not bring $kver (the archive moved on between steps? run 'make deps' again)"
}
