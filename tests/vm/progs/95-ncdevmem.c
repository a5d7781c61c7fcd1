// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own devmem selftest tool, ncdevmem, unmodified and built
 * from the source of the running kernel (tests/vm/ncdevmem/build.sh, which
 * puts it and trixie's ethtool under /opt/ncdevmem), as the receiver on
 * the simulated NIC: it configures the port with ethtool as on a real NIC
 * (header split, RSS away from its queues, a 5-tuple ntuple rule), binds a
 * udmabuf to RX queues 2-3, checks that the core refuses to deactivate a
 * bound queue, and receives a stream from the other namespace with its own
 * validation (-v 7). Passes if it exits 0 with every frag validated, the
 * channel refusal came from the core's memory provider check, and what it
 * received as devmem frags is what the NIC wrote into the bound queue
 * (bytes exactly; frags between the NIC's and that plus one per recvmsg,
 * where a frag can end up split).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/tcp.h>

#include "common.h"
#include "devmem_traffic.h"
#include "netdev.h"

#define NCDEVMEM_DIR "/opt/ncdevmem"
#define NCDEVMEM NCDEVMEM_DIR "/bin/ncdevmem"
#define SHIM_DIR "/tmp/ncdevmem-path"
#define OUT_FILE "/tmp/ncdevmem.out"	/* its stderr: one line per frag */
#define STDOUT_FILE "/tmp/ncdevmem.stdout"	/* "Validated buffer" lines */
#define NC_PORT 5201
#define NC_QUEUE 2		/* -t 2 -q 2: queues 2 and 3 bound */
#define VALIDATE 7		/* -v 7: bytes 1, 2, ... 6, then 0 */
#define STREAM_BYTES (4u << 20)
#define RUN_SECONDS 90

/* Which tool: "6.12" or "7.3", the first word of /opt/ncdevmem/VERSION. */
static char tool[32];

/*
 * ncdevmem's pattern: byte i is (i + 1) % VALIDATE, where 7.x's
 * validate_buffer() expects '\n' in place of 0 (its sender is text).
 */
static unsigned char pattern_byte(uint64_t i)
{
	unsigned char v = (i + 1) % VALIDATE;

	return v || !strcmp(tool, "6.12") ? v : '\n';
}

/*
 * The environment of ncdevmem: ethtool on PATH, and a "sudo" that runs its
 * arguments (6.12's ncdevmem runs "sudo ethtool ..."; we are root).
 */
static int make_shim(void)
{
	char path[128];
	int fd;

	mkdir(SHIM_DIR, 0755);
	snprintf(path, sizeof(path), "%s/sudo", SHIM_DIR);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (fd < 0)
		return -errno;
	dprintf(fd, "#!/bin/sh\nexec \"$@\"\n");
	close(fd);
	return setenv("PATH", SHIM_DIR ":" NCDEVMEM_DIR "/bin:/bin:/sbin:/usr/bin:/usr/sbin", 1) ? -errno : 0;
}

/* ncdevmem ARGS... in the current namespace, output into OUT_FILE. */
static pid_t ncdevmem_start(char *const argv[])
{
	pid_t pid;
	int fd;

	fflush(stdout);
	pid = fork();
	if (pid)
		return pid;
	/* Apart: its stdout is block-buffered, its stderr not. */
	fd = open(STDOUT_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || dup2(fd, 1) < 0)
		_exit(126);
	fd = open(OUT_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || dup2(fd, 2) < 0)
		_exit(126);
	execv(NCDEVMEM, argv);
	_exit(127);
}

/* Its exit status, or -1 after killing it at the deadline. */
static int ncdevmem_wait(pid_t pid, int seconds)
{
	int status, i;

	for (i = 0; i < seconds * 10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) :
			       128 + WTERMSIG(status);
		msleep(100);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* What ncdevmem said, counted. */
struct nc_out {
	long frags;		/* "received frag_page=" lines */
	long validated;		/* "Validated buffer" */
	long failed;		/* "Failed validation" */
	long recvmsgs;		/* "recvmsg ret=" lines */
	unsigned long long total;	/* the last "total_received=" */
	int exited;		/* "client exited": it read to EOF */
	int mp_refusal;		/* the channel change refused as bound */
	int illegal;		/* "... should be illegal" */
};

static void parse_out(struct nc_out *o)
{
	char line[512], *p;
	FILE *f = fopen(STDOUT_FILE, "r");

	memset(o, 0, sizeof(*o));
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (!strcmp(line, "Validated buffer\n"))
				o->validated++;
		fclose(f);
	}
	f = fopen(OUT_FILE, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "received frag_page=", 19))
			o->frags++;
		else if (!strncmp(line, "recvmsg ret=", 12))
			o->recvmsgs++;
		else if (!strncmp(line, "Failed validation", 17))
			o->failed++;
		else if (strstr(line, "client exited"))
			o->exited = 1;
		if (strstr(line, "too low for existing memory provider"))
			o->mp_refusal = 1;
		if (strstr(line, "should be illegal"))
			o->illegal = 1;
		p = strstr(line, "total_received=");
		if (p && !strncmp(line, "total_received=", 15))
			o->total = strtoull(p + 15, NULL, 10);
	}
	fclose(f);
}

