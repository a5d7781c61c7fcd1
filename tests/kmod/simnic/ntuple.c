// SPDX-License-Identifier: GPL-2.0
/*
 * ethtool ntuple rules (-n/-N): "flow-type tcp4|tcp6" with any of src-ip,
 * dst-ip, src-port, dst-port, each matched exactly, steering to a queue;
 * as devmem NICs take them for a flow's 5-tuple or 3-tuple. A partial mask,
 * or a field the parser does not look at (tos, tclass, VLAN, MAC, FLOW_RSS),
 * is refused with EOPNOTSUPP. Locations: an explicit one (replacing the rule
 * there) or RX_CLS_LOC_ANY/FIRST/LAST, the driver choosing (steer.c).
 * Turning the ntuple feature off clears them, as NICs do.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/string.h>

#include "simnic.h"

/* A field's mask: 0 = wildcard, @bit = exact, else not supported. */
static int simnic_mask_field(const void *mask, size_t len, u32 bit,
			     u32 *fields)
{
	if (!memchr_inv(mask, 0, len))
		return 0;
	if (memchr_inv(mask, 0xff, len))
		return -EOPNOTSUPP;
	*fields |= bit;
	return 0;
}

static int simnic_mask_fields(const void *src, const void *dst, size_t alen,
			      const __be16 *psrc, const __be16 *pdst,
			      u32 *fields)
{
	return simnic_mask_field(src, alen, SIMNIC_MATCH_SRC_IP, fields) ?:
	       simnic_mask_field(dst, alen, SIMNIC_MATCH_DST_IP, fields) ?:
	       simnic_mask_field(psrc, 2, SIMNIC_MATCH_SRC_PORT, fields) ?:
	       simnic_mask_field(pdst, 2, SIMNIC_MATCH_DST_PORT, fields);
}

static int simnic_spec_to_match(const struct ethtool_rx_flow_spec *fs,
				struct simnic_match *m)
{
	const struct ethtool_tcpip4_spec *h4 = &fs->h_u.tcp_ip4_spec;
	const struct ethtool_tcpip4_spec *m4 = &fs->m_u.tcp_ip4_spec;
	const struct ethtool_tcpip6_spec *h6 = &fs->h_u.tcp_ip6_spec;
	const struct ethtool_tcpip6_spec *m6 = &fs->m_u.tcp_ip6_spec;
	__be16 sport, dport;
	int err;

	memset(m, 0, sizeof(*m));
	m->flow_type = fs->flow_type;
	switch (fs->flow_type) {
	case TCP_V4_FLOW:
		if (m4->tos)
			return -EOPNOTSUPP;
		err = simnic_mask_fields(&m4->ip4src, &m4->ip4dst, 4,
					 &m4->psrc, &m4->pdst, &m->fields);
		m->src[0] = h4->ip4src;
		m->dst[0] = h4->ip4dst;
		sport = h4->psrc;
		dport = h4->pdst;
		break;
	case TCP_V6_FLOW:
		if (m6->tclass)
			return -EOPNOTSUPP;
		err = simnic_mask_fields(m6->ip6src, m6->ip6dst, 16,
					 &m6->psrc, &m6->pdst, &m->fields);
		memcpy(m->src, h6->ip6src, sizeof(m->src));
		memcpy(m->dst, h6->ip6dst, sizeof(m->dst));
		sport = h6->psrc;
		dport = h6->pdst;
		break;
	default:
		/* Also FLOW_EXT, FLOW_MAC_EXT, FLOW_RSS: not looked at. */
		return -EOPNOTSUPP;
	}
	if (err)
		return err;

	/* What a wildcard field holds does not matter: keep it 0. */
	if (!(m->fields & SIMNIC_MATCH_SRC_IP))
		memset(m->src, 0, sizeof(m->src));
	if (!(m->fields & SIMNIC_MATCH_DST_IP))
		memset(m->dst, 0, sizeof(m->dst));
	if (m->fields & SIMNIC_MATCH_SRC_PORT)
		m->sport = ntohs(sport);
	if (m->fields & SIMNIC_MATCH_DST_PORT)
		m->dport = ntohs(dport);
	return 0;
}

/* Sets an exact mask on the @len bytes at @mask if @bit is matched. */
static void simnic_put_mask(void *mask, size_t len, u32 fields, u32 bit)
{
	if (fields & bit)
		memset(mask, 0xff, len);
}

static void simnic_match_to_spec(const struct simnic_match *m,
				 struct ethtool_rx_flow_spec *fs)
{
	struct ethtool_tcpip4_spec *h4 = &fs->h_u.tcp_ip4_spec;
	struct ethtool_tcpip4_spec *m4 = &fs->m_u.tcp_ip4_spec;
	struct ethtool_tcpip6_spec *h6 = &fs->h_u.tcp_ip6_spec;
	struct ethtool_tcpip6_spec *m6 = &fs->m_u.tcp_ip6_spec;

