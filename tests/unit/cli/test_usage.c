// SPDX-License-Identifier: MIT
/*
 * The built uring-dmabuf's command line: exact command names, help on
 * stdout with exit 0 (also as help COMMAND), and every usage error exits 2
 * with one "Error:" line and one hint on stderr (as ip and ethtool), long
 * option names in messages, and nothing on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_test.h"
#include "expect.h"
#include "run_cmd.h"

static const char *const commands[] = {
	"check", "info", "queues", "stats", "bind-rx", "bind-tx", "recv", "send", "version",
};

static void main__unknown_command_exits_2(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "frobnicate");
	expect_usage_error(&r, "unknown command 'frobnicate'");
	run_free(&r);
}

/* Exact matching: no abbreviations, no prefixes of longer names. */
static void main__command_prefix_is_unknown(void **state)
{
	static const char *const prefixes[] = { "bind", "bind-r", "chec", "c", "v", "help2", "Check" };
	struct run r;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(prefixes); i++) {
		RUN(&r, prefixes[i]);
		expect_usage_error(&r, "unknown command");
		run_free(&r);
	}
}

static void main__no_command_exits_2(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "-j");
	expect_usage_error(&r, "no command given");
	run_free(&r);
}

static void main__unknown_global_option_exits_2(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "--bogus", "version");
	expect_usage_error(&r, "unknown option '--bogus'");
	run_free(&r);
}

static void main__help_on_stdout(void **state)
{
	static const char *const ways[] = { "--help", "-h", "help" };
	struct run r;
	size_t i, c;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(ways); i++) {
		RUN(&r, ways[i]);
		if (r.status || r.err_len || strncmp(r.out, "Usage: uring-dmabuf", 19)) {
			show(&r);
			fail_msg("'%s': expected exit 0 and usage on stdout only", ways[i]);
		}
		for (c = 0; c < ARRAY_SIZE(commands); c++)
			if (!strstr(r.out, commands[c]))
				fail_msg("'%s' does not list %s", ways[i], commands[c]);
		run_free(&r);
	}
}

static void command__help_on_stdout(void **state)
{
	static const char *const flags[] = { "--help", "-h" };
	char want[64];
	struct run r;
	size_t c, f;

	(void)state;
	for (c = 0; c < ARRAY_SIZE(commands); c++) {
		for (f = 0; f < ARRAY_SIZE(flags); f++) {
			RUN(&r, commands[c], flags[f]);
			snprintf(want, sizeof(want), "Usage: uring-dmabuf %s ", commands[c]);
			if (r.status || r.err_len || strncmp(r.out, want, strlen(want))) {
				show(&r);
				fail_msg("'%s %s': expected exit 0 and its usage on stdout",
					 commands[c], flags[f]);
			}
			run_free(&r);
		}
	}
}

/* --help wins even where the other arguments are wrong or missing. */
static void command__help_before_missing_arguments(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "bind-rx", "--help", "--queues", "5-2");
	assert_int_equal(r.status, 0);
	run_free(&r);
	RUN(&r, "send", "-h");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "--addr"));
	run_free(&r);
}

static void version__extra_argument_exits_2(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "version", "extra");
	expect_usage_error(&r, NULL);
	run_free(&r);
}

static void check__two_devices_exits_2(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "check", "lo", "lo");
	expect_usage_error(&r, "unexpected argument");
	run_free(&r);
}

static void info__extra_argument_exits_2(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "info", "extra");
	expect_usage_error(&r, NULL);
	run_free(&r);
}

static void queues__without_dev_exits_2(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "queues");
	expect_usage_error(&r, "DEV is required");
	run_free(&r);
	RUN(&r, "queues", "lo", "lo");
	expect_usage_error(&r, "unexpected argument 'lo'");
	run_free(&r);
}

static void stats__without_dev_exits_2(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "stats");
	expect_usage_error(&r, "DEV is required");
	run_free(&r);
	RUN(&r, "stats", "lo", "lo");
	expect_usage_error(&r, "unexpected argument 'lo'");
	run_free(&r);
}

static void bind_rx__bad_queue_list_exits_2(void **state)
{
	static const char *const bad[] = { "5-2", "1,1", "1,", "", "x", "0-1024" };
	struct run r;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		RUN(&r, "bind-rx", "lo", "--queues", bad[i], "--size", "4M");
		expect_usage_error(&r, "bad queue list");
		run_free(&r);
	}
}

static void bind_rx__bad_size_exits_2(void **state)
{
	static const char *const bad[] = { "4X", "0", "-1", "M", "16777216T" };
	struct run r;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		RUN(&r, "bind-rx", "lo", "--queues", "0", "--size", bad[i]);
		expect_usage_error(&r, "bad size");
		run_free(&r);
	}
}

