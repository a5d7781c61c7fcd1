#!/usr/bin/env bash
# Install every build and test dependency on a Debian 12 (bookworm) machine,
# then fetch the kernels of the VM test matrix and prepare their build
# chroots. Idempotent and cached: a second run only re-reads package lists.
#
#   scripts/deps.sh [KERNEL...]      (make deps [KERNELS="6.12 7.2"])
#
# Needs root. Versions are resolved through Debian's meta-packages at run time;
# the archive mirror is read from this machine's apt sources.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../tests/vm/lib/common.sh
source "$TOP/tests/vm/lib/common.sh"
# shellcheck source=../tests/vm/lib/mirror.sh
source "$TOP/tests/vm/lib/mirror.sh"

# Build: module (host-built kernels 6.1 and 6.12, through DKMS), library, CLI;
# the Debian packages (make deb: debhelper, dh-dkms, dpkg-dev; lintian); the
# guest suite's i386 builds (gcc-multilib: static 32-bit programs, no i386
# dpkg architecture).
# Test: unit tests (cmocka, valgrind, man pages through groff/man-db), VM tests
# (qemu, busybox, debootstrap, image tools), static checks (checkpatch from
# linux-source-6.12, shellcheck), the debug kernel (tests/vm/debug: flex,
# bison, bc, libelf-dev, libssl-dev; and perf for make bench-profile,
# tests/vm/perf: flex, bison, libelf-dev, zlib1g-dev).
HOST_PACKAGES="
	gcc gcc-multilib make pkg-config debhelper dh-dkms dpkg-dev lintian
	linux-headers-amd64 linux-headers-6.12-amd64 dkms dwarves kmod
	libnl-3-dev libnl-genl-3-dev liburing-dev libcmocka-dev valgrind groff-base man-db
	qemu-system-x86 busybox-static debootstrap debian-archive-keyring
	cpio zstd xz-utils e2fsprogs util-linux
	linux-source-6.12 shellcheck flex bison bc libelf-dev libssl-dev zlib1g-dev
"

[ "$(id -u)" = 0 ] || die "deps: installing packages needs root (run 'make deps' as root)"
if ! [ -r /etc/os-release ] || ! grep -q '^VERSION_CODENAME=bookworm' /etc/os-release; then
	echo "deps: warning: this is not Debian 12 (bookworm); package names may differ" >&2
fi

# dpkg-query fails for packages it has never heard of: that is what we ask.
# shellcheck disable=SC2086
installed=$({ dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' $HOST_PACKAGES 2>/dev/null || true; } |
	awk '$1 == "ii" { print $2 }')
missing=
for p in $HOST_PACKAGES; do
	echo "$installed" | grep -qx -- "$p" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	# apt names the archive in its progress lines: keep it out of the output
	apt-get -q update 2>&1 | redact
	# shellcheck disable=SC2086
	apt-get -q -y --no-install-recommends install $missing 2>&1 | redact
else
	echo "deps: host packages present"
fi

exec "$TOP/tests/vm/run.sh" prepare "$@"
