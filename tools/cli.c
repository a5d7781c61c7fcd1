// SPDX-License-Identifier: MIT
/*
 * What every subcommand shares: the global output options and the options
 * every subcommand accepts. Not in main.c, so that the subcommands depend on
 * this file only and main.c on the subcommands: no dependency both ways.
 */
#include <getopt.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "output.h"

struct cli cli;

int common_opt(int opt, const char *usage_text, bool *exit_now)
{
	switch (opt) {
	case 'j':
		cli.json = true;
		return 1;
	case 'p':
		cli.json = cli.pretty = true;
		return 1;
	case 'h':
		fputs(usage_text, stdout);
		*exit_now = true;
		return 1;
	default:
		return 0;
	}
}

int usage_hint(void)
{
	if (cli.cmd)
		hint_msg("see 'uring-dmabuf %s --help'", cli.cmd);
	else
		hint_msg("see 'uring-dmabuf --help'");
	return EXIT_USAGE;
}

int usage_error(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_msg("%s", msg);
	return usage_hint();
}

const char *opt_name(const struct option *longopts, int val)
{
	static char buf[80];
	const struct option *o;

	for (o = longopts; o && o->name; o++) {
		if (o->val == val && !o->flag) {
			snprintf(buf, sizeof(buf), "--%s", o->name);
			return buf;
		}
	}
	snprintf(buf, sizeof(buf), "-%c", val);
	return buf;
}

int cli_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	char spec[64];
	const char *arg;
	int opt, saved_opterr;

	/*
	 * A leading ':' (after a '+') tells a missing value (':') from an
	 * unknown option ('?').
	 */
	if (shortopts[0] == '+')
		snprintf(spec, sizeof(spec), "+:%s", shortopts + 1);
	else
		snprintf(spec, sizeof(spec), ":%s", shortopts);
	/* Quiet for this call only: getopt_long() elsewhere keeps its messages. */
	saved_opterr = opterr;
	opterr = 0;
	opt = getopt_long(argc, argv, spec, longopts, NULL);
	opterr = saved_opterr;
	if (opt != '?' && opt != ':')
		return opt;
	arg = argv[optind - 1];
	if (opt == ':')
		usage_error("option '%s' needs a value", optopt ? opt_name(longopts, optopt) : arg);
	else if (optopt)
		usage_error("unknown option '-%c'", optopt);
	else
		usage_error("unknown option '%s'", arg);
	return '?';
}

int parse_dev_args(int argc, char **argv, const char *usage_text,
		   unsigned int *ifindex)
{
	static const struct option opts[] = { COMMON_LONG, { NULL, 0, NULL, 0 } };
	bool exit_now = false;
	int opt;

	while ((opt = cli_getopt(argc, argv, COMMON_SHORT, opts)) != -1) {
		if (!common_opt(opt, usage_text, &exit_now))
			return EXIT_USAGE;	/* cli_getopt() said why */
		if (exit_now)
			return EXIT_OK;
	}
	if (optind >= argc)
		return usage_error("DEV is required");
	if (optind + 1 < argc)
		return usage_error("unexpected argument '%s'", argv[optind + 1]);
	*ifindex = if_nametoindex(argv[optind]);
	if (!*ifindex) {
		err_msg("no network device '%s'", argv[optind]);
		return EXIT_FAIL;
	}
	return -1;
}
