// SPDX-License-Identifier: MIT
/*
 * Generic netlink messages of the netdev family and the control family:
 * building requests and parsing replies, acks and extended acks. No I/O
 * here, so the unit tests can check every byte.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "private.h"

static int put_header(struct nl_msg *msg, int family, int flags, uint8_t cmd)
{
	return genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags,
			   cmd, 1) ? 0 : -ENOMEM;
}

/* Every queue is sent as {id, type}: the kernel requires both. */
int urd_put_bind_rx(struct nl_msg *msg, int family,
		    const struct uring_dmabuf_bind_params *p)
{
	struct nlattr *queues;
	unsigned int i;

	if (put_header(msg, family, 0, NETDEV_CMD_BIND_RX) ||
	    nla_put_u32(msg, NETDEV_A_DMABUF_IFINDEX, p->ifindex) ||
	    nla_put_u32(msg, NETDEV_A_DMABUF_FD, (uint32_t)p->dmabuf_fd))
		return -ENOMEM;
	for (i = 0; i < p->nr_queues; i++) {
		queues = nla_nest_start(msg, NLA_F_NESTED | NETDEV_A_DMABUF_QUEUES);
		if (!queues ||
		    nla_put_u32(msg, NETDEV_A_QUEUE_ID, p->queues[i]) ||
		    nla_put_u32(msg, NETDEV_A_QUEUE_TYPE, NETDEV_QUEUE_TYPE_RX))
			return -ENOMEM;
		nla_nest_end(msg, queues);
	}
	if (p->rx_page_size &&
	    nla_put_u32(msg, NETDEV_A_DMABUF_RX_PAGE_SIZE, p->rx_page_size))
		return -ENOMEM;
	return 0;
}

/* NETDEV_CMD_BIND_TX: a whole device, no queues. */
int urd_put_bind_tx(struct nl_msg *msg, int family,
		    const struct uring_dmabuf_bind_tx_params *p)
{
	if (put_header(msg, family, 0, NETDEV_CMD_BIND_TX) ||
	    nla_put_u32(msg, NETDEV_A_DMABUF_IFINDEX, p->ifindex) ||
	    nla_put_u32(msg, NETDEV_A_DMABUF_FD, (uint32_t)p->dmabuf_fd))
		return -ENOMEM;
	return 0;
}

/* The kernel filters page pools by nothing: every pool, of every device. */
int urd_put_page_pool_dump(struct nl_msg *msg, int family)
{
	return put_header(msg, family, NLM_F_DUMP, NETDEV_CMD_PAGE_POOL_GET);
}

/* Per queue ("scope": queue), of one device. */
int urd_put_qstats_dump(struct nl_msg *msg, int family, unsigned int ifindex)
{
	uint32_t scope = NETDEV_QSTATS_SCOPE_QUEUE;

	if (put_header(msg, family, NLM_F_DUMP, NETDEV_CMD_QSTATS_GET) ||
	    nla_put_u32(msg, NETDEV_A_QSTATS_IFINDEX, ifindex) ||
	    nla_put(msg, NETDEV_A_QSTATS_SCOPE, sizeof(scope), &scope))
		return -ENOMEM;
	return 0;
}

int urd_put_queue_dump(struct nl_msg *msg, int family, unsigned int ifindex)
{
	if (put_header(msg, family, NLM_F_DUMP, NETDEV_CMD_QUEUE_GET) ||
	    nla_put_u32(msg, NETDEV_A_QUEUE_IFINDEX, ifindex))
		return -ENOMEM;
	return 0;
}

int urd_put_getfamily(struct nl_msg *msg, const char *name)
{
	if (put_header(msg, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY) ||
	    nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, name))
		return -ENOMEM;
	return 0;
}

