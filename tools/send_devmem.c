// SPDX-License-Identifier: MIT
/*
 * send --devmem: the test pattern sent from a dma-buf bound for transmit,
 * MSG_ZEROCOPY with an SCM_DEVMEM_DMABUF control message (the NIC reads
 * the bytes by DMA), and every send's completion reaped: the stream is
 * not done until the kernel no longer reads any of it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "liburing_dmabuf.h"
#include "output.h"
#include "send_devmem.h"

#define DEVMEM_CHUNK (256 * 1024)

/* Notifications there are; waits up to @ms for one. 0 or -errno. */
static int reap(int fd, struct devmem_stats *st, int ms)
{
	struct uring_dmabuf_zc_done d[64];
	struct pollfd pfd = { .fd = fd };
	int i, n;

	if (ms && poll(&pfd, 1, ms) < 0 && errno != EINTR)
		return -errno;
	do {
		n = uring_dmabuf_zc_reap(fd, d, 64);
		if (n < 0)
			return n;
		for (i = 0; i < n; i++) {
			st->completed += d[i].last - d[i].first + 1;
			if (d[i].copied)
				st->copied += d[i].last - d[i].first + 1;
		}
	} while (n == 64);
	return 0;
}

int devmem_send(int fd, unsigned int binding_id, uint64_t size, uint64_t total,
		unsigned int timeout, struct devmem_stats *st)
{
	/* The pattern repeats every PATTERN_PERIOD bytes: send whole periods. */
	uint64_t round = size / PATTERN_PERIOD * PATTERN_PERIOD, off;
	struct uring_dmabuf_piece p;
	unsigned int waited = 0;
	ssize_t r;
	int ret;

	memset(st, 0, sizeof(*st));
	if (!round) {
		err_msg("the dma-buf (%llu bytes) is smaller than the pattern", (unsigned long long)size);
		return -EINVAL;
	}
	ret = uring_dmabuf_zerocopy_enable(fd);
	if (ret) {
		err_msg("SO_ZEROCOPY: %s", strerror(-ret));
		return ret;
	}
	while (st->sent < total) {
		off = st->sent % round;
		p.offset = off;
		p.len = total - st->sent;
		if (p.len > round - off)
			p.len = round - off;
		if (p.len > DEVMEM_CHUNK)
			p.len = DEVMEM_CHUNK;
		r = uring_dmabuf_send_devmem(fd, binding_id, &p, 1, MSG_NOSIGNAL);
		if (r == -EINTR)
			continue;
		if (r == -ENOBUFS) {
			/* Too many notifications pending: read them first. */
			ret = reap(fd, st, 1000);
			if (ret)
				return ret;
			continue;
		}
		if (r < 0) {
			errno = (int)-r;
			err_msg("devmem send after %llu bytes: %s", (unsigned long long)st->sent,
				strerror(errno));
			if (r == -EINVAL)
				hint_msg("the binding is gone, or SO_ZEROCOPY is off");
			else if (r == -ENODEV)
				hint_msg("the binding is for another device than the route to the receiver");
			return (int)r;
		}
		st->sent += (uint64_t)r;
		st->sends++;
		ret = reap(fd, st, 0);
		if (ret)
			return ret;
	}
	/* The last completions follow the receiver's ACKs. */
	while (st->completed < st->sends) {
		ret = reap(fd, st, 100);
		if (ret)
			return ret;
		if (++waited > 10 * (timeout ? timeout : 30)) {
			err_msg("%llu of %llu sends never completed",
				(unsigned long long)(st->sends - st->completed),
				(unsigned long long)st->sends);
			return -ETIMEDOUT;
		}
	}
	return 0;
}
