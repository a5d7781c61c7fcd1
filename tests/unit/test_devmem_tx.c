// SPDX-License-Identifier: MIT
/*
 * lib/devmem_tx.c: the devmem sendmsg() it builds (control message, offset
 * iovecs, MSG_ZEROCOPY) through a wrapped sendmsg(), and the reaping of
 * synthesized MSG_ERRQUEUE notifications through a wrapped recvmsg().
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <linux/errqueue.h>

#include "unit.h"

#include "private.h"

#define SOCK 11

/* ---- wrapped sendmsg(), recvmsg() and setsockopt() ----------------------- */

#define MAX_QUEUED 8

static struct {
	/* sendmsg: what it was given, a copy of the iovecs and the cmsg */
	int sends, flags;
	size_t iovlen;
	struct iovec iov[URING_DMABUF_DEVMEM_MAX_PIECES];
	unsigned char control[64];
	size_t controllen;
	ssize_t send_ret;
	int send_err;
	/* recvmsg: an error queue of notifications, then EAGAIN */
	struct sock_extended_err queue[MAX_QUEUED];
	int nr_queued, next, recv_flags, recv_err;
	/* setsockopt */
	int so_level, so_name, so_val;
} w;

ssize_t __wrap_sendmsg(int sock, const struct msghdr *msg, int flags)
{
	assert_int_equal(sock, SOCK);
	w.sends++;
	w.flags = flags;
	w.iovlen = msg->msg_iovlen;
	assert_true(w.iovlen <= URING_DMABUF_DEVMEM_MAX_PIECES);
	memcpy(w.iov, msg->msg_iov, w.iovlen * sizeof(w.iov[0]));
	w.controllen = msg->msg_controllen;
	assert_true(w.controllen <= sizeof(w.control));
	memcpy(w.control, msg->msg_control, w.controllen);
	errno = w.send_err;
	return w.send_ret;
}

ssize_t __wrap_recvmsg(int sock, struct msghdr *msg, int flags)
{
	struct cmsghdr *cm;

	assert_int_equal(sock, SOCK);
	w.recv_flags = flags;
	if (w.recv_err) {
		errno = w.recv_err;
		return -1;
	}
	if (w.next == w.nr_queued) {
		errno = EAGAIN;
		return -1;
	}
	assert_true(msg->msg_controllen >=
		    CMSG_SPACE(sizeof(struct sock_extended_err)));
	cm = CMSG_FIRSTHDR(msg);
	cm->cmsg_level = SOL_IP;
	cm->cmsg_type = IP_RECVERR;
	cm->cmsg_len = CMSG_LEN(sizeof(struct sock_extended_err));
	memcpy(CMSG_DATA(cm), &w.queue[w.next++],
	       sizeof(struct sock_extended_err));
	msg->msg_controllen = CMSG_SPACE(sizeof(struct sock_extended_err));
	return 0;
}

int __wrap_setsockopt(int sock, int level, int name, const void *val,
		      socklen_t len)
{
	assert_int_equal(sock, SOCK);
	assert_int_equal(len, sizeof(int));
	w.so_level = level;
	w.so_name = name;
	w.so_val = *(const int *)val;
	return 0;
}

static int reset(void **state)
{
	(void)state;
	memset(&w, 0, sizeof(w));
	return 0;
}

static void queue_zc(uint32_t lo, uint32_t hi, int copied)
{
	struct sock_extended_err *ee = &w.queue[w.nr_queued++];

	memset(ee, 0, sizeof(*ee));
	ee->ee_origin = SO_EE_ORIGIN_ZEROCOPY;
	ee->ee_info = lo;
	ee->ee_data = hi;
	ee->ee_code = copied ? SO_EE_CODE_ZEROCOPY_COPIED : 0;
}

/* ---- msg_prep ------------------------------------------------------------- */

