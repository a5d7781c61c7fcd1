// SPDX-License-Identifier: MIT
/*
 * Talking to the kernel's netdev generic netlink family over libnl-genl-3:
 * NETDEV_CMD_BIND_RX and NETDEV_CMD_BIND_TX (a binding lives exactly as
 * long as the socket that made it), NETDEV_CMD_QUEUE_GET, NETDEV_CMD_QSTATS_GET and NETDEV_CMD_PAGE_POOL_GET.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "private.h"
#include "steer.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Headers, ifindex, fd, page size, and a {id, type} nest per queue. */
#define BIND_RX_MSG_SIZE(nr_queues) \
	(NLMSG_HDRLEN + GENL_HDRLEN + 3 * 8 + (size_t)(nr_queues) * 20 + 64)

struct uring_dmabuf_binding {
	struct nl_sock *sk;
	unsigned int id;
};

/* One request in flight: its replies, its ack and its error. */
struct request {
	int (*on_reply)(const struct nlmsghdr *hdr, void *arg);
	void *arg;
	int reply_err;
	int done;
	struct uring_dmabuf_nl_error *err;
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;
	int ret;

	if (!req->on_reply)
		return NL_OK;
	ret = req->on_reply(nlmsg_hdr(msg), req->arg);
	if (ret < 0 && !req->reply_err)
		req->reply_err = ret;
	return NL_OK;
}

static int on_done(struct nl_msg *msg, void *arg)
{
	const struct nlmsghdr *hdr = nlmsg_hdr(msg);
	struct request *req = arg;

	/* A dump that failed midway says so in its NLMSG_DONE. */
	if (hdr->nlmsg_type == NLMSG_DONE &&
	    hdr->nlmsg_len >= NLMSG_HDRLEN + sizeof(int)) {
		int code = *(const int *)NLMSG_DATA(hdr);

		if (code < 0 && !req->err->code)
			req->err->code = code;
	}
	req->done = 1;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct request *req = arg;
	const struct nlmsghdr *hdr =
		(const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);

	(void)nla;
	urd_parse_nlerr(hdr, req->err);
	req->done = 1;
	return NL_STOP;
}

/* @protocol: NETLINK_GENERIC (netdev, ethtool) or NETLINK_ROUTE. */
int urd_nl_open(struct nl_sock **out, int protocol)
{
	int one = 1;
	struct nl_sock *sk = nl_socket_alloc();

	if (!sk)
		return -ENOMEM;
	if (protocol == NETLINK_GENERIC ? genl_connect(sk) :
	    nl_connect(sk, protocol)) {
		nl_socket_free(sk);
		return -EPROTONOSUPPORT;
	}
	/*
	 * Ask for the extended ack. Errors echo our (small) request, so that
	 * the offset of an offending attribute names it.
	 */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	*out = sk;
	return 0;
}

static int open_socket(struct nl_sock **out)
{
	return urd_nl_open(out, NETLINK_GENERIC);
}

/* Sends @msg (consumed) and runs its replies through @on_reply. */
int urd_nl_transact(struct nl_sock *sk, struct nl_msg *msg,
		    int (*on_reply)(const struct nlmsghdr *, void *), void *arg,
		    struct uring_dmabuf_nl_error *err)
{
	struct uring_dmabuf_nl_error local;
	struct request req = {
		.on_reply = on_reply,
		.arg = arg,
		.err = err ? err : &local,
	};
	struct nl_cb *cb, *sk_cb;
	int ret;

	memset(req.err, 0, sizeof(*req.err));
	req.err->attr = -1;
	/* nl_socket_get_cb() takes a reference of its own. */
	sk_cb = nl_socket_get_cb(sk);
	cb = nl_cb_clone(sk_cb);
	nl_cb_put(sk_cb);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, &req);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &req);

	ret = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		ret = -EIO;
		goto out;
	}
	while (!req.done) {
		ret = nl_recvmsgs(sk, cb);
		if (ret < 0 && !req.done) {
			ret = -EIO;
			goto out;
		}
	}
	ret = req.err->code ? req.err->code : req.reply_err;
out:
	if (ret && !req.err->code)
		req.err->code = ret;
	nl_cb_put(cb);
	return ret;
}

struct family_query {
	int id;
	unsigned int cmd;
	int has_cmd;
};

static int on_family(const struct nlmsghdr *hdr, void *arg)
{
	struct family_query *q = arg;

	return urd_parse_family(hdr, &q->id, q->cmd, &q->has_cmd);
}

/* The id of generic netlink @family, -EOPNOTSUPP if it lacks @cmd. */
int urd_nl_resolve(struct nl_sock *sk, const char *family, unsigned int cmd)
{
	struct family_query q = { .id = -1, .cmd = cmd };
	struct nl_msg *msg = nlmsg_alloc();
	int ret;

	if (!msg)
		return -ENOMEM;
	ret = urd_put_getfamily(msg, family);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	ret = urd_nl_transact(sk, msg, on_family, &q, NULL);
	if (ret == -ENOENT)
		return -EOPNOTSUPP;	/* no such family (netdev: < 6.5) */
	if (ret)
		return ret;
	return q.has_cmd ? q.id : -EOPNOTSUPP;
}

