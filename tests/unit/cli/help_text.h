/* SPDX-License-Identifier: MIT */
/* What the CLI's --help texts name, for the man page and completion tests. */
#ifndef CLI_HELP_TEXT_H
#define CLI_HELP_TEXT_H

#include <stddef.h>

/* Every command of 'uring-dmabuf --help', in its order ("help" last). */
extern const char *const cli_commands[];
extern const size_t cli_nr_commands;

/* stdout of 'uring-dmabuf [CMD] --help' (malloc'd); CMD NULL: the global one. */
char *help_of(const char *cmd);
/* The "Usage:" line of @help and its indented continuation lines. */
char *synopsis(const char *help);
/* Appends each "--long-option" of @text (once) to @opts; returns the count. */
size_t long_options(const char *text, char opts[][32], size_t n, size_t max);

#endif
