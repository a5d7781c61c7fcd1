// SPDX-License-Identifier: MIT
/*
 * What the built uring-dmabuf reports without a devmem NIC: versions, the
 * checks of this host and of lo (with the fixes), queues, one valid JSON
 * document for -j, and the advice when the module is not loaded.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_test.h"
#include "expect.h"
#include "run_cmd.h"

static void expect_version_line(const struct run *r)
{
	const char *want = "uring-dmabuf " CLI_VERSION "\n";

	if (r->status || strncmp(r->out, want, strlen(want))) {
		show(r);
		fail_msg("expected exit 0 and first line 'uring-dmabuf %s'", CLI_VERSION);
	}
}

static void version__prints_name_and_version(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "version");
	expect_version_line(&r);
	run_free(&r);
	RUN(&r, "-V");
	expect_version_line(&r);
	run_free(&r);
	RUN(&r, "--version");
	expect_version_line(&r);
	run_free(&r);
}

static void version__json_is_one_document(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "-j", "version");
	assert_int_equal(r.status, 0);
	expect_valid_json(&r);
	assert_non_null(strstr(r.out, "\"tool\":\"" CLI_VERSION "\""));
	assert_non_null(strstr(r.out, "\"library_major\":"));
	assert_int_equal(r.err_len, 0);
	run_free(&r);
	/* after the subcommand too, and pretty */
	RUN(&r, "version", "-p");
	expect_valid_json(&r);
	assert_non_null(strstr(r.out, "\n  \"tool\": \"" CLI_VERSION "\""));
	run_free(&r);
}

static bool module_loaded(void)
{
	struct stat st;

	return !stat("/sys/module/uring_dmabuf", &st);
}

static void check__json_is_one_document(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "-j", "check");
	if (r.status != 0 && r.status != 1) {
		show(&r);
		fail_msg("check exits %d", r.status);
	}
	expect_valid_json(&r);
	assert_non_null(strstr(r.out, "{\"schema_version\":1,\"checks\":[{\"item\":\"module\""));
	assert_non_null(strstr(r.out, "\"failed\":"));
	run_free(&r);
	RUN(&r, "-p", "check", "lo");
	expect_valid_json(&r);
	assert_non_null(strstr(r.out, "\"item\": \"header-split\""));
	run_free(&r);
}

static void check__without_module_says_modprobe(void **state)
{
	struct run r;

	(void)state;
	if (module_loaded())
		skip();
	RUN(&r, "check");
	if (r.status != 1 || !strstr(r.out, "[FAIL] module") ||
	    !strstr(r.out, "modprobe uring_dmabuf")) {
		show(&r);
		fail_msg("expected exit 1 and the fix 'modprobe uring_dmabuf'");
	}
	run_free(&r);
	RUN(&r, "-j", "check");
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "\"item\":\"module\",\"ok\":false,\"required\":true"));
	/* installed: modprobe it; not installed: install it, then modprobe it */
	assert_non_null(strstr(r.out, "\"item\":\"module\""));
	if (!strstr(r.out, "\"fix\":\"modprobe uring_dmabuf") &&
	    !strstr(r.out, "then modprobe uring_dmabuf\"")) {
		show(&r);
		fail_msg("the module's fix does not end in modprobe uring_dmabuf");
	}
	run_free(&r);
}

/*
 * lo's driver cannot do devmem: that is the one blocker, and no ethtool fix
 * is offered as if it helped.
 */
static void check__lo_names_the_driver_as_blocker(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "check", "lo");
	assert_int_equal(r.status, 1);
	if (!strstr(r.out, "[FAIL] driver: loopback") ||
	    !strstr(r.out, "this driver cannot do devmem") ||
	    !strstr(r.out, "blocked by: driver: loopback") ||
	    !strstr(r.out, "use a NIC whose driver takes memory providers (bnxt_en 6.17+") ||
	    !strstr(r.out, "[warn] header-split:") || !strstr(r.out, "(moot: lo's driver cannot do devmem)")) {
		show(&r);
		fail_msg("expected the driver as the blocker, the other items moot");
	}
	if (strstr(r.out, "fix: ethtool") || strstr(r.out, "--steer") ||
	    strstr(r.out, "[FAIL] header-split") || strstr(r.out, "[FAIL] flow-steering")) {
		show(&r);
		fail_msg("an ethtool or --steer fix for a driver that cannot do devmem");
	}
	run_free(&r);
	RUN(&r, "-j", "check", "lo", "--port", "5201", "--queues", "0");
	assert_int_equal(r.status, 1);
	expect_valid_json(&r);
	assert_non_null(strstr(r.out, "{\"item\":\"driver\",\"ok\":false,\"required\":true,"
				      "\"detail\":\"loopback (the loopback device): this driver cannot do devmem\""));
	assert_non_null(strstr(r.out, "\"blocker\":\"driver\""));
	assert_non_null(strstr(r.out, "\"item\":\"steer-rule\",\"ok\":false,\"required\":false"));
	run_free(&r);
}

/* The options of check: one queue, a port, a size; DEV for the first two. */
static void check__option_errors_are_usage_errors(void **state)
{
	static const char *const bad[][5] = {
		{ "check", "--port", "5201" },
		{ "check", "--queues", "1" },
		{ "check", "lo", "--port", "0" },
		{ "check", "lo", "--port", "65536" },
		{ "check", "lo", "--queues", "1-3" },
		{ "check", "lo", "--size", "4Q" },
		{ "check", "lo", "--size", "0" },
	};
	struct run r;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		/* a NULL entry ends the arguments early */
		assert_int_equal(run_cli(&r, bad[i][0], bad[i][1], bad[i][2], bad[i][3],
					 bad[i][4], NULL), 0);
		expect_usage_error(&r, NULL);
		run_free(&r);
	}
}

