// SPDX-License-Identifier: MIT
/*
 * lib/fixed.c: the prep helpers byte for byte, and create_fixed() on a
 * struct io_uring built by hand (its CQ ring a plain array), with the
 * liburing entry points that are real symbols in 2.3 wrapped:
 * io_uring_submit and __io_uring_get_cqe (behind the static inline
 * io_uring_wait_cqe_nr). ioctl() is wrapped for URING_DMABUF_IOC_INFO, by
 * which create_fixed() makes sure the fd it returns is a dma-buf of the
 * module. io_uring_get_sqe is a symbol too, but the 2.3
 * header inlines it, so the SQ ring is built by hand as well.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <string.h>

#include <liburing.h>

#include "unit.h"

#include "liburing_dmabuf.h"

#define FOREIGN_A 0xaaaa0001ULL
#define FOREIGN_B 0xbbbb0002ULL

static struct {
	struct io_uring ring;
	unsigned int khead, ktail;
	struct io_uring_cqe cqes[2 * 16];	/* room for 16 big CQEs */
	unsigned int sq_khead;
	struct io_uring_sqe sqes[4];
	int sq_stuck;		/* io_uring_submit() consumes nothing */
	int submits, waits;
	int submit_ret;		/* what io_uring_submit() answers */
	int wait_ret;
	unsigned int wait_nr[8];
	uint64_t cookie;	/* user_data of the submitted SQE */
	struct io_uring_sqe submitted;
	void (*on_submit)(void);
	void (*on_wait)(int nth);
	int ioctls;
	int ioctl_errno;	/* what URING_DMABUF_IOC_INFO answers */
	int info_dev, info_fd;	/* what it was asked */
} fr;

static void ring_init(unsigned int entries, unsigned int flags,
		      unsigned int head)
{
	memset(&fr, 0, sizeof(fr));
	fr.ring.flags = flags;
	fr.ring.cq.khead = &fr.khead;
	fr.ring.cq.ktail = &fr.ktail;
	fr.ring.cq.ring_mask = entries - 1;
	fr.ring.cq.ring_entries = entries;
	fr.ring.cq.cqes = fr.cqes;
	fr.khead = fr.ktail = head;
	fr.ring.sq.khead = &fr.sq_khead;
	fr.ring.sq.sqes = fr.sqes;
	fr.ring.sq.ring_mask = 3;
	fr.ring.sq.ring_entries = 4;
	fr.submit_ret = 1;
}

static int reset(void **state)
{
	(void)state;
	ring_init(8, 0, 0);
	return 0;
}

static struct io_uring_cqe *slot(unsigned int i)
{
	unsigned int shift = !!(fr.ring.flags & IORING_SETUP_CQE32);

	return &fr.cqes[(i & fr.ring.cq.ring_mask) << shift];
}

/* The kernel posts a completion at the tail. */
static void post(uint64_t user_data, int res, uint32_t flags)
{
	struct io_uring_cqe *c = slot(fr.ktail);

	c->user_data = user_data;
	c->res = res;
	c->flags = flags;
	if (fr.ring.flags & IORING_SETUP_CQE32) {
		c->big_cqe[0] = user_data ^ 1;
		c->big_cqe[1] = user_data ^ 2;
	}
	fr.ktail++;
}

static void expect_cqe_at(unsigned int i, uint64_t user_data, int res,
			  uint32_t flags)
{
	assert_int_equal(slot(i)->user_data, user_data);
	assert_int_equal(slot(i)->res, res);
	assert_int_equal(slot(i)->flags, flags);
	if (fr.ring.flags & IORING_SETUP_CQE32) {
		assert_int_equal(slot(i)->big_cqe[0], user_data ^ 1);
		assert_int_equal(slot(i)->big_cqe[1], user_data ^ 2);
	}
}

/* The SQ ring is full: every slot prepared, none consumed yet. */
static void sq_fill(void)
{
	fr.ring.sq.sqe_tail = fr.sq_khead + fr.ring.sq.ring_entries;
}

int __wrap_io_uring_submit(struct io_uring *ring)
{
	assert_ptr_equal(ring, &fr.ring);
	fr.submits++;
	fr.submitted = fr.sqes[(ring->sq.sqe_tail - 1) & ring->sq.ring_mask];
	fr.cookie = fr.submitted.user_data;
	if (!fr.sq_stuck)
		fr.sq_khead = ring->sq.sqe_tail;	/* the kernel took them */
	if (fr.on_submit && fr.submit_ret >= 0)
		fr.on_submit();
	return fr.submit_ret;
}

