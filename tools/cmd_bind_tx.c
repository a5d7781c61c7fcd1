// SPDX-License-Identifier: MIT
/*
 * uring-dmabuf bind-tx DEV [--size SIZE] [...] [-- COMMAND [ARGS]]: a
 * READONLY dma-buf holding the test pattern, bound to DEV for transmit
 * (NETDEV_CMD_BIND_TX); held in the foreground or handed to COMMAND.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bind.h"
#include "cli.h"
#include "output.h"
#include "setup.h"

static const char usage_bind_tx[] =
	"Usage: uring-dmabuf bind-tx [-j] [-p] DEV [--size SIZE]\n"
	"          [--hugepages[=2M|1G] | --thp | --4k | --shmem] [--numa NODE|auto]\n"
	"          [--uring] [-- COMMAND [ARGS...]]\n"
	"Allocate SIZE bytes (default 64M, THP), fill them with the test pattern\n"
	"that 'uring-dmabuf recv --verify' checks, turn them into a READONLY dma-buf\n"
	"(with --uring from an io_uring registered buffer) and bind it to DEV for\n"
	"transmit (devmem TX, Linux 6.16+). Without COMMAND, hold the binding until\n"
	"SIGINT/SIGTERM, then unbind. With COMMAND, run it with the binding inherited\n"
	"and described in the environment, as bind-rx does (URING_DMABUF_FD,\n"
	"URING_DMABUF_NL_FD, URING_DMABUF_BINDING_ID, URING_DMABUF_SIZE,\n"
	"URING_DMABUF_IFNAME), for example uring-dmabuf send in its devmem mode, and\n"
	"exit with its status.\n";

/* rx_long_options without the RX-only ones. */
static void tx_options(struct option *out, size_t max)
{
	static struct option all[32];
	size_t i, n = 0;

	rx_options_merge(all, sizeof(all) / sizeof(all[0]), NULL);
	for (i = 0; all[i].name && n + 1 < max; i++)
		if (strcmp(all[i].name, "queues") && strcmp(all[i].name, "rx-page-size"))
			out[n++] = all[i];
	memset(&out[n], 0, sizeof(out[n]));
}

int cmd_bind_tx(int argc, char **argv)
{
	static struct option opts[32];
	static struct rx_opts o;
	struct rx_setup s;
	sigset_t old;
	bool exit_now = false;
	char **cmd = NULL;
	int opt, ret, status;

	ret = bind_split_command(&argc, argv, &cmd);
	if (ret)
		return ret;
	tx_options(opts, sizeof(opts) / sizeof(opts[0]));
	rx_opts_init(&o);
	o.tx = true;
	while ((opt = cli_getopt(argc, argv, COMMON_SHORT "s:", opts)) != -1) {
		if (common_opt(opt, usage_bind_tx, &exit_now)) {
			if (exit_now)
				return EXIT_OK;
			continue;
		}
		ret = rx_opts_parse(&o, opt, optarg);
		if (ret < 0)
			return usage_hint();
		if (!ret)
			return EXIT_USAGE;	/* cli_getopt() said why */
	}
	if (optind < argc)
		o.dev = argv[optind++];
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (rx_opts_check(&o, true))
		return usage_hint();

	bind_block_signals(&old);

	ret = dmabuf_setup(&o, &s);
	if (!ret)
		ret = tx_bind(&o, &s);
	if (ret) {
		rx_teardown(&s);
		return EXIT_FAIL;
	}
	if (cmd)
		out_set_file(stderr);
	out_init(cli.json, cli.pretty);
	rx_setup_print(&o, &s);
	out_finish();
	status = bind_serve(cmd, &o, &s, &old);
	rx_teardown(&s);
	return status;
}
