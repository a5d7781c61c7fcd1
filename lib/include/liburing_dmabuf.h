/* SPDX-License-Identifier: MIT */
/*
 * liburing-dmabuf: turn io_uring registered buffers or ordinary memory into
 * dma-bufs (through the uring_dmabuf kernel module), bind them to NIC RX
 * queues for devmem TCP and receive into them, or bind them for devmem TX
 * and send from them.
 *
 * Every function returning int returns 0 (or a non-negative value where
 * documented) on success and a negative errno on failure. errno is not the
 * error channel (as in liburing).
 *
 * Every file descriptor the library opens or returns is close-on-exec.
 *
 * Public structs are of fixed size for the 0.x ABI; the ones that may grow
 * carry reserved fields, which callers leave zero (the *_init/_begin
 * functions zero them) and later versions give meaning to.
 */
#ifndef LIBURING_DMABUF_H
#define LIBURING_DMABUF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <liburing_dmabuf/uring_dmabuf.h>

#ifdef __cplusplus
extern "C" {
#endif

#define URING_DMABUF_LIB_MAJOR 0
#define URING_DMABUF_LIB_MINOR 1
#define URING_DMABUF_LIB_PATCH 0

/*
 * True if the library this code runs against is at least MAJOR.MINOR.
 * Named for what it tests: liburing's IO_URING_CHECK_VERSION() is true when
 * the library is older, the opposite reading.
 */
#define URING_DMABUF_VERSION_AT_LEAST(major, minor)			\
	(uring_dmabuf_lib_major() > (major) ||				\
	 (uring_dmabuf_lib_major() == (major) &&			\
	  uring_dmabuf_lib_minor() >= (minor)))

int uring_dmabuf_lib_major(void);
int uring_dmabuf_lib_minor(void);

/* ---- the device and its buffers ---------------------------------------- */

int uring_dmabuf_open(void);
int uring_dmabuf_version(int dev_fd, struct uring_dmabuf_version *out);
int uring_dmabuf_create(int dev_fd, const struct iovec *iov, unsigned int nr,
			unsigned int flags);
int uring_dmabuf_info(int dev_fd, int dmabuf_fd, struct uring_dmabuf_info *out);

/* ---- io_uring registered buffers ---------------------------------------- */

struct io_uring;
struct io_uring_sqe;

void uring_dmabuf_prep_create_fixed(struct io_uring_sqe *sqe, int dev_fd,
				    void *addr, size_t len,
				    unsigned int buf_index);
void uring_dmabuf_prep_create_fixed_ro(struct io_uring_sqe *sqe, int dev_fd,
				       void *addr, size_t len,
				       unsigned int buf_index);
int uring_dmabuf_create_fixed(struct io_uring *ring, int dev_fd, void *addr,
			      size_t len, unsigned int buf_index,
			      unsigned int flags);

/* ---- netlink: errors ----------------------------------------------------- */

/**
 * struct uring_dmabuf_nl_error - what the kernel said about a failed request
 * @code: negative errno of the request (0 if it succeeded)
 * @msg: the kernel's extended ack message, "" if it gave none
 * @attr: the attribute type the kernel pointed at, -1 if none
 */
struct uring_dmabuf_nl_error {
	int code;
	int attr;
	char msg[256];
};

/* ---- RX binding (devmem TCP) -------------------------------------------- */

struct uring_dmabuf_binding;

/**
 * struct uring_dmabuf_bind_params - what NETDEV_CMD_BIND_RX binds
 * @ifindex: the NIC
 * @dmabuf_fd: the dma-buf (any exporter; this library's or another)
 * @queues: RX queue ids
 * @nr_queues: entries in @queues, at least 1
 * @rx_page_size: bytes per RX buffer the NIC may use (kernels that offer
 *	NETDEV_A_DMABUF_RX_PAGE_SIZE, 7.3+); 0 for the default (page size)
 * @flags: must be 0 (for options to come)
 * @__reserved: must be 0 (for fields to come)
 */
struct uring_dmabuf_bind_params {
	unsigned int ifindex;
	int dmabuf_fd;
	const unsigned int *queues;
	unsigned int nr_queues;
	unsigned int rx_page_size;
	unsigned int flags;
	unsigned int __reserved[7];
};

int uring_dmabuf_bind_rx(const struct uring_dmabuf_bind_params *params,
			 struct uring_dmabuf_binding **out,
			 struct uring_dmabuf_nl_error *err);
unsigned int uring_dmabuf_binding_id(const struct uring_dmabuf_binding *b);
int uring_dmabuf_binding_socket(const struct uring_dmabuf_binding *b);
void uring_dmabuf_unbind(struct uring_dmabuf_binding *b);

/* ---- TX binding and devmem send (Linux 6.16+) ---------------------------- */

/**
 * struct uring_dmabuf_bind_tx_params - what NETDEV_CMD_BIND_TX binds
 * @ifindex: the NIC whose sockets send from the dma-buf
 * @dmabuf_fd: the dma-buf; a READONLY one is enough (the NIC only reads)
 * @flags: must be 0 (for options to come)
 * @__reserved: must be 0 (for fields to come)
 */
struct uring_dmabuf_bind_tx_params {
	unsigned int ifindex;
	int dmabuf_fd;
	unsigned int flags;
	unsigned int __reserved[7];
};

int uring_dmabuf_bind_tx(const struct uring_dmabuf_bind_tx_params *params,
			 struct uring_dmabuf_binding **out,
			 struct uring_dmabuf_nl_error *err);

/**
 * struct uring_dmabuf_piece - bytes of a TX-bound dma-buf to send
 * @offset: byte offset in the dma-buf
 * @len: bytes, at least 1
 */
struct uring_dmabuf_piece {
	uint64_t offset;
	uint64_t len;
};

#define URING_DMABUF_DEVMEM_MAX_PIECES 64

/**
 * struct uring_dmabuf_devmem_msg - one devmem sendmsg(), built in place
 * @msg: for sendmsg(2) with MSG_ZEROCOPY; points into this struct
 * @iov: the pieces; iov_base is a dma-buf offset, not an address
 * @control: the SCM_DEVMEM_DMABUF control message naming the binding
 */
struct uring_dmabuf_devmem_msg {
	struct msghdr msg;
	struct iovec iov[URING_DMABUF_DEVMEM_MAX_PIECES];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(uint32_t))];
	} control;
};

