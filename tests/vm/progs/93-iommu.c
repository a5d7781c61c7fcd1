// SPDX-License-Identifier: GPL-2.0
/*
 * 93-iommu: what only an IOMMU shows (make vmtest-iommu: q35 with QEMU's
 * intel-iommu, the test importer on a pci-testdev function, the simulated
 * NIC on an edu function, iommu.strict=1).
 *
 * - The boot has the IOMMU, both devices are translated, their domains are
 *   strict DMA domains ("DMA", not the lazy "DMA-FQ").
 * - Segments: iommu-dma maps the exporter's runs into one IOVA-contiguous
 *   range and merges them up to the device's max segment size, so an
 *   importer sees fewer segments than the buffer has physical runs (what a
 *   dma-direct importer sees): a scattered 4 KiB anonymous buffer and a
 *   hugetlb one, the bytes read back through the IOMMU translation.
 * - Unmap removes the translation: after the importer detaches, its first
 *   IOVA translates no more; after a devmem binding goes, a write of the
 *   NIC's DMA engine (the edu device's, a real DMA through QEMU's vIOMMU) to
 *   an IOVA of the binding does not land in the buffer and the guest logs
 *   the DMAR fault, while the same write to the same IOVA while bound does
 *   land (the control); the simulated RX path (what the NIC's payload
 *   takes) writes there while bound and refuses it after.
 *
 * Without an IOMMU the program skips, unless the harness said this boot is
 * the IOMMU boot (URING_DMABUF_VM_EXPECT holds "iommu"): then it fails.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "machine.h"
#include "netdev.h"
#include "../../kmod/importer/importer_uapi.h"

#define KIB 1024ULL
#define SEG_4G (0xffffffffU & ~4095U)
#define TX_IF "sim0a"
#define RX_IF "sim0b"
#define QUEUE 1
#define PORT 5301
#define PAYLOAD 1024
#define DMA_TEST_LEN 64		/* SIMNIC_DMA_TEST_LEN */

/* IOMMUs the kernel registered (/sys/class/iommu: dmar0 ...). */
static int iommu_count(void)
{
	DIR *d = opendir("/sys/class/iommu");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The type of the IOMMU group of a device's sysfs directory, or "". */
static void group_type(const char *devdir, char *buf, size_t size)
{
	char path[640];
	int n;

	snprintf(path, sizeof(path), "%s/iommu_group/type", devdir);
	n = read_text(path, buf, size);
	if (n < 0)
		n = 0;
	while (n && (buf[n - 1] == '\n'))
		n--;
	buf[n] = '\0';
}

/* The group type of the PCI function the importer drives, or "". */
static void importer_group_type(char *buf, size_t size)
{
	const char *drv = "/sys/bus/pci/drivers/uring_dmabuf_importer";
	char path[512];
	struct dirent *e;
	DIR *d;

	buf[0] = '\0';
	d = opendir(drv);
	if (!d)
		return;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "0000:", 5)) {
			snprintf(path, sizeof(path), "%s/%s", drv, e->d_name);
			group_type(path, buf, size);
			break;
		}
	closedir(d);
}

static int imp_check(int imp, int fd, unsigned int flags, uint32_t max_seg,
		     struct importer_check *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->flags = flags;
	c->max_seg_size = max_seg;
	c->dir = IMPORTER_DIR_BIDIRECTIONAL;
	c->cpu_dir = IMPORTER_DIR_BIDIRECTIONAL;
	return ioctl_ret(imp, IMPORTER_IOC_CHECK, c);
}

/* 1 translated, 0 not, -errno. */
static int imp_translated(int imp, uint64_t addr)
{
	struct importer_translate tr = { .dma_addr = addr };
	int ret = ioctl_ret(imp, IMPORTER_IOC_TRANSLATE, &tr);

	return ret ? ret : (int)tr.translated;
}

