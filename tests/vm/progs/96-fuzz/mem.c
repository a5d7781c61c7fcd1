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
#include <sys/mount.h>
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
int race_file_fd = -1;

static const char *const kind_names[RK_NR] = {
	[RK_ANON] = "anon", [RK_ANON_RO] = "anon-ro",
	[RK_PROT_NONE] = "prot-none", [RK_THP] = "thp",
	[RK_HUGETLB] = "hugetlb", [RK_MEMFD] = "memfd",
	[RK_HUGE_MEMFD] = "hugetlb-memfd", [RK_FILE_SHARED] = "file-shared",
	[RK_FILE_PRIV_RO] = "file-private-ro",
	[RK_FILE_PRIV_RW] = "file-private-rw", [RK_PFNMAP] = "pfnmap",
	[RK_UNMAPPED] = "unmapped", [RK_KERNEL] = "kernel",
	[RK_ALIAS] = "alias", [RK_RACE] = "race",
	[RK_RACE_SEAL] = "race-seal", [RK_RACE_HUGE] = "race-hugetlb",
	[RK_RACE_ALIAS] = "race-alias",
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

static int map_at_off(unsigned char *p, size_t len, int prot, int flags, int fd,
		      off_t off)
{
	void *m = mmap(p, len, prot, flags | MAP_FIXED, fd, off);

	return m == MAP_FAILED ? -errno : 0;
}

static int map_at(unsigned char *p, size_t len, int prot, int flags, int fd)
{
	return map_at_off(p, len, prot, flags, fd, 0);
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
	reg->fd = -1;
	atomic_store(&reg->dead, 0);
	atomic_store(&reg->gen, 0);
	atomic_store(&reg->sealed_gen, -1);
}

static void touch(struct region *reg)
{
	size_t i;

	for (i = 0; i < reg->len; i += PAGE_SZ)
		memset(reg->p + i, (int)(i / PAGE_SZ) | 1, 64);
}

/*
 * Anonymous-ish kinds, from the suite's allocator (common.c) between
 * guards: 0 on success, -errno if this kind is not available.
 */
static int make_anon(struct region *reg, enum region_kind kind)
{
	enum mem_kind mk = MEM_ANON;
	size_t len = 64 * PAGE_SZ;
	struct mem m;
	int err;

	switch (kind) {
	case RK_ANON_RO:
	case RK_PROT_NONE:
		len = 8 * PAGE_SZ;
		break;
	case RK_THP:
		mk = MEM_THP, len = 2 * SZ_2M;
		break;
	case RK_HUGETLB:
		mk = MEM_HUGE_2M, len = SZ_2M;
		break;
	case RK_MEMFD:
		mk = MEM_MEMFD, len = 32 * PAGE_SZ;
		break;
	case RK_HUGE_MEMFD:
		mk = MEM_HUGE_MEMFD, len = SZ_2M;
		break;
	default:
		break;
	}
	err = mem_alloc_guarded(&m, mk, len);
	if (err)
		return err;
	/* The mapping holds the file; the region never frees the guards. */
	if (m.fd >= 0)
		close(m.fd);
	if (kind == RK_PROT_NONE) {
		mprotect(m.p, len, PROT_NONE);
		set(reg, kind, m.p, len, EFAULT, EFAULT, 0);
		return 0;
	}
	set(reg, kind, m.p, len, 0, 0, kind != RK_ANON_RO);
	touch(reg);
	if (kind == RK_ANON_RO) {
		mprotect(m.p, len, PROT_READ);
		reg->err_rw = EFAULT;
	}
	return 0;
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

int race_memfd(size_t len, int huge)
{
	int fd = memfd_sized("fuzz-race", MFD_ALLOW_SEALING, huge, len);

	return fd < 0 ? -errno : fd;
}

/* A memfd of 16 pages mapped twice side by side: every page twice in it. */
static int make_alias(struct region *reg)
{
	size_t half = 16 * PAGE_SZ;
	unsigned char *p = reserve(2 * half, PAGE_SZ);
	int fd = race_memfd(half, 0), err = -ENOMEM;

	if (fd < 0)
		return fd;
	if (p) {
		err = map_at(p, half, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
		if (!err)
			err = map_at(p + half, half, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
	}
	close(fd);
	if (err)
		return err;
	set(reg, RK_ALIAS, p, 2 * half, 0, 0, 1);
	touch(reg);
	return 0;
}

int arena_init(struct arena *a, int worker)
{
	static const enum region_kind anon_kinds[] = {
		RK_ANON, RK_ANON_RO, RK_PROT_NONE, RK_THP, RK_HUGETLB,
		RK_MEMFD, RK_HUGE_MEMFD };
	int files_err;
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
	if (!make_alias(&a->r[a->nr]))
		a->nr++;
	else if (worker == 0)
		t_diag("no memfd mapped twice: aliases within a range not fuzzed");
	files_err = make_files(a, worker);
	if (worker == 0 && !F.have_ext4)
		t_skip("no ext4 scratch directory (URING_DMABUF_TEST_EXT4)",
		       "fuzz: ext4 file-backed memory");
	else if (worker == 0 && !t_ok(!files_err, "fuzz: ext4 file-backed memory"))
		t_diag("%s in %s", errname(-files_err), F.ext4_dir);
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
 * The file the racer maps over RK_RACE regions: on a private ramfs mount
 * (gone once the file is open), else in the ext4 scratch directory. Each
 * page carries FUZZ_FILE_MARK, where nothing writes.
 */
static int race_file(size_t len)
{
	char dir[] = "/tmp/fuzz-ramfs-XXXXXX", path[300];
	uint64_t mark = FUZZ_FILE_MARK;
	int fd = -1;
	size_t off;

	if (mkdtemp(dir)) {
		if (!mount("ramfs", dir, "ramfs", 0, NULL)) {
			snprintf(path, sizeof(path), "%s/f", dir);
			fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
			unlink(path);
			umount2(dir, MNT_DETACH);
		}
		rmdir(dir);
	}
	if (fd < 0 && F.have_ext4) {
		snprintf(path, sizeof(path), "%s/fuzz-race-%d", F.ext4_dir, (int)getpid());
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		unlink(path);
	}
	if (fd < 0)
		return -1;
	if (ftruncate(fd, len))
		goto fail;
	for (off = 0; off < len; off += PAGE_SZ)
		if (pwrite(fd, &mark, sizeof(mark), (off_t)(off + FUZZ_FILE_MARK_OFF)) !=
		    sizeof(mark))
			goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

/* An RK_RACE region: anonymous memory the racer unmaps, mprotects, swaps. */
static int race_anon(struct region *reg)
{
	size_t len = 32 * PAGE_SZ;
	unsigned char *p = reserve(len, PAGE_SZ);

	if (!p || map_at(p, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1))
		return -ENOMEM;
	set(reg, RK_RACE, p, len, 0, 0, 0);
	touch(reg);
	return 0;
}

/* A shared memfd mapping (kind), or a hugetlb one; the region keeps the fd. */
static int race_memfd_region(struct region *reg, enum region_kind kind)
{
	int huge = kind == RK_RACE_HUGE;
	size_t len = huge ? SZ_2M : 32 * PAGE_SZ;
	unsigned char *p = reserve(len, huge ? SZ_2M : PAGE_SZ);
	int fd = race_memfd(len, huge), err = -ENOMEM;

	if (fd < 0)
		return fd;
	if (p)
		err = map_at(p, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
	if (err) {
		close(fd);
		return err;
	}
	set(reg, kind, p, len, 0, 0, 0);
	reg->fd = fd;
	touch(reg);
	return 0;
}

/* Reserved and never touched: a reservation lost cannot underflow the pool. */
static void *cushion = MAP_FAILED;

/*
 * Maps each race region not mapped yet, or lost by the racer (someone took
 * its hole while it was unmapped): at the start and before every epoch, so
 * that the racing goes on all run long. Only the RK_RACE ones get lost.
 */
int race_init(void)
{
	static const enum region_kind kinds[FUZZ_RACE_REGIONS] = {
		RK_RACE, RK_RACE, RK_RACE_SEAL, RK_RACE_HUGE, RK_RACE_ALIAS };
	static int tried[FUZZ_RACE_REGIONS];
	int i, err, fd;

	if (!tried[0]) {
		race_file_fd = race_file(16 * PAGE_SZ);
		if (race_file_fd < 0)
			t_diag("no ramfs or ext4 file: the racer swaps no file pages in");
	}
	for (i = 0; i < FUZZ_RACE_REGIONS; i++) {
		struct region *reg = &race_regions[i];

		if (reg->p ? !atomic_load(&reg->dead) : tried[i] && kinds[i] != RK_RACE)
			continue;
		tried[i] = 1;
		if (kinds[i] == RK_RACE) {
			if (race_anon(reg))
				return -ENOMEM;
			continue;
		}
		if (kinds[i] == RK_RACE_HUGE) {
			fd = race_memfd(SZ_2M, 1);
			if (fd >= 0) {
				cushion = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE, MAP_SHARED,
					       fd, 0);
				close(fd);
			}
		}
		err = race_memfd_region(reg, kinds[i]);
		if (err)
			t_diag("no %s region (%s): not raced", region_name(kinds[i]),
			       errname(-err));
	}
	return 0;
}

int race_errnos(const struct region *reg, int readonly, int *errs)
{
	int n = 0;

	switch (reg->kind) {
	case RK_RACE: /* unmapped or mprotected; a file's pages swapped in */
		errs[n++] = EFAULT;
		if (race_file_fd >= 0)
			errs[n++] = EOPNOTSUPP;
		break;
	case RK_RACE_SEAL: /* read-only, then sealed: seals bind writers only */
		errs[n++] = EFAULT;
		if (!readonly)
			errs[n++] = EPERM;
		break;
	case RK_RACE_HUGE: /* a hole punched after the fault-in; an empty pool */
		errs[n++] = EFAULT;
		errs[n++] = ENOMEM;
		break;
	case RK_RACE_ALIAS: /* pages of another offset than the one checked */
		errs[n++] = EFAULT;
		break;
	default:
		break;
	}
	return n;
}

void arena_free_hugetlb(struct arena *a)
{
	int i;

	for (i = 0; i < a->nr; i++) {
		struct region *reg = &a->r[i];

		if (reg->kind == RK_HUGETLB || reg->kind == RK_HUGE_MEMFD) {
			munmap(reg->p, reg->len);
			reg->len = 0;
		}
	}
}

void race_free_hugetlb(void)
{
	int i;

	for (i = 0; i < FUZZ_RACE_REGIONS; i++) {
		struct region *reg = &race_regions[i];

		if (reg->kind == RK_RACE_HUGE && reg->p) {
			munmap(reg->p, reg->len);
			close(reg->fd);
			reg->p = NULL;
			reg->fd = -1;
		}
	}
	if (cushion != MAP_FAILED)
		munmap(cushion, SZ_2M);
	cushion = MAP_FAILED;
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
