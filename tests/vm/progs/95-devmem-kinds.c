// SPDX-License-Identifier: GPL-2.0
/*
 * 95-devmem-kinds: devmem RX traffic into a dma-buf of every kind of
 * memory the module takes, through the simulated NIC pair (the set-up of
 * 95-simnic-devmem, from devmem_traffic.c): CREATE_FIXED from an io_uring
 * registered buffer, a 2 MiB and a 1 GiB hugetlb memfd, a shmem memfd,
 * THP, and one buffer whose ranges come from four kinds out of address
 * order. Each carries a few MiB at MTU 9000; every frag's bytes are read in
 * the creator's own mapping of the memory (not the dma-buf's mmap), at the
 * user address its SCM_DEVMEM_DMABUF offset leads to through the ranges.
 * Then unbinding lets the NIC detach from the buffer.
 *
 * Skips before 6.12 (no NETDEV_CMD_BIND_RX) and where the simnic module was
 * not built; the 1 GiB case skips on a boot without a free 1 GiB page.
 */
#include <errno.h>
#include <liburing.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/memfd.h>
#include <linux/netlink.h>

#include "common.h"
#include "devmem_traffic.h"
#include "netdev.h"
#include "uring.h"

#define KIND_BYTES (8 * MIB)	/* each dma-buf */
#define KIND_XFER (4 * MIB)	/* carried into it */
#define KIND_MTU 9000
#define MAX_PARTS 4
#define SZ_1G (1024 * MIB)

/* One dma-buf under test and the memory it was made of. */
struct kind_buf {
	const char *tag;
	struct mem m[MAX_PARTS];
	unsigned int nr_mem;
	struct uring_dmabuf_range r[MAX_PARTS];	/* in dma-buf order */
	unsigned int nr;
	int fd;
	/* INFO's huge_bytes the kind must give (0: not asked). */
	uint64_t want_huge;
	int thp;	/* ... where THP gives them: a skip without */
};

static int dev, family;

/*
 * Binds @b to the devmem queue, carries KIND_XFER bytes into it, checks
 * them at the creator's addresses, unbinds and waits for the detach.
 */
static void carry(struct kind_buf *b)
{
	struct devbuf db = { .fd = b->fd, .ranges = b->r, .nr_ranges = b->nr,
			     .buf_size = PAGE_SZ, .port = PORT };
	char ext[256] = "";
	unsigned int i;
	int gfd;
	long id;

	for (i = 0; i < b->nr; i++)
		db.bytes += b->r[i].len;
	gfd = nl_open(NETLINK_GENERIC);
	id = gfd < 0 ? gfd : bind_rx(gfd, family, if_nametoindex(RX_IF),
				     DEVMEM_QUEUE, b->fd, 0, ext, sizeof(ext));
	if (!t_ok(id > 0, "%s: NETDEV_CMD_BIND_RX to %s queue %d", b->tag,
		  RX_IF, DEVMEM_QUEUE)) {
		t_diag("%s%s%s", strerror(-id), ext[0] ? ": " : "", ext);
		if (gfd >= 0)
			close(gfd);
		return;
	}
	db.binding = id;
	devmem_transfer(b->tag, &db, KIND_MTU, KIND_XFER);
	close(gfd);
	t_ok(wait_stat(RX_IF, DEVMEM_QUEUE, "bound", 0),
	     "%s: closing the netlink socket unbinds the queue", b->tag);
	t_ok(wait_attachments(dev, b->fd, 0, ns_tx),
	     "%s: the NIC detaches once its pages are back", b->tag);
}

static void kind_free(struct kind_buf *b)
{
	unsigned int i;

	if (b->fd >= 0)
		close(b->fd);
	for (i = 0; i < b->nr_mem; i++)
		mem_free(&b->m[i]);
}

/*
 * The memory is the kind it claims: huge folios behind the huge kinds,
 * so that a THP setting or an empty pool cannot pass 4 KiB pages off.
 */
