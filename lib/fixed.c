// SPDX-License-Identifier: MIT
/* io_uring registered buffers to dma-bufs: the prep helpers and a
 * synchronous convenience call that leaves other CQEs of the ring alone.
 */
#include <errno.h>
#include <string.h>

#include <liburing.h>

#include "liburing_dmabuf.h"

static void prep_cmd(struct io_uring_sqe *sqe, int dev_fd, unsigned int op,
		     void *addr, size_t len, unsigned int buf_index)
{
	struct uring_dmabuf_cmd_fixed cmd = {
		.addr = (uintptr_t)addr,
		.len = len,
	};

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = dev_fd;
	sqe->cmd_op = op;
	sqe->uring_cmd_flags = IORING_URING_CMD_FIXED;
	sqe->buf_index = buf_index;
	memcpy(sqe->cmd, &cmd, sizeof(cmd));
}

void uring_dmabuf_prep_create_fixed(struct io_uring_sqe *sqe, int dev_fd,
				    void *addr, size_t len,
				    unsigned int buf_index)
{
	prep_cmd(sqe, dev_fd, URING_DMABUF_CMD_CREATE_FIXED, addr, len,
		 buf_index);
}

void uring_dmabuf_prep_create_fixed_ro(struct io_uring_sqe *sqe, int dev_fd,
				       void *addr, size_t len,
				       unsigned int buf_index)
{
	prep_cmd(sqe, dev_fd, URING_DMABUF_CMD_CREATE_FIXED_RO, addr, len,
		 buf_index);
}

static struct io_uring_cqe *cq_slot(struct io_uring *ring, unsigned int i)
{
	return &ring->cq.cqes[(i & ring->cq.ring_mask) << io_uring_cqe_shift(ring)];
}

/*
 * Finds our CQE among those ready; the ones completed before it move up one
 * slot, in order, so that ours is at the head and consuming it leaves the
 * others for their owner. User space owns the entries between head and
 * tail; the kernel only writes past the tail.
 */
static int take_cqe(struct io_uring *ring, uint64_t cookie, int *res)
{
	size_t slot_size = sizeof(struct io_uring_cqe) << io_uring_cqe_shift(ring);
	unsigned int head = *ring->cq.khead;
	unsigned int tail = io_uring_smp_load_acquire(ring->cq.ktail);
	unsigned int i, j;

	for (i = head; i != tail; i++) {
		if (cq_slot(ring, i)->user_data != cookie)
			continue;
		*res = cq_slot(ring, i)->res;
		for (j = i; j != head; j--)
			memcpy(cq_slot(ring, j), cq_slot(ring, j - 1), slot_size);
		io_uring_cq_advance(ring, 1);
		return 1;
	}
	return -(int)(tail - head);
}

/*
 * A file whose uring_cmd is not ours may complete it with any result:
 * /dev/null answers 0, which would read as fd 0. The module knows its own
 * dma-bufs; anything else says -ENOTTY (not our device) or -EINVAL (not a
 * dma-buf of ours), and @fd is left alone: it is not ours to close.
 */
static int check_ours(int dev_fd, int fd)
{
	struct uring_dmabuf_info info;
	int ret = uring_dmabuf_info(dev_fd, fd, &info);

	return ret ? ret : fd;
}

/* Returns the new dma-buf fd (close-on-exec). */
int uring_dmabuf_create_fixed(struct io_uring *ring, int dev_fd, void *addr,
			      size_t len, unsigned int buf_index,
			      unsigned int flags)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	uint64_t cookie;
	int ret, res = 0;

	if (!ring || !len || buf_index > UINT16_MAX ||
	    (flags & ~URING_DMABUF_CREATE_READONLY))
		return -EINVAL;
	/* Our completion needs a free slot: see take_cqe(). */
	if (io_uring_cq_ready(ring) >= ring->cq.ring_entries)
		return -EBUSY;
	sqe = io_uring_get_sqe(ring);
	if (!sqe) {
		io_uring_submit(ring);
		sqe = io_uring_get_sqe(ring);
		if (!sqe)
			return -EBUSY;
	}
	if (flags & URING_DMABUF_CREATE_READONLY)
		uring_dmabuf_prep_create_fixed_ro(sqe, dev_fd, addr, len, buf_index);
	else
		uring_dmabuf_prep_create_fixed(sqe, dev_fd, addr, len, buf_index);
	/* Unique while this call waits: the address of its own stack slot. */
	cookie = (uintptr_t)&cookie ^ 0x7572696e67646d61ULL;
	io_uring_sqe_set_data64(sqe, cookie);
	ret = io_uring_submit(ring);
	if (ret < 0) {
		/*
		 * The SQE stays queued for the caller's next submit: make it
		 * a NOP that completes silently, not a dma-buf nobody closes.
		 */
		io_uring_prep_nop(sqe);
		sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
		return ret;
	}

	for (;;) {
		ret = take_cqe(ring, cookie, &res);
		if (ret > 0)
			return res < 0 ? res : check_ours(dev_fd, res);
		/*
		 * A ring full of other completions can take ours only once
		 * the caller consumes some: waiting would never end.
		 */
		if ((unsigned int)-ret >= ring->cq.ring_entries)
			return -EBUSY;
		/* Not there yet: wait for one more than is ready now. */
		ret = io_uring_wait_cqe_nr(ring, &cqe, 1 - ret);
		if (ret < 0 && ret != -EINTR && ret != -EAGAIN)
			return ret;
	}
}
