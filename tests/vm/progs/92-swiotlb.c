// SPDX-License-Identifier: GPL-2.0
/*
 * 92-swiotlb: a device whose DMA goes through swiotlb bounce buffers (a guest
 * booted with swiotlb=force: every streaming mapping is bounced) can map
 * no segment larger than dma_max_mapping_size(), 256 KiB with swiotlb's
 * 128 slots of 2 KiB, whatever its own max_segment_size says. The exporter
 * must split its runs (a 2 MiB huge page is one) to that size, or the whole
 * mapping fails. Checked with the test importer (tests/kmod/importer)
 * claiming 4 GiB segments, for a hugetlb and a THP buffer, mapped
 * DMA_FROM_DEVICE and DMA_TO_DEVICE: the map works, no segment is over
 * 256 KiB, the bounce buffers hold the buffer's bytes in order, swiotlb's
 * slots are in use while the mapping lasts, and the memory is intact after.
 *
 * Without swiotlb=force on the command line the program skips, unless the
 * harness said this boot is the swiotlb boot (URING_DMABUF_VM_EXPECT holds
 * "swiotlb", from uring_dmabuf_vm.expect=swiotlb; make vmtest-swiotlb):
 * then that is a failure, never a skip.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"
#include "machine.h"
#include "netdev.h"
#include "../../kmod/importer/importer_uapi.h"

#define KIB 1024ULL
#define SWIOTLB_SLOT ((size_t)2048)			/* IO_TLB_SIZE */
#define SWIOTLB_MAX_MAPPING (128 * SWIOTLB_SLOT)	/* IO_TLB_SEGSIZE slots */
#define SEG_4G (0xffffffffU & ~4095U)
#define SWIOTLB_DEBUGFS "/sys/kernel/debug/swiotlb/"

/* Whether word @word is one of the comma-separated values of @list. */
static int has_value(const char *list, size_t n, const char *word)
{
	size_t wl = strlen(word);

	while (n) {
		const char *comma = memchr(list, ',', n);
		size_t l = comma ? (size_t)(comma - list) : n;

		if (l == wl && !memcmp(list, word, wl))
			return 1;
		if (!comma)
			break;
		n -= l + 1;
		list = comma + 1;
	}
	return 0;
}

