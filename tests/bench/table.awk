# SPDX-License-Identifier: MIT
# table.awk: the Markdown page of one `make bench` boot (docs/benchmarks.md)
# from its bench.json; run through table.sh. Plain awk (mawk is enough):
# the input is tests/bench/bench-json.sh's own flat JSON, not JSON at large.
# The value of "key" in a flat JSON object (a string without its quotes).
function field(obj, key,    v) {
	if (!match(obj, "\"" key "\":(\"[^\"]*\"|[-+0-9.eE]+|null)"))
		return ""
	v = substr(obj, RSTART + length(key) + 3, RLENGTH - length(key) - 3)
	gsub(/"/, "", v)
	return v == "null" ? "" : v
}

# The bracketed value after "key": in s, brackets matched.
function section(s, key,    i, c, d, start) {
	i = index(s, "\"" key "\":")
	if (!i)
		return ""
	start = i + length(key) + 3
	for (i = start; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "[" || c == "{")
			d++
		else if ((c == "]" || c == "}") && --d == 0)
			return substr(s, start, i - start + 1)
	}
	return ""
}

# Splits the flat objects of s into objs[1..n]; returns n.
function objects(s, objs,    n) {
	n = 0
	while (match(s, /\{[^{}]*\}/)) {
		objs[++n] = substr(s, RSTART, RLENGTH)
		s = substr(s, RSTART + RLENGTH)
	}
	return n
}

# Fewer digits the larger a figure is: what TCG noise leaves meaningful.
function num(x) {
	if (x == "")
		return "-"
	x += 0
	if (x < 1)
		return sprintf("%.3f", x)
	if (x < 10)
		return sprintf("%.2f", x)
	if (x < 1000)
		return sprintf("%.1f", x)
	return sprintf("%.0f", x)
}

function ratio(a, b) {
	if (a == "" || b == "" || b + 0 <= 0)
		return "-"
	return sprintf(a / b < 10 ? "%.2f" : "%.1f", a / b)
}

# bench-recv's median per-round share of the copy's CPU (thousandths).
function per_copy(obj, mode,    q) {
	q = field(obj, mode "_per_copy")
	return q == "" ? "-" : sprintf("%.2f", q / 1000)
}

# A count: -1 is the benchmark's "not known" (no importer, no run list).
function count(x) {
	return x == "" || x + 0 < 0 ? "-" : sprintf("%d", x)
}

function mem_name(m) {
	return m in MEMNAME ? MEMNAME[m] : m
}

function size_name(b) {
	return b >= 1073741824 && b % 1073741824 == 0 ? b / 1073741824 " GiB" : b / 1048576 " MiB"
}

# One result cell: its figure, "n/a" where the method cannot take that
# memory (EOPNOTSUPP), the errno otherwise, "-" where it was not measured.
function cell(k, what) {
	if (!(k in ERR))
		return "-"
	if (ERR[k] == -95)
		return "n/a"
	if (ERR[k] != 0)
		return "error " ERR[k]
	return what ~ /segments/ ? count(VAL[k, what]) : num(VAL[k, what])
}

# A table of one figure per memory kind (rows) and method (columns) of
# size sz, for the methods listed in cols (space-separated numbers).
function grid(sz, what, cols,    c, nc, i, j, k, line, any) {
	nc = split(cols, c, " ")
	line = "| memory |"
	for (j = 1; j <= nc; j++)
		line = line " " meth_name(METHOD[c[j]]) " |"
	print line
	line = "|---|"
	for (j = 1; j <= nc; j++)
		line = line "---:|"
	print line
	for (i = 1; i <= NMEM; i++) {
		line = "| " mem_name(MEM[i]) " |"
		any = 0
		for (j = 1; j <= nc; j++) {
			k = MEM[i] SUBSEP sz SUBSEP METHOD[c[j]]
			any = any || (k in ERR)
			line = line " " cell(k, what) " |"
		}
		if (any)
			print line
	}
	print ""
}

function meth_name(m) {
	return m in METHNAME ? METHNAME[m] : m
}