static void bind_rx__bad_option_values_exit_2(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "bind-rx", "lo", "--queues", "0", "--hugepages=3M");
	expect_usage_error(&r, "bad huge page size");
	run_free(&r);
	RUN(&r, "bind-rx", "lo", "--queues", "0", "--hugepages=thp");
	expect_usage_error(&r, "bad huge page size");
	run_free(&r);
	RUN(&r, "bind-rx", "lo", "--queues", "0", "--numa", "north");
	expect_usage_error(&r, "bad NUMA node");
	run_free(&r);
	RUN(&r, "bind-rx", "lo", "--queues", "0", "--rx-page-size", "3K");
	expect_usage_error(&r, "bad RX page size");
	run_free(&r);
	RUN(&r, "bind-rx", "lo", "--queues", "0", "--bogus");
	expect_usage_error(&r, "unknown option '--bogus'");
	run_free(&r);
	RUN(&r, "bind-rx", "lo", "--queues");
	expect_usage_error(&r, "option '--queues' needs a value");
	run_free(&r);
}

/* --uring: io_uring registers at most 1 GiB per buffer. */
static void bind_rx__uring_over_1g_exits_2(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "bind-rx", "lo", "--queues", "0", "--uring", "--size", "2G");
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "1 GiB"));
	run_free(&r);
}

static void bind_rx__missing_queues_exits_2(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "bind-rx", "lo", "--size", "4M");
	expect_usage_error(&r, "--queues");
	run_free(&r);
}

static void bind_rx__without_dev_exits_2(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "bind-rx", "--queues", "0", "--size", "4M");
	expect_usage_error(&r, "no network device");
	run_free(&r);
}

static void bind_rx__nothing_after_dashdash_exits_2(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "bind-rx", "lo", "--queues", "0", "--");
	expect_usage_error(&r, "nothing after '--'");
	run_free(&r);
}

static void bind_rx__two_devices_exits_2(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "bind-rx", "lo", "lo", "--queues", "0");
	expect_usage_error(&r, "unexpected argument");
	run_free(&r);
}

/* Usage errors print no JSON: stdout stays empty under -j. */
static void bind_rx__json_usage_error_prints_no_json(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "-j", "bind-rx", "lo", "--queues", "5-2");
	assert_int_equal(r.status, 2);
	assert_int_equal(r.out_len, 0);
	run_free(&r);
}

static void recv__missing_port_exits_2(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "recv", "--verify");
	expect_usage_error(&r, "--port PORT is required");
	run_free(&r);
	RUN(&r, "recv", "--port", "0");
	expect_usage_error(&r, "bad port '0'");
	run_free(&r);
	RUN(&r, "recv", "--port", "65536");
	expect_usage_error(&r, "bad port '65536'");
	run_free(&r);
	RUN(&r, "recv", "--port");
	expect_usage_error(&r, "option '--port' needs a value");
	run_free(&r);
}

static void recv__dev_without_queues_exits_2(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "recv", "--port", "5201", "--dev", "lo");
	expect_usage_error(&r, "--queues LIST is required");
	run_free(&r);
}

/* --queues without --dev (nor a binding handed down) binds nothing. */
static void recv__queues_without_dev_exits_2(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "recv", "--port", "5201", "--queues", "1");
	expect_usage_error(&r, "--queues needs --dev DEV");
	run_free(&r);
	RUN(&r, "recv", "--port", "5201", "--timeout", "0");
	expect_usage_error(&r, "bad timeout '0' for --timeout");
	run_free(&r);
	RUN(&r, "send", "--addr", "::1", "--port", "5201", "--size", "1M", "--timeout", "x");
	expect_usage_error(&r, "bad value 'x' for --timeout");
	run_free(&r);
}

/* --bytes takes a byte count: garbage, negative and 0 are usage errors. */
static void recv__bad_bytes_exits_2(void **state)
{
	static const char *const bad[] = { "xyz", "-1", "0", "4X" };
	char want[64];
	struct run r;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		RUN(&r, "recv", "--port", "5201", "--bytes", bad[i]);
		snprintf(want, sizeof(want), "bad byte count '%s' for --bytes", bad[i]);
		expect_usage_error(&r, want);
		run_free(&r);
	}
}

/* An option a command accepts is one its --help lists (and the man page). */
static void recv__accepted_options_are_in_help(void **state)
{
	static const char *const probe[] = { "--rx-page-size", "--thp", "--uring", "--bytes" };
	struct run r, h;
	size_t i;

	(void)state;
	RUN(&h, "recv", "--help");
	for (i = 0; i < ARRAY_SIZE(probe); i++) {
		/* no --port: a usage error either way, but getopt names unknown options */
		RUN(&r, "recv", probe[i], "4K");
		if (!strstr(r.err, "unknown option") && !strstr(h.out, probe[i]))
			fail_msg("recv accepts %s but its --help does not list it", probe[i]);
		run_free(&r);
	}
	run_free(&h);
}

static void send__missing_arguments_exit_2(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "send", "--addr", "127.0.0.1", "--size", "1M");
	expect_usage_error(&r, "--port PORT is required");
	run_free(&r);
	RUN(&r, "send", "--port", "5201", "--size", "1M");
	expect_usage_error(&r, "--addr ADDR is required");
	run_free(&r);
	RUN(&r, "send", "--addr", "127.0.0.1", "--port", "5201");
	expect_usage_error(&r, "--size BYTES is required");
	run_free(&r);
	RUN(&r, "send", "--addr", "127.0.0.1", "--port", "5201", "--size", "1Q");
	expect_usage_error(&r, "bad value '1Q' for --size");
	run_free(&r);
}

