#!/bin/sh
# uring-dmabuf queues and bind-rx against a device without devmem support
# (veth, else lo): clear failures with the right advice per kernel, usage
# errors, and nothing left pinned.
. "${0%/*}/cli-lib.sh"

make_dev
check "module idle before the test" idle

# queues: NETDEV_CMD_QUEUE_GET exists from 6.8 on.
run queues "$dev"
if kver_ge 6 8; then
	check "queues $dev exits 0" rc_is 0
	check "queues $dev lists rx-0" out_has "rx-0 "
	check "queues $dev: rx-0 has no binding" out_has "dma-buf binding 0"
	run -j queues "$dev"
	check "-j queues $dev prints one JSON object" out_json
	check "-j queues $dev: rx queue 0" out_has "{\"schema_version\":1,\"ifname\":\"$dev\",\"queues\":[" '{"type":"rx","id":0,'
else
	check "queues on $(uname -r) exits 1" rc_is 1
	check "queues on $(uname -r) says the kernel is too old" err_has "Linux 6.8"
	# no extack here: nothing may follow the errno string
	check "queues on $(uname -r): the error is the command and errno only" \
		err_line "Error: NETDEV_CMD_QUEUE_GET on $dev: Operation not supported"
fi
run queues nosuchdev0
check "queues nosuchdev0 exits 1" rc_is 1
run queues
check "queues without DEV is a usage error" usage_error

# Usage errors: exit 2, before anything is allocated.
run bind-rx "$dev" --queues 5-2 --size 4M
check "bind-rx --queues 5-2 is a usage error" usage_error
run bind-rx "$dev" --queues 0,0 --size 4M
check "bind-rx --queues 0,0 is a usage error" usage_error
run bind-rx "$dev" --queues 0 --size 4Q
check "bind-rx --size 4Q is a usage error" usage_error
run bind-rx "$dev" --queues 0 --hugepages=3M
check "bind-rx --hugepages=3M is a usage error" usage_error
run bind-rx "$dev" --queues 0 --bogus
check "bind-rx --bogus is a usage error" usage_error
run bind-rx --queues 0 --size 4M
check "bind-rx without DEV is a usage error" usage_error
check "bind-rx without DEV says so" err_has "no network device given"
run bind-rx "$dev" --size 4M
check "bind-rx without --queues is a usage error" usage_error
run bind-rx "$dev" --queues 0 --
check "bind-rx with nothing after -- is a usage error" usage_error
check "usage errors pinned nothing" idle

# The device and the locked-memory limit come before any memory: a
# terabyte is never mapped, faulted in or pinned for them.
run bind-rx nosuch0 --queues 0 --size 1T
check "bind-rx nosuch0 exits 1" rc_is 1
check "bind-rx nosuch0 names the device, allocates nothing" \
	err_line "Error: no network device 'nosuch0'"
check "bind-rx nosuch0: no allocation was tried" sh -c "! grep -q allocate '$T/err'"
run bind-rx "$dev" --queues 1000 --size 1T
check "bind-rx $dev --queues 1000 exits 1 on the queue, not on memory" \
	err_has "there is no queue 1000"
# as nobody (no CAP_IPC_LOCK) with a 64 KiB limit
as_nobody "ulimit -l 64 && exec $CLI bind-rx $dev --queues 0 --size 1T"
check "bind-rx --size 1T over RLIMIT_MEMLOCK exits 1" rc_is 1
check "bind-rx over RLIMIT_MEMLOCK says so before allocating" \
	err_has "Error: --size 1099511627776 needs 1099511627776 bytes of locked memory; RLIMIT_MEMLOCK is 65536" \
	"Hint: raise it (ulimit -l unlimited)"
check "bind-rx refused early pinned nothing" idle

# Memory that cannot be had: more 1 GiB huge pages than are free (the
# guest reserves one; without 1 GiB page support the mmap fails as well).
free1g=$(cat /sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages 2>/dev/null || echo 0)
if [ "$free1g" -lt 2 ]; then
	run bind-rx "$dev" --queues 0 --size 2G --hugepages=1G
	check "bind-rx --hugepages=1G beyond the free pages exits 1" rc_is 1
	check "bind-rx --hugepages=1G beyond the free pages says how to reserve them" \
		err_has "Error: cannot allocate" "Hint: reserve huge pages" "hugepages-1048576kB/nr_hugepages"
	check "bind-rx without memory pinned nothing" idle
else
	skip "bind-rx --hugepages=1G beyond the free pages" "$free1g free 1 GiB pages"
fi

# The bind itself fails; how depends on the kernel.
bind_fails() { # DESC ARGS...
	what=$1
	shift
	run_within 60 bind-rx "$dev" --queues 0 --size 4M "$@"
	if rc_is 137; then
		not_ok "$what: hangs (killed after 60 s)"
		show
		check "$what: nothing stays pinned after the kill" idle
		return
	fi
	check "$what: exits 1" rc_is 1
	check "$what: prints no binding" out_empty
	if kver_ge 6 12; then
		check "$what: Operation not supported" err_has "NETDEV_CMD_BIND_RX on $dev: Operation not supported"
		check "$what: with the hint about the driver" err_has "Hint: $dev's driver"
	else
		check "$what: says the kernel lacks NETDEV_CMD_BIND_RX" \
			err_has "kernel has no NETDEV_CMD_BIND_RX" "6.12"
	fi
	check "$what: nothing stays pinned" idle
}
if kver_ge 6 12 && ! kver_ge 6 18; then
	# 6.12-6.17 attach the dma-buf to dev.parent before checking the
	# queues; veth and lo have none: WARN_ON(!dev) in dma_buf_attach().
	skip "bind-rx $dev on $(uname -r)" \
		"6.12-6.17 WARN in dma_buf_attach() for a device without a parent (needs a devmem NIC)"
else
	bind_fails "bind-rx $dev --queues 0 --size 4M"
	bind_fails "bind-rx $dev --shmem" --shmem
	bind_fails "bind-rx $dev --4k --uring" --4k --uring
	free2m=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0)
	if [ "$free2m" -ge 2 ]; then
		bind_fails "bind-rx $dev --hugepages" --hugepages
	else
		skip "bind-rx $dev --hugepages" "fewer than 2 free 2 MiB huge pages"
	fi
	run -j bind-rx "$dev" --queues 0 --size 4M
	check "-j bind-rx failure prints no JSON" out_empty
	check "-j bind-rx failure: the error on stderr" err_has "Error: "
	check "-j bind-rx failure: nothing stays pinned" idle
	# A failed bind never runs the command.
	run bind-rx "$dev" --queues 0 --size 4M -- touch "$T/ran"
	check "bind-rx -- COMMAND: the command does not run when the bind fails" \
		test ! -e "$T/ran"
	check "bind-rx -- COMMAND failure exits 1" rc_is 1
fi

finish
