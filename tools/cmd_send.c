// SPDX-License-Identifier: MIT
/*
 * uring-dmabuf send: the test pattern over plain TCP, or with --devmem from
 * a dma-buf bound for transmit (devmem TX, send_devmem.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"
#include "parse.h"
#include "send_devmem.h"
#include "setup.h"

static const char usage_send[] =
	"Usage: uring-dmabuf send [-j] [-p] --addr ADDR --port PORT --size BYTES\n"
	"          [--timeout SEC] [--devmem [--dev DEV [--uring]]]\n"
	"Connect to ADDR:PORT (IPv4 or IPv6) and send BYTES of the test pattern\n"
	"that 'uring-dmabuf recv --verify' checks, then wait for the receiver to\n"
	"close. A reset by the receiver fails; with --timeout, so does a connect,\n"
	"send or wait that makes no progress for SEC seconds.\n"
	"--devmem sends from a dma-buf bound for transmit (devmem TX, Linux 6.16+):\n"
	"MSG_ZEROCOPY with SCM_DEVMEM_DMABUF, the NIC reads the bytes by DMA, and\n"
	"the send ends once the kernel completed every one. The binding comes from\n"
	"'uring-dmabuf bind-tx DEV -- uring-dmabuf send --devmem ...'\n"
	"(URING_DMABUF_BINDING_ID, URING_DMABUF_SIZE), or with --dev DEV send makes\n"
	"its own: a READONLY dma-buf of up to 64M of THP (--uring: from an io_uring\n"
	"registered buffer) holding the pattern, bound to DEV, the device the route\n"
	"to ADDR leaves through.\n";

/* The binding bind-tx hands down: 0, or -1 if there is none. */
static int env_binding(unsigned int *id, uint64_t *size)
{
	const char *i = getenv("URING_DMABUF_BINDING_ID");
	const char *sz = getenv("URING_DMABUF_SIZE");

	if (!i || !sz || parse_u32(i, id) || !*id || parse_size(sz, size) || !*size)
		return -1;
	return 0;
}

/* User and system CPU time of this process, in seconds. */
static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* connect(), send() and recv() give up after @sec seconds without progress. */
static void set_timeouts(int fd, unsigned int sec)
{
	struct timeval tv = { .tv_sec = sec };

	if (!sec)
		return;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static int connect_to(const char *addr, const char *port, unsigned int timeout)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV,
	}, *res, *ai;
	int fd = -1, ret;

	ret = getaddrinfo(addr, port, &hints, &res);
	if (ret) {
		err_msg("cannot resolve %s port %s: %s", addr, port, gai_strerror(ret));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		set_timeouts(fd, timeout);
		if (!connect(fd, ai->ai_addr, ai->ai_addrlen))
			break;
		close(fd);
		fd = -1;
	}
	if (fd < 0 && errno == EINPROGRESS)
		err_msg("cannot connect to %s port %s within %u s (--timeout)", addr, port, timeout);
	else if (fd < 0)
		err_msg("cannot connect to %s port %s: %s", addr, port, strerror(errno));
	freeaddrinfo(res);
	return fd;
}

