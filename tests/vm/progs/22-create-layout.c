// SPDX-License-Identifier: GPL-2.0
/*
 * How ranges lay out in the dma-buf: several mappings concatenated in the
 * order given, the same memory listed twice, mmap at an offset and past the
 * end, and DMA_BUF_IOCTL_SYNC around CPU access.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "common.h"

struct piece {
	enum mem_kind kind;
	size_t len;
	uint64_t seed;
	struct mem m;
};

/* Lays pieces out in the order of idx[] and checks each one's bytes. */
static void test_order(int dev, struct piece *pc, const int *idx, int n,
		       const char *order)
{
	struct uring_dmabuf_range r[4];
	size_t total = 0, off;
	struct pins base;
	uint64_t bytes = 0;
	unsigned char *map;
	int i, fd, good;

	for (i = 0; i < n; i++) {
		r[i].addr = (uintptr_t)pc[idx[i]].m.p;
		r[i].len = pc[idx[i]].len;
		total += pc[idx[i]].len;
	}
	pins_get(&base);
	fd = ud_create(dev, r, n, URING_DMABUF_CREATE_CLOEXEC, &bytes);
	if (!t_ok(fd >= 0, "create from %d ranges (%s)", n, order)) {
		t_diag("create: %s", errname(-fd));
		return;
	}
	t_ok(bytes == total, "%d ranges (%s): bytes is the sum %zu", n, order,
	     total);
	map = dmabuf_map(fd, total, PROT_READ, 0);
	if (t_ok(map != MAP_FAILED, "%d ranges (%s): mmap", n, order)) {
		good = 1;
		for (i = 0, off = 0; i < n; off += pc[idx[i]].len, i++) {
			long long bad = pattern_check(map + off, pc[idx[i]].len,
						      pc[idx[i]].seed, 0);
			if (bad >= 0) {
				t_diag("range %d (%s) at dma-buf offset %zu: "
				       "difference at +%lld", i,
				       mem_kind_name(pc[idx[i]].kind), off, bad);
				good = 0;
			}
		}
		t_ok(good, "%d ranges (%s): each range's bytes at its offset",
		     n, order);
		munmap(map, total);
	}
	close(fd);
	t_pins_back(&base, "%d ranges (%s): close releases every pin", n, order);
}

static void test_concat(int dev)
{
	struct piece pc[3] = {
		{ MEM_ANON, 3 * PAGE_SZ, 11, { 0 } },
		{ MEM_MEMFD, 5 * PAGE_SZ, 12, { 0 } },
		{ MEM_HUGE_2M, SZ_2M, 13, { 0 } },
	};
	static const int fwd[] = { 0, 1, 2 }, mixed[] = { 2, 0, 1 };
	int i, n = 0, err;

	for (i = 0; i < 3; i++, n++) {
		err = mem_alloc(&pc[i].m, pc[i].kind, pc[i].len);
		if (!t_ok(!err, "allocate %s for concatenation",
			  mem_kind_name(pc[i].kind))) {
			t_diag("mmap: %s", errname(-err));
			break;
		}
		pattern_fill(pc[i].m.p, pc[i].len, pc[i].seed, 0);
	}
	if (n == 3) {
		test_order(dev, pc, fwd, 3, "anon, memfd, hugetlb");
		test_order(dev, pc, mixed, 3, "hugetlb, anon, memfd");
	}
	for (i = 0; i < n; i++)
		mem_free(&pc[i].m);
}

/* The same pages twice: both halves alias the same memory. */
static void test_twice(int dev)
{
	const size_t len = 4 * PAGE_SZ;
	/*
	 * volatile: at -O2 the compiler moved the read through one alias
	 * before the write through the other (it cannot know they alias).
	 */
	volatile unsigned char *v, *orig;
	struct uring_dmabuf_range r[2];
	unsigned char *map;
	struct pins base;
	uint64_t bytes = 0;
	struct mem m;
	int fd;

	if (mem_alloc(&m, MEM_ANON, len)) {
		t_ok(0, "allocate 16 KiB");
		return;
	}
	pattern_fill(m.p, len, 21, 0);
	r[0].addr = r[1].addr = (uintptr_t)m.p;
	r[0].len = r[1].len = len;
	pins_get(&base);
	fd = ud_create(dev, r, 2, URING_DMABUF_CREATE_CLOEXEC, &bytes);
	if (!t_ok(fd >= 0, "create from the same range listed twice")) {
		t_diag("create: %s", errname(-fd));
		mem_free(&m);
		return;
	}
	t_ok(bytes == 2 * len, "same range twice: bytes is twice the range");
	map = dmabuf_map(fd, 2 * len, PROT_READ | PROT_WRITE, 0);
	if (t_ok(map != MAP_FAILED, "same range twice: mmap")) {
		t_ok(pattern_check(map, len, 21, 0) < 0 &&
		     pattern_check(map + len, len, 21, 0) < 0,
		     "same range twice: both halves show the bytes");
		v = map;
		orig = m.p;
		v[100] = 0x5a;
		if (!t_ok(v[len + 100] == 0x5a && orig[100] == 0x5a,
			  "same range twice: a write to the first half shows "
			  "in the second and in the original"))
			t_diag("second half 0x%02x, original 0x%02x",
			       v[len + 100], orig[100]);
		munmap(map, 2 * len);
	}
	close(fd);
	t_pins_back(&base, "same range twice: close releases every pin");
	mem_free(&m);
}

