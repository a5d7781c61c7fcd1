// SPDX-License-Identifier: GPL-2.0
/*
 * The check itself: attach, map, walk the DMA segments, read the bytes
 * behind them, CPU access, unmap, detach. Only sg_dma_address/sg_dma_len
 * are used, as real importers (devmem, RDMA) do; the exporter's pages are
 * never looked at.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "importer.h"

static bool importer_crosses(dma_addr_t addr, u64 len, unsigned long boundary)
{
	return len && (addr & ~boundary) != ((addr + len - 1) & ~boundary);
}

static void importer_walk_segments(struct importer_check *chk,
				   struct device *dev, struct sg_table *sgt)
{
	unsigned long boundary = dma_get_seg_boundary(dev);
	unsigned int max = dma_get_max_seg_size(dev);
	dma_addr_t prev_addr = 0;
	struct scatterlist *sg;
	u64 prev_len = 0;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		dma_addr_t addr = sg_dma_address(sg);
		unsigned int len = sg_dma_len(sg);

		if (!chk->nr_segments)
			chk->first_dma_addr = addr;
		chk->nr_segments++;
		chk->mapped_bytes += len;
		if (len > chk->largest_segment)
			chk->largest_segment = len;
		if (len > max)
			chk->nr_over_limit++;
		if (importer_crosses(addr, len, boundary))
			chk->nr_cross_boundary++;
		if (!PAGE_ALIGNED(addr) || !PAGE_ALIGNED(len))
			chk->nr_unaligned++;
		/* One segment would have done for both. */
		if (prev_len && prev_addr + prev_len == addr &&
		    prev_len + len <= max &&
		    !importer_crosses(prev_addr, prev_len + len, boundary))
			chk->nr_mergeable++;
		prev_addr = addr;
		prev_len = len;
	}
}

/* 1 + offset of the first differing byte, 0 if equal. */
static u64 importer_first_diff(const u8 *a, const u8 *b, size_t len,
			       u64 offset)
{
	size_t i;

	if (!memcmp(a, b, len))
		return 0;
	for (i = 0; a[i] == b[i]; i++)
		;
	return offset + i + 1;
}

/*
 * Hashes the bytes behind each DMA address in segment order and compares
 * them with the exporter's vmap: segment i must hold the next sg_dma_len
 * bytes of the buffer.
 */
static void importer_check_bytes(struct importer_check *chk,
				 struct importer_mapping *m)
{
	struct importer_hash hash = IMPORTER_HASH_INIT;
	struct iosys_map map;
	const u8 *vaddr = NULL;
	struct scatterlist *sg;
	u64 offset = 0;
	unsigned int i;
	int ret;

	/*
	 * An exporter may refuse the vmap (READONLY uring-dmabuf buffers have
	 * none: -EINVAL from the core). Reported, and the DMA side is still
	 * read and hashed; only the comparison with the vmap is left out.
	 */
	ret = dma_buf_vmap_unlocked(m->dmabuf, &map);
	if (ret)
		chk->vmap_err = -ret;
	else if (map.is_iomem)
		chk->vmap_err = EREMOTEIO;
	else
		vaddr = map.vaddr;

	for_each_sgtable_dma_sg(m->sgt, sg, i) {
		dma_addr_t dma = sg_dma_address(sg);
		unsigned int len = sg_dma_len(sg);

		/* Page by page: an IOVA range is contiguous, its pages are not. */
		while (len) {
			phys_addr_t phys;
			size_t off, n;
			const u8 *p;

			if (!importer_dma_to_phys(m->dev, dma, &phys) ||
			    !page_is_ram(PHYS_PFN(phys))) {
				chk->nr_bad_pfn++;
				n = min_t(size_t, len,
					  PAGE_SIZE - offset_in_page(dma));
			} else {
				off = offset_in_page(phys);
				n = min_t(size_t, len, PAGE_SIZE - off);
				p = kmap_local_page(pfn_to_page(PHYS_PFN(phys)));
				importer_hash_update(&hash, p + off, n);
				if (vaddr && !chk->vmap_mismatch &&
				    offset + n <= m->dmabuf->size)
					chk->vmap_mismatch =
						importer_first_diff(p + off,
								    vaddr + offset,
								    n, offset);
				kunmap_local(p);
			}
			dma += n;
			offset += n;
			len -= n;
			cond_resched();
		}
	}
	chk->hash = importer_hash_final(&hash);

	if (!ret)
		dma_buf_vunmap_unlocked(m->dmabuf, &map);
}

void importer_mapping_release(struct importer_mapping *m)
{
	if (m->sgt)
		dma_buf_unmap_attachment_unlocked(m->attach, m->sgt, m->dir);
	if (m->attach)
		dma_buf_detach(m->dmabuf, m->attach);
	importer_dev_destroy(m->dev);
	dma_buf_put(m->dmabuf);
	kfree(m);
}

/*
 * Returns -errno only for a bad request (not a dma-buf, no memory); what the
 * exporter refused is reported in @chk. With @kept, a mapping that worked
 * stays attached and is handed back.
 */
int importer_run_check(struct device *parent, struct importer_check *chk,
		       struct importer_mapping **kept)
{
	enum dma_data_direction cpu_dir = chk->cpu_dir;
	struct importer_mapping *m;
	struct sg_table *sgt;
	int ret;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->dir = chk->dir;

	m->dmabuf = dma_buf_get(chk->fd);
	if (IS_ERR(m->dmabuf)) {
		ret = PTR_ERR(m->dmabuf);
		goto err_free_mapping;
	}
	chk->dmabuf_size = m->dmabuf->size;

	m->dev = importer_dev_create(parent, chk);
	if (IS_ERR(m->dev)) {
		ret = PTR_ERR(m->dev);
		goto err_put_dmabuf;
	}
	chk->iommu_mapped = device_iommu_mapped(m->dev);

	m->attach = dma_buf_attach(m->dmabuf, m->dev);
	if (IS_ERR(m->attach)) {
		chk->attach_err = -PTR_ERR(m->attach);
		m->attach = NULL;
		goto out_release;
	}
	/* Mapping for a device without a mask would only WARN in the DMA API. */
	if (chk->flags & IMPORTER_CHECK_NO_DMA_MASK)
		goto out_release;

	sgt = dma_buf_map_attachment_unlocked(m->attach, m->dir);
	if (IS_ERR(sgt)) {
		chk->map_err = -PTR_ERR(sgt);
		goto out_release;
	}
	m->sgt = sgt;
	importer_walk_segments(chk, m->dev, sgt);
	if (!chk->nr_segments)
		chk->map_err = EIO;

	ret = dma_buf_begin_cpu_access(m->dmabuf, cpu_dir);
	chk->begin_cpu_err = -ret;
	if (chk->flags & IMPORTER_CHECK_BYTES)
		importer_check_bytes(chk, m);
	if (!ret)
		chk->end_cpu_err = -dma_buf_end_cpu_access(m->dmabuf, cpu_dir);

	if (kept) {
		*kept = m;
		return 0;
	}
out_release:
	importer_mapping_release(m);
	return 0;

err_put_dmabuf:
	dma_buf_put(m->dmabuf);
err_free_mapping:
	kfree(m);
	return ret;
}
