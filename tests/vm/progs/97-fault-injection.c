// SPDX-License-Identifier: GPL-2.0
/*
 * 97-fault-injection: every allocation the module makes (or makes happen:
 * GUP faulting pages in, dma_buf_export, the fd) fails once, and each
 * failure must be a clean errno with nothing left pinned, charged or
 * counted. Needs a kernel with FAILSLAB, FAIL_PAGE_ALLOC and
 * FAULT_INJECTION_DEBUG_FS (the debug lane's); skipped elsewhere.
 *
 * Two phases. Systematic: /proc/thread-self/fail-nth = N fails the N-th
 * allocation of the next call, for N = 1, 2, ... until the call makes
 * fewer than N, so every site on that path fails exactly once. That covers
 * the ioctls, mmap, an importer, CREATE_FIXED (its uring_cmd runs inline,
 * in the submitting thread) and, with the simulated NIC, our attach and map
 * as their other importers call them: the devmem core for NETDEV_CMD_BIND_RX
 * (6.12+) and NETDEV_CMD_BIND_TX (6.16+), io_uring zcrx registering our
 * dma-buf as its area (6.15+).
 * Random: make-it-fail and a failure probability, over mixes of the calls
 * (and io-wq workers, should io_uring punt one). Both count only
 * allocations with the module's code on the stack (the stacktrace filter),
 * so the test itself and the rest of the kernel keep working.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"
#include "netdev.h"
#include "uring.h"
#include "zcrx.h"
#include "../../kmod/importer/importer_uapi.h"

#define FI "/sys/kernel/debug/"
#define FAIL_NTH "/proc/thread-self/fail-nth"
#define MAX_SITES 4000
#define BIND_IF "sim0b"
#define BIND_QUEUE 1

static const char *const attrs[] = { "failslab", "fail_page_alloc" };
static int importer = -1;
static int dev_fd = -1;

static void set_attr(const char *attr, const char *knob, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), FI "%s/%s", attr, knob);
	if (write_text(path, val) < 0)
		t_diag("cannot set %s to %s", path, val);
}

static void set_both(const char *knob, const char *val)
{
	size_t i;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		set_attr(attrs[i], knob, val);
}

/* [start, end) of the module's code, from kallsyms. */
static int module_text(unsigned long *start, unsigned long *end)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[256], type, name[128], mod[64];
	unsigned long addr;

	*start = ~0UL;
	*end = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %127s [%63[^]]]", &addr, &type, name, mod) != 4 ||
		    strcmp(mod, "uring_dmabuf") || (type != 't' && type != 'T') || !addr)
			continue;
		if (addr < *start)
			*start = addr;
		if (addr > *end)
			*end = addr;
	}
	fclose(f);
	*end += 4096; /* the last function's body */
	return *start < *end ? 0 : -1;
}

static void fi_setup(void)
{
	unsigned long start, end;
	char buf[32];

	if (access(FAIL_NTH, W_OK) || access(FI "failslab/probability", W_OK) ||
	    access(FI "fail_page_alloc/probability", W_OK) ||
	    access("/proc/self/make-it-fail", W_OK))
		t_skip_all("no fault injection here (needs FAILSLAB, FAIL_PAGE_ALLOC, "
			   "FAULT_INJECTION_DEBUG_FS and debugfs: the debug kernel)");
	if (module_text(&start, &end))
		t_skip_all("cannot find uring_dmabuf's code in /proc/kallsyms");
	if (access(FI "failslab/require-start", W_OK))
		t_skip_all("no FAULT_INJECTION_STACKTRACE_FILTER: failures would hit everything");
	set_both("probability", "0");
	set_both("interval", "1");
	set_both("times", "-1");
	set_both("verbose", "0");
	set_both("task-filter", "Y");
	set_both("ignore-gfp-wait", "N");
	set_attr("fail_page_alloc", "ignore-gfp-highmem", "N");
	set_attr("fail_page_alloc", "min-order", "0");
	set_both("stacktrace-depth", "32");
	snprintf(buf, sizeof(buf), "%#lx", start);
	set_both("require-start", buf);
	snprintf(buf, sizeof(buf), "%#lx", end);
	set_both("require-end", buf);
	t_diag("failing allocations made with uring_dmabuf's code %#lx-%#lx on the stack",
	       start, end);
}

