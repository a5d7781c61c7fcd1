/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bounded, seeded fuzzer of every user-facing entry point of uring_dmabuf:
 * the CREATE/INFO/VERSION ioctls, the CREATE_FIXED uring_cmd, and what a
 * dma-buf of ours then meets (mmap, sync, importers, fd passing, fork).
 *
 * Every call is generated together with the outcome the uapi header
 * promises for it (an errno, or success with checked results); a call whose
 * outcome cannot be predicted (memory another thread unmaps meanwhile)
 * accepts any errno the header documents for that entry point. Workers own
 * their memory, so most calls are predicted exactly.
 */
#ifndef URING_DMABUF_FUZZ_H
#define URING_DMABUF_FUZZ_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <liburing.h>

#include "common.h"

/* --- seeded randomness (splitmix64: one state word per thread) ---------- */

struct rng {
	uint64_t s;
};

static inline uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t rnd_below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

/* True with probability pct percent. */
static inline int chance(struct rng *r, unsigned int pct)
{
	return rnd_below(r, 100) < pct;
}

/* --- memory the calls point at (mem.c) ---------------------------------- */

enum region_kind {
	RK_ANON,	 /* private anonymous, read-write */
	RK_ANON_RO,	 /* private anonymous, PROT_READ */
	RK_PROT_NONE,
	RK_THP,		 /* MADV_HUGEPAGE, 2 MiB aligned */
	RK_HUGETLB,	 /* MAP_HUGETLB private */
	RK_MEMFD,	 /* shmem, MAP_SHARED */
	RK_HUGE_MEMFD,	 /* memfd MFD_HUGETLB, MAP_SHARED */
	RK_FILE_SHARED,	 /* ext4 page cache, MAP_SHARED read-write */
	RK_FILE_PRIV_RO, /* ext4, MAP_PRIVATE PROT_READ */
	RK_FILE_PRIV_RW, /* ext4, MAP_PRIVATE read-write (COW copies) */
	RK_PFNMAP,	 /* an mmap of one of our own dma-bufs */
	RK_UNMAPPED,	 /* low addresses nothing ever maps */
	RK_KERNEL,	 /* above TASK_SIZE */
	RK_ALIAS,	 /* a memfd mapped twice side by side: each page twice */
	/* Shared with the racer thread (racer.c), which meanwhile: */
	RK_RACE,	 /* unmaps, mprotects, swaps a file's pages in */
	RK_RACE_SEAL,	 /* remaps the memfd read-only, seals it F_SEAL_WRITE */
	RK_RACE_HUGE,	 /* punches holes in the hugetlb memfd, fills them */
	RK_RACE_ALIAS,	 /* maps the memfd's first half over its second */
	RK_NR
};

struct region {
	enum region_kind kind;
	unsigned char *p;
	size_t len;
	/* What a range inside gets: 0 or an errno, writable and READONLY. */
	int err_rw, err_ro;
	/* The bytes may be written and read back through a dma-buf. */
	int coherent;
	atomic_int dead;	/* a race region the racer lost */
	int fd;			/* race regions: the memfd mapped there, or -1 */
	/* RK_RACE_SEAL: memfds mapped so far; the one F_SEAL_WRITE sealed */
	atomic_int gen, sealed_gen;
};

#define FUZZ_MAX_THREADS 8
/* Two RK_RACE, then one each of RK_RACE_SEAL, RK_RACE_HUGE, RK_RACE_ALIAS. */
#define FUZZ_RACE_REGIONS 5
/* What the racer swaps into RK_RACE regions: a file's pages carry it at +512. */
#define FUZZ_FILE_MARK 0x46494c4550414745ULL
#define FUZZ_FILE_MARK_OFF 512

/* Every region of one worker, the race regions shared by all. */
struct arena {
	struct region r[RK_NR];
	int nr;
};

int arena_init(struct arena *a, int worker);
struct region *arena_pick(struct arena *a, struct rng *r);
/* The race regions; the racer thread (racer.c) plays with them. */
extern struct region race_regions[FUZZ_RACE_REGIONS];
int race_init(void);
/* The file the racer swaps into RK_RACE regions (ramfs or ext4), or -1. */
extern int race_file_fd;
/* A fresh memfd of len bytes (MFD_ALLOW_SEALING); -errno on failure. */
int race_memfd(size_t len, int huge);
const char *region_name(enum region_kind kind);
/* What else than success a range in a race region may get. */
int race_errnos(const struct region *reg, int readonly, int *errs);
/* Unmap the hugetlb regions, for the pool check at the end of the run. */
void arena_free_hugetlb(struct arena *a);
void race_free_hugetlb(void);

/* --- dma-bufs a worker holds (bufs.c) ----------------------------------- */

#define BUF_TRACK_RANGES 8
#define BUF_MAX 48

struct tracked_range {
	struct region *reg;
	size_t off, len;
};

struct dbuf {
	int fd;
	uint64_t bytes;
	int readonly;
	int cloexec;
	/* Made of several ranges: a page may appear twice (no device writes). */
	int may_alias;
	/* A page surely appears twice: devices may only read it (EINVAL else). */
	int must_alias;
	/* Where its bytes come from, if every range is coherent memory. */
	int nr;
	struct tracked_range r[BUF_TRACK_RANGES];
	/* A live mmap of it (may outlive the fd). */
	unsigned char *map;
	size_t map_len;
	size_t map_off;
};

/* --- devmem TX bindings a worker holds (tx.c) ------------------------- */

#define TX_MAX_BINDINGS 8
#define TX_MAX_CLOSED 64

