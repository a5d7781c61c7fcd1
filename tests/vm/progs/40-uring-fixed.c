// SPDX-License-Identifier: GPL-2.0
/*
 * URING_DMABUF_CMD_CREATE_FIXED: a dma-buf from an io_uring registered
 * buffer, which outlives unregistering and munmap(); sub-ranges, the
 * read-only variant, hugetlb buffers, and every documented error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common.h"
#include "uring.h"
#include "../../kmod/importer/importer_uapi.h"

#define LEN MIB

static int dev;
static int imp = -1;	/* the test importer (tests/kmod/importer), if loaded */

/* Checks a dma-buf of len bytes shows the pattern from byte off onwards. */
static void check_bytes(int fd, size_t len, uint64_t seed, uint64_t off,
			const char *what)
{
	void *map = dmabuf_map(fd, len, PROT_READ, 0);
	long long bad;

	if (!t_ok(map != MAP_FAILED, "%s: mmap the dma-buf", what)) {
		t_diag("mmap: %s", strerror(errno));
		return;
	}
	bad = pattern_check(map, len, seed, off);
	if (!t_ok(bad < 0, "%s: dma-buf shows the registered bytes", what))
		t_diag("first difference at offset %lld", bad);
	munmap(map, len);
}

/*
 * The test importer maps the dma-buf DMA_TO_DEVICE and vmaps it: a READONLY
 * dma-buf has no vmap (EINVAL from the dma-buf core), a writable one does.
 */
static void check_vmap(int fd, int want, const char *what)
{
	struct importer_check c;
	long ret;

	if (imp < 0) {
		t_skip("the test importer could not be loaded",
		       "%s: importer vmap", what);
		return;
	}
	memset(&c, 0, sizeof(c));
	c.fd = fd;
	c.flags = IMPORTER_CHECK_BYTES;
	c.dir = IMPORTER_DIR_TO_DEVICE;
	c.cpu_dir = IMPORTER_DIR_TO_DEVICE;
	ret = ioctl_ret(imp, IMPORTER_IOC_CHECK, &c);
	if (!t_ok(!ret && !c.attach_err && !c.map_err && c.vmap_err == want &&
		  !c.vmap_mismatch, "%s: importer vmap %s", what,
		  want ? "fails with EINVAL" : "works"))
		t_diag("ioctl %s, attach %s, map %s, vmap %s, mismatch at %lld",
		       errname(-ret), errname(c.attach_err), errname(c.map_err),
		       c.vmap_err ? errname(c.vmap_err) : "success",
		       (long long)c.vmap_mismatch - 1);
}

static int register_one(struct io_uring *ring, struct mem *m, const char *what)
{
	struct iovec iov = { m->p, m->len };
	int ret = io_uring_register_buffers(ring, &iov, 1);

	if (!t_ok(ret == 0, "register %s as fixed buffer 0", what))
		t_diag("io_uring_register_buffers: %s", errname(-ret));
	return ret;
}