# Column numbers of the methods, but those named in except.
function methods(except,    j, s) {
	s = ""
	for (j = 1; j <= NMETH; j++)
		if (index(" " except " ", " " METHOD[j] " ") == 0)
			s = s (s == "" ? "" : " ") j
	return s
}

BEGIN {
	MEMNAME["anon-4k"] = "anonymous 4 KiB"
	MEMNAME["anon-thp"] = "anonymous THP"
	MEMNAME["anon-hugetlb-2m"] = "anonymous hugetlb 2 MiB"
	MEMNAME["memfd-shmem"] = "memfd shmem 4 KiB"
	MEMNAME["memfd-hugetlb-2m"] = "memfd hugetlb 2 MiB"
	METHNAME["uring-dmabuf fixed"] = "uring-dmabuf fixed (io_uring)"
	METHNAME["io_uring register"] = "`IORING_REGISTER_BUFFERS`"
	METHNAME["dma-heap system"] = "system dma-heap"
}

{ doc = doc $0 "\n" }

# make bench-iommu's part (table.sh --iommu): the same binding through the
# IOMMU (sim0b, an edu PCI function) and dma-direct (sim1b, a platform
# device) in one boot, each exporter's row pair and their ratios.
function iommu_part(    nb, i, t, d, k, ours) {
	nb = objects(section(doc, "bind"), B)
	if (nb == 0) {
		print "table.sh: no bindings in " FILENAME >"/dev/stderr"
		exit 1
	}
	print "Binding 1 GiB of hugetlb memfd to an RX queue of the simulated NIC,"
	print "through QEMU's intel-iommu (strict) and dma-direct, in one boot of"
	print field(doc, "kernel") " (" field(doc, "date") ", commit " field(doc, "commit") "),"
	print "written by `make bench-iommu`."
	print ""
	print "| exporter | DMA | bind (ms) | kernel memory (MiB) |"
	print "|---|---|---:|---:|"
	for (i = 1; i <= nb; i++) {
		t = field(B[i], "method"); d = field(B[i], "dma")
		k = t SUBSEP d
		BT[k] = field(B[i], "bind_ms"); BK[k] = field(B[i], "kernel_kib")
		print "| " t " | " (d == "iommu" ? "IOMMU" : "dma-direct") " | " num(BT[k]) " | " num(BK[k] / 1024) " |"
	}
	ours = "uring-dmabuf ioctl"
	for (i = 1; i <= 2; i++) {
		t = i == 1 ? ours : "udmabuf"
		if (((t, "iommu") in BT) && ((t, "direct") in BT))
			print "| " t ": IOMMU / dma-direct | | " ratio(BT[t, "iommu"], BT[t, "direct"]) " | " ratio(BK[t, "iommu"], BK[t, "direct"]) " |"
	}
	if (((ours, "iommu") in BT) && (("udmabuf", "iommu") in BT))
		print "| IOMMU: udmabuf / uring-dmabuf | | " ratio(BT["udmabuf", "iommu"], BT[ours, "iommu"]) " | " ratio(BK["udmabuf", "iommu"], BK[ours, "iommu"]) " |"
	print ""
}

