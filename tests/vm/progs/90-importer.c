// SPDX-License-Identifier: GPL-2.0
/*
 * 90-importer: what a device gets when it imports our dma-bufs, as seen by
 * the test-only importer module (tests/kmod/importer): DMA segments within
 * the device's limits and as few as those allow, holding the buffer's bytes
 * in order; READONLY buffers only for DMA_TO_DEVICE and never vmapped; a
 * device without a DMA mask refused; the attachment counted while it lasts;
 * PFN identity: each page's DMA address leads to the frame behind the
 * creator's virtual address (pagemap), for every kind and a buffer mixing
 * them, so no bounce or shadow copy passes.
 * In the IOMMU lane the importer's device is a PCI function behind the
 * IOMMU: segments are merged IOVA ranges, the bytes read through it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"
#include "netdev.h"
#include "../../kmod/importer/importer_uapi.h"

#define KIB 1024ULL
#define BUF_BYTES (64ULL * MIB)
#define DEFAULT_SEG (64 * KIB)	/* the kernel's limit without dma_parms */
#define SEG_4G (0xffffffffU & ~4095U)

/* --- the memory and its dma-buf -------------------------------------- */

/* The kinds of memory imported, in test order; the index seeds the pattern. */
static const struct kind {
	enum mem_kind mem;
	const char *name;
} kinds[] = {
	{ MEM_ANON, "anonymous 4 KiB" },
	{ MEM_THP, "THP" },
	{ MEM_HUGE_2M, "hugetlb 2 MiB" },
	{ MEM_MEMFD, "memfd" },
	{ MEM_HUGE_MEMFD, "hugetlb memfd" },
};

#define NR_KINDS (sizeof(kinds) / sizeof(kinds[0]))

static int is_hugetlb(enum mem_kind kind)
{
	return kind == MEM_HUGE_2M || kind == MEM_HUGE_MEMFD;
}

struct buf {
	enum mem_kind kind;
	const char *name;
	struct mem m;		/* BUF_BYTES, filled with the pattern */
	int fd;			/* the dma-buf */
	uint64_t hash;		/* importer_hash of the pattern */
	struct uring_dmabuf_info info;
};

/*
 * Not common.c's pattern: the importer reports the first differing byte, so
 * every byte of a word must depend on the offset (words 2 MiB apart share
 * their low 21 bits there).
 */
