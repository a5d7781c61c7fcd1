// SPDX-License-Identifier: MIT
/*
 * devmem TX helpers: the sendmsg() of payload in a TX-bound dma-buf (an
 * SCM_DEVMEM_DMABUF control message naming the binding, iovecs whose bases
 * are dma-buf offsets, MSG_ZEROCOPY), and the reaping of the MSG_ZEROCOPY
 * notifications that say which sends the kernel no longer reads.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/errqueue.h>

#include "private.h"

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif
#ifndef SO_EE_ORIGIN_ZEROCOPY
#define SO_EE_ORIGIN_ZEROCOPY 5
#endif
#ifndef SO_EE_CODE_ZEROCOPY_COPIED
#define SO_EE_CODE_ZEROCOPY_COPIED 1
#endif

int uring_dmabuf_devmem_msg_prep(struct uring_dmabuf_devmem_msg *m,
				 unsigned int binding_id,
				 const struct uring_dmabuf_piece *pieces,
				 unsigned int nr)
{
	uint32_t id = binding_id;
	struct cmsghdr *cm;
	uint64_t total = 0;
	unsigned int i;

	if (!m || !pieces || !nr || nr > URING_DMABUF_DEVMEM_MAX_PIECES ||
	    !binding_id)
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		/* Offsets travel as pointers; a length must fit one too. */
		if (!pieces[i].len || pieces[i].len > SSIZE_MAX ||
		    pieces[i].offset > UINTPTR_MAX ||
		    pieces[i].len > UINT64_MAX - pieces[i].offset ||
		    pieces[i].len > SSIZE_MAX - total)
			return -EINVAL;
		total += pieces[i].len;
	}
	memset(m, 0, sizeof(*m));
	for (i = 0; i < nr; i++) {
		m->iov[i].iov_base = (void *)(uintptr_t)pieces[i].offset;
		m->iov[i].iov_len = pieces[i].len;
	}
	m->msg.msg_iov = m->iov;
	m->msg.msg_iovlen = nr;
	m->msg.msg_control = m->control.buf;
	m->msg.msg_controllen = sizeof(m->control.buf);
	cm = CMSG_FIRSTHDR(&m->msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_DEVMEM_DMABUF;
	cm->cmsg_len = CMSG_LEN(sizeof(id));
	memcpy(CMSG_DATA(cm), &id, sizeof(id));
	return 0;
}

/* Devmem TX is MSG_ZEROCOPY only, which the socket must allow first. */
int uring_dmabuf_zerocopy_enable(int sock)
{
	int one = 1;

	if (setsockopt(sock, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)))
		return -errno;
	return 0;
}

ssize_t uring_dmabuf_send_devmem(int sock, unsigned int binding_id,
				 const struct uring_dmabuf_piece *pieces,
				 unsigned int nr, int flags)
{
	struct uring_dmabuf_devmem_msg m;
	ssize_t ret;

	if (flags & MSG_ERRQUEUE)
		return -EINVAL;
	ret = uring_dmabuf_devmem_msg_prep(&m, binding_id, pieces, nr);
	if (ret)
		return ret;
	ret = sendmsg(sock, &m.msg, flags | MSG_ZEROCOPY);
	return ret < 0 ? -errno : ret;
}

/*
 * The zero-copy notification in one MSG_ERRQUEUE message: 1 and @d filled,
 * 0 if the message is about something else (an ICMP error, a timestamp).
 */
static int parse_zc(const struct msghdr *msg, struct uring_dmabuf_zc_done *d)
{
	const struct sock_extended_err *ee;
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR((struct msghdr *)msg); cm;
	     cm = CMSG_NXTHDR((struct msghdr *)msg, cm)) {
		if (cm->cmsg_len < CMSG_LEN(sizeof(*ee)))
			continue;
		/* IP_RECVERR or IPV6_RECVERR: the same payload. */
		ee = (const struct sock_extended_err *)CMSG_DATA(cm);
		if (ee->ee_origin != SO_EE_ORIGIN_ZEROCOPY || ee->ee_errno)
			continue;
		memset(d, 0, sizeof(*d));
		d->first = ee->ee_info;
		d->last = ee->ee_data;
		d->copied = !!(ee->ee_code & SO_EE_CODE_ZEROCOPY_COPIED);
		return 1;
	}
	return 0;
}

/*
 * Reads the socket's error queue without blocking until it is empty or
 * @max ranges are in @out. Returns how many (0: none yet), or -errno.
 */
int uring_dmabuf_zc_reap(int sock, struct uring_dmabuf_zc_done *out,
			 unsigned int max)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct sock_extended_err) +
				    sizeof(struct sockaddr_storage))];
	} control;
	struct msghdr msg;
	unsigned int n = 0;

	if (!out || !max || max > INT_MAX)
		return -EINVAL;
	while (n < max) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		if (recvmsg(sock, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return n ? (int)n : -errno;
		}
		n += parse_zc(&msg, &out[n]);
	}
	return n;
}
