// SPDX-License-Identifier: MIT
/*
 * uring-dmabuf bind-rx DEV --queues LIST [...] [-- COMMAND [ARGS]]: hold the
 * binding in the foreground, or hand it to COMMAND.
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
#include "steer.h"

static const char usage_bind_rx[] =
	"Usage: uring-dmabuf bind-rx [-j] [-p] DEV --queues LIST [--size SIZE]\n"
	"          [--hugepages[=2M|1G] | --thp | --4k | --shmem] [--numa NODE|auto]\n"
	"          [--uring] [--rx-page-size SIZE]\n"
	"          [--steer PORT[,PORT...] [--proto tcp4|tcp6]] [-- COMMAND [ARGS...]]\n"
	"Allocate SIZE bytes (default 64M, THP), turn them into a dma-buf (with --uring\n"
	"through an io_uring registered buffer), bind it to DEV's RX queues LIST\n"
	"(3, 2-5, 1,3,8-11) and print the binding. Without COMMAND, hold the binding\n"
	"until SIGINT/SIGTERM, then unbind. With COMMAND, run it with the binding\n"
	"inherited and described in the environment (what bind-rx prints goes to\n"
	"stderr then: stdout is COMMAND's):\n"
	"  URING_DMABUF_FD          the dma-buf fd (mmap it to read received payload)\n"
	"  URING_DMABUF_NL_FD       the netlink socket holding the binding\n"
	"  URING_DMABUF_BINDING_ID  the binding id (dmabuf_id in devmem cmsgs)\n"
	"  URING_DMABUF_SIZE        the dma-buf's size in bytes\n"
	"  URING_DMABUF_IFNAME, URING_DMABUF_QUEUES\n"
	"and exit with its status.\n"
	"--steer sets DEV up for those TCP destination ports first (header split\n"
	"on, hds-thresh 0, ntuple on, a flow rule per port to the queues, the\n"
	"queues out of RSS; --proto tcp4 by default), journaled in /run/uring-dmabuf,\n"
	"and puts DEV back as it was when the binding goes. After a crash or\n"
	"SIGKILL: uring-dmabuf restore DEV.\n";

int cmd_bind_rx(int argc, char **argv)
{
	static struct option opts[32];
	static struct rx_opts o;
	static struct steer_opts so;
	struct rx_setup s;
	sigset_t old;
	bool exit_now = false;
	char **cmd = NULL;
	int opt, ret, status;

	ret = bind_split_command(&argc, argv, &cmd);
	if (ret)
		return ret;
	rx_options_merge(opts, sizeof(opts) / sizeof(opts[0]), steer_long_options);
	rx_opts_init(&o);
	steer_opts_init(&so);
	while ((opt = cli_getopt(argc, argv, COMMON_SHORT RX_OPTS_SHORT, opts)) != -1) {
		if (common_opt(opt, usage_bind_rx, &exit_now)) {
			if (exit_now)
				return EXIT_OK;
			continue;
		}
		ret = steer_opts_parse(&so, opt, optarg);
		if (!ret)
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
	if (rx_opts_check(&o, true) || steer_opts_check(&so))
		return usage_hint();

	bind_block_signals(&old);

	/*
	 * Steering first (6.14+ binds only with header split on), once what
	 * dmabuf_setup() would refuse has been ruled out: the device is left
	 * alone for a bad queue or a --size over RLIMIT_MEMLOCK.
	 */
	memset(&s, 0, sizeof(s));
	if (so.nr_ports && (rx_setup_precheck(&o, &s) || steer_start(&o, &so)))
		return EXIT_FAIL;
	ret = dmabuf_setup(&o, &s);
	if (!ret)
		ret = rx_bind(&o, &s);
	if (ret) {
		rx_teardown(&s);
		steer_stop(&so);
		return EXIT_FAIL;
	}
	/* With COMMAND, stdout is the command's alone: one document on it. */
	if (cmd)
		out_set_file(stderr);
	out_init(cli.json, cli.pretty);
	rx_setup_print(&o, &s);
	steer_print(&o, &so);
	out_finish();
	status = bind_serve(cmd, &o, &s, &old);
	rx_teardown(&s);
	if (steer_stop(&so) && !status)
		status = EXIT_FAIL;
	return status;
}