static int resolve_netdev(struct nl_sock *sk, unsigned int cmd)
{
	return urd_nl_resolve(sk, NETDEV_FAMILY_NAME, cmd);
}

int uring_dmabuf_netdev_has_cmd(unsigned int cmd)
{
	struct nl_sock *sk;
	int ret = open_socket(&sk);

	if (ret)
		return ret;
	ret = resolve_netdev(sk, cmd);
	nl_socket_free(sk);
	if (ret == -EOPNOTSUPP)
		return 0;
	return ret < 0 ? ret : 1;
}

static int on_bind_reply(const struct nlmsghdr *hdr, void *arg)
{
	return urd_parse_bind_reply(hdr, arg);
}

/* Reserved fields are for later versions: refuse what we cannot honour. */
static int reserved_zero(const void *p, size_t len)
{
	const unsigned char *c = p;

	while (len--)
		if (*c++)
			return 0;
	return 1;
}

/*
 * A binding of the netdev family's command @cmd, built by @put from
 * @params: the socket that made it becomes *out's. The error model of
 * every public call: @err cleared first, its code set on failure.
 */
static int bind_dmabuf(unsigned int cmd, const char *no_cmd, size_t msg_size,
		       int (*put)(struct nl_msg *, int, const void *),
		       const void *params, struct uring_dmabuf_binding **out,
		       struct uring_dmabuf_nl_error *err)
{
	struct uring_dmabuf_binding *b;
	struct nl_msg *msg;
	int family, ret;

	b = calloc(1, sizeof(*b));
	if (!b) {
		ret = -ENOMEM;
		goto out_err;
	}
	ret = open_socket(&b->sk);
	if (ret)
		goto err_free;
	family = resolve_netdev(b->sk, cmd);
	if (family < 0) {
		ret = family;
		if (err && ret == -EOPNOTSUPP) {
			err->code = ret;
			snprintf(err->msg, sizeof(err->msg), "%s", no_cmd);
		}
		goto err_close;
	}
	msg = nlmsg_alloc_size(msg_size);
	if (!msg) {
		ret = -ENOMEM;
		goto err_close;
	}
	ret = put(msg, family, params);
	if (ret) {
		nlmsg_free(msg);
		goto err_close;
	}
	ret = urd_nl_transact(b->sk, msg, on_bind_reply, &b->id, err);
	if (ret)
		goto err_close;
	*out = b;
	return 0;

err_close:
	nl_socket_free(b->sk);
err_free:
	free(b);
out_err:
	if (err && !err->code)
		err->code = ret;
	return ret;
}

static void clear_err(struct uring_dmabuf_nl_error *err)
{
	if (err) {
		memset(err, 0, sizeof(*err));
		err->attr = -1;
	}
}

static int put_bind_rx(struct nl_msg *msg, int family, const void *p)
{
	return urd_put_bind_rx(msg, family, p);
}

int uring_dmabuf_bind_rx(const struct uring_dmabuf_bind_params *params,
			 struct uring_dmabuf_binding **out,
			 struct uring_dmabuf_nl_error *err)
{
	clear_err(err);
	if (!params || !out || !params->queues || !params->nr_queues ||
	    !params->ifindex || params->dmabuf_fd < 0 || params->flags ||
	    !reserved_zero(params->__reserved, sizeof(params->__reserved))) {
		if (err)
			err->code = -EINVAL;
		return -EINVAL;
	}
	return bind_dmabuf(NETDEV_CMD_BIND_RX,
			   "kernel has no NETDEV_CMD_BIND_RX (devmem TCP needs Linux 6.12+)",
			   BIND_RX_MSG_SIZE(params->nr_queues), put_bind_rx,
			   params, out, err);
}

static int put_bind_tx(struct nl_msg *msg, int family, const void *p)
{
	return urd_put_bind_tx(msg, family, p);
}

int uring_dmabuf_bind_tx(const struct uring_dmabuf_bind_tx_params *params,
			 struct uring_dmabuf_binding **out,
			 struct uring_dmabuf_nl_error *err)
{
	clear_err(err);
	if (!params || !out || !params->ifindex || params->dmabuf_fd < 0 ||
	    params->flags ||
	    !reserved_zero(params->__reserved, sizeof(params->__reserved))) {
		if (err)
			err->code = -EINVAL;
		return -EINVAL;
	}
	return bind_dmabuf(NETDEV_CMD_BIND_TX,
			   "kernel has no NETDEV_CMD_BIND_TX (devmem TX needs Linux 6.16+)",
			   BIND_RX_MSG_SIZE(0), put_bind_tx, params, out, err);
}

unsigned int uring_dmabuf_binding_id(const struct uring_dmabuf_binding *b)
{
	return b ? b->id : 0;
}

int uring_dmabuf_binding_socket(const struct uring_dmabuf_binding *b)
{
	return b ? nl_socket_get_fd(b->sk) : -EINVAL;
}

/* Closing the socket is the unbind: the kernel has no unbind command. */
void uring_dmabuf_unbind(struct uring_dmabuf_binding *b)
{
	if (!b)
		return;
	nl_socket_free(b->sk);
	free(b);
}

