// SPDX-License-Identifier: MIT
/*
 * uring-dmabuf-bench-tx: the sender's CPU time for one TCP stream by a send
 * path the kernel had before devmem TX, to set against the CLI's
 * `bind-tx -- send --devmem` (tests/vm/guest/bench-tx). Like that sender it
 * sends SIZE bytes in 256 KiB pieces from a 64 MiB buffer of THP, round and
 * round, and waits for every zero-copy completion and for the receiver to
 * close; the buffer is filled before the clock starts.
 *
 *   bench-tx --mode copy|zerocopy|sendzc ADDR PORT SIZE_MIB
 *
 * copy: send(); zerocopy: send(MSG_ZEROCOPY) from ordinary memory, the
 * completions read off the error queue; sendzc: io_uring IORING_OP_SEND_ZC
 * from the buffer registered with io_uring (io_uring_prep_send_zc_fixed()).
 * Prints {"mode":...,"bytes":...,"usec":...,"cpu_usec":...}.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "liburing_dmabuf.h"

#define BUF_SIZE (64UL << 20)
#define PIECE (256UL * 1024)

#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "bench-tx: %s: %s\n", what, strerror(err));
	return 1;
}

/* The next piece after @sent bytes: at most PIECE, never past the buffer. */
static size_t piece(unsigned long long sent, unsigned long long total)
{
	size_t n = total - sent < PIECE ? total - sent : PIECE;

	if (n > BUF_SIZE - sent % BUF_SIZE)
		n = BUF_SIZE - sent % BUF_SIZE;
	return n;
}

/* Completions on the error queue; waits up to @ms for one. */
static int reap(int fd, unsigned long long *done, int ms)
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
		for (i = 0; i < n; i++)
			*done += d[i].last - d[i].first + 1;
	} while (n == 64);
	return 0;
}

static int send_socket(int fd, const char *buf, unsigned long long total, int zc)
{
	unsigned long long sent = 0, sends = 0, done = 0;
	unsigned int waits = 0;
	ssize_t w;
	size_t n;
	int ret;

	if (zc && (ret = uring_dmabuf_zerocopy_enable(fd)))
		return fail("SO_ZEROCOPY", -ret);
	while (sent < total) {
		n = piece(sent, total);
		w = send(fd, buf + sent % BUF_SIZE, n, zc ? MSG_ZEROCOPY : 0);
		if (w < 0 && errno == ENOBUFS && zc) {
			if ((ret = reap(fd, &done, 1000)))
				return fail("reap", -ret);
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return fail("send", errno);
		sent += (unsigned long long)w;
		sends++;
		if (zc && (ret = reap(fd, &done, 0)))
			return fail("reap", -ret);
	}
	while (zc && done < sends) {
		if ((ret = reap(fd, &done, 100)))
			return fail("reap", -ret);
		if (++waits > 300)
			return fail("completions", ETIMEDOUT);
	}
	return 0;
}

/* SEND_ZC from the registered buffer: a send's result, then its notification. */
static int send_uring(int fd, char *buf, unsigned long long total)
{
	unsigned long long sent = 0, sends = 0, notifs = 0;
	struct iovec iov = { .iov_base = buf, .iov_len = BUF_SIZE };
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int ret, inflight = 0;
	size_t n, off;

	ret = io_uring_queue_init(64, &ring, 0);
	if (ret)
		return fail("io_uring_queue_init", -ret);
	ret = io_uring_register_buffers(&ring, &iov, 1);
	if (ret)
		return fail("io_uring_register_buffers", -ret);
	while (sent < total || notifs < sends || inflight) {
		if (sent < total && !inflight) {
			off = sent % BUF_SIZE;
			n = piece(sent, total);
			sqe = io_uring_get_sqe(&ring);
			io_uring_prep_send_zc_fixed(sqe, fd, buf + off, n, 0, 0, 0);
			io_uring_submit(&ring);
			inflight = 1;
		}
		ret = io_uring_wait_cqe(&ring, &cqe);
		if (ret == -EINTR)
			continue;
		if (ret)
			return fail("io_uring_wait_cqe", -ret);
		if (cqe->flags & IORING_CQE_F_NOTIF) {
			notifs++;
		} else {
			if (cqe->res < 0)
				return fail("SEND_ZC", -cqe->res);
			sent += (unsigned long long)cqe->res;
			/* Each send with F_MORE has a notification to come. */
			if (cqe->flags & IORING_CQE_F_MORE)
				sends++;
			inflight = 0;
		}
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned long long total;
	double t0, c0, t, c;
	const char *mode;
	char *buf, c1;
	int fd, ret;
	size_t i;

	if (argc != 6 || strcmp(argv[1], "--mode")) {
		fprintf(stderr, "usage: bench-tx --mode copy|zerocopy|sendzc ADDR PORT SIZE_MIB\n");
		return 2;
	}
	mode = argv[2];
	if (strcmp(mode, "copy") && strcmp(mode, "zerocopy") && strcmp(mode, "sendzc")) {
		fprintf(stderr, "bench-tx: no mode %s\n", mode);
		return 2;
	}
	if (inet_pton(AF_INET, argv[3], &sa.sin_addr) != 1)
		return fail(argv[3], EINVAL);
	sa.sin_port = htons((unsigned short)atoi(argv[4]));
	total = strtoull(argv[5], NULL, 10) << 20;

	buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return fail("mmap", errno);
	madvise(buf, BUF_SIZE, MADV_HUGEPAGE);
	for (i = 0; i < BUF_SIZE; i++)
		buf[i] = (char)(i * 7);

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return fail("socket", errno);
	for (i = 0; connect(fd, (struct sockaddr *)&sa, sizeof(sa)); i++) {
		if (i == 300)
			return fail("connect", errno);
		close(fd);
		usleep(100000);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			return fail("socket", errno);
	}

	t0 = now();
	c0 = cpu_seconds();
	if (!strcmp(mode, "sendzc"))
		ret = send_uring(fd, buf, total);
	else
		ret = send_socket(fd, buf, total, !strcmp(mode, "zerocopy"));
	if (ret)
		return ret;
	shutdown(fd, SHUT_WR);
	while (recv(fd, &c1, 1, 0) > 0)
		;
	c = cpu_seconds() - c0;
	t = now() - t0;
	close(fd);
	printf("{\"mode\":\"%s\",\"bytes\":%llu,\"usec\":%llu,\"cpu_usec\":%llu}\n", mode, total,
	       (unsigned long long)(t * 1e6), (unsigned long long)(c * 1e6));
	return 0;
}
