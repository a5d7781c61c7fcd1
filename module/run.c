// SPDX-License-Identifier: GPL-2.0
/*
 * Runs of physically contiguous pinned pages: building them while pinning,
 * trimming the array to size, and unpinning them again.
 */
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "run.h"
#include "uring_dmabuf.h"

/* Grown by doubling from here; trimmed once pinning is done. */
#define URING_DMABUF_RUNS_MIN 64

static int runs_resize(struct uring_dmabuf_buffer *buf, unsigned long cap)
{
	/* No WARN past INT_MAX bytes: a huge scattered buffer is just ENOMEM. */
	u64 *runs = kvmalloc_array(cap, sizeof(*runs),
				   GFP_KERNEL_ACCOUNT | __GFP_NOWARN);

	if (!runs)
		return -ENOMEM;
	if (buf->nr_runs)
		memcpy(runs, buf->runs, buf->nr_runs * sizeof(*runs));
	kvfree(buf->runs);
	buf->runs = runs;
	buf->runs_cap = cap;
	return 0;
}

/* NUMA nodes and huge-page bytes of @count pages of one folio. */
static void note_pages(struct uring_dmabuf_buffer *buf, struct page *page,
		       unsigned long count)
{
	struct folio *folio = page_folio(page);

	buf->node_mask |= BIT_ULL(min(folio_nid(folio), 63));
	if (folio_test_large(folio))
		buf->huge_bytes += count << PAGE_SHIFT;
}

/*
 * Append @count pages from @pfn, all in one folio. They extend the last run
 * if they follow it physically and were pinned the same way. Per-folio
 * pieces extend it only if @may_merge: a folio pinned by two calls must
 * stay in two runs, so that each call's pin is dropped once.
 */
int uring_dmabuf_runs_add(struct uring_dmabuf_buffer *buf, unsigned long pfn,
			  unsigned long count, bool per_folio, bool may_merge)
{
	int err;

	if (pfn > URING_DMABUF_RUN_PFN_MASK || count > URING_DMABUF_RUN_MAX_PAGES)
		return -EOVERFLOW;
	if (buf->nr_runs && (may_merge || !per_folio)) {
		u64 *last = &buf->runs[buf->nr_runs - 1];
		unsigned long first = uring_dmabuf_run_pfn(*last);
		unsigned long have = uring_dmabuf_run_pages(*last);

		if (first + have == pfn && uring_dmabuf_run_per_folio(*last) == per_folio &&
		    have + count <= URING_DMABUF_RUN_MAX_PAGES) {
			*last = uring_dmabuf_run_pack(first, have + count, per_folio);
			goto counted;
		}
	}
	if (buf->nr_runs == buf->runs_cap) {
		err = runs_resize(buf, max_t(unsigned long, URING_DMABUF_RUNS_MIN,
					     buf->runs_cap * 2));
		if (err)
			return err;
	}
	buf->runs[buf->nr_runs++] = uring_dmabuf_run_pack(pfn, count, per_folio);
counted:
	note_pages(buf, pfn_to_page(pfn), count);
	buf->nr_pages += count;
	return 0;
}

/* How many of @pages, from the first, are consecutive pages of one folio. */
static unsigned long same_folio_span(struct page **pages, unsigned long nr)
{
	struct folio *folio = page_folio(pages[0]);
	unsigned long pfn = page_to_pfn(pages[0]);
	unsigned long left, n = 1;

	if (!folio_test_large(folio))
		return 1;
	left = folio_nr_pages(folio) - (pfn - folio_pfn(folio));
	while (n < nr && n < left && page_to_pfn(pages[n]) == pfn + n)
		n++;
	return n;
}

/*
 * Take over @nr pages pinned one by one (GUP), a folio's worth at a time,
 * each folio first passed to @check (once per folio, not per page: a GiB
 * of THP is 512 calls). That merges the pages of a folio into one run, and
 * physically adjacent folios too. On failure the pages already taken
 * belong to the runs (the caller unpins those); the rest are unpinned here.
 */
