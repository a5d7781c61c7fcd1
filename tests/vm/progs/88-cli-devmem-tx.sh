#!/bin/sh
# uring-dmabuf bind-tx and send --devmem (devmem TX, Linux 6.16+) through
# the simulated NIC pair: sim0a in a sender namespace, sim0b in a receiver
# one. bind-tx hands a READONLY dma-buf holding the pattern to send
# --devmem, which sends it round and round to bind-rx -- recv --verify
# --require-devmem (every byte checked in the receiver's dma-buf); send
# --devmem --dev --uring binds by itself, to a plain recv --verify; a
# binding of the other port fails with ENODEV. Before 6.16 bind-tx fails
# cleanly, naming the kernel it needs.
. "${0%/*}/cli-lib.sh"

if ! kver_ge 6 16; then
	run bind-tx lo --size 2M
	check "bind-tx before 6.16 exits 1" rc_is 1
	check "bind-tx before 6.16 says it needs Linux 6.16" \
		err_has "NETDEV_CMD_BIND_TX" "Hint: devmem TX needs Linux 6.16 or newer"
	check "bind-tx before 6.16: nothing stays pinned" idle
	finish
fi
modprobe uring_dmabuf_simnic 2>/dev/null || skip_all "no uring_dmabuf_simnic for this kernel"
on_exit "unload uring_dmabuf_simnic"
check "module idle before the test" idle

dbg=/sys/kernel/debug/uring_dmabuf_simnic
tx_cleanup() {
	kill "$txns" "$rxns" 2>/dev/null
	i=0
	until { [ -d /sys/class/net/sim0a ] && [ -d /sys/class/net/sim0b ]; } || [ $i -ge 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
unshare -n sleep 600 &
txns=$!
unshare -n sleep 600 &
rxns=$!
cleanup_hooks="tx_cleanup; $cleanup_hooks"
sleep 0.5
if ! { ip link set sim0a netns "$txns" && ip link set sim0b netns "$rxns"; } 2>"$T/ns.err"; then
	not_ok "move sim0a and sim0b into their namespaces"
	diag <"$T/ns.err"
	finish
fi
nsenter -t "$txns" -n sh -c 'ip link set lo up; ip addr add 198.18.78.1/24 dev sim0a; ip link set sim0a up'
nsenter -t "$rxns" -n sh -c 'ip link set lo up; ip addr add 198.18.78.2/24 dev sim0b; ip link set sim0b up'
echo 1 >"$dbg/sim0b/rss"
echo "5220 1" >"$dbg/sim0b/steer"

# tx_bytes Q: sim0a's devmem_bytes of TX queue Q
tx_bytes() {
	sed -n "s/^tx$1 .* devmem_bytes=\([0-9]*\).*/\1/p" "$dbg/sim0a/queues"
}

# send_tx ARGS...: send in the sender namespace until the receiver listens
send_tx() {
	i=0
	while :; do
		nsenter -t "$txns" -n "$CLI" "$@" >"$T/send.out" 2>"$T/send.err"
		src=$?
		[ $src = 0 ] && break
		grep -q "cannot connect" "$T/send.err" && [ $i -lt 300 ] || break
		sleep 0.1
		i=$((i + 1))
	done
	cp "$T/send.out" "$T/out"
	cp "$T/send.err" "$T/err"
	rc=$src
}

# recv_done: waits for the receiver; its status and output become the last run
recv_done() {
	wait "$rpid"
	rc=$?
	cp "$T/recv.out" "$T/out"
	cp "$T/recv.err" "$T/err"
}

# 1. bind-tx -- send --devmem to a devmem receiver: 16 MiB out of 8 MiB.
base=$(tx_bytes 1)
nsenter -t "$rxns" -n "$CLI" -j bind-rx sim0b --queues 1 --size 64M -- \
	"$CLI" -j recv --port 5220 --verify --require-devmem >"$T/recv.out" 2>"$T/recv.err" &
rpid=$!
send_tx -j bind-tx sim0a --size 8M -- "$CLI" -j send --devmem --addr 198.18.78.2 --port 5220 --size 16M
check "bind-tx -- send --devmem: exits 0" rc_is 0
check "bind-tx -j -- send -j: stdout is send's one JSON document" out_json
check "send --devmem: 16 MiB in sends that all completed, none copied" \
	sh -c "grep -q '\"bytes\":16777216,' '$T/out' && grep -q '\"copied\":0' '$T/out' &&
		[ \"\$(sed -n 's/.*\"sends\":\([0-9]*\).*/\1/p' '$T/out')\" = \
		  \"\$(sed -n 's/.*\"completed\":\([0-9]*\).*/\1/p' '$T/out')\" ]"
check "bind-tx -j: its document on stderr, for transmit on sim0a" \
	grep -q '"ifname":"sim0a","direction":"transmit"' "$T/err"
recv_done
check "bind-rx -- recv --verify: exits 0" rc_is 0
check "recv: all 16 MiB in the receiver's dma-buf, verified" \
	sh -c "grep -q '\"dmabuf_bytes\":16777216,\"linear_bytes\":0,' '$T/out' &&
		grep -q '\"bad_bytes\":0' '$T/out'"
after=$(tx_bytes 1)
check "sim0a's tx1 read at least 16 MiB from the binding's DMA addresses" \
	[ $((after - base)) -ge 16777216 ]

# 2. send --devmem --dev --uring binds by itself; a plain receiver.
nsenter -t "$rxns" -n "$CLI" recv --port 5221 --verify >"$T/recv.out" 2>"$T/recv.err" &
rpid=$!
send_tx send --devmem --dev sim0a --uring --addr 198.18.78.2 --port 5221 --size 4M
check "send --devmem --dev sim0a --uring: exits 0" rc_is 0
check "send --devmem (text): bytes and the devmem line" \
	out_has "sent 4194304 bytes" "devmem TX: binding " ", 0 copied"
recv_done
check "plain recv --verify of a devmem TX stream: exits 0" rc_is 0
check "plain recv: 4 MiB, 0 bad bytes" out_has "received 4194304 bytes" "verify: 0 bytes differ"

# 3. A binding of sim0b, named on a socket routed through sim0a.
nsenter -t "$rxns" -n "$CLI" recv --port 5222 >"$T/recv.out" 2>"$T/recv.err" &
rpid=$!
i=0	# until it listens, dual-stack (port 5222 is 0x1466, LISTEN is 0A)
until nsenter -t "$rxns" -n grep -q ':1466 [0-9A-F]*:0000 0A' /proc/net/tcp /proc/net/tcp6 ||
	[ $i -ge 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
nsenter -t "$rxns" -n "$CLI" bind-tx sim0b --size 2M -- \
	nsenter -t "$txns" -n "$CLI" send --devmem --addr 198.18.78.2 --port 5222 --size 1M \
	>"$T/out" 2>"$T/err"
rc=$?
check "send --devmem with sim0b's binding via sim0a: exits 1" rc_is 1
check "... ENODEV, and the hint names the device mismatch" \
	err_has "No such device" "another device than the route"
kill "$rpid" 2>/dev/null
wait "$rpid" 2>/dev/null

tx_cleanup
check "nothing stays pinned after devmem TX" idle
finish
