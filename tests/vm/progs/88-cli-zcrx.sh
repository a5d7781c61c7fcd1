#!/bin/sh
# uring-dmabuf recv --zcrx: io_uring zero-copy receive through the CLI on
# the simulated NIC pair (tests/kmod/simnic), with a user area and with a
# dma-buf area made from an io_uring registered buffer (--uring): all of the
# stream in the area, verified, nothing copied (zcrx's own count and the
# NIC's zcrx_bytes), every buffer returned, nothing pinned after; the queue
# has no provider left (bound=0). Usage errors. zcrx came in 6.15 (Debian:
# 7.x); before, the CLI's error says so and the transfers skip.
. "${0%/*}/cli-lib.sh"

ip link set lo up
check "module idle before the test" idle

run recv --zcrx --port 5220
check "recv --zcrx without --dev is a usage error" usage_error
run recv --zcrx --dev lo --queues 0-1 --port 5220
check "recv --zcrx with two queues is a usage error" usage_error
run recv --area dmabuf --port 5220
check "recv --area without --zcrx is a usage error" usage_error
run recv --zcrx --dev lo --queue 0 --area both --port 5220
check "recv --area both is a usage error" usage_error

kver_ge 6 15 || skip_all "io_uring zcrx needs Linux 6.15+ (Debian builds it from 7.x on)"
if ! modprobe uring_dmabuf_simnic 2>/dev/null; then
	skip_all "no zcrx-capable NIC (uring_dmabuf_simnic not built here)"
fi
on_exit "unload uring_dmabuf_simnic"
dbg=/sys/kernel/debug/uring_dmabuf_simnic/sim0b
unshare -n sleep 600 &
txns=$!
unshare -n sleep 600 &
rxns=$!
zcrx_cleanup() {
	kill "$txns" "$rxns" 2>/dev/null
	i=0
	until { [ -d /sys/class/net/sim0a ] && [ -d /sys/class/net/sim0b ]; } || [ $i -ge 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
cleanup_hooks="zcrx_cleanup; $cleanup_hooks"
sleep 0.5
if ! { ip link set sim0a netns "$txns" && ip link set sim0b netns "$rxns"; }; then
	not_ok "move sim0a and sim0b into their namespaces"
	finish
fi
nsenter -t "$txns" -n sh -c 'ip link set lo up; ip addr add 198.18.78.1/24 dev sim0a; ip link set sim0a up'
nsenter -t "$rxns" -n sh -c 'ip link set lo up; ip addr add 198.18.78.2/24 dev sim0b; ip link set sim0b up'
echo 1 >"$dbg/rss"
echo "5220 1" >"$dbg/steer"

# zcrx_bytes of RX queue 1 of sim0b
nic_zcrx_bytes() {
	sed -n 's/^rx1 .* zcrx_bytes=\([0-9]*\).*/\1/p' "$dbg/queues"
}

# zcrx_case TAG RECV-ARGS...: $xfer_mib MiB (32) through recv --zcrx, then
# the checks
zcrx_case() {
	tag=$1
	shift
	mib=${xfer_mib:-32}
	bytes=$((mib << 20))
	z0=$(nic_zcrx_bytes)
	nsenter -t "$rxns" -n "$CLI" -j recv --port 5220 --zcrx --dev sim0b --queue 1 \
		--size 16M --verify --require-devmem "$@" >"$T/recv.out" 2>"$T/recv.err" &
	rpid=$!
	i=0
	while :; do
		nsenter -t "$txns" -n "$CLI" send --addr 198.18.78.2 --port 5220 --size "${mib}M" >"$T/send.out" 2>&1 && break
		grep -q "cannot connect" "$T/send.out" && [ $i -lt 300 ] || break
		sleep 0.1
		i=$((i + 1))
	done
	wait "$rpid"
	rc=$?
	cp "$T/recv.out" "$T/out"
	cp "$T/recv.err" "$T/err"
	z1=$(nic_zcrx_bytes)
	check "recv --zcrx ($tag): exits 0" rc_is 0
	check "recv --zcrx ($tag): one JSON object" out_json
	check "recv --zcrx ($tag): zcrx mode on sim0b queue 1" \
		out_has '"ifname":"sim0b","queue":1' '"mode":"zcrx"'
	check "recv --zcrx ($tag): all $mib MiB in the area, none copied, verified" \
		sh -c "grep -q '\"bytes\":$bytes,\"dmabuf_bytes\":$bytes,\"linear_bytes\":0,' '$T/out' &&
			grep -q '\"bad_bytes\":0' '$T/out'"
	check "recv --zcrx ($tag): a buffer returned per frag" \
		[ "$(json_num frags)" = "$(json_num tokens_returned)" ]
	check "recv --zcrx ($tag): the NIC wrote it all into io_uring's net_iovs" \
		[ $((z1 - z0)) -ge "$bytes" ]
	check "recv --zcrx ($tag): no provider left on queue 1" \
		grep -q '^rx1 bound=0 ' "$dbg/queues"
	check "recv --zcrx ($tag): nothing stays pinned" idle
}

# With DMA-API debug on (the reliability lane), 7.3's zcrx maps a user area
# past the device's max segment size (io_import_umem(), a kernel bug): the
# stock kernels run these; our dma-buf areas stay within it.
if [ -e /sys/kernel/debug/dma-api/error_count ]; then
	why="DMA-API debug is on, and zcrx maps a user area past the device's max segment size (7.3's io_import_umem(), a kernel bug)"
	skip "recv --zcrx (user area)" "$why"
	skip "recv --zcrx (user area, 16K buffers)" "$why"
else
	zcrx_case "user area"
	check "recv --zcrx (user area): area user" out_has '"area":"user"'
	zcrx_case "user area, 16K buffers" --rx-page-size 16K --hugepages
	check "recv --zcrx (user area, 16K buffers): rx_buf_len 16384" out_has '"rx_buf_len":16384'
fi
zcrx_case "dma-buf area" --area dmabuf --uring
check "recv --zcrx (dma-buf area): a dma-buf of an io_uring fixed buffer" \
	out_has '"area":"dmabuf"' '"source":"uring"'
# 128 buffers: a refill ring of 128 entries ends mid-page, and the ring's
# region must still be whole pages (it was not: EINVAL). 1 MiB through it:
# 32 MiB through 128 buffers stalled in two of three runs on 7.3 (not on
# 7.2; not understood yet, see docs/testing.md).
xfer_mib=1
zcrx_case "dma-buf area of 512 KiB" --area dmabuf --uring --size 512K --4k
xfer_mib=
check "recv --zcrx (dma-buf area of 512 KiB): an area of 128 buffers" \
	out_has '"rx_buf_len":4096' '"area_size":524288'

finish
