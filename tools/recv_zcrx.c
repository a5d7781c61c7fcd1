// SPDX-License-Identifier: MIT
/*
 * uring-dmabuf recv --zcrx: io_uring zero-copy receive. The queue's memory
 * provider is io_uring's: IORING_REGISTER_ZCRX_IFQ restarts it with our
 * area (user memory, or our dma-buf as a whole), RECV_ZC's CQEs say where
 * in the area each piece of payload landed, and each buffer goes back to
 * the NIC through the refill ring once read. zcrx needs a ring with
 * DEFER_TASKRUN and CQE32, header split on the queue (hds-thresh 0), and
 * CAP_NET_ADMIN; it copies (and counts the bytes) only where payload came
 * from a queue it does not own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "output.h"
#include "recv_zcrx.h"
#include "setup.h"

#define RECV_ZC_TAG 0x2c2c
#define ZCRX_CQ_ENTRIES 4096
#define RQ_HDR_MAX 4096
#define ZCRX_RQ_MAX 32768	/* the kernel's IO_RQ_MAX_ENTRIES */

static void hint_zcrx(int err, const char *dev)
{
	switch (err) {
	case -EPERM:
		hint_msg("zcrx needs CAP_NET_ADMIN: run as root");
		break;
	case -EINVAL:
		hint_msg("zcrx needs Linux 6.15+ with CONFIG_IO_URING_ZCRX, and header split on the queue: ethtool -G %s tcp-data-split on hds-thresh 0",
			 dev);
		break;
	case -EOPNOTSUPP:
		hint_msg("%s's driver cannot restart a queue with a memory provider, or has no DMA device for it",
			 dev);
		break;
	case -EEXIST:
		hint_msg("the queue already has a memory provider (a devmem binding or another zcrx), or XDP is attached: see uring-dmabuf queues %s",
			 dev);
		break;
	case -ERANGE:
		hint_msg("queue out of range (see uring-dmabuf queues %s), or --rx-page-size larger than the area's contiguous runs: use --hugepages",
			 dev);
		break;
	default:
		break;
	}
}

static int ring_init(struct zcrx_rx *z)
{
	/* RECV_ZC ends with -ENOSPC when the CQ fills: room for many frames. */
	struct io_uring_params p = {
		.flags = IORING_SETUP_SINGLE_ISSUER |
			 IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQE32 |
			 IORING_SETUP_CQSIZE,
		.cq_entries = ZCRX_CQ_ENTRIES,
	};
	int ret = io_uring_queue_init_params(64, &z->ring, &p);

	if (ret) {
		err_msg("io_uring with DEFER_TASKRUN and CQE32: %s", strerror(-ret));
		return ret;
	}
	z->have_ring = true;
	return 0;
}

static int area_setup(struct zcrx_rx *z, const struct rx_opts *o,
		      struct rx_setup *s, struct zc_area_reg *area)
{
	int ret;

	if (z->dmabuf) {
		ret = dmabuf_setup(o, s);
		if (ret)
			return ret;
		/* zcrx takes a dma-buf whole, from offset 0. */
		area->flags = ZC_AREA_DMABUF;
		area->dmabuf_fd = (uint32_t)s->dmabuf_fd;
		area->addr = 0;
		area->len = s->info.bytes;
		z->area = s->mem.addr;
		z->area_len = s->info.bytes;
		return 0;
	}
	ret = rx_setup_precheck(o, s);
	if (ret)
		return ret;
	ret = region_alloc(&z->mem, o->size, o->kind, s->numa_node, 1);
	if (ret) {
		err_msg("cannot allocate %llu bytes of %s memory: %s",
			(unsigned long long)o->size, mem_kind_name(o->kind),
			strerror(-ret));
		return ret;
	}
	area->addr = (uintptr_t)z->mem.addr;
	area->len = z->mem.len;
	z->area = z->mem.addr;
	z->area_len = z->mem.len;
	return 0;
}

/*
 * A refill ring with room for every buffer of the area: we hand each back
 * as soon as we read it, and the kernel takes entries only when the NIC
 * wants buffers, so all of them can be in the ring at once.
 */
static uint32_t rq_entries_for(uint64_t area_len, uint32_t buf_len)
{
	uint64_t n = area_len / (buf_len ? buf_len : 4096), e = 64;

	while (e < n)
		e <<= 1;
	return (uint32_t)e;
}

