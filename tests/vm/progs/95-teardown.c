// SPDX-License-Identifier: GPL-2.0
/*
 * 95-teardown: tearing down a devmem RX binding of our dma-buf while a
 * sender streams into it, on the simulated NIC pair (tests/kmod/simnic) in
 * two network namespaces, each case on a freshly loaded NIC:
 *
 *   kill     SIGKILL of the receiver while it holds its tokens;
 *   netns    the receiving namespace deleted (its last process killed),
 *            the bound port going back to the initial namespace;
 *   unplug   the NIC's device unbound from its driver through sysfs;
 *   close    the dma-buf's last fd closed while the queue holds net_iovs:
 *            the binding's own reference keeps it pinned until it goes.
 *
 * Each: the sender's send() fails (an errno, within a bound: no hang),
 * nothing stays pinned once the page pools drain (NET_RX kicked on every
 * CPU), and the NIC loads again afterwards. Skips before 6.12.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "devmem_traffic.h"
#include "netdev.h"

#define BUF_BYTES (16 * MIB)	/* 4096 net_iovs */
#define FLOWING (2 * MIB)	/* received before the teardown */
#define RX_CMSGS 256
#define SEND_TIMEOUT 1		/* s: SO_SNDTIMEO of the sender */
#define HANG_LIMIT 20		/* s: a side still running is hung */

enum teardown { KILL, NETNS, UNPLUG, CLOSE_FD };

static const char *const case_name[] = {
	[KILL] = "kill", [NETNS] = "netns", [UNPLUG] = "unplug",
	[CLOSE_FD] = "close",
};

/* What the two children report, in memory shared with them. */
struct progress {
	volatile uint64_t bytes;	/* devmem bytes received */
	volatile int bound;		/* binding id, or -errno */
	volatile int rx_err;		/* errno that ended the receiver */
	volatile int tx_err;		/* errno that ended the sender */
};

static struct progress *prog;
static int dev, family;
static unsigned char *mem;
static char unbind_path[PATH_MAX + 8], dev_name[64];

/* --- the two sides -------------------------------------------------------- */

/* Streams until send() fails; exits with its errno (0: never failed). */
static void sender(int fd)
{
	static unsigned char buf[SEND_CHUNK];
	struct timeval tv = { .tv_sec = SEND_TIMEOUT };
	uint64_t sent = 0;
	ssize_t r;

	alarm(HANG_LIMIT + 10);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memset(buf, 0x5a, sizeof(buf));
	while (sent < 64ULL * 1024 * MIB) {
		r = send(fd, buf, sizeof(buf), MSG_NOSIGNAL);
		if (r < 0) {
			prog->tx_err = errno;
			_exit(errno & 0xff ? errno & 0xff : 1);
		}
		sent += r;
	}
	_exit(0);
}

/* Gives the tokens of one recvmsg back, MAX_TOKENS at a time. */
static void return_tokens(int fd, struct devmem_token *tok, unsigned int n)
{
	unsigned int i, k;

	for (i = 0; i < n; i += k) {
		k = n - i < MAX_TOKENS ? n - i : MAX_TOKENS;
		setsockopt(fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, tok + i,
			   k * sizeof(*tok));
	}
}

/*
 * Binds the dma-buf to the devmem queue on its own netlink socket (so the
 * binding dies with it), drops its copy of the dma-buf fd, and receives
 * with MSG_SOCK_DEVMEM; @hold keeps every token.
 */
static void receiver(int afd, int dmabuf, int hold)
{
	static char ctrl[RX_CMSGS * CMSG_SPACE(sizeof(struct devmem_cmsg))];
	static struct devmem_token tok[RX_CMSGS];
	static unsigned char lin[4096];
	struct timeval tv = { .tv_sec = 2 };
	struct iovec iov = { lin, sizeof(lin) };
	struct devmem_cmsg *dc;
	struct msghdr msg = {};
	struct cmsghdr *cm;
	char ext[256];
	unsigned int n;
	long id;
	int gfd;

	alarm(HANG_LIMIT + 10);
	gfd = nl_open(NETLINK_GENERIC);
	id = bind_rx(gfd, family, if_nametoindex(RX_IF), DEVMEM_QUEUE, dmabuf,
		     0, ext, sizeof(ext));
	close(dmabuf);
	if (id <= 0) {
		printf("# bind: %s%s%s\n", strerror(-id), ext[0] ? ": " : "",
		       ext);
		prog->bound = id ? id : -EIO;
		_exit(1);
	}
	prog->bound = id;
	/* A receiver cut off from its NIC gives up, rather than hang. */
	setsockopt(afd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (;;) {
		ssize_t r;

		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = ctrl;
		msg.msg_controllen = sizeof(ctrl);
		r = recvmsg(afd, &msg, MSG_SOCK_DEVMEM);
		if (r <= 0) {
			prog->rx_err = r ? errno : 0;
			_exit(0);
		}
		n = 0;
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			if (cm->cmsg_level != SOL_SOCKET ||
			    cm->cmsg_type != SCM_DEVMEM_DMABUF_)
				continue;
			dc = (struct devmem_cmsg *)CMSG_DATA(cm);
			prog->bytes += dc->frag_size;
			tok[n].token_start = dc->frag_token;
			tok[n].token_count = 1;
			n++;
		}
		if (!hold)
			return_tokens(afd, tok, n);
	}
}

