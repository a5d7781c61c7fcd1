// SPDX-License-Identifier: GPL-2.0
/*
 * 95-simnic-devmem: devmem TCP end to end on our dma-buf, through the
 * test-only simulated NIC pair (tests/kmod/simnic). sim0a goes into one
 * network namespace, sim0b into another; 64 MiB of anonymous memory become
 * a dma-buf (URING_DMABUF_IOC_CREATE) bound to RX queue 1 of sim0b with
 * NETDEV_CMD_BIND_RX; an ethtool ntuple rule steers the test port there
 * and RSS keeps every other flow on queue 0. A known byte pattern sent over
 * TCP must come back as SCM_DEVMEM_DMABUF frags whose bytes, read through
 * the original mapping at the frag offsets, are the pattern (no linear
 * payload), at MTU 1500 and at MTU 9000 (payload split over pages), with
 * every token returned. Then: unbinding on netlink socket close, a plain
 * TCP receive on the unbound queue, one binding for two queues, unbinding
 * mid-stream, a receiver holding its tokens until the NIC runs out of
 * buffers, 16 KiB net_iovs (rx_page_size, 7.3), binding while the port is
 * down, removing the NIC module while a binding is still active, and a
 * bind refused without header split.
 *
 * Raw generic netlink and ioctls only: no libnl, no ip/ethtool binaries.
 * Skips on kernels without NETDEV_CMD_BIND_RX (before 6.12) and where the
 * simnic module was not built.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>

#include "common.h"
#include "netdev.h"

#define TX_IF "sim0a"
#define RX_IF "sim0b"
#define TX_ADDR "198.18.0.1"
#define RX_ADDR "198.18.0.2"
#define PORT 5201
#define DEVMEM_QUEUE 1

#define BUF_BYTES (64 * MIB)
#define XFER_BYTES (40 * MIB)
#define SEND_CHUNK (256 * 1024)
#define RECV_IOV (64 * 1024)
#define MAX_CMSGS 512
#define MAX_TOKENS 128		/* MAX_DONTNEED_TOKENS of the kernel */

static int ns_init = -1, ns_tx = -1, ns_rx = -1;

/* --- the byte pattern: any stream offset, any length ------------------ */

static uint64_t pat_word(uint64_t seed, uint64_t off)
{
	uint64_t x = (seed + 1) * 0x9e3779b97f4a7c15ULL ^ off;

	return x ^ (x >> 29);
}

static void pat_fill(unsigned char *dst, size_t len, uint64_t seed,
		     uint64_t off)
{
	while (len) {
		uint64_t w = pat_word(seed, off & ~7ULL);
		size_t b = off & 7, n = 8 - b;

		if (n > len)
			n = len;
		memcpy(dst, (unsigned char *)&w + b, n);
		dst += n;
		off += n;
		len -= n;
	}
}

/* Offset of the first wrong byte, or -1. */
static long long pat_check(const unsigned char *p, size_t len, uint64_t seed,
			   uint64_t off)
{
	static unsigned char want[PAGE_SZ * 4];
	size_t done = 0, n, i;

	while (done < len) {
		n = len - done < sizeof(want) ? len - done : sizeof(want);
		pat_fill(want, n, seed, off + done);
		if (memcmp(p + done, want, n))
			for (i = 0; i < n; i++)
				if (p[done + i] != want[i])
					return done + i;
		done += n;
	}
	return -1;
}

/* --- small helpers ------------------------------------------------------ */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The NIC's per-queue counters, as diagnostics. */
static void dump_queues(const char *ifname)
{
	char buf[4096], *line, *save;

	if (simnic_read(ifname, "queues", buf, sizeof(buf)) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		t_diag("%s %s", ifname, line);
}

/* --- netlink ------------------------------------------------------------ */

/* --- interfaces, in the current namespace -------------------------------- */

static int if_set_mtu(const char *ifname, int mtu)
{
	struct ifreq ifr = {};

	ifr.ifr_mtu = mtu;
	return if_ioctl(ifname, SIOCSIFMTU, &ifr);
}

/* ethtool -N IFNAME flow-type tcp4 dst-port PORT action QUEUE */
static int ethtool_steer(const char *ifname, int port, int queue,
			 uint32_t *loc)
{
	struct ethtool_rxnfc nfc = {};
	struct ifreq ifr = {};
	int err;

	nfc.cmd = ETHTOOL_SRXCLSRLINS;
	nfc.fs.flow_type = TCP_V4_FLOW;
	nfc.fs.h_u.tcp_ip4_spec.pdst = htons(port);
	nfc.fs.m_u.tcp_ip4_spec.pdst = 0xffff;
	nfc.fs.ring_cookie = queue;
	nfc.fs.location = RX_CLS_LOC_ANY;
	ifr.ifr_data = (void *)&nfc;
	err = if_ioctl(ifname, SIOCETHTOOL, &ifr);
	if (!err)
		*loc = nfc.fs.location;
	return err;
}

static int ethtool_get_rule(const char *ifname, uint32_t loc,
			    struct ethtool_rx_flow_spec *fs)
{
	struct ethtool_rxnfc nfc = {};
	struct ifreq ifr = {};
	int err;

	nfc.cmd = ETHTOOL_GRXCLSRULE;
	nfc.fs.location = loc;
	ifr.ifr_data = (void *)&nfc;
	err = if_ioctl(ifname, SIOCETHTOOL, &ifr);
	if (!err)
		*fs = nfc.fs;
	return err;
}

/* --- TCP ------------------------------------------------------------------- */

/*
 * A seed of its own per transfer (FNV-1a of the tag): two transfers of the
 * same size and MTU, such as the two-queue test's, expect different bytes,
 * so payload delivered into the other flow's buffers shows.
 */
static uint64_t tag_seed(const char *tag)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*tag)
		h = (h ^ (unsigned char)*tag++) * 0x100000001b3ULL;
	return h;
}

