#!/usr/bin/env bash
# Static checks (make check): the uapi header standalone as C90 and C++,
# checkpatch --strict over the module (from Debian's linux-source package),
# -Wall -Wextra -Werror userspace builds, W=1 module builds, dkms.conf
# and debian/changelog matching VERSION, make install/uninstall into a DESTDIR (the udev rule
# and the sysusers.d group), the README's C example built with pkg-config's
# flags alone, and the harness self-tests (tests/selftest/).
# Prints one line per check and "N passed, N failed, N skipped".
#
#   check.sh [STEP...]   only these steps: uapi checkpatch userspace module
#                        dkms debian install example selftest (default: all, in
#                        this order)
#   CHECKPATCH_FILES="FILE..."   checkpatch these files instead of the module
#                        (tests/selftest/check-checkpatch.sh feeds it bad ones)
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${URING_DMABUF_CACHE:-/var/cache/uring-dmabuf}
BUILD=${BUILD:-$TOP/build}
SELFTEST_TIMEOUT=${SELFTEST_TIMEOUT:-60}
HDR=$TOP/include/uapi/linux/uring_dmabuf.h
ALL_STEPS="uapi checkpatch userspace module dkms debian install example selftest"
pass=0 fail=0 skip=0

result() { # result STATUS DESCRIPTION [LOGFILE]
	case $1 in
	0) echo "ok $2"; pass=$((pass + 1)) ;;
	77) echo "ok $2 # SKIP $(head -n 1 "$3" 2>/dev/null)"; skip=$((skip + 1)) ;;
	*) echo "not ok $2"; [ -n "${3:-}" ] && sed 's/^/# /' "$3" | tail -n 40
	   fail=$((fail + 1)) ;;
	esac
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# 1. the uapi header compiles on its own, as C90 and as C++
step_uapi() {
	echo "#include \"$HDR\"" |
		gcc -std=c90 -pedantic -Wall -Wextra -Werror -fsyntax-only -x c - >"$log" 2>&1
	result $? "uapi header compiles standalone with -std=c90 -pedantic" "$log"
	echo "#include \"$HDR\"" | g++ -Wall -Wextra -Werror -fsyntax-only -x c++ - >"$log" 2>&1
	result $? "uapi header compiles as C++" "$log"
}

# 2. checkpatch --strict from Debian's linux-source-6.12.
# Documented exceptions, "FILE:TYPE" (FILE relative to the top, TYPE as
# --show-types names it); any other finding fails:
# - compat.h compares LINUX_VERSION_CODE once, for the supported floor;
#   everything else is detected from headers.
CHECKPATCH_EXCEPTIONS=(module/compat.h:LINUX_VERSION_CODE)

checkpatch_pl() { # prints the path of checkpatch.pl, extracted once
	local tarballs dir
	tarballs=(/usr/src/linux-source-6.12.tar.*)
	if [ ! -e "${tarballs[0]}" ]; then
		echo "linux-source-6.12 is not installed (make deps)"
		return 77
	fi
	dir=$CACHE/checkpatch
	if [ ! -x "$dir/scripts/checkpatch.pl" ] || [ "${tarballs[0]}" -nt "$dir/.stamp" ]; then
		rm -rf "$dir" && mkdir -p "$dir" &&
		tar -xf "${tarballs[0]}" -C "$dir" --strip-components=1 --wildcards \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch' >&2 &&
		touch "$dir/.stamp" || return 1
	fi
	echo "$dir/scripts/checkpatch.pl"
}

# run_checkpatch SCRIPT [OPTION...] FILE...: fails on a non-zero exit status
# and on any finding printed (either alone would do; both, to be sure)
run_checkpatch() {
	local script=$1 out status findings
	shift
	out=$("$script" --strict --no-tree --terse --show-types "$@" 2>&1)
	status=$?
	[ -n "$out" ] && echo "$out"
	findings=$(grep -v '^total:' <<<"$out")
	[ "$status" = 0 ] && [ -z "$findings" ]
}

