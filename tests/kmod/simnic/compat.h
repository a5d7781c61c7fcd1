/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version shim of uring_dmabuf_simnic (6.12 .. 7.3). The
 * SIMNIC_HAVE_* macros come from probe.sh greps of the kernel headers;
 * kernels without devmem (6.1) build nothing (see Kbuild).
 */
#ifndef _SIMNIC_COMPAT_H
#define _SIMNIC_COMPAT_H

/* Force-included ahead of every kernel header. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <net/netdev_queues.h>
#include <net/netmem.h>
/* netdev_lockdep_set_classes(): in netdevice.h before 6.15. */
#ifdef SIMNIC_HAVE_NETDEV_LOCK_H
#include <net/netdev_lock.h>
#endif

/*
 * 7.x: ndo_queue_mem_alloc() and ndo_queue_start() take the queue's
 * config (rx_page_size). This driver supports none of its parameters.
 */
#ifdef SIMNIC_HAVE_QUEUE_QCFG
#define SIMNIC_QCFG_PARAM struct netdev_queue_config *qcfg,
#define SIMNIC_QCFG_ARG qcfg
#else
struct netdev_queue_config;
#define SIMNIC_QCFG_PARAM
#define SIMNIC_QCFG_ARG NULL
#endif

/*
 * 7.2: a queue's buffers may be larger than a page (rx_page_size, from a
 * memory provider such as devmem with NETDEV_A_DMABUF_RX_PAGE_SIZE).
 */
#ifdef SIMNIC_HAVE_QCFG_RX_PAGE_SIZE
int simnic_check_page_size(u32 size, struct netlink_ext_ack *extack);

static inline void simnic_default_qcfg(struct net_device *dev,
				       struct netdev_queue_config *qcfg)
{
	qcfg->rx_page_size = PAGE_SIZE;
}

static inline int simnic_validate_qcfg(struct net_device *dev,
				       struct netdev_queue_config *qcfg,
				       struct netlink_ext_ack *extack)
{
	return simnic_check_page_size(qcfg->rx_page_size, extack);
}

static inline u32 simnic_qcfg_page_size(const struct netdev_queue_config *qcfg)
{
	return qcfg && qcfg->rx_page_size ? qcfg->rx_page_size : PAGE_SIZE;
}

static inline u32 simnic_queue_page_size(struct net_device *dev, int idx)
{
	struct netdev_queue_config qcfg;

	netdev_queue_config(dev, idx, &qcfg);
	return simnic_qcfg_page_size(&qcfg);
}

#define SIMNIC_QUEUE_OP_QCFG \
	.ndo_default_qcfg = simnic_default_qcfg, \
	.ndo_validate_qcfg = simnic_validate_qcfg, \
	.supported_params = QCFG_RX_PAGE_SIZE,
#else

static inline u32 simnic_qcfg_page_size(const struct netdev_queue_config *qcfg)
{
	return PAGE_SIZE;
}

static inline u32 simnic_queue_page_size(struct net_device *dev, int idx)
{
	return PAGE_SIZE;
}

#define SIMNIC_QUEUE_OP_QCFG
#endif

/*
 * 6.18: devmem asks the queue for its DMA device; before, it used
 * dev->dev.parent, which is the same device here.
 */
#ifdef SIMNIC_HAVE_QUEUE_GET_DMA_DEV
#define SIMNIC_QUEUE_OP_GET_DMA_DEV \
	.ndo_queue_get_dma_dev = simnic_queue_get_dma_dev,
#else
#define SIMNIC_QUEUE_OP_GET_DMA_DEV
#endif

/*
 * 6.15: a device with queue management ops runs its ndos under its
 * instance lock; napi_enable()/napi_disable() would take it again.
 */
#ifdef SIMNIC_HAVE_NAPI_LOCKED
#define simnic_napi_enable napi_enable_locked
#define simnic_napi_disable napi_disable_locked
#else
#define simnic_napi_enable napi_enable
#define simnic_napi_disable napi_disable
#endif

/*
 * 6.14: the core keeps tcp-data-split and hds-thresh in dev->cfg and
 * refuses to bind a memory provider unless they are "enabled" and 0. The
 * driver sets the initial values; ethtool updates them.
 */
