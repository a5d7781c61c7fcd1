#!/bin/sh
# uring-dmabuf check: the host items; devices whose driver cannot do devmem
# (veth, lo: the driver named as the blocker, no ethtool fix offered); the
# simulated NIC (driver known, the kernel's dry-run bind, rules, RSS); JSON;
# and the advice it gives when the module is not loaded.
. "${0%/*}/cli-lib.sh"

make_dev

# Without DEV: module, device node and kernel support.
run check
check "check: module item ok" out_has "[ ok ] module: uring_dmabuf"
check "check: device node item ok" out_has "[ ok ] device: /dev/uring_dmabuf is accessible"
check "check: memlock and hugepages items present" out_has "] memlock:" "] hugepages:"
if kver_ge 6 12; then
	check "check: devmem-rx ok on $(uname -r)" out_has "[ ok ] devmem-rx"
	check "check without DEV exits 0 (every required item passed)" rc_is 0
else
	check "check: devmem-rx FAIL on $(uname -r), naming 6.12" \
		out_has "[FAIL] devmem-rx" "Linux 6.12"
	check "check without DEV exits 1 on a kernel without devmem" rc_is 1
fi

# show_output TITLE: the last run's output as "# " lines (the closing note
# of issue 15 quotes them from the results log).
show_output() {
	echo "check output, $1, on $(uname -r):" | diag
	diag <"$T/out"
}

# cannot_devmem DEV NAME KIND: a device whose driver cannot do devmem.
cannot_devmem() {
	cdev=$1 drv=$2
	run check "$cdev" --port 5201
	show_output "$cdev ($3)"
	check "check $cdev ($3) exits 1" rc_is 1
	check "check $cdev: the driver ($drv) is the failed item" \
		out_has "[FAIL] driver: $drv " "this driver cannot do devmem"
	check "check $cdev: the fix names the capable drivers" \
		out_has "fix: none on $cdev: use a NIC whose driver takes memory providers (bnxt_en 6.17+"
	check "check $cdev: the last line names the driver as the blocker" \
		out_has "blocked by: driver: $drv "
	check "check $cdev: header split and ntuple are moot warnings, not failures" \
		out_has "[warn] header-split:" "[warn] flow-steering:" "(moot: $cdev's driver cannot do devmem)"
	check "check $cdev: no ethtool or --steer fix offered" \
		sh -c "! grep -q -e 'fix: ethtool' -e '--steer' -e '\[FAIL\] header-split' '$T/out'"
	# and devmem-rx before 6.12
	nfail=1
	kver_ge 6 12 || nfail=2
	check "check $cdev: $nfail required items failed" out_has "$nfail required checks failed"
	if kver_ge 6 18; then
		check "check $cdev: the dry-run bind is refused by the kernel (moot)" \
			out_has "[warn] bind: the kernel refused rx-0: "
	elif kver_ge 6 12; then
		check "check $cdev: no dry-run bind before 6.18 (no parent device)" \
			out_has "[warn] bind: a dry-run bind to rx-0 was not tried: $cdev has no parent device"
	else
		check "check $cdev: no dry-run bind without NETDEV_CMD_BIND_RX" \
			out_has "[warn] bind: a dry-run bind to rx-0 was not tried: the kernel has no NETDEV_CMD_BIND_RX"
	fi

	run -j check "$cdev"
	check "-j check $cdev exits 1" rc_is 1
	check "-j check $cdev prints one JSON object" out_json
	check "-j check $cdev starts with the checks array" out_has '{"schema_version":1,"checks":['
	check "-j check $cdev: driver not ok, required, the blocker" \
		out_has "\"item\":\"driver\",\"ok\":false,\"required\":true,\"detail\":\"$drv " \
		'"blocker":"driver"'
	check "-j check $cdev: header-split not ok, not required, no fix" \
		out_has '"item":"header-split","ok":false,"required":false,"detail":'
	check "-j check $cdev: failed is $nfail" json_num_is failed "$nfail"
	check "-j check $cdev: nothing on stderr" err_empty
}
if [ "$dev_kind" = veth ]; then
	cannot_devmem "$dev" veth veth
else
	skip "check on a veth device" "veth unavailable"
fi
ip link set lo up
cannot_devmem lo loopback loopback

