// SPDX-License-Identifier: GPL-2.0
/* 83-simnic-ntuple: the ethtool ioctls and netlink on the receiving port. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>

#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/sockios.h>

#include "devmem_traffic.h"
#include "netdev.h"
#include "ntuple.h"

/* SIOCETHTOOL on the receiving port (in its namespace); 0 or -errno. */
int eth(void *cmd)
{
	struct ifreq ifr = {};

	ifr.ifr_data = cmd;
	return if_ioctl(RX_IF, SIOCETHTOOL, &ifr);
}

/* The spec of a rule matching @fields of @t. */
void spec_fill(struct ethtool_rx_flow_spec *fs, const struct tuple *t,
	       unsigned int fields)
{
	memset(fs, 0, sizeof(*fs));
	fs->flow_type = t->v6 ? TCP_V6_FLOW : TCP_V4_FLOW;
	if (t->v6) {
		struct ethtool_tcpip6_spec *h = &fs->h_u.tcp_ip6_spec;
		struct ethtool_tcpip6_spec *m = &fs->m_u.tcp_ip6_spec;

		if (fields & F_SRC_IP) {
			addr_of(t, 0, t->src, h->ip6src);
			memset(m->ip6src, 0xff, sizeof(m->ip6src));
		}
		if (fields & F_DST_IP) {
			addr_of(t, 1, t->dst, h->ip6dst);
			memset(m->ip6dst, 0xff, sizeof(m->ip6dst));
		}
		if (fields & F_SPORT) {
			h->psrc = htons(t->sport);
			m->psrc = 0xffff;
		}
		if (fields & F_DPORT) {
			h->pdst = htons(t->dport);
			m->pdst = 0xffff;
		}
	} else {
		struct ethtool_tcpip4_spec *h = &fs->h_u.tcp_ip4_spec;
		struct ethtool_tcpip4_spec *m = &fs->m_u.tcp_ip4_spec;

		if (fields & F_SRC_IP) {
			addr_of(t, 0, t->src, &h->ip4src);
			m->ip4src = 0xffffffff;
		}
		if (fields & F_DST_IP) {
			addr_of(t, 1, t->dst, &h->ip4dst);
			m->ip4dst = 0xffffffff;
		}
		if (fields & F_SPORT) {
			h->psrc = htons(t->sport);
			m->psrc = 0xffff;
		}
		if (fields & F_DPORT) {
			h->pdst = htons(t->dport);
			m->pdst = 0xffff;
		}
	}
}

/* ETHTOOL_SRXCLSRLINS of @fs to @queue at @loc; *got: where it went. */
int rule_insert(const struct ethtool_rx_flow_spec *fs, uint64_t queue,
		uint32_t loc, uint32_t *got)
{
	struct ethtool_rxnfc nfc = { .cmd = ETHTOOL_SRXCLSRLINS };
	int err;

	nfc.fs = *fs;
	nfc.fs.ring_cookie = queue;
	nfc.fs.location = loc;
	err = eth(&nfc);
	if (!err && got)
		*got = nfc.fs.location;
	return err;
}

int rule_delete(uint32_t loc)
{
	struct ethtool_rxnfc nfc = { .cmd = ETHTOOL_SRXCLSRLDEL };

	nfc.fs.location = loc;
	return eth(&nfc);
}

int rule_get(uint32_t loc, struct ethtool_rx_flow_spec *fs)
{
	struct ethtool_rxnfc nfc = { .cmd = ETHTOOL_GRXCLSRULE };
	int err;

	nfc.fs.location = loc;
	err = eth(&nfc);
	if (!err)
		*fs = nfc.fs;
	return err;
}

/* GRXCLSRLCNT then GRXCLSRLALL, as ethtool -n does: the count or -errno. */
int rule_list(uint32_t *locs, uint64_t *data)
{
	static union {
		struct ethtool_rxnfc nfc;
		char buf[sizeof(struct ethtool_rxnfc) +
			 (MAX_RULES + 1) * sizeof(uint32_t)];
	} all;
	struct ethtool_rxnfc cnt = { .cmd = ETHTOOL_GRXCLSRLCNT };
	int err;

	memset(&all, 0, sizeof(all));
	err = eth(&cnt);
	if (err)
		return err;
	*data = cnt.data;
	if (cnt.rule_cnt > MAX_RULES)
		return -E2BIG;
	all.nfc.cmd = ETHTOOL_GRXCLSRLALL;
	all.nfc.rule_cnt = cnt.rule_cnt;
	err = eth(&all.nfc);
	if (err)
		return err;
	if (all.nfc.rule_cnt != cnt.rule_cnt)
		return -EPROTO;
	memcpy(locs, all.nfc.rule_locs, cnt.rule_cnt * sizeof(*locs));
	return (int)cnt.rule_cnt;
}

int rule_count(void)
{
	uint32_t locs[MAX_RULES];
	uint64_t data;

	return rule_list(locs, &data);
}

/* The rule read back equals what was inserted (values and masks). */
int rule_same(const struct ethtool_rx_flow_spec *a,
	      const struct ethtool_rx_flow_spec *b, uint64_t queue)
{
	return a->flow_type == b->flow_type && b->ring_cookie == queue &&
	       !memcmp(&a->h_u, &b->h_u, sizeof(a->h_u)) &&
	       !memcmp(&a->m_u, &b->m_u, sizeof(a->m_u));
}

int channels_get(struct ethtool_channels *ch)
{
	memset(ch, 0, sizeof(*ch));
	ch->cmd = ETHTOOL_GCHANNELS;
	return eth(ch);
}

/* ETHTOOL_SCHANNELS with the TX count unchanged. */
int channels_set_rx(unsigned int rx)
{
	struct ethtool_channels ch;
	int err = channels_get(&ch);

	if (err)
		return err;
	ch.cmd = ETHTOOL_SCHANNELS;
	ch.rx_count = rx;
	return eth(&ch);
}

/* The same through ethtool netlink (ethtool -L, ncdevmem); extack in @ext. */
int channels_set_rx_nl(unsigned int rx, char *ext, size_t extlen)
{
	struct nlmsg m = {};
	struct genlmsghdr *g;
	struct nlattr *hdr;
	int fd, fam, err;

	fd = nl_open(NETLINK_GENERIC);
	if (fd < 0)
		return fd;
	fam = genl_family_id(fd, "ethtool");
	if (fam < 0) {
		close(fd);
		return fam;
	}
	m.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m.nh.nlmsg_type = fam;
	g = NLMSG_DATA(&m.nh);
	g->cmd = ETHTOOL_MSG_CHANNELS_SET;
	g->version = ETHTOOL_GENL_VERSION;
	hdr = nla_nest(&m.nh, ETHTOOL_A_CHANNELS_HEADER);
	nla_add(&m.nh, ETHTOOL_A_HEADER_DEV_NAME, RX_IF, sizeof(RX_IF));
	nla_nest_end(&m.nh, hdr);
	nla_add_u32(&m.nh, ETHTOOL_A_CHANNELS_RX_COUNT, rx);
	err = nl_talk(fd, &m.nh, NULL, NULL, ext, extlen);
	close(fd);
	return err;
}
