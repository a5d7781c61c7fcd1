#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Detect the networking features of the kernel we build for from its
# headers and print them as -D flags for compat.h. Distro kernels backport
# (Debian's 6.12 carries the page pool memory provider work), so the
# headers are the truth, not the version number.
# Usage: probe.sh SRCTREE
#        probe.sh SRCTREE devmem   prints "y" if the kernel can bind devmem
src=${1:?usage: probe.sh SRCTREE [devmem]}
net=$src/include/net
linux=$src/include/linux

# The queue management ops and an unreadable-netmem page pool are what a
# driver needs for NETDEV_CMD_BIND_RX; without them there is nothing to
# build (6.1), and the guest tests skip because the module is missing.
if [ "$2" = devmem ]; then
	grep -qs 'ndo_queue_mem_alloc' "$net/netdev_queues.h" &&
		grep -qs 'PP_FLAG_ALLOW_UNREADABLE_NETMEM' "$net/page_pool/types.h" &&
		echo y
	exit 0
fi

have() {
	echo "-DSIMNIC_HAVE_$1"
}

# A struct's body, joined onto one line.
struct_body() {
	sed -n "/^struct $2 {/,/^};/p" "$1" | tr -d '\n\t'
}

qops=$(struct_body "$net/netdev_queues.h" netdev_queue_mgmt_ops)
# 7.x: mem_alloc and start take the queue's config.
echo "$qops" | grep -q 'ndo_queue_mem_alloc)(struct net_device \*dev,[ ]*struct netdev_queue_config' &&
	have QUEUE_QCFG
# 7.2: queues can be configured with a buffer size (io_uring zcrx; devmem's
# NETDEV_A_DMABUF_RX_PAGE_SIZE from 7.3).
grep -qs 'QCFG_RX_PAGE_SIZE' "$net/netdev_queues.h" && have QCFG_RX_PAGE_SIZE
# 6.18: the DMA device may differ per queue.
echo "$qops" | grep -q 'ndo_queue_get_dma_dev' && have QUEUE_GET_DMA_DEV
# 6.14: dev->cfg holds the tcp-data-split / hds-thresh config that
# the core checks before binding.
grep -qs '^struct netdev_config {' "$net/netdev_queues.h" && have NETDEV_CFG
# 6.14: hds-thresh in ethtool ring params.
struct_body "$linux/ethtool.h" kernel_ethtool_ringparam | grep -q 'hds_thresh_max' &&
	have HDS_THRESH
# 6.15: drivers with queue ops run under the instance lock, and must not
# take it again through napi_enable()/napi_disable().
grep -qs 'void napi_enable_locked(' "$linux/netdevice.h" && have NAPI_LOCKED
# 6.16: devmem TX (NETDEV_CMD_BIND_TX): the driver declares netmem_tx
# (a flag; 7.2: a mode, NETMEM_TX_DMA for a device that DMAs the frags).
grep -qs 'netmem_tx' "$linux/netdevice.h" && have NETMEM_TX
grep -qs 'NETMEM_TX_DMA' "$linux/netdevice.h" && have NETMEM_TX_MODE
# 6.16: unmap bookkeeping that skips net_iovs (mapped by their binding).
grep -qs 'netmem_dma_unmap_addr_set' "$net/netmem.h" && have NETMEM_DMA_UNMAP
# 6.18: ETHTOOL_GRXRINGS is answered by its own op.
grep -qs 'get_rx_ring_count' "$linux/ethtool.h" && have GET_RX_RING_COUNT
# 6.15: the instance lock's lockdep helpers moved to their own header.
grep -qs 'define netdev_lockdep_set_classes' "$net/netdev_lock.h" && have NETDEV_LOCK_H
# 6.15: net_iovs have a type (NET_IOV_IOURING: io_uring zcrx).
grep -qs 'NET_IOV_IOURING' "$net/netmem.h" && have NET_IOV_TYPE
exit 0
