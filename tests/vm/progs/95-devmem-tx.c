// SPDX-License-Identifier: GPL-2.0
/*
 * 95-devmem-tx: devmem TX from our dma-bufs through the simulated NIC pair
 * (NETDEV_CMD_BIND_TX, 6.16+). A READONLY dma-buf of each memory kind
 * (CREATE_FIXED_RO of an io_uring registered buffer, anonymous, THP,
 * hugetlb memfd) is bound for TX on sim0a and sent from with
 * sendmsg(MSG_ZEROCOPY) and an SCM_DEVMEM_DMABUF cmsg, the iov giving
 * dma-buf offsets: to a devmem RX binding of another dma-buf on sim0b
 * (every byte checked in the receiver's memory at the frag offsets,
 * devmem_traffic.c) and to a plain recv() receiver. The NIC reads the
 * payload through the binding's DMA addresses; its per-queue devmem_bytes
 * counter must equal the payload. Every send's MSG_ZEROCOPY completion
 * comes exactly once, never with SO_EE_CODE_ZEROCOPY_COPIED, and never
 * before the NIC has read the bytes. Then the errors: BIND_TX as nobody
 * (upstream needs no CAP_NET_ADMIN, BIND_RX does), a READONLY dma-buf
 * bound for RX, offsets past the end, a send after unbind, a binding of
 * the other port, an RX binding's id, the devmem cmsg through io_uring's
 * IORING_OP_SENDMSG_ZC: clean errnos, nothing left pinned. Teardown while
 * streaming: SIGKILL of the sender, an unbind; the NIC detaches each time.
 *
 * Skips before 6.16 (no NETDEV_CMD_BIND_TX) and where the simnic module
 * was not built.
 */
#include <errno.h>
#include <liburing.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <signal.h>
#include <grp.h>
#include <unistd.h>

#include <linux/errqueue.h>
#include <linux/tcp.h>
#include <linux/netlink.h>

#include "common.h"
#include "devmem_traffic.h"
#include "netdev.h"
#include "uring.h"

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif
#ifndef SO_EE_ORIGIN_ZEROCOPY
#define SO_EE_ORIGIN_ZEROCOPY 5
#endif
#ifndef SO_EE_CODE_ZEROCOPY_COPIED
#define SO_EE_CODE_ZEROCOPY_COPIED 1
#endif

#define TX_BYTES (4 * MIB)	/* each source dma-buf, all of it sent */
#define RX_BYTES (8 * MIB)	/* the devmem receiver's dma-buf */
#define TX_MTU 9000
#define TX_CHUNK (64 * 1024)	/* bytes per sendmsg */
#define MAX_SENDS 4096
#define PLAIN_PORT (PORT + 1)	/* not steered: queue 0, no binding */
#define TX_QUEUE_PLAIN 0

static int dev, family;
/* The receiver's netlink socket, in sim0b's namespace. */
static int rx_gfd = -1;

/* A TX-bound dma-buf, and what its sender child saw (shared mapping). */
struct tx_src {
	const char *tag;
	int fd;			/* the READONLY dma-buf */
	uint32_t id;		/* its BIND_TX binding */
	uint64_t seed;		/* the pattern its memory holds */
	int queue;		/* the TX queue the flow takes */
	long long dev_base;	/* that queue's devmem_bytes before */
	/* filled by the sender child */
	uint64_t sent;
	unsigned int sends;
	unsigned int completions;	/* notifications read */
	unsigned int dup, copied, early, missing;
	uint64_t retrans;	/* TCP's retransmitted bytes: read again */
	int err;
	unsigned char done[MAX_SENDS];	/* times each send was completed */
	uint64_t end[MAX_SENDS];	/* stream offset each send ended at */
};

/*
 * sendmsg(MSG_ZEROCOPY) of @len bytes at dma-buf offset @off of binding
 * @id: the bytes sent or -errno.
 */
static ssize_t send_devmem(int fd, uint32_t id, uint64_t off, size_t len)
{
	char ctrl[CMSG_SPACE(sizeof(uint32_t))] = {};
	struct iovec iov = { (void *)(uintptr_t)off, len };
	struct msghdr msg = {};
	struct cmsghdr *cm;
	ssize_t r;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctrl;
	msg.msg_controllen = sizeof(ctrl);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_DEVMEM_DMABUF_;
	cm->cmsg_len = CMSG_LEN(sizeof(uint32_t));
	memcpy(CMSG_DATA(cm), &id, sizeof(id));
	r = sendmsg(fd, &msg, MSG_ZEROCOPY | MSG_NOSIGNAL);
	return r < 0 ? -errno : r;
}