/* The attribute at byte @offs of the echoed request (@len bytes), or -1. */
static int attr_at(const struct nlmsghdr *req, size_t len, uint32_t offs)
{
	const struct nlattr *nla;

	if (offs < NLMSG_HDRLEN + GENL_HDRLEN ||
	    (uint64_t)offs + NLA_HDRLEN > len)
		return -1;
	nla = (const struct nlattr *)((const char *)req + offs);
	return nla->nla_type & NLA_TYPE_MASK;
}

/*
 * An NLMSG_ERROR message: the real errno (libnl's NLE_* codes lose it),
 * and the extended ack: message, offending attribute (by offset into the
 * request, which is echoed unless the socket asked for capped acks) or
 * missing attribute.
 */
void urd_parse_nlerr(const struct nlmsghdr *hdr,
		     struct uring_dmabuf_nl_error *err)
{
	static struct nla_policy policy[NLMSGERR_ATTR_MAX + 1] = {
		/* Copied with strnlen() below: a missing NUL is tolerated. */
		[NLMSGERR_ATTR_MSG] = { .type = NLA_UNSPEC },
		[NLMSGERR_ATTR_OFFS] = { .type = NLA_U32 },
		[NLMSGERR_ATTR_MISS_TYPE] = { .type = NLA_U32 },
	};
	const struct nlmsgerr *e = NLMSG_DATA(hdr);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
	size_t payload = sizeof(*e), echo = 0;
	const char *p = (const char *)hdr;
	int len;

