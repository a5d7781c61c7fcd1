// SPDX-License-Identifier: MIT
/*
 * uring-dmabuf recv: a devmem TCP receiver (like the kernel's ncdevmem).
 * Payload of a bound queue lands in our dma-buf; the frags say where, and
 * we read it from our own mapping of that memory, then give the tokens back.
 * Without a binding it is a plain recv() copy receiver, for comparison.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"
#include "recv.h"
#include "recv_zcrx.h"
#include "setup.h"

static const char usage_recv[] =
	"Usage: uring-dmabuf recv [-j] [-p] --port PORT [--dev DEV --queues LIST\n"
	"          [--size SIZE] [--hugepages[=2M|1G] | --thp | --4k | --shmem]\n"
	"          [--numa NODE|auto] [--uring] [--rx-page-size SIZE]] [--verify]\n"
	"          [--bytes N] [--require-devmem] [--timeout SEC] [--interval SEC]\n"
	"       uring-dmabuf recv --zcrx --dev DEV --queue Q [--area user|dmabuf]\n"
	"          --port PORT [--size SIZE] [memory options] [--uring]\n"
	"          [--rx-page-size SIZE] [--verify] ...\n"
	"Accept one TCP connection on PORT (IPv4 and IPv6) and receive until EOF or\n"
	"exactly N bytes; with --timeout, fail if no connection or no data comes for\n"
	"SEC seconds. With --dev, create a dma-buf and bind it to DEV's RX queues first;\n"
	"run as the COMMAND of 'bind-rx', use the binding it hands down. Payload in\n"
	"dma-buf frags is read from the buffer itself at the frag offsets. --interval\n"
	"prints the throughput and frags/s every SEC seconds (on stderr with -j).\n"
	"--verify checks the pattern of 'uring-dmabuf send'; --require-devmem fails\n"
	"if any payload arrived as a copy instead of in the dma-buf.\n"
	"--zcrx receives with io_uring zero-copy receive (Linux 6.15+) instead of\n"
	"devmem: queue Q of DEV gets io_uring's memory provider with an area of\n"
	"user memory, or (--area dmabuf) our dma-buf of it, whole; payload is read\n"
	"where the CQEs say and each buffer returned through the refill ring.\n";

/*
 * One recvmsg(MSG_SOCK_DEVMEM) takes up to RECV_MAX bytes (the iovec's
 * length bounds dma-buf frags too), and its control buffer holds the
 * frags of that many bytes: 725 of 1448 bytes at MTU 1500, 256 pages at
 * MTU 9000. Smaller frags fill it first; the call then returns less.
 */
#define RECV_MAX (1 << 20)
#define CTRL_FRAGS 1024

/* What one read may take: no byte past --bytes leaves the socket. */
size_t read_len(const struct receiver *r, size_t max)
{
	unsigned long long left;

	if (!r->limit)
		return max;
	left = r->limit - r->st.bytes;
	return left < max ? (size_t)left : max;
}

void check_bytes(struct receiver *r, const unsigned char *p, size_t len)
{
	size_t i;

	if (!r->verify)
		return;
	for (i = 0; i < len; i++)
		if (p[i] != pattern_byte(r->st.bytes + i))
			r->st.bad_bytes++;
}

static int listen_on(unsigned int port)
{
	struct sockaddr_in6 sa = {
		.sin6_family = AF_INET6,
		.sin6_port = htons((uint16_t)port),
		.sin6_addr = IN6ADDR_ANY_INIT,
	};
	int fd, one = 1, zero = 0;

	struct sockaddr_in sa4 = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)port),
	};
	struct sockaddr *addr = (struct sockaddr *)&sa;
	socklen_t len = sizeof(sa);

	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 && errno == EAFNOSUPPORT) {
		/* A kernel without IPv6: IPv4 only. */
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		addr = (struct sockaddr *)&sa4;
		len = sizeof(sa4);
	}
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (addr == (struct sockaddr *)&sa)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, addr, len) || listen(fd, 1)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/*
 * One recvmsg(MSG_SOCK_DEVMEM): frags in stream order, linear bytes in @lin.
 * Tokens are given back in batches (uring_dmabuf_tokens_add() sends a full
 * one), and what is left before the socket would block: never one
 * setsockopt() per recvmsg().
 */
