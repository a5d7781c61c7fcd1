/* SPDX-License-Identifier: GPL-2.0 */
/*
 * io_uring zero-copy receive (zcrx, IORING_REGISTER_ZCRX_IFQ and
 * IORING_OP_RECV_ZC) for the guest programs 95-zcrx and 95-zcrx-teardown.
 *
 * The programs are built against bookworm's 6.1 uapi and liburing 2.3,
 * which predate zcrx (6.15): the ring itself comes from liburing (it knows
 * CQE32 and DEFER_TASKRUN), zcrx's structs are defined here under our own
 * names, checked against include/uapi/linux/io_uring/zcrx.h of Debian's
 * 7.2 and 7.3 (identical for what we use), and registered with the raw
 * system call.
 *
 * The zcrx rules that bite:
 * - the ring needs IORING_SETUP_DEFER_TASKRUN (so SINGLE_ISSUER) and
 *   IORING_SETUP_CQE32: a data CQE carries a struct zc_cqe after it;
 * - the ifq is registered in the caller's network namespace (if_idx there)
 *   and needs CAP_NET_ADMIN;
 * - a dma-buf area must cover the whole dma-buf from offset 0 (addr 0, len
 *   its size: the kernel sums the dma-buf's mapped segments and refuses any
 *   other len);
 * - the queue must have header split on and hds-thresh 0, no XDP, and no
 *   other memory provider (EEXIST);
 * - RECV_ZC is multishot only; data CQEs have IORING_CQE_F_MORE, the final
 *   one (res 0 at EOF, or -errno) does not;
 * - every buffer a CQE names goes back through the refill ring (offset
 *   with the area token, and the length), or the queue runs dry.
 */
#ifndef URING_DMABUF_TEST_ZCRX_H
#define URING_DMABUF_TEST_ZCRX_H

#include <stddef.h>
#include <stdint.h>

#include <liburing.h>

/* The zcrx uapi under our own names: the CLI's copy, one for both. */
#include "../../../tools/zcrx_uapi.h"

/* One registered zcrx interface queue and its refill ring. */
struct zcrx {
	struct io_uring ring;	/* DEFER_TASKRUN | CQE32 */
	int ring_ok;
	uint32_t id;		/* zcrx_id, for RECV_ZC's sqe */
	uint32_t buf_len;	/* rx_buf_len the kernel chose */
	uint64_t area_token;
	/* Where the area's bytes are readable by us (user or registered). */
	const unsigned char *area;
	size_t area_len;
	void *rq_mem;		/* the refill ring's region (our memory) */
	size_t rq_size;
	uint32_t *khead, *ktail;
	struct zc_rqe *rqes;
	uint32_t rq_entries, rq_tail;
	const struct zc_stats *stats;	/* the kernel's copy-fallback counts */
	volatile uint64_t *progress;	/* if set, bytes received so far */
	uint32_t rx_buf_len;	/* to ask for larger buffers (0: pages) */
};

/* Skips the whole program unless the kernel has IORING_OP_RECV_ZC. */
void zcrx_skip_unless_supported(void);

/*
 * Why a user-memory area must not be registered here, or NULL. Linux 7.3's
 * zcrx maps a user area as one scatterlist of merged pages without the
 * device's max segment size (io_import_umem()); with DMA-API debug on (the
 * reliability lane) that is a WARN in the kernel's code, not ours. Our
 * dma-buf areas are mapped by our exporter, within the limit.
 */
const char *zcrx_user_area_refused(void);

/* The ring zcrx needs; 0 or -errno. */
int zcrx_ring_init(struct zcrx *z, unsigned int entries);
/*
 * IORING_REGISTER_ZCRX_IFQ of @area on queue @queue of @ifname (in the
 * current namespace), a refill ring of @rq_entries and copy statistics;
 * @area_mem is where we read the area's bytes. 0 or -errno.
 */
int zcrx_register(struct zcrx *z, const char *ifname, int queue,
		  struct zc_area_reg *area, const void *area_mem,
		  unsigned int rq_entries);
/* Closes the ring (which unregisters the ifq) and frees the refill ring. */
void zcrx_close(struct zcrx *z);

struct pins;
/*
 * Waits up to 30 s for the pins (and the module's counters) to be back at
 * @base, kicking NET_RX in the namespace @nsfd: an ifq goes once its page
 * pool has every net_iov back, and received skbs freed on another CPU wait
 * for that CPU's NET_RX (kick_net_rx(): @nsfd's "lo" must be up). 1 if
 * they are back; else diagnostics.
 */
int zcrx_wait_released(const struct pins *base, int nsfd);

/* What a receiver saw, checked against the stream pattern. */
struct zcrx_result {
	uint64_t bytes;		/* stream bytes received */
	uint64_t cqes;		/* data CQEs */
	uint64_t returned;	/* ... whose buffer went back to the refill ring */
	uint32_t max_len;
	int bad_data, bad_off, rq_full;
	unsigned int cq_full;	/* times RECV_ZC ended on a full CQ */
	int err;		/* -errno of the final CQE or of waiting */
	int eof;
	double seconds;
};

/*
 * RECV_ZC (multishot) on @fd until EOF, an error, or @stop_at bytes (0:
 * no limit; then returns with the request still armed): every CQE's bytes
 * checked against the pattern @seed at the area offset it names, and its
 * buffer returned through the refill ring.
 */
void zcrx_recv(struct zcrx *z, int fd, uint64_t seed, uint64_t stop_at,
	       struct zcrx_result *r);

#endif /* URING_DMABUF_TEST_ZCRX_H */