static int ifq_register(struct zcrx_rx *z, const struct rx_opts *o,
			struct rx_setup *s, struct zc_area_reg *area)
{
	if (rq_entries_for(z->area_len, o->rx_page_size) > ZCRX_RQ_MAX) {
		err_msg("--zcrx: %llu bytes make %llu buffers, more than the %u a refill ring holds",
			(unsigned long long)z->area_len,
			(unsigned long long)(z->area_len /
					     (o->rx_page_size ? o->rx_page_size : 4096)),
			ZCRX_RQ_MAX);
		hint_msg("give a smaller --size, or larger buffers with --rx-page-size");
		return -E2BIG;
	}
	struct zc_event_desc ev = { .flags = ZC_EVENT_DESC_FLAG_STATS };
	struct zc_region_desc rd = { .flags = ZC_MEM_REGION_TYPE_USER };
	struct zc_ifq_reg reg = {
		.if_idx = s->ifindex,
		.if_rxq = o->queues[0],
		.rq_entries = rq_entries_for(z->area_len, o->rx_page_size),
		.area_ptr = (uintptr_t)area,
		.region_ptr = (uintptr_t)&rd,
		.event_desc = (uintptr_t)&ev,
		/* --rx-page-size: buffers that large (Linux 7.2+) */
		.rx_buf_len = o->rx_page_size,
	};
	size_t stats_off = RQ_HDR_MAX + reg.rq_entries * sizeof(struct zc_rqe);

	/*
	 * The region must be whole pages (else EINVAL): fewer than 256
	 * entries (a small --size) end mid-page. The statistics get a page.
	 */
	z->rq_size = ((stats_off + 4095) & ~(size_t)4095) + 4096;
	z->rq_mem = mmap(NULL, z->rq_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (z->rq_mem == MAP_FAILED) {
		z->rq_mem = NULL;
		err_msg("refill ring: %s", strerror(errno));
		return -ENOMEM;
	}
	rd.user_addr = (uintptr_t)z->rq_mem;
	rd.size = z->rq_size;
	ev.stats_offset = stats_off;
	if (syscall(__NR_io_uring_register, z->ring.ring_fd, ZC_REGISTER_IFQ,
		    &reg, 1) < 0) {
		int err = -errno;

		err_msg("IORING_REGISTER_ZCRX_IFQ on %s queue %u: %s", o->dev,
			o->queues[0], strerror(-err));
		hint_zcrx(err, o->dev);
		return err;
	}
	if (reg.offsets.rqes > RQ_HDR_MAX) {
		err_msg("IORING_REGISTER_ZCRX_IFQ: refill entries at offset %u, beyond the header room",
			reg.offsets.rqes);
		return -EOVERFLOW;
	}
	z->id = reg.zcrx_id;
	z->buf_len = reg.rx_buf_len;
	z->token = area->rq_area_token;
	z->khead = (uint32_t *)((char *)z->rq_mem + reg.offsets.head);
	z->ktail = (uint32_t *)((char *)z->rq_mem + reg.offsets.tail);
	z->rqes = (struct zc_rqe *)((char *)z->rq_mem + reg.offsets.rqes);
	z->rq_entries = reg.rq_entries;
	z->stats = (const struct zc_stats *)((char *)z->rq_mem + stats_off);
	return 0;
}

int zcrx_setup(struct zcrx_rx *z, const struct rx_opts *o, bool dmabuf,
	       struct rx_setup *s)
{
	struct zc_area_reg area = { 0 };
	int ret;

	memset(z, 0, sizeof(*z));
	z->mem.memfd = -1;
	z->dmabuf = dmabuf;
	ret = area_setup(z, o, s, &area);
	if (!ret)
		ret = ring_init(z);
	if (!ret)
		ret = ifq_register(z, o, s, &area);
	return ret;
}

static int arm(struct zcrx_rx *z, struct receiver *r, int fd)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&z->ring);
	size_t len = r->limit ? read_len(r, UINT32_MAX) : 0;

	if (!sqe)
		return -EBUSY;
	io_uring_prep_rw(ZC_OP_RECV_ZC, sqe, fd, NULL, (unsigned int)len, 0);
	sqe->ioprio = IORING_RECV_MULTISHOT;
	sqe->file_index = z->id;	/* zcrx_ifq_idx */
	sqe->user_data = RECV_ZC_TAG;
	z->armed = true;
	return 0;
}