/* --size is held against RLIMIT_MEMLOCK: the detail names it. */
static void check__size_against_memlock(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "check", "--size", "4M");
	if (!strstr(r.out, "] memlock: RLIMIT_MEMLOCK") || !strstr(r.out, "--size 4M")) {
		show(&r);
		fail_msg("memlock: expected the limit against --size 4M");
	}
	run_free(&r);
}

/* Every fix is a command to run: none may keep a DEV placeholder. */
static void check__fix_names_the_device(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "check", "lo");
	if (strstr(r.out, " DEV ")) {
		show(&r);
		fail_msg("a fix says DEV instead of lo");
	}
	run_free(&r);
}

/* lo has no ring parameters: the kernel says EOPNOTSUPP, not EIO. */
static void check__ring_error_keeps_the_errno(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "check", "lo");
	if (strstr(r.out, "Input/output error")) {
		show(&r);
		fail_msg("header-split: the kernel's errno became EIO");
	}
	run_free(&r);
}

static void check__unknown_device_fails(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "check", "nosuchdev0");
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "no network device 'nosuchdev0'"));
	run_free(&r);
}

static void info__without_module_says_modprobe(void **state)
{
	struct run r;

	(void)state;
	if (module_loaded())
		skip();
	RUN(&r, "info");
	if (r.status != 1 || r.out_len || !strstr(r.err, "Error: ") ||
	    !strstr(r.err, "modprobe uring_dmabuf")) {
		show(&r);
		fail_msg("expected exit 1, an error and 'modprobe uring_dmabuf'");
	}
	run_free(&r);
}

static void queues__json_is_one_document(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "-j", "queues", "lo");
	if (r.status == 1 && strstr(r.err, "Linux 6.8"))
		skip();	/* no NETDEV_CMD_QUEUE_GET on this kernel */
	assert_int_equal(r.status, 0);
	expect_valid_json(&r);
	assert_non_null(strstr(r.out, "{\"schema_version\":1,\"ifname\":\"lo\",\"queues\":["));
	run_free(&r);
}

static void queues__unknown_device_exits_1(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "queues", "nosuchdev0");
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "Error: no network device 'nosuchdev0'"));
	run_free(&r);
}

/*
 * The interface is checked before anything is allocated: a terabyte would
 * be mapped and faulted in otherwise (or the module's absence reported).
 */
static void bind_rx__unknown_device_fails_before_memory(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "bind-rx", "nosuch0", "--queues", "0", "--size", "1T");
	if (r.status != 1 || !strstr(r.err, "Error: no network device 'nosuch0'") ||
	    strstr(r.err, "allocate") || strstr(r.err, "uring_dmabuf")) {
		show(&r);
		fail_msg("expected exit 1 and only the missing device");
	}
	run_free(&r);
}

/*
 * Over RLIMIT_MEMLOCK (as nobody, without CAP_IPC_LOCK): said before any
 * memory is touched, with the limit and the --size; --uring pins twice.
 */
static void bind_rx__over_memlock_fails_before_memory(void **state)
{
	char cmd[512];
	struct run r;

	(void)state;
	if (access("/usr/bin/setpriv", X_OK) || geteuid())
		skip();	/* needs root to become nobody */
	snprintf(cmd, sizeof(cmd),
		 "ulimit -l 64 && exec setpriv --reuid=65534 --regid=65534 --clear-groups "
		 "%s bind-rx lo --queues 0 --size 1T", cli_path());
	assert_int_equal(run_shell(&r, cmd), 0);
	if (r.status != 1 ||
	    !strstr(r.err, "Error: --size 1099511627776 needs 1099511627776 bytes of locked memory; RLIMIT_MEMLOCK is 65536") ||
	    !strstr(r.err, "Hint: raise it (ulimit -l unlimited)") || strstr(r.err, "allocate")) {
		show(&r);
		fail_msg("expected exit 1 and the RLIMIT_MEMLOCK error");
	}
	run_free(&r);
	snprintf(cmd, sizeof(cmd),
		 "ulimit -l 2048 && exec setpriv --reuid=65534 --regid=65534 --clear-groups "
		 "%s bind-rx lo --queues 0 --size 2M --uring", cli_path());
	assert_int_equal(run_shell(&r, cmd), 0);
	if (r.status != 1 || !strstr(r.err, "--size 2097152 with --uring needs 4194304 bytes")) {
		show(&r);
		fail_msg("expected --uring to count two pins");
	}
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(version__prints_name_and_version),
		cmocka_unit_test(version__json_is_one_document),
		cmocka_unit_test(check__json_is_one_document),
		cmocka_unit_test(check__without_module_says_modprobe),
		cmocka_unit_test(check__lo_names_the_driver_as_blocker),
		cmocka_unit_test(check__option_errors_are_usage_errors),
		cmocka_unit_test(check__size_against_memlock),
		cmocka_unit_test(check__fix_names_the_device),
		cmocka_unit_test(check__ring_error_keeps_the_errno),
		cmocka_unit_test(check__unknown_device_fails),
		cmocka_unit_test(info__without_module_says_modprobe),
		cmocka_unit_test(queues__json_is_one_document),
		cmocka_unit_test(queues__unknown_device_exits_1),
		cmocka_unit_test(bind_rx__unknown_device_fails_before_memory),
		cmocka_unit_test(bind_rx__over_memlock_fails_before_memory),
	};

	return cmocka_run_group_tests_name("cli_commands", tests, NULL, NULL);
}
