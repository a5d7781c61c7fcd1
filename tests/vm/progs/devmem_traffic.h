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
#include "netdev.h"

#define TX_IF "sim0a"
#define RX_IF "sim0b"
#define TX_ADDR "198.18.0.1"
#define RX_ADDR "198.18.0.2"
#define PORT 5201
#define DEVMEM_QUEUE 1

#define SEND_CHUNK (256 * 1024)
#define RECV_IOV (64 * 1024)
#define MAX_CMSGS 512

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
	/*
	 * The sender child, if not send_pattern(): writes @len bytes of the
	 * pattern of @seed to @fd, then _exit()s (95-devmem-tx: devmem TX).
	 */
	void (*send)(int fd, uint64_t seed, size_t len, void *arg);
	void *send_arg;
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
void dump_queues(const char *ifname);
int if_set_mtu(const char *ifname, int mtu);
int ethtool_steer(const char *ifname, int port, int queue,
			 uint32_t *loc);
int ethtool_get_rule(const char *ifname, uint32_t loc,
			    struct ethtool_rx_flow_spec *fs);
uint64_t tag_seed(const char *tag);
/* The pattern seed devmem_transfer() gives @tag's transfer. */
uint64_t transfer_seed(const char *tag, int mtu, size_t len);
void send_pattern(int fd, uint64_t seed, size_t len);
void devmem_transfer(const char *tag, const struct devbuf *db, int mtu,
			    size_t len);
void load_simnic(void);
int netns_pair(void);
int setup_namespaces(void);
int setup_steering(void);

#endif /* URING_DMABUF_TEST_DEVMEM_TRAFFIC_H */
