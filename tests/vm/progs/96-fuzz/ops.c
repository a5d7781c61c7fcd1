// SPDX-License-Identifier: GPL-2.0
/*
 * The other entry points: INFO and VERSION with random sizes, flags and
 * reserved fields, unknown ioctl numbers, and what a dma-buf of ours meets
 * afterwards: mmap (any prot, flags, offset, length), DMA_BUF_IOCTL_SYNC,
 * the test importer (attach, map with any direction and DMA limits, CPU
 * access, vmap), and close.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "fuzz.h"
#include "importer_uapi.h"

/* A struct of size bytes: the known fields, then a zero or dirty tail. */
union big_arg {
	struct uring_dmabuf_info info;
	struct uring_dmabuf_version ver;
	unsigned char bytes[512];
};

/* An fd to ask INFO about, and the errno that gets (0: it is ours). */
static int pick_info_fd(struct worker *w, int *want)
{
	struct dbuf *b = buf_pick(w);

	switch (rnd_below(&w->rng, 8)) {
	case 0:
		*want = EBADF;
		return -1;
	case 1:
		*want = EBADF;
		return 1000000;
	case 2:
		*want = EINVAL; /* the device itself: not a dma-buf */
		return F.dev;
	case 3:
		if (F.foreign_dmabuf >= 0) {
			*want = EINVAL; /* another exporter's dma-buf */
			return F.foreign_dmabuf;
		}
		*want = EINVAL;
		return 0; /* stdin: /dev/null or a console, not a dma-buf */
	default:
		if (!b) {
			*want = EINVAL;
			return F.dev;
		}
		*want = b->fd < 0 ? EBADF : 0;
		return b->fd;
	}
}

void op_info(struct worker *w)
{
	struct rng *r = &w->rng;
	union big_arg a;
	uint32_t size = sizeof(a.info);
	int fd, want, bad_ptr;
	long ret;

	memset(&a, 0, sizeof(a));
	fd = pick_info_fd(w, &want);
	switch (rnd_below(r, 12)) {
	case 0:
		size = (uint32_t)rnd_below(r, URING_DMABUF_INFO_SIZE_VER0);
		want = EINVAL;
		break;
	case 1:
		size = sizeof(a.info) + 1 + (uint32_t)rnd_below(r, sizeof(a) - sizeof(a.info) - 1);
		break;
	case 2:
		size = sizeof(a.info) + 1 + (uint32_t)rnd_below(r, sizeof(a) - sizeof(a.info) - 1);
		a.bytes[sizeof(a.info) + rnd_below(r, size - sizeof(a.info))] = 0x80;
		want = EINVAL;
		break;
	case 3:
		a.info.flags = 1u << rnd_below(r, 32);
		want = EINVAL;
		break;
	case 4:
		a.info.__reserved = (uint32_t)rnd(r) | 1;
		want = EINVAL;
		break;
	default:
		break;
	}
	a.info.size = size;
	a.info.fd = fd;
	/* An unreadable struct fails before anything else. */
	bad_ptr = chance(r, 2);
	if (bad_ptr)
		want = EFAULT;
	ret = ioctl_ret(F.dev, URING_DMABUF_IOC_INFO, bad_ptr ? (void *)8 : (void *)&a);
	fuzz_count(w);
	EXPECT(w, ret, "INFO", want);
}

void op_version(struct worker *w)
{
	struct rng *r = &w->rng;
	union big_arg a;
	int want = 0;
	long ret;

	memset(&a, 0, sizeof(a));
	a.ver.size = sizeof(a.ver);
	switch (rnd_below(r, 8)) {
	case 0:
		a.ver.size = (uint32_t)rnd_below(r, URING_DMABUF_VERSION_SIZE_VER0);
		want = EINVAL;
		break;
	case 1:
		a.ver.size = sizeof(a.ver) + (uint32_t)rnd_below(r, 64);
		break;
	case 2:
		a.ver.flags = (uint32_t)rnd(r) | 1;
		want = EINVAL;
		break;
	default:
		break;
	}
	ret = ioctl_ret(F.dev, URING_DMABUF_IOC_VERSION, &a);
	fuzz_count(w);
	if (!EXPECT(w, ret, "VERSION", want) || ret)
		return;
	if (a.ver.api_version != URING_DMABUF_API_VERSION ||
	    a.ver.max_ranges != F.max_ranges ||
	    !(a.ver.features & URING_DMABUF_FEAT_CREATE) ||
	    !memchr(a.ver.module_version, 0, sizeof(a.ver.module_version)))
		fuzz_fail(w, "VERSION: api %u max_ranges %u features %#llx",
			  a.ver.api_version, a.ver.max_ranges,
			  (unsigned long long)a.ver.features);
}