/* --- helpers -------------------------------------------------------------- */

/* waitpid() for up to @secs; the status, or -1 after killing a hung child. */
static int wait_exit(pid_t pid, double secs, double *took)
{
	double t0 = mono_sec();
	int status;

	while (mono_sec() - t0 < secs) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			*took = mono_sec() - t0;
			return status;
		}
		msleep(20);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	*took = mono_sec() - t0;
	return -1;
}

static int wait_bytes(uint64_t want, double secs)
{
	double t0 = mono_sec();

	while (mono_sec() - t0 < secs) {
		if (prog->bytes >= want)
			return 1;
		msleep(10);
	}
	return 0;
}

/*
 * The module's counters back at @base: the binding, once the last net_iov
 * is back in its page pool, drops the last reference of the dma-buf.
 */
static int wait_unpinned(const struct pins *base, double *took)
{
	double t0 = mono_sec();
	int i;

	for (i = 0; i < 300; i++) {
		if (mod_counter("buffers") == base->mod_buffers &&
		    mod_counter("pinned_bytes") == base->mod_bytes) {
			*took = mono_sec() - t0;
			return 1;
		}
		if (i % 10 == 9)
			kick_net_rx(ns_tx);
		msleep(100);
	}
	*took = mono_sec() - t0;
	return 0;
}

/* sysfs: the driver's unbind file and the device's name, while in init_net. */
static int find_unbind(void)
{
	char dev_path[PATH_MAX], drv_path[PATH_MAX];
	const char *slash;

	if (!realpath("/sys/class/net/" RX_IF "/device", dev_path) ||
	    !realpath("/sys/class/net/" RX_IF "/device/driver", drv_path))
		return -errno;
	slash = strrchr(dev_path, '/');
	snprintf(dev_name, sizeof(dev_name), "%s", slash + 1);
	snprintf(unbind_path, sizeof(unbind_path), "%s/unbind", drv_path);
	return 0;
}

/* A freshly loaded NIC, its ports in two new namespaces, port steered. */
static int setup(const char *tag)
{
	int err = simnic_load("pairs=1 queues=4");

	if (err == -ENOENT)
		t_skip_all(SIMNIC_MODULE " not built for this kernel");
	if (!t_ok(!err, "%s: modprobe " SIMNIC_MODULE, tag)) {
		t_diag("%s", err == -EBUSY ? "loaded and busy" :
		       "modprobe failed");
		return -1;
	}
	err = find_unbind();
	if (!err)
		err = netns_pair();
	if (!err)
		err = simnic_write(RX_IF, "steer", "5201 1");
	if (!err)
		err = simnic_write(RX_IF, "rss", "1");
	if (!t_ok(!err, "%s: ports in two namespaces, port %d steered to queue %d",
		  tag, PORT, DEVMEM_QUEUE)) {
		t_diag("%s", strerror(-err));
		return -1;
	}
	return 0;
}

static void drop_namespaces(void)
{
	enter_ns(ns_init);
	if (ns_tx >= 0)
		close(ns_tx);
	if (ns_rx >= 0)
		close(ns_rx);
	ns_tx = ns_rx = -1;
}

/* The sender's end: an errno, not a hang and not a clean exit. */
static void check_sender(const char *tag, pid_t tx)
{
	double took;
	int st = wait_exit(tx, HANG_LIMIT, &took);
	int err = prog->tx_err;

	if (!t_ok(st >= 0 && WIFEXITED(st) && err,
		  "%s: the sender's send() fails with an errno, not a hang",
		  tag)) {
		t_diag("status %#x (-1: still running after %d s), errno %d",
		       st, HANG_LIMIT, err);
		return;
	}
	t_diag("%s: sender: %s after %.2f s", tag, errname(err), took);
}

/* --- the cases ------------------------------------------------------------ */

static void netns_gone(const char *tag)
{
	double t0 = mono_sec();

	while (mono_sec() - t0 < 10 && !if_nametoindex(RX_IF))
		msleep(20);
	t_ok(if_nametoindex(RX_IF) > 0,
	     "%s: the namespace is deleted, %s back in the initial one", tag,
	     RX_IF);
	t_diag("%s: %s back after %.2f s", tag, RX_IF, mono_sec() - t0);
}

static void unplug(const char *tag)
{
	int err = write_text(unbind_path, dev_name);

	if (!t_ok(!err, "%s: %s unbound from its driver through sysfs", tag,
		  dev_name))
		t_diag("%s: %s", unbind_path, strerror(-err));
}

/*
 * With the dma-buf's last fd closed, the binding alone holds it: still
 * pinned, the stream still landing in it.
 */
