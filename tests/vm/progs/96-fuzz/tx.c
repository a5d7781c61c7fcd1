// SPDX-License-Identifier: GPL-2.0
/*
 * Devmem TX (NETDEV_CMD_BIND_TX, Linux 6.16+) on the simulated NIC: each
 * worker binds random dma-bufs it holds (READONLY or not, of every kind
 * and size it makes; another exporter's too) for transmit on sim0a, sends
 * from them with random (binding id, offset, length) pieces over its own
 * TCP connection to sim0b, and unbinds in random order, interleaved with
 * every other op (the dma-buf may be closed while bound). Each call is
 * checked against what bind_tx(3) and send_devmem(3) document:
 *
 *   bind: a dma-buf of sim0a: success (ENOMEM under pressure); a bad fd
 *   EBADF; an fd that is no dma-buf EINVAL; lo (no netmem TX) EOPNOTSUPP;
 *   no such ifindex ENODEV;
 *   send: a live binding of sim0a, inside the dma-buf: bytes sent (EAGAIN,
 *   ENOBUFS: the socket is full, non-blocking); a first piece past the
 *   end EFAULT (or, first, EAGAIN, ENOBUFS); id 0 (no binding: the iov
 *   is taken for user addresses, unmapped ones here) EFAULT; an id never
 *   handed out, or one this worker unbound EINVAL (binding ids are not
 *   reused before 2^32).
 *
 * Bindings are closed with everything else at the end of each epoch, so
 * the pin check after it covers them. Without BIND_TX or the simulated NIC
 * the TX ops are left out, and the output says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/errqueue.h>

#include "devmem_traffic.h"
#include "fuzz.h"
#include "netdev.h"

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif

#define TX_PORT 5260

static int tx_family = -1;
static int tx_ifindex, lo_ifindex;
static int tx_ready;
/* The receiving ends, drained by rx_drain_main() so that ACKs flow. */
static int rx_fds[FUZZ_MAX_THREADS];
static pthread_t drain_thread;
static atomic_int drain_stop;
/* Bytes the devmem sends took: the device must have read as many. */
static atomic_llong tx_sent;

/* devmem_bytes=, summed over sim0a's TX queues: what it read from net_iovs. */
static long long tx_device_bytes(void)
{
	char buf[4096], *line, *p, *save;
	long long sum = 0;

	if (simnic_read(TX_IF, "queues", buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "tx", 2) && (p = strstr(line, " devmem_bytes=")))
			sum += strtoll(p + strlen(" devmem_bytes="), NULL, 10);
	return sum;
}

static void *rx_drain_main(void *arg)
{
	struct pollfd pfd[FUZZ_MAX_THREADS];
	static char buf[65536];
	int n = *(int *)arg, i;

	for (i = 0; i < n; i++)
		pfd[i] = (struct pollfd){ .fd = rx_fds[i], .events = POLLIN };
	while (!atomic_load(&drain_stop)) {
		if (poll(pfd, (nfds_t)n, 100) <= 0)
			continue;
		for (i = 0; i < n; i++)
			if (pfd[i].revents & POLLIN)
				while (recv(rx_fds[i], buf, sizeof(buf), MSG_DONTWAIT) > 0)
					;
	}
	return NULL;
}

int tx_setup(struct worker *workers, int nr)
{
	static int nr_drain;
	int i, one = 1, ret;

	tx_family = devmem_tx_family();
	if (tx_family < 0) {
		t_skip("kernel lacks NETDEV_CMD_BIND_TX (6.16+)",
		       "fuzz: BIND_TX calls (devmem TX on the simulated NIC)");
		return 0;
	}
	ret = simnic_load("pairs=1 queues=4");
	if (ret) {
		t_skip(ret == -ENOENT ? "no " SIMNIC_MODULE " for this kernel" :
		       "modprobe " SIMNIC_MODULE " failed",
		       "fuzz: BIND_TX calls (devmem TX on the simulated NIC)");
		return 0;
	}
	if (setup_namespaces())
		return 0;
	for (i = 0; i < nr; i++) {
		workers[i].tx_sock = tcp_connect_pair(ns_rx, ns_tx, RX_ADDR, TX_PORT + i,
						      &rx_fds[i]);
		if (workers[i].tx_sock < 0 || rx_fds[i] < 0 ||
		    setsockopt(workers[i].tx_sock, SOL_SOCKET, SO_ZEROCOPY, &one,
			       sizeof(one))) {
			t_ok(0, "fuzz: worker %d: a TCP connection sim0a -> sim0b with SO_ZEROCOPY", i);
			enter_ns(ns_init);
			return 0;
		}
	}
	enter_ns(ns_tx);
	tx_ifindex = (int)if_nametoindex(TX_IF);
	lo_ifindex = (int)if_nametoindex("lo");
	enter_ns(ns_init);
	nr_drain = nr;
	pthread_create(&drain_thread, NULL, rx_drain_main, &nr_drain);
	tx_ready = 1;
	t_ok(1, "fuzz: BIND_TX calls (devmem TX on the simulated NIC)");
	return 1;
}

