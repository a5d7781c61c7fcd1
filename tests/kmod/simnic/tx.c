// SPDX-License-Identifier: GPL-2.0
/*
 * The transmit side of the wire. TX queue N feeds the peer's RX queue N,
 * so choosing the TX queue is the receiving NIC's flow steering: the
 * sender asks the peer's steering rules and RSS table. A frame stays
 * charged to its sender until the peer's NAPI has copied it (like a TX
 * completion); a full RX queue stops the TX queue feeding it. The
 * device's own work on a frame is done by the queue's DMA engine
 * (tx_dma.c), not here on the sending CPU.
 */
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>

#include "simnic.h"

u16 simnic_select_queue(struct net_device *dev, struct sk_buff *skb,
			struct net_device *sb_dev)
{
	struct simnic_priv *priv = netdev_priv(dev);
	struct net_device *peer;
	unsigned int q = 0;

	rcu_read_lock();
	peer = rcu_dereference(priv->peer);
	if (peer)
		q = simnic_steer_classify(netdev_priv(peer), skb);
	rcu_read_unlock();

	return q < dev->real_num_tx_queues ? q : 0;
}

void simnic_wire_purge(struct simnic_rxq *rxq)
{
	struct sk_buff *frame;

	while ((frame = skb_dequeue(&rxq->wire)))
		kfree_skb_reason(frame, SKB_DROP_REASON_DEV_READY);
}

/* Frames posted to the device or on the wire, not yet received. */
static unsigned int simnic_tx_in_flight(struct simnic_priv *priv,
					struct simnic_rxq *rxq, u16 qid)
{
	return skb_queue_len_lockless(&priv->txq[qid].posted) +
	       skb_queue_len_lockless(&rxq->wire);
}

netdev_tx_t simnic_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct simnic_priv *priv = netdev_priv(dev);
	u16 qid = skb_get_queue_mapping(skb);
	struct simnic_tx_stats *ts = &priv->tx_stats[qid];
	struct netdev_queue *txq = netdev_get_tx_queue(dev, qid);
	enum skb_drop_reason reason = SKB_DROP_REASON_DEV_READY;
	unsigned int len = skb->len;
	struct simnic_priv *rx;
	struct net_device *peer;
	struct simnic_rxq *rxq;

	rcu_read_lock();
	peer = rcu_dereference(priv->peer);
	if (!peer || !netif_running(peer))
		goto drop;
	rx = netdev_priv(peer);
	if (qid >= rx->num_queues)
		goto drop;
	/* What the receiver's MAC would refuse. */
	reason = SKB_DROP_REASON_PKT_TOO_SMALL;
	if (len < ETH_HLEN)
		goto drop;
	reason = SKB_DROP_REASON_PKT_TOO_BIG;
	if (len > READ_ONCE(peer->mtu) + VLAN_ETH_HLEN)
		goto drop;

	rxq = &rx->rxq[qid];
	reason = SKB_DROP_REASON_FULL_RING;
	if (simnic_tx_in_flight(priv, rxq, qid) >= READ_ONCE(rx->ring_size))
		goto drop;

	/* The device's DMA engine reads it, not this CPU (tx_dma.c). */
	skb_tx_timestamp(skb);
	simnic_tx_dma_post(priv, qid, skb);

	if (simnic_tx_in_flight(priv, rxq, qid) >= READ_ONCE(rx->ring_size)) {
		netif_tx_stop_queue(txq);
		/* Pairs with the barrier in simnic_rx_wake_sender(). */
		smp_mb__after_atomic();
		if (simnic_tx_in_flight(priv, rxq, qid) <=
		    READ_ONCE(rx->ring_size) / 2) {
			netif_tx_start_queue(txq);
		} else {
			u64_stats_update_begin(&ts->syncp);
			ts->stop++;
			u64_stats_update_end(&ts->syncp);
		}
	}

	rcu_read_unlock();
	return NETDEV_TX_OK;

drop:
	rcu_read_unlock();
	simnic_tx_count(ts, len, false);
	kfree_skb_reason(skb, reason);
	return NETDEV_TX_OK;
}
