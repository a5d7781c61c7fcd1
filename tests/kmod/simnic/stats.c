// SPDX-License-Identifier: GPL-2.0
/*
 * Counters: the device totals (ndo_get_stats64) and per-queue statistics
 * (netdev_stat_ops, "ynl --family netdev --dump qstats-get").
 */
#include <linux/netdevice.h>
#include <net/netdev_queues.h>

#include "simnic.h"

void simnic_rx_stats_read(struct simnic_rxq *rxq, struct simnic_rx_stats *s)
{
	const struct simnic_rx_stats *st = &rxq->stats;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&st->syncp);
		s->packets = st->packets;
		s->bytes = st->bytes;
		s->split = st->split;
		s->payload_bytes = st->payload_bytes;
		s->unreadable_bytes = st->unreadable_bytes;
		s->zcrx_frags = st->zcrx_frags;
		s->zcrx_bytes = st->zcrx_bytes;
		s->alloc_fail = st->alloc_fail;
		s->dropped = st->dropped;
		s->dma_refused = st->dma_refused;
	} while (u64_stats_fetch_retry(&st->syncp, start));
}

void simnic_tx_stats_read(struct simnic_tx_stats *ts, struct simnic_tx_stats *s)
{
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&ts->syncp);
		s->packets = ts->packets;
		s->bytes = ts->bytes;
		s->dropped = ts->dropped;
		s->stop = ts->stop;
		s->devmem_bytes = ts->devmem_bytes;
		s->dma_refused = ts->dma_refused;
	} while (u64_stats_fetch_retry(&ts->syncp, start));
}

void simnic_get_stats64(struct net_device *dev,
			struct rtnl_link_stats64 *stats)
{
	struct simnic_priv *priv = netdev_priv(dev);
	struct simnic_rx_stats rs;
	struct simnic_tx_stats ts;
	unsigned int i;

	/* Also the queues ethtool -L took away: device totals never drop. */
	for (i = 0; i < priv->max_queues; i++) {
		simnic_rx_stats_read(&priv->rxq[i], &rs);
		stats->rx_packets += rs.packets;
		stats->rx_bytes += rs.bytes;
		stats->rx_dropped += rs.dropped;
		stats->rx_missed_errors += rs.alloc_fail;

		simnic_tx_stats_read(&priv->tx_stats[i], &ts);
		stats->tx_packets += ts.packets;
		stats->tx_bytes += ts.bytes;
		stats->tx_dropped += ts.dropped;
	}
}

static void simnic_get_queue_stats_rx(struct net_device *dev, int idx,
				      struct netdev_queue_stats_rx *stats)
{
	struct simnic_priv *priv = netdev_priv(dev);
	struct simnic_rx_stats rs;

	simnic_rx_stats_read(&priv->rxq[idx], &rs);
	stats->packets = rs.packets;
	stats->bytes = rs.bytes;
	stats->alloc_fail = rs.alloc_fail;
	stats->hw_drops = rs.dropped;
	stats->csum_unnecessary = rs.packets;
}

static void simnic_get_queue_stats_tx(struct net_device *dev, int idx,
				      struct netdev_queue_stats_tx *stats)
{
	struct simnic_priv *priv = netdev_priv(dev);
	struct simnic_tx_stats ts;

	simnic_tx_stats_read(&priv->tx_stats[idx], &ts);
	stats->packets = ts.packets;
	stats->bytes = ts.bytes;
	stats->hw_drops = ts.dropped;
}

/* The history outside the queues: RX queues ethtool -L took away. */
static void simnic_get_base_stats(struct net_device *dev,
				  struct netdev_queue_stats_rx *rx,
				  struct netdev_queue_stats_tx *tx)
{
	struct simnic_priv *priv = netdev_priv(dev);
	struct simnic_rx_stats rs;
	unsigned int i;

	rx->packets = 0;
	rx->bytes = 0;
	rx->alloc_fail = 0;
	rx->hw_drops = 0;
	rx->csum_unnecessary = 0;
	for (i = dev->real_num_rx_queues; i < priv->max_queues; i++) {
		simnic_rx_stats_read(&priv->rxq[i], &rs);
		rx->packets += rs.packets;
		rx->bytes += rs.bytes;
		rx->alloc_fail += rs.alloc_fail;
		rx->hw_drops += rs.dropped;
		rx->csum_unnecessary += rs.packets;
	}
	tx->packets = 0;
	tx->bytes = 0;
	tx->hw_drops = 0;
}

const struct netdev_stat_ops simnic_stat_ops = {
	.get_queue_stats_rx	= simnic_get_queue_stats_rx,
	.get_queue_stats_tx	= simnic_get_queue_stats_tx,
	.get_base_stats		= simnic_get_base_stats,
};
