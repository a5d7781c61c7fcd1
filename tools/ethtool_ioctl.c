// SPDX-License-Identifier: MIT
/*
 * The SIOCETHTOOL ioctls check reads: the driver's name, the ntuple flag,
 * the flow rules (the ioctl is the real interface for ntuple) and the RSS
 * indirection table. Nothing here changes the device.
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

#include "ethtool.h"

#define ETH_FLAG_NTUPLE_BIT	(1 << 27)
/* More rules than any NIC holds: a bound on what a driver may claim. */
#define MAX_RULES		65536
#define MAX_INDIR		65536

static int ethtool_ioctl(const char *dev, void *data)
{
	struct ifreq ifr;
	int fd, ret = 0;

	if (strlen(dev) >= IFNAMSIZ)
		return -ENODEV;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, dev, strlen(dev));
	ifr.ifr_data = data;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int ethtool_driver(const char *dev, char *name, unsigned int len)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	size_t n;
	int ret;

	if (!len)
		return -EINVAL;
	name[0] = '\0';
	ret = ethtool_ioctl(dev, &info);
	if (ret)
		return ret;
	n = strnlen(info.driver, sizeof(info.driver));
	if (n >= len)
		n = len - 1;
	memcpy(name, info.driver, n);
	name[n] = '\0';
	return 0;
}

int ethtool_ntuple(const char *dev, int *on)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_GFLAGS };
	int ret = ethtool_ioctl(dev, &ev);

	if (!ret)
		*on = !!(ev.data & ETH_FLAG_NTUPLE_BIT);
	return ret;
}

/* The TCP destination port of a rule that matches exactly one, or -1. */
static int rule_tcp_port(const struct ethtool_rx_flow_spec *fs)
{
	switch (fs->flow_type & ~(FLOW_EXT | FLOW_MAC_EXT | FLOW_RSS)) {
	case TCP_V4_FLOW:
		if (fs->m_u.tcp_ip4_spec.pdst != htons(0xffff))
			return -1;
		return ntohs(fs->h_u.tcp_ip4_spec.pdst);
	case TCP_V6_FLOW:
		if (fs->m_u.tcp_ip6_spec.pdst != htons(0xffff))
			return -1;
		return ntohs(fs->h_u.tcp_ip6_spec.pdst);
	default:
		return -1;
	}
}

int ethtool_port_rules(const char *dev, uint16_t port, struct port_rule *out,
		       unsigned int max, unsigned int *total)
{
	struct ethtool_rxnfc cnt = { .cmd = ETHTOOL_GRXCLSRLCNT };
	struct ethtool_rxnfc *all;
	unsigned int i, n = 0;
	int ret;

	*total = 0;
	ret = ethtool_ioctl(dev, &cnt);
	if (ret)
		return ret;
	if (!cnt.rule_cnt)
		return 0;
	if (cnt.rule_cnt > MAX_RULES)
		return -E2BIG;
	all = calloc(1, sizeof(*all) + cnt.rule_cnt * sizeof(__u32));
	if (!all)
		return -ENOMEM;
	all->cmd = ETHTOOL_GRXCLSRLALL;
	all->rule_cnt = cnt.rule_cnt;
	ret = ethtool_ioctl(dev, all);
	if (ret)
		goto out;
	*total = all->rule_cnt;
	for (i = 0; i < all->rule_cnt && i < cnt.rule_cnt; i++) {
		struct ethtool_rxnfc one = {
			.cmd = ETHTOOL_GRXCLSRULE,
			.fs.location = all->rule_locs[i],
		};

		/* A rule deleted since the list was read is no rule. */
		if (ethtool_ioctl(dev, &one) || rule_tcp_port(&one.fs) != port)
			continue;
		if (n < max) {
			out[n].location = one.fs.location;
			out[n].flow_type = one.fs.flow_type & ~(FLOW_EXT | FLOW_MAC_EXT | FLOW_RSS);
			out[n].queue = one.fs.ring_cookie;
		}
		n++;
	}
	ret = (int)n;
out:
	free(all);
	return ret;
}

int ethtool_rss_hits(const char *dev, unsigned int queue, unsigned int *hits,
		     unsigned int *size)
{
	struct ethtool_rxfh_indir probe = { .cmd = ETHTOOL_GRXFHINDIR };
	struct ethtool_rxfh_indir *t;
	unsigned int i;
	int ret;

	*hits = *size = 0;
	ret = ethtool_ioctl(dev, &probe);
	if (ret)
		return ret;
	if (!probe.size)
		return -EOPNOTSUPP;
	if (probe.size > MAX_INDIR)
		return -E2BIG;
	t = calloc(1, sizeof(*t) + probe.size * sizeof(__u32));
	if (!t)
		return -ENOMEM;
	t->cmd = ETHTOOL_GRXFHINDIR;
	t->size = probe.size;
	ret = ethtool_ioctl(dev, t);
	if (!ret) {
		*size = t->size;
		for (i = 0; i < t->size && i < probe.size; i++)
			*hits += t->ring_index[i] == queue;
	}
	free(t);
	return ret;
}
