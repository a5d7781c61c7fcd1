/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uring_dmabuf_simnic: a test-only pair of Ethernet devices joined by a
 * simulated wire, with per-queue page pools that take a devmem memory
 * provider, header split, and flow steering, so that NETDEV_CMD_BIND_RX
 * and devmem TCP run end to end without hardware.
 *
 * A frame sent on TX queue N of one port is "on the wire" to RX queue N of
 * the other; the sender picks N with the receiver's steering rules and RSS
 * table (ndo_select_queue), as the receiving NIC's parser would. The
 * receiving queue's NAPI poll "DMAs" it: headers into the skb's linear part,
 * TCP payload to the DMA address of a netmem from the queue's page pool.
 */
#ifndef _SIMNIC_H
#define _SIMNIC_H

#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#define SIMNIC_MAX_QUEUES	16
#define SIMNIC_MAX_RULES	64
#define SIMNIC_INDIR_SIZE	128
#define SIMNIC_MAX_MTU		9000
#define SIMNIC_MIN_RING		64
#define SIMNIC_MAX_RING		16384
#define SIMNIC_MAX_RX_PAGE	SZ_64K
/* Bytes a dma_test write puts at its address (within one page). */
#define SIMNIC_DMA_TEST_LEN	64

struct page_pool;
struct dentry;
struct simnic_edu;

/* Written only by the queue's NAPI poll. */
struct simnic_rx_stats {
	u64 packets;
	u64 bytes;
	u64 split;		/* frames split into header + payload frags */
	u64 payload_bytes;	/* bytes written to page pool netmems */
	u64 unreadable_bytes;	/* ... of those, into a memory provider's */
	u64 zcrx_frags;		/* frags in io_uring zcrx net_iovs ... */
	u64 zcrx_bytes;		/* ... and their bytes */
	u64 alloc_fail;
	u64 dropped;
	u64 dma_refused;	/* writes to a DMA address that leads nowhere */
	struct u64_stats_sync syncp;
};

/* Written only under the TX queue's xmit lock. */
struct simnic_tx_stats {
	u64 packets;
	u64 bytes;
	u64 dropped;
	u64 stop;		/* times the receiving queue was full */
	u64 devmem_bytes;	/* payload the device read from net_iovs */
	u64 dma_refused;	/* frames with a frag it could not reach */
	struct u64_stats_sync syncp;
};

struct simnic_priv;

struct simnic_rxq {
	struct simnic_priv *priv;
	unsigned int idx;
	struct napi_struct napi;
	/* Frames the peer sent to this queue that are not DMA'd yet. */
	struct sk_buff_head wire;
	/* The queue's buffers; NULL while the queue is stopped. */
	struct page_pool *pool;
	/* DMA address (IOVA behind an IOMMU) of the last payload buffer. */
	dma_addr_t last_dma;
	struct simnic_rx_stats stats;
};

/* A TX queue's DMA engine (tx_dma.c): frames posted, read off the CPU. */
struct simnic_txq {
	struct simnic_priv *priv;
	unsigned int idx;
	struct sk_buff_head posted;
	struct work_struct work;
};

/* What ndo_queue_mem_alloc() prepares for a queue restart. */
struct simnic_qmem {
	struct page_pool *pool;
};

/* The fields a steering rule matches exactly (the others are wildcards). */
#define SIMNIC_MATCH_SRC_IP	BIT(0)
#define SIMNIC_MATCH_DST_IP	BIT(1)
#define SIMNIC_MATCH_SRC_PORT	BIT(2)
#define SIMNIC_MATCH_DST_PORT	BIT(3)

/* What a rule matches: IPv4 addresses are in word 0, the rest 0. */
struct simnic_match {
	u32 flow_type;		/* TCP_V4_FLOW or TCP_V6_FLOW */
	u32 fields;		/* SIMNIC_MATCH_* */
	__be32 src[4];
	__be32 dst[4];
	u16 sport;		/* host order */
	u16 dport;
};

struct simnic_rule {
	struct rcu_head rcu;
	struct simnic_match match;
	u16 queue;
};

/*
 * Steering rules, read under RCU on every transmit; the lowest location
 * that matches wins (see steer.c).
 */
struct simnic_steer {
	struct mutex lock;	/* serializes writers */
	struct simnic_rule __rcu *rules[SIMNIC_MAX_RULES];
	u8 indir[SIMNIC_INDIR_SIZE];
};

struct simnic_priv {
	struct net_device *dev;
	struct net_device __rcu *peer;
	struct device *dma_dev;
	/* The PCI function's DMA engine (dma_test), NULL on a platform device. */
	struct simnic_edu *edu;
	unsigned int num_queues;	/* active RX queues (ethtool -L rx) */
	unsigned int max_queues;	/* allocated; TX queues, always all */
	u32 ring_size;		/* frames a queue's wire holds */
	u8 hds_config;		/* ETHTOOL_TCP_DATA_SPLIT_* */
	u32 hds_thresh;
	struct simnic_steer steer;
	struct dentry *debugfs;
	struct mutex dma_test_lock;	/* protects dma_test */
	char dma_test[128];		/* the last dma_test's result */
	struct simnic_tx_stats tx_stats[SIMNIC_MAX_QUEUES];
	struct simnic_rxq rxq[SIMNIC_MAX_QUEUES];
	struct simnic_txq txq[SIMNIC_MAX_QUEUES];
};