int __wrap___io_uring_get_cqe(struct io_uring *ring,
			      struct io_uring_cqe **cqe_ptr, unsigned int submit,
			      unsigned int wait_nr, sigset_t *sigmask)
{
	assert_ptr_equal(ring, &fr.ring);
	assert_int_equal(submit, 0);
	assert_null(sigmask);
	if (fr.waits < 8)
		fr.wait_nr[fr.waits] = wait_nr;
	/* io_uring_enter() never waits for more than the CQ ring holds. */
	assert_true(wait_nr <= fr.ring.cq.ring_entries);
	if (fr.waits++ > 16)
		fail_msg("create_fixed keeps waiting");
	if (fr.on_wait)
		fr.on_wait(fr.waits);
	*cqe_ptr = fr.khead != fr.ktail ? slot(fr.khead) : NULL;
	return fr.wait_ret;
}

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	struct uring_dmabuf_info *info;
	va_list ap;

	va_start(ap, req);
	info = va_arg(ap, struct uring_dmabuf_info *);
	va_end(ap);
	assert_int_equal(req, URING_DMABUF_IOC_INFO);
	fr.ioctls++;
	fr.info_dev = fd;
	fr.info_fd = info->fd;
	errno = fr.ioctl_errno;
	return errno ? -1 : 0;
}

/* ---- prep helpers --------------------------------------------------------- */

static void expected_sqe(struct io_uring_sqe *want, int fd, uint32_t op,
			 uint64_t addr, uint64_t len, uint16_t buf_index)
{
	struct uring_dmabuf_cmd_fixed cmd = { .addr = addr, .len = len };

	memset(want, 0, sizeof(*want));
	want->opcode = IORING_OP_URING_CMD;
	want->fd = fd;
	want->cmd_op = op;
	want->uring_cmd_flags = IORING_URING_CMD_FIXED;
	want->buf_index = buf_index;
	memcpy(want->cmd, &cmd, sizeof(cmd));
}

static void prep_create_fixed__fills_sqe_exactly(void **state)
{
	struct io_uring_sqe sqe, want;
	struct uring_dmabuf_cmd_fixed cmd;

	(void)state;
	/* The kernel reads the payload from the 16 bytes at offset 48. */
	assert_int_equal(offsetof(struct io_uring_sqe, cmd), 48);
	assert_int_equal(sizeof(struct uring_dmabuf_cmd_fixed), 16);
	memset(&sqe, 0xee, sizeof(sqe));
	uring_dmabuf_prep_create_fixed(&sqe, 5, (void *)0x7f1234560000,
				       3 << 20, 7);
	expected_sqe(&want, 5, URING_DMABUF_CMD_CREATE_FIXED,
		     0x7f1234560000, 3 << 20, 7);
	assert_memory_equal(&sqe, &want, sizeof(sqe));

	assert_int_equal(sqe.opcode, IORING_OP_URING_CMD);
	assert_int_equal(sqe.fd, 5);
	assert_int_equal(sqe.cmd_op, URING_DMABUF_CMD_CREATE_FIXED);
	assert_int_equal(sqe.uring_cmd_flags, IORING_URING_CMD_FIXED);
	assert_int_equal(sqe.buf_index, 7);
	memcpy(&cmd, sqe.cmd, sizeof(cmd));
	assert_int_equal(cmd.addr, 0x7f1234560000);
	assert_int_equal(cmd.len, 3 << 20);
}

static void prep_create_fixed_ro__read_only_cmd_op(void **state)
{
	struct io_uring_sqe sqe, want;

	(void)state;
	memset(&sqe, 0x11, sizeof(sqe));
	uring_dmabuf_prep_create_fixed_ro(&sqe, 9, (void *)0x10000, 4096, 0);
	expected_sqe(&want, 9, URING_DMABUF_CMD_CREATE_FIXED_RO, 0x10000, 4096, 0);
	assert_memory_equal(&sqe, &want, sizeof(sqe));
}

/* ---- create_fixed: arguments ---------------------------------------------- */