/* The whole buffer; then unregister and munmap, and read it still. */
static void test_outlives(void)
{
	struct uring_dmabuf_info info;
	struct io_uring ring;
	struct pins base, now;
	struct mem m;
	void *map;
	int fd;

	pins_get(&base);
	if (mem_alloc(&m, MEM_ANON, LEN)) {
		t_ok(0, "allocate 1 MiB");
		return;
	}
	pattern_fill(m.p, LEN, 61, 0);
	uring_init_or_skip(&ring, 0);
	if (register_one(&ring, &m, "1 MiB anonymous"))
		goto out;
	fd = uring_create_fixed(&ring, dev, URING_DMABUF_CMD_CREATE_FIXED,
				IORING_URING_CMD_FIXED, 0, (uintptr_t)m.p, LEN);
	if (!t_ok(fd >= 0, "CREATE_FIXED of the whole registered buffer")) {
		t_diag("cqe->res: %s", errname(-fd));
		goto out;
	}
	t_ok(fd_cloexec(fd), "CREATE_FIXED fd is close-on-exec");
	if (t_ok(ud_info(dev, fd, &info) == 0, "INFO on the CREATE_FIXED fd")) {
		t_ok(info.bytes == LEN, "CREATE_FIXED: INFO bytes is 1 MiB");
		t_ok(info.create_flags == 0, "CREATE_FIXED: create_flags 0");
	}
	check_bytes(fd, LEN, 61, 0, "CREATE_FIXED");

	map = dmabuf_map(fd, LEN, PROT_READ, 0);
	t_ok(io_uring_unregister_buffers(&ring) == 0, "unregister the buffers");
	io_uring_queue_exit(&ring);
	mem_free(&m);
	pins_get(&now);
	if (!t_ok(now.mod_bytes - base.mod_bytes == LEN,
		  "after unregister, ring exit and munmap the dma-buf still pins 1 MiB"))
		t_diag("pinned_bytes %lld -> %lld", base.mod_bytes, now.mod_bytes);
	if (map != MAP_FAILED) {
		t_ok(pattern_check(map, LEN, 61, 0) < 0,
		     "after unregister, ring exit and munmap the bytes are still "
		     "there (mapping made before)");
		munmap(map, LEN);
	}
	check_bytes(fd, LEN, 61, 0, "after unregister and munmap (new mapping)");
	close(fd);
	t_pins_back(&base, "CREATE_FIXED: close releases every pin");
	return;
out:
	io_uring_queue_exit(&ring);
	mem_free(&m);
}

static void test_subrange_and_ro(struct io_uring *ring, struct mem *m)
{
	struct uring_dmabuf_info info;
	uint64_t a = (uintptr_t)m->p;
	void *map;
	int fd;

	fd = uring_create_fixed(ring, dev, URING_DMABUF_CMD_CREATE_FIXED,
				IORING_URING_CMD_FIXED, 0, a + 64 * 1024,
				128 * 1024);
	if (t_ok(fd >= 0, "CREATE_FIXED of 128 KiB at offset 64 KiB")) {
		t_ok(ud_info(dev, fd, &info) == 0 && info.bytes == 128 * 1024,
		     "sub-range: INFO bytes is 128 KiB");
		check_bytes(fd, 128 * 1024, 62, 64 * 1024, "sub-range");
		close(fd);
	} else {
		t_diag("cqe->res: %s", errname(-fd));
	}

	/* Forced through io-wq: the path that lost its CQE on 6.1 once. */
	fd = uring_create_fixed_sqe(ring, dev, URING_DMABUF_CMD_CREATE_FIXED,
				    IORING_URING_CMD_FIXED, 0, a, LEN,
				    IOSQE_ASYNC);
	if (t_ok(fd >= 0, "CREATE_FIXED with IOSQE_ASYNC (from io-wq)")) {
		t_ok(fd_cloexec(fd), "IOSQE_ASYNC: fd is close-on-exec");
		check_bytes(fd, LEN, 62, 0, "IOSQE_ASYNC");
		check_vmap(fd, 0, "CREATE_FIXED (writable)");
		close(fd);
	} else {
		t_diag("cqe->res: %s", errname(-fd));
	}

	fd = uring_create_fixed(ring, dev, URING_DMABUF_CMD_CREATE_FIXED_RO,
				IORING_URING_CMD_FIXED, 0, a, LEN);
	if (!t_ok(fd >= 0, "CREATE_FIXED_RO of the whole buffer")) {
		t_diag("cqe->res: %s", errname(-fd));
		return;
	}
	t_ok(ud_info(dev, fd, &info) == 0 &&
	     info.create_flags == URING_DMABUF_CREATE_READONLY,
	     "CREATE_FIXED_RO: INFO create_flags is READONLY");
	t_ok(fd_cloexec(fd), "CREATE_FIXED_RO fd is close-on-exec");
	map = dmabuf_map(fd, LEN, PROT_READ | PROT_WRITE, 0);
	t_ok(map == MAP_FAILED && (errno == EACCES || errno == EPERM),
	     "CREATE_FIXED_RO: writable mmap fails with EACCES or EPERM");
	if (map != MAP_FAILED)
		munmap(map, LEN);
	check_bytes(fd, LEN, 62, 0, "CREATE_FIXED_RO");
	check_vmap(fd, EINVAL, "CREATE_FIXED_RO");
	close(fd);
}

