# Helpers of the CLI VM tests (busybox sh). progs.mk inlines this file into
# each NN-cli-*.sh at its '. "${0%/*}/cli-lib.sh"' line, because the guest
# receives only executables.
#
# Output protocol: "ok DESC", "not ok DESC" followed by "# " diagnostics,
# "ok DESC # SKIP REASON"; exit 0 (all passed), 1 (something failed), 77
# (the whole script skipped after "# SKIP REASON").

CLI=${URING_DMABUF_CLI:-uring-dmabuf}
SYSFS=/sys/class/misc/uring_dmabuf
failed=0
T=$(mktemp -d /tmp/cli-test.XXXXXX) || exit 1
cleanup_hooks=
# A hook may fail a check (unload): then the script fails whatever its status.
exit_hooks() {
	_rc=$?
	eval "$cleanup_hooks"
	rm -rf "$T"
	[ "$failed" = 0 ] || _rc=1
	exit "$_rc"
}
trap exit_hooks EXIT
trap 'exit 1' INT TERM

ok() { echo "ok $*"; }
not_ok() { echo "not ok $*"; failed=1; }
skip() { _desc=$1; shift; echo "ok $_desc # SKIP $*"; }
skip_all() { echo "# SKIP $*"; exit 77; }
diag() { sed 's/^/# /'; }
finish() { exit $failed; }
on_exit() { cleanup_hooks="$cleanup_hooks $*;"; }
# unload MODULE (an on_exit hook): a module left loaded keeps its devices
# busy for the programs after this one, so a failed rmmod is a failure.
unload() {
	rmmod "$1" 2>"$T/rmmod.err" && return 0
	not_ok "rmmod $1"
	{ cat "$T/rmmod.err"; echo "refcnt $(cat "/sys/module/$1/refcnt" 2>/dev/null)"; } | diag
}

command -v "$CLI" >/dev/null 2>&1 || skip_all "$CLI is not on PATH"

