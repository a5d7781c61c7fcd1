// SPDX-License-Identifier: GPL-2.0
/*
 * The racer: while workers create dma-bufs from the race regions, it
 * changes the memory under them. RK_RACE: unmaps, remaps, mprotects, zaps,
 * maps a file's pages over half of it, and forks (fork write-protects the
 * anonymous pages a create may be pinning). RK_RACE_SEAL: maps the memfd
 * read-only and seals it F_SEAL_WRITE, then a fresh memfd. RK_RACE_HUGE:
 * punches holes in the hugetlb memfd and allocates them back, watching the
 * pool's reserved count. RK_RACE_ALIAS: maps the memfd's first half over
 * its second and back. Workers expect what race_errnos() lists; the kernel
 * must never pin a page the process lost, a page of another file, or a
 * sealed memfd's pages for writing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/falloc.h>

#include "fuzz.h"

static void pause_us(struct rng *r, unsigned int max_us)
{
	struct timespec ts = { 0, (long)rnd_below(r, max_us) * 1000 };

	nanosleep(&ts, NULL);
}

/* Time spent racing (pauses excluded), for the run's time report. */
long racer_usecs;
long long racer_resv0 = -1;
atomic_long racer_resv_lost;

static void race_anon_round(struct rng *r, struct region *reg)
{
	unsigned char *half = reg->p + reg->len / 2;
	void *m;
	pid_t pid;

	/*
	 * A fork costs what a hundred other rounds cost under KASAN and TCG
	 * (400 ms): one round in 30, or the racer takes a CPU from the
	 * workers.
	 */
	switch (rnd_below(r, 30) ? rnd_below(r, 6) : 6) {
	case 0: /* a hole for a moment; someone else may take it */
		munmap(reg->p, reg->len);
		pause_us(r, 200);
		m = mmap(reg->p, reg->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (m != reg->p) {
			if (m != MAP_FAILED)
				munmap(m, reg->len);
			atomic_store(&reg->dead, 1);
		}
		break;
	case 1: /* fresh pages in place */
		mmap(reg->p, reg->len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		break;
	case 2:
		mprotect(reg->p, reg->len, chance(r, 50) ? PROT_READ : PROT_NONE);
		pause_us(r, 200);
		mprotect(reg->p, reg->len, PROT_READ | PROT_WRITE);
		break;
	case 3:
		madvise(reg->p, reg->len, MADV_DONTNEED);
		break;
	case 4:
		memset(reg->p + rnd_below(r, reg->len / PAGE_SZ) * PAGE_SZ, 0x44, 64);
		break;
	case 5: /* a file's page cache over the second half, then anonymous again */
		if (race_file_fd < 0)
			break;
		mmap(half, reg->len / 2, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		     race_file_fd, 0);
		pause_us(r, 300);
		mmap(half, reg->len / 2, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		break;
	case 6: /* fork, the child writes the region and leaves */
		atomic_fetch_add(&F.children, 1);
		pid = fork();
		if (!pid) {
			memset(reg->p, 0x33, PAGE_SZ);
			_exit(0);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
		atomic_fetch_sub(&F.children, 1);
		break;
	}
}

/*
 * The memfd read-only in place (opened again O_RDONLY, mapped over the
 * writable mapping) and F_SEAL_WRITE; then a fresh memfd, writable. The seal
 * fails (EBUSY, after waiting ~150 ms) while any pin holds its pages.
 */
static void race_seal_round(struct rng *r, struct region *reg)
{
	int gen = atomic_load(&reg->gen), ro, fd;
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", reg->fd);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	if (ro >= 0) {
		if (mmap(reg->p, reg->len, PROT_READ, MAP_SHARED | MAP_FIXED, ro, 0) != MAP_FAILED &&
		    !fcntl(reg->fd, F_ADD_SEALS, F_SEAL_WRITE))
			atomic_store(&reg->sealed_gen, gen);
		close(ro);
	}
	pause_us(r, 500);
	fd = race_memfd(reg->len, 0);
	if (fd < 0)
		return;
	/* The generation first: a create that saw the new one did not race this seal. */
	atomic_store(&reg->gen, gen + 1);
	if (mmap(reg->p, reg->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) ==
	    MAP_FAILED) {
		close(fd);
		return;
	}
	close(reg->fd);
	reg->fd = fd;
}

/*
 * A hole punched in the hugetlb memfd (a create fills it again through
 * its fault-in), now and then allocated back by fallocate(). Every page's
 * reservation was used when the region was touched, so neither moves the
 * pool's reserved count: a change is a reservation the kernel lost.
 */
static void race_huge_round(struct rng *r, struct region *reg)
{
	struct hugepool pool;

	fallocate(reg->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)reg->len);
	pause_us(r, 300);
	if (chance(r, 30))
		fallocate(reg->fd, 0, 0, (off_t)reg->len);
	if (racer_resv0 >= 0 && !hugepool_get(&pool) && pool.resv != racer_resv0) {
		atomic_fetch_add(&racer_resv_lost, 1);
		racer_resv0 = pool.resv; /* count each loss once */
	}
}

/* The second half: the memfd's second half, or its first half again. */
static void race_alias_round(struct rng *r, struct region *reg)
{
	size_t half = reg->len / 2;

	mremap(reg->p, 0, half, MREMAP_MAYMOVE | MREMAP_FIXED, reg->p + half);
	pause_us(r, 300);
	mmap(reg->p + half, half, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, reg->fd,
	     (off_t)half);
}

/*
 * A race region, the anonymous ones most often: a seal round waits ~150 ms
 * for pins to go, a hugetlb one clears 2 MiB pages (race_init()'s order).
 */
static struct region *pick_region(struct rng *r)
{
	static const unsigned int weight[FUZZ_RACE_REGIONS] = { 3, 3, 1, 2, 2 };
	unsigned int n = (unsigned int)rnd_below(r, 11), i;

	for (i = 0; n >= weight[i]; i++)
		n -= weight[i];
	return &race_regions[i];
}

void *racer_main(void *arg)
{
	struct worker *w = arg;
	struct rng *r = &w->rng;

	fuzz_set_current(w);
	while (!atomic_load(&F.stop)) {
		struct region *reg = pick_region(r);
		double t = now_sec();

		if (!reg->p || atomic_load(&reg->dead)) {
			pause_us(r, 1000);
			continue;
		}
		w->op_no++;
		switch (reg->kind) {
		case RK_RACE_SEAL:
			race_seal_round(r, reg);
			break;
		case RK_RACE_HUGE:
			race_huge_round(r, reg);
			break;
		case RK_RACE_ALIAS:
			race_alias_round(r, reg);
			break;
		default:
			race_anon_round(r, reg);
			break;
		}
		racer_usecs += (long)((now_sec() - t) * 1e6);
		pause_us(r, 500);
	}
	return NULL;
}