/*
 * A scattered buffer: its pages (of @pg bytes) in reverse order, one range
 * each, so that no two neighbours in the dma-buf are neighbours in memory
 * (faults tend to get ascending physical pages, and hugetlb pages from the
 * boot-time pool often are contiguous). Returns the fd or -errno.
 */
static int create_reversed(int dev, unsigned char *p, size_t len, size_t pg,
			   uint64_t *hash)
{
	size_t i, n = len / pg;
	struct importer_hash h = IMPORTER_HASH_INIT;
	struct uring_dmabuf_range *r = calloc(n, sizeof(*r));
	uint64_t bytes;
	int fd;

	if (!r)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		r[i].addr = (uintptr_t)(p + (n - 1 - i) * pg);
		r[i].len = pg;
		importer_hash_update(&h, p + (n - 1 - i) * pg, pg);
	}
	*hash = importer_hash_final(&h);
	fd = ud_create(dev, r, n, URING_DMABUF_CREATE_CLOEXEC, &bytes);
	free(r);
	return fd;
}

/*
 * (b) and the importer's half of (c): one buffer through the importer
 * behind the IOMMU, with 4 GiB and 64 KiB segments.
 */
static void import_kind(int dev, int imp, enum mem_kind kind, size_t len,
			uint64_t seed)
{
	const char *name = mem_kind_name(kind);
	struct uring_dmabuf_info info;
	struct importer_check c;
	char what[64], why[96];
	uint64_t hash = 0, runs;
	struct mem m;
	int fd, ret, tr;

	snprintf(what, sizeof(what), "%s, %zu MiB", name, len / MIB);
	ret = mem_alloc(&m, kind, len);
	if (ret) {
		snprintf(why, sizeof(why), "cannot map it: %s", strerror(-ret));
		t_skip(why, "%s: buffer", what);
		return;
	}
	pattern_fill(m.p, len, seed, 0);
	fd = create_reversed(dev, m.p, len, kind == MEM_ANON ? PAGE_SZ : SZ_2M,
			     &hash);
	snprintf(what, sizeof(what), "%s, pages reversed, %zu MiB", name,
		 len / MIB);
	if (!t_ok(fd >= 0, "%s: create", what)) {
		t_diag("create: %s", errname(-fd));
		mem_free(&m);
		return;
	}
	ret = ud_info(dev, fd, &info);
	runs = ret ? 0 : info.nr_segments;
	t_ok(!ret && runs > 0, "%s: %llu physically contiguous runs "
	     "(the segments of a dma-direct importer allowed 4 GiB)", what,
	     (unsigned long long)runs);

	/* One IOVA range for the whole buffer: one 4 GiB segment. */
	ret = imp_check(imp, fd, IMPORTER_CHECK_BYTES | IMPORTER_CHECK_KEEP,
			SEG_4G, &c);
	if (!t_ok(!ret && !c.attach_err && !c.map_err && c.iommu_mapped,
		  "%s: mapped for the importer's device behind the IOMMU",
		  what)) {
		t_diag("ioctl %s, attach %s, map %s, iommu_mapped %u",
		       errname(-ret), errname(c.attach_err),
		       errname(c.map_err), c.iommu_mapped);
		if (!ret && !c.attach_err && !c.map_err)
			ioctl_ret(imp, IMPORTER_IOC_RELEASE, NULL);
		goto out;
	}
	if (!t_ok(c.nr_segments == 1 && c.largest_segment == len,
		  "%s, max segment 4 GiB: %llu segment(s) through the IOMMU "
		  "for %llu runs (IOVA-contiguous)", what,
		  (unsigned long long)c.nr_segments, (unsigned long long)runs))
		t_diag("largest %llu KiB", (unsigned long long)c.largest_segment / KIB);
	if (!t_ok(runs > 1 && c.nr_segments < runs, "%s: fewer segments than "
		  "runs (merged by the IOMMU)", what))
		t_diag("%llu runs, %llu segments", (unsigned long long)runs,
		       (unsigned long long)c.nr_segments);
	if (!t_ok(c.mapped_bytes == len && !c.nr_bad_pfn && !c.vmap_err &&
		  !c.vmap_mismatch && c.hash == hash,
		  "%s: the bytes behind the IOVAs, read through the IOMMU "
		  "translation, are the buffer's in order", what))
		t_diag("mapped %llu, %llu untranslated pages, vmap %s, "
		       "mismatch at %lld, hash %s",
		       (unsigned long long)c.mapped_bytes,
		       (unsigned long long)c.nr_bad_pfn, errname(c.vmap_err),
		       (long long)c.vmap_mismatch - 1,
		       c.hash == hash ? "equal" : "differs");

	/* (c) The detach unmaps: the IOVA translates no more. */
	tr = imp_translated(imp, c.first_dma_addr);
	t_ok(tr == 1, "%s: IOVA %#llx translates while attached", what,
	     (unsigned long long)c.first_dma_addr);
	ret = ioctl_ret(imp, IMPORTER_IOC_RELEASE, NULL);
	t_ok(!ret, "%s: unmap and detach", what);
	tr = imp_translated(imp, c.first_dma_addr);
	if (!t_ok(tr == 0, "%s: IOVA %#llx translates no more after the "
		  "detach", what, (unsigned long long)c.first_dma_addr))
		t_diag("translate: %d", tr);

	/* 64 KiB segments: IOVA-contiguous runs merge up to the limit. */
	ret = imp_check(imp, fd, 0, 64 * KIB, &c);
	if (t_ok(!ret && !c.attach_err && !c.map_err,
		 "%s, max segment 64 KiB: mapped", what)) {
		uint64_t want = len / (64 * KIB);

		/* One more where the IOVA range starts off a 64 KiB boundary. */
		if (!t_ok(c.nr_segments >= want && c.nr_segments <= want + 1 &&
			  c.largest_segment <= 64 * KIB && !c.nr_over_limit,
			  "%s, max segment 64 KiB: %llu merged segments "
			  "(dma-direct: at least %llu)", what,
			  (unsigned long long)c.nr_segments,
			  (unsigned long long)(runs > want ? runs : want)))
			t_diag("want %llu..%llu, largest %llu KiB",
			       (unsigned long long)want,
			       (unsigned long long)(want + 1),
			       (unsigned long long)c.largest_segment / KIB);
	}
out:
	close(fd);
	mem_free(&m);
}

