// SPDX-License-Identifier: GPL-2.0
/*
 * The memory the fuzzed calls point at: one region of every kind per worker,
 * each between PROT_NONE guard pages so that a range running past its end
 * meets a known answer (EFAULT) rather than whatever got mapped next door.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/memfd.h>

#include "fuzz.h"

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << MAP_HUGE_SHIFT)
#endif
#ifndef MFD_HUGE_2MB
#define MFD_HUGE_2MB (21U << 26)
#endif

struct region race_regions[FUZZ_RACE_REGIONS];

static const char *const kind_names[RK_NR] = {
	[RK_ANON] = "anon", [RK_ANON_RO] = "anon-ro",
	[RK_PROT_NONE] = "prot-none", [RK_THP] = "thp",
	[RK_HUGETLB] = "hugetlb", [RK_MEMFD] = "memfd",
	[RK_HUGE_MEMFD] = "hugetlb-memfd", [RK_FILE_SHARED] = "file-shared",
	[RK_FILE_PRIV_RO] = "file-private-ro",
	[RK_FILE_PRIV_RW] = "file-private-rw", [RK_PFNMAP] = "pfnmap",
	[RK_UNMAPPED] = "unmapped", [RK_KERNEL] = "kernel",
	[RK_RACE] = "race",
};

const char *region_name(enum region_kind kind)
{
	return kind < RK_NR ? kind_names[kind] : "?";
}

/*
 * A PROT_NONE reservation of len bytes aligned to align, with at least
 * align bytes of guard on each side that stay PROT_NONE.
 */
static unsigned char *reserve(size_t len, size_t align)
{
	size_t total = len + 3 * align;
	unsigned char *raw = mmap(NULL, total, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				  -1, 0);
	uintptr_t p;

	if (raw == MAP_FAILED)
		return NULL;
	p = ((uintptr_t)raw + align + align - 1) & ~(uintptr_t)(align - 1);
	return (unsigned char *)p;
}

static int map_at(unsigned char *p, size_t len, int prot, int flags, int fd)
{
	void *m = mmap(p, len, prot, flags | MAP_FIXED, fd, 0);

	return m == MAP_FAILED ? -errno : 0;
}

static void set(struct region *reg, enum region_kind kind, unsigned char *p,
		size_t len, int err_rw, int err_ro, int coherent)
{
	reg->kind = kind;
	reg->p = p;
	reg->len = len;
	reg->err_rw = err_rw;
	reg->err_ro = err_ro;
	reg->coherent = coherent;
	atomic_store(&reg->dead, 0);
}

static void touch(struct region *reg)
{
	size_t i;

	for (i = 0; i < reg->len; i += PAGE_SZ)
		memset(reg->p + i, (int)(i / PAGE_SZ) | 1, 64);
}

/* Anonymous-ish kinds: 0 on success, -errno if this kind is not available. */
static int make_anon(struct region *reg, enum region_kind kind)
{
	size_t len = 64 * PAGE_SZ, align = PAGE_SZ;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS, fd = -1, err;
	unsigned char *p;

	switch (kind) {
	case RK_ANON_RO:
	case RK_PROT_NONE:
		len = 8 * PAGE_SZ;
		break;
	case RK_THP:
		len = 2 * SZ_2M, align = SZ_2M;
		break;
	case RK_HUGETLB:
		len = SZ_2M, align = SZ_2M;
		flags |= MAP_HUGETLB | MAP_HUGE_2MB;
		break;
	case RK_MEMFD:
		len = 32 * PAGE_SZ;
		fd = memfd_create("fuzz", MFD_CLOEXEC);
		flags = MAP_SHARED;
		break;
	case RK_HUGE_MEMFD:
		len = SZ_2M, align = SZ_2M;
		fd = memfd_create("fuzz-huge", MFD_CLOEXEC | MFD_HUGETLB | MFD_HUGE_2MB);
		flags = MAP_SHARED;
		break;
	default:
		break;
	}
	if ((kind == RK_MEMFD || kind == RK_HUGE_MEMFD) &&
	    (fd < 0 || ftruncate(fd, len))) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		return err;
	}
	p = reserve(len, align);
	if (!p) {
		err = -errno;
		goto out;
	}
	if (kind == RK_PROT_NONE) {
		set(reg, kind, p, len, EFAULT, EFAULT, 0);
		err = 0;
		goto out;
	}
	err = map_at(p, len, PROT_READ | PROT_WRITE, flags, fd);
	if (err)
		goto out;
	if (kind == RK_THP)
		madvise(p, len, MADV_HUGEPAGE);
	set(reg, kind, p, len, 0, 0, kind != RK_ANON_RO);
	touch(reg);
	if (kind == RK_ANON_RO) {
		mprotect(p, len, PROT_READ);
		reg->err_rw = EFAULT;
	}
out:
	if (fd >= 0)
		close(fd);
	return err;
}

