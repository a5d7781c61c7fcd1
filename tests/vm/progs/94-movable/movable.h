/* SPDX-License-Identifier: GPL-2.0 */
/* 94-movable: what its parts share (main.c says what it checks). */
#ifndef URING_DMABUF_TEST_MOVABLE_H
#define URING_DMABUF_TEST_MOVABLE_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "machine.h"

/* The zones of /proc/zoneinfo, read once at the start. */
extern struct zone_span zones[MAX_ZONES];
extern int nr_zones;

/* A buffer's pages, where they were before the pin and where after. */
struct placed {
	struct mem m;
	size_t n;		/* pages of 4 KiB */
	uint64_t *before;	/* PFNs right after faulting in */
	uint64_t *after;	/* PFNs of the process's pages after the pin */
	int fd;			/* the dma-buf, or -1 */
};

/* PFNs of @n pages at @p in ZONE_MOVABLE; not present ones in *absent. */
size_t count_movable(const uint64_t *pfns, size_t n, size_t *absent);

/*
 * Maps @len bytes of @kind, bound to the nodes of @nodes (0: the default
 * policy), fills them and reads their PFNs: 0, or -errno (then nothing is
 * left to free).
 */
int placed_alloc_on(struct placed *b, enum mem_kind kind, size_t len,
		    uint64_t nodes);
/* CREATE of the whole buffer, then the PFNs after: the fd or -errno. */
int placed_create(struct placed *b, int dev);
void placed_free(struct placed *b);
/* The fill pattern, read through the dma-buf's mmap: 1 if intact. */
int dmabuf_intact(const struct placed *b);

void check_pins(int dev);
void check_offline(int dev);

#endif /* URING_DMABUF_TEST_MOVABLE_H */
