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
#   deb.sh ensure   build, unless BUILD/deb holds the packages of this very
#                   tree already (its files' hash, BUILD/deb/tree.sha256):
#                   the harness's packaged kernels (tests/vm/lib/packages.sh)
#
# DEB_VERSION=V builds the packages of the tree as version V (VERSION,
# dkms.conf and a new debian/changelog entry, in the copy only), into
# DEB_OUT (default BUILD/deb): the upgrade test's N+1.
# Needs debhelper, dh-dkms, dpkg-dev and the Build-Depends of debian/control
# (make deps); lintian for check. Not root: Rules-Requires-Root is no.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
OUT=${DEB_OUT:-$BUILD/deb}
VERSION=${DEB_VERSION:-$(cat "$TOP/VERSION")}
SRC=$OUT/src/uring-dmabuf-$VERSION

die() { echo "deb: error: $*" >&2; exit 1; }

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

# What the packages are built from: every file of the tree, by name and content.
tree_hash() {
	(cd "$TOP" && tree_files | sort -z | xargs -0 -r sha256sum | sha256sum | cut -d' ' -f1)
}

# The copy in $1 as version $2: VERSION, dkms.conf and a changelog entry
# on top, as a release would bump them together.
set_version() {
	local src=$1 v=$2 old maint
	old=$(cat "$src/VERSION")
	[ "$v" != "$old" ] || return 0
	echo "$v" >"$src/VERSION"
	sed -i "s/^PACKAGE_VERSION=\"$old\"\$/PACKAGE_VERSION=\"$v\"/" "$src/dkms.conf"
	grep -qx "PACKAGE_VERSION=\"$v\"" "$src/dkms.conf" || die "dkms.conf: PACKAGE_VERSION is not $old"
	maint=$(sed -n 's/^ -- \(.*>\)  .*$/\1/p' "$src/debian/changelog" | head -n 1)
	[ -n "$maint" ] || die "debian/changelog: no trailer line to take the maintainer from"
	{
		printf 'uring-dmabuf (%s) unstable; urgency=medium\n\n' "$v"
		printf '  * Version %s, built from %s to test upgrades.\n\n' "$v" "$old"
		printf ' -- %s  %s\n\n' "$maint" "$(date -R)"
		cat "$src/debian/changelog"
	} >"$src/debian/changelog.new"
	mv "$src/debian/changelog.new" "$src/debian/changelog"
}

build() {
	local start=$SECONDS hash
	hash=$(tree_hash)
	rm -rf "$OUT"
	mkdir -p "$SRC"
	tree_files | tar -C "$TOP" --null -T - -cf - | tar -C "$SRC" -xf -
	[ -z "${DEB_VERSION:-}" ] || set_version "$SRC" "$DEB_VERSION"
	# neither a make deb VAR=... nor the Makefile's variables in the
	# environment (BUILD above all) may reach the package's own make runs
	(cd "$SRC" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD -u DESTDIR \
		-u PREFIX -u BINDIR -u LIBDIR -u INCLUDEDIR -u MANDIR -u UDEVDIR \
		-u SYSUSERSDIR -u COMPLETIONDIR -u KDIR dpkg-buildpackage -us -uc -b)
	mv "$OUT"/src/*.deb "$OUT"/src/*.buildinfo "$OUT"/src/*.changes "$OUT"/
	rm -rf "$OUT/src"
	[ -n "${DEB_VERSION:-}" ] || echo "$hash" >"$OUT/tree.sha256"
	echo "deb: built in $((SECONDS - start))s:"
	ls -l "$OUT"
}

ensure() {
	if [ "$(cat "$OUT/tree.sha256" 2>/dev/null)" = "$(tree_hash)" ] &&
	   compgen -G "$OUT/uring-dmabuf-dkms_${VERSION}_all.deb" >/dev/null; then
		echo "deb: the packages of this tree are built already ($OUT)"
		return 0
	fi
	build
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
ensure) ensure ;;
*) echo "usage: deb.sh build | check | ensure" >&2; exit 2 ;;
esac