/* --- the NIC's half of (c) ---------------------------------------------- */

static uint16_t ip_csum(const void *p, size_t len)
{
	const uint16_t *w = p;
	uint32_t sum = 0;

	for (; len > 1; len -= 2)
		sum += *w++;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * One TCP segment to PORT from TX_IF straight onto the wire (AF_PACKET):
 * the receiving port steers it to QUEUE and splits it, the payload going
 * to a buffer of the queue's page pool, the dma-buf while bound. Nothing
 * listens; the stack drops it after.
 */
static int send_frame(uint64_t cookie)
{
	unsigned char frame[14 + 20 + 20 + PAYLOAD];
	struct iphdr *ip = (struct iphdr *)(frame + 14);
	struct tcphdr *tcp = (struct tcphdr *)(frame + 34);
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct ifreq ifr;
	size_t i;
	int s, err;

	memset(frame, 0, sizeof(frame));
	err = if_ioctl(RX_IF, SIOCGIFHWADDR, &ifr);
	if (err)
		return err;
	memcpy(frame, ifr.ifr_hwaddr.sa_data, 6);
	err = if_ioctl(TX_IF, SIOCGIFHWADDR, &ifr);
	if (err)
		return err;
	memcpy(frame + 6, ifr.ifr_hwaddr.sa_data, 6);
	frame[12] = 0x08;
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(sizeof(frame) - 14);
	ip->ttl = 64;
	ip->protocol = IPPROTO_TCP;
	inet_pton(AF_INET, "198.18.0.1", &ip->saddr);
	inet_pton(AF_INET, "198.18.0.2", &ip->daddr);
	ip->check = ip_csum(ip, 20);
	tcp->source = htons(40000);
	tcp->dest = htons(PORT);
	tcp->doff = 5;
	tcp->ack = 1;
	tcp->window = htons(1024);
	for (i = 0; i < PAYLOAD; i += 8)
		memcpy(frame + 54 + i, &cookie, 8);

	s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	sll.sll_ifindex = if_nametoindex(TX_IF);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, frame, 6);
	err = sendto(s, frame, sizeof(frame), 0, (struct sockaddr *)&sll,
		     sizeof(sll)) == (ssize_t)sizeof(frame) ? 0 : -errno;
	close(s);
	return err;
}

