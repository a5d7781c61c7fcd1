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
#                                      to a rebuilt N+1, remove, purge, in
#                                      kernel K's build chroot

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

# --- make deb-lifecycle ----------------------------------------------------------
# A build chroot's file names, but for what changes without any package of
# ours: kernel file systems, scratch, caches, logs, apt's and dpkg's state.
_pkg_fs_listing() {
	local root=$1
	(cd "$root" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./run \
		-o -path ./tmp -o -path ./var/tmp -o -path ./var/cache -o -path ./var/log \
		-o -path ./var/lib/apt -o -path ./var/lib/dpkg -o -path ./var/backups \) -prune -o -print) |
		LC_ALL=C sort
}

# N+1 of version N: the last number one up (0.1.0 -> 0.1.1).
_pkg_next_version() {
	local v=$1
	echo "${v%.*}.$((${v##*.} + 1))"
}

# One verdict line: _lc_check DESC COMMAND... (its output: the log, and the
# diagnostics if it fails)
_lc_pass=0 _lc_fail=0
_lc_check() {
	local desc=$1 out=$_lc_log.step rc=0; shift
	"$@" >"$out" 2>&1 || rc=$?
	cat "$out" >>"$_lc_log"
	if [ "$rc" = 0 ]; then
		echo "ok deb-lifecycle: $desc"
		_lc_pass=$((_lc_pass + 1))
	else
		echo "not ok deb-lifecycle: $desc"
		_lc_fail=$((_lc_fail + 1))
		tail -n 15 "$out" | sed 's/^/#   /'
	fi
}

# The module of version VER is what DKMS has installed for KVER in ENV.
_lc_module_is() {
	local env=$1 ver=$2 kver=$3 ko
	_pkg_dkms_installed "$env" "$ver" "$kver" || { echo "dkms: $ver not installed for $kver"; return 1; }
	ko=$(build_env_run "$env" "ls /lib/modules/$kver/updates/dkms/$DKMS_KO.ko*")
	[ "$(build_env_run "$env" "modinfo -F version $ko")" = "$ver" ] ||
		{ echo "modinfo: $ko is not version $ver"; return 1; }
}

# Nothing of version VER is left in ENV: no DKMS tree, no sources, no library.
_lc_version_gone() {
	local env=$1 ver=$2 root
	root=$(build_env_root "$env")
	if build_env_run "$env" "dkms status -m $DKMS_NAME -v $ver" | grep -q .; then
		echo "dkms still knows $DKMS_NAME $ver"; return 1
	fi
	for f in "/usr/src/$DKMS_NAME-$ver" "/var/lib/dkms/$DKMS_NAME/$ver" \
		 "/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/liburing-dmabuf.so.$ver"; do
		[ ! -e "$root$f" ] || { echo "$f is still there"; return 1; }
	done
}

# No module of ours for KVER, and DKMS knows none.
_lc_module_gone() {
	local env=$1 kver=$2 root
	root=$(build_env_root "$env")
	! compgen -G "$root/lib/modules/$kver/updates/dkms/$DKMS_KO.ko*" >/dev/null ||
		{ echo "a $DKMS_KO.ko is still in /lib/modules/$kver/updates/dkms"; return 1; }
	! build_env_run "$env" "dkms status -m $DKMS_NAME" | grep -q . ||
		{ echo "dkms still knows $DKMS_NAME"; return 1; }
}

_lc_remove_dkms() {
	build_env_run "$1" "apt-get -q -y remove uring-dmabuf-dkms" && _lc_module_gone "$1" "$2"
}

_lc_same_files() {
	diff "$1" "$2" && echo "$(wc -l <"$1") paths, the same"
}

_lc_nothing_known() {
	[ -z "$(_pkg_present "$1")" ] || { _pkg_present "$1"; return 1; }
}

_lc_cli_is() {
	build_env_run "$1" "uring-dmabuf --version" | grep -qx "uring-dmabuf $2"
}

