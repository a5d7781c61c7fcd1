// SPDX-License-Identifier: GPL-2.0
/*
 * 95-zcrx: io_uring zero-copy receive (zcrx) through the simulated NIC
 * pair (tests/kmod/simnic), with the area in user memory and with the area
 * a uring-dmabuf dma-buf made from an io_uring registered buffer
 * (CREATE_FIXED): IORING_REGISTER_ZCRX_IFQ on RX queue 1 of sim0b (steered
 * there by an ntuple rule), a known pattern sent over TCP at MTU 1500 and
 * 9000, received with IORING_OP_RECV_ZC. Every CQE's bytes are checked
 * where the area holds them (for the dma-buf, in the registered buffer
 * itself), every buffer goes back through the refill ring, and nothing may
 * have been copied: the NIC counts the payload it wrote into io_uring's
 * net_iovs (zcrx_bytes in its queues file, payload_bytes for all), and
 * zcrx's own statistics count copy-fallback bytes, which must stay 0.
 * Then 16 KiB buffers (rx_buf_len, the queue's rx_page_size) from a
 * hugetlb area: one buffer per 9000-byte frame. Last, the copy fallback on
 * purpose (the ifq on a queue the flow does not reach): the same counters
 * must show it, so that their zeros above mean something.
 *
 * zcrx came in 6.15 (Debian builds it into 7.x, CONFIG_IO_URING_ZCRX):
 * skips where the kernel has no IORING_OP_RECV_ZC, and where the simnic
 * module was not built. bookworm's liburing 2.3 predates zcrx: zcrx.h.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common.h"
#include "devmem_traffic.h"
#include "netdev.h"
#include "uring.h"
#include "zcrx.h"

#define AREA_BYTES (16 * MIB)
#define XFER_BYTES (256 * MIB)
/*
 * What a stream carries: XFER_BYTES, or URING_DMABUF_XFER_MIB MiB (the
 * debug lane asks for less: KASAN and lockdep make each frame ~100x dearer).
 */
static size_t xfer_bytes(void)
{
	const char *v = getenv("URING_DMABUF_XFER_MIB");
	long mib = v ? strtol(v, NULL, 10) : 0;

	return mib > 0 && mib <= 1024 ? (size_t)mib * MIB : XFER_BYTES;
}
#define RQ_ENTRIES 4096
#define COPY_BYTES (8 * 1024 * 1024)
#define BIG_BUF_BYTES (64 * MIB)

static int dev = -1;

struct nic_count {
	long long zcrx_bytes, zcrx_frags, payload_bytes;
};

static void nic_count(struct nic_count *c)
{
	c->zcrx_bytes = queue_stat(RX_IF, DEVMEM_QUEUE, "zcrx_bytes");
	c->zcrx_frags = queue_stat(RX_IF, DEVMEM_QUEUE, "zcrx_frags");
	c->payload_bytes = queue_stat(RX_IF, DEVMEM_QUEUE, "payload_bytes");
}