/*
 * Reads the MSG_ERRQUEUE notifications there are, waiting up to @wait_ms
 * for the first: each names a range of sends the NIC is done with. The
 * device must have read at least as far as the last send of the range.
 */
static void reap(int fd, struct tx_src *s, int wait_ms)
{
	char ctrl[256];
	struct pollfd pfd = { .fd = fd };
	struct sock_extended_err *ee;
	struct msghdr msg;
	struct cmsghdr *cm;
	long long read_by_nic;
	uint32_t i;

	if (wait_ms && poll(&pfd, 1, wait_ms) <= 0)
		return;
	for (;;) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_control = ctrl;
		msg.msg_controllen = sizeof(ctrl);
		if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return;
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			ee = (struct sock_extended_err *)CMSG_DATA(cm);
			if (ee->ee_origin != SO_EE_ORIGIN_ZEROCOPY ||
			    ee->ee_errno)
				continue;
			s->completions++;
			if (ee->ee_code & SO_EE_CODE_ZEROCOPY_COPIED)
				s->copied++;
			read_by_nic = tx_queue_stat(TX_IF, s->queue, "devmem_bytes") -
				      s->dev_base;
			for (i = ee->ee_info; i <= ee->ee_data &&
			     i < MAX_SENDS; i++) {
				if (s->done[i]++)
					s->dup++;
				if (read_by_nic < (long long)s->end[i])
					s->early++;
			}
		}
	}
}

/* The sender child of devmem_transfer(): all of @len from the dma-buf. */
static void devmem_sender(int fd, uint64_t seed, size_t len, void *arg)
{
	struct tx_src *s = arg;
	struct tcp_info ti = {};
	socklen_t tlen = sizeof(ti);
	unsigned int i, tries = 0;
	int one = 1;
	size_t n;
	ssize_t r;

	if (seed != s->seed || len > TX_BYTES) {
		printf("# sender: the buffer holds another pattern\n");
		_exit(2);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one))) {
		s->err = -errno;
		_exit(1);
	}
	while (s->sent < len && s->sends < MAX_SENDS) {
		n = len - s->sent < TX_CHUNK ? len - s->sent : TX_CHUNK;
		r = send_devmem(fd, s->id, s->sent, n);
		if (r == -ENOBUFS && tries++ < 1000) {
			/* Too many notifications outstanding: read some. */
			reap(fd, s, 100);
			continue;
		}
		if (r <= 0) {
			s->err = r ? (int)r : -EPIPE;
			break;
		}
		s->sent += r;
		s->end[s->sends++] = s->sent;
		reap(fd, s, 0);
	}
	shutdown(fd, SHUT_WR);
	/* The last ones come once the receiver has ACKed everything. */
	for (i = 0; i < 100; i++) {
		reap(fd, s, 100);
		if (s->completions && s->done[s->sends - 1] &&
		    !memchr(s->done, 0, s->sends))
			break;
	}
	for (i = 0; i < s->sends; i++)
		if (!s->done[i])
			s->missing++;
	if (!getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tlen))
		s->retrans = ti.tcpi_bytes_retrans;
	_exit(s->err || s->sent != len);
}

/* What the sender child reported, as results. */
static void sender_results(const struct tx_src *s, size_t len)
{
	long long dev_bytes = tx_queue_stat(TX_IF, s->queue, "devmem_bytes");

	if (!t_ok(!s->err && s->sent == len,
		  "%s: sendmsg(MSG_ZEROCOPY, SCM_DEVMEM_DMABUF) sent %zu bytes",
		  s->tag, len))
		t_diag("sent %llu: %s", (unsigned long long)s->sent,
		       s->err ? strerror(-s->err) : "short");
	/* A retransmitted segment is read from the dma-buf again. */
	if (!t_ok(dev_bytes - s->dev_base == (long long)(len + s->retrans),
		  "%s: %s tx%d read %zu bytes from the binding's DMA addresses (+ %llu retransmitted)",
		  s->tag, TX_IF, s->queue, len,
		  (unsigned long long)s->retrans)) {
		t_diag("devmem_bytes went from %lld to %lld", s->dev_base,
		       dev_bytes);
		dump_queues(TX_IF);
	}
	if (!t_ok(s->sends && !s->missing && !s->dup,
		  "%s: each of %u sends completed exactly once (%u notifications)",
		  s->tag, s->sends, s->completions))
		t_diag("%u never completed, %u twice", s->missing, s->dup);
	t_ok(!s->copied, "%s: no completion says the kernel copied", s->tag);
	t_ok(!s->early,
	     "%s: no send completed before the NIC had read its bytes",
	     s->tag);
}

