#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Debian packages (debian/), built from a copy of the tree: dpkg-buildpackage
# writes its results beside the source directory, and the tree's own build/
# stays out of the package build.
#
#   deb.sh build    (make deb) dpkg-buildpackage -us -uc -b in
#                   BUILD/deb/src/uring-dmabuf-VERSION, then the .debs, the
#                   .buildinfo and the .changes into BUILD/deb/
#   deb.sh check    (make deb-check) build, then lintian on the .changes:
#                   fails on any error or warning
#
# Needs debhelper, dh-dkms, dpkg-dev and the Build-Depends of debian/control
# (make deps); lintian for check. Not root: Rules-Requires-Root is no.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
OUT=$BUILD/deb
VERSION=$(cat "$TOP/VERSION")
SRC=$OUT/src/uring-dmabuf-$VERSION

# the files of the tree: git's (tracked and new, not ignored, still present),
# or without git everything but build/
tree_files() {
	if git -C "$TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$TOP" ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' f; do
				if [ -e "$TOP/$f" ] || [ -L "$TOP/$f" ]; then
					printf '%s\0' "$f"
				fi
			done
	else
		(cd "$TOP" && find . -path ./build -prune -o \( -type f -o -type l \) -print0)
	fi
}

build() {
	local start=$SECONDS
	rm -rf "$OUT"
	mkdir -p "$SRC"
	tree_files | tar -C "$TOP" --null -T - -cf - | tar -C "$SRC" -xf -
	# neither a make deb VAR=... nor the Makefile's variables in the
	# environment (BUILD above all) may reach the package's own make runs
	(cd "$SRC" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD -u DESTDIR \
		-u PREFIX -u BINDIR -u LIBDIR -u INCLUDEDIR -u MANDIR -u UDEVDIR \
		-u SYSUSERSDIR -u COMPLETIONDIR -u KDIR dpkg-buildpackage -us -uc -b)
	mv "$OUT"/src/*.deb "$OUT"/src/*.buildinfo "$OUT"/src/*.changes "$OUT"/
	rm -rf "$OUT/src"
	echo "deb: built in $((SECONDS - start))s:"
	ls -l "$OUT"
}

# Verdict lines and a tally, as make test's parts print them.
check() {
	if ! "$0" build; then  # a process of its own: set -e holds in it
		echo "not ok deb: make deb builds the four packages"
		echo "0 passed, 1 failed"
		return 1
	fi
	echo "ok deb: make deb builds the four packages"
	if ! lintian --fail-on error,warning "$OUT"/*.changes; then
		echo "not ok deb: lintian: no errors, no warnings"
		echo "1 passed, 1 failed"
		return 1
	fi
	echo "ok deb: lintian: no errors, no warnings"
	echo "2 passed, 0 failed"
}

case ${1:-} in
build) build ;;
check) check ;;
*) echo "usage: deb.sh build | check" >&2; exit 2 ;;
esac
