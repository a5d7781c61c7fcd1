// SPDX-License-Identifier: GPL-2.0
/*
 * One page twice inside ONE range (issue 12, finding 6): a memfd offset
 * mapped at two adjacent addresses (shmem and hugetlb), a shared mapping
 * mremap()ed with old_size 0 right after itself. Through CREATE and
 * through CREATE_FIXED (the double mapping registered as one io_uring fixed
 * buffer) the writable create works, but no device may write the buffer:
 * the test importer's DMA_FROM_DEVICE and DMA_BIDIRECTIONAL mappings fail
 * with EINVAL, DMA_TO_DEVICE maps the bytes, the page twice (as for two
 * ranges sharing a page).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/memfd.h>

#include "common.h"
#include "netdev.h"
#include "uring.h"
#include "../../kmod/importer/importer_uapi.h"

static int dev;

static int memfd_of(int huge, size_t len)
{
	return memfd_sized("uring_dmabuf_37", 0, huge, len);
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

struct alias {
	const char *name;
	unsigned char *p;	/* len bytes; the second half aliases the first */
	size_t len;
	void *raw;
	size_t raw_len;
	int fd;
};

static void alias_free(struct alias *a)
{
	if (a->raw && a->raw != MAP_FAILED)
		munmap(a->raw, a->raw_len);
	if (a->fd >= 0)
		close(a->fd);
	a->raw = NULL;
	a->fd = -1;
}

/* One memfd offset at two adjacent addresses. */
static int alias_twice(struct alias *a, int huge)
{
	size_t half = huge ? SZ_2M : 256 * PAGE_SZ;

	memset(a, 0, sizeof(*a));
	a->name = huge ? "hugetlb memfd mapped twice side by side" :
			 "memfd mapped twice side by side";
	a->len = 2 * half;
	a->fd = memfd_of(huge, half);
	if (a->fd < 0)
		return -errno;
	a->p = reserve(a->len, huge ? SZ_2M : PAGE_SZ, &a->raw, &a->raw_len);
	if (!a->p ||
	    mmap(a->p, half, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, a->fd, 0) == MAP_FAILED ||
	    mmap(a->p + half, half, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, a->fd, 0) ==
		    MAP_FAILED)
		return -errno;
	pattern_fill(a->p, half, 60 + huge, 0);
	return 0;
}

/* A shared anonymous mapping duplicated right after itself (old_size 0). */
static int alias_mremap(struct alias *a)
{
	size_t half = 256 * PAGE_SZ;

	memset(a, 0, sizeof(*a));
	a->name = "shared mapping mremap()ed with old_size 0 next to itself";
	a->len = 2 * half;
	a->fd = -1;
	a->p = reserve(a->len, PAGE_SZ, &a->raw, &a->raw_len);
	if (!a->p ||
	    mmap(a->p, half, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0) == MAP_FAILED ||
	    mremap(a->p, 0, half, MREMAP_MAYMOVE | MREMAP_FIXED, a->p + half) != a->p + half)
		return -errno;
	pattern_fill(a->p, half, 62, 0);
	return 0;
}

static int imp_map(int imp, int fd, uint32_t dir, struct importer_check *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->flags = dir == IMPORTER_DIR_TO_DEVICE ? IMPORTER_CHECK_BYTES : 0;
	c->max_seg_size = 0xffffffffU & ~4095U;
	c->dir = dir;
	c->cpu_dir = IMPORTER_DIR_FROM_DEVICE;
	return ioctl_ret(imp, IMPORTER_IOC_CHECK, c);
}

