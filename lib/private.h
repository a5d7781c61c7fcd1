/* SPDX-License-Identifier: MIT */
/* Library-internal declarations; nothing here is exported. */
#ifndef LIBURING_DMABUF_PRIVATE_H
#define LIBURING_DMABUF_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "liburing_dmabuf.h"

/*
 * The generic netlink "netdev" family and the devmem socket API, by value:
 * Debian 12's linux-libc-dev (6.1) has neither, and a binary built here
 * must speak to newer kernels anyway.
 */
#define NETDEV_FAMILY_NAME		"netdev"
#define NETDEV_CMD_PAGE_POOL_GET	5
#define NETDEV_CMD_QUEUE_GET		10
#define NETDEV_CMD_QSTATS_GET		12
#define NETDEV_CMD_BIND_RX		13
#define NETDEV_CMD_BIND_TX		15
#define NETDEV_A_QUEUE_ID		1
#define NETDEV_A_QUEUE_IFINDEX		2
#define NETDEV_A_QUEUE_TYPE		3
#define NETDEV_A_QUEUE_NAPI_ID		4
#define NETDEV_A_QUEUE_DMABUF		5
#define NETDEV_QUEUE_TYPE_RX		0
#define NETDEV_A_PAGE_POOL_ID		1
#define NETDEV_A_PAGE_POOL_IFINDEX	2
#define NETDEV_A_PAGE_POOL_NAPI_ID	3
#define NETDEV_A_PAGE_POOL_INFLIGHT	4
#define NETDEV_A_PAGE_POOL_INFLIGHT_MEM	5
#define NETDEV_A_PAGE_POOL_DETACH_TIME	6
#define NETDEV_A_PAGE_POOL_DMABUF	7
#define NETDEV_A_QSTATS_IFINDEX		1
#define NETDEV_A_QSTATS_QUEUE_TYPE	2
#define NETDEV_A_QSTATS_QUEUE_ID	3
#define NETDEV_A_QSTATS_SCOPE		4
#define NETDEV_A_QSTATS_RX_PACKETS	8	/* then one per counter, in order */
#define NETDEV_QSTATS_SCOPE_QUEUE	1
#define NETDEV_A_DMABUF_IFINDEX		1
#define NETDEV_A_DMABUF_QUEUES		2
#define NETDEV_A_DMABUF_FD		3
#define NETDEV_A_DMABUF_ID		4
#define NETDEV_A_DMABUF_RX_PAGE_SIZE	5

#define SO_DEVMEM_LINEAR		78
#define SO_DEVMEM_DMABUF		79
#define SO_DEVMEM_DONTNEED		80
#define SCM_DEVMEM_DMABUF		SO_DEVMEM_DMABUF
#define DEVMEM_MAX_DONTNEED_FRAGS	1024

struct devmem_cmsg {
	uint64_t frag_offset;
	uint32_t frag_size;
	uint32_t frag_token;
	uint32_t dmabuf_id;
	uint32_t flags;
};

struct nl_msg;
struct nl_sock;
struct nlmsghdr;

/* nlmsg.c: building and parsing, no I/O (unit-tested byte for byte). */
int urd_put_bind_rx(struct nl_msg *msg, int family,
		    const struct uring_dmabuf_bind_params *p);
int urd_put_bind_tx(struct nl_msg *msg, int family,
		    const struct uring_dmabuf_bind_tx_params *p);
int urd_put_queue_dump(struct nl_msg *msg, int family, unsigned int ifindex);
int urd_put_page_pool_dump(struct nl_msg *msg, int family);
int urd_put_qstats_dump(struct nl_msg *msg, int family, unsigned int ifindex);
int urd_put_getfamily(struct nl_msg *msg, const char *name);
void urd_parse_nlerr(const struct nlmsghdr *hdr,
		     struct uring_dmabuf_nl_error *err);
int urd_parse_family(const struct nlmsghdr *hdr, int *id, unsigned int cmd,
		     int *has_cmd);
int urd_parse_bind_reply(const struct nlmsghdr *hdr, unsigned int *id);
int urd_parse_queue(const struct nlmsghdr *hdr, struct uring_dmabuf_queue *q);
int urd_parse_page_pool(const struct nlmsghdr *hdr,
			struct uring_dmabuf_page_pool *p);
int urd_parse_qstats(const struct nlmsghdr *hdr, struct uring_dmabuf_qstats *q);

#endif /* LIBURING_DMABUF_PRIVATE_H */
