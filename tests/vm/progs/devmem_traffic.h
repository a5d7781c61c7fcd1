/* SPDX-License-Identifier: GPL-2.0 */
/*
 * devmem traffic through the simulated NIC pair, shared by the guest
 * programs that carry it (95-simnic-devmem, 95-devmem-kinds): namespaces
 * and addresses, ntuple steering, the stream pattern, its sender, and the
 * MSG_SOCK_DEVMEM receiver that checks every frag in the creator's memory.
 */
#ifndef URING_DMABUF_TEST_DEVMEM_TRAFFIC_H
#define URING_DMABUF_TEST_DEVMEM_TRAFFIC_H

#include <stddef.h>
#include <stdint.h>

#include <linux/ethtool.h>

#include "common.h"

/* devmem uapi (6.12); the build host's headers may predate it. */
#ifndef MSG_SOCK_DEVMEM
#define MSG_SOCK_DEVMEM 0x2000000
#endif
#ifndef SO_DEVMEM_LINEAR
#define SO_DEVMEM_LINEAR 78
#define SO_DEVMEM_DMABUF 79
#define SO_DEVMEM_DONTNEED 80
#endif
#define SCM_DEVMEM_LINEAR_ SO_DEVMEM_LINEAR
#define SCM_DEVMEM_DMABUF_ SO_DEVMEM_DMABUF

struct devmem_cmsg {		/* struct dmabuf_cmsg */
	uint64_t frag_offset;
	uint32_t frag_size;
	uint32_t frag_token;
	uint32_t dmabuf_id;
	uint32_t flags;
};

struct devmem_token {		/* struct dmabuf_token */
	uint32_t token_start;
	uint32_t token_count;
};

#define TX_IF "sim0a"
#define RX_IF "sim0b"
#define TX_ADDR "198.18.0.1"
#define RX_ADDR "198.18.0.2"
#define PORT 5201
#define DEVMEM_QUEUE 1

#define SEND_CHUNK (256 * 1024)
#define RECV_IOV (64 * 1024)
#define MAX_CMSGS 512
#define MAX_TOKENS 128		/* MAX_DONTNEED_TOKENS of the kernel */

/* The namespace we started in, and the sender's and receiver's. */
extern int ns_init, ns_tx, ns_rx;

/* A dma-buf bound to the devmem queue. */
struct devbuf {
	int fd;
	const unsigned char *mem;	/* the original mapping ... */
	/*
	 * ... or, if nr_ranges, the creator's ranges in dma-buf order: a
	 * frag's dma-buf offset leads to its range's user address.
	 */
	const struct uring_dmabuf_range *ranges;
	unsigned int nr_ranges;
	size_t bytes;
	uint32_t binding;
	unsigned int buf_size;		/* rx_page_size: a page unless asked */
	int hold;	/* keep tokens until the socket runs dry */
	int port;	/* TCP port steered to a queue it is bound to */
	int *unbind_fd;	/* close this netlink socket (unbind) ... */
	uint64_t unbind_at;	/* ... once this many bytes came in */
};

struct rx_result {
	uint64_t bytes;		/* stream bytes received */
	uint64_t dmabuf_bytes;	/* ... as SCM_DEVMEM_DMABUF frags */
	uint64_t linear_bytes;	/* ... as SCM_DEVMEM_LINEAR */
	uint64_t frags;
	uint32_t max_frag;
	uint64_t tokens_freed;
	unsigned int dry;	/* times a holding receiver gave tokens back */
	int bad_id, bad_range, bad_data, bad_len, bad_dontneed, ctrunc;
	int err;		/* -errno of a failed recvmsg */
	double seconds;
};

void pat_fill(unsigned char *dst, size_t len, uint64_t seed,
		     uint64_t off);
long long pat_check(const unsigned char *p, size_t len, uint64_t seed,
			   uint64_t off);
double now_s(void);
int enter_ns(int nsfd);
int new_netns(void);
int wait_stat(const char *ifname, int q, const char *key,
		     long long want);
void dump_queues(const char *ifname);
int link_set_netns(const char *ifname, int nsfd);
int if_set_mtu(const char *ifname, int mtu);
int if_setup(const char *ifname, const char *addr);
int ethtool_steer(const char *ifname, int port, int queue,
			 uint32_t *loc);
int ethtool_get_rule(const char *ifname, uint32_t loc,
			    struct ethtool_rx_flow_spec *fs);
int tcp_connect_pair(int port, int *afd);
uint64_t tag_seed(const char *tag);
void send_pattern(int fd, uint64_t seed, size_t len);
void devmem_transfer(const char *tag, const struct devbuf *db, int mtu,
			    size_t len);
void flush_deferred_skbs(void);
int wait_attachments(int dev, int fd, unsigned int want);
void load_simnic(void);
int setup_namespaces(void);
int setup_steering(void);

#endif /* URING_DMABUF_TEST_DEVMEM_TRAFFIC_H */