/* Offset of the first 8 bytes equal to @cookie (8-aligned), or -1. */
static long long find_cookie(const unsigned char *p, size_t len,
			     uint64_t cookie)
{
	size_t off;

	for (off = 0; off + 8 <= len; off += 8)
		if (!memcmp(p + off, &cookie, 8))
			return (long long)off;
	return -1;
}

/*
 * The device's dma_test: "IOVA COOKIE [stale] [cpu]" (@cpu: the simulated
 * path of the RX payload, not the edu's DMA engine); 0 and its result, or
 * -errno.
 */
static int dma_test(uint64_t iova, uint64_t cookie, int stale, int cpu,
		    char *res, size_t size)
{
	char cmd[96];
	int ret, n;

	snprintf(cmd, sizeof(cmd), "%#llx %#llx%s%s", (unsigned long long)iova,
		 (unsigned long long)cookie, stale ? " stale" : "",
		 cpu ? " cpu" : "");
	ret = simnic_write(RX_IF, "dma_test", cmd);
	n = simnic_read(RX_IF, "dma_test", res, size);
	if (n < 0)
		res[0] = '\0';
	return ret;
}

/* Whether the kernel log has a DMAR fault at @iova's page (waits 3 s). */
static int dmar_fault_logged(uint64_t iova)
{
	char want[64], *log;
	int size, n, i, found = 0;

	size = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	if (size <= 0)
		return 0;
	log = malloc((size_t)size + 1);
	if (!log)
		return 0;
	snprintf(want, sizeof(want), "fault addr 0x%llx",
		 (unsigned long long)(iova & ~(uint64_t)(PAGE_SZ - 1)));
	for (i = 0; i < 30 && !found; i++) {
		n = klogctl(3, log, size);	/* SYSLOG_ACTION_READ_ALL */
		if (n > 0) {
			log[n] = '\0';
			found = strstr(log, want) != NULL;
		}
		if (!found)
			msleep(100);
	}
	free(log);
	return found;
}

static int wait_unbound(int dev, int fd)
{
	struct uring_dmabuf_info info;
	int i;

	for (i = 0; i < 200; i++) {
		if (queue_stat(RX_IF, QUEUE, "bound") == 0 &&
		    !ud_info(dev, fd, &info) && info.nr_attachments == 0)
			return 0;
		msleep(50);
	}
	return -ETIMEDOUT;
}

