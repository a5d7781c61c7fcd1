#!/bin/sh
# SPDX-License-Identifier: MIT
# What make install and make uninstall do to the running system after the
# files are in place (or gone): the device group, udev, the linker cache.
#
#   post-install.sh install SYSUSERS_CONF
#       creates the groups of SYSUSERS_CONF (the installed sysusers.d file):
#       systemd-sysusers on that file when there is one, else groupadd
#       --system for each group still missing; then reloads udev's rules and
#       re-applies them to /dev/uring_dmabuf (only where udev runs); then
#       ldconfig
#   post-install.sh uninstall
#       reloads udev and re-applies what rules remain; ldconfig. The group
#       stays: files may belong to it, and users may be in it.
#
# With DESTDIR set (a staging tree for a package) it only says what it
# leaves to the package's own scripts: nothing outside DESTDIR is touched.
set -u

PATH=$PATH:/usr/sbin:/sbin
export PATH

say() { printf 'post-install: %s\n' "$*"; }

udev_apply() {
	if ! command -v udevadm >/dev/null 2>&1 || [ ! -S /run/udev/control ]; then
		say "udev is not running: nothing to reload"
		return 0
	fi
	udevadm control --reload || say "warning: udevadm control --reload failed"
	udevadm trigger --action=change --subsystem-match=misc \
		--sysname-match=uring_dmabuf ||
		say "warning: udevadm trigger failed"
}

ldcache() {
	if command -v ldconfig >/dev/null 2>&1; then
		ldconfig || say "warning: ldconfig failed"
	fi
}

groups_create() {
	conf=$1
	[ -f "$conf" ] || { say "error: no $conf"; return 1; }
	if command -v systemd-sysusers >/dev/null 2>&1; then
		systemd-sysusers "$conf" || { say "error: systemd-sysusers $conf failed"; return 1; }
	else
		for g in $(awk '$1 == "g" { print $2 }' "$conf"); do
			getent group "$g" >/dev/null && continue
			groupadd --system "$g" || { say "error: groupadd --system $g failed"; return 1; }
		done
	fi
	for g in $(awk '$1 == "g" { print $2 }' "$conf"); do
		getent group "$g" >/dev/null || { say "error: group $g missing"; return 1; }
		say "group $g: $(getent group "$g")"
	done
}

cmd=${1:-}
if [ -n "${DESTDIR:-}" ]; then
	say "DESTDIR is set: group, udev reload and ldconfig left to the package's scripts"
	exit 0
fi
case $cmd in
install)
	groups_create "${2:?usage: post-install.sh install SYSUSERS_CONF}" || exit 1
	udev_apply
	ldcache
	;;
uninstall)
	udev_apply
	ldcache
	;;
*)
	echo "usage: post-install.sh install SYSUSERS_CONF | uninstall" >&2
	exit 2
	;;
esac
