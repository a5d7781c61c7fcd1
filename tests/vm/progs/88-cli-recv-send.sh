#!/bin/sh
# uring-dmabuf recv/send over loopback in copy mode (no binding): the whole
# stream arrives and verifies; a wrong stream is caught; usage errors. Then,
# where the simulated NIC pair (tests/kmod/simnic) exists, devmem TCP end to
# end through the CLI: payload in the dma-buf, verified, tokens returned,
# one JSON document on stdout for bind-rx -j -- recv -j, and stats showing
# the page pool that holds a binding, and none after the unbind.
. "${0%/*}/cli-lib.sh"

ip link set lo up
check "module idle before the test" idle

# recv_bg PORT ARGS...: a receiver in the background ($rpid), output in $T/recv.*
recv_bg() {
	port=$1
	shift
	: >"$T/recv.out"	# before the child starts: no old "listening" to see
	"$CLI" recv --port "$port" "$@" >"$T/recv.out" 2>"$T/recv.err" &
	rpid=$!
}

# text_num_between WORD MIN END: "WORD N ..." in the last run's text, MIN <= N < END
text_num_between() {
	n=$(sed -n "s/^$1 \([0-9]*\) .*/\1/p" "$T/out" | head -n 1)
	[ -n "$n" ] && [ "$n" -ge "$2" ] && [ "$n" -lt "$3" ]
}

