// SPDX-License-Identifier: GPL-2.0
/*
 * Holes in hugetlb memory (huge pages never touched). The module fills them
 * through the fault path before pinning, on the GUP and the
 * memfd_pin_folios() paths alike, so: the buffer holds the very pages the
 * process then writes, the pool's free and reserved counts come back
 * exactly, an empty pool is ENOMEM and a range past the end of the file
 * EFAULT, with nothing left pinned.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/memfd.h>

#include "common.h"

#define HOLES 4		/* huge pages per buffer */

static int dev;

static const char *flags_name(unsigned int flags)
{
	return flags & URING_DMABUF_CREATE_READONLY ? " READONLY" : "";
}

/* What the process writes after the create, the dma-buf must show. */
static void check_same_pages(int fd, const struct mem *m, const char *what)
{
	void *view;

	pattern_fill(m->p, m->len, 26, 0);
	view = mmap(NULL, m->len, PROT_READ, MAP_SHARED, fd, 0);
	if (!t_ok(view != MAP_FAILED, "%s: mmap the dma-buf", what))
		return;
	t_ok(pattern_check(view, m->len, 26, 0) < 0,
	     "%s: the dma-buf holds the pages the process wrote after the create",
	     what);
	munmap(view, m->len);
}

static void test_holes(enum mem_kind kind, unsigned int flags)
{
	struct hugepool pool, held;
	struct pins base;
	struct mem m;
	char what[96];
	int fd, err;

	snprintf(what, sizeof(what), "%s, %d holes%s", mem_kind_name(kind),
		 HOLES, flags_name(flags));
	if (hugepool_get(&pool)) {
		t_skip("no 2 MiB hugetlb pool counters", "%s", what);
		return;
	}
	err = mem_alloc(&m, kind, HOLES * SZ_2M);
	if (err) {
		t_skip("no huge pages to map", "%s (%s)", what, errname(-err));
		return;
	}
	pins_get(&base);
	fd = ud_create1(dev, m.p, m.len, flags);
	if (t_ok(fd >= 0, "%s: create", what)) {
		if (!hugepool_get(&held))
			t_ok(held.free == pool.free - HOLES,
			     "%s: the holes were filled from the pool (free %lld, was %lld)",
			     what, held.free, pool.free);
		check_same_pages(fd, &m, what);
		close(fd);
	} else {
		t_diag("create: %s", errname(-fd));
	}
	t_pins_back(&base, "%s: close releases every pin", what);
	mem_free(&m);
	t_hugepool_back(&pool, "%s: free and reserved huge pages back after munmap", what);
}

/* One page more than the pool can give, with no reservation to fall back on. */
static void test_pool_empty(int memfd, unsigned int flags)
{
	struct hugepool pool;
	struct pins base;
	size_t len;
	void *p;
	char what[96];
	int fd = -1;

	snprintf(what, sizeof(what), "hugetlb %s MAP_NORESERVE beyond the pool%s",
		 memfd ? "memfd" : "anonymous", flags_name(flags));
	if (hugepool_get(&pool)) {
		t_skip("no 2 MiB hugetlb pool counters", "%s", what);
		return;
	}
	len = (size_t)(pool.free - pool.resv + 1) * SZ_2M;
	if (memfd) {
		fd = memfd_create("uring_dmabuf_holes", MFD_CLOEXEC | MFD_HUGETLB | MFD_HUGE_2MB);
		if (fd < 0 || ftruncate(fd, len)) {
			t_ok(0, "%s: hugetlb memfd of %zu bytes", what, len);
			t_diag("%s", strerror(errno));
			if (fd >= 0)
				close(fd);
			return;
		}
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
	} else {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB | MAP_NORESERVE,
			 -1, 0);
	}
	if (!t_ok(p != MAP_FAILED, "%s: mmap %zu bytes", what, len)) {
		t_diag("mmap: %s", strerror(errno));
	} else {
		pins_get(&base);
		t_err_clean(ud_create1(dev, p, len, flags), ENOMEM, &base,
			    "%s fails with ENOMEM", what);
		munmap(p, len);
	}
	if (fd >= 0)
		close(fd);
	t_hugepool_back(&pool, "%s: free and reserved huge pages back", what);
}

/* A mapping that outlived the file's end: the tail is no memory at all. */
static void test_past_eof(unsigned int flags)
{
	struct hugepool pool;
	struct pins base;
	unsigned char *p;
	char what[96];
	int fd;

	snprintf(what, sizeof(what), "hugetlb memfd truncated under its mapping%s",
		 flags_name(flags));
	if (hugepool_get(&pool)) {
		t_skip("no 2 MiB hugetlb pool counters", "%s", what);
		return;
	}
	fd = memfd_create("uring_dmabuf_eof", MFD_CLOEXEC | MFD_HUGETLB | MFD_HUGE_2MB);
	if (fd < 0 || ftruncate(fd, 2 * SZ_2M)) {
		t_ok(0, "%s: hugetlb memfd", what);
		t_diag("%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	p = mmap(NULL, 2 * SZ_2M, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!t_ok(p != MAP_FAILED, "%s: mmap", what)) {
		close(fd);
		return;
	}
	memset(p, 0x26, SZ_2M);	/* the first page present, the second a hole */
	if (t_ok(!ftruncate(fd, SZ_2M), "%s: shrink the file to one huge page", what)) {
		pins_get(&base);
		t_err_clean(ud_create1(dev, p, 2 * SZ_2M, flags), EFAULT, &base,
			    "%s: a range past the end of the file fails with EFAULT", what);
	}
	munmap(p, 2 * SZ_2M);
	close(fd);
	t_hugepool_back(&pool, "%s: free and reserved huge pages back", what);
}

int main(void)
{
	t_init();
	dev = dev_open();

	test_holes(MEM_HUGE_MEMFD, 0);
	test_holes(MEM_HUGE_MEMFD, URING_DMABUF_CREATE_READONLY);
	test_holes(MEM_HUGE_2M, 0);
	test_holes(MEM_HUGE_2M, URING_DMABUF_CREATE_READONLY);
	test_pool_empty(1, 0);
	test_pool_empty(1, URING_DMABUF_CREATE_READONLY);
	test_pool_empty(0, 0);
	test_past_eof(0);
	test_past_eof(URING_DMABUF_CREATE_READONLY);

	close(dev);
	return t_finish();
}