static void test_mmap_offsets(int dev)
{
	const size_t len = 16 * PAGE_SZ;
	unsigned char *map;
	struct mem m;
	int fd;

	if (mem_alloc(&m, MEM_ANON, len)) {
		t_ok(0, "allocate 64 KiB");
		return;
	}
	pattern_fill(m.p, len, 31, 0);
	fd = ud_create1(dev, m.p, len, URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(fd >= 0, "create 16 pages for mmap offsets")) {
		t_diag("create: %s", errname(-fd));
		mem_free(&m);
		return;
	}
	map = dmabuf_map(fd, 5 * PAGE_SZ, PROT_READ, 3 * PAGE_SZ);
	if (t_ok(map != MAP_FAILED, "mmap 5 pages at page offset 3")) {
		t_ok(pattern_check(map, 5 * PAGE_SZ, 31, 3 * PAGE_SZ) < 0,
		     "mmap at page offset 3 shows the bytes of pages 3..7");
		munmap(map, 5 * PAGE_SZ);
	} else {
		t_diag("mmap: %s", strerror(errno));
	}
	map = dmabuf_map(fd, PAGE_SZ, PROT_READ, 15 * PAGE_SZ);
	if (t_ok(map != MAP_FAILED, "mmap the last page alone")) {
		t_ok(pattern_check(map, PAGE_SZ, 31, 15 * PAGE_SZ) < 0,
		     "mmap of the last page shows its bytes");
		munmap(map, PAGE_SZ);
	}

	map = dmabuf_map(fd, 2 * PAGE_SZ, PROT_READ, 15 * PAGE_SZ);
	t_errno(map == MAP_FAILED ? -errno : 0, EINVAL,
		"mmap crossing the end of the dma-buf fails with EINVAL");
	if (map != MAP_FAILED)
		munmap(map, 2 * PAGE_SZ);
	map = dmabuf_map(fd, len + PAGE_SZ, PROT_READ, 0);
	t_errno(map == MAP_FAILED ? -errno : 0, EINVAL,
		"mmap longer than the dma-buf fails with EINVAL");
	if (map != MAP_FAILED)
		munmap(map, len + PAGE_SZ);
	map = dmabuf_map(fd, PAGE_SZ, PROT_READ, len);
	t_errno(map == MAP_FAILED ? -errno : 0, EINVAL,
		"mmap at an offset past the end fails with EINVAL");
	if (map != MAP_FAILED)
		munmap(map, PAGE_SZ);
	close(fd);
	mem_free(&m);
}

static void test_sync(int dev)
{
	const size_t len = 4 * PAGE_SZ;
	struct dma_buf_sync sync;
	unsigned char *map;
	struct mem m;
	int fd;

	if (mem_alloc(&m, MEM_ANON, len)) {
		t_ok(0, "allocate 16 KiB");
		return;
	}
	pattern_fill(m.p, len, 41, 0);
	fd = ud_create1(dev, m.p, len, URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(fd >= 0, "create 4 pages for DMA_BUF_IOCTL_SYNC")) {
		t_diag("create: %s", errname(-fd));
		mem_free(&m);
		return;
	}
	map = dmabuf_map(fd, len, PROT_READ | PROT_WRITE, 0);
	sync.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW;
	t_errno(ioctl_ret(fd, DMA_BUF_IOCTL_SYNC, &sync), 0,
		"DMA_BUF_IOCTL_SYNC START|RW succeeds");
	if (map != MAP_FAILED) {
		t_ok(pattern_check(map, len, 41, 0) < 0,
		     "bytes readable between SYNC START and END");
		map[0] ^= 0xff;
	}
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	t_errno(ioctl_ret(fd, DMA_BUF_IOCTL_SYNC, &sync), 0,
		"DMA_BUF_IOCTL_SYNC END|RW succeeds");
	sync.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ;
	t_errno(ioctl_ret(fd, DMA_BUF_IOCTL_SYNC, &sync), 0,
		"DMA_BUF_IOCTL_SYNC START|READ succeeds");
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	t_errno(ioctl_ret(fd, DMA_BUF_IOCTL_SYNC, &sync), 0,
		"DMA_BUF_IOCTL_SYNC END|READ succeeds");
	if (map != MAP_FAILED) {
		t_ok(m.p[0] == (unsigned char)(map[0]),
		     "a write between SYNC START and END reached the memory");
		munmap(map, len);
	}
	close(fd);
	mem_free(&m);
}

