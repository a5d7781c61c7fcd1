// SPDX-License-Identifier: MIT
/*
 * lib/nlmsg.c: the requests byte for byte against messages written here by
 * hand (nlbuf.c), and the parsers on synthesized kernel replies, extended
 * acks and malformed input.
 */
#include <errno.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "unit.h"

#include "guard.h"
#include "nlbuf.h"
#include "private.h"

#define FAMILY 0x1c

static struct nlbuf nb;

static int reset(void **state)
{
	(void)state;
	nb_init(&nb);
	return 0;
}

static void assert_msg_bytes(struct nl_msg *msg, struct nlbuf *want)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);

	assert_int_equal(h->nlmsg_len, want->len);
	assert_memory_equal(h, want->b, want->len);
}

/* ---- requests --------------------------------------------------------------- */

static void put_bind_rx__exact_bytes(void **state)
{
	static const unsigned int q[] = { 3, 0, 17 };
	struct uring_dmabuf_bind_params p = {
		.ifindex = 2, .dmabuf_fd = 7, .queues = q, .nr_queues = 3,
	};
	struct nl_msg *msg = nlmsg_alloc();

	(void)state;
	assert_int_equal(urd_put_bind_rx(msg, FAMILY, &p), 0);
	nb_bind_rx(&nb, FAMILY, 2, 7, q, 3, 0);
	assert_msg_bytes(msg, &nb);
	/* The numbers the kernel's netdev family uses. */
	assert_int_equal(nb.b[NLMSG_HDRLEN], 13);	/* genl cmd */
	assert_int_equal(nb.b[NLMSG_HDRLEN + 1], 1);	/* genl version */
	nlmsg_free(msg);
}

static void put_bind_rx__rx_page_size_last(void **state)
{
	static const unsigned int q[] = { 1 };
	struct uring_dmabuf_bind_params p = {
		.ifindex = 9, .dmabuf_fd = 4, .queues = q, .nr_queues = 1,
		.rx_page_size = 65536,
	};
	struct nl_msg *msg = nlmsg_alloc();

	(void)state;
	assert_int_equal(urd_put_bind_rx(msg, FAMILY, &p), 0);
	nb_bind_rx(&nb, FAMILY, 9, 4, q, 1, 65536);
	assert_msg_bytes(msg, &nb);
	assert_int_equal(NETDEV_A_DMABUF_RX_PAGE_SIZE, 5);
	nlmsg_free(msg);
}

static void put_bind_rx__no_room_is_enomem(void **state)
{
	static unsigned int q[300];
	struct uring_dmabuf_bind_params p = {
		.ifindex = 9, .dmabuf_fd = 4, .queues = q, .nr_queues = 300,
	};
	struct nl_msg *msg = nlmsg_alloc_size(256);

	(void)state;
	assert_int_equal(urd_put_bind_rx(msg, FAMILY, &p), -ENOMEM);
	nlmsg_free(msg);
}

static void put_queue_dump__dump_flag_and_ifindex(void **state)
{
	struct nl_msg *msg = nlmsg_alloc();
	size_t m;

	(void)state;
	assert_int_equal(urd_put_queue_dump(msg, FAMILY, 5), 0);
	m = nb_msg(&nb, FAMILY, NLM_F_DUMP);
	nb_genl(&nb, NETDEV_CMD_QUEUE_GET, 1);
	nb_u32(&nb, NETDEV_A_QUEUE_IFINDEX, 5);
	nb_end(&nb, m);
	assert_msg_bytes(msg, &nb);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP, NLM_F_DUMP);
	nlmsg_free(msg);
}

/* Numbers of the kernel's netdev.yaml, written out: not private.h's. */
#define K_CMD_PAGE_POOL_GET 5
#define K_PP_ID 1
#define K_PP_IFINDEX 2
#define K_PP_NAPI_ID 3
#define K_PP_INFLIGHT 4
#define K_PP_INFLIGHT_MEM 5
#define K_PP_DETACH_TIME 6
#define K_PP_DMABUF 7
#define K_PP_IO_URING 8

static void put_page_pool_dump__dump_without_attributes(void **state)
{
	struct nl_msg *msg = nlmsg_alloc();
	size_t m;

	(void)state;
	assert_int_equal(urd_put_page_pool_dump(msg, FAMILY), 0);
	m = nb_msg(&nb, FAMILY, NLM_F_DUMP);
	nb_genl(&nb, K_CMD_PAGE_POOL_GET, 1);
	nb_end(&nb, m);
	assert_msg_bytes(msg, &nb);
	nlmsg_free(msg);
}