int uring_dmabuf_devmem_msg_prep(struct uring_dmabuf_devmem_msg *m,
				 unsigned int binding_id,
				 const struct uring_dmabuf_piece *pieces,
				 unsigned int nr);
int uring_dmabuf_zerocopy_enable(int sock);
ssize_t uring_dmabuf_send_devmem(int sock, unsigned int binding_id,
				 const struct uring_dmabuf_piece *pieces,
				 unsigned int nr, int flags);

/**
 * struct uring_dmabuf_zc_done - MSG_ZEROCOPY sends the kernel is done with
 * @first: id of the first send of the range
 * @last: id of the last, inclusive; a socket's n-th MSG_ZEROCOPY send that
 *	returned more than 0 has id n - 1 (counting wraps at 2^32)
 * @copied: 1 if the kernel copied the bytes instead
 *	(SO_EE_CODE_ZEROCOPY_COPIED)
 * @__reserved: 0
 */
struct uring_dmabuf_zc_done {
	uint32_t first;
	uint32_t last;
	uint32_t copied;
	uint32_t __reserved;
};

int uring_dmabuf_zc_reap(int sock, struct uring_dmabuf_zc_done *out,
			 unsigned int max);

/* Kernel support: 1 if the netdev family has the command, 0 if not. */
#define URING_DMABUF_NL_BIND_RX 13
#define URING_DMABUF_NL_BIND_TX 15
int uring_dmabuf_netdev_has_cmd(unsigned int cmd);

/**
 * struct uring_dmabuf_queue - one queue of a NIC (NETDEV_CMD_QUEUE_GET)
 * @id: queue id
 * @type: 0 RX, 1 TX
 * @napi_id: NAPI instance, 0 if unknown
 * @dmabuf_id: binding id of the dma-buf bound to it, 0 if none
 */
struct uring_dmabuf_queue {
	unsigned int id;
	unsigned int type;
	unsigned int napi_id;
	unsigned int dmabuf_id;
};

int uring_dmabuf_queues(unsigned int ifindex, struct uring_dmabuf_queue *out,
			unsigned int max, struct uring_dmabuf_nl_error *err);

/**
 * struct uring_dmabuf_page_pool - one page pool (NETDEV_CMD_PAGE_POOL_GET)
 * @id: the pool's id
 * @ifindex: its device; 0 once that device is gone
 * @napi_id: its NAPI instance, 0 if none
 * @dmabuf_id: binding id of the dma-buf it takes buffers from, 0 if none
 * @inflight: buffers handed out and not yet back
 * @inflight_mem: bytes of those buffers
 * @detach_time: when the driver let go of the pool (seconds of
 *	CLOCK_BOOTTIME), 0 while in use; a detached pool lives on until its
 *	buffers in flight come back, and holds its dma-buf binding until then
 * @__reserved: 0 (for fields to come)
 */
struct uring_dmabuf_page_pool {
	unsigned int id;
	unsigned int ifindex;
	unsigned int napi_id;
	unsigned int dmabuf_id;
	uint64_t inflight;
	uint64_t inflight_mem;
	uint64_t detach_time;
	uint64_t __reserved[2];
};

/* Counters of struct uring_dmabuf_qstats, the kernel's netdev qstats order. */
enum {
	URING_DMABUF_QSTAT_RX_PACKETS,
	URING_DMABUF_QSTAT_RX_BYTES,
	URING_DMABUF_QSTAT_TX_PACKETS,
	URING_DMABUF_QSTAT_TX_BYTES,
	URING_DMABUF_QSTAT_RX_ALLOC_FAIL,
	URING_DMABUF_QSTAT_RX_HW_DROPS,
	URING_DMABUF_QSTAT_NR
};

