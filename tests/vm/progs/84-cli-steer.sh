#!/bin/sh
# bind-rx --steer and restore on the simulated NIC: during the binding the
# device is set up for the flows (header split on, a flow rule per port to
# the bound queue, that queue out of RSS), and after it the device is
# exactly as found (rings, ntuple, every rule, the whole RSS table, read
# from the driver's debugfs) for a clean exit, SIGTERM, the command failing
# and SIGKILL + restore; a stale journal refuses the next --steer naming the
# restore command; a conflicting rule refuses with nothing changed.
# Header split starts off, hds-thresh at 256 on 6.14+ (before, the kernel
# has no such setting), ntuple on (the simulated NIC's fixed default).
. "${0%/*}/cli-lib.sh"

kver_ge 6 12 || skip_all "devmem TCP needs Linux 6.12+, this is $(uname -r): nothing to steer for"
if [ -d /sys/class/net/sim0a ]; then
	rmmod uring_dmabuf_simnic 2>/dev/null
fi
# Header split off at first: --steer must turn it on, and off again.
modprobe uring_dmabuf_simnic tcp_data_split=0 2>/dev/null && on_exit "unload uring_dmabuf_simnic"
[ -d /sys/class/net/sim0a ] ||
	skip_all "no simulated NIC (uring_dmabuf_simnic not available): nothing to steer"
dev=sim0a
D=/sys/kernel/debug/uring_dmabuf_simnic/$dev
J=/run/uring-dmabuf/$dev.journal
[ -r "$D/ethtool" ] || { mount -t debugfs none /sys/kernel/debug 2>/dev/null; }
[ -r "$D/ethtool" ] || skip_all "no debugfs view of $dev's settings ($D/ethtool)"
ip link set sim0a up
ip link set sim0b up
on_exit "rm -f $J"

# The device as the driver holds it: rings, ntuple, rules, RSS table.
state() { cat "$D/ethtool" "$D/steer" "$D/rss"; }
same_as_before() { state >"$T/now" && cmp -s "$T/before" "$T/now"; }
show_diff() { diff "$T/before" "$T/now" | diag; }
# A rule "LOC tcp4|tcp6 PORT QUEUE" in the snapshot $1.
has_rule() { grep -q "^[0-9]* $2 $3 $4\$" "$1"; }
# RSS table of the snapshot $1 (after the 4 ethtool lines and the rules).
rss_of() { awk '/^[0-9]+ tcp[46] /{next} NR > 4' "$1" | tr ' ' '\n' | grep -v '^$'; }

# check_during SNAP PROTO PORT...: split on, each port to queue 1, queue 1
# out of RSS, the foreign rule (port 6000 to queue 2) still there; the
# journal as it was then is in $T/journal.
check_during() {
	snap=$1 proto=$2
	shift 2
	check "$what: header split on during the binding" grep -qx "tcp-data-split 2" "$snap"
	check "$what: hds-thresh 0 during the binding" grep -qx "hds-thresh 0" "$snap"
	for port; do
		check "$what: rule $proto dst-port $port to queue 1 during the binding" \
			has_rule "$snap" "$proto" "$port" 1
	done
	rss_of "$snap" >"$T/rss.list"
	check "$what: queue 1 out of the RSS table during the binding" \
		sh -c "! grep -qx 1 '$T/rss.list'"
	check "$what: the RSS table still spreads over queues 0 and 2, not 3" \
		sh -c "grep -qx 0 '$T/rss.list' && grep -qx 2 '$T/rss.list' && ! grep -qx 3 '$T/rss.list'"
	check "$what: the rule found (port 6000 to queue 2) stays" has_rule "$snap" tcp4 6000 2
	check "$what: the journal exists during the binding" test -s "$T/journal"
}

check_after() {
	if same_as_before; then
		ok "$what: $dev is exactly as found afterwards"
	else
		not_ok "$what: $dev is exactly as found afterwards"
		show_diff
	fi
	check "$what: no journal afterwards" test ! -e "$J"
	check "$what: nothing stays pinned" idle
}