static void msg_prep__offsets_as_iov_bases_and_the_binding_in_a_cmsg(void **state)
{
	static const struct uring_dmabuf_piece p[] = {
		{ .offset = 0, .len = 4096 },
		{ .offset = 1 << 20, .len = 100 },
		{ .offset = 12345, .len = 1 },
	};
	struct uring_dmabuf_devmem_msg m;
	struct cmsghdr *cm;
	uint32_t id;

	(void)state;
	assert_int_equal(uring_dmabuf_devmem_msg_prep(&m, 42, p, 3), 0);
	assert_ptr_equal(m.msg.msg_iov, m.iov);
	assert_int_equal(m.msg.msg_iovlen, 3);
	assert_ptr_equal(m.iov[1].iov_base, (void *)(uintptr_t)(1 << 20));
	assert_int_equal(m.iov[1].iov_len, 100);
	assert_ptr_equal(m.iov[2].iov_base, (void *)12345);
	assert_null(m.msg.msg_name);
	cm = CMSG_FIRSTHDR(&m.msg);
	assert_non_null(cm);
	assert_int_equal(cm->cmsg_level, SOL_SOCKET);
	assert_int_equal(cm->cmsg_type, SCM_DEVMEM_DMABUF);
	assert_int_equal(cm->cmsg_len, CMSG_LEN(sizeof(uint32_t)));
	memcpy(&id, CMSG_DATA(cm), sizeof(id));
	assert_int_equal(id, 42);
	assert_null(CMSG_NXTHDR(&m.msg, cm));
}

static void msg_prep__refuses_what_the_kernel_would_misread(void **state)
{
	struct uring_dmabuf_piece p[URING_DMABUF_DEVMEM_MAX_PIECES + 1];
	struct uring_dmabuf_devmem_msg m;
	unsigned int i;

	(void)state;
	for (i = 0; i < URING_DMABUF_DEVMEM_MAX_PIECES + 1; i++) {
		p[i].offset = i * 4096;
		p[i].len = 4096;
	}
	assert_int_equal(uring_dmabuf_devmem_msg_prep(NULL, 1, p, 1), -EINVAL);
	assert_int_equal(uring_dmabuf_devmem_msg_prep(&m, 1, NULL, 1), -EINVAL);
	assert_int_equal(uring_dmabuf_devmem_msg_prep(&m, 1, p, 0), -EINVAL);
	/* Binding ids start at 1: 0 is "none". */
	assert_int_equal(uring_dmabuf_devmem_msg_prep(&m, 0, p, 1), -EINVAL);
	assert_int_equal(uring_dmabuf_devmem_msg_prep(&m, 1, p,
				URING_DMABUF_DEVMEM_MAX_PIECES + 1), -EINVAL);
	assert_int_equal(uring_dmabuf_devmem_msg_prep(&m, 1, p,
				URING_DMABUF_DEVMEM_MAX_PIECES), 0);
	p[1].len = 0;
	assert_int_equal(uring_dmabuf_devmem_msg_prep(&m, 1, p, 2), -EINVAL);
	/* An offset and length that wrap around. */
	p[1].offset = UINT64_MAX - 10;
	p[1].len = 100;
	assert_int_equal(uring_dmabuf_devmem_msg_prep(&m, 1, p, 2), -EINVAL);
	/* A total sendmsg() could not report. */
	p[0].len = SSIZE_MAX;
	p[1].offset = 0;
	p[1].len = 1;
	assert_int_equal(uring_dmabuf_devmem_msg_prep(&m, 1, p, 2), -EINVAL);
}

/* ---- send ------------------------------------------------------------------ */

static void send__adds_msg_zerocopy_and_returns_bytes(void **state)
{
	static const struct uring_dmabuf_piece p[] = {
		{ .offset = 8192, .len = 65536 },
	};
	uint32_t id;

	(void)state;
	w.send_ret = 65536;
	assert_int_equal(uring_dmabuf_send_devmem(SOCK, 7, p, 1, MSG_DONTWAIT),
			 65536);
	assert_int_equal(w.sends, 1);
	assert_int_equal(w.flags, MSG_DONTWAIT | MSG_ZEROCOPY);
	assert_int_equal(w.iovlen, 1);
	assert_ptr_equal(w.iov[0].iov_base, (void *)8192);
	assert_int_equal(w.controllen, CMSG_SPACE(sizeof(uint32_t)));
	memcpy(&id, CMSG_DATA((struct cmsghdr *)w.control), sizeof(id));
	assert_int_equal(id, 7);
}

