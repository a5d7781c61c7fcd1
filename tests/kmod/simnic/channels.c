// SPDX-License-Identifier: GPL-2.0
/*
 * ethtool channels (-l/-L): separate RX and TX channels, as devmem NICs
 * with a queue per direction have them. "-L rx N" really changes how many
 * RX queues run (NAPI, page pool, wire), which the core allows only down
 * to the last queue with a memory provider, an ntuple rule or an entry of
 * a user-set RSS table (ethtool_check_max_channel()). The TX queues are the
 * wire to the peer's RX queues and stay all there: "tx" must stay the same.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <net/page_pool/types.h>

#include "simnic.h"

void simnic_get_channels(struct net_device *dev, struct ethtool_channels *ch)
{
	struct simnic_priv *priv = netdev_priv(dev);

	ch->max_rx = priv->max_queues;
	ch->max_tx = priv->max_queues;
	ch->rx_count = priv->num_queues;
	ch->tx_count = dev->real_num_tx_queues;
}

/* Queues @n..@old-1 of a closed device: a pool kept by a restart (6.12). */
static void simnic_drop_closed_queues(struct simnic_priv *priv,
				      unsigned int n, unsigned int old)
{
	unsigned int i;

	for (i = n; i < old; i++) {
		page_pool_destroy(priv->rxq[i].pool);
		priv->rxq[i].pool = NULL;
		simnic_wire_purge(&priv->rxq[i]);
	}
}

static int simnic_grow_rx_queues(struct simnic_priv *priv, unsigned int n)
{
	struct net_device *dev = priv->dev;
	unsigned int old = priv->num_queues;
	int err;

	if (netif_running(dev)) {
		err = simnic_queues_start_range(priv, old, n);
		if (err)
			return err;
	}
	err = netif_set_real_num_rx_queues(dev, n);
	if (err) {
		if (netif_running(dev))
			simnic_queues_stop_range(priv, old, n);
		return err;
	}
	WRITE_ONCE(priv->num_queues, n);
	/* The driver's own RSS table spreads over them; a user's stays. */
	if (!netif_is_rxfh_configured(dev))
		simnic_steer_default_indir(priv, n);
	return 0;
}

static int simnic_shrink_rx_queues(struct simnic_priv *priv, unsigned int n)
{
	struct net_device *dev = priv->dev;
	unsigned int old = priv->num_queues;

	/* A user's RSS table and the rules were checked by the core. */
	if (!netif_is_rxfh_configured(dev))
		simnic_steer_default_indir(priv, n);
	/* The peer sends nothing more to the queues that go... */
	WRITE_ONCE(priv->num_queues, n);
	synchronize_net();
	/* ... and what it sent is dropped with them. */
	if (netif_running(dev))
		simnic_queues_stop_range(priv, n, old);
	else
		simnic_drop_closed_queues(priv, n, old);
	/* Fewer queues cannot fail (only growing adds kobjects). */
	return netif_set_real_num_rx_queues(dev, n);
}

int simnic_set_channels(struct net_device *dev, struct ethtool_channels *ch)
{
	struct simnic_priv *priv = netdev_priv(dev);

	/*
	 * Serialized with every other reconfiguration by RTNL (6.12), or the
	 * instance lock, which is all the 7.x ioctl path takes for us.
	 */
	/* The core checked the maximums and the queues in use. */
	if (ch->combined_count || ch->other_count ||
	    ch->tx_count != dev->real_num_tx_queues)
		return -EINVAL;
	if (ch->rx_count == priv->num_queues)
		return 0;
	if (ch->rx_count > priv->num_queues)
		return simnic_grow_rx_queues(priv, ch->rx_count);
	return simnic_shrink_rx_queues(priv, ch->rx_count);
}
