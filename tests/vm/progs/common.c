// SPDX-License-Identifier: GPL-2.0
/* Shared helpers of the guest test programs (see common.h). */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/memfd.h>

#include "common.h"

static int failed;
static struct pins start;

/* --- results --------------------------------------------------------- */

static void vline(const char *prefix, const char *fmt, va_list ap,
		  const char *suffix)
{
	fputs(prefix, stdout);
	vprintf(fmt, ap);
	fputs(suffix, stdout);
	fputc('\n', stdout);
}

/*
 * A program built -m32 (tests/Makefile: NN-name-m32) is there to reach the
 * module through its compat_ioctl path: it must be an i386 process, which
 * its name alone does not make it. Its own ELF header (i386, not x32) and
 * its type sizes say so; a 64-bit build under that name fails here.
 */
static void check_m32(void)
{
	const char *name = program_invocation_short_name;
	size_t n = strlen(name);
	unsigned char eh[20] = { 0 };
	unsigned int machine;
	int fd;

	if (n < 4 || strcmp(name + n - 4, "-m32"))
		return;
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, eh, sizeof(eh)) != sizeof(eh))
		t_diag("/proc/self/exe: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	/* e_machine: the 16 bits after e_ident and e_type, little endian. */
	machine = eh[EI_NIDENT + 2] | eh[EI_NIDENT + 3] << 8;
	if (!t_ok(!memcmp(eh, ELFMAG, SELFMAG) && eh[EI_CLASS] == ELFCLASS32 &&
		  machine == EM_386 && sizeof(long) == 4 && sizeof(void *) == 4,
		  "32-bit process: i386 ELF (class 32), sizeof(long) and "
		  "sizeof(void *) 4"))
		t_diag("ELF class %u, machine %u, sizeof(long) %zu, "
		       "sizeof(void *) %zu", eh[EI_CLASS], machine,
		       sizeof(long), sizeof(void *));
}

void t_init(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	check_m32();
	pins_get(&start);
}

/* One result line; a failed one fails the program. */
static void vresult(int good, const char *fmt, va_list ap)
{
	vline(good ? "ok " : "not ok ", fmt, ap, "");
	if (!good)
		failed = 1;
}

int t_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vresult(cond, fmt, ap);
	va_end(ap);
	return cond;
}

void t_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("# ", fmt, ap, "");
	va_end(ap);
}

void t_skip(const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("ok ", stdout);
	vprintf(fmt, ap);
	printf(" # SKIP %s\n", reason);
	va_end(ap);
}

void t_skip_all(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("# SKIP ", fmt, ap, "");
	va_end(ap);
	exit(77);
}

int t_failed(void)
{
	return failed;
}

int t_finish(void)
{
	struct pins now;

	/* The program's own leaks show here even if every check passed. */
	if (!t_ok(!pins_wait_back(&start, &now),
		  "end of program: pins and module counters at their start values"))
		pins_diag(&start, &now);
	return failed ? 1 : 0;
}

const char *errname(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "E?";
}

int t_errno(long ret, int want, const char *fmt, ...)
{
	int good = ret == -want;
	va_list ap;

	va_start(ap, fmt);
	vresult(good, fmt, ap);
	va_end(ap);
	if (!good) {
		if (ret < 0)
			t_diag("got %s (%ld), want %s", errname(-ret), ret,
			       errname(want));
		else
			t_diag("got success (%ld), want %s", ret, errname(want));
	}
	return good;
}

int kernel_at_least(int major, int minor)
{
	struct utsname u;
	int maj = 0, min = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &maj, &min) != 2)
		return 0;
	return maj > major || (maj == major && min >= minor);
}

pid_t t_fork(void)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		t_ok(0, "fork");
		t_diag("fork: %s", strerror(errno));
	}
	/* The child's exit code (t_failed) counts its own checks only. */
	if (pid == 0)
		failed = 0;
	return pid;
}

