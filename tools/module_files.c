// SPDX-License-Identifier: MIT
/*
 * Where modprobe looks: modules.dep of /lib/modules/$(uname -r). A file
 * that is there but not listed (no depmod since DKMS put it there) is found
 * by walking the tree, so check can say which of the two is missing.
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <string.h>

#include "module_files.h"

static const char *const suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };

int module_file_matches(const char *file, const char *name)
{
	const char *base = strrchr(file, '/');
	size_t n = strlen(name), i;

	base = base ? base + 1 : file;
	if (strncmp(base, name, n))
		return 0;
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (!strcmp(base + n, suffixes[i]))
			return 1;
	return 0;
}

/* nftw() has no user argument: one walk at a time. */
static const char *walk_name;
static char walk_found[512];

static int on_file(const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (type == FTW_F && module_file_matches(fpath, walk_name)) {
		snprintf(walk_found, sizeof(walk_found), "%s", fpath);
		return 1;
	}
	return 0;
}

enum module_install module_installed(const char *modules_dir, const char *name,
				     char *path, size_t len)
{
	char dep[512], line[1024];
	FILE *f;

	path[0] = '\0';
	snprintf(dep, sizeof(dep), "%s/modules.dep", modules_dir);
	f = fopen(dep, "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *colon = strchr(line, ':');

			if (!colon)
				continue;
			*colon = '\0';
			if (module_file_matches(line, name)) {
				snprintf(path, len, "%s", line);
				fclose(f);
				return MODULE_INSTALLED;
			}
		}
		fclose(f);
	}
	walk_name = name;
	walk_found[0] = '\0';
	if (nftw(modules_dir, on_file, 16, FTW_PHYS) == 1) {
		snprintf(path, len, "%s", walk_found);
		return MODULE_NOT_INDEXED;
	}
	return MODULE_ABSENT;
}