static void fi_reset(void)
{
	write_text("/proc/self/make-it-fail", "0");
	write_text(FAIL_NTH, "0");
	set_both("probability", "0");
	set_both("require-start", "0");
	set_both("require-end", "0xffffffffffffffff");
}

/* --- the calls under test: each returns >= 0 or -errno ------------------ */

struct call {
	const char *name;
	long (*fn)(struct call *c);
	struct mem mem[3];
	int nr_mem;
	unsigned int flags;
	int dmabuf;		/* for mmap and import */
	struct io_uring *ring;
	int family, ifindex;	/* for NETDEV_CMD_BIND_RX/TX, zcrx */
	int tx;			/* NETDEV_CMD_BIND_TX rather than RX */
	const int *errnos;	/* what a failure may give, 0-terminated */
};

/* An injected failure may surface as any errno the entry point documents. */
static const int create_errnos[] = { ENOMEM, EFAULT, EINTR, EMFILE, EAGAIN, 0 };
/*
 * The devmem core (net/core/devmem.c) passes the error of dma_buf_attach()
 * and dma_buf_map_attachment() through, and ours allocate with GFP_KERNEL
 * only: attach, the mapping, its sg_table.
 */
static const int bind_errnos[] = { ENOMEM, 0 };

/* Fresh memory each time, so that GUP has pages to fault in. */
static int refresh(struct call *c)
{
	int i, err;

	for (i = 0; i < c->nr_mem; i++) {
		enum mem_kind kind = c->mem[i].kind;
		size_t len = c->mem[i].len;

		mem_free(&c->mem[i]);
		err = mem_alloc(&c->mem[i], kind, len);
		if (err)
			return err;
	}
	return 0;
}

static long call_create(struct call *c)
{
	struct uring_dmabuf_range r[3];
	int i;

	for (i = 0; i < c->nr_mem; i++) {
		r[i].addr = (uintptr_t)c->mem[i].p;
		r[i].len = c->mem[i].len;
	}
	return ud_create(dev_fd, r, (unsigned int)c->nr_mem, c->flags, NULL);
}

/*
 * Far from every other mapping, so that remap_pfn_range() has page tables
 * to allocate (munmap frees them again).
 */
#define LONELY_ADDR ((void *)0x300000000000UL)

static long call_mmap(struct call *c)
{
	void *p = mmap(LONELY_ADDR, 16 * PAGE_SZ, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED_NOREPLACE, c->dmabuf, 0);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, 16 * PAGE_SZ);
	return -1000; /* success, nothing to close */
}

static long call_import(struct call *c)
{
	struct importer_check chk = { .fd = c->dmabuf, .dir = IMPORTER_DIR_BIDIRECTIONAL,
				      .max_seg_size = (uint32_t)PAGE_SZ };
	long ret = ioctl_ret(importer, IMPORTER_IOC_CHECK, &chk);

	if (ret)
		return ret;
	if (chk.attach_err)
		return -chk.attach_err;
	if (chk.map_err)
		return -chk.map_err;
	return -1000;
}

static long call_fixed(struct call *c)
{
	return uring_create_fixed(c->ring, dev_fd, URING_DMABUF_CMD_CREATE_FIXED,
				  IORING_URING_CMD_FIXED, 0, (uintptr_t)c->mem[0].p,
				  c->mem[0].len);
}

static int clean_errno(const struct call *c, long ret)
{
	const int *e;

	for (e = c->errnos ? c->errnos : create_errnos; *e; e++)
		if (-ret == *e)
			return 1;
	return 0;
}

/*
 * Setup and teardown around what a call tests run with fail-nth paused
 * (what is left of it kept in @left for writing back), so that it counts
 * only the allocations under test.
 */
static void fail_nth_pause(char *left, size_t size)
{
	if (read_text(FAIL_NTH, left, size) < 0)
		snprintf(left, size, "0");
	write_text(FAIL_NTH, "0");
}

/*
 * The devmem core may free a binding, and with it the attachment, from a
 * workqueue after the unbind: give it 10 s.
 */
