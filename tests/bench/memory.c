// SPDX-License-Identifier: MIT
/* Memory of each kind, faulted in before anything is measured. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memory.h"

#define HUGE_2M (2UL << 20)

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

static int get_anon(struct mem *m)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	size_t map_len = m->len;
	char *p;

	if (m->kind == ANON_HUGETLB)
		flags |= MAP_HUGETLB;
	if (m->kind == ANON_THP)
		map_len += HUGE_2M;
	p = mmap(NULL, map_len, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (m->kind == ANON_THP) {
		char *a = (char *)(((uintptr_t)p + HUGE_2M - 1) & ~(HUGE_2M - 1));

		if (a > p)
			munmap(p, a - p);
		munmap(a + m->len, p + map_len - (a + m->len));
		p = a;
		madvise(p, m->len, MADV_HUGEPAGE);
	} else if (m->kind == ANON_4K) {
		madvise(p, m->len, MADV_NOHUGEPAGE);
	}
	m->addr = p;
	return 0;
}

/* Sealed against shrinking, as udmabuf requires. */
static int get_memfd(struct mem *m)
{
	unsigned int flags = MFD_ALLOW_SEALING | MFD_CLOEXEC;
	char *p;

	if (m->kind == MEMFD_HUGETLB)
		flags |= MFD_HUGETLB;
	m->memfd = memfd_create("bench", flags);
	if (m->memfd < 0)
		return -errno;
	if (ftruncate(m->memfd, (off_t)m->len) ||
	    fcntl(m->memfd, F_ADD_SEALS, F_SEAL_SHRINK))
		return -errno;
	p = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_SHARED, m->memfd, 0);
	if (p == MAP_FAILED)
		return -errno;
	m->addr = p;
	return 0;
}

int mem_get(struct mem *m, enum kind k, size_t len)
{
	int err;

	memset(m, 0, sizeof(*m));
	m->kind = k;
	m->len = len;
	m->memfd = -1;
	err = kind_is_memfd(k) ? get_memfd(m) : get_anon(m);
	if (err) {
		mem_put(m);
		return err;
	}
	memset(m->addr, 0x5a, len);
	return 0;
}

void mem_put(struct mem *m)
{
	if (m->addr)
		munmap(m->addr, m->len);
	if (m->memfd >= 0)
		close(m->memfd);
	m->addr = NULL;
	m->memfd = -1;
}