#define K_CMD_QSTATS_GET 12
#define K_QS_IFINDEX 1
#define K_QS_QUEUE_TYPE 2
#define K_QS_QUEUE_ID 3
#define K_QS_SCOPE 4
#define K_QS_RX_PACKETS 8
#define K_QS_RX_BYTES 9
#define K_QS_TX_PACKETS 10
#define K_QS_TX_BYTES 11
#define K_QS_RX_ALLOC_FAIL 12
#define K_QS_RX_HW_DROPS 13
#define K_QS_RX_CSUM_COMPLETE 15

static void put_qstats_dump__queue_scope_of_one_device(void **state)
{
	struct nl_msg *msg = nlmsg_alloc();
	size_t m;

	(void)state;
	assert_int_equal(urd_put_qstats_dump(msg, FAMILY, 7), 0);
	m = nb_msg(&nb, FAMILY, NLM_F_DUMP);
	nb_genl(&nb, K_CMD_QSTATS_GET, 1);
	nb_u32(&nb, K_QS_IFINDEX, 7);
	nb_u32(&nb, K_QS_SCOPE, 1);	/* NETDEV_QSTATS_SCOPE_QUEUE */
	nb_end(&nb, m);
	assert_msg_bytes(msg, &nb);
	nlmsg_free(msg);
}

static void put_getfamily__ctrl_request_by_name(void **state)
{
	struct nl_msg *msg = nlmsg_alloc();
	size_t m;

	(void)state;
	assert_int_equal(urd_put_getfamily(msg, "netdev"), 0);
	m = nb_msg(&nb, GENL_ID_CTRL, 0);
	nb_genl(&nb, CTRL_CMD_GETFAMILY, 1);
	nb_str(&nb, CTRL_ATTR_FAMILY_NAME, "netdev");
	nb_end(&nb, m);
	assert_msg_bytes(msg, &nb);
	nlmsg_free(msg);
}

/* ---- NLMSG_ERROR and extended acks ---------------------------------------- */

/* The bind request as the kernel saw it (and echoes unless capped). */
static struct nlbuf req;

static const struct nlmsghdr *request(void)
{
	static const unsigned int q[] = { 3 };

	nb_init(&req);
	nb_bind_rx(&req, FAMILY, 2, 7, q, 1, 0);
	return nb_hdr(&req, 0);
}

/* Offsets of the request's attributes, from the start of its header. */
#define OFFS_IFINDEX (NLMSG_HDRLEN + GENL_HDRLEN)
#define OFFS_FD (OFFS_IFINDEX + 8)
#define OFFS_QUEUES (OFFS_FD + 8)

static void parse(struct uring_dmabuf_nl_error *e, size_t m)
{
	memset(e, 0x55, sizeof(*e));
	urd_parse_nlerr(nb_hdr(&nb, m), e);
}

static void parse_nlerr__plain_errno(void **state)
{
	struct uring_dmabuf_nl_error e;
	size_t m;

	(void)state;
	m = nb_error(&nb, -EBUSY, 0, request());
	nb_end(&nb, m);
	parse(&e, m);
	assert_int_equal(e.code, -EBUSY);
	assert_string_equal(e.msg, "");
	assert_int_equal(e.attr, -1);
}

static void parse_nlerr__ack_is_zero(void **state)
{
	struct uring_dmabuf_nl_error e;
	size_t m;

	(void)state;
	m = nb_error(&nb, 0, NLM_F_CAPPED, request());
	nb_end(&nb, m);
	parse(&e, m);
	assert_int_equal(e.code, 0);
	assert_string_equal(e.msg, "");
	assert_int_equal(e.attr, -1);
}

static void parse_nlerr__message_capped(void **state)
{
	struct uring_dmabuf_nl_error e;
	size_t m;

	(void)state;
	m = nb_error(&nb, -EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS, request());
	nb_str(&nb, NLMSGERR_ATTR_MSG, "tcp-data-split is disabled");
	nb_end(&nb, m);
	parse(&e, m);
	assert_int_equal(e.code, -EINVAL);
	assert_string_equal(e.msg, "tcp-data-split is disabled");
	assert_int_equal(e.attr, -1);
}