static void wait_detached(int buf)
{
	struct uring_dmabuf_info info;
	int i;

	for (i = 0; i < 100; i++) {
		if (ud_info(dev_fd, buf, &info) || !info.nr_attachments)
			return;
		msleep(100);
	}
	t_diag("still %u attachment(s) 10 s after the unbind", info.nr_attachments);
}

/*
 * NETDEV_CMD_BIND_RX (or _TX) of a fresh dma-buf, then closing the netlink
 * socket (which unbinds) and the dma-buf. Only the bind runs armed: making
 * the dma-buf is CREATE's sweep.
 */
static long call_bind(struct call *c)
{
	char left[16], ext[256] = "";
	long ret;
	int buf, nl;

	fail_nth_pause(left, sizeof(left));
	buf = ud_create1(dev_fd, c->mem[0].p, c->mem[0].len,
			 URING_DMABUF_CREATE_CLOEXEC);
	nl = nl_open(NETLINK_GENERIC);
	write_text(FAIL_NTH, left);
	ret = buf < 0 ? buf : nl < 0 ? nl :
	      c->tx ? bind_tx(nl, c->family, c->ifindex, buf, ext, sizeof(ext)) :
	      bind_rx(nl, c->family, c->ifindex, BIND_QUEUE, buf, 0, ext,
		      sizeof(ext));

	fail_nth_pause(left, sizeof(left));
	if (ret < 0 && !clean_errno(c, ret) && ext[0])
		t_diag("%s: %s: %s", c->name, errname((int)-ret), ext);
	if (nl >= 0)
		close(nl);
	if (buf >= 0) {
		wait_detached(buf);
		close(buf);
	}
	write_text(FAIL_NTH, left);
	return ret < 0 ? ret : -1000;
}

/*
 * IORING_REGISTER_ZCRX_IFQ with a fresh dma-buf as the area (the whole of
 * it, from offset 0), then closing the ring (which unregisters the ifq)
 * and the dma-buf. Only the registration runs armed.
 */
static long call_zcrx(struct call *c)
{
	struct zc_area_reg area = { .len = c->mem[0].len, .flags = ZC_AREA_DMABUF };
	char left[16];
	struct zcrx z;
	long ret;
	int buf;

	memset(&z, 0, sizeof(z));
	fail_nth_pause(left, sizeof(left));
	buf = ud_create1(dev_fd, c->mem[0].p, c->mem[0].len,
			 URING_DMABUF_CREATE_CLOEXEC);
	ret = buf < 0 ? buf : zcrx_ring_init(&z, 8);
	area.dmabuf_fd = buf;
	write_text(FAIL_NTH, left);
	if (!ret)
		ret = zcrx_register(&z, BIND_IF, BIND_QUEUE, &area, NULL, 64);

	fail_nth_pause(left, sizeof(left));
	zcrx_close(&z);
	if (buf >= 0) {
		wait_detached(buf);
		close(buf);
	}
	write_text(FAIL_NTH, left);
	return ret < 0 ? ret : -1000;
}

static int have_recv_zc(void)
{
	struct io_uring_probe *p = io_uring_get_probe();
	int ok = p && io_uring_opcode_supported(p, ZC_OP_RECV_ZC);

	if (p)
		io_uring_free_probe(p);
	return ok;
}

static long long attachments(void)
{
	unsigned long long v;

	return read_ull(SYSFS_CLASS "attachments", &v) ? -1 : (long long)v;
}

/* One call with whatever fails failing; 1 if it ended clean. */
static int one_call(struct call *c, const struct pins *base, long *ret)
{
	long long att = attachments();
	struct pins now;
	int clean;

	*ret = c->fn(c);
	if (*ret >= 0)
		close((int)*ret);
	clean = !pins_wait_back(base, &now) && attachments() == att;
	if (!clean) {
		t_diag("%s: %s left something behind:", c->name,
		       *ret < 0 && *ret != -1000 ? errname((int)-*ret) : "success");
		pins_diag(base, &now);
	}
	return clean && (*ret >= 0 || *ret == -1000 || clean_errno(c, *ret));
}

