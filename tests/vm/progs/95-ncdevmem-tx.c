// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own ncdevmem (tests/vm/ncdevmem/build.sh, unmodified) in
 * its TX mode, 7.x only (6.12's has none): as the client, it binds a
 * udmabuf for TX on sim0a (NETDEV_CMD_BIND_TX), copies each line of its
 * stdin into it and sends the line with sendmsg(MSG_ZEROCOPY,
 * SCM_DEVMEM_DMABUF), waiting for each completion; -z N cuts a line into
 * N-byte iovs. A plain receiver in the other namespace reads the stream,
 * as its own selftest's socat does. Per run: it exits 0 saying "tx ok",
 * one send and one completion per line, the receiver got the input byte
 * for byte, and sim0a's TX queues read exactly the payload plus TCP's
 * retransmitted bytes (tcp_info of its socket through sock_diag, kept a
 * full socket in FIN_WAIT2 by a tcp_fin_timeout above TIME_WAIT's) from
 * the binding's DMA addresses. Then ncdevmem to ncdevmem, devmem on both
 * sides (its header's "RX and TX" test): the receiving one, set up as in
 * 95-ncdevmem, validates every frag of the pattern it expects (-v 7), and
 * what sim0a read from the TX binding is what sim0b wrote into the RX
 * one. Their udmabufs unpinned after they exit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>

#include "common.h"
#include "devmem_traffic.h"
#include "netdev.h"

#define NCDEVMEM_DIR "/opt/ncdevmem"
#define NCDEVMEM NCDEVMEM_DIR "/bin/ncdevmem"
#define IN_FILE "/tmp/ncdevmem-tx.in"	/* its stdin: the payload */
#define OUT_FILE "/tmp/ncdevmem-tx.out"	/* its stderr */
#define RX_OUT "/tmp/ncdevmem-rx.out"	/* the receiving one's, a line a frag */
#define RX_STDOUT "/tmp/ncdevmem-rx.stdout"	/* its "Validated buffer" lines */
#define TCP_LISTEN_ 10		/* include/net/tcp_states.h */
#define VALIDATE 7		/* -v 7: bytes 1, 2, ... 6, then '\n' */
#define MAX_QUEUES 16
#define RUN_SECONDS 60
/* Above TCP_TIMEWAIT_LEN (60 s): its closed socket stays a full one. */
#define FIN_TIMEOUT "120"

/* One run of the client: its lines and how it cuts them. */
struct tx_run {
	const char *tag;
	int port;
	int chunk;		/* -z: bytes per iov, 0 for one iov a line */
	int lines;
	size_t max_line;	/* the longest line, its '\n' included */
	uint64_t seed;
	int nc_rx;		/* ncdevmem -l -v 7 receives, not a plain one */
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * The payload of @r into IN_FILE: lines of 1 to max_line bytes, any byte
 * but '\n' (zeros too) before the '\n' that ends each. Its size, or 0.
 */
static size_t make_input(const struct tx_run *r, unsigned char **out)
{
	uint64_t s = r->seed;
	size_t total = 0, len, j, cap = (size_t)r->lines * r->max_line;
	unsigned char *buf = malloc(cap), *p = buf;
	int i, fd;

	if (!buf)
		return 0;
	for (i = 0; r->nc_rx && i < r->lines; i++) {
		/* Its validation's pattern, 1 to 6 and '\n': a line of 7. */
		for (j = 0; j < VALIDATE; j++)
			p[j] = j + 1 < VALIDATE ? j + 1 : '\n';
		p += VALIDATE;
		total += VALIDATE;
	}
	for (i = 0; !r->nc_rx && i < r->lines; i++) {
		len = 1 + rnd(&s) % r->max_line;
		/* The longest line of all once. */
		if (i == r->lines / 2)
			len = r->max_line;
		for (j = 0; j + 1 < len; j++) {
			p[j] = rnd(&s) >> 24;
			if (p[j] == '\n')
				p[j] = 0;
		}
		p[len - 1] = '\n';
		p += len;
		total += len;
	}
	fd = open(IN_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, buf, total) != (ssize_t)total) {
		if (fd >= 0)
			close(fd);
		free(buf);
		return 0;
	}
	close(fd);
	*out = buf;
	return total;
}

/* The sum of devmem_bytes over sim0a's TX queues; each into @q. */
static long long devmem_bytes(long long q[MAX_QUEUES])
{
	char buf[4096], *line, *p, *save;
	long long sum = 0;
	int n;

	memset(q, 0, sizeof(long long) * MAX_QUEUES);
	if (simnic_read(TX_IF, "queues", buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		p = strstr(line, " devmem_bytes=");
		if (sscanf(line, "tx%d ", &n) != 1 || !p || n < 0 ||
		    n >= MAX_QUEUES)
			continue;
		q[n] = strtoll(p + 14, NULL, 10);
		sum += q[n];
	}
	return sum;
}

/* ncdevmem in the TX namespace, IN_FILE its stdin, OUT_FILE its output. */
static pid_t ncdevmem_client(const struct tx_run *r)
{
	char port[16], chunk[16];
	char *argv[] = { "ncdevmem", "-f", TX_IF, "-s", RX_ADDR, "-c", TX_ADDR,
			 "-p", port, r->chunk ? "-z" : NULL, chunk, NULL };
	pid_t pid;
	int fd;

	snprintf(port, sizeof(port), "%d", r->port);
	snprintf(chunk, sizeof(chunk), "%d", r->chunk);
	fflush(stdout);
	pid = fork();
	if (pid)
		return pid;
	if (enter_ns(ns_tx))
		_exit(126);
	fd = open(IN_FILE, O_RDONLY);
	if (fd < 0 || dup2(fd, 0) < 0)
		_exit(126);
	fd = open(OUT_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(126);
	execv(NCDEVMEM, argv);
	_exit(127);
}

/* Its exit status, or -1 after killing it at the deadline. */
static int ncdevmem_wait(pid_t pid, int seconds)
{
	int status, i;

	for (i = 0; pid > 0 && i < seconds * 10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) :
			       128 + WTERMSIG(status);
		msleep(100);
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	return -1;
}

/* What it said: sends, completions, "tx ok", its TX binding. */
struct nc_out {
	int sends, completions, tx_ok, bound;
};

static void parse_out(struct nc_out *o)
{
	char line[512];
	FILE *f = fopen(OUT_FILE, "r");

	memset(o, 0, sizeof(*o));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "sendmsg_ret=", 12))
			o->sends++;
		else if (!strncmp(line, "tx complete [", 13))
			o->completions++;
		else if (!strcmp(line, "ncdevmem: tx ok\n"))
			o->tx_ok = 1;
		else if (!strncmp(line, "got tx dmabuf id=", 17))
			o->bound = 1;
	}
	fclose(f);
}

static void diag_out(int lines)
{
	char buf[32][256];
	int n = 0, i;
	FILE *f = fopen(OUT_FILE, "r");

	if (!f)
		return;
	while (fgets(buf[n % 32], sizeof(buf[0]), f))
		n++;
	fclose(f);
	for (i = n > lines ? n - lines : 0; i < n; i++)
		t_diag("ncdevmem: %s", strtok(buf[i % 32], "\n") ?: "");
}

/*
 * tcp_info of the AF_INET6 TCP socket (ncdevmem's: IPv4 addresses
 * v4-mapped) of this namespace from port @sport to @dport (0: any), in one
 * of @states (a mask of 1 << TCP_*), through sock_diag. 0, or -ENOENT
 * when there is no such full socket.
 */
static int sock_tcp_info(int sport, int dport, unsigned int states,
			 struct tcp_info *ti, int *state)
{
	struct {
		struct nlmsghdr nh;
		struct inet_diag_req_v2 r;
	} req = {
		.nh = { .nlmsg_len = sizeof(req),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.r = { .sdiag_family = AF_INET6,
		       .sdiag_protocol = IPPROTO_TCP,
		       .idiag_ext = 1 << (INET_DIAG_INFO - 1),
		       .idiag_states = states },
	};
	static char buf[32768];
	struct inet_diag_msg *m;
	struct nlmsghdr *nh;
	struct rtattr *a;
	int fd, len, attrlen, found = -ENOENT, done = 0;
	size_t n;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, sizeof(req), 0) < 0) {
		found = -errno;
		done = 1;
	}
	while (!done) {
		len = recv(fd, buf, sizeof(buf), 0);
		if (len <= 0) {
			found = len < 0 ? -errno : found;
			break;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len);
		     nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_type == NLMSG_DONE ||
			    nh->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			m = NLMSG_DATA(nh);
			if (ntohs(m->id.idiag_sport) != sport ||
			    (dport && ntohs(m->id.idiag_dport) != dport))
				continue;
			attrlen = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
			for (a = (struct rtattr *)(m + 1); RTA_OK(a, attrlen);
			     a = RTA_NEXT(a, attrlen)) {
				if (a->rta_type != INET_DIAG_INFO)
					continue;
				memset(ti, 0, sizeof(*ti));
				n = RTA_PAYLOAD(a);
				memcpy(ti, RTA_DATA(a),
				       n < sizeof(*ti) ? n : sizeof(*ti));
				*state = m->idiag_state;
				found = 0;
			}
		}
	}
	close(fd);
	return found;
}

