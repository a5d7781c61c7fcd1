// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring zcrx for the guest programs (zcrx.h): the ring, the ifq
 * registration with a refill ring in our own memory, and a RECV_ZC
 * receiver that checks every CQE's bytes where the area holds them and
 * returns each buffer through the refill ring.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"
#include "devmem_traffic.h"
#include "netdev.h"
#include "zcrx.h"

#define RECV_ZC_TAG 0x2c2c
#define ZCRX_CQ_ENTRIES 4096

/* Room for the header, the refill entries, then the statistics. */
#define RQ_HDR_MAX	4096

void zcrx_skip_unless_supported(void)
{
	struct io_uring_probe *p = io_uring_get_probe();
	int ok = p && io_uring_opcode_supported(p, ZC_OP_RECV_ZC);

	if (p)
		io_uring_free_probe(p);
	if (!ok)
		t_skip_all("no IORING_OP_RECV_ZC: io_uring zcrx came in 6.15 (Debian builds it from 7.x on, CONFIG_IO_URING_ZCRX)");
}

const char *zcrx_user_area_refused(void)
{
	if (access("/sys/kernel/debug/dma-api/error_count", F_OK))
		return NULL;
	return "DMA-API debug is on, and zcrx maps a user area past the device's max segment size (7.3's io_import_umem(), a kernel bug): the stock kernels run it";
}

int zcrx_ring_init(struct zcrx *z, unsigned int entries)
{
	/*
	 * A CQ with room for the data CQEs of many frames: RECV_ZC ends with
	 * -ENOSPC when it fills up.
	 */
	struct io_uring_params p = {
		.flags = IORING_SETUP_SINGLE_ISSUER |
			 IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQE32 |
			 IORING_SETUP_CQSIZE,
		.cq_entries = ZCRX_CQ_ENTRIES,
	};
	int ret;

	memset(z, 0, sizeof(*z));
	ret = io_uring_queue_init_params(entries, &z->ring, &p);
	z->ring_ok = !ret;
	return ret;
}

int zcrx_register(struct zcrx *z, const char *ifname, int queue,
		  struct zc_area_reg *area, const void *area_mem,
		  unsigned int rq_entries)
{
	struct zc_event_desc ev = { .flags = ZC_EVENT_DESC_FLAG_STATS };
	struct zc_region_desc rd = { .flags = ZC_MEM_REGION_TYPE_USER };
	struct zc_ifq_reg reg = {
		.if_rxq = queue,
		.rq_entries = rq_entries,
		.area_ptr = (uintptr_t)area,
		.region_ptr = (uintptr_t)&rd,
		.event_desc = (uintptr_t)&ev,
		.rx_buf_len = z->rx_buf_len,
	};
	size_t stats_off = RQ_HDR_MAX + rq_entries * sizeof(struct zc_rqe);
	long ret;

	reg.if_idx = if_nametoindex(ifname);
	if (!reg.if_idx)
		return -ENODEV;
	/* Whole pages (else EINVAL): below 256 entries the ring ends mid-page. */
	z->rq_size = ((stats_off + PAGE_SZ - 1) & ~(size_t)(PAGE_SZ - 1)) + PAGE_SZ;
	z->rq_mem = mmap(NULL, z->rq_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (z->rq_mem == MAP_FAILED) {
		z->rq_mem = NULL;
		return -ENOMEM;
	}
	rd.user_addr = (uintptr_t)z->rq_mem;
	rd.size = z->rq_size;
	ev.stats_offset = stats_off;

	ret = syscall(__NR_io_uring_register, z->ring.ring_fd,
		      ZC_REGISTER_IFQ, &reg, 1);
	if (ret < 0)
		return -errno;
	if (reg.offsets.rqes > RQ_HDR_MAX)
		return -EOVERFLOW;

	z->id = reg.zcrx_id;
	z->buf_len = reg.rx_buf_len;
	z->area_token = area->rq_area_token;
	z->area = area_mem;
	z->area_len = area->len;
	z->khead = (uint32_t *)((char *)z->rq_mem + reg.offsets.head);
	z->ktail = (uint32_t *)((char *)z->rq_mem + reg.offsets.tail);
	z->rqes = (struct zc_rqe *)((char *)z->rq_mem + reg.offsets.rqes);
	z->rq_entries = reg.rq_entries;
	z->rq_tail = 0;
	z->stats = (const struct zc_stats *)((char *)z->rq_mem + stats_off);
	return 0;
}

void zcrx_close(struct zcrx *z)
{
	if (z->ring_ok)
		io_uring_queue_exit(&z->ring);
	z->ring_ok = 0;
	if (z->rq_mem)
		munmap(z->rq_mem, z->rq_size);
	z->rq_mem = NULL;
}

int zcrx_wait_released(const struct pins *base, int nsfd)
{
	struct pins now;
	int i;

	for (i = 0; i < 300; i++) {
		pins_get(&now);
		if (now.gup == base->gup && now.vmpin_kb == base->vmpin_kb &&
		    now.mod_bytes == base->mod_bytes &&
		    now.mod_buffers == base->mod_buffers)
			return 1;
		if (i % 10 == 9)
			kick_net_rx(nsfd);
		msleep(100);
	}
	pins_diag(base, &now);
	return 0;
}

static int arm_recv(struct zcrx *z, int fd)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&z->ring);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_rw(ZC_OP_RECV_ZC, sqe, fd, NULL, 0, 0);
	sqe->ioprio = IORING_RECV_MULTISHOT;
	sqe->file_index = z->id;	/* zcrx_ifq_idx */
	sqe->user_data = RECV_ZC_TAG;
	return 0;
}

