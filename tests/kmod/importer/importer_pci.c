// SPDX-License-Identifier: GPL-2.0
/*
 * A PCI function for the importer to import with: QEMU's "pci-testdev"
 * (1b36:0005). An IOMMU translates PCI devices only; in the IOMMU lane
 * every mapping the importer makes (but the attach-only checks without a
 * DMA mask) is made for this function, so it gets IOVAs that the importer
 * reads back through the function's IOMMU domain, as the device would.
 * Without such a function the importer makes a bare device per check
 * (importer_dev.c) and sees dma-direct.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pci.h>

#include "importer.h"

#define TESTDEV_VENDOR	0x1b36
#define TESTDEV_DEVICE	0x0005

static DEFINE_MUTEX(importer_pci_lock);	/* protects importer_pci */
static struct pci_dev *importer_pci;

/* The function with a reference, or NULL. */
struct device *importer_pci_get(void)
{
	struct device *dev = NULL;

	mutex_lock(&importer_pci_lock);
	if (importer_pci)
		dev = get_device(&importer_pci->dev);
	mutex_unlock(&importer_pci_lock);
	return dev;
}

/* The RAM that @dma leads to for @dev, or false if the device cannot reach it. */
bool importer_dma_to_phys(struct device *dev, dma_addr_t dma,
			  phys_addr_t *phys)
{
	struct iommu_domain *domain;

	if (device_iommu_mapped(dev)) {
		domain = iommu_get_domain_for_dev(dev);
		/* 0: the IOVA maps nothing. */
		*phys = domain ? iommu_iova_to_phys(domain, dma) : 0;
		if (!*phys)
			return false;
	} else {
		*phys = dma_to_phys(dev, dma);
	}
	return pfn_valid(PHYS_PFN(*phys));
}

static int importer_pci_probe(struct pci_dev *pdev,
			      const struct pci_device_id *id)
{
	int err;

	mutex_lock(&importer_pci_lock);
	err = importer_pci ? -EBUSY : 0;
	mutex_unlock(&importer_pci_lock);
	if (err)
		return err;

	err = pcim_enable_device(pdev);
	if (err)
		return err;
	err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (err)
		return err;

	mutex_lock(&importer_pci_lock);
	importer_pci = pdev;
	mutex_unlock(&importer_pci_lock);
	dev_info(&pdev->dev, "importing with this function%s\n",
		 device_iommu_mapped(&pdev->dev) ? ", behind an IOMMU" : "");
	return 0;
}

static void importer_pci_remove(struct pci_dev *pdev)
{
	mutex_lock(&importer_pci_lock);
	importer_pci = NULL;
	mutex_unlock(&importer_pci_lock);
}

/* No MODULE_DEVICE_TABLE: the tests load the module themselves. */
static const struct pci_device_id importer_pci_ids[] = {
	{ PCI_DEVICE(TESTDEV_VENDOR, TESTDEV_DEVICE) },
	{ }
};

static struct pci_driver importer_pci_driver = {
	.name = "uring_dmabuf_importer",
	.id_table = importer_pci_ids,
	.probe = importer_pci_probe,
	.remove = importer_pci_remove,
};

int importer_pci_register(void)
{
	return pci_register_driver(&importer_pci_driver);
}

void importer_pci_unregister(void)
{
	pci_unregister_driver(&importer_pci_driver);
}
