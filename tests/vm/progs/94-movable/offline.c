// SPDX-License-Identifier: GPL-2.0
/*
 * 94-movable: memory offlining next to a dma-buf (see main.c). The movable
 * blocks a buffer's pages came from hold none of its pins: they go offline
 * while the dma-buf is held and after it is gone. The block that holds a
 * pinned page cannot go offline (the page cannot move): the kernel must
 * refuse, or keep trying until a signal (offline_pages() does), never hang
 * the writer for good; the dma-buf's bytes stay as they were throughout.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "movable.h"

#define BUF_LEN (16 * MIB)
#define MAX_BLOCKS 2
#define OFFLINE_SECS 60		/* a 128 MiB movable block under TCG */
#define PINNED_SECS 5		/* then a signal stops the retries */

static int valid_zones_is(uint64_t block, const char *zone)
{
	char path[128], buf[128];
	int n;

	snprintf(path, sizeof(path), MEMORY_SYSFS "memory%llu/valid_zones",
		 (unsigned long long)block);
	n = read_text(path, buf, sizeof(buf));
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return n > 0 && !strcmp(buf, zone);
}

/*
 * Distinct memory blocks of @pfns, up to @max, that lie wholly in
 * ZONE_MOVABLE (valid_zones "Movable"; a block across a zone boundary says
 * "none" and cannot go offline: EINVAL) and hold no page memblock reserved
 * at boot (those never go offline: EBUSY, whatever we do).
 */
static int movable_blocks(const uint64_t *pfns, size_t n, uint64_t *blocks,
			  int max)
{
	uint64_t bp = block_pages();
	int nr = 0, j;
	size_t i;

	for (i = 0; bp && i < n && nr < max; i++) {
		if (!pfns[i] || !pfn_in_movable(zones, nr_zones, pfns[i]))
			continue;
		for (j = 0; j < nr && blocks[j] != pfns[i] / bp; j++)
			;
		if (j < nr)
			continue;
		if (!valid_zones_is(pfns[i] / bp, "Movable"))
			continue;
		if (block_reserved_pages(pfns[i] / bp)) {
			t_diag("memory block %llu: %lld pages reserved at boot, "
			       "left out", (unsigned long long)(pfns[i] / bp),
			       block_reserved_pages(pfns[i] / bp));
			continue;
		}
		blocks[nr++] = pfns[i] / bp;
	}
	return nr;
}

/*
 * A buffer with pages in whole ZONE_MOVABLE blocks: each node's
 * ZONE_MOVABLE in turn (through mbind() where there are several nodes),
 * since the lowest block of a zone may start in the zone below. The
 * number of such blocks in *nr; 0 or -errno.
 */
static int movable_buffer(struct placed *b, uint64_t *blocks, int *nr)
{
	int multi = __builtin_popcountll(nodes_online()) > 1, i, ret = -ENOENT;

	*nr = 0;
	for (i = 0; i < nr_zones && !*nr; i++) {
		if (strcmp(zones[i].name, "Movable") || !zones[i].present)
			continue;
		ret = placed_alloc_on(b, MEM_ANON, BUF_LEN,
				      multi ? 1ULL << zones[i].node : 0);
		if (ret)
			return ret;
		*nr = movable_blocks(b->before, b->n, blocks, MAX_BLOCKS);
		if (!*nr)
			placed_free(b);
	}
	return *nr ? 0 : -ENOENT;
}

