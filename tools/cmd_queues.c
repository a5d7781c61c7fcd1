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
	static const struct option opts[] = { COMMON_LONG, { NULL, 0, NULL, 0 } };
	static struct uring_dmabuf_queue q[MAX_QUEUES];
	struct uring_dmabuf_nl_error nlerr = { .attr = -1 };
	bool exit_now = false;
	unsigned int ifindex;
	int opt, n, i;

	while ((opt = cli_getopt(argc, argv, COMMON_SHORT, opts)) != -1) {
		if (!common_opt(opt, usage_queues, &exit_now))
			return EXIT_USAGE;	/* cli_getopt() said why */
		if (exit_now)
			return EXIT_OK;
	}
	if (optind >= argc)
		return usage_error("DEV is required");
	if (optind + 1 < argc)
		return usage_error("unexpected argument '%s'", argv[optind + 1]);
	ifindex = if_nametoindex(argv[optind]);
	if (!ifindex) {
		err_msg("no network device '%s'", argv[optind]);
		return EXIT_FAIL;
	}
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
