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
#include "devmem_traffic.h"
#include "netdev.h"

#define BUF_BYTES (64 * MIB)
#define XFER_BYTES (40 * MIB)


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
