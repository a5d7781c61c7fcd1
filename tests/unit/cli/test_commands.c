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
	assert_non_null(strstr(r.out, "\"fix\":\"modprobe uring_dmabuf"));
	run_free(&r);
}

/* lo has no ring parameters: header split fails with the ethtool fix. */
static void check__dev_without_header_split(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "check", "lo");
	assert_int_equal(r.status, 1);
	if (!strstr(r.out, "[FAIL] header-split") ||
	    !strstr(r.out, "fix: ethtool -G lo tcp-data-split on") ||
	    !strstr(r.out, "ethtool -K lo ntuple on")) {
		show(&r);
		fail_msg("expected header-split and flow-steering failures with their fixes");
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
		cmocka_unit_test(check__dev_without_header_split),
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
