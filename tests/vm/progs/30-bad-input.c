// SPDX-License-Identifier: GPL-2.0
/*
 * Every malformed CREATE gets its documented errno, pins nothing, charges
 * nothing and leaks no fd. Each case checks all of that in one line.
 *
 * The errnos, as include/uapi/linux/uring_dmabuf.h documents them, and the
 * cases here (EPERM for sealed memfds and RLIMIT_MEMLOCK have programs of
 * their own):
 *   EINVAL      size below VER0, unknown flags, a non-zero tail, nr_ranges 0,
 *               unaligned or empty ranges, wrap-around
 *   E2BIG       nr_ranges over max_ranges; a struct size over the page size
 *               (CREATE, INFO and VERSION)
 *   EFAULT      unreadable struct or ranges, an unwritable struct, unmapped,
 *               PROT_NONE, VM_IO/VM_PFNMAP or read-only (without READONLY)
 *               memory, a hole deep into a range
 *   EOPNOTSUPP  a shared mapping of an ext4 file
 *   ENOMEM      over max_pinned_mb; more pages than the machine has, checked
 *               before anything else (even with CAP_IPC_LOCK, even unmapped)
 *   EMFILE      no free fd
 *   ENOTTY      an unknown ioctl
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "common.h"

#define LEN (16 * PAGE_SZ)

static int dev;
static unsigned char *good;	/* LEN bytes of populated anonymous memory */
static struct pins base;

static long create_raw(void *arg)
{
	return ioctl_ret(dev, URING_DMABUF_IOC_CREATE, arg);
}

/* Create with one range; returns the fd (closed by t_err_clean) or -errno. */
static long create1(uint64_t addr, uint64_t len, unsigned int flags)
{
	struct uring_dmabuf_range r = { addr, len };

	return ud_create(dev, &r, 1, flags, NULL);
}

static void expect1(uint64_t addr, uint64_t len, unsigned int flags, int err,
		    const char *what)
{
	t_err_clean(create1(addr, len, flags), err, &base, "%s fails with %s",
		    what, errname(err));
}

static void test_ranges_shape(void)
{
	uint64_t g = (uintptr_t)good;

	expect1(g + 8, PAGE_SZ, 0, EINVAL, "unaligned addr");
	expect1(g, PAGE_SZ + 8, 0, EINVAL, "unaligned len");
	expect1(g, 100, 0, EINVAL, "len smaller than a page");
	expect1(g, 0, 0, EINVAL, "zero len");
	expect1(0xfffffffffffff000ULL, 0x2000, 0, EINVAL,
		"addr+len wrapping around (0xfffffffffffff000 + 0x2000)");
	expect1(g, 0xfffffffffffff000ULL, 0, EINVAL,
		"len that wraps addr around");
	/* No wrap, just nothing of ours there: unmapped, so EFAULT. */
	expect1(0x800000000000ULL, PAGE_SZ, 0, EFAULT,
		"range just past the user address space");
	expect1(0xffff888000000000ULL, PAGE_SZ, URING_DMABUF_CREATE_READONLY,
		EFAULT, "range at a kernel address");
}

