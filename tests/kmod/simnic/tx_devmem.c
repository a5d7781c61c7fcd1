// SPDX-License-Identifier: GPL-2.0
/*
 * Devmem TX: an skb whose payload frags are net_iovs of a dma-buf bound
 * with NETDEV_CMD_BIND_TX. The CPU must not read them (the skb is
 * "unreadable"); the device reads them as real hardware does. For each
 * frag skb_frag_dma_map() hands it a DMA address (a net_iov's is its
 * binding's, mapped once at bind time; a page frag is mapped for the
 * occasion), and it reads through that address as its DMA would
 * (simnic_dma_to_phys(): the IOMMU domain, or dma_to_phys()), never
 * through a struct page of the skb or the exporter's vmap. What it read
 * goes on the wire as an ordinary frame; the skb is then completed, which
 * releases the net_iovs and lets the sender's MSG_ZEROCOPY notification
 * say the region is free again.
 *
 * The core refuses a frag of another device's binding before the driver
 * (net_devmem_get_binding() at sendmsg, validate_xmit_unreadable_skb());
 * the binding is private to net/core. The device refuses what it cannot
 * reach: an address that leads to no RAM or, behind an IOMMU, that its
 * domain does not map (a binding made for another device). The frame is
 * dropped and counted as dma_refused.
 */
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/skbuff.h>
#include <net/netmem.h>

#include "simnic.h"

/* What a TX descriptor keeps to undo its mapping, as real drivers do. */
struct simnic_tx_buf {
	DEFINE_DMA_UNMAP_ADDR(dma);
	DEFINE_DMA_UNMAP_LEN(len);
};

/* The device's read of @len bytes at DMA address @dma, page by page. */
static int simnic_dma_read(struct device *dma_dev, dma_addr_t dma, u8 *dst,
			   unsigned int len)
{
	unsigned int chunk, pg_off;
	phys_addr_t phys;
	void *vaddr;

	while (len) {
		if (!simnic_dma_to_phys(dma_dev, dma, &phys))
			return -EFAULT;
		pg_off = offset_in_page(phys);
		chunk = min_t(unsigned int, len, PAGE_SIZE - pg_off);

		vaddr = kmap_local_page(pfn_to_page(PHYS_PFN(phys)));
		memcpy(dst, vaddr + pg_off, chunk);
		kunmap_local(vaddr);

		dma += chunk;
		dst += chunk;
		len -= chunk;
	}
	return 0;
}

/* One frag: mapped, read and unmapped, a TX descriptor's whole life. */
static int simnic_tx_frag(struct device *dma_dev, const skb_frag_t *frag,
			  u8 *dst)
{
	unsigned int len = skb_frag_size(frag);
	struct simnic_tx_buf buf;
	dma_addr_t dma;
	int err;

	dma = skb_frag_dma_map(dma_dev, frag, 0, len, DMA_TO_DEVICE);
	if (dma_mapping_error(dma_dev, dma))
		return -ENOMEM;
	/* A net_iov's mapping is its binding's: recorded as 0, not undone. */
	netmem_dma_unmap_addr_set(skb_frag_netmem(frag), &buf, dma, dma);
	dma_unmap_len_set(&buf, len, len);

	err = simnic_dma_read(dma_dev, dma, dst, len);

	netmem_dma_unmap_page_attrs(dma_dev, dma_unmap_addr(&buf, dma),
				    dma_unmap_len(&buf, len), DMA_TO_DEVICE, 0);
	return err;
}

/*
 * The frame the device puts on the wire for the unreadable @skb, its frags
 * read by DMA; an ERR_PTR if it cannot (-EFAULT: an address it cannot
 * reach, counted). @skb stays the caller's. In the TX queue's DMA engine
 * (tx_dma.c), not under its lock: the stats take it.
 */
struct sk_buff *simnic_tx_devmem(struct simnic_priv *priv, struct sk_buff *skb,
				 struct simnic_tx_stats *ts)
{
	struct netdev_queue *nq = netdev_get_tx_queue(priv->dev,
						      skb_get_queue_mapping(skb));
	const struct skb_shared_info *shinfo = skb_shinfo(skb);
	unsigned int i, hlen = skb_headlen(skb), devmem = 0;
	const skb_frag_t *frag;
	struct sk_buff *frame;
	int err = 0;
	u8 *dst;

	/* No NETIF_F_FRAGLIST: the stack never hands us a frag_list. */
	if (skb_has_frag_list(skb))
		return ERR_PTR(-EINVAL);
	frame = alloc_skb(skb->len, GFP_ATOMIC | __GFP_NOWARN);
	if (!frame)
		return ERR_PTR(-ENOMEM);

	/* The headers are the stack's own memory, never a net_iov. */
	skb_put_data(frame, skb->data, hlen);
	dst = skb_put(frame, skb->data_len);
	for (i = 0; i < shinfo->nr_frags; i++) {
		frag = &shinfo->frags[i];
		err = simnic_tx_frag(priv->dma_dev, frag, dst);
		if (err)
			break;
		if (skb_frag_is_net_iov(frag))
			devmem += skb_frag_size(frag);
		dst += skb_frag_size(frag);
	}

	__netif_tx_lock_bh(nq);
	u64_stats_update_begin(&ts->syncp);
	if (err == -EFAULT)
		ts->dma_refused++;
	else if (!err)
		ts->devmem_bytes += devmem;
	u64_stats_update_end(&ts->syncp);
	__netif_tx_unlock_bh(nq);

	if (err) {
		kfree_skb(frame);
		return ERR_PTR(err);
	}
	skb_set_queue_mapping(frame, skb_get_queue_mapping(skb));
	return frame;
}
