// SPDX-License-Identifier: MIT
/* What the CLI's --help texts name, for the man page and completion tests. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_test.h"
#include "expect.h"
#include "help_text.h"

const char *const cli_commands[] = {
	"check", "info", "queues", "stats", "bind-rx", "bind-tx", "restore", "recv", "send", "version", "help",
};
const size_t cli_nr_commands = ARRAY_SIZE(cli_commands);

/* Appends each "--long-option" of @text (once) to @opts; returns the count. */
size_t long_options(const char *text, char opts[][32], size_t n, size_t max)
{
	const char *p = text;
	size_t len, i;

	while ((p = strstr(p, "--"))) {
		p += 2;
		len = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-");
		while (len && p[len - 1] == '-')
			len--;
		if (!len || len + 3 > 32 || (p - 3 >= text && p[-3] != ' ' && p[-3] != '[' &&
					     p[-3] != '(' && p[-3] != '\n' && p[-3] != '|'))
			continue;
		for (i = 0; i < n; i++)
			if (!strncmp(opts[i] + 2, p, len) && !opts[i][len + 2])
				break;
		if (i == n && n < max) {
			snprintf(opts[n], 32, "--%.*s", (int)len, p);
			n++;
		}
	}
	return n;
}

/* The "Usage:" line and its indented continuation lines. */
char *synopsis(const char *help)
{
	const char *end = help;

	while ((end = strchr(end, '\n')) && end[1] == ' ')
		end++;
	return strndup(help, end ? (size_t)(end - help) : strlen(help));
}

char *help_of(const char *cmd)
{
	struct run r;
	char *out;

	if (cmd)
		assert_int_equal(run_cli(&r, cmd, "--help", NULL), 0);
	else
		assert_int_equal(run_cli(&r, "--help", NULL), 0);
	assert_int_equal(r.status, 0);
	out = strdup(r.out);
	run_free(&r);
	return out;
}
