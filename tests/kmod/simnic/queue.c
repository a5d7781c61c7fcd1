// SPDX-License-Identifier: GPL-2.0
/*
 * RX queue memory: one page pool per queue, and the queue management ops
 * through which the core restarts a single queue with or without a memory
 * provider (devmem binding and unbinding).
 *
 * Each pool is created with PP_FLAG_ALLOW_UNREADABLE_NETMEM and the
 * queue's index, so page_pool_create() picks up whatever provider the core
 * installed in the queue's mp_params; a provider also requires DMA_MAP and
 * DMA_SYNC_DEV. A pool without one hands out ordinary mapped pages.
 */
#include <linux/dma-mapping.h>
#include <linux/netdevice.h>
#include <net/netdev_queues.h>
#include <net/page_pool/helpers.h>
#include <net/page_pool/types.h>

#include "simnic.h"

/* A queue's buffer size (rx_page_size) must be what a netmem can be. */
int simnic_check_page_size(u32 size, struct netlink_ext_ack *extack)
{
	if (!is_power_of_2(size) || size < PAGE_SIZE ||
	    size > SIMNIC_MAX_RX_PAGE) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "rx_page_size %u: want a power of 2 from %lu to %u",
				       size, PAGE_SIZE, SIMNIC_MAX_RX_PAGE);
		return -ERANGE;
	}
	return 0;
}

/*
 * @buf_size bytes per buffer: a page, or with a memory provider whatever
 * rx_page_size it asked for (its net_iovs are that large).
 */
static struct page_pool *simnic_pool_create(struct simnic_priv *priv,
					    unsigned int idx, u32 buf_size)
{
	struct page_pool_params pp = {
		.flags = PP_FLAG_DMA_MAP | PP_FLAG_DMA_SYNC_DEV |
			 PP_FLAG_ALLOW_UNREADABLE_NETMEM,
		.order = get_order(buf_size),
		.pool_size = priv->ring_size,
		.nid = dev_to_node(priv->dma_dev),
		.dev = priv->dma_dev,
		.napi = &priv->rxq[idx].napi,
		.dma_dir = DMA_FROM_DEVICE,
		.max_len = buf_size,
		.offset = 0,
		.netdev = priv->dev,
		.queue_idx = idx,
	};
	bool bound = simnic_rxq_bound(priv, idx);

	/*
	 * Unreadable payload needs header split; the core checks this itself
	 * from 6.14 on, 6.12 leaves it to the driver.
	 */
	if (bound &&
	    READ_ONCE(priv->hds_config) != ETHTOOL_TCP_DATA_SPLIT_ENABLED) {
		netdev_warn(priv->dev,
			    "queue %u: memory provider needs tcp-data-split on\n",
			    idx);
		return ERR_PTR(-EINVAL);
	}
	/* Only providers get large buffers: no high-order page allocations. */
	if (simnic_check_page_size(buf_size, NULL) ||
	    (buf_size != PAGE_SIZE && !bound))
		return ERR_PTR(-EINVAL);

	return page_pool_create(&pp);
}

static struct page_pool *simnic_rxq_take_pool(struct simnic_rxq *rxq)
{
	struct page_pool *pool = rxq->pool;

	rxq->pool = NULL;
	return pool;
}

static void simnic_rxq_start(struct simnic_rxq *rxq, struct page_pool *pool)
{
	struct net_device *dev = rxq->priv->dev;

	rxq->pool = pool;
	simnic_napi_enable(&rxq->napi);
	netif_queue_set_napi(dev, rxq->idx, NETDEV_QUEUE_TYPE_RX, &rxq->napi);
	/* Frames may have arrived while the queue was stopped. */
	napi_schedule(&rxq->napi);
}

static struct page_pool *simnic_rxq_stop(struct simnic_rxq *rxq)
{
	struct net_device *dev = rxq->priv->dev;
	struct page_pool *pool;

	netif_queue_set_napi(dev, rxq->idx, NETDEV_QUEUE_TYPE_RX, NULL);
	simnic_napi_disable(&rxq->napi);
	pool = simnic_rxq_take_pool(rxq);
	/*
	 * A restart frees this pool only after the NAPI it names runs again
	 * with the new one: no more direct recycling into it.
	 */
	page_pool_disable_direct_recycling(pool);
	return pool;
}

int simnic_queues_open(struct simnic_priv *priv)
{
	struct page_pool *pool;
	unsigned int i;
	int err;

	for (i = 0; i < priv->num_queues; i++) {
		/* 6.12 may have restarted a queue of the closed device. */
		pool = simnic_rxq_take_pool(&priv->rxq[i]);
		if (!pool)
			pool = simnic_pool_create(priv, i,
						  simnic_queue_page_size(priv->dev, i));
		if (IS_ERR(pool)) {
			err = PTR_ERR(pool);
			goto err_stop_queues;
		}
		simnic_rxq_start(&priv->rxq[i], pool);
	}
	return 0;

err_stop_queues:
	while (i--)
		page_pool_destroy(simnic_rxq_stop(&priv->rxq[i]));
	return err;
}

