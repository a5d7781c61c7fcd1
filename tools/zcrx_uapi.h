/* SPDX-License-Identifier: MIT */
/*
 * The io_uring zcrx uapi (6.15+; include/uapi/linux/io_uring/zcrx.h), under
 * our own names: the tool builds against Debian 12's 6.1 headers and
 * liburing 2.3, which predate it. The layouts are those of Linux 7.2 and
 * 7.3 (checked below). The guest programs include it too
 * (tests/vm/progs/zcrx.h).
 */
#ifndef URING_DMABUF_TOOL_ZCRX_UAPI_H
#define URING_DMABUF_TOOL_ZCRX_UAPI_H

#include <stddef.h>
#include <stdint.h>

#include <liburing.h>

#define ZC_REGISTER_IFQ		32	/* IORING_REGISTER_ZCRX_IFQ */
#define ZC_OP_RECV_ZC		58	/* IORING_OP_RECV_ZC */
#define ZC_MEM_REGION_TYPE_USER	1	/* IORING_MEM_REGION_TYPE_USER */
#define ZC_AREA_DMABUF		1	/* IORING_ZCRX_AREA_DMABUF */
#define ZC_AREA_SHIFT		48	/* IORING_ZCRX_AREA_SHIFT */
#define ZC_AREA_MASK		(~((1ULL << ZC_AREA_SHIFT) - 1))
#define ZC_EVENT_DESC_FLAG_STATS 1	/* ZCRX_EVENT_DESC_FLAG_STATS */

#ifndef IORING_SETUP_SINGLE_ISSUER
#define IORING_SETUP_SINGLE_ISSUER	(1U << 12)
#endif
#ifndef IORING_SETUP_DEFER_TASKRUN
#define IORING_SETUP_DEFER_TASKRUN	(1U << 13)
#endif

struct zc_rqe {			/* struct io_uring_zcrx_rqe */
	uint64_t off;
	uint32_t len;
	uint32_t pad;
};

struct zc_cqe {			/* struct io_uring_zcrx_cqe */
	uint64_t off;
	uint64_t pad;
};

struct zc_offsets {		/* struct io_uring_zcrx_offsets */
	uint32_t head;
	uint32_t tail;
	uint32_t rqes;
	uint32_t resv2;
	uint64_t resv[2];
};

struct zc_area_reg {		/* struct io_uring_zcrx_area_reg */
	uint64_t addr;
	uint64_t len;
	uint64_t rq_area_token;
	uint32_t flags;
	uint32_t dmabuf_fd;
	uint64_t resv2[2];
};

struct zc_region_desc {		/* struct io_uring_region_desc */
	uint64_t user_addr;
	uint64_t size;
	uint32_t flags;
	uint32_t id;
	uint64_t mmap_offset;
	uint64_t resv[4];
};

struct zc_stats {		/* struct zcrx_stats */
	uint64_t copy_count;	/* copy-fallback CQEs */
	uint64_t copy_bytes;
};

struct zc_event_desc {		/* struct zcrx_event_desc */
	uint64_t user_data;
	uint32_t type_mask;
	uint32_t flags;
	uint64_t stats_offset;
	uint64_t resv2[9];
};

struct zc_ifq_reg {		/* struct io_uring_zcrx_ifq_reg */
	uint32_t if_idx;
	uint32_t if_rxq;
	uint32_t rq_entries;
	uint32_t flags;
	uint64_t area_ptr;
	uint64_t region_ptr;
	struct zc_offsets offsets;
	uint32_t zcrx_id;
	uint32_t rx_buf_len;
	uint64_t event_desc;
	uint64_t resv[2];
};

_Static_assert(sizeof(struct zc_rqe) == 16, "io_uring_zcrx_rqe");
_Static_assert(sizeof(struct zc_cqe) == 16, "io_uring_zcrx_cqe");
_Static_assert(sizeof(struct zc_offsets) == 32, "io_uring_zcrx_offsets");
_Static_assert(sizeof(struct zc_area_reg) == 48, "io_uring_zcrx_area_reg");
_Static_assert(sizeof(struct zc_region_desc) == 64, "io_uring_region_desc");
_Static_assert(sizeof(struct zc_event_desc) == 96, "zcrx_event_desc");
_Static_assert(offsetof(struct zc_ifq_reg, offsets) == 32, "ifq_reg offsets");
_Static_assert(offsetof(struct zc_ifq_reg, zcrx_id) == 64, "ifq_reg zcrx_id");
_Static_assert(offsetof(struct zc_ifq_reg, event_desc) == 72, "event_desc");
_Static_assert(sizeof(struct zc_ifq_reg) == 96, "io_uring_zcrx_ifq_reg");
/* RECV_ZC's ifq index is sqe->zcrx_ifq_idx, 6.1's file_index. */
_Static_assert(offsetof(struct io_uring_sqe, file_index) == 44, "zcrx_ifq_idx");

#endif
