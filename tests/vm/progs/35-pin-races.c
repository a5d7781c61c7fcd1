// SPDX-License-Identifier: GPL-2.0
/*
 * What a create pins while another thread swaps a file's pages into the
 * range (issue 12, finding 3): a thread maps a ramfs (or ext4) file
 * MAP_SHARED over the second half of an anonymous range and back, while the
 * creates run. A successful create must hold no page of the file (its pages
 * carry a marker; writes through the dma-buf must not reach it); a failed
 * one says EOPNOTSUPP or EFAULT, nothing else. Each race runs a few
 * seconds, counts its rounds and prints them.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#define RACE_SECONDS 3.0	/* per case, under TCG */
#define RACE_MAX_ROUNDS 5000

#define SWAP_LEN (16 * MIB)	/* the anonymous range */
#define FILE_LEN (SWAP_LEN / 2)	/* swapped in over its second half */
#define FILE_MARK 0x46494c4550414745ULL	/* "FILEPAGE" */
#define FILE_WORD 0x5752495445434845ULL	/* what word 2 of file page i holds, ^ i */
#define DMABUF_WORD 0xd1d1d1d1d1d1d1d1ULL	/* written through the dma-buf */

static int dev;

static void pause_us(uint64_t *s, unsigned int max_us)
{
	struct timespec ts = { 0, (long)(rand_next(s) % (max_us + 1)) * 1000 };

	nanosleep(&ts, NULL);
}

/* Errno counts of the creates of one race. */
struct tally {
	long rounds, ok, eopnotsupp, efault, other;
	int other_err;
};

static void tally_err(struct tally *t, int err)
{
	switch (err) {
	case EOPNOTSUPP:
		t->eopnotsupp++;
		break;
	case EFAULT:
		t->efault++;
		break;
	default:
		t->other++;
		t->other_err = err;
	}
}

static void tally_diag(const struct tally *t, const char *what, double secs)
{
	t_diag("%s: %ld creates in %.1f s: %ld succeeded, EOPNOTSUPP %ld, EFAULT %ld, "
	       "other %ld%s%s", what, t->rounds, secs, t->ok, t->eopnotsupp, t->efault, t->other,
	       t->other ? " last " : "", t->other ? errname(t->other_err) : "");
}

/* --- finding 3: a file's pages swapped in ------------------------------- */

struct backing {
	const char *name;
	int fd;
	unsigned char *view;	/* MAP_SHARED view of the whole file */
};

static void file_page_fill(uint64_t *w, size_t i)
{
	w[0] = FILE_MARK;
	w[1] = i;
	w[2] = FILE_WORD ^ i;
}