# listening PORT: the text-mode receiver says so (30 s)
listening() {
	i=0
	until grep -q "listening on port $1" "$T/recv.out"; do
		[ $i -lt 300 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# send_to ADDR PORT SIZE: retries until the receiver listens (30 s)
send_to() {
	i=0
	while :; do
		run send --addr "$1" --port "$2" --size "$3"
		rc_is 0 && return 0
		err_has "cannot connect" && [ $i -lt 300 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# recv_done: waits for the receiver; its status and output become the last run
recv_done() {
	wait "$rpid"
	rc=$?
	cp "$T/recv.out" "$T/out"
	cp "$T/recv.err" "$T/err"
}

recv_bg 5201 -j --verify
if send_to 127.0.0.1 5201 8M; then ok "send 8M to 127.0.0.1"; else not_ok "send 8M to 127.0.0.1"; show; kill "$rpid" 2>/dev/null; fi
check "send reports 8388608 bytes" out_has "sent 8388608 bytes"
recv_done
check "recv --verify -j exits 0" rc_is 0
check "recv -j prints one JSON object" out_json
check "recv: copy mode" out_has '"mode":"copy"'
check "recv: 8 MiB received" json_num_is bytes 8388608
check "recv: all of it copied, none in a dma-buf" json_num_is linear_bytes 8388608
check "recv: 0 bad bytes" json_num_is bad_bytes 0
check "recv: nothing on stderr" err_empty

# IPv6 loopback, text output on both sides.
if [ -e /proc/net/if_inet6 ]; then
	recv_bg 5202 --verify
	if send_to ::1 5202 1M; then ok "send 1M to ::1"; else not_ok "send 1M to ::1"; show; kill "$rpid" 2>/dev/null; fi
	recv_done
	check "recv over IPv6 exits 0" rc_is 0
	check "recv text: listening, mode, bytes, verify" \
		out_has "listening on port 5202" "mode: copy" "received 1048576 bytes" \
		"verify: 0 bytes differ"
else
	skip "recv/send over ::1" "no IPv6 in this kernel"
fi

# A stream that is not the pattern: zeros from nc, cut at --bytes.
if command -v nc >/dev/null; then
	recv_bg 5203 --verify --bytes 1M
	if listening 5203; then
		head -c 2097152 /dev/zero | nc 127.0.0.1 5203 >/dev/null 2>&1
	else
		kill "$rpid" 2>/dev/null
	fi
	recv_done
	check "recv --verify of a wrong stream exits 1" rc_is 1
	check "recv --verify counts the bad bytes" text_num_between "verify:" 1 2097152
	check "recv --bytes 1M stops after 1 MiB" text_num_between received 1048576 2097152
else
	skip "recv --verify of a wrong stream" "no nc"
fi

# Errors: nobody listening, usage.
run send --addr 127.0.0.1 --port 5299 --size 1M
check "send to a closed port exits 1" rc_is 1
check "send to a closed port says so" err_has "Error: cannot connect to 127.0.0.1 port 5299"
run recv --verify
check "recv without --port is a usage error" usage_error
run recv --port 70000
check "recv --port 70000 is a usage error" usage_error
run send --addr 127.0.0.1 --size 1M
check "send without --port is a usage error" usage_error
run send --addr 127.0.0.1 --port 5201 --size 0
check "send --size 0 is a usage error" usage_error
check "nothing pinned by copy-mode transfers" idle

# devmem TCP through the CLI: sim0a in a sender namespace, sim0b in a
# receiver one (each held by a sleeping process), the test ports steered to
# queue 1 of sim0b through the simnic's debugfs (no ethtool in the guest),
# every other flow kept on queue 0.
devmem_cleanup() {
	kill "$txns" "$rxns" 2>/dev/null
	i=0
	until { [ -d /sys/class/net/sim0a ] && [ -d /sys/class/net/sim0b ]; } || [ $i -ge 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
# devmem_idle: idle, and if not, what might still hold the binding: TCP
# sockets of the receiving namespace (their queues hold payload frags) and
# the simulated NIC's queues.
devmem_idle() {
	idle && return 0
	{
		echo "TCP sockets in the receiving namespace:"
		nsenter -t "$rxns" -n cat /proc/net/tcp /proc/net/tcp6
		echo "$dbg/queues:"
		cat "$dbg/queues"
	} 2>&1 | diag
	return 1
}
devmem() {
	kver_ge 6 12 || { skip "devmem recv through the CLI" "devmem TCP needs Linux 6.12+"; return; }
	if [ ! -d /sys/class/net/sim0a ]; then
		modprobe uring_dmabuf_simnic 2>/dev/null ||
			{ skip "devmem recv through the CLI" "no devmem-capable NIC (uring_dmabuf_simnic)"; return; }
		on_exit "unload uring_dmabuf_simnic"
	fi
	dbg=/sys/kernel/debug/uring_dmabuf_simnic/sim0b
	unshare -n sleep 600 &
	txns=$!
	unshare -n sleep 600 &
	rxns=$!
	# first on exit: end the namespaces, and wait until both ports are back
	# in this one (netns cleanup is asynchronous) before anything unloads
	cleanup_hooks="devmem_cleanup; $cleanup_hooks"
	sleep 0.5
	if ! { ip link set sim0a netns "$txns" && ip link set sim0b netns "$rxns"; } 2>"$T/ns.err"; then
		not_ok "move sim0a and sim0b into their namespaces"
		diag <"$T/ns.err"
		return
	fi
	nsenter -t "$txns" -n sh -c 'ip link set lo up; ip addr add 198.18.77.1/24 dev sim0a; ip link set sim0a up'
	nsenter -t "$rxns" -n sh -c 'ip link set lo up; ip addr add 198.18.77.2/24 dev sim0b; ip link set sim0b up'
	echo 1 >"$dbg/rss"
	echo "5210 1" >"$dbg/steer"
	echo "5211 1" >"$dbg/steer"

	# bind-rx hands the binding to recv, both -j: stdout is recv's alone, one
	# document; bind-rx's goes to stderr
	nsenter -t "$rxns" -n "$CLI" -j bind-rx sim0b --queues 1 --size 64M -- \
		"$CLI" -j recv --port 5210 --verify --require-devmem >"$T/recv.out" 2>"$T/recv.err" &
	rpid=$!
	i=0
	while :; do
		nsenter -t "$txns" -n "$CLI" send --addr 198.18.77.2 --port 5210 --size 8M >"$T/send.out" 2>&1 && break
		grep -q "cannot connect" "$T/send.out" && [ $i -lt 300 ] || break
		sleep 0.1
		i=$((i + 1))
	done
	recv_done
	cp "$T/recv.out" "$T/out"
	check "bind-rx -- recv (devmem): exits 0" rc_is 0
	check "-j bind-rx -- recv -j (devmem): stdout is one JSON document, recv's" out_json
	check "bind-rx -- recv (devmem): devmem mode" out_has '"mode":"devmem"'
	check "bind-rx -- recv (devmem): all 8 MiB in the dma-buf" json_num_is dmabuf_bytes 8388608
	check "bind-rx -- recv (devmem): nothing copied" json_num_is linear_bytes 0
	check "bind-rx -- recv (devmem): 0 bad bytes" json_num_is bad_bytes 0
	check "bind-rx -- recv (devmem): tokens returned" json_num_ge tokens_returned 1
	check "-j bind-rx -- recv -j (devmem): bind-rx's document on stderr" \
		grep -q '^{"schema_version":1,"binding_id":[0-9]*,"ifname":"sim0b","queues":\[1\]' "$T/recv.err"
	check "bind-rx -- recv (devmem): nothing stays pinned" devmem_idle

	# recv binds by itself
	nsenter -t "$rxns" -n "$CLI" -j recv --port 5211 --dev sim0b --queues 1 --size 64M \
		--verify --require-devmem >"$T/recv.out" 2>"$T/recv.err" &
	rpid=$!
	i=0
	while :; do
		nsenter -t "$txns" -n "$CLI" send --addr 198.18.77.2 --port 5211 --size 8M >"$T/send.out" 2>&1 && break
		grep -q "cannot connect" "$T/send.out" && [ $i -lt 300 ] || break
		sleep 0.1
		i=$((i + 1))
	done
	recv_done
	check "recv --dev (devmem): exits 0" rc_is 0
	check "recv --dev (devmem): one JSON object with the binding and the transfer" \
		out_json
	check "recv --dev (devmem): devmem mode on sim0b" \
		out_has '"ifname":"sim0b","queues":[1]' '"mode":"devmem"'
	check "recv --dev (devmem): all 8 MiB in the dma-buf, verified" \
		sh -c "grep -q '\"dmabuf_bytes\":8388608,\"linear_bytes\":0,' '$T/out' &&
			grep -q '\"bad_bytes\":0' '$T/out'"
	check "recv --dev (devmem): nothing stays pinned" devmem_idle

	# stats: the page pool of the bound queue holds the binding, and after
	# the unbind no pool does
	nsenter -t "$rxns" -n "$CLI" bind-rx sim0b --queues 1 --size 4M >"$T/hold.out" 2>&1 &
	hpid=$!
	wait_binding "$T/hold.out" || :
	id=$(sed -n 's/^binding id \([0-9]*\) .*/\1/p' "$T/hold.out")
	nsenter -t "$rxns" -n "$CLI" -j stats sim0b >"$T/out" 2>"$T/err"
	rc=$?
	check "stats sim0b exits 0" rc_is 0
	check "-j stats sim0b prints one JSON object" out_json
	check "stats sim0b: the simulated NIC's queue counters, rx-1 among them" \
		out_has '"queue_stats":true,"queues":[' '{"type":"rx","id":1,"rx_packets":' '"rx_bytes":'
	check "stats sim0b: a page pool of sim0b takes from binding $id" \
		out_has '"page_pools":[{' "\"dmabuf_binding\":$id,"
	nsenter -t "$rxns" -n "$CLI" stats sim0b >"$T/out" 2>"$T/err"
	check "stats sim0b (text): the pool and its binding" out_has "dma-buf binding $id "
	kill -TERM "$hpid"
	wait "$hpid"
	check "stats: the binding is gone after the unbind" devmem_idle
	nsenter -t "$rxns" -n "$CLI" -j stats sim0b >"$T/out" 2>"$T/err"
	check "stats sim0b after the unbind: no pool holds binding $id" \
		sh -c "! grep -q '\"dmabuf_binding\":$id,' '$T/out'"
}
devmem

finish