/* What the parser of the receiving NIC sees in a frame. */
struct simnic_flow {
	u32 flow_type;		/* TCP_V4_FLOW, TCP_V6_FLOW or 0 */
	__be32 src[4];		/* as in struct simnic_match */
	__be32 dst[4];
	u16 sport;		/* host order */
	u16 dport;
	u16 hlen;		/* Ethernet + IP + TCP headers, 0 if not TCP */
};

struct simnic_config {
	unsigned int queues;
	unsigned int ring_size;
	unsigned int dma_max_seg;
	bool tcp_data_split;
};

/* main.c */
int simnic_dma_setup(struct device *dev);
int simnic_pair_create(struct device *dev, struct simnic_edu *edu);
void simnic_pair_destroy(struct device *dev);

/* pci.c */
int simnic_pci_register(void);
void simnic_pci_unregister(void);
int simnic_edu_dma_write(struct simnic_edu *edu, dma_addr_t iova,
			 const u8 *pattern);

/* dma.c */
bool simnic_dma_to_phys(struct device *dma_dev, dma_addr_t dma,
			phys_addr_t *phys);
int simnic_dma_test(struct simnic_priv *priv, dma_addr_t iova, u64 cookie,
		    bool stale, bool cpu);

/* netdev.c */
struct net_device *simnic_netdev_create(struct device *parent,
					const char *name,
					const struct simnic_config *cfg,
					struct simnic_edu *edu);
int simnic_netdev_link(struct net_device *a, struct net_device *b);
void simnic_netdev_destroy_pair(struct net_device *a, struct net_device *b);
bool simnic_rxq_bound(struct simnic_priv *priv, unsigned int idx);

/* queue.c */
extern const struct netdev_queue_mgmt_ops simnic_queue_ops;
int simnic_check_page_size(u32 size, struct netlink_ext_ack *extack);
int simnic_queues_open(struct simnic_priv *priv);
void simnic_queues_close(struct simnic_priv *priv);
void simnic_queues_uninit(struct simnic_priv *priv);
int simnic_queues_start_range(struct simnic_priv *priv, unsigned int from,
			      unsigned int to);
void simnic_queues_stop_range(struct simnic_priv *priv, unsigned int from,
			      unsigned int to);

/* rx.c */
int simnic_poll(struct napi_struct *napi, int budget);

/* tx.c */
netdev_tx_t simnic_xmit(struct sk_buff *skb, struct net_device *dev);
u16 simnic_select_queue(struct net_device *dev, struct sk_buff *skb,
			struct net_device *sb_dev);
void simnic_wire_purge(struct simnic_rxq *rxq);

/* tx_dma.c */
void simnic_tx_count(struct simnic_tx_stats *ts, unsigned int len, bool sent);
void simnic_tx_dma_post(struct simnic_priv *priv, u16 qid, struct sk_buff *skb);
void simnic_tx_dma_init(struct simnic_priv *priv, unsigned int idx);
void simnic_tx_dma_stop(struct simnic_priv *priv);

/* tx_devmem.c */
struct sk_buff *simnic_tx_devmem(struct simnic_priv *priv, struct sk_buff *skb,
				 struct simnic_tx_stats *ts);

/* parse.c */
void simnic_parse(const struct sk_buff *skb, struct simnic_flow *flow);

/* steer.c */
void simnic_steer_init(struct simnic_priv *priv);
void simnic_steer_destroy(struct simnic_priv *priv);
unsigned int simnic_steer_classify(struct simnic_priv *priv,
				   struct sk_buff *skb);
unsigned int simnic_steer_count(struct simnic_priv *priv);
int simnic_steer_get(struct simnic_priv *priv, unsigned int loc,
		     struct simnic_match *match, u16 *queue);
int simnic_steer_insert(struct simnic_priv *priv, u32 *loc,
			const struct simnic_match *match, u16 queue);
int simnic_steer_delete(struct simnic_priv *priv, unsigned int loc);
int simnic_steer_delete_port(struct simnic_priv *priv, u16 port);
void simnic_steer_flush(struct simnic_priv *priv);
void simnic_steer_set_indir(struct simnic_priv *priv, const u32 *indir);
void simnic_steer_get_indir(struct simnic_priv *priv, u32 *indir);
void simnic_steer_default_indir(struct simnic_priv *priv, unsigned int n);

/* ntuple.c */
int simnic_get_rxnfc(struct net_device *dev, struct ethtool_rxnfc *info,
		     u32 *rule_locs);
int simnic_set_rxnfc(struct net_device *dev, struct ethtool_rxnfc *info);
int simnic_set_features(struct net_device *dev, netdev_features_t features);

/* channels.c */
void simnic_get_channels(struct net_device *dev, struct ethtool_channels *ch);
int simnic_set_channels(struct net_device *dev, struct ethtool_channels *ch);

/* ethtool.c */
extern const struct ethtool_ops simnic_ethtool_ops;

/* stats.c */
extern const struct netdev_stat_ops simnic_stat_ops;
void simnic_get_stats64(struct net_device *dev,
			struct rtnl_link_stats64 *stats);
void simnic_rx_stats_read(struct simnic_rxq *rxq, struct simnic_rx_stats *s);
void simnic_tx_stats_read(struct simnic_tx_stats *ts,
			  struct simnic_tx_stats *s);

/* debugfs.c */
void simnic_debugfs_init(void);
void simnic_debugfs_exit(void);
void simnic_debugfs_add(struct simnic_priv *priv);
void simnic_debugfs_remove(struct simnic_priv *priv);

#endif /* _SIMNIC_H */
