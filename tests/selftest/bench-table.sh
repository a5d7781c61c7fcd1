#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Self-test of the benchmark page generator (tests/bench/bench-json.sh, then
# table.sh), which `make bench` (and bench-iommu, bench-recv) run to write
# docs/benchmarks.md: a made-up
# guest output must come out as the figures it holds, with the ratios worked
# out from them; an output without the benchmark's results must fail, not
# write an empty page.
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH=$TOP/tests/bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0

result() {
	if [ "$1" = 0 ]; then echo "ok bench table: $2"; else echo "not ok bench table: $2"; bad=1; fi
}

# has DESC TEXT: the page holds the line TEXT.
has() {
	grep -qxF -- "$2" "$tmp/page.md"
	result $? "$1"
}

# A results.log as the serial port delivers it (CR LF), text lines between.
{
	echo '# uring-dmabuf benchmark: 5 runs per figure, median [min-max]'
	printf '%s\r\n' 'BENCH-JSON {"results":[{"memory":"memfd-hugetlb-2m","bytes":1073741824,"method":"uring-dmabuf ioctl","error":0,"create_ms":2.0000,"create_min_ms":1.0,"create_max_ms":3.0,"release_ms":0.5000,"runs":5,"segments":512,"importer_segments":512,"mmap_touch_ms":150.0000},{"memory":"memfd-hugetlb-2m","bytes":1073741824,"method":"uring-dmabuf fixed","error":0,"create_ms":4.0000,"create_min_ms":3.0,"create_max_ms":5.0,"release_ms":0.7000,"runs":5,"segments":512,"importer_segments":512,"mmap_touch_ms":140.0000,"command_ms":1.5000,"command_min_ms":1.0,"command_max_ms":2.0},{"memory":"memfd-hugetlb-2m","bytes":1073741824,"method":"udmabuf","error":0,"create_ms":20.0000,"create_min_ms":19.0,"create_max_ms":21.0,"release_ms":1.0000,"runs":5,"segments":-1,"importer_segments":262144,"mmap_touch_ms":1500.0000},{"memory":"anon-4k","bytes":1073741824,"method":"udmabuf","error":-95}]}'
	echo '  uring-dmabuf ioctl  bind    50.000 ms'
	printf '%s\r\n' 'BENCH-BIND {"method":"uring-dmabuf ioctl","bind_ms":50.0000,"kernel_kib":10240,"runs":5}'
	printf '%s\r\n' 'BENCH-BIND {"method":"udmabuf","bind_ms":5000.0000,"kernel_kib":1024000,"runs":5}'
} >"$tmp/results.log"

"$BENCH/bench-json.sh" "$tmp/results.log" 6.12.99-test "2026-01-01 00:00 UTC" abc1234 >"$tmp/bench.json"
result $? "bench-json.sh reads a guest output"
if command -v jq >/dev/null; then
	jq -e '.results | length == 4' "$tmp/bench.json" >/dev/null
	result $? "bench.json is one JSON document with every result"
fi
"$BENCH/table.sh" "$tmp/bench.json" >"$tmp/page.md"
result $? "table.sh writes a page"
has "kernel, date and commit" "| kernel | 6.12.99-test |"
has "the date" "| date | 2026-01-01 00:00 UTC |"
has "the commit" "| commit | abc1234 |"
has "create times with the ratios to udmabuf, fixed with its command alone" \
	"| memfd hugetlb 2 MiB | 2.00 | 4.00 | 1.50 | 20.0 | - | - | 0.10 / 0.20 | - |"
has "a method that cannot take the memory is n/a" \
	"| anonymous 4 KiB | - | - | n/a |"
has "release times" "| memfd hugetlb 2 MiB | 0.500 | 0.700 | 1.00 |"
has "segments as whole numbers" "| memfd hugetlb 2 MiB | 512 | 512 | 262144 |"
has "bind time and memory" "| udmabuf | 5000 | 1000 |"
has "bind ratios" "| udmabuf / uring-dmabuf | 100.0 | 100.0 |"
if grep -q -e 'BENCH-' -e $'\r' "$tmp/page.md"; then result 1 "no raw lines or CRs on the page"; else result 0 "no raw lines or CRs on the page"; fi

# Broken inputs: each must fail.
grep -v '^BENCH-JSON' "$tmp/results.log" >"$tmp/nojson.log"
if "$BENCH/bench-json.sh" "$tmp/nojson.log" 6.12 >/dev/null 2>&1; then
	result 1 "a guest output without BENCH-JSON fails"
else
	result 0 "a guest output without BENCH-JSON fails"
fi
echo '{"kernel":"6.12","results":[]}' >"$tmp/empty.json"
if "$BENCH/table.sh" "$tmp/empty.json" >/dev/null 2>&1; then
	result 1 "a bench.json without results fails"
else
	result 0 "a bench.json without results fails"
fi
if "$BENCH/table.sh" "$tmp/missing.json" >/dev/null 2>&1; then
	result 1 "a missing bench.json fails"
else
	result 0 "a missing bench.json fails"
fi