/* A shared mapping for the sender child's report. */
static struct tx_src *src_new(const char *tag, int fd, uint32_t id,
			      uint64_t seed, int queue)
{
	struct tx_src *s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (s == MAP_FAILED)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->tag = tag;
	s->fd = fd;
	s->id = id;
	s->seed = seed;
	s->queue = queue;
	s->dev_base = tx_queue_stat(TX_IF, queue, "devmem_bytes");
	return s;
}

/* @len bytes from binding @id to a plain recv() receiver, all checked. */
static void plain_transfer(const char *tag, struct mem *m, uint32_t id,
			   size_t len)
{
	static unsigned char buf[RECV_IOV];
	uint64_t seed = transfer_seed(tag, TX_MTU, len), got = 0;
	long long bad = -1;
	struct tx_src *s;
	int afd, cfd;
	ssize_t r;
	pid_t pid;

	pat_fill(m->p, len, seed, 0);
	s = src_new(tag, -1, id, seed, TX_QUEUE_PLAIN);
	cfd = tcp_connect_pair(ns_rx, ns_tx, RX_ADDR, PLAIN_PORT, &afd);
	if (!t_ok(s && cfd >= 0, "%s: TCP connection to port %d", tag,
		  PLAIN_PORT)) {
		if (s)
			munmap(s, sizeof(*s));
		return;
	}
	pid = t_fork();
	if (pid == 0) {
		close(afd);
		devmem_sender(cfd, seed, len, s);
	}
	close(cfd);
	while ((r = recv(afd, buf, sizeof(buf), 0)) > 0) {
		if (bad < 0 && (bad = pat_check(buf, r, seed, got)) >= 0)
			bad += got;
		got += r;
	}
	close(afd);
	t_child(pid, "%s: sender child", tag);
	if (!t_ok(got == len && bad < 0,
		  "%s: recv() got all %zu bytes, each the pattern", tag, len))
		t_diag("got %llu bytes, first wrong at %lld",
		       (unsigned long long)got, bad);
	sender_results(s, len);
	munmap(s, sizeof(*s));
}

/* --- the sources --------------------------------------------------------- */

struct source {
	const char *tag;
	struct mem m;
	int fd;
	struct io_uring ring;
	int has_ring;
};

/* A READONLY dma-buf of @src's memory: CREATE, or CREATE_FIXED_RO. */
static int source_create(struct source *src, int fixed)
{
	struct iovec iov = { src->m.p, src->m.len };
	int ret;

	memset(src->m.p, 0xa5, src->m.len);
	if (!fixed)
		return ud_create1(dev, src->m.p, src->m.len,
				  URING_DMABUF_CREATE_CLOEXEC |
				  URING_DMABUF_CREATE_READONLY);
	ret = io_uring_queue_init(8, &src->ring, 0);
	if (ret)
		return ret;
	src->has_ring = 1;
	ret = io_uring_register_buffers(&src->ring, &iov, 1);
	if (ret)
		return ret;
	return uring_create_fixed(&src->ring, dev,
				  URING_DMABUF_CMD_CREATE_FIXED_RO,
				  IORING_URING_CMD_FIXED, 0,
				  (uintptr_t)src->m.p, src->m.len);
}

static void source_free(struct source *src)
{
	if (src->fd >= 0)
		close(src->fd);
	if (src->has_ring)
		io_uring_queue_exit(&src->ring);
	mem_free(&src->m);
}

/* BIND_TX of @fd to @ifname from its namespace; the id or -errno. */
static long bind_tx_in(int ns, const char *ifname, int fd, int *gfd)
{
	char ext[256] = "";
	long id;

	enter_ns(ns);
	*gfd = nl_open(NETLINK_GENERIC);
	id = *gfd < 0 ? *gfd : bind_tx(*gfd, family, if_nametoindex(ifname),
				       fd, ext, sizeof(ext));
	if (id < 0 && ext[0])
		t_diag("extack: %s", ext);
	enter_ns(ns_rx);
	return id;
}