void simnic_queues_close(struct simnic_priv *priv)
{
	unsigned int i;

	for (i = 0; i < priv->num_queues; i++) {
		page_pool_destroy(simnic_rxq_stop(&priv->rxq[i]));
		simnic_wire_purge(&priv->rxq[i]);
	}
}

/* Unregistering: the device is closed. */
void simnic_queues_uninit(struct simnic_priv *priv)
{
	unsigned int i;

	for (i = 0; i < priv->num_queues; i++) {
		/* A pool kept by a restart of the closed device (6.12). */
		page_pool_destroy(simnic_rxq_take_pool(&priv->rxq[i]));
		/* Frames the peer sent after we stopped: nobody polls them. */
		simnic_wire_purge(&priv->rxq[i]);
	}
}

/*
 * May run while the device is closed (7.x always allocates, to check that
 * a provider is taken); the pool then only lives until mem_free.
 */
static int simnic_queue_mem_alloc(struct net_device *dev, SIMNIC_QCFG_PARAM
				  void *mem, int idx)
{
	struct simnic_qmem *qmem = mem;
	struct page_pool *pool;

	pool = simnic_pool_create(netdev_priv(dev), idx,
				  simnic_qcfg_page_size(SIMNIC_QCFG_ARG));
	if (IS_ERR(pool))
		return PTR_ERR(pool);
	qmem->pool = pool;
	return 0;
}

static void simnic_queue_mem_free(struct net_device *dev, void *mem)
{
	struct simnic_qmem *qmem = mem;

	page_pool_destroy(qmem->pool);
	qmem->pool = NULL;
}

static int simnic_queue_start(struct net_device *dev, SIMNIC_QCFG_PARAM
			      void *mem, int idx)
{
	struct simnic_priv *priv = netdev_priv(dev);
	struct simnic_qmem *qmem = mem;

	/*
	 * 6.12 restarts queues of a closed device too: keep the pool for
	 * simnic_queues_open(), so a binding made while down holds.
	 */
	if (!netif_running(dev))
		priv->rxq[idx].pool = qmem->pool;
	else
		simnic_rxq_start(&priv->rxq[idx], qmem->pool);
	qmem->pool = NULL;
	return 0;
}

static int simnic_queue_stop(struct net_device *dev, void *mem, int idx)
{
	struct simnic_priv *priv = netdev_priv(dev);
	struct simnic_qmem *qmem = mem;

	if (!netif_running(dev))
		qmem->pool = simnic_rxq_take_pool(&priv->rxq[idx]);
	else
		qmem->pool = simnic_rxq_stop(&priv->rxq[idx]);
	return 0;
}

static __maybe_unused struct device *
simnic_queue_get_dma_dev(struct net_device *dev, int idx)
{
	struct simnic_priv *priv = netdev_priv(dev);

	return priv->dma_dev;
}

const struct netdev_queue_mgmt_ops simnic_queue_ops = {
	.ndo_queue_mem_size	= sizeof(struct simnic_qmem),
	.ndo_queue_mem_alloc	= simnic_queue_mem_alloc,
	.ndo_queue_mem_free	= simnic_queue_mem_free,
	.ndo_queue_start	= simnic_queue_start,
	.ndo_queue_stop		= simnic_queue_stop,
	SIMNIC_QUEUE_OP_GET_DMA_DEV
	SIMNIC_QUEUE_OP_QCFG
};

/* ethtool -L: queues @from..@to-1 of the running device come up. */
int simnic_queues_start_range(struct simnic_priv *priv, unsigned int from,
			      unsigned int to)
{
	struct page_pool *pool;
	unsigned int i;

	for (i = from; i < to; i++) {
		pool = simnic_pool_create(priv, i,
					  simnic_queue_page_size(priv->dev, i));
		if (IS_ERR(pool)) {
			simnic_queues_stop_range(priv, from, i);
			return PTR_ERR(pool);
		}
		simnic_rxq_start(&priv->rxq[i], pool);
	}
	return 0;
}

/* ethtool -L: queues @from..@to-1 of the running device go. */
void simnic_queues_stop_range(struct simnic_priv *priv, unsigned int from,
			      unsigned int to)
{
	unsigned int i;

	for (i = from; i < to; i++) {
		page_pool_destroy(simnic_rxq_stop(&priv->rxq[i]));
		simnic_wire_purge(&priv->rxq[i]);
	}
}