/**
 * struct uring_dmabuf_qstats - one queue's counters (NETDEV_CMD_QSTATS_GET)
 * @type: 0 RX, 1 TX
 * @id: queue id
 * @valid: bit (1 << URING_DMABUF_QSTAT_*) set for each counter the driver
 *	reported; the others are 0 and unknown
 * @value: the counters, indexed by URING_DMABUF_QSTAT_*
 * @__reserved: 0 (for counters to come)
 */
struct uring_dmabuf_qstats {
	unsigned int type;
	unsigned int id;
	unsigned int valid;
	unsigned int __pad;
	uint64_t value[URING_DMABUF_QSTAT_NR];
	uint64_t __reserved[10];
};

int uring_dmabuf_qstats(unsigned int ifindex, struct uring_dmabuf_qstats *out,
			unsigned int max, struct uring_dmabuf_nl_error *err);

int uring_dmabuf_page_pools(unsigned int ifindex,
			    struct uring_dmabuf_page_pool *out,
			    unsigned int max, struct uring_dmabuf_nl_error *err);

/* ---- NIC steering for a binding (ethtool netlink and ioctls) ------------ */

#define URING_DMABUF_STEER_TCP4		1
#define URING_DMABUF_STEER_TCP6		2
#define URING_DMABUF_STEER_MAX_PORTS	64

/**
 * struct uring_dmabuf_steer_params - which flows go to which RX queues
 * @size: sizeof(struct uring_dmabuf_steer_params), so that it can grow
 * @flags: 0 (no flags are defined yet)
 * @ifname: the NIC, by name (the journal is /run/uring-dmabuf/IFNAME.journal)
 * @queues: the RX queues the flows go to (and that leave the RSS table)
 * @nr_queues: entries in @queues, at least 1
 * @ports: TCP destination ports, one flow rule each; port i goes to
 *	queue @queues[i % @nr_queues]
 * @nr_ports: entries in @ports, 1 to URING_DMABUF_STEER_MAX_PORTS
 * @proto: URING_DMABUF_STEER_TCP4 or URING_DMABUF_STEER_TCP6
 */
struct uring_dmabuf_steer_params {
	uint32_t size;
	uint32_t flags;
	const char *ifname;
	const unsigned int *queues;
	unsigned int nr_queues;
	const uint16_t *ports;
	unsigned int nr_ports;
	unsigned int proto;
};

/* What uring_dmabuf_steer_apply() changed, to be restored. */
struct uring_dmabuf_steer;

int uring_dmabuf_steer_apply(const struct uring_dmabuf_steer_params *params,
			     struct uring_dmabuf_steer **out,
			     struct uring_dmabuf_nl_error *err);
int uring_dmabuf_steer_restore(struct uring_dmabuf_steer *s,
			       struct uring_dmabuf_nl_error *err);
int uring_dmabuf_steer_restore_dev(const char *ifname,
				   struct uring_dmabuf_nl_error *err);

/* ---- devmem TCP receive ------------------------------------------------- */

/**
 * struct uring_dmabuf_frag - one received fragment
 * @offset: byte offset in the bound dma-buf (dmabuf frags), 0 for linear
 * @len: bytes
 * @token: to give back with uring_dmabuf_tokens_add() (dmabuf frags)
 * @dmabuf_id: binding id the frag belongs to (dmabuf frags)
 * @linear: 1 if the bytes were copied into the iovec of recvmsg() instead
 *	(SCM_DEVMEM_LINEAR: not steered to a bound queue, or headers)
 */
struct uring_dmabuf_frag {
	uint64_t offset;
	uint32_t len;
	uint32_t token;
	uint32_t dmabuf_id;
	int linear;
};

/* The recvmsg() flag asking for devmem frags. */
#define URING_DMABUF_MSG_SOCK_DEVMEM 0x2000000

/*
 * Walks the devmem control messages of one recvmsg(MSG_SOCK_DEVMEM).
 * Private to the library: set up by uring_dmabuf_frags_begin().
 */
struct uring_dmabuf_frag_iter {
	const struct msghdr *msg;
	const struct cmsghdr *next;
	uint64_t __reserved[4];
};

void uring_dmabuf_frags_begin(struct uring_dmabuf_frag_iter *it,
			      const struct msghdr *msg);
int uring_dmabuf_frags_next(struct uring_dmabuf_frag_iter *it,
			    struct uring_dmabuf_frag *frag);

/* Gives tokens back (SO_DEVMEM_DONTNEED), merged into ranges, in batches. */
#define URING_DMABUF_TOKEN_BATCH 128
struct uring_dmabuf_tokens {
	int sock;
	unsigned int nr;
	unsigned int nr_frags;
	unsigned int __reserved[5];
	struct {
		uint32_t start;
		uint32_t count;
	} range[URING_DMABUF_TOKEN_BATCH];
};

void uring_dmabuf_tokens_init(struct uring_dmabuf_tokens *t, int sock);
int uring_dmabuf_tokens_add(struct uring_dmabuf_tokens *t, uint32_t token);
int uring_dmabuf_tokens_flush(struct uring_dmabuf_tokens *t);

#ifdef __cplusplus
}
#endif

#endif /* LIBURING_DMABUF_H */
