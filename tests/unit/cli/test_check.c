// SPDX-License-Identifier: MIT
/*
 * check's pure logic: the driver table (tools/check_driver.c), kernel
 * release comparison, and finding the module for a kernel
 * (tools/module_files.c) in a made-up /lib/modules tree.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_driver.h"
#include "cli_test.h"
#include "module_files.h"

static void driver_lookup__capable_with_first_kernel(void **state)
{
	static const struct { const char *name; unsigned int major, minor; } cases[] = {
		{ "bnxt_en", 6, 17 }, { "mlx5_core", 6, 17 }, { "gve", 6, 18 },
		{ "fbnic", 6, 18 }, { "uring_dmabuf_simnic", 6, 12 },
	};
	const struct driver_info *d;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		d = driver_lookup(cases[i].name);
		assert_non_null(d);
		assert_int_equal(d->cls, DRIVER_CAPABLE);
		assert_int_equal(d->min_major, cases[i].major);
		assert_int_equal(d->min_minor, cases[i].minor);
		assert_non_null(d->note);
	}
	/* idpf: capable on some kernels, no version claimed */
	d = driver_lookup("idpf");
	assert_non_null(d);
	assert_int_equal(d->cls, DRIVER_CAPABLE_SOME);
}

static void driver_lookup__incapable_classes(void **state)
{
	static const char *const names[] = {
		"loopback", "veth", "virtio_net", "tun", "bridge", "bonding",
		"dummy", "macvlan", "netdevsim",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		const struct driver_info *d = driver_lookup(names[i]);

		assert_non_null(d);
		assert_int_equal(d->cls, DRIVER_INCAPABLE);
	}
}

static void driver_lookup__unknown_is_null(void **state)
{
	(void)state;
	assert_null(driver_lookup("ixgbe"));
	assert_null(driver_lookup(""));
	assert_null(driver_lookup(NULL));
	/* exact names only: no prefix matches */
	assert_null(driver_lookup("bnxt"));
	assert_null(driver_lookup("mlx5_core2"));
	assert_null(driver_lookup("VETH"));
}

static void release_at_least__versions(void **state)
{
	(void)state;
	assert_true(release_at_least("6.12.118+deb12-amd64", 6, 12));
	assert_false(release_at_least("6.12.118+deb12-amd64", 6, 14));
	assert_true(release_at_least("7.3.4+deb13-amd64", 6, 18));
	assert_true(release_at_least("6.18", 6, 18));
	assert_false(release_at_least("6.1.0-57-amd64", 6, 12));
	/* 6.9 < 6.12: numbers, not strings */
	assert_false(release_at_least("6.9.0", 6, 12));
	assert_true(release_at_least("10.0.1", 6, 18));
	assert_false(release_at_least("garbage", 0, 0));
	assert_false(release_at_least("", 0, 0));
	assert_false(release_at_least(NULL, 0, 0));
}

static void driver_capable_list__real_hardware_only(void **state)
{
	const char *list = driver_capable_list();

	(void)state;
	assert_string_equal(list, "bnxt_en 6.17+, mlx5_core 6.17+, gve 6.18+, fbnic 6.18+, idpf");
	assert_null(strstr(list, "simnic"));
	assert_ptr_equal(driver_capable_list(), list);
}

static void module_file_matches__suffixes(void **state)
{
	(void)state;
	assert_true(module_file_matches("updates/dkms/uring_dmabuf.ko", "uring_dmabuf"));
	assert_true(module_file_matches("updates/dkms/uring_dmabuf.ko.xz", "uring_dmabuf"));
	assert_true(module_file_matches("extra/uring_dmabuf.ko.zst", "uring_dmabuf"));
	assert_true(module_file_matches("uring_dmabuf.ko.gz", "uring_dmabuf"));
	assert_false(module_file_matches("extra/uring_dmabuf_simnic.ko", "uring_dmabuf"));
	assert_false(module_file_matches("extra/xuring_dmabuf.ko", "uring_dmabuf"));
	assert_false(module_file_matches("extra/uring_dmabuf.ko.bak", "uring_dmabuf"));
	assert_false(module_file_matches("uring_dmabuf", "uring_dmabuf"));
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void module_installed__dep_then_tree(void **state)
{
	char dir[] = "/tmp/check-modules.XXXXXX", p[256], found[512];

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* nothing at all */
	assert_int_equal(module_installed(dir, "uring_dmabuf", found, sizeof(found)),
			 MODULE_ABSENT);
	assert_string_equal(found, "");
	/* the simulated NIC's module is not ours */
	snprintf(p, sizeof(p), "%s/modules.dep", dir);
	write_file(p, "kernel/net/foo.ko:\nextra/uring_dmabuf_simnic.ko: kernel/net/foo.ko\n");
	assert_int_equal(module_installed(dir, "uring_dmabuf", found, sizeof(found)),
			 MODULE_ABSENT);
	/* on disk, not in modules.dep: depmod has not run */
	snprintf(p, sizeof(p), "%s/updates", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/updates/uring_dmabuf.ko.xz", dir);
	write_file(p, "");
	assert_int_equal(module_installed(dir, "uring_dmabuf", found, sizeof(found)),
			 MODULE_NOT_INDEXED);
	assert_non_null(strstr(found, "/updates/uring_dmabuf.ko.xz"));
	/* listed: what modprobe finds */
	snprintf(p, sizeof(p), "%s/modules.dep", dir);
	write_file(p, "kernel/net/foo.ko:\nupdates/uring_dmabuf.ko.xz:\n");
	assert_int_equal(module_installed(dir, "uring_dmabuf", found, sizeof(found)),
			 MODULE_INSTALLED);
	assert_string_equal(found, "updates/uring_dmabuf.ko.xz");
	/* clean up */
	unlink(p);
	snprintf(p, sizeof(p), "%s/updates/uring_dmabuf.ko.xz", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/updates", dir);
	rmdir(p);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(driver_lookup__capable_with_first_kernel),
		cmocka_unit_test(driver_lookup__incapable_classes),
		cmocka_unit_test(driver_lookup__unknown_is_null),
		cmocka_unit_test(release_at_least__versions),
		cmocka_unit_test(driver_capable_list__real_hardware_only),
		cmocka_unit_test(module_file_matches__suffixes),
		cmocka_unit_test(module_installed__dep_then_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