static int devmem_round(struct receiver *r, int fd, struct uring_dmabuf_tokens *tok)
{
	static unsigned char lin[RECV_MAX];
	static char ctrl[CMSG_SPACE(24) * CTRL_FRAGS];
	struct iovec iov = { lin, read_len(r, sizeof(lin)) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctrl, .msg_controllen = sizeof(ctrl),
	};
	struct uring_dmabuf_frag_iter it;
	struct uring_dmabuf_frag f;
	size_t lin_used = 0, in_frags = 0;
	ssize_t n;
	int ret;

	n = recvmsg(fd, &msg, URING_DMABUF_MSG_SOCK_DEVMEM | MSG_DONTWAIT);
	if (n < 0 && errno == EAGAIN) {
		/* About to wait: the NIC may need these buffers meanwhile. */
		ret = uring_dmabuf_tokens_flush(tok);
		if (ret)
			return ret;
		msg.msg_controllen = sizeof(ctrl);
		n = recvmsg(fd, &msg, URING_DMABUF_MSG_SOCK_DEVMEM);
	}
	if (n <= 0)
		return n < 0 ? -errno : 0;
	uring_dmabuf_frags_begin(&it, &msg);
	while ((ret = uring_dmabuf_frags_next(&it, &f)) > 0) {
		r->st.frags++;
		in_frags += f.len;
		if (f.linear) {
			check_bytes(r, lin + lin_used, f.len);
			lin_used += f.len;
			r->st.linear_bytes += f.len;
		} else {
			if (f.dmabuf_id != r->binding_id)
				r->st.foreign_id = f.dmabuf_id;
			if (f.offset + f.len > r->size)
				return -EPROTO;
			check_bytes(r, r->base + f.offset, f.len);
			r->st.dmabuf_bytes += f.len;
			if (uring_dmabuf_tokens_add(tok, f.token) == 0)
				r->st.tokens++;
		}
		r->st.bytes += f.len;
	}
	if (ret < 0)
		return ret;
	/* Readable skbs come without cmsgs: plain bytes in the iovec. */
	if ((size_t)n > in_frags) {
		check_bytes(r, lin + lin_used, (size_t)n - in_frags);
		r->st.linear_bytes += (size_t)n - in_frags;
		r->st.bytes += (size_t)n - in_frags;
	}
	return 1;
}