/* The sender child: @len bytes of the pattern, then EOF. */
static void send_pattern(int fd, uint64_t seed, size_t len)
{
	static unsigned char buf[SEND_CHUNK];
	size_t off = 0, n;
	ssize_t r;

	while (off < len) {
		n = len - off < sizeof(buf) ? len - off : sizeof(buf);
		pat_fill(buf, n, seed, off);
		r = send(fd, buf, n, MSG_NOSIGNAL);
		if (r <= 0) {
			printf("# sender: send at %zu: %s\n", off,
			       r ? strerror(errno) : "0");
			_exit(1);
		}
		off += r;
	}
	shutdown(fd, SHUT_WR);
	_exit(0);
}

/* --- devmem receive ------------------------------------------------------ */

/* A dma-buf bound to the devmem queue. */
struct devbuf {
	int fd;
	const unsigned char *mem;	/* the original mapping */
	size_t bytes;
	uint32_t binding;
	unsigned int buf_size;		/* rx_page_size: a page unless asked */
	int hold;	/* keep tokens until the socket runs dry */
	int port;	/* TCP port steered to a queue it is bound to */
	int *unbind_fd;	/* close this netlink socket (unbind) ... */
	uint64_t unbind_at;	/* ... once this many bytes came in */
};

struct rx_result {
	uint64_t bytes;		/* stream bytes received */
	uint64_t dmabuf_bytes;	/* ... as SCM_DEVMEM_DMABUF frags */
	uint64_t linear_bytes;	/* ... as SCM_DEVMEM_LINEAR */
	uint64_t frags;
	uint32_t max_frag;
	uint64_t tokens_freed;
	unsigned int dry;	/* times a holding receiver gave tokens back */
	int bad_id, bad_range, bad_data, bad_len, bad_dontneed, ctrunc;
	int err;		/* -errno of a failed recvmsg */
	double seconds;
};

static void devmem_sync(int dmabuf, uint64_t flags)
{
	struct dma_buf_sync sync = { .flags = flags | DMA_BUF_SYNC_READ };
	static int warned;

	if (ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync) && !warned++)
		printf("# DMA_BUF_IOCTL_SYNC: %s\n", strerror(errno));
}

/* Tokens of frags the receiver still holds. */
static struct devmem_token held[8192];
static unsigned int nheld;

static void return_tokens(int fd, struct rx_result *r)
{
	unsigned int i, n;
	int ret;

	for (i = 0; i < nheld; i += n) {
		n = nheld - i < MAX_TOKENS ? nheld - i : MAX_TOKENS;
		ret = setsockopt(fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, held + i,
				 n * sizeof(held[0]));
		if (ret < 0) {
			if (!r->bad_dontneed++)
				printf("# SO_DEVMEM_DONTNEED: %s\n",
				       strerror(errno));
			continue;
		}
		r->tokens_freed += ret;
	}
	nheld = 0;
}

static void hold_token(int fd, uint32_t token, struct rx_result *r)
{
	if (nheld == sizeof(held) / sizeof(held[0]))
		return_tokens(fd, r);
	held[nheld].token_start = token;
	held[nheld].token_count = 1;
	nheld++;
}

static void check_frag(const unsigned char *p, uint32_t size, uint64_t seed,
		       struct rx_result *r, const char *what)
{
	long long bad = pat_check(p, size, seed, r->bytes);

	if (bad >= 0 && !r->bad_data++)
		printf("# %s bytes at stream offset %llu differ from the pattern\n",
		       what, (unsigned long long)(r->bytes + bad));
}

/* One recvmsg(MSG_SOCK_DEVMEM): 0 at EOF, 1 after data, or -errno. */
static int devmem_recv_once(int fd, const struct devbuf *db, uint64_t seed,
			    struct rx_result *r)
{
	static unsigned char lin[RECV_IOV];
	static char ctrl[MAX_CMSGS * CMSG_SPACE(sizeof(struct devmem_cmsg))];
	struct iovec iov = { lin, sizeof(lin) };
	struct msghdr msg = {};
	struct devmem_cmsg *dc;
	struct cmsghdr *cm;
	size_t lin_off = 0;
	uint64_t seen = 0;
	ssize_t n;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctrl;
	msg.msg_controllen = sizeof(ctrl);
	n = recvmsg(fd, &msg, MSG_SOCK_DEVMEM | (db->hold ? MSG_DONTWAIT : 0));
	if (n < 0)
		return -errno;
	if (n == 0)
		return 0;
	if (msg.msg_flags & MSG_CTRUNC)
		r->ctrunc++;