/* swiotlb=force, or swiotlb=<slabs>,force (the kernel's two spellings). */
static int cmdline_forces_swiotlb(void)
{
	char cmdline[4096], *tok, *save = NULL;

	if (read_text("/proc/cmdline", cmdline, sizeof(cmdline)) < 0)
		return 0;
	for (tok = strtok_r(cmdline, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (!strncmp(tok, "swiotlb=", 8) &&
		    has_value(tok + 8, strlen(tok + 8), "force"))
			return 1;
	}
	return 0;
}

/* A counter of swiotlb's default pool in debugfs, or -1. */
static long long swiotlb_counter(const char *name)
{
	char path[128];
	unsigned long long v;

	snprintf(path, sizeof(path), SWIOTLB_DEBUGFS "%s", name);
	return read_ull(path, &v) ? -1 : (long long)v;
}

static uint64_t hash_of(const unsigned char *p, size_t len)
{
	struct importer_hash h = IMPORTER_HASH_INIT;

	importer_hash_update(&h, p, len);
	return importer_hash_final(&h);
}

static const struct {
	uint32_t dir;
	const char *name;
} dirs[] = {
	{ IMPORTER_DIR_FROM_DEVICE, "DMA_FROM_DEVICE" },
	{ IMPORTER_DIR_TO_DEVICE, "DMA_TO_DEVICE" },
};

/* One mapping of @fd (@len bytes of @m, hashing to @hash) in direction @d. */
static void check_map(int imp, const char *what, int fd, const struct mem *m,
		      uint64_t hash, unsigned int d, uint64_t seed)
{
	long long used0 = swiotlb_counter("io_tlb_used"), used;
	size_t len = m->len;
	struct importer_check c;
	long long bad;
	int ret;

	memset(&c, 0, sizeof(c));
	c.fd = fd;
	c.flags = IMPORTER_CHECK_BYTES | IMPORTER_CHECK_KEEP;
	c.max_seg_size = SEG_4G;	/* the device itself takes anything */
	c.dir = dirs[d].dir;
	c.cpu_dir = IMPORTER_DIR_FROM_DEVICE;
	ret = ioctl_ret(imp, IMPORTER_IOC_CHECK, &c);
	if (!t_ok(!ret && !c.attach_err && !c.map_err && c.nr_segments,
		  "%s, %s: attach and map through swiotlb", what,
		  dirs[d].name)) {
		t_diag("ioctl %s, attach %s, map %s, %llu segments",
		       errname(-ret), errname(c.attach_err),
		       errname(c.map_err), (unsigned long long)c.nr_segments);
		if (!ret && !c.attach_err && !c.map_err)
			ioctl_ret(imp, IMPORTER_IOC_RELEASE, NULL);
		return;
	}
	/* The mapping is kept: its bounce slots are taken now. */
	used = swiotlb_counter("io_tlb_used");
	if (!t_ok(used0 >= 0 && used - used0 >= (long long)(len / SWIOTLB_SLOT),
		  "%s, %s: swiotlb holds the mapping (%lld slots of 2 KiB "
		  "taken)", what, dirs[d].name, used - used0))
		t_diag("io_tlb_used %lld before, %lld while mapped, want %zu "
		       "more", used0, used, len / SWIOTLB_SLOT);

	if (!t_ok(c.largest_segment <= SWIOTLB_MAX_MAPPING &&
		  !c.nr_unaligned && !c.nr_cross_boundary,
		  "%s, %s: %llu segments, the largest %llu KiB (at most "
		  "256 KiB, dma_max_mapping_size)", what, dirs[d].name,
		  (unsigned long long)c.nr_segments,
		  (unsigned long long)c.largest_segment / KIB))
		t_diag("%llu not page aligned, %llu across a boundary",
		       (unsigned long long)c.nr_unaligned,
		       (unsigned long long)c.nr_cross_boundary);
	if (!t_ok(c.nr_segments >= len / SWIOTLB_MAX_MAPPING,
		  "%s, %s: at least %zu segments for %zu MiB", what,
		  dirs[d].name, len / SWIOTLB_MAX_MAPPING, len / MIB))
		t_diag("%llu segments", (unsigned long long)c.nr_segments);
	if (!t_ok(c.dmabuf_size == len && c.mapped_bytes == len &&
		  !c.nr_bad_pfn && !c.vmap_err && !c.vmap_mismatch &&
		  c.hash == hash,
		  "%s, %s: the bounce buffers hold the buffer's bytes in order",
		  what, dirs[d].name))
		t_diag("size %llu, mapped %llu, %llu bad pfns, vmap %s, "
		       "vmap mismatch at %lld, hash %s",
		       (unsigned long long)c.dmabuf_size,
		       (unsigned long long)c.mapped_bytes,
		       (unsigned long long)c.nr_bad_pfn, errname(c.vmap_err),
		       (long long)c.vmap_mismatch - 1,
		       c.hash == hash ? "equal" : "differs");
	if (!t_ok(!c.begin_cpu_err && !c.end_cpu_err,
		  "%s, %s: begin/end CPU access", what, dirs[d].name))
		t_diag("begin %s, end %s", errname(c.begin_cpu_err),
		       errname(c.end_cpu_err));

	ret = ioctl_ret(imp, IMPORTER_IOC_RELEASE, NULL);
	t_ok(!ret, "%s, %s: unmap and detach", what, dirs[d].name);
	used = swiotlb_counter("io_tlb_used");
	if (!t_ok(used >= 0 && used <= used0,
		  "%s, %s: the bounce slots are free again", what,
		  dirs[d].name))
		t_diag("io_tlb_used %lld before, %lld after", used0, used);
	/* Unmapping FROM_DEVICE copies the bounce buffers back. */
	bad = pattern_check(m->p, len, seed, 0);
	if (!t_ok(bad < 0, "%s, %s: the memory holds its bytes after the unmap",
		  what, dirs[d].name))
		t_diag("first wrong word at offset %lld", bad);
}

static void test_kind(int dev, int imp, enum mem_kind kind, size_t len,
		      uint64_t seed)
{
	struct uring_dmabuf_info info;
	const char *name = mem_kind_name(kind);
	char what[64], why[128];
	uint64_t hash;
	unsigned int d;
	struct mem m;
	int fd, ret;

	snprintf(what, sizeof(what), "%s, %zu MiB", name, len / MIB);
	ret = mem_alloc(&m, kind, len);
	if (ret) {
		snprintf(why, sizeof(why), "cannot map it: %s", strerror(-ret));
		t_skip(why, "%s: buffer", what);
		return;
	}
	pattern_fill(m.p, len, seed, 0);
	hash = hash_of(m.p, len);
	fd = ud_create1(dev, m.p, len, URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(fd >= 0, "%s: create", what)) {
		t_diag("create: %s", errname(-fd));
		mem_free(&m);
		return;
	}
	ret = ud_info(dev, fd, &info);
	/* Runs of 2 MiB or more are what swiotlb cannot take in one piece. */
	if (!t_ok(!ret && info.huge_bytes == len && info.nr_segments <= len / SZ_2M,
		  "%s: in huge pages, %llu run(s) of 2 MiB or more", what,
		  (unsigned long long)info.nr_segments))
		t_diag("info %s, %llu bytes in huge folios, %llu runs",
		       errname(-ret), (unsigned long long)info.huge_bytes,
		       (unsigned long long)info.nr_segments);
	for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++)
		check_map(imp, what, fd, &m, hash, d, seed);
	close(fd);
	mem_free(&m);
}

