// SPDX-License-Identifier: MIT
/*
 * bind-rx --steer PORT[,PORT...] [--proto tcp4|tcp6] and restore DEV: thin
 * wrappers of the library's steering (uring_dmabuf_steer_*), with messages.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "output.h"
#include "setup.h"
#include "steer.h"

enum {
	OPT_STEER = 0x200,
	OPT_PROTO,
};

const struct option steer_long_options[] = {
	{ "steer", required_argument, NULL, OPT_STEER },
	{ "proto", required_argument, NULL, OPT_PROTO },
	{ NULL, 0, NULL, 0 },
};

void steer_opts_init(struct steer_opts *so)
{
	memset(so, 0, sizeof(*so));
	so->proto = URING_DMABUF_STEER_TCP4;
}

int steer_opts_parse(struct steer_opts *so, int opt, const char *arg)
{
	switch (opt) {
	case OPT_STEER:
		if (parse_port_list(arg, so->ports, URING_DMABUF_STEER_MAX_PORTS,
				    &so->nr_ports)) {
			err_msg("bad port list '%s' (examples: 5201, 5201,5202; up to %d ports, each once)",
				arg, URING_DMABUF_STEER_MAX_PORTS);
			return -EINVAL;
		}
		return 1;
	case OPT_PROTO:
		if (!strcmp(arg, "tcp4")) {
			so->proto = URING_DMABUF_STEER_TCP4;
		} else if (!strcmp(arg, "tcp6")) {
			so->proto = URING_DMABUF_STEER_TCP6;
		} else {
			err_msg("bad --proto '%s' (tcp4 or tcp6)", arg);
			return -EINVAL;
		}
		so->proto |= 0x100;	/* given: only valid with --steer */
		return 1;
	default:
		return 0;
	}
}

int steer_opts_check(const struct steer_opts *so)
{
	if ((so->proto & 0x100) && !so->nr_ports) {
		err_msg("--proto needs --steer PORT");
		return -EINVAL;
	}
	return 0;
}

static const char *proto_name(unsigned int proto)
{
	return (proto & 0xff) == URING_DMABUF_STEER_TCP6 ? "tcp6" : "tcp4";
}

static void hint_steer(int err, const char *msg, const char *dev)
{
	if (err == -EPERM || err == -EACCES)
		hint_msg("steering needs CAP_NET_ADMIN and write access to /run/uring-dmabuf: run as root");
	else if (!strncmp(msg, "journal:", 8) && err == -EEXIST)
		hint_msg("run: uring-dmabuf restore %s", dev);
	else if (!strncmp(msg, "flow rule:", 10) && err == -EEXIST)
		hint_msg("delete that rule (ethtool -N %s delete LOC) or steer another port", dev);
	else if (!strncmp(msg, "xdp:", 4))
		hint_msg("detach it: ip link set %s xdp off", dev);
	else if (err == -EOPNOTSUPP)
		hint_msg("%s's driver lacks this step; see uring-dmabuf check %s", dev, dev);
}

int steer_start(const struct rx_opts *o, struct steer_opts *so)
{
	struct uring_dmabuf_steer_params p = {
		.size = sizeof(p),
		.ifname = o->dev,
		.queues = o->queues,
		.nr_queues = o->nr_queues,
		.ports = so->ports,
		.nr_ports = so->nr_ports,
		.proto = so->proto & 0xff,
	};
	struct uring_dmabuf_nl_error err;
	int ret;

	ret = uring_dmabuf_steer_apply(&p, &so->applied, &err);
	if (ret) {
		err_msg("cannot steer %s: %s", o->dev,
			err.msg[0] ? err.msg : strerror(-ret));
		hint_steer(ret, err.msg, o->dev);
	}
	return ret;
}

void steer_print(const struct rx_opts *o, const struct steer_opts *so)
{
	unsigned int i;

	if (!so->applied)
		return;
	out_open_object("steer");
	out_str("proto", "steered: %s dst-port", proto_name(so->proto));
	out_open_array("ports");
	for (i = 0; i < so->nr_ports; i++)
		out_u64(NULL, " %llu", so->ports[i]);
	out_close_array();
	out_text(" to queue%s", o->nr_queues > 1 ? "s" : "");
	out_open_array("queues");
	for (i = 0; i < o->nr_queues; i++)
		out_u64(NULL, " %llu", o->queues[i]);
	out_close_array();
	out_text(", out of RSS, header split on; restored on exit\n");
	out_close_object();
}

int steer_stop(struct steer_opts *so)
{
	struct uring_dmabuf_nl_error err;
	int ret;

	if (!so->applied)
		return 0;
	ret = uring_dmabuf_steer_restore(so->applied, &err);
	so->applied = NULL;
	if (ret) {
		err_msg("restoring the steering: %s", err.msg[0] ? err.msg : strerror(-ret));
		hint_msg("the journal stays in /run/uring-dmabuf: retry with uring-dmabuf restore DEV");
	}
	return ret;
}

static const char usage_restore[] =
	"Usage: uring-dmabuf restore DEV\n"
	"Put DEV back as it was before a bind-rx --steer that ended without\n"
	"restoring it (killed, crashed): replays /run/uring-dmabuf/DEV.journal\n"
	"(RSS table, flow rules, ntuple, header split, in reverse order).\n";

int cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONG, { NULL, 0, NULL, 0 } };
	struct uring_dmabuf_nl_error err;
	bool exit_now = false;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, COMMON_SHORT, opts, NULL)) != -1) {
		if (common_opt(opt, usage_restore, &exit_now)) {
			if (exit_now)
				return EXIT_OK;
			continue;
		}
		fputs(usage_restore, stderr);
		return EXIT_USAGE;
	}
	if (optind + 1 != argc) {
		if (optind < argc)
			err_msg("unexpected argument '%s'", argv[optind + 1]);
		else
			err_msg("no network device given");
		fputs(usage_restore, stderr);
		return EXIT_USAGE;
	}
	ret = uring_dmabuf_steer_restore_dev(argv[optind], &err);
	if (ret) {
		err_msg("cannot restore %s: %s", argv[optind],
			err.msg[0] ? err.msg : strerror(-ret));
		if (ret == -EPERM || ret == -EACCES)
			hint_msg("restoring needs CAP_NET_ADMIN: run as root");
		else if (ret == -EBADMSG)
			hint_msg("check %s by hand (ethtool -g, -k, -n, -x), then remove /run/uring-dmabuf/%s.journal",
				 argv[optind], argv[optind]);
		return EXIT_FAIL;
	}
	out_init(cli.json, cli.pretty);
	out_str("restored", "restored %s\n", argv[optind]);
	out_finish();
	return EXIT_OK;
}
