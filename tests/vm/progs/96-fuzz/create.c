// SPDX-License-Identifier: GPL-2.0
/*
 * URING_DMABUF_IOC_CREATE: random and boundary struct sizes, flags, range
 * counts, ranges and placements of the struct and of the range array, each
 * with the outcome the header promises, in the order the checks apply:
 * the struct (EFAULT, EINVAL), flags, nr_ranges (EINVAL, E2BIG), the array
 * (EFAULT), the shape of every range (EINVAL), then pinning range by range
 * (EFAULT, EOPNOTSUPP), then writing the result back (EFAULT).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

/* Possible outcomes of one call: 0 for success, else errnos. */
struct outcome {
	int v[8];
	int n;
};

static void may(struct outcome *o, int err)
{
	int i;

	for (i = 0; i < o->n; i++)
		if (o->v[i] == err)
			return;
	if (o->n < 8)
		o->v[o->n++] = err;
}

struct gen_range {
	struct region *reg;
	size_t off;
	int shape_bad;	/* EINVAL before anything is pinned */
	int past_end;	/* runs into the guard after the region */
};

/*
 * Scratch memory for structs and range arrays at edges: each area is
 * read-write pages followed by a PROT_NONE guard page. The struct area
 * stays zero past its first two pages, so that a huge struct size reads
 * zeros up to the guard. The read-only page holds structs whose result
 * cannot be written back.
 */
#define STRUCT_PAGES 16
struct scratch {
	unsigned char *st;	/* STRUCT_PAGES pages, then a guard */
	unsigned char *ro;	/* one read-only page, then a guard */
	unsigned char *arr;	/* arr_pages pages, then a guard */
	size_t arr_pages;
};

static __thread struct scratch scr;

static unsigned char *guarded(size_t pages)
{
	unsigned char *p = mmap(NULL, (pages + 1) * PAGE_SZ, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	mprotect(p + pages * PAGE_SZ, PAGE_SZ, PROT_NONE);
	return p;
}

static int scratch_init(void)
{
	if (scr.st)
		return 0;
	scr.arr_pages = ((size_t)F.max_ranges + 1) * sizeof(struct uring_dmabuf_range) /
			PAGE_SZ + 2;
	scr.st = guarded(STRUCT_PAGES);
	scr.ro = guarded(1);
	scr.arr = guarded(scr.arr_pages);
	if (!scr.st || !scr.ro || !scr.arr)
		return -ENOMEM;
	mprotect(scr.ro, PAGE_SZ, PROT_READ);
	return 0;
}

/* Where wild addresses point: nothing. */
static struct region wild = { .kind = RK_UNMAPPED, .err_rw = EFAULT, .err_ro = EFAULT };

static void gen_range(struct worker *w, struct uring_dmabuf_range *out,
		      struct gen_range *g)
{
	struct rng *r = &w->rng;
	struct region *reg = arena_pick(&w->arena, r);
	size_t pages = reg->len / PAGE_SZ, off, n;

	off = chance(r, 25) ? 0 : rnd_below(r, pages);
	n = chance(r, 25) ? pages - off : 1 + rnd_below(r, pages - off);
	memset(g, 0, sizeof(*g));
	g->reg = reg;
	g->off = off * PAGE_SZ;
	out->addr = (uintptr_t)reg->p + off * PAGE_SZ;
	out->len = n * PAGE_SZ;
	switch (rnd_below(r, 40)) {
	case 0: /* unaligned address */
		out->addr += 1 + rnd_below(r, PAGE_SZ - 1);
		g->shape_bad = 1;
		break;
	case 1: /* unaligned length */
		out->len += 1 + rnd_below(r, PAGE_SZ - 1);
		g->shape_bad = 1;
		break;
	case 2:
		out->len = 0;
		g->shape_bad = 1;
		break;
	case 3: /* wraps around */
		g->reg = &wild;
		g->off = 0;
		out->addr = (~0ULL & ~(PAGE_SZ - 1)) - rnd_below(r, 4) * PAGE_SZ;
		out->len = (8 + rnd_below(r, 8)) * PAGE_SZ;
		g->shape_bad = 1;
		break;
	case 4: /* ends just above the 47-bit user address space */
		out->addr = 0x7ffffffff000ULL - rnd_below(r, 2) * PAGE_SZ;
		out->len = 4 * PAGE_SZ;
		g->reg = &wild;
		g->off = 0;
		break;
	case 5: /* a few pages past the end, into the guard */
	case 6:
		out->len = (pages - off + 1 + rnd_below(r, 4)) * PAGE_SZ;
		g->past_end = 1;
		break;
	case 7: /* a huge length: charged first, then pinning meets the guard */
		out->len = (pages - off) * PAGE_SZ + (1ULL << (12 + rnd_below(r, 28)));
		g->past_end = 1;
		break;
	default:
		break;
	}
	/*
	 * Only wrapping around is malformed; past the user address space (2^47
	 * or, with 5-level paging, 2^56) is merely unmapped: EFAULT in turn.
	 */
	if (out->addr + out->len < out->addr)
		g->shape_bad = 1;
	else if (out->addr + out->len > 0x7ffffffff000ULL)
		g->past_end = 1;
}

/*
 * What pinning the ranges in order gives: the first range with a known
 * error decides; a race region may work or fail as race_errnos() says.
 */
static void expected_pins(const struct gen_range *g, unsigned int n,
			  int readonly, struct outcome *o)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct region *reg = g[i].reg;
		int err = readonly ? reg->err_ro : reg->err_rw;

		if (reg->kind >= RK_RACE) {
			int errs[4], k, n = race_errnos(reg, readonly, errs);

			for (k = 0; k < n; k++)
				may(o, errs[k]);
			if (g[i].past_end) {
				may(o, EFAULT);
				return;
			}
			continue;
		}
		if (err) {
			may(o, err);
			return;
		}
		if (g[i].past_end) {
			may(o, EFAULT);
			return;
		}
	}
	may(o, 0);
}

