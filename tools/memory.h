/* SPDX-License-Identifier: MIT */
/* Memory of a chosen kind, on a chosen NUMA node, faulted in. */
#ifndef URING_DMABUF_TOOL_MEMORY_H
#define URING_DMABUF_TOOL_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

struct region {
	void *addr;
	size_t len;
	void *map;		/* what to munmap (THP over-allocates to align) */
	size_t map_len;
	enum mem_kind kind;
	int memfd;
};

/*
 * @pins: how many times the memory is charged to RLIMIT_MEMLOCK (2 for an
 * io_uring registered buffer made a dma-buf). -EDQUOT, before any memory
 * is touched, if that is over the limit (memlock_check()).
 */
int region_alloc(struct region *r, uint64_t size, enum mem_kind kind,
		 int numa_node, unsigned int pins);
/* 0, or -EDQUOT with RLIMIT_MEMLOCK in *@limit if @bytes cannot be pinned. */
int memlock_check(uint64_t bytes, uint64_t *limit);
void region_free(struct region *r);

#endif
