// SPDX-License-Identifier: GPL-2.0
/*
 * Buffer objects: allocation, and the one teardown path shared by failed
 * creation and dma-buf release.
 */
#include <linux/slab.h>

#include "uring_dmabuf.h"

struct uring_dmabuf_buffer *uring_dmabuf_buffer_alloc(u32 create_flags)
{
	struct uring_dmabuf_buffer *buf;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return NULL;
	buf->create_flags = create_flags & ~URING_DMABUF_CREATE_CLOEXEC;
	mutex_init(&buf->lock);
	INIT_LIST_HEAD(&buf->attachments);
	uring_dmabuf_stats_buffer(1);
	return buf;
}

/*
 * Unpins (marking the pages dirty: devices may have written them), then
 * uncharges the creating mm. Never looks at current: release may run in
 * another process or a kworker.
 */
void uring_dmabuf_buffer_free(struct uring_dmabuf_buffer *buf)
{
	WARN_ON(!list_empty(&buf->attachments));
	uring_dmabuf_runs_unpin(buf, !uring_dmabuf_readonly(buf));
	uring_dmabuf_runs_free(buf);
	uring_dmabuf_uncharge(buf);
	mutex_destroy(&buf->lock);
	uring_dmabuf_stats_buffer(-1);
	kfree(buf);
}