/* An unlinked file of FILE_LEN bytes in dir, every page marked. */
static int backing_open(struct backing *b, const char *name, const char *dir)
{
	char path[256];
	size_t i;

	b->name = name;
	b->view = MAP_FAILED;
	snprintf(path, sizeof(path), "%s/uring-dmabuf-35-%d", dir, (int)getpid());
	b->fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (b->fd < 0)
		return -errno;
	unlink(path);
	if (ftruncate(b->fd, FILE_LEN))
		return -errno;
	/* Written, not only mapped: ext4 gets its blocks and buffers. */
	for (i = 0; i < FILE_LEN / PAGE_SZ; i++) {
		uint64_t page[PAGE_SZ / 8] = { 0 };

		file_page_fill(page, i);
		if (pwrite(b->fd, page, PAGE_SZ, (off_t)(i * PAGE_SZ)) != (ssize_t)PAGE_SZ)
			return errno ? -errno : -EIO;
	}
	b->view = mmap(NULL, FILE_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
	return b->view == MAP_FAILED ? -errno : 0;
}

static void backing_close(struct backing *b)
{
	if (b->view != MAP_FAILED)
		munmap(b->view, FILE_LEN);
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	b->view = MAP_FAILED;
}

/* Pages of the file whose write-check word changed; puts them right. */
static long file_changed(struct backing *b)
{
	long n = 0;
	size_t i;

	for (i = 0; i < FILE_LEN / PAGE_SZ; i++) {
		uint64_t *w = (uint64_t *)(b->view + i * PAGE_SZ);

		if (w[0] != FILE_MARK || w[2] != (FILE_WORD ^ i)) {
			file_page_fill(w, i);
			n++;
		}
	}
	return n;
}

struct swap_racer {
	unsigned char *half;	/* second half of the range */
	int fd;
	atomic_int stop;
	long swaps;
	int err;		/* errno of a failed mmap */
	uint64_t seed;
};

/* The file over the second half, then fresh anonymous memory again. */
static void *swap_main(void *arg)
{
	struct swap_racer *s = arg;

	while (!atomic_load(&s->stop)) {
		if (mmap(s->half, FILE_LEN, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, s->fd, 0) == MAP_FAILED) {
			s->err = errno;
			break;
		}
		pause_us(&s->seed, 300);
		if (mmap(s->half, FILE_LEN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
			s->err = errno;
			break;
		}
		/* 4 KiB pages: GUP takes the range in many steps. */
		madvise(s->half, FILE_LEN, MADV_NOHUGEPAGE);
		s->swaps++;
		pause_us(&s->seed, 300);
	}
	return NULL;
}

/* dma-buf pages that are the file's (they carry its marker). */
static long file_pages_in(const unsigned char *map)
{
	long n = 0;
	size_t off;

	for (off = 0; off < SWAP_LEN; off += PAGE_SZ)
		n += *(const uint64_t *)(map + off) == FILE_MARK;
	return n;
}

static void race_file_swap(struct backing *b, unsigned int flags)
{
	const int rw = !(flags & URING_DMABUF_CREATE_READONLY);
	struct swap_racer s = { .fd = b->fd, .seed = 35 + flags };
	long holding = 0, held_pages = 0, changed = 0, map_failed = 0;
	struct tally t = { 0 };
	struct pins base;
	pthread_t th;
	unsigned char *range;
	char what[96];
	double t0, secs;
	size_t off;

	snprintf(what, sizeof(what), "%s file swapped into the range, %s create",
		 b->name, rw ? "writable" : "READONLY");
	range = mmap(NULL, SWAP_LEN, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!t_ok(range != MAP_FAILED, "%s: map %lu MiB", what, SWAP_LEN / MIB))
		return;
	madvise(range, SWAP_LEN, MADV_NOHUGEPAGE);
	memset(range, 0x11, SWAP_LEN);
	s.half = range + FILE_LEN;
	pins_get(&base);
	if (pthread_create(&th, NULL, swap_main, &s)) {
		t_ok(0, "%s: start the racer thread", what);
		munmap(range, SWAP_LEN);
		return;
	}
	t0 = mono_sec();
	while (mono_sec() - t0 < RACE_SECONDS && t.rounds < RACE_MAX_ROUNDS) {
		int fd = ud_create1(dev, range, SWAP_LEN, flags | URING_DMABUF_CREATE_CLOEXEC);
		unsigned char *map;
		long n;

		t.rounds++;
		if (fd < 0) {
			tally_err(&t, -fd);
			continue;
		}
		t.ok++;
		map = dmabuf_map(fd, SWAP_LEN, PROT_READ | (rw ? PROT_WRITE : 0), 0);
		if (map == MAP_FAILED) {
			map_failed++;
			close(fd);
			continue;
		}
		n = file_pages_in(map);
		holding += n > 0;
		held_pages += n;
		if (rw)
			for (off = 0; off < SWAP_LEN; off += PAGE_SZ)
				((uint64_t *)(map + off))[2] = DMABUF_WORD;
		munmap(map, SWAP_LEN);
		close(fd);
		if (rw)
			changed += file_changed(b);
	}
	secs = mono_sec() - t0;
	atomic_store(&s.stop, 1);
	pthread_join(th, NULL);

	tally_diag(&t, what, secs);
	t_diag("%s: racer swapped the file in and out %ld times", what, s.swaps);
	if (s.err)
		t_diag("%s: racer stopped: mmap %s", what, errname(s.err));
	if (!t_ok(!holding, "%s: no successful create holds a page of the file", what))
		t_diag("%ld of %ld successful creates held file pages (%ld pages in all)",
		       holding, t.ok, held_pages);
	if (rw && !t_ok(!changed, "%s: writes through the dma-bufs left the file unchanged",
			what))
		t_diag("%ld file pages changed", changed);
	if (!t_ok(!t.other, "%s: creates fail only with EOPNOTSUPP or EFAULT",
		  what))
		tally_diag(&t, what, secs);
	if (!t_ok(!map_failed, "%s: every dma-buf could be mapped", what))
		t_diag("%ld mmaps failed", map_failed);
	munmap(range, SWAP_LEN);
	t_pins_back(&base, "%s: every pin released", what);
}

static void test_file_swap(const char *name, const char *dir)
{
	struct backing b;
	int err;

	err = backing_open(&b, name, dir);
	if (!t_ok(!err, "%s: a marked file of %lu MiB", name, FILE_LEN / MIB)) {
		t_diag("%s", errname(-err));
		backing_close(&b);
		return;
	}
	race_file_swap(&b, 0);
	race_file_swap(&b, URING_DMABUF_CREATE_READONLY);
	backing_close(&b);
}

static void test_ramfs(void)
{
	char dir[] = "/tmp/uring-dmabuf-35-XXXXXX";
	char why[128];

	if (!mkdtemp(dir)) {
		snprintf(why, sizeof(why), "mkdtemp: %s", strerror(errno));
		t_skip(why, "ramfs file swapped into the range");
		return;
	}
	if (mount("ramfs", dir, "ramfs", 0, NULL)) {
		snprintf(why, sizeof(why), "mount -t ramfs: %s", strerror(errno));
		t_skip(why, "ramfs file swapped into the range");
		rmdir(dir);
		return;
	}
	test_file_swap("ramfs", dir);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
}

static void test_ext4(void)
{
	const char *dir = getenv("URING_DMABUF_TEST_EXT4");

	if (!dir || !*dir) {
		t_skip("URING_DMABUF_TEST_EXT4 is not set (no ext4 scratch directory)",
		       "ext4 file swapped into the range");
		return;
	}
	test_file_swap("ext4", dir);
}

int main(void)
{
	t_init();
	dev = dev_open();

	test_ramfs();
	test_ext4();

	close(dev);
	return t_finish();
}
