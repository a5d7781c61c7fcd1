// SPDX-License-Identifier: GPL-2.0
/*
 * The net_device of one port: creation, the pair's registration and
 * teardown, open/stop and carrier, which follows the peer as on a cable.
 */
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/netdev_rx_queue.h>

#include "simnic.h"

bool simnic_rxq_bound(struct simnic_priv *priv, unsigned int idx)
{
	return !!__netif_get_rx_queue(priv->dev, idx)->mp_params.mp_ops;
}

static struct net_device *simnic_peer_rtnl(struct simnic_priv *priv)
{
	return rtnl_dereference(priv->peer);
}

static int simnic_open(struct net_device *dev)
{
	struct simnic_priv *priv = netdev_priv(dev);
	struct net_device *peer = simnic_peer_rtnl(priv);
	int err;

	err = simnic_queues_open(priv);
	if (err)
		return err;

	netif_tx_start_all_queues(dev);
	if (peer && netif_running(peer)) {
		netif_carrier_on(dev);
		netif_carrier_on(peer);
	}
	return 0;
}

static int simnic_stop(struct net_device *dev)
{
	struct simnic_priv *priv = netdev_priv(dev);
	struct net_device *peer = simnic_peer_rtnl(priv);

	netif_carrier_off(dev);
	if (peer)
		netif_carrier_off(peer);
	netif_tx_disable(dev);
	simnic_tx_dma_stop(priv);
	simnic_queues_close(priv);
	return 0;
}

static void simnic_uninit(struct net_device *dev)
{
	struct simnic_priv *priv = netdev_priv(dev);

	simnic_queues_uninit(priv);
}

static int simnic_get_iflink(const struct net_device *dev)
{
	struct simnic_priv *priv = netdev_priv(dev);
	struct net_device *peer;
	int iflink = 0;

	rcu_read_lock();
	peer = rcu_dereference(priv->peer);
	if (peer)
		iflink = READ_ONCE(peer->ifindex);
	rcu_read_unlock();
	return iflink;
}

static const struct net_device_ops simnic_netdev_ops = {
	.ndo_uninit		= simnic_uninit,
	.ndo_open		= simnic_open,
	.ndo_stop		= simnic_stop,
	.ndo_start_xmit		= simnic_xmit,
	.ndo_select_queue	= simnic_select_queue,
	.ndo_get_stats64	= simnic_get_stats64,
	.ndo_get_iflink		= simnic_get_iflink,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_set_features	= simnic_set_features,
	.ndo_validate_addr	= eth_validate_addr,
};

static void simnic_priv_init(struct simnic_priv *priv, struct net_device *dev,
			     struct device *parent,
			     const struct simnic_config *cfg,
			     struct simnic_edu *edu)
{
	unsigned int i;

	priv->dev = dev;
	priv->dma_dev = parent;
	priv->edu = edu;
	mutex_init(&priv->dma_test_lock);
	priv->num_queues = cfg->queues;
	priv->max_queues = cfg->queues;
	priv->ring_size = cfg->ring_size;
	priv->hds_config = cfg->tcp_data_split ?
			   ETHTOOL_TCP_DATA_SPLIT_ENABLED :
			   ETHTOOL_TCP_DATA_SPLIT_DISABLED;
	priv->hds_thresh = 0;
	simnic_set_netdev_cfg(dev, priv->hds_config, priv->hds_thresh);
	simnic_steer_init(priv);

	for (i = 0; i < priv->max_queues; i++) {
		struct simnic_rxq *rxq = &priv->rxq[i];

		rxq->priv = priv;
		rxq->idx = i;
		skb_queue_head_init(&rxq->wire);
		u64_stats_init(&rxq->stats.syncp);
		u64_stats_init(&priv->tx_stats[i].syncp);
		netif_napi_add(dev, &rxq->napi, simnic_poll);
		simnic_tx_dma_init(priv, i);
	}
}

