// SPDX-License-Identifier: MIT
/*
 * lib/netlink.c over real libnl, with the socket and the kernel stood in
 * for: genl_connect() is wrapped and installs a receive function that
 * hands out scripted datagrams (nl_cb_overwrite_recv), nl_send_auto() is
 * wrapped to keep what was sent. libnl's own recvmsgs() still parses,
 * checks sequence numbers and dispatches acks and errors.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "unit.h"

#include "nlbuf.h"
#include "private.h"

#define FAMILY 0x1c
#define FAKE_FD 100
#define MAX_DGRAMS 8

static struct {
	/* what the fake kernel answers, one datagram per recv */
	struct nlbuf dgram[MAX_DGRAMS];
	int recv_ret[MAX_DGRAMS];	/* < 0: the recv fails instead */
	int nr_dgrams, next;
	/* what the library sent */
	struct nlbuf sent[4];
	int nr_sent;
	/* failure injection and counters */
	int alloc_fails, connect_fails, send_fails;
	int allocs, frees;
	int ext_ack, cap_ack;
	int socket_cb_gets, socket_cb_puts;
	struct nl_cb *socket_cb;
} k;

static int reset(void **state)
{
	(void)state;
	memset(&k, 0, sizeof(k));
	return 0;
}

/* ---- the fake kernel -------------------------------------------------------- */

static struct nlmsghdr *last_sent(void)
{
	assert_true(k.nr_sent > 0);
	return nb_hdr(&k.sent[k.nr_sent - 1], 0);
}

/* Replies carry the request's sequence number and port; errors echo its header. */
static int fake_recv(struct nl_sock *sk, struct sockaddr_nl *nla,
		     unsigned char **buf, struct ucred **creds)
{
	struct nlbuf *d;
	struct nlmsghdr *h;
	size_t off;

	(void)sk;
	(void)creds;
	if (k.next == k.nr_dgrams)
		fail_msg("the library reads more than the kernel sent");
	if (k.recv_ret[k.next] < 0)
		return k.recv_ret[k.next++];
	d = &k.dgram[k.next++];
	for (off = 0; off < d->len; off += NLMSG_ALIGN(h->nlmsg_len)) {
		h = nb_hdr(d, off);
		h->nlmsg_seq = last_sent()->nlmsg_seq;
		h->nlmsg_pid = last_sent()->nlmsg_pid;
		if (h->nlmsg_type == NLMSG_ERROR)
			memcpy((char *)NLMSG_DATA(h) + sizeof(int), last_sent(),
			       sizeof(struct nlmsghdr));
	}
	memset(nla, 0, sizeof(*nla));
	nla->nl_family = AF_NETLINK;
	*buf = malloc(d->len);
	memcpy(*buf, d->b, d->len);
	return d->len;
}

static struct nlbuf *dgram(void)
{
	assert_true(k.nr_dgrams < MAX_DGRAMS);
	nb_init(&k.dgram[k.nr_dgrams]);
	return &k.dgram[k.nr_dgrams++];
}

static void recv_fails(int nlerr)
{
	dgram();
	k.recv_ret[k.nr_dgrams - 1] = nlerr;
}

/* An ack, or an error with the extended ack (capped: CAP_ACK was asked). */
static void reply_error(int error, const char *msg, int miss_type)
{
	struct nlbuf *d = dgram();
	struct nlmsghdr req = { .nlmsg_len = NLMSG_HDRLEN };
	uint16_t flags = NLM_F_CAPPED;
	size_t m;

	if (msg || miss_type >= 0)
		flags |= NLM_F_ACK_TLVS;
	m = nb_error(d, error, flags, &req);
	if (msg)
		nb_str(d, NLMSGERR_ATTR_MSG, msg);
	if (miss_type >= 0)
		nb_u32(d, NLMSGERR_ATTR_MISS_TYPE, miss_type);
	nb_end(d, m);
}

static void reply_ack(void)
{
	reply_error(0, NULL, -1);
}