/* Reads a CQE's payload where it landed, then gives the buffer back. */
static int take(struct zcrx_rx *z, struct receiver *r,
		const struct io_uring_cqe *cqe)
{
	const struct zc_cqe *zc = (const struct zc_cqe *)(cqe + 1);
	uint64_t off = zc->off & ~ZC_AREA_MASK;
	uint32_t len = (uint32_t)cqe->res;
	struct zc_rqe *rqe;

	if ((zc->off & ZC_AREA_MASK) != z->token || off + len > z->area_len)
		return -EPROTO;
	check_bytes(r, z->area + off, len);
	r->st.bytes += len;
	r->st.frags++;
	/* The refill ring has as many entries as the kernel hands out. */
	if (z->rq_tail - __atomic_load_n(z->khead, __ATOMIC_ACQUIRE) >=
	    z->rq_entries)
		return -EOVERFLOW;
	rqe = &z->rqes[z->rq_tail & (z->rq_entries - 1)];
	rqe->off = zc->off;
	rqe->len = len;
	rqe->pad = 0;
	__atomic_store_n(z->ktail, ++z->rq_tail, __ATOMIC_RELEASE);
	r->st.tokens++;
	return 0;
}

int zcrx_round(struct zcrx_rx *z, struct receiver *r, int fd,
	       unsigned int wait_ms)
{
	struct __kernel_timespec ts = { .tv_sec = wait_ms / 1000,
					.tv_nsec = (wait_ms % 1000) * 1000000L };
	struct io_uring_cqe *cqe;
	unsigned int head, n = 0;
	int ret, got = 0, done = 0;

	if (!z->armed) {
		ret = arm(z, r, fd);
		if (ret)
			return ret;
	}
	ret = io_uring_submit_and_wait_timeout(&z->ring, &cqe, 1,
					       wait_ms ? &ts : NULL, NULL);
	if (ret < 0)
		return ret == -ETIME || ret == -EINTR ? -ETIME : ret;
	io_uring_for_each_cqe(&z->ring, head, cqe) {
		n++;
		if (cqe->user_data != RECV_ZC_TAG || ret < 0)
			continue;
		if (cqe->flags & IORING_CQE_F_MORE) {
			ret = take(z, r, cqe);
			got = 1;
			continue;
		}
		/* The request ended: EOF, --bytes reached, a full CQ, an error. */
		z->armed = false;
		if (cqe->res == 0)
			done = 1;
		else if (cqe->res < 0 && cqe->res != -ENOSPC)
			ret = cqe->res;
	}
	io_uring_cq_advance(&z->ring, n);
	if (ret < 0)
		return ret;
	r->st.linear_bytes = zcrx_copied(z);
	r->st.dmabuf_bytes = r->st.bytes - r->st.linear_bytes;
	if (done)
		return 0;
	return got ? 1 : -ETIME;
}

uint64_t zcrx_copied(const struct zcrx_rx *z)
{
	return z->stats ? __atomic_load_n(&z->stats->copy_bytes,
					  __ATOMIC_RELAXED) : 0;
}

void zcrx_print(const struct zcrx_rx *z, const struct rx_opts *o,
		const struct rx_setup *s)
{
	out_u64("zcrx_id", "zcrx ifq %llu", z->id);
	out_str("ifname", " on %s", o->dev);
	out_u64("queue", " queue %llu", o->queues[0]);
	out_u64("rx_buf_len", ", buffers of %llu bytes\n", z->buf_len);
	out_str("area", "area: %s", z->dmabuf ? "dmabuf" : "user");
	out_u64("area_size", ", %llu bytes", z->area_len);
	out_str("memory", " of %s memory", mem_kind_name(o->kind));
	if (z->dmabuf) {
		out_str("source", NULL, o->uring ? "uring" : "ioctl");
		out_text(", a dma-buf (%s)", o->uring ? "io_uring fixed buffer" : "ioctl");
		out_u64("segments", " in %llu segments", s->info.nr_segments);
	}
	out_text("\n");
}

void zcrx_teardown(struct zcrx_rx *z)
{
	/* Closing the ring unregisters the ifq: the queue restarts without it. */
	if (z->have_ring)
		io_uring_queue_exit(&z->ring);
	z->have_ring = false;
	if (z->rq_mem)
		munmap(z->rq_mem, z->rq_size);
	z->rq_mem = NULL;
	if (z->mem.addr)
		region_free(&z->mem);
	memset(&z->mem, 0, sizeof(z->mem));
}