/*
 * @kind's READONLY dma-buf bound for TX on sim0a: all of it to the devmem
 * receiver @rx, then to a plain one; the binding goes with its socket.
 */
static void tx_kind(enum mem_kind kind, int fixed, const char *tag,
		    struct devbuf *rx)
{
	struct source src = { .tag = tag, .fd = -1 };
	struct tx_src *s;
	char plain[96];
	int gfd = -1, ret;
	long id;

	ret = mem_alloc(&src.m, kind, TX_BYTES);
	if (ret) {
		t_skip(strerror(-ret), "%s: map %lu MiB", tag, TX_BYTES / MIB);
		return;
	}
	src.fd = source_create(&src, fixed);
	if (!t_ok(src.fd >= 0, "%s: READONLY dma-buf of %lu MiB", tag,
		  TX_BYTES / MIB)) {
		t_diag("%s", errname(-src.fd));
		goto out;
	}
	id = bind_tx_in(ns_tx, TX_IF, src.fd, &gfd);
	if (!t_ok(id > 0, "%s: NETDEV_CMD_BIND_TX to %s", tag, TX_IF)) {
		t_diag("%s", errname(-id));
		goto out;
	}

	/* The pattern devmem_transfer() checks, in the sender's memory. */
	pat_fill(src.m.p, TX_BYTES, transfer_seed(tag, TX_MTU, TX_BYTES), 0);
	s = src_new(tag, src.fd, id, transfer_seed(tag, TX_MTU, TX_BYTES),
		    DEVMEM_QUEUE);
	if (t_ok(s != NULL, "%s: report mapping", tag)) {
		rx->send = devmem_sender;
		rx->send_arg = s;
		devmem_transfer(tag, rx, TX_MTU, TX_BYTES);
		rx->send = NULL;
		sender_results(s, TX_BYTES);
		munmap(s, sizeof(*s));
	}

	snprintf(plain, sizeof(plain), "%s to recv()", tag);
	plain_transfer(plain, &src.m, id, TX_BYTES);
out:
	if (gfd >= 0)
		close(gfd);
	if (src.fd >= 0)
		t_ok(wait_attachments(dev, src.fd, 0, ns_tx),
		     "%s: closing the netlink socket unbinds, the NIC detaches",
		     tag);
	source_free(&src);
}

/* BIND_TX as user nobody: upstream asks no capability; BIND_RX does. */
static void unprivileged(int fd)
{
	char ext[256] = "";
	pid_t pid;
	long id;
	int gfd;

	pid = t_fork();
	if (pid == 0) {
		if (enter_ns(ns_tx) || setgroups(0, NULL) || setgid(65534) ||
		    setuid(65534)) {
			printf("# cannot become nobody in %s's namespace: %s\n",
			       TX_IF, strerror(errno));
			_exit(2);
		}
		gfd = nl_open(NETLINK_GENERIC);
		id = gfd < 0 ? gfd :
		     bind_tx(gfd, family, if_nametoindex(TX_IF), fd, ext,
			     sizeof(ext));
		if (!t_ok(id > 0,
			  "errors: BIND_TX as nobody works (no CAP_NET_ADMIN needed upstream)"))
			t_diag("%s%s%s", errname(-id), ext[0] ? ": " : "", ext);
		id = gfd < 0 ? gfd :
		     bind_rx(gfd, devmem_family(), if_nametoindex(TX_IF),
			     DEVMEM_QUEUE, fd, 0, ext, sizeof(ext));
		t_errno(id, EPERM, "errors: BIND_RX as nobody: EPERM");
		_exit(t_failed());
	}
	t_child(pid, "errors: nobody's child");
	t_ok(wait_attachments(dev, fd, 0, ns_tx),
	     "errors: nobody's binding went with its process");
}

/*
 * The devmem message of send_devmem() through io_uring's
 * IORING_OP_SENDMSG_ZC: its result (bytes or -errno), after the
 * notification if one follows.
 */
