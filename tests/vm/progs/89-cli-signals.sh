#!/bin/sh
# bind-rx holding a binding until SIGINT/SIGTERM, the kernel's refusals
# (queue out of range, queue already bound) with their hints, and handing
# the binding to a command (environment, exit status, forwarded signals).
# This needs a NIC that takes a dma-buf: the simulated one of
# tests/kmod/simnic when the guest has it; without one the script is skipped.
# Waits are generous (30 s): TCG guests share the host with other builds.
. "${0%/*}/cli-lib.sh"

kver_ge 6 12 || skip_all "devmem TCP needs Linux 6.12+, this is $(uname -r)"
if [ ! -d /sys/class/net/sim0a ] && modprobe uring_dmabuf_simnic 2>/dev/null; then
	on_exit "unload uring_dmabuf_simnic"
fi
[ -d /sys/class/net/sim0a ] ||
	skip_all "no devmem-capable NIC: signals to a bind-rx that holds a binding cannot be tested (uring_dmabuf_simnic not available)"
dev=sim0a
ip link set sim0a up
ip link set sim0b up 2>/dev/null
check "module idle before the test" idle

# hold_until SIG: bind queue 1, check the binding is live, send SIG, check
# that bind-rx exits 0 and the binding and its pages are gone.
hold_until() {
	sig=$1
	: >"$T/hold.out"	# before the child starts: no old "binding id" to see
	"$CLI" bind-rx "$dev" --queues 1 --size 4M >"$T/hold.out" 2>"$T/hold.err" &
	hpid=$!
	wait_binding "$T/hold.out" || :
	id=$(sed -n 's/^binding id \([0-9]*\) .*/\1/p' "$T/hold.out")
	if [ -z "$id" ]; then
		not_ok "bind-rx $dev --queues 1 holds a binding (for SIG$sig)"
		diag <"$T/hold.out"
		sed 's/^/# stderr: /' "$T/hold.err"
		sed 's/^/# stack: /' "/proc/$hpid/stack" 2>/dev/null
		kill -KILL "$hpid" 2>/dev/null
		wait "$hpid"
		return
	fi
	ok "bind-rx $dev --queues 1 holds binding $id (for SIG$sig)"
	check "SIG$sig: 4 MiB pinned while held" \
		test "$(counter pinned_bytes)" -ge 4194304
	run queues "$dev"
	check "SIG$sig: queues shows rx-1 bound to binding $id" \
		sh -c "grep '^  rx-1 ' '$T/out' | grep -q 'dma-buf binding $id\$'"
	kill -"$sig" "$hpid"
	wait "$hpid"
	rc=$?
	cp "$T/hold.out" "$T/out"
	cp "$T/hold.err" "$T/err"
	check "SIG$sig: bind-rx unbinds and exits 0" rc_is 0
	check "SIG$sig: nothing stays pinned" idle
	run queues "$dev"
	check "SIG$sig: rx-1 is unbound" \
		sh -c "grep '^  rx-1 ' '$T/out' | grep -q 'dma-buf binding 0\$'"
}
hold_until INT
hold_until TERM