struct queue_list {
	struct uring_dmabuf_queue *out;
	unsigned int max;
	unsigned int nr;
};

static int on_queue(const struct nlmsghdr *hdr, void *arg)
{
	struct queue_list *l = arg;
	struct uring_dmabuf_queue q;
	int ret = urd_parse_queue(hdr, &q);

	if (ret)
		return ret;
	if (l->nr < l->max)
		l->out[l->nr] = q;
	l->nr++;
	return 0;
}

/*
 * One NETDEV_CMD_* dump, the error model of every public call: @err cleared
 * first, its code set on failure; @put writes the request (for @ifindex,
 * which must not be 0 if @need_ifindex), @on_reply takes each answer.
 * 0 or -errno.
 */
static int netdev_dump(unsigned int cmd, unsigned int ifindex, bool need_ifindex,
		       int (*put)(struct nl_msg *, int, unsigned int),
		       int (*on_reply)(const struct nlmsghdr *, void *), void *arg,
		       struct uring_dmabuf_nl_error *err)
{
	struct nl_sock *sk;
	struct nl_msg *msg;
	int family, ret;

	if (err) {
		memset(err, 0, sizeof(*err));
		err->attr = -1;
	}
	if (need_ifindex && !ifindex)
		ret = -EINVAL;
	else
		ret = open_socket(&sk);
	if (ret) {
		if (err)
			err->code = ret;
		return ret;
	}
	family = resolve_netdev(sk, cmd);
	if (family < 0) {
		ret = family;
		goto out;
	}
	msg = nlmsg_alloc();
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	ret = put(msg, family, ifindex);
	if (ret) {
		nlmsg_free(msg);
		goto out;
	}
	ret = urd_nl_transact(sk, msg, on_reply, arg, err);
out:
	nl_socket_free(sk);
	if (ret && err && !err->code)
		err->code = ret;
	return ret;
}

/* Returns the number of queues (may exceed @max; only @max are stored). */
int uring_dmabuf_queues(unsigned int ifindex, struct uring_dmabuf_queue *out,
			unsigned int max, struct uring_dmabuf_nl_error *err)
{
	struct queue_list l = { .out = out, .max = out ? max : 0 };
	int ret = netdev_dump(NETDEV_CMD_QUEUE_GET, ifindex, true, urd_put_queue_dump,
			      on_queue, &l, err);

	return ret ? ret : (int)l.nr;
}

struct pool_list {
	struct uring_dmabuf_page_pool *out;
	unsigned int max;
	unsigned int nr;
	unsigned int ifindex;	/* 0: all, with those of removed devices */
};

static int on_page_pool(const struct nlmsghdr *hdr, void *arg)
{
	struct pool_list *l = arg;
	struct uring_dmabuf_page_pool p;
	int ret = urd_parse_page_pool(hdr, &p);

	if (ret)
		return ret;
	if (l->ifindex && p.ifindex != l->ifindex)
		return 0;
	if (l->nr < l->max)
		l->out[l->nr] = p;
	l->nr++;
	return 0;
}

/* The request of every page pool (the reply is filtered by ifindex). */
static int put_page_pool_dump(struct nl_msg *msg, int family, unsigned int ifindex)
{
	(void)ifindex;
	return urd_put_page_pool_dump(msg, family);
}

/*
 * Page pools of @ifindex, or of every device (and of removed ones) for 0.
 * Returns their number (may exceed @max; only @max are stored).
 */
int uring_dmabuf_page_pools(unsigned int ifindex,
			    struct uring_dmabuf_page_pool *out,
			    unsigned int max, struct uring_dmabuf_nl_error *err)
{
	struct pool_list l = { .out = out, .max = out ? max : 0, .ifindex = ifindex };
	int ret = netdev_dump(NETDEV_CMD_PAGE_POOL_GET, ifindex, false, put_page_pool_dump,
			      on_page_pool, &l, err);

	return ret ? ret : (int)l.nr;
}

struct qstats_list {
	struct uring_dmabuf_qstats *out;
	unsigned int max;
	unsigned int nr;
};

static int on_qstats(const struct nlmsghdr *hdr, void *arg)
{
	struct qstats_list *l = arg;
	struct uring_dmabuf_qstats q;
	int ret = urd_parse_qstats(hdr, &q);

	if (ret)
		return ret;
	if (l->nr < l->max)
		l->out[l->nr] = q;
	l->nr++;
	return 0;
}

/*
 * Per-queue counters of @ifindex. Returns the number of queues (may exceed
 * @max; only @max are stored); -EOPNOTSUPP if the driver keeps none.
 */
int uring_dmabuf_qstats(unsigned int ifindex, struct uring_dmabuf_qstats *out,
			unsigned int max, struct uring_dmabuf_nl_error *err)
{
	struct qstats_list l = { .out = out, .max = out ? max : 0 };
	int ret = netdev_dump(NETDEV_CMD_QSTATS_GET, ifindex, true, urd_put_qstats_dump,
			      on_qstats, &l, err);

	return ret ? ret : (int)l.nr;
}
