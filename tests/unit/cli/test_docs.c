// SPDX-License-Identifier: MIT
/*
 * The man page and the bash completion against the binary's own --help:
 * every command, long option and URING_DMABUF_* variable that --help names
 * is documented (in that command's part of COMMANDS) and completed, and the
 * page renders without a groff or man warning.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_test.h"
#include "run_cmd.h"

static const char *const commands[] = {
	"check", "info", "queues", "bind-rx", "recv", "send", "version", "help",
};

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

	snprintf(head, sizeof(head), ".TP\n.B %s", commands[idx]);
	start = strstr(commands_sec, head);
	if (!start)
		fail_msg("COMMANDS has no '.TP/.B %s' heading", commands[idx]);
	if (idx + 1 < ARRAY_SIZE(commands)) {
		snprintf(head, sizeof(head), ".TP\n.B %s", commands[idx + 1]);
		end = strstr(start, head);
	}
	return strndup(start, end ? (size_t)(end - start) : strlen(start));
}

/* Appends each "--long-option" of @text (once) to @opts; returns the count. */
static size_t long_options(const char *text, char opts[][32], size_t n, size_t max)
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
static char *synopsis(const char *help)
{
	const char *end = help;

	while ((end = strchr(end, '\n')) && end[1] == ' ')
		end++;
	return strndup(help, end ? (size_t)(end - help) : strlen(help));
}

static char *help_of(const char *cmd)
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
		for (i = 0; i < ARRAY_SIZE(commands); i++)
			if (!strcmp(commands[i], line))
				break;
		if (i == ARRAY_SIZE(commands))
			fail_msg("--help lists '%s', unknown to this test", line);
		free(man_command(sec, i));
		listed++;
	}
	assert_int_equal(listed, ARRAY_SIZE(commands));
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
	for (c = 0; c < ARRAY_SIZE(commands) - 1; c++) {	/* not "help" */
		help = help_of(commands[c]);
		part = man_command(sec, c);
		/* in the description, not only in the heading's synopsis */
		body = strchr(part + strlen(".TP\n"), '\n');
		assert_non_null(body);
		n = long_options(help, opts, 0, ARRAY_SIZE(opts));
		for (i = 0; i < n; i++)
			if (!strstr(body, opts[i]))
				fail_msg("'%s --help' names %s; the man page's %s does not",
					 commands[c], opts[i], commands[c]);
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

/* Runs a shell command line; its output in @r. */
static void shell(struct run *r, const char *cmdline)
{
	char *argv[] = { "/bin/sh", "-c", (char *)cmdline, NULL };

	assert_int_equal(run_argv(r, argv), 0);
}

static void man__groff_reports_nothing(void **state)
{
	struct run r;

	(void)state;
	shell(&r, "command -v groff >/dev/null || exit 77; "
		  "groff -man -ww -z " CLI_MAN_PAGE);
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
	shell(&r, "command -v man >/dev/null || exit 77; "
		  "LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 "
		  "man --warnings -E UTF-8 -l -Tutf8 -Z " CLI_MAN_PAGE " >/dev/null");
	if (r.status == 77) {
		run_free(&r);
		skip();
	}
	if (r.status || r.err_len)
		fail_msg("man --warnings (exit %d):\n%s", r.status, r.err);
	run_free(&r);
}

/*
 * Completes the words (the last one is under the cursor) and returns
 * COMPREPLY as "\nA\nB\n" (each entry between newlines, for strstr).
 */
static char *complete(const char *const words[], size_t n)
{
	static const char script[] =
		"source \"$0\" || exit 3\n"
		"COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1))\n"
		"COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE}\n"
		"_uring_dmabuf || exit 4\n"
		"printf '\\n'\n"
		"((${#COMPREPLY[@]})) && printf '%s\\n' \"${COMPREPLY[@]}\"\n"
		"exit 0\n";
	char *argv[16];
	struct run r;
	char *out;
	size_t i, a = 0;

	assert_true(n + 4 < ARRAY_SIZE(argv));
	argv[a++] = "/bin/bash";
	argv[a++] = "-c";
	argv[a++] = (char *)script;
	argv[a++] = CLI_COMPLETION;
	for (i = 0; i < n; i++)
		argv[a++] = (char *)words[i];
	argv[a] = NULL;
	if (access("/bin/bash", X_OK))
		skip();
	assert_int_equal(run_argv(&r, argv), 0);
	if (r.status || r.err_len)
		fail_msg("completion script (exit %d): %s", r.status, r.err);
	out = strdup(r.out);
	run_free(&r);
	return out;
}

#define COMPLETE(...) ({						\
	static const char *const w_[] = { "uring-dmabuf", __VA_ARGS__ };	\
	complete(w_, ARRAY_SIZE(w_));					\
})

static void expect_reply(const char *reply, const char *word, bool present)
{
	char item[64];

	snprintf(item, sizeof(item), "\n%s\n", word);
	if (!!strstr(reply, item) != present)
		fail_msg("completion %s '%s'; it offered:%s", present ? "lacks" : "offers",
			 word, reply);
}

static void completion__subcommands(void **state)
{
	char *reply = COMPLETE("");
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		expect_reply(reply, commands[i], true);
	free(reply);
	reply = COMPLETE("-j", "bi");
	assert_string_equal(reply, "\nbind-rx\n");
	free(reply);
	reply = COMPLETE("--v");
	assert_string_equal(reply, "\n--version\n");
	free(reply);
}