static void test_struct(void)
{
	struct uring_dmabuf_range r = { (uintptr_t)good, LEN };
	union {
		struct uring_dmabuf_create c;
		unsigned char raw[sizeof(struct uring_dmabuf_create) + 16];
	} big;
	struct uring_dmabuf_create c;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.ranges = (uintptr_t)&r;
	c.nr_ranges = 0;
	t_err_clean(create_raw(&c), EINVAL, &base,
		    "nr_ranges 0 fails with EINVAL");

	c.nr_ranges = 1;
	c.flags = 1U << 2;
	t_err_clean(create_raw(&c), EINVAL, &base,
		    "unknown flags bit 2 fails with EINVAL");
	c.flags = 1U << 31;
	t_err_clean(create_raw(&c), EINVAL, &base,
		    "unknown flags bit 31 fails with EINVAL");
	c.flags = 0;

	c.size = URING_DMABUF_CREATE_SIZE_VER0 - 8;
	t_err_clean(create_raw(&c), EINVAL, &base,
		    "size smaller than VER0 fails with EINVAL");
	c.size = 0;
	t_err_clean(create_raw(&c), EINVAL, &base, "size 0 fails with EINVAL");
	c.size = sizeof(c);

	memset(&big, 0, sizeof(big));
	big.c = c;
	big.c.size = sizeof(big);
	big.raw[sizeof(big) - 1] = 1;
	t_err_clean(create_raw(&big), EINVAL, &base,
		    "non-zero tail in an oversized struct fails with EINVAL");

	/* The same oversized struct with a zero tail is accepted. */
	big.raw[sizeof(big) - 1] = 0;
	big.c.flags = URING_DMABUF_CREATE_CLOEXEC;
	if (t_ok(create_raw(&big) == 0 && big.c.fd >= 0 && big.c.bytes == LEN,
		 "oversized struct with a zero tail succeeds"))
		close(big.c.fd);
	t_pins_back(&base, "oversized struct: close releases every pin");

	t_err_clean(create_raw((void *)16), EFAULT, &base,
		    "unreadable struct fails with EFAULT");
	c.ranges = 16;
	t_err_clean(create_raw(&c), EFAULT, &base,
		    "unreadable ranges pointer fails with EFAULT");

	t_err_clean(ioctl_ret(dev, _IO(URING_DMABUF_IOC_MAGIC, 0x1f), &c),
		    ENOTTY, &base, "unknown ioctl number 0x1f fails with ENOTTY");
	t_err_clean(ioctl_ret(dev, _IOWR('x', 1, int), &c), ENOTTY, &base,
		    "foreign ioctl number fails with ENOTTY");
}

/*
 * A struct that claims more than a page: E2BIG for every ioctl, whatever its
 * tail holds (all zero here, so that only the size is wrong), while exactly
 * a page with a zero tail is still accepted. The struct sits at the start of
 * two readable pages followed by an unmapped one, so a module that walked
 * the claimed tail would stop there (EFAULT) instead of reading on.
 */
#define SIZE_LIMIT PAGE_SZ

struct too_big_case {
	unsigned long req;
	const char *name;
	int dmabuf;		/* INFO: a dma-buf fd to ask about */
};

static void fill_struct(unsigned char *p, const struct too_big_case *tc,
			uint32_t size)
{
	static struct uring_dmabuf_range r;

	memset(p, 0, 2 * PAGE_SZ);
	if (tc->req == URING_DMABUF_IOC_CREATE) {
		struct uring_dmabuf_create *c = (void *)p;

		r.addr = (uintptr_t)good;
		r.len = LEN;
		c->flags = URING_DMABUF_CREATE_CLOEXEC;
		c->ranges = (uintptr_t)&r;
		c->nr_ranges = 1;
		c->fd = -1;
	} else if (tc->req == URING_DMABUF_IOC_INFO) {
		((struct uring_dmabuf_info *)(void *)p)->fd = tc->dmabuf;
	}
	*(uint32_t *)(void *)p = size;
}

