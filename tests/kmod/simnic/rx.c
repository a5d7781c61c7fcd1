// SPDX-License-Identifier: GPL-2.0
/*
 * The receive side of the wire: each RX queue's NAPI poll takes the frames
 * the peer sent to it and "DMAs" them the way a header-split NIC does.
 * Headers (Ethernet, IP, TCP with options) go into the skb's linear part;
 * TCP payload is written to the DMA address of netmems from the queue's
 * page pool, at most a buffer (a page, or the provider's rx_page_size)
 * each, and attached as frags. With a devmem
 * binding those netmems are net_iovs of the dma-buf, so the payload lands
 * in the bound memory and the stack never reads it. Anything else (ARP,
 * ICMP, ND, TCP without payload) is copied whole into the linear part.
 */
#include <linux/etherdevice.h>
#include <linux/highmem.h>
#include <linux/netdevice.h>
#include <net/page_pool/helpers.h>

#include "simnic.h"

/*
 * The device's write to DMA address @dma, page by page as the IOMMU maps
 * it (simnic_dma_to_phys()). A bounce buffer, if any, is what the device
 * writes and the CPU sync copies it. A page the device cannot reach stops
 * the write there, as an IOMMU fault would.
 */
static int simnic_dma_write(struct device *dma_dev, dma_addr_t dma,
			    const struct sk_buff *frame, int off, int len)
{
	unsigned int chunk, pg_off;
	phys_addr_t phys;
	void *vaddr;
	int err;

	while (len) {
		if (!simnic_dma_to_phys(dma_dev, dma, &phys))
			return -EFAULT;
		pg_off = offset_in_page(phys);
		chunk = min_t(unsigned int, len, PAGE_SIZE - pg_off);

		vaddr = kmap_local_page(pfn_to_page(PHYS_PFN(phys)));
		err = skb_copy_bits(frame, off, vaddr + pg_off, chunk);
		kunmap_local(vaddr);
		if (err)
			return err;

		dma += chunk;
		off += chunk;
		len -= chunk;
	}
	return 0;
}

/* Payload of @frame from @off on, into page pool frags of @skb. */
static int simnic_rx_payload(struct simnic_rxq *rxq, struct sk_buff *skb,
			     const struct sk_buff *frame, unsigned int off)
{
	/* A page, or a memory provider's larger net_iovs (rx_page_size). */
	unsigned int buf_size = PAGE_SIZE << rxq->pool->p.order;
	struct simnic_priv *priv = rxq->priv;
	struct simnic_rx_stats *st = &rxq->stats;
	unsigned int len, unreadable = 0, zcrx = 0, zcrx_frags = 0;
	netmem_ref netmem;
	dma_addr_t dma;
	int i, err;

	for (i = 0; off < frame->len; i++) {
		if (i == MAX_SKB_FRAGS)
			return -EMSGSIZE;

		netmem = page_pool_alloc_netmems(rxq->pool,
						 GFP_ATOMIC | __GFP_NOWARN);
		if (!netmem) {
			u64_stats_update_begin(&st->syncp);
			st->alloc_fail++;
			u64_stats_update_end(&st->syncp);
			return -ENOMEM;
		}

		len = min_t(unsigned int, frame->len - off, buf_size);
		dma = page_pool_get_dma_addr_netmem(netmem);
		err = simnic_dma_write(priv->dma_dev, dma, frame, off, len);
		if (err) {
			page_pool_put_full_netmem(rxq->pool, netmem, true);
			if (err == -EFAULT) {
				u64_stats_update_begin(&st->syncp);
				st->dma_refused++;
				u64_stats_update_end(&st->syncp);
			}
			return err;
		}
		WRITE_ONCE(rxq->last_dma, dma);
		page_pool_dma_sync_netmem_for_cpu(rxq->pool, netmem, 0, len);

		skb_add_rx_frag_netmem(skb, i, netmem, 0, len, buf_size);
		if (netmem_is_net_iov(netmem))
			unreadable += len;
		if (simnic_netmem_is_zcrx(netmem)) {
			zcrx += len;
			zcrx_frags++;
		}
		off += len;
	}

	u64_stats_update_begin(&st->syncp);
	st->split++;
	st->payload_bytes += frame->len - skb_headlen(skb);
	st->unreadable_bytes += unreadable;
	st->zcrx_bytes += zcrx;
	st->zcrx_frags += zcrx_frags;
	u64_stats_update_end(&st->syncp);
	return 0;
}

