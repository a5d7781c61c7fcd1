// SPDX-License-Identifier: GPL-2.0
/*
 * 90-importer: what a device gets when it imports our dma-bufs, as seen by
 * the test-only importer module (tests/kmod/importer): DMA segments within
 * the device's limits and as few as those allow, holding the buffer's bytes
 * in order; READONLY buffers only for DMA_TO_DEVICE; a device without a DMA
 * mask refused; the attachment counted while it lasts.
 *
 * Self-contained on purpose (libc and the two uapi headers only).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/uring_dmabuf.h>

#include "../../kmod/importer/importer_uapi.h"

#define KIB 1024ULL
#define MIB (1024 * KIB)
#define BUF_BYTES (64 * MIB)
#define HUGE_2M (2 * MIB)
#define DEFAULT_SEG (64 * KIB)	/* the kernel's limit without dma_parms */
#define SEG_4G (0xffffffffU & ~4095U)
#define SYSFS "/sys/class/misc/uring_dmabuf/"

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#define MAP_HUGE_2M_FLAG (21 << MAP_HUGE_SHIFT)
#define MFD_HUGE_2M_FLAG (21U << MAP_HUGE_SHIFT)

static int failed;

static void vline(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
}

__attribute__((format(printf, 2, 3)))
static int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(cond ? "ok " : "not ok ", fmt, ap);
	va_end(ap);
	if (!cond)
		failed = 1;
	return cond;
}

__attribute__((format(printf, 1, 2)))
static void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("# ", fmt, ap);
	va_end(ap);
}

static const char *err_name(int err)
{
	const char *name = err ? strerrorname_np(err) : "0";

	return name ? name : "E?";
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static long long sysfs_counter(const char *name)
{
	char path[128], text[32];
	long long val = -1;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), SYSFS "%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	if (n > 0) {
		text[n] = '\0';
		val = strtoll(text, NULL, 10);
	}
	close(fd);
	return val;
}

/* --- the memory and its dma-buf -------------------------------------- */

enum kind { ANON, THP, HUGETLB, MEMFD, HUGETLB_MEMFD, NR_KINDS };

static const char *const kind_names[NR_KINDS] = {
	[ANON] = "anonymous 4 KiB",
	[THP] = "THP",
	[HUGETLB] = "hugetlb 2 MiB",
	[MEMFD] = "memfd",
	[HUGETLB_MEMFD] = "hugetlb memfd",
};

static int is_hugetlb(enum kind kind)
{
	return kind == HUGETLB || kind == HUGETLB_MEMFD;
}

struct buf {
	enum kind kind;
	const char *name;
	unsigned char *p;	/* BUF_BYTES, filled with the pattern */
	void *map;
	size_t map_len;
	int memfd;
	int fd;			/* the dma-buf */
	uint64_t hash;		/* importer_hash of the pattern */
	struct uring_dmabuf_info info;
};

static uint64_t pattern_word(uint64_t seed, uint64_t off)
{
	uint64_t x = (seed + 1) * 0x9e3779b97f4a7c15ULL ^ off;

	/* splitmix64's finaliser: every output bit depends on every input bit */
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void pattern_fill(unsigned char *p, size_t len, uint64_t seed)
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

/* Maps BUF_BYTES of @kind; 0 or -errno. */
static int mem_map(struct buf *b, enum kind kind)
{
	int prot = PROT_READ | PROT_WRITE;
	int anon = MAP_PRIVATE | MAP_ANONYMOUS;

	memset(b, 0, sizeof(*b));
	b->kind = kind;
	b->name = kind_names[kind];
	b->memfd = -1;
	b->fd = -1;
	b->map_len = BUF_BYTES;
	switch (kind) {
	case ANON:
		b->map = mmap(NULL, BUF_BYTES, prot, anon, -1, 0);
		break;
	case THP:
		/* Room for a 2 MiB aligned start, which THP needs. */
		b->map_len += HUGE_2M;
		b->map = mmap(NULL, b->map_len, prot, anon, -1, 0);
		break;
	case HUGETLB:
		b->map = mmap(NULL, BUF_BYTES, prot,
			      anon | MAP_HUGETLB | MAP_HUGE_2M_FLAG, -1, 0);
		break;
	case MEMFD:
	case HUGETLB_MEMFD:
		/* shared shmem/hugetlbfs: the module pins these folio by folio */
		b->memfd = memfd_create("90-importer", MFD_CLOEXEC |
					(kind == MEMFD ? 0 : MFD_HUGETLB |
					 MFD_HUGE_2M_FLAG));
		if (b->memfd < 0 || ftruncate(b->memfd, BUF_BYTES))
			return -errno;
		b->map = mmap(NULL, BUF_BYTES, prot, MAP_SHARED, b->memfd, 0);
		break;
	default:
		return -EINVAL;
	}
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		return -errno;
	}
	b->p = b->map;
	/* THP is "always" on Debian: keep plain anonymous memory in 4 KiB. */
	if (kind == ANON && madvise(b->p, BUF_BYTES, MADV_NOHUGEPAGE))
		diag("madvise(MADV_NOHUGEPAGE): %s", strerror(errno));
	if (kind == THP) {
		b->p = (unsigned char *)(((uintptr_t)b->map + HUGE_2M - 1) &
					 ~(uintptr_t)(HUGE_2M - 1));
		if (madvise(b->p, BUF_BYTES, MADV_HUGEPAGE))
			diag("madvise(MADV_HUGEPAGE): %s", strerror(errno));
	}
	return 0;
}