static void create_fixed__null_ring(void **state)
{
	(void)state;
	assert_int_equal(uring_dmabuf_create_fixed(NULL, 3, (void *)0x1000,
						   4096, 0, 0), -EINVAL);
}

static void create_fixed__unknown_flags(void **state)
{
	(void)state;
	assert_int_equal(uring_dmabuf_create_fixed(&fr.ring, 3, (void *)0x1000,
						   4096, 0, 1U << 7), -EINVAL);
	assert_int_equal(fr.ring.sq.sqe_tail, 0);
}

static void submit_must_not_happen(void)
{
	fail_msg("submitted with sqe->buf_index %u", fr.submitted.buf_index);
}

/* sqe->buf_index is 16 bits: a larger index must not wrap onto another. */
static void create_fixed__buf_index_over_16_bits(void **state)
{
	(void)state;
	fr.on_submit = submit_must_not_happen;
	assert_int_equal(uring_dmabuf_create_fixed(&fr.ring, 3, (void *)0x1000,
						   4096, 0x10000, 0), -EINVAL);
	assert_int_equal(fr.submits, 0);
}

/* A zero length fails in the kernel anyway: say so without a round trip. */
static void create_fixed__zero_len_is_einval_without_submit(void **state)
{
	(void)state;
	fr.on_submit = submit_must_not_happen;
	assert_int_equal(uring_dmabuf_create_fixed(&fr.ring, 3, (void *)0x1000,
						   0, 0, 0), -EINVAL);
	assert_int_equal(fr.submits, 0);
}

/* ---- create_fixed: finding our CQE among others --------------------------- */

static void post_foreign_then_ours(void)
{
	post(FOREIGN_A, 1, 0);
	post(FOREIGN_B, -EAGAIN, IORING_CQE_F_MORE);
	post(fr.cookie, 42, 0);
}

static void check_behind_two_foreign(unsigned int entries, unsigned int flags,
				     unsigned int head)
{
	ring_init(entries, flags, head);
	fr.on_submit = post_foreign_then_ours;
	assert_int_equal(uring_dmabuf_create_fixed(&fr.ring, 3, (void *)0x200000,
						   1 << 20, 2, 0), 42);
	assert_int_equal(fr.submits, 1);
	assert_int_equal(fr.waits, 0);
	/* Ours consumed; theirs still ready, in their order. */
	assert_int_equal(fr.ktail - fr.khead, 2);
	assert_int_equal(fr.khead, head + 1);
	expect_cqe_at(fr.khead, FOREIGN_A, 1, 0);
	expect_cqe_at(fr.khead + 1, FOREIGN_B, -EAGAIN, IORING_CQE_F_MORE);
}

static void create_fixed__cqe_behind_two_foreign(void **state)
{
	(void)state;
	check_behind_two_foreign(8, 0, 0);
}

static void create_fixed__cqe_behind_two_foreign_ring_wraps(void **state)
{
	(void)state;
	check_behind_two_foreign(8, 0, 6);	/* slots 6, 7, 0 */
	check_behind_two_foreign(4, 0, 0xfffffffe);	/* head overflows */
}

static void create_fixed__cqe_behind_two_foreign_big_cqes(void **state)
{
	(void)state;
	check_behind_two_foreign(8, IORING_SETUP_CQE32, 7);
}

static void post_ours_between_foreign(void)
{
	post(FOREIGN_A, 1, 0);
	post(fr.cookie, 6, 0);
	post(FOREIGN_B, 2, 0);
}

static void create_fixed__cqe_between_foreign(void **state)
{
	(void)state;
	fr.on_submit = post_ours_between_foreign;
	assert_int_equal(uring_dmabuf_create_fixed(&fr.ring, 3, (void *)0x1000,
						   4096, 0, 0), 6);
	assert_int_equal(fr.ktail - fr.khead, 2);
	expect_cqe_at(fr.khead, FOREIGN_A, 1, 0);
	expect_cqe_at(fr.khead + 1, FOREIGN_B, 2, 0);
}