/* The end of the run: every binding is closed by now (workers' close-all). */
void tx_finish(struct worker *workers, int nr)
{
	int i;

	if (!tx_ready)
		return;
	/* Every binding is released by now: what was sent went out. */
	if (!op_enabled("send-tx") || !op_enabled("bind-tx"))
		t_skip("URING_DMABUF_FUZZ_OPS left out bind-tx or send-tx",
		       "fuzz: devmem sends took bytes, and sim0a read them all from net_iovs");
	else if (!t_ok(atomic_load(&tx_sent) > 0 && tx_device_bytes() >= atomic_load(&tx_sent),
		  "fuzz: devmem sends took bytes, and sim0a read them all from net_iovs"))
		t_diag("sent %lld, the device read %lld", (long long)atomic_load(&tx_sent),
		       tx_device_bytes());
	atomic_store(&drain_stop, 1);
	pthread_join(drain_thread, NULL);
	for (i = 0; i < nr; i++) {
		close(workers[i].tx_sock);
		close(rx_fds[i]);
	}
	enter_ns(ns_init);
	t_rmmod(SIMNIC_MODULE);
}

void op_bind_tx(struct worker *w)
{
	struct txbind *t;
	struct dbuf *b = NULL;
	int fd, ifindex = tx_ifindex, want = 0, gfd;
	uint64_t bytes = 0;
	char ext[256];
	long id;

	if (w->nr_tx == TX_MAX_BINDINGS)
		return;
	switch (rnd_below(&w->rng, 12)) {
	case 0:
		fd = -1;
		want = EBADF;
		break;
	case 1:
		fd = F.dev;		/* not a dma-buf */
		want = EINVAL;
		break;
	case 2:
		b = buf_pick(w);
		if (!b)
			return;
		fd = b->fd;
		ifindex = lo_ifindex;	/* no netmem_tx */
		want = EOPNOTSUPP;
		break;
	case 3:
		b = buf_pick(w);
		if (!b)
			return;
		fd = b->fd;
		ifindex = 0x7ffffff0;
		want = ENODEV;
		break;
	case 4:
		if (F.foreign_dmabuf < 0)
			return;
		fd = F.foreign_dmabuf;	/* another exporter's: binds as well */
		bytes = PAGE_SZ;
		break;
	default:
		b = buf_pick(w);
		if (!b)
			return;
		fd = b->fd;
		bytes = b->bytes;
		/* op_munmap may have closed it and kept the mapping. */
		want = fd < 0 ? EBADF : 0;
		break;
	}

	/* The binding's netlink socket in sim0a's namespace: its lifetime. */
	enter_ns(ns_tx);
	gfd = nl_open(NETLINK_GENERIC);
	if (gfd < 0) {
		fuzz_fail(w, "netlink socket: %s", errname(-gfd));
		return;
	}
	ext[0] = 0;
	id = bind_tx(gfd, tx_family, ifindex, fd, ext, sizeof(ext));
	fuzz_count(w);
	if (want) {
		EXPECT(w, id < 0 ? id : 0, "BIND_TX", want);
	} else if (EXPECT(w, id < 0 ? id : 0, "BIND_TX", 0, ENOMEM) && id > 0) {
		t = &w->tx[w->nr_tx++];
		t->gfd = gfd;
		t->id = (uint32_t)id;
		t->bytes = bytes;
		return;
	}
	close(gfd);
}

/*
 * A piece list over a binding of @bytes: 1 if its first piece lies wholly
 * past the end (then nothing is sent: a piece straddling the end may send
 * its part inside first, which no errno predicts).
 */
