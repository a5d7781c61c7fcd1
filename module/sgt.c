// SPDX-License-Identifier: GPL-2.0
/*
 * Per-attachment scatter-gather tables: one entry per run, split only where
 * the importing device's maximum segment size, maximum mapping size or
 * segment boundary demands.
 * Fewer, larger segments mean less per-segment work in the importer
 * (devmem creates a genpool chunk and an owner struct per segment).
 */
#include <linux/dma-mapping.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>

#include "run.h"
#include "uring_dmabuf.h"

struct seg_limits {
	u64 max_len;		/* page multiple, fits sg->length */
	u64 boundary;		/* mask: no segment crosses a multiple + 1 */
};

/*
 * Bytes of the next segment at @phys with @left bytes to go. The boundary
 * is applied to physical addresses: without an IOMMU (dma-direct) those are
 * the DMA addresses; an IOMMU maps each segment on its own and may merge
 * but never needs to split them.
 */
static u64 seg_len(const struct seg_limits *lim, u64 phys, u64 left)
{
	u64 len = min(left, lim->max_len);

	if (lim->boundary != U64_MAX) {
		u64 to_boundary = (phys | lim->boundary) - phys + 1;

		len = min(len, to_boundary);
	}
	return len;
}

static unsigned long count_segments(const struct uring_dmabuf_buffer *buf,
				    const struct seg_limits *lim)
{
	unsigned long i, nents = 0;

	for (i = 0; i < buf->nr_runs; i++) {
		u64 phys = PFN_PHYS(uring_dmabuf_run_pfn(buf->runs[i]));
		u64 left = (u64)uring_dmabuf_run_pages(buf->runs[i]) << PAGE_SHIFT;

		while (left) {
			u64 len = seg_len(lim, phys, left);

			phys += len;
			left -= len;
			nents++;
		}
	}
	return nents;
}

static void fill_segments(const struct uring_dmabuf_buffer *buf,
			  const struct seg_limits *lim, struct sg_table *sgt)
{
	struct scatterlist *sg = sgt->sgl;
	unsigned long i;

	for (i = 0; i < buf->nr_runs; i++) {
		u64 phys = PFN_PHYS(uring_dmabuf_run_pfn(buf->runs[i]));
		u64 left = (u64)uring_dmabuf_run_pages(buf->runs[i]) << PAGE_SHIFT;

		while (left) {
			u64 len = seg_len(lim, phys, left);

			sg_set_page(sg, pfn_to_page(PHYS_PFN(phys)), len, 0);
			sg = sg_next(sg);
			phys += len;
			left -= len;
		}
	}
}

/*
 * Returns -EINVAL for a device whose segments cannot hold one page: every
 * segment of ours starts on a page.
 */
int uring_dmabuf_sgt_build(const struct uring_dmabuf_buffer *buf,
			   struct sg_table *sgt, struct device *dev)
{
	/* dma_max_mapping_size(): what swiotlb can bounce in one piece. */
	struct seg_limits lim = {
		.max_len = min3((u64)dma_get_max_seg_size(dev),
				(u64)dma_max_mapping_size(dev),
				(u64)UINT_MAX) & PAGE_MASK,
		.boundary = dma_get_seg_boundary(dev),
	};
	unsigned long nents;
	int err;

	if (!lim.max_len || lim.boundary < PAGE_SIZE - 1)
		return -EINVAL;
	nents = count_segments(buf, &lim);
	if (nents > UINT_MAX)
		return -E2BIG;
	err = sg_alloc_table(sgt, nents, GFP_KERNEL);
	if (err)
		return err;
	fill_segments(buf, &lim, sgt);
	return 0;
}