static void expect_cmd(struct io_uring *ring, uint32_t op, uint32_t flags,
		       uint16_t index, uint64_t addr, uint64_t len, int err,
		       const struct pins *base, const char *what)
{
	t_err_clean(uring_create_fixed(ring, dev, op, flags, index, addr, len),
		    err, base, "CREATE_FIXED %s fails with -%s", what,
		    errname(err));
}

static void test_errors(struct io_uring *ring, struct mem *m)
{
	const uint32_t op = URING_DMABUF_CMD_CREATE_FIXED;
	const uint32_t fixed = IORING_URING_CMD_FIXED;
	uint64_t a = (uintptr_t)m->p;
	struct io_uring bare;
	struct pins base;

	pins_get(&base);
	expect_cmd(ring, op, 0, 0, a, LEN, EINVAL, &base,
		   "without IORING_URING_CMD_FIXED");
	expect_cmd(ring, op, fixed, 7, a, LEN, EFAULT, &base,
		   "with buf_index 7 (one buffer registered)");
	expect_cmd(ring, op, fixed, 0, a + LEN, PAGE_SZ, EFAULT, &base,
		   "of the page after the registered buffer");
	expect_cmd(ring, op, fixed, 0, a + LEN - PAGE_SZ, 2 * PAGE_SZ, EFAULT,
		   &base, "crossing the end of the registered buffer");
	expect_cmd(ring, op, fixed, 0, a - PAGE_SZ, 2 * PAGE_SZ, EFAULT, &base,
		   "starting before the registered buffer");
	expect_cmd(ring, op, fixed, 0, a + 8, PAGE_SZ, EINVAL, &base,
		   "with an unaligned addr");
	expect_cmd(ring, op, fixed, 0, a, 100, EINVAL, &base,
		   "with an unaligned len");
	expect_cmd(ring, op, fixed, 0, a, 0, EINVAL, &base, "with len 0");
	expect_cmd(ring, op, fixed, 0, 0xfffffffffffff000ULL, 0x2000, EINVAL,
		   &base, "with a range that wraps around");
	expect_cmd(ring, 0xDB4f, fixed, 0, a, LEN, ENOTTY, &base,
		   "with unknown cmd_op 0xDB4f");
	expect_cmd(ring, 0, fixed, 0, a, LEN, ENOTTY, &base,
		   "with unknown cmd_op 0");

	{
		unsigned long old = fds_exhaust();
		long ret;

		if (old) {
			ret = uring_create_fixed(ring, dev, op, fixed, 0, a,
						 LEN);
			fds_unlimit(old);
			t_err_clean(ret, EMFILE, &base,
				    "CREATE_FIXED with no free fd fails with "
				    "-EMFILE");
		}
	}

	if (io_uring_queue_init(8, &bare, 0) == 0) {
		pins_get(&base);
		expect_cmd(&bare, op, fixed, 0, a, LEN, EFAULT, &base,
			   "on a ring without registered buffers");
		io_uring_queue_exit(&bare);
	}
}

static void test_anon_ring(void)
{
	struct io_uring ring;
	struct pins base;
	struct mem m;

	pins_get(&base);
	if (mem_alloc(&m, MEM_ANON, LEN)) {
		t_ok(0, "allocate 1 MiB");
		return;
	}
	pattern_fill(m.p, LEN, 62, 0);
	uring_init_or_skip(&ring, 0);
	if (!register_one(&ring, &m, "1 MiB anonymous (second ring)")) {
		test_subrange_and_ro(&ring, &m);
		test_errors(&ring, &m);
		/* Unpins now; ring exit alone unpins later from a worker. */
		io_uring_unregister_buffers(&ring);
	}
	io_uring_queue_exit(&ring);
	mem_free(&m);
	t_pins_back(&base, "sub-range, RO and errors: everything released");
}