static void test_size_too_big(void)
{
	static const uint32_t sizes[] = {
		SIZE_LIMIT + 1, SIZE_LIMIT + 8, 2 * SIZE_LIMIT, 1U << 20,
		0xffffffffU,
	};
	struct too_big_case cases[] = {
		{ URING_DMABUF_IOC_CREATE, "CREATE", -1 },
		{ URING_DMABUF_IOC_INFO, "INFO", -1 },
		{ URING_DMABUF_IOC_VERSION, "VERSION", -1 },
	};
	unsigned int i, j;
	unsigned char *p;
	long ret, fd;

	p = mmap(NULL, 3 * PAGE_SZ, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		t_ok(0, "mmap 3 pages for oversized structs");
		return;
	}
	munmap(p + 2 * PAGE_SZ, PAGE_SZ);
	fd = create1((uintptr_t)good, LEN, URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(fd >= 0, "create a dma-buf for INFO with oversized structs")) {
		t_diag("create: %s", errname(-fd));
		munmap(p, 2 * PAGE_SZ);
		return;
	}
	cases[1].dmabuf = fd;
	pins_get(&base);	/* that buffer is part of the baseline */

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct too_big_case *tc = &cases[i];

		/* The largest size allowed: a page, its tail all zero. */
		fill_struct(p, tc, SIZE_LIMIT);
		ret = ioctl_ret(dev, tc->req, p);
		if (tc->req == URING_DMABUF_IOC_CREATE) {
			struct uring_dmabuf_create *c = (void *)p;

			if (!t_ok(ret == 0 && c->fd >= 0 && c->bytes == LEN,
				  "CREATE with size %lu (the page size) and a "
				  "zero tail succeeds", SIZE_LIMIT))
				t_diag("got %s", ret ? errname(-ret) : "no fd");
			else
				close(c->fd);
			t_pins_back(&base, "CREATE with size %lu: close "
				    "releases every pin", SIZE_LIMIT);
		} else {
			t_errno(ret, 0, "%s with size %lu (the page size) and "
				"a zero tail succeeds", tc->name, SIZE_LIMIT);
		}

		for (j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
			fill_struct(p, tc, sizes[j]);
			ret = ioctl_ret(dev, tc->req, p);
			if (tc->req != URING_DMABUF_IOC_CREATE) {
				t_errno(ret, E2BIG, "%s with size %u (over "
					"the page size) fails with E2BIG",
					tc->name, sizes[j]);
				continue;
			}
			if (ret == 0)	/* the new fd, closed by t_err_clean */
				ret = ((struct uring_dmabuf_create *)(void *)p)->fd;
			t_err_clean(ret, E2BIG, &base,
				    "CREATE with size %u (over the page size) "
				    "fails with E2BIG, nothing pinned",
				    sizes[j]);
		}
	}
	close(fd);
	munmap(p, 2 * PAGE_SZ);
	pins_get(&base);
}

/*
 * More pages than the machine has can never be pinned: ENOMEM before
 * anything is looked at, charged or pinned, even for root with CAP_IPC_LOCK
 * and no max_pinned_mb, and even for address space that holds nothing (a
 * module that walked it first would say EFAULT). A 32-bit process (the
 * -m32 build) cannot reserve that much: its ranges start at 1 MiB and run
 * past the 4 GiB it can map, which must not change the answer.
 */