/* One stream through a registered ifq; the result lines of a transfer. */
static void zcrx_transfer(const char *tag, struct zcrx *z, int mtu,
			  size_t len)
{
	uint64_t seed = tag_seed(tag) ^ (uint64_t)mtu ^ len;
	struct nic_count c0, c1;
	struct zcrx_result r;
	long long zb, zf, pb;
	int afd, cfd;
	pid_t pid;

	if (!t_ok(!enter_ns(ns_tx) && !if_set_mtu(TX_IF, mtu) &&
		  !enter_ns(ns_rx) && !if_set_mtu(RX_IF, mtu),
		  "%s: MTU %d on both ports", tag, mtu))
		return;
	nic_count(&c0);
	cfd = tcp_connect_pair(ns_rx, ns_tx, RX_ADDR, PORT, &afd);
	if (!t_ok(cfd >= 0, "%s: TCP connection to %s:%d", tag, RX_ADDR,
		  PORT)) {
		t_diag("%s", strerror(-cfd));
		return;
	}
	pid = t_fork();
	if (pid == 0) {
		close(afd);
		send_pattern(cfd, seed, len);
	}
	close(cfd);
	zcrx_recv(z, afd, seed, 0, &r);
	close(afd);
	t_child(pid, "%s: sender wrote %zu bytes", tag, len);
	nic_count(&c1);

	if (!t_ok(r.eof && !r.err && r.bytes == len,
		  "%s: received all %zu bytes with RECV_ZC, then EOF", tag, len))
		t_diag("got %llu bytes, %s", (unsigned long long)r.bytes,
		       r.err ? errname(-r.err) : r.eof ? "EOF" : "no EOF");
	t_ok(!r.bad_data && !r.bad_off,
	     "%s: every byte at its CQE's area offset is the pattern", tag);
	if (!t_ok(r.returned == r.cqes && !r.rq_full,
		  "%s: every buffer returned through the refill ring", tag))
		t_diag("%llu CQEs, %llu returned, refill ring full %d times",
		       (unsigned long long)r.cqes,
		       (unsigned long long)r.returned, r.rq_full);
	/* More CQEs than the area has buffers: the NIC took them back. */
	if (!t_ok(r.cqes > z->area_len / z->buf_len,
		  "%s: the refill ring brought buffers back to the NIC (%llu CQEs from %zu buffers)",
		  tag, (unsigned long long)r.cqes, z->area_len / z->buf_len))
		t_diag("refill ring head %u, tail %u",
		       __atomic_load_n(z->khead, __ATOMIC_ACQUIRE), z->rq_tail);

	/* Retransmitted frames count at the NIC, never fewer than we got. */
	zb = c1.zcrx_bytes - c0.zcrx_bytes;
	zf = c1.zcrx_frags - c0.zcrx_frags;
	pb = c1.payload_bytes - c0.payload_bytes;
	if (!t_ok(c0.zcrx_bytes >= 0 && zb >= (long long)len &&
		  zf >= (long long)r.cqes && pb == zb,
		  "%s: the NIC wrote all payload into io_uring net_iovs, none into pages",
		  tag)) {
		t_diag("zcrx_bytes +%lld, zcrx_frags +%lld, payload_bytes +%lld, %llu CQEs",
		       zb, zf, pb, (unsigned long long)r.cqes);
		dump_queues(RX_IF);
	}
	if (!t_ok(z->stats->copy_count == 0 && z->stats->copy_bytes == 0,
		  "%s: zcrx copied nothing (copy fallback 0 CQEs, 0 bytes)", tag))
		t_diag("copy_count %llu copy_bytes %llu",
		       (unsigned long long)z->stats->copy_count,
		       (unsigned long long)z->stats->copy_bytes);
	/* A 9000-byte frame's payload fits one buffer larger than a page. */
	if (z->buf_len > PAGE_SZ && mtu > (int)PAGE_SZ)
		t_ok(r.max_len > PAGE_SZ && r.max_len <= z->buf_len,
		     "%s: one %u-byte buffer per frame (largest CQE %u)", tag,
		     z->buf_len, r.max_len);
	t_diag("%s: %llu bytes in %llu CQEs (largest %u, rx_buf_len %u, CQ full %u times), each buffer reused ~%llu times, %.2f s, %.1f MB/s",
	       tag, (unsigned long long)r.bytes, (unsigned long long)r.cqes,
	       r.max_len, z->buf_len, r.cq_full,
	       (unsigned long long)(r.cqes / (z->area_len / z->buf_len) + 1),
	       r.seconds, r.seconds > 0 ? r.bytes / r.seconds / 1e6 : 0.0);
}

/* After the ring closes, the queue has no provider. */
static void check_released(const char *tag)
{
	if (!t_ok(wait_stat(RX_IF, DEVMEM_QUEUE, "bound", 0),
		  "%s: closing the ring takes the provider off queue %d", tag,
		  DEVMEM_QUEUE))
		dump_queues(RX_IF);
}

static int register_on(const char *tag, struct zcrx *z, int queue,
		       struct zc_area_reg *area, const void *mem)
{
	int ret = zcrx_register(z, RX_IF, queue, area, mem, RQ_ENTRIES);

	if (!t_ok(ret == 0, "%s: IORING_REGISTER_ZCRX_IFQ on %s queue %d",
		  tag, RX_IF, queue)) {
		t_diag("%s", errname(-ret));
		return -1;
	}
	return 0;
}