static int sendmsg_zc_uring(int fd, uint32_t id, uint64_t off, size_t len)
{
	char ctrl[CMSG_SPACE(sizeof(uint32_t))] = {};
	struct iovec iov = { (void *)(uintptr_t)off, len };
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct msghdr msg = {};
	struct io_uring ring;
	struct cmsghdr *cm;
	int ret, res, more;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctrl;
	msg.msg_controllen = sizeof(ctrl);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_DEVMEM_DMABUF_;
	cm->cmsg_len = CMSG_LEN(sizeof(uint32_t));
	memcpy(CMSG_DATA(cm), &id, sizeof(id));

	ret = io_uring_queue_init(4, &ring, 0);
	if (ret)
		return ret;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_sendmsg_zc(sqe, fd, &msg, MSG_NOSIGNAL);
	ret = io_uring_submit(&ring);
	if (ret != 1) {
		io_uring_queue_exit(&ring);
		return ret < 0 ? ret : -EIO;
	}
	ret = io_uring_wait_cqe(&ring, &cqe);
	if (ret) {
		io_uring_queue_exit(&ring);
		return ret;
	}
	res = cqe->res;
	more = cqe->flags & IORING_CQE_F_MORE;
	io_uring_cqe_seen(&ring, cqe);
	if (more && !io_uring_wait_cqe(&ring, &cqe))
		io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	return res;
}

/* Bytes read from @fd until EOF, or -errno. */
static ssize_t recv_all(int fd)
{
	static unsigned char buf[RECV_IOV];
	ssize_t r, got = 0;

	/* A signal (a child's SIGCHLD) may come while it waits: go on. */
	while ((r = recv(fd, buf, sizeof(buf), 0)) > 0 || (r < 0 && errno == EINTR))
		if (r > 0)
			got += r;
	return r < 0 ? -errno : got;
}

/* sendmsg() of binding @id until it gives @want, for 1 s (unbind). */
static ssize_t send_until(int fd, uint32_t id, uint64_t off, size_t len,
			  ssize_t want)
{
	ssize_t r = 0;
	int i;

	for (i = 0; i < 20; i++) {
		r = send_devmem(fd, id, off, len);
		if (r == want)
			break;
		msleep(50);
	}
	return r;
}

/*
 * The errors of devmem TX, each clean: a READONLY dma-buf for RX, offsets
 * past the end, another port's binding, an RX binding, a send after
 * unbind; nothing pinned or attached afterwards.
 */
static void errors(struct devbuf *rx)
{
	struct source src = { .tag = "errors", .fd = -1 };
	int gfd = -1, ogfd = -1, afd = -1, cfd = -1;
	char ext[256] = "";
	struct pins base;
	long id, other;
	ssize_t r;

	pins_get(&base);
	if (!t_ok(!mem_alloc(&src.m, MEM_ANON, 1 * MIB),
		  "errors: map 1 MiB"))
		return;
	src.fd = source_create(&src, 0);
	if (!t_ok(src.fd >= 0, "errors: READONLY dma-buf"))
		goto out;

	unprivileged(src.fd);

	id = bind_rx(rx_gfd, devmem_family(), if_nametoindex(RX_IF),
		     DEVMEM_QUEUE + 1, src.fd, 0, ext, sizeof(ext));
	t_errno(id, EACCES, "errors: BIND_RX of a READONLY dma-buf: EACCES");
	if (ext[0])
		t_diag("extack: %s", ext);
	t_ok(queue_stat(RX_IF, DEVMEM_QUEUE + 1, "bound") == 0 &&
	     wait_attachments(dev, src.fd, 0, ns_tx),
	     "errors: ... the queue stays unbound, the NIC detached");

	id = bind_tx_in(ns_tx, TX_IF, src.fd, &gfd);
	other = bind_tx_in(ns_rx, RX_IF, src.fd, &ogfd);
	if (!t_ok(id > 0 && other > 0,
		  "errors: BIND_TX of one dma-buf to %s and to %s", TX_IF,
		  RX_IF))
		goto out;
	cfd = tcp_connect_pair(ns_rx, ns_tx, RX_ADDR, PLAIN_PORT, &afd);
	if (!t_ok(cfd >= 0, "errors: TCP connection to port %d",
		  PLAIN_PORT))
		goto out;
	if (!t_ok(!setsockopt(cfd, SOL_SOCKET, SO_ZEROCOPY, &(int){ 1 },
			      sizeof(int)), "errors: SO_ZEROCOPY"))
		goto out;

	t_ok(send_devmem(cfd, id, 0, 4096) == 4096,
	     "errors: a send inside the dma-buf works");
	t_errno(send_devmem(cfd, id, 1 * MIB, 4096), EFAULT,
		"errors: a send at the dma-buf's end: EFAULT");
	t_errno(send_devmem(cfd, id, ~0ULL - 4095, 4096), EFAULT,
		"errors: a send at offset 2^64 - 4096: EFAULT");
	t_errno(send_devmem(cfd, id, 1 * MIB - 4096, 8192), EFAULT,
		"errors: a send across the dma-buf's end: EFAULT, as a whole");
	/* io_uring's own notification keeps tcp_sendmsg() off the binding. */
	t_errno(sendmsg_zc_uring(cfd, id, 0, 4096), EINVAL,
		"errors: IORING_OP_SENDMSG_ZC with the devmem cmsg: EINVAL (no devmem through io_uring)");
	t_errno(send_devmem(cfd, other, 0, 4096), ENODEV,
		"errors: a binding of %s on a socket routed via %s: ENODEV",
		RX_IF, TX_IF);
	t_errno(send_devmem(cfd, rx->binding, 0, 4096), EINVAL,
		"errors: an RX binding's id: EINVAL");
	close(gfd);
	gfd = -1;
	t_errno(send_until(cfd, id, 0, 4096, -EINVAL), EINVAL,
		"errors: a send after unbind (netlink socket closed): EINVAL");
	t_ok(tx_queue_stat(TX_IF, TX_QUEUE_PLAIN, "dma_refused") == 0,
	     "errors: the NIC never met an address it cannot reach");
	/* Of all these sends only the first put bytes on the wire. */
	shutdown(cfd, SHUT_WR);
	r = recv_all(afd);
	if (!t_ok(r == 4096, "errors: the receiver got the 4096 bytes of the good send, no more"))
		t_diag("recv: %zd", r);
out:
	if (cfd >= 0)
		close(cfd);
	if (afd >= 0)
		close(afd);
	if (gfd >= 0)
		close(gfd);
	if (ogfd >= 0)
		close(ogfd);
	if (src.fd >= 0)
		t_ok(wait_attachments(dev, src.fd, 0, ns_tx),
		     "errors: every binding gone, the NICs detached");
	source_free(&src);
	t_pins_back(&base, "errors: nothing pinned or open afterwards");
}