/* At "--", each command offers exactly the long options of its usage. */
static void completion__long_options_match_help(void **state)
{
	char opts[64][32], *help, *reply, *usage;
	const char *words[3] = { "uring-dmabuf" };
	size_t c, i, n, offered;
	const char *p;

	(void)state;
	for (c = 0; c < ARRAY_SIZE(commands) - 1; c++) {
		help = help_of(commands[c]);
		usage = synopsis(help);
		n = long_options(usage, opts, 0, ARRAY_SIZE(opts));
		free(usage);
		words[1] = commands[c];
		words[2] = "--";
		reply = complete(words, 3);
		for (i = 0; i < n; i++)
			expect_reply(reply, opts[i], true);
		expect_reply(reply, "--json", true);
		expect_reply(reply, "--pretty", true);
		expect_reply(reply, "--help", true);
		/* nothing beyond those (and the --hugepages= form) */
		for (offered = 0, p = reply; (p = strchr(p + 1, '\n')); offered++)
			;
		offered -= !!strstr(reply, "\n--hugepages=\n");
		for (i = 0; i < n; i++)
			if (!strcmp(opts[i], "--json") || !strcmp(opts[i], "--pretty") ||
			    !strcmp(opts[i], "--help"))
				offered++;
		if (offered != n + 3)
			fail_msg("%s: completion offers %zu options, --help names %zu (+3):%s",
				 commands[c], offered, n, reply);
		free(reply);
		free(help);
	}
}

static void completion__interface_names(void **state)
{
	char *reply;

	(void)state;
	reply = COMPLETE("check", "");
	expect_reply(reply, "lo", true);
	free(reply);
	reply = COMPLETE("queues", "l");
	expect_reply(reply, "lo", true);
	free(reply);
	reply = COMPLETE("bind-rx", "");
	expect_reply(reply, "lo", true);
	free(reply);
	reply = COMPLETE("recv", "--port", "5201", "--dev", "");
	expect_reply(reply, "lo", true);
	free(reply);
	/* one device operand only */
	reply = COMPLETE("check", "lo", "");
	assert_string_equal(reply, "\n");
	free(reply);
}

static void completion__hugepages_values(void **state)
{
	char *reply;

	(void)state;
	reply = COMPLETE("bind-rx", "lo", "--hugepages", "=");
	assert_string_equal(reply, "\n2M\n1G\n");
	free(reply);
	reply = COMPLETE("bind-rx", "lo", "--hugepages", "=", "1");
	assert_string_equal(reply, "\n1G\n");
	free(reply);
}

static void completion__numa_auto(void **state)
{
	char *reply = COMPLETE("bind-rx", "lo", "--numa", "");

	(void)state;
	expect_reply(reply, "auto", true);
	free(reply);
	reply = COMPLETE("recv", "--numa", "a");
	assert_string_equal(reply, "\nauto\n");
	free(reply);
}

static void completion__rx_queues_of_the_device(void **state)
{
	char *reply;

	(void)state;
	if (access("/sys/class/net/lo/queues/rx-0", F_OK))
		skip();
	reply = COMPLETE("bind-rx", "lo", "--queues", "");
	expect_reply(reply, "0", true);
	free(reply);
	reply = COMPLETE("recv", "--dev", "lo", "--queues", "");
	expect_reply(reply, "0", true);
	free(reply);
}

static void completion__registered_for_the_command(void **state)
{
	struct run r;
	char *argv[] = { "/bin/bash", "-c", "source \"$0\" && complete -p uring-dmabuf",
			 CLI_COMPLETION, NULL };

	(void)state;
	if (access("/bin/bash", X_OK))
		skip();
	assert_int_equal(run_argv(&r, argv), 0);
	assert_string_equal(r.out, "complete -F _uring_dmabuf uring-dmabuf\n");
	run_free(&r);
}

/* The completion (bash) and the VM scripts (busybox sh) stay shellcheck-clean. */
static void completion__shellcheck_clean(void **state)
{
	struct run r;

	(void)state;
	shell(&r, "command -v shellcheck >/dev/null || exit 77; "
		  "shellcheck -s bash " CLI_COMPLETION " && "
		  /* apart from cli-lib.sh, their variables look unset or unused */
		  "shellcheck -s sh -S warning -e SC1091,SC2154,SC2034 " CLI_VM_DIR "/*.sh");
	if (r.status == 77) {
		run_free(&r);
		skip();
	}
	if (r.status)
		fail_msg("shellcheck:\n%s%s", r.out, r.err);
	run_free(&r);
}

static void completion__command_after_dashdash(void **state)
{
	char *reply = COMPLETE("bind-rx", "lo", "--queues", "0", "--", "ech");

	(void)state;
	expect_reply(reply, "echo", true);
	free(reply);
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
		cmocka_unit_test(completion__subcommands),
		cmocka_unit_test(completion__long_options_match_help),
		cmocka_unit_test(completion__interface_names),
		cmocka_unit_test(completion__hugepages_values),
		cmocka_unit_test(completion__numa_auto),
		cmocka_unit_test(completion__rx_queues_of_the_device),
		cmocka_unit_test(completion__command_after_dashdash),
		cmocka_unit_test(completion__registered_for_the_command),
		cmocka_unit_test(completion__shellcheck_clean),
	};

	return cmocka_run_group_tests_name("cli_docs", tests, NULL, NULL);
}