static void reply_family(const uint32_t *ops, unsigned int nr)
{
	struct nlbuf *d = dgram();
	size_t m = nb_msg(d, GENL_ID_CTRL, 0), all, op;
	unsigned int i;

	nb_genl(d, CTRL_CMD_NEWFAMILY, 2);
	nb_str(d, CTRL_ATTR_FAMILY_NAME, "netdev");
	nb_u16(d, CTRL_ATTR_FAMILY_ID, FAMILY);
	all = nb_nest(d, CTRL_ATTR_OPS);
	for (i = 0; i < nr; i++) {
		op = nb_nest(d, i + 1);
		nb_u32(d, CTRL_ATTR_OP_ID, ops[i]);
		nb_nest_end(d, op);
	}
	nb_nest_end(d, all);
	nb_end(d, m);
	reply_ack();
}

static const uint32_t ops_612[] = { 1, 5, 9, 10, 11, 12, 13, 14 };
static const uint32_t ops_716[] = { 1, 5, 9, 10, 11, 12, 13, 14, 15 };
static const uint32_t ops_65[] = { 1, 2, 3, 4 };	/* netdev before QUEUE_GET */

static void reply_bind(int with_id, uint32_t id)
{
	struct nlbuf *d = dgram();
	size_t m = nb_msg(d, FAMILY, 0);

	nb_genl(d, NETDEV_CMD_BIND_RX, 1);
	if (with_id)
		nb_u32(d, NETDEV_A_DMABUF_ID, id);
	nb_end(d, m);
	reply_ack();
}

/* ---- wrapped libnl ---------------------------------------------------------- */

struct nl_sock *__real_nl_socket_alloc(void);
void __real_nl_socket_free(struct nl_sock *sk);
struct nl_cb *__real_nl_socket_get_cb(const struct nl_sock *sk);
void __real_nl_cb_put(struct nl_cb *cb);

struct nl_sock *__wrap_nl_socket_alloc(void)
{
	if (k.alloc_fails)
		return NULL;
	k.allocs++;
	return __real_nl_socket_alloc();
}

void __wrap_nl_socket_free(struct nl_sock *sk)
{
	k.frees++;
	__real_nl_socket_free(sk);
}

int __wrap_genl_connect(struct nl_sock *sk)
{
	struct nl_cb *cb;

	if (k.connect_fails)
		return -NLE_FAILURE;
	cb = __real_nl_socket_get_cb(sk);
	nl_cb_overwrite_recv(cb, fake_recv);
	k.socket_cb = cb;
	__real_nl_cb_put(cb);
	return 0;
}

int __wrap_nl_send_auto(struct nl_sock *sk, struct nl_msg *msg)
{
	struct nlmsghdr *h;

	if (k.send_fails)
		return -NLE_FAILURE;
	nl_complete_msg(sk, msg);
	h = nlmsg_hdr(msg);
	assert_true(k.nr_sent < 4);
	nb_init(&k.sent[k.nr_sent]);
	nb_put(&k.sent[k.nr_sent++], h, h->nlmsg_len);
	return h->nlmsg_len;
}

int __wrap_nl_socket_get_fd(const struct nl_sock *sk)
{
	(void)sk;
	return FAKE_FD;
}

int __wrap_setsockopt(int fd, int level, int name, const void *val,
		      socklen_t len)
{
	assert_int_equal(fd, FAKE_FD);
	assert_int_equal(len, sizeof(int));
	if (level == SOL_NETLINK && name == NETLINK_EXT_ACK)
		k.ext_ack = *(const int *)val;
	if (level == SOL_NETLINK && name == NETLINK_CAP_ACK)
		k.cap_ack = *(const int *)val;
	return 0;
}

/* Every reference the library takes on the socket's callbacks goes back. */
struct nl_cb *__wrap_nl_socket_get_cb(const struct nl_sock *sk)
{
	k.socket_cb_gets++;
	return __real_nl_socket_get_cb(sk);
}

void __wrap_nl_cb_put(struct nl_cb *cb)
{
	if (cb == k.socket_cb)
		k.socket_cb_puts++;
	__real_nl_cb_put(cb);
}

