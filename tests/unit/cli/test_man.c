// SPDX-License-Identifier: MIT
/*
 * The man page against the binary's own --help: every command, long option
 * and URING_DMABUF_* variable that --help names is documented (options in
 * that command's part of COMMANDS), the sections are there, and the page
 * renders without a groff or man warning.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_test.h"
#include "expect.h"
#include "help_text.h"
#include "run_cmd.h"

/* The man page source with \- \% \e and font escapes resolved. */
static char *man_text(void)
{
	FILE *f = fopen(CLI_MAN_PAGE, "r");
	char *src, *dst, *p, *q;
	long n;

	if (!f)
		fail_msg("cannot open %s", CLI_MAN_PAGE);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	src = calloc(1, (size_t)n + 1);
	dst = calloc(1, (size_t)n + 1);
	assert_non_null(src);
	assert_non_null(dst);
	assert_int_equal(fread(src, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	for (p = src, q = dst; *p; p++) {
		if (p[0] == '\\' && p[1] == '-') {
			*q++ = '-';
			p++;
		} else if (p[0] == '\\' && (p[1] == '%' || p[1] == '&')) {
			p++;
		} else if (p[0] == '\\' && p[1] == 'e') {
			*q++ = '\\';
			p++;
		} else if (p[0] == '\\' && p[1] == 'f' && p[2]) {
			p += 2;
		} else {
			*q++ = *p;
		}
	}
	free(src);
	return dst;
}

/* The part of @man from ".SH NAME" to the next ".SH". */
static char *man_section(const char *man, const char *name)
{
	char head[64];
	const char *start, *end;

	snprintf(head, sizeof(head), "\n.SH %s\n", name);
	start = strstr(man, head);
	if (!start)
		fail_msg("the man page has no section %s", name);
	start += strlen(head);
	end = strstr(start, "\n.SH ");
	return strndup(start, end ? (size_t)(end - start) : strlen(start));
}

/* Within COMMANDS, from ".B CMD" to the next command's heading. */
static char *man_command(const char *commands_sec, size_t idx)
{
	char head[64];
	const char *start, *end = NULL;

	snprintf(head, sizeof(head), ".TP\n.B %s", cli_commands[idx]);
	start = strstr(commands_sec, head);
	if (!start)
		fail_msg("COMMANDS has no '.TP/.B %s' heading", cli_commands[idx]);
	if (idx + 1 < cli_nr_commands) {
		snprintf(head, sizeof(head), ".TP\n.B %s", cli_commands[idx + 1]);
		end = strstr(start, head);
	}
	return strndup(start, end ? (size_t)(end - start) : strlen(start));
}

static void man__lists_every_command_of_help(void **state)
{
	char *help = help_of(NULL), *man = man_text(), *sec = man_section(man, "COMMANDS");
	char line[80];
	const char *p;
	size_t i, listed = 0;

	(void)state;
	/* "  NAME     summary" lines after "Commands:" */
	p = strstr(help, "Commands:\n");
	assert_non_null(p);
	for (p = strchr(p, '\n') + 1; sscanf(p, "  %79s", line) == 1 && p[0] == ' ';
	     p = strchr(p, '\n') + 1) {
		for (i = 0; i < cli_nr_commands; i++)
			if (!strcmp(cli_commands[i], line))
				break;
		if (i == cli_nr_commands)
			fail_msg("--help lists '%s', unknown to this test", line);
		free(man_command(sec, i));
		listed++;
	}
	assert_int_equal(listed, cli_nr_commands);
	free(sec);
	free(man);
	free(help);
}

static void man__lists_every_long_option_of_each_command(void **state)
{
	char *man = man_text(), *sec = man_section(man, "COMMANDS");
	char opts[64][32], *help, *part;
	const char *body;
	size_t c, i, n;

	(void)state;
	for (c = 0; c < cli_nr_commands - 1; c++) {	/* not "help" */
		help = help_of(cli_commands[c]);
		part = man_command(sec, c);
		/* in the description, not only in the heading's synopsis */
		body = strchr(part + strlen(".TP\n"), '\n');
		assert_non_null(body);
		n = long_options(help, opts, 0, ARRAY_SIZE(opts));
		for (i = 0; i < n; i++)
			if (!strstr(body, opts[i]))
				fail_msg("'%s --help' names %s; the man page's %s does not",
					 cli_commands[c], opts[i], cli_commands[c]);
		free(part);
		free(help);
	}
	free(sec);
	free(man);
}

static void man__lists_global_options(void **state)
{
	char *help = help_of(NULL), *man = man_text(), *sec = man_section(man, "OPTIONS");
	char opts[16][32];
	size_t i, n;

	(void)state;
	n = long_options(help, opts, 0, ARRAY_SIZE(opts));
	assert_true(n >= 4);	/* --json --pretty --version --help */
	for (i = 0; i < n; i++)
		if (!strstr(sec, opts[i]))
			fail_msg("'uring-dmabuf --help' names %s; OPTIONS does not", opts[i]);
	free(sec);
	free(man);
	free(help);
}

static void man__environment_has_every_variable(void **state)
{
	char *help = help_of("bind-rx"), *man = man_text(), *sec = man_section(man, "ENVIRONMENT");
	char var[64], item[80];
	const char *p = help;
	size_t len, n = 0;

	(void)state;
	while ((p = strstr(p, "URING_DMABUF_"))) {
		len = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
		snprintf(var, sizeof(var), "%.*s", (int)len, p);
		snprintf(item, sizeof(item), ".B %s\n", var);
		if (!strstr(sec, item))
			fail_msg("bind-rx --help names %s; ENVIRONMENT has no item for it", var);
		p += len;
		n++;
	}
	assert_int_equal(n, 6);
	free(sec);
	free(man);
	free(help);
}

static void man__has_every_section(void **state)
{
	static const char *const sections[] = {
		"NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS",
		"ENVIRONMENT", "EXIT STATUS", "EXAMPLES", "SEE ALSO",
	};
	char *man = man_text(), *sec;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(sections); i++)
		free(man_section(man, sections[i]));
	sec = man_section(man, "EXIT STATUS");
	assert_non_null(strstr(sec, ".B 0\n"));
	assert_non_null(strstr(sec, ".B 1\n"));
	assert_non_null(strstr(sec, ".B 2\n"));
	free(sec);
	sec = man_section(man, "SEE ALSO");
	assert_non_null(strstr(sec, ".BR ethtool (8)"));
	assert_non_null(strstr(sec, ".BR ip (8)"));
	assert_non_null(strstr(sec, ".BR dkms (8)"));
	assert_non_null(strstr(sec, ".BR uring_dmabuf (4)"));
	assert_non_null(strstr(sec, ".BR liburing-dmabuf (3)"));
	free(sec);
	sec = man_section(man, "EXAMPLES");
	assert_non_null(strstr(sec, "ethtool -G eth1 tcp-data-split on"));
	assert_non_null(strstr(sec, "ethtool -N eth1 flow-type tcp4"));
	assert_non_null(strstr(sec, "--hugepages"));
	assert_non_null(strstr(sec, "uring-dmabuf send"));
	free(sec);
	free(man);
}

static void man__groff_reports_nothing(void **state)
{
	struct run r;

	(void)state;
	assert_int_equal(run_shell(&r, "command -v groff >/dev/null || exit 77; "
		  "groff -man -ww -z " CLI_MAN_PAGE), 0);
	if (r.status == 77) {
		run_free(&r);
		skip();
	}
	if (r.status || r.out_len || r.err_len)
		fail_msg("groff -man -ww -z (exit %d):\n%s%s", r.status, r.out, r.err);
	run_free(&r);
}

/* As lintian checks pages: man's own warnings at 80 columns. */
static void man__man_warnings_report_nothing(void **state)
{
	struct run r;

	(void)state;
	assert_int_equal(run_shell(&r, "command -v man >/dev/null || exit 77; "
		  "LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 "
		  "man --warnings -E UTF-8 -l -Tutf8 -Z " CLI_MAN_PAGE " >/dev/null"), 0);
	if (r.status == 77) {
		run_free(&r);
		skip();
	}
	if (r.status || r.err_len)
		fail_msg("man --warnings (exit %d):\n%s", r.status, r.err);
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(man__has_every_section),
		cmocka_unit_test(man__lists_every_command_of_help),
		cmocka_unit_test(man__lists_every_long_option_of_each_command),
		cmocka_unit_test(man__lists_global_options),
		cmocka_unit_test(man__environment_has_every_variable),
		cmocka_unit_test(man__groff_reports_nothing),
		cmocka_unit_test(man__man_warnings_report_nothing),
	};

	return cmocka_run_group_tests_name("cli_man", tests, NULL, NULL);
}