static void devmem_stale(int dev)
{
	const size_t len = 2 * MIB;
	uint64_t iova, cookie_rx = 0x93a1b2c3d4e5f601ULL;
	uint64_t cookie_live = 0x93a1b2c3d4e5f602ULL;
	uint64_t cookie_stale = 0x93a1b2c3d4e5f603ULL;
	uint64_t cookie_cpu = 0x93a1b2c3d4e5f604ULL;
	uint64_t cookie_cpu_stale = 0x93a1b2c3d4e5f605ULL;
	long long refused0, bytes0, off_rx, off;
	char ext[256], res[160], path[128], type[32];
	int family, gfd, fd, ret, has_edu;
	unsigned char *mem;

	family = devmem_family();
	if (family < 0) {
		t_skip("kernel without devmem TCP", "devmem: stale IOVA");
		return;
	}
	ret = simnic_load("pairs=1 queues=4");
	if (!t_ok(!ret, "modprobe %s", SIMNIC_MODULE)) {
		t_diag("%s", errname(-ret));
		return;
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s/device", RX_IF);
	group_type(path, type, sizeof(type));
	if (!t_ok(!strcmp(type, "DMA"), "the simulated NIC's PCI function is "
		  "in a strict IOMMU domain (type \"%s\")", type))
		t_diag("want \"DMA\" (iommu.strict=1); \"DMA-FQ\" is lazy, "
		       "\"\" no IOMMU group: no edu device on this machine?");

	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!t_ok(mem != MAP_FAILED, "mmap %zu MiB", len / MIB))
		goto out_rmmod;
	memset(mem, 0xa5, len);
	fd = ud_create1(dev, mem, len, URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(fd >= 0, "devmem: dma-buf of %zu MiB", len / MIB))
		goto out_unmap;

	snprintf(ext, sizeof(ext), "%d %d", PORT, QUEUE);
	if (!t_ok(if_set_up(TX_IF, 1) == 0 && if_set_up(RX_IF, 1) == 0 &&
		  simnic_write(RX_IF, "steer", ext) == 0 &&
		  simnic_write(RX_IF, "rss", "1") == 0,
		  "devmem: ports up, port %d steered to queue %d", PORT, QUEUE))
		goto out_close;
	gfd = nl_open(NETLINK_GENERIC);
	ext[0] = '\0';
	ret = gfd < 0 ? gfd : (int)bind_rx(gfd, family, if_nametoindex(RX_IF),
					   QUEUE, fd, 0, ext, sizeof(ext));
	if (!t_ok(ret > 0, "devmem: bind queue %d behind the IOMMU", QUEUE)) {
		t_diag("%s %s", errname(-ret), ext);
		if (gfd >= 0)
			close(gfd);
		goto out_close;
	}

	/* The simulated device writes the payload through the IOMMU. */
	bytes0 = queue_stat(RX_IF, QUEUE, "unreadable_bytes");
	refused0 = queue_stat(RX_IF, QUEUE, "dma_refused");
	ret = send_frame(cookie_rx);
	for (off = 0; off < 40 &&
	     queue_stat(RX_IF, QUEUE, "unreadable_bytes") < bytes0 + PAYLOAD; off++)
		msleep(50);
	iova = (uint64_t)queue_stat(RX_IF, QUEUE, "last_dma");
	off_rx = find_cookie(mem, len, cookie_rx);
	if (!t_ok(!ret && off_rx >= 0 && iova &&
		  queue_stat(RX_IF, QUEUE, "dma_refused") == refused0,
		  "devmem: the payload reached the buffer through the IOMMU "
		  "(IOVA %#llx, offset %lld)", (unsigned long long)iova, off_rx))
		t_diag("send %s, unreadable_bytes %lld -> %lld, dma_refused %lld",
		       errname(-ret), bytes0,
		       queue_stat(RX_IF, QUEUE, "unreadable_bytes"),
		       queue_stat(RX_IF, QUEUE, "dma_refused"));

	/* The control: a real DMA to the live IOVA lands in the buffer. */
	ret = dma_test(iova, cookie_live, 0, 0, res, sizeof(res));
	has_edu = strstr(res, "engine edu") != NULL;
	off = find_cookie(mem, len, cookie_live);
	if (!t_ok(!ret && strstr(res, "translated 1") && off >= 0 &&
		  (off_rx < 0 || off == off_rx),
		  "devmem: a device write to the bound IOVA lands in the "
		  "buffer (%s)", has_edu ? "edu DMA engine" : "simulated"))
		t_diag("dma_test %s: %s; found at %lld", errname(-ret), res, off);
	ret = dma_test(iova, cookie_cpu, 0, 1, res, sizeof(res));
	off = find_cookie(mem, len, cookie_cpu);
	if (!t_ok(!ret && strstr(res, "result written") && off >= 0 &&
		  (off_rx < 0 || off == off_rx),
		  "devmem: the simulated path writes to the bound IOVA too"))
		t_diag("dma_test %s: %s; found at %lld", errname(-ret), res, off);

	/* Unbind: the binding's mapping goes once its buffers are back. */
	close(gfd);
	if (!t_ok(wait_unbound(dev, fd) == 0, "devmem: unbound, the dma-buf "
		  "detached"))
		goto out_close;

	ret = dma_test(iova, cookie_stale, 1, 0, res, sizeof(res));
	off = find_cookie(mem, len, cookie_stale);
	if (!t_ok(iova && !ret && strstr(res, "translated 0") &&
		  strstr(res, "result skipped") == NULL && off < 0,
		  "devmem: after the unbind the IOVA translates no more and a "
		  "device write there does not land"))
		t_diag("dma_test %s: %s; found at %lld", errname(-ret), res, off);
	ret = dma_test(iova, cookie_cpu_stale, 1, 1, res, sizeof(res));
	off = find_cookie(mem, len, cookie_cpu_stale);
	if (!t_ok(!ret && strstr(res, "result refused") && off < 0,
		  "devmem: the simulated path refuses the stale IOVA"))
		t_diag("dma_test %s: %s; found at %lld", errname(-ret), res, off);
	if (has_edu) {
		if (!t_ok(dmar_fault_logged(iova), "devmem: the IOMMU faulted "
			  "the edu's DMA to the stale IOVA (DMAR fault logged)"))
			t_diag("no \"fault addr 0x%llx\" in the kernel log",
			       (unsigned long long)(iova & ~(uint64_t)(PAGE_SZ - 1)));
	} else {
		t_skip("no edu device: the write was the simulated path's",
		       "devmem: DMAR fault logged");
	}
out_close:
	close(fd);
out_unmap:
	munmap(mem, len);
out_rmmod:
	t_rmmod(SIMNIC_MODULE);
}