/* A device may read the aliased buffer, never write it. */
static void check_alias_import(int imp, int fd, const struct alias *a, const char *how)
{
	static const struct {
		uint32_t dir;
		const char *name;
	} writers[] = {
		{ IMPORTER_DIR_FROM_DEVICE, "DMA_FROM_DEVICE" },
		{ IMPORTER_DIR_BIDIRECTIONAL, "DMA_BIDIRECTIONAL" },
	};
	struct importer_hash h = IMPORTER_HASH_INIT;
	struct importer_check c;
	unsigned int i;
	int ret;

	importer_hash_update(&h, a->p, a->len);
	ret = imp_map(imp, fd, IMPORTER_DIR_TO_DEVICE, &c);
	if (!t_ok(!ret && !c.attach_err && !c.map_err && c.mapped_bytes == a->len &&
		  c.hash == importer_hash_final(&h),
		  "%s, %s: DMA_TO_DEVICE maps the bytes, the page twice", a->name, how))
		t_diag("ioctl %s, attach %s, map %s, mapped %llu of %zu", errname(-ret),
		       errname(c.attach_err), errname(c.map_err),
		       (unsigned long long)c.mapped_bytes, a->len);
	for (i = 0; i < 2; i++) {
		ret = imp_map(imp, fd, writers[i].dir, &c);
		if (!t_ok(!ret && !c.attach_err && c.map_err == EINVAL,
			  "%s, %s: %s fails with EINVAL", a->name, how, writers[i].name))
			t_diag("ioctl %s, attach %s, map %s (%llu segments mapped)",
			       errname(-ret), errname(c.attach_err),
			       c.map_err ? errname(c.map_err) : "success",
			       (unsigned long long)c.nr_segments);
	}
}

static void test_alias(int imp, struct alias *a, int err)
{
	struct io_uring ring;
	struct iovec iov;
	int fd, ret;

	if (!t_ok(!err, "%s: map it", a->name)) {
		t_diag("%s", errname(-err));
		alias_free(a);
		return;
	}
	/* Only the first half was written. */
	if (!t_ok(!memcmp(a->p, a->p + a->len / 2, a->len / 2),
		  "%s: the second half shows the first", a->name)) {
		alias_free(a);
		return;
	}
	fd = ud_create1(dev, a->p, a->len, URING_DMABUF_CREATE_CLOEXEC);
	if (t_ok(fd >= 0, "%s: writable create of both halves as one range", a->name)) {
		check_alias_import(imp, fd, a, "CREATE");
		close(fd);
	} else {
		t_diag("create: %s", errname(-fd));
	}

	ret = io_uring_queue_init(8, &ring, 0);
	if (ret < 0) {
		t_skip("no io_uring", "%s: CREATE_FIXED", a->name);
		alias_free(a);
		return;
	}
	iov.iov_base = a->p;
	iov.iov_len = a->len;
	ret = io_uring_register_buffers(&ring, &iov, 1);
	if (t_ok(!ret, "%s: register both halves as one fixed buffer", a->name)) {
		fd = uring_create_fixed(&ring, dev, URING_DMABUF_CMD_CREATE_FIXED,
					IORING_URING_CMD_FIXED, 0, (uintptr_t)a->p, a->len);
		if (t_ok(fd >= 0, "%s: CREATE_FIXED of the whole buffer", a->name)) {
			check_alias_import(imp, fd, a, "CREATE_FIXED");
			close(fd);
		} else {
			t_diag("cqe->res: %s", errname(-fd));
		}
		io_uring_unregister_buffers(&ring);
	} else {
		t_diag("io_uring_register_buffers: %s", errname(-ret));
	}
	io_uring_queue_exit(&ring);
	alias_free(a);
}

static void test_aliases(void)
{
	struct alias a;
	int imp, loaded = 0, i;

	imp = open(IMPORTER_DEVICE, O_RDWR | O_CLOEXEC);
	if (imp < 0 && system("modprobe uring_dmabuf_importer") == 0) {
		loaded = 1;
		for (i = 0; i < 20 && imp < 0; i++) {
			imp = open(IMPORTER_DEVICE, O_RDWR | O_CLOEXEC);
			if (imp < 0)
				msleep(50);
		}
	}
	if (imp < 0) {
		t_skip("no test importer (modprobe uring_dmabuf_importer failed)",
		       "one page twice in one range");
		return;
	}
	test_alias(imp, &a, alias_twice(&a, 0));
	test_alias(imp, &a, alias_twice(&a, 1));
	test_alias(imp, &a, alias_mremap(&a));
	close(imp);
	if (loaded)
		t_rmmod("uring_dmabuf_importer");
}

int main(void)
{
	t_init();
	dev = dev_open();
	test_aliases();
	close(dev);
	return t_finish();
}
