/* SPDX-License-Identifier: MIT */
/* Whether an XDP program is attached to a device (rtnetlink IFLA_XDP). */
#ifndef URING_DMABUF_TOOL_LINK_XDP_H
#define URING_DMABUF_TOOL_LINK_XDP_H

struct xdp_state {
	unsigned int attached;	/* XDP_ATTACHED_*: 0 none, 1 drv, 2 skb, 3 hw, 4 multi */
	unsigned int prog_id;
};

int link_xdp(unsigned int ifindex, struct xdp_state *xs);
const char *xdp_mode_name(unsigned int attached);

#endif
