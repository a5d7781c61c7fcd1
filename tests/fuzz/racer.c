// SPDX-License-Identifier: GPL-2.0
/*
 * The racer: while workers create dma-bufs from the race regions, it
 * unmaps, remaps, mprotects and zaps them, and forks (fork write-protects
 * the anonymous pages a create may be pinning). Workers expect success or
 * EFAULT there; the kernel must never pin a page the process lost.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

static void pause_us(struct rng *r, unsigned int max_us)
{
	struct timespec ts = { 0, (long)rnd_below(r, max_us) * 1000 };

	nanosleep(&ts, NULL);
}

/* Time spent racing (pauses excluded), for the run's time report. */
long racer_usecs;

void *racer_main(void *arg)
{
	struct worker *w = arg;
	struct rng *r = &w->rng;

	fuzz_set_current(w);
	while (!atomic_load(&F.stop)) {
		struct region *reg = &race_regions[rnd_below(r, FUZZ_RACE_REGIONS)];
		double t = now_sec();
		void *m;
		pid_t pid;

		if (atomic_load(&reg->dead)) {
			pause_us(r, 1000);
			continue;
		}
		w->op_no++;
		/*
		 * A fork costs what a hundred other rounds cost under KASAN
		 * and TCG (400 ms): one round in 30, or the racer takes a CPU
		 * from the workers.
		 */
		switch (rnd_below(r, 30) ? rnd_below(r, 5) : 5) {
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
		case 5: /* fork, the child writes the region and leaves */
			pid = fork();
			if (!pid) {
				memset(reg->p, 0x33, PAGE_SZ);
				_exit(0);
			}
			if (pid > 0)
				waitpid(pid, NULL, 0);
			break;
		}
		racer_usecs += (long)((now_sec() - t) * 1e6);
		pause_us(r, 500);
	}
	return NULL;
}
