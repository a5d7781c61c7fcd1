/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version shim of the module, force-included into each file
 * (Kbuild: -include). The code is written against the newest kernel; this
 * header maps older kernels onto it. Features are detected from the
 * kernel's headers by probe.sh (distro kernels carry backports), never by
 * LINUX_VERSION_CODE.
 */
#ifndef URING_DMABUF_COMPAT_H
#define URING_DMABUF_COMPAT_H

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/uio.h>
#include <linux/version.h>

/* The floor: the dma-buf locking and GUP APIs used here start with 6.1. */
#if KERNEL_VERSION(6, 1, 0) > LINUX_VERSION_CODE
#error "uring_dmabuf needs Linux 6.1 or newer"
#endif

/*
 * MODULE_IMPORT_NS() took a bare token before 6.13 and a string literal
 * since. This spelling expands identically under both.
 */
#define uring_dmabuf_import_ns_dma_buf() MODULE_INFO(import_ns, "DMA_BUF")

/* vm_flags became read-only behind vm_flags_set()/_clear() in 6.3. */
#ifndef URING_DMABUF_HAVE_VM_FLAGS_SET
static inline void vm_flags_clear(struct vm_area_struct *vma,
				  unsigned long flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/*
 * Folio-granular pinning of shmem/hugetlbfs files (memfd_pin_folios, 6.11):
 * one pin per folio instead of per page. Without it every mapping is
 * pinned page by page through GUP, and no per-folio runs ever exist.
 */
#ifdef URING_DMABUF_HAVE_MEMFD_PIN_FOLIOS
#define uring_dmabuf_can_pin_folios() true
static inline long uring_dmabuf_memfd_pin_folios(struct file *file,
						 loff_t start, loff_t end,
						 struct folio **folios,
						 unsigned int max_folios,
						 pgoff_t *offset)
{
	return memfd_pin_folios(file, start, end, folios, max_folios, offset);
}

static inline void uring_dmabuf_unpin_folio(struct folio *folio)
{
	unpin_folio(folio);
}
#else
#define uring_dmabuf_can_pin_folios() false
static inline long uring_dmabuf_memfd_pin_folios(struct file *file,
						 loff_t start, loff_t end,
						 struct folio **folios,
						 unsigned int max_folios,
						 pgoff_t *offset)
{
	return -EOPNOTSUPP;
}

static inline void uring_dmabuf_unpin_folio(struct folio *folio)
{
	unpin_user_page(&folio->page);
}
#endif

/*
 * memfd_pin_folios() fills a hole of a hugetlbfs file itself. Before 6.16
 * it took a reservation the file may not hold (alloc_hugetlb_folio_reserve
 * decrements resv_huge_pages unconditionally) and lost it when the
 * page-cache insert failed, so there it must never meet a hole.
 */
#ifdef URING_DMABUF_HAVE_MEMFD_HUGETLB_RESERVE
#define uring_dmabuf_memfd_fills_hugetlb_holes() true
#else
#define uring_dmabuf_memfd_fills_hugetlb_holes() false
#endif

/* ITER_SOURCE/ITER_DEST replaced WRITE/READ for iterators in 6.1-rc. */
#ifndef URING_DMABUF_HAVE_ITER_DEST
#define ITER_SOURCE 1
#define ITER_DEST 0
#endif

/* struct io_uring_cmd moved to its own header in 6.6 or so. */
#ifdef URING_DMABUF_HAVE_IO_URING_CMD_H
#include <linux/io_uring/cmd.h>
#else
#include <linux/io_uring.h>
#endif

/*
 * 6.4 replaced io_uring_cmd.cmd with the SQE (whose accessor took a type
 * argument in 7.x); the payload is sqe->cmd in every version since.
 */
static inline const void *
uring_dmabuf_cmd_payload(const struct io_uring_cmd *ioucmd)
{
#ifdef URING_DMABUF_HAVE_IO_URING_CMD_SQE
	return ioucmd->sqe->cmd;
#else
	return ioucmd->cmd;
#endif
}

/* res2 went to io_uring_cmd_done32() in 6.18; Debian's 6.1 has issue_flags. */
static inline void uring_dmabuf_cmd_done(struct io_uring_cmd *ioucmd, int ret,
					 unsigned int issue_flags)
{
#ifdef URING_DMABUF_HAVE_CMD_DONE_RES2
	io_uring_cmd_done(ioucmd, ret, 0, issue_flags);
#else
	io_uring_cmd_done(ioucmd, ret, issue_flags);
#endif
}

/*
 * 6.15 added issue_flags (the buffer is looked up at issue time, under the
 * ring's submit lock) and made the command argument typed.
 */
static inline int uring_dmabuf_import_fixed(u64 ubuf, unsigned long len,
					    int rw, struct iov_iter *iter,
					    struct io_uring_cmd *ioucmd,
					    unsigned int issue_flags)
{
#ifdef URING_DMABUF_HAVE_IMPORT_FIXED_ISSUE_FLAGS
	return io_uring_cmd_import_fixed(ubuf, len, rw, iter, ioucmd,
					 issue_flags);
#else
	return io_uring_cmd_import_fixed(ubuf, len, rw, iter, ioucmd);
#endif
}

#endif /* URING_DMABUF_COMPAT_H */
