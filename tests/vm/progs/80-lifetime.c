// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetime: a dma-buf lives while any fd or mapping of it does, even after
 * the memory it came from is unmapped, the device fd is closed or the
 * holder exits; when the last one goes, every pin goes with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"

#define LEN (256 * 1024UL)

static int dev;

static int make(struct mem *m, uint64_t seed)
{
	int fd;

	if (mem_alloc(m, MEM_ANON, LEN)) {
		t_ok(0, "allocate 256 KiB");
		return -1;
	}
	pattern_fill(m->p, LEN, seed, 0);
	fd = ud_create1(dev, m->p, LEN, URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(fd >= 0, "create 256 KiB (seed %llu)",
		  (unsigned long long)seed)) {
		t_diag("create: %s", errname(-fd));
		mem_free(m);
	}
	return fd;
}

static void test_close_while_mapped(void)
{
	struct pins base, now;
	unsigned char *map;
	struct mem m;
	int fd;

	pins_get(&base);
	fd = make(&m, 101);
	if (fd < 0)
		return;
	map = dmabuf_map(fd, LEN, PROT_READ, 0);
	close(fd);
	mem_free(&m);
	if (!t_ok(map != MAP_FAILED, "mmap, then close the fd and munmap the memory"))
		return;
	pins_get(&now);
	t_ok(now.mod_buffers == base.mod_buffers + 1 &&
	     now.mod_bytes == base.mod_bytes + (long long)LEN,
	     "the mapping alone keeps the buffer and its pins");
	t_ok(pattern_check(map, LEN, 101, 0) < 0,
	     "the mapping still reads the bytes after close and munmap");
	munmap(map, LEN);
	t_pins_back(&base, "munmap of the last mapping releases every pin");
}

static void test_dup_and_dev_close(void)
{
	unsigned long long ref0, ref1, ref2;
	struct uring_dmabuf_info info;
	int fd, copy, have_ref;
	struct pins base;
	struct mem m;

	have_ref = !read_ull("/sys/module/uring_dmabuf/refcnt", &ref0);
	pins_get(&base);
	fd = make(&m, 102);
	if (fd < 0)
		return;
	copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	close(fd);
	mem_free(&m);
	close(dev);
	if (have_ref) {
		read_ull("/sys/module/uring_dmabuf/refcnt", &ref1);
		if (!t_ok(ref1 >= 1,
			  "a live dma-buf holds a module reference with the "
			  "device closed"))
			t_diag("refcnt %llu with the device open, %llu now",
			       ref0, ref1);
	}
	dev = open(URING_DMABUF_DEVICE, O_RDWR | O_CLOEXEC);
	t_ok(ud_info(dev, copy, &info) == 0 && info.bytes == LEN,
	     "a dup of the fd is the same dma-buf after the original closed");
	close(copy);
	t_pins_back(&base, "closing the dup releases every pin");
	if (have_ref) {
		read_ull("/sys/module/uring_dmabuf/refcnt", &ref2);
		if (!t_ok(ref2 == ref0, "module refcnt back after the last close"))
			t_diag("refcnt %llu before, %llu after", ref0, ref2);
	}
}

/* The process drops its pages; the dma-buf keeps the pinned ones. */
static void test_dontneed(void)
{
	struct pins base;
	unsigned char *map;
	struct mem m;
	int fd;

	pins_get(&base);
	fd = make(&m, 104);
	if (fd < 0)
		return;
	map = dmabuf_map(fd, LEN, PROT_READ, 0);
	if (t_ok(madvise(m.p, LEN, MADV_DONTNEED) == 0 && m.p[0] == 0,
		 "MADV_DONTNEED gives the process fresh zero pages") &&
	    map != MAP_FAILED)
		t_ok(pattern_check(map, LEN, 104, 0) < 0,
		     "the dma-buf still holds the old bytes after MADV_DONTNEED");
	if (map != MAP_FAILED)
		munmap(map, LEN);
	close(fd);
	mem_free(&m);
	t_pins_back(&base, "MADV_DONTNEED case: everything released");
}

/* A child inherits the fd; the parent closes its own; the child reads. */
static void test_inherited(void)
{
	struct pins base;
	struct mem m;
	pid_t pid;
	int fd;

	pins_get(&base);
	fd = make(&m, 103);
	if (fd < 0)
		return;
	pid = t_fork();
	if (pid == 0) {
		unsigned char *map = dmabuf_map(fd, LEN, PROT_READ, 0);

		/* Exit with fd and mapping still open: exit must clean up. */
		exit(map != MAP_FAILED && pattern_check(map, LEN, 103, 0) < 0 ?
		     0 : 1);
	}
	close(fd);
	mem_free(&m);
	t_child(pid, "a child holding the inherited fd and a mapping reads "
		"the bytes, then exits without closing");
	t_pins_back(&base, "after the child exits every pin is released");
}

static void test_many(void)
{
	struct pins base;
	struct mem m;
	int i, fd, bad = 0;

	if (mem_alloc(&m, MEM_ANON, LEN)) {
		t_ok(0, "allocate 256 KiB");
		return;
	}
	pins_get(&base);
	for (i = 0; i < 200; i++) {
		fd = ud_create1(dev, m.p, PAGE_SZ * (1 + i % 64),
				URING_DMABUF_CREATE_CLOEXEC);
		if (fd < 0)
			bad++;
		else
			close(fd);
	}
	t_ok(!bad, "200 create/close cycles succeed (%d failed)", bad);
	t_pins_back(&base, "200 create/close cycles leave nothing behind");
	mem_free(&m);
}

int main(void)
{
	t_init();
	dev = dev_open();
	test_close_while_mapped();
	test_dup_and_dev_close();
	test_dontneed();
	test_inherited();
	test_many();
	close(dev);
	return t_finish();
}
