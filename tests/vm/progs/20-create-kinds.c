// SPDX-License-Identifier: GPL-2.0
/*
 * A dma-buf from every kind of memory: the same bytes through its mmap in
 * both directions, the pins it holds while alive, and the segment and huge
 * page figures INFO reports for that kind.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"

struct kind_case {
	enum mem_kind kind;
	size_t len;
	int sparse;		/* too big to fill under TCG: one word per 64 KiB */
};

static const struct kind_case cases[] = {
	{ MEM_ANON, 4 * MIB, 0 },
	{ MEM_THP, 8 * MIB, 0 },
	{ MEM_HUGE_2M, 16 * MIB, 0 },
	{ MEM_HUGE_1G, SZ_1G, 1 },
	{ MEM_MEMFD, 4 * MIB, 0 },
	{ MEM_HUGE_MEMFD, 4 * MIB, 0 },
};

#define SPARSE_STRIDE (64 * 1024UL)

static void fill(const struct kind_case *c, void *p, uint64_t seed)
{
	if (c->sparse)
		pattern_fill_sparse(p, c->len, seed, SPARSE_STRIDE);
	else
		pattern_fill(p, c->len, seed, 0);
}

static long long check(const struct kind_case *c, const void *p, uint64_t seed)
{
	if (c->sparse)
		return pattern_check_sparse(p, c->len, seed, SPARSE_STRIDE);
	return pattern_check(p, c->len, seed, 0);
}

static int is_huge(enum mem_kind kind)
{
	return kind == MEM_HUGE_2M || kind == MEM_HUGE_1G ||
	       kind == MEM_HUGE_MEMFD;
}

/* What INFO must say about nr_segments and huge_bytes for this kind. */
static void check_info(const struct kind_case *c, const struct mem *m,
		       const struct uring_dmabuf_info *info)
{
	const char *name = mem_kind_name(c->kind);
	unsigned long long segs = info->nr_segments, huge = info->huge_bytes;
	long long thp_kb;

	t_ok(info->bytes == c->len, "%s: INFO bytes is %zu", name, c->len);
	if (is_huge(c->kind)) {
		size_t page = c->kind == MEM_HUGE_1G ? SZ_1G : SZ_2M;

		if (!t_ok(segs >= 1 && segs <= c->len / page,
			  "%s: INFO nr_segments <= %zu huge pages", name,
			  c->len / page))
			t_diag("nr_segments %llu", segs);
		if (!t_ok(huge == c->len, "%s: INFO huge_bytes is all bytes",
			  name))
			t_diag("huge_bytes %llu", huge);
		return;
	}
	if (!t_ok(segs >= 1 && segs <= c->len / PAGE_SZ,
		  "%s: INFO nr_segments is 1..%zu", name,
		  (size_t)(c->len / PAGE_SZ)))
		t_diag("nr_segments %llu", segs);
	if (c->kind != MEM_THP)
		return;
	thp_kb = smaps_kb(m->p, "AnonHugePages:");
	if (thp_kb <= 0) {
		t_skip("the kernel gave no THP here (AnonHugePages 0)",
		       "%s: INFO huge_bytes covers the THPs", name);
		return;
	}
	if (!t_ok(huge >= (unsigned long long)thp_kb * 1024 && huge <= c->len,
		  "%s: INFO huge_bytes covers the THPs", name))
		t_diag("huge_bytes %llu, AnonHugePages %lld kB", huge, thp_kb);
	if (!t_ok(segs <= c->len / PAGE_SZ - (unsigned long long)thp_kb / 4 +
			  (unsigned long long)thp_kb / 2048,
		  "%s: INFO nr_segments counts a THP as at most one run", name))
		t_diag("nr_segments %llu, AnonHugePages %lld kB", segs, thp_kb);
}

/*
 * The foll pins a buffer of @kind holds: nr_foll_pin_acquired counts what
 * each pin took. GUP (private memory, and every kind before 6.11) pins
 * each page, huge ones included; memfd_pin_folios() (6.11+, shared shmem
 * and hugetlbfs mappings) pins each folio once: a 2 MiB one per hugetlb
 * page, and shmem's are single pages (shmem_enabled "never").
 */
static long long pins_expected(enum mem_kind kind, size_t len)
{
	if (kind == MEM_HUGE_MEMFD && kernel_at_least(6, 11))
		return (long long)(len / SZ_2M);
	return (long long)(len / PAGE_SZ);
}