/* Two registered buffers: buf_index picks the second one. */
static void test_second_index(void)
{
	struct io_uring ring;
	struct iovec iov[2];
	struct mem m[2];
	struct pins base;
	int fd, ret;

	pins_get(&base);
	if (mem_alloc(&m[0], MEM_ANON, LEN) || mem_alloc(&m[1], MEM_ANON, LEN)) {
		t_ok(0, "allocate 2 x 1 MiB");
		return;
	}
	pattern_fill(m[0].p, LEN, 65, 0);
	pattern_fill(m[1].p, LEN, 66, 0);
	iov[0].iov_base = m[0].p;
	iov[1].iov_base = m[1].p;
	iov[0].iov_len = iov[1].iov_len = LEN;
	uring_init_or_skip(&ring, 0);
	ret = io_uring_register_buffers(&ring, iov, 2);
	if (t_ok(ret == 0, "register two fixed buffers")) {
		fd = uring_create_fixed(&ring, dev,
					URING_DMABUF_CMD_CREATE_FIXED,
					IORING_URING_CMD_FIXED, 1,
					(uintptr_t)m[1].p, LEN);
		if (t_ok(fd >= 0, "CREATE_FIXED with buf_index 1")) {
			check_bytes(fd, LEN, 66, 0, "buf_index 1");
			close(fd);
		} else {
			t_diag("cqe->res: %s", errname(-fd));
		}
		fd = uring_create_fixed(&ring, dev,
					URING_DMABUF_CMD_CREATE_FIXED,
					IORING_URING_CMD_FIXED, 1,
					(uintptr_t)m[0].p, LEN);
		t_errno(fd, EFAULT, "CREATE_FIXED with buf_index 1 and the "
			"address of buffer 0 fails with -EFAULT");
		if (fd >= 0)
			close(fd);
		io_uring_unregister_buffers(&ring);
	} else {
		t_diag("io_uring_register_buffers: %s", errname(-ret));
	}
	io_uring_queue_exit(&ring);
	mem_free(&m[0]);
	mem_free(&m[1]);
	t_pins_back(&base, "two buffers: everything released");
}

/*
 * The registered buffer's address no longer maps its pages: unmapped gives
 * -EFAULT, other memory mapped there gives -EOPNOTSUPP (not those pages).
 */
static void test_remapped(void)
{
	const uint32_t op = URING_DMABUF_CMD_CREATE_FIXED;
	struct io_uring ring;
	struct pins base, mid;
	struct mem m;
	void *p;

	pins_get(&base);
	if (mem_alloc(&m, MEM_ANON, LEN)) {
		t_ok(0, "allocate 1 MiB");
		return;
	}
	pattern_fill(m.p, LEN, 64, 0);
	uring_init_or_skip(&ring, 0);
	if (register_one(&ring, &m, "1 MiB anonymous (to be unmapped)"))
		goto out;
	munmap(m.p, LEN);
	pins_get(&mid);
	t_err_clean(uring_create_fixed(&ring, dev, op, IORING_URING_CMD_FIXED,
				       0, (uintptr_t)m.p, LEN),
		    EFAULT, &mid,
		    "CREATE_FIXED after munmap of the registered memory fails "
		    "with -EFAULT");
	p = mmap(m.p, LEN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE, -1, 0);
	if (p != m.p) {
		t_ok(0, "mmap other memory at the registered address");
		m.map = NULL;
		goto out;
	}
	pins_get(&mid);
	t_err_clean(uring_create_fixed(&ring, dev, op, IORING_URING_CMD_FIXED,
				       0, (uintptr_t)m.p, LEN),
		    EOPNOTSUPP, &mid,
		    "CREATE_FIXED with other memory now at the registered "
		    "address fails with -EOPNOTSUPP");
out:
	io_uring_unregister_buffers(&ring);
	io_uring_queue_exit(&ring);
	mem_free(&m);
	t_pins_back(&base, "remapped registered buffer: everything released");
}

