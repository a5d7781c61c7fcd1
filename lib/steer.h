/* SPDX-License-Identifier: MIT */
/*
 * Library-internal parts of NIC steering (uring_dmabuf_steer_*): what was
 * changed (the journal's content), the ethtool netlink and ioctl helpers
 * and the rtnetlink XDP query. Nothing here is exported.
 */
#ifndef LIBURING_DMABUF_STEER_H
#define LIBURING_DMABUF_STEER_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "private.h"

#define URD_STEER_DIR		"/run/uring-dmabuf"
#define URD_JOURNAL_MAGIC	"uring-dmabuf-steer-journal 1"
/* Bigger than any NIC's indirection table (ethtool caps it at 64 Ki too). */
#define URD_RSS_MAX		65536
#define URD_JOURNAL_MAX		(1 << 20)
#define URD_LOC_UNKNOWN		-1L
#define RX_CLS_LOC_ANY_VALUE	0xffffffffL	/* RX_CLS_LOC_ANY */

/* ethtool's flow types, as the journal spells them. */
#define URD_FLOW_TCP4		0x01	/* TCP_V4_FLOW */
#define URD_FLOW_TCP6		0x05	/* TCP_V6_FLOW */

/* One flow rule steered by us; @loc is unknown until the kernel says. */
struct urd_steer_rule {
	uint32_t flow_type;
	uint16_t port;
	uint32_t queue;
	long loc;
};

/*
 * Everything the steering changed (or is about to change: the journal is
 * written before each change), with the value found before it.
 */
struct uring_dmabuf_steer {
	char ifname[IF_NAMESIZE];
	unsigned int ifindex;
	long pid;
	int split_changed;
	uint8_t old_split;		/* ETHTOOL_TCP_DATA_SPLIT_* */
	int thresh_changed;
	uint32_t old_thresh;
	int ntuple_changed;		/* ntuple was off */
	unsigned int nr_rules;
	struct urd_steer_rule rules[URING_DMABUF_STEER_MAX_PORTS];
	int rss_changed;
	uint32_t rss_size;
	uint32_t *rss_old;
	char dir[64];			/* URD_STEER_DIR; tests use another */
};

/* steer_journal.c: the journal, a versioned text file, one line a step. */
int urd_ifname_ok(const char *ifname);
int urd_journal_format(const struct uring_dmabuf_steer *s, char **out,
		       size_t *len);
int urd_journal_parse(const char *text, size_t len,
		      struct uring_dmabuf_steer *s);
int urd_journal_path(const char *dir, const char *ifname, char *buf,
		     size_t size);
int urd_journal_write(const struct uring_dmabuf_steer *s, int create);
int urd_journal_read(const char *dir, const char *ifname,
		     struct uring_dmabuf_steer *s);
int urd_journal_remove(const struct uring_dmabuf_steer *s);

/* ethtool_nl.c: ring parameters through the ethtool netlink family. */
#define ETHTOOL_GENL_NAME		"ethtool"
#define ETHTOOL_MSG_RINGS_GET		15
#define ETHTOOL_MSG_RINGS_SET		16
#define ETHTOOL_A_HEADER_DEV_INDEX	1
#define ETHTOOL_A_RINGS_HEADER		1
#define ETHTOOL_A_RINGS_TCP_DATA_SPLIT	11
#define ETHTOOL_A_RINGS_HDS_THRESH	17	/* 6.14+ */
#define ETHTOOL_A_RINGS_HDS_THRESH_MAX	18
#define URD_SPLIT_UNKNOWN		0
#define URD_SPLIT_DISABLED		1
#define URD_SPLIT_ENABLED		2

/* What RINGS_GET said; has_* is 0 where the kernel or driver is silent. */
struct urd_rings {
	int has_split;
	uint8_t split;
	int has_thresh;
	uint32_t thresh;
	uint32_t thresh_max;
};

