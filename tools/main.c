// SPDX-License-Identifier: MIT
/*
 * uring-dmabuf: check a host for devmem TCP, turn memory into dma-bufs,
 * bind them to NIC RX queues, and receive into them.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "output.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "check", cmd_check, "check what this host (and DEV) needs for devmem TCP" },
	{ "info", cmd_info, "module version, limits and live counters" },
	{ "queues", cmd_queues, "RX/TX queues of DEV with NAPI and bound dma-buf ids" },
	{ "bind-rx", cmd_bind_rx, "create a dma-buf and bind it to RX queues of DEV" },
	{ "restore", cmd_restore, "put DEV back as it was from its steering journal" },
	{ "recv", cmd_recv, "receive a TCP stream (devmem TCP when bound)" },
	{ "send", cmd_send, "send the test pattern over plain TCP" },
	{ "version", cmd_version, "print versions of the tool, library and module" },
	{ "help", NULL, "show this help" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: uring-dmabuf [-j|--json] [-p|--pretty] COMMAND [ARGS]\n"
		   "       uring-dmabuf -V|--version | -h|--help\n\nCommands:\n");
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'uring-dmabuf COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG,
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	size_t i;
	int opt;

	/* Global options stop at the subcommand ('+'). */
	while ((opt = getopt_long(argc, argv, "+jphV", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			cli.json = true;
			break;
		case 'p':
			cli.json = cli.pretty = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			optind = 0;	/* cmd_version parses its own argv */
			return cmd_version(1, (char *[]){ "version", NULL });
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < NR_COMMANDS; i++) {
		if (strcmp(argv[optind], commands[i].name))
			continue;
		if (!commands[i].run) {
			usage(stdout);
			return EXIT_OK;
		}
		argc -= optind;
		argv += optind;
		optind = 0;	/* full getopt re-initialisation */
		return commands[i].run(argc, argv);
	}
	err_msg("unknown command '%s'", argv[optind]);
	usage(stderr);
	return EXIT_USAGE;
}
