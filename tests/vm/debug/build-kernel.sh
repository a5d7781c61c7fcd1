#!/usr/bin/env bash
# Build (once, cached) the debug kernel of the reliability lane: Debian's
# linux-source-7.3 (trixie-backports, at the version of the 7.3 kernel the
# matrix resolved), the newest kernel of the matrix and the first with every
# path the module serves (devmem RX and TX, io_uring zcrx), configured from
# x86_64_defconfig plus the fragments tests/vm/debug/*.config (KASAN,
# lockdep, kmemleak, DMA-API debug, fault injection, and what the tests need).
#
#   build-kernel.sh          build if needed; print the kernel directory
#   build-kernel.sh --dir    print the directory it would use, build nothing
#
# The kernel directory, $CACHE/debug-kernel/KEY with KEY made of the source
# package version and a hash of the fragments and of the recipe, holds the
# layout the harness expects of a fetched kernel, plus a build tree:
#   vmlinuz  config  kver  root/lib/modules/KVER/  src/ (KDIR for M= builds)
# Environment: URING_DMABUF_CACHE, DEBUG_KERNEL_JOBS (default: nproc).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
for f in common mirror kernels; do
	# shellcheck source=/dev/null
	source "$TOP/tests/vm/lib/$f.sh"
done
BASE=7.3
PKG=linux-source-$BASE
JOBS=${DEBUG_KERNEL_JOBS:-$(nproc)}

log() { printf '%s\n' "debug-kernel: $*" >&2; }
die() { printf '%s\n' "debug-kernel: error: $*" >&2; exit 1; }

# The source's version: the 7.3 image's, as make deps resolved it (resolved
# here if make deps has not run; the lists are cached).
if [ ! -s "$CACHE/kernels/$BASE.resolved" ]; then
	kernel_def "$BASE"
	apt_priv_update "$K_APTSET" >&2
	kernel_resolve "$BASE" >/dev/null
fi
read -r _ srcver <"$CACHE/kernels/$BASE.resolved" || die "$BASE: no kernel resolved"
# Bump when the build steps below change what ends up in the kernel directory.
RECIPE=2
# The key changes with the source, any fragment, or the recipe.
hash=$( (cat "$HERE"/*.config; echo "recipe $RECIPE") | sha256sum | cut -c1-12)
key="$BASE-${srcver//[^A-Za-z0-9.+-]/_}-$hash"
top=$CACHE/debug-kernel
dir=$top/$key

if [ "${1:-}" = --dir ]; then echo "$dir"; exit 0; fi
if [ -f "$dir/.complete" ]; then echo "$dir"; exit 0; fi

for t in flex bison bc perl make gcc; do
	command -v "$t" >/dev/null || die "$t missing (apt-get install flex bison bc libelf-dev libssl-dev)"
done
[ -e /usr/include/libelf.h ] || die "libelf-dev missing (needed for objtool)"

mkdir -p "$top"
# Our own lock: the harness's cache lock would block every other vmtest for
# the twenty minutes of a build.
exec 9>"$top/.lock"
flock -w 7200 9 || die "could not lock $top"
if [ -f "$dir/.complete" ]; then echo "$dir"; exit 0; fi

t0=$(date +%s)
rm -rf "$dir"
mkdir -p "$dir"
log "downloading $PKG $srcver"
mkdir -p "$dir/deb"
(cd "$dir/deb" && apt_priv trixie apt-get -q download "$PKG=$srcver") >"$dir/download.log" 2>&1 ||
	{ redact <"$dir/download.log" >&2; die "apt-get download $PKG=$srcver failed"; }
dpkg-deb --fsys-tarfile "$dir"/deb/*.deb | tar -C "$dir/deb" -x "./usr/src" ||
	die "unpacking the $PKG package failed"
log "unpacking $PKG $srcver into $dir/src"
tar -C "$dir" -xf "$dir"/deb/usr/src/"$PKG".tar.*
rm -rf "$dir/deb"
mv "$dir/$PKG" "$dir/src"
src=$dir/src

log "configuring: x86_64_defconfig + $(cd "$HERE" && echo *.config)"
make -s -C "$src" x86_64_defconfig >/dev/null
(cd "$src" && KCONFIG_CONFIG=.config ./scripts/kconfig/merge_config.sh -m -O . .config "$HERE"/*.config) \
	>"$dir/merge.log" 2>&1 || { cat "$dir/merge.log" >&2; die "merging the fragments failed"; }
make -s -C "$src" olddefconfig >/dev/null
# Every option a fragment asks for must survive olddefconfig (a silently
# dropped dependency would give a kernel without the checker we think we have).
missing=0
for f in "$HERE"/*.config; do
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) grep -qxF -- "$line" "$src/.config" || { log "not in the final config: $line"; missing=1; } ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }; opt=${opt%% *}
			grep -q "^$opt=" "$src/.config" && { log "still set: $opt"; missing=1; } ;;
		esac
	done <"$f"
done
[ $missing = 0 ] || die "the fragments do not apply cleanly to this source"

log "building with $JOBS jobs (about 20 minutes on 2 cores)"
make -C "$src" -j"$JOBS" bzImage modules >"$dir/build.log" 2>&1 ||
	{ tail -n 40 "$dir/build.log" >&2; die "kernel build failed (log: $dir/build.log)"; }
kver=$(make -s -C "$src" kernelrelease)
make -C "$src" INSTALL_MOD_PATH="$dir/root" modules_install >>"$dir/build.log" 2>&1 ||
	die "modules_install failed"
# modules_install links build/ and source/ to the tree; the guest needs neither.
rm -f "$dir/root/lib/modules/$kver/build" "$dir/root/lib/modules/$kver/source"
cp "$src/arch/x86/boot/bzImage" "$dir/vmlinuz"
cp "$src/.config" "$dir/config"
echo "$kver" >"$dir/kver"
echo "$key" >"$dir/.complete"
log "built $kver in $(($(date +%s) - t0)) s"

# Keep only this build: each one is a few GiB.
for old in "$top"/*/; do
	old=${old%/}
	[ "$old" = "$dir" ] || { log "dropping old build ${old##*/}"; rm -rf --one-file-system -- "$old"; }
done
echo "$dir"