/* ---- helpers ---------------------------------------------------------------- */

static const unsigned int two_queues[] = { 3, 4 };
static const struct uring_dmabuf_bind_params params = {
	.ifindex = 2, .dmabuf_fd = 7, .queues = two_queues, .nr_queues = 2,
};

static void assert_getfamily_sent(int i)
{
	struct nlmsghdr *h = nb_hdr(&k.sent[i], 0);
	struct genlmsghdr *g = NLMSG_DATA(h);
	struct nlattr *a = (struct nlattr *)((char *)g + GENL_HDRLEN);

	assert_int_equal(h->nlmsg_type, GENL_ID_CTRL);
	assert_int_equal(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(g->cmd, CTRL_CMD_GETFAMILY);
	assert_int_equal(a->nla_type, CTRL_ATTR_FAMILY_NAME);
	assert_string_equal((char *)a + NLA_HDRLEN, "netdev");
}

static void assert_no_binding(struct uring_dmabuf_binding *b)
{
	assert_null(b);
	assert_int_equal(k.allocs, k.frees);
}

/* ---- bind_tx ---------------------------------------------------------------- */

static const struct uring_dmabuf_bind_tx_params tx_params = {
	.ifindex = 3, .dmabuf_fd = 9,
};

static void bind_tx__invalid_arguments_open_no_socket(void **state)
{
	struct uring_dmabuf_bind_tx_params p;
	struct uring_dmabuf_binding *b = NULL;
	struct uring_dmabuf_nl_error err;

	(void)state;
	assert_int_equal(uring_dmabuf_bind_tx(NULL, &b, &err), -EINVAL);
	assert_int_equal(err.code, -EINVAL);
	assert_int_equal(uring_dmabuf_bind_tx(&tx_params, NULL, &err), -EINVAL);
	p = tx_params;
	p.ifindex = 0;
	assert_int_equal(uring_dmabuf_bind_tx(&p, &b, &err), -EINVAL);
	p = tx_params;
	p.dmabuf_fd = -1;
	assert_int_equal(uring_dmabuf_bind_tx(&p, &b, &err), -EINVAL);
	p = tx_params;
	p.flags = 1;
	assert_int_equal(uring_dmabuf_bind_tx(&p, &b, &err), -EINVAL);
	p = tx_params;
	p.__reserved[6] = 1;
	assert_int_equal(uring_dmabuf_bind_tx(&p, &b, &err), -EINVAL);
	assert_int_equal(err.attr, -1);
	assert_string_equal(err.msg, "");
	assert_int_equal(k.allocs, 0);
	assert_null(b);
}

static void bind_tx__family_lacks_bind_tx_is_too_old(void **state)
{
	struct uring_dmabuf_binding *b = NULL;
	struct uring_dmabuf_nl_error err;

	(void)state;
	reply_family(ops_612, 8);	/* Linux 6.12 - 6.15: BIND_RX only */
	assert_int_equal(uring_dmabuf_bind_tx(&tx_params, &b, &err),
			 -EOPNOTSUPP);
	assert_int_equal(err.code, -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "NETDEV_CMD_BIND_TX"));
	assert_non_null(strstr(err.msg, "6.16"));
	assert_int_equal(k.nr_sent, 1);		/* no bind request */
	assert_no_binding(b);
}

