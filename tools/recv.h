/* SPDX-License-Identifier: MIT */
/* uring-dmabuf recv: what every receive mode counts and checks. */
#ifndef URING_DMABUF_TOOL_RECV_H
#define URING_DMABUF_TOOL_RECV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stats {
	unsigned long long bytes, dmabuf_bytes, linear_bytes;
	unsigned long long frags, bad_bytes, tokens;
	unsigned int foreign_id;
};

struct receiver {
	const unsigned char *base;	/* the dma-buf's memory, NULL: plain */
	uint64_t size;
	unsigned int binding_id;
	bool verify;
	unsigned long long limit;	/* --bytes, 0: until EOF */
	unsigned int timeout;		/* --timeout seconds, 0: none */
	unsigned int interval;		/* --interval seconds, 0: none */
	struct stats st;
};

/* What one read may take: no byte past --bytes leaves the socket. */
size_t read_len(const struct receiver *r, size_t max);
/* --verify: counts the bytes of @p that are not the pattern here. */
void check_bytes(struct receiver *r, const unsigned char *p, size_t len);

#endif