static int tx_pieces(struct worker *w, struct iovec *iov, int n, uint64_t bytes)
{
	int i, past = chance(&w->rng, 10);

	for (i = 0; i < n; i++) {
		uint64_t off, len;

		if (i == 0 && past) {
			off = bytes + rnd_below(&w->rng, 1ULL << 32);
			len = 1 + rnd_below(&w->rng, 65536);
		} else {
			off = rnd_below(&w->rng, bytes);
			len = 1 + rnd_below(&w->rng, bytes - off < 262144 ? bytes - off : 262144);
		}
		iov[i].iov_base = (void *)(uintptr_t)off;
		iov[i].iov_len = len;
	}
	return past;
}

void op_send_tx(struct worker *w)
{
	char ctrl[CMSG_SPACE(sizeof(uint32_t))] = { 0 };
	struct msghdr msg = { 0 };
	struct iovec iov[3];
	struct cmsghdr *cm;
	struct txbind *t = NULL;
	uint32_t id;
	int n = 1 + (int)rnd_below(&w->rng, 3), past = 0, want = 0;
	ssize_t r;

	switch (rnd_below(&w->rng, 10)) {
	case 0:
		/*
		 * 0 names no binding: the kernel takes the iov for addresses,
		 * a MSG_ZEROCOPY send from user memory, and the offsets (below
		 * 1.25 MiB) are below anything mapped.
		 */
		id = 0;
		want = EFAULT;
		break;
	case 1:
		id = 0xfffffff0u;	/* never handed out */
		want = EINVAL;
		break;
	case 2:
		if (!w->nr_tx_closed)
			return;
		id = w->tx_closed[rnd_below(&w->rng, w->nr_tx_closed)];
		want = EINVAL;
		break;
	default:
		if (!w->nr_tx)
			return;
		t = &w->tx[rnd_below(&w->rng, w->nr_tx)];
		id = t->id;
		break;
	}
	past = tx_pieces(w, iov, n, t ? t->bytes : 1 << 20);
	if (!id && past)
		return;		/* an offset past 4 GiB may be mapped memory */
	if (t && past)
		want = EFAULT;

	msg.msg_iov = iov;
	msg.msg_iovlen = (size_t)n;
	msg.msg_control = ctrl;
	msg.msg_controllen = sizeof(ctrl);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_DEVMEM_DMABUF_;
	cm->cmsg_len = CMSG_LEN(sizeof(uint32_t));
	memcpy(CMSG_DATA(cm), &id, sizeof(id));
	r = sendmsg(w->tx_sock, &msg, MSG_ZEROCOPY | MSG_NOSIGNAL | MSG_DONTWAIT);
	fuzz_count(w);
	if (r < 0)
		r = -errno;
	if (want == EFAULT)
		/* The socket may be full first; the notification is allocated first. */
		EXPECT(w, r < 0 ? r : 0, "devmem sendmsg past the end", EFAULT, EAGAIN, ENOBUFS);
	else if (want)
		EXPECT(w, r < 0 ? r : 0, "devmem sendmsg", want);
	else if (EXPECT(w, r < 0 ? r : 0, "devmem sendmsg", 0, EAGAIN, ENOBUFS) && r > 0)
		atomic_fetch_add(&tx_sent, r);
	zc_reap_discard(w->tx_sock);
}

/*
 * Closes binding @i's socket: unbound, and its id remembered as dead, unless
 * a forked child was alive then: its copy of the socket keeps the binding
 * until it exits (checked after the close: a child forked later has none).
 */
static void tx_unbind_at(struct worker *w, int i)
{
	close(w->tx[i].gfd);
	if (w->nr_tx_closed < TX_MAX_CLOSED && !atomic_load(&F.children))
		w->tx_closed[w->nr_tx_closed++] = w->tx[i].id;
	w->tx[i] = w->tx[--w->nr_tx];
}

void op_unbind_tx(struct worker *w)
{
	if (!w->nr_tx)
		return;
	tx_unbind_at(w, (int)rnd_below(&w->rng, w->nr_tx));
	fuzz_count(w);
}

void tx_close_all(struct worker *w)
{
	while (w->nr_tx)
		tx_unbind_at(w, w->nr_tx - 1);
	if (tx_ready)
		zc_reap_discard(w->tx_sock);
}
