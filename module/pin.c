// SPDX-License-Identifier: GPL-2.0
/*
 * Long-term pinning of user memory into a buffer's runs, one VMA at a time:
 * shared shmem and hugetlbfs mappings folio by folio (their pages are the
 * file's), everything else page by page through GUP, in batches.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>

#include "uring_dmabuf.h"

/* One page of pointers per batch: no huge temporary arrays. */
#define URING_DMABUF_PIN_BATCH (PAGE_SIZE / sizeof(void *))

/* The next piece of a range: one VMA's worth, pinned one way. */
struct piece {
	unsigned long end;
	struct file *file;	/* set (referenced): pin the file's folios */
	loff_t offset;		/* of the piece's first byte in @file */
	unsigned long huge_size;	/* of a hugetlbfs mapping's pages, or 0 */
};

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
	/* What GUP demands, also for the folio path, which does not ask it. */
	if (!(vma->vm_flags & (writable ? VM_WRITE : VM_READ)))
		return -EFAULT;
	if (!vma->vm_file || shmem_file(vma->vm_file) || is_vm_hugetlb_page(vma))
		return 0;
	if ((vma->vm_flags & VM_SHARED) || !writable || vma_is_dax(vma))
		return -EOPNOTSUPP;
	return 0;
}

/* Shared mappings of shmem or hugetlbfs: the process sees the file's pages. */
static bool folio_pinnable(struct vm_area_struct *vma)
{
	return uring_dmabuf_can_pin_folios() && (vma->vm_flags & VM_SHARED) &&
	       (shmem_file(vma->vm_file) || is_file_hugepages(vma->vm_file));
}

static int next_piece(unsigned long addr, unsigned long end, bool writable,
		      struct piece *p)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	int err;

	mmap_read_lock(mm);
	vma = find_vma(mm, addr);
	if (!vma || vma->vm_start > addr) {
		err = -EFAULT;
		goto out;
	}
	err = check_vma(vma, writable);
	if (err)
		goto out;
	p->end = min(end, vma->vm_end);
	p->file = NULL;
	p->huge_size = is_vm_hugetlb_page(vma) ? vma_kernel_pagesize(vma) : 0;
	if (folio_pinnable(vma)) {
		p->file = get_file(vma->vm_file);
		p->offset = ((loff_t)vma->vm_pgoff << PAGE_SHIFT) + (addr - vma->vm_start);
	}
out:
	mmap_read_unlock(mm);
	return err;
}

