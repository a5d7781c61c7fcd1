// SPDX-License-Identifier: MIT
/*
 * completion/uring-dmabuf.bash, sourced in bash with COMP_WORDS set: the
 * commands, each command's long options exactly as its usage lists them,
 * interface names, RX queues, the values of --hugepages= and --numa.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_test.h"
#include "expect.h"
#include "help_text.h"
#include "run_cmd.h"

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
	for (i = 0; i < cli_nr_commands; i++)
		expect_reply(reply, cli_commands[i], true);
	free(reply);
	reply = COMPLETE("-j", "bind-r");
	assert_string_equal(reply, "\nbind-rx\n");
	free(reply);
	reply = COMPLETE("-j", "bi");
	assert_string_equal(reply, "\nbind-rx\nbind-tx\n");
	free(reply);
	reply = COMPLETE("--v");
	assert_string_equal(reply, "\n--version\n");
	free(reply);
}

/* help COMMAND: the commands once, not help itself, then nothing. */
static void completion__help_takes_a_command(void **state)
{
	char *reply = COMPLETE("help", "");
	size_t i;

	(void)state;
	for (i = 0; i < cli_nr_commands; i++)
		expect_reply(reply, cli_commands[i], strcmp(cli_commands[i], "help"));
	free(reply);
	reply = COMPLETE("help", "rec");
	assert_string_equal(reply, "\nrecv\n");
	free(reply);
	reply = COMPLETE("help", "recv", "");
	assert_string_equal(reply, "\n");
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
	for (c = 0; c < cli_nr_commands - 1; c++) {
		help = help_of(cli_commands[c]);
		usage = synopsis(help);
		n = long_options(usage, opts, 0, ARRAY_SIZE(opts));
		free(usage);
		words[1] = cli_commands[c];
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
				 cli_commands[c], offered, n, reply);
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
	assert_int_equal(run_shell(&r, "command -v shellcheck >/dev/null || exit 77; "
		  "shellcheck -s bash " CLI_COMPLETION " && "
		  /* apart from cli-lib.sh, their variables look unset or unused */
		  "shellcheck -s sh -S warning -e SC1091,SC2154,SC2034 " CLI_VM_DIR "/*.sh"), 0);
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
		cmocka_unit_test(completion__subcommands),
		cmocka_unit_test(completion__help_takes_a_command),
		cmocka_unit_test(completion__long_options_match_help),
		cmocka_unit_test(completion__interface_names),
		cmocka_unit_test(completion__hugepages_values),
		cmocka_unit_test(completion__numa_auto),
		cmocka_unit_test(completion__rx_queues_of_the_device),
		cmocka_unit_test(completion__command_after_dashdash),
		cmocka_unit_test(completion__registered_for_the_command),
		cmocka_unit_test(completion__shellcheck_clean),
	};

	return cmocka_run_group_tests_name("cli_completion", tests, NULL, NULL);
}
