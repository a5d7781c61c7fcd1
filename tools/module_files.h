/* SPDX-License-Identifier: MIT */
/* Whether the module is installed for a kernel release (not: loaded). */
#ifndef URING_DMABUF_TOOL_MODULE_FILES_H
#define URING_DMABUF_TOOL_MODULE_FILES_H

#include <stddef.h>

enum module_install {
	MODULE_ABSENT,		/* no uring_dmabuf.ko* under /lib/modules/REL */
	MODULE_NOT_INDEXED,	/* the file is there, modules.dep does not list it */
	MODULE_INSTALLED,	/* modprobe finds it */
};

/* @path receives the file (relative to /lib/modules/REL) when found. */
enum module_install module_installed(const char *modules_dir, const char *name,
				     char *path, size_t len);

/* "uring_dmabuf.ko", "uring_dmabuf.ko.xz", ... but not "uring_dmabuf_simnic.ko". */
int module_file_matches(const char *file, const char *name);

#endif
