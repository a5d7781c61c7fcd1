// SPDX-License-Identifier: MIT
/*
 * uring-dmabuf stats DEV: DEV's queue counters, its page pools and the
 * dma-buf bindings they hold, also after an unbind, until their buffers
 * come back.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "liburing_dmabuf.h"
#include "output.h"
#include "parse.h"

#define MAX_POOLS 4096

static const char usage_stats[] =
	"Usage: uring-dmabuf stats [-j] [-p] DEV\n"
	"Print DEV's per-queue packet and byte counters (NETDEV_CMD_QSTATS_GET,\n"
	"where the driver keeps them), then its page pools (NETDEV_CMD_PAGE_POOL_GET,\n"
	"Linux 6.8+): NAPI id, the dma-buf binding each takes buffers from, the\n"
	"buffers in flight, and whether the driver has let go of it: a detached pool\n"
	"keeps its binding, and the pinned memory, until its buffers come back.\n"
	"Pools of removed devices that still hold a dma-buf follow.\n";

static unsigned long long boottime_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (unsigned long long)ts.tv_sec;
}

/* JSON keys and text labels of the URING_DMABUF_QSTAT_* counters. */
static const char *const qstat_key[URING_DMABUF_QSTAT_NR] = {
	"rx_packets", "rx_bytes", "tx_packets", "tx_bytes", "rx_alloc_fail",
	"rx_hw_drops",
};

/* Counters the driver does not keep are left out, not shown as 0. */
static void print_qstats(const struct uring_dmabuf_qstats *q)
{
	char fmt[48];
	unsigned int i;

	out_open_object(NULL);
	out_str("type", "  %s", q->type ? "tx" : "rx");
	out_u64("id", "-%-4llu", q->id);
	for (i = 0; i < URING_DMABUF_QSTAT_NR; i++) {
		if (!(q->valid & (1U << i)))
			continue;
		/* "rx_bytes" prints as " bytes 123": the queue says rx or tx */
		snprintf(fmt, sizeof(fmt), " %s %%llu", qstat_key[i] + 3);
		out_u64(qstat_key[i], fmt, q->value[i]);
	}
	out_text("\n");
	out_close_object();
}

/* The queues' counters; a driver without them is said once, not an error. */
static void print_queues(unsigned int ifindex, const char *dev)
{
	static struct uring_dmabuf_qstats qs[MAX_QUEUES];
	struct uring_dmabuf_nl_error nlerr = { .attr = -1 };
	int n, i;

	n = uring_dmabuf_qstats(ifindex, qs, MAX_QUEUES, &nlerr);
	out_bool("queue_stats", NULL, n >= 0);
	if (n < 0) {
		out_text("%s queue statistics: none (%s)\n", dev, strerror(-n));
		return;
	}
	out_text("%s queues:\n", dev);
	out_open_array("queues");
	for (i = 0; i < n && i < MAX_QUEUES; i++)
		print_qstats(&qs[i]);
	out_close_array();
}

static void print_pool(const struct uring_dmabuf_page_pool *p)
{
	unsigned long long now = boottime_sec();

	out_open_object(NULL);
	out_u64("id", "  pool %-5llu", p->id);
	if (p->napi_id)
		out_u64("napi_id", " napi %-6llu", p->napi_id);
	out_u64("dmabuf_binding", " dma-buf binding %-4llu", p->dmabuf_id);
	out_u64("inflight", " in flight %llu", p->inflight);
	out_u64("inflight_bytes", " (%llu bytes)", p->inflight_mem);
	out_bool("detached", NULL, p->detach_time != 0);
	if (p->detach_time)
		out_u64("detached_sec", ", detached %llu s ago",
			now > p->detach_time ? now - p->detach_time : 0);
	out_text("\n");
	out_close_object();
}

int cmd_stats(int argc, char **argv)
{
	static struct uring_dmabuf_page_pool pools[MAX_POOLS];
	struct uring_dmabuf_nl_error nlerr = { .attr = -1 };
	unsigned int ifindex, held = 0;
	int ret, n, i;

	ret = parse_dev_args(argc, argv, usage_stats, &ifindex);
	if (ret >= 0)
		return ret;
	/* All pools: those of removed devices are DEV's, perhaps, no longer. */
	n = uring_dmabuf_page_pools(0, pools, MAX_POOLS, &nlerr);
	if (n < 0) {
		err_msg("NETDEV_CMD_PAGE_POOL_GET: %s%s%s", strerror(-n),
			nlerr.msg[0] ? ": " : "", nlerr.msg);
		if (n == -EOPNOTSUPP)
			hint_msg("page pool information needs Linux 6.8 or newer");
		return EXIT_FAIL;
	}
	if (n > MAX_POOLS)
		n = MAX_POOLS;
	out_init(cli.json, cli.pretty);
	out_str("ifname", NULL, argv[optind]);
	print_queues(ifindex, argv[optind]);
	out_text("%s page pools:\n", argv[optind]);
	out_open_array("page_pools");
	for (i = 0; i < n; i++)
		if (pools[i].ifindex == ifindex)
			print_pool(&pools[i]);
	out_close_array();
	for (i = 0; i < n; i++)
		held += !pools[i].ifindex && pools[i].dmabuf_id;
	if (held)
		out_text("pools of removed devices holding a dma-buf:\n");
	out_open_array("removed_device_page_pools");
	for (i = 0; i < n; i++)
		if (!pools[i].ifindex && pools[i].dmabuf_id)
			print_pool(&pools[i]);
	out_close_array();
	out_finish();
	return EXIT_OK;
}