	devmem_sync(db->fd, DMA_BUF_SYNC_START);
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    (cm->cmsg_type != SCM_DEVMEM_DMABUF_ &&
		     cm->cmsg_type != SCM_DEVMEM_LINEAR_))
			continue;
		dc = (struct devmem_cmsg *)CMSG_DATA(cm);

		if (cm->cmsg_type == SCM_DEVMEM_LINEAR_) {
			if (lin_off + dc->frag_size > sizeof(lin)) {
				r->bad_len++;
				break;
			}
			check_frag(lin + lin_off, dc->frag_size, seed, r,
				   "linear");
			lin_off += dc->frag_size;
			r->linear_bytes += dc->frag_size;
		} else {
			if (dc->dmabuf_id != db->binding && !r->bad_id++)
				printf("# frag of binding %u, want %u\n",
				       dc->dmabuf_id, db->binding);
			if (dc->frag_offset + dc->frag_size > db->bytes) {
				if (!r->bad_range++)
					printf("# frag at %llu+%u outside the dma-buf\n",
					       (unsigned long long)dc->frag_offset,
					       dc->frag_size);
			} else {
				check_frag(db->mem + dc->frag_offset,
					   dc->frag_size, seed, r, "dma-buf");
			}
			r->dmabuf_bytes += dc->frag_size;
			r->frags++;
			if (dc->frag_size > r->max_frag)
				r->max_frag = dc->frag_size;
			hold_token(fd, dc->frag_token, r);
		}
		r->bytes += dc->frag_size;
		seen += dc->frag_size;
	}
	devmem_sync(db->fd, DMA_BUF_SYNC_END);
	if (!db->hold)
		return_tokens(fd, r);

	/*
	 * Readable skbs (an unbound queue) come as plain bytes in the iov,
	 * without any cmsg; one recvmsg never mixes them with devmem ones.
	 */
	if (!seen && !msg.msg_controllen) {
		check_frag(lin, n, seed, r, "plain");
		r->linear_bytes += n;
		r->bytes += n;
		seen = n;
	}

	if (seen != (uint64_t)n && !r->bad_len++)
		printf("# recvmsg returned %zd, its cmsgs cover %llu bytes\n",
		       n, (unsigned long long)seen);
	return 1;
}

