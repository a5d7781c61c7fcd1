// SPDX-License-Identifier: MIT
/* uring-dmabuf version */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "liburing_dmabuf.h"
#include "output.h"

static const char usage_version[] =
	"Usage: uring-dmabuf version [-j] [-p]\n"
	"Print the versions of the tool, the library and the loaded module.\n";

/* The version the module's sysfs directory shows, readable by anyone. */
static bool sysfs_module_version(char *buf, size_t len)
{
	FILE *f = fopen("/sys/module/uring_dmabuf/version", "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ok && buf[0];
}

/*
 * Loaded or not is the device node's existence; a node this user may not
 * open is a loaded module all the same, and says so.
 */
static void print_module(void)
{
	struct uring_dmabuf_version ver;
	char sysfs_ver[64];
	int fd, ret;

	fd = uring_dmabuf_open();
	if (fd == -ENOENT) {
		out_bool("module_loaded", "module: not loaded\n", false);
		return;
	}
	out_bool("module_loaded", NULL, true);
	if (fd < 0) {
		out_bool("device_access", NULL, false);
		if (sysfs_module_version(sysfs_ver, sizeof(sysfs_ver)))
			out_str("module", "module: %s", sysfs_ver);
		else
			out_text("module: loaded");
		out_text(" (%s: %s)\n", URING_DMABUF_DEVICE, strerror(-fd));
		return;
	}
	out_bool("device_access", NULL, true);
	ret = uring_dmabuf_version(fd, &ver);
	close(fd);
	if (ret) {
		out_text("module: loaded (URING_DMABUF_IOC_VERSION: %s)\n", strerror(-ret));
		return;
	}
	out_str("module", "module: %s", ver.module_version);
	out_u64("api_version", " (API %llu)\n", ver.api_version);
}

int cmd_version(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONG, { NULL, 0, NULL, 0 } };
	bool exit_now = false;
	int opt;

	while ((opt = cli_getopt(argc, argv, COMMON_SHORT, opts)) != -1) {
		if (!common_opt(opt, usage_version, &exit_now))
			return EXIT_USAGE;	/* cli_getopt() said why */
		if (exit_now)
			return EXIT_OK;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	out_init(cli.json, cli.pretty);
	out_str("tool", "uring-dmabuf %s\n", URING_DMABUF_TOOL_VERSION);
	out_text("library: ");
	out_u64("library_major", "%llu.", (uint64_t)uring_dmabuf_lib_major());
	out_u64("library_minor", "%llu\n", (uint64_t)uring_dmabuf_lib_minor());
	print_module();
	out_finish();
	return EXIT_OK;
}