static uint64_t pattern_word(uint64_t seed, uint64_t off)
{
	uint64_t x = (seed + 1) * 0x9e3779b97f4a7c15ULL ^ off;

	/* splitmix64's finaliser: every output bit depends on every input bit */
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void pattern_fill_mixed(unsigned char *p, size_t len, uint64_t seed)
{
	uint64_t *w = (uint64_t *)p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		w[i] = pattern_word(seed, i * 8);
}

static uint64_t hash_of(const unsigned char *p, size_t len)
{
	struct importer_hash h = IMPORTER_HASH_INIT;

	importer_hash_update(&h, p, len);
	return importer_hash_final(&h);
}

static void buf_free(struct buf *b)
{
	if (b->fd >= 0)
		close(b->fd);
	mem_free(&b->m);
	b->fd = -1;
}

#define MAX_RANGES 8

/*
 * Memory filled with a pattern, exported as @nr_ranges equal ranges in
 * reverse address order (so that the dma-buf's order is not the memory's);
 * 1 if ready, 0 if skipped or failed.
 */
static int buf_make(struct buf *b, int dev, unsigned int k,
		    unsigned int nr_ranges)
{
	struct importer_hash hash = IMPORTER_HASH_INIT;
	struct uring_dmabuf_range r[MAX_RANGES];
	size_t part = BUF_BYTES / nr_ranges;
	enum mem_kind kind = kinds[k].mem;
	char why[128];
	unsigned int i;
	int ret;

	memset(b, 0, sizeof(*b));
	b->kind = kind;
	b->name = kinds[k].name;
	b->fd = -1;
	ret = mem_alloc(&b->m, kind, BUF_BYTES);
	if (ret) {
		if (is_hugetlb(kind) || kind == MEM_THP) {
			snprintf(why, sizeof(why), "cannot map it: %s",
				 strerror(-ret));
			t_skip(why, "%s: buffer", b->name);
		} else {
			t_ok(0, "%s: map %llu MiB", b->name, BUF_BYTES / MIB);
		}
		buf_free(b);
		return 0;
	}
	/* THP is "always" on Debian: keep plain anonymous memory in 4 KiB. */
	if (kind == MEM_ANON && madvise(b->m.p, BUF_BYTES, MADV_NOHUGEPAGE))
		t_diag("madvise(MADV_NOHUGEPAGE): %s", strerror(errno));
	if (nr_ranges > 1)
		b->name = "anonymous 4 KiB, ranges reversed";
	pattern_fill_mixed(b->m.p, BUF_BYTES, k);
	for (i = 0; i < nr_ranges; i++) {
		r[i].addr = (uintptr_t)b->m.p + (nr_ranges - 1 - i) * part;
		r[i].len = part;
		importer_hash_update(&hash, (const unsigned char *)r[i].addr,
				     part);
	}
	b->hash = importer_hash_final(&hash);

	b->fd = ud_create(dev, r, nr_ranges, URING_DMABUF_CREATE_CLOEXEC, NULL);
	if (!t_ok(b->fd >= 0, "%s: URING_DMABUF_IOC_CREATE of %llu MiB in %u range(s)",
		  b->name, BUF_BYTES / MIB, nr_ranges)) {
		t_diag("create: %s", errname(-b->fd));
		buf_free(b);
		return 0;
	}
	ret = ud_info(dev, b->fd, &b->info);
	if (!t_ok(!ret && b->info.bytes == BUF_BYTES && b->info.nr_segments,
		  "%s: INFO: %llu segments, %llu MiB in huge folios", b->name,
		  (unsigned long long)b->info.nr_segments,
		  (unsigned long long)b->info.huge_bytes / MIB)) {
		t_diag("info: %s, bytes %llu", errname(-ret),
		       (unsigned long long)b->info.bytes);
		buf_free(b);
		return 0;
	}
	return 1;
}

/* --- importer checks ------------------------------------------------- */

static int imp_check(int imp, int fd, uint32_t flags, uint32_t max_seg,
		     uint64_t boundary, uint32_t dir, struct importer_check *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->flags = flags;
	c->max_seg_size = max_seg;
	c->seg_boundary_mask = boundary;
	c->dir = dir;
	c->cpu_dir = IMPORTER_DIR_FROM_DEVICE;	/* the CPU reads */
	return ioctl_ret(imp, IMPORTER_IOC_CHECK, c);
}

static const char *size_name(uint64_t bytes, char *out, size_t len)
{
	if (bytes == SEG_4G)
		snprintf(out, len, "4 GiB - 4 KiB");
	else if (bytes >= MIB && !(bytes % MIB))
		snprintf(out, len, "%llu MiB", (unsigned long long)(bytes / MIB));
	else
		snprintf(out, len, "%llu KiB", (unsigned long long)(bytes / KIB));
	return out;
}

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/*
 * The fewest segments a device with segments of at most @lim bytes can get:
 * each physically contiguous run split into @lim pieces. Exact when we know
 * the runs (every run fits; hugetlb runs are 2 MiB aligned multiples),
 * otherwise bounded by the number of runs and of @lim pieces. Behind an
 * IOMMU (@iommu: make vmtest-iommu) the runs are mapped into one
 * IOVA-contiguous range and merged up to @lim: one segment if @lim takes
 * the whole buffer, else at least the @lim pieces (one more where the IOVA
 * range does not start on a @lim boundary), at most what dma-direct gets.
 */
static void want_segments(const struct buf *b, uint64_t lim, int iommu,
			  uint64_t *lo, uint64_t *hi)
{
	uint64_t runs = b->info.nr_segments;

	if (iommu && lim >= BUF_BYTES) {
		*lo = *hi = 1;
	} else if (iommu) {
		*lo = div_up(BUF_BYTES, lim);
		*hi = max_u64(runs, *lo) + BUF_BYTES / lim;
	} else if (lim >= BUF_BYTES) {
		*lo = *hi = runs;
	} else if (is_hugetlb(b->kind) && SZ_2M % lim == 0) {
		*lo = *hi = BUF_BYTES / lim;
	} else {
		*lo = max_u64(runs, div_up(BUF_BYTES, lim));
		*hi = runs + BUF_BYTES / lim;
	}
}

/* One import by a device with these DMA limits. */
struct import_case {
	uint32_t max_seg;	/* 0: no dma_parms, the kernel's 64 KiB */
	uint64_t boundary;	/* segment boundary mask, 0: none */
	uint32_t dir;		/* IMPORTER_DIR_* */
	int bytes;		/* read every byte (slower) */
};

static const struct import_case import_cases[] = {
	{ 64 * KIB, 0, IMPORTER_DIR_BIDIRECTIONAL, 1 },
	{ MIB, 0, IMPORTER_DIR_BIDIRECTIONAL, 1 },
	{ SEG_4G, 0, IMPORTER_DIR_BIDIRECTIONAL, 1 },
	{ 0, 0, IMPORTER_DIR_BIDIRECTIONAL, 0 },
	{ SEG_4G, MIB - 1, IMPORTER_DIR_BIDIRECTIONAL, 0 },
	/* as devmem maps it for RX */
	{ SEG_4G, 0, IMPORTER_DIR_FROM_DEVICE, 1 },
};

static void check_import(int imp, const struct buf *b,
			 const struct import_case *ic)
{
	uint64_t lim = ic->max_seg ? ic->max_seg : DEFAULT_SEG, lo, hi;
	uint64_t boundary = ic->boundary;
	char what[160], s1[32], s2[32];
	struct importer_check c;
	int ret;

	snprintf(what, sizeof(what), "%s, max segment %s%s", b->name,
		 size_name(lim, s1, sizeof(s1)),
		 ic->max_seg ? "" : " (no dma_parms)");
	if (boundary)
		snprintf(what + strlen(what), sizeof(what) - strlen(what),
			 ", boundary %s", size_name(boundary + 1, s2, sizeof(s2)));
	if (ic->dir == IMPORTER_DIR_FROM_DEVICE)
		snprintf(what + strlen(what), sizeof(what) - strlen(what),
			 ", DMA_FROM_DEVICE");

	ret = imp_check(imp, b->fd, ic->bytes ? IMPORTER_CHECK_BYTES : 0,
			ic->max_seg, boundary, ic->dir, &c);
	if (!t_ok(!ret && !c.attach_err && !c.map_err && c.nr_segments,
		  "%s: attach and map", what)) {
		t_diag("ioctl %s, attach %s, map %s, %llu segments",
		       errname(-ret), errname(c.attach_err),
		       errname(c.map_err), (unsigned long long)c.nr_segments);
		return;
	}

	if (boundary && boundary + 1 < lim)
		lim = boundary + 1;
	if (!t_ok(!c.nr_over_limit && c.largest_segment <= lim &&
		  !c.nr_cross_boundary && !c.nr_unaligned,
		  "%s: largest segment %llu KiB, none over the limit", what,
		  (unsigned long long)c.largest_segment / KIB))
		t_diag("%u over the limit, %llu across a boundary, %llu not page aligned",
		       c.nr_over_limit, (unsigned long long)c.nr_cross_boundary,
		       (unsigned long long)c.nr_unaligned);

	want_segments(b, lim, c.iommu_mapped, &lo, &hi);
	if (!t_ok(c.nr_segments >= lo && c.nr_segments <= hi,
		  "%s: %llu segments, as few as the limit allows", what,
		  (unsigned long long)c.nr_segments))
		t_diag("want %llu..%llu (%llu contiguous runs%s)",
		       (unsigned long long)lo, (unsigned long long)hi,
		       (unsigned long long)b->info.nr_segments,
		       c.iommu_mapped ? ", behind an IOMMU" : "");
	if (!t_ok(!c.nr_mergeable,
		  "%s: no two adjacent segments could have been one", what))
		t_diag("%llu segments continue the previous one within the limits",
		       (unsigned long long)c.nr_mergeable);

	if (ic->bytes && !t_ok(c.dmabuf_size == BUF_BYTES &&
			       c.mapped_bytes == BUF_BYTES && !c.nr_bad_pfn &&
			       !c.vmap_err && !c.vmap_mismatch && c.hash == b->hash,
			       "%s: segments hold the buffer's bytes in order", what))
		t_diag("size %llu, mapped %llu, %llu bad pfns, vmap %s, vmap mismatch at %lld, hash %s",
		       (unsigned long long)c.dmabuf_size,
		       (unsigned long long)c.mapped_bytes,
		       (unsigned long long)c.nr_bad_pfn, errname(c.vmap_err),
		       (long long)c.vmap_mismatch - 1,
		       c.hash == b->hash ? "equal" : "differs");

	if (!t_ok(!c.begin_cpu_err && !c.end_cpu_err,
		  "%s: begin/end CPU access", what))
		t_diag("begin %s, end %s", errname(c.begin_cpu_err),
		       errname(c.end_cpu_err));
}

/* While the importer holds an attachment, INFO and sysfs count it. */
static void check_attachment_counted(int dev, int imp, const struct buf *b)
{
	long long base = mod_counter("attachments"), now;
	struct uring_dmabuf_info info;
	struct importer_check c;
	int ret;

	ret = imp_check(imp, b->fd, IMPORTER_CHECK_KEEP, SEG_4G, 0,
			IMPORTER_DIR_BIDIRECTIONAL, &c);
	if (!t_ok(!ret && !c.attach_err && !c.map_err,
		  "%s: importer keeps an attachment", b->name)) {
		t_diag("ioctl %s, attach %s, map %s", errname(-ret),
		       errname(c.attach_err), errname(c.map_err));
		if (!ret)
			ioctl_ret(imp, IMPORTER_IOC_RELEASE, NULL);
		return;
	}
	ret = ud_info(dev, b->fd, &info);
	if (!t_ok(!ret && info.nr_attachments == 1,
		  "%s: INFO nr_attachments is 1 while attached", b->name))
		t_diag("info %s, nr_attachments %u", errname(-ret),
		       info.nr_attachments);
	now = mod_counter("attachments");
	if (!t_ok(base >= 0 && now == base + 1,
		  "%s: sysfs attachments counts it", b->name))
		t_diag("attachments %lld before, %lld now", base, now);

	ret = ioctl_ret(imp, IMPORTER_IOC_RELEASE, NULL);
	t_ok(!ret, "%s: importer detaches", b->name);
	ret = ud_info(dev, b->fd, &info);
	if (!t_ok(!ret && info.nr_attachments == 0,
		  "%s: INFO nr_attachments is 0 after detach", b->name))
		t_diag("info %s, nr_attachments %u", errname(-ret),
		       info.nr_attachments);
	now = mod_counter("attachments");
	if (!t_ok(now == base, "%s: sysfs attachments back to %lld", b->name,
		  base))
		t_diag("attachments %lld now", now);
}

/* kinds[k] exported as @nr_ranges ranges, through every import case. */
static void test_kind(int dev, int imp, unsigned int k,
		      unsigned int nr_ranges)
{
	unsigned int i;
	struct buf b;

	if (!buf_make(&b, dev, k, nr_ranges))
		return;
	if (is_hugetlb(b.kind) &&
	    !t_ok(b.info.nr_segments <= BUF_BYTES / SZ_2M,
		  "%s: at most one run per huge page", b.name))
		t_diag("%llu runs", (unsigned long long)b.info.nr_segments);
	if (b.kind == MEM_THP && b.info.huge_bytes != BUF_BYTES)
		t_diag("only %llu MiB in THP (transparent_hugepage setting?)",
		       (unsigned long long)b.info.huge_bytes / MIB);

	for (i = 0; i < sizeof(import_cases) / sizeof(import_cases[0]); i++)
		check_import(imp, &b, &import_cases[i]);
	if (nr_ranges == 1)
		check_attachment_counted(dev, imp, &b);
	buf_free(&b);
}

/* --- PFN identity ------------------------------------------------------ */

#define PFN_BYTES (8ULL * MIB)

/*
 * The importer's frame behind the DMA address of each page of @fd against
 * the frame behind the creator's virtual address of the same byte (@r in
 * dma-buf order): an exporter that bounced or shadowed the memory fails.
 */
static void check_pfns(int imp, int fd, const struct uring_dmabuf_range *r,
		       unsigned int nr, const char *name)
{
	struct importer_pfns req = {};
	struct importer_check c;
	uint64_t *pfns, total = 0, idx = 0, bad = 0, none = 0;
	unsigned int i;
	long ret;

	for (i = 0; i < nr; i++)
		total += r[i].len / PAGE_SZ;
	pfns = calloc(total, sizeof(*pfns));
	if (!t_ok(pfns != NULL, "%s: PFN array", name))
		return;
	ret = imp_check(imp, fd, IMPORTER_CHECK_KEEP, 0, 0,
			IMPORTER_DIR_FROM_DEVICE, &c);
	if (!t_ok(!ret && !c.attach_err && !c.map_err,
		  "%s: importer keeps a mapping", name)) {
		t_diag("ioctl %s, attach %s, map %s", errname(-ret),
		       errname(c.attach_err), errname(c.map_err));
		free(pfns);
		return;
	}
	req.pfns = (uintptr_t)pfns;
	req.nr_pfns = total;
	ret = ioctl_ret(imp, IMPORTER_IOC_PFNS, &req);
	if (t_ok(!ret && req.nr_pfns == total,
		 "%s: IMPORTER_IOC_PFNS gives %llu pages over %llu segments",
		 name, (unsigned long long)total,
		 (unsigned long long)req.nr_segments)) {
		for (i = 0; i < nr; i++) {
			const unsigned char *p = (const void *)(uintptr_t)r[i].addr;
			uint64_t off;

			for (off = 0; off < r[i].len; off += PAGE_SZ, idx++) {
				long long want = pagemap_pfn(p + off);

				if (pfns[idx] == IMPORTER_PFN_NONE)
					none++;
				if (want >= 0 && pfns[idx] == (uint64_t)want)
					continue;
				if (!bad++)
					t_diag("page %llu: DMA leads to PFN %#llx, pagemap %#llx (%s)",
					       (unsigned long long)idx,
					       (unsigned long long)pfns[idx],
					       want < 0 ? 0ULL : (unsigned long long)want,
					       want < 0 ? errname(-want) : "present");
			}
		}
		if (!t_ok(!bad && !none,
			  "%s: every DMA address leads to the frame behind the creator's address",
			  name))
			t_diag("%llu of %llu pages differ, %llu lead nowhere",
			       (unsigned long long)bad,
			       (unsigned long long)total,
			       (unsigned long long)none);
	} else {
		t_diag("%s, nr_pfns %llu", errname(-ret),
		       (unsigned long long)req.nr_pfns);
	}
	t_ok(ioctl_ret(imp, IMPORTER_IOC_RELEASE, NULL) == 0,
	     "%s: importer releases the mapping", name);
	free(pfns);
}

/* Mapped and touched; 1, or 0 after a skip (huge pages missing) or failure. */
static int pfn_mem(struct mem *m, enum mem_kind kind, size_t len)
{
	char why[128];
	int ret = mem_alloc(m, kind, len);

	if (ret) {
		if (kind == MEM_ANON || kind == MEM_MEMFD) {
			t_ok(0, "PFN identity, %s: map %zu MiB",
			     mem_kind_name(kind), len / MIB);
			return 0;
		}
		snprintf(why, sizeof(why), "cannot map it: %s%s",
			 strerror(-ret), kind == MEM_HUGE_1G ?
			 " (no 1 GiB page reserved at boot)" : "");
		t_skip(why, "PFN identity, %s", mem_kind_name(kind));
		return 0;
	}
	/* Present, for pagemap: a hugetlb page faults in whole at its first byte. */
	memset(m->p, 0x5a, len < PFN_BYTES ? len : PFN_BYTES);
	return 1;
}

static void pfns_one(int dev, int imp, enum mem_kind kind, size_t len)
{
	struct uring_dmabuf_range r;
	char name[96];
	struct mem m;
	int fd;

	if (!pfn_mem(&m, kind, len))
		return;
	snprintf(name, sizeof(name), "PFN identity, %s", mem_kind_name(kind));
	/*
	 * PFN_BYTES of it, from 3 MiB in: a 1 GiB page is checked inside its
	 * folio without walking all 262144 of its 4 KiB pages.
	 */
	r.addr = (uintptr_t)m.p + (len > PFN_BYTES ? 3 * MIB : 0);
	r.len = PFN_BYTES;
	fd = ud_create(dev, &r, 1, URING_DMABUF_CREATE_CLOEXEC, NULL);
	if (t_ok(fd >= 0, "%s: dma-buf of %llu MiB", name, PFN_BYTES / MIB)) {
		check_pfns(imp, fd, &r, 1, name);
		close(fd);
	} else {
		t_diag("create: %s", errname(-fd));
	}
	mem_free(&m);
}

/* One dma-buf whose ranges come from different kinds, out of address order. */
static void pfns_mixed(int dev, int imp)
{
	static const enum mem_kind mixed[] = {
		MEM_HUGE_MEMFD, MEM_ANON, MEM_MEMFD, MEM_THP, MEM_HUGE_2M,
	};
	const char *name = "PFN identity, ranges of five kinds";
	struct uring_dmabuf_range r[5];
	struct mem m[5];
	unsigned int i, n = 0;
	int fd;

	for (i = 0; i < 5; i++) {
		if (!pfn_mem(&m[n], mixed[i], 2 * MIB))
			continue;
		/* Odd 4 KiB pages into the middle of each, not whole folios. */
		r[n].addr = (uintptr_t)m[n].p + PAGE_SZ * (i + 1);
		r[n].len = MIB;
		n++;
	}
	if (!t_ok(n >= 2, "%s: %u kinds mapped", name, n))
		goto out;
	fd = ud_create(dev, r, n, URING_DMABUF_CREATE_CLOEXEC, NULL);
	if (t_ok(fd >= 0, "%s: dma-buf of %u ranges", name, n)) {
		check_pfns(imp, fd, r, n, name);
		close(fd);
	} else {
		t_diag("create: %s", errname(-fd));
	}
out:
	for (i = 0; i < n; i++)
		mem_free(&m[i]);
}

static void test_pfns(int dev, int imp)
{
	static const enum mem_kind single[] = {
		MEM_ANON, MEM_THP, MEM_HUGE_2M, MEM_MEMFD, MEM_HUGE_MEMFD,
	};
	double t0 = mono_sec();
	unsigned int i;

	for (i = 0; i < sizeof(single) / sizeof(single[0]); i++)
		pfns_one(dev, imp, single[i], PFN_BYTES);
	pfns_one(dev, imp, MEM_HUGE_1G, 1024 * MIB);
	pfns_mixed(dev, imp);
	t_diag("PFN identity checks took %.1f s", mono_sec() - t0);
}

/* The same memory exported writable: the importer's vmap of it works. */
static void check_writable_vmap(int dev, int imp, const struct mem *m,
				uint64_t hash)
{
	struct importer_check c;
	int fd, ret;

	fd = ud_create1(dev, m->p, m->len, URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(fd >= 0, "writable: create from the same memory")) {
		t_diag("create: %s", errname(-fd));
		return;
	}
	ret = imp_check(imp, fd, IMPORTER_CHECK_BYTES, SEG_4G, 0,
			IMPORTER_DIR_TO_DEVICE, &c);
	if (!t_ok(!ret && !c.attach_err && !c.map_err && !c.vmap_err &&
		  !c.vmap_mismatch && c.hash == hash,
		  "importer: vmap of a writable buffer works and shows its bytes"))
		t_diag("ioctl %s, attach %s, map %s, vmap %s, vmap mismatch at %lld, hash %s",
		       errname(-ret), errname(c.attach_err), errname(c.map_err),
		       errname(c.vmap_err), (long long)c.vmap_mismatch - 1,
		       c.hash == hash ? "equal" : "differs");
	close(fd);
}

/* Read-only: devices may read it (TO_DEVICE) but never write it. */
static void test_readonly(int dev, int imp)
{
	static const struct {
		uint32_t dir;
		const char *name;
		int allowed;
	} dirs[] = {
		{ IMPORTER_DIR_TO_DEVICE, "DMA_TO_DEVICE", 1 },
		{ IMPORTER_DIR_FROM_DEVICE, "DMA_FROM_DEVICE", 0 },
		{ IMPORTER_DIR_BIDIRECTIONAL, "DMA_BIDIRECTIONAL", 0 },
	};
	const size_t len = 4 * MIB;
	struct importer_check c;
	struct mem m;
	uint64_t hash;
	unsigned int i;
	int fd, ret;

	if (!t_ok(!mem_alloc(&m, MEM_ANON, len), "read-only: map %llu MiB",
		  (unsigned long long)(len / MIB)))
		return;
	pattern_fill_mixed(m.p, len, 42);
	hash = hash_of(m.p, len);
	check_writable_vmap(dev, imp, &m, hash);
	mprotect(m.p, len, PROT_READ);

	fd = ud_create1(dev, m.p, len, URING_DMABUF_CREATE_READONLY |
			URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(fd >= 0, "read-only: create from PROT_READ memory")) {
		t_diag("create: %s", errname(-fd));
		mem_free(&m);
		return;
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		ret = imp_check(imp, fd, IMPORTER_CHECK_BYTES, SEG_4G, 0,
				dirs[i].dir, &c);
		if (ret || c.attach_err) {
			t_ok(0, "read-only: attach for %s", dirs[i].name);
			t_diag("ioctl %s, attach %s", errname(-ret),
			       errname(c.attach_err));
		} else if (dirs[i].allowed) {
			if (!t_ok(!c.map_err && c.mapped_bytes == len &&
				  c.hash == hash && !c.vmap_mismatch,
				  "read-only: %s maps the buffer's bytes",
				  dirs[i].name))
				t_diag("map %s, mapped %llu, hash %s",
				       errname(c.map_err),
				       (unsigned long long)c.mapped_bytes,
				       c.hash == hash ? "equal" : "differs");
			/*
			 * A vmap has no access mode and vmap-only importers
			 * (vb2-vmalloc) write through it: a READONLY dma-buf
			 * has none, so the dma-buf core answers EINVAL.
			 */
			if (!c.map_err &&
			    !t_ok(c.vmap_err == EINVAL,
				  "importer: vmap of a READONLY buffer fails with EINVAL"))
				t_diag("vmap: %s", c.vmap_err ?
				       errname(c.vmap_err) : "success");
		} else if (!t_ok(c.map_err, "read-only: %s mapping refused (%s)",
				 dirs[i].name, errname(c.map_err))) {
			t_diag("mapped %llu segments",
			       (unsigned long long)c.nr_segments);
		}
	}
	close(fd);
	mem_free(&m);
}

/* A device without a DMA mask would get an empty mapping: refused. */
static void test_no_dma_mask(int dev, int imp)
{
	const size_t len = 1 * MIB;
	struct uring_dmabuf_info info;
	struct importer_check c;
	struct mem m;
	int fd, ret;

	if (!t_ok(!mem_alloc(&m, MEM_ANON, len), "no DMA mask: map 1 MiB"))
		return;
	memset(m.p, 0x5a, len);
	fd = ud_create1(dev, m.p, len, URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(fd >= 0, "no DMA mask: create")) {
		t_diag("create: %s", errname(-fd));
		mem_free(&m);
		return;
	}
	ret = imp_check(imp, fd, IMPORTER_CHECK_NO_DMA_MASK, SEG_4G, 0,
			IMPORTER_DIR_BIDIRECTIONAL, &c);
	if (!t_ok(!ret && c.attach_err == EOPNOTSUPP,
		  "no DMA mask: dma_buf_attach refused with EOPNOTSUPP"))
		t_diag("ioctl %s, attach %s", errname(-ret),
		       errname(c.attach_err));
	ret = ud_info(dev, fd, &info);
	t_ok(!ret && info.nr_attachments == 0,
	     "no DMA mask: nothing stays attached");
	close(fd);
	mem_free(&m);
}

static int open_retry(const char *path)
{
	int i, fd = -1;

	/* devtmpfs adds the node at registration; allow a slow guest. */
	for (i = 0; i < 20 && fd < 0; i++) {
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			msleep(50);
	}
	return fd;
}

int main(void)
{
	long long buffers, attachments;
	int dev, imp, status, i;
	unsigned int k;

	/*
	 * No t_init()/t_finish(): "all buffers and attachments gone" below is
	 * this program's end-of-program check.
	 */
	setvbuf(stdout, NULL, _IOLBF, 0);
	dev = dev_open();
	buffers = mod_counter("buffers");
	attachments = mod_counter("attachments");

	status = system("modprobe uring_dmabuf_importer");
	if (!t_ok(status == 0, "modprobe uring_dmabuf_importer"))
		return 1;
	imp = open_retry(IMPORTER_DEVICE);
	if (!t_ok(imp >= 0, "open %s", IMPORTER_DEVICE)) {
		t_diag("%s", strerror(errno));
		return 1;
	}

	for (k = 0; k < NR_KINDS; k++)
		test_kind(dev, imp, k, 1);
	test_kind(dev, imp, 0, 4);	/* kinds[0]: anonymous 4 KiB */
	test_readonly(dev, imp);
	test_no_dma_mask(dev, imp);
	test_pfns(dev, imp);

	close(imp);
	for (i = 0; i < 40 && mod_counter("buffers") != buffers; i++)
		msleep(50);
	if (!t_ok(mod_counter("buffers") == buffers &&
		  mod_counter("attachments") == attachments,
		  "all buffers and attachments gone"))
		t_diag("buffers %lld -> %lld, attachments %lld -> %lld", buffers,
		       mod_counter("buffers"), attachments,
		       mod_counter("attachments"));
	close(dev);
	t_rmmod("uring_dmabuf_importer");
	return t_failed();
}
