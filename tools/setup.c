// SPDX-License-Identifier: MIT
/* Memory -> dma-buf -> NETDEV_CMD_BIND_RX, with advice when a step fails. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"
#include "setup.h"

enum {
	OPT_HUGEPAGES = 0x100,
	OPT_THP,
	OPT_4K,
	OPT_SHMEM,
	OPT_NUMA,
	OPT_URING,
	OPT_RX_PAGE_SIZE,
};

const struct option rx_long_options[] = {
	{ "queues", required_argument, NULL, 'q' },
	{ "size", required_argument, NULL, 's' },
	{ "hugepages", optional_argument, NULL, OPT_HUGEPAGES },
	{ "thp", no_argument, NULL, OPT_THP },
	{ "4k", no_argument, NULL, OPT_4K },
	{ "shmem", no_argument, NULL, OPT_SHMEM },
	{ "numa", required_argument, NULL, OPT_NUMA },
	{ "uring", no_argument, NULL, OPT_URING },
	{ "rx-page-size", required_argument, NULL, OPT_RX_PAGE_SIZE },
	{ NULL, 0, NULL, 0 },
};

/* rx_long_options + the common ones + @extra, terminated. */
void rx_options_merge(struct option *out, size_t max, const struct option *extra)
{
	static const struct option common[] = { COMMON_LONG, { NULL, 0, NULL, 0 } };
	const struct option *lists[] = { rx_long_options, common, extra };
	size_t i, n = 0;
	const struct option *o;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		for (o = lists[i]; o && o->name && n + 1 < max; o++)
			out[n++] = *o;
	memset(&out[n], 0, sizeof(out[n]));
}

void rx_opts_init(struct rx_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->size = 64 << 20;
	o->kind = MEM_THP;
	o->numa = NUMA_NONE;
}

/* 1 if @opt was one of ours and parsed, 0 if not ours, -EINVAL if bad. */
int rx_opts_parse(struct rx_opts *o, int opt, const char *arg)
{
	unsigned int node;
	uint64_t v;

	switch (opt) {
	case 'q':
		if (parse_queue_list(arg, o->queues, MAX_QUEUES, &o->nr_queues)) {
			err_msg("bad queue list '%s' (examples: 3, 2-5, 1,3,8-11)", arg);
			return -EINVAL;
		}
		return 1;
	case 's':
		if (parse_size(arg, &o->size) || !o->size) {
			err_msg("bad size '%s' (examples: 4096, 64M, 1G)", arg);
			return -EINVAL;
		}
		return 1;
	case OPT_HUGEPAGES:
		o->kind = MEM_HUGE_2M;
		if (arg && parse_mem_kind(arg, &o->kind)) {
			err_msg("bad huge page size '%s' (2M or 1G)", arg);
			return -EINVAL;
		}
		if (o->kind != MEM_HUGE_2M && o->kind != MEM_HUGE_1G) {
			err_msg("bad huge page size '%s' (2M or 1G)", arg);
			return -EINVAL;
		}
		return 1;
	case OPT_THP:
		o->kind = MEM_THP;
		return 1;
	case OPT_4K:
		o->kind = MEM_4K;
		return 1;
	case OPT_SHMEM:
		o->kind = MEM_SHMEM;
		return 1;
	case OPT_NUMA:
		if (!strcmp(arg, "auto")) {
			o->numa = NUMA_AUTO;
			return 1;
		}
		if (parse_u32(arg, &node) || node > 1023) {
			err_msg("bad NUMA node '%s' (a node number or auto)", arg);
			return -EINVAL;
		}
		o->numa = (int)node;
		return 1;
	case OPT_URING:
		o->uring = true;
		return 1;
	case OPT_RX_PAGE_SIZE:
		if (parse_size(arg, &v) || !v || v > (1U << 31) || (v & (v - 1))) {
			err_msg("bad RX page size '%s' (a power of two, e.g. 4K, 64K)", arg);
			return -EINVAL;
		}
		o->rx_page_size = (unsigned int)v;
		return 1;
	default:
		return 0;
	}
}

int rx_opts_check(const struct rx_opts *o, bool need_dev)
{
	if (need_dev && !o->dev) {
		err_msg("no network device given");
		return -EINVAL;
	}
	if (o->dev && !o->nr_queues && !o->tx) {
		err_msg("--queues LIST is required with a device");
		return -EINVAL;
	}
	if (o->uring && o->size > (1ULL << 30)) {
		err_msg("--uring: io_uring registers at most 1 GiB per buffer");
		return -EINVAL;
	}
	return 0;
}

/*
 * RX queues DEV has, or -1 if unknown: from the kernel's queue list (any
 * network namespace), else from sysfs (which shows the namespace that
 * mounted it, and also devices that are down).
 */
