// SPDX-License-Identifier: GPL-2.0
/*
 * Charging pinned pages, as io_uring charges its registered buffers: to the
 * creating user's locked_vm against RLIMIT_MEMLOCK (unless CAP_IPC_LOCK),
 * to the creating mm's pinned_vm so that VmPin shows them, and to the
 * module-wide cap. The user, not the mm, is what the limit holds: pins
 * outlive the mm (execve() starts a fresh one at zero, an fd passed to
 * another process outlives its creator), the user does not.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>

#include "uring_dmabuf.h"

static bool over_module_cap(u64 total_pages)
{
	unsigned long cap_mb = READ_ONCE(uring_dmabuf_max_pinned_mb);

	return cap_mb && total_pages > (u64)cap_mb << (20 - PAGE_SHIFT);
}

/* Add @nr_pages to @user's locked_vm unless that passes RLIMIT_MEMLOCK. */
static int charge_user(struct user_struct *user, unsigned long nr_pages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	unsigned long cur = atomic_long_read(&user->locked_vm);

	do {
		if (nr_pages > limit || cur > limit - nr_pages)
			return -ENOMEM;
	} while (!atomic_long_try_cmpxchg(&user->locked_vm, &cur, cur + nr_pages));
	return 0;
}

/*
 * Charge @nr_pages before pinning them, so that concurrent creators cannot
 * all pass the limit check at once. A buffer larger than the machine's
 * memory can never be pinned: refused before anything is charged.
 */
int uring_dmabuf_charge(struct uring_dmabuf_buffer *buf, unsigned long nr_pages)
{
	struct user_struct *user = NULL;
	int err = -ENOMEM;

	if (nr_pages > totalram_pages())
		return -ENOMEM;
	if (over_module_cap(uring_dmabuf_stats_pin(nr_pages)))
		goto err_uncount;
	if (!capable(CAP_IPC_LOCK)) {
		user = get_uid(current_user());
		err = charge_user(user, nr_pages);
		if (err)
			goto err_put_user;
	}
	atomic64_add(nr_pages, &current->mm->pinned_vm);
	mmgrab(current->mm);
	buf->mm = current->mm;
	buf->user = user;
	buf->charged_pages = nr_pages;
	return 0;

err_put_user:
	free_uid(user);
err_uncount:
	uring_dmabuf_stats_pin(-(long)nr_pages);
	return err;
}

/* Never looks at current: release may run in any process or a kworker. */
void uring_dmabuf_uncharge(struct uring_dmabuf_buffer *buf)
{
	if (!buf->mm)
		return;
	if (buf->user) {
		atomic_long_sub(buf->charged_pages, &buf->user->locked_vm);
		free_uid(buf->user);
		buf->user = NULL;
	}
	atomic64_sub(buf->charged_pages, &buf->mm->pinned_vm);
	uring_dmabuf_stats_pin(-(long)buf->charged_pages);
	mmdrop(buf->mm);
	buf->mm = NULL;
	buf->charged_pages = 0;
}
