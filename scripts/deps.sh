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

# Build: module (host-built kernels 6.1 and 6.12, through DKMS), library, CLI.
# Test: unit tests (cmocka), VM tests (qemu, busybox, debootstrap, image tools).
# linux-source-6.12 carries checkpatch for the static checks.
HOST_PACKAGES="
	gcc make pkg-config
	linux-headers-amd64 linux-headers-6.12-amd64 dkms dwarves kmod
	libnl-3-dev libnl-genl-3-dev liburing-dev libcmocka-dev
	qemu-system-x86 busybox-static debootstrap debian-archive-keyring
	cpio zstd xz-utils e2fsprogs util-linux
	linux-source-6.12
"

if [ "$(id -u)" != 0 ]; then
	echo "deps: installing packages needs root (run 'make deps' as root)" >&2
	exit 1
fi
if ! [ -r /etc/os-release ] || ! grep -q '^VERSION_CODENAME=bookworm' /etc/os-release; then
	echo "deps: warning: this is not Debian 12 (bookworm); package names may differ" >&2
fi

missing=
for p in $HOST_PACKAGES; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -q update
	# shellcheck disable=SC2086
	apt-get -q -y --no-install-recommends install $missing
else
	echo "deps: host packages present"
fi

exec "$TOP/tests/vm/run.sh" prepare "$@"