int rx_queue_count(const char *dev)
{
	static struct uring_dmabuf_queue q[MAX_QUEUES];
	unsigned int ifindex = if_nametoindex(dev);
	char path[128];
	struct dirent *de;
	int i, n = 0;
	DIR *d;

	n = ifindex ? uring_dmabuf_queues(ifindex, q, MAX_QUEUES, NULL) : -1;
	if (n > 0) {
		int rx = 0;

		for (i = 0; i < n && i < MAX_QUEUES; i++)
			rx += q[i].type == 0;
		return rx;
	}
	n = 0;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", dev);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, "rx-", 3);
	closedir(d);
	return n;
}

int nic_numa_node(const char *dev)
{
	char path[128];
	FILE *f;
	int node = -1;

	snprintf(path, sizeof(path), "/sys/class/net/%s/device/numa_node", dev);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &node) != 1)
		node = -1;
	fclose(f);
	return node;
}

static void hint_create(int err, const struct rx_opts *o)
{
	switch (err) {
	case -ENOENT:
		hint_msg("load the module: modprobe uring_dmabuf (installed by DKMS, see the README)");
		break;
	case -EACCES:
	case -EPERM:
		hint_msg("the device node denies access: run as root or join its group (udev rule)");
		break;
	case -ENOMEM:
		hint_msg("pinned memory is charged to RLIMIT_MEMLOCK: raise it (ulimit -l unlimited) or grant CAP_IPC_LOCK; also check max_pinned_mb (uring-dmabuf info)");
		break;
	case -EOPNOTSUPP:
		if (o->uring)
			hint_msg("the registered buffer is not user memory mapped at that address");
		else
			hint_msg("this memory cannot be pinned long-term (file-backed page cache or DAX)");
		break;
	default:
		break;
	}
}

static int create_fixed(const struct rx_opts *o, struct rx_setup *s)
{
	struct iovec iov = { s->mem.addr, s->mem.len };
	int ret;

	ret = io_uring_queue_init(8, &s->ring, 0);
	if (ret) {
		err_msg("io_uring_queue_init: %s", strerror(-ret));
		return ret;
	}
	s->have_ring = true;
	ret = io_uring_register_buffers(&s->ring, &iov, 1);
	if (ret) {
		err_msg("IORING_REGISTER_BUFFERS of %zu bytes: %s", s->mem.len, strerror(-ret));
		if (ret == -ENOMEM)
			hint_msg("raise the locked-memory limit: ulimit -l unlimited");
		return ret;
	}
	ret = uring_dmabuf_create_fixed(&s->ring, s->dev_fd, s->mem.addr,
					s->mem.len, 0,
					o->tx ? URING_DMABUF_CREATE_READONLY : 0);
	if (ret < 0) {
		err_msg("URING_DMABUF_CMD_CREATE_FIXED: %s", strerror(-ret));
		hint_create(ret, o);
	}
	return ret;
}

/* The device and its queues, before any memory is allocated or pinned. */
static int rx_dev_check(const struct rx_opts *o, struct rx_setup *s)
{
	int nr_rx;

	s->ifindex = if_nametoindex(o->dev);
	if (!s->ifindex) {
		err_msg("no network device '%s'", o->dev);
		hint_msg("see ip link");
		return -ENODEV;
	}
	/* Newer kernels answer a bad queue with a bare EINVAL: check first. */
	nr_rx = rx_queue_count(o->dev);
	if (nr_rx > 0 && o->nr_queues &&
	    o->queues[o->nr_queues - 1] >= (unsigned int)nr_rx) {
		err_msg("%s has RX queues 0-%d; there is no queue %u", o->dev, nr_rx - 1,
			o->queues[o->nr_queues - 1]);
		hint_msg("see uring-dmabuf queues %s", o->dev);
		return -ERANGE;
	}
	return 0;
}

/* region_alloc() said -EDQUOT: @bytes (the rounded size) is over the limit. */
static void memlock_error(const struct rx_opts *o, uint64_t bytes)
{
	uint64_t limit;

	memlock_check(bytes, &limit);
	err_msg("--size %llu%s needs %llu bytes of locked memory; RLIMIT_MEMLOCK is %llu",
		(unsigned long long)o->size, o->uring ? " with --uring" : "",
		(unsigned long long)bytes, (unsigned long long)limit);
	hint_msg("raise it (ulimit -l unlimited), grant CAP_IPC_LOCK, or give a smaller --size");
}

/*
 * The device first, then memory and dma-buf: nothing is allocated, faulted
 * in or pinned for a device that does not exist. Prints what failed and
 * what to do.
 */