/* Any other number on the device is ENOTTY, whatever its size and direction. */
void op_bad_ioctl(struct worker *w)
{
	struct rng *r = &w->rng;
	unsigned char arg[256] = { 0 };
	unsigned long cmd;
	long ret;

	do {
		unsigned int magic = chance(r, 70) ? URING_DMABUF_IOC_MAGIC :
				     (chance(r, 50) ? IMPORTER_IOC_MAGIC : 'b');

		cmd = _IOC((unsigned int)rnd_below(r, 4), magic,
			   (unsigned int)rnd_below(r, chance(r, 80) ? 0x20 : 0x100),
			   (unsigned int)rnd_below(r, sizeof(arg)));
	} while (cmd == URING_DMABUF_IOC_VERSION || cmd == URING_DMABUF_IOC_CREATE ||
		 cmd == URING_DMABUF_IOC_INFO);
	memcpy(arg, &(uint32_t){ 64 }, 4);
	ret = ioctl_ret(F.dev, cmd, arg);
	fuzz_count(w);
	if (!EXPECT(w, ret, "unknown ioctl", ENOTTY))
		t_diag("  cmd %#lx", cmd);
}

/* mmap with random prot, flags, offset and length; keep or read it. */
void op_mmap(struct worker *w)
{
	struct rng *r = &w->rng;
	struct dbuf *b = buf_pick(w);
	size_t pages, off, len;
	int prot = PROT_READ, flags = MAP_SHARED, want = 0, bad = 0;
	unsigned char *p;

	if (!b || b->fd < 0)
		return;
	pages = b->bytes / PAGE_SZ;
	off = rnd_below(r, pages);
	len = (1 + rnd_below(r, pages - off)) * PAGE_SZ;
	if (chance(r, 40))
		prot |= PROT_WRITE;
	switch (rnd_below(r, 12)) {
	case 0: /* refused by the exporter: it would need COW of a pfn map */
		flags = MAP_PRIVATE;
		bad = 1;
		break;
	case 1: /* past the end */
		len = (pages - off + 1 + rnd_below(r, 4)) * PAGE_SZ;
		bad = 1;
		break;
	case 2:
		off = pages + rnd_below(r, 4);
		len = PAGE_SZ;
		bad = 1;
		break;
	case 3:
		prot = PROT_NONE;
		break;
	default:
		break;
	}
	/* A READONLY dma-buf's file is O_RDONLY: the VFS refuses first. */
	if (flags == MAP_SHARED && (prot & PROT_WRITE) && b->readonly)
		want = EACCES;
	else if (bad)
		want = EINVAL;
	p = mmap(NULL, len, prot, flags, b->fd, (off_t)(off * PAGE_SZ));
	fuzz_count(w);
	if (!EXPECT(w, p == MAP_FAILED ? -errno : 0, "mmap of a dma-buf", want)) {
		t_diag("  bytes %llu off %zu len %zu prot %#x flags %#x readonly %d",
		       (unsigned long long)b->bytes, off * PAGE_SZ, len, prot,
		       flags, b->readonly);
		return;
	}
	if (p == MAP_FAILED)
		return;
	if (bad) { /* reported above */
		munmap(p, len);
		return;
	}
	if (prot & PROT_READ) {
		/* Touch the first and last page. */
		volatile unsigned char c = p[0];

		c = p[len - 1];
		(void)c;
		if (prot & PROT_WRITE)
			p[len - 1] = (unsigned char)rnd(r);
	}
	/* Kept mappings get read later: PROT_NONE ones are not kept. */
	if (!b->map && (prot & PROT_READ) && chance(r, 60)) {
		b->map = p;
		b->map_len = len;
		b->map_off = off * PAGE_SZ;
	} else {
		munmap(p, len);
	}
}

/* Unmap a kept mapping, or close the fd and keep reading the mapping. */
void op_munmap(struct worker *w)
{
	struct dbuf *b = buf_pick(w);

	if (!b || !b->map)
		return;
	if (b->fd >= 0 && chance(&w->rng, 50)) {
		volatile unsigned char c;

		close(b->fd);
		b->fd = -1;
		fuzz_count(w);
		c = b->map[b->map_len - 1];	/* the mapping holds the buffer */
		(void)c;
		return;
	}
	munmap(b->map, b->map_len);
	b->map = NULL;
	if (b->fd < 0)
		buf_drop(w, b);
}

void op_sync(struct worker *w)
{
	struct rng *r = &w->rng;
	struct dbuf *b = buf_pick(w);
	struct dma_buf_sync sync;
	int want = 0;
	long ret;

	if (!b || b->fd < 0)
		return;
	sync.flags = (chance(r, 50) ? DMA_BUF_SYNC_START : DMA_BUF_SYNC_END) |
		     (1 + rnd_below(r, 3));
	if (chance(r, 10)) {
		sync.flags = rnd(r);
		if ((sync.flags & ~DMA_BUF_SYNC_VALID_FLAGS_MASK) ||
		    !(sync.flags & DMA_BUF_SYNC_RW))
			want = EINVAL;
	}
	ret = ioctl_ret(b->fd, DMA_BUF_IOCTL_SYNC, &sync);
	fuzz_count(w);
	EXPECT(w, ret, "DMA_BUF_IOCTL_SYNC", want);
}

