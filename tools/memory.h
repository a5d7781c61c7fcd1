/* SPDX-License-Identifier: MIT */
/* Memory of a chosen kind, on a chosen NUMA node, faulted in. */
#ifndef URING_DMABUF_TOOL_MEMORY_H
#define URING_DMABUF_TOOL_MEMORY_H

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

int region_alloc(struct region *r, uint64_t size, enum mem_kind kind,
		 int numa_node);
void region_free(struct region *r);

#endif