static void close_last_fd(const char *tag, int *fd, const struct pins *base)
{
	uint64_t at;

	close(*fd);
	*fd = -1;
	at = prog->bytes;
	t_ok(wait_bytes(at + FLOWING, 10),
	     "%s: frags keep arriving after the fd is closed", tag);
	if (!t_ok(mod_counter("buffers") == base->mod_buffers + 1 &&
		  mod_counter("pinned_bytes") ==
		  base->mod_bytes + (long long)BUF_BYTES,
		  "%s: the binding keeps the buffer pinned", tag))
		t_diag("buffers %lld, pinned_bytes %lld", mod_counter("buffers"),
		       mod_counter("pinned_bytes"));
}

static void teardown_case(enum teardown c)
{
	const char *tag = case_name[c];
	double took, t_act, t0 = mono_sec();
	struct pins base;
	int fd, afd, cfd, st;
	pid_t rx, tx;

	memset(prog, 0, sizeof(*prog));
	if (setup(tag))
		goto out;
	pins_get(&base);
	fd = ud_create1(dev, mem, BUF_BYTES, URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(fd >= 0, "%s: dma-buf of %lu MiB", tag, BUF_BYTES / MIB))
		goto out;
	cfd = tcp_connect_pair(ns_rx, ns_tx, RX_ADDR, PORT, &afd);
	if (!t_ok(cfd >= 0, "%s: TCP connection", tag)) {
		close(fd);
		goto out;
	}

	rx = t_fork();
	if (rx == 0) {
		close(cfd);
		close(ns_rx);
		receiver(afd, fd, c == KILL);
	}
	close(afd);
	while (!prog->bound && mono_sec() - t0 < 10)
		msleep(10);
	tx = t_fork();
	if (tx == 0) {
		/*
		 * Holding nothing of the receiving namespace, nor the
		 * dma-buf: the close case's fd must be the last one.
		 */
		enter_ns(ns_tx);
		close(ns_rx);
		close(fd);
		sender(cfd);
	}
	close(cfd);

	if (!t_ok(prog->bound > 0 && wait_bytes(FLOWING, 10),
		  "%s: bound, %lu MiB streamed in as dma-buf frags", tag,
		  FLOWING / MIB)) {
		t_diag("binding %d, %llu bytes", prog->bound,
		       (unsigned long long)prog->bytes);
		kill(tx, SIGKILL);
		kill(rx, SIGKILL);
	}

	t_act = mono_sec();
	switch (c) {
	case KILL:
		kill(rx, SIGKILL);
		break;
	case NETNS:
		/* The receiver is the namespace's last holder: end it. */
		enter_ns(ns_init);
		close(ns_rx);
		ns_rx = -1;
		kill(rx, SIGKILL);
		break;
	case UNPLUG:
		unplug(tag);
		break;
	case CLOSE_FD:
		close_last_fd(tag, &fd, &base);
		kill(rx, SIGKILL);
		break;
	}
	check_sender(tag, tx);
	st = wait_exit(rx, HANG_LIMIT, &took);
	if (t_ok(st >= 0, "%s: the receiver ended", tag))
		t_diag("%s: receiver: %s", tag, WIFSIGNALED(st) ? "killed" :
		       prog->rx_err ? errname(prog->rx_err) : "EOF");

	if (c == NETNS)
		netns_gone(tag);
	if (fd >= 0) {
		t_ok(wait_attachments(dev, fd, 0, ns_tx),
		     "%s: the binding lets go of the dma-buf", tag);
		close(fd);
	}
	if (!t_ok(wait_unpinned(&base, &took),
		  "%s: nothing pinned once the page pools drain", tag))
		t_diag("buffers %lld (base %lld), pinned_bytes %lld (base %lld)",
		       mod_counter("buffers"), base.mod_buffers,
		       mod_counter("pinned_bytes"), base.mod_bytes);
	t_diag("%s: unpinned %.2f s after the teardown began; case %.1f s",
	       tag, mono_sec() - t_act, mono_sec() - t0);
out:
	drop_namespaces();
}

int main(void)
{
	enum teardown c;

	t_init();
	family = devmem_family();
	if (family < 0)
		t_skip_all("kernel without devmem TCP (no NETDEV_CMD_BIND_RX)");
	dev = dev_open();
	ns_init = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	prog = mmap(NULL, sizeof(*prog), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	mem = mmap(NULL, BUF_BYTES, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!t_ok(ns_init >= 0 && prog != MAP_FAILED && mem != MAP_FAILED,
		  "namespace fd and memory"))
		return t_finish();
	memset(mem, 0xa5, BUF_BYTES);

	for (c = KILL; c <= CLOSE_FD; c++)
		teardown_case(c);

	t_ok(simnic_load("pairs=1 queues=4") == 0,
	     "the NIC loads again after the teardowns");
	if (module_loaded(SIMNIC_MODULE))
		t_rmmod(SIMNIC_MODULE);
	munmap(mem, BUF_BYTES);
	munmap(prog, sizeof(*prog));
	close(ns_init);
	close(dev);
	return t_finish();
}
