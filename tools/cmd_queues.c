// SPDX-License-Identifier: MIT
/* uring-dmabuf queues DEV */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "liburing_dmabuf.h"
#include "output.h"
#include "parse.h"

static const char usage_queues[] =
	"Usage: uring-dmabuf queues [-j] [-p] DEV\n"
	"List DEV's queues (NETDEV_CMD_QUEUE_GET) with their NAPI ids and the\n"
	"id of the dma-buf binding on each RX queue (0: none).\n";

int cmd_queues(int argc, char **argv)
{
	static struct uring_dmabuf_queue q[MAX_QUEUES];
	struct uring_dmabuf_nl_error nlerr = { .attr = -1 };
	unsigned int ifindex;
	int ret, n, i;

	ret = parse_dev_args(argc, argv, usage_queues, &ifindex);
	if (ret >= 0)
		return ret;
	n = uring_dmabuf_queues(ifindex, q, MAX_QUEUES, &nlerr);
	if (n < 0) {
		err_msg("NETDEV_CMD_QUEUE_GET on %s: %s%s%s", argv[optind], strerror(-n),
			nlerr.msg[0] ? ": " : "", nlerr.msg);
		if (n == -EOPNOTSUPP)
			hint_msg("queue information needs Linux 6.8 or newer");
		return EXIT_FAIL;
	}
	out_init(cli.json, cli.pretty);
	out_str("ifname", "%s:\n", argv[optind]);
	out_open_array("queues");
	for (i = 0; i < n && i < MAX_QUEUES; i++) {
		out_open_object(NULL);
		out_str("type", "  %s", q[i].type ? "tx" : "rx");
		out_u64("id", "-%-4llu", q[i].id);
		out_u64("napi_id", " napi %-6llu", q[i].napi_id);
		if (!q[i].type)
			out_u64("dmabuf_binding", " dma-buf binding %llu", q[i].dmabuf_id);
		out_text("\n");
		out_close_object();
	}
	out_close_array();
	out_finish();
	if (!n)
		hint_msg("the kernel lists the queues of devices that are up: ip link set %s up",
			 argv[optind]);
	return EXIT_OK;
}
