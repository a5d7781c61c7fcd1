// SPDX-License-Identifier: GPL-2.0
/*
 * The importing device, with the DMA limits the test asks for: the PCI
 * function of importer_pci.c when there is one (behind an IOMMU in the
 * IOMMU lane), else a bare struct device with no bus, made per check.
 * Without a bus no IOMMU ever claims it, so its mappings are dma-direct and
 * a DMA address is a physical one. A check that needs no DMA mask always
 * gets a bare device (a PCI function has one).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/dma-mapping.h>
#include <linux/limits.h>
#include <linux/pci.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "importer.h"

struct importer_dev {
	struct device dev;
	u64 dma_mask;
	struct device_dma_parameters dma_parms;
};

static void importer_dev_release(struct device *dev)
{
	kfree(container_of(dev, struct importer_dev, dev));
}

struct device *importer_dev_create(struct device *parent,
				   const struct importer_check *chk)
{
	static atomic_t seq = ATOMIC_INIT(0);
	struct importer_dev *idev;
	struct device *dev;
	int ret;

	if (!(chk->flags & IMPORTER_CHECK_NO_DMA_MASK)) {
		dev = importer_pci_get();
		if (dev) {
			/* What a bare device gets: 64 KiB, no boundary. */
			dma_set_max_seg_size(dev, chk->max_seg_size ?: SZ_64K);
			dma_set_seg_boundary(dev, chk->seg_boundary_mask ?:
					     ULONG_MAX);
			return dev;
		}
	}

	idev = kzalloc(sizeof(*idev), GFP_KERNEL);
	if (!idev)
		return ERR_PTR(-ENOMEM);
	dev = &idev->dev;
	device_initialize(dev);
	dev->parent = parent;
	dev->release = importer_dev_release;

	if (!(chk->flags & IMPORTER_CHECK_NO_DMA_MASK)) {
		idev->dma_mask = DMA_BIT_MASK(64);
		dev->dma_mask = &idev->dma_mask;
		dev->coherent_dma_mask = DMA_BIT_MASK(64);
	}
	/* Without dma_parms the kernel's defaults apply (64 KiB, no boundary). */
	if (chk->max_seg_size || chk->seg_boundary_mask) {
		dev->dma_parms = &idev->dma_parms;
		dma_set_max_seg_size(dev, chk->max_seg_size);
		dma_set_seg_boundary(dev, chk->seg_boundary_mask);
	}

	ret = dev_set_name(dev, "importer%d", atomic_inc_return(&seq));
	if (ret)
		goto err_put_dev;
	ret = device_add(dev);
	if (ret)
		goto err_put_dev;
	return dev;

err_put_dev:
	put_device(dev);
	return ERR_PTR(ret);
}

void importer_dev_destroy(struct device *dev)
{
	if (dev_is_pci(dev))
		put_device(dev);
	else
		device_unregister(dev);
}
