// SPDX-License-Identifier: MIT
/*
 * Whether an XDP program is attached to a device (RTM_GETLINK, IFLA_XDP):
 * devmem refuses to bind such a queue, so steering refuses first.
 */
#include <errno.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "steer.h"

#ifndef RTEXT_FILTER_SKIP_STATS
#define RTEXT_FILTER_SKIP_STATS (1 << 3)
#endif

static int on_link(const struct nlmsghdr *hdr, void *arg)
{
	static struct nla_policy xdp_policy[IFLA_XDP_MAX + 1] = {
		[IFLA_XDP_ATTACHED] = { .type = NLA_U8 },
	};
	struct nlattr *tb[IFLA_MAX + 1], *xtb[IFLA_XDP_MAX + 1];
	int *attached = arg;

	if (hdr->nlmsg_type != RTM_NEWLINK)
		return 0;
	if (nlmsg_parse((struct nlmsghdr *)hdr, sizeof(struct ifinfomsg), tb,
			IFLA_MAX, NULL))
		return -EPROTO;
	if (!tb[IFLA_XDP])
		return 0;
	if (nla_parse_nested(xtb, IFLA_XDP_MAX, tb[IFLA_XDP], xdp_policy))
		return -EPROTO;
	if (xtb[IFLA_XDP_ATTACHED] &&
	    nla_get_u8(xtb[IFLA_XDP_ATTACHED]) != XDP_ATTACHED_NONE)
		*attached = 1;
	return 0;
}

int urd_xdp_attached(unsigned int ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_sock *sk;
	struct nl_msg *msg;
	int attached = 0, ret;

	ifi.ifi_index = (int)ifindex;
	ret = urd_nl_open(&sk, NETLINK_ROUTE);
	if (ret)
		return ret;
	/* A link message can exceed a page (VF info): peek at its size. */
	nl_socket_enable_msg_peek(sk);
	msg = nlmsg_alloc_simple(RTM_GETLINK, 0);
	if (!msg ||
	    nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) ||
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS)) {
		nlmsg_free(msg);
		nl_socket_free(sk);
		return -ENOMEM;
	}
	ret = urd_nl_transact(sk, msg, on_link, &attached, NULL);
	nl_socket_free(sk);
	return ret ? ret : attached;
}
