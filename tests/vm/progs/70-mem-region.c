// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_REGISTER_MEM_REGION (6.13+) memory as a dma-buf: a user-provided
 * region must work like any anonymous memory; a kernel-allocated region,
 * mapped from the ring fd, is a shared mapping of a file that is not a
 * memory file (shmem, hugetlbfs), which CREATE refuses with EOPNOTSUPP.
 * Before 6.13 the kernel refuses the registration with EINVAL: a skip;
 * from 6.13 on any refusal fails.
 *
 * liburing 2.3 predates the region API: the uapi bits are spelled here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"
#include "uring.h"

#define IORING_REGISTER_MEM_REGION_OP 34
#define REGION_TYPE_USER 1		/* IORING_MEM_REGION_TYPE_USER */
#define REGION_REG_WAIT_ARG 1		/* IORING_MEM_REGION_REG_WAIT_ARG */
#ifndef IORING_SETUP_R_DISABLED
#define IORING_SETUP_R_DISABLED (1U << 6)
#endif

/* struct io_uring_region_desc, include/uapi/linux/io_uring.h (6.13+) */
struct region_desc {
	uint64_t user_addr;
	uint64_t size;
	uint32_t flags;
	uint32_t id;
	uint64_t mmap_offset;
	uint64_t resv[4];
};

/* struct io_uring_mem_region_reg */
struct mem_region_reg {
	uint64_t region_uptr;
	uint64_t flags;
	uint64_t resv[2];
};

_Static_assert(sizeof(struct region_desc) == 64, "io_uring_region_desc");
_Static_assert(sizeof(struct mem_region_reg) == 32, "io_uring_mem_region_reg");

#define LEN (64 * 1024UL)

static int dev;

static int register_region(struct io_uring *ring, struct region_desc *rd,
			   uint64_t reg_flags)
{
	struct mem_region_reg reg = {
		.region_uptr = (uintptr_t)rd, .flags = reg_flags,
	};

	return io_uring_register(ring->ring_fd, IORING_REGISTER_MEM_REGION_OP,
				 &reg, 1);
}

/* Creates from p, checks the bytes, writes back; returns the fd or -errno. */
static int create_and_check(void *p, uint64_t seed, const char *what)
{
	unsigned char *map;
	long long bad;
	int fd = ud_create1(dev, p, LEN, URING_DMABUF_CREATE_CLOEXEC);

	if (fd < 0)
		return fd;
	map = dmabuf_map(fd, LEN, PROT_READ | PROT_WRITE, 0);
	if (!t_ok(map != MAP_FAILED, "%s: mmap the dma-buf", what))
		return fd;
	bad = pattern_check(map, LEN, seed, 0);
	if (!t_ok(bad < 0, "%s: dma-buf shows the region's bytes", what))
		t_diag("first difference at offset %lld", bad);
	pattern_fill(map, LEN, seed + 1, 0);
	t_ok(pattern_check(p, LEN, seed + 1, 0) < 0,
	     "%s: writes through the dma-buf reach the region", what);
	munmap(map, LEN);
	return fd;
}

static void test_user_region(void)
{
	const char *what = "user-provided region";
	struct region_desc rd;
	struct io_uring ring;
	struct pins base;
	struct mem m;
	int ret, fd;

	pins_get(&base);
	if (mem_alloc(&m, MEM_ANON, LEN)) {
		t_ok(0, "allocate 64 KiB");
		return;
	}
	pattern_fill(m.p, LEN, 91, 0);
	uring_init_or_skip(&ring, 0);
	memset(&rd, 0, sizeof(rd));
	rd.user_addr = (uintptr_t)m.p;
	rd.size = LEN;
	rd.flags = REGION_TYPE_USER;
	ret = register_region(&ring, &rd, 0);
	if (ret == -EINVAL && !kernel_at_least(6, 13)) {
		io_uring_queue_exit(&ring);
		mem_free(&m);
		t_skip_all("IORING_REGISTER_MEM_REGION refused with EINVAL: "
			   "kernel older than 6.13");
	}
	if (!t_ok(ret == 0, "register a user-provided region")) {
		t_diag("io_uring_register: %s", errname(-ret));
		goto out;
	}
	fd = create_and_check(m.p, 91, what);
	if (t_ok(fd >= 0, "%s: create succeeds", what))
		close(fd);
	else
		t_diag("create: %s", errname(-fd));
out:
	io_uring_queue_exit(&ring);
	mem_free(&m);
	t_pins_back(&base, "%s: everything released", what);
}

static void test_kernel_region(void)
{
	const char *what = "kernel-allocated region";
	struct region_desc rd;
	struct io_uring ring;
	struct pins base;
	unsigned char *p;
	int ret, fd;

	pins_get(&base);
	/* Registering a wait-arg region needs a disabled ring. */
	if (io_uring_queue_init(8, &ring, IORING_SETUP_R_DISABLED)) {
		t_ok(0, "ring with IORING_SETUP_R_DISABLED");
		return;
	}
	memset(&rd, 0, sizeof(rd));
	rd.size = LEN;
	ret = register_region(&ring, &rd, REGION_REG_WAIT_ARG);
	if (ret == -EINVAL) {
		/* Some kernels take kernel memory only without WAIT_ARG. */
		memset(&rd, 0, sizeof(rd));
		rd.size = LEN;
		ret = register_region(&ring, &rd, 0);
	}
	if (!t_ok(ret == 0, "register a kernel-allocated region")) {
		t_diag("io_uring_register: %s", errname(-ret));
		io_uring_queue_exit(&ring);
		return;
	}
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		 ring.ring_fd, rd.mmap_offset);
	if (!t_ok(p != MAP_FAILED, "mmap the region from the ring fd at "
		  "mmap_offset 0x%llx", (unsigned long long)rd.mmap_offset)) {
		t_diag("mmap: %s", strerror(errno));
		io_uring_queue_exit(&ring);
		return;
	}
	pattern_fill(p, LEN, 93, 0);
	fd = ud_create1(dev, p, LEN, URING_DMABUF_CREATE_CLOEXEC);
	t_errno(fd, EOPNOTSUPP, "%s: create refused with EOPNOTSUPP (a shared "
		"mapping of the ring's file)", what);
	if (fd >= 0)
		close(fd);
	munmap(p, LEN);
	io_uring_queue_exit(&ring);
	t_pins_back(&base, "%s: everything released", what);
}

int main(void)
{
	t_init();
	dev = dev_open();
	test_user_region();
	test_kernel_region();
	close(dev);
	return t_finish();
}
