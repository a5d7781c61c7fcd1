// SPDX-License-Identifier: GPL-2.0
/*
 * The dma-buf exporter: attach/map for importing devices, CPU access
 * syncing, mmap and vmap for CPU users, and release.
 *
 * Locking: since 6.2 the core calls map/unmap/vmap/vunmap with the dma-buf's
 * reservation lock held, attach/detach/begin/end_cpu_access/mmap/release
 * without it. buf->lock nests inside the reservation lock and nothing here
 * takes the reservation lock, so there is no inversion.
 *
 * There are no pin/unpin ops: the pages are pinned for the buffer's whole
 * life, and those ops change what the core does across kernel versions.
 *
 * Cache maintenance is ours, as in DRM PRIME exporters: a dma-buf is mapped
 * by several importers at once (a NIC bound twice, a NIC and a GPU), and the
 * DMA API accepts overlapping mappings only when the caller does the syncing.
 * So map and unmap skip the CPU sync and sync explicitly, and
 * begin/end_cpu_access sync every mapping.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "run.h"
#include "uring_dmabuf.h"

/**
 * struct uring_dmabuf_attachment - an importer's device
 * @node: in buffer->attachments
 * @dev: the importing device, referenced: a binding may outlive its NIC
 *	(6.12 devmem unbinds after the netdev is gone), and
 *	DMA_BUF_IOCTL_SYNC reaches every attachment at any time
 * @mappings: struct uring_dmabuf_mapping list; an importer may map more than
 *	once since the core stopped caching sg_tables (6.15)
 */
struct uring_dmabuf_attachment {
	struct list_head node;
	struct device *dev;
	struct list_head mappings;
};

/**
 * struct uring_dmabuf_mapping - one mapped sg_table of an attachment
 * @node: in attachment->mappings
 * @sgt: handed to the importer
 * @dir: direction it was mapped with, needed to sync it
 */
struct uring_dmabuf_mapping {
	struct list_head node;
	struct sg_table sgt;
	enum dma_data_direction dir;
};

static const struct dma_buf_ops uring_dmabuf_ops;
static const struct dma_buf_ops uring_dmabuf_novmap_ops;

bool uring_dmabuf_is_ours(const struct dma_buf *dmabuf)
{
	return dmabuf->ops == &uring_dmabuf_ops ||
	       dmabuf->ops == &uring_dmabuf_novmap_ops;
}

/*
 * A device without a DMA mask would get a "successful" dma_map_sgtable()
 * with zero entries (netdevsim), so refuse it up front.
 */
static int uring_dmabuf_attach(struct dma_buf *dmabuf,
			       struct dma_buf_attachment *attach)
{
	struct uring_dmabuf_buffer *buf = dmabuf->priv;
	struct uring_dmabuf_attachment *a;

	if (!attach->dev->dma_mask || !*attach->dev->dma_mask)
		return -EOPNOTSUPP;
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->dev = get_device(attach->dev);
	INIT_LIST_HEAD(&a->mappings);

	mutex_lock(&buf->lock);
	list_add_tail(&a->node, &buf->attachments);
	buf->nr_attachments++;
	mutex_unlock(&buf->lock);
	attach->priv = a;
	uring_dmabuf_stats_attachment(1);
	return 0;
}

static void uring_dmabuf_detach(struct dma_buf *dmabuf,
				struct dma_buf_attachment *attach)
{
	struct uring_dmabuf_buffer *buf = dmabuf->priv;
	struct uring_dmabuf_attachment *a = attach->priv;

	mutex_lock(&buf->lock);
	WARN_ON(!list_empty(&a->mappings));
	list_del(&a->node);
	buf->nr_attachments--;
	mutex_unlock(&buf->lock);
	put_device(a->dev);
	kfree(a);
	uring_dmabuf_stats_attachment(-1);
}

static struct sg_table *uring_dmabuf_map(struct dma_buf_attachment *attach,
					 enum dma_data_direction dir)
{
	struct uring_dmabuf_buffer *buf = attach->dmabuf->priv;
	struct uring_dmabuf_attachment *a = attach->priv;
	struct uring_dmabuf_mapping *m;
	int err;