static void create_fixed__submitted_sqe(void **state)
{
	struct io_uring_sqe want;

	(void)state;
	fr.on_submit = post_foreign_then_ours;
	uring_dmabuf_create_fixed(&fr.ring, 3, (void *)0x200000, 1 << 20, 2,
				  URING_DMABUF_CREATE_READONLY);
	expected_sqe(&want, 3, URING_DMABUF_CMD_CREATE_FIXED_RO, 0x200000,
		     1 << 20, 2);
	want.user_data = fr.cookie;
	assert_memory_equal(&fr.submitted, &want, sizeof(want));
	/* Not 0, not liburing's internal timeout tag. */
	assert_true(fr.cookie != 0 && fr.cookie != LIBURING_UDATA_TIMEOUT);
}

static void post_a(void)
{
	post(FOREIGN_A, 1, 0);
}

static void post_b_then_ours(int nth)
{
	if (nth == 1)
		post(FOREIGN_B, 2, 0);
	else
		post(fr.cookie, 11, 0);
}

static void create_fixed__waits_for_one_more_than_ready(void **state)
{
	(void)state;
	fr.on_submit = post_a;
	fr.on_wait = post_b_then_ours;
	assert_int_equal(uring_dmabuf_create_fixed(&fr.ring, 3, (void *)0x1000,
						   4096, 0, 0), 11);
	assert_int_equal(fr.waits, 2);
	assert_int_equal(fr.wait_nr[0], 2);
	assert_int_equal(fr.wait_nr[1], 3);
	assert_int_equal(fr.ktail - fr.khead, 2);
	expect_cqe_at(fr.khead, FOREIGN_A, 1, 0);
	expect_cqe_at(fr.khead + 1, FOREIGN_B, 2, 0);
}

static void post_ours_error(void)
{
	post(fr.cookie, -EFAULT, 0);
}

static void create_fixed__error_in_cqe_is_returned(void **state)
{
	(void)state;
	fr.on_submit = post_ours_error;
	assert_int_equal(uring_dmabuf_create_fixed(&fr.ring, 3, (void *)0x1000,
						   4096, 99, 0), -EFAULT);
	assert_int_equal(fr.khead, fr.ktail);
}

static void create_fixed__submit_error_is_returned(void **state)
{
	(void)state;
	fr.submit_ret = -EBUSY;
	assert_int_equal(uring_dmabuf_create_fixed(&fr.ring, 3, (void *)0x1000,
						   4096, 0, 0), -EBUSY);
	assert_int_equal(fr.waits, 0);
}

static void interrupted_then_ours(int nth)
{
	fr.wait_ret = nth == 1 ? -EINTR : 0;
	if (nth == 2)
		post(fr.cookie, 5, 0);
}

static void create_fixed__wait_eintr_retries(void **state)
{
	(void)state;
	fr.on_wait = interrupted_then_ours;
	assert_int_equal(uring_dmabuf_create_fixed(&fr.ring, 3, (void *)0x1000,
						   4096, 0, 0), 5);
	assert_int_equal(fr.waits, 2);
}

static void create_fixed__wait_error_is_returned(void **state)
{
	(void)state;
	fr.wait_ret = -EBADF;
	assert_int_equal(uring_dmabuf_create_fixed(&fr.ring, 3, (void *)0x1000,
						   4096, 0, 0), -EBADF);
}

static void sq_full_then_ours(void)
{
	/* The first submit makes room; the second one is ours. */
	if (fr.submits == 2)
		post(fr.cookie, 8, 0);
}

static void create_fixed__sq_full_submits_first(void **state)
{
	(void)state;
	sq_fill();
	fr.on_submit = sq_full_then_ours;
	assert_int_equal(uring_dmabuf_create_fixed(&fr.ring, 3, (void *)0x1000,
						   4096, 0, 0), 8);
	assert_int_equal(fr.submits, 2);
	assert_int_equal(fr.submitted.cmd_op, URING_DMABUF_CMD_CREATE_FIXED);
}

static void create_fixed__sq_stays_full_is_ebusy(void **state)
{
	(void)state;
	sq_fill();
	fr.sq_stuck = 1;
	assert_int_equal(uring_dmabuf_create_fixed(&fr.ring, 3, (void *)0x1000,
						   4096, 0, 0), -EBUSY);
	assert_int_equal(fr.submits, 1);
}

static void fill_cq_with_foreign(void)
{
	while (fr.ktail - fr.khead < fr.ring.cq.ring_entries)
		post(FOREIGN_A, 0, 0);
}

