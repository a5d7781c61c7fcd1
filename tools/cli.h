/* SPDX-License-Identifier: MIT */
/* The uring-dmabuf command line: subcommands and shared conventions. */
#ifndef URING_DMABUF_TOOL_CLI_H
#define URING_DMABUF_TOOL_CLI_H

#include <stdbool.h>

/* Exit status: 0 success, 1 the operation failed, 2 usage error. */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

struct cli {
	bool json;
	bool pretty;
};

extern struct cli cli;

/*
 * -j/--json, -p/--pretty, -h/--help accepted by every subcommand. Returns 1
 * if @opt was one of them (help printed: *exit_now set), 0 if not.
 */
int common_opt(int opt, const char *usage, bool *exit_now);
#define COMMON_SHORT "jph"
#define COMMON_LONG						\
	{ "json", no_argument, NULL, 'j' },			\
	{ "pretty", no_argument, NULL, 'p' },			\
	{ "help", no_argument, NULL, 'h' }

int cmd_check(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_queues(int argc, char **argv);
int cmd_bind_rx(int argc, char **argv);
int cmd_recv(int argc, char **argv);
int cmd_send(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_restore(int argc, char **argv);

/* The payload every byte of a test stream carries, by stream offset. */
static inline unsigned char pattern_byte(unsigned long long off)
{
	return (unsigned char)(off % 251);
}

#endif
