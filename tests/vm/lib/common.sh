# shellcheck shell=bash disable=SC2034  # (its variables are for the files that source it)
# Shared helpers for the VM test harness: paths, messages, locking.
# Sourced by the other files; sets no shell options of its own.

: "${TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}"
: "${BUILD:=$TOP/build}"
CACHE=${URING_DMABUF_CACHE:-/var/cache/uring-dmabuf}
VMDIR=$TOP/tests/vm
VMBUILD=$BUILD/vm

log()  { printf '%s\n' "vm: $(date +%T) $*" >&2; }
warn() { printf '%s\n' "vm: warning: $*" >&2; }
die()  { printf '%s\n' "vm: error: $*" >&2; exit 1; }

# Run "$@" with the cache locked: exclusively (make deps, which writes kernels
# and chroots) or, with -s, shared (builds, which only read them), so that two
# runs (two checkouts, CI and a developer) never change it under each other.
with_cache_lock() {
	local mode=-x
	if [ "$1" = -s ]; then mode=-s; shift; fi
	mkdir -p "$CACHE"
	(
		if ! flock -n $mode 9; then
			log "waiting for another run to finish with $CACHE"
			flock -w 3600 $mode 9 || die "could not lock $CACHE within an hour"
		fi
		"$@"
	) 9>"$CACHE/.lock"
}

# One build at a time per build environment: the host's DKMS tree (/usr/src,
# /var/lib/dkms) is shared by every checkout and cache directory, a chroot's
# by every run using that cache.
with_env_lock() {
	local env=$1 file; shift
	if [ "$env" = host ]; then
		file=/run/lock/uring-dmabuf-dkms.lock
	else
		file=$CACHE/chroot/$env.lock
		mkdir -p "$CACHE/chroot"
	fi
	(
		if ! flock -n 7; then
			log "waiting for another run's build in $env"
			flock 7
		fi
		"$@"
	) 7>"$file"
}

# A stamp file records what a cached directory was made from; a cached step is
# redone when its stamp is missing or says something else.
stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }
stamp_set() { printf '%s\n' "$2" >"$1.tmp" && mv -f "$1.tmp" "$1"; }

# Refuse to delete anything that still has a mount below it (a leftover proc
# mount inside a chroot must never meet rm -rf).
safe_rm_rf() {
	local d=$1
	[ -e "$d" ] || return 0
	if findmnt -rn -o TARGET | grep -q -- "^$(realpath "$d")\(/\|$\)"; then
		die "refusing to remove $d: something is mounted below it"
	fi
	rm -rf --one-file-system -- "$d"
}