static void bind_tx__success_sends_ifindex_and_fd_only(void **state)
{
	struct uring_dmabuf_binding *b = NULL;
	struct uring_dmabuf_nl_error err;
	struct nlbuf want;
	struct nlmsghdr *h;
	size_t m;

	(void)state;
	reply_family(ops_716, 9);
	reply_bind(1, 77);
	assert_int_equal(uring_dmabuf_bind_tx(&tx_params, &b, &err), 0);
	assert_int_equal(err.code, 0);
	assert_int_equal(uring_dmabuf_binding_id(b), 77);
	assert_int_equal(uring_dmabuf_binding_socket(b), FAKE_FD);

	h = nb_hdr(&k.sent[1], 0);
	assert_int_equal(h->nlmsg_type, FAMILY);
	assert_int_equal(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	nb_init(&want);
	m = nb_msg(&want, FAMILY, 0);
	nb_genl(&want, NETDEV_CMD_BIND_TX, 1);
	nb_u32(&want, NETDEV_A_DMABUF_IFINDEX, 3);
	nb_u32(&want, NETDEV_A_DMABUF_FD, 9);
	nb_end(&want, m);
	assert_int_equal(h->nlmsg_len, want.len);
	assert_memory_equal((char *)h + NLMSG_HDRLEN, want.b + NLMSG_HDRLEN,
			    want.len - NLMSG_HDRLEN);

	/* Same ownership as RX: the socket is the binding. */
	assert_int_equal(k.frees, 0);
	uring_dmabuf_unbind(b);
	assert_int_equal(k.frees, 1);
}

static void bind_tx__extack_message(void **state)
{
	struct uring_dmabuf_binding *b = NULL;
	struct uring_dmabuf_nl_error err;

	(void)state;
	reply_family(ops_716, 9);
	reply_error(-EOPNOTSUPP, "Driver does not support netmem TX", -1);
	assert_int_equal(uring_dmabuf_bind_tx(&tx_params, &b, &err),
			 -EOPNOTSUPP);
	assert_int_equal(err.code, -EOPNOTSUPP);
	assert_string_equal(err.msg, "Driver does not support netmem TX");
	assert_no_binding(b);
}

/* ---- bind_rx ---------------------------------------------------------------- */

static void bind_rx__invalid_arguments_open_no_socket(void **state)
{
	static const unsigned int q[] = { 0 };
	struct uring_dmabuf_bind_params p;
	struct uring_dmabuf_binding *b = NULL;
	struct uring_dmabuf_nl_error err;

	(void)state;
	assert_int_equal(uring_dmabuf_bind_rx(NULL, &b, &err), -EINVAL);
	assert_int_equal(uring_dmabuf_bind_rx(&params, NULL, &err), -EINVAL);
	p = params;
	p.queues = NULL;
	assert_int_equal(uring_dmabuf_bind_rx(&p, &b, &err), -EINVAL);
	p = params;
	p.nr_queues = 0;
	assert_int_equal(uring_dmabuf_bind_rx(&p, &b, &err), -EINVAL);
	p = params;
	p.ifindex = 0;
	assert_int_equal(uring_dmabuf_bind_rx(&p, &b, &err), -EINVAL);
	p = params;
	p.dmabuf_fd = -1;
	p.queues = q;
	assert_int_equal(uring_dmabuf_bind_rx(&p, &b, &err), -EINVAL);
	/* Flags and reserved fields are for later versions: not ignored. */
	p = params;
	p.flags = 1;
	assert_int_equal(uring_dmabuf_bind_rx(&p, &b, &err), -EINVAL);
	p = params;
	p.__reserved[6] = 1;
	assert_int_equal(uring_dmabuf_bind_rx(&p, &b, &err), -EINVAL);
	assert_int_equal(err.attr, -1);
	assert_string_equal(err.msg, "");
	assert_int_equal(k.allocs, 0);
	assert_null(b);
}

static void bind_rx__no_memory_for_socket(void **state)
{
	struct uring_dmabuf_binding *b = NULL;

	(void)state;
	k.alloc_fails = 1;
	assert_int_equal(uring_dmabuf_bind_rx(&params, &b, NULL), -ENOMEM);
	assert_null(b);
}

static void bind_rx__connect_fails(void **state)
{
	struct uring_dmabuf_binding *b = NULL;

	(void)state;
	k.connect_fails = 1;
	assert_int_equal(uring_dmabuf_bind_rx(&params, &b, NULL),
			 -EPROTONOSUPPORT);
	assert_no_binding(b);
}

static void bind_rx__no_netdev_family_is_too_old(void **state)
{
	struct uring_dmabuf_binding *b = NULL;
	struct uring_dmabuf_nl_error err;

	(void)state;
	reply_error(-ENOENT, NULL, -1);		/* Linux < 6.5 */
	assert_int_equal(uring_dmabuf_bind_rx(&params, &b, &err), -EOPNOTSUPP);
	assert_int_equal(err.code, -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "6.12"));
	assert_int_equal(k.nr_sent, 1);
	assert_getfamily_sent(0);
	assert_no_binding(b);
}