# run ARGS...: the CLI's exit status in $rc, its output in $T/out and $T/err.
rc=none
: >"$T/out"
: >"$T/err"
run() { "$CLI" "$@" >"$T/out" 2>"$T/err"; rc=$?; }
# as_nobody 'CMDLINE': run a shell command line as nobody (uid 65534: no
# capabilities) with busybox su, its output and status as run's
as_nobody() { su -s /bin/sh nobody -c "$1" >"$T/out" 2>"$T/err"; rc=$?; }
# run_within SECS ARGS...: run, killed after SECS (then rc is 137)
run_within() {
	_secs=$1
	shift
	timeout -s KILL "$_secs" "$CLI" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# The last run as diagnostics.
show() {
	echo "exit $rc" | diag
	diag <"$T/out"
	sed 's/^/# stderr: /' "$T/err"
}

# check DESC COMMAND...: ok if COMMAND succeeds, else not ok and show the run.
check() {
	_desc=$1
	shift
	if "$@"; then ok "$_desc"; else not_ok "$_desc"; show; fi
}

# Predicates on the last run, for check.
rc_is() { [ "$rc" = "$1" ]; }
out_has() { for s; do grep -q -F -- "$s" "$T/out" || return 1; done; }
err_has() { for s; do grep -q -F -- "$s" "$T/err" || return 1; done; }
err_line() { grep -q -x -F -- "$1" "$T/err"; }
out_empty() { [ ! -s "$T/out" ]; }
err_empty() { [ ! -s "$T/err" ]; }
# usage_error: exit 2, nothing on stdout, and on stderr two lines (as ip and
# ethtool): "Error: ..." and a hint to the command's --help, not the usage
usage_error() {
	rc_is 2 && out_empty && [ "$(wc -l <"$T/err")" = 2 ] &&
		head -n 1 "$T/err" | grep -q '^Error: ' &&
		tail -n 1 "$T/err" | grep -q "^Hint: see 'uring-dmabuf .*--help'\$" &&
		! err_has "Usage:"
}

# wait_binding FILE [PID]: wait (30 s at most, or until PID exits) for a
# background bind-rx to print "binding id" into FILE; false if it did not.
wait_binding() {
	_i=0
	until grep -q "^binding id " "$1" || { [ -n "${2:-}" ] && [ ! -e "/proc/$2" ]; } ||
		[ $_i -ge 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	grep -q "^binding id " "$1"
}

# kver_ge MAJOR MINOR: the running kernel is at least MAJOR.MINOR.
kver_ge() {
	v=$(uname -r)
	maj=${v%%.*}
	min=${v#*.}
	min=${min%%[!0-9]*}
	[ "$maj" -gt "$1" ] || { [ "$maj" -eq "$1" ] && [ "$min" -ge "$2" ]; }
}

counter() { cat "$SYSFS/$1" 2>/dev/null || echo missing; }

# Received skbs freed on another CPU than the one that built them wait on
# that CPU's deferred-free list until it next runs NET_RX, and their payload
# net_iovs, and so the devmem binding, with them: on an idle guest, for ever.
# A ping over loopback from each CPU runs NET_RX there.
kick_net_rx() {
	ip link set lo up 2>/dev/null
	cpus=$(grep -c '^processor' /proc/cpuinfo)
	c=0
	while [ "$c" -lt "$cpus" ]; do
		taskset -c "$c" ping -c 1 -W 1 127.0.0.1 >/dev/null 2>&1
		c=$((c + 1))
	done
}

# Nothing pinned and no buffer left (devmem bindings are freed from
# workqueues once their page pools let go: up to 30 s).
idle() {
	i=0
	while [ $i -lt 300 ]; do
		[ "$(counter buffers)" = 0 ] && [ "$(counter pinned_bytes)" = 0 ] &&
			[ "$(counter attachments)" = 0 ] && return 0
		[ $((i % 10)) = 0 ] && kick_net_rx
		sleep 0.1
		i=$((i + 1))
	done
	echo "buffers=$(counter buffers) pinned_bytes=$(counter pinned_bytes) attachments=$(counter attachments)" | diag
	return 1
}

# json_ok FILE: one JSON object, brackets balanced and matched outside
# strings, no raw control characters in strings, no key twice in an object,
# nothing after it.
json_ok() {
	awk '{ s = s $0 "\n" }
	END {
		n = length(s); depth = 0; instr = 0; esc = 0; done = 0; bad = 0
		wantkey = 0; iskey = 0; nobj = 0
		for (i = 1; i <= n && !bad; i++) {
			c = substr(s, i, 1)
			if (instr) {
				if (esc) esc = 0
				else if (c == "\\") esc = 1
				else if (c == "\"") {
					instr = 0
					if (iskey) {
						if ((obj[depth], key) in seen) {
							print "# duplicate key \"" key "\""
							bad = 1
						}
						seen[obj[depth], key] = 1
						iskey = 0
					}
					continue
				} else if (c == "\n" || c == "\t") bad = 1
				if (iskey) key = key c
				continue
			}
			if (c == " " || c == "\n" || c == "\t" || c == "\r") continue
			if (done || (depth == 0 && c != "{")) { bad = 1; continue }
			if (c == "\"") {
				instr = 1
				iskey = wantkey
				key = ""
				wantkey = 0
			} else if (c == "{") {
				stack[++depth] = c
				obj[depth] = ++nobj
				wantkey = 1
			} else if (c == "[") {
				stack[++depth] = c
				wantkey = 0
			} else if (c == ",") {
				wantkey = stack[depth] == "{"
			} else if (c == "}" || c == "]") {
				wantkey = 0
				if ((c == "}" && stack[depth] != "{") || (c == "]" && stack[depth] != "["))
					bad = 1
				else if (--depth == 0)
					done = 1
			} else {
				wantkey = 0
			}
		}
		exit (bad || !done || instr) ? 1 : 0
	}' "$1"
}

# json_num KEY: the number of "KEY": in the last run's output (keys are unique).
json_num() { sed -n "s/.*\"$1\":\([0-9][0-9]*\).*/\1/p" "$T/out" | head -n 1; }
# json_num_is KEY VALUE / json_num_ge KEY MIN
json_num_is() { [ "$(json_num "$1")" = "$2" ]; }
json_num_ge() { v=$(json_num "$1"); [ -n "$v" ] && [ "$v" -ge "$2" ]; }
out_json() { json_ok "$T/out"; }

# A veth interface $dev (up), or lo when veth is unavailable ($dev_kind says
# which). busybox ip has no "peer name": the peer gets a vethN name.
# shellcheck disable=SC2034  # dev and dev_kind are for the scripts
make_dev() {
	modprobe veth 2>/dev/null
	if ip link add name udv0 type veth >"$T/ip.err" 2>&1 && ip link set udv0 up; then
		dev=udv0 dev_kind=veth
		on_exit "ip link del udv0 2>/dev/null"
	else
		echo "veth unavailable, using lo:" | diag
		diag <"$T/ip.err"
		dev=lo dev_kind=loopback
		ip link set lo up
	fi
}