# make bench-recv's part (table.sh --recv): the receiver's CPU per GiB by
# method and MTU, each against the copying receiver of the same round, the
# setup time and the kernel memory of the binding or registration.
function recv_part(    rv, modes, names, j, n, a, b, t, k, m9, m15, su, km, sz) {
	rv = section(doc, "recv")
	if (rv == "") {
		print "table.sh: no receive figures in " FILENAME >"/dev/stderr"
		exit 1
	}
	print "Receiver CPU time per GiB of `uring-dmabuf recv` over the simulated NIC"
	sz = field(rv, "size")
	sub(/M$/, " MiB", sz)
	print "pair, the same " sz " stream each way, the median of " field(rv, "runs") " rounds with the"
	print "methods interleaved, in one boot of " field(doc, "kernel") " (" field(doc, "date") ","
	print "commit " field(doc, "commit") "), written by `make bench-recv`. Every"
	print "receiver has 64 MiB of 2 MiB hugetlb memory; the dma-bufs are"
	print "uring-dmabuf's CREATE_FIXED of an io_uring registered buffer. \"/ copy\""
	print "is the median over the rounds of the method's CPU over the copying"
	print "receiver's in the same round. Setup: memory, dma-buf and bind or"
	print "registration, as `recv` reports it; kernel memory: what slab and vmalloc"
	print "grew by until the receiver listened (medians of all runs). \"-\": the"
	print "kernel lacks it (zcrx: 6.15+, 16 KiB devmem rx buffers: 7.3+)."
	print ""
	print "| method | MTU 9000 (s per GiB) | / copy | MTU 1500 (s per GiB) | / copy | setup (ms) | kernel memory (KiB) |"
	print "|---|---:|---:|---:|---:|---:|---:|"
	n = split("devmem devmem_16k zcrx_user zcrx_user_16k zcrx_dmabuf copy", modes, " ")
	split("devmem TCP into a uring-dmabuf dma-buf|devmem TCP, 16 KiB rx buffers|zcrx, user memory area|zcrx, user area, 16 KiB buffers|zcrx, uring-dmabuf dma-buf area|`recv()`, copying", names, "|")
	m9 = section(rv, "mtu9000"); m15 = section(rv, "mtu1500")
	su = section(rv, "setup_usec"); km = section(rv, "kernel_kib")
	for (j = 1; j <= n; j++) {
		a = field(m9, modes[j]); b = field(m15, modes[j])
		if (a == "" && b == "")
			continue
		t = field(su, modes[j]); k = field(km, modes[j])
		printf "| %s | %s | %s | %s | %s | %s | %s |\n", names[j], \
			num(a == "" ? "" : a / 1e6), per_copy(m9, modes[j]), \
			num(b == "" ? "" : b / 1e6), per_copy(m15, modes[j]), \
			num(t == "" ? "" : t / 1e3), k == "" ? "-" : sprintf("%d", k)
	}
}

