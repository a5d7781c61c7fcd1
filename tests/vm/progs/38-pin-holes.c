// SPDX-License-Identifier: GPL-2.0
/*
 * Holes punched in a hugetlb memfd while creates fault them in and pin
 * (issue 12, finding 5): creates succeed (or say EFAULT: a hole punched
 * between their fault-in and their pin), the 2 MiB pool's reserved count
 * never moves, and every counter is back once all is closed. (On
 * 6.12 memfd_pin_folios() fills a hole with alloc_hugetlb_folio_reserve(),
 * which takes a reservation whether the hole has one or not: a hole punched
 * between the module's fault-in and its pin loses one for good.)
 *
 * Two phases of a few seconds: holes only punched, then also allocated
 * back by fallocate() (a second filler racing memfd_pin_folios()). A phase
 * stops at the first lost reservation, to keep the pool usable for the
 * programs after this one.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/falloc.h>
#include <linux/memfd.h>

#include "common.h"

#define PHASE_SECONDS 2.0	/* under TCG */
#define PHASE_MAX_ROUNDS 5000
#define HOLES_PAGES 4		/* huge pages of the punched memfd */
#define HOLES_CUSHION 4		/* reserved apart: a lost one cannot underflow */

static int dev;

struct puncher {
	int fd;
	int refill;		/* also allocate holes back */
	atomic_int stop;
	long punches, punch_failed, refills;
	int err;
	uint64_t seed;
};

/* Punches a random huge page; in the refill phase allocates one back. */
static void *puncher_main(void *arg)
{
	struct puncher *p = arg;

	while (!atomic_load(&p->stop)) {
		off_t off = (off_t)(rand_next(&p->seed) % HOLES_PAGES) * (off_t)SZ_2M;
		struct timespec ts = { 0, (long)(rand_next(&p->seed) % 1000) * 1000 };

		if (fallocate(p->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, SZ_2M)) {
			p->punch_failed++;
			p->err = errno;
		} else {
			p->punches++;
		}
		nanosleep(&ts, NULL);
		/* Not a write fault: an empty pool must not SIGBUS this thread. */
		if (p->refill && rand_next(&p->seed) % 2) {
			off = (off_t)(rand_next(&p->seed) % HOLES_PAGES) * (off_t)SZ_2M;
			if (!fallocate(p->fd, 0, off, SZ_2M))
				p->refills++;
		}
	}
	return NULL;
}

static int hugetlb_memfd(size_t len)
{
	int fd = memfd_create("uring_dmabuf_38", MFD_CLOEXEC | MFD_HUGETLB | MFD_HUGE_2MB);

	if (fd >= 0 && ftruncate(fd, len)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Every page of the file had its reservation used before the phase:
 * punching a page and filling a hole that has none leave the reserved
 * count alone, so any change is a reservation lost. Sampled while each
 * buffer lives.
 */
static void phase(struct puncher *p, unsigned char *m, size_t len, int refill)
{
	const char *what = refill ? "holes punched and allocated back under creates" :
				    "holes punched under creates";
	long rounds = 0, ok = 0, drifted = 0, efault = 0, other = 0;
	long long resv0;
	int last_err = 0;
	struct hugepool now;
	struct pins base;
	pthread_t th;
	double t0;

	if (hugepool_get(&now)) {
		t_ok(0, "%s: read the pool's counters", what);
		return;
	}
	resv0 = now.resv;
	p->refill = refill;
	p->punches = p->punch_failed = p->refills = 0;
	atomic_store(&p->stop, 0);
	pins_get(&base);
	if (pthread_create(&th, NULL, puncher_main, p)) {
		t_ok(0, "%s: start the puncher thread", what);
		return;
	}
	t0 = mono_sec();
	while (mono_sec() - t0 < PHASE_SECONDS && rounds < PHASE_MAX_ROUNDS && !drifted) {
		unsigned int flags = rounds % 2 ? URING_DMABUF_CREATE_READONLY : 0;
		int fd = ud_create1(dev, m, len, flags | URING_DMABUF_CREATE_CLOEXEC);

		rounds++;
		if (!hugepool_get(&now) && now.resv != resv0)
			drifted = 1;
		if (fd == -EFAULT) {
			efault++;
		} else if (fd < 0) {
			other++;
			last_err = -fd;
		} else {
			ok++;
			close(fd);
		}
	}
	atomic_store(&p->stop, 1);
	pthread_join(th, NULL);

	t_diag("%s: %ld creates in %.1f s: %ld succeeded, EFAULT %ld, other %ld%s%s; "
	       "%ld holes punched (%ld failed%s%s), %ld allocated back", what, rounds,
	       mono_sec() - t0, ok, efault, other, other ? ", last " : "",
	       other ? errname(last_err) : "", p->punches, p->punch_failed,
	       p->err ? ": " : "", p->err ? errname(p->err) : "", p->refills);
	/* EFAULT: a hole punched between the fault-in and the pin. */
	t_ok(!other, "%s: creates succeed or fail with EFAULT", what);
	if (!t_ok(!drifted, "%s: the pool's reserved count never moved", what))
		t_diag("reserved %lld, was %lld: lost after %ld creates (phase stopped there)",
		       now.resv, resv0, rounds);
	t_pins_back(&base, "%s: every pin released", what);
}

static void test_holes(void)
{
	const size_t len = HOLES_PAGES * SZ_2M;
	const char *what = "hugetlb memfd with holes punched";
	struct puncher p = { .fd = -1, .seed = 38 };
	void *cushion = MAP_FAILED;
	unsigned char *m = MAP_FAILED;
	struct hugepool pool, now;
	int cfd;

	if (hugepool_get(&pool)) {
		t_skip("no 2 MiB hugetlb pool counters", "%s", what);
		return;
	}
	if (pool.free - pool.resv < 3 * HOLES_PAGES + HOLES_CUSHION) {
		t_skip("too few free 2 MiB huge pages", "%s", what);
		return;
	}
	/* Reserved, never touched: a lost reservation shows as a lower count. */
	cfd = hugetlb_memfd(HOLES_CUSHION * SZ_2M);
	if (cfd >= 0)
		cushion = mmap(NULL, HOLES_CUSHION * SZ_2M, PROT_READ | PROT_WRITE,
			       MAP_SHARED, cfd, 0);
	p.fd = hugetlb_memfd(len);
	if (p.fd >= 0)
		m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, p.fd, 0);
	if (!t_ok(cushion != MAP_FAILED && m != MAP_FAILED,
		  "%s: map %d huge pages, and %d reserved apart", what, HOLES_PAGES,
		  HOLES_CUSHION)) {
		t_diag("%s", strerror(errno));
		goto out;
	}
	if (!t_ok(!fallocate(p.fd, 0, 0, len), "%s: allocate every page", what)) {
		t_diag("fallocate: %s", strerror(errno));
		goto out;
	}
	if (!hugepool_get(&now))
		t_diag("%s: pool free %lld reserved %lld before the races", what, now.free,
		       now.resv);
	phase(&p, m, len, 0);
	phase(&p, m, len, 1);
out:
	if (m != MAP_FAILED)
		munmap(m, len);
	if (p.fd >= 0)
		close(p.fd);
	if (cushion != MAP_FAILED)
		munmap(cushion, HOLES_CUSHION * SZ_2M);
	if (cfd >= 0)
		close(cfd);
	t_hugepool_back(&pool, "%s: free and reserved huge pages back after close", what);
}

int main(void)
{
	t_init();
	dev = dev_open();
	test_holes();
	close(dev);
	return t_finish();
}