struct nl_msg;
int urd_put_rings_get(struct nl_msg *msg, int family, unsigned int ifindex);
/* @thresh < 0: leave hds-thresh alone (kernels before 6.14 lack it). */
int urd_put_rings_set(struct nl_msg *msg, int family, unsigned int ifindex,
		      uint8_t split, long thresh);
int urd_parse_rings(const struct nlmsghdr *hdr, struct urd_rings *r);
int urd_rings_get(unsigned int ifindex, struct urd_rings *r,
		  struct uring_dmabuf_nl_error *err);
int urd_rings_set(unsigned int ifindex, uint8_t split, long thresh,
		  struct uring_dmabuf_nl_error *err);

/* ethtool_ioctl.c: SIOCETHTOOL for the flags, ntuple rules and RSS. */
int urd_eth_ntuple_get(const char *ifname, int *on);
int urd_eth_ntuple_set(const char *ifname, int on);
int urd_eth_rx_rings(const char *ifname, uint32_t *nr);
/* Rule locations: *@locs malloc'ed, *@nr entries; *@special if RX_CLS_LOC_ANY works. */
int urd_eth_rule_list(const char *ifname, uint32_t **locs, uint32_t *nr,
		      uint32_t *table_size, int *special);
int urd_eth_rule_get(const char *ifname, uint32_t loc,
		     struct urd_steer_rule *r);
int urd_eth_rule_insert(const char *ifname, struct urd_steer_rule *r,
			long loc);
int urd_eth_rule_delete(const char *ifname, uint32_t loc);
int urd_eth_indir_get(const char *ifname, uint32_t **table, uint32_t *size);
/* @size 0: back to the driver's default spread. */
int urd_eth_indir_set(const char *ifname, const uint32_t *table,
		      uint32_t size);

/* rtnl_xdp.c: 1 if an XDP program is attached to @ifindex. */
int urd_xdp_attached(unsigned int ifindex);

/* netlink.c: one socket, one request in flight (also for ethtool, rtnl). */
int urd_nl_open(struct nl_sock **out, int protocol);
int urd_nl_transact(struct nl_sock *sk, struct nl_msg *msg,
		    int (*on_reply)(const struct nlmsghdr *, void *), void *arg,
		    struct uring_dmabuf_nl_error *err);
int urd_nl_resolve(struct nl_sock *sk, const char *family, unsigned int cmd);

/* steer_plan.c: everything checked and read before a change. */
struct urd_steer_plan {
	struct urd_rings rings;
	int ntuple_on;
	uint32_t nr_rings;
	uint32_t *rss;		/* the table found */
	uint32_t rss_size;
	uint32_t *new_rss;	/* the table without the bound queues */
};

int urd_steer_fail(struct uring_dmabuf_nl_error *err, int code,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void urd_steer_clear_err(struct uring_dmabuf_nl_error *err);
int urd_steer_nl_step(struct uring_dmabuf_nl_error *err,
		      struct uring_dmabuf_nl_error *nlerr, int ret);
const char *urd_flow_name(uint32_t flow_type);
int urd_steer_check_params(const struct uring_dmabuf_steer_params *p,
			   struct uring_dmabuf_nl_error *err);
int urd_steer_owner_alive(long pid);
int urd_steer_refuse_journal(const char *dir, const char *ifname,
			     struct uring_dmabuf_nl_error *err);
int urd_steer_make_plan(const struct uring_dmabuf_steer_params *p,
			unsigned int ifindex, uint32_t flow_type,
			struct urd_steer_plan *pl,
			struct uring_dmabuf_nl_error *err);

/* steer.c: the public entries with the journal directory given. */
int urd_steer_apply_in(const char *dir,
		       const struct uring_dmabuf_steer_params *p,
		       struct uring_dmabuf_steer **out,
		       struct uring_dmabuf_nl_error *err);
int urd_steer_restore_dev_in(const char *dir, const char *ifname,
			     struct uring_dmabuf_nl_error *err);

#endif /* LIBURING_DMABUF_STEER_H */
