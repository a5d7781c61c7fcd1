/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the guest test programs: result lines in the harness's
 * protocol, raw wrappers around the uapi, pin bookkeeping, and allocators
 * for every kind of memory a dma-buf can be made from.
 *
 * Protocol: "ok DESC", "not ok DESC" + "# ..." lines, "ok DESC # SKIP WHY";
 * exit 0 (all passed), 1 (something failed), 77 (whole program skipped).
 */
#ifndef URING_DMABUF_TEST_COMMON_H
#define URING_DMABUF_TEST_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/uring_dmabuf.h>

/* glibc's <sys/mman.h> has them only since 2.35 (with _GNU_SOURCE). */
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << 26)
#endif
#ifndef MAP_HUGE_1GB
#define MAP_HUGE_1GB (30 << 26)
#endif

#define PAGE_SZ 4096UL
#define MIB (1024UL * 1024UL)
#define SZ_2M (2 * MIB)
#define SZ_1G (1024 * MIB)

#define SYSFS_CLASS "/sys/class/misc/uring_dmabuf/"
#define SYSFS_PARAM "/sys/module/uring_dmabuf/parameters/"

#define PRINTF(a, b) __attribute__((format(printf, a, b)))

/* --- results --------------------------------------------------------- */

/* Line-buffers stdout and records the pin baseline checked by t_finish(). */
void t_init(void);
/* Prints "ok"/"not ok" DESC; returns cond so callers can add diagnostics. */
int t_ok(int cond, const char *fmt, ...) PRINTF(2, 3);
void t_diag(const char *fmt, ...) PRINTF(1, 2);
void t_skip(const char *reason, const char *fmt, ...) PRINTF(2, 3);
/* "# SKIP REASON" and exit 77: the program cannot run here at all. */
void t_skip_all(const char *fmt, ...) PRINTF(1, 2) __attribute__((noreturn));
/* Exit code of a forked child so far: 1 if any of its checks failed. */
int t_failed(void);
/* Checks that nothing stayed pinned since t_init(); returns the exit code. */
int t_finish(void);

/* ret is a result or -errno; passes if it is exactly -want. */
int t_errno(long ret, int want, const char *fmt, ...) PRINTF(3, 4);
/* waitpid() on a child that printed its own lines; passes if it exited 0. */
int t_child(pid_t pid, const char *fmt, ...) PRINTF(2, 3);
/*
 * fflush before fork so no buffered line is printed twice; the child starts
 * with no failed check, so its t_failed() is about its own checks only.
 */
pid_t t_fork(void);

const char *errname(int err);

/* --- the device ------------------------------------------------------- */

/* Opens URING_DMABUF_DEVICE or skips the whole program. */
int dev_open(void);
/* ioctl(), returning its result or -errno. */
long ioctl_ret(int fd, unsigned long req, void *arg);
/* Fills a VER0-sized create struct; returns the new fd or -errno. */
int ud_create(int dev, const struct uring_dmabuf_range *ranges,
	      unsigned int nr, unsigned int flags, uint64_t *bytes);
int ud_create1(int dev, const void *addr, size_t len, unsigned int flags);
int ud_info(int dev, int fd, struct uring_dmabuf_info *info);
int ud_version(int dev, struct uring_dmabuf_version *ver);

/* --- pins and counters ------------------------------------------------- */

struct pins {
	long long gup;		/* nr_foll_pin_acquired - released (pages) */
	long long vmpin_kb;	/* VmPin of this process */
	long long mod_bytes;	/* module counter pinned_bytes, -1 if absent */
	long long mod_buffers;	/* module counter buffers, -1 if absent */
	int fds;		/* open file descriptors */
};

void pins_get(struct pins *p);
/* The module's sysfs counter SYSFS_CLASS NAME, or -1 if it cannot be read. */
long long mod_counter(const char *name);
/* Waits briefly for the counters to settle back to base; 0 if they do. */
int pins_wait_back(const struct pins *base, struct pins *now);
/* Prints "# " lines for every counter that differs. */
void pins_diag(const struct pins *base, const struct pins *now);
/* One result: got -want and nothing pinned or leaked since base. */
int t_err_clean(long ret, int want, const struct pins *base,
		const char *fmt, ...) PRINTF(4, 5);
/* One result: everything back to base (after closing buffers). */
int t_pins_back(const struct pins *base, const char *fmt, ...) PRINTF(2, 3);