# The simulated NIC: a driver that takes memory providers (6.12+).
simnic() {
	kver_ge 6 12 || { skip "check on the simulated NIC" "devmem TCP needs Linux 6.12+"; return; }
	if [ ! -d /sys/class/net/sim0a ]; then
		modprobe uring_dmabuf_simnic 2>/dev/null ||
			{ not_ok "modprobe uring_dmabuf_simnic (6.12+ builds it)"; return; }
		on_exit "unload uring_dmabuf_simnic"
	fi
	ip link set sim0a up
	dbg=/sys/kernel/debug/uring_dmabuf_simnic/sim0a
	nq=$(ls -d /sys/class/net/sim0a/queues/rx-* | wc -l)
	last=$((nq - 1))

	run check sim0a --port 5201 --size 4M
	show_output "the simulated NIC sim0a, no rule for port 5201 yet"
	check "check sim0a: the driver is known to take memory providers" \
		out_has "[ ok ] driver: uring_dmabuf_simnic (the simulated devmem NIC" "takes memory providers for RX from Linux 6.12"
	check "check sim0a: dry-run bind ok on rx-$last (the last RX queue)" \
		out_has "[ ok ] bind: the kernel bound a one-page dma-buf to rx-$last and released it at once"
	check "check sim0a: queue management ok" out_has "[ ok ] queue-mgmt:"
	check "check sim0a: header split and ntuple ok" \
		out_has "[ ok ] header-split: tcp-data-split on" "[ ok ] hds-thresh:" "[ ok ] flow-steering: ntuple filters on"
	check "check sim0a: no rule for port 5201: FAIL with the --steer fix" \
		out_has "[FAIL] steer-rule: no rule steers TCP port 5201" \
		"fix: uring-dmabuf bind-rx sim0a --queues $last --size 4M --steer 5201"
	check "check sim0a: rx-$last in the RSS table: a warning with the --steer fix" \
		out_has "[warn] rss: rx-$last takes"
	check "check sim0a: XDP none, memlock fits" \
		out_has "[ ok ] xdp: no XDP program attached" "--size 4M"
	check "check sim0a: the missing rule is the blocker" out_has "blocked by: steer-rule: "
	check "check sim0a without the rule exits 1" rc_is 1
	check "the dry-run binding goes away" idle

	# The rule and the RSS exclusion in place (debugfs: no ethtool here).
	echo "5201 $last" >"$dbg/steer"
	echo "$last" >"$dbg/rss"
	run check sim0a --port 5201 --size 4M
	show_output "the simulated NIC sim0a, port 5201 steered to rx-$last, out of RSS"
	check "check sim0a steered: exits 0" rc_is 0
	check "check sim0a steered: the rule is found" \
		out_has "[ ok ] steer-rule: rule " "steers tcp4 dst-port 5201 to rx-$last"
	check "check sim0a steered: rx-$last out of the RSS table" \
		out_has "[ ok ] rss: rx-$last is out of the RSS table"
	check "check sim0a steered: no blocker" sh -c "! grep -q 'blocked by' '$T/out'"
	run -j check sim0a --port 5201 --size 4M
	check "-j check sim0a steered: one JSON object" out_json
	check "-j check sim0a steered: failed 0" json_num_is failed 0
	check "-j check sim0a steered: no blocker key" sh -c "! grep -q '\"blocker\"' '$T/out'"
	check "-j check sim0a: driver and bind ok" \
		out_has '"item":"driver","ok":true,"required":true' '"item":"bind","ok":true,"required":true'

	# A rule that sends the port elsewhere: named, with the command to delete it.
	echo "5202 0" >"$dbg/steer"
	run check sim0a --port 5202 --queues "$last"
	check "check sim0a --port 5202: the rule to rx-0 is named" \
		out_has "[FAIL] steer-rule: rule " "steers tcp4 dst-port 5202 to queue 0, not rx-$last" \
		"fix: delete it (ethtool -N sim0a delete "
	run check sim0a --queues 0 --port 5202
	check "check sim0a --queues 0: rx-0 is in the RSS table (warn)" out_has "[warn] rss: rx-0 takes"
	check "check sim0a --queues 0: the rule to rx-0 is ok" out_has "[ ok ] steer-rule: rule "
	run check sim0a --queues "$nq"
	check "check sim0a --queues $nq: no such queue, no dry run" \
		out_has "[FAIL] queue: sim0a has no RX queue $nq" "not tried: sim0a has no RX queue $nq"

	# A bound queue: check does not try to bind it again.
	"$CLI" bind-rx sim0a --queues "$last" --size 4M >"$T/hold.out" 2>"$T/hold.err" &
	hpid=$!
	wait_binding "$T/hold.out" || :
	run check sim0a
	check "check sim0a with rx-$last bound: listed, no dry run" \
		out_has "[ ok ] bindings: 1 RX queues bound" "not tried: rx-$last is bound already"
	kill -TERM "$hpid" 2>/dev/null
	wait "$hpid"

	echo "5201 -1" >"$dbg/steer"
	echo "5202 -1" >"$dbg/steer"
	echo "$nq" >"$dbg/rss"
	check "nothing stays pinned after the simulated NIC's checks" idle
}
simnic

run -p check
check "-p check prints one JSON object" out_json
check "-p check is indented" out_has '  "checks": ['

run check nosuchdev0
check "check nosuchdev0 exits 1" rc_is 1
check "check nosuchdev0 names the device" out_has "no network device 'nosuchdev0'"
run check "$dev" lo
check "check with two devices is a usage error" usage_error
run check --port 5201
check "check --port without DEV is a usage error" usage_error

# Without the module: check, info and version say so. Reload it afterwards.
if rmmod uring_dmabuf 2>"$T/rmmod.err"; then
	on_exit "modprobe uring_dmabuf 2>/dev/null"
	run check
	check "check without the module exits 1" rc_is 1
	check "check without the module says modprobe uring_dmabuf" \
		out_has "[FAIL] module" "modprobe uring_dmabuf"
	run -j check
	check "-j check without the module: JSON with the fix" \
		out_has '"fix":"modprobe uring_dmabuf'
	run info
	check "info without the module exits 1" rc_is 1
	check "info without the module hints modprobe" err_has "modprobe uring_dmabuf"
	run version
	check "version without the module exits 0" rc_is 0
	check "version without the module: module not loaded" out_has "module: not loaded"
	if modprobe uring_dmabuf 2>"$T/modprobe.err"; then
		ok "modprobe uring_dmabuf again"
	else
		not_ok "modprobe uring_dmabuf again"
		diag <"$T/modprobe.err"
	fi
else
	# Nothing else holds the module here: a reference left is a leak.
	not_ok "check without the module: rmmod uring_dmabuf"
	{ cat "$T/rmmod.err"; echo "refcnt $(cat /sys/module/uring_dmabuf/refcnt 2>/dev/null)"; } | diag
fi

finish