# hold_start ARGS...: -j bind-rx ARGS on queue 1 in the background, its
# output in $T/out once printed; hold_stop: SIGTERM, exit status in $rc.
hold_start() {
	: >"$T/out"
	"$CLI" -j bind-rx "$dev" --queues 1 "$@" >"$T/out" 2>"$T/err" &
	hpid=$!
	i=0
	until grep -q '}' "$T/out" || [ ! -e "/proc/$hpid/cmdline" ] || [ $i -ge 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
hold_stop() {
	kill -TERM "$hpid" 2>/dev/null
	wait "$hpid"
	rc=$?
}

# Every memory kind, in JSON: what was bound and how it is laid out.
hold_start --size 4M --hugepages
check "-j bind-rx --hugepages prints one JSON object" out_json
check "-j bind-rx --hugepages: 2M memory, all in huge pages" \
	out_has "{\"schema_version\":1,\"binding_id\":" "\"ifname\":\"$dev\",\"queues\":[1],\"dmabuf_size\":4194304,\"memory\":\"2M\",\"source\":\"ioctl\"" \
	'"huge_bytes":4194304'
check "-j bind-rx --hugepages: at most 2 segments" test "$(json_num segments)" -le 2
hold_stop
check "-j bind-rx --hugepages: SIGTERM, exit 0" rc_is 0
for kind in shmem 4k; do
	hold_start --size 4M --$kind
	check "-j bind-rx --$kind: $kind memory" out_has "\"memory\":\"$kind\",\"source\":\"ioctl\""
	hold_stop
	check "-j bind-rx --$kind: SIGTERM, exit 0" rc_is 0
done
hold_start --size 4M --uring --numa 0
check "-j bind-rx --uring: from an io_uring fixed buffer" \
	out_has '"source":"uring"' '"numa_node":0}'
hold_stop
check "-j bind-rx --uring: SIGTERM, exit 0" rc_is 0
check "memory kinds: nothing stays pinned" idle

# An RX page size on a kernel that has no such attribute (before 7.3).
if ! kver_ge 7 3; then
	run_within 60 bind-rx "$dev" --queues 1 --size 4M --rx-page-size 4K
	check "bind-rx --rx-page-size on $(uname -r) exits 1" rc_is 1
	check "bind-rx --rx-page-size on $(uname -r): the hint names the kernel it needs" \
		err_has "Hint: " "7.3"
	check "bind-rx --rx-page-size: nothing stays pinned" idle
fi

# The kernel's refusals reach the user with its errno and the fitting hint.
run check "$dev"
check "check $dev: header split on" out_has "[ ok ] header-split"
nq=$(ls -d /sys/class/net/$dev/queues/rx-* | wc -l)
run_within 60 bind-rx "$dev" --queues "$nq" --size 4M
check "bind-rx $dev --queues $nq (out of range) exits 1" rc_is 1
# (checked before binding: the kernel's errno differs, ERANGE up to 6.17,
# EINVAL without a message later)
check "bind-rx $dev --queues $nq: says the queue is out of range" \
	err_has "Error: $dev has RX queues 0-$((nq - 1)); there is no queue $nq" \
	"Hint: see uring-dmabuf queues $dev"
check "bind-rx $dev --queues $nq: nothing stays pinned" idle

: >"$T/hold.out"
"$CLI" bind-rx "$dev" --queues 1 --size 4M >"$T/hold.out" 2>"$T/hold.err" &
hpid=$!
i=0
until grep -q "^binding id " "$T/hold.out" || [ $i -ge 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
run_within 60 bind-rx "$dev" --queues 0-1 --size 4M
check "bind-rx of a queue already bound exits 1" rc_is 1
check "bind-rx of a queue already bound: File exists, and the hint" \
	err_has "File exists" "Hint: a queue is already bound"
kill -TERM "$hpid"
wait "$hpid"
check "both bindings gone: nothing stays pinned" idle

# The command inherits the dma-buf and the socket, described in the environment.
run bind-rx "$dev" --queues 1-2 --size 4M -- sh -c \
	'echo "size=$URING_DMABUF_SIZE if=$URING_DMABUF_IFNAME q=$URING_DMABUF_QUEUES id=$URING_DMABUF_BINDING_ID"
	 [ -e "/proc/self/fd/$URING_DMABUF_FD" ] && [ -e "/proc/self/fd/$URING_DMABUF_NL_FD" ] && exit 7'
check "bind-rx -- COMMAND exits with the command's status (7)" rc_is 7
check "bind-rx -- COMMAND: the environment describes the binding" \
	out_has "size=4194304 if=$dev q=1,2 id="
check "bind-rx -- COMMAND: stdout is the command's alone" \
	sh -c "[ \$(wc -l <'$T/out') = 1 ]"
check "bind-rx -- COMMAND: the binding is printed on stderr" err_has "binding id "
check "bind-rx -- COMMAND: nothing stays pinned" idle

# A command killed by a signal: 128 + the signal.
run bind-rx "$dev" --queues 1 --size 4M -- sh -c 'kill -KILL $$'
check "bind-rx -- COMMAND killed by SIGKILL exits 137" rc_is 137

# SIGTERM to bind-rx goes to the command, whose status bind-rx returns.
: >"$T/fwd.out"
"$CLI" bind-rx "$dev" --queues 1 --size 4M -- sleep 60 >"$T/fwd.out" 2>"$T/fwd.err" &
fpid=$!
i=0
# with a COMMAND, bind-rx prints on stderr: stdout is the command's
until grep -q "^binding id " "$T/fwd.err" || [ $i -ge 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.2
kill -TERM "$fpid"
wait "$fpid"
rc=$?
cp "$T/fwd.out" "$T/out"
cp "$T/fwd.err" "$T/err"
check "SIGTERM to bind-rx reaches the command (exit 143)" rc_is 143
check "after the command ends nothing stays pinned" idle

finish
