#!/usr/bin/env bash
# Build (once, cached) the kernel's own devmem selftest tool, ncdevmem,
# unmodified, as a static binary with its libynl from the source of the
# kernel it will run on: 6.12 from Debian's linux-source-6.12 (the host's, as
# for the debug kernel), 7.3 from trixie-backports' linux-source-7.3 at the
# version of the 7.3 kernel the matrix resolved. With it, trixie's ethtool and
# its shared-library closure, which ncdevmem runs (its loader and libraries
# apart, under opt/ncdevmem/lib, so that nothing else in the guest uses them).
#
#   build.sh K          build if needed (K: 6.12 or 7.3); print the directory
#   build.sh --dir K    print the directory it would use, build nothing
#
# The directory, $CACHE/ncdevmem/KEY (KEY: K, the source's version, the
# versions of the trixie packages and a hash of this recipe), holds guest/,
# a tree the harness copies into the guest's initramfs:
#   opt/ncdevmem/bin/ncdevmem   static
#   opt/ncdevmem/bin/ethtool    a wrapper running libexec/ethtool through
#                               lib/ld-linux-x86-64.so.2 --library-path lib
#   opt/ncdevmem/VERSION        "K SOURCE-VERSION ETHTOOL-VERSION"
# and build.log. Needs make deps (the private apt lists, the resolved kernel).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
for f in common mirror kernels; do
	# shellcheck source=/dev/null
	source "$TOP/tests/vm/lib/$f.sh"
done

log() { printf '%s\n' "ncdevmem: $*" >&2; }
die() { printf '%s\n' "ncdevmem: error: $*" >&2; exit 1; }

only_dir=
if [ "${1:-}" = --dir ]; then only_dir=1; shift; fi
K=${1:?usage: build.sh [--dir] 6.12|7.3}
# Bump when the steps below change what ends up in the directory.
RECIPE=1
# What ncdevmem runs besides itself: ethtool (libmnl0, libc6's loader).
TRIXIE_PKGS="ethtool libmnl0 libc6"

case $K in
6.12)
	PKG=linux-source-6.12
	SOURCE=/usr/src/linux-source-6.12.tar.xz
	[ -f "$SOURCE" ] || die "$SOURCE missing: apt-get install $PKG"
	srcver=$(dpkg-query -W -f '${Version}' "$PKG")
	TOOL=tools/testing/selftests/net/ncdevmem.c
	GENS="netdev" ;;
7.3)
	PKG=linux-source-7.3
	SOURCE=
	# The version of the 7.3 kernel make deps resolved.
	read -r _ srcver <"$CACHE/kernels/7.3.resolved" ||
		die "7.3 not resolved: make deps"
	TOOL=tools/testing/selftests/drivers/net/hw/ncdevmem.c
	GENS="netdev ethtool" ;;
*) die "no ncdevmem recipe for kernel '$K' (6.12, 7.3)" ;;
esac

# The trixie packages at their candidate versions (the private lists).
pkgvers=
for p in $TRIXIE_PKGS; do
	v=$(_apt_priv_candidate trixie trixie-backports "$p")
	case $v in "" | "(none)") die "no $p in the trixie lists: make deps" ;; esac
	pkgvers="$pkgvers $p=$v"
done
hash=$( (cat "$0"; echo "recipe $RECIPE$pkgvers") | sha256sum | cut -c1-12)
key="$K-${srcver//[^A-Za-z0-9.+-]/_}-$hash"
top=$CACHE/ncdevmem
dir=$top/$key

if [ -n "$only_dir" ]; then echo "$dir"; exit 0; fi
if [ -f "$dir/.complete" ]; then echo "$dir"; exit 0; fi

mkdir -p "$top"
# One build per kernel at a time; the other kernel's may run beside it.
exec 9>"$top/.lock-$K"
flock -w 3600 9 || die "could not lock $top for $K"
if [ -f "$dir/.complete" ]; then echo "$dir"; exit 0; fi

t0=$(date +%s)
rm -rf "$dir"
mkdir -p "$dir/debs" "$dir/work"
L=$dir/build.log
# step DESC CMD...: CMD's output into the build log, its tail if it fails.
step() {
	local desc=$1; shift
	if ! "$@" >>"$L" 2>&1; then
		tail -n 30 "$L" >&2
		die "$K: $desc failed (log: $L)"
	fi
}

dl=${pkgvers# }
# 6.12's ncdevmem includes libmnl's header (and uses none of it).
[ "$K" != 6.12 ] || dl="$dl libmnl-dev=$(_apt_priv_candidate trixie trixie-backports libmnl-dev)"
[ -n "$SOURCE" ] || dl="$dl $PKG=$srcver"
log "$K: downloading $dl"
dl_debs() { (cd "$dir/debs" && apt_priv trixie apt-get -q download "$@"); }
# shellcheck disable=SC2086  # (one word per package)
step "apt-get download" dl_debs $dl
r=$dir/work/root
for d in "$dir"/debs/*.deb; do step "unpacking ${d##*/}" dpkg-deb -x "$d" "$r"; done
[ -n "$SOURCE" ] || SOURCE=$(ls "$r"/usr/src/"$PKG".tar.*)

log "$K: unpacking $PKG $srcver, building ncdevmem"
step "unpacking $SOURCE" tar -C "$dir/work" -xf "$SOURCE"
src=$dir/work/$PKG
# The uapi headers ncdevmem includes (KHDR_INCLUDES of the selftests).
step "make headers" make -s -C "$src" headers
# libynl with the families ncdevmem speaks, as the selftests' ynl.mk builds it.
step "libynl" make -C "$src/tools/net/ynl" GENS="$GENS" libynl.a
# Unmodified, static.
step "ncdevmem" gcc -O2 -static -isystem "$src/usr/include" -isystem "$r/usr/include" \
	-I"$src/tools/net/ynl/lib" -I"$src/tools/net/ynl/generated" \
	-o "$dir/work/ncdevmem" "$src/$TOOL" "$src/tools/net/ynl/libynl.a"

g=$dir/guest/opt/ncdevmem
mkdir -p "$g/bin" "$g/libexec" "$g/lib"
install -m 0755 "$dir/work/ncdevmem" "$g/bin/ncdevmem"
install -m 0755 "$r/usr/sbin/ethtool" "$g/libexec/ethtool"
# The closure: ethtool's NEEDED libraries (libmnl, libc) and the loader.
for lib in $(objdump -p "$r/usr/sbin/ethtool" | awk '$1 == "NEEDED" { print $2 }') ld-linux-x86-64.so.2; do
	f=$(find "$r" -name "$lib" | head -n 1)
	[ -n "$f" ] || die "$lib (of ethtool) not in$pkgvers"
	cp -L "$f" "$g/lib/$lib"
done
cat >"$g/bin/ethtool" <<-'EOF'
	#!/bin/sh
	# trixie's ethtool with its own loader and libraries (tests/vm/ncdevmem)
	d=/opt/ncdevmem
	exec "$d/lib/ld-linux-x86-64.so.2" --library-path "$d/lib" "$d/libexec/ethtool" "$@"
EOF
chmod 0755 "$g/bin/ethtool"
echo "$K $srcver$pkgvers" >"$g/VERSION"

rm -rf "$dir/work" "$dir/debs"
echo "$key" >"$dir/.complete"
log "$K: built in $(($(date +%s) - t0)) s"

# Keep only this build per kernel.
for old in "$top/$K"-*/; do
	old=${old%/}
	[ "$old" = "$dir" ] || { log "dropping old build ${old##*/}"; rm -rf --one-file-system -- "$old"; }
done
echo "$dir"
