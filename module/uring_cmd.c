// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_URING_CMD on the device: turn (a range of) an io_uring
 * registered buffer into a dma-buf. io_uring resolves and bounds-checks the
 * range; the dma-buf then takes its own long-term pin by user address and
 * checks that those are the very pages the ring registered, so that it
 * outlives unregistering, munmap() and the exit of the creator.
 */
#include <linux/dma-buf.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/uio.h>

#include "run.h"
#include "uring_dmabuf.h"

#define URING_DMABUF_CMP_BATCH (PAGE_SIZE / sizeof(struct page *))

struct run_cursor {
	const struct uring_dmabuf_buffer *buf;
	unsigned long run;
	unsigned long page;
};

static bool cursor_next_is(struct run_cursor *c, struct page *page)
{
	u64 run;

	if (c->run >= c->buf->nr_runs)
		return false;
	run = c->buf->runs[c->run];
	if (page_to_pfn(page) != uring_dmabuf_run_pfn(run) + c->page)
		return false;
	if (++c->page == uring_dmabuf_run_pages(run)) {
		c->run++;
		c->page = 0;
	}
	return true;
}

/*
 * The registered pages, listed by io_uring's iterator (one bvec per page,
 * or per folio since 6.10), must be the pages we pinned by address.
 */
static int check_same_pages(const struct uring_dmabuf_buffer *buf,
			    struct iov_iter *iter)
{
	struct run_cursor cursor = { .buf = buf };
	struct page **pages;
	int err = 0;

	if (!iov_iter_is_bvec(iter))
		return -EOPNOTSUPP;
	pages = (struct page **)__get_free_page(GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	while (iov_iter_count(iter) && !err) {
		size_t start;
		ssize_t bytes;
		unsigned long i, n;

		bytes = iov_iter_get_pages2(iter, pages, iov_iter_count(iter),
					    URING_DMABUF_CMP_BATCH, &start);
		if (bytes <= 0) {
			err = bytes ? bytes : -EFAULT;
			break;
		}
		n = DIV_ROUND_UP(start + bytes, PAGE_SIZE);
		for (i = 0; i < n; i++) {
			if (!err && (start || !cursor_next_is(&cursor, pages[i])))
				err = -EOPNOTSUPP;
			put_page(pages[i]);
		}
	}
	free_page((unsigned long)pages);
	return err;
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
	/* Pinning sleeps: have io_uring retry from its worker thread. */
	if (issue_flags & IO_URING_F_NONBLOCK)
		return -EAGAIN;
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
	return fd;

err_put:
	dma_buf_put(dmabuf);
	return err;
}