static void test_hugetlb(void)
{
	const size_t len = 2 * SZ_2M;
	struct uring_dmabuf_info info;
	struct io_uring ring;
	struct pins base;
	struct mem m;
	int fd, err;

	pins_get(&base);
	err = mem_alloc(&m, MEM_HUGE_2M, len);
	if (!t_ok(!err, "allocate 4 MiB hugetlb")) {
		t_diag("mmap: %s", errname(-err));
		return;
	}
	pattern_fill(m.p, len, 63, 0);
	uring_init_or_skip(&ring, 0);
	if (register_one(&ring, &m, "4 MiB hugetlb"))
		goto out;
	fd = uring_create_fixed(&ring, dev, URING_DMABUF_CMD_CREATE_FIXED,
				IORING_URING_CMD_FIXED, 0, (uintptr_t)m.p, len);
	if (t_ok(fd >= 0, "CREATE_FIXED of a hugetlb registered buffer")) {
		err = ud_info(dev, fd, &info);
		if (!t_ok(!err && info.bytes == len && info.huge_bytes == len &&
			  info.nr_segments >= 1 && info.nr_segments <= 2,
			  "hugetlb CREATE_FIXED: INFO bytes = huge_bytes = "
			  "4 MiB, at most 2 segments"))
			t_diag("bytes %llu huge_bytes %llu nr_segments %llu",
			       (unsigned long long)info.bytes,
			       (unsigned long long)info.huge_bytes,
			       (unsigned long long)info.nr_segments);
		check_bytes(fd, len, 63, 0, "hugetlb CREATE_FIXED");
		close(fd);
	} else {
		t_diag("cqe->res: %s", errname(-fd));
	}
	/* Inside the second huge page, not at its start. */
	fd = uring_create_fixed(&ring, dev, URING_DMABUF_CMD_CREATE_FIXED,
				IORING_URING_CMD_FIXED, 0,
				(uintptr_t)m.p + SZ_2M + 64 * 1024, 64 * 1024);
	if (t_ok(fd >= 0, "CREATE_FIXED of 64 KiB inside the second huge page")) {
		check_bytes(fd, 64 * 1024, 63, SZ_2M + 64 * 1024,
			    "hugetlb sub-range");
		close(fd);
	} else {
		t_diag("cqe->res: %s", errname(-fd));
	}
out:
	io_uring_unregister_buffers(&ring);
	io_uring_queue_exit(&ring);
	mem_free(&m);
	t_pins_back(&base, "hugetlb CREATE_FIXED: everything released");
}

int main(void)
{
	struct uring_dmabuf_version ver;

	t_init();
	dev = dev_open();
	if (ud_version(dev, &ver) == 0 &&
	    !(ver.features & URING_DMABUF_FEAT_CREATE_FIXED))
		t_skip_all("module reports no URING_DMABUF_FEAT_CREATE_FIXED");
	/* Left loaded: 90-importer unloads it. */
	if (system("modprobe uring_dmabuf_importer 2>/dev/null") == 0) {
		for (int i = 0; i < 20 && imp < 0; i++) {
			imp = open(IMPORTER_DEVICE, O_RDWR | O_CLOEXEC);
			if (imp < 0)
				msleep(50);
		}
	}
	if (imp < 0)
		t_diag("no test importer: %s", strerror(errno));
	test_outlives();
	test_anon_ring();
	test_remapped();
	test_second_index();
	test_hugetlb();
	if (imp >= 0)
		close(imp);
	close(dev);
	return t_finish();
}
