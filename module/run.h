/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A run of physically contiguous pinned pages, packed into 8 bytes: the
 * first pfn in the low 40 bits (52-bit physical addresses) and the page
 * count minus one in the high 24 bits (64 GiB per run at most). Scattered
 * 4 KiB pages cost 8 bytes each (2 MiB per GiB); a 2 MiB hugetlb page costs
 * 8 bytes (4 KiB per GiB).
 */
#ifndef URING_DMABUF_RUN_H
#define URING_DMABUF_RUN_H

#include <linux/bits.h>
#include <linux/types.h>

#define URING_DMABUF_RUN_PFN_BITS	40
#define URING_DMABUF_RUN_PFN_MASK	GENMASK_ULL(URING_DMABUF_RUN_PFN_BITS - 1, 0)
#define URING_DMABUF_RUN_MAX_PAGES	(1UL << (64 - URING_DMABUF_RUN_PFN_BITS))

static inline u64 uring_dmabuf_run_pack(unsigned long pfn, unsigned long count)
{
	return (u64)pfn | ((u64)(count - 1) << URING_DMABUF_RUN_PFN_BITS);
}

static inline unsigned long uring_dmabuf_run_pfn(u64 run)
{
	return run & URING_DMABUF_RUN_PFN_MASK;
}

static inline unsigned long uring_dmabuf_run_pages(u64 run)
{
	return (run >> URING_DMABUF_RUN_PFN_BITS) + 1;
}

#endif /* URING_DMABUF_RUN_H */