# make bench-recv: the receive rows by method, '-' where an MTU was not
# measured, no row for a method the kernel lacks (16 KiB buffers here).
{
	echo 'recv MTU 9000 run 1 devmem: text lines in between'
	printf '%s\r\n' 'BENCH-RECV {"size":"256M","runs":3,"unit":"receiver CPU usec per GiB, median","mtu9000":{"devmem":4000000,"devmem_per_copy":500,"zcrx_user":3000000,"zcrx_user_per_copy":375,"zcrx_dmabuf":2000000,"zcrx_dmabuf_per_copy":250,"copy":8000000,"copy_per_copy":1000},"mtu1500":{"devmem":9000000,"devmem_per_copy":900,"copy":10000000,"copy_per_copy":1000},"setup_usec":{"devmem":50000,"zcrx_user":30000,"zcrx_dmabuf":60000},"kernel_kib":{"devmem":2048,"zcrx_user":1024,"zcrx_dmabuf":1536}}'
} >"$tmp/recv.log"
"$BENCH/bench-json.sh" --recv "$tmp/recv.log" 7.3.99-test "2026-01-01 00:00 UTC" abc1234 >"$tmp/recv.json"
result $? "bench-json.sh --recv reads a receive-only guest output"
"$BENCH/table.sh" --recv "$tmp/recv.json" >"$tmp/page.md"
result $? "table.sh --recv writes the receive part"
has "receiver CPU per GiB at both MTUs, with the share of the copy's" \
	"| devmem TCP into a uring-dmabuf dma-buf | 4.00 | 0.50 | 9.00 | 0.90 | 50.0 | 2048 |"
has "zcrx rows, '-' where an MTU was not measured" \
	"| zcrx, uring-dmabuf dma-buf area | 2.00 | 0.25 | - | - | 60.0 | 1536 |"
has "the copy row, no setup" "| \`recv()\`, copying | 8.00 | 1.00 | 10.0 | 1.00 | - | - |"
if grep -q '16 KiB.* |' "$tmp/page.md"; then result 1 "no row for a method not measured"; else result 0 "no row for a method not measured"; fi
grep -qF 'the same 256 MiB stream each way, the median of 3 rounds with the' "$tmp/page.md" && grep -qF '7.3.99-test (2026-01-01 00:00 UTC,' "$tmp/page.md" &&
	grep -qF 'commit abc1234)' "$tmp/page.md"
result $? "the part says the rounds, the kernel, the date and the commit"
if "$BENCH/bench-json.sh" --recv "$tmp/results.log" 7.3 >/dev/null 2>&1; then
	result 1 "a guest output without BENCH-RECV fails"
else
	result 0 "a guest output without BENCH-RECV fails"
fi

# make bench-iommu: the binding rows of both DMA paths, their ratios, and
# the part spliced between its markers (README.md, docs/benchmarks.md).
{
	printf '%s\r\n' 'BENCH-BIND {"method":"uring-dmabuf ioctl","dma":"iommu","bind_ms":100.0000,"kernel_kib":10240,"runs":5}'
	printf '%s\r\n' 'BENCH-BIND {"method":"udmabuf","dma":"iommu","bind_ms":8000.0000,"kernel_kib":1024000,"runs":5}'
	printf '%s\r\n' 'BENCH-BIND {"method":"uring-dmabuf ioctl","dma":"direct","bind_ms":50.0000,"kernel_kib":10240,"runs":5}'
	printf '%s\r\n' 'BENCH-BIND {"method":"udmabuf","dma":"direct","bind_ms":4000.0000,"kernel_kib":1024000,"runs":5}'
} >"$tmp/iommu.log"
"$BENCH/bench-json.sh" --bind "$tmp/iommu.log" 6.12.99-test "2026-01-01 00:00 UTC" abc1234 >"$tmp/iommu.json"
result $? "bench-json.sh --bind reads a bindings-only guest output"
"$BENCH/table.sh" --iommu "$tmp/iommu.json" >"$tmp/part.md"
result $? "table.sh --iommu writes the IOMMU part"
cp "$tmp/part.md" "$tmp/page.md"
has "an IOMMU row" "| uring-dmabuf ioctl | IOMMU | 100.0 | 10.0 |"
has "a dma-direct row" "| udmabuf | dma-direct | 4000 | 1000 |"
has "IOMMU / dma-direct" "| uring-dmabuf ioctl: IOMMU / dma-direct | | 2.00 | 1.00 |"
has "udmabuf / ours behind the IOMMU" "| IOMMU: udmabuf / uring-dmabuf | | 80.0 | 100.0 |"
printf '%s\n' 'before' '<!-- bench:iommu:begin -->' 'old figures' '<!-- bench:iommu:end -->' 'after' >"$tmp/readme.md"
"$BENCH/splice.sh" "$tmp/readme.md" iommu "$tmp/part.md"
if grep -q 'old figures' "$tmp/readme.md" || ! grep -qxF 'before' "$tmp/readme.md" ||
	! grep -qxF 'after' "$tmp/readme.md" ||
	! "$BENCH/splice.sh" "$tmp/readme.md" iommu | cmp -s - "$tmp/part.md"; then
	result 1 "splice.sh replaces what stands between the markers, nothing else"
else
	result 0 "splice.sh replaces what stands between the markers, nothing else"
fi
grep -v '^BENCH-BIND' "$tmp/iommu.log" >"$tmp/nobind.log"
if "$BENCH/bench-json.sh" --bind "$tmp/nobind.log" 6.12 >/dev/null 2>&1; then
	result 1 "a bindings-only output without BENCH-BIND fails"
else
	result 0 "a bindings-only output without BENCH-BIND fails"
fi

exit $bad