/* What a streaming sender child saw: its bytes and its first error. */
struct stream_report {
	uint64_t sent;
	int err;
};

/*
 * Sends @len-byte rounds of binding @id until a send fails; reports how
 * far it got. Closes @close_fd first (a copy of the binding's socket
 * would keep the binding).
 */
static void stream_sender(int fd, uint32_t id, size_t len, int close_fd,
			  struct stream_report *rep)
{
	uint64_t off;
	ssize_t r;
	int one = 1;

	if (close_fd >= 0)
		close(close_fd);
	setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one));
	for (;;) {
		off = rep->sent % len;
		r = send_devmem(fd, id, off, len - off < TX_CHUNK ?
				len - off : TX_CHUNK);
		if (r == -ENOBUFS) {
			zc_reap_discard(fd);
			continue;
		}
		if (r <= 0) {
			rep->err = r ? (int)r : -EPIPE;
			_exit(0);
		}
		rep->sent += r;
		zc_reap_discard(fd);
	}
}

/*
 * Teardown while sending, from a 1 MiB READONLY source to a plain
 * receiver: SIGKILL of the sender mid-stream, then an unbind mid-stream
 * (the sender's next send fails with EINVAL). Each time the binding goes,
 * the NIC detaches and nothing stays pinned.
 */
