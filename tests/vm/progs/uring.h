/* SPDX-License-Identifier: GPL-2.0 */
/*
 * io_uring helpers for the fixed-buffer tests, on bookworm's liburing 2.3:
 * a URING_DMABUF_CMD_CREATE_FIXED SQE filled by hand.
 */
#ifndef URING_DMABUF_TEST_URING_H
#define URING_DMABUF_TEST_URING_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <liburing.h>

#include "common.h"

/* The SQE fields the command uses, where the uapi puts them. */
_Static_assert(offsetof(struct io_uring_sqe, cmd_op) == 8, "cmd_op");
_Static_assert(offsetof(struct io_uring_sqe, uring_cmd_flags) == 28,
	       "uring_cmd_flags");
_Static_assert(offsetof(struct io_uring_sqe, buf_index) == 40, "buf_index");
_Static_assert(offsetof(struct io_uring_sqe, addr3) == 48, "cmd area");
_Static_assert(sizeof(struct uring_dmabuf_cmd_fixed) == 16, "cmd payload");

#define SQE_CMD_OFFSET 48

/*
 * Fills @sqe with a CREATE_FIXED-style command (any @cmd_op, so that tests
 * can send wrong ones too) with IOSQE_* @sqe_flags: the one hand-filled
 * copy of the test programs and the fuzzer (lib/fixed.c is the product's).
 */
static inline void uring_prep_create_fixed(struct io_uring_sqe *sqe, int dev,
					   uint32_t cmd_op, uint32_t cmd_flags,
					   uint16_t buf_index, uint64_t addr,
					   uint64_t len, uint8_t sqe_flags)
{
	struct uring_dmabuf_cmd_fixed cmd = { .addr = addr, .len = len };

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->flags = sqe_flags;
	sqe->fd = dev;
	sqe->cmd_op = cmd_op;
	sqe->uring_cmd_flags = cmd_flags;
	sqe->buf_index = buf_index;
	sqe->user_data = 0xdb40;
	memcpy((unsigned char *)sqe + SQE_CMD_OFFSET, &cmd, sizeof(cmd));
}

/*
 * Submits one CREATE_FIXED-style command and waits for it: returns
 * cqe->res (the dma-buf fd or -errno), or the submit error.
 */
static inline int uring_create_fixed_sqe(struct io_uring *ring, int dev,
					 uint32_t cmd_op, uint32_t cmd_flags,
					 uint16_t buf_index, uint64_t addr,
					 uint64_t len, uint8_t sqe_flags)
{
	struct __kernel_timespec ts = { .tv_sec = 30 };
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;
	int ret;

	if (!sqe)
		return -EBUSY;
	uring_prep_create_fixed(sqe, dev, cmd_op, cmd_flags, buf_index, addr,
				len, sqe_flags);
	ret = io_uring_submit(ring);
	if (ret < 0)
		return ret;
	ret = io_uring_wait_cqe_timeout(ring, &cqe, &ts);
	if (ret == -ETIME) {
		/* Say so before the runner's kill loses this program's output. */
		t_ok(0, "CREATE_FIXED completes (cmd_op 0x%x, buf_index %u)",
		     cmd_op, buf_index);
		t_diag("no CQE within %lld s: the command hangs",
		       (long long)ts.tv_sec);
		fflush(stdout);
		_exit(1);
	}
	if (ret < 0)
		return ret;
	ret = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return ret;
}

static inline int uring_create_fixed(struct io_uring *ring, int dev,
				     uint32_t cmd_op, uint32_t cmd_flags,
				     uint16_t buf_index, uint64_t addr,
				     uint64_t len)
{
	return uring_create_fixed_sqe(ring, dev, cmd_op, cmd_flags, buf_index,
				      addr, len, 0);
}

/* A ring, or skip the whole program saying why there is none. */
static inline void uring_init_or_skip(struct io_uring *ring, unsigned int flags)
{
	int ret = io_uring_queue_init(8, ring, flags);

	if (ret < 0)
		t_skip_all("io_uring_queue_init: %s", errname(-ret));
}

#endif /* URING_DMABUF_TEST_URING_H */
