#!/bin/sh
# uring-dmabuf info and version with the module loaded and idle: limits,
# live counters (all 0), text and JSON from the same values.
. "${0%/*}/cli-lib.sh"

[ -d "$SYSFS" ] || skip_all "$SYSFS missing: is uring_dmabuf loaded?"
check "module idle before the test (no buffer, nothing pinned)" idle

run info
check "info exits 0" rc_is 0
check "info: module and API version" out_has "module version: " "API version: "
check "info: limits" out_has "max ranges per buffer: " "module-wide pin cap: "
check "info: buffers 0" out_has "buffers: 0"
check "info: pinned 0 bytes" out_has "pinned: 0 bytes"
check "info: attachments 0" out_has "attachments: 0"
check "info: nothing on stderr" err_empty

run -j info
check "-j info exits 0" rc_is 0
check "-j info prints one JSON object" out_json
check "-j info: counters present and 0" \
	out_has '"counters":{"buffers":0,"pinned_bytes":0,"attachments":0}'
check "-j info: version keys" out_has '"module_version":"' '"api_version":' '"max_ranges":'
check "-j info: max_ranges matches the module parameter" \
	json_num_is max_ranges "$(cat /sys/module/uring_dmabuf/parameters/max_ranges 2>/dev/null)"

# The text and JSON say the same: the version string of both.
ver=$(sed -n 's/.*"module_version":"\([^"]*\)".*/\1/p' "$T/out")
run info
check "info text and JSON give the same module version ($ver)" out_has "module version: $ver"

run info -p
check "info -p prints one indented JSON object" out_json
check "info -p is indented" out_has '  "counters": {'

run version
check "version exits 0" rc_is 0
check "version: first line is 'uring-dmabuf VERSION'" \
	sh -c "head -n 1 '$T/out' | grep -q '^uring-dmabuf [0-9][0-9.]*'"
check "version: the loaded module's version ($ver)" out_has "module: $ver (API "
run -V
check "-V prints the version" out_has "uring-dmabuf "
run -j version
check "-j version prints one JSON object" out_json
check "-j version names the module" out_has "\"module\":\"$ver\""
check "-j version: loaded and accessible" out_has '"module_loaded":true,"device_access":true'

# A user the device node shuts out: the module is loaded all the same.
mode=$(stat -c %a /dev/uring_dmabuf)
chmod 600 /dev/uring_dmabuf
as_nobody "$CLI version"
check "version as nobody exits 0" rc_is 0
check "version as nobody: loaded, version from sysfs, and why no more" \
	out_has "module: $ver (/dev/uring_dmabuf: Permission denied)"
check "version as nobody: not 'not loaded'" sh -c "! grep -q 'not loaded' '$T/out'"
as_nobody "$CLI -j version"
check "-j version as nobody: loaded, no access" \
	out_has '"module_loaded":true,"device_access":false,"module":"'"$ver"'"'
chmod "$mode" /dev/uring_dmabuf

finish