/* The three ext4 kinds share one file per worker, unlinked at once. */
static int make_files(struct arena *a, int worker)
{
	size_t len = 16 * PAGE_SZ;
	char path[256];
	unsigned char *p;
	int fd, i;

	if (!F.have_ext4)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/fuzz-%d-%d", F.ext4_dir, (int)getpid(), worker);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (ftruncate(fd, len)) {
		close(fd);
		return -errno;
	}
	for (i = 0; i < 3; i++) {
		static const enum region_kind kinds[3] = {
			RK_FILE_SHARED, RK_FILE_PRIV_RO, RK_FILE_PRIV_RW };
		static const int prot[3] = { PROT_READ | PROT_WRITE, PROT_READ,
					     PROT_READ | PROT_WRITE };
		static const int flags[3] = { MAP_SHARED, MAP_PRIVATE, MAP_PRIVATE };
		static const int err_rw[3] = { EOPNOTSUPP, EFAULT, 0 };
		struct region *reg = &a->r[a->nr];

		p = reserve(len, PAGE_SZ);
		if (!p || map_at(p, len, prot[i], flags[i], fd))
			continue;
		/* Writes to the private one make anonymous copies GUP keeps. */
		set(reg, kinds[i], p, len, err_rw[i], EOPNOTSUPP,
		    kinds[i] == RK_FILE_PRIV_RW);
		if (kinds[i] != RK_FILE_PRIV_RO)
			touch(reg);
		a->nr++;
	}
	close(fd);
	return 0;
}

/* An mmap of a dma-buf of ours: VM_PFNMAP, which the module must refuse. */
static int make_pfnmap(struct region *reg)
{
	size_t len = 8 * PAGE_SZ;
	unsigned char *src = mmap(NULL, len, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *p;
	int fd, err;

	if (src == MAP_FAILED)
		return -errno;
	memset(src, 0x5a, len);
	fd = ud_create1(F.dev, src, len, URING_DMABUF_CREATE_CLOEXEC);
	munmap(src, len);
	if (fd < 0)
		return fd;
	p = reserve(len, PAGE_SZ);
	err = p ? map_at(p, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd) : -ENOMEM;
	close(fd); /* the mapping keeps the dma-buf */
	if (err)
		return err;
	set(reg, RK_PFNMAP, p, len, EFAULT, EFAULT, 0);
	return 0;
}

int arena_init(struct arena *a, int worker)
{
	static const enum region_kind anon_kinds[] = {
		RK_ANON, RK_ANON_RO, RK_PROT_NONE, RK_THP, RK_HUGETLB,
		RK_MEMFD, RK_HUGE_MEMFD };
	size_t i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < sizeof(anon_kinds) / sizeof(anon_kinds[0]); i++) {
		int err = make_anon(&a->r[a->nr], anon_kinds[i]);

		if (!err)
			a->nr++;
		else if (anon_kinds[i] == RK_ANON)
			return err;
		else if (worker == 0)
			t_diag("no %s memory here (%s): not fuzzed",
			       region_name(anon_kinds[i]), errname(-err));
	}
	if (make_files(a, worker) && worker == 0)
		t_diag("no ext4 scratch directory: file-backed memory not fuzzed");
	if (!make_pfnmap(&a->r[a->nr]))
		a->nr++;
	/* Below the static binary's load address: nothing maps there. */
	set(&a->r[a->nr++], RK_UNMAPPED, (unsigned char *)0x100000UL,
	    16 * PAGE_SZ, EFAULT, EFAULT, 0);
	/* Past the user address space: not mapped, whatever the paging mode. */
	set(&a->r[a->nr++], RK_KERNEL, (unsigned char *)0xffff888000000000UL,
	    16 * PAGE_SZ, EFAULT, EFAULT, 0);
	return 0;
}

/*
 * Maps each race region not mapped yet, or lost by the racer (someone took
 * its hole while it was unmapped): at the start and before every epoch, so
 * that the racing goes on all run long.
 */
int race_init(void)
{
	int i;

	for (i = 0; i < FUZZ_RACE_REGIONS; i++) {
		struct region *reg = &race_regions[i];
		size_t len = 32 * PAGE_SZ;
		unsigned char *p;

		if (reg->p && !atomic_load(&reg->dead))
			continue;
		p = reserve(len, PAGE_SZ);
		if (!p || map_at(p, len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1))
			return -ENOMEM;
		set(reg, RK_RACE, p, len, 0, 0, 0);
		touch(reg);
	}
	return 0;
}

/* A region of the worker, anonymous memory more often than the others. */
struct region *arena_pick(struct arena *a, struct rng *r)
{
	unsigned int n = (unsigned int)rnd_below(r, 100);

	if (n < 30)
		return &a->r[0];
	if (n < 38) {
		struct region *race = &race_regions[rnd_below(r, FUZZ_RACE_REGIONS)];

		if (race->p && !atomic_load(&race->dead))
			return race;
	}
	return &a->r[rnd_below(r, a->nr)];
}
