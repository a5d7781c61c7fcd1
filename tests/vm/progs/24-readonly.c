// SPDX-License-Identifier: GPL-2.0
/*
 * URING_DMABUF_CREATE_READONLY: a read-only mapping can be exported only
 * with it, and the dma-buf's own mmap is then read-only for good.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"

#define LEN (8 * PAGE_SZ)

static void test_readonly_mapping(int dev)
{
	struct uring_dmabuf_info info;
	struct pins base;
	unsigned char *map;
	struct mem m;
	int fd, err;

	if (mem_alloc(&m, MEM_ANON, LEN)) {
		t_ok(0, "allocate 32 KiB");
		return;
	}
	pattern_fill(m.p, LEN, 51, 0);
	mprotect(m.p, LEN, PROT_READ);

	pins_get(&base);
	t_err_clean(ud_create1(dev, m.p, LEN, URING_DMABUF_CREATE_CLOEXEC),
		    EFAULT, &base,
		    "PROT_READ mapping without READONLY fails with EFAULT, "
		    "nothing pinned");

	fd = ud_create1(dev, m.p, LEN,
			URING_DMABUF_CREATE_READONLY | URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(fd >= 0, "PROT_READ mapping with READONLY succeeds")) {
		t_diag("create: %s", errname(-fd));
		mem_free(&m);
		return;
	}
	err = ud_info(dev, fd, &info);
	t_ok(!err && (info.create_flags & URING_DMABUF_CREATE_READONLY),
	     "INFO create_flags has READONLY");

	map = dmabuf_map(fd, LEN, PROT_READ | PROT_WRITE, 0);
	if (!t_ok(map == MAP_FAILED && (errno == EACCES || errno == EPERM),
		  "writable mmap of a READONLY dma-buf fails with EACCES or EPERM")) {
		if (map != MAP_FAILED)
			munmap(map, LEN);
		else
			t_diag("mmap: %s", errname(errno));
	}
	map = dmabuf_map(fd, LEN, PROT_READ, 0);
	if (t_ok(map != MAP_FAILED, "read-only mmap of a READONLY dma-buf")) {
		t_ok(pattern_check(map, LEN, 51, 0) < 0,
		     "read-only mmap shows the bytes");
		err = mprotect(map, LEN, PROT_READ | PROT_WRITE);
		if (!t_ok(err && (errno == EACCES || errno == EPERM),
			  "mprotect of that mmap to writable fails"))
			t_diag("mprotect: %s", err ? errname(errno) : "success");
		munmap(map, LEN);
	} else {
		t_diag("mmap: %s", strerror(errno));
	}
	close(fd);
	t_pins_back(&base, "READONLY: close releases every pin");
	mem_free(&m);
}

/* READONLY on writable memory: later writes to it still show. */
static void test_readonly_writable_memory(int dev, enum mem_kind kind)
{
	const char *name = mem_kind_name(kind);
	unsigned char *map;
	struct pins base;
	struct mem m;
	int fd;

	if (mem_alloc(&m, kind, LEN)) {
		t_ok(0, "allocate 32 KiB %s", name);
		return;
	}
	pattern_fill(m.p, LEN, 52, 0);
	pins_get(&base);
	fd = ud_create1(dev, m.p, LEN,
			URING_DMABUF_CREATE_READONLY | URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(fd >= 0, "READONLY from writable %s memory", name)) {
		t_diag("create: %s", errname(-fd));
		mem_free(&m);
		return;
	}
	map = dmabuf_map(fd, LEN, PROT_READ, 0);
	if (t_ok(map != MAP_FAILED, "READONLY %s: read-only mmap", name)) {
		t_ok(pattern_check(map, LEN, 52, 0) < 0,
		     "READONLY %s: mmap shows the bytes", name);
		pattern_fill(m.p, LEN, 53, 0);
		t_ok(pattern_check(map, LEN, 53, 0) < 0,
		     "READONLY %s: later writes to the memory show in the mmap",
		     name);
		munmap(map, LEN);
	}
	close(fd);
	t_pins_back(&base, "READONLY %s: close releases every pin", name);
	mem_free(&m);
}

int main(void)
{
	int dev;

	t_init();
	dev = dev_open();
	test_readonly_mapping(dev);
	test_readonly_writable_memory(dev, MEM_ANON);
	test_readonly_writable_memory(dev, MEM_MEMFD);
	close(dev);
	return t_finish();
}