static void buf_free(struct buf *b)
{
	if (b->fd >= 0)
		close(b->fd);
	if (b->map)
		munmap(b->map, b->map_len);
	if (b->memfd >= 0)
		close(b->memfd);
	b->fd = -1;
	b->map = NULL;
	b->memfd = -1;
}

static int ud_create_ranges(int dev, const struct uring_dmabuf_range *r,
			    unsigned int nr, unsigned int flags)
{
	struct uring_dmabuf_create c;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.flags = flags | URING_DMABUF_CREATE_CLOEXEC;
	c.ranges = (uintptr_t)r;
	c.nr_ranges = nr;
	if (ioctl(dev, URING_DMABUF_IOC_CREATE, &c))
		return -errno;
	return c.fd;
}

static int ud_create(int dev, const void *addr, size_t len, unsigned int flags)
{
	struct uring_dmabuf_range r = { .addr = (uintptr_t)addr, .len = len };

	return ud_create_ranges(dev, &r, 1, flags);
}

static int ud_info(int dev, int fd, struct uring_dmabuf_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->fd = fd;
	return ioctl(dev, URING_DMABUF_IOC_INFO, info) ? -errno : 0;
}

#define MAX_RANGES 8

/*
 * Memory filled with a pattern, exported as @nr_ranges equal ranges in
 * reverse address order (so that the dma-buf's order is not the memory's);
 * 1 if ready, 0 if skipped or failed.
 */