/*
 * Puts the struct where the call will find it; returns its user address.
 * where: 0 unmapped, 1 read-only page, 2 last bytes before a guard page,
 * else the start of the zeroed struct area.
 */
static void *place_struct(const struct uring_dmabuf_create *c, int where)
{
	unsigned char *p;

	switch (where) {
	case 0:
		return (void *)0x100000UL;
	case 1:
		mprotect(scr.ro, PAGE_SZ, PROT_READ | PROT_WRITE);
		memset(scr.ro, 0, PAGE_SZ);
		memcpy(scr.ro, c, sizeof(*c));
		mprotect(scr.ro, PAGE_SZ, PROT_READ);
		return scr.ro;
	case 2:
		p = scr.st + STRUCT_PAGES * PAGE_SZ - sizeof(*c);
		memcpy(p, c, sizeof(*c));
		return p;
	default:
		/* zero where the other placements wrote, so huge sizes read zeros */
		memset(scr.st + STRUCT_PAGES * PAGE_SZ - sizeof(*c), 0, sizeof(*c));
		memset(scr.st, 0, 2 * PAGE_SZ);
		memcpy(scr.st, c, sizeof(*c));
		return scr.st;
	}
}

/*
 * A successful create over a race region holds none of the pages the racer
 * swapped in from a file (they carry FUZZ_FILE_MARK). One time in four: it
 * costs an mmap.
 */
static void check_no_file_pages(struct worker *w, int fd, const struct gen_range *g,
				const struct uring_dmabuf_range *ranges, unsigned int n,
				uint64_t total)
{
	uint64_t at = 0, off;
	unsigned char *map;
	unsigned int i;
	long found = 0;

	for (i = 0; i < n && g[i].reg->kind != RK_RACE; i++)
		;
	if (i == n || race_file_fd < 0 || !chance(&w->rng, 25))
		return;
	map = mmap(NULL, total, PROT_READ, MAP_SHARED, fd, 0);
	fuzz_count(w);
	if (map == MAP_FAILED) {
		fuzz_fail(w, "CREATE: mmap PROT_READ of the dma-buf: %s", errname(errno));
		return;
	}
	for (i = 0; i < n; at += ranges[i].len, i++) {
		if (g[i].reg->kind != RK_RACE)
			continue;
		for (off = 0; off < ranges[i].len; off += PAGE_SZ)
			found += *(const uint64_t *)(map + at + off + FUZZ_FILE_MARK_OFF) ==
				 FUZZ_FILE_MARK;
	}
	munmap(map, total);
	if (found)
		fuzz_fail(w, "CREATE: %ld pages of the file the racer swapped in are in the "
			  "dma-buf", found);
}

/*
 * A writable buffer over the memfd of a RK_RACE_SEAL region while that very
 * memfd got F_SEAL_WRITE: the seal must have failed (EBUSY) or the create.
 */