static void parse_nlerr__message_after_echoed_request(void **state)
{
	struct uring_dmabuf_nl_error e;
	size_t m;

	(void)state;
	m = nb_error(&nb, -EOPNOTSUPP, NLM_F_ACK_TLVS, request());
	nb_str(&nb, NLMSGERR_ATTR_MSG, "no memory provider support");
	nb_end(&nb, m);
	parse(&e, m);
	assert_int_equal(e.code, -EOPNOTSUPP);
	assert_string_equal(e.msg, "no memory provider support");
}

static void parse_nlerr__offs_names_attribute_of_echoed_request(void **state)
{
	struct uring_dmabuf_nl_error e;
	size_t m;

	(void)state;
	m = nb_error(&nb, -EBADF, NLM_F_ACK_TLVS, request());
	nb_u32(&nb, NLMSGERR_ATTR_OFFS, OFFS_FD);
	nb_end(&nb, m);
	parse(&e, m);
	assert_int_equal(e.code, -EBADF);
	assert_int_equal(e.attr, NETDEV_A_DMABUF_FD);

	/* A nest: the type without NLA_F_NESTED. */
	nb_init(&nb);
	m = nb_error(&nb, -ERANGE, NLM_F_ACK_TLVS, request());
	nb_str(&nb, NLMSGERR_ATTR_MSG, "bad queue");
	nb_u32(&nb, NLMSGERR_ATTR_OFFS, OFFS_QUEUES);
	nb_end(&nb, m);
	parse(&e, m);
	assert_int_equal(e.attr, NETDEV_A_DMABUF_QUEUES);
	assert_string_equal(e.msg, "bad queue");
}

static void parse_nlerr__offs_outside_request_is_no_attr(void **state)
{
	static const uint32_t bad[] = { 0, NLMSG_HDRLEN, OFFS_QUEUES + 200 };
	struct uring_dmabuf_nl_error e;
	unsigned int i;
	size_t m;

	(void)state;
	for (i = 0; i < 3; i++) {
		nb_init(&nb);
		m = nb_error(&nb, -EINVAL, NLM_F_ACK_TLVS, request());
		nb_u32(&nb, NLMSGERR_ATTR_OFFS, bad[i]);
		nb_end(&nb, m);
		parse(&e, m);
		assert_int_equal(e.code, -EINVAL);
		assert_int_equal(e.attr, -1);
	}
}

static void parse_nlerr__offs_capped_is_no_attr(void **state)
{
	struct uring_dmabuf_nl_error e;
	size_t m;

	(void)state;
	/* The request is not echoed: there is nothing to look the offset up in. */
	m = nb_error(&nb, -EBADF, NLM_F_CAPPED | NLM_F_ACK_TLVS, request());
	nb_u32(&nb, NLMSGERR_ATTR_OFFS, OFFS_FD);
	nb_end(&nb, m);
	parse(&e, m);
	assert_int_equal(e.code, -EBADF);
	assert_int_equal(e.attr, -1);
}

static void parse_nlerr__miss_type(void **state)
{
	struct uring_dmabuf_nl_error e;
	size_t m;

	(void)state;
	m = nb_error(&nb, -EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS, request());
	nb_str(&nb, NLMSGERR_ATTR_MSG, "Missing attribute");
	nb_u32(&nb, NLMSGERR_ATTR_MISS_TYPE, NETDEV_A_DMABUF_FD);
	nb_end(&nb, m);
	parse(&e, m);
	assert_int_equal(e.code, -EINVAL);
	assert_int_equal(e.attr, NETDEV_A_DMABUF_FD);
	assert_string_equal(e.msg, "Missing attribute");
}

