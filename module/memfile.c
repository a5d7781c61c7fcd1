// SPDX-License-Identifier: GPL-2.0
/*
 * The memory files behind shared mappings (shmem, hugetlbfs): their seals,
 * the holes of hugetlbfs files, and pinning their folios by file offset.
 *
 * Seals and holes are checked with the inode locked shared: F_ADD_SEALS,
 * truncation and fallocate(PUNCH_HOLE) take it exclusive, and a seal that
 * forbids writers waits for the file's pins to go (memfd_wait_for_pins), so
 * a seal added after the check finds ours and fails with EBUSY. The lock is
 * never held across a page fault or GUP: hugetlbfs takes it inside mmap(),
 * under mmap_lock.
 */
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>

#include "uring_dmabuf.h"

/*
 * @huge_size: of a hugetlbfs file's pages, 0 for shmem. The caller knows it
 * from the VMA: is_file_hugepages() is not exported before 6.11.
 */
static unsigned int file_seals(struct file *file, unsigned long huge_size)
{
	struct inode *inode = file_inode(file);

#ifdef CONFIG_HUGETLBFS
	if (huge_size)
		return READ_ONCE(HUGETLBFS_I(inode)->seals);
#endif
	return READ_ONCE(SHMEM_I(inode)->seals);
}

/* A new writer is what F_SEAL_WRITE and F_SEAL_FUTURE_WRITE forbid. */
static int check_seals_locked(struct file *file, unsigned long huge_size)
{
	return file_seals(file, huge_size) & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE) ?
	       -EPERM : 0;
}

/* For pages pinned by address: call once they are all pinned. */
int uring_dmabuf_check_seals(struct file *file, unsigned long huge_size)
{
	struct inode *inode = file_inode(file);
	int err;

	inode_lock_shared(inode);
	err = check_seals_locked(file, huge_size);
	inode_unlock_shared(inode);
	return err;
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
 * per huge page: GUP reports an empty pool as a bad address (we say
 * ENOMEM), and memfd_pin_folios() before 6.16 must never fill a hole
 * itself (compat.h). The fault path keeps the pool's counts right.
 */
int uring_dmabuf_fault_in_hugetlb(unsigned long start, unsigned long end,
				  unsigned long huge_size)
{
	unsigned long addr;

	for (addr = ALIGN_DOWN(start, huge_size); addr < end; addr += huge_size)
		if (fault_in_readable((const char __user *)addr, 1))
			return hugetlb_fault_errno(max(addr, start));
	return 0;
}

/*
 * With the inode locked nothing can punch a hole; is one left? Then the
 * fault-in went to other memory: the mapping changed under us, or a hole
 * was punched between the fault-in and the lock.
 */
static bool hugetlb_has_hole(struct file *file, loff_t start, loff_t end,
			     unsigned long huge_size)
{
	loff_t pos;

	for (pos = ALIGN_DOWN(start, huge_size); pos < end; pos += huge_size) {
		struct folio *folio = filemap_get_folio(file->f_mapping,
							pos >> PAGE_SHIFT);

		/* NULL before 6.3, ERR_PTR(-ENOENT) since. */
		if (IS_ERR_OR_NULL(folio))
			return true;
		folio_put(folio);
	}
	return false;
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
 * Pin @nr_pages of @file from @offset, folio by folio, into @buf's runs.
 * @huge_size: of a hugetlbfs file's pages (its holes must have been
 * faulted in), 0 for shmem. @sealable: the buffer writes through a shared
 * mapping, so the seals must allow writers.
 */
int uring_dmabuf_pin_file(struct uring_dmabuf_buffer *buf, struct file *file,
			  loff_t offset, unsigned long nr_pages,
			  unsigned long huge_size, bool sealable, void *batch)
{
	struct inode *inode = file_inode(file);
	loff_t end = offset + ((loff_t)nr_pages << PAGE_SHIFT);
	int err = 0;

	buf->shared_pages = true;
	inode_lock_shared(inode);
	if (sealable)
		err = check_seals_locked(file, huge_size);
	if (!err && huge_size && !uring_dmabuf_memfd_fills_hugetlb_holes() &&
	    hugetlb_has_hole(file, offset, end, huge_size))
		err = -EFAULT;
	if (!err)
		err = pin_folios(buf, file, offset, nr_pages, batch);
	inode_unlock_shared(inode);
	return err;
}