/* The last lines of ncdevmem's output, as diagnostics. */
static void diag_out(int lines)
{
	char buf[64][256];
	int n = 0, i;
	FILE *f = fopen(OUT_FILE, "r");

	if (!f)
		return;
	while (fgets(buf[n % 64], sizeof(buf[0]), f))
		n++;
	fclose(f);
	for (i = n > lines ? n - lines : 0; i < n; i++)
		t_diag("ncdevmem: %s", strtok(buf[i % 64], "\n") ?: "");
}

/*
 * The sender, in the TX namespace: from TX_ADDR:NC_PORT (the rule's source
 * port is ncdevmem's port) to RX_ADDR:NC_PORT once ncdevmem listens, the
 * stream of STREAM_BYTES, then EOF; *sfd stays open for its TCP_INFO.
 * 0 or -errno.
 */
static int send_stream(int *sfd)
{
	static unsigned char buf[256 * 1024 + VALIDATE];
	struct sockaddr_in src = { .sin_family = AF_INET,
				   .sin_port = htons(NC_PORT) };
	struct sockaddr_in dst = src;
	struct timeval tv = { .tv_sec = 30 };
	int one = 1, fd = -1, i, err = 0;
	size_t sent = 0, n;
	ssize_t r;

	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = pattern_byte(i);
	inet_pton(AF_INET, TX_ADDR, &src.sin_addr);
	inet_pton(AF_INET, RX_ADDR, &dst.sin_addr);
	if (enter_ns(ns_tx))
		return -EIO;
	/* ncdevmem sets the device up first (6.12: a second's sleep). */
	for (i = 0; i < 600; i++) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			break;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (!bind(fd, (struct sockaddr *)&src, sizeof(src)) &&
		    !connect(fd, (struct sockaddr *)&dst, sizeof(dst)))
			break;
		close(fd);
		fd = -1;
		msleep(100);
	}
	if (fd < 0) {
		enter_ns(ns_rx);
		return -ECONNREFUSED;
	}
	while (sent < STREAM_BYTES) {
		n = STREAM_BYTES - sent < sizeof(buf) - VALIDATE ?
		    STREAM_BYTES - sent : sizeof(buf) - VALIDATE;
		r = send(fd, buf + sent % VALIDATE, n, 0);
		if (r <= 0) {
			err = r < 0 ? -errno : -EPIPE;
			break;
		}
		sent += r;
	}
	if (!err && shutdown(fd, SHUT_WR))
		err = -errno;
	*sfd = fd;
	enter_ns(ns_rx);
	return err;
}

static void read_tool(void)
{
	char buf[128] = "";

	if (read_text(NCDEVMEM_DIR "/VERSION", buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "%31s", tool) != 1)
		snprintf(tool, sizeof(tool), "unknown");
	t_diag("ncdevmem: %s", strtok(buf, "\n") ?: "no VERSION");
}

/* 7.x: the setup checks run on their own (no -s/-c): channels among them. */
static void run_devmem_tests(void)
{
	char *argv[] = { "ncdevmem", "-f", RX_IF, "-t", "2", "-q", "2", NULL };
	struct nc_out o;
	int rc;

	rc = ncdevmem_wait(ncdevmem_start(argv), RUN_SECONDS);
	parse_out(&o);
	if (!t_ok(rc == 0, "ncdevmem -f %s -t 2 -q 2 (its bind and channel checks) exits 0",
		  RX_IF)) {
		t_diag("exit status %d", rc);
		diag_out(20);
	}
	t_ok(o.mp_refusal && !o.illegal,
	     "its channel change past the bound queues refused by the core's memory provider check");
}

