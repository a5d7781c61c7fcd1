// SPDX-License-Identifier: GPL-2.0
/*
 * Private anonymous pages stay with the creating process across fork():
 * the child's writes go to its own copy and never reach the dma-buf, the
 * parent's writes always do. Both for a fork after the create and for a
 * create while a forked child still shares the pages copy-on-write.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"

#define SEED_PARENT 81
#define SEED_CHILD 82
#define SEED_LATER 83

struct fork_case {
	enum mem_kind kind;
	size_t len;
	unsigned int flags;
};

static const struct fork_case cases[] = {
	{ MEM_ANON, MIB, 0 },
	{ MEM_ANON, MIB, URING_DMABUF_CREATE_READONLY },
	{ MEM_THP, 4 * MIB, 0 },
	{ MEM_HUGE_2M, 4 * MIB, 0 },
};

static const char *ro(unsigned int flags)
{
	return flags & URING_DMABUF_CREATE_READONLY ? " READONLY" : "";
}

/* The child writes its own seed and checks it reads it back. */
static void child_write(struct mem *m, int wait_fd)
{
	char c;

	if (wait_fd >= 0 && read(wait_fd, &c, 1) != 1)
		exit(2);
	pattern_fill(m->p, m->len, SEED_CHILD, 0);
	exit(pattern_check(m->p, m->len, SEED_CHILD, 0) < 0 ? 0 : 3);
}

/* After the child wrote: the dma-buf shows the parent's bytes only. */
static void parent_checks(int fd, struct mem *m, const char *what)
{
	unsigned char *map = dmabuf_map(fd, m->len, PROT_READ, 0);
	long long bad;

	if (!t_ok(map != MAP_FAILED, "%s: mmap the dma-buf", what)) {
		t_diag("mmap: %s", strerror(errno));
		return;
	}
	bad = pattern_check(map, m->len, SEED_PARENT, 0);
	if (!t_ok(bad < 0, "%s: the child's writes are not in the dma-buf",
		  what))
		t_diag("dma-buf differs from the parent's bytes at %lld%s", bad,
		       pattern_check(map, m->len, SEED_CHILD, 0) < 0 ?
		       " (it holds the child's bytes)" : "");
	t_ok(pattern_check(m->p, m->len, SEED_PARENT, 0) < 0,
	     "%s: the parent's memory kept its bytes", what);
	pattern_fill(m->p, m->len, SEED_LATER, 0);
	bad = pattern_check(map, m->len, SEED_LATER, 0);
	if (!t_ok(bad < 0, "%s: the parent's later writes are in the dma-buf",
		  what))
		t_diag("first difference at offset %lld", bad);
	munmap(map, m->len);
}

static int setup(const struct fork_case *c, struct mem *m, const char *what)
{
	int err = mem_alloc(m, c->kind, c->len);

	if (!t_ok(!err, "%s: allocate", what)) {
		t_diag("mmap: %s", errname(-err));
		return -1;
	}
	pattern_fill(m->p, c->len, SEED_PARENT, 0);
	return 0;
}

static void fork_after_create(int dev, const struct fork_case *c)
{
	char what[96];
	struct pins base;
	struct mem m;
	pid_t pid;
	int fd;

	snprintf(what, sizeof(what), "%s%s, fork after create",
		 mem_kind_name(c->kind), ro(c->flags));
	if (setup(c, &m, what))
		return;
	pins_get(&base);
	fd = ud_create1(dev, m.p, c->len, c->flags | URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(fd >= 0, "%s: create", what)) {
		t_diag("create: %s", errname(-fd));
		mem_free(&m);
		return;
	}
	pid = t_fork();
	if (pid == 0)
		child_write(&m, -1);
	t_child(pid, "%s: child wrote its copy", what);
	parent_checks(fd, &m, what);
	close(fd);
	t_pins_back(&base, "%s: close releases every pin", what);
	mem_free(&m);
}

static void create_while_shared(int dev, const struct fork_case *c)
{
	char what[96];
	struct pins base;
	struct mem m;
	int fd, go[2];
	pid_t pid;

	snprintf(what, sizeof(what), "%s%s, create while a child shares it",
		 mem_kind_name(c->kind), ro(c->flags));
	if (setup(c, &m, what) || pipe(go))
		return;
	pins_get(&base);
	pid = t_fork();
	if (pid == 0) {
		close(go[1]);
		child_write(&m, go[0]);
	}
	close(go[0]);
	fd = ud_create1(dev, m.p, c->len, c->flags | URING_DMABUF_CREATE_CLOEXEC);
	t_ok(fd >= 0, "%s: create", what);
	/* Let the child write only now, after the pin. */
	if (write(go[1], "g", 1) != 1)
		t_diag("pipe write: %s", strerror(errno));
	close(go[1]);
	t_child(pid, "%s: child wrote its copy", what);
	if (fd >= 0) {
		parent_checks(fd, &m, what);
		close(fd);
	} else {
		t_diag("create: %s", errname(-fd));
	}
	base.fds -= 2;	/* the pipe */
	t_pins_back(&base, "%s: close releases every pin", what);
	mem_free(&m);
}

int main(void)
{
	size_t i;
	int dev;

	t_init();
	dev = dev_open();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fork_after_create(dev, &cases[i]);
		create_while_shared(dev, &cases[i]);
	}
	close(dev);
	return t_finish();
}