	memset(err, 0, sizeof(*err));
	err->attr = -1;
	if (hdr->nlmsg_len < NLMSG_HDRLEN + sizeof(*e)) {
		err->code = -EPROTO;
		return;
	}
	err->code = e->error;
	if (!(hdr->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(hdr->nlmsg_flags & NLM_F_CAPPED)) {
		/* The echoed request must fit in what we received. */
		echo = e->msg.nlmsg_len;
		if (echo < NLMSG_HDRLEN ||
		    echo - NLMSG_HDRLEN > hdr->nlmsg_len - NLMSG_HDRLEN - sizeof(*e))
			return;
		payload += echo - NLMSG_HDRLEN;
	}
	if (NLMSG_HDRLEN + NLMSG_ALIGN(payload) >= hdr->nlmsg_len)
		return;
	len = (int)(hdr->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(payload));
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)(p + NLMSG_HDRLEN + NLMSG_ALIGN(payload)),
		      len, policy))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(err->msg, sizeof(err->msg), "%.*s",
			 (int)strnlen(nla_data(tb[NLMSGERR_ATTR_MSG]),
				      (size_t)nla_len(tb[NLMSGERR_ATTR_MSG])),
			 (const char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		err->attr = (int)nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	else if (tb[NLMSGERR_ATTR_OFFS] && echo)
		err->attr = attr_at(&e->msg, echo,
				    nla_get_u32(tb[NLMSGERR_ATTR_OFFS]));
}

/* A CTRL_CMD_NEWFAMILY reply: the family id and whether it has @cmd. */
int urd_parse_family(const struct nlmsghdr *hdr, int *id, unsigned int cmd,
		     int *has_cmd)
{
	static struct nla_policy policy[CTRL_ATTR_MAX + 1] = {
		[CTRL_ATTR_FAMILY_ID] = { .type = NLA_U16 },
		[CTRL_ATTR_OPS] = { .type = NLA_NESTED },
	};
	static struct nla_policy op_policy[CTRL_ATTR_OP_MAX + 1] = {
		[CTRL_ATTR_OP_ID] = { .type = NLA_U32 },
		[CTRL_ATTR_OP_FLAGS] = { .type = NLA_U32 },
	};
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct nlattr *op;
	int rem;

	if (genlmsg_parse((struct nlmsghdr *)hdr, 0, tb, CTRL_ATTR_MAX, policy) ||
	    !tb[CTRL_ATTR_FAMILY_ID])
		return -EPROTO;
	*id = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	*has_cmd = 0;
	if (!tb[CTRL_ATTR_OPS])
		return 0;
	nla_for_each_nested(op, tb[CTRL_ATTR_OPS], rem) {
		struct nlattr *otb[CTRL_ATTR_OP_MAX + 1];

		if (nla_parse_nested(otb, CTRL_ATTR_OP_MAX, op, op_policy))
			return -EPROTO;
		if (otb[CTRL_ATTR_OP_ID] && nla_get_u32(otb[CTRL_ATTR_OP_ID]) == cmd)
			*has_cmd = 1;
	}
	return 0;
}

int urd_parse_bind_reply(const struct nlmsghdr *hdr, unsigned int *id)
{
	static struct nla_policy policy[NETDEV_A_DMABUF_ID + 1] = {
		[NETDEV_A_DMABUF_ID] = { .type = NLA_U32 },
	};
	struct nlattr *tb[NETDEV_A_DMABUF_ID + 1];

	if (genlmsg_parse((struct nlmsghdr *)hdr, 0, tb, NETDEV_A_DMABUF_ID,
			  policy) || !tb[NETDEV_A_DMABUF_ID])
		return -EPROTO;
	*id = nla_get_u32(tb[NETDEV_A_DMABUF_ID]);
	return 0;
}

int urd_parse_queue(const struct nlmsghdr *hdr, struct uring_dmabuf_queue *q)
{
	static struct nla_policy policy[NETDEV_A_QUEUE_DMABUF + 1] = {
		[NETDEV_A_QUEUE_ID] = { .type = NLA_U32 },
		[NETDEV_A_QUEUE_TYPE] = { .type = NLA_U32 },
		[NETDEV_A_QUEUE_NAPI_ID] = { .type = NLA_U32 },
		[NETDEV_A_QUEUE_DMABUF] = { .type = NLA_U32 },
	};
	struct nlattr *tb[NETDEV_A_QUEUE_DMABUF + 1];

	if (genlmsg_parse((struct nlmsghdr *)hdr, 0, tb, NETDEV_A_QUEUE_DMABUF,
			  policy) || !tb[NETDEV_A_QUEUE_ID] || !tb[NETDEV_A_QUEUE_TYPE])
		return -EPROTO;
	memset(q, 0, sizeof(*q));
	q->id = nla_get_u32(tb[NETDEV_A_QUEUE_ID]);
	q->type = nla_get_u32(tb[NETDEV_A_QUEUE_TYPE]);
	if (tb[NETDEV_A_QUEUE_NAPI_ID])
		q->napi_id = nla_get_u32(tb[NETDEV_A_QUEUE_NAPI_ID]);
	if (tb[NETDEV_A_QUEUE_DMABUF])
		q->dmabuf_id = nla_get_u32(tb[NETDEV_A_QUEUE_DMABUF]);
	return 0;
}

/* A netlink "uint": 4 or 8 bytes, by its length; -1 for any other length. */
static int get_uint(const struct nlattr *a, uint64_t *v)
{
	uint32_t v32;

	if (nla_len(a) == 4) {
		memcpy(&v32, nla_data(a), 4);
		*v = v32;
		return 0;
	}
	if (nla_len(a) == 8) {
		memcpy(v, nla_data(a), 8);
		return 0;
	}
	return -1;
}

/*
 * One page pool. Pools whose device went away are reported without an
 * ifindex (the kernel hides the loopback device it moved them to).
 */
int urd_parse_page_pool(const struct nlmsghdr *hdr,
			struct uring_dmabuf_page_pool *p)
{
	static struct nla_policy policy[NETDEV_A_PAGE_POOL_DMABUF + 1] = {
		[NETDEV_A_PAGE_POOL_ID] = { .type = NLA_UNSPEC },
		[NETDEV_A_PAGE_POOL_IFINDEX] = { .type = NLA_U32 },
		[NETDEV_A_PAGE_POOL_NAPI_ID] = { .type = NLA_UNSPEC },
		[NETDEV_A_PAGE_POOL_DMABUF] = { .type = NLA_U32 },
	};
	struct nlattr *tb[NETDEV_A_PAGE_POOL_DMABUF + 1];
	uint64_t v;

	if (genlmsg_parse((struct nlmsghdr *)hdr, 0, tb, NETDEV_A_PAGE_POOL_DMABUF,
			  policy) || !tb[NETDEV_A_PAGE_POOL_ID] ||
	    get_uint(tb[NETDEV_A_PAGE_POOL_ID], &v) || !v || v > UINT32_MAX)
		return -EPROTO;
	memset(p, 0, sizeof(*p));
	p->id = (unsigned int)v;
	if (tb[NETDEV_A_PAGE_POOL_IFINDEX])
		p->ifindex = nla_get_u32(tb[NETDEV_A_PAGE_POOL_IFINDEX]);
	if (tb[NETDEV_A_PAGE_POOL_NAPI_ID]) {
		if (get_uint(tb[NETDEV_A_PAGE_POOL_NAPI_ID], &v) || v > UINT32_MAX)
			return -EPROTO;
		p->napi_id = (unsigned int)v;
	}
	if (tb[NETDEV_A_PAGE_POOL_DMABUF])
		p->dmabuf_id = nla_get_u32(tb[NETDEV_A_PAGE_POOL_DMABUF]);
	if ((tb[NETDEV_A_PAGE_POOL_INFLIGHT] &&
	     get_uint(tb[NETDEV_A_PAGE_POOL_INFLIGHT], &p->inflight)) ||
	    (tb[NETDEV_A_PAGE_POOL_INFLIGHT_MEM] &&
	     get_uint(tb[NETDEV_A_PAGE_POOL_INFLIGHT_MEM], &p->inflight_mem)) ||
	    (tb[NETDEV_A_PAGE_POOL_DETACH_TIME] &&
	     get_uint(tb[NETDEV_A_PAGE_POOL_DETACH_TIME], &p->detach_time)))
		return -EPROTO;
	return 0;
}

/*
 * One queue's counters. The counters are attributes 8 onwards, in the order
 * of the URING_DMABUF_QSTAT_* bits; those the driver does not keep are
 * absent, and their bit is clear in @q->valid.
 */
int urd_parse_qstats(const struct nlmsghdr *hdr, struct uring_dmabuf_qstats *q)
{
	enum { LAST = NETDEV_A_QSTATS_RX_PACKETS + URING_DMABUF_QSTAT_NR - 1 };
	static struct nla_policy policy[LAST + 1] = {
		[NETDEV_A_QSTATS_IFINDEX] = { .type = NLA_U32 },
		[NETDEV_A_QSTATS_QUEUE_TYPE] = { .type = NLA_U32 },
		[NETDEV_A_QSTATS_QUEUE_ID] = { .type = NLA_U32 },
	};
	struct nlattr *tb[LAST + 1];
	unsigned int i;

	if (genlmsg_parse((struct nlmsghdr *)hdr, 0, tb, LAST, policy) ||
	    !tb[NETDEV_A_QSTATS_QUEUE_TYPE] || !tb[NETDEV_A_QSTATS_QUEUE_ID])
		return -EPROTO;
	memset(q, 0, sizeof(*q));
	q->type = nla_get_u32(tb[NETDEV_A_QSTATS_QUEUE_TYPE]);
	q->id = nla_get_u32(tb[NETDEV_A_QSTATS_QUEUE_ID]);
	for (i = 0; i < URING_DMABUF_QSTAT_NR; i++) {
		const struct nlattr *a = tb[NETDEV_A_QSTATS_RX_PACKETS + i];

		if (!a)
			continue;
		if (get_uint(a, &q->value[i]))
			return -EPROTO;
		q->valid |= 1U << i;
	}
	return 0;
}
