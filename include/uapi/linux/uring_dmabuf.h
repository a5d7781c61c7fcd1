/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * uring-dmabuf: export io_uring-registered buffers or ranges of a process's
 * memory as dma-bufs (for devmem TCP NETDEV_CMD_BIND_RX, RDMA, GPUs, ...).
 *
 * The device node is URING_DMABUF_DEVICE. Every ioctl takes a struct whose
 * first member is its own size (as iommufd does), so the structs can grow:
 * a caller passing a smaller, older struct gets the old behaviour; a larger
 * struct is accepted only if the bytes this module does not know are zero.
 * Unknown flag bits and non-zero reserved fields are rejected with -EINVAL;
 * a size over the page size (4096 on x86) with -E2BIG.
 *
 * ioctl magic 0xDB ("dma-buf"), numbers 0x00-0x1f; uring_cmd opcodes
 * 0xDB40-0xDB4f. Neither collides with Documentation/userspace-api/ioctl/
 * ioctl-number.rst as of Linux 7.3.
 */
#ifndef _UAPI_LINUX_URING_DMABUF_H
#define _UAPI_LINUX_URING_DMABUF_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define URING_DMABUF_DEVICE "/dev/uring_dmabuf"

/* Bumped when the meaning of an existing field or errno changes. */
#define URING_DMABUF_API_VERSION 1

#define URING_DMABUF_IOC_MAGIC 0xDB

/**
 * struct uring_dmabuf_range - one range of the caller's memory
 * @addr: user virtual address, page aligned
 * @len: bytes, a non-zero multiple of the page size; @addr + @len must not
 *	wrap around
 */
struct uring_dmabuf_range {
	__u64 addr;
	__u64 len;
};

/* The new dma-buf fd is close-on-exec. */
#define URING_DMABUF_CREATE_CLOEXEC (1U << 0)
/*
 * Devices only read the buffer (for TX): the pages are pinned without write
 * access, importers may map it only DMA_TO_DEVICE (else -EACCES), the
 * kernel may not vmap it (the dma-buf has no vmap: dma_buf_vmap() says
 * -EINVAL; a vmap carries no access mode, and vmap-only importers such as
 * V4L2 vb2-vmalloc capture write through it), and mmap of the dma-buf is
 * read-only.
 */
#define URING_DMABUF_CREATE_READONLY (1U << 1)
#define URING_DMABUF_CREATE_FLAGS_ALL \
	(URING_DMABUF_CREATE_CLOEXEC | URING_DMABUF_CREATE_READONLY)