static inline void simnic_set_netdev_cfg(struct net_device *dev,
					 u8 hds_config, u32 hds_thresh)
{
#ifdef SIMNIC_HAVE_NETDEV_CFG
	dev->cfg->hds_config = hds_config;
	dev->cfg->hds_thresh = hds_thresh;
#endif
}

/* 6.14: hds-thresh joined the ethtool ring params. */
#ifdef SIMNIC_HAVE_HDS_THRESH
#define SIMNIC_RING_PARAMS \
	(ETHTOOL_RING_USE_TCP_DATA_SPLIT | ETHTOOL_RING_USE_HDS_THRS)
#define SIMNIC_HDS_THRESH_SETTABLE true

static inline u32
simnic_kring_hds_thresh(const struct kernel_ethtool_ringparam *kring)
{
	return kring->hds_thresh;
}

static inline void
simnic_kring_set_hds(struct kernel_ethtool_ringparam *kring, u32 thresh,
		     u32 max)
{
	kring->hds_thresh = thresh;
	kring->hds_thresh_max = max;
}
#else
#define SIMNIC_RING_PARAMS ETHTOOL_RING_USE_TCP_DATA_SPLIT
#define SIMNIC_HDS_THRESH_SETTABLE false

static inline u32
simnic_kring_hds_thresh(const struct kernel_ethtool_ringparam *kring)
{
	return 0;
}

static inline void
simnic_kring_set_hds(struct kernel_ethtool_ringparam *kring, u32 thresh,
		     u32 max)
{
}
#endif

/*
 * 6.16: devmem TX. A device that DMAs net_iov frags from their binding's
 * DMA addresses declares netmem_tx (7.2: the mode NETMEM_TX_DMA; before, a
 * flag). Without it no unreadable skb reaches ndo_start_xmit.
 */
static inline void simnic_set_netmem_tx(struct net_device *dev)
{
#if defined(SIMNIC_HAVE_NETMEM_TX_MODE)
	dev->netmem_tx = NETMEM_TX_DMA;
#elif defined(SIMNIC_HAVE_NETMEM_TX)
	dev->netmem_tx = true;
#endif
}

/*
 * 6.16: unmap bookkeeping that records 0 for a net_iov (its binding owns
 * the mapping) and skips it on unmap. Before, no net_iov is ever mapped.
 */
#ifndef SIMNIC_HAVE_NETMEM_DMA_UNMAP
#include <linux/dma-mapping.h>
#include <net/netmem.h>

#define netmem_dma_unmap_addr_set(NETMEM, PTR, ADDR_NAME, VAL)		\
	dma_unmap_addr_set(PTR, ADDR_NAME,				\
			   netmem_is_net_iov(NETMEM) ? 0 : (VAL))

static inline void netmem_dma_unmap_page_attrs(struct device *dev,
					       dma_addr_t addr, size_t size,
					       enum dma_data_direction dir,
					       unsigned long attrs)
{
	if (addr)
		dma_unmap_page_attrs(dev, addr, size, dir, attrs);
}
#endif

/* 6.18: ETHTOOL_GRXRINGS has its own op instead of get_rxnfc(). */
#ifdef SIMNIC_HAVE_GET_RX_RING_COUNT
#define SIMNIC_ETHTOOL_OP_GET_RX_RING_COUNT \
	.get_rx_ring_count = simnic_get_rx_ring_count,
#else
#define SIMNIC_ETHTOOL_OP_GET_RX_RING_COUNT
#endif

/*
 * 6.15: net_iovs say whose they are; NET_IOV_IOURING ones are io_uring
 * zcrx's, which the queues file counts apart from devmem's.
 */
static inline bool simnic_netmem_is_zcrx(netmem_ref netmem)
{
#ifdef SIMNIC_HAVE_NET_IOV_TYPE
	return netmem_is_net_iov(netmem) &&
	       netmem_to_net_iov(netmem)->type == NET_IOV_IOURING;
#else
	return false;
#endif
}

#endif /* _SIMNIC_COMPAT_H */
