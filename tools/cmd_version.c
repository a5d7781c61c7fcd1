// SPDX-License-Identifier: MIT
/* uring-dmabuf version */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "liburing_dmabuf.h"
#include "output.h"

static const char usage_version[] =
	"Usage: uring-dmabuf version [-j] [-p]\n"
	"Print the versions of the tool, the library and the loaded module.\n";

int cmd_version(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONG, { NULL, 0, NULL, 0 } };
	struct uring_dmabuf_version ver;
	bool exit_now = false;
	int opt, fd;

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
	fd = uring_dmabuf_open();
	if (fd >= 0 && !uring_dmabuf_version(fd, &ver)) {
		out_str("module", "module: %s", ver.module_version);
		out_u64("api_version", " (API %llu)\n", ver.api_version);
	} else {
		out_str("module", "module: %s\n", "not loaded");
	}
	if (fd >= 0)
		close(fd);
	out_finish();
	return EXIT_OK;
}