static void teardown(const char *tag, int kill_it)
{
	static unsigned char buf[RECV_IOV];
	struct source src = { .tag = tag, .fd = -1 };
	struct stream_report *rep;
	int gfd = -1, afd = -1, cfd = -1, status;
	uint64_t got = 0;
	struct pins base;
	ssize_t r;
	pid_t pid;
	long id;

	pins_get(&base);
	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!t_ok(rep != MAP_FAILED && !mem_alloc(&src.m, MEM_ANON, 1 * MIB),
		  "%s: map 1 MiB", tag))
		return;
	memset(rep, 0, sizeof(*rep));
	src.fd = source_create(&src, 0);
	id = src.fd < 0 ? src.fd : bind_tx_in(ns_tx, TX_IF, src.fd, &gfd);
	cfd = id > 0 ? tcp_connect_pair(ns_rx, ns_tx, RX_ADDR, PLAIN_PORT, &afd) :
	      -EINVAL;
	if (!t_ok(id > 0 && cfd >= 0, "%s: bound for TX and connected", tag))
		goto out;

	pid = t_fork();
	if (pid == 0) {
		close(afd);
		stream_sender(cfd, id, 1 * MIB, kill_it ? -1 : gfd, rep);
	}
	close(cfd);
	cfd = -1;
	/* Mid-stream: 8 MiB in (the source went round 8 times). */
	while (got < 8 * MIB && (r = recv(afd, buf, sizeof(buf), 0)) > 0)
		got += r;
	if (kill_it) {
		kill(pid, SIGKILL);
	} else {
		close(gfd);
		gfd = -1;
	}
	while ((r = recv(afd, buf, sizeof(buf), 0)) > 0)
		got += r;
	waitpid(pid, &status, 0);
	if (kill_it)
		t_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		     "%s: the sender died of SIGKILL after %llu bytes", tag,
		     (unsigned long long)got);
	else if (!t_ok(WIFEXITED(status) && rep->err == -EINVAL &&
		       got >= 8 * MIB,
		       "%s: the sender's next send after the unbind: EINVAL",
		       tag))
		t_diag("sender: %s after %llu bytes, receiver got %llu",
		       errname(-rep->err), (unsigned long long)rep->sent,
		       (unsigned long long)got);
out:
	if (afd >= 0)
		close(afd);
	if (cfd >= 0)
		close(cfd);
	if (gfd >= 0)
		close(gfd);
	if (src.fd >= 0)
		t_ok(wait_attachments(dev, src.fd, 0, ns_tx),
		     "%s: the binding goes, the NIC detaches", tag);
	source_free(&src);
	munmap(rep, sizeof(*rep));
	t_pins_back(&base, "%s: nothing pinned or open afterwards", tag);
}

int main(void)
{
	struct devbuf rx = { .fd = -1, .buf_size = PAGE_SZ, .port = PORT };
	struct mem rxm;
	char ext[256] = "";
	double t0;
	long id;

	t_init();
	family = devmem_tx_family();
	if (family < 0)
		t_skip_all("kernel lacks NETDEV_CMD_BIND_TX (devmem TX is 6.16+)");
	dev = dev_open();
	load_simnic();
	t0 = now_s();
	if (setup_namespaces() || setup_steering())
		goto out;
	if (!t_ok(!mem_alloc(&rxm, MEM_ANON, RX_BYTES),
		  "receiver: map %lu MiB", RX_BYTES / MIB))
		goto out;
	rx.fd = ud_create1(dev, rxm.p, RX_BYTES, URING_DMABUF_CREATE_CLOEXEC);
	rx.mem = rxm.p;
	rx.bytes = RX_BYTES;
	rx_gfd = nl_open(NETLINK_GENERIC);
	id = rx.fd < 0 || rx_gfd < 0 ? -EBADF :
	     bind_rx(rx_gfd, devmem_family(), if_nametoindex(RX_IF),
		     DEVMEM_QUEUE, rx.fd, 0, ext, sizeof(ext));
	if (t_ok(id > 0, "receiver: NETDEV_CMD_BIND_RX of another dma-buf to %s queue %d",
		 RX_IF, DEVMEM_QUEUE)) {
		rx.binding = id;
		tx_kind(MEM_ANON, 1, "CREATE_FIXED_RO registered buffer", &rx);
		tx_kind(MEM_ANON, 0, "anonymous", &rx);
		tx_kind(MEM_THP, 0, "THP", &rx);
		tx_kind(MEM_HUGE_MEMFD, 0, "hugetlb 2 MiB memfd", &rx);
		errors(&rx);
		teardown("teardown: SIGKILL of the sender mid-stream", 1);
		teardown("teardown: unbind mid-stream", 0);
	} else {
		t_diag("%s%s%s", errname(-id), ext[0] ? ": " : "", ext);
	}
	if (rx_gfd >= 0)
		close(rx_gfd);
	if (rx.fd >= 0) {
		t_ok(wait_attachments(dev, rx.fd, 0, ns_tx),
		     "receiver: unbound and detached");
		close(rx.fd);
	}
	mem_free(&rxm);
out:
	t_diag("devmem TX in %.1f s", now_s() - t0);
	enter_ns(ns_init);
	if (module_loaded(SIMNIC_MODULE))
		t_rmmod(SIMNIC_MODULE);
	close(ns_tx);
	close(ns_rx);
	close(ns_init);
	close(dev);
	return t_finish();
}
