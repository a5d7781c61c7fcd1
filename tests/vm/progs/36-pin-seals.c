// SPDX-License-Identifier: GPL-2.0
/*
 * Writable buffers and memfd write seals (issue 12, finding 4).
 *
 * A writable buffer over a write-sealed memfd: F_SEAL_FUTURE_WRITE with a
 * writable mapping made before it is EPERM, F_SEAL_WRITE is EFAULT (no
 * writable mapping can exist), READONLY buffers ignore seals. And the race:
 * while a writable create runs on a shared writable memfd mapping (THP
 * shmem or hugetlb), a thread unmaps it (or maps over it), maps the memfd
 * read-only (reopened O_RDONLY) at the same place and adds F_SEAL_WRITE:
 * never may both the create and the seal succeed. Each race runs a few seconds, counts its
 * rounds and prints them.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/memfd.h>

#include "common.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

#define RACE_SECONDS 3.0	/* per case, under TCG */
#define RACE_MAX_ROUNDS 2000

#define THP_KNOB "/sys/kernel/mm/transparent_hugepage/shmem_enabled"

static int dev;

/* A sealable memfd of len bytes (hugetlb or shmem); -1 with errno. */
static int sealable_memfd(int huge, size_t len)
{
	return memfd_sized("uring_dmabuf_36", MFD_ALLOW_SEALING, huge, len);
}

/* The same file opened again, read-only, as another process could. */
static int reopen_ro(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* len bytes of PROT_NONE address space aligned to align; NULL on failure. */
static unsigned char *reserve(size_t len, size_t align, void **raw, size_t *raw_len)
{
	*raw_len = len + align;
	*raw = mmap(NULL, *raw_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		    -1, 0);
	if (*raw == MAP_FAILED)
		return NULL;
	return (unsigned char *)(((uintptr_t)*raw + align - 1) & ~(uintptr_t)(align - 1));
}

/* A READONLY buffer of the sealed memory holds its bytes. */
static void check_readonly(const unsigned char *p, size_t len, uint64_t seed,
			   const char *what)
{
	int fd = ud_create1(dev, p, len, URING_DMABUF_CREATE_READONLY |
			    URING_DMABUF_CREATE_CLOEXEC);
	void *map;

	if (!t_ok(fd >= 0, "%s: READONLY create works", what)) {
		t_diag("create: %s", errname(-fd));
		return;
	}
	map = dmabuf_map(fd, len, PROT_READ, 0);
	if (t_ok(map != MAP_FAILED, "%s: mmap the READONLY buffer", what)) {
		t_ok(pattern_check(map, len, seed, 0) < 0, "%s: READONLY buffer holds the bytes",
		     what);
		munmap(map, len);
	}
	close(fd);
}

/* --- finding 4: seals, directly ----------------------------------------- */

static void test_future_write(int huge)
{
	const size_t len = huge ? SZ_2M : 64 * PAGE_SZ;
	const char *what = huge ? "hugetlb memfd F_SEAL_FUTURE_WRITE" :
				  "memfd F_SEAL_FUTURE_WRITE";
	struct pins base;
	unsigned char *p;
	int fd = sealable_memfd(huge, len);

	p = fd < 0 ? MAP_FAILED :
	    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!t_ok(p != MAP_FAILED, "%s: writable shared mapping", what)) {
		t_diag("%s", strerror(errno));
		goto out;
	}
	pattern_fill(p, len, 41, 0);
	if (!t_ok(!fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE),
		  "%s: sealed with the writable mapping in place", what)) {
		t_diag("F_ADD_SEALS: %s", strerror(errno));
		goto out;
	}
	pins_get(&base);
	t_err_clean(ud_create1(dev, p, len, URING_DMABUF_CREATE_CLOEXEC), EPERM, &base,
		    "%s: writable create over the older writable mapping fails with EPERM",
		    what);
	check_readonly(p, len, 41, what);
out:
	if (p != MAP_FAILED)
		munmap(p, len);
	if (fd >= 0)
		close(fd);
}