static void test_over_ram(void)
{
	const char *path = SYSFS_PARAM "max_pinned_mb";
	const char *where = "PROT_NONE range";
	unsigned long long old = 0, ram;
	struct uring_dmabuf_range r[2];
	uint64_t len = 64ULL << 30, part, start = MIB;
	void *p = MAP_FAILED;
	struct sysinfo si;
	char text[32], what[160];
	int restore = 0;

	if (geteuid() != 0) {
		t_skip("not root (CAP_IPC_LOCK wanted: only the RAM limit "
		       "may apply)", "create of more pages than RAM");
		return;
	}
	if (sysinfo(&si)) {
		t_ok(0, "sysinfo");
		return;
	}
	ram = (unsigned long long)si.totalram * si.mem_unit;
	while (len <= ram)
		len *= 2;
	if (read_ull(path, &old) == 0 && old) {
		if (!t_ok(write_text(path, "0") == 0,
			  "set max_pinned_mb to 0 (was %llu)", old))
			return;
		restore = 1;
	}
	t_diag("RAM %llu MiB, asking for %llu GiB", ram / MIB,
	       (unsigned long long)(len >> 30));

	if (len <= SIZE_MAX) {
		p = mmap(NULL, len, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (!t_ok(p != MAP_FAILED, "reserve %llu GiB of PROT_NONE "
			  "address space", (unsigned long long)(len >> 30))) {
			t_diag("mmap: %s", strerror(errno));
			goto out;
		}
		start = (uintptr_t)p;
	} else {
		where = "32-bit process: range from 1 MiB past 4 GiB";
	}
	snprintf(what, sizeof(what), "%s larger than RAM (root, CAP_IPC_LOCK)",
		 where);
	expect1(start, len, 0, ENOMEM, what);
	snprintf(what, sizeof(what), "%s larger than RAM with READONLY", where);
	expect1(start, len, URING_DMABUF_CREATE_READONLY, ENOMEM, what);
	/* Two ranges each within RAM, together over it. */
	part = ((ram / 5 * 3) + PAGE_SZ - 1) & ~(PAGE_SZ - 1);
	r[0].addr = start;
	r[0].len = part;
	r[1].addr = start + part;
	r[1].len = part;
	t_err_clean(ud_create(dev, r, 2, 0, NULL), ENOMEM, &base,
		    "two %ss of 3/5 of RAM each (together over it) fail with "
		    "ENOMEM", p != MAP_FAILED ? "PROT_NONE range" : "range");
	if (p != MAP_FAILED) {
		munmap(p, len);
		expect1(start, len, 0, ENOMEM, "unmapped range larger than RAM");
	}
out:
	if (restore) {
		snprintf(text, sizeof(text), "%llu", old);
		t_ok(write_text(path, text) == 0, "restore max_pinned_mb to %llu",
		     old);
	}
}

/*
 * A struct that can be read but not written back: the buffer is built, then
 * the fd cannot be reported, so neither fd nor pins may survive.
 */
static void test_unwritable_struct(void)
{
	struct uring_dmabuf_range *r;
	struct uring_dmabuf_create *c;
	unsigned char *page;

	page = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		t_ok(0, "mmap a page for the struct");
		return;
	}
	c = (struct uring_dmabuf_create *)page;
	r = (struct uring_dmabuf_range *)(page + 256);
	r->addr = (uintptr_t)good;
	r->len = LEN;
	c->size = sizeof(*c);
	c->flags = URING_DMABUF_CREATE_CLOEXEC;
	c->ranges = (uintptr_t)r;
	c->nr_ranges = 1;
	c->fd = -1;
	mprotect(page, PAGE_SZ, PROT_READ);
	t_err_clean(create_raw(c), EFAULT, &base,
		    "read-only struct (fd cannot be written back) fails with "
		    "EFAULT, no fd and no pins left");
	munmap(page, PAGE_SZ);
}

/* No free fd: the buffer is built first, then must be undone entirely. */
static void test_emfile(void)
{
	unsigned long old = fds_exhaust();
	long ret;

	if (!old) {
		t_ok(0, "lower RLIMIT_NOFILE to the fds in use");
		return;
	}
	ret = create1((uintptr_t)good, LEN, URING_DMABUF_CREATE_CLOEXEC);
	fds_unlimit(old);	/* counting fds needs one */
	t_err_clean(ret, EMFILE, &base,
		    "no free fd fails with EMFILE, nothing pinned");
}

static void test_max_ranges(void)
{
	struct uring_dmabuf_range *r;
	unsigned long long max;
	unsigned int i;
	long fd;

	if (read_ull(SYSFS_PARAM "max_ranges", &max) || max > (1U << 24)) {
		t_ok(0, "parameter max_ranges readable and sane");
		return;
	}
	r = calloc(max + 1, sizeof(*r));
	if (!r)
		return;
	/* Valid ranges, so only their number is wrong. */
	for (i = 0; i <= max; i++) {
		r[i].addr = (uintptr_t)good;
		r[i].len = PAGE_SZ;
	}
	t_err_clean(ud_create(dev, r, max + 1, 0, NULL), E2BIG, &base,
		    "nr_ranges max_ranges+1 (%llu) fails with E2BIG", max + 1);
	if (max <= 4096) {
		fd = ud_create(dev, r, max, URING_DMABUF_CREATE_CLOEXEC, NULL);
		if (!t_ok(fd >= 0, "nr_ranges exactly max_ranges (%llu) succeeds",
			  max))
			t_diag("create: %s", errname(-fd));
		else
			close(fd);
		t_pins_back(&base, "max_ranges ranges: close releases every pin");
	} else {
		t_skip("max_ranges too large to pin one page that often",
		       "nr_ranges exactly max_ranges succeeds");
	}
	free(r);
}