static void check_not_sealed(struct worker *w, const struct gen_range *g, unsigned int n,
			     const int *gen_before)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct region *reg = g[i].reg;

		if (reg->kind == RK_RACE_SEAL && atomic_load(&reg->gen) == gen_before[i] &&
		    atomic_load(&reg->sealed_gen) == gen_before[i])
			fuzz_fail(w, "CREATE: a writable dma-buf of a memfd that F_SEAL_WRITE "
				  "sealed meanwhile (both succeeded)");
	}
}

/* Ranges over an RK_ALIAS region longer than its half hold a page twice. */
int range_aliases(const struct region *reg, uint64_t len)
{
	return reg->kind == RK_ALIAS && len > reg->len / 2;
}

void op_create(struct worker *w)
{
	struct rng *r = &w->rng;
	struct uring_dmabuf_create c, *uc;
	struct uring_dmabuf_range *ranges;
	struct gen_range gr[BUF_TRACK_RANGES];
	struct outcome o = { .n = 0 };
	unsigned int nr, gen, i, pick;
	uint32_t size = sizeof(c), flags;
	int where, tail_bad = 0, ranges_fault = 0, readonly, good;
	uint64_t total = 0;
	int gen_before[BUF_TRACK_RANGES];
	long ret;

	if (scratch_init())
		return;
	/* The range count: mostly a few, rarely the limits (slow under TCG). */
	pick = (unsigned int)rnd_below(r, 400);
	if (pick < 6)
		nr = 0;
	else if (pick < 12)
		nr = F.max_ranges + 1 + (chance(r, 50) ? 0 : (unsigned int)rnd_below(r, 1u << 31));
	else if (pick < 13)
		nr = F.max_ranges;
	else
		nr = 1 + (unsigned int)rnd_below(r, chance(r, 80) ? 4 : BUF_TRACK_RANGES);
	gen = nr < BUF_TRACK_RANGES ? nr : BUF_TRACK_RANGES;
	ranges = (struct uring_dmabuf_range *)scr.arr;
	for (i = 0; i < gen; i++)
		gen_range(w, &ranges[i], &gr[i]);
	/* Beyond what we track: one page of the worker's anonymous memory each. */
	for (; i < nr && i <= F.max_ranges; i++) {
		ranges[i].addr = (uintptr_t)w->arena.r[0].p +
				 rnd_below(r, w->arena.r[0].len / PAGE_SZ) * PAGE_SZ;
		ranges[i].len = PAGE_SZ;
	}
	if (nr && nr <= F.max_ranges && chance(r, 3)) {
		/* the last entry lies in the guard page */
		struct uring_dmabuf_range *moved = (struct uring_dmabuf_range *)
			(scr.arr + scr.arr_pages * PAGE_SZ) - nr + 1;

		memmove(moved, ranges, (nr - 1) * sizeof(*ranges));
		ranges = moved;
		ranges_fault = 1;
	}

	flags = (uint32_t)rnd_below(r, 4);
	if (chance(r, 5))
		flags |= 1u << (2 + rnd_below(r, 30));
	readonly = !!(flags & URING_DMABUF_CREATE_READONLY);

	where = (int)rnd_below(r, 30);
	switch (rnd_below(r, 20)) {
	case 0:
		size = (uint32_t)rnd_below(r, URING_DMABUF_CREATE_SIZE_VER0);
		break;
	case 1:
		size = sizeof(c) + 1 + (uint32_t)rnd_below(r, 256);
		break;
	case 2:
		size = sizeof(c) + 1 + (uint32_t)rnd_below(r, 256);
		tail_bad = where >= 3;
		break;
	case 3:
		size = (uint32_t)rnd(r) | (1u << 16);
		break;
	default:
		break;
	}
	/* Past its page, the read-only struct would meet unknown memory. */
	if (where == 1 && size > PAGE_SZ)
		size = sizeof(c);

	memset(&c, 0, sizeof(c));
	c.size = size;
	c.flags = flags;
	c.ranges = (uintptr_t)ranges;
	if (chance(r, 2)) {
		c.ranges = 0x100000ULL;
		ranges_fault = 1;
	}
	c.nr_ranges = nr;
	c.fd = (int)rnd(r);
	c.bytes = rnd(r);
	uc = place_struct(&c, where);
	if (tail_bad)
		scr.st[sizeof(c) + rnd_below(r, size - sizeof(c))] = 1;

	/* The outcome, in the order the module checks. */
	if (where == 0)
		may(&o, EFAULT);
	else if (size < URING_DMABUF_CREATE_SIZE_VER0)
		may(&o, EINVAL);
	else if (size > PAGE_SZ)
		may(&o, E2BIG);
	else if (size > sizeof(c) && where == 2)
		may(&o, EFAULT);
	else if (tail_bad)
		may(&o, EINVAL);
	else if (flags & ~URING_DMABUF_CREATE_FLAGS_ALL)
		may(&o, EINVAL);
	else if (!nr)
		may(&o, EINVAL);
	else if (nr > F.max_ranges)
		may(&o, E2BIG);
	else if (ranges_fault)
		may(&o, EFAULT);
	else {
		uint64_t pages = 0;
		int shape_bad = 0;

		for (i = 0; i < gen; i++)
			shape_bad |= gr[i].shape_bad;
		/* the untracked ranges beyond gen are one page each */
		pages = nr - gen;
		for (i = 0; i < gen; i++)
			pages += ranges[i].len / PAGE_SZ;
		if (shape_bad) {
			may(&o, EINVAL);
		} else if (pages > F.totalram_pages) {
			/* More than the machine has: refused before charging. */
			may(&o, ENOMEM);
		} else {
			expected_pins(gr, gen, readonly, &o);
			/* Only the write-back is left to fail. */
			if (where == 1 && o.v[o.n - 1] == 0)
				o.v[o.n - 1] = EFAULT;
		}
	}

	for (i = 0; i < gen; i++)
		gen_before[i] = atomic_load(&gr[i].reg->gen);
	ret = ioctl_ret(F.dev, URING_DMABUF_IOC_CREATE, uc);
	fuzz_count(w);
	if (ret == 0) {
		memcpy(&c, uc, sizeof(c));
		ret = c.fd;
	}
	fuzz_lock();
	good = expect(w, ret < 0 ? ret : 0, o.v, o.n, "CREATE");
	if (!good) {
		t_diag("  size %u flags %#x nr_ranges %u ranges %#llx struct at %d",
		       size, flags, nr, (unsigned long long)c.ranges, where);
		/* with ranges_fault the last entry lies in the guard page */
		for (i = 0; i < gen && !(ranges_fault && i + 1 == nr); i++)
			t_diag("  range %u: %s +%zu: addr %#llx len %#llx%s%s", i,
			       region_name(gr[i].reg->kind), gr[i].off,
			       (unsigned long long)ranges[i].addr,
			       (unsigned long long)ranges[i].len,
			       gr[i].shape_bad ? " (bad shape)" : "",
			       gr[i].past_end ? " (past the end)" : "");
	}
	fuzz_unlock();
	if (ret < 0) {
		if (ret == -ENOMEM || ret == -EMFILE)
			t_diag("CREATE: %s (resources) at op %ld", errname((int)-ret), w->op_no);
		return;
	}
	if (!good) { /* already reported; what it holds is unknown */
		close((int)ret);
		return;
	}
	for (i = 0; i < nr; i++)
		total += ranges[i].len;
	if (!readonly)
		check_not_sealed(w, gr, gen, gen_before);
	if (nr == gen)
		check_no_file_pages(w, (int)ret, gr, ranges, gen, total);
	if (c.bytes != total)
		fuzz_fail(w, "CREATE: bytes %llu, the ranges add up to %llu",
			  (unsigned long long)c.bytes, (unsigned long long)total);
	if (fd_cloexec((int)ret) != !!(flags & URING_DMABUF_CREATE_CLOEXEC))
		fuzz_fail(w, "CREATE: fd close-on-exec %d, flags %#x",
			  fd_cloexec((int)ret), flags);
	{
		struct dbuf *b = buf_add(w, (int)ret, total, readonly,
					 !!(flags & URING_DMABUF_CREATE_CLOEXEC));
		int coherent = nr <= BUF_TRACK_RANGES;

		b->may_alias = nr > 1;
		for (i = 0; i < gen; i++) {
			b->may_alias |= gr[i].reg->kind == RK_RACE_ALIAS;
			b->must_alias |= nr == 1 && range_aliases(gr[i].reg, ranges[i].len);
		}
		for (i = 0; i < gen && coherent; i++) {
			coherent = gr[i].reg->coherent;
			b->r[i].reg = gr[i].reg;
			b->r[i].off = gr[i].off;
			b->r[i].len = ranges[i].len;
		}
		b->nr = coherent ? (int)gen : 0;
		if (chance(r, 30))
			buf_check_info(w, b);
		if (chance(r, 20))
			buf_check_coherent(w, b, "CREATE");
	}
}