static struct sk_buff *simnic_rx_build(struct simnic_rxq *rxq,
				       const struct sk_buff *frame)
{
	struct simnic_priv *priv = rxq->priv;
	struct simnic_flow flow;
	unsigned int hlen;
	struct sk_buff *skb;

	hlen = frame->len;
	if (READ_ONCE(priv->hds_config) == ETHTOOL_TCP_DATA_SPLIT_ENABLED) {
		simnic_parse(frame, &flow);
		if (flow.hlen &&
		    frame->len - flow.hlen > READ_ONCE(priv->hds_thresh))
			hlen = flow.hlen;
	}

	skb = napi_alloc_skb(&rxq->napi, hlen);
	if (!skb)
		return NULL;
	if (skb_copy_bits(frame, 0, skb_put(skb, hlen), hlen))
		goto err_free_skb;
	if (hlen == frame->len)
		return skb;

	/* Frags return to their page pool when the skb is freed. */
	skb_mark_for_recycle(skb);
	if (simnic_rx_payload(rxq, skb, frame, hlen))
		goto err_free_skb;
	return skb;

err_free_skb:
	kfree_skb(skb);
	return NULL;
}

static void simnic_rx_frame(struct simnic_rxq *rxq, struct sk_buff *frame,
			    int budget)
{
	struct simnic_rx_stats *st = &rxq->stats;
	unsigned int len = frame->len;
	struct sk_buff *skb;

	skb = simnic_rx_build(rxq, frame);
	napi_consume_skb(frame, budget);
	if (!skb) {
		u64_stats_update_begin(&st->syncp);
		st->dropped++;
		u64_stats_update_end(&st->syncp);
		return;
	}

	skb->protocol = eth_type_trans(skb, rxq->priv->dev);
	/* The wire does not corrupt; the sender "offloaded" its checksums. */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb_record_rx_queue(skb, rxq->idx);

	u64_stats_update_begin(&st->syncp);
	st->packets++;
	st->bytes += len;
	u64_stats_update_end(&st->syncp);

	napi_gro_receive(&rxq->napi, skb);
}

/* Restarts the peer's TX queue that feeds us once we made room. */
static void simnic_rx_wake_sender(struct simnic_rxq *rxq)
{
	struct net_device *peer;
	struct netdev_queue *txq;

	if (skb_queue_len_lockless(&rxq->wire) > rxq->priv->ring_size / 2)
		return;

	rcu_read_lock();
	peer = rcu_dereference(rxq->priv->peer);
	if (peer && rxq->idx < peer->real_num_tx_queues) {
		txq = netdev_get_tx_queue(peer, rxq->idx);
		/* Pairs with the barrier in simnic_xmit() after stopping. */
		smp_mb();
		if (netif_tx_queue_stopped(txq) && netif_running(peer))
			netif_tx_wake_queue(txq);
	}
	rcu_read_unlock();
}

int simnic_poll(struct napi_struct *napi, int budget)
{
	struct simnic_rxq *rxq = container_of(napi, struct simnic_rxq, napi);
	struct sk_buff *frame;
	int done = 0;

	while (done < budget) {
		frame = skb_dequeue(&rxq->wire);
		if (!frame)
			break;
		simnic_rx_frame(rxq, frame, budget);
		done++;
	}

	simnic_rx_wake_sender(rxq);

	/* A frame queued meanwhile makes napi_complete_done() reschedule. */
	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}
