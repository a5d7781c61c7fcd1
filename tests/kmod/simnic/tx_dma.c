// SPDX-License-Identifier: GPL-2.0
/*
 * The TX queue's DMA engine. A real NIC reads a frame's buffers with its
 * own DMA engine, not with the sending CPU, so simnic_xmit() only posts
 * the frame here (a TX descriptor) and a work item per TX queue does the
 * device's part in its own context: the DMA read of net_iov frags
 * (simnic_tx_devmem()), putting the frame on the wire and kicking the
 * peer's NAPI, whose poll then copies it (the receiving NIC's DMA write)
 * in this context too. What the sender's CPU pays is then what a real
 * sender pays, which the TX benchmark compares between send paths.
 * Frames keep their order: a queue's work item never runs twice at once.
 */
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>

#include "simnic.h"

void simnic_tx_count(struct simnic_tx_stats *ts, unsigned int len, bool sent)
{
	u64_stats_update_begin(&ts->syncp);
	if (sent) {
		ts->packets++;
		ts->bytes += len;
	} else {
		ts->dropped++;
	}
	u64_stats_update_end(&ts->syncp);
}

/* One posted frame onto the wire to the peer's RX queue, or dropped. */
static void simnic_tx_dma_one(struct simnic_txq *txq, struct sk_buff *skb)
{
	struct simnic_priv *priv = txq->priv;
	struct simnic_tx_stats *ts = &priv->tx_stats[txq->idx];
	struct netdev_queue *nq = netdev_get_tx_queue(priv->dev, txq->idx);
	enum skb_drop_reason reason = SKB_DROP_REASON_DEV_READY;
	unsigned int len = skb->len;
	struct sk_buff *frame = NULL;
	struct net_device *peer;
	struct simnic_priv *rx;

	/* The device reads the net_iov frags by DMA, outside any lock. */
	if (!skb_frags_readable(skb)) {
		frame = simnic_tx_devmem(priv, skb, ts);
		if (IS_ERR(frame)) {
			__netif_tx_lock_bh(nq);
			simnic_tx_count(ts, len, false);
			__netif_tx_unlock_bh(nq);
			kfree_skb_reason(skb, SKB_DROP_REASON_NOT_SPECIFIED);
			return;
		}
	}

	/* The stats' writers are serialized by the xmit lock; BHs off
	 * also make the peer's NAPI poll run here when it is unlocked.
	 */
	__netif_tx_lock_bh(nq);
	rcu_read_lock();
	peer = rcu_dereference(priv->peer);
	if (!peer || !netif_running(peer))
		goto drop;
	rx = netdev_priv(peer);
	if (txq->idx >= rx->num_queues)
		goto drop;
	if (frame) {
		/* The TX completion: frees the net_iovs for the sender. */
		consume_skb(skb);
		skb = frame;
	}
	skb_queue_tail(&rx->rxq[txq->idx].wire, skb);
	simnic_tx_count(ts, len, true);
	napi_schedule(&rx->rxq[txq->idx].napi);
	rcu_read_unlock();
	__netif_tx_unlock_bh(nq);
	return;

drop:
	rcu_read_unlock();
	simnic_tx_count(ts, len, false);
	__netif_tx_unlock_bh(nq);
	if (frame)
		kfree_skb(frame);
	kfree_skb_reason(skb, reason);
}

static void simnic_tx_dma_work(struct work_struct *work)
{
	struct simnic_txq *txq = container_of(work, struct simnic_txq, work);
	struct sk_buff *skb;

	while ((skb = skb_dequeue(&txq->posted)))
		simnic_tx_dma_one(txq, skb);
}

/* simnic_xmit(): hand @skb to queue @qid's DMA engine. */
void simnic_tx_dma_post(struct simnic_priv *priv, u16 qid, struct sk_buff *skb)
{
	struct simnic_txq *txq = &priv->txq[qid];

	skb_queue_tail(&txq->posted, skb);
	queue_work(system_unbound_wq, &txq->work);
}

void simnic_tx_dma_init(struct simnic_priv *priv, unsigned int idx)
{
	struct simnic_txq *txq = &priv->txq[idx];

	txq->priv = priv;
	txq->idx = idx;
	skb_queue_head_init(&txq->posted);
	INIT_WORK(&txq->work, simnic_tx_dma_work);
}

/* The device stops (no xmit runs any more): what is posted is dropped. */
void simnic_tx_dma_stop(struct simnic_priv *priv)
{
	struct sk_buff *skb;
	unsigned int i;

	for (i = 0; i < priv->num_queues; i++) {
		cancel_work_sync(&priv->txq[i].work);
		while ((skb = skb_dequeue(&priv->txq[i].posted)))
			kfree_skb_reason(skb, SKB_DROP_REASON_DEV_READY);
	}
}