static void parse_nlerr__message_without_nul_or_too_long(void **state)
{
	struct uring_dmabuf_nl_error e;
	char longmsg[400];
	size_t m;

	(void)state;
	m = nb_error(&nb, -EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS, request());
	nb_attr(&nb, NLMSGERR_ATTR_MSG, "abcdefg", 5);
	nb_end(&nb, m);
	parse(&e, m);
	assert_string_equal(e.msg, "abcde");

	nb_init(&nb);
	memset(longmsg, 'x', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = 0;
	m = nb_error(&nb, -EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS, request());
	nb_str(&nb, NLMSGERR_ATTR_MSG, longmsg);
	nb_end(&nb, m);
	parse(&e, m);
	assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
}

static void parse_nlerr__truncated_is_eproto(void **state)
{
	struct uring_dmabuf_nl_error e;
	size_t m;

	(void)state;
	m = nb_error(&nb, -EBUSY, NLM_F_CAPPED, request());
	nb_end(&nb, m);
	nb_hdr(&nb, m)->nlmsg_len = NLMSG_HDRLEN + 8;
	parse(&e, m);
	assert_int_equal(e.code, -EPROTO);
	assert_string_equal(e.msg, "");
	assert_int_equal(e.attr, -1);
}

static void parse_nlerr__tlv_flag_without_tlvs(void **state)
{
	struct uring_dmabuf_nl_error e;
	size_t m;

	(void)state;
	m = nb_error(&nb, -ENODEV, NLM_F_ACK_TLVS, request());
	nb_end(&nb, m);
	parse(&e, m);
	assert_int_equal(e.code, -ENODEV);
	assert_string_equal(e.msg, "");
}

static void parse_nlerr__echo_longer_than_message(void **state)
{
	struct uring_dmabuf_nl_error e;
	size_t m;

	(void)state;
	m = nb_error(&nb, -ENODEV, NLM_F_ACK_TLVS, request());
	nb_str(&nb, NLMSGERR_ATTR_MSG, "lost");
	nb_end(&nb, m);
	/* The echoed header claims more than the message carries. */
	((struct nlmsghdr *)(nb.b + m + NLMSG_HDRLEN + 4))->nlmsg_len = 4000;
	urd_parse_nlerr(guarded(nb.b + m, nb.len - m), &e);
	assert_int_equal(e.code, -ENODEV);
}

/* A bogus echoed length must not send the parser 4 GiB away. */
static void parse_nlerr__echo_length_near_4g(void **state)
{
	struct uring_dmabuf_nl_error e;
	size_t m;

	(void)state;
	m = nb_error(&nb, -ENODEV, NLM_F_ACK_TLVS, request());
	nb_str(&nb, NLMSGERR_ATTR_MSG, "lost");
	nb_end(&nb, m);
	((struct nlmsghdr *)(nb.b + m + NLMSG_HDRLEN + 4))->nlmsg_len = 0xfffffff0;
	urd_parse_nlerr(guarded(nb.b + m, nb.len - m), &e);
	assert_int_equal(e.code, -ENODEV);
	assert_int_equal(e.attr, -1);
}

/* OFFS near 4 GiB: OFFS + 4 must not wrap past the bounds check. */
static void parse_nlerr__offs_near_4g(void **state)
{
	struct uring_dmabuf_nl_error e;
	size_t m;

	(void)state;
	m = nb_error(&nb, -EINVAL, NLM_F_ACK_TLVS, request());
	nb_u32(&nb, NLMSGERR_ATTR_OFFS, 0xfffffffe);
	nb_end(&nb, m);
	urd_parse_nlerr(guarded(nb.b + m, nb.len - m), &e);
	assert_int_equal(e.code, -EINVAL);
	assert_int_equal(e.attr, -1);
}

/* An attribute shorter than its type must not be read past the message. */
static void parse_nlerr__short_miss_type(void **state)
{
	struct uring_dmabuf_nl_error e;
	size_t m;

	(void)state;
	m = nb_error(&nb, -EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS, request());
	nb_attr(&nb, NLMSGERR_ATTR_MISS_TYPE, NULL, 0);
	nb_end(&nb, m);
	urd_parse_nlerr(guarded(nb.b + m, nb.len - m), &e);
	assert_int_equal(e.code, -EINVAL);
	assert_int_equal(e.attr, -1);
}

/* ---- CTRL_CMD_NEWFAMILY ---------------------------------------------------- */

static size_t family_reply(struct nlbuf *w, int with_id, const uint32_t *ops,
			   unsigned int nr_ops)
{
	size_t m = nb_msg(w, GENL_ID_CTRL, 0), all, op;
	unsigned int i;

	nb_genl(w, CTRL_CMD_NEWFAMILY, 2);
	nb_str(w, CTRL_ATTR_FAMILY_NAME, "netdev");
	if (with_id)
		nb_u16(w, CTRL_ATTR_FAMILY_ID, FAMILY);
	nb_u32(w, CTRL_ATTR_VERSION, 1);
	if (ops) {
		all = nb_nest(w, CTRL_ATTR_OPS);
		for (i = 0; i < nr_ops; i++) {
			op = nb_nest(w, i + 1);
			nb_u32(w, CTRL_ATTR_OP_ID, ops[i]);
			nb_u32(w, CTRL_ATTR_OP_FLAGS, 0x1e);
			nb_nest_end(w, op);
		}
		nb_nest_end(w, all);
	}
	nb_u32(w, 99, 1);	/* from a kernel newer than these tests */
	nb_end(w, m);
	return m;
}

static const uint32_t ops_612[] = { 1, 5, 9, 10, 11, 12, 13, 14 };
static const uint32_t ops_61[] = { 1 };

static void parse_family__has_command(void **state)
{
	int id = -1, has = -1;
	size_t m = family_reply(&nb, 1, ops_612, 8);

	(void)state;
	assert_int_equal(urd_parse_family(nb_hdr(&nb, m), &id, 13, &has), 0);
	assert_int_equal(id, FAMILY);
	assert_int_equal(has, 1);
	assert_int_equal(urd_parse_family(nb_hdr(&nb, m), &id, 15, &has), 0);
	assert_int_equal(has, 0);
}

static void parse_family__lacks_command(void **state)
{
	int id = -1, has = -1;
	size_t m = family_reply(&nb, 1, ops_61, 1);

	(void)state;
	assert_int_equal(urd_parse_family(nb_hdr(&nb, m), &id, 13, &has), 0);
	assert_int_equal(id, FAMILY);
	assert_int_equal(has, 0);
}

static void parse_family__no_ops_attribute(void **state)
{
	int id = -1, has = -1;
	size_t m = family_reply(&nb, 1, NULL, 0);

	(void)state;
	assert_int_equal(urd_parse_family(nb_hdr(&nb, m), &id, 13, &has), 0);
	assert_int_equal(id, FAMILY);
	assert_int_equal(has, 0);
}

static void parse_family__no_id_is_eproto(void **state)
{
	int id = -1, has = -1;
	size_t m = family_reply(&nb, 0, ops_612, 8);

	(void)state;
	assert_int_equal(urd_parse_family(nb_hdr(&nb, m), &id, 13, &has), -EPROTO);
}

static void parse_family__no_genl_header_is_eproto(void **state)
{
	int id = -1, has = -1;
	size_t m = nb_msg(&nb, GENL_ID_CTRL, 0);

	(void)state;
	nb_end(&nb, m);
	assert_int_equal(urd_parse_family(guarded(nb.b, nb.len), &id, 13, &has),
			 -EPROTO);
}

/* ---- bind reply and queues ------------------------------------------------- */

static void parse_bind_reply__id(void **state)
{
	unsigned int id = 0;
	size_t m = nb_msg(&nb, FAMILY, 0);

	(void)state;
	nb_genl(&nb, NETDEV_CMD_BIND_RX, 1);
	nb_u32(&nb, 77, 5);	/* newer kernels may add attributes */
	nb_u32(&nb, NETDEV_A_DMABUF_ID, 42);
	nb_end(&nb, m);
	assert_int_equal(urd_parse_bind_reply(nb_hdr(&nb, m), &id), 0);
	assert_int_equal(id, 42);
}

static void parse_bind_reply__missing_id_is_eproto(void **state)
{
	unsigned int id = 0;
	size_t m = nb_msg(&nb, FAMILY, 0);

	(void)state;
	nb_genl(&nb, NETDEV_CMD_BIND_RX, 1);
	nb_u32(&nb, NETDEV_A_DMABUF_IFINDEX, 2);
	nb_end(&nb, m);
	assert_int_equal(urd_parse_bind_reply(nb_hdr(&nb, m), &id), -EPROTO);
}

static void parse_bind_reply__short_id_is_eproto(void **state)
{
	unsigned int id = 0;
	size_t m = nb_msg(&nb, FAMILY, 0);

	(void)state;
	nb_genl(&nb, NETDEV_CMD_BIND_RX, 1);
	nb_attr(&nb, NETDEV_A_DMABUF_ID, NULL, 0);
	nb_end(&nb, m);
	assert_int_equal(urd_parse_bind_reply(guarded(nb.b, nb.len), &id),
			 -EPROTO);
}

static size_t queue_msg(struct nlbuf *w, int id, int type, int napi, int dmabuf)
{
	size_t m = nb_msg(w, FAMILY, NLM_F_MULTI);

	nb_genl(w, NETDEV_CMD_QUEUE_GET, 1);
	if (id >= 0)
		nb_u32(w, NETDEV_A_QUEUE_ID, id);
	nb_u32(w, NETDEV_A_QUEUE_IFINDEX, 2);
	if (type >= 0)
		nb_u32(w, NETDEV_A_QUEUE_TYPE, type);
	if (napi >= 0)
		nb_u32(w, NETDEV_A_QUEUE_NAPI_ID, napi);
	if (dmabuf >= 0)
		nb_u32(w, NETDEV_A_QUEUE_DMABUF, dmabuf);
	nb_nest_end(w, nb_nest(w, 6));	/* NETDEV_A_QUEUE_IO_URING (6.15+) */
	nb_u32(w, 40, 1);
	nb_end(w, m);
	return m;
}

static void nb_u64(struct nlbuf *w, uint16_t type, uint64_t v)
{
	nb_attr(w, type, &v, sizeof(v));
}

/* A detached pool of a live device, its "uint"s as the kernel packs them. */
static void parse_page_pool__all_attributes(void **state)
{
	struct uring_dmabuf_page_pool p;
	size_t m = nb_msg(&nb, FAMILY, NLM_F_MULTI);

	(void)state;
	nb_genl(&nb, K_CMD_PAGE_POOL_GET, 1);
	nb_u32(&nb, K_PP_ID, 12);
	nb_u32(&nb, K_PP_IFINDEX, 3);
	nb_u32(&nb, K_PP_NAPI_ID, 8193);
	nb_u32(&nb, K_PP_INFLIGHT, 5);
	nb_u64(&nb, K_PP_INFLIGHT_MEM, 5ULL << 32);
	nb_u32(&nb, K_PP_DETACH_TIME, 4711);
	nb_u32(&nb, K_PP_DMABUF, 9);
	nb_nest_end(&nb, nb_nest(&nb, K_PP_IO_URING));
	nb_u32(&nb, 40, 1);	/* an attribute of a later kernel */
	nb_end(&nb, m);
	memset(&p, 0x77, sizeof(p));
	assert_int_equal(urd_parse_page_pool(nb_hdr(&nb, m), &p), 0);
	assert_int_equal(p.id, 12);
	assert_int_equal(p.ifindex, 3);
	assert_int_equal(p.napi_id, 8193);
	assert_int_equal(p.inflight, 5);
	assert_true(p.inflight_mem == 5ULL << 32);
	assert_int_equal(p.detach_time, 4711);
	assert_int_equal(p.dmabuf_id, 9);
	assert_int_equal(p.__reserved[0], 0);
	assert_int_equal(p.__reserved[1], 0);
}

/* A pool of a removed device: no ifindex, nor anything optional. */
static void parse_page_pool__orphan_has_ifindex_zero(void **state)
{
	struct uring_dmabuf_page_pool p;
	size_t m = nb_msg(&nb, FAMILY, NLM_F_MULTI);

	(void)state;
	nb_genl(&nb, K_CMD_PAGE_POOL_GET, 1);
	nb_u64(&nb, K_PP_ID, 7);
	nb_end(&nb, m);
	memset(&p, 0x77, sizeof(p));
	assert_int_equal(urd_parse_page_pool(nb_hdr(&nb, m), &p), 0);
	assert_int_equal(p.id, 7);
	assert_int_equal(p.ifindex, 0);
	assert_int_equal(p.napi_id, 0);
	assert_int_equal(p.dmabuf_id, 0);
	assert_int_equal(p.inflight, 0);
	assert_int_equal(p.detach_time, 0);
}

static void parse_page_pool__bad_sizes_are_eproto(void **state)
{
	struct uring_dmabuf_page_pool p;
	uint16_t two = 2;
	size_t m;

	(void)state;
	m = nb_msg(&nb, FAMILY, NLM_F_MULTI);	/* no id */
	nb_genl(&nb, K_CMD_PAGE_POOL_GET, 1);
	nb_u32(&nb, K_PP_IFINDEX, 3);
	nb_end(&nb, m);
	assert_int_equal(urd_parse_page_pool(nb_hdr(&nb, m), &p), -EPROTO);
	nb_init(&nb);
	m = nb_msg(&nb, FAMILY, NLM_F_MULTI);	/* a 2-byte uint */
	nb_genl(&nb, K_CMD_PAGE_POOL_GET, 1);
	nb_u32(&nb, K_PP_ID, 1);
	nb_attr(&nb, K_PP_INFLIGHT, &two, sizeof(two));
	nb_end(&nb, m);
	assert_int_equal(urd_parse_page_pool(nb_hdr(&nb, m), &p), -EPROTO);
	nb_init(&nb);
	m = nb_msg(&nb, FAMILY, NLM_F_MULTI);	/* an id past 32 bits */
	nb_genl(&nb, K_CMD_PAGE_POOL_GET, 1);
	nb_u64(&nb, K_PP_ID, 1ULL << 32);
	nb_end(&nb, m);
	assert_int_equal(urd_parse_page_pool(nb_hdr(&nb, m), &p), -EPROTO);
}

/* Some counters, 4- and 8-byte, others absent (not kept by the driver). */
static void parse_qstats__reported_counters_only(void **state)
{
	struct uring_dmabuf_qstats q;
	size_t m = nb_msg(&nb, FAMILY, NLM_F_MULTI);

	(void)state;
	nb_genl(&nb, K_CMD_QSTATS_GET, 1);
	nb_u32(&nb, K_QS_IFINDEX, 7);
	nb_u32(&nb, K_QS_QUEUE_TYPE, 0);
	nb_u32(&nb, K_QS_QUEUE_ID, 3);
	nb_u32(&nb, K_QS_RX_PACKETS, 10);
	nb_u64(&nb, K_QS_RX_BYTES, 7ULL << 33);
	nb_u32(&nb, K_QS_RX_HW_DROPS, 2);
	nb_u32(&nb, K_QS_RX_CSUM_COMPLETE, 9);	/* not one of ours */
	nb_end(&nb, m);
	memset(&q, 0x77, sizeof(q));
	assert_int_equal(urd_parse_qstats(nb_hdr(&nb, m), &q), 0);
	assert_int_equal(q.type, 0);
	assert_int_equal(q.id, 3);
	assert_int_equal(q.valid, (1U << URING_DMABUF_QSTAT_RX_PACKETS) |
				  (1U << URING_DMABUF_QSTAT_RX_BYTES) |
				  (1U << URING_DMABUF_QSTAT_RX_HW_DROPS));
	assert_int_equal(q.value[URING_DMABUF_QSTAT_RX_PACKETS], 10);
	assert_true(q.value[URING_DMABUF_QSTAT_RX_BYTES] == 7ULL << 33);
	assert_int_equal(q.value[URING_DMABUF_QSTAT_TX_PACKETS], 0);
	assert_int_equal(q.value[URING_DMABUF_QSTAT_TX_BYTES], 0);
	assert_int_equal(q.value[URING_DMABUF_QSTAT_RX_ALLOC_FAIL], 0);
	assert_int_equal(q.value[URING_DMABUF_QSTAT_RX_HW_DROPS], 2);
	assert_int_equal(q.__reserved[9], 0);
}

static void parse_qstats__tx_counters_and_bad_input(void **state)
{
	struct uring_dmabuf_qstats q;
	uint16_t two = 2;
	size_t m = nb_msg(&nb, FAMILY, NLM_F_MULTI);

	(void)state;
	nb_genl(&nb, K_CMD_QSTATS_GET, 1);
	nb_u32(&nb, K_QS_QUEUE_TYPE, 1);
	nb_u32(&nb, K_QS_QUEUE_ID, 0);
	nb_u32(&nb, K_QS_TX_PACKETS, 4);
	nb_u32(&nb, K_QS_TX_BYTES, 400);
	nb_u32(&nb, K_QS_RX_ALLOC_FAIL, 1);
	nb_end(&nb, m);
	assert_int_equal(urd_parse_qstats(nb_hdr(&nb, m), &q), 0);
	assert_int_equal(q.type, 1);
	assert_int_equal(q.valid, (1U << URING_DMABUF_QSTAT_TX_PACKETS) |
				  (1U << URING_DMABUF_QSTAT_TX_BYTES) |
				  (1U << URING_DMABUF_QSTAT_RX_ALLOC_FAIL));
	assert_int_equal(q.value[URING_DMABUF_QSTAT_TX_BYTES], 400);
	nb_init(&nb);
	m = nb_msg(&nb, FAMILY, NLM_F_MULTI);	/* no queue id */
	nb_genl(&nb, K_CMD_QSTATS_GET, 1);
	nb_u32(&nb, K_QS_QUEUE_TYPE, 0);
	nb_end(&nb, m);
	assert_int_equal(urd_parse_qstats(nb_hdr(&nb, m), &q), -EPROTO);
	nb_init(&nb);
	m = nb_msg(&nb, FAMILY, NLM_F_MULTI);	/* a 2-byte counter */
	nb_genl(&nb, K_CMD_QSTATS_GET, 1);
	nb_u32(&nb, K_QS_QUEUE_TYPE, 0);
	nb_u32(&nb, K_QS_QUEUE_ID, 0);
	nb_attr(&nb, K_QS_RX_BYTES, &two, sizeof(two));
	nb_end(&nb, m);
	assert_int_equal(urd_parse_qstats(nb_hdr(&nb, m), &q), -EPROTO);
}

static void parse_queue__all_attributes(void **state)
{
	struct uring_dmabuf_queue q;
	size_t m = queue_msg(&nb, 3, 0, 8193, 4);

	(void)state;
	memset(&q, 0x77, sizeof(q));
	assert_int_equal(urd_parse_queue(nb_hdr(&nb, m), &q), 0);
	assert_int_equal(q.id, 3);
	assert_int_equal(q.type, 0);
	assert_int_equal(q.napi_id, 8193);
	assert_int_equal(q.dmabuf_id, 4);
}

static void parse_queue__optional_attributes_zero(void **state)
{
	struct uring_dmabuf_queue q;
	size_t m = queue_msg(&nb, 1, 1, -1, -1);

	(void)state;
	memset(&q, 0x77, sizeof(q));
	assert_int_equal(urd_parse_queue(nb_hdr(&nb, m), &q), 0);
	assert_int_equal(q.id, 1);
	assert_int_equal(q.type, 1);
	assert_int_equal(q.napi_id, 0);
	assert_int_equal(q.dmabuf_id, 0);
}

static void parse_queue__missing_id_or_type_is_eproto(void **state)
{
	struct uring_dmabuf_queue q;
	size_t m;

	(void)state;
	m = queue_msg(&nb, -1, 0, 1, 1);
	assert_int_equal(urd_parse_queue(nb_hdr(&nb, m), &q), -EPROTO);
	nb_init(&nb);
	m = queue_msg(&nb, 2, -1, 1, 1);
	assert_int_equal(urd_parse_queue(nb_hdr(&nb, m), &q), -EPROTO);
}

#define T(f) cmocka_unit_test_setup(f, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(put_bind_rx__exact_bytes),
		T(put_bind_rx__rx_page_size_last),
		T(put_bind_rx__no_room_is_enomem),
		T(put_queue_dump__dump_flag_and_ifindex),
		T(put_page_pool_dump__dump_without_attributes),
		T(put_qstats_dump__queue_scope_of_one_device),
		T(parse_qstats__reported_counters_only),
		T(parse_qstats__tx_counters_and_bad_input),
		T(parse_page_pool__all_attributes),
		T(parse_page_pool__orphan_has_ifindex_zero),
		T(parse_page_pool__bad_sizes_are_eproto),
		T(put_getfamily__ctrl_request_by_name),
		T(parse_nlerr__plain_errno),
		T(parse_nlerr__ack_is_zero),
		T(parse_nlerr__message_capped),
		T(parse_nlerr__message_after_echoed_request),
		T(parse_nlerr__offs_names_attribute_of_echoed_request),
		T(parse_nlerr__offs_outside_request_is_no_attr),
		T(parse_nlerr__offs_capped_is_no_attr),
		T(parse_nlerr__miss_type),
		T(parse_nlerr__message_without_nul_or_too_long),
		T(parse_nlerr__truncated_is_eproto),
		T(parse_nlerr__tlv_flag_without_tlvs),
		T(parse_nlerr__echo_longer_than_message),
		T(parse_nlerr__echo_length_near_4g),
		T(parse_nlerr__offs_near_4g),
		T(parse_nlerr__short_miss_type),
		T(parse_family__has_command),
		T(parse_family__lacks_command),
		T(parse_family__no_ops_attribute),
		T(parse_family__no_id_is_eproto),
		T(parse_family__no_genl_header_is_eproto),
		T(parse_bind_reply__id),
		T(parse_bind_reply__missing_id_is_eproto),
		T(parse_bind_reply__short_id_is_eproto),
		T(parse_queue__all_attributes),
		T(parse_queue__optional_attributes_zero),
		T(parse_queue__missing_id_or_type_is_eproto),
	};

	return unit_run("nlmsg", tests);
}
