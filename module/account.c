// SPDX-License-Identifier: GPL-2.0
/*
 * Charging pinned pages: to the creating mm's pinned_vm against
 * RLIMIT_MEMLOCK (as RDMA's ib_umem_get does) and to the module-wide cap.
 */
#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>

#include "uring_dmabuf.h"

static bool over_module_cap(u64 total_pages)
{
	unsigned long cap_mb = READ_ONCE(max_pinned_mb);

	return cap_mb && total_pages > (u64)cap_mb << (20 - PAGE_SHIFT);
}

/*
 * Charge @nr_pages before pinning them, so that concurrent creators cannot
 * all pass the limit check at once. The mm is kept (mmgrab) so that release
 * uncharges this mm even if the fd went to another process, or release runs
 * from a workqueue.
 */
int uring_dmabuf_charge(struct uring_dmabuf_buffer *buf, unsigned long nr_pages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	struct mm_struct *mm = current->mm;
	s64 pinned;

	if (over_module_cap(uring_dmabuf_stats_pin(nr_pages)))
		goto err_uncount;
	pinned = atomic64_add_return(nr_pages, &mm->pinned_vm);
	if (pinned > limit && !capable(CAP_IPC_LOCK))
		goto err_unpin_vm;

	mmgrab(mm);
	buf->mm = mm;
	buf->charged_pages = nr_pages;
	return 0;

err_unpin_vm:
	atomic64_sub(nr_pages, &mm->pinned_vm);
err_uncount:
	uring_dmabuf_stats_pin(-(long)nr_pages);
	return -ENOMEM;
}

void uring_dmabuf_uncharge(struct uring_dmabuf_buffer *buf)
{
	if (!buf->mm)
		return;
	atomic64_sub(buf->charged_pages, &buf->mm->pinned_vm);
	uring_dmabuf_stats_pin(-(long)buf->charged_pages);
	mmdrop(buf->mm);
	buf->mm = NULL;
	buf->charged_pages = 0;
}
