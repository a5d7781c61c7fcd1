/* SPDX-License-Identifier: MIT */
/*
 * The memory kinds compared: anonymous ones and memfd ones, allocated by
 * the guest suite's struct mem and mem_alloc() (tests/vm/progs/common.c):
 * p, len, and fd (the memfd, -1 for anonymous memory).
 */
#ifndef URING_DMABUF_BENCH_MEMORY_H
#define URING_DMABUF_BENCH_MEMORY_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"

enum kind { ANON_4K, ANON_THP, ANON_HUGETLB, MEMFD_SHMEM, MEMFD_HUGETLB, NR_KINDS };

const char *kind_name(enum kind k);
bool kind_is_memfd(enum kind k);
int mem_get(struct mem *m, enum kind k, size_t len);
void mem_put(struct mem *m);
/* Which of ours @m (from mem_get) is. */
enum kind mem_bench_kind(const struct mem *m);

#endif
