/* SPDX-License-Identifier: MIT */
/* send --devmem: the test pattern from a TX-bound dma-buf. */
#ifndef URING_DMABUF_TOOL_SEND_DEVMEM_H
#define URING_DMABUF_TOOL_SEND_DEVMEM_H

#include <stdint.h>

struct devmem_stats {
	uint64_t sent;
	uint64_t sends;		/* sendmsg() calls that sent bytes */
	uint64_t completed;	/* ... the kernel said it is done with */
	uint64_t copied;	/* ... of those, copied instead */
};

/*
 * @total bytes of the pattern from binding @binding_id of a dma-buf of
 * @size bytes that holds the pattern from offset 0, round and round; waits
 * for every completion. 0, or -errno with the step said on stderr.
 */
int devmem_send(int fd, unsigned int binding_id, uint64_t size, uint64_t total,
		unsigned int timeout, struct devmem_stats *st);

#endif