static void devmem_recv(int fd, const struct devbuf *db, uint64_t seed,
			struct rx_result *r)
{
	double t0 = now_s();
	int ret;

	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	memset(r, 0, sizeof(*r));
	for (;;) {
		ret = devmem_recv_once(fd, db, seed, r);
		if (db->unbind_fd && *db->unbind_fd >= 0 &&
		    r->bytes >= db->unbind_at) {
			close(*db->unbind_fd);
			*db->unbind_fd = -1;
			/* Let the rest of the stream find the queue unbound. */
			wait_stat(RX_IF, DEVMEM_QUEUE, "bound", 0);
		}
		if (ret > 0)
			continue;
		if (ret != -EAGAIN || !db->hold)
			break;
		/*
		 * A slow sender makes the socket run dry now and then: keep
		 * holding while data still trickles in, so that the NIC's
		 * pool does run out however fast each side is.
		 */
		if (poll(&pfd, 1, 1000) > 0)
			continue;
		/*
		 * Dry for a second, because the NIC's pool is: what we hold
		 * is all of the dma-buf. Giving it back lets the NIC receive
		 * again (the frames it dropped come back retransmitted).
		 */
		r->dry++;
		return_tokens(fd, r);
		if (poll(&pfd, 1, 30000) <= 0) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	return_tokens(fd, r);
	if (ret < 0)
		r->err = ret;
	r->seconds = now_s() - t0;
}

/*
 * One transfer of @len pattern bytes from the TX namespace to the bound
 * queue at @mtu, received with MSG_SOCK_DEVMEM; one result line each.
 */
static void devmem_transfer(const char *tag, const struct devbuf *db, int mtu,
			    size_t len)
{
	uint64_t seed = tag_seed(tag) ^ (uint64_t)mtu ^ len;
	struct rx_result r;
	int afd, cfd;
	pid_t pid;

	if (!t_ok(!enter_ns(ns_tx) && !if_set_mtu(TX_IF, mtu) &&
		  !enter_ns(ns_rx) && !if_set_mtu(RX_IF, mtu),
		  "%s: MTU %d on both ports", tag, mtu))
		return;

	cfd = tcp_connect_pair(ns_rx, ns_tx, RX_ADDR, db->port, &afd);
	if (!t_ok(cfd >= 0, "%s: TCP connection %s -> %s:%d", tag,
		  TX_ADDR, RX_ADDR, db->port)) {
		t_diag("%s", strerror(-cfd));
		return;
	}

	pid = t_fork();
	if (pid == 0) {
		close(afd);
		/* A copy of the binding's socket would keep it bound. */
		if (db->unbind_fd && *db->unbind_fd >= 0)
			close(*db->unbind_fd);
		send_pattern(cfd, seed, len);
	}
	close(cfd);
	devmem_recv(afd, db, seed, &r);
	close(afd);
	t_child(pid, "%s: sender wrote %zu bytes", tag, len);

	if (!t_ok(!r.err && r.bytes == len,
		  "%s: received all %zu bytes with MSG_SOCK_DEVMEM", tag,
		  len))
		t_diag("got %llu bytes, recvmsg: %s",
		       (unsigned long long)r.bytes,
		       r.err ? strerror(-r.err) : "EOF");
	if (db->unbind_fd) {
		/* The queue restarted with ordinary pages mid-stream. */
		if (!t_ok(r.dmabuf_bytes >= db->unbind_at &&
			  r.linear_bytes > 0 &&
			  r.dmabuf_bytes + r.linear_bytes == len,
			  "%s: dma-buf frags first, then plain payload", tag))
			t_diag("dma-buf %llu bytes, linear %llu bytes",
			       (unsigned long long)r.dmabuf_bytes,
			       (unsigned long long)r.linear_bytes);
	} else if (!t_ok(r.dmabuf_bytes == len && r.linear_bytes == 0,
			 "%s: all payload arrived as dma-buf frags, none linear",
			 tag)) {
		t_diag("dma-buf %llu bytes, linear %llu bytes",
		       (unsigned long long)r.dmabuf_bytes,
		       (unsigned long long)r.linear_bytes);
	}
	t_ok(!r.bad_data,
	     "%s: frag bytes read through the original mapping are the pattern",
	     tag);
	t_ok(!r.bad_id && !r.bad_range && !r.bad_len && !r.ctrunc,
	     "%s: frags name our binding, lie inside the dma-buf, cmsgs add up",
	     tag);
	if (!t_ok(!r.bad_dontneed && r.tokens_freed == r.frags,
		  "%s: every token returned with SO_DEVMEM_DONTNEED", tag))
		t_diag("%llu frags, %llu freed", (unsigned long long)r.frags,
		       (unsigned long long)r.tokens_freed);
	/* A frame's payload spans buffers, or fits one larger than a page. */
	if (mtu > (int)db->buf_size + 100)
		t_ok(r.max_frag == db->buf_size,
		     "%s: payload split over %u-byte netmems (largest frag %u)",
		     tag, db->buf_size, r.max_frag);
	else if (db->buf_size > PAGE_SZ)
		t_ok(r.max_frag > PAGE_SZ && r.max_frag <= db->buf_size,
		     "%s: one %u-byte netmem per frame (largest frag %u)",
		     tag, db->buf_size, r.max_frag);
	t_diag("%s: %llu bytes zero-copy in %llu frags, %.2f s, %.1f MB/s",
	       tag, (unsigned long long)r.dmabuf_bytes,
	       (unsigned long long)r.frags, r.seconds,
	       r.seconds > 0 ? r.bytes / r.seconds / 1e6 : 0.0);
	if (db->hold)
		t_diag("%s: gave all tokens back %u times", tag, r.dry);
}

/* After unbinding: the queue is an ordinary one again. */
static void plain_transfer(void)
{
	static unsigned char buf[RECV_IOV];
	size_t len = 4 * MIB, got = 0;
	long long before, after;
	int afd, cfd, bad = 0;
	pid_t pid;
	ssize_t n;

	before = queue_stat(RX_IF, DEVMEM_QUEUE, "unreadable_bytes");
	cfd = tcp_connect_pair(ns_rx, ns_tx, RX_ADDR, PORT, &afd);
	if (!t_ok(cfd >= 0, "unbound: TCP connection")) {
		t_diag("%s", strerror(-cfd));
		return;
	}
	pid = t_fork();
	if (pid == 0) {
		close(afd);
		send_pattern(cfd, 7, len);
	}
	close(cfd);
	while ((n = recv(afd, buf, sizeof(buf), 0)) > 0) {
		if (pat_check(buf, n, 7, got) >= 0)
			bad++;
		got += n;
	}
	close(afd);
	t_child(pid, "unbound: sender wrote %zu bytes", len);
	t_ok(got == len && !bad && n == 0,
	     "unbound: queue %d delivers readable payload to plain recv()",
	     DEVMEM_QUEUE);
	after = queue_stat(RX_IF, DEVMEM_QUEUE, "unreadable_bytes");
	t_ok(before >= 0 && after == before,
	     "unbound: nothing more was written to unreadable memory");
}

/* --- setup and the test -------------------------------------------------- */


static void load_simnic(void)
{
	int ret = simnic_load("pairs=1 queues=4");

	if (ret == -ENOENT)
		t_skip_all(SIMNIC_MODULE " not built for this kernel");
	if (!t_ok(ret == 0, "modprobe " SIMNIC_MODULE)) {
		if (ret == -EBUSY)
			t_diag("loaded and busy: an earlier program did not unload it");
		else
			t_diag("modprobe exited with %d", ret);
		exit(t_finish());
	}
}

static int setup_namespaces(void)
{
	int err;

	ns_init = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ns_tx = new_netns();
	ns_rx = new_netns();
	if (!t_ok(ns_init >= 0 && ns_tx >= 0 && ns_rx >= 0,
		  "two network namespaces"))
		return -1;

	err = link_set_netns(TX_IF, ns_tx);
	if (!err)
		err = link_set_netns(RX_IF, ns_rx);
	if (!t_ok(!err, "%s and %s moved into them", TX_IF, RX_IF)) {
		t_diag("RTM_NEWLINK IFLA_NET_NS_FD: %s", strerror(-err));
		return -1;
	}

	err = enter_ns(ns_tx);
	if (!err)
		err = if_setup(TX_IF, TX_ADDR);
	if (!err)
		err = if_set_up("lo", 1);
	if (!err)
		err = enter_ns(ns_rx);
	if (!err)
		err = if_setup(RX_IF, RX_ADDR);
	if (!t_ok(!err, "%s %s/24 (and lo) and %s %s/24 up", TX_IF, TX_ADDR,
		  RX_IF, RX_ADDR)) {
		t_diag("%s", strerror(-err));
		return -1;
	}
	return 0;
}

static int setup_steering(void)
{
	struct ethtool_rx_flow_spec fs = {};
	uint32_t loc = 0;
	char buf[256], want[64];
	int err;

	err = ethtool_steer(RX_IF, PORT, DEVMEM_QUEUE, &loc);
	if (!t_ok(!err, "ethtool ntuple: tcp4 dst-port %d -> queue %d", PORT,
		  DEVMEM_QUEUE)) {
		t_diag("ETHTOOL_SRXCLSRLINS: %s", strerror(-err));
		return -1;
	}
	err = ethtool_get_rule(RX_IF, loc, &fs);
	t_ok(!err && fs.flow_type == TCP_V4_FLOW &&
	     ntohs(fs.h_u.tcp_ip4_spec.pdst) == PORT &&
	     fs.ring_cookie == DEVMEM_QUEUE,
	     "ethtool ntuple: rule %u reads back", loc);
	snprintf(want, sizeof(want), "%u tcp4 %d %d\n", loc, PORT,
		 DEVMEM_QUEUE);
	t_ok(simnic_read(RX_IF, "steer", buf, sizeof(buf)) > 0 &&
	     strstr(buf, want), "debugfs steer lists the rule");
	/* Everything else stays off the devmem queue. */
	t_ok(simnic_write(RX_IF, "rss", "1") == 0,
	     "RSS spreads other flows over queue 0 only");
	return 0;
}

/*
 * Binds, runs the transfers, and unbinds by closing the netlink socket.
 * Returns 0 if the later tests can run.
 */
static int devmem_tests(int dev, struct devbuf *db, int family)
{
	char ext[256];
	int gfd, gfd2, ifindex, want;
	double t0, bind_us;
	long id, ret;

	ifindex = if_nametoindex(RX_IF);
	gfd = nl_open(NETLINK_GENERIC);
	if (!t_ok(ifindex > 0 && gfd >= 0, "netlink socket in %s's namespace",
		  RX_IF))
		return -1;

	t0 = now_s();
	id = bind_rx(gfd, family, ifindex, DEVMEM_QUEUE, db->fd, 0, ext,
		     sizeof(ext));
	bind_us = (now_s() - t0) * 1e6;
	if (!t_ok(id > 0, "NETDEV_CMD_BIND_RX of the dma-buf to %s queue %d",
		  RX_IF, DEVMEM_QUEUE)) {
		t_diag("%s%s%s", strerror(-id), ext[0] ? ": " : "", ext);
		close(gfd);
		return -1;
	}
	db->binding = id;
	t_diag("bind of %zu MiB took %.0f us, binding id %ld",
	       db->bytes / MIB, bind_us, id);
	t_ok(queue_stat(RX_IF, DEVMEM_QUEUE, "bound") == 1 &&
	     queue_stat(RX_IF, 0, "bound") == 0,
	     "queue %d has the memory provider, queue 0 not", DEVMEM_QUEUE);
	t_ok(wait_attachments(dev, db->fd, 1, ns_tx),
	     "the dma-buf has one attachment (the NIC's DMA device)");

	gfd2 = nl_open(NETLINK_GENERIC);
	ret = bind_rx(gfd2, family, ifindex, DEVMEM_QUEUE, db->fd, 0, ext,
		      sizeof(ext));
	if (!t_errno(ret < 0 ? ret : 0, EEXIST, "binding the queue twice fails"))
		t_diag("extack: %s", ext);
	/*
	 * A queue index past real_num_rx_queues: ERANGE from the bind itself
	 * up to 6.17; from 6.18 the request's queue list is checked first
	 * (netdev_nl_read_rxq_bitmap): EINVAL with the attribute marked bad.
	 */
	ret = bind_rx(gfd2, family, ifindex, 99, db->fd, 0, ext, sizeof(ext));
	want = kernel_at_least(6, 18) ? EINVAL : ERANGE;
	if (!t_errno(ret < 0 ? ret : 0, want, "binding a queue the device lacks "
		     "fails with %s", errname(want)))
		t_diag("binding %ld, extack: %s", ret, ext);
	close(gfd2);

	devmem_transfer("MTU 1500", db, 1500, XFER_BYTES);
	devmem_transfer("MTU 9000", db, 9000, XFER_BYTES);

	t_ok(queue_stat(RX_IF, DEVMEM_QUEUE, "unreadable_bytes") >=
	     (long long)(2 * XFER_BYTES),
	     "NIC counters: queue %d wrote the payload to unreadable netmems",
	     DEVMEM_QUEUE);
	dump_queues(TX_IF);
	dump_queues(RX_IF);
	t_ok(queue_stat(RX_IF, 0, "unreadable_bytes") == 0 &&
	     queue_stat(RX_IF, 2, "unreadable_bytes") == 0 &&
	     queue_stat(RX_IF, 3, "unreadable_bytes") == 0,
	     "NIC counters: unbound queues wrote no unreadable netmems");

	/* The kernel unbinds when the owning netlink socket closes. */
	close(gfd);
	t_ok(wait_stat(RX_IF, DEVMEM_QUEUE, "bound", 0),
	     "closing the netlink socket unbinds the queue");
	t_ok(wait_attachments(dev, db->fd, 0, ns_tx),
	     "the NIC detaches from the dma-buf once its pages are back");
	if (enter_ns(ns_tx) || if_set_mtu(TX_IF, 1500) || enter_ns(ns_rx) ||
	    if_set_mtu(RX_IF, 1500))
		t_diag("could not restore MTU 1500");
	plain_transfer();
	return 0;
}

/*
 * Unbinding while a flow runs: the queue restarts with ordinary pages under
 * traffic; the stream goes on, its rest arriving as linear data.
 */
static void unbind_midstream_test(int dev, struct devbuf *db, int family)
{
	char ext[256];
	long id;
	int gfd;

	enter_ns(ns_rx);
	gfd = nl_open(NETLINK_GENERIC);
	id = bind_rx(gfd, family, if_nametoindex(RX_IF), DEVMEM_QUEUE, db->fd,
		     0, ext, sizeof(ext));
	if (!t_ok(id > 0, "mid-stream: NETDEV_CMD_BIND_RX")) {
		t_diag("%s%s%s", strerror(-id), ext[0] ? ": " : "", ext);
		close(gfd);
		return;
	}
	db->binding = id;
	db->unbind_fd = &gfd;
	db->unbind_at = 2 * MIB;
	devmem_transfer("unbind mid-stream", db, 1500, 32 * MIB);
	db->unbind_fd = NULL;
	if (gfd >= 0)
		close(gfd);
	t_ok(wait_stat(RX_IF, DEVMEM_QUEUE, "bound", 0) &&
	     wait_attachments(dev, db->fd, 0, ns_tx),
	     "mid-stream: unbound and detached");
}

/*
 * A receiver that sits on its tokens runs the NIC's pool dry: the NIC must
 * drop frames (alloc_fail), neither corrupt nor leak anything, and TCP
 * recovers by retransmitting once the tokens come back.
 */
static void exhaustion_test(int dev, int family)
{
	struct devbuf db = { .bytes = MIB, .buf_size = PAGE_SZ, .hold = 1,
			     .port = PORT };
	long long fails0, fails1;
	unsigned char *mem;
	char ext[256];
	long id;
	int gfd;

	mem = mmap(NULL, db.bytes, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!t_ok(mem != MAP_FAILED, "exhaustion: mmap 1 MiB"))
		return;
	memset(mem, 0xa5, db.bytes);
	db.mem = mem;
	db.fd = ud_create1(dev, mem, db.bytes, URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(db.fd >= 0, "exhaustion: dma-buf of 1 MiB (256 net_iovs)"))
		goto out_unmap;

	enter_ns(ns_rx);
	gfd = nl_open(NETLINK_GENERIC);
	id = bind_rx(gfd, family, if_nametoindex(RX_IF), DEVMEM_QUEUE, db.fd,
		     0, ext, sizeof(ext));
	if (!t_ok(id > 0, "exhaustion: NETDEV_CMD_BIND_RX")) {
		t_diag("%s%s%s", strerror(-id), ext[0] ? ": " : "", ext);
		goto out_unbind;
	}
	db.binding = id;
	fails0 = queue_stat(RX_IF, DEVMEM_QUEUE, "alloc_fail");
	devmem_transfer("exhaustion", &db, 1500, 4 * MIB);
	fails1 = queue_stat(RX_IF, DEVMEM_QUEUE, "alloc_fail");
	t_ok(fails0 >= 0 && fails1 > fails0,
	     "exhaustion: the NIC ran out of buffers and dropped frames (%lld times)",
	     fails1 - fails0);

out_unbind:
	close(gfd);
	t_ok(wait_stat(RX_IF, DEVMEM_QUEUE, "bound", 0) &&
	     wait_attachments(dev, db.fd, 0, ns_tx),
	     "exhaustion: unbound and detached");
	close(db.fd);
out_unmap:
	munmap(mem, db.bytes);
}

/*
 * One binding for two queues: each gets its own page pool on the same
 * dma-buf, and a flow steered to either lands in it.
 */
static void two_queues_test(int dev, struct devbuf *db, int family)
{
	static const int queues[] = { DEVMEM_QUEUE, DEVMEM_QUEUE + 1 };
	long long q1, q2;
	char ext[256];
	long id;
	int gfd;

	enter_ns(ns_rx);
	if (!t_ok(simnic_write(RX_IF, "steer", "5202 2") == 0,
		  "two queues: debugfs steers dst-port 5202 to queue 2"))
		return;
	gfd = nl_open(NETLINK_GENERIC);
	id = bind_rx_queues(gfd, family, if_nametoindex(RX_IF), queues, 2,
			    db->fd, 0, ext, sizeof(ext));
	if (!t_ok(id > 0, "two queues: one NETDEV_CMD_BIND_RX for queues 1 and 2")) {
		t_diag("%s%s%s", strerror(-id), ext[0] ? ": " : "", ext);
		goto out_unbind;
	}
	db->binding = id;
	t_ok(queue_stat(RX_IF, 1, "bound") == 1 &&
	     queue_stat(RX_IF, 2, "bound") == 1,
	     "two queues: both have the memory provider");

	q1 = queue_stat(RX_IF, 1, "unreadable_bytes");
	q2 = queue_stat(RX_IF, 2, "unreadable_bytes");
	db->port = PORT;
	devmem_transfer("two queues, queue 1", db, 1500, 4 * MIB);
	db->port = 5202;
	devmem_transfer("two queues, queue 2", db, 1500, 4 * MIB);
	db->port = PORT;
	t_ok(queue_stat(RX_IF, 1, "unreadable_bytes") - q1 >= (long long)(4 * MIB) &&
	     queue_stat(RX_IF, 2, "unreadable_bytes") - q2 >= (long long)(4 * MIB),
	     "two queues: each flow was written by its own queue");

out_unbind:
	close(gfd);
	simnic_write(RX_IF, "steer", "5202 -1");
	t_ok(wait_stat(RX_IF, 1, "bound", 0) && wait_stat(RX_IF, 2, "bound", 0) &&
	     wait_attachments(dev, db->fd, 0, ns_tx),
	     "two queues: unbound and detached");
}

/*
 * 7.3: NETDEV_A_DMABUF_RX_PAGE_SIZE makes the net_iovs (and the queue's
 * buffers) larger than a page; the dma-buf's DMA segments must be aligned
 * to that size, so this one is made of transparent huge pages.
 */
static void rx_page_size_test(int dev, int family)
{
	const unsigned int size = 16384;
	struct uring_dmabuf_info info;
	struct devbuf db = { .bytes = 32 * MIB, .buf_size = size,
			     .port = PORT };
	char ext[256];
	struct mem m;
	long id;
	int gfd;

	if (mem_alloc(&m, MEM_THP, db.bytes)) {
		t_skip("no THP", "rx_page_size %u", size);
		return;
	}
	memset(m.p, 0xa5, db.bytes);
	db.mem = m.p;
	db.fd = ud_create1(dev, m.p, db.bytes, URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(db.fd >= 0, "rx_page_size: dma-buf from %zu MiB of THP",
		  db.bytes / MIB))
		goto out_free;
	if (ud_info(dev, db.fd, &info) || info.huge_bytes != db.bytes) {
		t_skip("memory not in huge pages", "rx_page_size %u", size);
		goto out_close;
	}

	enter_ns(ns_rx);
	gfd = nl_open(NETLINK_GENERIC);
	id = bind_rx(gfd, family, if_nametoindex(RX_IF), DEVMEM_QUEUE, db.fd,
		     size, ext, sizeof(ext));
	/* Older kernels reject the attribute they do not know. */
	if (id == -EINVAL && strstr(ext, "nknown attribute")) {
		t_skip("kernel without NETDEV_A_DMABUF_RX_PAGE_SIZE (7.3+)",
		       "rx_page_size %u", size);
		goto out_unbind;
	}
	if (!t_ok(id > 0, "NETDEV_CMD_BIND_RX with rx_page_size %u", size)) {
		t_diag("%s%s%s", strerror(-id), ext[0] ? ": " : "", ext);
		goto out_unbind;
	}
	db.binding = id;
	devmem_transfer("rx_page_size 16K, MTU 9000", &db, 9000, 16 * MIB);
	if (enter_ns(ns_tx) || if_set_mtu(TX_IF, 1500) || enter_ns(ns_rx) ||
	    if_set_mtu(RX_IF, 1500))
		t_diag("could not restore MTU 1500");

out_unbind:
	close(gfd);
	t_ok(wait_stat(RX_IF, DEVMEM_QUEUE, "bound", 0) &&
	     wait_attachments(dev, db.fd, 0, ns_tx),
	     "rx_page_size: unbound and detached");
out_close:
	close(db.fd);
out_free:
	mem_free(&m);
}

/*
 * Binding a closed device (6.12 restarts the queue anyway and the NIC keeps
 * the new pool for open; 7.x only checks that a pool takes the provider),
 * then opening it and receiving; then removing the NIC while that binding
 * is still active, which must be clean.
 */
static void down_and_teardown_test(int dev, struct devbuf *db, int family)
{
	char ext[256];
	int gfd, ifindex, err;
	long id;

	enter_ns(ns_rx);
	ifindex = if_nametoindex(RX_IF);
	err = if_set_up(RX_IF, 0);
	if (!t_ok(!err, "%s down", RX_IF))
		t_diag("%s", strerror(-err));
	gfd = nl_open(NETLINK_GENERIC);
	id = bind_rx(gfd, family, ifindex, DEVMEM_QUEUE, db->fd, 0, ext,
		     sizeof(ext));
	if (!t_ok(id > 0, "NETDEV_CMD_BIND_RX while %s is down", RX_IF)) {
		t_diag("%s%s%s", strerror(-id), ext[0] ? ": " : "", ext);
		close(gfd);
		return;
	}
	db->binding = id;
	t_ok(queue_stat(RX_IF, DEVMEM_QUEUE, "bound") == 1,
	     "queue %d has the memory provider while down", DEVMEM_QUEUE);
	err = if_set_up(RX_IF, 1);
	if (!t_ok(!err, "%s up again", RX_IF))
		t_diag("%s", strerror(-err));
	devmem_transfer("bound while down", db, 1500, 8 * MIB);

	enter_ns(ns_init);
	err = module_remove(SIMNIC_MODULE);
	if (!t_ok(!err, "rmmod " SIMNIC_MODULE " with a binding active"))
		t_diag("delete_module: %s", strerror(-err));
	close(gfd);
	t_ok(wait_attachments(dev, db->fd, 0, ns_tx),
	     "the dma-buf is detached after the NIC and the binding are gone");
}

/*
 * Without header split, payload would land in memory the stack cannot
 * read: the bind is refused (by the core from 6.14, by the NIC on 6.12).
 */
static void split_off_test(int dev, struct devbuf *db, int family)
{
	char ext[256];
	int gfd, ret;
	long id;

	enter_ns(ns_init);
	ret = system("modprobe " SIMNIC_MODULE " tcp_data_split=0 >/dev/null 2>&1");
	if (!t_ok(ret == 0, "modprobe " SIMNIC_MODULE " tcp_data_split=0"))
		return;
	gfd = nl_open(NETLINK_GENERIC);
	id = bind_rx(gfd, family, if_nametoindex(RX_IF), DEVMEM_QUEUE, db->fd,
		     0, ext, sizeof(ext));
	if (!t_errno(id < 0 ? id : 0, EINVAL,
		     "tcp-data-split off: NETDEV_CMD_BIND_RX refused"))
		t_diag("extack: %s", ext);
	else if (ext[0])
		t_diag("extack: %s", ext);
	close(gfd);
	t_ok(wait_attachments(dev, db->fd, 0, ns_tx),
	     "tcp-data-split off: nothing stays attached");
	t_rmmod(SIMNIC_MODULE);
}

int main(void)
{
	struct devbuf db = { .bytes = BUF_BYTES, .buf_size = PAGE_SZ,
			     .port = PORT };
	unsigned char *mem;
	int dev, family;

	t_init();

	family = devmem_family();
	if (family < 0)
		t_skip_all("kernel without devmem TCP (no NETDEV_CMD_BIND_RX)");

	dev = dev_open();
	load_simnic();

	mem = mmap(NULL, db.bytes, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!t_ok(mem != MAP_FAILED, "mmap %zu MiB", db.bytes / MIB))
		return t_finish();
	/* Poison, so bytes the NIC never wrote cannot pass for payload. */
	memset(mem, 0xa5, db.bytes);
	db.mem = mem;
	db.fd = ud_create1(dev, mem, db.bytes, URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(db.fd >= 0, "dma-buf from %zu MiB of anonymous memory",
		  db.bytes / MIB)) {
		t_diag("%s", errname(-db.fd));
		goto out_unmap;
	}

	if (setup_namespaces() || setup_steering())
		goto out_close;
	if (devmem_tests(dev, &db, family) == 0) {
		two_queues_test(dev, &db, family);
		unbind_midstream_test(dev, &db, family);
		exhaustion_test(dev, family);
		rx_page_size_test(dev, family);
		down_and_teardown_test(dev, &db, family);
		split_off_test(dev, &db, family);
	}

out_close:
	close(db.fd);
out_unmap:
	munmap(mem, db.bytes);
	enter_ns(ns_init);
	if (module_loaded(SIMNIC_MODULE))
		t_rmmod(SIMNIC_MODULE);
	close(ns_tx);
	close(ns_rx);
	close(ns_init);
	close(dev);
	return t_finish();
}
