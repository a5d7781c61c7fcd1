// SPDX-License-Identifier: MIT
/*
 * What every subcommand shares: the global output options and the options
 * every subcommand accepts. Not in main.c, so that the subcommands depend on
 * this file only and main.c on the subcommands: no dependency both ways.
 */
#include <stdio.h>

#include "cli.h"

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
