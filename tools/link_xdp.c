// SPDX-License-Identifier: MIT
/*
 * RTM_GETLINK for one device, read for IFLA_XDP only: the kernel refuses a
 * memory provider on a device with an XDP program attached.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "link_xdp.h"

struct xdp_query {
	struct xdp_state *xs;
	int seen;
};

static int on_link(struct nl_msg *msg, void *arg)
{
	static struct nla_policy xdp_policy[IFLA_XDP_MAX + 1] = {
		[IFLA_XDP_ATTACHED] = { .type = NLA_U8 },
		[IFLA_XDP_PROG_ID] = { .type = NLA_U32 },
	};
	struct nlattr *tb[IFLA_MAX + 1], *xtb[IFLA_XDP_MAX + 1];
	struct xdp_query *q = arg;

	if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL))
		return NL_SKIP;
	q->seen = 1;
	if (!tb[IFLA_XDP] || nla_parse_nested(xtb, IFLA_XDP_MAX, tb[IFLA_XDP], xdp_policy))
		return NL_OK;
	if (xtb[IFLA_XDP_ATTACHED])
		q->xs->attached = nla_get_u8(xtb[IFLA_XDP_ATTACHED]);
	if (xtb[IFLA_XDP_PROG_ID])
		q->xs->prog_id = nla_get_u32(xtb[IFLA_XDP_PROG_ID]);
	return NL_OK;
}

int link_xdp(unsigned int ifindex, struct xdp_state *xs)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = (int)ifindex };
	struct xdp_query q = { .xs = xs };
	struct nl_sock *sk;
	struct nl_msg *msg;
	int ret;

	memset(xs, 0, sizeof(*xs));
	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	if (nl_connect(sk, NETLINK_ROUTE)) {
		ret = -EPROTONOSUPPORT;
		goto out;
	}
	msg = nlmsg_alloc_simple(RTM_GETLINK, 0);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO)) {
		nlmsg_free(msg);
		ret = -ENOMEM;
		goto out;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_link, &q);
	ret = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		ret = -EIO;
		goto out;
	}
	ret = nl_recvmsgs_default(sk);
	if (ret == -NLE_NODEV || ret == -NLE_OBJ_NOTFOUND)
		ret = -ENODEV;
	else if (ret < 0)
		ret = -EIO;
	else
		ret = q.seen ? 0 : -ENODATA;
out:
	nl_socket_free(sk);
	return ret;
}

const char *xdp_mode_name(unsigned int attached)
{
	switch (attached) {
	case XDP_ATTACHED_NONE:
		return "none";
	case XDP_ATTACHED_DRV:
		return "driver";
	case XDP_ATTACHED_SKB:
		return "generic";
	case XDP_ATTACHED_HW:
		return "offload";
	default:
		return "several modes";
	}
}
