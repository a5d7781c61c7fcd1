/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version shim of uring_dmabuf_importer (6.1 .. 7.3). The
 * IMPORTER_HAVE_* macros come from Kbuild greps of the kernel headers.
 *
 * The symbol namespace needs no shim: MODULE_INFO(import_ns, "DMA_BUF") is
 * what MODULE_IMPORT_NS(DMA_BUF) expands to before 6.13 and what
 * MODULE_IMPORT_NS("DMA_BUF") expands to from 6.13 on.
 */
#ifndef _IMPORTER_COMPAT_H
#define _IMPORTER_COMPAT_H

#include <linux/dma-buf.h>
#include <linux/dma-resv.h>

/* 6.1: dma_buf_vmap() still took the dma-buf's own mutex (6.2 added these). */
#ifndef IMPORTER_HAVE_VMAP_UNLOCKED
#define dma_buf_vmap_unlocked dma_buf_vmap
#define dma_buf_vunmap_unlocked dma_buf_vunmap
#endif

/* Early 6.1.y: a static importer mapped under the reservation lock itself. */
#ifndef IMPORTER_HAVE_MAP_UNLOCKED
static inline struct sg_table *
importer_map_attachment_unlocked(struct dma_buf_attachment *attach,
				 enum dma_data_direction dir)
{
	struct sg_table *sgt;

	dma_resv_lock(attach->dmabuf->resv, NULL);
	sgt = dma_buf_map_attachment(attach, dir);
	dma_resv_unlock(attach->dmabuf->resv);
	return sgt;
}

static inline void
importer_unmap_attachment_unlocked(struct dma_buf_attachment *attach,
				   struct sg_table *sgt,
				   enum dma_data_direction dir)
{
	dma_resv_lock(attach->dmabuf->resv, NULL);
	dma_buf_unmap_attachment(attach, sgt, dir);
	dma_resv_unlock(attach->dmabuf->resv);
}

#define dma_buf_map_attachment_unlocked importer_map_attachment_unlocked
#define dma_buf_unmap_attachment_unlocked importer_unmap_attachment_unlocked
#endif

#endif /* _IMPORTER_COMPAT_H */