/*
 * The receiving ncdevmem in the RX namespace, as 95-ncdevmem runs it: it
 * sets sim0b up (header split, RSS, a 5-tuple rule), binds a udmabuf to
 * queues 2-3 and validates every frag (-v 7). Once it listens, its pid.
 */
static pid_t ncdevmem_server(const struct tx_run *r)
{
	char port[16], v[16];
	char *argv[] = { "ncdevmem", "-l", "-f", RX_IF, "-s", RX_ADDR,
			 "-c", TX_ADDR, "-p", port, "-v", v, "-t", "2",
			 "-q", "2", NULL };
	struct tcp_info ti;
	pid_t pid;
	int fd, i, state;

	snprintf(port, sizeof(port), "%d", r->port);
	snprintf(v, sizeof(v), "%d", VALIDATE);
	if (enter_ns(ns_rx))
		return -1;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		if (enter_ns(ns_rx))
			_exit(126);
		fd = open(RX_STDOUT, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(126);
		fd = open(RX_OUT, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execv(NCDEVMEM, argv);
		_exit(127);
	}
	for (i = 0; pid > 0 && i < RUN_SECONDS * 10; i++) {
		if (!sock_tcp_info(r->port, 0, 1 << TCP_LISTEN_, &ti, &state) ||
		    waitpid(pid, NULL, WNOHANG) == pid)
			break;
		msleep(100);
	}
	return pid;
}

/* What the receiving ncdevmem said. */
struct nc_rx_out {
	long frags, validated, failed;
	unsigned long long total;	/* the last "total_received=" */
	int exited;		/* "client exited": it read to EOF */
};

static void parse_rx(struct nc_rx_out *o)
{
	char line[512];
	FILE *f = fopen(RX_STDOUT, "r");

	memset(o, 0, sizeof(*o));
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (!strcmp(line, "Validated buffer\n"))
				o->validated++;
		fclose(f);
	}
	f = fopen(RX_OUT, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "received frag_page=", 19))
			o->frags++;
		else if (!strncmp(line, "Failed validation", 17))
			o->failed++;
		else if (!strncmp(line, "total_received=", 15))
			o->total = strtoull(line + 15, NULL, 10);
		else if (strstr(line, "client exited"))
			o->exited = 1;
	}
	fclose(f);
}

