// SPDX-License-Identifier: GPL-2.0
/*
 * Processes: a child that uses inherited dma-bufs and creates its own, then
 * exits holding them; a child killed while it pins; a child with no free fd
 * (EMFILE); an unprivileged child against its RLIMIT_MEMLOCK (ENOMEM and
 * VmPin). Children report through raw write(2): another thread may have
 * held stdout's lock at fork time.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

static int child_failed;

PRINTF(1, 2) static void child_fail(const char *fmt, ...)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "not ok fuzz: child %d: ", (int)getpid());
	va_list ap;

	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(1, line, (size_t)n) < 0)
		_exit(3);
	child_failed = 1;
}

/* A create of pages of the anonymous region; returns the fd or -errno. */
static int child_create(struct worker *w, size_t pages)
{
	struct region *reg = &w->arena.r[0];
	size_t off = rnd_below(&w->rng, reg->len / PAGE_SZ - pages + 1);

	fuzz_count(w);
	return ud_create1(F.dev, reg->p + off * PAGE_SZ, pages * PAGE_SZ,
			  (unsigned int)rnd_below(&w->rng, 4));
}

static void child_inherit(struct worker *w)
{
	int i, fd;

	for (i = 0; i < 8; i++) {
		struct dbuf *b = buf_pick(w);
		struct uring_dmabuf_info info;
		long ret;

		if (b && b->fd >= 0) {
			fuzz_count(w);
			ret = ud_info(F.dev, b->fd, &info);
			if (ret || info.bytes != b->bytes)
				child_fail("INFO of an inherited dma-buf: %s, bytes %llu of %llu",
					   errname((int)-ret), (unsigned long long)info.bytes,
					   (unsigned long long)b->bytes);
			if (chance(&w->rng, 30)) {
				close(b->fd);
				b->fd = -1;
			}
		}
		fd = child_create(w, 1 + rnd_below(&w->rng, 8));
		if (fd < 0)
			child_fail("CREATE on anonymous memory after fork: %s",
				   errname(-fd));
	}
	/* exit holding everything: release runs from the exit path */
}

static void child_emfile(struct worker *w)
{
	unsigned long old = fds_exhaust();
	int fd;

	if (!old)
		return;
	fd = child_create(w, 1 + rnd_below(&w->rng, 8));
	if (fd != -EMFILE)
		child_fail("CREATE with no free fd: %s, want EMFILE",
			   fd < 0 ? errname(-fd) : "success");
}

/* Many pages, so that the kill lands while pinning. */
static void child_big(struct worker *w)
{
	struct region *reg = &w->arena.r[0];
	unsigned int nr = F.max_ranges < 1024 ? F.max_ranges : 1024, i;
	struct uring_dmabuf_range *r = calloc(nr, sizeof(*r));

	if (!r)
		return;
	for (i = 0; i < nr; i++) {
		r[i].addr = (uintptr_t)reg->p;
		r[i].len = reg->len;
	}
	fuzz_count(w);
	ud_create(F.dev, r, nr, 0, NULL);
}

void op_fork(struct worker *w)
{
	unsigned int kind = (unsigned int)rnd_below(&w->rng, 3);
	int status;
	pid_t pid;

	fflush(stdout);
	atomic_fetch_add(&F.children, 1);
	pid = fork();
	fuzz_count(w);
	if (pid < 0) {
		atomic_fetch_sub(&F.children, 1);
		return;
	}
	if (!pid) {
		w->rng.s ^= 0xf0f0;
		if (kind == 0)
			child_inherit(w);
		else if (kind == 1)
			child_emfile(w);
		else
			child_big(w);
		_exit(child_failed);
	}
	if (kind == 2) {
		struct timespec ts = { 0, (long)rnd_below(&w->rng, 30) * 1000 * 1000 };

		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
	}
	pid = waitpid(pid, &status, 0) == pid;
	atomic_fetch_sub(&F.children, 1);
	if (!pid)
		return;
	if (WIFEXITED(status) && WEXITSTATUS(status))
		fuzz_fail(w, "fork child (kind %u) exited with %d", kind, WEXITSTATUS(status));
	else if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
		fuzz_fail(w, "fork child (kind %u) killed by signal %d", kind, WTERMSIG(status));
}

/*
 * Unprivileged: every pin counts against RLIMIT_MEMLOCK and shows in VmPin.
 * The limit holds the user, so each worker's child is a user of its own
 * (children of two workers run at once).
 */
static void child_unprivileged(struct worker *w)
{
	unsigned long limit = rnd_below(&w->rng, 48);
	struct rlimit rl = { limit * PAGE_SZ, limit * PAGE_SZ };
	uid_t uid = (uid_t)(60000 + w->id);
	int fds[8], nfd = 0, i, dev;
	size_t pages[8], live = 0;

	if (setrlimit(RLIMIT_MEMLOCK, &rl) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		return;
	dev = F.dev; /* opened by root, still ours */
	(void)dev;
	for (i = 0; i < 12; i++) {
		size_t n = 1 + rnd_below(&w->rng, 24);
		int fd;
		long long kb;

		if (nfd && chance(&w->rng, 40)) {
			int k = (int)rnd_below(&w->rng, (uint64_t)nfd);

			close(fds[k]);
			live -= pages[k];
			fds[k] = fds[--nfd];
			pages[k] = pages[nfd];
			continue;
		}
		fd = child_create(w, n);
		if (live + n > limit) {
			if (fd != -ENOMEM)
				child_fail("CREATE of %zu pages with %zu of %lu pinned: %s, want ENOMEM",
					   n, live, limit, fd < 0 ? errname(-fd) : "success");
		} else if (fd < 0) {
			child_fail("CREATE of %zu pages with %zu of %lu pinned: %s",
				   n, live, limit, errname(-fd));
		}
		if (fd >= 0 && nfd < 8) {
			fds[nfd] = fd;
			pages[nfd++] = n;
			live += n;
		} else if (fd >= 0) {
			close(fd);
		}
		kb = vmpin_kb();
		if (kb != (long long)(live * PAGE_SZ / 1024))
			child_fail("VmPin %lld kB with %zu pages pinned", kb, live);
	}
}

void op_unprivileged(struct worker *w)
{
	int status;
	pid_t pid;

	fflush(stdout);
	atomic_fetch_add(&F.children, 1);
	pid = fork();
	fuzz_count(w);
	if (pid < 0) {
		atomic_fetch_sub(&F.children, 1);
		return;
	}
	if (!pid) {
		w->rng.s ^= 0x0f0f;
		child_unprivileged(w);
		_exit(child_failed);
	}
	pid = waitpid(pid, &status, 0) == pid;
	atomic_fetch_sub(&F.children, 1);
	if (pid && !(WIFEXITED(status) && !WEXITSTATUS(status)))
		fuzz_fail(w, "unprivileged child: status %#x", status);
}
