#!/usr/bin/env bash
# Build (once, cached) perf from the tools/perf of the kernel it will run on,
# for the profile boot only (make bench-profile): 7.3's from trixie-backports'
# linux-source-7.3 at the version of the 7.3 kernel the matrix resolved, on
# the host (bookworm, gcc-12), as one static binary without scripting,
# GUI, DWARF or BPF (none of which a cpu-clock profile needs: kernel symbols
# come from /proc/kallsyms, user ones from the binaries' ELF symbol tables).
#
#   build.sh K          build if needed (K: 7.3); print the directory
#   build.sh --dir K    print the directory it would use, build nothing
#
# The directory, $CACHE/perf/KEY (KEY: K, the source's version and a hash of
# this recipe and of the host's static libraries), holds guest/, a tree the
# harness copies into the profile boot's initramfs:
#   opt/perf/bin/perf   static
#   opt/perf/VERSION    "K SOURCE-VERSION"
# and build.log. Needs make deps (the private apt lists, the resolved kernel)
# and the host packages flex, bison, libelf-dev, zlib1g-dev (scripts/deps.sh).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
for f in common mirror kernels; do
	# shellcheck source=/dev/null
	source "$TOP/tests/vm/lib/$f.sh"
done

log() { printf '%s\n' "perf: $*" >&2; }
die() { printf '%s\n' "perf: error: $*" >&2; exit 1; }

only_dir=
if [ "${1:-}" = --dir ]; then only_dir=1; shift; fi
K=${1:?usage: build.sh [--dir] 7.3}
# Bump when the steps below change what ends up in the directory.
RECIPE=1
# Host packages the build needs: the tools, and the static libraries perf
# links (libelf.a with its libz.a).
HOST_PKGS="flex bison libelf-dev zlib1g-dev"

case $K in
7.3)
	PKG=linux-source-7.3
	# The version of the 7.3 kernel make deps resolved.
	read -r _ srcver <"$CACHE/kernels/7.3.resolved" ||
		die "7.3 not resolved: make deps" ;;
*) die "no perf recipe for kernel '$K' (7.3)" ;;
esac

hostvers=
for p in $HOST_PKGS; do
	v=$(dpkg-query -W -f '${db:Status-Abbrev}${Version}' "$p" 2>/dev/null || :)
	case $v in "ii "*) hostvers="$hostvers $p=${v#ii }" ;;
	*) die "host package $p missing: apt-get install $HOST_PKGS (make deps)" ;;
	esac
done
hash=$( (cat "$0"; echo "recipe $RECIPE$hostvers") | sha256sum | cut -c1-12)
key="$K-${srcver//[^A-Za-z0-9.+-]/_}-$hash"
top=$CACHE/perf
dir=$top/$key

if [ -n "$only_dir" ]; then echo "$dir"; exit 0; fi
if [ -f "$dir/.complete" ]; then echo "$dir"; exit 0; fi

mkdir -p "$top"
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

log "$K: downloading $PKG=$srcver"
dl_debs() { (cd "$dir/debs" && apt_priv trixie apt-get -q download "$@"); }
step "apt-get download" dl_debs "$PKG=$srcver"
r=$dir/work/root
step "unpacking $PKG" dpkg-deb -x "$dir"/debs/"$PKG"_*.deb "$r"
src_tar=$(ls "$r"/usr/src/"$PKG".tar.*)

log "$K: unpacking $PKG $srcver, building perf"
# perf builds from tools/ with what its MANIFEST names of the kernel tree.
step "unpacking ${src_tar##*/}" tar -C "$dir/work" -xf "$src_tar" \
	"$PKG/tools" "$PKG/include" "$PKG/scripts" "$PKG/arch" "$PKG/kernel/bpf" \
	"$PKG/lib" "$PKG/LICENSES" "$PKG/COPYING" "$PKG/Makefile"
src=$dir/work/$PKG
mkdir -p "$dir/work/out"
# Static, and only what cpu-clock sampling and its report need. NO_JEVENTS:
# no PMU event tables (TCG has no PMU). WERROR=0: gcc-12 is not the
# compiler this perf was released with.
step "make perf" make -C "$src/tools/perf" -j"$(nproc)" O="$dir/work/out" \
	LDFLAGS=-static WERROR=0 NO_JEVENTS=1 NO_LIBPYTHON=1 NO_LIBPERL=1 \
	NO_GTK2=1 NO_SLANG=1 NO_LIBUNWIND=1 NO_LIBDW=1 NO_LIBTRACEEVENT=1 \
	NO_LIBBPF=1 BUILD_BPF_SKEL=0 NO_LIBNUMA=1 NO_BABELTRACE2=1 NO_LIBZSTD=1 \
	NO_LZMA=1 NO_LIBLLVM=1 NO_CLANG=1 NO_CAPSTONE=1 NO_LIBPFM4=1 NO_SDT=1 \
	NO_JVMTI=1 NO_LIBDEBUGINFOD=1 NO_SHELLCHECK=1 NO_DEMANGLE=1 NO_AIO=1 \
	NO_RUST=1 perf
out=$dir/work/out/perf
file "$out" | grep -q 'statically linked' || die "$K: $out is not static (log: $L)"

g=$dir/guest/opt/perf
mkdir -p "$g/bin"
install -m 0755 "$out" "$g/bin/perf"
strip "$g/bin/perf"
echo "$K $srcver" >"$g/VERSION"

rm -rf "$dir/work" "$dir/debs"
echo "$key" >"$dir/.complete"
log "$K: built in $(($(date +%s) - t0)) s"

# Keep only this build per kernel.
for old in "$top/$K"-*/; do
	old=${old%/}
	[ "$old" = "$dir" ] || { log "dropping old build ${old##*/}"; rm -rf --one-file-system -- "$old"; }
done
echo "$dir"
