// SPDX-License-Identifier: GPL-2.0
/*
 * dma-buf fds passed over a unix socket (SCM_RIGHTS): to a receiver thread
 * that uses and closes them, with or without the sender keeping its copy,
 * and into sockets closed with the fds still in flight.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"

static int send_fd(int sock, int fd)
{
	char byte = 'f';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	memset(&u, 0, sizeof(u));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ? -errno : 0;
}

static int recv_fd(int sock)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) <= 0)
		return -errno;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

void op_pass(struct worker *w)
{
	struct dbuf *b = buf_pick(w);
	int ret, sv[2];

	if (!b || b->fd < 0)
		return;
	if (chance(&w->rng, 15)) {
		/* In flight when both ends close: the socket's release drops it. */
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv))
			return;
		ret = send_fd(sv[0], b->fd);
		fuzz_count(w);
		EXPECT(w, ret, "SCM_RIGHTS into a socket about to close", 0);
		if (chance(&w->rng, 50))
			buf_drop(w, b);
		close(sv[0]);
		close(sv[1]);
		return;
	}
	ret = send_fd(F.pass_tx, b->fd);
	fuzz_count(w);
	if (ret == -EAGAIN)
		return; /* the receiver is behind */
	EXPECT(w, ret, "SCM_RIGHTS to the receiver", 0);
	/* Sometimes the receiver gets the last reference. */
	if (!ret && chance(&w->rng, 40) && !b->map)
		buf_drop(w, b);
}

/* Uses each fd it gets (INFO, a read through mmap) and closes it. */
void *receiver_main(void *arg)
{
	struct worker *w = arg;
	struct timeval tv = { .tv_sec = 0, .tv_usec = 100 * 1000 };

	fuzz_set_current(w);
	setsockopt(F.pass_rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (;;) {
		struct uring_dmabuf_info info;
		int fd = recv_fd(F.pass_rx);
		long ret;

		if (fd < 0) {
			if (atomic_load(&F.stop))
				break;
			continue;
		}
		w->op = "receive";
		w->op_no++;
		ret = ud_info(F.dev, fd, &info);
		fuzz_count(w);
		if (EXPECT(w, ret, "INFO of a passed dma-buf", 0) && chance(&w->rng, 50)) {
			unsigned char *p = mmap(NULL, PAGE_SZ, PROT_READ, MAP_SHARED, fd, 0);

			fuzz_count(w);
			if (EXPECT(w, p == MAP_FAILED ? -errno : 0, "mmap of a passed dma-buf", 0)) {
				volatile unsigned char c = p[PAGE_SZ - 1];

				(void)c;
				munmap(p, PAGE_SZ);
			}
		}
		close(fd);
	}
	return NULL;
}