static void test_seal_write(int huge)
{
	const size_t len = huge ? SZ_2M : 64 * PAGE_SZ;
	const char *what = huge ? "hugetlb memfd F_SEAL_WRITE" : "memfd F_SEAL_WRITE";
	unsigned char *p = MAP_FAILED;
	struct pins base;
	int fd = sealable_memfd(huge, len), ro = -1;

	p = fd < 0 ? MAP_FAILED :
	    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!t_ok(p != MAP_FAILED, "%s: fill the memfd", what))
		goto out;
	pattern_fill(p, len, 42, 0);
	munmap(p, len);
	if (!t_ok(!fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), "%s: sealed", what)) {
		t_diag("F_ADD_SEALS: %s", strerror(errno));
		p = MAP_FAILED;
		goto out;
	}
	ro = reopen_ro(fd);
	p = ro < 0 ? MAP_FAILED : mmap(NULL, len, PROT_READ, MAP_SHARED, ro, 0);
	if (!t_ok(p != MAP_FAILED, "%s: read-only shared mapping", what)) {
		t_diag("%s", strerror(errno));
		goto out;
	}
	pins_get(&base);
	t_err_clean(ud_create1(dev, p, len, URING_DMABUF_CREATE_CLOEXEC), EFAULT, &base,
		    "%s: writable create fails with EFAULT", what);
	check_readonly(p, len, 42, what);
out:
	if (p != MAP_FAILED)
		munmap(p, len);
	if (ro >= 0)
		close(ro);
	if (fd >= 0)
		close(fd);
}

/* --- finding 4: the seal race -------------------------------------------- */

struct sealer {
	unsigned char *addr;
	size_t len;
	int memfd, rofd;	/* this round's memfd and its read-only twin */
	long delay_ns;		/* after the go, before the remap */
	atomic_int go, done, stop;	/* round numbers */
	int map_err, seal_ret, seal_err;
};

static void spin_ns(long ns)
{
	double end = mono_sec() + (double)ns / 1e9;

	while (mono_sec() < end)
		;
}

static void *sealer_main(void *arg)
{
	struct sealer *s = arg;
	int last = 0, round;

	for (;;) {
		while ((round = atomic_load(&s->go)) == last && !atomic_load(&s->stop))
			;
		if (atomic_load(&s->stop))
			break;
		last = round;
		spin_ns(s->delay_ns);
		/*
		 * Every other round without the munmap: a fault-in waiting
		 * for the mmap lock would get it between munmap and mmap and
		 * fail; MAP_FIXED replaces the mapping in one step.
		 */
		if (round % 2)
			munmap(s->addr, s->len);
		s->map_err = mmap(s->addr, s->len, PROT_READ, MAP_SHARED | MAP_FIXED,
				  s->rofd, 0) == MAP_FAILED ? errno : 0;
		s->seal_ret = fcntl(s->memfd, F_ADD_SEALS, F_SEAL_WRITE);
		s->seal_err = s->seal_ret ? errno : 0;
		atomic_store(&s->done, round);
	}
	return NULL;
}

struct seal_tally {
	long rounds, both, create_ok, seal_ok, eperm, efault, other, map_err;
	long other_unmapped;	/* of the other errnos, in rounds with a munmap */
	int other_err;
};

/*
 * One round: a fresh memfd mapped writable at s->addr (holes, or filled
 * through the mapping one round in four), the create racing the sealer.
 * Returns the create's duration in ns.
 */
static long seal_round(struct sealer *s, int huge, int race, uint64_t *seed,
		       struct seal_tally *t)
{
	int fd, round = atomic_load(&s->go) + 1;
	double t0;
	long ns;

