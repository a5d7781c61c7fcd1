/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A run of physically contiguous pinned pages, packed into 8 bytes: the
 * first pfn in the low 40 bits (52-bit physical addresses), the page count
 * minus one in the next 23 (32 GiB per run at most), and in the top bit how
 * it was pinned: one pin per page (GUP), or one pin per folio
 * (memfd_pin_folios) so that unpinning takes one per folio it touches.
 * Scattered 4 KiB pages cost 8 bytes each (2 MiB per GiB); a 2 MiB hugetlb
 * page costs 8 bytes (4 KiB per GiB).
 */
#ifndef URING_DMABUF_RUN_H
#define URING_DMABUF_RUN_H

#include <linux/bits.h>
#include <linux/types.h>

#define URING_DMABUF_RUN_PFN_BITS	40
#define URING_DMABUF_RUN_PFN_MASK	GENMASK_ULL(URING_DMABUF_RUN_PFN_BITS - 1, 0)
#define URING_DMABUF_RUN_COUNT_BITS	23
#define URING_DMABUF_RUN_MAX_PAGES	BIT(URING_DMABUF_RUN_COUNT_BITS)
#define URING_DMABUF_RUN_PER_FOLIO	BIT_ULL(63)

static inline u64 uring_dmabuf_run_pack(unsigned long pfn, unsigned long count,
					bool per_folio)
{
	return (u64)pfn | ((u64)(count - 1) << URING_DMABUF_RUN_PFN_BITS) |
	       (per_folio ? URING_DMABUF_RUN_PER_FOLIO : 0);
}

static inline bool uring_dmabuf_run_per_folio(u64 run)
{
	return run & URING_DMABUF_RUN_PER_FOLIO;
}

static inline unsigned long uring_dmabuf_run_pfn(u64 run)
{
	return run & URING_DMABUF_RUN_PFN_MASK;
}

static inline unsigned long uring_dmabuf_run_pages(u64 run)
{
	return ((run >> URING_DMABUF_RUN_PFN_BITS) &
		(URING_DMABUF_RUN_MAX_PAGES - 1)) + 1;
}

#endif /* URING_DMABUF_RUN_H */