static int want_huge_ok(struct kind_buf *b)
{
	struct uring_dmabuf_info info = {};
	int ret;

	if (!b->want_huge)
		return 1;
	ret = ud_info(dev, b->fd, &info);
	if (b->thp && !ret && info.huge_bytes < b->want_huge) {
		/* The kernel's THP setting, not the module: nothing to carry. */
		t_skip("no THP behind the buffer (transparent_hugepage?)",
		       "%s: traffic into THP", b->tag);
		return 0;
	}
	if (t_ok(!ret && info.huge_bytes >= b->want_huge,
		 "%s: INFO: %llu MiB in huge folios", b->tag,
		 (unsigned long long)b->want_huge / MIB))
		return 1;
	t_diag("INFO %s, huge_bytes %llu", errname(-ret),
	       (unsigned long long)info.huge_bytes);
	return 0;
}

/* The ranges made one dma-buf with URING_DMABUF_IOC_CREATE, then carried. */
static void create_and_carry(struct kind_buf *b)
{
	unsigned int i;

	/* Poison: bytes the NIC never wrote cannot pass for payload. */
	for (i = 0; i < b->nr; i++)
		memset((void *)(uintptr_t)b->r[i].addr, 0xa5, b->r[i].len);
	b->fd = ud_create(dev, b->r, b->nr, URING_DMABUF_CREATE_CLOEXEC, NULL);
	if (!t_ok(b->fd >= 0, "%s: dma-buf of %u range(s)", b->tag, b->nr)) {
		t_diag("create: %s", errname(-b->fd));
	} else if (want_huge_ok(b)) {
		carry(b);
	}
	kind_free(b);
}

/* @kind as one range of KIND_BYTES; huge kinds skip when the pool is dry. */
static void one_kind(enum mem_kind kind, const char *tag)
{
	struct kind_buf b = { .tag = tag, .fd = -1 };
	char why[128];
	int ret = mem_alloc(&b.m[0], kind, KIND_BYTES);

	if (ret) {
		snprintf(why, sizeof(why), "cannot map it: %s", strerror(-ret));
		if (kind == MEM_MEMFD)
			t_ok(0, "%s: map %lu MiB (%s)", tag, KIND_BYTES / MIB,
			     why);
		else
			t_skip(why, "%s", tag);
		return;
	}
	b.nr_mem = 1;
	b.r[0].addr = (uintptr_t)b.m[0].p;
	b.r[0].len = KIND_BYTES;
	b.nr = 1;
	if (kind != MEM_MEMFD)
		b.want_huge = KIND_BYTES;
	b.thp = kind == MEM_THP;
	create_and_carry(&b);
}

/*
 * A 1 GiB hugetlb memfd, KIND_BYTES of it from 3 MiB in (not at a folio
 * start). mem_alloc() has 1 GiB pages only as anonymous memory.
 */
static void huge_1g_memfd(void)
{
	struct kind_buf b = { .tag = "hugetlb 1 GiB memfd", .fd = -1 };
	struct mem *m = &b.m[0];
	char why[160];

	memset(m, 0, sizeof(*m));
	m->kind = MEM_HUGE_MEMFD;
	m->fd = memfd_create("uring_dmabuf_1g",
			     MFD_CLOEXEC | MFD_HUGETLB | MFD_HUGE_1GB);
	m->map = MAP_FAILED;
	if (m->fd >= 0 && !ftruncate(m->fd, SZ_1G))
		m->map = mmap(NULL, SZ_1G, PROT_READ | PROT_WRITE, MAP_SHARED,
			      m->fd, 0);
	if (m->map == MAP_FAILED) {
		snprintf(why, sizeof(why),
			 "no 1 GiB page for it (%s; boot with hugepagesz=1G hugepages=1)",
			 strerror(errno));
		t_skip(why, "%s", b.tag);
		if (m->fd >= 0)
			close(m->fd);
		return;
	}
	m->p = m->map;
	m->len = m->map_len = SZ_1G;
	b.nr_mem = 1;
	b.r[0].addr = (uintptr_t)m->p + 3 * MIB;
	b.r[0].len = KIND_BYTES;
	b.nr = 1;
	b.want_huge = KIND_BYTES;
	create_and_carry(&b);
}