/**
 * struct uring_dmabuf_create - ioctl(URING_DMABUF_IOC_CREATE)
 * @size: sizeof(struct uring_dmabuf_create); at least
 *	URING_DMABUF_CREATE_SIZE_VER0
 * @flags: URING_DMABUF_CREATE_* bits
 * @ranges: user pointer (as __u64) to an array of struct uring_dmabuf_range
 * @nr_ranges: number of entries in @ranges, 1 to the module's max_ranges
 * @fd: out: the new dma-buf file descriptor
 * @bytes: out: size of the dma-buf, the sum of all range lengths
 *
 * Pins the pages of every range (FOLL_LONGTERM, with write access unless
 * URING_DMABUF_CREATE_READONLY) and exports them, concatenated in the order
 * given, as one dma-buf. The pinned pages are charged, as io_uring charges
 * registered buffers, to the caller's user (its locked memory, against
 * RLIMIT_MEMLOCK) unless the caller has CAP_IPC_LOCK in the initial user
 * namespace (the root of a user namespace an unprivileged user made is
 * that user, charged as that user), and shown in the creating process's
 * VmPin (/proc/PID/status). They are released, and
 * uncharged from that same user, when the last reference to the dma-buf
 * (fd, mapping, importer attachment) goes away, whichever process drops it,
 * even if the memory was unmapped or its process exited or called execve()
 * in the meantime. Private anonymous pages stay with the creating process
 * across fork().
 *
 * What was pinned is checked after pinning, since another thread may map
 * other memory over a range while it is pinned: every page must be
 * anonymous memory, a zero page (READONLY), or a page of the shmem or
 * hugetlbfs file the range mapped when it was checked.
 *
 * Return: 0 on success, -1 with errno set (as every ioctl):
 * * %EINVAL - @size too small; unknown @flags bits; non-zero bytes past the
 *   end of the struct this module knows; @nr_ranges is 0; a range whose
 *   @addr is not page aligned, whose @len is 0 or not a multiple of the page
 *   size, or whose end wraps around; total size overflows
 * * %E2BIG - @nr_ranges is larger than the module parameter max_ranges;
 *   @size is larger than the page size
 * * %EFAULT - @ranges or the struct itself cannot be read or written; a range
 *   that is not mapped (also: past the end of the address space), is
 *   PROT_NONE, is VM_IO/VM_PFNMAP, or (without
 *   READONLY) is not writable; a range whose mapping changed to another
 *   shmem or hugetlbfs file (or a hole of a hugetlbfs file) while it was
 *   being pinned
 * * %EOPNOTSUPP - memory that cannot be long-term pinned: shared mappings of
 *   ordinary files (page cache), DAX, and for READONLY also private
 *   mappings of ordinary files (their unwritten pages are page cache); also
 *   when such memory was mapped over a range while it was being pinned
 * * %EPERM - without READONLY: a shared mapping of a memfd sealed with
 *   F_SEAL_WRITE or F_SEAL_FUTURE_WRITE (a writable dma-buf is a new writer;
 *   a seal added after the create fails with EBUSY while the pins last)
 * * %ENOMEM - over RLIMIT_MEMLOCK (the user's locked memory, without
 *   CAP_IPC_LOCK), over the module parameter max_pinned_mb, more pages than
 *   the machine has (nothing is charged then), or out of memory (also: no
 *   huge page left in the hugetlb pool for a page of a hugetlbfs range
 *   never touched)
 * * %EMFILE - no free file descriptor
 * * %EINTR - a fatal signal arrived while pinning (nothing stays pinned)
 *
 * Shared mappings of shmem (memfd, tmpfs, MAP_SHARED|MAP_ANONYMOUS) and
 * hugetlbfs are pinned folio by folio on kernels that have
 * memfd_pin_folios() (6.11+), other memory page by page. Pages of hugetlbfs
 * mappings never touched are faulted in first, as a read by the process
 * would. An importer that
 * maps a READONLY buffer other than DMA_TO_DEVICE gets -%EACCES, and so
 * does a writable mmap() of it (nor can mprotect() make one writable).
 * mmap() of the dma-buf needs MAP_SHARED (MAP_PRIVATE: -%EINVAL) and a
 * range inside the buffer (-%EINVAL). A
 * writable buffer whose ranges share a page (the same memory listed twice)
 * can be created and mmapped, but an importer mapping it other than
 * DMA_TO_DEVICE gets -%EINVAL: devices must not write one page through two
 * mappings. The same holds for one range that maps a page twice (one file
 * offset mapped at two addresses, mremap() with old_size 0) and for
 * URING_DMABUF_CMD_CREATE_FIXED of such memory. A writable buffer vmaps for
 * in-kernel importers; a buffer of over 2^28 pages (1 TiB) does not
 * (-%EINVAL).
 */
struct uring_dmabuf_create {
	__u32 size;
	__u32 flags;
	__u64 ranges;
	__u32 nr_ranges;
	__s32 fd;
	__u64 bytes;
};

#define URING_DMABUF_CREATE_SIZE_VER0 32

/**
 * struct uring_dmabuf_info - ioctl(URING_DMABUF_IOC_INFO)
 * @size: sizeof(struct uring_dmabuf_info); at least
 *	URING_DMABUF_INFO_SIZE_VER0
 * @flags: must be 0
 * @fd: in: a dma-buf created by this module
 * @create_flags: out: the URING_DMABUF_CREATE_* flags it was created with
 *	(CLOEXEC excepted, which belongs to the fd)
 * @bytes: out: size of the dma-buf
 * @nr_segments: out: number of physically contiguous runs of pages; an
 *	importer with no segment size limit receives this many sg entries
 * @huge_bytes: out: bytes that lie in folios larger than one page (THP,
 *	hugetlb, large shmem folios)
 * @node_mask: out: bit N set if a page lies on NUMA node N (nodes >= 64 are
 *	folded onto bit 63)
 * @nr_attachments: out: importers currently attached
 * @__reserved: must be 0
 *
 * Return: 0, or -1 with errno:
 * * %EINVAL - @size too small, @flags or @__reserved not zero, or @fd is not
 *   a dma-buf of this module
 * * %E2BIG - @size is larger than the page size
 * * %EBADF - @fd is not an open file descriptor
 * * %EFAULT - the struct cannot be read or written
 */
struct uring_dmabuf_info {
	__u32 size;
	__u32 flags;
	__s32 fd;
	__u32 create_flags;
	__u64 bytes;
	__u64 nr_segments;
	__u64 huge_bytes;
	__u64 node_mask;
	__u32 nr_attachments;
	__u32 __reserved;
};

#define URING_DMABUF_INFO_SIZE_VER0 56