	s->memfd = sealable_memfd(huge, s->len);
	if (s->memfd < 0 ||
	    mmap(s->addr, s->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 s->memfd, 0) == MAP_FAILED) {
		t->map_err++;
		if (s->memfd >= 0)
			close(s->memfd);
		return 0;
	}
	if (!huge)
		madvise(s->addr, s->len, MADV_HUGEPAGE);
	if (!(rand_next(seed) % 4))
		memset(s->addr, 0x36, s->len);
	s->rofd = reopen_ro(s->memfd);
	if (race)
		atomic_store(&s->go, round);
	t0 = mono_sec();
	fd = ud_create1(dev, s->addr, s->len, URING_DMABUF_CREATE_CLOEXEC);
	ns = (long)((mono_sec() - t0) * 1e9);
	if (race) {
		while (atomic_load(&s->done) != round)
			sched_yield();
		t->rounds++;
		t->seal_ok += !s->seal_ret;
		t->map_err += !!s->map_err;
		if (fd >= 0)
			t->create_ok++;
		else if (fd == -EPERM)
			t->eperm++;
		else if (fd == -EFAULT)
			t->efault++;
		else
			t->other++, t->other_err = -fd, t->other_unmapped += round % 2;
		t->both += fd >= 0 && !s->seal_ret;
	}
	if (fd >= 0)
		close(fd);
	/* Back to PROT_NONE, so that the address stays ours. */
	mmap(s->addr, s->len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (s->rofd >= 0)
		close(s->rofd);
	close(s->memfd);
	return ns;
}

static void race_seal(int huge)
{
	struct sealer s = { .len = huge ? 4 * SZ_2M : 4 * MIB };
	const char *what = huge ? "hugetlb memfd sealed under a writable create" :
				  "THP memfd sealed under a writable create";
	struct seal_tally t = { 0 };
	uint64_t seed = 36 + huge;
	long calib = 0;
	struct pins base;
	size_t raw_len;
	void *raw;
	pthread_t th;
	double t0;
	int i;

	s.addr = reserve(s.len, SZ_2M, &raw, &raw_len);
	if (!t_ok(s.addr != NULL, "%s: address space", what))
		return;
	pins_get(&base);
	/* How long a create takes here, to spread the sealer's start over it. */
	for (i = 0; i < 3; i++)
		calib += seal_round(&s, huge, 0, &seed, &t);
	calib = calib / 3 + 1;
	if (pthread_create(&th, NULL, sealer_main, &s)) {
		t_ok(0, "%s: start the sealer thread", what);
		munmap(raw, raw_len);
		return;
	}
	t0 = mono_sec();
	while (mono_sec() - t0 < RACE_SECONDS && t.rounds < RACE_MAX_ROUNDS) {
		/*
		 * The window is early (after the VMA check, before the first
		 * pin): half the rounds start within the first eighth. A
		 * sealer late behind the pins waits ~150 ms for them.
		 */
		s.delay_ns = (long)(rand_next(&seed) % (uint64_t)(t.rounds % 2 ? calib : calib / 8 + 1));
		seal_round(&s, huge, 1, &seed, &t);
	}
	atomic_store(&s.stop, 1);
	pthread_join(th, NULL);
	t_diag("%s: %ld rounds in %.1f s (a create takes %ld us): create ok %ld, EPERM %ld, "
	       "EFAULT %ld, other %ld%s%s; seal ok %ld; both %ld", what, t.rounds,
	       mono_sec() - t0, calib / 1000, t.create_ok, t.eperm, t.efault, t.other,
	       t.other ? " last " : "", t.other ? errname(t.other_err) : "", t.seal_ok,
	       t.both);
	if (t.map_err)
		t_diag("%s: %ld rounds could not map the memfd (read-only or writable)",
		       what, t.map_err);
	t_ok(!t.both, "%s: never both the writable create and F_SEAL_WRITE succeeded", what);
	if (!t_ok(!t.other, "%s: failed creates say EPERM or EFAULT", what))
		t_diag("%ld of the %ld others in rounds that unmapped before mapping read-only",
		       t.other_unmapped, t.other);
	munmap(raw, raw_len);
	t_pins_back(&base, "%s: every pin released", what);
}

/* THP for memfds (the internal mount follows shmem_enabled); "" if unknown. */
static void thp_knob(char *old, size_t len)
{
	char buf[128], *a, *b;

	old[0] = '\0';
	if (read_text(THP_KNOB, buf, sizeof(buf)) <= 0)
		return;
	a = strchr(buf, '[');
	b = a ? strchr(a, ']') : NULL;
	if (a && b && (size_t)(b - a) < len) {
		memcpy(old, a + 1, b - a - 1);
		old[b - a - 1] = '\0';
	}
}

static void test_seal_race(void)
{
	char old[32];
	int set = 0;

	thp_knob(old, sizeof(old));
	/* Holes in the memfd filled as THP make the create's window wide. */
	if (strcmp(old, "always") && strcmp(old, "force")) {
		set = !write_text(THP_KNOB, "always");
		if (!set)
			t_diag("cannot set %s to always (was \"%s\"): small shmem pages",
			       THP_KNOB, old);
	}
	race_seal(0);
	if (set)
		write_text(THP_KNOB, old);
	race_seal(1);
}

int main(void)
{
	t_init();
	dev = dev_open();

	test_future_write(0);
	test_future_write(1);
	test_seal_write(0);
	test_seal_write(1);
	test_seal_race();

	close(dev);
	return t_finish();
}