/* Four kinds in one dma-buf, in an order that is not the addresses'. */
static void mixed_ranges(void)
{
	static const enum mem_kind kinds[MAX_PARTS] = {
		MEM_HUGE_MEMFD, MEM_ANON, MEM_THP, MEM_MEMFD,
	};
	struct kind_buf b = { .tag = "ranges of four kinds", .fd = -1 };
	size_t part = KIND_BYTES / MAX_PARTS;
	unsigned int i;
	int ret;

	for (i = 0; i < MAX_PARTS; i++) {
		ret = mem_alloc(&b.m[b.nr_mem], kinds[i], part);
		if (ret) {
			t_diag("%s: no %s part: %s", b.tag,
			       mem_kind_name(kinds[i]), strerror(-ret));
			continue;
		}
		b.r[b.nr].addr = (uintptr_t)b.m[b.nr_mem].p;
		b.r[b.nr].len = part;
		if (kinds[i] == MEM_HUGE_MEMFD)
			b.want_huge += part;
		b.nr_mem++;
		b.nr++;
	}
	if (!t_ok(b.nr >= 2, "%s: %u kinds mapped", b.tag, b.nr)) {
		kind_free(&b);
		return;
	}
	create_and_carry(&b);
}

/* CREATE_FIXED of a registered buffer: the creator's memory is the iovec's. */
static void fixed_buffer(void)
{
	struct kind_buf b = { .tag = "CREATE_FIXED registered buffer",
			      .fd = -1 };
	struct io_uring ring;
	struct iovec iov;
	int ret;

	if (!t_ok(!mem_alloc(&b.m[0], MEM_ANON, KIND_BYTES),
		  "%s: map %lu MiB", b.tag, KIND_BYTES / MIB))
		return;
	b.nr_mem = 1;
	b.r[0].addr = (uintptr_t)b.m[0].p;
	b.r[0].len = KIND_BYTES;
	b.nr = 1;
	memset(b.m[0].p, 0xa5, KIND_BYTES);

	ret = io_uring_queue_init(8, &ring, 0);
	if (!t_ok(ret == 0, "%s: io_uring_queue_init", b.tag)) {
		t_diag("%s", errname(-ret));
		kind_free(&b);
		return;
	}
	iov.iov_base = b.m[0].p;
	iov.iov_len = KIND_BYTES;
	ret = io_uring_register_buffers(&ring, &iov, 1);
	if (t_ok(ret == 0, "%s: registered as fixed buffer 0", b.tag)) {
		b.fd = uring_create_fixed(&ring, dev,
					  URING_DMABUF_CMD_CREATE_FIXED,
					  IORING_URING_CMD_FIXED, 0,
					  b.r[0].addr, KIND_BYTES);
		if (t_ok(b.fd >= 0, "%s: CREATE_FIXED of all of it", b.tag))
			carry(&b);
		else
			t_diag("cqe->res: %s", errname(-b.fd));
	} else {
		t_diag("io_uring_register_buffers: %s", errname(-ret));
	}
	/* The dma-buf holds its own pins: the ring may go first. */
	io_uring_queue_exit(&ring);
	kind_free(&b);
}

int main(void)
{
	double t0;

	t_init();
	family = devmem_family();
	if (family < 0)
		t_skip_all("kernel without devmem TCP (no NETDEV_CMD_BIND_RX)");
	dev = dev_open();
	load_simnic();
	t0 = now_s();
	if (!setup_namespaces() && !setup_steering()) {
		fixed_buffer();
		one_kind(MEM_HUGE_MEMFD, "hugetlb 2 MiB memfd");
		huge_1g_memfd();
		one_kind(MEM_MEMFD, "shmem memfd");
		one_kind(MEM_THP, "THP");
		mixed_ranges();
	}
	t_diag("all kinds carried in %.1f s", now_s() - t0);
	enter_ns(ns_init);
	if (module_loaded(SIMNIC_MODULE))
		t_rmmod(SIMNIC_MODULE);
	close(ns_tx);
	close(ns_rx);
	close(ns_init);
	close(dev);
	return t_finish();
}