/* Gives a CQE's buffer back: its offset (with the area token) and length. */
static void refill(struct zcrx *z, uint64_t off, uint32_t len,
		   struct zcrx_result *r)
{
	uint32_t head = __atomic_load_n(z->khead, __ATOMIC_ACQUIRE);
	struct zc_rqe *rqe;

	if (z->rq_tail - head >= z->rq_entries) {
		r->rq_full++;
		return;
	}
	rqe = &z->rqes[z->rq_tail & (z->rq_entries - 1)];
	rqe->off = off;
	rqe->len = len;
	rqe->pad = 0;
	__atomic_store_n(z->ktail, ++z->rq_tail, __ATOMIC_RELEASE);
	r->returned++;
}

static void data_cqe(struct zcrx *z, const struct io_uring_cqe *cqe,
		     uint64_t seed, struct zcrx_result *r)
{
	const struct zc_cqe *zc = (const struct zc_cqe *)(cqe + 1);
	uint64_t off = zc->off & ~ZC_AREA_MASK;
	uint32_t len = cqe->res;
	long long bad;

	r->cqes++;
	if (len > r->max_len)
		r->max_len = len;
	if ((zc->off & ZC_AREA_MASK) != z->area_token ||
	    off + len > z->area_len) {
		if (!r->bad_off++)
			printf("# CQE names area offset %#llx+%u, the area is %zu bytes (token %#llx)\n",
			       (unsigned long long)zc->off, len, z->area_len,
			       (unsigned long long)z->area_token);
	} else {
		bad = pat_check(z->area + off, len, seed, r->bytes);
		if (bad >= 0 && !r->bad_data++)
			printf("# bytes at stream offset %llu (area offset %llu) differ from the pattern\n",
			       (unsigned long long)(r->bytes + bad),
			       (unsigned long long)(off + bad));
	}
	r->bytes += len;
	if (z->progress)
		*z->progress = r->bytes;
	refill(z, zc->off, len, r);
}

void zcrx_recv(struct zcrx *z, int fd, uint64_t seed, uint64_t stop_at,
	       struct zcrx_result *r)
{
	struct __kernel_timespec ts = { .tv_sec = 30 };
	struct io_uring_cqe *cqe;
	double t0 = now_s();
	unsigned int head, n;
	int ret, armed = 0;

	memset(r, 0, sizeof(*r));
	while (!r->eof && !r->err && !(stop_at && r->bytes >= stop_at)) {
		if (!armed) {
			ret = arm_recv(z, fd);
			if (ret) {
				r->err = ret;
				break;
			}
			armed = 1;
		}
		ret = io_uring_submit_and_wait_timeout(&z->ring, &cqe, 1, &ts,
						       NULL);
		if (ret < 0) {
			r->err = ret;
			break;
		}
		n = 0;
		io_uring_for_each_cqe(&z->ring, head, cqe) {
			n++;
			if (cqe->user_data != RECV_ZC_TAG)
				continue;
			if (cqe->flags & IORING_CQE_F_MORE) {
				data_cqe(z, cqe, seed, r);
				continue;
			}
			/*
			 * The request ended: EOF, an error, or a full CQ
			 * (-ENOSPC: reap, then arm again).
			 */
			armed = 0;
			if (cqe->res == 0)
				r->eof = 1;
			else if (cqe->res == -ENOSPC)
				r->cq_full++;
			else if (cqe->res < 0)
				r->err = cqe->res;
		}
		io_uring_cq_advance(&z->ring, n);
	}
	r->seconds = now_s() - t0;
}