static int plain_round(struct receiver *r, int fd)
{
	static unsigned char buf[1 << 16];
	ssize_t n = recv(fd, buf, read_len(r, sizeof(buf)), 0);

	if (n <= 0)
		return n < 0 ? -errno : 0;
	check_bytes(r, buf, (size_t)n);
	r->st.bytes += (size_t)n;
	r->st.linear_bytes += (size_t)n;
	return 1;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* accept() and recv() give up after @sec seconds without progress. */
static void set_timeout(int fd, unsigned int sec)
{
	struct timeval tv = { .tv_sec = sec };

	if (sec)
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* --interval: throughput and frags of the last interval, one line. */
struct ticker {
	double start, last, next, last_data;
	unsigned long long bytes, frags;
};

static void tick_print(struct receiver *r, struct ticker *k, double t)
{
	/* JSON mode: stdout is the one document, the live lines go to stderr. */
	FILE *f = out_json() ? stderr : stdout;
	double dt = t - k->last;

	if (dt <= 0)
		return;
	fprintf(f, "%7.1f s  %10.1f MB/s  %10.0f frags/s  (%llu bytes in total)\n",
		t - k->start, (r->st.bytes - k->bytes) / dt / 1e6,
		(r->st.frags - k->frags) / dt, r->st.bytes);
	fflush(f);
	k->last = t;
	k->bytes = r->st.bytes;
	k->frags = r->st.frags;
}

/*
 * With --interval, poll() wakes us at each tick; --timeout then counts time
 * without data here, since the socket's own timeout only covers a read.
 * Returns 1 when @fd is readable, -EAGAIN on the timeout, -errno.
 */
static int wait_data(struct receiver *r, struct ticker *k, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	double t;
	int n;

	for (;;) {
		t = now();
		if (t >= k->next) {
			tick_print(r, k, t);
			while (k->next <= t)
				k->next += r->interval;
		}
		if (r->timeout && t - k->last_data >= r->timeout)
			return -EAGAIN;
		n = poll(&p, 1, (int)((k->next - t) * 1000) + 1);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0) {
			k->last_data = now();
			return 1;
		}
	}
}

/*
 * --zcrx: one round of completions, waiting no longer than the next tick
 * or the end of --timeout. 1 to go on, 0 at EOF, -EAGAIN on the timeout.
 */
static int zcrx_wait_round(struct receiver *r, struct ticker *k,
			   struct zcrx_rx *z, int fd)
{
	double t = now(), until = 0;
	int ret;

	if (r->interval) {
		if (t >= k->next) {
			tick_print(r, k, t);
			while (k->next <= t)
				k->next += r->interval;
		}
		until = k->next;
	}
	if (r->timeout) {
		if (t - k->last_data >= r->timeout)
			return -EAGAIN;
		if (!until || k->last_data + r->timeout < until)
			until = k->last_data + r->timeout;
	}
	ret = zcrx_round(z, r, fd, until ? (unsigned int)((until - t) * 1000) + 1 : 0);
	if (ret == -ETIME)
		return 1;
	if (ret > 0)
		k->last_data = now();
	return ret;
}

static int receive(struct receiver *r, unsigned int port, struct zcrx_rx *z)
{
	struct ticker k;
	struct uring_dmabuf_tokens tok;
	double t0, c0;
	int lfd, fd, ret;

	lfd = listen_on(port);
	if (lfd < 0) {
		err_msg("cannot listen on port %u: %s", port, strerror(-lfd));
		return lfd;
	}
	out_text("listening on port %u\n", port);
	fflush(stdout);
	set_timeout(lfd, r->timeout);
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	ret = -errno;
	close(lfd);
	if (fd < 0) {
		if (ret == -EAGAIN)
			err_msg("no connection on port %u within %u s (--timeout)", port, r->timeout);
		else
			err_msg("accept: %s", strerror(-ret));
		return ret;
	}
	set_timeout(fd, r->timeout);
	uring_dmabuf_tokens_init(&tok, fd);
	t0 = now();
	c0 = cpu_seconds();
	k = (struct ticker){ .start = t0, .last = t0, .next = t0 + r->interval,
			     .last_data = t0 };
	do {
		if (z) {
			ret = zcrx_wait_round(r, &k, z, fd);
			continue;
		}
		ret = r->interval ? wait_data(r, &k, fd) : 1;
		if (ret > 0)
			ret = r->base ? devmem_round(r, fd, &tok) : plain_round(r, fd);
	} while (ret > 0 && (!r->limit || r->st.bytes < r->limit));
	if (r->interval)
		tick_print(r, &k, now());
	if (r->base && !z) {
		int err = uring_dmabuf_tokens_flush(&tok);

		if (err && ret >= 0)
			ret = err;
	}
	close(fd);
	if (ret == -EAGAIN)
		err_msg("no data for %u s after %llu bytes (--timeout)", r->timeout, r->st.bytes);
	else if (ret < 0)
		err_msg("receive after %llu bytes: %s", r->st.bytes, strerror(-ret));
	else if (r->limit && r->st.bytes < r->limit)
		err_msg("the sender closed after %llu of the %llu bytes of --bytes",
			r->st.bytes, r->limit);
	out_u64("bytes", "received %llu bytes", r->st.bytes);
	out_u64("dmabuf_bytes", z && !z->dmabuf ? " (%llu in the zcrx area" :
		" (%llu in the dma-buf", r->st.dmabuf_bytes);
	out_u64("linear_bytes", ", %llu copied)", r->st.linear_bytes);
	out_u64("frags", " in %llu frags\n", r->st.frags);
	/* zcrx: buffers given back through the refill ring. */
	out_u64("tokens_returned", z ? "buffers returned: %llu\n" :
		"tokens returned: %llu\n", r->st.tokens);
	out_u64("usec", "time: %llu us", (uint64_t)((now() - t0) * 1e6));
	out_u64("cpu_usec", ", CPU %llu us\n", (uint64_t)((cpu_seconds() - c0) * 1e6));
	if (r->verify)
		out_u64("bad_bytes", "verify: %llu bytes differ from the pattern\n",
			r->st.bad_bytes);
	if (r->st.foreign_id)
		err_msg("frags of another binding (%u) arrived", r->st.foreign_id);
	return ret;
}

/* bind-rx -- recv: the dma-buf fd and binding come in the environment. */
static int inherit(struct receiver *r, void **map)
{
	const char *fd_s = getenv("URING_DMABUF_FD");
	const char *size_s = getenv("URING_DMABUF_SIZE");
	const char *id_s = getenv("URING_DMABUF_BINDING_ID");
	unsigned int fd;
	void *p;

	if (!fd_s || !size_s || !id_s)
		return 0;
	if (parse_u32(fd_s, &fd) || parse_size(size_s, &r->size) ||
	    parse_u32(id_s, &r->binding_id)) {
		err_msg("malformed URING_DMABUF_* environment");
		return -EINVAL;
	}
	p = mmap(NULL, r->size, PROT_READ, MAP_SHARED, (int)fd, 0);
	if (p == MAP_FAILED) {
		err_msg("cannot mmap the inherited dma-buf: %s", strerror(errno));
		return -errno;
	}
	*map = p;
	r->base = p;
	return 1;
}

int cmd_recv(int argc, char **argv)
{
	static const struct option extra[] = {
		{ "port", required_argument, NULL, 'P' },
		{ "dev", required_argument, NULL, 'd' },
		{ "verify", no_argument, NULL, 'v' },
		{ "bytes", required_argument, NULL, 'b' },
		{ "require-devmem", no_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "interval", required_argument, NULL, 'i' },
		{ "zcrx", no_argument, NULL, 'Z' },
		{ "queue", required_argument, NULL, 'Q' },
		{ "area", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	static struct option opts[40];
	static struct rx_opts o;
	struct receiver r = { 0 };
	struct rx_setup s = { .dev_fd = -1, .dmabuf_fd = -1 };
	bool exit_now = false, require = false, zcrx = false, area_dmabuf = false;
	struct zcrx_rx z;
	double setup_t0, setup_end;
	unsigned int port = 0;
	void *map = NULL;
	uint64_t limit;
	int opt, ret;

	rx_options_merge(opts, sizeof(opts) / sizeof(opts[0]), extra);
	rx_opts_init(&o);
	while ((opt = cli_getopt(argc, argv, COMMON_SHORT RX_OPTS_SHORT "P:d:vb:rt:i:",
				 opts)) != -1) {
		if (common_opt(opt, usage_recv, &exit_now)) {
			if (exit_now)
				return EXIT_OK;
			continue;
		}
		switch (opt) {
		case 'P':
			if (parse_u32(optarg, &port) || !port || port > 65535)
				return usage_error("bad port '%s' (1-65535)", optarg);
			break;
		case 'd':
			o.dev = optarg;
			break;
		case 'v':
			r.verify = true;
			break;
		case 'b':
			if (parse_size(optarg, &limit) || !limit)
				return usage_error("bad byte count '%s' for --bytes (examples: 4096, 64M, 1G)",
						   optarg);
			r.limit = limit;
			break;
		case 'r':
			require = true;
			break;
		case 'Z':
			zcrx = true;
			break;
		case 'Q':
			if (parse_u32(optarg, &o.queues[0]) || o.queues[0] > 65535)
				return usage_error("bad queue '%s' for --queue", optarg);
			o.nr_queues = 1;
			break;
		case 'A':
			if (strcmp(optarg, "user") && strcmp(optarg, "dmabuf"))
				return usage_error("bad area '%s' for --area (user or dmabuf)",
						   optarg);
			area_dmabuf = !strcmp(optarg, "dmabuf");
			break;
		case 'i':
			if (parse_u32(optarg, &r.interval) || !r.interval)
				return usage_error("bad interval '%s' for --interval (seconds, at least 1)",
						   optarg);
			break;
		case 't':
			if (parse_u32(optarg, &r.timeout) || !r.timeout)
				return usage_error("bad timeout '%s' for --timeout (seconds, at least 1)",
						   optarg);
			break;
		default:
			ret = rx_opts_parse(&o, opt, optarg);
			if (ret < 0)
				return usage_hint();
			if (!ret)
				return EXIT_USAGE;	/* cli_getopt() said why */
		}
	}
	if (!port)
		return usage_error("--port PORT is required");
	if (optind != argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (rx_opts_check(&o, false))
		return usage_hint();
	if (!o.dev && o.nr_queues)
		return usage_error("--queues needs --dev DEV (or run as the COMMAND of bind-rx)");
	if (zcrx && (!o.dev || o.nr_queues != 1))
		return usage_error("--zcrx needs --dev DEV and one --queue Q");
	if (!zcrx && area_dmabuf)
		return usage_error("--area is for --zcrx");

	signal(SIGPIPE, SIG_IGN);
	s.mem.memfd = -1;
	setup_t0 = now();
	if (zcrx) {
		ret = zcrx_setup(&z, &o, area_dmabuf, &s);
		if (ret) {
			zcrx_teardown(&z);
			rx_teardown(&s);
			return EXIT_FAIL;
		}
	} else if (o.dev) {
		ret = dmabuf_setup(&o, &s);
		if (!ret)
			ret = rx_bind(&o, &s);
		if (ret) {
			rx_teardown(&s);
			return EXIT_FAIL;
		}
		r.base = s.mem.addr;
		r.size = s.info.bytes;
		r.binding_id = uring_dmabuf_binding_id(s.binding);
	} else if (inherit(&r, &map) < 0) {
		return EXIT_FAIL;
	}
	setup_end = now();
	out_init(cli.json, cli.pretty);
	if (zcrx) {
		zcrx_print(&z, &o, &s);
	} else if (o.dev) {
		rx_setup_print(&o, &s);
	}
	if (o.dev)
		out_u64("setup_usec", "setup: %llu us\n",
			(uint64_t)((setup_end - setup_t0) * 1e6));
	out_str("mode", "mode: %s\n", zcrx ? "zcrx" : r.base ? "devmem" : "copy");
	ret = receive(&r, port, zcrx ? &z : NULL);
	out_finish();
	if (zcrx)
		zcrx_teardown(&z);
	if (map)
		munmap(map, r.size);
	rx_teardown(&s);
	if (ret < 0 || r.st.bad_bytes || r.st.foreign_id ||
	    (r.limit && r.st.bytes < r.limit))
		return EXIT_FAIL;
	if (require && ((!r.base && !zcrx) || r.st.linear_bytes)) {
		err_msg("%llu payload bytes arrived copied, not in the dma-buf",
			r.st.linear_bytes);
		if (o.dev)
			hint_msg("steer the flow to a bound queue: ethtool -N %s flow-type tcp4 dst-port %u action %u",
				 o.dev, port, o.queues[0]);
		else
			hint_msg("steer the flow to a bound queue: ethtool -N DEV flow-type tcp4 dst-port %u action QUEUE",
				 port);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