/* Messages name the long option, even when the short one was given. */
static void send__messages_name_long_options(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "send", "-P", "x", "--addr", "::1", "--size", "1M");
	expect_usage_error(&r, "bad value 'x' for --port");
	run_free(&r);
	RUN(&r, "send", "--addr", "::1", "-s");
	expect_usage_error(&r, "option '--size' needs a value");
	run_free(&r);
}

/* --devmem: a binding of its own (--dev) or bind-tx's, nothing else. */
static void send__devmem_options_exit_2(void **state)
{
	struct run r;

	(void)state;
	unsetenv("URING_DMABUF_BINDING_ID");
	RUN(&r, "send", "--addr", "::1", "--port", "1", "--size", "1M", "--devmem");
	expect_usage_error(&r, "--devmem needs --dev DEV, or a binding of 'bind-tx DEV -- ...'");
	run_free(&r);
	RUN(&r, "send", "--addr", "::1", "--port", "1", "--size", "1M", "--dev", "lo");
	expect_usage_error(&r, "--dev works with --devmem only");
	run_free(&r);
	RUN(&r, "send", "--addr", "::1", "--port", "1", "--size", "1M", "--devmem", "--uring");
	expect_usage_error(&r, "--uring needs --dev DEV");
	run_free(&r);
}

/* bind-tx: a device, and none of bind-rx's RX-only options. */
static void bind_tx__usage_errors_exit_2(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "bind-tx");
	expect_usage_error(&r, "no network device given");
	run_free(&r);
	RUN(&r, "bind-tx", "lo", "--queues", "1");
	expect_usage_error(&r, "unknown option '--queues'");
	run_free(&r);
	RUN(&r, "bind-tx", "lo", "--");
	expect_usage_error(&r, "nothing after '--': give a COMMAND");
	run_free(&r);
}

/* help COMMAND is COMMAND --help: its usage on stdout, exit 0. */
static void help__command_prints_its_help(void **state)
{
	char want[64];
	struct run r, h;
	size_t c;

	(void)state;
	for (c = 0; c < ARRAY_SIZE(commands); c++) {
		RUN(&r, "help", commands[c]);
		RUN(&h, commands[c], "--help");
		snprintf(want, sizeof(want), "Usage: uring-dmabuf %s ", commands[c]);
		if (r.status || r.err_len || strncmp(r.out, want, strlen(want)) ||
		    strcmp(r.out, h.out)) {
			show(&r);
			fail_msg("'help %s': expected exit 0 and '%s --help' on stdout",
				 commands[c], commands[c]);
		}
		run_free(&r);
		run_free(&h);
	}
	RUN(&r, "help", "frobnicate");
	expect_usage_error(&r, "unknown command 'frobnicate'");
	run_free(&r);
	RUN(&r, "help", "recv", "extra");
	expect_usage_error(&r, "unexpected argument 'extra'");
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(main__unknown_command_exits_2),
		cmocka_unit_test(main__command_prefix_is_unknown),
		cmocka_unit_test(main__no_command_exits_2),
		cmocka_unit_test(main__unknown_global_option_exits_2),
		cmocka_unit_test(main__help_on_stdout),
		cmocka_unit_test(command__help_on_stdout),
		cmocka_unit_test(command__help_before_missing_arguments),
		cmocka_unit_test(version__extra_argument_exits_2),
		cmocka_unit_test(check__two_devices_exits_2),
		cmocka_unit_test(info__extra_argument_exits_2),
		cmocka_unit_test(queues__without_dev_exits_2),
		cmocka_unit_test(stats__without_dev_exits_2),
		cmocka_unit_test(bind_rx__bad_queue_list_exits_2),
		cmocka_unit_test(bind_rx__bad_size_exits_2),
		cmocka_unit_test(bind_rx__bad_option_values_exit_2),
		cmocka_unit_test(bind_rx__uring_over_1g_exits_2),
		cmocka_unit_test(bind_rx__missing_queues_exits_2),
		cmocka_unit_test(bind_rx__without_dev_exits_2),
		cmocka_unit_test(bind_rx__nothing_after_dashdash_exits_2),
		cmocka_unit_test(bind_rx__two_devices_exits_2),
		cmocka_unit_test(bind_rx__json_usage_error_prints_no_json),
		cmocka_unit_test(recv__missing_port_exits_2),
		cmocka_unit_test(recv__dev_without_queues_exits_2),
		cmocka_unit_test(recv__accepted_options_are_in_help),
		cmocka_unit_test(send__missing_arguments_exit_2),
		cmocka_unit_test(send__messages_name_long_options),
		cmocka_unit_test(send__devmem_options_exit_2),
		cmocka_unit_test(bind_tx__usage_errors_exit_2),
		cmocka_unit_test(help__command_prints_its_help),
		cmocka_unit_test(recv__bad_bytes_exits_2),
		cmocka_unit_test(recv__queues_without_dev_exits_2),
	};

	return cmocka_run_group_tests_name("cli_usage", tests, NULL, NULL);
}
