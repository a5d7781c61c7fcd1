#!/bin/sh
# uring-dmabuf check: the host items, a device without devmem support, JSON,
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

# A device that cannot do devmem: required items fail, each with its fix.
run check "$dev"
check "check $dev ($dev_kind) exits 1" rc_is 1
check "check $dev: header-split FAIL" out_has "[FAIL] header-split"
check "check $dev: header-split fix is the ethtool command" \
	out_has "fix: ethtool -G $dev tcp-data-split on"
check "check $dev: flow-steering FAIL with the ntuple fix" \
	out_has "[FAIL] flow-steering" "ethtool -K $dev ntuple on"
check "check $dev: says how many required items failed" out_has "required checks failed"

run -j check "$dev"
check "-j check $dev exits 1" rc_is 1
check "-j check $dev prints one JSON object" out_json
check "-j check $dev: schema_version, then the checks array" out_has '{"schema_version":1,"checks":['
check "-j check $dev: header-split not ok, required" \
	out_has '"item":"header-split","ok":false,"required":true'
check "-j check $dev: failed >= 2" json_num_ge failed 2
check "-j check $dev: nothing on stderr" err_empty

run -p check
check "-p check prints one JSON object" out_json
check "-p check is indented" out_has '  "checks": ['

run check nosuchdev0
check "check nosuchdev0 exits 1" rc_is 1
check "check nosuchdev0 names the device" out_has "no network device 'nosuchdev0'"
run check "$dev" lo
check "check with two devices is a usage error" usage_text_error

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