/* Offline, then online_movable again: one result each. */
static void offline_online(uint64_t block, const char *when)
{
	char st[32];
	int ret;

	ret = block_set_state(block, "offline", OFFLINE_SECS);
	block_state(block, st, sizeof(st));
	if (!t_ok(!ret && !strcmp(st, "offline"),
		  "memory block %llu (ZONE_MOVABLE) goes offline %s",
		  (unsigned long long)block, when))
		t_diag("write offline: %s, state %s", errname(-ret), st);
	if (strcmp(st, "offline"))
		return;		/* nothing to put back */
	ret = block_set_state(block, "online_movable", OFFLINE_SECS);
	block_state(block, st, sizeof(st));
	if (!t_ok(!ret && !strcmp(st, "online") &&
		  valid_zones_is(block, "Movable"),
		  "memory block %llu back online in ZONE_MOVABLE %s",
		  (unsigned long long)block, when))
		t_diag("write online_movable: %s, state %s", errname(-ret),
		       st);
}

/* The block of a pinned page must stay online, the writer not hang. */
static void pinned_block(const struct placed *b)
{
	uint64_t block = b->after[0] / block_pages();
	char st[32];
	double t0 = mono_sec();
	int ret;

	ret = block_set_state(block, "offline", PINNED_SECS);
	block_state(block, st, sizeof(st));
	if (!t_ok(ret && ret != -ETIMEDOUT && ret != -ECHILD &&
		  !strcmp(st, "online"),
		  "memory block %llu, which holds pinned pages, stays online: "
		  "offline refused (%s) in %.0f s", (unsigned long long)block,
		  errname(-ret), mono_sec() - t0)) {
		t_diag("state %s", st);
		if (!ret)	/* it went: put it back */
			block_set_state(block, "online", OFFLINE_SECS);
	}
}

#define POOL_2M NODE_SYSFS "node%d/hugepages/hugepages-2048kB/nr_hugepages"

/*
 * Offlining dissolves the free huge pages of a block: the programs after
 * this one get the 2 MiB pool back as it was, node by node (from the
 * memory just onlined). @save: read it into @pool instead.
 */
static void pool_2m(long long *pool, int save)
{
	unsigned long long v = 0;
	char path[96], num[32];
	int n;

	for (n = 0; n < 64; n++) {
		if (!(nodes_online() & (1ULL << n)))
			continue;
		snprintf(path, sizeof(path), POOL_2M, n);
		if (save) {
			pool[n] = read_ull(path, &v) ? -1 : (long long)v;
			continue;
		}
		if (pool[n] < 0)
			continue;
		snprintf(num, sizeof(num), "%lld", pool[n]);
		write_text(path, num);
		if (!t_ok(!read_ull(path, &v) && (long long)v == pool[n],
			  "offlining: node %d's 2 MiB hugetlb pool back at %lld "
			  "pages", n, pool[n]))
			t_diag("%llu pages", v);
	}
}

void check_offline(int dev)
{
	long long pool[64];

	uint64_t blocks[MAX_BLOCKS];
	struct placed b;
	int ret, nr, i;

	if (!block_pages()) {
		t_ok(0, "memory blocks in sysfs (%sblock_size_bytes)",
		     MEMORY_SYSFS);
		return;
	}
	pool_2m(pool, 1);
	ret = movable_buffer(&b, blocks, &nr);
	if (!t_ok(!ret, "offlining: a 16 MiB anonymous buffer with pages in "
		  "%d block(s) wholly in ZONE_MOVABLE", nr)) {
		t_diag("%s", ret == -ENOENT ? "its pages were only in blocks "
		       "across a zone boundary" : errname(-ret));
		return;
	}
	ret = placed_create(&b, dev);
	if (!t_ok(ret >= 0, "offlining: create")) {
		t_diag("create %s", errname(-ret));
		placed_free(&b);
		return;
	}
	for (i = 0; i < nr; i++)
		offline_online(blocks[i], "while the dma-buf is held");
	t_ok(dmabuf_intact(&b), "offlining: the dma-buf's bytes intact");
	pinned_block(&b);
	t_ok(dmabuf_intact(&b), "offlining: the dma-buf's bytes intact after "
	     "the refused offline");
	placed_free(&b);
	for (i = 0; i < nr; i++)
		offline_online(blocks[i], "after the dma-buf is gone");
	pool_2m(pool, 0);
}