/* A listening socket on RX_ADDR:@port in the RX namespace, or -errno. */
static int listen_rx(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int fd, one = 1, err = 0;

	inet_pton(AF_INET, RX_ADDR, &a.sin_addr);
	if (enter_ns(ns_rx))
		return -EIO;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/*
 * The plain receiver: accepts on @lfd, reads to EOF into @buf (up to
 * @cap; more is counted, not kept). The bytes read, or -errno; the
 * connection stays open in *@cfd (the sender's socket in FIN_WAIT2).
 */
static long long receive_all(int lfd, unsigned char *buf, size_t cap,
			     int *cfd)
{
	static unsigned char spill[65536];
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	long long got = 0;
	ssize_t n;

	if (poll(&p, 1, RUN_SECONDS * 1000) != 1)
		return -ETIMEDOUT;
	*cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (*cfd < 0)
		return -errno;
	p.fd = *cfd;
	for (;;) {
		if (poll(&p, 1, RUN_SECONDS * 1000) != 1)
			return -ETIMEDOUT;
		if ((size_t)got < cap)
			n = recv(*cfd, buf + got, cap - got, 0);
		else
			n = recv(*cfd, spill, sizeof(spill), 0);
		if (n < 0)
			return -errno;
		if (!n)
			return got;
		got += n;
	}
}

/* The sending ncdevmem's own checks: exit, "tx ok", a send per line. */
static void client_results(const struct tx_run *r, int rc)
{
	char zopt[16] = "";
	struct nc_out o;

	parse_out(&o);
	if (r->chunk)
		snprintf(zopt, sizeof(zopt), " -z %d", r->chunk);
	if (!t_ok(rc == 0 && o.tx_ok && o.bound,
		  "%s: ncdevmem -f %s -s %s -c %s -p %d%s bound a udmabuf for TX, said \"tx ok\" and exits 0",
		  r->tag, TX_IF, RX_ADDR, TX_ADDR, r->port, zopt)) {
		t_diag("exit status %d", rc);
		diag_out(20);
	}
	t_ok(o.sends == r->lines && o.completions == r->lines,
	     "%s: one devmem sendmsg and one completion per line: %d and %d of %d",
	     r->tag, o.sends, o.completions, r->lines);
}

/* sim0b's bytes written into the bound queues 2 and 3. */
static long long rx_unreadable(void)
{
	return queue_stat(RX_IF, 2, "unreadable_bytes") +
	       queue_stat(RX_IF, 3, "unreadable_bytes");
}

/*
 * ncdevmem to ncdevmem, devmem on both sides, as its header describes:
 * the receiving one validates (-v 7) what the sending one read from its
 * udmabuf. The receiver closes at EOF, so the sender's socket ends in
 * TIME_WAIT without tcp_info: what sim0a read from the TX binding is
 * checked against what sim0b wrote into the RX binding instead.
 */
static void run_nc_rx(const struct tx_run *r, size_t len)
{
	long long q0[MAX_QUEUES], q1[MAX_QUEUES], b0, b1, u0, u1;
	struct nc_rx_out o;
	pid_t srv, pid;
	int rc, src;

	u0 = rx_unreadable();
	b0 = devmem_bytes(q0);
	srv = ncdevmem_server(r);
	pid = ncdevmem_client(r);
	rc = ncdevmem_wait(pid, RUN_SECONDS);
	src = ncdevmem_wait(srv, RUN_SECONDS);
	b1 = devmem_bytes(q1);
	u1 = rx_unreadable();
	enter_ns(ns_rx);
	client_results(r, rc);
	parse_rx(&o);
	if (!t_ok(src == 0 && o.exited,
		  "%s: ncdevmem -l -f %s -s %s -c %s -p %d -v %d -t 2 -q 2 read to EOF and exits 0",
		  r->tag, RX_IF, RX_ADDR, TX_ADDR, r->port, VALIDATE))
		t_diag("exit status %d", src);
	t_ok(o.frags > 0 && o.validated == o.frags && !o.failed &&
	     o.total == len,
	     "%s: its validation (-v %d) passed for every frag: %ld frags, %ld validated, %ld failed, %llu of %zu bytes",
	     r->tag, VALIDATE, o.frags, o.validated, o.failed, o.total, len);
	if (!t_ok(b0 >= 0 && u0 >= 0 && b1 - b0 >= (long long)len &&
		  b1 - b0 == u1 - u0,
		  "%s: what %s read from the TX binding (%lld bytes) is what %s wrote into the RX binding (%lld), the payload %zu and what TCP sent again",
		  r->tag, TX_IF, b1 - b0, RX_IF, u1 - u0, len)) {
		dump_queues(TX_IF);
		dump_queues(RX_IF);
	}
}

static void run_tx(const struct tx_run *r)
{
	long long q0[MAX_QUEUES], q1[MAX_QUEUES], b0, b1, got;
	unsigned char *in = NULL, *rx = NULL;
	struct tcp_info ti = {};
	int lfd, cfd = -1, rc, state = -1, err, i;
	char queues[128] = "";
	size_t len, bad = 0;
	pid_t pid;

	len = make_input(r, &in);
	rx = len ? malloc(len) : NULL;
	if (!t_ok(rx != NULL, "%s: %d lines (%zu bytes) as its input",
		  r->tag, r->lines, len))
		goto out;
	if (r->nc_rx) {
		run_nc_rx(r, len);
		goto out;
	}
	lfd = listen_rx(r->port);
	if (!t_ok(lfd >= 0, "%s: a plain receiver on %s:%d", r->tag, RX_ADDR,
		  r->port)) {
		t_diag("%s", strerror(-lfd));
		goto out;
	}
	b0 = devmem_bytes(q0);
	pid = ncdevmem_client(r);
	got = receive_all(lfd, rx, len, &cfd);
	rc = ncdevmem_wait(pid, RUN_SECONDS);
	b1 = devmem_bytes(q1);
	enter_ns(ns_tx);
	err = sock_tcp_info(r->port, r->port, ~0u, &ti, &state);
	enter_ns(ns_rx);
	client_results(r, rc);
	if (got == (long long)len)
		for (bad = 0; bad < len && rx[bad] == in[bad]; bad++)
			;
	if (!t_ok(got == (long long)len && bad == len,
		  "%s: the receiver got its input byte for byte: %lld of %zu bytes",
		  r->tag, got, len)) {
		if (got < 0)
			t_diag("receive: %s", strerror((int)-got));
		else if (got == (long long)len)
			t_diag("first difference at byte %zu", bad);
	}
	if (!t_ok(!err, "%s: tcp_info of its socket (state %d) after it exited",
		  r->tag, state))
		t_diag("sock_diag (tcp_diag): %s", strerror(-err));
	for (i = 0; i < MAX_QUEUES; i++)
		if (q1[i] != q0[i])
			snprintf(queues + strlen(queues),
				 sizeof(queues) - strlen(queues), " tx%d +%lld",
				 i, q1[i] - q0[i]);
	/* A retransmitted segment is read from the dma-buf again. */
	if (!t_ok(!err && b0 >= 0 && b1 - b0 == (long long)(len + ti.tcpi_bytes_retrans),
		  "%s: %s's TX queues read the payload plus what TCP sent again from the binding's DMA addresses: %lld = %zu + %llu (%s )",
		  r->tag, TX_IF, b1 - b0, len,
		  (unsigned long long)ti.tcpi_bytes_retrans, queues))
		dump_queues(TX_IF);
	if (cfd >= 0)
		close(cfd);
	close(lfd);
out:
	free(in);
	free(rx);
}

/* The binding keeps its udmabuf pinned until the NIC is done with it. */
static void wait_unpinned(const struct pins *base)
{
	struct pins now;
	int i;

	for (i = 0; i < 300; i++) {
		/* The RX binding's net_iovs wait for NET_RX on their CPU. */
		kick_net_rx(ns_rx);
		kick_net_rx(ns_tx);
		pins_get(&now);
		if (now.gup == base->gup)
			break;
		msleep(100);
	}
	if (!t_ok(now.gup == base->gup,
		  "ncdevmem's udmabuf unpinned after it exited (%.1f s)", i / 10.0))
		pins_diag(base, &now);
}

int main(void)
{
	const struct tx_run runs[] = {
		/* Lines up to 1 MiB, one iov each: about 10 MiB. */
		{ "lines", PORT, 0, 20, 1 << 20, 0x9e3779b97f4a7c15ull, 0 },
		/* -z 3, as its selftest: 3-byte iovs, 1024 a line at most. */
		{ "-z 3", PORT + 1, 3, 16, 3 * 1024, 0xc2b2ae3d27d4eb4full, 0 },
		/* To ncdevmem -l -v 7: its pattern, a 7-byte line a send. */
		{ "to ncdevmem", PORT + 2, 0, 64, VALIDATE, 0, 1 },
	};
	char ver[128] = "";
	struct pins base;
	unsigned int i;

	t_init();
	pins_get(&base);
	if (access(NCDEVMEM, X_OK))
		t_skip_all("no " NCDEVMEM " in this guest (tests/vm/ncdevmem/build.sh builds it for 6.12 and 7.3)");
	read_text(NCDEVMEM_DIR "/VERSION", ver, sizeof(ver));
	t_diag("ncdevmem: %s", strtok(ver, "\n") ?: "no VERSION");
	if (!strncmp(ver, "6.", 2))
		t_skip_all("6.x's ncdevmem has no TX mode (devmem TX is 6.16+)");
	if (!kernel_at_least(6, 16))
		t_skip_all("devmem TX (NETDEV_CMD_BIND_TX) needs Linux 6.16+");
	signal(SIGPIPE, SIG_IGN);
	/* The receiving one runs "ethtool ..." through the shell. */
	setenv("PATH", NCDEVMEM_DIR "/bin:/bin:/sbin:/usr/bin:/usr/sbin", 1);
	/* sock_diag's TCP part, a module in Debian's kernels. */
	if (system("modprobe tcp_diag >/dev/null 2>&1"))
		t_diag("modprobe tcp_diag failed (built in?)");
	load_simnic();
	if (setup_namespaces())
		goto out;
	enter_ns(ns_tx);
	if (!t_ok(write_text("/proc/sys/net/ipv4/tcp_fin_timeout", FIN_TIMEOUT) == 0,
		  "tcp_fin_timeout %s s in the sender's namespace", FIN_TIMEOUT))
		goto out;
	enter_ns(ns_rx);
	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++)
		run_tx(&runs[i]);
	wait_unpinned(&base);
out:
	enter_ns(ns_init);
	if (module_loaded(SIMNIC_MODULE))
		t_rmmod(SIMNIC_MODULE);
	close(ns_tx);
	close(ns_rx);
	close(ns_init);
	return t_finish();
}
