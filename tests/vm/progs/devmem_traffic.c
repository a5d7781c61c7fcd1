// SPDX-License-Identifier: GPL-2.0
/*
 * devmem traffic through the simulated NIC pair (tests/kmod/simnic), shared
 * by the programs that carry it: sim0a in one network namespace, sim0b in
 * another, a TCP port steered to a devmem queue, a known byte pattern sent
 * and received with MSG_SOCK_DEVMEM, each frag's bytes checked in the
 * creator's memory at the offset the kernel reports (devmem_traffic.h).
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
#include "devmem_traffic.h"
#include "netdev.h"

int ns_init = -1, ns_tx = -1, ns_rx = -1;

/* --- the byte pattern: any stream offset, any length ------------------ */

static uint64_t pat_word(uint64_t seed, uint64_t off)
{
	uint64_t x = (seed + 1) * 0x9e3779b97f4a7c15ULL ^ off;

	return x ^ (x >> 29);
}

void pat_fill(unsigned char *dst, size_t len, uint64_t seed,
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
long long pat_check(const unsigned char *p, size_t len, uint64_t seed,
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

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The NIC's per-queue counters, as diagnostics. */
void dump_queues(const char *ifname)
{
	char buf[4096], *line, *save;

	if (simnic_read(ifname, "queues", buf, sizeof(buf)) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		t_diag("%s %s", ifname, line);
}

/* --- interfaces, in the current namespace -------------------------------- */

int if_set_mtu(const char *ifname, int mtu)
{
	struct ifreq ifr = {};

	ifr.ifr_mtu = mtu;
	return if_ioctl(ifname, SIOCSIFMTU, &ifr);
}

/* ethtool -N IFNAME flow-type tcp4 dst-port PORT action QUEUE */
int ethtool_steer(const char *ifname, int port, int queue,
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

int ethtool_get_rule(const char *ifname, uint32_t loc,
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
 * A connected pair: *lfd listening in the RX namespace, the client socket
 * returned, made in the TX namespace. Leaves us in the RX namespace.
 */
/*
 * A seed of its own per transfer (FNV-1a of the tag): two transfers of the
 * same size and MTU, such as the two-queue test's, expect different bytes,
 * so payload delivered into the other flow's buffers shows.
 */
uint64_t tag_seed(const char *tag)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*tag)
		h = (h ^ (unsigned char)*tag++) * 0x100000001b3ULL;
	return h;
}

uint64_t transfer_seed(const char *tag, int mtu, size_t len)
{
	return tag_seed(tag) ^ (uint64_t)mtu ^ len;
}

/* The sender child: @len bytes of the pattern, then EOF. */
void send_pattern(int fd, uint64_t seed, size_t len)
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
	long long bad = p ? pat_check(p, size, seed, r->bytes) : 0;

	if (!p && !r->bad_data++)
		printf("# %s frag of %u bytes across two ranges\n", what, size);
	else if (p && bad >= 0 && !r->bad_data++)
		printf("# %s bytes at stream offset %llu differ from the pattern\n",
		       what, (unsigned long long)(r->bytes + bad));
}

/*
 * The creator's address of @size bytes at dma-buf offset @off: a frag
 * lies in one net_iov, and ranges are whole pages, so never across two.
 * NULL if it does (counted as bad data by check_frag).
 */
static const unsigned char *devbuf_addr(const struct devbuf *db, uint64_t off,
					uint32_t size)
{
	unsigned int i;

	if (!db->nr_ranges)
		return db->mem + off;
	for (i = 0; i < db->nr_ranges; i++) {
		if (off < db->ranges[i].len)
			return off + size <= db->ranges[i].len ?
			       (const unsigned char *)(uintptr_t)
			       db->ranges[i].addr + off : NULL;
		off -= db->ranges[i].len;
	}
	return NULL;
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
				check_frag(devbuf_addr(db, dc->frag_offset,
						       dc->frag_size),
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
void devmem_transfer(const char *tag, const struct devbuf *db, int mtu,
			    size_t len)
{
	uint64_t seed = transfer_seed(tag, mtu, len);
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
		if (db->send)
			db->send(cfd, seed, len, db->send_arg);
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

void load_simnic(void)
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

/*
 * Two new namespaces, the pair's ports moved into them and up with their
 * addresses (and lo); ends in the receiver's. Returns -errno.
 */
int netns_pair(void)
{
	int err = 0;

	ns_tx = new_netns();
	ns_rx = new_netns();
	if (ns_tx < 0 || ns_rx < 0)
		return ns_tx < 0 ? ns_tx : ns_rx;
	err = link_set_netns(TX_IF, ns_tx);
	if (!err)
		err = link_set_netns(RX_IF, ns_rx);
	if (!err)
		err = enter_ns(ns_tx);
	if (!err)
		err = if_setup(TX_IF, TX_ADDR);
	if (!err)
		err = if_set_up("lo", 1);
	if (!err)
		err = enter_ns(ns_rx);
	if (!err)
		err = if_setup(RX_IF, RX_ADDR);
	return err;
}

int setup_namespaces(void)
{
	int err;

	ns_init = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (!t_ok(ns_init >= 0, "the initial network namespace"))
		return -1;
	err = netns_pair();
	if (!t_ok(!err, "%s %s/24 (and lo) and %s %s/24 up, in two new namespaces",
		  TX_IF, TX_ADDR, RX_IF, RX_ADDR)) {
		t_diag("%s", strerror(-err));
		return -1;
	}
	return 0;
}

int setup_steering(void)
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
