/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * Test-only uapi of uring_dmabuf_importer: a dma-buf importer that checks
 * what an exporter hands to a device. Shared by the module and the test
 * programs in tests/vm/progs/; never installed.
 */
#ifndef _IMPORTER_UAPI_H
#define _IMPORTER_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define IMPORTER_DEVICE "/dev/uring_dmabuf_importer"

/* enum dma_data_direction, which is not uapi */
#define IMPORTER_DIR_BIDIRECTIONAL	0
#define IMPORTER_DIR_TO_DEVICE		1
#define IMPORTER_DIR_FROM_DEVICE	2

/* The importing device gets no DMA mask; only dma_buf_attach() is tried. */
#define IMPORTER_CHECK_NO_DMA_MASK	0x1U
/*
 * Keep the attachment and its mapping on this open file until
 * IMPORTER_IOC_RELEASE or close(), so that the caller can look at the
 * exporter's counters meanwhile. One per open file (else EBUSY).
 */
#define IMPORTER_CHECK_KEEP		0x2U
/* Read every mapped byte (hash, compare with the vmap). Slow under TCG. */
#define IMPORTER_CHECK_BYTES		0x4U
#define IMPORTER_CHECK_FLAGS_ALL	(IMPORTER_CHECK_NO_DMA_MASK | \
					 IMPORTER_CHECK_KEEP | \
					 IMPORTER_CHECK_BYTES)

/**
 * struct importer_check - ioctl(IMPORTER_IOC_CHECK)
 * @fd: in: the dma-buf
 * @flags: in: IMPORTER_CHECK_*
 * @max_seg_size: in: the device's dma_parms max_segment_size; 0 leaves the
 *	device without dma_parms (the kernel's default of 64 KiB applies)
 * @dir: in: IMPORTER_DIR_* for dma_buf_map_attachment
 * @cpu_dir: in: IMPORTER_DIR_* for dma_buf_begin/end_cpu_access
 * @seg_boundary_mask: in: the device's segment_boundary_mask, 0 for none
 * @attach_err: out: positive errno of dma_buf_attach, 0 if it worked
 * @map_err: out: errno of the mapping (EIO: it returned no segments)
 * @begin_cpu_err: out: errno of dma_buf_begin_cpu_access
 * @end_cpu_err: out: errno of dma_buf_end_cpu_access
 * @vmap_err: out: errno of dma_buf_vmap (only with IMPORTER_CHECK_BYTES and
 *	a mapping that worked); EINVAL from an exporter without vmap, such as a
 *	READONLY uring-dmabuf buffer. The bytes are still hashed without it.
 * @dmabuf_size: out: dma_buf->size
 * @nr_segments: out: DMA segments of the mapping (sgt->nents)
 * @mapped_bytes: out: sum of their sg_dma_len
 * @largest_segment: out: longest sg_dma_len
 * @nr_over_limit: out: segments longer than @max_seg_size (or 64 KiB)
 * @nr_cross_boundary: out: segments crossing a @seg_boundary_mask boundary
 * @nr_unaligned: out: segments whose address or length is not page aligned
 * @nr_bad_pfn: out: pages behind a DMA address that are not RAM we can read
 * @hash: out: importer_hash over the bytes behind the DMA addresses, in
 *	segment order (IMPORTER_CHECK_BYTES)
 * @vmap_mismatch: out: 1 + offset of the first byte where the memory behind
 *	the DMA addresses differs from the vmap; 0 if none or not compared
 * @nr_mergeable: out: segments that start where the previous one ends and
 *	could have been one with it within the limits (an exporter that
 *	splits more than the device demands)
 * @first_dma_addr: out: sg_dma_address of the first segment (an IOVA
 *	behind an IOMMU), for IMPORTER_IOC_TRANSLATE after the detach
 * @iommu_mapped: out: 1 if the importing device sits behind an IOMMU (a PCI
 *	function the importer drives, in the IOMMU lane): DMA addresses are
 *	IOVAs, read through the device's IOMMU domain, and segments may be
 *	merged IOVA-contiguous ranges of several of the exporter's runs
 * @__reserved: out: 0
 */
struct importer_check {
	__s32 fd;
	__u32 flags;
	__u32 max_seg_size;
	__u32 dir;
	__u32 cpu_dir;
	__u32 __pad;
	__u64 seg_boundary_mask;

