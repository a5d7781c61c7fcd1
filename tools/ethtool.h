/* SPDX-License-Identifier: MIT */
/*
 * What `check` asks ethtool about, read-only: the driver, header split and
 * its threshold (netlink), ntuple filters, flow rules and the RSS
 * indirection table (SIOCETHTOOL ioctls).
 */
#ifndef URING_DMABUF_TOOL_ETHTOOL_H
#define URING_DMABUF_TOOL_ETHTOOL_H

#include <stdbool.h>
#include <stdint.h>

enum split_state {
	SPLIT_UNKNOWN,	/* the driver does not report it */
	SPLIT_OFF,
	SPLIT_ON,
};

struct ring_state {
	enum split_state split;
	bool has_hds_thresh;	/* reported from 6.14 on, by drivers that have it */
	uint32_t hds_thresh;
};

/* ETHTOOL_MSG_RINGS_GET. */
int ethtool_rings(const char *dev, struct ring_state *rs);

/* ETHTOOL_GDRVINFO: the driver's name, NUL-terminated. */
int ethtool_driver(const char *dev, char *name, unsigned int len);
/* ETHTOOL_GFLAGS: ntuple filters on or off. */
int ethtool_ntuple(const char *dev, int *on);

/* A flow rule whose destination port is the one asked for. */
struct port_rule {
	uint32_t location;
	uint32_t flow_type;	/* TCP_V4_FLOW, TCP_V6_FLOW, ... */
	uint64_t queue;		/* ring_cookie: a queue, or RX_CLS_FLOW_DISC */
};

/*
 * ETHTOOL_GRXCLSRLCNT/GRXCLSRLALL/GRXCLSRULE: the number of rules (*total)
 * and up to @max rules matching TCP/UDP destination port @port; returns how
 * many matched (may exceed @max) or -errno.
 */
int ethtool_port_rules(const char *dev, uint16_t port, struct port_rule *out,
		       unsigned int max, unsigned int *total);

/*
 * ETHTOOL_GRXFHINDIR: how many of the indirection table's entries send
 * flows to @queue (*size: entries in the table).
 */
int ethtool_rss_hits(const char *dev, unsigned int queue, unsigned int *hits,
		     unsigned int *size);

#endif
