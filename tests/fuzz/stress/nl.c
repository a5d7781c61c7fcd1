// SPDX-License-Identifier: GPL-2.0
/*
 * Just enough generic netlink for the stress run: resolve the netdev
 * family and NETDEV_CMD_BIND_RX a dma-buf to an RX queue. The socket that
 * bound owns the binding; closing it (or dying) unbinds.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nl.h"

/* From include/uapi/linux/netdev.h (6.12), not in bookworm's headers. */
#define NETDEV_CMD_BIND_RX 13
#define NETDEV_A_DMABUF_IFINDEX 1
#define NETDEV_A_DMABUF_QUEUES 2
#define NETDEV_A_DMABUF_FD 3
#define NETDEV_A_QUEUE_ID 1
#define NETDEV_A_QUEUE_TYPE 3
#define NETDEV_QUEUE_TYPE_RX 0

struct msg {
	union {
		struct nlmsghdr nh;
		char buf[512];
	};
};

static void *tail(struct nlmsghdr *nh)
{
	return (char *)nh + NLMSG_ALIGN(nh->nlmsg_len);
}

static struct nlattr *put(struct nlmsghdr *nh, int type, const void *data, int len)
{
	struct nlattr *a = tail(nh);

	a->nla_type = (unsigned short)type;
	a->nla_len = (unsigned short)(NLA_HDRLEN + len);
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, (size_t)len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + NLA_ALIGN(a->nla_len);
	return a;
}

static void put_u32(struct nlmsghdr *nh, int type, unsigned int v)
{
	put(nh, type, &v, sizeof(v));
}

int nl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	return fd < 0 ? -errno : fd;
}

/* Sends with an ack; returns the ack's error, family id via *family. */
static int talk(int fd, struct nlmsghdr *req, int *family)
{
	static __thread char rbuf[8192];
	struct nlmsghdr *nh;
	int len;

	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (send(fd, req, req->nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		len = (int)recv(fd, rbuf, sizeof(rbuf), 0);
		if (len < 0)
			return -errno;
		for (nh = (struct nlmsghdr *)rbuf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
			if (family) {
				int alen = (int)nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
				struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(nh) + GENL_HDRLEN);

				for (; alen >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= alen;
				     alen -= NLA_ALIGN(a->nla_len),
				     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
					if (a->nla_type == CTRL_ATTR_FAMILY_ID)
						*family = *(unsigned short *)((char *)a + NLA_HDRLEN);
			}
		}
	}
}

int nl_netdev_family(int fd)
{
	struct msg m;
	struct genlmsghdr *g;
	int family = -1, err;

	memset(&m, 0, sizeof(m));
	m.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m.nh.nlmsg_type = GENL_ID_CTRL;
	g = NLMSG_DATA(&m.nh);
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	put(&m.nh, CTRL_ATTR_FAMILY_NAME, "netdev", sizeof("netdev"));
	err = talk(fd, &m.nh, &family);
	return err ? err : family;
}

int nl_bind_rx(int fd, int family, int ifindex, int queue, int dmabuf)
{
	struct msg m;
	struct genlmsghdr *g;
	struct nlattr *nest;

	memset(&m, 0, sizeof(m));
	m.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m.nh.nlmsg_type = (unsigned short)family;
	g = NLMSG_DATA(&m.nh);
	g->cmd = NETDEV_CMD_BIND_RX;
	g->version = 1;
	put_u32(&m.nh, NETDEV_A_DMABUF_IFINDEX, (unsigned int)ifindex);
	put_u32(&m.nh, NETDEV_A_DMABUF_FD, (unsigned int)dmabuf);
	nest = put(&m.nh, NETDEV_A_DMABUF_QUEUES | NLA_F_NESTED, NULL, 0);
	put_u32(&m.nh, NETDEV_A_QUEUE_ID, (unsigned int)queue);
	put_u32(&m.nh, NETDEV_A_QUEUE_TYPE, NETDEV_QUEUE_TYPE_RX);
	nest->nla_len = (unsigned short)((char *)tail(&m.nh) - (char *)nest);
	return talk(fd, &m.nh, NULL);
}
