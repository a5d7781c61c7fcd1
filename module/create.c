// SPDX-License-Identifier: GPL-2.0
/*
 * URING_DMABUF_IOC_CREATE: validate the ranges, charge, pin, export, and
 * publish the fd only after the result reached user space.
 */
#include <linux/dma-buf.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "uring_dmabuf.h"

/* Sum of all range lengths in pages, or -EINVAL for a malformed range. */
static long count_pages(const struct uring_dmabuf_range *ranges,
			unsigned int nr_ranges)
{
	unsigned long total = 0;
	unsigned int i;

	for (i = 0; i < nr_ranges; i++) {
		u64 addr = ranges[i].addr, len = ranges[i].len, end;

		if (!len || !PAGE_ALIGNED(addr) || !PAGE_ALIGNED(len))
			return -EINVAL;
		/* Past the address space is merely unmapped: -EFAULT later. */
		if (check_add_overflow(addr, len, &end))
			return -EINVAL;
		if (check_add_overflow(total, (unsigned long)(len >> PAGE_SHIFT),
				       &total) || total > LONG_MAX)
			return -EINVAL;
	}
	return total;
}

static int pin_ranges(struct uring_dmabuf_buffer *buf,
		      const struct uring_dmabuf_range *ranges,
		      unsigned int nr_ranges)
{
	unsigned int i;
	int err;

	for (i = 0; i < nr_ranges; i++) {
		err = uring_dmabuf_pin_range(buf, ranges[i].addr,
					     ranges[i].len >> PAGE_SHIFT);
		if (err)
			return err;
	}
	err = uring_dmabuf_runs_trim(buf);
	/*
	 * A page pinned writable from private anonymous memory is mapped at
	 * one address only, so one range of it cannot hold a page twice; two
	 * ranges can, and so can one range of file pages (one file offset
	 * mapped twice, mremap() with old_size 0). The sort costs O(n log n)
	 * in runs: the common single anonymous range skips it.
	 */
	if (err || !uring_dmabuf_may_write(buf) ||
	    (nr_ranges < 2 && !buf->shared_pages))
		return err;
	return uring_dmabuf_runs_find_alias(buf);
}

/*
 * Validate @ranges of the current process, charge, pin and export them as
 * one dma-buf. Also used by the io_uring fixed-buffer path.
 */
int uring_dmabuf_create_pinned(const struct uring_dmabuf_range *ranges,
			       unsigned int nr_ranges, u32 create_flags,
			       struct dma_buf **dmabuf)
{
	struct uring_dmabuf_buffer *buf;
	long nr_pages;
	int err;

	nr_pages = count_pages(ranges, nr_ranges);
	if (nr_pages < 0)
		return nr_pages;
	buf = uring_dmabuf_buffer_alloc(create_flags);
	if (!buf)
		return -ENOMEM;
	err = uring_dmabuf_charge(buf, nr_pages);
	if (err)
		goto err_free;
	err = pin_ranges(buf, ranges, nr_ranges);
	if (err)
		goto err_free;
	err = uring_dmabuf_export(buf, dmabuf);
	if (err)
		goto err_free;
	return 0;

err_free:
	/* Unpins whatever was pinned and uncharges what was charged. */
	uring_dmabuf_buffer_free(buf);
	return err;
}

static int copy_ranges(const struct uring_dmabuf_create *args,
		       struct uring_dmabuf_range **out)
{
	const void __user *uranges = u64_to_user_ptr(args->ranges);
	struct uring_dmabuf_range *ranges;

	if (!args->nr_ranges)
		return -EINVAL;
	if (args->nr_ranges > READ_ONCE(uring_dmabuf_max_ranges))
		return -E2BIG;
	ranges = kvmalloc_array(args->nr_ranges, sizeof(*ranges), GFP_KERNEL);
	if (!ranges)
		return -ENOMEM;
	if (copy_from_user(ranges, uranges,
			   array_size(args->nr_ranges, sizeof(*ranges)))) {
		kvfree(ranges);
		return -EFAULT;
	}
	*out = ranges;
	return 0;
}

/* Reads a size-first struct; bytes past what we know must be zero. */
int uring_dmabuf_copy_args(void *kargs, size_t ksize, size_t min_size,
			   const void __user *uarg)
{
	u32 usize;
	int err;

	if (get_user(usize, (const u32 __user *)uarg))
		return -EFAULT;
	if (usize < min_size)
		return -EINVAL;
	/* As openat2() and clone3(): no scanning of megabytes for zeroes. */
	if (usize > PAGE_SIZE)
		return -E2BIG;
	err = copy_struct_from_user(kargs, ksize, uarg, usize);
	/* A non-zero unknown tail is a reserved field set: -EINVAL. */
	return err == -E2BIG ? -EINVAL : err;
}

long uring_dmabuf_ioctl_create(void __user *uarg)
{
	struct uring_dmabuf_create __user *ucreate = uarg;
	struct uring_dmabuf_create args;
	struct uring_dmabuf_range *ranges;
	struct dma_buf *dmabuf;
	int fd, err;

	err = uring_dmabuf_copy_args(&args, sizeof(args),
				     URING_DMABUF_CREATE_SIZE_VER0, uarg);
	if (err)
		return err;
	if (args.flags & ~URING_DMABUF_CREATE_FLAGS_ALL)
		return -EINVAL;
	err = copy_ranges(&args, &ranges);
	if (err)
		return err;

	err = uring_dmabuf_create_pinned(ranges, args.nr_ranges, args.flags,
					 &dmabuf);
	kvfree(ranges);
	if (err)
		return err;

	fd = get_unused_fd_flags(args.flags & URING_DMABUF_CREATE_CLOEXEC ?
				 O_CLOEXEC : 0);
	if (fd < 0) {
		err = fd;
		goto err_put;
	}
	if (put_user(fd, &ucreate->fd) ||
	    put_user((u64)dmabuf->size, &ucreate->bytes)) {
		err = -EFAULT;
		goto err_put_fd;
	}
	fd_install(fd, dmabuf->file);
	return 0;

err_put_fd:
	put_unused_fd(fd);
err_put:
	dma_buf_put(dmabuf);
	return err;
}
