// SPDX-License-Identifier: MIT
/* uring-dmabuf info: the module's limits and live counters. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "liburing_dmabuf.h"
#include "output.h"

static const char usage_info[] =
	"Usage: uring-dmabuf info [-j] [-p]\n"
	"Print the loaded module's version, limits and live counters\n"
	"(/sys/class/misc/uring_dmabuf/ and /sys/module/uring_dmabuf/parameters/).\n";

/* A decimal number from sysfs, or -errno. */
static int read_sysfs_u64(const char *path, uint64_t *v)
{
	unsigned long long x;
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%llu", &x) == 1;
	fclose(f);
	if (!ok)
		return -EPROTO;
	*v = x;
	return 0;
}

static void print_counter(const char *dir, const char *name, const char *fmt)
{
	char path[160];
	uint64_t v = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!read_sysfs_u64(path, &v))
		out_u64(name, fmt, v);
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONG, { NULL, 0, NULL, 0 } };
	struct uring_dmabuf_version ver;
	bool exit_now = false;
	int opt, fd, ret;

	while ((opt = cli_getopt(argc, argv, COMMON_SHORT, opts)) != -1) {
		if (!common_opt(opt, usage_info, &exit_now))
			return EXIT_USAGE;	/* cli_getopt() said why */
		if (exit_now)
			return EXIT_OK;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	fd = uring_dmabuf_open();
	if (fd < 0) {
		err_msg("cannot open %s: %s", URING_DMABUF_DEVICE, strerror(-fd));
		if (fd == -ENOENT)
			hint_msg("load the module: modprobe uring_dmabuf");
		return EXIT_FAIL;
	}
	ret = uring_dmabuf_version(fd, &ver);
	close(fd);
	if (ret) {
		err_msg("URING_DMABUF_IOC_VERSION: %s", strerror(-ret));
		return EXIT_FAIL;
	}
	out_init(cli.json, cli.pretty);
	out_str("module_version", "module version: %s\n", ver.module_version);
	out_u64("api_version", "API version: %llu\n", ver.api_version);
	out_u64("features", "features: 0x%llx\n", ver.features);
	out_u64("max_ranges", "max ranges per buffer: %llu\n", ver.max_ranges);
	out_u64("max_pinned_bytes", "module-wide pin cap: %llu bytes (0 = none)\n",
		ver.max_bytes);
	out_open_object("counters");
	print_counter("/sys/class/misc/uring_dmabuf", "buffers", "buffers: %llu\n");
	print_counter("/sys/class/misc/uring_dmabuf", "pinned_bytes", "pinned: %llu bytes\n");
	print_counter("/sys/class/misc/uring_dmabuf", "attachments", "attachments: %llu\n");
	out_close_object();
	out_finish();
	return EXIT_OK;
}