int rx_setup_precheck(const struct rx_opts *o, struct rx_setup *s)
{
	/* An io_uring registration and the dma-buf each pin the memory. */
	unsigned int pins = o->uring ? 2 : 1;
	uint64_t align, limit;
	int ret;

	if (o->dev) {
		ret = rx_dev_check(o, s);
		if (ret)
			return ret;
	}
	/* Rounded as region_alloc() rounds; it checks again, before mmap. */
	align = mem_kind_align(o->kind);
	if (o->size <= UINT64_MAX / pins - align &&
	    memlock_check(((o->size + align - 1) & ~(align - 1)) * pins, &limit)) {
		memlock_error(o, ((o->size + align - 1) & ~(align - 1)) * pins);
		return -EDQUOT;
	}
	return 0;
}

int dmabuf_setup(const struct rx_opts *o, struct rx_setup *s)
{
	unsigned int pins = o->uring ? 2 : 1;
	struct iovec iov;
	int node = o->numa, ret;

	memset(s, 0, sizeof(*s));
	s->dev_fd = s->dmabuf_fd = -1;
	s->mem.memfd = -1;
	ret = rx_setup_precheck(o, s);
	if (ret)
		return ret;
	if (node == NUMA_AUTO)
		node = o->dev ? nic_numa_node(o->dev) : -1;
	s->numa_node = node;

	s->dev_fd = uring_dmabuf_open();
	if (s->dev_fd < 0) {
		err_msg("cannot open %s: %s", URING_DMABUF_DEVICE, strerror(-s->dev_fd));
		hint_create(s->dev_fd, o);
		return s->dev_fd;
	}
	ret = region_alloc(&s->mem, o->size, o->kind, node, pins);
	if (ret == -EDQUOT) {
		memlock_error(o, (uint64_t)s->mem.len * pins);
		return ret;
	}
	if (ret) {
		err_msg("cannot allocate %llu bytes of %s memory: %s",
			(unsigned long long)o->size, mem_kind_name(o->kind), strerror(-ret));
		if (node >= 0 && (ret == -EINVAL || ret == -ENOENT))
			hint_msg("NUMA node %d may not exist: see /sys/devices/system/node/", node);
		else if (o->kind == MEM_HUGE_2M || o->kind == MEM_HUGE_1G)
			hint_msg("reserve huge pages: echo N > /sys/kernel/mm/hugepages/hugepages-%s/nr_hugepages",
				 o->kind == MEM_HUGE_2M ? "2048kB" : "1048576kB");
		return ret;
	}
	/* What send --devmem sends and recv --verify checks (a page or more). */
	if (o->tx)
		pattern_fill(s->mem.addr, s->mem.len);
	if (o->uring) {
		ret = create_fixed(o, s);
	} else {
		iov.iov_base = s->mem.addr;
		iov.iov_len = s->mem.len;
		ret = uring_dmabuf_create(s->dev_fd, &iov, 1, URING_DMABUF_CREATE_CLOEXEC |
					  (o->tx ? URING_DMABUF_CREATE_READONLY : 0));
		if (ret < 0) {
			err_msg("URING_DMABUF_IOC_CREATE: %s", strerror(-ret));
			hint_create(ret, o);
		}
	}
	if (ret < 0)
		return ret;
	s->dmabuf_fd = ret;
	ret = uring_dmabuf_info(s->dev_fd, s->dmabuf_fd, &s->info);
	if (ret)
		err_msg("URING_DMABUF_IOC_INFO on the new dma-buf: %s", strerror(-ret));
	else if (node >= 0 && node < 64 && s->info.node_mask != 1ULL << node)
		/* mbind() placed them, the long-term pin may have moved them */
		hint_msg("the pinned pages are on NUMA nodes 0x%llx, not only node %d: pinning moves pages out of ZONE_MOVABLE, huge pages to any node's free one (see /proc/zoneinfo)",
			 (unsigned long long)s->info.node_mask, node);
	return ret;
}

static void hint_bind(int err, const char *msg, const char *dev,
		      unsigned int rx_page_size)
{
	if (strstr(msg, "Unknown attribute type") && rx_page_size)
		hint_msg("--rx-page-size needs Linux 7.3 or newer (NETDEV_A_DMABUF_RX_PAGE_SIZE)");
	else if (strstr(msg, "tcp-data-split"))
		hint_msg("enable header split: ethtool -G %s tcp-data-split on", dev);
	else if (strstr(msg, "hds-thresh"))
		hint_msg("set the header-split threshold: ethtool -G %s hds-thresh 0", dev);
	else if (err == -EPERM)
		hint_msg("binding needs CAP_NET_ADMIN: run as root");
	else if (err == -EOPNOTSUPP && strstr(msg, "NETDEV_CMD_BIND_RX"))
		hint_msg("devmem TCP needs Linux 6.12 or newer");
	else if (err == -EOPNOTSUPP)
		hint_msg("%s's driver cannot restart queues with a memory provider (devmem-capable drivers: bnxt, mlx5 on 6.17+, gve, fbnic on 6.18+)", dev);
	else if (err == -ENODATA)
		hint_msg("%s's page pools do not take a memory provider (the driver lacks unreadable-netmem support)", dev);
	else if (err == -ERANGE)
		hint_msg("queue out of range: see uring-dmabuf queues %s", dev);
	else if (err == -EEXIST)
		hint_msg("a queue is already bound, or an XDP program is attached: see uring-dmabuf queues %s", dev);
	else if (err == -EBUSY)
		hint_msg("a queue is in use by AF_XDP");
	else if (err == -EACCES)
		hint_msg("the dma-buf is read-only; RX needs a writable one");
}

