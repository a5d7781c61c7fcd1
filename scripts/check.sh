#!/usr/bin/env bash
# Static checks (make check): the uapi header standalone as C90 and C++,
# checkpatch --strict over the module (from Debian's linux-source package),
# -Wall -Wextra -Werror userspace builds, W=1 module builds, dkms.conf
# matching VERSION, and make install/uninstall into a DESTDIR (the udev rule
# and the sysusers.d group). Prints one line per check and "N passed, N failed".
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${URING_DMABUF_CACHE:-/var/cache/uring-dmabuf}
BUILD=${BUILD:-$TOP/build}
pass=0 fail=0 skip=0

result() { # result STATUS DESCRIPTION [LOGFILE]
	case $1 in
	0) echo "ok $2"; pass=$((pass + 1)) ;;
	77) echo "ok $2 # SKIP $(cat "$3" 2>/dev/null | head -n 1)"; skip=$((skip + 1)) ;;
	*) echo "not ok $2"; [ -n "${3:-}" ] && sed 's/^/# /' "$3" | tail -n 40
	   fail=$((fail + 1)) ;;
	esac
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# 1. the uapi header compiles on its own, as C90 and as C++
hdr=$TOP/include/uapi/linux/uring_dmabuf.h
echo "#include \"$hdr\"" | gcc -std=c90 -pedantic -Wall -Wextra -Werror -fsyntax-only -x c - >"$log" 2>&1
result $? "uapi header compiles standalone with -std=c90 -pedantic" "$log"
echo "#include \"$hdr\"" | g++ -Wall -Wextra -Werror -fsyntax-only -x c++ - >"$log" 2>&1
result $? "uapi header compiles as C++" "$log"

# 2. checkpatch --strict from Debian's linux-source-6.12
checkpatch() {
	local tarball dir
	tarball=$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n 1)
	if [ -z "$tarball" ]; then
		echo "linux-source-6.12 is not installed (make deps)"
		return 77
	fi
	dir=$CACHE/checkpatch
	if [ ! -x "$dir/scripts/checkpatch.pl" ] || [ "$tarball" -nt "$dir/.stamp" ]; then
		rm -rf "$dir" && mkdir -p "$dir"
		tar -xf "$tarball" -C "$dir" --strip-components=1 --wildcards \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch' || return 1
		touch "$dir/.stamp"
	fi
	# Documented exception: compat.h compares LINUX_VERSION_CODE once, for
	# the supported floor; everything else is detected from headers.
	"$dir/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
		--ignore LINUX_VERSION_CODE -f "$TOP"/module/*.[ch] "$hdr" |
		grep -v '^total:' | grep . && return 1
	return 0
}
checkpatch >"$log" 2>&1
result $? "checkpatch --strict over module/ and the uapi header" "$log"

# 3. userspace: library and CLI with -Wall -Wextra -Werror (the Makefile's flags)
make -s -C "$TOP" BUILD="$BUILD/check" lib tools >"$log" 2>&1
result $? "library and CLI build with -Wall -Wextra -Werror" "$log"

# 4. the module, W=1, for every kernel whose headers are installed here
kdirs=$(ls -d /lib/modules/*/build 2>/dev/null)
if [ -z "$kdirs" ]; then
	echo "no kernel headers installed (make deps)" >"$log"
	result 77 "module builds warning-free with W=1" "$log"
fi
for kdir in $kdirs; do
	kver=$(basename "$(dirname "$kdir")")
	make -s -C "$TOP" BUILD="$BUILD/check" KDIR="$kdir" W=1 module >"$log" 2>&1
	rc=$?
	if [ $rc = 0 ] && grep -E 'warning:|error:' "$log" | grep -v 'Skipping BTF' >/dev/null; then
		rc=1
	fi
	result $rc "module builds warning-free with W=1 for $kver" "$log"
done

# 5. dkms.conf names the version the tree carries
ver=$(cat "$TOP/VERSION")
grep -q "^PACKAGE_VERSION=\"$ver\"$" "$TOP/dkms.conf"
echo "dkms.conf PACKAGE_VERSION differs from VERSION ($ver)" >"$log"
result $? "dkms.conf PACKAGE_VERSION matches VERSION" "$log"

# 6. make install DESTDIR=...: the udev rule and the sysusers.d file are
# installed and name the same group; nothing outside DESTDIR changes (no
# group is created here); make uninstall takes back every file
install_check() {
	local dest=$1 rule conf rgroup sgroup had left
	rule=$dest/usr/lib/udev/rules.d/70-uring-dmabuf.rules
	conf=$dest/usr/lib/sysusers.d/uring-dmabuf.conf
	had=$(getent group uring-dmabuf)
	make -s -C "$TOP" BUILD="$BUILD/check" DESTDIR="$dest" PREFIX=/usr install || return 1
	[ -f "$rule" ] || { echo "make install put no ${rule#"$dest"}"; return 1; }
	[ -f "$conf" ] || { echo "make install put no ${conf#"$dest"}"; return 1; }
	rgroup=$(grep -v '^[[:space:]]*#' "$rule" | grep 'KERNEL=="uring_dmabuf"' |
		sed -n 's/.*GROUP:\{0,1\}="\([^"]*\)".*/\1/p')
	sgroup=$(awk '$1 == "g" { print $2 }' "$conf")
	if [ -z "$rgroup" ] || [ "$rgroup" != "$sgroup" ]; then
		echo "the udev rule's GROUP ($rgroup) is not the group of sysusers.d ($sgroup)"
		return 1
	fi
	if [ "$(getent group uring-dmabuf)" != "$had" ]; then
		echo "make install DESTDIR=... changed the host's group uring-dmabuf"
		return 1
	fi
	make -s -C "$TOP" BUILD="$BUILD/check" DESTDIR="$dest" PREFIX=/usr uninstall || return 1
	left=$(find "$dest" \( -type f -o -type l \))
	[ -z "$left" ] || { echo "make uninstall left:"; echo "$left"; return 1; }
}
dest=$(mktemp -d)
install_check "$dest" >"$log" 2>&1
result $? "make install DESTDIR= installs the udev rule and sysusers.d group it names; make uninstall removes it all" "$log"
rm -rf "$dest"

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