static int buf_make(struct buf *b, int dev, enum kind kind,
		    unsigned int nr_ranges)
{
	struct importer_hash hash = IMPORTER_HASH_INIT;
	struct uring_dmabuf_range r[MAX_RANGES];
	size_t part = BUF_BYTES / nr_ranges;
	int ret = mem_map(b, kind);
	unsigned int i;

	if (ret) {
		if (is_hugetlb(kind) || kind == THP)
			printf("ok %s: buffer # SKIP cannot map it: %s\n",
			       kind_names[kind], strerror(-ret));
		else
			ok(0, "%s: map %llu MiB", kind_names[kind],
			   BUF_BYTES / MIB);
		buf_free(b);
		return 0;
	}
	if (nr_ranges > 1)
		b->name = "anonymous 4 KiB, ranges reversed";
	pattern_fill(b->p, BUF_BYTES, kind);
	for (i = 0; i < nr_ranges; i++) {
		r[i].addr = (uintptr_t)b->p + (nr_ranges - 1 - i) * part;
		r[i].len = part;
		importer_hash_update(&hash, (const unsigned char *)r[i].addr,
				     part);
	}
	b->hash = importer_hash_final(&hash);

	b->fd = ud_create_ranges(dev, r, nr_ranges, 0);
	if (!ok(b->fd >= 0, "%s: URING_DMABUF_IOC_CREATE of %llu MiB in %u range(s)",
		b->name, BUF_BYTES / MIB, nr_ranges)) {
		diag("create: %s", err_name(-b->fd));
		buf_free(b);
		return 0;
	}
	ret = ud_info(dev, b->fd, &b->info);
	if (!ok(!ret && b->info.bytes == BUF_BYTES && b->info.nr_segments,
		"%s: INFO: %llu segments, %llu MiB in huge folios", b->name,
		(unsigned long long)b->info.nr_segments,
		(unsigned long long)b->info.huge_bytes / MIB)) {
		diag("info: %s, bytes %llu", err_name(-ret),
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
	return ioctl(imp, IMPORTER_IOC_CHECK, c) ? -errno : 0;
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
 * otherwise bounded by the number of runs and of @lim pieces.
 */
static void want_segments(const struct buf *b, uint64_t lim, uint64_t *lo,
			  uint64_t *hi)
{
	uint64_t runs = b->info.nr_segments;

	if (lim >= BUF_BYTES) {
		*lo = *hi = runs;
	} else if (is_hugetlb(b->kind) && HUGE_2M % lim == 0) {
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
	if (!ok(!ret && !c.attach_err && !c.map_err && c.nr_segments,
		"%s: attach and map", what)) {
		diag("ioctl %s, attach %s, map %s, %llu segments",
		     err_name(-ret), err_name(c.attach_err),
		     err_name(c.map_err), (unsigned long long)c.nr_segments);
		return;
	}

	if (boundary && boundary + 1 < lim)
		lim = boundary + 1;
	if (!ok(!c.nr_over_limit && c.largest_segment <= lim &&
		!c.nr_cross_boundary && !c.nr_unaligned,
		"%s: largest segment %llu KiB, none over the limit", what,
		(unsigned long long)c.largest_segment / KIB))
		diag("%u over the limit, %llu across a boundary, %llu not page aligned",
		     c.nr_over_limit, (unsigned long long)c.nr_cross_boundary,
		     (unsigned long long)c.nr_unaligned);

	want_segments(b, lim, &lo, &hi);
	if (!ok(c.nr_segments >= lo && c.nr_segments <= hi,
		"%s: %llu segments, as few as the limit allows", what,
		(unsigned long long)c.nr_segments))
		diag("want %llu..%llu (%llu contiguous runs)",
		     (unsigned long long)lo, (unsigned long long)hi,
		     (unsigned long long)b->info.nr_segments);
	if (!ok(!c.nr_mergeable,
		"%s: no two adjacent segments could have been one", what))
		diag("%llu segments continue the previous one within the limits",
		     (unsigned long long)c.nr_mergeable);

	if (ic->bytes && !ok(c.dmabuf_size == BUF_BYTES &&
			 c.mapped_bytes == BUF_BYTES && !c.nr_bad_pfn &&
			 !c.vmap_err && !c.vmap_mismatch && c.hash == b->hash,
			 "%s: segments hold the buffer's bytes in order", what))
		diag("size %llu, mapped %llu, %llu bad pfns, vmap %s, vmap mismatch at %lld, hash %s",
		     (unsigned long long)c.dmabuf_size,
		     (unsigned long long)c.mapped_bytes,
		     (unsigned long long)c.nr_bad_pfn, err_name(c.vmap_err),
		     (long long)c.vmap_mismatch - 1,
		     c.hash == b->hash ? "equal" : "differs");

	if (!ok(!c.begin_cpu_err && !c.end_cpu_err,
		"%s: begin/end CPU access", what))
		diag("begin %s, end %s", err_name(c.begin_cpu_err),
		     err_name(c.end_cpu_err));
}

/* While the importer holds an attachment, INFO and sysfs count it. */
static void check_attachment_counted(int dev, int imp, const struct buf *b)
{
	long long base = sysfs_counter("attachments"), now;
	struct uring_dmabuf_info info;
	struct importer_check c;
	int ret;

	ret = imp_check(imp, b->fd, IMPORTER_CHECK_KEEP, SEG_4G, 0,
			IMPORTER_DIR_BIDIRECTIONAL, &c);
	if (!ok(!ret && !c.attach_err && !c.map_err,
		"%s: importer keeps an attachment", b->name)) {
		diag("ioctl %s, attach %s, map %s", err_name(-ret),
		     err_name(c.attach_err), err_name(c.map_err));
		if (!ret)
			ioctl(imp, IMPORTER_IOC_RELEASE);
		return;
	}
	ret = ud_info(dev, b->fd, &info);
	if (!ok(!ret && info.nr_attachments == 1,
		"%s: INFO nr_attachments is 1 while attached", b->name))
		diag("info %s, nr_attachments %u", err_name(-ret),
		     info.nr_attachments);
	now = sysfs_counter("attachments");
	if (!ok(base >= 0 && now == base + 1,
		"%s: sysfs attachments counts it", b->name))
		diag("attachments %lld before, %lld now", base, now);

	ret = ioctl(imp, IMPORTER_IOC_RELEASE) ? -errno : 0;
	ok(!ret, "%s: importer detaches", b->name);
	ret = ud_info(dev, b->fd, &info);
	if (!ok(!ret && info.nr_attachments == 0,
		"%s: INFO nr_attachments is 0 after detach", b->name))
		diag("info %s, nr_attachments %u", err_name(-ret),
		     info.nr_attachments);
	now = sysfs_counter("attachments");
	if (!ok(now == base, "%s: sysfs attachments back to %lld", b->name,
		base))
		diag("attachments %lld now", now);
}

static void test_kind(int dev, int imp, enum kind kind,
		      unsigned int nr_ranges)
{
	unsigned int i;
	struct buf b;

	if (!buf_make(&b, dev, kind, nr_ranges))
		return;
	if (is_hugetlb(kind) && !ok(b.info.nr_segments <= BUF_BYTES / HUGE_2M,
				   "%s: at most one run per huge page", b.name))
		diag("%llu runs", (unsigned long long)b.info.nr_segments);
	if (kind == THP && b.info.huge_bytes != BUF_BYTES)
		diag("only %llu MiB in THP (transparent_hugepage setting?)",
		     (unsigned long long)b.info.huge_bytes / MIB);

	for (i = 0; i < sizeof(import_cases) / sizeof(import_cases[0]); i++)
		check_import(imp, &b, &import_cases[i]);
	if (nr_ranges == 1)
		check_attachment_counted(dev, imp, &b);
	buf_free(&b);
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
	unsigned char *p;
	uint64_t hash;
	unsigned int i;
	int fd, ret;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!ok(p != MAP_FAILED, "read-only: map %llu MiB",
		(unsigned long long)(len / MIB)))
		return;
	pattern_fill(p, len, 42);
	hash = hash_of(p, len);
	mprotect(p, len, PROT_READ);

	fd = ud_create(dev, p, len, URING_DMABUF_CREATE_READONLY);
	if (!ok(fd >= 0, "read-only: create from PROT_READ memory")) {
		diag("create: %s", err_name(-fd));
		munmap(p, len);
		return;
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		ret = imp_check(imp, fd, IMPORTER_CHECK_BYTES, SEG_4G, 0,
				dirs[i].dir, &c);
		if (ret || c.attach_err) {
			ok(0, "read-only: attach for %s", dirs[i].name);
			diag("ioctl %s, attach %s", err_name(-ret),
			     err_name(c.attach_err));
		} else if (dirs[i].allowed) {
			if (!ok(!c.map_err && c.mapped_bytes == len &&
				c.hash == hash && !c.vmap_mismatch,
				"read-only: %s maps the buffer's bytes",
				dirs[i].name))
				diag("map %s, mapped %llu, hash %s",
				     err_name(c.map_err),
				     (unsigned long long)c.mapped_bytes,
				     c.hash == hash ? "equal" : "differs");
		} else if (!ok(c.map_err, "read-only: %s mapping refused (%s)",
			       dirs[i].name, err_name(c.map_err))) {
			diag("mapped %llu segments",
			     (unsigned long long)c.nr_segments);
		}
	}
	close(fd);
	munmap(p, len);
}

/* A device without a DMA mask would get an empty mapping: refused. */
static void test_no_dma_mask(int dev, int imp)
{
	const size_t len = 1 * MIB;
	struct uring_dmabuf_info info;
	struct importer_check c;
	unsigned char *p;
	int fd, ret;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!ok(p != MAP_FAILED, "no DMA mask: map 1 MiB"))
		return;
	memset(p, 0x5a, len);
	fd = ud_create(dev, p, len, 0);
	if (!ok(fd >= 0, "no DMA mask: create")) {
		diag("create: %s", err_name(-fd));
		munmap(p, len);
		return;
	}
	ret = imp_check(imp, fd, IMPORTER_CHECK_NO_DMA_MASK, SEG_4G, 0,
			IMPORTER_DIR_BIDIRECTIONAL, &c);
	if (!ok(!ret && c.attach_err == EOPNOTSUPP,
		"no DMA mask: dma_buf_attach refused with EOPNOTSUPP"))
		diag("ioctl %s, attach %s", err_name(-ret),
		     err_name(c.attach_err));
	ret = ud_info(dev, fd, &info);
	ok(!ret && info.nr_attachments == 0,
	   "no DMA mask: nothing stays attached");
	close(fd);
	munmap(p, len);
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

	setvbuf(stdout, NULL, _IOLBF, 0);

	dev = open(URING_DMABUF_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		printf("# SKIP cannot open %s: %s\n", URING_DMABUF_DEVICE,
		       strerror(errno));
		return 77;
	}
	buffers = sysfs_counter("buffers");
	attachments = sysfs_counter("attachments");

	status = system("modprobe uring_dmabuf_importer");
	if (!ok(status == 0, "modprobe uring_dmabuf_importer"))
		return 1;
	imp = open_retry(IMPORTER_DEVICE);
	if (!ok(imp >= 0, "open %s", IMPORTER_DEVICE)) {
		diag("%s", strerror(errno));
		return 1;
	}

	for (i = 0; i < NR_KINDS; i++)
		test_kind(dev, imp, i, 1);
	test_kind(dev, imp, ANON, 4);
	test_readonly(dev, imp);
	test_no_dma_mask(dev, imp);

	close(imp);
	for (i = 0; i < 40 && sysfs_counter("buffers") != buffers; i++)
		msleep(50);
	if (!ok(sysfs_counter("buffers") == buffers &&
		sysfs_counter("attachments") == attachments,
		"all buffers and attachments gone"))
		diag("buffers %lld -> %lld, attachments %lld -> %lld", buffers,
		     sysfs_counter("buffers"), attachments,
		     sysfs_counter("attachments"));
	close(dev);
	ok(system("rmmod uring_dmabuf_importer") == 0,
	   "rmmod uring_dmabuf_importer");
	return failed;
}