END {
	if (IOMMU) {
		iommu_part()
		exit 0
	}
	if (RECV) {
		recv_part()
		exit 0
	}
	n = objects(section(doc, "results"), R)
	if (n == 0) {
		print "table.sh: no results in " FILENAME >"/dev/stderr"
		exit 1
	}
	for (i = 1; i <= n; i++) {
		m = field(R[i], "memory"); b = field(R[i], "bytes"); t = field(R[i], "method")
		if (!(m in SEENMEM)) { SEENMEM[m] = 1; MEM[++NMEM] = m }
		if (!(b in SEENSZ)) { SEENSZ[b] = 1; SIZE[++NSIZE] = b }
		if (!(t in SEENMETH)) { SEENMETH[t] = 1; METHOD[++NMETH] = t }
		k = m SUBSEP b SUBSEP t
		ERR[k] = field(R[i], "error") + 0
		RUNS = field(R[i], "runs") != "" ? field(R[i], "runs") : RUNS
		split("create_ms release_ms mmap_touch_ms segments importer_segments command_ms", f, " ")
		for (j = 1; j <= 6; j++)
			VAL[k, f[j]] = field(R[i], f[j])
	}

	# Largest buffers first: the 1 GiB figures are the ones quoted.
	for (i = 2; i <= NSIZE; i++)
		for (j = i; j > 1 && SIZE[j] + 0 > SIZE[j - 1] + 0; j--) {
			t = SIZE[j]; SIZE[j] = SIZE[j - 1]; SIZE[j - 1] = t
		}

	print "# Benchmark figures"
	print ""
	print "Written by `make bench` (`tests/bench/table.sh` from the boot's"
	print "`bench.json`): do not edit by hand, run `make bench KERNEL=6.12` again."
	print "How they are measured and how to read them: [performance.md](performance.md)."
	print "Absolute times under TCG are slow and noisy; compare within one page."
	print ""
	print "| | |"
	print "|---|---|"
	print "| kernel | " field(doc, "kernel") " |"
	print "| date | " field(doc, "date") " |"
	print "| commit | " field(doc, "commit") " |"
	print "| runs per figure | " RUNS " (the median is shown) |"
	print ""

	ours = "uring-dmabuf ioctl"; fixed = "uring-dmabuf fixed"
	for (s = 1; s <= NSIZE; s++) {
		sz = SIZE[s]
		print "## Time to turn " size_name(sz) " into a dma-buf (ms)"
		print ""
		print "The ratios are uring-dmabuf / the other, by ioctl and by io_uring"
		print "fixed buffer (below 1: uring-dmabuf is faster). The fixed figure is"
		print "`IORING_REGISTER_BUFFERS` of the memory plus the command, the whole"
		print "way from memory to dma-buf; the command alone, from a buffer already"
		print "registered, is the column after it."
		print ""
		print "| memory | uring-dmabuf ioctl | uring-dmabuf fixed (io_uring: registration + command) | the command alone | udmabuf | `IORING_REGISTER_BUFFERS` | system dma-heap | / udmabuf | / `IORING_REGISTER_BUFFERS` |"
		print "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
		for (i = 1; i <= NMEM; i++) {
			m = MEM[i]
			ko = m SUBSEP sz SUBSEP ours
			kf = m SUBSEP sz SUBSEP fixed
			ku = m SUBSEP sz SUBSEP "udmabuf"
			kr = m SUBSEP sz SUBSEP "io_uring register"
			kh = m SUBSEP sz SUBSEP "dma-heap system"
			if (!(ko in ERR))
				continue
			ru = !(ku in ERR) || ERR[ku] != 0 ? "-" : ratio(VAL[ko, "create_ms"], VAL[ku, "create_ms"]) " / " ratio(VAL[kf, "create_ms"], VAL[ku, "create_ms"])
			rr = !(kr in ERR) || ERR[kr] != 0 ? "-" : ratio(VAL[ko, "create_ms"], VAL[kr, "create_ms"]) " / " ratio(VAL[kf, "create_ms"], VAL[kr, "create_ms"])
			print "| " mem_name(m) " | " cell(ko, "create_ms") " | " cell(kf, "create_ms") " | " cell(kf, "command_ms") " | " cell(ku, "create_ms") " | " cell(kr, "create_ms") " | " cell(kh, "create_ms") " | " ru " | " rr " |"
		}
		print ""
		print "### Release, " size_name(sz) " (ms, close until unpinned; fixed: unregistering too)"
		print ""
		grid(sz, "release_ms", methods(""))
		print "### mmap and touching every page of the dma-buf, " size_name(sz) " (ms)"
		print ""
		grid(sz, "mmap_touch_ms", methods("io_uring register"))
		print "### Segments, " size_name(sz)
		print ""
		print "What the test importer, allowed 4 GiB segments, receives."
		print ""
		grid(sz, "importer_segments", methods("io_uring register"))
	}

	nb = objects(section(doc, "bind"), B)
	if (nb > 0) {
		print "## Binding 1 GiB of hugetlb memfd to an RX queue of the simulated NIC"
		print ""
		print "`NETDEV_CMD_BIND_RX`, device segment limit 1 GiB; kernel memory is"
		print "what slab and vmalloc grew by while bound."
		print ""
		print "| exporter | bind (ms) | kernel memory (MiB) |"
		print "|---|---:|---:|"
		for (i = 1; i <= nb; i++) {
			t = field(B[i], "method")
			BT[t] = field(B[i], "bind_ms"); BK[t] = field(B[i], "kernel_kib")
			print "| " t " | " num(BT[t]) " | " num(BK[t] / 1024) " |"
		}
		if ((ours in BT) && ("udmabuf" in BT))
			print "| udmabuf / uring-dmabuf | " ratio(BT["udmabuf"], BT[ours]) " | " ratio(BK["udmabuf"], BK[ours]) " |"
		print ""
	}

	# make bench-iommu's part: kept from the page before (run.sh).
	print "## Binding behind an IOMMU"
	print ""
	print "<!-- bench:iommu:begin -->"
	print "<!-- bench:iommu:end -->"
	print ""
}
