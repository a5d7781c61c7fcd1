// SPDX-License-Identifier: MIT
/*
 * The SIOCETHTOOL ioctls of NIC steering: the ntuple flag, flow rules
 * (ETHTOOL_SRXCLSRLINS/DEL: the real interface for ntuple rules) and the
 * RSS indirection table.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "steer.h"

static int eth_ioctl(const char *ifname, void *data)
{
	struct ifreq ifr;
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strnlen(ifname, IFNAMSIZ - 1));
	ifr.ifr_data = data;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int urd_eth_ntuple_get(const char *ifname, int *on)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_GFLAGS };
	int ret = eth_ioctl(ifname, &ev);

	if (!ret)
		*on = !!(ev.data & ETH_FLAG_NTUPLE);
	return ret;
}

/* Changes the ntuple bit only; the other flags are written back as read. */
int urd_eth_ntuple_set(const char *ifname, int on)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_GFLAGS };
	int ret = eth_ioctl(ifname, &ev);

	if (ret)
		return ret;
	ev.cmd = ETHTOOL_SFLAGS;
	ev.data = on ? ev.data | ETH_FLAG_NTUPLE : ev.data & ~ETH_FLAG_NTUPLE;
	return eth_ioctl(ifname, &ev);
}

int urd_eth_rx_rings(const char *ifname, uint32_t *nr)
{
	struct ethtool_rxnfc nfc = { .cmd = ETHTOOL_GRXRINGS };
	int ret = eth_ioctl(ifname, &nfc);

	if (!ret)
		*nr = (uint32_t)nfc.data;
	return ret;
}

int urd_eth_rule_list(const char *ifname, uint32_t **locs, uint32_t *nr,
		      uint32_t *table_size, int *special)
{
	struct ethtool_rxnfc cnt = { .cmd = ETHTOOL_GRXCLSRLCNT };
	struct ethtool_rxnfc *all;
	int ret;

	*locs = NULL;
	*nr = 0;
	ret = eth_ioctl(ifname, &cnt);
	if (ret)
		return ret;
	*special = !!(cnt.data & RX_CLS_LOC_SPECIAL);
	*table_size = (uint32_t)(cnt.data & ~(uint64_t)RX_CLS_LOC_SPECIAL);
	if (cnt.rule_cnt > URD_RSS_MAX)
		return -E2BIG;
	all = calloc(1, sizeof(*all) + (cnt.rule_cnt + 1) * sizeof(uint32_t));
	if (!all)
		return -ENOMEM;
	all->cmd = ETHTOOL_GRXCLSRLALL;
	all->rule_cnt = cnt.rule_cnt;
	if (cnt.rule_cnt)
		ret = eth_ioctl(ifname, all);
	if (!ret && all->rule_cnt > cnt.rule_cnt)
		ret = -EAGAIN;	/* rules came in between */
	if (ret) {
		free(all);
		return ret;
	}
	*locs = malloc((all->rule_cnt + 1) * sizeof(uint32_t));
	if (!*locs) {
		free(all);
		return -ENOMEM;
	}
	memcpy(*locs, all->rule_locs, all->rule_cnt * sizeof(uint32_t));
	*nr = all->rule_cnt;
	free(all);
	return 0;
}

/* The rule at @loc as ours would look; -EOPNOTSUPP for other kinds. */
int urd_eth_rule_get(const char *ifname, uint32_t loc,
		     struct urd_steer_rule *r)
{
	struct ethtool_rxnfc nfc = { .cmd = ETHTOOL_GRXCLSRULE };
	struct ethtool_rx_flow_spec *fs = &nfc.fs;
	uint32_t type;
	int ret;

	fs->location = loc;
	ret = eth_ioctl(ifname, &nfc);
	if (ret)
		return ret;
	memset(r, 0, sizeof(*r));
	type = fs->flow_type & ~(FLOW_EXT | FLOW_MAC_EXT | FLOW_RSS);
	r->loc = loc;
	r->queue = (uint32_t)ethtool_get_flow_spec_ring(fs->ring_cookie);
	r->flow_type = type;
	if (type == TCP_V4_FLOW && fs->m_u.tcp_ip4_spec.pdst)
		r->port = ntohs(fs->h_u.tcp_ip4_spec.pdst &
				fs->m_u.tcp_ip4_spec.pdst);
	else if (type == TCP_V6_FLOW && fs->m_u.tcp_ip6_spec.pdst)
		r->port = ntohs(fs->h_u.tcp_ip6_spec.pdst &
				fs->m_u.tcp_ip6_spec.pdst);
	else
		return -EOPNOTSUPP;
	return 0;
}

/* "flow-type tcp4|tcp6 dst-port P action Q" at @loc; r->loc is set. */
int urd_eth_rule_insert(const char *ifname, struct urd_steer_rule *r,
			long loc)
{
	struct ethtool_rxnfc nfc = { .cmd = ETHTOOL_SRXCLSRLINS };
	struct ethtool_rx_flow_spec *fs = &nfc.fs;
	int ret;

	fs->flow_type = r->flow_type;
	fs->ring_cookie = r->queue;
	fs->location = (uint32_t)loc;
	if (r->flow_type == URD_FLOW_TCP6) {
		fs->h_u.tcp_ip6_spec.pdst = htons(r->port);
		fs->m_u.tcp_ip6_spec.pdst = htons(0xffff);
	} else {
		fs->h_u.tcp_ip4_spec.pdst = htons(r->port);
		fs->m_u.tcp_ip4_spec.pdst = htons(0xffff);
	}
	ret = eth_ioctl(ifname, &nfc);
	if (!ret)
		r->loc = fs->location;
	return ret;
}

int urd_eth_rule_delete(const char *ifname, uint32_t loc)
{
	struct ethtool_rxnfc nfc = { .cmd = ETHTOOL_SRXCLSRLDEL };

	nfc.fs.location = loc;
	return eth_ioctl(ifname, &nfc);
}

int urd_eth_indir_get(const char *ifname, uint32_t **table, uint32_t *size)
{
	struct ethtool_rxfh_indir head = { .cmd = ETHTOOL_GRXFHINDIR };
	struct ethtool_rxfh_indir *full;
	int ret;

	*table = NULL;
	ret = eth_ioctl(ifname, &head);
	if (ret)
		return ret;
	if (!head.size)
		return -EOPNOTSUPP;
	if (head.size > URD_RSS_MAX)
		return -E2BIG;
	full = calloc(1, sizeof(*full) + head.size * sizeof(uint32_t));
	if (!full)
		return -ENOMEM;
	full->cmd = ETHTOOL_GRXFHINDIR;
	full->size = head.size;
	ret = eth_ioctl(ifname, full);
	if (!ret) {
		*table = malloc(head.size * sizeof(uint32_t));
		if (*table) {
			memcpy(*table, full->ring_index, head.size * sizeof(uint32_t));
			*size = head.size;
		} else {
			ret = -ENOMEM;
		}
	}
	free(full);
	return ret;
}

int urd_eth_indir_set(const char *ifname, const uint32_t *table,
		      uint32_t size)
{
	struct ethtool_rxfh_indir *full;
	int ret;

	full = calloc(1, sizeof(*full) + size * sizeof(uint32_t));
	if (!full)
		return -ENOMEM;
	full->cmd = ETHTOOL_SRXFHINDIR;
	full->size = size;
	if (size)
		memcpy(full->ring_index, table, size * sizeof(uint32_t));
	ret = eth_ioctl(ifname, full);
	free(full);
	return ret;
}
