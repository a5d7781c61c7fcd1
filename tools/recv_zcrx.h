/* SPDX-License-Identifier: MIT */
/*
 * uring-dmabuf recv --zcrx: io_uring zero-copy receive (Linux 6.15+) into
 * user memory or into our dma-buf, the NIC queue's memory provider being
 * io_uring's instead of devmem's.
 */
#ifndef URING_DMABUF_TOOL_RECV_ZCRX_H
#define URING_DMABUF_TOOL_RECV_ZCRX_H

#include <stdbool.h>
#include <stdint.h>

#include <liburing.h>

#include "memory.h"
#include "recv.h"
#include "zcrx_uapi.h"

struct rx_opts;
struct rx_setup;

struct zcrx_rx {
	struct io_uring ring;		/* DEFER_TASKRUN | CQE32 */
	bool have_ring, armed, dmabuf;
	struct region mem;		/* the user area (--area user) */
	const unsigned char *area;	/* where we read the area's bytes */
	uint64_t area_len;
	uint64_t token;			/* the area's, in every refill entry */
	uint32_t id, buf_len;
	void *rq_mem;			/* refill ring, in our own memory */
	size_t rq_size;
	uint32_t *khead, *ktail;
	struct zc_rqe *rqes;
	uint32_t rq_entries, rq_tail;
	const struct zc_stats *stats;	/* the kernel's copy-fallback counts */
};

/*
 * The area (user memory, or with @dmabuf the dma-buf dmabuf_setup() makes
 * in @s) and IORING_REGISTER_ZCRX_IFQ on the one queue of @o. Prints what
 * failed and what to do; 0 or -errno.
 */
int zcrx_setup(struct zcrx_rx *z, const struct rx_opts *o, bool dmabuf,
	       struct rx_setup *s);
/*
 * Waits up to @wait_ms (0: no limit) for RECV_ZC completions on @fd and
 * takes them: bytes checked and counted in @r, buffers returned through
 * the refill ring. 1 after progress, 0 at EOF, -ETIME if the wait passed
 * without any, else -errno.
 */
int zcrx_round(struct zcrx_rx *z, struct receiver *r, int fd,
	       unsigned int wait_ms);
/* Copy-fallback bytes the kernel counted (they still came as CQEs). */
uint64_t zcrx_copied(const struct zcrx_rx *z);
void zcrx_print(const struct zcrx_rx *z, const struct rx_opts *o,
		const struct rx_setup *s);
void zcrx_teardown(struct zcrx_rx *z);

#endif
