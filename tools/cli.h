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
	const char *cmd;	/* the subcommand running, for hints */
};

extern struct cli cli;

/*
 * -j/--json, -p/--pretty, -h/--help accepted by every subcommand. Returns 1
 * if @opt was one of them (help printed: *exit_now set), 0 if not.
 */
int common_opt(int opt, const char *usage, bool *exit_now);

/*
 * Usage errors as ip and ethtool print them: one "Error: ..." line and one
 * hint naming the command's --help, not the whole usage. Returns EXIT_USAGE.
 * usage_hint() is for errors already printed with err_msg().
 */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_hint(void);

/*
 * The arguments of a command that takes the common options and DEV alone:
 * -1 with *ifindex set (argv[optind] is DEV), else the exit status to
 * return (--help printed, or the usage error or unknown device said).
 */
int parse_dev_args(int argc, char **argv, const char *usage_text,
		   unsigned int *ifindex);

/*
 * getopt_long() that reports a bad option itself, as usage_error() does,
 * by its long name where it has one; returns '?' after that.
 */
struct option;
int cli_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts);
/* "--name" of the option whose val is @val, else "-c". */
const char *opt_name(const struct option *longopts, int val);
#define COMMON_SHORT "jph"
#define COMMON_LONG						\
	{ "json", no_argument, NULL, 'j' },			\
	{ "pretty", no_argument, NULL, 'p' },			\
	{ "help", no_argument, NULL, 'h' }

int cmd_check(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_queues(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_bind_rx(int argc, char **argv);
int cmd_bind_tx(int argc, char **argv);
int cmd_recv(int argc, char **argv);
int cmd_send(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_restore(int argc, char **argv);

/* The payload every byte of a test stream carries, by stream offset. */
#define PATTERN_PERIOD 251
static inline unsigned char pattern_byte(unsigned long long off)
{
	return (unsigned char)(off % PATTERN_PERIOD);
}

/*
 * @len bytes of the pattern from offset 0; a buffer of a multiple of
 * PATTERN_PERIOD bytes repeats the stream (devmem TX sends it round).
 */
static inline void pattern_fill(unsigned char *p, unsigned long long len)
{
	unsigned long long i;

	for (i = 0; i < len; i++)
		p[i] = pattern_byte(i);
}

#endif