/* Feature bits reported by URING_DMABUF_IOC_VERSION. */
#define URING_DMABUF_FEAT_CREATE	(1ULL << 0) /* URING_DMABUF_IOC_CREATE */
#define URING_DMABUF_FEAT_CREATE_FIXED	(1ULL << 1) /* io_uring fixed buffers */
#define URING_DMABUF_FEAT_READONLY	(1ULL << 2) /* CREATE_READONLY */
#define URING_DMABUF_FEAT_MMAP		(1ULL << 3) /* mmap of the dma-buf */
#define URING_DMABUF_FEAT_VMAP		(1ULL << 4) /* in-kernel vmap */
#define URING_DMABUF_FEAT_CPU_SYNC	(1ULL << 5) /* DMA_BUF_IOCTL_SYNC */

/**
 * struct uring_dmabuf_version - ioctl(URING_DMABUF_IOC_VERSION)
 * @size: sizeof(struct uring_dmabuf_version); at least
 *	URING_DMABUF_VERSION_SIZE_VER0
 * @flags: must be 0
 * @api_version: out: URING_DMABUF_API_VERSION of the loaded module
 * @max_ranges: out: the module parameter max_ranges
 * @features: out: URING_DMABUF_FEAT_* bits
 * @max_bytes: out: the module-wide cap on pinned bytes (max_pinned_mb), 0
 *	if there is none besides RLIMIT_MEMLOCK
 * @pinned_bytes: out: bytes pinned by all buffers of this module now
 * @module_version: out: the module's version as a NUL-terminated string
 *
 * Return: 0, or -1 with errno %EINVAL (@size too small, @flags not 0),
 * %E2BIG (@size larger than the page size) or %EFAULT.
 */
struct uring_dmabuf_version {
	__u32 size;
	__u32 flags;
	__u32 api_version;
	__u32 max_ranges;
	__u64 features;
	__u64 max_bytes;
	__u64 pinned_bytes;
	char module_version[32];
};

#define URING_DMABUF_VERSION_SIZE_VER0 72

/*
 * The size lives in the struct, not in the ioctl number, so that a struct
 * can grow without a new number (as iommufd).
 */
#define URING_DMABUF_IOC_VERSION _IO(URING_DMABUF_IOC_MAGIC, 0x00)
#define URING_DMABUF_IOC_CREATE	 _IO(URING_DMABUF_IOC_MAGIC, 0x01)
#define URING_DMABUF_IOC_INFO	 _IO(URING_DMABUF_IOC_MAGIC, 0x02)

/**
 * struct uring_dmabuf_cmd_fixed - payload of URING_DMABUF_CMD_CREATE_FIXED
 * @addr: user address of the first byte, inside the registered buffer
 *	sqe->buf_index names; page aligned
 * @len: bytes, a non-zero multiple of the page size, inside that buffer
 *
 * Submitted as IORING_OP_URING_CMD on an open fd of URING_DMABUF_DEVICE with
 * sqe->cmd_op = URING_DMABUF_CMD_CREATE_FIXED (or _RO for a read-only
 * buffer, see URING_DMABUF_CREATE_READONLY), sqe->uring_cmd_flags =
 * IORING_URING_CMD_FIXED, sqe->buf_index = the registered buffer, and this
 * struct in the 16 bytes of sqe->cmd. The dma-buf takes its own long-term
 * pin on exactly the pages the ring registered, so it outlives unregistering
 * the buffer, munmap() and the exit of the creating process; accounting is
 * that of URING_DMABUF_IOC_CREATE. That pin is charged on top of io_uring's
 * own charge for the registration: two long-term pins, each of which can
 * outlive the other, so registering N bytes and making them a dma-buf needs
 * an RLIMIT_MEMLOCK of 2N without CAP_IPC_LOCK.
 *
 * The payload fills the 16 command bytes of a 64-byte SQE: options that
 * come later get cmd_op values of their own, as _RO did.
 *
 * cqe->res: the new dma-buf fd (always close-on-exec), or a negative errno:
 * * -%EINVAL - no IORING_URING_CMD_FIXED; @addr or @len not page aligned,
 *   @len 0 or the range wraps around
 * * -%EFAULT - bad sqe->buf_index, or the range is not inside the
 *   registered buffer, or no longer mapped
 * * -%EOPNOTSUPP - the registered buffer is not (or no longer) the memory
 *   @addr maps in this process, e.g. a kernel (ublk) buffer
 * * -%ENOTTY - unknown cmd_op
 * * -%ENOMEM, -%EMFILE, -%EPERM - as for URING_DMABUF_IOC_CREATE
 */
struct uring_dmabuf_cmd_fixed {
	__u64 addr;
	__u64 len;
};

#define URING_DMABUF_CMD_CREATE_FIXED	 0xDB40
#define URING_DMABUF_CMD_CREATE_FIXED_RO 0xDB41

#endif /* _UAPI_LINUX_URING_DMABUF_H */
