// SPDX-License-Identifier: GPL-2.0
/*
 * IMPORTER_IOC_PFNS: the page frame behind each page's DMA address of a
 * kept mapping, for a test to compare with the frames behind the
 * creator's virtual addresses (PFN identity: no bounce or shadow copy).
 */
#include <linux/dma-buf.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/scatterlist.h>
#include <linux/uaccess.h>

#include "importer.h"

int importer_mapping_pfns(struct importer_mapping *m,
			  struct importer_pfns *req)
{
	u64 __user *out = u64_to_user_ptr(req->pfns);
	u64 nr = m->dmabuf->size >> PAGE_SHIFT, idx = 0;
	struct scatterlist *sg;
	unsigned int i;

	if (!m->sgt)
		return -ENOENT;
	if (req->nr_pfns < nr) {
		req->nr_pfns = nr;
		return -ENOSPC;
	}
	req->nr_pfns = nr;
	req->nr_segments = 0;

	for_each_sgtable_dma_sg(m->sgt, sg, i) {
		dma_addr_t dma = sg_dma_address(sg);
		unsigned int len = sg_dma_len(sg), off;

		if (!PAGE_ALIGNED(dma) || !PAGE_ALIGNED(len))
			return -EINVAL;
		req->nr_segments++;
		for (off = 0; off < len && idx < nr; off += PAGE_SIZE) {
			phys_addr_t phys;
			u64 pfn = IMPORTER_PFN_NONE;

			if (importer_dma_to_phys(m->dev, dma + off, &phys))
				pfn = PHYS_PFN(phys);
			if (put_user(pfn, out + idx++))
				return -EFAULT;
			cond_resched();
		}
	}
	/* Pages no segment covered lead nowhere. */
	for (; idx < nr; idx++)
		if (put_user(IMPORTER_PFN_NONE, out + idx))
			return -EFAULT;
	return 0;
}
