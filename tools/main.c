// SPDX-License-Identifier: MIT
/*
 * uring-dmabuf: check a host for devmem TCP, turn memory into dma-bufs,
 * bind them to NIC RX queues, and receive into them.
 */
#include <errno.h>
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
	{ "stats", cmd_stats, "queue counters and page pools of DEV, the dma-bufs they hold" },
	{ "bind-rx", cmd_bind_rx, "create a dma-buf and bind it to RX queues of DEV" },
	{ "bind-tx", cmd_bind_tx, "create a READONLY dma-buf and bind it to DEV for TX" },
	{ "restore", cmd_restore, "put DEV back as it was from its steering journal" },
	{ "recv", cmd_recv, "receive a TCP stream (devmem TCP when bound)" },
	{ "send", cmd_send, "send the test pattern over TCP, or from a TX-bound dma-buf" },
	{ "version", cmd_version, "print versions of the tool, library and module" },
	{ "help", NULL, "show this help, or COMMAND's: help [COMMAND]" },
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

/* The command named @name, or NULL. */
static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

/* Runs @c with @argc/@argv, argv[0] its name. */
static int run(const struct command *c, int argc, char **argv)
{
	cli.cmd = c->name;
	optind = 0;	/* full getopt re-initialisation */
	return c->run(argc, argv);
}

/* help [COMMAND]: the tool's usage, or COMMAND's (as COMMAND --help). */
static int help(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc > 2)
		return usage_error("unexpected argument '%s'", argv[2]);
	c = find_command(argv[1]);
	if (!c)
		return usage_error("unknown command '%s'", argv[1]);
	if (!c->run) {
		usage(stdout);
		return EXIT_OK;
	}
	return run(c, 2, (char *[]){ argv[1], "--help", NULL });
}

static int dispatch(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG,
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct command *c;
	int opt;

	/* Global options stop at the subcommand ('+'). */
	while ((opt = cli_getopt(argc, argv, "+jphV", opts)) != -1) {
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
			return run(find_command("version"), 1,
				   (char *[]){ "version", NULL });
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return usage_error("no command given");
	c = find_command(argv[optind]);
	if (!c)
		return usage_error("unknown command '%s'", argv[optind]);
	argc -= optind;
	argv += optind;
	if (!c->run)
		return help(argc, argv);
	return run(c, argc, argv);
}

/*
 * Output that could not be written (> /dev/full, a closed pipe) is a
 * failure, as in coreutils: the buffered rest is written here, at the last.
 */
static int flush_stdout(int status)
{
	int err = 0;

	if (fflush(stdout))
		err = errno;
	else if (ferror(stdout))
		err = EIO;
	if (!err)
		return status;
	err_msg("cannot write to standard output: %s", strerror(err));
	return status == EXIT_OK ? EXIT_FAIL : status;
}

int main(int argc, char **argv)
{
	return flush_stdout(dispatch(argc, argv));
}
