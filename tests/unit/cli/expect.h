/* SPDX-License-Identifier: MIT */
/* Assertions on a finished run of the CLI (see run_cmd.h). */
#ifndef CLI_EXPECT_H
#define CLI_EXPECT_H

#include "run_cmd.h"

/* Runs the CLI with these arguments; the test fails if it cannot. */
#define RUN(r, ...) assert_int_equal(run_cli(r, __VA_ARGS__, NULL), 0)

/* The run's status, stdout and stderr, in full, on stderr. */
void show(const struct run *r);
/*
 * Exit 2, nothing on stdout, and on stderr exactly two lines, as ip and
 * ethtool print them: "Error: ..." (holding @what, if given) and a "Hint:"
 * naming --help; not the usage text.
 */
void expect_usage_error(const struct run *r, const char *what);
/* stdout is exactly one JSON document (json_check.h). */
void expect_valid_json(const struct run *r);

#endif