static void send__errno_comes_back_negative(void **state)
{
	static const struct uring_dmabuf_piece p[] = { { 0, 10 } };

	(void)state;
	w.send_ret = -1;
	w.send_err = ENODEV;
	assert_int_equal(uring_dmabuf_send_devmem(SOCK, 7, p, 1, 0), -ENODEV);
	/* Bad pieces never reach the kernel; nor does MSG_ERRQUEUE. */
	assert_int_equal(uring_dmabuf_send_devmem(SOCK, 7, p, 0, 0), -EINVAL);
	assert_int_equal(uring_dmabuf_send_devmem(SOCK, 7, p, 1, MSG_ERRQUEUE),
			 -EINVAL);
	assert_int_equal(w.sends, 1);
}

static void zerocopy_enable__sets_so_zerocopy(void **state)
{
	(void)state;
	assert_int_equal(uring_dmabuf_zerocopy_enable(SOCK), 0);
	assert_int_equal(w.so_level, SOL_SOCKET);
	assert_int_equal(w.so_name, 60);	/* SO_ZEROCOPY */
	assert_int_equal(w.so_val, 1);
}

/* ---- reap ------------------------------------------------------------------ */

static void reap__ranges_in_order_until_the_queue_is_empty(void **state)
{
	struct uring_dmabuf_zc_done d[8];

	(void)state;
	queue_zc(0, 3, 0);
	queue_zc(4, 4, 1);
	queue_zc(5, 9, 0);
	assert_int_equal(uring_dmabuf_zc_reap(SOCK, d, 8), 3);
	assert_int_equal(w.recv_flags, MSG_ERRQUEUE | MSG_DONTWAIT);
	assert_int_equal(d[0].first, 0);
	assert_int_equal(d[0].last, 3);
	assert_int_equal(d[0].copied, 0);
	assert_int_equal(d[1].first, 4);
	assert_int_equal(d[1].copied, 1);
	assert_int_equal(d[2].last, 9);
	/* Empty now: 0, not an error. */
	assert_int_equal(uring_dmabuf_zc_reap(SOCK, d, 8), 0);
}

static void reap__stops_at_max_and_keeps_the_rest_queued(void **state)
{
	struct uring_dmabuf_zc_done d[2];

	(void)state;
	queue_zc(0, 0, 0);
	queue_zc(1, 1, 0);
	queue_zc(2, 5, 0);
	assert_int_equal(uring_dmabuf_zc_reap(SOCK, d, 2), 2);
	assert_int_equal(d[1].last, 1);
	assert_int_equal(uring_dmabuf_zc_reap(SOCK, d, 2), 1);
	assert_int_equal(d[0].first, 2);
	assert_int_equal(d[0].last, 5);
}

static void reap__skips_other_errors(void **state)
{
	struct uring_dmabuf_zc_done d[4];

	(void)state;
	queue_zc(0, 1, 0);
	/* An ICMP error on the queue is not a completion. */
	memset(&w.queue[w.nr_queued], 0, sizeof(w.queue[0]));
	w.queue[w.nr_queued].ee_origin = SO_EE_ORIGIN_ICMP;
	w.queue[w.nr_queued++].ee_errno = EHOSTUNREACH;
	queue_zc(2, 2, 0);
	assert_int_equal(uring_dmabuf_zc_reap(SOCK, d, 4), 2);
	assert_int_equal(d[1].first, 2);
}

static void reap__errors(void **state)
{
	struct uring_dmabuf_zc_done d[1];

	(void)state;
	assert_int_equal(uring_dmabuf_zc_reap(SOCK, NULL, 1), -EINVAL);
	assert_int_equal(uring_dmabuf_zc_reap(SOCK, d, 0), -EINVAL);
	w.recv_err = EBADF;
	assert_int_equal(uring_dmabuf_zc_reap(SOCK, d, 1), -EBADF);
}

#define T(f) cmocka_unit_test_setup(f, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(msg_prep__offsets_as_iov_bases_and_the_binding_in_a_cmsg),
		T(msg_prep__refuses_what_the_kernel_would_misread),
		T(send__adds_msg_zerocopy_and_returns_bytes),
		T(send__errno_comes_back_negative),
		T(zerocopy_enable__sets_so_zerocopy),
		T(reap__ranges_in_order_until_the_queue_is_empty),
		T(reap__stops_at_max_and_keeps_the_rest_queued),
		T(reap__skips_other_errors),
		T(reap__errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
