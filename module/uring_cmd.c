// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_URING_CMD on the device: turn (a range of) an io_uring
 * registered buffer into a dma-buf. io_uring resolves and bounds-checks the
 * range; the dma-buf then takes its own long-term pin by user address and
 * checks that those are the very pages the ring registered, so that it
 * outlives unregistering, munmap() and the exit of the creator.
 */
#include <linux/bvec.h>
#include <linux/dma-buf.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/uio.h>

#include "run.h"
#include "uring_dmabuf.h"

struct run_cursor {
	const struct uring_dmabuf_buffer *buf;
	unsigned long run;
	unsigned long page;
};

/* Do the next @count pages of the runs start at @pfn? Advances if so. */
static bool cursor_match(struct run_cursor *c, unsigned long pfn,
			 unsigned long count)
{
	while (count) {
		u64 run;
		unsigned long step;

		if (c->run >= c->buf->nr_runs)
			return false;
		run = c->buf->runs[c->run];
		if (uring_dmabuf_run_pfn(run) + c->page != pfn)
			return false;
		step = min(uring_dmabuf_run_pages(run) - c->page, count);
		pfn += step;
		count -= step;
		c->page += step;
		if (c->page == uring_dmabuf_run_pages(run)) {
			c->run++;
			c->page = 0;
		}
	}
	return true;
}

/*
 * The registered pages, as io_uring's iterator lists them (a bvec per page,
 * or per folio since 6.10), must be the pages we pinned by address: compare
 * bvec by bvec against the runs, without taking page references.
 */
static int check_same_pages(const struct uring_dmabuf_buffer *buf,
			    const struct iov_iter *iter)
{
	struct run_cursor cursor = { .buf = buf };
	const struct bio_vec *bv = iter->bvec;
	unsigned long nr_segs = iter->nr_segs;
	size_t skip = iter->iov_offset;
	size_t left = iov_iter_count(iter);

	if (!iov_iter_is_bvec(iter))
		return -EOPNOTSUPP;
	for (; left && nr_segs; bv++, nr_segs--, skip = 0) {
		size_t off, len;

		if (skip >= bv->bv_len) {
			skip -= bv->bv_len;
			continue;
		}
		off = bv->bv_offset + skip;
		len = min_t(size_t, bv->bv_len - skip, left);
		if (!PAGE_ALIGNED(off) || !PAGE_ALIGNED(len) ||
		    !cursor_match(&cursor, page_to_pfn(bv->bv_page) + (off >> PAGE_SHIFT),
				  len >> PAGE_SHIFT))
			return -EOPNOTSUPP;
		left -= len;
	}
	return left || cursor.run != buf->nr_runs ? -EOPNOTSUPP : 0;
}

static int parse_cmd(const struct io_uring_cmd *ioucmd,
		     struct uring_dmabuf_range *range, u32 *create_flags)
{
	const struct uring_dmabuf_cmd_fixed *cmd;
	u64 end;

	switch (ioucmd->cmd_op) {
	case URING_DMABUF_CMD_CREATE_FIXED:
		*create_flags = 0;
		break;
	case URING_DMABUF_CMD_CREATE_FIXED_RO:
		*create_flags = URING_DMABUF_CREATE_READONLY;
		break;
	default:
		return -ENOTTY;
	}
	if (!(ioucmd->flags & IORING_URING_CMD_FIXED))
		return -EINVAL;
	/* The SQE is shared with user space: read each field once. */
	cmd = uring_dmabuf_cmd_payload(ioucmd);
	range->addr = READ_ONCE(cmd->addr);
	range->len = READ_ONCE(cmd->len);
	if (!range->len || !PAGE_ALIGNED(range->addr) ||
	    !PAGE_ALIGNED(range->len) ||
	    check_add_overflow(range->addr, range->len, &end))
		return -EINVAL;
	return 0;
}

/*
 * Runs inline, in the submitter's context: pinning sleeps, as buffer
 * registration does, and an io-wq punt only adds a thread hop. Success
 * completes through io_uring_cmd_done(): a positive return from
 * ->uring_cmd is lost on the io-wq path of 6.1 and fails links there.
 */
int uring_dmabuf_uring_cmd(struct io_uring_cmd *ioucmd,
			   unsigned int issue_flags)
{
	struct uring_dmabuf_range range;
	struct dma_buf *dmabuf;
	struct iov_iter iter;
	u32 create_flags;
	int fd, err;

	err = parse_cmd(ioucmd, &range, &create_flags);
	if (err)
		return err;
	err = uring_dmabuf_import_fixed(range.addr, range.len,
					create_flags ? ITER_SOURCE : ITER_DEST,
					&iter, ioucmd, issue_flags);
	if (err)
		return err;

	err = uring_dmabuf_create_pinned(&range, 1, create_flags, &dmabuf);
	if (err)
		return err;
	err = check_same_pages(dmabuf->priv, &iter);
	if (err)
		goto err_put;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		err = fd;
		goto err_put;
	}
	fd_install(fd, dmabuf->file);
	uring_dmabuf_cmd_done(ioucmd, fd, issue_flags);
	return -EIOCBQUEUED;

err_put:
	dma_buf_put(dmabuf);
	return err;
}