# snap_during: the device and the journal while a binding is held.
snap_during() { state >"$T/during"; cat "$J" >"$T/journal" 2>/dev/null; }
# The command after -- that takes that snapshot, then exits with $1.
snap_cmd() { echo "cat $D/ethtool $D/steer $D/rss >$T/during; cat $J >$T/journal; exit $1"; }

# bg_bind ARGS...: bind-rx in the background until "binding id" shows.
bg_bind() {
	: >"$T/bg.out"
	"$CLI" bind-rx "$dev" --queues 1 --size 4M "$@" >"$T/bg.out" 2>"$T/bg.err" &
	bpid=$!
	wait_binding "$T/bg.out" "$bpid"
}

# The starting point: header split off (module parameter), a rule found
# on the device (port 6000 to queue 2, tcp4 and tcp6), an RSS table that
# spreads over queues 0-2 only ("ethtool -X equal 3").
# hds-thresh 256 where the kernel has it (6.14+): --steer sets it to 0.
echo "6000 2" >"$D/steer"
echo 3 >"$D/rss"
thresh=0
if kver_ge 6 14; then
	echo 256 >"$D/ethtool" && thresh=256
fi
state >"$T/before"
check "starting point: header split off" grep -qx "tcp-data-split 1" "$T/before"
if [ "$thresh" != 0 ]; then
	check "starting point: hds-thresh 256" grep -qx "hds-thresh 256" "$T/before"
fi
check "starting point: rule tcp4 dst-port 6000 to queue 2" has_rule "$T/before" tcp4 6000 2
check "starting point: queue 3 out of RSS" sh -c "! grep -qw 3 '$D/rss'"
state | diag

# 1. Clean exit of the command after --, two ports, the snapshot taken by it.
what="clean exit"
run_within 120 bind-rx "$dev" --queues 1 --size 4M --steer 5201,5202 -- \
	sh -c "$(snap_cmd 0)"
check "$what: bind-rx --steer 5201,5202 -- CMD exits 0" rc_is 0 || show
# with a COMMAND, bind-rx's own output goes to stderr: stdout is the command's
check "$what: the output says what is steered" err_has "steered: tcp4 dst-port 5201 5202 to queue 1"
check_during "$T/during" tcp4 5201 5202
check "$what: the journal names the device, the split found and the rules" \
	sh -c "grep -qx 'ifname $dev' '$T/journal' && grep -qx 'split 1' '$T/journal' && grep -q '^rule tcp4 5201 1 [0-9]' '$T/journal'"
if [ "$thresh" != 0 ]; then
	check "$what: the journal has the hds-thresh found" grep -qx "hds-thresh 256" "$T/journal"
else
	check "$what: hds-thresh was 0: the journal has none" sh -c "! grep -q '^hds-thresh' '$T/journal'"
fi
check_after

# 2. SIGTERM to a bind-rx that holds the binding, IPv6 rules, JSON.
what="SIGTERM"
if bg_bind --steer 5201 --proto tcp6; then
	ok "$what: bind-rx --steer 5201 --proto tcp6 holds the binding"
	snap_during
	check_during "$T/during" tcp6 5201
	check "$what: no tcp4 rule for 5201" sh -c "! grep -q ' tcp4 5201 ' '$T/during'"
	kill -TERM "$bpid"
	wait "$bpid"
	rc=$?
	check "$what: bind-rx exits 0" rc_is 0
	sed 's/^/# stderr: /' "$T/bg.err"
	check_after
else
	not_ok "$what: bind-rx --steer 5201 --proto tcp6 holds the binding"
	diag <"$T/bg.out"
	sed 's/^/# stderr: /' "$T/bg.err"
	kill -KILL "$bpid" 2>/dev/null
	wait "$bpid"
fi

# 3. The command after -- failing (exit 3), and one that cannot run (127).
rm -f "$T/journal"
what="command fails"
run_within 120 bind-rx "$dev" --queues 1 --size 4M --steer 5201 -- \
	sh -c "$(snap_cmd 3)"
