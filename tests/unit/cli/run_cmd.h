/* SPDX-License-Identifier: MIT */
/* Run a program, collect its exit status, stdout and stderr. */
#ifndef CLI_RUN_CMD_H
#define CLI_RUN_CMD_H

#include <stddef.h>

struct run {
	int status;	/* exit status; 128 + signal if killed */
	char *out;	/* NUL-terminated, malloc'd */
	size_t out_len;
	char *err;
	size_t err_len;
};

/* argv[0] is executed as is (a path); NULL-terminated. 0 or -errno. */
int run_argv(struct run *r, char *const argv[]);
/*
 * The CLI under test (CLI_TOOL, or $URING_DMABUF_CLI) with these args; a
 * sanitizer report fails the test, so call it from the test's thread.
 */
int run_cli(struct run *r, ...) __attribute__((sentinel));
/* /bin/sh -c @cmdline. */
int run_shell(struct run *r, const char *cmdline);
/* Fails the current test if @r's stderr holds an ASan/UBSan report. */
void run_check_sanitizers(const struct run *r, const char *what);
void run_free(struct run *r);
/* The CLI's path. */
const char *cli_path(void);

#endif