static void bind_rx__family_lacks_bind_rx_is_too_old(void **state)
{
	struct uring_dmabuf_binding *b = NULL;
	struct uring_dmabuf_nl_error err;

	(void)state;
	reply_family(ops_65, 4);	/* Linux 6.5 - 6.11 */
	assert_int_equal(uring_dmabuf_bind_rx(&params, &b, &err), -EOPNOTSUPP);
	assert_int_equal(err.code, -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "NETDEV_CMD_BIND_RX"));
	assert_non_null(strstr(err.msg, "6.12"));
	assert_int_equal(k.nr_sent, 1);		/* no bind request */
	assert_no_binding(b);
	/* Without an error struct, only the code. */
	k.next = 0;
	assert_int_equal(uring_dmabuf_bind_rx(&params, &b, NULL), -EOPNOTSUPP);
}

static void bind_rx__extack_message(void **state)
{
	struct uring_dmabuf_binding *b = NULL;
	struct uring_dmabuf_nl_error err;

	(void)state;
	reply_family(ops_612, 8);
	reply_error(-EINVAL, "tcp-data-split is disabled", -1);
	assert_int_equal(uring_dmabuf_bind_rx(&params, &b, &err), -EINVAL);
	assert_int_equal(err.code, -EINVAL);
	assert_string_equal(err.msg, "tcp-data-split is disabled");
	assert_int_equal(err.attr, -1);
	assert_int_equal(k.nr_sent, 2);
	assert_no_binding(b);
}

static void bind_rx__extack_missing_attribute(void **state)
{
	struct uring_dmabuf_binding *b = NULL;
	struct uring_dmabuf_nl_error err;

	(void)state;
	reply_family(ops_612, 8);
	reply_error(-EINVAL, "Missing attribute", NETDEV_A_DMABUF_FD);
	assert_int_equal(uring_dmabuf_bind_rx(&params, &b, &err), -EINVAL);
	assert_int_equal(err.attr, NETDEV_A_DMABUF_FD);
	assert_no_binding(b);
}

static void bind_rx__errno_without_extack(void **state)
{
	struct uring_dmabuf_binding *b = NULL;
	struct uring_dmabuf_nl_error err;

	(void)state;
	reply_family(ops_612, 8);
	reply_error(-EBUSY, NULL, -1);
	assert_int_equal(uring_dmabuf_bind_rx(&params, &b, &err), -EBUSY);
	assert_int_equal(err.code, -EBUSY);
	assert_string_equal(err.msg, "");
	assert_no_binding(b);
}

/* Uncapped: the echoed request lets NLMSGERR_ATTR_OFFS name the attribute. */
static void bind_rx__asks_for_extended_uncapped_acks(void **state)
{
	struct uring_dmabuf_binding *b = NULL;

	(void)state;
	reply_family(ops_612, 8);
	reply_error(-EBUSY, NULL, -1);
	uring_dmabuf_bind_rx(&params, &b, NULL);
	assert_int_equal(k.ext_ack, 1);
	assert_int_equal(k.cap_ack, 0);
}