int uring_dmabuf_runs_append(struct uring_dmabuf_buffer *buf,
			     struct page **pages, unsigned long nr,
			     uring_dmabuf_folio_check_t check, const void *arg)
{
	unsigned long i, n;
	int err;

	for (i = 0; i < nr; i += n) {
		n = same_folio_span(pages + i, nr - i);
		err = check(buf, page_folio(pages[i]), arg);
		if (!err)
			err = uring_dmabuf_runs_add(buf, page_to_pfn(pages[i]), n,
						    false, true);
		if (err) {
			unpin_user_pages(pages + i, nr - i);
			return err;
		}
	}
	return 0;
}

static int cmp_run_pfn(const void *a, const void *b)
{
	unsigned long x = uring_dmabuf_run_pfn(*(const u64 *)a);
	unsigned long y = uring_dmabuf_run_pfn(*(const u64 *)b);

	return x < y ? -1 : x > y;
}

/*
 * Do two runs share a page (the same memory listed twice, or mapped twice)?
 * Devices must not get two writable mappings of one page: the DMA API
 * forbids overlapping mappings that a device writes.
 */
int uring_dmabuf_runs_find_alias(struct uring_dmabuf_buffer *buf)
{
	unsigned long i;
	u64 *sorted;

	buf->aliased = false;
	if (buf->nr_runs < 2)
		return 0;
	sorted = kvmalloc_array(buf->nr_runs, sizeof(*sorted),
				GFP_KERNEL | __GFP_NOWARN);
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, buf->runs, buf->nr_runs * sizeof(*sorted));
	sort(sorted, buf->nr_runs, sizeof(*sorted), cmp_run_pfn, NULL);
	for (i = 1; i < buf->nr_runs && !buf->aliased; i++)
		buf->aliased = uring_dmabuf_run_pfn(sorted[i]) <
			       uring_dmabuf_run_pfn(sorted[i - 1]) +
			       uring_dmabuf_run_pages(sorted[i - 1]);
	kvfree(sorted);
	return 0;
}

/* Give back the slack of the doubling; bookkeeping per GiB is a feature. */
int uring_dmabuf_runs_trim(struct uring_dmabuf_buffer *buf)
{
	if (buf->runs_cap == buf->nr_runs)
		return 0;
	return runs_resize(buf, buf->nr_runs);
}

/* One pin per folio the run touches (memfd_pin_folios pinned it so). */
static void unpin_per_folio(u64 run, bool dirty)
{
	unsigned long pfn = uring_dmabuf_run_pfn(run);
	unsigned long end = pfn + uring_dmabuf_run_pages(run);

	while (pfn < end) {
		struct folio *folio = page_folio(pfn_to_page(pfn));

		if (dirty && !folio_test_dirty(folio)) {
			folio_lock(folio);
			folio_mark_dirty(folio);
			folio_unlock(folio);
		}
		pfn = folio_pfn(folio) + folio_nr_pages(folio);
		uring_dmabuf_unpin_folio(folio);
	}
}

void uring_dmabuf_runs_unpin(struct uring_dmabuf_buffer *buf, bool dirty)
{
	unsigned long i;

	for (i = 0; i < buf->nr_runs; i++) {
		u64 run = buf->runs[i];

		if (uring_dmabuf_run_per_folio(run))
			unpin_per_folio(run, dirty);
		else
			unpin_user_page_range_dirty_lock(pfn_to_page(uring_dmabuf_run_pfn(run)),
							 uring_dmabuf_run_pages(run), dirty);
		cond_resched();
	}
	buf->nr_runs = 0;
	buf->nr_pages = 0;
}

void uring_dmabuf_runs_free(struct uring_dmabuf_buffer *buf)
{
	kvfree(buf->runs);
	buf->runs = NULL;
	buf->runs_cap = 0;
}