/*
 * Others' CQEs fill the CQ ring: ours sits in the kernel's overflow list
 * and cannot arrive until someone consumes: fail instead of waiting for
 * entries + 1 CQEs (which blocks forever or, clamped by the kernel, spins).
 */
static void create_fixed__cq_full_of_foreign_cqes(void **state)
{
	int ret;

	(void)state;
	ring_init(4, 0, 0);
	fr.on_submit = fill_cq_with_foreign;
	ret = uring_dmabuf_create_fixed(&fr.ring, 3, (void *)0x1000, 4096, 0, 0);
	assert_int_equal(ret, -EBUSY);
	assert_int_equal(fr.ktail - fr.khead, 4);
}

/* ---- create_fixed: a device that is not ours ------------------------------ */

static void post_ours_zero(void)
{
	post(fr.cookie, 0, 0);
}

/*
 * /dev/null completes every uring_cmd with 0: not fd 0, but -ENOTTY, from
 * asking the "device" about the fd; fd 0 is someone else's and stays open.
 */
static void create_fixed__dev_null_answers_zero_is_enotty(void **state)
{
	(void)state;
	fr.on_submit = post_ours_zero;
	fr.ioctl_errno = ENOTTY;
	assert_int_equal(uring_dmabuf_create_fixed(&fr.ring, 3, (void *)0x1000,
						   4096, 0, 0), -ENOTTY);
	assert_int_equal(fr.ioctls, 1);
	assert_int_equal(fr.info_dev, 3);
	assert_int_equal(fr.info_fd, 0);
	assert_int_equal(fcntl(0, F_GETFD) >= 0, 1);
	assert_int_equal(fr.khead, fr.ktail);
}

/* A real fd 0 (stdin closed) from the real device is fine. */
static void create_fixed__fd_zero_of_ours_is_returned(void **state)
{
	(void)state;
	fr.on_submit = post_ours_zero;
	assert_int_equal(uring_dmabuf_create_fixed(&fr.ring, 3, (void *)0x1000,
						   4096, 0, 0), 0);
	assert_int_equal(fr.ioctls, 1);
}

/* The fd checked is the one returned, on the device given. */
static void create_fixed__result_checked_with_info(void **state)
{
	(void)state;
	fr.on_submit = post_foreign_then_ours;
	assert_int_equal(uring_dmabuf_create_fixed(&fr.ring, 7, (void *)0x1000,
						   4096, 0, 0), 42);
	assert_int_equal(fr.ioctls, 1);
	assert_int_equal(fr.info_dev, 7);
	assert_int_equal(fr.info_fd, 42);
}

/* An error completion is returned as is, nothing asked. */
static void create_fixed__error_not_checked(void **state)
{
	(void)state;
	fr.on_submit = post_ours_error;
	fr.ioctl_errno = ENOTTY;
	assert_int_equal(uring_dmabuf_create_fixed(&fr.ring, 3, (void *)0x1000,
						   4096, 0, 0), -EFAULT);
	assert_int_equal(fr.ioctls, 0);
}

#define T(f) cmocka_unit_test_setup(f, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(prep_create_fixed__fills_sqe_exactly),
		T(prep_create_fixed_ro__read_only_cmd_op),
		T(create_fixed__null_ring),
		T(create_fixed__unknown_flags),
		T(create_fixed__buf_index_over_16_bits),
		T(create_fixed__zero_len_is_einval_without_submit),
		T(create_fixed__cqe_behind_two_foreign),
		T(create_fixed__cqe_behind_two_foreign_ring_wraps),
		T(create_fixed__cqe_behind_two_foreign_big_cqes),
		T(create_fixed__cqe_between_foreign),
		T(create_fixed__submitted_sqe),
		T(create_fixed__waits_for_one_more_than_ready),
		T(create_fixed__error_in_cqe_is_returned),
		T(create_fixed__submit_error_is_returned),
		T(create_fixed__wait_eintr_retries),
		T(create_fixed__wait_error_is_returned),
		T(create_fixed__sq_full_submits_first),
		T(create_fixed__sq_stays_full_is_ebusy),
		T(create_fixed__cq_full_of_foreign_cqes),
		T(create_fixed__dev_null_answers_zero_is_enotty),
		T(create_fixed__fd_zero_of_ours_is_returned),
		T(create_fixed__result_checked_with_info),
		T(create_fixed__error_not_checked),
	};

	return unit_run("fixed", tests);
}