static void test_memory_kinds(void)
{
	unsigned char *p;

	/* Unmapped: map and unmap, so the address is surely free. */
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p, LEN);
	expect1((uintptr_t)p, LEN, 0, EFAULT, "unmapped memory");
	expect1((uintptr_t)p, LEN, URING_DMABUF_CREATE_READONLY, EFAULT,
		"unmapped memory with READONLY");

	p = mmap(NULL, LEN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	expect1((uintptr_t)p, LEN, 0, EFAULT, "PROT_NONE memory");
	expect1((uintptr_t)p, LEN, URING_DMABUF_CREATE_READONLY, EFAULT,
		"PROT_NONE memory with READONLY");
	munmap(p, LEN);

	p = mmap(NULL, LEN, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		 -1, 0);
	expect1((uintptr_t)p, LEN, 0, EFAULT,
		"read-only memory without READONLY");
	munmap(p, LEN);

	/* First pages fine, then a hole: the pinned head must be undone. */
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	munmap(p + LEN / 2, PAGE_SZ);
	expect1((uintptr_t)p, LEN, 0, EFAULT,
		"range with a hole after 8 good pages");
	munmap(p, LEN);
}

/* A hole deep into a large range and in a later range: unwinding works. */
static void test_late_faults(void)
{
	const size_t len = 8 * MIB;
	struct uring_dmabuf_range r[2];
	unsigned char *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED) {
		t_ok(0, "mmap 8 MiB");
		return;
	}
	munmap(p + len - 2 * PAGE_SZ, PAGE_SZ);
	expect1((uintptr_t)p, len, 0, EFAULT,
		"8 MiB range with a hole one page before its end");

	r[0].addr = (uintptr_t)good;
	r[0].len = LEN;
	r[1].addr = (uintptr_t)p;
	r[1].len = len;
	t_err_clean(ud_create(dev, r, 2, 0, NULL), EFAULT, &base,
		    "good first range, second range with a hole fails with "
		    "EFAULT");
	r[1] = r[0];
	r[0].addr = (uintptr_t)p + len - PAGE_SZ;
	r[0].len = PAGE_SZ;
	r[1].addr = (uintptr_t)p + len - 2 * PAGE_SZ;
	r[1].len = PAGE_SZ;
	t_err_clean(ud_create(dev, r, 2, 0, NULL), EFAULT, &base,
		    "good first range, second range unmapped fails with EFAULT");
	munmap(p, len);
}

/*
 * A readable VM_IO or VM_PFNMAP mapping ("io"/"pf" in smaps VmFlags): never
 * pinnable, even read-only. Which special mapping is one ([vvar] on 6.x,
 * [vvar_vclock] on 7.x) depends on the kernel, so look it up.
 */
static int find_io_mapping(unsigned long *addr, char *name, size_t size)
{
	unsigned long lo = 0, a, b;
	char line[512], cur[128] = "";
	FILE *f = fopen("/proc/self/smaps", "re");
	int found = 0;

	while (f && !found && fgets(line, sizeof(line), f)) {
		/* Field lines can half-match ("AnonHuge..."): use temporaries. */
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %127s", &a, &b,
			   cur) >= 2) {
			lo = a;
			if (!strchr(line, '['))
				cur[0] = '\0';
			continue;
		}
		if (strncmp(line, "VmFlags:", 8) || !strstr(line, " rd"))
			continue;
		if (strstr(line, " io") || strstr(line, " pf")) {
			*addr = lo;
			snprintf(name, size, "%s", cur[0] ? cur : "anonymous");
			found = 1;
		}
	}
	if (f)
		fclose(f);
	return found;
}

static void test_vm_io(void)
{
	unsigned long addr;
	char name[128], what[192];

	if (!find_io_mapping(&addr, name, sizeof(name))) {
		t_skip("no readable VM_IO/VM_PFNMAP mapping in this process",
		       "VM_IO/VM_PFNMAP memory with READONLY");
		return;
	}
	snprintf(what, sizeof(what), "VM_IO/VM_PFNMAP memory (%s) with READONLY",
		 name);
	expect1(addr, PAGE_SZ, URING_DMABUF_CREATE_READONLY, EFAULT, what);
}