/* Pins held while the buffer lives; the charge is exactly its size. */
static void check_held(enum mem_kind kind, size_t len, const struct pins *base)
{
	const char *name = mem_kind_name(kind);
	long long held, want = pins_expected(kind, len);
	struct pins now;

	pins_get(&now);
	held = now.gup - base->gup;
	if (!t_ok(held == want, "%s: %lld foll pins held while alive", name, want))
		t_diag("foll pins %lld -> %lld: %lld held", base->gup, now.gup, held);
	if (!t_ok(now.vmpin_kb - base->vmpin_kb == (long long)(len / 1024),
		  "%s: VmPin up by %zu kB while alive", name, len / 1024))
		t_diag("VmPin %lld -> %lld kB", base->vmpin_kb, now.vmpin_kb);
	if (!t_ok(now.mod_bytes - base->mod_bytes == (long long)len,
		  "%s: module pinned_bytes up by %zu while alive", name, len))
		t_diag("pinned_bytes %lld -> %lld", base->mod_bytes,
		       now.mod_bytes);
}

static void run_case(int dev, const struct kind_case *c, uint64_t seed)
{
	const char *name = mem_kind_name(c->kind);
	struct uring_dmabuf_info info;
	struct pins base;
	struct mem m;
	uint64_t bytes = 0;
	long long bad;
	void *map;
	int fd, err;

	err = mem_alloc(&m, c->kind, c->len);
	if (err == -ENOMEM && c->kind == MEM_HUGE_1G) {
		t_skip("no 1 GiB huge page available (ENOMEM)",
		       "%s: create and read back", name);
		return;
	}
	if (!t_ok(!err, "%s: allocate %zu bytes", name, c->len)) {
		t_diag("mmap: %s", errname(-err));
		return;
	}
	fill(c, m.p, seed);
	pins_get(&base);
	{
		struct uring_dmabuf_range r = { (uintptr_t)m.p, c->len };

		fd = ud_create(dev, &r, 1, URING_DMABUF_CREATE_CLOEXEC, &bytes);
	}
	if (!t_ok(fd >= 0, "%s: create", name)) {
		t_diag("create: %s", errname(-fd));
		mem_free(&m);
		return;
	}
	t_ok(bytes == c->len, "%s: create reports bytes %zu", name, c->len);
	check_held(c->kind, c->len, &base);
	err = ud_info(dev, fd, &info);
	if (t_ok(!err, "%s: INFO", name))
		check_info(c, &m, &info);

	map = dmabuf_map(fd, c->len, PROT_READ | PROT_WRITE, 0);
	if (t_ok(map != MAP_FAILED, "%s: mmap the dma-buf", name)) {
		bad = check(c, map, seed);
		if (!t_ok(bad < 0, "%s: dma-buf mmap shows the bytes written "
			  "in the original mapping", name))
			t_diag("first difference at offset %lld", bad);
		fill(c, map, seed + 1000);
		bad = check(c, m.p, seed + 1000);
		if (!t_ok(bad < 0, "%s: original mapping shows the bytes "
			  "written through the dma-buf", name))
			t_diag("first difference at offset %lld", bad);
		munmap(map, c->len);
	} else {
		t_diag("mmap: %s", strerror(errno));
	}
	close(fd);
	t_pins_back(&base, "%s: close releases every pin", name);
	mem_free(&m);
}

/* 64 MiB of 4 KiB pages: at most one segment per page, never more. */
static void test_anon_segments(int dev)
{
	const size_t len = 64 * MIB;
	struct uring_dmabuf_info info;
	struct pins base;
	struct mem m;
	int fd, err;

	err = mem_alloc(&m, MEM_ANON, len);
	if (!t_ok(!err, "allocate 64 MiB anonymous")) {
		t_diag("mmap: %s", errname(-err));
		return;
	}
	/* Keep THP out so the count is about 4 KiB pages. */
	madvise(m.p, len, MADV_NOHUGEPAGE);
	pins_get(&base);
	fd = ud_create1(dev, m.p, len, URING_DMABUF_CREATE_CLOEXEC);
	if (t_ok(fd >= 0, "create from 64 MiB anonymous (faulted in by the pin)")) {
		err = ud_info(dev, fd, &info);
		if (!t_ok(!err && info.nr_segments >= 1 &&
			  info.nr_segments <= len / PAGE_SZ,
			  "64 MiB anonymous: nr_segments <= 16384"))
			t_diag("INFO %s, nr_segments %llu", errname(-err),
			       (unsigned long long)info.nr_segments);
		else
			t_diag("nr_segments %llu",
			       (unsigned long long)info.nr_segments);
		close(fd);
	} else {
		t_diag("create: %s", errname(-fd));
	}
	t_pins_back(&base, "64 MiB anonymous: close releases every pin");
	mem_free(&m);
}

int main(void)
{
	size_t i;
	int dev;

	t_init();
	dev = dev_open();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(dev, &cases[i], i + 1);
	test_anon_segments(dev);
	close(dev);
	return t_finish();
}