	fs->flow_type = m->flow_type;
	if (m->flow_type == TCP_V4_FLOW) {
		h4->ip4src = m->src[0];
		h4->ip4dst = m->dst[0];
		h4->psrc = htons(m->sport);
		h4->pdst = htons(m->dport);
		simnic_put_mask(&m4->ip4src, 4, m->fields, SIMNIC_MATCH_SRC_IP);
		simnic_put_mask(&m4->ip4dst, 4, m->fields, SIMNIC_MATCH_DST_IP);
		simnic_put_mask(&m4->psrc, 2, m->fields, SIMNIC_MATCH_SRC_PORT);
		simnic_put_mask(&m4->pdst, 2, m->fields, SIMNIC_MATCH_DST_PORT);
	} else {
		memcpy(h6->ip6src, m->src, sizeof(h6->ip6src));
		memcpy(h6->ip6dst, m->dst, sizeof(h6->ip6dst));
		h6->psrc = htons(m->sport);
		h6->pdst = htons(m->dport);
		simnic_put_mask(m6->ip6src, 16, m->fields, SIMNIC_MATCH_SRC_IP);
		simnic_put_mask(m6->ip6dst, 16, m->fields, SIMNIC_MATCH_DST_IP);
		simnic_put_mask(&m6->psrc, 2, m->fields, SIMNIC_MATCH_SRC_PORT);
		simnic_put_mask(&m6->pdst, 2, m->fields, SIMNIC_MATCH_DST_PORT);
	}
}

static int simnic_get_rule(struct simnic_priv *priv,
			   struct ethtool_rx_flow_spec *fs)
{
	struct simnic_match m;
	u16 queue;
	int err;

	err = simnic_steer_get(priv, fs->location, &m, &queue);
	if (err)
		return err;

	memset(&fs->h_u, 0, sizeof(fs->h_u));
	memset(&fs->m_u, 0, sizeof(fs->m_u));
	memset(&fs->h_ext, 0, sizeof(fs->h_ext));
	memset(&fs->m_ext, 0, sizeof(fs->m_ext));
	simnic_match_to_spec(&m, fs);
	fs->ring_cookie = queue;
	return 0;
}

static int simnic_get_all_rules(struct simnic_priv *priv,
				struct ethtool_rxnfc *info, u32 *locs)
{
	struct simnic_match m;
	u32 loc, n = 0;
	u16 queue;

	for (loc = 0; loc < SIMNIC_MAX_RULES; loc++) {
		if (simnic_steer_get(priv, loc, &m, &queue))
			continue;
		if (n == info->rule_cnt)
			return -EMSGSIZE;
		locs[n++] = loc;
	}
	info->rule_cnt = n;
	info->data = SIMNIC_MAX_RULES;
	return 0;
}

int simnic_get_rxnfc(struct net_device *dev, struct ethtool_rxnfc *info,
		     u32 *rule_locs)
{
	struct simnic_priv *priv = netdev_priv(dev);

	switch (info->cmd) {
	case ETHTOOL_GRXRINGS:
		info->data = READ_ONCE(priv->num_queues);
		return 0;
	case ETHTOOL_GRXCLSRLCNT:
		info->rule_cnt = simnic_steer_count(priv);
		info->data = SIMNIC_MAX_RULES | RX_CLS_LOC_SPECIAL;
		return 0;
	case ETHTOOL_GRXCLSRULE:
		return simnic_get_rule(priv, &info->fs);
	case ETHTOOL_GRXCLSRLALL:
		return simnic_get_all_rules(priv, info, rule_locs);
	default:
		return -EOPNOTSUPP;
	}
}

static int simnic_insert_rule(struct simnic_priv *priv,
			      struct ethtool_rx_flow_spec *fs)
{
	struct simnic_match m;
	int err;

	if (fs->ring_cookie == RX_CLS_FLOW_DISC ||
	    ethtool_get_flow_spec_ring_vf(fs->ring_cookie))
		return -EOPNOTSUPP;
	if (ethtool_get_flow_spec_ring(fs->ring_cookie) >=
	    READ_ONCE(priv->num_queues))
		return -EINVAL;
	err = simnic_spec_to_match(fs, &m);
	if (err)
		return err;
	return simnic_steer_insert(priv, &fs->location, &m, fs->ring_cookie);
}

/* ethtool -K DEV ntuple off clears the rules (ncdevmem resets so). */
int simnic_set_features(struct net_device *dev, netdev_features_t features)
{
	if ((dev->features & NETIF_F_NTUPLE) && !(features & NETIF_F_NTUPLE))
		simnic_steer_flush(netdev_priv(dev));
	return 0;
}

int simnic_set_rxnfc(struct net_device *dev, struct ethtool_rxnfc *info)
{
	struct simnic_priv *priv = netdev_priv(dev);

	switch (info->cmd) {
	case ETHTOOL_SRXCLSRLINS:
		return simnic_insert_rule(priv, &info->fs);
	case ETHTOOL_SRXCLSRLDEL:
		return simnic_steer_delete(priv, info->fs.location);
	default:
		return -EOPNOTSUPP;
	}
}