/*
 * A user area of @kind; with @buf_len, buffers that large (rx_buf_len,
 * the queue's rx_page_size: the area's DMA segments must be as large).
 */
static void user_area(int mtu, enum mem_kind kind, uint32_t buf_len,
		      size_t len)
{
	char tag[80];
	struct zc_area_reg area = { .len = AREA_BYTES };
	struct pins base;
	struct zcrx z;
	struct mem m;
	int ret;

	if (buf_len)
		snprintf(tag, sizeof(tag), "user area (%s), rx_buf_len %u, MTU %d",
			 mem_kind_name(kind), buf_len, mtu);
	else
		snprintf(tag, sizeof(tag), "user area, MTU %d", mtu);
	if (zcrx_user_area_refused()) {
		t_skip(zcrx_user_area_refused(), "%s", tag);
		return;
	}
	pins_get(&base);
	enter_ns(ns_rx);
	ret = zcrx_ring_init(&z, 64);
	if (!t_ok(ret == 0, "%s: ring with DEFER_TASKRUN and CQE32", tag)) {
		t_diag("%s", errname(-ret));
		return;
	}
	z.rx_buf_len = buf_len;
	if (t_ok(!mem_alloc(&m, kind, AREA_BYTES), "%s: map %d MiB",
		 tag, (int)(AREA_BYTES / MIB))) {
		area.addr = (uintptr_t)m.p;
		if (!register_on(tag, &z, DEVMEM_QUEUE, &area, m.p)) {
			if (buf_len)
				t_ok(z.buf_len == buf_len,
				     "%s: the kernel takes rx_buf_len %u", tag,
				     buf_len);
			zcrx_transfer(tag, &z, mtu, len);
		}
		zcrx_close(&z);
		check_released(tag);
		t_ok(zcrx_wait_released(&base, ns_tx),
		     "%s: the area unpinned once the page pool drains", tag);
		mem_free(&m);
	} else {
		zcrx_close(&z);
	}
}

/*
 * The area is our dma-buf, made with CREATE_FIXED from the ring's own
 * registered buffer: what the NIC wrote shows in that buffer.
 */
static void dmabuf_area(int mtu)
{
	char tag[64];
	struct zc_area_reg area = { .len = AREA_BYTES,
				    .flags = ZC_AREA_DMABUF };
	struct pins base;
	struct iovec iov;
	struct zcrx z;
	struct mem m;
	int ret, fd = -1;

	snprintf(tag, sizeof(tag), "dma-buf area, MTU %d", mtu);
	pins_get(&base);
	enter_ns(ns_rx);
	ret = zcrx_ring_init(&z, 64);
	if (!t_ok(ret == 0, "%s: ring with DEFER_TASKRUN and CQE32", tag)) {
		t_diag("%s", errname(-ret));
		return;
	}
	if (!t_ok(!mem_alloc(&m, MEM_ANON, AREA_BYTES), "%s: map %d MiB",
		  tag, (int)(AREA_BYTES / MIB))) {
		zcrx_close(&z);
		return;
	}
	memset(m.p, 0xa5, AREA_BYTES);
	iov.iov_base = m.p;
	iov.iov_len = AREA_BYTES;
	ret = io_uring_register_buffers(&z.ring, &iov, 1);
	if (t_ok(ret == 0, "%s: registered as fixed buffer 0", tag)) {
		fd = uring_create_fixed(&z.ring, dev,
					URING_DMABUF_CMD_CREATE_FIXED,
					IORING_URING_CMD_FIXED, 0,
					(uintptr_t)m.p, AREA_BYTES);
		if (!t_ok(fd >= 0, "%s: CREATE_FIXED of all of it", tag))
			t_diag("cqe->res: %s", errname(-fd));
	} else {
		t_diag("io_uring_register_buffers: %s", errname(-ret));
	}
	if (fd >= 0) {
		/* The whole dma-buf from offset 0, or zcrx refuses it. */
		area.addr = 0;
		area.dmabuf_fd = fd;
		if (!register_on(tag, &z, DEVMEM_QUEUE, &area, m.p))
			zcrx_transfer(tag, &z, mtu, xfer_bytes());
	}
	zcrx_close(&z);
	if (fd >= 0) {
		check_released(tag);
		t_ok(wait_attachments(dev, fd, 0, ns_tx),
		     "%s: the ring's close detaches the NIC from the dma-buf",
		     tag);
		close(fd);
	}
	/* The ifq holds the dma-buf until its page pool is gone. */
	t_ok(zcrx_wait_released(&base, ns_tx),
	     "%s: dma-buf and registered buffer unpinned once the page pool drains",
	     tag);
	mem_free(&m);
}