static int pin_pages(struct uring_dmabuf_buffer *buf, unsigned long addr,
		     unsigned long nr_pages, void *batch)
{
	unsigned int gup_flags = FOLL_LONGTERM;
	struct page **pages = batch;
	int err;

	if (!uring_dmabuf_readonly(buf))
		gup_flags |= FOLL_WRITE;
	while (nr_pages) {
		int n = min_t(unsigned long, nr_pages, URING_DMABUF_PIN_BATCH);
		int got = pin_user_pages_fast(addr, n, gup_flags, pages);

		if (got <= 0)
			return got ? got : -EFAULT;
		err = uring_dmabuf_runs_append(buf, pages, got);
		if (err)
			return err;
		addr += (unsigned long)got << PAGE_SHIFT;
		nr_pages -= got;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

/*
 * Why reading a hugetlbfs mapping at @addr failed: the pool (or memory) had
 * no page for a hole, unless the address is past the end of the file or no
 * longer an accessible hugetlbfs mapping (unmapped or mprotected meanwhile):
 * a bad address, as for GUP.
 */
static int hugetlb_fault_errno(unsigned long addr)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	int err = -EFAULT;
	loff_t pos;

	if (fatal_signal_pending(current))
		return -EINTR;
	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (vma && is_vm_hugetlb_page(vma) && vma_is_accessible(vma)) {
		pos = ((loff_t)vma->vm_pgoff << PAGE_SHIFT) + (addr - vma->vm_start);
		if (pos < i_size_read(file_inode(vma->vm_file)))
			err = -ENOMEM;
	}
	mmap_read_unlock(mm);
	return err;
}

/*
 * Fills the holes of a hugetlbfs mapping through the fault path, one read
 * per huge page, before GUP or memfd_pin_folios() sees them. GUP reports an
 * empty pool as a bad address; memfd_pin_folios() fills holes itself, but
 * when its page-cache insert fails (6.12: memfd_alloc_folio()) the hugetlb
 * reservation it took is lost, and a later allocation from the pool trips
 * over the count. The fault path gives the reservation back.
 */
static int fault_in_hugetlb(unsigned long start, unsigned long end,
			    unsigned long huge_size)
{
	unsigned long addr;

	for (addr = ALIGN_DOWN(start, huge_size); addr < end; addr += huge_size)
		if (fault_in_readable((const char __user *)addr, 1))
			return hugetlb_fault_errno(max(addr, start));
	return 0;
}

/* Adds the pages of @folios that lie in the range; one pin per folio. */
static int add_folios(struct uring_dmabuf_buffer *buf, struct folio **folios,
		      long nr, pgoff_t first, unsigned long *nr_pages,
		      bool *may_merge)
{
	long i;
	int err = 0;

	for (i = 0; i < nr; i++) {
		unsigned long count = min(folio_nr_pages(folios[i]) - first, *nr_pages);

		if (!err)
			err = uring_dmabuf_runs_add(buf, folio_pfn(folios[i]) + first,
						    count, true, *may_merge);
		if (err) {
			uring_dmabuf_unpin_folio(folios[i]);
			continue;
		}
		*may_merge = true;
		*nr_pages -= count;
		first = 0;
	}
	return err;
}

/*
 * The first folio of a range may be shared with another range (or pinned
 * twice by it), so it never merges into the run before it.
 */
static int pin_folios(struct uring_dmabuf_buffer *buf, struct file *file,
		      loff_t offset, unsigned long nr_pages, void *batch)
{
	struct folio **folios = batch;
	bool may_merge = false;
	int err;

	while (nr_pages) {
		loff_t end = offset + ((loff_t)nr_pages << PAGE_SHIFT) - 1;
		unsigned long before = nr_pages;
		pgoff_t first_offset;
		long nr;

		nr = uring_dmabuf_memfd_pin_folios(file, offset, end, folios,
						   URING_DMABUF_PIN_BATCH, &first_offset);
		/* Past the end of the file: what GUP would call a bad address. */
		if (nr == -EINVAL || nr == 0)
			return -EFAULT;
		if (nr < 0)
			return nr;
		err = add_folios(buf, folios, nr, first_offset >> PAGE_SHIFT,
				 &nr_pages, &may_merge);
		if (err)
			return err;
		offset += (loff_t)(before - nr_pages) << PAGE_SHIFT;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

/*
 * Pin @nr_pages pages from @addr of the current process into @buf's runs.
 * On failure what this range pinned stays in the runs; the caller unpins
 * all runs.
 */
int uring_dmabuf_pin_range(struct uring_dmabuf_buffer *buf,
			   unsigned long addr, unsigned long nr_pages)
{
	unsigned long end = addr + (nr_pages << PAGE_SHIFT);
	bool writable = !uring_dmabuf_readonly(buf);
	void *batch;
	int err = 0;

	batch = (void *)__get_free_page(GFP_KERNEL);
	if (!batch)
		return -ENOMEM;
	while (addr < end && !err) {
		struct piece p;
		unsigned long n;

		err = next_piece(addr, end, writable, &p);
		if (err)
			break;
		n = (p.end - addr) >> PAGE_SHIFT;
		if (p.huge_size)
			err = fault_in_hugetlb(addr, p.end, p.huge_size);
		if (p.file) {
			if (!err)
				err = pin_folios(buf, p.file, p.offset, n, batch);
			fput(p.file);
		} else if (!err) {
			err = pin_pages(buf, addr, n, batch);
		}
		addr = p.end;
	}
	free_page((unsigned long)batch);
	return err;
}
