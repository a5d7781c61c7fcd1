// SPDX-License-Identifier: GPL-2.0
/*
 * ethtool: ring parameters with tcp-data-split and hds-thresh (what devmem
 * requires), the RSS indirection table and per-queue counters; ntuple
 * rules are in ntuple.c, channels in channels.c.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>

#include "simnic.h"

#define SIMNIC_DRV_NAME "uring_dmabuf_simnic"

static void simnic_get_drvinfo(struct net_device *dev,
			       struct ethtool_drvinfo *info)
{
	strscpy(info->driver, SIMNIC_DRV_NAME, sizeof(info->driver));
	strscpy(info->bus_info, dev_name(dev->dev.parent),
		sizeof(info->bus_info));
}

static void simnic_get_ringparam(struct net_device *dev,
				 struct ethtool_ringparam *ring,
				 struct kernel_ethtool_ringparam *kring,
				 struct netlink_ext_ack *extack)
{
	struct simnic_priv *priv = netdev_priv(dev);

	ring->rx_max_pending = SIMNIC_MAX_RING;
	ring->tx_max_pending = SIMNIC_MAX_RING;
	ring->rx_pending = READ_ONCE(priv->ring_size);
	ring->tx_pending = dev->tx_queue_len;
	kring->tcp_data_split = READ_ONCE(priv->hds_config);
	simnic_kring_set_hds(kring, READ_ONCE(priv->hds_thresh), PAGE_SIZE);
}

static bool simnic_any_rxq_bound(struct simnic_priv *priv)
{
	unsigned int i;

	for (i = 0; i < priv->num_queues; i++)
		if (simnic_rxq_bound(priv, i))
			return true;
	return false;
}

static int simnic_set_ringparam(struct net_device *dev,
				struct ethtool_ringparam *ring,
				struct kernel_ethtool_ringparam *kring,
				struct netlink_ext_ack *extack)
{
	struct simnic_priv *priv = netdev_priv(dev);
	u32 thresh = simnic_kring_hds_thresh(kring);
	u8 hds = kring->tcp_data_split;

	if (ring->rx_pending < SIMNIC_MIN_RING) {
		NL_SET_ERR_MSG_MOD(extack, "rx ring smaller than 64 frames");
		return -EINVAL;
	}
	if (ring->tx_pending != dev->tx_queue_len) {
		NL_SET_ERR_MSG_MOD(extack, "tx ring is the qdisc's txqueuelen");
		return -EINVAL;
	}
	/* Header split is what this NIC does unless told otherwise. */
	if (hds == ETHTOOL_TCP_DATA_SPLIT_UNKNOWN)
		hds = ETHTOOL_TCP_DATA_SPLIT_ENABLED;
	/* 6.14+ refuses this before asking the driver; 6.12 does not. */
	if ((hds != ETHTOOL_TCP_DATA_SPLIT_ENABLED || thresh) &&
	    simnic_any_rxq_bound(priv)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "a queue has a memory provider: needs tcp-data-split on, hds-thresh 0");
		return -EINVAL;
	}

	WRITE_ONCE(priv->ring_size, ring->rx_pending);
	WRITE_ONCE(priv->hds_config, hds);
	WRITE_ONCE(priv->hds_thresh, thresh);
	return 0;
}

static u32 __maybe_unused simnic_get_rx_ring_count(struct net_device *dev)
{
	struct simnic_priv *priv = netdev_priv(dev);

	return READ_ONCE(priv->num_queues);
}

static u32 simnic_get_rxfh_indir_size(struct net_device *dev)
{
	return SIMNIC_INDIR_SIZE;
}

static int simnic_get_rxfh(struct net_device *dev,
			   struct ethtool_rxfh_param *rxfh)
{
	struct simnic_priv *priv = netdev_priv(dev);

	/* The flow hash is the stack's, no Toeplitz: no hfunc, no key. */
	if (rxfh->indir)
		simnic_steer_get_indir(priv, rxfh->indir);
	return 0;
}

static int simnic_set_rxfh(struct net_device *dev,
			   struct ethtool_rxfh_param *rxfh,
			   struct netlink_ext_ack *extack)
{
	struct simnic_priv *priv = netdev_priv(dev);

	if (rxfh->key || rxfh->hfunc != ETH_RSS_HASH_NO_CHANGE) {
		NL_SET_ERR_MSG_MOD(extack, "only the indirection table can be set");
		return -EOPNOTSUPP;
	}
	/* The core checked every entry against the ring count. */
	if (rxfh->indir)
		simnic_steer_set_indir(priv, rxfh->indir);
	return 0;
}

static const char simnic_queue_stat_names[][ETH_GSTRING_LEN] = {
	"packets", "bytes", "split", "payload_bytes", "unreadable_bytes",
	"alloc_fail", "dropped",
};

#define SIMNIC_NR_QSTATS ARRAY_SIZE(simnic_queue_stat_names)

static int simnic_get_sset_count(struct net_device *dev, int sset)
{
	struct simnic_priv *priv = netdev_priv(dev);

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return priv->num_queues * SIMNIC_NR_QSTATS;
}

static void simnic_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	struct simnic_priv *priv = netdev_priv(dev);
	unsigned int q, i;

	if (sset != ETH_SS_STATS)
		return;
	for (q = 0; q < priv->num_queues; q++)
		for (i = 0; i < SIMNIC_NR_QSTATS; i++)
			ethtool_sprintf(&data, "rx%u_%s", q,
					simnic_queue_stat_names[i]);
}

static void simnic_get_ethtool_stats(struct net_device *dev,
				     struct ethtool_stats *stats, u64 *data)
{
	struct simnic_priv *priv = netdev_priv(dev);
	struct simnic_rx_stats s;
	unsigned int q;

	for (q = 0; q < priv->num_queues; q++) {
		simnic_rx_stats_read(&priv->rxq[q], &s);
		*data++ = s.packets;
		*data++ = s.bytes;
		*data++ = s.split;
		*data++ = s.payload_bytes;
		*data++ = s.unreadable_bytes;
		*data++ = s.alloc_fail;
		*data++ = s.dropped;
	}
}

const struct ethtool_ops simnic_ethtool_ops = {
	.supported_ring_params	= SIMNIC_RING_PARAMS,
	.get_drvinfo		= simnic_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_ringparam		= simnic_get_ringparam,
	.set_ringparam		= simnic_set_ringparam,
	.get_channels		= simnic_get_channels,
	.set_channels		= simnic_set_channels,
	.get_rxnfc		= simnic_get_rxnfc,
	.set_rxnfc		= simnic_set_rxnfc,
	SIMNIC_ETHTOOL_OP_GET_RX_RING_COUNT
	.get_rxfh_indir_size	= simnic_get_rxfh_indir_size,
	.get_rxfh		= simnic_get_rxfh,
	.set_rxfh		= simnic_set_rxfh,
	.get_sset_count		= simnic_get_sset_count,
	.get_strings		= simnic_get_strings,
	.get_ethtool_stats	= simnic_get_ethtool_stats,
};
