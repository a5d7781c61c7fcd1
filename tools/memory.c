// SPDX-License-Identifier: MIT
/* Allocating the memory that becomes the dma-buf. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <linux/mempolicy.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "memory.h"

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << MAP_HUGE_SHIFT)
#endif
#ifndef MAP_HUGE_1GB
#define MAP_HUGE_1GB (30 << MAP_HUGE_SHIFT)
#endif

/* Before the first touch, so pages come from that node. */
static int bind_node(void *addr, size_t len, int node)
{
	unsigned long mask[16] = { 0 };

	if (node < 0)
		return 0;
	if (node >= (int)(sizeof(mask) * 8))
		return -EINVAL;
	mask[node / (8 * sizeof(long))] |= 1UL << (node % (8 * sizeof(long)));
	if (syscall(SYS_mbind, addr, len, MPOL_BIND, mask, sizeof(mask) * 8, 0))
		return -errno;
	return 0;
}

static int map_anon(struct region *r, int extra_flags, size_t align)
{
	size_t map_len = r->len + (align > 4096 && !extra_flags ? align : 0);
	char *p = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);

	if (p == MAP_FAILED)
		return -errno;
	r->map = p;
	r->map_len = map_len;
	if (map_len != r->len)
		p = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	r->addr = p;
	return 0;
}

static int map_shmem(struct region *r)
{
	void *p;

	r->memfd = memfd_create("uring-dmabuf", MFD_CLOEXEC);
	if (r->memfd < 0)
		return -errno;
	if (ftruncate(r->memfd, (off_t)r->len))
		return -errno;
	p = mmap(NULL, r->len, PROT_READ | PROT_WRITE, MAP_SHARED, r->memfd, 0);
	if (p == MAP_FAILED)
		return -errno;
	r->map = r->addr = p;
	r->map_len = r->len;
	return 0;
}

static bool has_cap_ipc_lock(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	if (syscall(SYS_capget, &h, d))
		return false;
	return d[CAP_IPC_LOCK / 32].effective & (1U << (CAP_IPC_LOCK % 32));
}

/*
 * The module charges pins to RLIMIT_MEMLOCK (without CAP_IPC_LOCK): a size
 * over it fails at pinning anyway, after faulting in all of it, which for a
 * large size can wake the OOM killer. Other pins of the same user count
 * too, so this catches the certain failures, not every one.
 */
int memlock_check(uint64_t bytes, uint64_t *limit)
{
	struct rlimit rl;

	*limit = 0;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) || rl.rlim_cur == RLIM_INFINITY ||
	    bytes <= rl.rlim_cur || has_cap_ipc_lock())
		return 0;
	*limit = rl.rlim_cur;
	return -EDQUOT;
}

/* @size is rounded up to the kind's page size. Returns 0 or -errno. */
int region_alloc(struct region *r, uint64_t size, enum mem_kind kind,
		 int numa_node, unsigned int pins)
{
	uint64_t align = mem_kind_align(kind);
	uint64_t limit;
	int err;

	memset(r, 0, sizeof(*r));
	r->memfd = -1;
	r->kind = kind;
	if (!size || size > SIZE_MAX - align)
		return -EINVAL;
	r->len = (size + align - 1) & ~(align - 1);
	if (r->len > UINT64_MAX / (pins ? pins : 1))
		return -EINVAL;
	err = memlock_check(r->len * pins, &limit);
	if (err)
		return err;
	switch (kind) {
	case MEM_HUGE_2M:
		err = map_anon(r, MAP_HUGETLB | MAP_HUGE_2MB, align);
		break;
	case MEM_HUGE_1G:
		err = map_anon(r, MAP_HUGETLB | MAP_HUGE_1GB, align);
		break;
	case MEM_SHMEM:
		err = map_shmem(r);
		break;
	default:
		err = map_anon(r, 0, align);
		if (!err)
			madvise(r->addr, r->len, kind == MEM_THP ?
				MADV_HUGEPAGE : MADV_NOHUGEPAGE);
		break;
	}
	if (!err)
		err = bind_node(r->addr, r->len, numa_node);
	if (err) {
		region_free(r);
		return err;
	}
	/* Fault everything in now: creation should pin, not fault. */
	memset(r->addr, 0, r->len);
	return 0;
}

void region_free(struct region *r)
{
	if (r->map)
		munmap(r->map, r->map_len);
	if (r->memfd >= 0)
		close(r->memfd);
	memset(r, 0, sizeof(*r));
	r->memfd = -1;
}
