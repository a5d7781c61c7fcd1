/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of the uring_dmabuf module: one buffer object per
 * exported dma-buf, built from runs of physically contiguous pinned pages.
 */
#ifndef URING_DMABUF_INTERNAL_H
#define URING_DMABUF_INTERNAL_H

#include <linux/dma-direction.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include <uapi/linux/uring_dmabuf.h>

struct dma_buf;
struct file;
struct folio;
struct io_uring_cmd;
struct mm_struct;
struct page;
struct sg_table;
struct user_struct;

/*
 * Runs pack a 40-bit pfn and sizes are computed in unsigned long: a 32-bit
 * build would truncate them, so refuse it (dkms.conf says the same).
 */
#ifndef CONFIG_64BIT
#error "uring_dmabuf needs a 64-bit kernel"
#endif

/* Module parameters (main.c). */
extern unsigned int uring_dmabuf_max_ranges;
extern unsigned long uring_dmabuf_max_pinned_mb;

/**
 * struct uring_dmabuf_buffer - the memory behind one dma-buf
 * @runs: packed runs of physically contiguous pages, in buffer order (run.h)
 * @nr_runs: entries used in @runs
 * @runs_cap: entries allocated in @runs
 * @nr_pages: pages pinned, the dma-buf's size in pages
 * @charged_pages: pages charged to @user, @mm and the module-wide counter
 * @shared_pages: some page is not private anonymous memory, so it may be
 *	pinned twice even inside one range
 * @aliased: some page appears twice (writable buffers only)
 * @huge_bytes: bytes in folios larger than a page
 * @node_mask: NUMA nodes holding the pages (node >= 64 folds onto bit 63)
 * @create_flags: URING_DMABUF_CREATE_* (CLOEXEC excepted)
 * @user: the user whose locked_vm was charged against RLIMIT_MEMLOCK (NULL
 *	with CAP_IPC_LOCK); referenced, so the charge goes back to that user
 *	whoever drops the last reference, and survives the creator's execve()
 * @mm: the creating mm, whose pinned_vm shows the pins as VmPin; grabbed so
 *	release can uncharge it from any context (devmem releases from a
 *	workqueue)
 * @lock: protects @attachments and each attachment's mappings
 * @attachments: struct uring_dmabuf_attachment list
 * @nr_attachments: entries in @attachments
 */
struct uring_dmabuf_buffer {
	u64 *runs;
	unsigned long nr_runs;
	unsigned long runs_cap;
	unsigned long nr_pages;
	unsigned long charged_pages;
	bool shared_pages;
	bool aliased;
	u64 huge_bytes;
	u64 node_mask;
	u32 create_flags;
	struct user_struct *user;
	struct mm_struct *mm;
	struct mutex lock; /* protects attachments and their mappings */
	struct list_head attachments;
	unsigned int nr_attachments;
};

static inline bool uring_dmabuf_readonly(const struct uring_dmabuf_buffer *buf)
{
	return buf->create_flags & URING_DMABUF_CREATE_READONLY;
}

/*
 * May anything but the CPU through the creator's own mappings write the
 * pages: a device (map), a process (mmap of the dma-buf), the kernel (vmap)?
 * The one answer every importer path asks.
 */
static inline bool uring_dmabuf_may_write(const struct uring_dmabuf_buffer *buf)
{
	return !uring_dmabuf_readonly(buf);
}

/* buffer.c */
struct uring_dmabuf_buffer *uring_dmabuf_buffer_alloc(u32 create_flags);
void uring_dmabuf_buffer_free(struct uring_dmabuf_buffer *buf);

/* run.c */
int uring_dmabuf_runs_add(struct uring_dmabuf_buffer *buf, unsigned long pfn,
			  unsigned long count, bool per_folio, bool may_merge);
typedef int (*uring_dmabuf_folio_check_t)(struct uring_dmabuf_buffer *buf,
					  struct folio *folio, const void *arg);
int uring_dmabuf_runs_append(struct uring_dmabuf_buffer *buf,
			     struct page **pages, unsigned long nr,
			     uring_dmabuf_folio_check_t check, const void *arg);
int uring_dmabuf_runs_trim(struct uring_dmabuf_buffer *buf);
int uring_dmabuf_runs_find_alias(struct uring_dmabuf_buffer *buf);
void uring_dmabuf_runs_unpin(struct uring_dmabuf_buffer *buf, bool dirty);
void uring_dmabuf_runs_free(struct uring_dmabuf_buffer *buf);

/* pin.c, memfile.c: one page of pointers per batch, no huge arrays */
#define URING_DMABUF_PIN_BATCH (PAGE_SIZE / sizeof(void *))
int uring_dmabuf_pin_range(struct uring_dmabuf_buffer *buf,
			   unsigned long addr, unsigned long nr_pages);
int uring_dmabuf_fault_in_hugetlb(unsigned long start, unsigned long end,
				  unsigned long huge_size);
int uring_dmabuf_check_seals(struct file *file, unsigned long huge_size);
int uring_dmabuf_pin_file(struct uring_dmabuf_buffer *buf, struct file *file,
			  loff_t offset, unsigned long nr_pages,
			  unsigned long huge_size, bool sealable, void *batch);

/* account.c */
int uring_dmabuf_charge(struct uring_dmabuf_buffer *buf,
			unsigned long nr_pages);
void uring_dmabuf_uncharge(struct uring_dmabuf_buffer *buf);

/* sgt.c */
int uring_dmabuf_sgt_build(const struct uring_dmabuf_buffer *buf,
			   struct sg_table *sgt, struct device *dev);

/* export.c */
bool uring_dmabuf_is_ours(const struct dma_buf *dmabuf);
int uring_dmabuf_export(struct uring_dmabuf_buffer *buf,
			struct dma_buf **dmabuf);

/* create.c */
int uring_dmabuf_copy_args(void *kargs, size_t ksize, size_t min_size,
			   const void __user *uarg);
long uring_dmabuf_ioctl_create(void __user *uarg);
int uring_dmabuf_create_pinned(const struct uring_dmabuf_range *ranges,
			       unsigned int nr_ranges, u32 create_flags,
			       struct dma_buf **dmabuf);

/* info.c */
long uring_dmabuf_ioctl_info(void __user *uarg);
long uring_dmabuf_ioctl_version(void __user *uarg);

/* uring_cmd.c */
int uring_dmabuf_uring_cmd(struct io_uring_cmd *ioucmd,
			   unsigned int issue_flags);

/* stats.c */
void uring_dmabuf_stats_buffer(long delta);
void uring_dmabuf_stats_attachment(long delta);
u64 uring_dmabuf_stats_pinned_pages(void);
long uring_dmabuf_stats_pin(long nr_pages);
extern const struct attribute_group *uring_dmabuf_attr_groups[];

#endif /* URING_DMABUF_INTERNAL_H */