static void test_ext4_shared(void)
{
	const char *dir = getenv("URING_DMABUF_TEST_EXT4");
	char path[512];
	unsigned char *p;
	int fd;

	if (!dir || !*dir) {
		t_skip("URING_DMABUF_TEST_EXT4 not set",
		       "shared mapping of an ext4 file");
		return;
	}
	snprintf(path, sizeof(path), "%s/uring_dmabuf_bad_input", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, LEN)) {
		t_ok(0, "create a file in %s", dir);
		t_diag("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	unlink(path);
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		 fd, 0);
	if (p == MAP_FAILED) {
		t_ok(0, "mmap the ext4 file");
		close(fd);
		return;
	}
	memset(p, 0x77, LEN);
	pins_get(&base);	/* the file fd is part of the baseline */
	expect1((uintptr_t)p, LEN, 0, EOPNOTSUPP,
		"MAP_SHARED read-write mapping of an ext4 file");
	munmap(p, LEN);

	/* A private file mapping is copied on write: anonymous pages. */
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p != MAP_FAILED) {
		long ret = create1((uintptr_t)p, LEN, URING_DMABUF_CREATE_CLOEXEC);

		if (!t_ok(ret >= 0, "MAP_PRIVATE mapping of an ext4 file succeeds"))
			t_diag("create: %s", errname(-ret));
		else
			close(ret);
		t_pins_back(&base, "MAP_PRIVATE ext4: close releases every pin");
		munmap(p, LEN);
	}
	close(fd);
	pins_get(&base);
}

/* A tmpfs file is shmem, not page cache with writeback: it may be pinned. */
static void test_tmpfs_shared(void)
{
	unsigned char *p;
	long ret;
	int fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0 || ftruncate(fd, LEN)) {
		t_ok(0, "tmpfile in /tmp");
		t_diag("%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	pins_get(&base);
	ret = create1((uintptr_t)p, LEN, URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(ret >= 0, "MAP_SHARED mapping of a tmpfs file succeeds"))
		t_diag("create: %s", errname(-ret));
	else
		close(ret);
	t_pins_back(&base, "tmpfs file: close releases every pin");
	munmap(p, LEN);
	close(fd);
	pins_get(&base);
}

static void test_max_pinned(void)
{
	const char *path = SYSFS_PARAM "max_pinned_mb";
	unsigned long long old;
	unsigned char *p;
	char text[32];
	int err;

	if (read_ull(path, &old)) {
		t_ok(0, "parameter max_pinned_mb readable");
		return;
	}
	/* 8 MiB cap, 16 MiB request; put the old value back after. */
	err = write_text(path, "8");
	if (err) {
		if (old && old <= 64) {
			t_diag("max_pinned_mb is read-only (%s), using its "
			       "value %llu", errname(-err), old);
		} else {
			t_skip("max_pinned_mb is read-only and 0 or large",
			       "create over max_pinned_mb fails with ENOMEM");
			return;
		}
	}
	{
		unsigned long long cap = err ? old : 8;
		size_t len = (cap + 8) * MIB;

		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		expect1((uintptr_t)p, len, 0, ENOMEM,
			"create over max_pinned_mb");
		munmap(p, len);
	}
	if (!err) {
		snprintf(text, sizeof(text), "%llu", old);
		t_ok(write_text(path, text) == 0,
		     "restore max_pinned_mb to %llu", old);
	}
}

int main(void)
{
	t_init();
	dev = dev_open();
	good = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (good == MAP_FAILED)
		t_skip_all("mmap: %s", strerror(errno));
	pins_get(&base);

	test_ranges_shape();
	test_struct();
	test_size_too_big();
	test_unwritable_struct();
	test_emfile();
	test_max_ranges();
	test_memory_kinds();
	test_late_faults();
	test_vm_io();
	test_tmpfs_shared();
	test_ext4_shared();
	test_max_pinned();
	test_over_ram();

	munmap(good, LEN);
	close(dev);
	return t_finish();
}
