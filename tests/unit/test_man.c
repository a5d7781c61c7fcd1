// SPDX-License-Identifier: MIT
/*
 * The manual against the ABI: every function the version script exports
 * has a page in man/man3, every page there documents something that
 * exists, and all pages render without warnings (man-check.sh).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "unit.h"

#define MAP UNIT_TOP "/lib/liburing-dmabuf.map"
#define MAN3 UNIT_TOP "/man/man3"

static char names[64][64];

/* The names in the version script's global: list. */
static int exported(int max)
{
	FILE *f = fopen(MAP, "r");
	char line[256], name[64];
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %63[a-z0-9_];", name) == 1 &&
		    !strncmp(name, "uring_dmabuf_", 13) && n < max)
			strcpy(names[n++], name);
	fclose(f);
	return n;
}

static void man__every_exported_function_has_a_page(void **state)
{
	char path[sizeof(MAN3) + sizeof(names[0]) + 4];
	struct stat st;
	int i, n = exported(64);

	(void)state;
	assert_true(n >= 20);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), MAN3 "/%.63s.3", names[i]);
		if (stat(path, &st))
			fail_msg("%s is exported but has no man page", names[i]);
	}
}

static void man__every_page_documents_an_export(void **state)
{
	int i, n = exported(64), found;
	size_t len;
	struct dirent *d;
	DIR *dir = opendir(MAN3);

	(void)state;
	assert_non_null(dir);
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.' || !strcmp(d->d_name, "liburing-dmabuf.3"))
			continue;
		for (i = 0, found = 0; i < n && !found; i++) {
			len = strlen(names[i]);
			found = !strncmp(d->d_name, names[i], len) &&
				!strcmp(d->d_name + len, ".3");
		}
		if (!found) {
			closedir(dir);
			fail_msg("man3/%s documents no exported function", d->d_name);
		}
	}
	closedir(dir);
}

static void man__pages_render_without_warnings(void **state)
{
	(void)state;
	if (system("command -v groff >/dev/null && command -v man >/dev/null"))
		skip();
	assert_int_equal(system(UNIT_TOP "/tests/unit/man-check.sh " UNIT_TOP
				" >/dev/null"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(man__every_exported_function_has_a_page),
		cmocka_unit_test(man__every_page_documents_an_export),
		cmocka_unit_test(man__pages_render_without_warnings),
	};

	return unit_run("man", tests);
}
