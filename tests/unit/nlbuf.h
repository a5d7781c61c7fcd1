/* SPDX-License-Identifier: MIT */
/*
 * Netlink messages written byte by byte, without libnl: what the kernel
 * sends, and what the library's requests must look like. Independent of
 * the code under test on purpose.
 */
#ifndef UNIT_NLBUF_H
#define UNIT_NLBUF_H

#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;

struct nlbuf {
	size_t len;
	unsigned char b[8192] __attribute__((aligned(8)));
};

void nb_init(struct nlbuf *nb);
/* Starts a message; returns its offset for nb_end(). */
size_t nb_msg(struct nlbuf *nb, uint16_t type, uint16_t flags);
void nb_genl(struct nlbuf *nb, uint8_t cmd, uint8_t version);
void nb_put(struct nlbuf *nb, const void *data, size_t len);
void nb_attr(struct nlbuf *nb, uint16_t type, const void *data, size_t len);
void nb_u16(struct nlbuf *nb, uint16_t type, uint16_t v);
void nb_u32(struct nlbuf *nb, uint16_t type, uint32_t v);
void nb_str(struct nlbuf *nb, uint16_t type, const char *s);
size_t nb_nest(struct nlbuf *nb, uint16_t type);
void nb_nest_end(struct nlbuf *nb, size_t nest);
void nb_end(struct nlbuf *nb, size_t msg);
struct nlmsghdr *nb_hdr(struct nlbuf *nb, size_t msg);

/* NLMSG_ERROR for @req (echoed whole unless @flags has NLM_F_CAPPED);
 * add extack attributes with nb_u32/nb_str, then nb_end(). */
size_t nb_error(struct nlbuf *nb, int error, uint16_t flags,
		const struct nlmsghdr *req);

/* NETDEV_CMD_BIND_RX as the kernel expects it, header flags 0. */
size_t nb_bind_rx(struct nlbuf *nb, uint16_t family, uint32_t ifindex,
		  uint32_t fd, const unsigned int *queues, unsigned int nr,
		  uint32_t rx_page_size);

#endif /* UNIT_NLBUF_H */
