// SPDX-License-Identifier: GPL-2.0
/*
 * Runs of physically contiguous pinned pages: building them while pinning,
 * trimming the array to size, and unpinning them again.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "run.h"
#include "uring_dmabuf.h"

/* Grown by doubling from here; trimmed once pinning is done. */
#define URING_DMABUF_RUNS_MIN 64

static int runs_resize(struct uring_dmabuf_buffer *buf, unsigned long cap)
{
	u64 *runs = kvmalloc_array(cap, sizeof(*runs), GFP_KERNEL_ACCOUNT);

	if (!runs)
		return -ENOMEM;
	if (buf->nr_runs)
		memcpy(runs, buf->runs, buf->nr_runs * sizeof(*runs));
	kvfree(buf->runs);
	buf->runs = runs;
	buf->runs_cap = cap;
	return 0;
}

static void note_page(struct uring_dmabuf_buffer *buf, struct page *page)
{
	int nid = page_to_nid(page);

	buf->node_mask |= BIT_ULL(min(nid, 63));
	if (folio_test_large(page_folio(page)))
		buf->huge_bytes += PAGE_SIZE;
}

/* Extend the last run if @page follows it physically, else start a run. */
static int append_page(struct uring_dmabuf_buffer *buf, struct page *page)
{
	unsigned long pfn = page_to_pfn(page);
	int err;

	if (pfn > URING_DMABUF_RUN_PFN_MASK)
		return -EOVERFLOW;
	if (buf->nr_runs) {
		u64 *last = &buf->runs[buf->nr_runs - 1];
		unsigned long first = uring_dmabuf_run_pfn(*last);
		unsigned long count = uring_dmabuf_run_pages(*last);

		if (first + count == pfn && count < URING_DMABUF_RUN_MAX_PAGES) {
			*last = uring_dmabuf_run_pack(first, count + 1);
			goto counted;
		}
	}
	if (buf->nr_runs == buf->runs_cap) {
		err = runs_resize(buf, max_t(unsigned long, URING_DMABUF_RUNS_MIN,
					     buf->runs_cap * 2));
		if (err)
			return err;
	}
	buf->runs[buf->nr_runs++] = uring_dmabuf_run_pack(pfn, 1);
counted:
	note_page(buf, page);
	buf->nr_pages++;
	return 0;
}

/*
 * Take over @nr freshly pinned pages. That merges the pages of a folio into
 * one run, and physically adjacent folios too. On failure the pages already
 * taken belong to the runs (the caller unpins those); the rest are unpinned
 * here.
 */
int uring_dmabuf_runs_append(struct uring_dmabuf_buffer *buf,
			     struct page **pages, unsigned long nr)
{
	unsigned long i;
	int err;

	for (i = 0; i < nr; i++) {
		err = append_page(buf, pages[i]);
		if (err) {
			unpin_user_pages(pages + i, nr - i);
			return err;
		}
	}
	return 0;
}

/* Give back the slack of the doubling; bookkeeping per GiB is a feature. */
int uring_dmabuf_runs_trim(struct uring_dmabuf_buffer *buf)
{
	if (buf->runs_cap == buf->nr_runs)
		return 0;
	return runs_resize(buf, buf->nr_runs);
}

void uring_dmabuf_runs_unpin(struct uring_dmabuf_buffer *buf, bool dirty)
{
	unsigned long i;

	for (i = 0; i < buf->nr_runs; i++) {
		u64 run = buf->runs[i];

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