/* Fails the 1st, 2nd, ... allocation of the call until none is left. */
static void sweep(struct call *c)
{
	int n, failed = 0, ok = 1;
	struct pins base;
	long ret;
	char left[16];

	for (n = 1; n <= MAX_SITES; n++) {
		if (c->nr_mem && refresh(c)) {
			t_skip("no memory", "%s", c->name);
			return;
		}
		pins_get(&base);
		snprintf(left, sizeof(left), "%d", n);
		write_text(FAIL_NTH, left);
		if (!one_call(c, &base, &ret) && ok) {
			ok = 0;
			t_diag("%s: failing allocation %d gave %s", c->name, n,
			       ret == -1000 || ret >= 0 ? "success" : errname((int)-ret));
		}
		read_text(FAIL_NTH, left, sizeof(left));
		write_text(FAIL_NTH, "0");
		if (atoi(left) != 0)
			break; /* the call made fewer than n allocations */
		failed++;
	}
	t_ok(ok && n > 1 && n <= MAX_SITES,
	     "%s: each of its %d allocations failed once, each a clean errno, nothing left",
	     c->name, failed);
}

/*
 * Why the simulated NIC cannot be had for the bind, or NULL once loaded;
 * *broken if that is a failure (left busy by another program, or modprobe
 * failed) rather than a kernel without it.
 */
static const char *simnic_setup(struct call *c, int *broken)
{
	int ret;

	c->family = devmem_family();
	if (c->family < 0)
		return "kernel without devmem TCP (no NETDEV_CMD_BIND_RX)";
	ret = simnic_load("pairs=1 queues=4");
	if (ret == -ENOENT)
		return SIMNIC_MODULE " not built for this kernel";
	*broken = ret != 0;
	if (ret == -EBUSY)
		return SIMNIC_MODULE " is loaded and busy (an earlier program did not unload it)";
	if (ret) {
		t_diag("modprobe " SIMNIC_MODULE ": %d", ret);
		return "modprobe " SIMNIC_MODULE " failed";
	}
	return NULL;
}

/* Our attach and map under the devmem core and zcrx, bound as 95 binds. */
static void sweep_netdev(void)
{
	struct call c = { .name = "NETDEV_CMD_BIND_RX to " BIND_IF " queue 1",
			  .fn = call_bind, .nr_mem = 1, .errnos = bind_errnos };
	const char *tx_name = "NETDEV_CMD_BIND_TX to " BIND_IF;
	const char *zcrx_name = "zcrx ifq on " BIND_IF " queue 1, a dma-buf area";
	int err, broken = 0;
	const char *why = simnic_setup(&c, &broken);

	if (why && broken)
		t_ok(0, "%s: %s", c.name, why);
	else if (why)
		t_skip(why, "%s", c.name);
	if (why)
		return;
	err = if_set_up(BIND_IF, 1);
	c.ifindex = if_nametoindex(BIND_IF);
	if (!t_ok(!err && c.ifindex > 0, "%s up for NETDEV_CMD_BIND_RX", BIND_IF)) {
		t_diag("%s", errname(-err));
	} else if (mem_alloc(&c.mem[0], MEM_ANON, 16 * PAGE_SZ)) {
		t_skip("no memory", "%s", c.name);
	} else {
		sweep(&c);
		c.family = devmem_tx_family();
		c.name = tx_name;
		c.tx = 1;
		if (c.family < 0)
			t_skip("kernel lacks NETDEV_CMD_BIND_TX (devmem TX is 6.16+)", "%s", c.name);
		else
			sweep(&c);
		/* zcrx's dma-buf import: DMA_FROM_DEVICE, its own error paths. */
		c.name = zcrx_name;
		c.fn = call_zcrx;
		c.tx = 0;
		if (!have_recv_zc())
			t_skip("no IORING_OP_RECV_ZC (zcrx is 6.15+)", "%s", c.name);
		else
			sweep(&c);
		mem_free(&c.mem[0]);
	}
	t_rmmod(SIMNIC_MODULE);
}