	if (!uring_dmabuf_may_write(buf) && dir != DMA_TO_DEVICE)
		return ERR_PTR(-EACCES);
	/* Two device-writable mappings of one page: the DMA API forbids it. */
	if (buf->aliased && dir != DMA_TO_DEVICE)
		return ERR_PTR(-EINVAL);
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	err = uring_dmabuf_sgt_build(buf, &m->sgt, attach->dev);
	if (err)
		goto err_free;
	err = dma_map_sgtable(attach->dev, &m->sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
	if (err)
		goto err_free_table;
	/* What the CPU wrote through the user's mapping, for the device. */
	dma_sync_sgtable_for_device(attach->dev, &m->sgt, dir);
	m->dir = dir;

	mutex_lock(&buf->lock);
	list_add_tail(&m->node, &a->mappings);
	mutex_unlock(&buf->lock);
	return &m->sgt;

err_free_table:
	sg_free_table(&m->sgt);
err_free:
	kfree(m);
	return ERR_PTR(err);
}

static void uring_dmabuf_unmap(struct dma_buf_attachment *attach,
			       struct sg_table *sgt,
			       enum dma_data_direction dir)
{
	struct uring_dmabuf_buffer *buf = attach->dmabuf->priv;
	struct uring_dmabuf_mapping *m;

	m = container_of(sgt, struct uring_dmabuf_mapping, sgt);
	mutex_lock(&buf->lock);
	list_del(&m->node);
	mutex_unlock(&buf->lock);
	/* What the device wrote, for the CPU. */
	dma_sync_sgtable_for_cpu(attach->dev, sgt, dir);
	dma_unmap_sgtable(attach->dev, sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
	sg_free_table(sgt);
	kfree(m);
}

/* Sync every mapping of every attachment, not a private loopback device. */
static void sync_mappings(struct uring_dmabuf_buffer *buf, bool for_cpu)
{
	struct uring_dmabuf_attachment *a;
	struct uring_dmabuf_mapping *m;

	mutex_lock(&buf->lock);
	list_for_each_entry(a, &buf->attachments, node) {
		list_for_each_entry(m, &a->mappings, node) {
			if (for_cpu)
				dma_sync_sgtable_for_cpu(a->dev, &m->sgt, m->dir);
			else
				dma_sync_sgtable_for_device(a->dev, &m->sgt, m->dir);
		}
	}
	mutex_unlock(&buf->lock);
}

static int uring_dmabuf_begin_cpu_access(struct dma_buf *dmabuf,
					 enum dma_data_direction dir)
{
	sync_mappings(dmabuf->priv, true);
	return 0;
}

static int uring_dmabuf_end_cpu_access(struct dma_buf *dmabuf,
				       enum dma_data_direction dir)
{
	sync_mappings(dmabuf->priv, false);
	return 0;
}

/*
 * Anonymous pages cannot be inserted with vm_insert_page(), so map the
 * pfns, run by run. Private mappings would need COW of pfn maps: refused.
 * The dma-buf core has already checked that the range fits the buffer.
 */
static int uring_dmabuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct uring_dmabuf_buffer *buf = dmabuf->priv;
	unsigned long skip = vma->vm_pgoff;
	unsigned long addr = vma->vm_start;
	unsigned long i;
	int err;

	/* VM_MAYSHARE: a shared mapping of a read-only file lacks VM_SHARED. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (!uring_dmabuf_may_write(buf)) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		vm_flags_clear(vma, VM_MAYWRITE);
	}
	for (i = 0; i < buf->nr_runs && addr < vma->vm_end; i++) {
		unsigned long pfn = uring_dmabuf_run_pfn(buf->runs[i]);
		unsigned long count = uring_dmabuf_run_pages(buf->runs[i]);
		unsigned long len;

		if (skip >= count) {
			skip -= count;
			continue;
		}
		pfn += skip;
		count -= skip;
		skip = 0;
		len = min(count << PAGE_SHIFT, vma->vm_end - addr);
		err = remap_pfn_range(vma, addr, pfn, len, vma->vm_page_prot);
		if (err)
			return err;
		addr += len;
	}
	return 0;
}

/* Only for buffers that may_vmap(): see there. */
static int uring_dmabuf_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct uring_dmabuf_buffer *buf = dmabuf->priv;
	struct page **pages;
	unsigned long i, j, n = 0;
	void *vaddr;

