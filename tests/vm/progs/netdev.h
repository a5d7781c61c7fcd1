/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Network helpers shared by the guest test programs that bind our dma-buf
 * to a NIC: raw netlink (no libnl in the guest), devmem's
 * NETDEV_CMD_BIND_RX, interface flags, and loading the simulated NIC
 * (tests/kmod/simnic).
 */
#ifndef URING_DMABUF_TEST_NETDEV_H
#define URING_DMABUF_TEST_NETDEV_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#define SIMNIC_MODULE "uring_dmabuf_simnic"
#define SIMNIC_DEBUGFS "/sys/kernel/debug/" SIMNIC_MODULE "/"

/* --- netlink ------------------------------------------------------------ */

/* A request built in place: header, family header, attributes. */
struct nlmsg {
	union {
		struct nlmsghdr nh;
		char buf[1024];
	};
};

void *nl_tail(struct nlmsghdr *nh);
struct nlattr *nla_add(struct nlmsghdr *nh, int type, const void *data,
		       int len);
void nla_add_u32(struct nlmsghdr *nh, int type, uint32_t v);
struct nlattr *nla_nest(struct nlmsghdr *nh, int type);
void nla_nest_end(struct nlmsghdr *nh, struct nlattr *nest);

/* A netlink socket of @proto with extended acks; the fd or -errno. */
int nl_open(int proto);

typedef void (*nl_cb)(struct nlmsghdr *nh, void *arg);

/*
 * Sends @req with NLM_F_ACK and reads replies until the ack; @cb sees
 * every other message. Returns 0 or -errno, with the kernel's extack
 * message in @ext if there is one.
 */
int nl_talk(int fd, struct nlmsghdr *req, nl_cb cb, void *arg, char *ext,
	    size_t extlen);

/* The id of generic netlink family @name on socket @fd, or -errno. */
int genl_family_id(int fd, const char *name);

/* --- devmem ------------------------------------------------------------- */

/*
 * The id of the "netdev" generic netlink family if it has
 * NETDEV_CMD_BIND_RX (6.12+); -EOPNOTSUPP if not, or -errno.
 */
int devmem_family(void);

/* The same, if it has NETDEV_CMD_BIND_TX (6.16+). */
int devmem_tx_family(void);

/*
 * NETDEV_CMD_BIND_RX of @dmabuf to @queues of @ifindex on the generic
 * netlink socket @fd, which then owns the binding (closing it unbinds).
 * @rx_page_size 0 leaves the attribute out. Returns the binding id or
 * -errno, with the kernel's extack message in @ext.
 */
long bind_rx_queues(int fd, int family, int ifindex, const int *queues,
		    int nq, int dmabuf, unsigned int rx_page_size, char *ext,
		    size_t extlen);
long bind_rx(int fd, int family, int ifindex, int queue, int dmabuf,
	     unsigned int rx_page_size, char *ext, size_t extlen);

/*
 * NETDEV_CMD_BIND_TX of @dmabuf to @ifindex on @fd, which owns the binding
 * as for RX. Returns the binding id (the SCM_DEVMEM_DMABUF cmsg's) or
 * -errno, with the kernel's extack message in @ext.
 */
long bind_tx(int fd, int family, int ifindex, int dmabuf, char *ext,
	     size_t extlen);

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
#define MAX_TOKENS 128		/* MAX_DONTNEED_TOKENS of the kernel */

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

/*
 * Received skbs freed on another CPU than the one that built them wait on
 * that CPU's deferred free list until it next runs NET_RX, and so do their
 * net_iovs. A loopback datagram from every CPU, sent in the namespace
 * @nsfd (its "lo" up), runs NET_RX everywhere.
 */
void kick_net_rx(int nsfd);
/*
 * Polls until dma-buf @fd has @want attachments (the binding goes only
 * when its last net_iov is back in its page pool), kicking NET_RX in
 * @nsfd; 1 if it does within 30 s.
 */
int wait_attachments(int dev, int fd, unsigned int want, int nsfd);

/* --- namespaces ----------------------------------------------------------- */

int enter_ns(int nsfd);
/* A new network namespace's fd, or -errno; the caller stays where it was. */
int new_netns(void);
/* Moves @ifname of the current namespace into the namespace @nsfd. */
int link_set_netns(const char *ifname, int nsfd);

/*
 * A TCP connection to @addr:@port: *afd accepted in the namespace @rx_ns,
 * the client socket (returned, or -errno) made in @tx_ns. Both time out
 * after 30 s; leaves the caller in @rx_ns.
 */
int tcp_connect_pair(int rx_ns, int tx_ns, const char *addr, int port,
		     int *afd);

/* --- interfaces, in the current network namespace ---------------------- */

/* An SIOC* ioctl on @ifname; 0 or -errno. */
int if_ioctl(const char *ifname, unsigned long req, struct ifreq *ifr);
int if_set_up(const char *ifname, int up);
/* @addr/24 on @ifname, then up; 0 or -errno. */
int if_setup(const char *ifname, const char *addr);

/* --- kernel modules ----------------------------------------------------- */

int module_loaded(const char *name);
/* delete_module(O_NONBLOCK): 0, or -errno (-EWOULDBLOCK while in use). */
int module_remove(const char *name);
/*
 * One result "rmmod NAME": a module left loaded keeps its devices busy for
 * the programs after this one, so a failed unload fails, with the errno
 * and the module's reference count.
 */
int t_rmmod(const char *name);

/*
 * modprobe SIMNIC_MODULE @params, after removing a copy an earlier program
 * left loaded. 0 once loaded; -EBUSY if that copy stays, -ENOENT if the
 * module was not built for this kernel; else modprobe's exit status
 * (-ENODEV if it exited 0 without loading anything).
 */
int simnic_load(const char *params);

/*
 * The simulated NIC's debugfs files of port @ifname (named at creation):
 * steer, rss, queues (tests/kmod/simnic/README.md). 0 / bytes read, or -errno.
 */
int simnic_read(const char *ifname, const char *file, char *buf, size_t size);
int simnic_write(const char *ifname, const char *file, const char *text);
/* "KEY=value" of RX (TX) queue @q in the queues file, or -1. */
long long queue_stat(const char *ifname, int q, const char *key);
long long tx_queue_stat(const char *ifname, int q, const char *key);
/* Reads and drops a socket's zero-copy notifications (MSG_ERRQUEUE). */
void zc_reap_discard(int fd);
/* Polls queue_stat() for 5 s; 1 once it reads @want. */
int wait_stat(const char *ifname, int q, const char *key, long long want);

#endif /* URING_DMABUF_TEST_NETDEV_H */
