// SPDX-License-Identifier: MIT
/*
 * Header split through the ethtool generic netlink family: RINGS_GET to
 * read tcp-data-split and hds-thresh, RINGS_SET to change them. Attribute
 * ids by value: Debian 12's uapi headers predate hds-thresh (6.14).
 */
#include <errno.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "steer.h"

static int put_rings_header(struct nl_msg *msg, int family, uint8_t cmd,
			    unsigned int ifindex)
{
	struct nlattr *hdr;

	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0, cmd, 1))
		return -ENOMEM;
	hdr = nla_nest_start(msg, NLA_F_NESTED | ETHTOOL_A_RINGS_HEADER);
	if (!hdr || nla_put_u32(msg, ETHTOOL_A_HEADER_DEV_INDEX, ifindex))
		return -ENOMEM;
	nla_nest_end(msg, hdr);
	return 0;
}

int urd_put_rings_get(struct nl_msg *msg, int family, unsigned int ifindex)
{
	return put_rings_header(msg, family, ETHTOOL_MSG_RINGS_GET, ifindex);
}

int urd_put_rings_set(struct nl_msg *msg, int family, unsigned int ifindex,
		      uint8_t split, long thresh)
{
	if (put_rings_header(msg, family, ETHTOOL_MSG_RINGS_SET, ifindex) ||
	    nla_put_u8(msg, ETHTOOL_A_RINGS_TCP_DATA_SPLIT, split))
		return -ENOMEM;
	if (thresh >= 0 &&
	    nla_put_u32(msg, ETHTOOL_A_RINGS_HDS_THRESH, (uint32_t)thresh))
		return -ENOMEM;
	return 0;
}

/*
 * The kernel puts tcp-data-split only where the driver reports it (not
 * "unknown"), and hds-thresh only where both kernel and driver have it.
 */
int urd_parse_rings(const struct nlmsghdr *hdr, struct urd_rings *r)
{
	static struct nla_policy policy[ETHTOOL_A_RINGS_HDS_THRESH_MAX + 1] = {
		[ETHTOOL_A_RINGS_TCP_DATA_SPLIT] = { .type = NLA_U8 },
		[ETHTOOL_A_RINGS_HDS_THRESH] = { .type = NLA_U32 },
		[ETHTOOL_A_RINGS_HDS_THRESH_MAX] = { .type = NLA_U32 },
	};
	struct nlattr *tb[ETHTOOL_A_RINGS_HDS_THRESH_MAX + 1];

	memset(r, 0, sizeof(*r));
	if (genlmsg_parse((struct nlmsghdr *)hdr, 0, tb,
			  ETHTOOL_A_RINGS_HDS_THRESH_MAX, policy))
		return -EPROTO;
	if (tb[ETHTOOL_A_RINGS_TCP_DATA_SPLIT]) {
		r->split = nla_get_u8(tb[ETHTOOL_A_RINGS_TCP_DATA_SPLIT]);
		r->has_split = r->split != URD_SPLIT_UNKNOWN;
	}
	if (tb[ETHTOOL_A_RINGS_HDS_THRESH]) {
		r->has_thresh = 1;
		r->thresh = nla_get_u32(tb[ETHTOOL_A_RINGS_HDS_THRESH]);
	}
	if (tb[ETHTOOL_A_RINGS_HDS_THRESH_MAX])
		r->thresh_max = nla_get_u32(tb[ETHTOOL_A_RINGS_HDS_THRESH_MAX]);
	return 0;
}

static int on_rings(const struct nlmsghdr *hdr, void *arg)
{
	return urd_parse_rings(hdr, arg);
}

/* A socket and the ethtool family's id, or -EOPNOTSUPP (before 5.6). */
static int ethtool_open(struct nl_sock **sk, struct nl_msg **msg)
{
	int family, ret = urd_nl_open(sk, NETLINK_GENERIC);

	if (ret)
		return ret;
	family = urd_nl_resolve(*sk, ETHTOOL_GENL_NAME, ETHTOOL_MSG_RINGS_SET);
	if (family < 0) {
		nl_socket_free(*sk);
		return family;
	}
	*msg = nlmsg_alloc();
	if (!*msg) {
		nl_socket_free(*sk);
		return -ENOMEM;
	}
	return family;
}

int urd_rings_get(unsigned int ifindex, struct urd_rings *r,
		  struct uring_dmabuf_nl_error *err)
{
	struct nl_sock *sk;
	struct nl_msg *msg = NULL;
	int family, ret;

	memset(r, 0, sizeof(*r));
	family = ethtool_open(&sk, &msg);
	if (family < 0)
		return family;
	ret = urd_put_rings_get(msg, family, ifindex);
	if (ret)
		nlmsg_free(msg);
	else
		ret = urd_nl_transact(sk, msg, on_rings, r, err);
	nl_socket_free(sk);
	return ret;
}

int urd_rings_set(unsigned int ifindex, uint8_t split, long thresh,
		  struct uring_dmabuf_nl_error *err)
{
	struct nl_sock *sk;
	struct nl_msg *msg = NULL;
	int family, ret;

	family = ethtool_open(&sk, &msg);
	if (family < 0)
		return family;
	ret = urd_put_rings_set(msg, family, ifindex, split, thresh);
	if (ret)
		nlmsg_free(msg);
	else
		ret = urd_nl_transact(sk, msg, NULL, NULL, err);
	nl_socket_free(sk);
	return ret;
}
