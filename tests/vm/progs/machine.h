/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest machine's physical memory, for the programs of the NUMA lane
 * (make vmtest-numa): which NUMA nodes are online, where a page really is
 * (its PFN from /proc/self/pagemap, the node whose memory block holds it,
 * the zone whose span holds it, from /proc/zoneinfo), NUMA policy through
 * raw system calls (the guest is static, without libnuma), and memory
 * blocks going offline and online through sysfs.
 */
#ifndef URING_DMABUF_TEST_MACHINE_H
#define URING_DMABUF_TEST_MACHINE_H

#include <stddef.h>
#include <stdint.h>

#define MEMORY_SYSFS "/sys/devices/system/memory/"
#define NODE_SYSFS "/sys/devices/system/node/"

/* Whether URING_DMABUF_VM_EXPECT (the boot's purpose) lists @word. */
int vm_expects(const char *word);

/* Online nodes as a mask (bit N: node N, nodes < 64); 0 if unreadable. */
uint64_t nodes_online(void);

/* mbind(MPOL_BIND) of [addr, addr + len) to the nodes of @mask; 0 or -errno. */
int mbind_nodes(void *addr, size_t len, uint64_t mask);

/*
 * The node of each of @n pages from @addr (move_pages() without target
 * nodes: a query), in @nodes; -errno there for a page that is not present.
 * 0, or -errno if the call failed. The mask of the nodes found goes to
 * @mask, and pages not on a node count in @missing.
 */
int pages_nodes(const void *addr, size_t n, int *nodes, uint64_t *mask,
		size_t *missing);

/*
 * The PFNs of @n pages from @addr (/proc/self/pagemap; PFNs need
 * CAP_SYS_ADMIN): 0 for a page not present. 0 or -errno.
 */
int pagemap_pfns(const void *addr, size_t n, uint64_t *pfns);

/* Pages per memory block (block_size_bytes / page size), 0 if unknown. */
uint64_t block_pages(void);
/*
 * Pages of memory block @block that are PG_reserved (/proc/kpageflags):
 * memblock's early allocations, which can lie in ZONE_MOVABLE too and keep
 * their block from ever going offline; -errno if unreadable.
 */
long long block_reserved_pages(uint64_t block);
/* The node holding @pfn's memory block (NODE_SYSFS nodeN/memoryB), or -1. */
int pfn_node(uint64_t pfn);

/* One zone of one node, as /proc/zoneinfo shows it. */
struct zone_span {
	int node;
	char name[16];		/* DMA, DMA32, Normal, Movable, Device */
	uint64_t start_pfn;
	uint64_t spanned;
	uint64_t present;
};

#define MAX_ZONES 32

/* The zones of /proc/zoneinfo into @z; their number, or -errno. */
int zones_read(struct zone_span *z, int max);
/* The zone with present pages whose span holds @pfn, or NULL. */
const struct zone_span *pfn_zone(const struct zone_span *z, int nr,
				 uint64_t pfn);
int pfn_in_movable(const struct zone_span *z, int nr, uint64_t pfn);

/*
 * Writes @state ("offline", "online_movable", ...) to memory block
 * @block's state file from a child process that gets SIGALRM after
 * @secs s: offline_pages() retries migration until a signal comes, so a
 * page that cannot move would otherwise hold the write forever. 0, or the
 * write's -errno (-EINTR: still trying when the alarm came); -ETIMEDOUT if
 * the child did not even return 20 s after its alarm (the write hangs).
 */
int block_set_state(uint64_t block, const char *state, unsigned int secs);
/* The block's state file ("online", "offline"), or "" if unreadable. */
const char *block_state(uint64_t block, char *buf, size_t size);

#endif /* URING_DMABUF_TEST_MACHINE_H */
