# shellcheck shell=bash
# The Debian packages (make deb) in a build environment. Where a kernel is
# built on the host or in the trixie chroot, its module comes the way a
# user gets it: apt-get install of the .debs, whose postinst (dh_dkms) has
# DKMS build and install it for every kernel with headers there; the guest
# then boots that module, with the packaged CLI and library. The sid chroot
# keeps the tree's path (make dkms-install, dkms add/build/install): both
# paths own /usr/src/uring-dmabuf-VERSION, so each environment has one.
#
#   packages_env ENV                   true if ENV builds from the packages
#   packages_install K KVER ENV LOG    the packages of this tree installed in
#                                      ENV, their module built for KVER
#   packages_stage K KVER ENV ROOT     the packaged CLI, its shared libraries,
#                                      udev rule, sysusers entry and md5sums,
#                                      and what the guest checks them by
#                                      (05-packaged.sh), as a tree in ROOT
#   packages_purge ENV LOG             every uring-dmabuf package purged
#   packages_lifecycle K               make deb-lifecycle: install, upgrade
#                                      to a rebuilt N+1, remove, purge

PACKAGED_ENVS="host trixie"
PKG_RUNTIME="uring-dmabuf-dkms liburing-dmabuf0 uring-dmabuf-tools"
PKG_ALL="$PKG_RUNTIME liburing-dmabuf-dev"

packages_env() {
	case " $PACKAGED_ENVS " in *" $1 "*) return 0 ;; esac
	return 1
}

# The .debs of version VER in DIR that a user installs (not the -dev one).
_pkg_debs() {
	local ver=$1 dir=$2 arch
	arch=$(dpkg --print-architecture)
	echo "$dir/uring-dmabuf-dkms_${ver}_all.deb" \
	     "$dir/liburing-dmabuf0_${ver}_${arch}.deb" \
	     "$dir/uring-dmabuf-tools_${ver}_${arch}.deb"
}

# The packages of this very tree in $BUILD/deb (built unless they are).
_pkg_ensure_built() {
	local log=$1
	mkdir -p "$BUILD"
	flock "$BUILD/.deb.lock" env BUILD="$BUILD" "$TOP/scripts/deb.sh" ensure >>"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; die "make deb failed (log: $log)"; }
}

# apt-get install of .deb files in ENV, copied into it first; the package
# lists are refreshed once if a dependency could not be fetched.
_pkg_apt_install() {
	local env=$1 log=$2 root inner cmd d; shift 2
	root=$(build_env_root "$env")
	inner=/var/tmp/uring-dmabuf-debs
	rm -rf "${root%/}$inner"
	mkdir -p "${root%/}$inner"
	cmd="apt-get -q -y --reinstall --allow-downgrades install"
	for d; do
		cp "$d" "${root%/}$inner/"
		cmd="$cmd $inner/$(basename "$d")"
	done
	build_env_run "$env" "$cmd" >>"$log" 2>&1 ||
		{ build_env_run "$env" "apt-get -q update" >>"$log" 2>&1 &&
		  build_env_run "$env" "$cmd" >>"$log" 2>&1; } || return 1
	rm -rf "${root%/}$inner"
}

# dpkg-query in ENV: "PACKAGE VERSION" of each uring-dmabuf package dpkg
# has files or configuration of.
_pkg_present() {
	# shellcheck disable=SC2016  # (dpkg-query's format, not the shell's)
	build_env_run "$1" "dpkg-query -W -f='\${Package} \${Version} \${db:Status-Abbrev}\n' $PKG_ALL 2>/dev/null || :" |
		awk '$3 ~ /^[a-z][^n]/ { print $1, $2 }'
}

# Every package of PKG_RUNTIME is installed in ENV at version VER.
_pkg_all_at() {
	local present p
	present=$(_pkg_present "$1")
	for p in $PKG_RUNTIME; do
		printf '%s\n' "$present" | grep -qx "$p $2" || return 1
	done
}

packages_purge() {
	local env=$1 log=$2 pkgs
	rm -f "$CACHE/packages/$env.installed"
	pkgs=$(_pkg_present "$env" | cut -d' ' -f1 | tr '\n' ' ')
	[ -n "${pkgs// /}" ] || return 0
	build_env_run "$env" "apt-get -q -y purge $pkgs" >>"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; die "$env: apt-get purge $pkgs failed (log: $log)"; }
}