struct net_device *simnic_netdev_create(struct device *parent,
					const char *name,
					const struct simnic_config *cfg,
					struct simnic_edu *edu)
{
	struct net_device *dev;

	dev = alloc_etherdev_mqs(sizeof(struct simnic_priv), cfg->queues,
				 cfg->queues);
	if (!dev)
		return ERR_PTR(-ENOMEM);

	strscpy(dev->name, name, sizeof(dev->name));
	SET_NETDEV_DEV(dev, parent);
	dev->netdev_ops = &simnic_netdev_ops;
	dev->ethtool_ops = &simnic_ethtool_ops;
	dev->stat_ops = &simnic_stat_ops;
	dev->queue_mgmt_ops = &simnic_queue_ops;

	/*
	 * Checksums are "offloaded" (a wire that never corrupts), and there
	 * is no TSO: the stack segments to the MTU before ndo_start_xmit,
	 * so every frame fits the receiver's buffers. NTUPLE: the ethtool
	 * flow rules of steer.c are on, as a devmem setup needs them.
	 */
	dev->features = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_RXCSUM |
			NETIF_F_HIGHDMA | NETIF_F_NTUPLE;
	dev->hw_features = dev->features;
	dev->max_mtu = SIMNIC_MAX_MTU;
	/* Devmem TX: the device DMAs net_iov frags (tx_devmem.c). */
	simnic_set_netmem_tx(dev);
	eth_hw_addr_random(dev);
	/*
	 * The core holds both ports' instance locks at once when it closes
	 * them in one batch (simnic_netdev_destroy_pair()): lockdep must
	 * know they nest under rtnl, as for any driver with queue ops.
	 */
	netdev_lockdep_set_classes(dev);

	simnic_priv_init(netdev_priv(dev), dev, parent, cfg, edu);
	return dev;
}

/* Registers both ports, each the other's peer. */
int simnic_netdev_link(struct net_device *a, struct net_device *b)
{
	struct simnic_priv *pa = netdev_priv(a);
	struct simnic_priv *pb = netdev_priv(b);
	int err;

	rtnl_lock();
	rcu_assign_pointer(pa->peer, b);
	rcu_assign_pointer(pb->peer, a);

	err = register_netdevice(a);
	if (err)
		goto err_unlink;

	err = register_netdevice(b);
	if (err)
		goto err_unregister_a;

	netif_carrier_off(a);
	netif_carrier_off(b);
	rtnl_unlock();

	simnic_debugfs_add(pa);
	simnic_debugfs_add(pb);
	return 0;

err_unregister_a:
	/* Only unregistered: the caller frees both. */
	unregister_netdevice(a);
err_unlink:
	RCU_INIT_POINTER(pa->peer, NULL);
	RCU_INIT_POINTER(pb->peer, NULL);
	rtnl_unlock();
	return err;
}

/*
 * Unregisters and frees both ports. Devmem bindings may still be active:
 * closing the ports destroys the page pools (the binding's references
 * drop as their net_iovs come back), and the core detaches the queues
 * from the bindings, which the owners' netlink sockets free later.
 */
void simnic_netdev_destroy_pair(struct net_device *a, struct net_device *b)
{
	struct simnic_priv *pa = netdev_priv(a);
	struct simnic_priv *pb = netdev_priv(b);
	LIST_HEAD(list);

	simnic_debugfs_remove(pa);
	simnic_debugfs_remove(pb);

	rtnl_lock();
	unregister_netdevice_queue(a, &list);
	unregister_netdevice_queue(b, &list);
	unregister_netdevice_many(&list);
	/* Nothing transmits any more (unregistering synchronized RCU). */
	RCU_INIT_POINTER(pa->peer, NULL);
	RCU_INIT_POINTER(pb->peer, NULL);
	rtnl_unlock();

	simnic_steer_destroy(pa);
	simnic_steer_destroy(pb);
	free_netdev(a);
	free_netdev(b);
}