int main(void)
{
	char type[32];
	int dev, imp;

	t_init();
	if (!iommu_count()) {
		if (vm_expects("iommu")) {
			t_ok(0, "an IOMMU in the IOMMU boot");
			t_diag("/sys/class/iommu is empty: QEMU without "
			       "-device intel-iommu, or no intel_iommu=on "
			       "(VM_QEMU_ARGS, VM_APPEND of make vmtest-iommu)");
			return t_finish();
		}
		t_skip_all("no IOMMU (make vmtest-iommu boots with one)");
	}
	t_ok(1, "%d IOMMU(s) in /sys/class/iommu", iommu_count());

	dev = dev_open();
	if (!t_ok(system("modprobe uring_dmabuf_importer") == 0,
		  "modprobe uring_dmabuf_importer"))
		return t_finish();
	imp = open(IMPORTER_DEVICE, O_RDWR | O_CLOEXEC);
	if (!t_ok(imp >= 0, "open %s", IMPORTER_DEVICE))
		return t_finish();
	if (!t_ok(imp_translated(imp, 0) >= 0,
		  "the importer imports with a PCI function behind the IOMMU")) {
		t_diag("IMPORTER_IOC_TRANSLATE: %s (no pci-testdev device?)",
		       errname(imp_translated(imp, 0)));
	} else {
		importer_group_type(type, sizeof(type));
		if (!t_ok(!strcmp(type, "DMA"), "the importer's PCI function is "
			  "in a strict IOMMU domain (type \"%s\")", type))
			t_diag("want \"DMA\" (iommu.strict=1); \"DMA-FQ\" is lazy");
		import_kind(dev, imp, MEM_ANON, 2 * MIB, 1);
		import_kind(dev, imp, MEM_HUGE_2M, 8 * MIB, 2);
	}
	close(imp);
	t_rmmod("uring_dmabuf_importer");

	devmem_stale(dev);
	close(dev);
	return t_finish();
}
