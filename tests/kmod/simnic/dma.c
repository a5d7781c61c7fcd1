// SPDX-License-Identifier: GPL-2.0
/*
 * Where a DMA address of the simulated NIC's device leads, as its hardware
 * would resolve it. Under dma-direct a DMA address is a physical one
 * (dma_to_phys()); behind an IOMMU the device's DMA goes through its IOMMU
 * domain, so an IOVA leads wherever that domain maps it, and nowhere once it
 * is unmapped: such a write is refused (counted, never done), as the IOMMU
 * would fault it.
 */
#include <linux/dma-direct.h>
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/unaligned.h>

#include "simnic.h"

/* The RAM page that @dma leads to, or false if the device cannot reach it. */
bool simnic_dma_to_phys(struct device *dma_dev, dma_addr_t dma,
			phys_addr_t *phys)
{
	struct iommu_domain *domain;

	if (device_iommu_mapped(dma_dev)) {
		domain = iommu_get_domain_for_dev(dma_dev);
		*phys = domain ? iommu_iova_to_phys(domain, dma) : 0;
		/* iova_to_phys() returns 0 for an IOVA with no mapping. */
		if (!*phys)
			return false;
	} else {
		*phys = dma_to_phys(dma_dev, dma);
	}
	return pfn_valid(PHYS_PFN(*phys));
}

/* The CPU doing what the device would: @len bytes of @src to @phys. */
static void simnic_dma_copy(phys_addr_t phys, const u8 *src, unsigned int len)
{
	void *vaddr = kmap_local_page(pfn_to_page(PHYS_PFN(phys)));

	memcpy(vaddr + offset_in_page(phys), src, len);
	kunmap_local(vaddr);
}

/*
 * debugfs dma_test: a device write of SIMNIC_DMA_TEST_LEN bytes of @cookie
 * to @iova, for a test to see whether a stale IOVA still leads to memory.
 * Only behind an IOMMU: under dma-direct any address is RAM. With @stale
 * nothing is written where @iova still translates: it may belong to another
 * mapping by now. With @cpu, or without an edu engine, the write takes the
 * simulated path of the RX payload (simnic_dma_to_phys()), which refuses
 * an IOVA that does not translate. The result goes to priv->dma_test.
 */
int simnic_dma_test(struct simnic_priv *priv, dma_addr_t iova, u64 cookie,
		    bool stale, bool cpu)
{
	u8 pattern[SIMNIC_DMA_TEST_LEN];
	const char *engine, *result;
	bool translated;
	phys_addr_t phys;
	unsigned int i;
	int err = 0;

	if (!device_iommu_mapped(priv->dma_dev))
		return -EOPNOTSUPP;
	if (offset_in_page(iova) > PAGE_SIZE - SIMNIC_DMA_TEST_LEN)
		return -EINVAL;
	for (i = 0; i < SIMNIC_DMA_TEST_LEN; i += sizeof(cookie))
		put_unaligned_le64(cookie, pattern + i);

	mutex_lock(&priv->dma_test_lock);
	translated = simnic_dma_to_phys(priv->dma_dev, iova, &phys);
	engine = priv->edu && !cpu ? "edu" : "cpu";
	if (stale && translated) {
		result = "skipped";
	} else if (priv->edu && !cpu) {
		/* A real DMA: QEMU's vIOMMU translates it or faults it. */
		err = simnic_edu_dma_write(priv->edu, iova, pattern);
		result = "done";
	} else if (translated) {
		simnic_dma_copy(phys, pattern, SIMNIC_DMA_TEST_LEN);
		result = "written";
	} else {
		result = "refused";
	}
	if (err)
		snprintf(priv->dma_test, sizeof(priv->dma_test),
			 "iova %#llx translated %d engine %s result error %d",
			 (u64)iova, translated, engine, err);
	else
		snprintf(priv->dma_test, sizeof(priv->dma_test),
			 "iova %#llx translated %d engine %s result %s",
			 (u64)iova, translated, engine, result);
	mutex_unlock(&priv->dma_test_lock);
	return err;
}