# In ENV, kernel KVER: install N, purge, list the files; install N again,
# upgrade to N+1 (the tree rebuilt as N+1 by deb.sh), remove the module's
# package, purge everything, list again. Verdict lines and a tally.
_packages_lifecycle() {
	local k=$1 kver=$2 env=$3 ver next root before after
	ver=$(cat "$TOP/VERSION")
	next=$(_pkg_next_version "$ver")
	root=$(build_env_root "$env")
	_lc_log=$VMBUILD/deb-lifecycle/log
	mkdir -p "$VMBUILD/deb-lifecycle"
	: >"$_lc_log"
	before=$VMBUILD/deb-lifecycle/files-before after=$VMBUILD/deb-lifecycle/files-after
	log "$k: packages $ver and $next in $env for $kver"
	_pkg_ensure_built "$_lc_log"
	DEB_VERSION=$next DEB_OUT=$VMBUILD/deb-lifecycle/next "$TOP/scripts/deb.sh" build >>"$_lc_log" 2>&1 ||
		{ tail -n 30 "$_lc_log" >&2; die "building the packages as $next failed (log: $_lc_log)"; }
	# A first install brings the dependencies (dkms, systemd...): they stay.
	packages_purge "$env" "$_lc_log"
	_pkg_drop_tree_copies "$env" "$_lc_log"
	# shellcheck disable=SC2046
	_pkg_apt_install "$env" "$_lc_log" $(_pkg_debs "$ver" "$BUILD/deb") ||
		{ tail -n 30 "$_lc_log" >&2; die "$env: installing the packages failed (log: $_lc_log)"; }
	packages_purge "$env" "$_lc_log"
	_pkg_fs_listing "$root" >"$before"

	# shellcheck disable=SC2046
	_lc_check "install $ver: apt-get installs the three packages" \
		_pkg_apt_install "$env" "$_lc_log" $(_pkg_debs "$ver" "$BUILD/deb")
	_lc_check "install $ver: the package's DKMS built and installed uring_dmabuf $ver for $kver" \
		_lc_module_is "$env" "$ver" "$kver"
	# shellcheck disable=SC2046
	_lc_check "upgrade to $next: apt-get installs the rebuilt packages" \
		_pkg_apt_install "$env" "$_lc_log" $(_pkg_debs "$next" "$VMBUILD/deb-lifecycle/next")
	_lc_check "upgrade to $next: DKMS rebuilt uring_dmabuf as $next for $kver" \
		_lc_module_is "$env" "$next" "$kver"
	_lc_check "upgrade to $next: the CLI is $next" _lc_cli_is "$env" "$next"
	_lc_check "upgrade to $next: nothing of $ver is left (DKMS, /usr/src, the library)" \
		_lc_version_gone "$env" "$ver"
	_lc_check "remove uring-dmabuf-dkms: the module is gone for $kver and from DKMS" \
		_lc_remove_dkms "$env" "$kver"
	packages_purge "$env" "$_lc_log"
	_lc_check "purge: dpkg knows no uring-dmabuf package" _lc_nothing_known "$env"
	_pkg_fs_listing "$root" >"$after"
	_lc_check "purge: the file system is as before the first install (file names compared)" \
		_lc_same_files "$before" "$after"
	grep 'paths, the same$' "$_lc_log" | sed 's/^/# /' || :
	rm -f "$_lc_log.step"
	echo "$_lc_pass passed, $_lc_fail failed"
	[ "$_lc_fail" = 0 ]
}

packages_lifecycle() {
	local k=$1 kver
	kver=$(kernel_kver "$k")
	kernel_def "$k"
	case $K_ENV in
	host | kdir) die "$k: the package life cycle runs in a build chroot, not on $K_ENV" ;;
	esac
	with_env_lock "$K_ENV" _packages_lifecycle "$k" "$kver" "$K_ENV"
}