/*
 * One range over two mappings of the same memfd in reverse file order:
 * the dma-buf follows the addresses, not the file (offset arithmetic of
 * a pin that goes by file offset).
 */
static void test_memfd_offsets(int dev, enum mem_kind kind, size_t piece)
{
	const char *name = mem_kind_name(kind);
	unsigned char *va, *a, *map;
	size_t file_len = 4 * piece;
	struct mem m;
	int fd, ok1, ok2;

	if (mem_alloc(&m, kind, file_len)) {
		t_ok(0, "%s: allocate %zu bytes", name, file_len);
		return;
	}
	pattern_fill(m.p, file_len, 61, 0);
	/* An aligned hole of two pieces (hugetlb needs 2 MiB alignment). */
	va = mmap(NULL, 3 * piece, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		  -1, 0);
	a = (unsigned char *)(((uintptr_t)va + piece - 1) & ~(piece - 1));
	if (va == MAP_FAILED ||
	    mmap(a, piece, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 m.fd, 2 * piece) != a ||
	    mmap(a + piece, piece, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, m.fd, 0) != a + piece) {
		t_ok(0, "%s: map file pieces 2 and 0 side by side", name);
		t_diag("mmap: %s", strerror(errno));
		goto out;
	}
	fd = ud_create1(dev, a, 2 * piece, URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(fd >= 0, "%s: create over file pieces 2 then 0", name)) {
		t_diag("create: %s", errname(-fd));
		goto out;
	}
	map = dmabuf_map(fd, 2 * piece, PROT_READ, 0);
	if (t_ok(map != MAP_FAILED, "%s: mmap over pieces 2 then 0", name)) {
		ok1 = pattern_check(map, piece, 61, 2 * piece) < 0;
		ok2 = pattern_check(map + piece, piece, 61, 0) < 0;
		if (!t_ok(ok1 && ok2, "%s: dma-buf holds file piece 2, then "
			  "piece 0", name))
			t_diag("first half %s, second half %s",
			       ok1 ? "right" : "wrong", ok2 ? "right" : "wrong");
		munmap(map, 2 * piece);
	}
	close(fd);

	/* Starting a page into piece 2, ending a page into piece 0. */
	fd = ud_create1(dev, a + PAGE_SZ, piece, URING_DMABUF_CREATE_CLOEXEC);
	if (t_ok(fd >= 0, "%s: create from a page into piece 2", name)) {
		map = dmabuf_map(fd, piece, PROT_READ, 0);
		if (map != MAP_FAILED) {
			t_ok(pattern_check(map, piece - PAGE_SZ, 61,
					   2 * piece + PAGE_SZ) < 0 &&
			     pattern_check(map + piece - PAGE_SZ, PAGE_SZ, 61,
					   0) < 0,
			     "%s: unaligned-to-folio range holds the right "
			     "file bytes", name);
			munmap(map, piece);
		} else {
			t_ok(0, "%s: mmap the unaligned-to-folio range", name);
		}
		close(fd);
	} else {
		t_diag("create: %s", errname(-fd));
	}
out:
	if (va != MAP_FAILED)
		munmap(va, 3 * piece);
	mem_free(&m);
}

int main(void)
{
	int dev;

	t_init();
	dev = dev_open();
	test_concat(dev);
	test_twice(dev);
	test_mmap_offsets(dev);
	test_sync(dev);
	test_memfd_offsets(dev, MEM_MEMFD, MIB);
	test_memfd_offsets(dev, MEM_HUGE_MEMFD, SZ_2M);
	close(dev);
	return t_finish();
}
