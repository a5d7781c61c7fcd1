// SPDX-License-Identifier: GPL-2.0
/*
 * A PCI function for a pair of ports to sit on: QEMU's "edu" device
 * (1234:11e8). An IOMMU translates PCI devices only, so behind QEMU's
 * intel-iommu the ports' DMA device is this function, their mappings are
 * IOVAs, and the RX path resolves them through the IOMMU domain. Its DMA
 * engine (one 4 KiB buffer, 64 bytes used here) lets the debugfs dma_test
 * knob make a real device write to an IOVA: QEMU's vIOMMU then either
 * translates it or faults it (the guest logs a DMAR fault).
 *
 * edu registers (QEMU's edu specification): 0x00 identification, 0x80 DMA
 * source, 0x88 destination, 0x90 count, 0x98 command (bit 0 start and busy,
 * bit 1 direction: 1 = from the device's buffer to RAM). The buffer sits at
 * 0x40000 in the device's own address space; QEMU aborts on a transfer
 * outside it, so the transfers here stay inside it.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/pci.h>

#include "simnic.h"

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_REG_ID		0x00
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_DMA_RUN		0x1
#define EDU_DMA_TO_RAM		0x2
#define EDU_DMA_BUF		0x40000
/* QEMU's timer runs a transfer 100 ms after it starts. */
#define EDU_DMA_TIMEOUT_MS	2000

static unsigned int edu_dma_bits = 28;
module_param(edu_dma_bits, uint, 0444);
MODULE_PARM_DESC(edu_dma_bits, "Address bits the edu device's DMA engine keeps (QEMU's dma_mask property; its default is 28)");

struct simnic_edu {
	void __iomem *regs;
	struct device *dev;
	struct mutex lock;	/* one transfer at a time */
	u8 *stage;		/* coherent: what is copied into the device */
	dma_addr_t stage_dma;
};

static int simnic_edu_transfer(struct simnic_edu *edu, u64 src, u64 dst,
			       u32 cmd)
{
	unsigned int waited = 0;

	writeq(src, edu->regs + EDU_REG_DMA_SRC);
	writeq(dst, edu->regs + EDU_REG_DMA_DST);
	writeq(SIMNIC_DMA_TEST_LEN, edu->regs + EDU_REG_DMA_COUNT);
	writeq(cmd | EDU_DMA_RUN, edu->regs + EDU_REG_DMA_CMD);
	while (readq(edu->regs + EDU_REG_DMA_CMD) & EDU_DMA_RUN) {
		if (waited >= EDU_DMA_TIMEOUT_MS)
			return -ETIMEDOUT;
		msleep(20);
		waited += 20;
	}
	return 0;
}

/*
 * The device writes SIMNIC_DMA_TEST_LEN bytes of @pattern to @iova: they
 * are DMA'd from RAM into the device's buffer, then from there to @iova.
 * Whether they land is the IOMMU's (QEMU's) decision, not ours.
 */
int simnic_edu_dma_write(struct simnic_edu *edu, dma_addr_t iova,
			 const u8 *pattern)
{
	int err;

	if (edu_dma_bits < 64 &&
	    (u64)iova + SIMNIC_DMA_TEST_LEN > BIT_ULL(edu_dma_bits))
		return -ERANGE;

	mutex_lock(&edu->lock);
	memcpy(edu->stage, pattern, SIMNIC_DMA_TEST_LEN);
	err = simnic_edu_transfer(edu, edu->stage_dma, EDU_DMA_BUF, 0);
	if (!err)
		err = simnic_edu_transfer(edu, EDU_DMA_BUF, iova,
					  EDU_DMA_TO_RAM);
	mutex_unlock(&edu->lock);
	return err;
}

static int simnic_pci_probe(struct pci_dev *pdev,
			    const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct simnic_edu *edu;
	int err;

	err = pcim_enable_device(pdev);
	if (err)
		return err;
	pci_set_master(pdev);

	edu = devm_kzalloc(dev, sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	edu->dev = dev;
	mutex_init(&edu->lock);
	edu->regs = pcim_iomap(pdev, 0, 0);
	if (!edu->regs)
		return -ENOMEM;
	dev_dbg(dev, "edu id %#x\n", readl(edu->regs + EDU_REG_ID));

	err = simnic_dma_setup(dev);
	if (err)
		return err;
	edu->stage = dmam_alloc_coherent(dev, SIMNIC_DMA_TEST_LEN,
					 &edu->stage_dma, GFP_KERNEL);
	if (!edu->stage)
		return -ENOMEM;

	return simnic_pair_create(dev, edu);
}

static void simnic_pci_remove(struct pci_dev *pdev)
{
	simnic_pair_destroy(&pdev->dev);
}

/*
 * No MODULE_DEVICE_TABLE: the tests load the module with their own
 * parameters, so the device must not load it first.
 */
static const struct pci_device_id simnic_pci_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{ }
};

static struct pci_driver simnic_pci_driver = {
	.name = "uring_dmabuf_simnic",
	.id_table = simnic_pci_ids,
	.probe = simnic_pci_probe,
	.remove = simnic_pci_remove,
};

int simnic_pci_register(void)
{
	return pci_register_driver(&simnic_pci_driver);
}

void simnic_pci_unregister(void)
{
	pci_unregister_driver(&simnic_pci_driver);
}
