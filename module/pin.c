// SPDX-License-Identifier: GPL-2.0
/*
 * Long-term pinning of user memory into a buffer's runs, one VMA at a time:
 * shared shmem and hugetlbfs mappings folio by folio (their pages are the
 * file's, memfile.c), everything else page by page through GUP, in batches,
 * checking afterwards that GUP pinned what the VMA was checked as.
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

/*
 * The next piece of a range: one VMA's worth, pinned one way. What the VMA
 * was is only a promise: another thread may map something else there before
 * the pins are taken, so what was pinned is checked against it afterwards.
 */
struct piece {
	unsigned long end;
	struct file *file;	/* the shmem/hugetlbfs file mapped, referenced */
	loff_t offset;		/* of the piece's first byte in @file */
	unsigned long huge_size;	/* of a hugetlbfs mapping's pages, or 0 */
	bool by_folio;		/* pin @file's folios by offset, not by address */
	bool sealable;		/* a writable shared mapping: honour @file's seals */
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

/* VM_HUGETLB, not is_file_hugepages(): that one is not exported before 6.11. */
static bool memory_file(struct vm_area_struct *vma)
{
	return vma->vm_file && (shmem_file(vma->vm_file) || is_vm_hugetlb_page(vma));
}

static int next_piece(unsigned long addr, unsigned long end, bool writable,
		      struct piece *p)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	int err;

	memset(p, 0, sizeof(*p));
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
	p->huge_size = is_vm_hugetlb_page(vma) ? vma_kernel_pagesize(vma) : 0;
	if (memory_file(vma)) {
		bool shared = vma->vm_flags & VM_SHARED;

		p->file = get_file(vma->vm_file);
		p->offset = ((loff_t)vma->vm_pgoff << PAGE_SHIFT) + (addr - vma->vm_start);
		/* Private mappings: the process sees its own copies, if any. */
		p->by_folio = shared && uring_dmabuf_can_pin_folios();
		p->sealable = shared && writable;
	}
out:
	mmap_read_unlock(mm);
	return err;
}

/*
 * GUP pinned by address; were those the pages the piece was checked as?
 * Anonymous memory, a zero page (read-only pins of untouched memory), or
 * the piece's own file. Page cache of any other file is what the uapi
 * refuses; another memory file means the mapping changed under us.
 */
static int check_folio(struct uring_dmabuf_buffer *buf, struct folio *folio,
		       const void *arg)
{
	const struct piece *p = arg;
	struct address_space *mapping;

	if (folio_test_anon(folio))
		return 0;
	buf->shared_pages = true;
	/* A pinned folio can lose its mapping (truncation), not change it. */
	mapping = READ_ONCE(folio->mapping);
	if (!mapping || (p->file && mapping == p->file->f_mapping))
		return 0;
	if (folio_test_hugetlb(folio) || shmem_mapping(mapping))
		return -EFAULT;
	return -EOPNOTSUPP;
}

static int pin_pages(struct uring_dmabuf_buffer *buf, unsigned long addr,
		     unsigned long nr_pages, const struct piece *p, void *batch)
{
	unsigned int gup_flags = FOLL_LONGTERM;
	struct page **pages = batch;
	int err;

	if (uring_dmabuf_may_write(buf))
		gup_flags |= FOLL_WRITE;
	while (nr_pages) {
		int n = min_t(unsigned long, nr_pages, URING_DMABUF_PIN_BATCH);
		int got = pin_user_pages_fast(addr, n, gup_flags, pages);

		if (got <= 0)
			return got ? got : -EFAULT;
		err = uring_dmabuf_runs_append(buf, pages, got, check_folio, p);
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
 * Pin one piece into @buf's runs: by file offset for shared mappings of
 * memory files where the kernel can (what the process maps is the file's
 * pages), else by address through GUP, checking what was pinned.
 */
static int pin_piece(struct uring_dmabuf_buffer *buf, unsigned long addr,
		     const struct piece *p, void *batch)
{
	unsigned long n = (p->end - addr) >> PAGE_SHIFT;
	int err = 0;

	if (p->huge_size)
		err = uring_dmabuf_fault_in_hugetlb(addr, p->end, p->huge_size);
	if (err)
		return err;
	if (p->by_folio)
		return uring_dmabuf_pin_file(buf, p->file, p->offset, n,
					     p->huge_size, p->sealable, batch);
	err = pin_pages(buf, addr, n, p, batch);
	/* Pinned first: a seal added from now on waits for our pins, and fails. */
	if (!err && p->sealable)
		err = uring_dmabuf_check_seals(p->file, p->huge_size);
	return err;
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
	void *batch;
	int err = 0;

	batch = (void *)__get_free_page(GFP_KERNEL);
	if (!batch)
		return -ENOMEM;
	while (addr < end && !err) {
		struct piece p;

		err = next_piece(addr, end, uring_dmabuf_may_write(buf), &p);
		if (err)
			break;
		err = pin_piece(buf, addr, &p, batch);
		if (p.file)
			fput(p.file);
		addr = p.end;
	}
	free_page((unsigned long)batch);
	return err;
}