int t_child(pid_t pid, const char *fmt, ...)
{
	int status = 0, good;
	va_list ap;

	if (pid < 0)
		return 0;
	if (waitpid(pid, &status, 0) != pid)
		status = -1;
	good = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	va_start(ap, fmt);
	vresult(good, fmt, ap);
	va_end(ap);
	if (!good) {
		if (WIFEXITED(status))
			t_diag("child exited with %d", WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			t_diag("child killed by signal %d", WTERMSIG(status));
		else
			t_diag("waitpid failed: %s", strerror(errno));
	}
	return good;
}

/* --- the device ------------------------------------------------------- */

int dev_open(void)
{
	int fd = open(URING_DMABUF_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		t_skip_all("cannot open %s: %s (module not loaded?)",
			   URING_DMABUF_DEVICE, strerror(errno));
	return fd;
}

long ioctl_ret(int fd, unsigned long req, void *arg)
{
	long ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

int ud_create(int dev, const struct uring_dmabuf_range *ranges,
	      unsigned int nr, unsigned int flags, uint64_t *bytes)
{
	struct uring_dmabuf_create c;
	long ret;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.flags = flags;
	c.ranges = (uintptr_t)ranges;
	c.nr_ranges = nr;
	c.fd = -1;
	ret = ioctl_ret(dev, URING_DMABUF_IOC_CREATE, &c);
	if (ret < 0)
		return ret;
	if (bytes)
		*bytes = c.bytes;
	return c.fd;
}

int ud_create1(int dev, const void *addr, size_t len, unsigned int flags)
{
	struct uring_dmabuf_range r = { .addr = (uintptr_t)addr, .len = len };

	return ud_create(dev, &r, 1, flags, NULL);
}

int ud_info(int dev, int fd, struct uring_dmabuf_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->fd = fd;
	return ioctl_ret(dev, URING_DMABUF_IOC_INFO, info);
}

int ud_version(int dev, struct uring_dmabuf_version *ver)
{
	memset(ver, 0, sizeof(*ver));
	ver->size = sizeof(*ver);
	return ioctl_ret(dev, URING_DMABUF_IOC_VERSION, ver);
}

/* --- files ------------------------------------------------------------- */

int read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return n;
}

int read_ull(const char *path, unsigned long long *val)
{
	char buf[64], *end;
	int n = read_text(path, buf, sizeof(buf));

	if (n < 0)
		return n;
	errno = 0;
	*val = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

/* Value after "name" at the start of a line of a /proc file, or -1. */
static long long proc_field(const char *path, const char *name)
{
	long long val = -1;
	size_t len = strlen(name);
	char line[256];
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, len)) {
			val = strtoll(line + len, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

long long pagemap_pfn(const void *addr)
{
	static int fd = -1;
	uint64_t e;
	off_t off = (uintptr_t)addr / PAGE_SZ * sizeof(e);

	if (fd < 0)
		fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (pread(fd, &e, sizeof(e), off) != sizeof(e))
		return -EIO;
	if (!(e >> 63))
		return -ENOENT;
	return e & ((1ULL << 55) - 1);
}

long long smaps_kb(const void *addr, const char *field)
{
	unsigned long a = (unsigned long)addr, lo, hi;
	long long val = -1;
	size_t len = strlen(field);
	char line[512];
	int inside = 0;
	FILE *f = fopen("/proc/self/smaps", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* Field lines never parse as "hex-hex" (e.g. "AnonHuge..."). */
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			inside = a >= lo && a < hi;
			continue;
		}
		if (inside && !strncmp(line, field, len)) {
			val = strtoll(line + len, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

/* --- pins and counters ------------------------------------------------- */

void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

long long vmpin_kb(void)
{
	return proc_field("/proc/self/status", "VmPin:");
}

long long memtotal_pages(void)
{
	long long kb = proc_field("/proc/meminfo", "MemTotal:");

	return kb < 0 ? -1 : kb / (long long)(PAGE_SZ / 1024);
}

int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

unsigned long fds_exhaust(void)
{
	struct rlimit rl;
	unsigned long old;
	int lowest = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (lowest < 0 || getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	close(lowest);
	/* Every fd below the lowest free one is in use. */
	old = rl.rlim_cur;
	rl.rlim_cur = lowest;
	return setrlimit(RLIMIT_NOFILE, &rl) ? 0 : old;
}

void fds_unlimit(unsigned long old)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = old;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int fd_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	return flags >= 0 && (flags & FD_CLOEXEC);
}

long long mod_counter(const char *name)
{
	char path[128];
	unsigned long long v;

	snprintf(path, sizeof(path), SYSFS_CLASS "%s", name);
	return read_ull(path, &v) ? -1 : (long long)v;
}

void pins_get(struct pins *p)
{
	/* Fold the per-cpu vmstat deltas so the two counters are exact. */
	write_text("/proc/sys/vm/stat_refresh", "1");
	p->gup = proc_field("/proc/vmstat", "nr_foll_pin_acquired ") -
		 proc_field("/proc/vmstat", "nr_foll_pin_released ");
	p->vmpin_kb = vmpin_kb();
	p->mod_bytes = mod_counter("pinned_bytes");
	p->mod_buffers = mod_counter("buffers");
	p->fds = count_fds();
}

static int pins_equal(const struct pins *a, const struct pins *b)
{
	return a->gup == b->gup && a->vmpin_kb == b->vmpin_kb &&
	       a->mod_bytes == b->mod_bytes &&
	       a->mod_buffers == b->mod_buffers && a->fds == b->fds;
}

int pins_wait_back(const struct pins *base, struct pins *now)
{
	int i;

	/*
	 * Releases may finish in task work or a workqueue (io_uring frees a
	 * ring's buffers from one): allow ~5 s.
	 */
	for (i = 0; i < 100; i++) {
		pins_get(now);
		if (pins_equal(base, now))
			return 0;
		msleep(50);
	}
	return -1;
}

void pins_diag(const struct pins *base, const struct pins *now)
{
	if (base->gup != now->gup)
		t_diag("foll pins outstanding: %lld before, %lld now",
		       base->gup, now->gup);
	if (base->vmpin_kb != now->vmpin_kb)
		t_diag("VmPin: %lld kB before, %lld kB now", base->vmpin_kb,
		       now->vmpin_kb);
	if (base->mod_bytes != now->mod_bytes)
		t_diag("module pinned_bytes: %lld before, %lld now",
		       base->mod_bytes, now->mod_bytes);
	if (base->mod_buffers != now->mod_buffers)
		t_diag("module buffers: %lld before, %lld now",
		       base->mod_buffers, now->mod_buffers);
	if (base->fds != now->fds)
		t_diag("open fds: %d before, %d now", base->fds, now->fds);
}

int t_err_clean(long ret, int want, const struct pins *base,
		const char *fmt, ...)
{
	struct pins now;
	int clean, good;
	va_list ap;

	if (ret >= 0)
		close(ret);	/* an unexpected fd: do not leak it further */
	clean = !pins_wait_back(base, &now);
	good = ret == -want && clean;
	va_start(ap, fmt);
	vresult(good, fmt, ap);
	va_end(ap);
	if (good)
		return 1;
	if (ret != -want) {
		if (ret < 0)
			t_diag("got %s (%ld), want %s", errname(-ret), ret,
			       errname(want));
		else
			t_diag("got success (fd %ld), want %s", ret,
			       errname(want));
	}
	if (!clean)
		pins_diag(base, &now);
	return 0;
}

int t_pins_back(const struct pins *base, const char *fmt, ...)
{
	struct pins now;
	int good = !pins_wait_back(base, &now);
	va_list ap;

	va_start(ap, fmt);
	vresult(good, fmt, ap);
	va_end(ap);
	if (!good)
		pins_diag(base, &now);
	return good;
}

/* --- memory ------------------------------------------------------------ */

#define HUGEPOOL_2M "/sys/kernel/mm/hugepages/hugepages-2048kB/"

int hugepool_get(struct hugepool *h)
{
	unsigned long long f, r, s;
	int err = read_ull(HUGEPOOL_2M "free_hugepages", &f);

	if (!err)
		err = read_ull(HUGEPOOL_2M "resv_hugepages", &r);
	if (!err)
		err = read_ull(HUGEPOOL_2M "surplus_hugepages", &s);
	if (err)
		return err;
	h->free = (long long)f;
	h->resv = (long long)r;
	h->surplus = (long long)s;
	return 0;
}

int t_hugepool_back(const struct hugepool *base, const char *fmt, ...)
{
	struct hugepool now = { -1, -1, -1 };
	int good = !hugepool_get(&now) && now.free == base->free &&
		   now.resv == base->resv && now.surplus == base->surplus;
	va_list ap;

	va_start(ap, fmt);
	vresult(good, fmt, ap);
	va_end(ap);
	if (!good) {
		t_diag("2 MiB pool: free %lld (was %lld), reserved %lld (was %lld), surplus %lld (was %lld)",
		       now.free, base->free, now.resv, base->resv,
		       now.surplus, base->surplus);
	}
	return good;
}

const char *mem_kind_name(enum mem_kind kind)
{
	switch (kind) {
	case MEM_ANON:		return "anonymous 4 KiB";
	case MEM_THP:		return "THP";
	case MEM_HUGE_2M:	return "hugetlb 2 MiB";
	case MEM_HUGE_1G:	return "hugetlb 1 GiB";
	case MEM_MEMFD:		return "memfd (shmem)";
	case MEM_HUGE_MEMFD:	return "hugetlb memfd";
	}
	return "?";
}

/*
 * Sealing allowed: udmabuf (the benchmark's reference) wants F_SEAL_SHRINK,
 * and no test relies on a memfd of mem_alloc() refusing seals.
 */
static int map_memfd(struct mem *m, unsigned int flags, size_t len, void *at)
{
	m->fd = memfd_create("uring_dmabuf_test",
			     MFD_CLOEXEC | MFD_ALLOW_SEALING | flags);
	if (m->fd < 0)
		return -errno;
	if (ftruncate(m->fd, len)) {
		int err = -errno;

		close(m->fd);
		m->fd = -1;
		return err;
	}
	m->map = mmap(at, len, PROT_READ | PROT_WRITE,
		      MAP_SHARED | (at ? MAP_FIXED : 0), m->fd, 0);
	m->map_len = len;
	return 0;
}

/* At @at (MAP_FIXED, aligned for the kind) or where the kernel likes. */
static int mem_alloc_at(struct mem *m, enum mem_kind kind, size_t len,
			void *at)
{
	int anon = MAP_PRIVATE | MAP_ANONYMOUS | (at ? MAP_FIXED : 0);
	int prot = PROT_READ | PROT_WRITE;
	int err;

	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->fd = -1;
	m->len = len;
	m->map_len = len;
	switch (kind) {
	case MEM_ANON:
		m->map = mmap(at, len, prot, anon, -1, 0);
		break;
	case MEM_THP:
		/* Over-allocate so a 2 MiB aligned start exists. */
		if (!at)
			m->map_len = len + SZ_2M;
		m->map = mmap(at, m->map_len, prot, anon, -1, 0);
		break;
	case MEM_HUGE_2M:
		m->map = mmap(at, len, prot, anon | MAP_HUGETLB | MAP_HUGE_2MB,
			      -1, 0);
		break;
	case MEM_HUGE_1G:
		m->map = mmap(at, len, prot, anon | MAP_HUGETLB | MAP_HUGE_1GB,
			      -1, 0);
		break;
	case MEM_MEMFD:
		err = map_memfd(m, 0, len, at);
		if (err)
			return err;
		break;
	case MEM_HUGE_MEMFD:
		err = map_memfd(m, MFD_HUGETLB | MFD_HUGE_2MB, len, at);
		if (err)
			return err;
		break;
	}
	if (m->map == MAP_FAILED) {
		err = -errno;
		if (m->fd >= 0)
			close(m->fd);
		m->fd = -1;
		m->map = NULL;
		return err;
	}
	m->p = m->map;
	if (kind == MEM_THP) {
		m->p = (unsigned char *)(((uintptr_t)m->map + SZ_2M - 1) &
					 ~(SZ_2M - 1));
		if (madvise(m->p, len, MADV_HUGEPAGE))
			t_diag("madvise(MADV_HUGEPAGE): %s", strerror(errno));
	}
	return 0;
}

int mem_alloc(struct mem *m, enum mem_kind kind, size_t len)
{
	return mem_alloc_at(m, kind, len, NULL);
}

static size_t mem_kind_align(enum mem_kind kind)
{
	switch (kind) {
	case MEM_HUGE_1G:
		return SZ_1G;
	case MEM_THP:
	case MEM_HUGE_2M:
	case MEM_HUGE_MEMFD:
		return SZ_2M;
	default:
		return PAGE_SZ;
	}
}

int mem_alloc_guarded(struct mem *m, enum mem_kind kind, size_t len)
{
	size_t align = mem_kind_align(kind), total = len + 3 * align;
	unsigned char *raw, *at;
	int err;

	raw = mmap(NULL, total, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return -errno;
	at = (unsigned char *)(((uintptr_t)raw + 2 * align - 1) & ~(align - 1));
	err = mem_alloc_at(m, kind, len, at);
	if (err) {
		munmap(raw, total);
		return err;
	}
	/* mem_free() takes the guards with it. */
	m->map = raw;
	m->map_len = total;
	return 0;
}

void mem_free(struct mem *m)
{
	if (m->map)
		munmap(m->map, m->map_len);
	if (m->fd >= 0)
		close(m->fd);
	m->map = NULL;
	m->p = NULL;
	m->fd = -1;
}

static uint64_t pattern_word(uint64_t seed, uint64_t off)
{
	uint64_t x = (seed + 1) * 0x9e3779b97f4a7c15ULL ^ off;

	return x ^ (x >> 29);
}

void pattern_fill(void *p, size_t len, uint64_t seed, uint64_t off)
{
	uint64_t *w = p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		w[i] = pattern_word(seed, off + i * 8);
}

long long pattern_check(const void *p, size_t len, uint64_t seed, uint64_t off)
{
	const uint64_t *w = p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (w[i] != pattern_word(seed, off + i * 8))
			return i * 8;
	return -1;
}

void pattern_fill_sparse(void *p, size_t len, uint64_t seed, size_t stride)
{
	size_t off;

	for (off = 0; off < len; off += stride)
		*(uint64_t *)((char *)p + off) = pattern_word(seed, off);
}

long long pattern_check_sparse(const void *p, size_t len, uint64_t seed,
			       size_t stride)
{
	size_t off;

	for (off = 0; off < len; off += stride)
		if (*(const uint64_t *)((const char *)p + off) !=
		    pattern_word(seed, off))
			return off;
	return -1;
}

void *dmabuf_map(int fd, size_t len, int prot, off_t off)
{
	return mmap(NULL, len, prot, MAP_SHARED, fd, off);
}

double mono_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

uint64_t rand_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int memfd_sized(const char *name, unsigned int flags, int huge, size_t len)
{
	int fd;

	if (huge)
		flags |= MFD_HUGETLB | MFD_HUGE_2MB;
	fd = memfd_create(name, flags | MFD_CLOEXEC);
	if (fd >= 0 && ftruncate(fd, (off_t)len)) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}
