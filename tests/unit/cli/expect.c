// SPDX-License-Identifier: MIT
/* Assertions on a finished run of the CLI. */
#include <stdio.h>
#include <string.h>

#include "cli_test.h"
#include "expect.h"
#include "json_check.h"

void show(const struct run *r)
{
	/* fprintf: cmocka's print_* cut long text */
	fprintf(stderr, "exit %d\n--- stdout\n%s--- stderr\n%s---\n", r->status, r->out, r->err);
}

void expect_usage_error(const struct run *r, const char *what)
{
	const char *nl = strchr(r->err, '\n');
	const char *hint = nl ? nl + 1 : "";
	const char *end = strchr(hint, '\n');

	if (r->status != 2 || r->out_len || strncmp(r->err, "Error: ", 7) ||
	    !nl || (what && (!strstr(r->err, what) || strstr(r->err, what) > nl)) ||
	    strncmp(hint, "Hint: see 'uring-dmabuf ", 24) || !end ||
	    strncmp(end - 7, "--help'", 7) || end[1] || strstr(r->err, "Usage:")) {
		show(r);
		fail_msg("expected exit 2, nothing on stdout, 'Error: %s' and a hint to --help on stderr",
			 what ? what : "...");
	}
}

void expect_valid_json(const struct run *r)
{
	size_t bad = json_check(r->out, r->out_len);

	if (!r->out_len || bad) {
		show(r);
		fail_msg("stdout is not one JSON document (byte %zu)", bad ? bad - 1 : 0);
	}
}