static void run_server(void)
{
	char *argv[] = { "ncdevmem", "-l", "-f", RX_IF, "-s", RX_ADDR,
			 "-c", TX_ADDR, "-p", "5201", "-v", "7", "-t", "2",
			 "-q", "2", NULL };
	long long b0, s0, b1, s1, nic_bytes, nic_frags;
	struct tcp_info ti = {};
	socklen_t tlen = sizeof(ti);
	int rc, err, sfd = -1;
	struct nc_out o;
	pid_t pid;

	b0 = queue_stat(RX_IF, NC_QUEUE, "unreadable_bytes");
	s0 = queue_stat(RX_IF, NC_QUEUE, "split");
	pid = ncdevmem_start(argv);
	err = send_stream(&sfd);
	if (!t_ok(!err, "the sender in the other namespace: %u bytes from %s:%d to %s:%d",
		  STREAM_BYTES, TX_ADDR, NC_PORT, RX_ADDR, NC_PORT))
		t_diag("send: %s", strerror(-err));
	rc = ncdevmem_wait(pid, RUN_SECONDS);
	/* Every byte acknowledged: what the sender sent again is final. */
	if (sfd >= 0) {
		getsockopt(sfd, IPPROTO_TCP, TCP_INFO, &ti, &tlen);
		close(sfd);
	}
	parse_out(&o);
	b1 = queue_stat(RX_IF, NC_QUEUE, "unreadable_bytes");
	s1 = queue_stat(RX_IF, NC_QUEUE, "split");
	nic_bytes = b1 - b0;
	nic_frags = s1 - s0;

	if (!t_ok(rc == 0 && o.exited,
		  "ncdevmem -l -s %s -c %s -p %d -v %d -t 2 -q 2 read to EOF and exits 0",
		  RX_ADDR, TX_ADDR, NC_PORT, VALIDATE)) {
		t_diag("exit status %d", rc);
		diag_out(20);
	}
	if (!strcmp(tool, "6.12"))
		t_ok(o.mp_refusal && !o.illegal,
		     "its channel change past the bound queues refused by the core's memory provider check");
	t_ok(o.frags > 0 && o.validated == o.frags && !o.failed,
	     "its validation (-v %d) passed for every frag: %ld frags, %ld validated, %ld failed",
	     VALIDATE, o.frags, o.validated, o.failed);
	t_ok(o.total == STREAM_BYTES,
	     "it received the whole stream as devmem frags: %llu of %u bytes",
	     o.total, STREAM_BYTES);
	/*
	 * The NIC writes every frame the rule sends it, also what TCP sent
	 * again (tail loss probes of a busy receiver) and then dropped.
	 */
	t_ok(o.total && nic_bytes == (long long)(o.total + ti.tcpi_bytes_retrans),
	     "the NIC wrote as many bytes into the bound queue %d's dma-buf: %lld (%llu retransmitted by the sender)",
	     NC_QUEUE, nic_bytes, (unsigned long long)ti.tcpi_bytes_retrans);
	t_ok(nic_frags > 0 && o.frags + ti.tcpi_total_retrans >= nic_frags &&
	     o.frags <= nic_frags + o.recvmsgs,
	     "its frags match the NIC's payload buffers: %ld frags, the NIC %lld (%u segments sent again, up to %ld frags split at recvmsg ends)",
	     o.frags, nic_frags, ti.tcpi_total_retrans, o.recvmsgs);
}

/*
 * ncdevmem's udmabuf stays pinned while its binding lives, which is until
 * the last net_iov is back: kick NET_RX on every CPU until the pins are.
 */
static void wait_unpinned(const struct pins *base)
{
	struct pins now;
	int i;

	for (i = 0; i < 300; i++) {
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
	struct pins base;

	t_init();
	pins_get(&base);
	if (!kernel_at_least(6, 12))
		t_skip_all("devmem TCP needs Linux 6.12+");
	if (access(NCDEVMEM, X_OK))
		t_skip_all("no " NCDEVMEM " in this guest (tests/vm/ncdevmem/build.sh builds it for 6.12 and 7.3)");
	read_tool();
	/* ncdevmem may exit mid-stream (a failed validation): EPIPE, no signal. */
	signal(SIGPIPE, SIG_IGN);
	load_simnic();
	if (setup_namespaces() || !t_ok(make_shim() == 0,
					 "ethtool and a sudo shim on ncdevmem's PATH"))
		goto out;

	/* 6.12's runs these checks before serving; 7.x's on their own. */
	if (strcmp(tool, "6.12"))
		run_devmem_tests();
	run_server();
	dump_queues(RX_IF);
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