static void bind_rx__success_returns_binding(void **state)
{
	static const unsigned int q[] = { 3, 4 };
	struct uring_dmabuf_binding *b = NULL;
	struct uring_dmabuf_nl_error err;
	struct nlbuf want;
	struct nlmsghdr *h;

	(void)state;
	reply_family(ops_612, 8);
	reply_bind(1, 42);
	assert_int_equal(uring_dmabuf_bind_rx(&params, &b, &err), 0);
	assert_non_null(b);
	assert_int_equal(err.code, 0);
	assert_string_equal(err.msg, "");
	assert_int_equal(uring_dmabuf_binding_id(b), 42);
	assert_int_equal(uring_dmabuf_binding_socket(b), FAKE_FD);

	/* The bind request, to the family id the kernel gave, with an ack. */
	assert_int_equal(k.nr_sent, 2);
	assert_getfamily_sent(0);
	h = nb_hdr(&k.sent[1], 0);
	assert_int_equal(h->nlmsg_type, FAMILY);
	assert_int_equal(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	nb_init(&want);
	nb_bind_rx(&want, FAMILY, 2, 7, q, 2, 0);
	assert_int_equal(h->nlmsg_len, want.len);
	assert_memory_equal((char *)h + NLMSG_HDRLEN, want.b + NLMSG_HDRLEN,
			    want.len - NLMSG_HDRLEN);

	/* The binding holds its socket until unbind. */
	assert_int_equal(k.frees, 0);
	uring_dmabuf_unbind(b);
	assert_int_equal(k.allocs, 1);
	assert_int_equal(k.frees, 1);
}

static void bind_rx__error_struct_is_optional(void **state)
{
	struct uring_dmabuf_binding *b = NULL;

	(void)state;
	reply_family(ops_612, 8);
	reply_bind(1, 5);
	assert_int_equal(uring_dmabuf_bind_rx(&params, &b, NULL), 0);
	assert_int_equal(uring_dmabuf_binding_id(b), 5);
	uring_dmabuf_unbind(b);
}

static void bind_rx__reply_without_id_is_eproto(void **state)
{
	struct uring_dmabuf_binding *b = NULL;
	struct uring_dmabuf_nl_error err;

	(void)state;
	reply_family(ops_612, 8);
	reply_bind(0, 0);
	assert_int_equal(uring_dmabuf_bind_rx(&params, &b, &err), -EPROTO);
	assert_int_equal(err.code, -EPROTO);
	/* The kernel made a binding; closing the socket undoes it. */
	assert_no_binding(b);
}

static void bind_rx__send_fails_is_eio(void **state)
{
	struct uring_dmabuf_binding *b = NULL;

	(void)state;
	k.send_fails = 1;
	assert_int_equal(uring_dmabuf_bind_rx(&params, &b, NULL), -EIO);
	assert_no_binding(b);
}

static void bind_rx__receive_fails_is_eio(void **state)
{
	struct uring_dmabuf_binding *b = NULL;
	struct uring_dmabuf_nl_error err;

	(void)state;
	reply_family(ops_612, 8);
	recv_fails(-NLE_NOMEM);
	assert_int_equal(uring_dmabuf_bind_rx(&params, &b, &err), -EIO);
	assert_int_equal(err.code, -EIO);
	assert_no_binding(b);
}

/*
 * NICs have hundreds of RX queues; each costs 20 bytes of request, so the
 * default one-page netlink message holds about 200 of them.
 */
static void bind_rx__256_queues_fit_in_the_request(void **state)
{
	static unsigned int q[256];
	struct uring_dmabuf_bind_params p = params;
	struct uring_dmabuf_binding *b = NULL;
	struct nlbuf want;
	unsigned int i;

	(void)state;
	for (i = 0; i < 256; i++)
		q[i] = i;
	p.queues = q;
	p.nr_queues = 256;
	reply_family(ops_612, 8);
	reply_bind(1, 9);
	assert_int_equal(uring_dmabuf_bind_rx(&p, &b, NULL), 0);
	nb_init(&want);
	nb_bind_rx(&want, FAMILY, 2, 7, q, 256, 0);
	assert_int_equal(nb_hdr(&k.sent[1], 0)->nlmsg_len, want.len);
	uring_dmabuf_unbind(b);
}

/* The reference nl_socket_get_cb() takes is given back (else a leak). */
static void bind_rx__socket_callbacks_reference_released(void **state)
{
	struct uring_dmabuf_binding *b = NULL;

	(void)state;
	reply_family(ops_612, 8);
	reply_bind(1, 42);
	assert_int_equal(uring_dmabuf_bind_rx(&params, &b, NULL), 0);
	uring_dmabuf_unbind(b);
	assert_int_equal(k.socket_cb_gets, k.socket_cb_puts);
}

/* The code of the request that failed reaches @err, whichever it was. */
static void bind_rx__family_lookup_failure_sets_code(void **state)
{
	struct uring_dmabuf_binding *b = NULL;
	struct uring_dmabuf_nl_error err;

	(void)state;
	recv_fails(-NLE_NOMEM);
	assert_int_equal(uring_dmabuf_bind_rx(&params, &b, &err), -EIO);
	assert_int_equal(err.code, -EIO);
}

static void binding__null_handle(void **state)
{
	(void)state;
	assert_int_equal(uring_dmabuf_binding_id(NULL), 0);
	assert_int_equal(uring_dmabuf_binding_socket(NULL), -EINVAL);
	uring_dmabuf_unbind(NULL);
	assert_int_equal(k.frees, 0);
}

/* ---- netdev_has_cmd ------------------------------------------------------- */

static void netdev_has_cmd__present_absent_no_family(void **state)
{
	(void)state;
	reply_family(ops_612, 8);
	assert_int_equal(uring_dmabuf_netdev_has_cmd(URING_DMABUF_NL_BIND_RX), 1);
	reply_family(ops_612, 8);
	assert_int_equal(uring_dmabuf_netdev_has_cmd(URING_DMABUF_NL_BIND_TX), 0);
	reply_error(-ENOENT, NULL, -1);
	assert_int_equal(uring_dmabuf_netdev_has_cmd(URING_DMABUF_NL_BIND_RX), 0);
	assert_int_equal(k.allocs, 3);
	assert_int_equal(k.frees, 3);
}

static void netdev_has_cmd__errors_are_negative(void **state)
{
	(void)state;
	k.connect_fails = 1;
	assert_int_equal(uring_dmabuf_netdev_has_cmd(13), -EPROTONOSUPPORT);
	k.connect_fails = 0;
	reply_error(-EPERM, NULL, -1);
	assert_int_equal(uring_dmabuf_netdev_has_cmd(13), -EPERM);
	assert_int_equal(k.allocs, k.frees);
}

/* ---- queues ------------------------------------------------------------------ */

static void queue_msg(struct nlbuf *d, uint32_t id, uint32_t type,
		      uint32_t dmabuf)
{
	size_t m = nb_msg(d, FAMILY, NLM_F_MULTI);

	nb_genl(d, NETDEV_CMD_QUEUE_GET, 1);
	nb_u32(d, NETDEV_A_QUEUE_ID, id);
	nb_u32(d, NETDEV_A_QUEUE_IFINDEX, 2);
	nb_u32(d, NETDEV_A_QUEUE_TYPE, type);
	nb_u32(d, NETDEV_A_QUEUE_NAPI_ID, 8000 + id);
	if (dmabuf)
		nb_u32(d, NETDEV_A_QUEUE_DMABUF, dmabuf);
	nb_end(d, m);
}

static void reply_done(int code)
{
	struct nlbuf *d = dgram();
	size_t m = nb_msg(d, NLMSG_DONE, NLM_F_MULTI);

	nb_put(d, &code, sizeof(code));
	nb_end(d, m);
}

/* Two RX queues and one TX queue, over two datagrams, then DONE. */
static void reply_three_queues(void)
{
	struct nlbuf *d;

	reply_family(ops_612, 8);
	d = dgram();
	queue_msg(d, 0, 0, 0);
	queue_msg(d, 1, 0, 6);
	d = dgram();
	queue_msg(d, 0, 1, 0);
	reply_done(0);
}

static void queues__dump_returns_count(void **state)
{
	struct uring_dmabuf_queue q[4];
	struct nlmsghdr *h;

	(void)state;
	memset(q, 0xff, sizeof(q));
	reply_three_queues();
	assert_int_equal(uring_dmabuf_queues(2, q, 4, NULL), 3);
	assert_int_equal(q[0].id, 0);
	assert_int_equal(q[1].dmabuf_id, 6);
	assert_int_equal(q[1].napi_id, 8001);
	assert_int_equal(q[2].type, 1);
	assert_int_equal(q[3].id, 0xffffffff);	/* untouched */

	h = nb_hdr(&k.sent[1], 0);
	assert_int_equal(h->nlmsg_type, FAMILY);
	assert_true(h->nlmsg_flags & NLM_F_DUMP);
	assert_int_equal(((struct genlmsghdr *)NLMSG_DATA(h))->cmd,
			 NETDEV_CMD_QUEUE_GET);
	assert_int_equal(k.allocs, k.frees);
}

static void queues__more_than_max_counts_all(void **state)
{
	struct uring_dmabuf_queue q[2];

	(void)state;
	reply_three_queues();
	assert_int_equal(uring_dmabuf_queues(2, q, 1, NULL), 3);
	k.next = 0;
	k.nr_sent = 0;
	assert_int_equal(uring_dmabuf_queues(2, NULL, 0, NULL), 3);
}

static void queues__dump_error_in_done(void **state)
{
	struct uring_dmabuf_queue q[2];
	struct uring_dmabuf_nl_error err;

	(void)state;
	reply_family(ops_612, 8);
	reply_done(-ENODEV);
	assert_int_equal(uring_dmabuf_queues(99, q, 2, &err), -ENODEV);
	assert_int_equal(err.code, -ENODEV);
	assert_int_equal(k.allocs, k.frees);
}

static void queues__malformed_queue_is_eproto(void **state)
{
	struct nlbuf *d;
	size_t m;

	(void)state;
	reply_family(ops_612, 8);
	d = dgram();
	m = nb_msg(d, FAMILY, NLM_F_MULTI);
	nb_genl(d, NETDEV_CMD_QUEUE_GET, 1);
	nb_u32(d, NETDEV_A_QUEUE_ID, 1);	/* no type */
	nb_end(d, m);
	reply_done(0);
	assert_int_equal(uring_dmabuf_queues(2, NULL, 0, NULL), -EPROTO);
}

static void queues__kernel_without_queue_get(void **state)
{
	(void)state;
	reply_family(ops_65, 4);
	assert_int_equal(uring_dmabuf_queues(2, NULL, 0, NULL), -EOPNOTSUPP);
	assert_int_equal(k.nr_sent, 1);
}

static void queues__zero_ifindex(void **state)
{
	(void)state;
	assert_int_equal(uring_dmabuf_queues(0, NULL, 0, NULL), -EINVAL);
	assert_int_equal(k.allocs, 0);
}

#define T(f) cmocka_unit_test_setup(f, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(bind_tx__invalid_arguments_open_no_socket),
		T(bind_tx__family_lacks_bind_tx_is_too_old),
		T(bind_tx__success_sends_ifindex_and_fd_only),
		T(bind_tx__extack_message),
		T(bind_rx__invalid_arguments_open_no_socket),
		T(bind_rx__no_memory_for_socket),
		T(bind_rx__connect_fails),
		T(bind_rx__no_netdev_family_is_too_old),
		T(bind_rx__family_lacks_bind_rx_is_too_old),
		T(bind_rx__extack_message),
		T(bind_rx__extack_missing_attribute),
		T(bind_rx__errno_without_extack),
		T(bind_rx__asks_for_extended_uncapped_acks),
		T(bind_rx__success_returns_binding),
		T(bind_rx__error_struct_is_optional),
		T(bind_rx__reply_without_id_is_eproto),
		T(bind_rx__send_fails_is_eio),
		T(bind_rx__receive_fails_is_eio),
		T(bind_rx__256_queues_fit_in_the_request),
		T(bind_rx__socket_callbacks_reference_released),
		T(bind_rx__family_lookup_failure_sets_code),
		T(binding__null_handle),
		T(netdev_has_cmd__present_absent_no_family),
		T(netdev_has_cmd__errors_are_negative),
		T(queues__dump_returns_count),
		T(queues__more_than_max_counts_all),
		T(queues__dump_error_in_done),
		T(queues__malformed_queue_is_eproto),
		T(queues__kernel_without_queue_get),
		T(queues__zero_ifindex),
	};

	return unit_run("netlink", tests);
}