	pages = kvmalloc_array(buf->nr_pages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < buf->nr_runs; i++) {
		unsigned long pfn = uring_dmabuf_run_pfn(buf->runs[i]);

		for (j = 0; j < uring_dmabuf_run_pages(buf->runs[i]); j++)
			pages[n++] = pfn_to_page(pfn + j);
	}
	vaddr = vmap(pages, n, VM_MAP, PAGE_KERNEL);
	kvfree(pages);
	if (!vaddr)
		return -ENOMEM;
	iosys_map_set_vaddr(map, vaddr);
	return 0;
}

static void uring_dmabuf_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	vunmap(map->vaddr);
}

static void uring_dmabuf_release(struct dma_buf *dmabuf)
{
	uring_dmabuf_buffer_free(dmabuf->priv);
}

static const struct dma_buf_ops uring_dmabuf_ops = {
	.attach = uring_dmabuf_attach,
	.detach = uring_dmabuf_detach,
	.map_dma_buf = uring_dmabuf_map,
	.unmap_dma_buf = uring_dmabuf_unmap,
	.begin_cpu_access = uring_dmabuf_begin_cpu_access,
	.end_cpu_access = uring_dmabuf_end_cpu_access,
	.mmap = uring_dmabuf_mmap,
	.vmap = uring_dmabuf_vmap,
	.vunmap = uring_dmabuf_vunmap,
	.release = uring_dmabuf_release,
};

/* The same without vmap: dma_buf_vmap() then fails with -EINVAL. */
static const struct dma_buf_ops uring_dmabuf_novmap_ops = {
	.attach = uring_dmabuf_attach,
	.detach = uring_dmabuf_detach,
	.map_dma_buf = uring_dmabuf_map,
	.unmap_dma_buf = uring_dmabuf_unmap,
	.begin_cpu_access = uring_dmabuf_begin_cpu_access,
	.end_cpu_access = uring_dmabuf_end_cpu_access,
	.mmap = uring_dmabuf_mmap,
	.release = uring_dmabuf_release,
};

/*
 * An iosys_map carries no access mode: importers that only vmap (V4L2
 * vb2-vmalloc capture) write through it, so a READONLY buffer gets none.
 * vmap() counts pages in an unsigned int, and the page array must stay
 * under kvmalloc's INT_MAX bytes. Refused by leaving out the op: a ->vmap
 * that fails trips a WARN in the dma-buf core.
 */
static bool may_vmap(const struct uring_dmabuf_buffer *buf)
{
	return uring_dmabuf_may_write(buf) &&
	       buf->nr_pages <= INT_MAX / sizeof(struct page *);
}

/*
 * Once this succeeds the dma-buf owns @buf: undo with dma_buf_put() only.
 * On failure the caller still owns @buf.
 */
int uring_dmabuf_export(struct uring_dmabuf_buffer *buf,
			struct dma_buf **dmabuf)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf *d;

	exp_info.exp_name = "uring_dmabuf";
	exp_info.ops = may_vmap(buf) ? &uring_dmabuf_ops : &uring_dmabuf_novmap_ops;
	exp_info.size = (size_t)buf->nr_pages << PAGE_SHIFT;
	exp_info.flags = uring_dmabuf_readonly(buf) ? O_RDONLY : O_RDWR;
	exp_info.priv = buf;
	d = dma_buf_export(&exp_info);
	if (IS_ERR(d))
		return PTR_ERR(d);
	*dmabuf = d;
	return 0;
}