/*
 * The copy fallback, on purpose: the ifq on queue 2, the flow steered to
 * queue 1, whose page pool has pages. zcrx copies each frag into its area
 * and counts it; the checks that pass above must see it here.
 */
static void copy_fallback(void)
{
	const char *tag = "copy fallback (ifq on queue 2, flow on queue 1)";
	uint64_t seed = tag_seed(tag);
	struct zc_area_reg area = { .len = AREA_BYTES };
	struct nic_count c0, c1;
	struct zcrx_result r;
	struct pins base;
	int afd, cfd, ret;
	struct zcrx z;
	struct mem m;
	pid_t pid;

	if (zcrx_user_area_refused()) {
		t_skip(zcrx_user_area_refused(), "%s", tag);
		return;
	}
	pins_get(&base);
	enter_ns(ns_rx);
	ret = zcrx_ring_init(&z, 64);
	if (!t_ok(ret == 0 && !mem_alloc(&m, MEM_ANON, AREA_BYTES),
		  "%s: ring and area", tag)) {
		if (!ret)
			zcrx_close(&z);
		return;
	}
	area.addr = (uintptr_t)m.p;
	if (register_on(tag, &z, 2, &area, m.p))
		goto out;
	nic_count(&c0);
	cfd = tcp_connect_pair(ns_rx, ns_tx, RX_ADDR, PORT, &afd);
	if (!t_ok(cfd >= 0, "%s: TCP connection", tag))
		goto out;
	pid = t_fork();
	if (pid == 0) {
		close(afd);
		send_pattern(cfd, seed, COPY_BYTES);
	}
	close(cfd);
	zcrx_recv(&z, afd, seed, 0, &r);
	close(afd);
	t_child(pid, "%s: sender wrote %d bytes", tag, COPY_BYTES);
	nic_count(&c1);
	t_ok(r.eof && !r.err && r.bytes == COPY_BYTES && !r.bad_data &&
	     !r.bad_off, "%s: all %d bytes arrive, the pattern", tag,
	     COPY_BYTES);
	if (!t_ok(z.stats->copy_bytes == COPY_BYTES && z.stats->copy_count > 0,
		  "%s: zcrx counts every byte as copied", tag))
		t_diag("copy_count %llu copy_bytes %llu",
		       (unsigned long long)z.stats->copy_count,
		       (unsigned long long)z.stats->copy_bytes);
	if (!t_ok(c1.zcrx_bytes == c0.zcrx_bytes &&
		  c1.payload_bytes - c0.payload_bytes >= COPY_BYTES,
		  "%s: the NIC wrote it into pages, none into io_uring net_iovs",
		  tag))
		dump_queues(RX_IF);
out:
	zcrx_close(&z);
	t_ok(zcrx_wait_released(&base, ns_tx),
	     "%s: the area unpinned once the page pool drains", tag);
	mem_free(&m);
}

int main(void)
{
	double t0;

	t_init();
	zcrx_skip_unless_supported();
	dev = dev_open();
	load_simnic();
	t0 = now_s();
	if (!setup_namespaces() && !setup_steering()) {
		user_area(1500, MEM_ANON, 0, xfer_bytes());
		user_area(9000, MEM_ANON, 0, xfer_bytes());
		user_area(9000, MEM_HUGE_2M, 16384, BIG_BUF_BYTES);
		dmabuf_area(1500);
		dmabuf_area(9000);
		copy_fallback();
	}
	t_diag("all transfers in %.1f s", now_s() - t0);
	enter_ns(ns_init);
	if (module_loaded(SIMNIC_MODULE))
		t_rmmod(SIMNIC_MODULE);
	close(ns_tx);
	close(ns_rx);
	close(ns_init);
	close(dev);
	return t_finish();
}