struct txbind {
	int gfd;		/* its netlink socket: closing it unbinds */
	uint32_t id;
	uint64_t bytes;		/* the dma-buf's size */
};

/* --- one worker's state -------------------------------------------------- */

struct worker {
	int id;
	struct rng rng;
	struct arena arena;
	struct io_uring ring;
	int ring_ok;
	int nr_fixed;		/* registered buffers: the first nr_fixed regions */
	struct region *fixed[5];
	struct dbuf bufs[BUF_MAX];
	int nr_bufs;
	int tx_sock;		/* TCP from sim0a to sim0b, SO_ZEROCOPY */
	struct txbind tx[TX_MAX_BINDINGS];
	int nr_tx;
	uint32_t tx_closed[TX_MAX_CLOSED];	/* ids it unbound */
	int nr_tx_closed;
	long calls;		/* entry-point calls made */
	long op_no;		/* index of the op running, for replay */
	const char *op;		/* name of the op running */
	pid_t tid;		/* its thread, for the stall report */
};

/* --- the run, shared by all threads (main.c) ------------------------------ */

struct fuzz {
	uint64_t seed;
	int dev;		/* the device, opened once */
	int importer;		/* /dev/uring_dmabuf_importer or -1 */
	int foreign_dmabuf;	/* a dma-buf of another exporter, or -1 */
	int pass_tx;		/* fd passing: workers send here */
	int pass_rx;		/* the receiver thread reads here */
	unsigned int max_ranges;
	uint64_t totalram_pages;	/* MemTotal: more is ENOMEM before pinning */
	int have_ext4;
	const char *ext4_dir;
	atomic_long *calls;	/* shared: forked children count theirs */
	atomic_int children;	/* forked and not reaped: they hold copies of our fds */
	atomic_int failures;
	atomic_int stop;
	double deadline;	/* monotonic seconds */
	int verbose;
};

extern struct fuzz F;

double now_sec(void);

/* A failed expectation: one "not ok" line with what replays it. */
void fuzz_fail(struct worker *w, const char *fmt, ...) PRINTF(2, 3);
/* Checks that ret (a result or -errno) is one of the allowed outcomes. */
int expect(struct worker *w, long ret, const int *allowed, int n,
	   const char *what);
#define EXPECT(w, ret, what, ...)                                             \
	({                                                                    \
		const int _a[] = { __VA_ARGS__ };                              \
		expect(w, ret, _a, sizeof(_a) / sizeof(_a[0]), what);          \
	})
/* Holds the output so that diagnostics stay with their "not ok" line. */
void fuzz_lock(void);
void fuzz_unlock(void);
/* Names the running thread's worker in crash reports. */
void fuzz_set_current(struct worker *w);
/* Counts one call into an entry point. */
void fuzz_count(struct worker *w);

/* --- the operations ------------------------------------------------------- */

void op_create(struct worker *w);
void op_create_fixed(struct worker *w);
void op_reregister(struct worker *w);
void op_info(struct worker *w);
void op_version(struct worker *w);
void op_bad_ioctl(struct worker *w);
void op_mmap(struct worker *w);
void op_munmap(struct worker *w);
void op_sync(struct worker *w);
void op_import(struct worker *w);
void op_close(struct worker *w);
void op_pass(struct worker *w);
void op_fork(struct worker *w);
void op_unprivileged(struct worker *w);
void op_bind_tx(struct worker *w);
void op_send_tx(struct worker *w);
void op_unbind_tx(struct worker *w);

/* main.c: 1 if op @name runs (URING_DMABUF_FUZZ_OPS may leave it out) */
int op_enabled(const char *name);

/* tx.c: 1 if the TX ops can run (BIND_TX, the simulated NIC, connections) */
int tx_setup(struct worker *workers, int nr);
void tx_close_all(struct worker *w);
void tx_finish(struct worker *workers, int nr);

/* create.c: a range of len bytes over reg surely holds a page twice */
int range_aliases(const struct region *reg, uint64_t len);

/* fixed.c: a ring with the worker's buffers registered; 0 or -errno */
int fixed_init(struct worker *w);
/* Registers (start) or unregisters the buffers around an epoch. */
void fixed_epoch(struct worker *w, int start);

/* bufs.c */
struct dbuf *buf_add(struct worker *w, int fd, uint64_t bytes, int readonly,
		     int cloexec);
struct dbuf *buf_pick(struct worker *w);
void buf_drop(struct worker *w, struct dbuf *b);
void buf_close_all(struct worker *w);
/* Writes a word through the source memory, reads it through the dma-buf. */
int buf_check_coherent(struct worker *w, struct dbuf *b, const char *what);
/* Checks INFO of a buffer against what its creation promised. */
void buf_check_info(struct worker *w, struct dbuf *b);

/* racer.c: munmap/mprotect/madvise/fork against the workers' creates */
void *racer_main(void *arg);
extern long racer_usecs;
/* The 2 MiB pool's reserved count when the epoch started; losses seen. */
extern long long racer_resv0;
extern atomic_long racer_resv_lost;
/* pass.c: receives fds passed by the workers */
void *receiver_main(void *arg);

/* watchdog.c: a run whose call counter stops while armed is reported and ended */
void watchdog_start(struct worker *const *ws, int n);
void watchdog_arm(int on);

/* The errnos each entry point documents. */
#define CREATE_ERRNOS EINVAL, E2BIG, EFAULT, EOPNOTSUPP, EPERM, ENOMEM, EMFILE, EINTR
#define FIXED_ERRNOS EINVAL, EFAULT, EOPNOTSUPP, EPERM, ENOTTY, ENOMEM, EMFILE

#endif /* URING_DMABUF_FUZZ_H */
