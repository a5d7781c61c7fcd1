// SPDX-License-Identifier: MIT
/*
 * Header split and its threshold through the ethtool generic netlink family
 * (the ring parameters); the ioctls are in ethtool_ioctl.c.
 */
#include <errno.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "ethtool.h"

/* By value: Debian 12's uapi headers predate some of these. */
#define ETHTOOL_GENL_NAME_STR		"ethtool"
#define ETHTOOL_MSG_RINGS_GET_ID	15
#define ETHTOOL_A_RINGS_HEADER_ID	1
#define ETHTOOL_A_HEADER_DEV_NAME_ID	2
#define ETHTOOL_A_RINGS_TCP_DATA_SPLIT_ID 11
#define ETHTOOL_A_RINGS_HDS_THRESH_ID	17

/* libnl turned the kernel's errno into an NLE_* code: turn it back. */
static int nl_to_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case 0:
		return 0;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_PERM:
		return -EPERM;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	default:
		return -EIO;
	}
}

static int on_rings(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[ETHTOOL_A_RINGS_HDS_THRESH_ID + 1];
	struct ring_state *rs = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, ETHTOOL_A_RINGS_HDS_THRESH_ID, NULL))
		return NL_SKIP;
	if (tb[ETHTOOL_A_RINGS_TCP_DATA_SPLIT_ID] &&
	    nla_len(tb[ETHTOOL_A_RINGS_TCP_DATA_SPLIT_ID]) >= 1) {
		switch (nla_get_u8(tb[ETHTOOL_A_RINGS_TCP_DATA_SPLIT_ID])) {
		case 1:
			rs->split = SPLIT_OFF;
			break;
		case 2:
			rs->split = SPLIT_ON;
			break;
		default:
			rs->split = SPLIT_UNKNOWN;
			break;
		}
	}
	if (tb[ETHTOOL_A_RINGS_HDS_THRESH_ID] &&
	    nla_len(tb[ETHTOOL_A_RINGS_HDS_THRESH_ID]) >= 4) {
		rs->has_hds_thresh = true;
		rs->hds_thresh = nla_get_u32(tb[ETHTOOL_A_RINGS_HDS_THRESH_ID]);
	}
	return NL_OK;
}

int ethtool_rings(const char *dev, struct ring_state *rs)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *msg = NULL;
	struct nlattr *hdr;
	int family, ret = -ENOMEM;

	memset(rs, 0, sizeof(*rs));
	rs->split = SPLIT_UNKNOWN;
	if (!sk)
		return -ENOMEM;
	if (genl_connect(sk)) {
		ret = -EPROTONOSUPPORT;
		goto out;
	}
	family = genl_ctrl_resolve(sk, ETHTOOL_GENL_NAME_STR);
	if (family < 0) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	msg = nlmsg_alloc();
	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0,
				 ETHTOOL_MSG_RINGS_GET_ID, 1))
		goto out;
	hdr = nla_nest_start(msg, NLA_F_NESTED | ETHTOOL_A_RINGS_HEADER_ID);
	if (!hdr || nla_put_string(msg, ETHTOOL_A_HEADER_DEV_NAME_ID, dev))
		goto out;
	nla_nest_end(msg, hdr);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_rings, rs);
	ret = nl_send_auto(sk, msg) < 0 ? -EIO : 0;
	if (!ret)
		ret = nl_to_errno(nl_recvmsgs_default(sk));
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	return ret;
}