int rx_bind(const struct rx_opts *o, struct rx_setup *s)
{
	struct uring_dmabuf_bind_params p = {
		.dmabuf_fd = s->dmabuf_fd,
		.queues = o->queues,
		.nr_queues = o->nr_queues,
		.rx_page_size = o->rx_page_size,
	};
	struct uring_dmabuf_nl_error nlerr;
	int ret;

	/* dmabuf_setup() checked the device; it may have gone since. */
	if (!s->ifindex) {
		ret = rx_dev_check(o, s);
		if (ret)
			return ret;
	}
	p.ifindex = s->ifindex;
	ret = uring_dmabuf_bind_rx(&p, &s->binding, &nlerr);
	if (ret) {
		err_msg("NETDEV_CMD_BIND_RX on %s: %s%s%s", o->dev, strerror(-ret),
			nlerr.msg[0] ? ": " : "", nlerr.msg);
		hint_bind(ret, nlerr.msg, o->dev, o->rx_page_size);
	}
	return ret;
}

/* bind-tx, send --devmem: NETDEV_CMD_BIND_TX of the dma-buf to o->dev. */
int tx_bind(const struct rx_opts *o, struct rx_setup *s)
{
	struct uring_dmabuf_bind_tx_params p = { .dmabuf_fd = s->dmabuf_fd };
	struct uring_dmabuf_nl_error nlerr;
	int ret;

	if (!s->ifindex) {
		ret = rx_dev_check(o, s);
		if (ret)
			return ret;
	}
	p.ifindex = s->ifindex;
	ret = uring_dmabuf_bind_tx(&p, &s->binding, &nlerr);
	if (ret) {
		err_msg("NETDEV_CMD_BIND_TX on %s: %s%s%s", o->dev, strerror(-ret),
			nlerr.msg[0] ? ": " : "", nlerr.msg);
		if (ret == -EOPNOTSUPP && strstr(nlerr.msg, "NETDEV_CMD_BIND_TX"))
			hint_msg("devmem TX needs Linux 6.16 or newer");
		else if (ret == -EOPNOTSUPP)
			hint_msg("%s's driver does not transmit from dma-bufs (netmem TX)", o->dev);
	}
	return ret;
}

void rx_setup_print(const struct rx_opts *o, const struct rx_setup *s)
{
	unsigned int i;

	if (s->binding)
		out_u64("binding_id", "binding id %llu", uring_dmabuf_binding_id(s->binding));
	if (o->dev && o->tx) {
		out_str("ifname", " on %s", o->dev);
		out_str("direction", " for %s\n", "transmit");
	} else if (o->dev) {
		out_str("ifname", " on %s", o->dev);
		out_text(" queues");
		out_open_array("queues");
		for (i = 0; i < o->nr_queues; i++)
			out_u64(NULL, " %llu", o->queues[i]);
		out_close_array();
		out_text("\n");
	}
	out_u64("dmabuf_size", "dma-buf: %llu bytes", s->info.bytes);
	out_str("memory", " of %s memory", mem_kind_name(o->kind));
	/* JSON values are tokens, the text says it in words. */
	out_str("source", NULL, o->uring ? "uring" : "ioctl");
	out_text(" (%s)\n", o->uring ? "io_uring fixed buffer" : "ioctl");
	out_u64("segments", "segments: %llu", s->info.nr_segments);
	out_u64("huge_bytes", ", in huge pages: %llu bytes\n", s->info.huge_bytes);
	out_u64("node_mask", "NUMA node mask: 0x%llx", s->info.node_mask);
	if (s->numa_node >= 0)
		out_u64("numa_node", " (asked for node %llu)", (uint64_t)s->numa_node);
	out_text("\n");
}

void rx_teardown(struct rx_setup *s)
{
	uring_dmabuf_unbind(s->binding);
	s->binding = NULL;
	if (s->dmabuf_fd >= 0)
		close(s->dmabuf_fd);
	if (s->have_ring)
		io_uring_queue_exit(&s->ring);
	region_free(&s->mem);
	if (s->dev_fd >= 0)
		close(s->dev_fd);
	s->dmabuf_fd = s->dev_fd = -1;
	s->have_ring = false;
}
