// SPDX-License-Identifier: GPL-2.0
/*
 * Long-term pinning of user memory, in batches, into a buffer's runs.
 */
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/shmem_fs.h>

#include "uring_dmabuf.h"

/* One page of page pointers per batch: no huge temporary arrays. */
#define URING_DMABUF_PIN_BATCH (PAGE_SIZE / sizeof(struct page *))

/*
 * Pinning the page cache of an ordinary file long-term breaks writeback and
 * truncation (GUP refuses writable shared ones since 6.5, but not before),
 * and a read-only private mapping would hand us page-cache pages too. shmem
 * and hugetlbfs are memory, not page cache, and a writable private mapping
 * gets anonymous copies on the write fault GUP takes.
 */
static int check_vma(struct vm_area_struct *vma, bool writable)
{
	if (vma->vm_flags & (VM_IO | VM_PFNMAP))
		return -EFAULT;
	if (!vma->vm_file || shmem_file(vma->vm_file) || is_vm_hugetlb_page(vma))
		return 0;
	if ((vma->vm_flags & VM_SHARED) || !writable || vma_is_dax(vma))
		return -EOPNOTSUPP;
	return 0;
}

/* Holes give -EFAULT here already; GUP re-checks under its own locks. */
static int check_vmas(struct mm_struct *mm, unsigned long start,
		      unsigned long end, bool writable)
{
	struct vm_area_struct *vma;
	unsigned long addr = start;
	int err = 0;

	mmap_read_lock(mm);
	while (addr < end) {
		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start > addr) {
			err = -EFAULT;
			break;
		}
		err = check_vma(vma, writable);
		if (err)
			break;
		addr = vma->vm_end;
	}
	mmap_read_unlock(mm);
	return err;
}

/*
 * Pin @nr_pages pages from @addr of the current process into @buf's runs.
 * On failure the pages of this range that were pinned stay in the runs;
 * the caller unpins all runs.
 */
int uring_dmabuf_pin_range(struct uring_dmabuf_buffer *buf,
			   unsigned long addr, unsigned long nr_pages)
{
	unsigned int gup_flags = FOLL_LONGTERM;
	struct page **pages;
	int err;

	if (!uring_dmabuf_readonly(buf))
		gup_flags |= FOLL_WRITE;
	err = check_vmas(current->mm, addr, addr + (nr_pages << PAGE_SHIFT),
			 gup_flags & FOLL_WRITE);
	if (err)
		return err;

	pages = (struct page **)__get_free_page(GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	while (nr_pages) {
		int n = min_t(unsigned long, nr_pages, URING_DMABUF_PIN_BATCH);
		int got = pin_user_pages_fast(addr, n, gup_flags, pages);

		if (got <= 0) {
			err = got ? got : -EFAULT;
			break;
		}
		err = uring_dmabuf_runs_append(buf, pages, got);
		if (err)
			break;
		addr += (unsigned long)got << PAGE_SHIFT;
		nr_pages -= got;
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
	}
	free_page((unsigned long)pages);
	return err;
}
