#!/bin/sh
# The packaged path: on a kernel whose module the harness took from the
# Debian packages (tests/vm/lib/packages.sh), the module loaded here is the
# file uring-dmabuf-dkms's DKMS built, and the CLI every later program runs
# is uring-dmabuf-tools' dynamically linked binary with liburing-dmabuf0's
# library, each checked against dpkg's own md5sums.
. "${0%/*}/cli-lib.sh"

P=/etc/uring-dmabuf-test/packaged
[ -f "$P" ] || skip_all "this kernel's module comes from the tree (make dkms-install), not from the packages"
# shellcheck source=/dev/null  # (written by the harness: tests/vm/lib/packages.sh)
. "$P"
kver=$(uname -r)
check "packages: built for this kernel ($PKG_KVER, in $PKG_ENV)" [ "$PKG_KVER" = "$kver" ]
echo "# installed there: $PKG_INSTALLED"

# The module: the package's version, loaded from the file its DKMS built.
check "module: /sys/module/uring_dmabuf/version is the packages' $PKG_VERSION" \
	[ "$(cat /sys/module/uring_dmabuf/version 2>/dev/null)" = "$PKG_VERSION" ]
dep=$(grep -o '^[^:]*uring_dmabuf\.ko' "/lib/modules/$kver/modules.dep")
check "module: modprobe loads updates/dkms/uring_dmabuf.ko (modules.dep: $dep)" \
	[ "$dep" = updates/dkms/uring_dmabuf.ko ]
ko_sum=$(sha256sum "/lib/modules/$kver/updates/dkms/uring_dmabuf.ko" 2>/dev/null | cut -d' ' -f1)
ko_is_packaged() { [ -n "${PKG_KO_SHA256:-}" ] && [ "$ko_sum" = "$PKG_KO_SHA256" ]; }
check "module: the file is the one the packages' DKMS built" ko_is_packaged

# The CLI and the library: dpkg's files, the CLI loading the library.
cli=$(command -v "$CLI")
check "CLI: $CLI on PATH is /usr/bin/uring-dmabuf" [ "$cli" = /usr/bin/uring-dmabuf ]
for p in uring-dmabuf-tools liburing-dmabuf0; do
	grep -E ' (usr/bin/uring-dmabuf|usr/lib/[^/]+/liburing-dmabuf\.so\.[0-9.]+)$' \
		"/var/lib/dpkg/info/$p.md5sums" >"$T/$p.md5sums"
	if (cd / && md5sum -c "$T/$p.md5sums") >"$T/md5.out" 2>&1 && [ -s "$T/$p.md5sums" ]; then
		ok "$p: $(cut -d' ' -f3 "$T/$p.md5sums" | tr '\n' ' ')match dpkg's md5sums"
	else
		not_ok "$p: the guest's files match dpkg's md5sums"
		diag <"$T/md5.out"
	fi
done
# glibc's loader lists what it maps instead of running the program
LD_TRACE_LOADED_OBJECTS=1 "$cli" >"$T/ldd" 2>&1
lib=$(sed -n 's/^[[:space:]]*liburing-dmabuf\.so\.0 => \([^ ]*\) .*/\1/p' "$T/ldd")
real=$(readlink -f "$lib" 2>/dev/null)
if [ -n "$lib" ] && grep -q " ${real#/}\$" "$T/liburing-dmabuf0.md5sums"; then
	ok "CLI: dynamically linked, loads liburing-dmabuf.so.0 from $lib ($real, liburing-dmabuf0's)"
else
	not_ok "CLI: dynamically linked, loads liburing-dmabuf0's liburing-dmabuf.so.0"
	diag <"$T/ldd"
fi

run version
check "CLI: 'uring-dmabuf version' names tool $PKG_VERSION, library ${PKG_VERSION%.*}, module $PKG_VERSION" \
	out_has "uring-dmabuf $PKG_VERSION" "library: ${PKG_VERSION%.*}" "module: $PKG_VERSION"
check "the uring-dmabuf group of the package's sysusers.d entry exists" \
	grep -q '^uring-dmabuf:' /etc/group
finish