# checkpatch FILE...: from the top, with paths relative to it as in a kernel
# tree (checkpatch knows that include/uapi/ cannot use BIT(), for one)
checkpatch() (
	local script f e types rc=0 plain=()
	script=$(checkpatch_pl) || { rc=$?; echo "$script"; return "$rc"; }
	cd "$TOP" || return 1
	for f; do
		f=${f#"$TOP"/}
		[ -f "$f" ] || { echo "$f: no such file"; rc=1; continue; }
		types=
		for e in "${CHECKPATCH_EXCEPTIONS[@]}"; do
			[ "${e%:*}" = "$f" ] && types+=${types:+,}${e##*:}
		done
		if [ -n "$types" ]; then
			run_checkpatch "$script" --ignore "$types" -f "$f" || rc=1
		else
			plain+=("$f")
		fi
	done
	if [ ${#plain[@]} -gt 0 ]; then
		run_checkpatch "$script" -f "${plain[@]}" || rc=1
	fi
	return $rc
)

step_checkpatch() {
	local files
	if [ -n "${CHECKPATCH_FILES:-}" ]; then
		read -ra files <<<"$CHECKPATCH_FILES"
	else
		# the test modules are kernel code too
		files=("$TOP"/module/*.[ch] "$HDR" "$TOP"/tests/kmod/*/*.[ch])
	fi
	checkpatch "${files[@]}" >"$log" 2>&1
	result $? "checkpatch --strict over ${CHECKPATCH_FILES:-module/, the uapi header and tests/kmod/}" "$log"
}

# 3. userspace: library and CLI with -Wall -Wextra -Werror (the Makefile's flags)
step_userspace() {
	make -s -C "$TOP" BUILD="$BUILD/check" lib tools >"$log" 2>&1
	result $? "library and CLI build with -Wall -Wextra -Werror" "$log"
}

# 4. the module, W=1, for every kernel whose headers are installed here
# (the module make target copies the sources afresh, so kbuild recompiles
# and repeats every warning on each run)
step_module() {
	local kdirs kdir kver rc
	kdirs=$(ls -d /lib/modules/*/build 2>/dev/null)
	if [ -z "$kdirs" ]; then
		echo "no kernel headers installed (make deps)" >"$log"
		result 77 "module builds warning-free with W=1" "$log"
	fi
	for kdir in $kdirs; do
		kver=$(basename "$(dirname "$kdir")")
		make -s -C "$TOP" BUILD="$BUILD/check" KDIR="$kdir" W=1 module >"$log" 2>&1
		rc=$?
		if [ $rc = 0 ] && grep -E 'warning:|error:' "$log" | grep -qv 'Skipping BTF'; then
			rc=1
		fi
		result $rc "module builds warning-free with W=1 for $kver" "$log"
	done
}

# 5. dkms.conf names the version the tree carries
step_dkms() {
	local ver rc=0
	ver=$(cat "$TOP/VERSION")
	if ! grep -qxF "PACKAGE_VERSION=\"$ver\"" "$TOP/dkms.conf"; then
		echo "dkms.conf PACKAGE_VERSION differs from VERSION ($ver)"
		rc=1
	fi >"$log"
	result $rc "dkms.conf PACKAGE_VERSION matches VERSION" "$log"
}

# 5b. debian/changelog's newest entry is VERSION: the source format is
# 3.0 (native), so the package version is VERSION itself, no Debian revision
step_debian() {
	local ver top rc=0
	ver=$(cat "$TOP/VERSION")
	top=$(head -n 1 "$TOP/debian/changelog")
	{
		if [ "$(cat "$TOP/debian/source/format")" != "3.0 (native)" ]; then
			echo "debian/source/format is not 3.0 (native)"
			rc=1
		fi
		if [ "${top%% *}" != uring-dmabuf ] ||
			[ "$(sed -n 's/^[^ ]* (\([^)]*\)).*/\1/p' <<<"$top")" != "$ver" ]; then
			echo "debian/changelog's newest entry is not uring-dmabuf ($ver): $top"
			rc=1
		fi
	} >"$log"
	result $rc "debian/changelog version matches VERSION" "$log"
}

# 6. make install DESTDIR=...: the udev rule and the sysusers.d file are
# installed and name the same group; nothing outside DESTDIR changes (no
# group is created here); make uninstall takes back every file
install_check() {
	local dest=$1 rule conf rgroup sgroup had left cli
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
	# the installed CLI uses the installed shared library, not a static copy
	cli=$dest/usr/bin/uring-dmabuf
	readelf -d "$cli" 2>/dev/null | grep -q 'NEEDED.*\[liburing-dmabuf\.so\.' ||
		{ echo "the installed ${cli#"$dest"} is not linked with the shared liburing-dmabuf"; return 1; }
	LD_LIBRARY_PATH=$dest/usr/lib "$cli" version | grep -q "^uring-dmabuf $(cat "$TOP/VERSION")$" ||
		{ echo "the installed ${cli#"$dest"} does not run with the installed library"; return 1; }
	if [ "$(getent group uring-dmabuf)" != "$had" ]; then
		echo "make install DESTDIR=... changed the host's group uring-dmabuf"
		return 1
	fi
	make -s -C "$TOP" BUILD="$BUILD/check" DESTDIR="$dest" PREFIX=/usr uninstall || return 1
	left=$(find "$dest" \( -type f -o -type l \))
	[ -z "$left" ] || { echo "make uninstall left:"; echo "$left"; return 1; }
}

# in_destdir CHECK DESCRIPTION: CHECK DIR in a fresh directory, then its result
in_destdir() {
	local dest rc=0
	dest=$(mktemp -d)
	"$1" "$dest" >"$log" 2>&1 || rc=$?
	result $rc "$2" "$log"
	rm -rf "$dest"
}

step_install() {
	in_destdir install_check "make install DESTDIR= installs a dynamically linked CLI, the udev rule and the sysusers.d group it names; make uninstall removes it all"
}

# 7. the README's C example, as it stands there, compiles and links against
# a make install DESTDIR=... with nothing but pkg-config's flags: the API
# takes liburing types, so liburing is a public Requires of the .pc
example_check() {
	local dest=$1 dir=$1/example flags
	make -s -C "$TOP" BUILD="$BUILD/check" DESTDIR="$dest" PREFIX=/usr install || return 1
	mkdir -p "$dir"
	awk '/^```c$/ { on = 1; next } /^```$/ { if (on) exit } on' "$TOP/README.md" >"$dir/example.c"
	grep -q 'int main' "$dir/example.c" || { echo "no C example with main() in README.md"; return 1; }
	flags=$(PKG_CONFIG_PATH=$dest/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest \
		pkg-config --cflags --libs liburing-dmabuf) || return 1
	echo "pkg-config --cflags --libs liburing-dmabuf: $flags"
	# shellcheck disable=SC2086  # the flags are words
	cc -Wall -Wextra -Werror -o "$dir/example" "$dir/example.c" $flags
}

step_example() {
	in_destdir example_check "the README's C example builds with pkg-config --cflags --libs liburing-dmabuf alone"
}

# 8. the harness self-tests: each tests/selftest/NAME.sh is one check (the
# contract is in tests/selftest/README.md); on failure, all but its ok lines
step_selftest() {
	local t name rc found=0 out
	out=$(mktemp)
	for t in "$TOP"/tests/selftest/*.sh; do
		[ -e "$t" ] || continue
		found=1
		name=$(basename "$t" .sh)
		if [ ! -x "$t" ]; then
			echo "$t is not executable (a file that self-tests source: name it *.bash)" >"$log"
			result 1 "selftest $name" "$log"
			continue
		fi
		BUILD=$BUILD timeout "$SELFTEST_TIMEOUT" "$t" >"$out" 2>&1
		rc=$?
		[ $rc = 124 ] && echo "timed out after ${SELFTEST_TIMEOUT}s" >>"$out"
		if [ $rc = 0 ] || [ $rc = 77 ]; then
			cp "$out" "$log"
		else
			grep -v '^ok ' "$out" >"$log"
			echo "exit status $rc" >>"$log"
		fi
		result $rc "selftest $name" "$log"
	done
	rm -f "$out"
	if [ $found = 0 ]; then
		echo "no tests/selftest/*.sh" >"$log"
		result 1 "selftests" "$log"
	fi
}

steps=("$@")
[ $# = 0 ] && read -ra steps <<<"$ALL_STEPS"
for step in "${steps[@]}"; do
	if ! declare -F "step_$step" >/dev/null; then
		echo "check.sh: unknown step '$step' (steps: $ALL_STEPS)" >&2
		exit 2
	fi
	"step_$step"
done

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