/* make-it-fail with a probability: also reaches io-wq workers. */
static void random_phase(struct call *calls, int nr, int rounds)
{
	struct pins base;
	int i, ok = 1, errors = 0;
	long ret;

	write_text("/proc/self/make-it-fail", "1");
	set_both("probability", "5");
	for (i = 0; i < rounds; i++) {
		struct call *c = &calls[i % nr];

		if (c->nr_mem && refresh(c))
			continue;
		pins_get(&base);
		if (!one_call(c, &base, &ret)) {
			if (ok)
				t_diag("%s (round %d): %s", c->name, i,
				       ret == -1000 || ret >= 0 ? "success" : errname((int)-ret));
			ok = 0;
		}
		errors += ret < 0 && ret != -1000;
	}
	set_both("probability", "0");
	write_text("/proc/self/make-it-fail", "0");
	t_ok(ok, "random failures (5%% of allocations) over %d calls: %d failed, each clean", rounds, errors);
}

int main(void)
{
	struct io_uring ring;
	struct call calls[6];
	int nr = 0, have_ring, seed_buf;
	struct iovec iov;
	struct mem fixed_mem;
	struct hugepool pool;
	int have_pool;

	t_init();
	dev_fd = dev_open();
	have_pool = !hugepool_get(&pool);
	fi_setup();
	if (system("modprobe uring_dmabuf_importer 2>/dev/null") == 0)
		importer = open(IMPORTER_DEVICE, O_RDWR | O_CLOEXEC);

	memset(calls, 0, sizeof(calls));
	calls[nr] = (struct call){ .name = "CREATE anon 16 pages", .fn = call_create, .nr_mem = 1 };
	mem_alloc(&calls[nr].mem[0], MEM_ANON, 16 * PAGE_SZ);
	nr++;
	calls[nr] = (struct call){ .name = "CREATE READONLY memfd + anon + THP", .fn = call_create,
				   .nr_mem = 3, .flags = URING_DMABUF_CREATE_READONLY };
	mem_alloc(&calls[nr].mem[0], MEM_MEMFD, 8 * PAGE_SZ);
	mem_alloc(&calls[nr].mem[1], MEM_ANON, 4 * PAGE_SZ);
	mem_alloc(&calls[nr].mem[2], MEM_THP, SZ_2M);
	nr++;
	calls[nr] = (struct call){ .name = "CREATE hugetlb memfd", .fn = call_create, .nr_mem = 1 };
	if (!mem_alloc(&calls[nr].mem[0], MEM_HUGE_MEMFD, SZ_2M))
		nr++;

	seed_buf = ud_create1(dev_fd, calls[0].mem[0].p, 16 * PAGE_SZ, 0);
	if (!t_ok(seed_buf >= 0, "a dma-buf to mmap and import"))
		return t_finish();
	calls[nr++] = (struct call){ .name = "mmap of a dma-buf", .fn = call_mmap,
				     .dmabuf = seed_buf };
	if (importer >= 0)
		calls[nr++] = (struct call){ .name = "importer attach + map", .fn = call_import,
					     .dmabuf = seed_buf };
	else
		t_skip("no importer module", "importer attach + map");

	have_ring = !io_uring_queue_init(8, &ring, 0) &&
		    !mem_alloc(&fixed_mem, MEM_ANON, 16 * PAGE_SZ);
	if (have_ring) {
		memset(fixed_mem.p, 1, fixed_mem.len);
		iov.iov_base = fixed_mem.p;
		iov.iov_len = fixed_mem.len;
		have_ring = !io_uring_register_buffers(&ring, &iov, 1);
	}
	if (have_ring) {
		calls[nr] = (struct call){ .name = "CREATE_FIXED", .fn = call_fixed,
					   .ring = &ring };
		calls[nr].mem[0] = fixed_mem; /* not refreshed: registered */
		nr++;
	} else {
		t_skip("no io_uring fixed buffers", "CREATE_FIXED");
	}

	for (int i = 0; i < nr; i++)
		sweep(&calls[i]);
	sweep_netdev();
	/* Everything mixed, with random failures. */
	random_phase(calls, nr, 300);

	fi_reset();
	close(seed_buf);
	if (have_ring)
		io_uring_queue_exit(&ring);
	for (int i = 0; i < nr; i++)
		for (int k = 0; k < calls[i].nr_mem; k++)
			mem_free(&calls[i].mem[k]);
	if (importer >= 0)
		close(importer);
	/* A failed page-cache insert must not cost the pool a reservation. */
	if (have_pool)
		t_hugepool_back(&pool, "hugetlb pool: free and reserved huge pages back at their start values");
	close(dev_fd);
	return t_finish();
}
