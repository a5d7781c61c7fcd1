// SPDX-License-Identifier: MIT
/*
 * uring-dmabuf check [DEV]: everything devmem TCP into our dma-bufs needs,
 * each failed item with the command that fixes it.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "ethtool.h"
#include "liburing_dmabuf.h"
#include "output.h"
#include "parse.h"
#include "setup.h"

static const char usage_check[] =
	"Usage: uring-dmabuf check [-j] [-p] [DEV]\n"
	"Check the module, the device node, kernel devmem support, the locked-memory\n"
	"limit and huge pages; with DEV also its RX queues, header split, ntuple\n"
	"filters, existing bindings and NUMA node. Exit 0 only if all required items pass.\n";

static int failures;

/* One item: required ones decide the exit status, others only inform. */
static void item(const char *name, bool ok, bool required, const char *fix,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void item(const char *name, bool ok, bool required, const char *fix,
		 const char *fmt, ...)
{
	char detail[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (!ok && required)
		failures++;
	out_open_object(NULL);
	out_str("item", ok ? "  [ ok ] %s: " : required ? "  [FAIL] %s: " : "  [warn] %s: ",
		name);
	out_bool("ok", NULL, ok);
	out_bool("required", NULL, required);
	out_str("detail", "%s\n", detail);
	if (!ok && fix)
		out_str("fix", "         fix: %s\n", fix);
	out_close_object();
}

static void check_module(void)
{
	struct uring_dmabuf_version ver;
	struct stat st;
	int fd;

	if (stat("/sys/module/uring_dmabuf", &st)) {
		item("module", false, true,
		     "modprobe uring_dmabuf (build and install it with DKMS: see the README)",
		     "uring_dmabuf is not loaded");
		return;
	}
	fd = uring_dmabuf_open();
	if (fd < 0) {
		item("module", true, true, NULL, "loaded");
		item("device", false, true,
		     "run as root, or grant access to /dev/uring_dmabuf with a udev rule",
		     "cannot open %s: %s", URING_DMABUF_DEVICE, strerror(-fd));
		return;
	}
	if (uring_dmabuf_version(fd, &ver))
		memset(&ver, 0, sizeof(ver));
	close(fd);
	item("module", true, true, NULL, "uring_dmabuf %s (API %u)",
	     ver.module_version, ver.api_version);
	item("device", true, true, NULL, "%s is accessible", URING_DMABUF_DEVICE);
}

static void check_kernel(void)
{
	int rx = uring_dmabuf_netdev_has_cmd(URING_DMABUF_NL_BIND_RX);
	int tx = uring_dmabuf_netdev_has_cmd(URING_DMABUF_NL_BIND_TX);

	item("devmem-rx", rx > 0, true,
	     "devmem TCP needs Linux 6.12 or newer with CONFIG_NET_DEVMEM",
	     rx > 0 ? "NETDEV_CMD_BIND_RX is supported" :
	     "the kernel has no NETDEV_CMD_BIND_RX");
	item("devmem-tx", tx > 0, false, "devmem TX needs Linux 6.16 or newer",
	     tx > 0 ? "NETDEV_CMD_BIND_TX is supported" :
	     "the kernel has no NETDEV_CMD_BIND_TX");
}

static void check_limits(void)
{
	struct rlimit rl;
	unsigned long long free_2m = 0;
	FILE *f;

	getrlimit(RLIMIT_MEMLOCK, &rl);
	if (rl.rlim_cur == RLIM_INFINITY)
		item("memlock", true, false, NULL, "RLIMIT_MEMLOCK unlimited");
	else
		item("memlock", rl.rlim_cur >= (64ULL << 20) || geteuid() == 0, false,
		     "ulimit -l unlimited (LimitMEMLOCK=infinity for services), or CAP_IPC_LOCK",
		     "RLIMIT_MEMLOCK %llu KiB%s", (unsigned long long)rl.rlim_cur >> 10,
		     geteuid() == 0 ? " (root: CAP_IPC_LOCK bypasses it)" : "");
	f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "r");
	if (f) {
		if (fscanf(f, "%llu", &free_2m) != 1)
			free_2m = 0;
		fclose(f);
	}
	item("hugepages", free_2m > 0, false,
	     "echo 512 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages",
	     "%llu free 2 MiB huge pages (fewest segments per GiB)", free_2m);
}

static void check_bindings(unsigned int ifindex)
{
	struct uring_dmabuf_queue q[MAX_QUEUES];
	char list[512] = "";
	int n, i, bound = 0;
	size_t len = 0;

	n = uring_dmabuf_queues(ifindex, q, MAX_QUEUES, NULL);
	if (n < 0) {
		item("bindings", false, false, NULL, "cannot list queues: %s", strerror(-n));
		return;
	}
	for (i = 0; i < n && i < MAX_QUEUES; i++) {
		if (q[i].type || !q[i].dmabuf_id || len >= sizeof(list) - 32)
			continue;
		len += snprintf(list + len, sizeof(list) - len, " rx-%u:%u", q[i].id,
				q[i].dmabuf_id);
		bound++;
	}
	item("bindings", true, false, NULL, "%d RX queues bound to dma-bufs%s%s",
	     bound, bound ? " (queue:binding)" : "", list);
}

static void check_dev(const char *dev)
{
	unsigned int ifindex = if_nametoindex(dev), nrx;
	enum split_state split;
	char fix[160];
	int ntuple = 0, ret;

	if (!ifindex) {
		item("netdev", false, true, "name an existing interface (ip link)",
		     "no network device '%s'", dev);
		return;
	}
	nrx = rx_queue_count(dev) > 0 ? (unsigned int)rx_queue_count(dev) : 0;
	snprintf(fix, sizeof(fix),
		 "more RX queues let one be reserved for devmem: ethtool -L %s combined N", dev);
	item("rx-queues", nrx > 1, false, fix, "%s has %u RX queues", dev, nrx);
	ret = ethtool_tcp_data_split(dev, &split);
	snprintf(fix, sizeof(fix), "ethtool -G %s tcp-data-split on", dev);
	item("header-split", split == SPLIT_ON, true, fix,
	     ret ? "cannot read ring parameters (does the driver support them?): %s" :
	     split == SPLIT_ON ? "tcp-data-split on%s" :
	     split == SPLIT_OFF ? "tcp-data-split off%s" :
	     "the driver does not report tcp-data-split%s",
	     ret ? strerror(-ret) : "");
	ret = ethtool_ntuple(dev, &ntuple);
	snprintf(fix, sizeof(fix),
		 "ethtool -K %s ntuple on; then ethtool -N %s flow-type tcp4 dst-port PORT action QUEUE",
		 dev, dev);
	item("flow-steering", !ret && ntuple, true, fix,
	     ret ? "cannot read ethtool flags: %s" : ntuple ?
	     "ntuple filters on%s" : "ntuple filters off%s", ret ? strerror(-ret) : "");
	check_bindings(ifindex);
	item("numa", true, false, NULL, "%s is on NUMA node %d (-1: none)", dev,
	     nic_numa_node(dev));
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONG, { NULL, 0, NULL, 0 } };
	bool exit_now = false;
	const char *dev = NULL;
	int opt;

	while ((opt = getopt_long(argc, argv, COMMON_SHORT, opts, NULL)) != -1) {
		if (!common_opt(opt, usage_check, &exit_now)) {
			fputs(usage_check, stderr);
			return EXIT_USAGE;
		}
		if (exit_now)
			return EXIT_OK;
	}
	if (optind < argc)
		dev = argv[optind++];
	if (optind < argc) {
		err_msg("unexpected argument '%s'", argv[optind]);
		fputs(usage_check, stderr);
		return EXIT_USAGE;
	}
	failures = 0;
	out_init(cli.json, cli.pretty);
	out_open_array("checks");
	check_module();
	check_kernel();
	check_limits();
	if (dev)
		check_dev(dev);
	out_close_array();
	out_u64("failed", failures ? "%llu required checks failed\n" : NULL, failures);
	out_finish();
	return failures ? EXIT_FAIL : EXIT_OK;
}