# What make dkms-install and dkms add left in ENV (sources no package owns):
# dkms would build those rather than the package's.
_pkg_drop_tree_copies() {
	local env=$1 log=$2 root d v
	root=$(build_env_root "$env")
	for d in "${root%/}"/usr/src/"$DKMS_NAME"-*; do
		[ -d "$d" ] || continue
		v=${d##*/"$DKMS_NAME"-}
		build_env_run "$env" "dpkg-query -S /usr/src/$DKMS_NAME-$v >/dev/null 2>&1" && continue
		log "$env: dropping $DKMS_NAME $v of make dkms-install (the packages own it now)"
		build_env_run "$env" "dkms remove $DKMS_NAME/$v --all" >>"$log" 2>&1 || :
		rm -rf "$d"
	done
}

# dkms status of VER for KVER in ENV is "installed".
_pkg_dkms_installed() {
	build_env_run "$1" "dkms status -m $DKMS_NAME -v $2 -k $3" 2>/dev/null | grep -q ': installed'
}

packages_install() {
	local k=$1 kver=$2 env=$3 log=$4 ver stamp want owner
	ver=$(cat "$TOP/VERSION")
	_pkg_ensure_built "$log"
	stamp=$CACHE/packages/$env.installed
	want="$(cat "$BUILD/deb/tree.sha256") $ver"
	# installed already from these very .debs, and built for this kernel
	if stamp_ok "$stamp" "$want" && _pkg_all_at "$env" "$ver" &&
	   _pkg_dkms_installed "$env" "$ver" "$kver"; then
		log "$k: the packages of this tree are installed in $env already"
	else
		mkdir -p "$CACHE/packages"
		rm -f "$stamp"
		_pkg_drop_tree_copies "$env" "$log"
		log "$k: apt-get install of the packages in $env (DKMS builds the module)"
		# shellcheck disable=SC2046
		_pkg_apt_install "$env" "$log" $(_pkg_debs "$ver" "$BUILD/deb") ||
			{ tail -n 40 "$log" >&2; die "$k: apt-get install of the packages failed in $env (log: $log)"; }
		stamp_set "$stamp" "$want"
	fi
	_pkg_all_at "$env" "$ver" || die "$k: the packages in $env are not all at $ver: $(_pkg_present "$env" | tr '\n' ' ')"
	owner=$(build_env_run "$env" "dpkg-query -S /usr/src/$DKMS_NAME-$ver/dkms.conf" 2>/dev/null | cut -d: -f1)
	[ "$owner" = uring-dmabuf-dkms ] ||
		die "$k: /usr/src/$DKMS_NAME-$ver is not uring-dmabuf-dkms's in $env (dpkg says '${owner:-nothing}')"
	_pkg_dkms_installed "$env" "$ver" "$kver" ||
		{ tail -n 40 "$log" >&2; die "$k: the package's DKMS did not install $DKMS_NAME $ver for $kver in $env (log: $log)"; }
}

# The CLI and every shared object it loads (ldd in ENV), each at its real
# path with the names ldd gave as symlinks: the guest's ld.so finds them in
# the default directories, the loader at the path the binary names.
_pkg_stage_cli() {
	local env=$1 root=$2 dst=$3 name real
	build_env_run "$env" 'ldd /usr/bin/uring-dmabuf' >"$dst.ldd" 2>&1 ||
		{ cat "$dst.ldd" >&2; die "$env: ldd /usr/bin/uring-dmabuf failed: is the packaged CLI dynamic?"; }
	grep -q 'liburing-dmabuf\.so\.0 => /' "$dst.ldd" ||
		{ cat "$dst.ldd" >&2; die "$env: the packaged CLI does not load liburing-dmabuf.so.0"; }
	awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' "$dst.ldd" |
		while read -r name; do
			real=$(build_env_run "$env" "readlink -f $name")
			mkdir -p "$dst$(dirname "$real")" "$dst$(dirname "$name")"
			cp -L "${root%/}$real" "$dst$real"
			[ "$name" = "$real" ] || ln -sfn "$real" "$dst$name"
		done
	rm -f "$dst.ldd"
	install -D -m 0755 "${root%/}/usr/bin/uring-dmabuf" "$dst/usr/bin/uring-dmabuf"
}

packages_stage() {
	local k=$1 kver=$2 env=$3 dst=$4 root ver f p md5
	root=$(build_env_root "$env")
	ver=$(cat "$TOP/VERSION")
	rm -rf "$dst"
	mkdir -p "$dst/etc/uring-dmabuf-test" "$dst/var/lib/dpkg/info"
	_pkg_stage_cli "$env" "$root" "$dst"
	for f in /usr/lib/udev/rules.d/70-uring-dmabuf.rules /usr/lib/sysusers.d/uring-dmabuf.conf; do
		[ -f "${root%/}$f" ] || die "$k: uring-dmabuf-tools installed no $f in $env"
		install -D -m 0644 "${root%/}$f" "$dst$f"
	done
	# dpkg's own record of the files, for the guest to check them by
	for p in uring-dmabuf-tools liburing-dmabuf0; do
		md5=$(build_env_run "$env" "dpkg-query --control-path $p md5sums")
		cp "${root%/}$md5" "$dst/var/lib/dpkg/info/$p.md5sums"
	done
	{
		echo "# The packages this guest's module, CLI and library come from (tests/vm/lib/packages.sh)"
		echo "PKG_VERSION=$ver"
		echo "PKG_KVER=$kver"
		echo "PKG_ENV=$env"
		echo "PKG_INSTALLED='$(_pkg_present "$env" | tr '\n' ';' | sed 's/;$//')'"
	} >"$dst/etc/uring-dmabuf-test/packaged"
}
