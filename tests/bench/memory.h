/* SPDX-License-Identifier: MIT */
/* The memory kinds compared: anonymous ones and memfd ones. */
#ifndef URING_DMABUF_BENCH_MEMORY_H
#define URING_DMABUF_BENCH_MEMORY_H

#include <stdbool.h>
#include <stddef.h>

enum kind { ANON_4K, ANON_THP, ANON_HUGETLB, MEMFD_SHMEM, MEMFD_HUGETLB, NR_KINDS };

struct mem {
	enum kind kind;
	char *addr;
	size_t len;
	int memfd;	/* -1 for anonymous memory */
};

const char *kind_name(enum kind k);
bool kind_is_memfd(enum kind k);
int mem_get(struct mem *m, enum kind k, size_t len);
void mem_put(struct mem *m);

#endif
