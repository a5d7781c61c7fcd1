// SPDX-License-Identifier: GPL-2.0
/*
 * URING_DMABUF_IOC_INFO (one buffer) and URING_DMABUF_IOC_VERSION (the
 * module: API version, features, limits).
 */
#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "uring_dmabuf.h"

#define URING_DMABUF_FEATURES						\
	(URING_DMABUF_FEAT_CREATE | URING_DMABUF_FEAT_CREATE_FIXED |	\
	 URING_DMABUF_FEAT_READONLY | URING_DMABUF_FEAT_MMAP |		\
	 URING_DMABUF_FEAT_VMAP | URING_DMABUF_FEAT_CPU_SYNC)

/* Copies back no more than the caller's struct holds. */
static int copy_out(void __user *uarg, const void *kargs, size_t ksize)
{
	u32 usize;

	if (get_user(usize, (const u32 __user *)uarg))
		return -EFAULT;
	if (copy_to_user(uarg, kargs, min_t(size_t, usize, ksize)))
		return -EFAULT;
	return 0;
}

static void fill_info(struct uring_dmabuf_info *info,
		      struct uring_dmabuf_buffer *buf)
{
	info->create_flags = buf->create_flags;
	info->bytes = (u64)buf->nr_pages << PAGE_SHIFT;
	info->nr_segments = buf->nr_runs;
	info->huge_bytes = buf->huge_bytes;
	info->node_mask = buf->node_mask;
	mutex_lock(&buf->lock);
	info->nr_attachments = buf->nr_attachments;
	mutex_unlock(&buf->lock);
}

long uring_dmabuf_ioctl_info(void __user *uarg)
{
	struct uring_dmabuf_info info;
	struct dma_buf *dmabuf;
	int err;

	err = uring_dmabuf_copy_args(&info, sizeof(info),
				     URING_DMABUF_INFO_SIZE_VER0, uarg);
	if (err)
		return err;
	if (info.flags || info.__reserved)
		return -EINVAL;

	dmabuf = dma_buf_get(info.fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf) == -EBADF ? -EBADF : -EINVAL;
	if (!uring_dmabuf_is_ours(dmabuf)) {
		dma_buf_put(dmabuf);
		return -EINVAL;
	}
	fill_info(&info, dmabuf->priv);
	dma_buf_put(dmabuf);
	return copy_out(uarg, &info, sizeof(info));
}

long uring_dmabuf_ioctl_version(void __user *uarg)
{
	struct uring_dmabuf_version ver;
	int err;

	err = uring_dmabuf_copy_args(&ver, sizeof(ver),
				     URING_DMABUF_VERSION_SIZE_VER0, uarg);
	if (err)
		return err;
	if (ver.flags)
		return -EINVAL;

	ver.api_version = URING_DMABUF_API_VERSION;
	ver.max_ranges = READ_ONCE(uring_dmabuf_max_ranges);
	ver.features = URING_DMABUF_FEATURES;
	ver.max_bytes = (u64)READ_ONCE(uring_dmabuf_max_pinned_mb) << 20;
	ver.pinned_bytes = uring_dmabuf_stats_pinned_pages() << PAGE_SHIFT;
	strscpy(ver.module_version, URING_DMABUF_VERSION,
		sizeof(ver.module_version));
	return copy_out(uarg, &ver, sizeof(ver));
}
