// SPDX-License-Identifier: MIT
/*
 * Each method times the calls that produce the dma-buf (or the pin) from
 * memory the process holds; setup that is not part of that (rings, opening
 * devices) stays outside the timed region, and so does everything done
 * with the result. Release times what gives all of it back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <liburing_dmabuf.h>

#include "methods.h"
#include "stats.h"

static const char *const names[NR_METHODS] = {
	"uring-dmabuf ioctl", "uring-dmabuf fixed", "udmabuf",
	"io_uring register", "dma-heap system",
};

const char *method_name(enum method m)
{
	return names[m];
}

static int ours_ioctl(int dev_fd, const struct mem *mem, struct made *out)
{
	struct uring_dmabuf_range r = { (uintptr_t)mem->p, mem->len };
	struct uring_dmabuf_create c = {
		.size = sizeof(c), .flags = URING_DMABUF_CREATE_CLOEXEC,
		.ranges = (uintptr_t)&r, .nr_ranges = 1,
	};
	double t0 = now_ms();

	if (ioctl(dev_fd, URING_DMABUF_IOC_CREATE, &c))
		return -errno;
	out->create_ms = now_ms() - t0;
	out->fd = c.fd;
	return 0;
}

/*
 * The ring is set up untimed, as for io_uring register. Timed: the
 * registration (io_uring pins the memory) and the command (our own pin of
 * the same pages, and the export); the command alone is command_ms. The
 * registration stays until release, which times unregistering and close.
 */
static int ours_fixed(int dev_fd, const struct mem *mem, struct made *out)
{
	struct iovec iov = { mem->p, mem->len };
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	double t0, t1, t2;
	int ret;

	if (mem->len > (1UL << 30))
		return -EOPNOTSUPP;
	ret = io_uring_queue_init(4, &out->ring, 0);
	if (ret)
		return ret;
	out->have_ring = 1;
	t0 = now_ms();
	ret = io_uring_register_buffers(&out->ring, &iov, 1);
	if (ret)
		return ret;
	sqe = io_uring_get_sqe(&out->ring);
	if (!sqe)
		return -EBUSY;
	uring_dmabuf_prep_create_fixed(sqe, dev_fd, mem->p, mem->len, 0);
	t1 = now_ms();
	io_uring_submit(&out->ring);
	ret = io_uring_wait_cqe(&out->ring, &cqe);
	t2 = now_ms();
	out->command_ms = t2 - t1;
	out->create_ms = t2 - t0;
	if (ret)
		return ret;
	ret = cqe->res;
	io_uring_cqe_seen(&out->ring, cqe);
	if (ret < 0)
		return ret;
	out->fd = ret;
	return 0;
}

static int udmabuf(const struct mem *mem, struct made *out)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = mem->len };
	int dev, fd;
	double t0;

	if (mem->fd < 0)
		return -EOPNOTSUPP;
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -EOPNOTSUPP;
	c.memfd = (uint32_t)mem->fd;
	t0 = now_ms();
	fd = ioctl(dev, UDMABUF_CREATE, &c);
	out->create_ms = now_ms() - t0;
	close(dev);
	if (fd < 0)
		return -errno;
	out->fd = fd;
	return 0;
}

static int uring_register(const struct mem *mem, struct made *out)
{
	struct iovec iov = { mem->p, mem->len };
	double t0;
	int ret;

	ret = io_uring_queue_init(4, &out->ring, 0);
	if (ret)
		return ret;
	out->have_ring = 1;
	t0 = now_ms();
	ret = io_uring_register_buffers(&out->ring, &iov, 1);
	out->create_ms = now_ms() - t0;
	return ret;
}

/* Allocates (and zeroes) its own memory: the kind does not apply. */
static int dma_heap(const struct mem *mem, struct made *out)
{
	struct dma_heap_allocation_data a = {
		.len = mem->len, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	int heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	double t0;
	int ret;

	if (heap < 0)
		return -EOPNOTSUPP;
	t0 = now_ms();
	ret = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a);
	out->create_ms = now_ms() - t0;
	close(heap);
	if (ret)
		return -errno;
	out->fd = (int)a.fd;
	return 0;
}

int method_create(enum method m, int dev_fd, const struct mem *mem,
		  struct made *out)
{
	int ret;

	memset(out, 0, sizeof(*out));
	out->method = m;
	out->fd = -1;
	switch (m) {
	case OURS_IOCTL:
		ret = ours_ioctl(dev_fd, mem, out);
		break;
	case OURS_FIXED:
		ret = ours_fixed(dev_fd, mem, out);
		break;
	case UDMABUF:
		ret = udmabuf(mem, out);
		break;
	case URING_REGISTER:
		ret = uring_register(mem, out);
		break;
	case DMA_HEAP:
		ret = dma_heap(mem, out);
		break;
	default:
		ret = -EINVAL;
	}
	if (ret)
		method_release(out);
	return ret;
}

/* Timed: unregistering the ring's buffer if any, and closing the dma-buf. */
double method_release(struct made *made)
{
	double t0 = now_ms(), t;

	if (made->have_ring)
		io_uring_unregister_buffers(&made->ring);
	if (made->fd >= 0)
		close(made->fd);
	t = now_ms() - t0;
	if (made->have_ring)
		io_uring_queue_exit(&made->ring);
	made->fd = -1;
	made->have_ring = 0;
	return t;
}