/*
 * The running kernel is at least major.minor (uname's release): for checks
 * whose right outcome depends on the version.
 */
int kernel_at_least(int major, int minor);
/* Sleeps ms milliseconds, for polling what settles asynchronously. */
void msleep(long ms);
long long vmpin_kb(void);
/* MemTotal in pages: the kernel's totalram_pages(), -1 if unreadable. */
long long memtotal_pages(void);
/*
 * Lowers RLIMIT_NOFILE so that no fd is free; returns the old soft limit
 * to hand to fds_unlimit(), or 0 on failure.
 */
unsigned long fds_exhaust(void);
void fds_unlimit(unsigned long old);
int count_fds(void);
int fd_cloexec(int fd);

/* --- files ------------------------------------------------------------- */

/* Reads a small file; returns bytes read or -errno. */
int read_text(const char *path, char *buf, size_t size);
int read_ull(const char *path, unsigned long long *val);
int write_text(const char *path, const char *text);
/* "Field:" in /proc/self/smaps for the mapping holding addr, in kB, or -1. */
long long smaps_kb(const void *addr, const char *field);
/*
 * The page frame behind @addr from /proc/self/pagemap (root sees PFNs):
 * the PFN, -ENOENT if no page is present there, or -errno.
 */
long long pagemap_pfn(const void *addr);

/* --- memory ------------------------------------------------------------ */

enum mem_kind {
	MEM_ANON,	/* private anonymous, 4 KiB pages */
	MEM_THP,	/* private anonymous, 2 MiB aligned, MADV_HUGEPAGE */
	MEM_HUGE_2M,	/* MAP_HUGETLB 2 MiB */
	MEM_HUGE_1G,	/* MAP_HUGETLB 1 GiB */
	MEM_MEMFD,	/* memfd_create + MAP_SHARED (shmem) */
	MEM_HUGE_MEMFD,	/* memfd_create(MFD_HUGETLB) + MAP_SHARED */
};

struct mem {
	enum mem_kind kind;
	unsigned char *p;	/* aligned start, len bytes */
	size_t len;
	void *map;		/* what to munmap */
	size_t map_len;
	int fd;			/* memfd, or -1 */
};

const char *mem_kind_name(enum mem_kind kind);
/* Maps len bytes (not touched yet); 0 or -errno. */
int mem_alloc(struct mem *m, enum mem_kind kind, size_t len);
/*
 * The same between PROT_NONE guards of at least the kind's page size, so
 * that a range running off either end faults instead of meeting another
 * mapping (the fuzzer's ranges do).
 */
int mem_alloc_guarded(struct mem *m, enum mem_kind kind, size_t len);
void mem_free(struct mem *m);

/* The 2 MiB hugetlb pool's counters (/sys/kernel/mm/hugepages). */
struct hugepool {
	long long free;		/* free_hugepages */
	long long resv;		/* resv_hugepages: promised to mappings */
	long long surplus;	/* surplus_hugepages */
};

/* 0, or -errno if the pool's counters cannot be read. */
int hugepool_get(struct hugepool *h);
/* One result: the pool's counters equal base again. */
int t_hugepool_back(const struct hugepool *base, const char *fmt, ...)
	PRINTF(2, 3);

/* 8-byte words derived from seed and the byte offset. */
void pattern_fill(void *p, size_t len, uint64_t seed, uint64_t off);
/* Offset of the first wrong word, or -1 if all match. */
long long pattern_check(const void *p, size_t len, uint64_t seed,
			uint64_t off);
/* One word every stride bytes, for memory too big to fill under TCG. */
void pattern_fill_sparse(void *p, size_t len, uint64_t seed, size_t stride);
long long pattern_check_sparse(const void *p, size_t len, uint64_t seed,
			       size_t stride);

/* CLOCK_MONOTONIC in seconds, for bounding races. */
double mono_sec(void);
/* splitmix64: the next pseudo-random word of *state. */
uint64_t rand_next(uint64_t *state);
/*
 * memfd_create(name, flags | MFD_CLOEXEC), 2 MiB hugetlb if huge, of len
 * bytes; -1 with errno on failure.
 */
int memfd_sized(const char *name, unsigned int flags, int huge, size_t len);

/* mmap of a dma-buf (MAP_SHARED); MAP_FAILED with errno on failure. */
void *dmabuf_map(int fd, size_t len, int prot, off_t off);

#endif /* URING_DMABUF_TEST_COMMON_H */