static int open_retry(const char *path)
{
	int i, fd = -1;

	/* devtmpfs adds the node at registration; allow a slow guest. */
	for (i = 0; i < 20 && fd < 0; i++) {
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			msleep(50);
	}
	return fd;
}

int main(void)
{
	long long nslabs;
	int dev, imp;

	t_init();
	if (!cmdline_forces_swiotlb()) {
		if (vm_expects("swiotlb")) {
			t_ok(0, "swiotlb=force on the kernel command line of "
			     "the swiotlb boot");
			t_diag("the harness asked for it "
			       "(uring_dmabuf_vm.expect=swiotlb), the kernel "
			       "did not get it: see VM_APPEND in tests/vm/vm.mk");
			return t_finish();
		}
		t_skip_all("no swiotlb=force on the kernel command line "
			   "(make vmtest-swiotlb boots with it)");
	}
	nslabs = swiotlb_counter("io_tlb_nslabs");
	if (!t_ok(nslabs > 0, "swiotlb is set up (%lld slots of 2 KiB)",
		  nslabs))
		t_diag("%sio_tlb_nslabs unreadable or 0", SWIOTLB_DEBUGFS);

	dev = dev_open();
	if (!t_ok(system("modprobe uring_dmabuf_importer") == 0,
		  "modprobe uring_dmabuf_importer"))
		return t_finish();
	imp = open_retry(IMPORTER_DEVICE);
	if (!t_ok(imp >= 0, "open %s", IMPORTER_DEVICE)) {
		t_diag("%s", strerror(errno));
		return t_finish();
	}

	test_kind(dev, imp, MEM_HUGE_2M, SZ_2M, 1);
	test_kind(dev, imp, MEM_THP, 2 * SZ_2M, 2);

	close(imp);
	close(dev);
	t_rmmod("uring_dmabuf_importer");
	return t_finish();
}