	__s32 attach_err;
	__s32 map_err;
	__s32 begin_cpu_err;
	__s32 end_cpu_err;
	__s32 vmap_err;
	__u32 nr_over_limit;
	__u64 dmabuf_size;
	__u64 nr_segments;
	__u64 mapped_bytes;
	__u64 largest_segment;
	__u64 nr_cross_boundary;
	__u64 nr_unaligned;
	__u64 nr_bad_pfn;
	__u64 hash;
	__u64 vmap_mismatch;
	__u64 nr_mergeable;
	__u64 first_dma_addr;
	__u32 iommu_mapped;
	__u32 __reserved;
};

/**
 * struct importer_translate - ioctl(IMPORTER_IOC_TRANSLATE)
 * @dma_addr: in: an IOVA of the importer's PCI function
 * @translated: out: 1 if its IOMMU domain maps @dma_addr to memory (a DMA
 *	there would land), 0 if a DMA there would fault
 * @__pad: in: 0
 *
 * ENODEV when the importer has no IOMMU-mapped device.
 */
struct importer_translate {
	__u64 dma_addr;
	__u32 translated;
	__u32 __pad;
};

/**
 * struct importer_pfns - ioctl(IMPORTER_IOC_PFNS)
 * @pfns: in: user address of an array of __u64, one per page of the dma-buf
 * @nr_pfns: in: entries in @pfns; out: pages of the dma-buf
 *	(dmabuf_size / page size; ENOSPC, nothing written, if it is larger)
 * @nr_segments: out: DMA segments walked
 *
 * For the mapping IMPORTER_CHECK_KEEP kept (ENOENT without one): entry i
 * is the page frame that the DMA address of the dma-buf's page i leads to
 * (dma_to_phys, or the IOMMU domain's translation behind an IOMMU), or
 * IMPORTER_PFN_NONE where the device reaches no RAM. Segments are taken in
 * order, each holding the next sg_dma_len bytes of the buffer. A test
 * compares them with the frames behind the creator's virtual addresses, so
 * an exporter that handed out a bounce or shadow copy cannot pass.
 * EINVAL for a segment that is not page aligned.
 */
struct importer_pfns {
	__u64 pfns;
	__u64 nr_pfns;
	__u64 nr_segments;
};

#define IMPORTER_PFN_NONE	(~0ULL)

#define IMPORTER_IOC_MAGIC	0xDC
#define IMPORTER_IOC_CHECK	_IOWR(IMPORTER_IOC_MAGIC, 0x00, struct importer_check)
/* Detach what IMPORTER_CHECK_KEEP kept; ENOENT if nothing is kept. */
#define IMPORTER_IOC_RELEASE	_IO(IMPORTER_IOC_MAGIC, 0x01)
#define IMPORTER_IOC_TRANSLATE	_IOWR(IMPORTER_IOC_MAGIC, 0x02, struct importer_translate)
#define IMPORTER_IOC_PFNS	_IOWR(IMPORTER_IOC_MAGIC, 0x03, struct importer_pfns)

/*
 * Streaming FNV-1a over little-endian 64-bit words, so that the module
 * (page by page) and a test (in one go) hash the same bytes alike.
 */
struct importer_hash {
	__u64 h;
	__u64 word;
	__u32 nr_bytes;
};

#define IMPORTER_HASH_INIT { 0xcbf29ce484222325ULL, 0, 0 }

static inline void importer_hash_word(struct importer_hash *s, __u64 w)
{
	s->h = (s->h ^ w) * 0x100000001b3ULL;
}

static inline void importer_hash_update(struct importer_hash *s,
					const unsigned char *p,
					unsigned long len)
{
	while (len && s->nr_bytes) {
		s->word |= (__u64)*p++ << (8 * s->nr_bytes);
		len--;
		if (++s->nr_bytes == 8) {
			importer_hash_word(s, s->word);
			s->word = 0;
			s->nr_bytes = 0;
		}
	}
	for (; len >= 8; p += 8, len -= 8)
		importer_hash_word(s, (__u64)p[0] | (__u64)p[1] << 8 |
				   (__u64)p[2] << 16 | (__u64)p[3] << 24 |
				   (__u64)p[4] << 32 | (__u64)p[5] << 40 |
				   (__u64)p[6] << 48 | (__u64)p[7] << 56);
	while (len--)
		s->word |= (__u64)*p++ << (8 * s->nr_bytes++);
}

/* Pads a partial last word with zeros. */
static inline __u64 importer_hash_final(struct importer_hash *s)
{
	if (s->nr_bytes)
		importer_hash_word(s, s->word ^ s->nr_bytes);
	return s->h;
}

#endif /* _IMPORTER_UAPI_H */
