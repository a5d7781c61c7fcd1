// SPDX-License-Identifier: MIT
/* Memory of each kind, faulted in before anything is measured. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memory.h"

static const char *const names[NR_KINDS] = {
	"anon-4k", "anon-thp", "anon-hugetlb-2m", "memfd-shmem", "memfd-hugetlb-2m",
};

const char *kind_name(enum kind k)
{
	return names[k];
}

bool kind_is_memfd(enum kind k)
{
	return k == MEMFD_SHMEM || k == MEMFD_HUGETLB;
}

static const enum mem_kind mem_kinds[NR_KINDS] = {
	MEM_ANON, MEM_THP, MEM_HUGE_2M, MEM_MEMFD, MEM_HUGE_MEMFD,
};

/*
 * 4 KiB pages really (no THP), memfds sealed against shrinking as udmabuf
 * requires, every page faulted in before anything is measured.
 */
int mem_get(struct mem *m, enum kind k, size_t len)
{
	int err = mem_alloc(m, mem_kinds[k], len);

	if (err)
		return err;
	if (k == ANON_4K)
		madvise(m->p, len, MADV_NOHUGEPAGE);
	if (kind_is_memfd(k) && fcntl(m->fd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		err = -errno;
		mem_put(m);
		return err;
	}
	memset(m->p, 0x5a, len);
	return 0;
}

enum kind mem_bench_kind(const struct mem *m)
{
	int k;

	for (k = 0; k < NR_KINDS && mem_kinds[k] != m->kind; k++)
		;
	return (enum kind)k;
}

void mem_put(struct mem *m)
{
	mem_free(m);
}
