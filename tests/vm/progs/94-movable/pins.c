// SPDX-License-Identifier: GPL-2.0
/* 94-movable: no long-term pin stays in ZONE_MOVABLE (see main.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "movable.h"
#include "uring.h"

#define SEED 0x94

size_t count_movable(const uint64_t *pfns, size_t n, size_t *absent)
{
	size_t i, mov = 0;

	*absent = 0;
	for (i = 0; i < n; i++) {
		if (!pfns[i])
			(*absent)++;
		else
			mov += pfn_in_movable(zones, nr_zones, pfns[i]);
	}
	return mov;
}

int placed_alloc_on(struct placed *b, enum mem_kind kind, size_t len,
		    uint64_t nodes)
{
	int ret;

	memset(b, 0, sizeof(*b));
	b->fd = -1;
	b->n = len / PAGE_SZ;
	ret = mem_alloc(&b->m, kind, len);
	if (ret)
		return ret;
	ret = nodes ? mbind_nodes(b->m.p, len, nodes) : 0;
	if (ret) {
		placed_free(b);
		return ret;
	}
	b->before = calloc(b->n, sizeof(*b->before));
	b->after = calloc(b->n, sizeof(*b->after));
	/* One word a page faults every page in, and is checked later. */
	pattern_fill_sparse(b->m.p, len, SEED, PAGE_SZ);
	ret = b->before && b->after ? pagemap_pfns(b->m.p, b->n, b->before) :
				      -ENOMEM;
	if (ret)
		placed_free(b);
	return ret;
}

int placed_create(struct placed *b, int dev)
{
	b->fd = ud_create1(dev, b->m.p, b->m.len, URING_DMABUF_CREATE_CLOEXEC);
	if (b->fd >= 0 && pagemap_pfns(b->m.p, b->n, b->after))
		memset(b->after, 0, b->n * sizeof(*b->after));
	return b->fd;
}

void placed_free(struct placed *b)
{
	if (b->fd >= 0)
		close(b->fd);
	if (b->m.map)
		mem_free(&b->m);
	free(b->before);
	free(b->after);
	memset(b, 0, sizeof(*b));
	b->fd = -1;
}

int dmabuf_intact(const struct placed *b)
{
	void *map = dmabuf_map(b->fd, b->m.len, PROT_READ, 0);
	long long bad;

	if (map == MAP_FAILED)
		return 0;
	bad = pattern_check_sparse(map, b->m.len, SEED, PAGE_SZ);
	munmap(map, b->m.len);
	return bad < 0;
}

/* A write through the process's mapping shows through the dma-buf's. */
static int same_pages(const struct placed *b)
{
	volatile uint64_t *map = dmabuf_map(b->fd, b->m.len, PROT_READ, 0);
	size_t off;
	int same = 1;

	if ((void *)map == MAP_FAILED)
		return 0;
	for (off = 8; off < b->m.len; off += PAGE_SZ) {
		*(volatile uint64_t *)(b->m.p + off) = ~(uint64_t)off;
		same &= map[off / 8] == ~(uint64_t)off;
	}
	munmap((void *)map, b->m.len);
	return same;
}

/* CREATE_FIXED of the whole buffer through a registered buffer. */
static int placed_create_fixed(struct placed *b, int dev,
			       struct io_uring *ring)
{
	struct iovec iov = { b->m.p, b->m.len };
	int ret;

	ret = io_uring_queue_init(8, ring, 0);
	if (ret)
		return ret;
	/* The registration pins (and so migrates) first, CREATE_FIXED after. */
	ret = io_uring_register_buffers(ring, &iov, 1);
	if (!ret)
		ret = uring_create_fixed(ring, dev, URING_DMABUF_CMD_CREATE_FIXED,
					 IORING_URING_CMD_FIXED, 0,
					 (uintptr_t)b->m.p, b->m.len);
	if (ret < 0) {
		io_uring_queue_exit(ring);
		return ret;
	}
	b->fd = ret;
	if (pagemap_pfns(b->m.p, b->n, b->after))
		memset(b->after, 0, b->n * sizeof(*b->after));
	return ret;
}

struct pin_case {
	const char *what;
	enum mem_kind kind;
	size_t len;
	int fixed;		/* CREATE_FIXED instead of CREATE */
	/* Where the kernel puts these pages first is its choice: */
	int may_be_elsewhere;	/* hugetlb pools, 1 GiB pages */
};

static const struct pin_case cases[] = {
	{ "anonymous 16 MiB", MEM_ANON, 16 * MIB, 0, 0 },
	{ "THP 4 MiB", MEM_THP, 4 * MIB, 0, 0 },
	{ "memfd (shmem) 4 MiB", MEM_MEMFD, 4 * MIB, 0, 0 },
	{ "hugetlb 2 MiB x2", MEM_HUGE_2M, 4 * MIB, 0, 1 },
	{ "hugetlb 1 GiB", MEM_HUGE_1G, SZ_1G, 0, 1 },
	{ "anonymous 8 MiB, CREATE_FIXED", MEM_ANON, 8 * MIB, 1, 0 },
};

static void check_case(int dev, const struct pin_case *c)
{
	size_t mov, absent;
	struct io_uring ring;
	struct placed b;
	char why[128];
	int ret;

	ret = placed_alloc_on(&b, c->kind, c->len, 0);
	if (ret) {
		snprintf(why, sizeof(why), "cannot map it: %s", strerror(-ret));
		t_skip(why, "%s", c->what);
		return;
	}
	mov = count_movable(b.before, b.n, &absent);
	if (!mov && c->may_be_elsewhere && !absent) {
		t_skip("the kernel put them outside ZONE_MOVABLE",
		       "%s: before the pin, pages in ZONE_MOVABLE", c->what);
	} else if (!t_ok(mov && !absent, "%s: before the pin, %zu of %zu "
			 "pages in ZONE_MOVABLE", c->what, mov, b.n)) {
		t_diag("%zu pages not present; ZONE_MOVABLE is where user "
		       "memory goes first, the check below could not fail",
		       absent);
	}

	ret = c->fixed ? placed_create_fixed(&b, dev, &ring) :
			 placed_create(&b, dev);
	if (!t_ok(ret >= 0, "%s: create", c->what)) {
		t_diag("%s", errname(-ret));
		placed_free(&b);
		return;
	}
	mov = count_movable(b.after, b.n, &absent);
	if (!t_ok(!mov && !absent, "%s: no pinned page in ZONE_MOVABLE "
		  "(%zu of %zu pages were there before)", c->what,
		  count_movable(b.before, b.n, &absent), b.n))
		t_diag("after the pin %zu pages in ZONE_MOVABLE, %zu not "
		       "present (first PFN 0x%llx)", mov, absent,
		       (unsigned long long)b.after[0]);
	t_ok(dmabuf_intact(&b), "%s: the bytes moved with the pages, read "
	     "through the dma-buf", c->what);
	t_ok(same_pages(&b), "%s: the process's pages are the pinned ones (a "
	     "write shows through the dma-buf)", c->what);
	placed_free(&b);
	if (c->fixed)
		io_uring_queue_exit(&ring);
}

void check_pins(int dev)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(dev, &cases[i]);
}