/* An importer: attach, map with random direction and limits, CPU access. */
void op_import(struct worker *w)
{
	struct rng *r = &w->rng;
	struct dbuf *b = buf_pick(w);
	struct importer_check chk;
	long ret;

	if (F.importer < 0 || !b || b->fd < 0)
		return;
	memset(&chk, 0, sizeof(chk));
	chk.fd = b->fd;
	chk.dir = (uint32_t)rnd_below(r, 3);
	chk.cpu_dir = (uint32_t)rnd_below(r, 3);
	if (chance(r, 5))
		chk.flags |= IMPORTER_CHECK_NO_DMA_MASK;
	if (chance(r, 3) && b->bytes <= 64 * PAGE_SZ)
		chk.flags |= IMPORTER_CHECK_BYTES;
	if (chance(r, 50))
		chk.max_seg_size = (uint32_t)(PAGE_SZ << rnd_below(r, 10));
	if (chance(r, 30))
		chk.seg_boundary_mask = (PAGE_SZ << rnd_below(r, 12)) - 1;
	ret = ioctl_ret(F.importer, IMPORTER_IOC_CHECK, &chk);
	fuzz_count(w);
	if (!EXPECT(w, ret, "importer check", 0))
		return;
	if (chk.flags & IMPORTER_CHECK_NO_DMA_MASK) {
		if (chk.attach_err != EOPNOTSUPP)
			fuzz_fail(w, "attach of a device without a DMA mask: %s, want EOPNOTSUPP",
				  errname(chk.attach_err));
		return;
	}
	if (chk.attach_err) {
		fuzz_fail(w, "importer attach: %s", errname(chk.attach_err));
		return;
	}
	if (b->readonly && chk.dir != IMPORTER_DIR_TO_DEVICE) {
		if (chk.map_err != EACCES)
			fuzz_fail(w, "map of a READONLY buffer for dir %u: %s, want EACCES",
				  chk.dir, errname(chk.map_err));
		return;
	}
	/* A page listed twice cannot be mapped for device writes. */
	if (b->must_alias && chk.dir != IMPORTER_DIR_TO_DEVICE) {
		if (chk.map_err != EINVAL)
			fuzz_fail(w, "map of a buffer holding a page twice for dir %u: %s, "
				  "want EINVAL", chk.dir,
				  chk.map_err ? errname(chk.map_err) : "success");
		return;
	}
	if (b->may_alias && chk.dir != IMPORTER_DIR_TO_DEVICE && chk.map_err == EINVAL)
		return;
	/*
	 * A READONLY dma-buf has no vmap (a vmap carries no access mode, and
	 * vmap-only importers write through it): the dma-buf core says EINVAL.
	 */
	if (b->readonly && (chk.flags & IMPORTER_CHECK_BYTES) && !chk.map_err) {
		if (chk.vmap_err != EINVAL)
			fuzz_fail(w, "vmap of a READONLY buffer: %s, want EINVAL",
				  chk.vmap_err ? errname(chk.vmap_err) : "success");
		chk.vmap_err = 0;
	}
	if (chk.map_err || chk.begin_cpu_err || chk.end_cpu_err || chk.vmap_err ||
	    chk.mapped_bytes != b->bytes || chk.nr_bad_pfn || chk.nr_unaligned ||
	    chk.nr_over_limit || chk.nr_cross_boundary || chk.vmap_mismatch)
		fuzz_fail(w, "importer: map %s cpu %s/%s vmap %s mapped %llu of %llu, "
			  "bad pfn %llu unaligned %llu over limit %u crossing %llu "
			  "vmap mismatch %llu (max_seg %u boundary %#llx dir %u)",
			  errname(chk.map_err), errname(chk.begin_cpu_err),
			  errname(chk.end_cpu_err), errname(chk.vmap_err),
			  (unsigned long long)chk.mapped_bytes,
			  (unsigned long long)b->bytes,
			  (unsigned long long)chk.nr_bad_pfn,
			  (unsigned long long)chk.nr_unaligned, chk.nr_over_limit,
			  (unsigned long long)chk.nr_cross_boundary,
			  (unsigned long long)chk.vmap_mismatch, chk.max_seg_size,
			  (unsigned long long)chk.seg_boundary_mask, chk.dir);
}

void op_close(struct worker *w)
{
	struct dbuf *b = buf_pick(w);

	if (b)
		buf_drop(w, b);
}
