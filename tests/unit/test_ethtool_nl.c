// SPDX-License-Identifier: MIT
/*
 * lib/ethtool_nl.c: ETHTOOL_MSG_RINGS_GET/SET byte for byte against
 * messages written here by hand (nlbuf.c), with the ids of the kernel's
 * ethtool family (hds-thresh is 17, absent from Debian 12's headers), and
 * the RINGS_GET reply parser on what old and new kernels send.
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
#include "steer.h"

#define FAMILY 0x15

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

/* The request header: genl cmd, then the nested header with the index. */
static void rings_request(uint8_t cmd, uint32_t ifindex)
{
	size_t nest;

	nb_msg(&nb, FAMILY, 0);
	nb_genl(&nb, cmd, 1);
	nest = nb_nest(&nb, 1 | NLA_F_NESTED);	/* ETHTOOL_A_RINGS_HEADER */
	nb_u32(&nb, 1, ifindex);		/* ETHTOOL_A_HEADER_DEV_INDEX */
	nb_nest_end(&nb, nest);
}

static void put_rings_get__exact_bytes(void **state)
{
	struct nl_msg *msg = nlmsg_alloc();

	(void)state;
	assert_int_equal(urd_put_rings_get(msg, FAMILY, 9), 0);
	rings_request(15, 9);
	nb_end(&nb, 0);
	assert_msg_bytes(msg, &nb);
	nlmsg_free(msg);
}

static void put_rings_set__split_and_thresh(void **state)
{
	struct nl_msg *msg = nlmsg_alloc();
	uint8_t on = 2;

	(void)state;
	assert_int_equal(urd_put_rings_set(msg, FAMILY, 9, 2, 0), 0);
	rings_request(16, 9);
	nb_attr(&nb, 11, &on, 1);	/* ETHTOOL_A_RINGS_TCP_DATA_SPLIT, u8 */
	nb_u32(&nb, 17, 0);		/* ETHTOOL_A_RINGS_HDS_THRESH */
	nb_end(&nb, 0);
	assert_msg_bytes(msg, &nb);
	nlmsg_free(msg);
}

/* Kernels before 6.14 reject an unknown attribute: none is sent. */
static void put_rings_set__no_thresh_when_negative(void **state)
{
	struct nl_msg *msg = nlmsg_alloc();
	uint8_t off = 1;

	(void)state;
	assert_int_equal(urd_put_rings_set(msg, FAMILY, 3, 1, -1), 0);
	rings_request(16, 3);
	nb_attr(&nb, 11, &off, 1);
	nb_end(&nb, 0);
	assert_msg_bytes(msg, &nb);
	nlmsg_free(msg);
}

static size_t rings_reply(void)
{
	size_t m = nb_msg(&nb, FAMILY, 0);

	nb_genl(&nb, 17, 1);	/* ETHTOOL_MSG_RINGS_GET_REPLY */
	nb_u32(&nb, 2, 4096);	/* RX_MAX */
	nb_u32(&nb, 6, 1024);	/* RX */
	return m;
}

static void parse_rings__new_kernel(void **state)
{
	struct urd_rings r;
	uint8_t split = 1;
	size_t m;

	(void)state;
	m = rings_reply();
	nb_attr(&nb, 11, &split, 1);
	nb_u32(&nb, 17, 256);
	nb_u32(&nb, 18, 1024);
	nb_end(&nb, m);
	assert_int_equal(urd_parse_rings(guarded(nb.b, nb.len), &r), 0);
	assert_true(r.has_split);
	assert_int_equal(r.split, URD_SPLIT_DISABLED);
	assert_true(r.has_thresh);
	assert_int_equal(r.thresh, 256);
	assert_int_equal(r.thresh_max, 1024);
}

static void parse_rings__old_kernel_or_silent_driver(void **state)
{
	struct urd_rings r;
	uint8_t unknown = 0;
	size_t m;

	(void)state;
	m = rings_reply();	/* 6.12, driver without header split */
	nb_end(&nb, m);
	assert_int_equal(urd_parse_rings(guarded(nb.b, nb.len), &r), 0);
	assert_false(r.has_split);
	assert_false(r.has_thresh);
	nb_init(&nb);
	m = rings_reply();	/* "unknown" is no support either */
	nb_attr(&nb, 11, &unknown, 1);
	nb_end(&nb, m);
	assert_int_equal(urd_parse_rings(guarded(nb.b, nb.len), &r), 0);
	assert_false(r.has_split);
}

static void parse_rings__bad_attribute_is_eproto(void **state)
{
	struct urd_rings r;
	uint16_t shorty = 5;
	size_t m;

	(void)state;
	m = rings_reply();
	nb_attr(&nb, 17, &shorty, 2);	/* hds-thresh must be a u32 */
	nb_end(&nb, m);
	assert_int_equal(urd_parse_rings(guarded(nb.b, nb.len), &r), -EPROTO);
}

#define T(f) cmocka_unit_test_setup(f, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(put_rings_get__exact_bytes),
		T(put_rings_set__split_and_thresh),
		T(put_rings_set__no_thresh_when_negative),
		T(parse_rings__new_kernel),
		T(parse_rings__old_kernel_or_silent_driver),
		T(parse_rings__bad_attribute_is_eproto),
	};

	return unit_run("ethtool_nl", tests);
}
