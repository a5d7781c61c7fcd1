// SPDX-License-Identifier: MIT
/* uring-dmabuf send: the test pattern over plain TCP. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"
#include "parse.h"

static const char usage_send[] =
	"Usage: uring-dmabuf send [-j] [-p] --addr ADDR --port PORT --size BYTES\n"
	"Connect to ADDR:PORT (IPv4 or IPv6) and send BYTES of the test pattern\n"
	"that 'uring-dmabuf recv --verify' checks.\n";

static int connect_to(const char *addr, const char *port)
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
		if (!connect(fd, ai->ai_addr, ai->ai_addrlen))
			break;
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		err_msg("cannot connect to %s port %s: %s", addr, port, strerror(errno));
	freeaddrinfo(res);
	return fd;
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
		{ NULL, 0, NULL, 0 },
	};
	static unsigned char buf[1 << 16];
	const char *addr = NULL, *port = NULL;
	unsigned long long sent = 0;
	unsigned int port_nr;
	bool exit_now = false;
	uint64_t size = 0;
	double t0;
	int opt, fd;

	while ((opt = cli_getopt(argc, argv, COMMON_SHORT "a:P:s:", opts)) != -1) {
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
	fd = connect_to(addr, port);
	if (fd < 0)
		return EXIT_FAIL;
	t0 = now();
	while (sent < size) {
		size_t n = size - sent < sizeof(buf) ? size - sent : sizeof(buf);
		size_t i;
		ssize_t w;

		for (i = 0; i < n; i++)
			buf[i] = pattern_byte(sent + i);
		w = send(fd, buf, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			err_msg("send after %llu bytes: %s", sent, strerror(errno));
			close(fd);
			return EXIT_FAIL;
		}
		sent += (unsigned long long)w;
	}
	shutdown(fd, SHUT_WR);
	/* Wait for the receiver to close, so all bytes were taken. */
	while (recv(fd, buf, sizeof(buf), 0) > 0)
		;
	close(fd);
	out_init(cli.json, cli.pretty);
	out_u64("bytes", "sent %llu bytes", sent);
	out_u64("usec", " in %llu us\n", (uint64_t)((now() - t0) * 1e6));
	out_finish();
	return EXIT_OK;
}