check "$what: bind-rx exits with the command's status 3" rc_is 3 || show
check_during "$T/during" tcp4 5201
check_after
what="command missing"
run_within 120 bind-rx "$dev" --queues 1 --size 4M --steer 5201 -- /nonexistent/cmd
check "$what: bind-rx exits 127" rc_is 127 || show
check_after

# The same in JSON: one document, the steering as an object.
what="JSON"
run_within 120 -j bind-rx "$dev" --queues 1 --size 4M --steer 5201 -- true
check "$what: -j bind-rx --steer 5201 -- true exits 0" rc_is 0 || show
check "$what: nothing on stdout (the command's)" out_empty
cp "$T/err" "$T/out"	# bind-rx's document, on stderr beside a COMMAND
check "$what: one JSON document" out_json
check "$what: the steering as an object" \
	out_has '"steer":{"proto":"tcp4","ports":[5201],"queues":[1]}'
check_after

# 4. SIGKILL: the device stays steered, the journal stays; the next --steer
# refuses naming restore, changing nothing; restore puts it back.
what="SIGKILL"
if bg_bind --steer 5201; then
	ok "$what: bind-rx --steer 5201 holds the binding"
	kill -KILL "$bpid"
	wait "$bpid"
	state >"$T/killed"
	check "$what: the device is still steered (rule to queue 1)" has_rule "$T/killed" tcp4 5201 1
	check "$what: the journal stays" test -s "$J"
	check "$what: the binding went with the process" idle
	run_within 60 bind-rx "$dev" --queues 1 --size 4M --steer 5201
	check "stale journal: the next bind-rx --steer exits 1" rc_is 1
	check "stale journal: its error names 'uring-dmabuf restore $dev'" \
		err_has "Error: " "uring-dmabuf restore $dev"
	state >"$T/now"
	check "stale journal: the refusal changed nothing" cmp -s "$T/killed" "$T/now"
	check "stale journal: nothing pinned by the refusal" idle
	run_within 60 restore "$dev"
	check "restore $dev exits 0" rc_is 0 || show
	check "restore $dev says so" out_has "restored $dev"
	check_after
	run_within 60 restore "$dev"
	check "restore $dev again: exit 1, no journal" rc_is 1
	check "restore $dev again: says there is no journal" err_has "no steering journal of $dev"
else
	not_ok "$what: bind-rx --steer 5201 holds the binding"
	diag <"$T/bg.out"
	sed 's/^/# stderr: /' "$T/bg.err"
	kill -KILL "$bpid" 2>/dev/null
	wait "$bpid"
fi

# 5. A rule found for the same port: refused before anything changes.
what="conflicting rule"
run_within 60 bind-rx "$dev" --queues 1 --size 4M --steer 5201,6000
check "$what: bind-rx --steer 6000 exits 1" rc_is 1
check "$what: the error names the rule and the port" err_has "already steers tcp4 dst-port 6000"
check_after

# The driver's default RSS table (queues 0-3 in turn): restored as the
# default (ETHTOOL_SRXFHINDIR of size 0), the same table again.
what="default RSS table"
echo 4 >"$D/rss"
state >"$T/before"
run_within 120 bind-rx "$dev" --queues 1 --size 4M --steer 5201 -- \
	sh -c "$(snap_cmd 0)"
check "$what: bind-rx --steer 5201 -- CMD exits 0" rc_is 0 || show
rss_of "$T/during" >"$T/rss.list"
check "$what: queue 1 out of it, queue 3 in it during the binding" \
	sh -c "! grep -qx 1 '$T/rss.list' && grep -qx 3 '$T/rss.list'"
check_after

# 6. Usage: --proto without --steer, a bad port, restore without DEV.
run bind-rx "$dev" --queues 1 --proto tcp6
check "bind-rx --proto without --steer is a usage error" usage_error
run bind-rx "$dev" --queues 1 --steer 70000
check "bind-rx --steer 70000 is a usage error" usage_error
run restore
check "restore without DEV is a usage error" rc_is 2

finish
