// SPDX-License-Identifier: MIT
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <string.h>

#include "nlbuf.h"
#include "private.h"

#define ALIGN4(x) (((x) + 3) & ~(size_t)3)

void nb_init(struct nlbuf *nb)
{
	memset(nb, 0, sizeof(*nb));
}

void nb_put(struct nlbuf *nb, const void *data, size_t len)
{
	if (data)
		memcpy(nb->b + nb->len, data, len);
	nb->len = ALIGN4(nb->len + len);
}

size_t nb_msg(struct nlbuf *nb, uint16_t type, uint16_t flags)
{
	struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = flags };
	size_t off = nb->len;

	nb_put(nb, &h, sizeof(h));
	return off;
}

void nb_genl(struct nlbuf *nb, uint8_t cmd, uint8_t version)
{
	struct genlmsghdr g = { .cmd = cmd, .version = version };

	nb_put(nb, &g, sizeof(g));
}

void nb_attr(struct nlbuf *nb, uint16_t type, const void *data, size_t len)
{
	struct nlattr a = { .nla_len = NLA_HDRLEN + len, .nla_type = type };

	nb_put(nb, &a, sizeof(a));
	nb_put(nb, data, len);
}

void nb_u16(struct nlbuf *nb, uint16_t type, uint16_t v)
{
	nb_attr(nb, type, &v, sizeof(v));
}

void nb_u32(struct nlbuf *nb, uint16_t type, uint32_t v)
{
	nb_attr(nb, type, &v, sizeof(v));
}

void nb_str(struct nlbuf *nb, uint16_t type, const char *s)
{
	nb_attr(nb, type, s, strlen(s) + 1);
}

size_t nb_nest(struct nlbuf *nb, uint16_t type)
{
	size_t off = nb->len;

	nb_attr(nb, type, NULL, 0);
	return off;
}

void nb_nest_end(struct nlbuf *nb, size_t nest)
{
	struct nlattr *a = (struct nlattr *)(nb->b + nest);

	a->nla_len = nb->len - nest;
}

struct nlmsghdr *nb_hdr(struct nlbuf *nb, size_t msg)
{
	return (struct nlmsghdr *)(nb->b + msg);
}

void nb_end(struct nlbuf *nb, size_t msg)
{
	nb_hdr(nb, msg)->nlmsg_len = nb->len - msg;
}

size_t nb_error(struct nlbuf *nb, int error, uint16_t flags,
		const struct nlmsghdr *req)
{
	size_t off = nb_msg(nb, NLMSG_ERROR, flags);

	nb_put(nb, &error, sizeof(error));
	nb_put(nb, req, flags & NLM_F_CAPPED ? sizeof(*req) : req->nlmsg_len);
	return off;
}

size_t nb_bind_rx(struct nlbuf *nb, uint16_t family, uint32_t ifindex,
		  uint32_t fd, const unsigned int *queues, unsigned int nr,
		  uint32_t rx_page_size)
{
	size_t m = nb_msg(nb, family, 0), nest;
	unsigned int i;

	nb_genl(nb, NETDEV_CMD_BIND_RX, 1);
	nb_u32(nb, NETDEV_A_DMABUF_IFINDEX, ifindex);
	nb_u32(nb, NETDEV_A_DMABUF_FD, fd);
	for (i = 0; i < nr; i++) {
		nest = nb_nest(nb, NLA_F_NESTED | NETDEV_A_DMABUF_QUEUES);
		nb_u32(nb, NETDEV_A_QUEUE_ID, queues[i]);
		nb_u32(nb, NETDEV_A_QUEUE_TYPE, NETDEV_QUEUE_TYPE_RX);
		nb_nest_end(nb, nest);
	}
	if (rx_page_size)
		nb_u32(nb, NETDEV_A_DMABUF_RX_PAGE_SIZE, rx_page_size);
	nb_end(nb, m);
	return m;
}