/* errno of a failed step, said plainly for a reset or a timeout. */
static void send_error(const char *step, unsigned long long sent, unsigned int timeout)
{
	if (errno == ECONNRESET || errno == EPIPE)
		err_msg("%s after %llu bytes: the receiver reset the connection", step, sent);
	else if (errno == EAGAIN)
		err_msg("%s after %llu bytes: no progress for %u s (--timeout)", step, sent,
			timeout);
	else
		err_msg("%s after %llu bytes: %s", step, sent, strerror(errno));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int cmd_send(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG,
		{ "addr", required_argument, NULL, 'a' },
		{ "port", required_argument, NULL, 'P' },
		{ "size", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "devmem", no_argument, NULL, 'D' },
		{ "dev", required_argument, NULL, 'd' },
		{ "uring", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	static struct rx_opts tx;
	struct rx_setup txs = { .dev_fd = -1, .dmabuf_fd = -1, .mem.memfd = -1 };
	struct devmem_stats dst;
	unsigned int binding_id = 0;
	uint64_t buf_size = 0;
	bool devmem = false;
	static unsigned char buf[1 << 16];
	const char *addr = NULL, *port = NULL;
	unsigned long long sent = 0;
	unsigned int port_nr, timeout = 0;
	bool exit_now = false;
	uint64_t size = 0;
	double t0, c0;
	ssize_t w;
	int opt, fd, ret;

	rx_opts_init(&tx);
	tx.tx = true;
	while ((opt = cli_getopt(argc, argv, COMMON_SHORT "a:P:s:t:", opts)) != -1) {
		if (common_opt(opt, usage_send, &exit_now)) {
			if (exit_now)
				return EXIT_OK;
			continue;
		}
		if (opt == 'a') {
			addr = optarg;
		} else if (opt == 'P' && !parse_u32(optarg, &port_nr) && port_nr &&
			   port_nr < 65536) {
			port = optarg;
		} else if (opt == 's' && !parse_size(optarg, &size) && size) {
			continue;
		} else if (opt == 't' && !parse_u32(optarg, &timeout) && timeout) {
			continue;
		} else if (opt == 'D') {
			devmem = true;
		} else if (opt == 'd') {
			tx.dev = optarg;
		} else if (opt == 'u') {
			tx.uring = true;
		} else if (opt == '?') {
			return EXIT_USAGE;	/* cli_getopt() said why */
		} else {
			return usage_error("bad value '%s' for %s", optarg ? optarg : "",
					   opt_name(opts, opt));
		}
	}
	if (optind != argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!addr || !port || !size)
		return usage_error("%s", !addr ? "--addr ADDR is required" :
				   !port ? "--port PORT is required" :
				   "--size BYTES is required");
	if ((tx.dev || tx.uring) && !devmem)
		return usage_error("%s works with --devmem only", tx.dev ? "--dev" : "--uring");
	if (tx.uring && !tx.dev)
		return usage_error("--uring needs --dev DEV");
	if (devmem && !tx.dev && env_binding(&binding_id, &buf_size))
		return usage_error("--devmem needs --dev DEV, or a binding of 'bind-tx DEV -- ...'");
	if (devmem && tx.dev) {
		/* Whole 2 MiB pages (THP), up to 64 MiB, sent round and round. */
		tx.size = size < (64 << 20) ? (size + (2 << 20) - 1) & ~((2ULL << 20) - 1) :
		 64 << 20;
		if (dmabuf_setup(&tx, &txs) || tx_bind(&tx, &txs)) {
			rx_teardown(&txs);
			return EXIT_FAIL;
		}
		binding_id = uring_dmabuf_binding_id(txs.binding);
		buf_size = txs.info.bytes;
	}
	fd = connect_to(addr, port, timeout);
	if (fd < 0) {
		rx_teardown(&txs);
		return EXIT_FAIL;
	}
	t0 = now();
	c0 = cpu_seconds();
	if (devmem) {
		ret = devmem_send(fd, binding_id, buf_size, size, timeout, &dst);
		if (ret) {
			close(fd);
			rx_teardown(&txs);
			return EXIT_FAIL;
		}
		sent = dst.sent;
	}
	while (sent < size) {
		size_t n = size - sent < sizeof(buf) ? size - sent : sizeof(buf);
		size_t i;

		for (i = 0; i < n; i++)
			buf[i] = pattern_byte(sent + i);
		w = send(fd, buf, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			send_error("send", sent, timeout);
			close(fd);
			return EXIT_FAIL;
		}
		sent += (unsigned long long)w;
	}
	shutdown(fd, SHUT_WR);
	/*
	 * Wait for the receiver to close, so all bytes were taken; a reset
	 * (it closed with bytes unread, or went away) means they were not.
	 */
	while ((w = recv(fd, buf, sizeof(buf), 0)) > 0 || (w < 0 && errno == EINTR))
		;
	if (w < 0) {
		send_error("waiting for the receiver to close", sent, timeout);
		close(fd);
		rx_teardown(&txs);
		return EXIT_FAIL;
	}
	close(fd);
	rx_teardown(&txs);
	out_init(cli.json, cli.pretty);
	out_u64("bytes", "sent %llu bytes", sent);
	out_u64("usec", " in %llu us", (uint64_t)((now() - t0) * 1e6));
	out_u64("cpu_usec", ", CPU %llu us\n", (uint64_t)((cpu_seconds() - c0) * 1e6));
	if (devmem) {
		out_u64("binding_id", "devmem TX: binding %llu", binding_id);
		out_u64("sends", ", %llu sends", dst.sends);
		out_u64("completed", ", %llu completed", dst.completed);
		out_u64("copied", ", %llu copied\n", dst.copied);
	}
	out_finish();
	return EXIT_OK;
}
