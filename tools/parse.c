// SPDX-License-Identifier: MIT
/* Parsing of command-line values. All return 0 or -EINVAL / -ERANGE. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* "4096", "64K", "64M", "1G", "1T" (binary multiples; "KiB" etc. too). */
int parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	unsigned long long v;
	const char *u;
	char *end;
	int shift = 0;

	/* Digits first: strtoull() would skip blanks and accept signs. */
	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || end == s)
		return -EINVAL;
	if (*end) {
		if (!isalpha((unsigned char)end[0]))
			return -EINVAL;
		u = strchr(units, toupper((unsigned char)end[0]));
		if (!u)
			return -EINVAL;
		shift = 10 * (int)(u - units + 1);
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B"))
			end += strlen(end);
		if (*end)
			return -EINVAL;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

int parse_u32(const char *s, unsigned int *out)
{
	unsigned long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *end || end == s)
		return -EINVAL;
	if (v > UINT32_MAX)
		return -ERANGE;
	*out = (unsigned int)v;
	return 0;
}

int parse_port_list(const char *s, uint16_t *ports, unsigned int max,
		    unsigned int *nr)
{
	char buf[512], *tok, *save = NULL;
	unsigned int v, i, n = 0;
	int err;

	if (!s || !*s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	if (buf[strlen(buf) - 1] == ',')
		return -EINVAL;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		err = parse_u32(tok, &v);
		if (err)
			return err;
		if (!v || v > 65535)
			return -ERANGE;
		for (i = 0; i < n; i++)
			if (ports[i] == v)
				return -EINVAL;
		if (n == max)
			return -E2BIG;
		ports[n++] = (uint16_t)v;
	}
	if (!n || strstr(s, ",,") || s[0] == ',')
		return -EINVAL;
	*nr = n;
	return 0;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

static int add_range(unsigned int lo, unsigned int hi, unsigned int *queues,
		     unsigned int max, unsigned int *nr)
{
	unsigned int q;

	if (lo > hi)
		return -EINVAL;
	for (q = lo; ; q++) {
		if (*nr == max)
			return -ERANGE;
		queues[(*nr)++] = q;
		if (q == hi)
			break;
	}
	return 0;
}

/* "3", "2-5", "1,3,8-11": sorted, duplicates rejected. */
int parse_queue_list(const char *s, unsigned int *queues, unsigned int max,
		     unsigned int *nr)
{
	char buf[4096], *tok, *save = NULL, *dash;
	unsigned int i, lo, hi;
	int err;

	if (!s || !*s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	*nr = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		dash = strchr(tok, '-');
		if (dash)
			*dash = '\0';
		err = parse_u32(tok, &lo);
		if (err)
			return err;
		hi = lo;
		if (dash) {
			err = parse_u32(dash + 1, &hi);
			if (err)
				return err;
		}
		err = add_range(lo, hi, queues, max, nr);
		if (err)
			return err;
	}
	if (!*nr || s[strlen(s) - 1] == ',' || s[0] == ',' || strstr(s, ",,"))
		return -EINVAL;
	qsort(queues, *nr, sizeof(*queues), cmp_uint);
	for (i = 1; i < *nr; i++)
		if (queues[i] == queues[i - 1])
			return -EINVAL;
	return 0;
}

static const struct {
	const char *name;
	enum mem_kind kind;
	uint64_t align;
} kinds[] = {
	{ "4k", MEM_4K, 4096 },
	{ "thp", MEM_THP, 2 << 20 },
	{ "2M", MEM_HUGE_2M, 2 << 20 },
	{ "1G", MEM_HUGE_1G, 1 << 30 },
	{ "shmem", MEM_SHMEM, 4096 },
};

int parse_mem_kind(const char *s, enum mem_kind *out)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!strcmp(s, kinds[i].name)) {
			*out = kinds[i].kind;
			return 0;
		}
	}
	return -EINVAL;
}

const char *mem_kind_name(enum mem_kind kind)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].kind == kind)
			return kinds[i].name;
	return "?";
}

uint64_t mem_kind_align(enum mem_kind kind)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].kind == kind)
			return kinds[i].align;
	return 4096;
}
