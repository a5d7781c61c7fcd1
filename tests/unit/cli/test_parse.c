// SPDX-License-Identifier: MIT
/* tools/parse.c: sizes, numbers, queue lists and memory kinds. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli_test.h"
#include "parse.h"

/* parse_size's result, or the poison value when it failed. */
#define POISON 0xdeadbeefULL

static int size_of(const char *s, uint64_t *v)
{
	*v = POISON;
	return parse_size(s, v);
}

static void parse_size__plain_bytes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(size_of("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(size_of("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(size_of("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
}

static void parse_size__binary_units(void **state)
{
	static const struct { const char *s; uint64_t v; } cases[] = {
		{ "1K", 1ULL << 10 }, { "64K", 64ULL << 10 },
		{ "4M", 4ULL << 20 }, { "64M", 64ULL << 20 },
		{ "1G", 1ULL << 30 }, { "3G", 3ULL << 30 },
		{ "1T", 1ULL << 40 }, { "0M", 0 },
	};
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(size_of(cases[i].s, &v), 0);
		assert_true(v == cases[i].v);
	}
}

static void parse_size__iB_and_B_suffixes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(size_of("4KiB", &v), 0);
	assert_true(v == 4096);
	assert_int_equal(size_of("2MiB", &v), 0);
	assert_true(v == 2ULL << 20);
	assert_int_equal(size_of("1GiB", &v), 0);
	assert_true(v == 1ULL << 30);
	assert_int_equal(size_of("1TiB", &v), 0);
	assert_true(v == 1ULL << 40);
	assert_int_equal(size_of("8MB", &v), 0);
	assert_true(v == 8ULL << 20);
}

static void parse_size__lowercase_units(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(size_of("4k", &v), 0);
	assert_true(v == 4096);
	assert_int_equal(size_of("64m", &v), 0);
	assert_true(v == 64ULL << 20);
	assert_int_equal(size_of("1g", &v), 0);
	assert_true(v == 1ULL << 30);
	assert_int_equal(size_of("2t", &v), 0);
	assert_true(v == 2ULL << 40);
}

static void parse_size__unit_overflow_is_erange(void **state)
{
	uint64_t v;

	(void)state;
	/* 2^24 T = 2^64 is one too many; one TiB less fits. */
	assert_int_equal(size_of("16777216T", &v), -ERANGE);
	assert_int_equal(size_of("16777215T", &v), 0);
	assert_true(v == (16777215ULL << 40));
	assert_int_equal(size_of("17179869184G", &v), -ERANGE);
	assert_int_equal(size_of("18014398509481984K", &v), -ERANGE);
	assert_true(v == POISON);
}

/* A bare number past 2^64-1 overflows too: the same -ERANGE. */
static void parse_size__plain_overflow_is_erange(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(size_of("18446744073709551616", &v), -ERANGE);
	assert_int_equal(size_of("99999999999999999999999", &v), -ERANGE);
}

static void parse_size__garbage_is_einval(void **state)
{
	static const char *const bad[] = {
		"M", "K4", "4X", "4KK", "4Ki", "4KIB", "4Kib", "1.5G", "0x10",
		"4 K", "4M junk", "abc", "4\n", "4MiBB", "4E", "4P",
	};
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (size_of(bad[i], &v) != -EINVAL)
			fail_msg("parse_size(\"%s\") accepted (%llu)", bad[i],
				 (unsigned long long)v);
		assert_true(v == POISON);
	}
}

/* A trailing blank is garbage, not a unit: "1 " must not mean 1 PiB. */
static void parse_size__trailing_blank_is_einval(void **state)
{
	uint64_t v;

	(void)state;
	if (size_of("1 ", &v) != -EINVAL)
		fail_msg("parse_size(\"1 \") accepted as %llu", (unsigned long long)v);
	if (size_of("64M ", &v) != -EINVAL)
		fail_msg("parse_size(\"64M \") accepted as %llu", (unsigned long long)v);
}

static void parse_size__negative_is_einval(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(size_of("-1", &v), -EINVAL);
	assert_int_equal(size_of("-4M", &v), -EINVAL);
	assert_int_equal(size_of("-0", &v), -EINVAL);
	assert_true(v == POISON);
}

/* strtoull skips blanks and then negates: " -1" must not become 2^64-1. */
static void parse_size__blank_then_negative_is_einval(void **state)
{
	uint64_t v;

	(void)state;
	if (size_of(" -1", &v) != -EINVAL)
		fail_msg("parse_size(\" -1\") accepted as %llu", (unsigned long long)v);
}

static void parse_size__empty_is_einval(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(size_of("", &v), -EINVAL);
	assert_int_equal(size_of(NULL, &v), -EINVAL);
	assert_true(v == POISON);
}

static void parse_u32__valid(void **state)
{
	unsigned int v = 7;

	(void)state;
	assert_int_equal(parse_u32("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_u32("5201", &v), 0);
	assert_int_equal(v, 5201);
	assert_int_equal(parse_u32("4294967295", &v), 0);
	assert_true(v == UINT32_MAX);
}

static void parse_u32__too_big_is_erange(void **state)
{
	unsigned int v = 7;

	(void)state;
	assert_int_equal(parse_u32("4294967296", &v), -ERANGE);
	assert_int_equal(parse_u32("18446744073709551615", &v), -ERANGE);
	assert_int_equal(v, 7);
}

/* Past unsigned long, strtoul says ERANGE: report it as -ERANGE too. */
static void parse_u32__past_ulong_is_erange(void **state)
{
	unsigned int v = 7;

	(void)state;
	assert_int_equal(parse_u32("18446744073709551616", &v), -ERANGE);
}

static void parse_u32__garbage_is_einval(void **state)
{
	static const char *const bad[] = { "", "-1", "-0", "1K", "0x10", "1.0", "x", "12 " };
	unsigned int v = 7;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (parse_u32(bad[i], &v) != -EINVAL)
			fail_msg("parse_u32(\"%s\") accepted (%u)", bad[i], v);
	}
	assert_int_equal(parse_u32(NULL, &v), -EINVAL);
	assert_int_equal(v, 7);
}

static unsigned int queues[MAX_QUEUES + 8];

/* Parses @s and compares with the @n expected queue ids. */
static void expect_queues(const char *s, const unsigned int *want, unsigned int n)
{
	unsigned int nr = 12345, i;

	if (parse_queue_list(s, queues, MAX_QUEUES, &nr))
		fail_msg("parse_queue_list(\"%s\") failed", s);
	assert_int_equal(nr, n);
	for (i = 0; i < n; i++)
		assert_int_equal(queues[i], want[i]);
}

static void parse_queue_list__single(void **state)
{
	static const unsigned int q3[] = { 3 }, q0[] = { 0 };

	(void)state;
	expect_queues("3", q3, 1);
	expect_queues("0", q0, 1);
}

static void parse_queue_list__range(void **state)
{
	static const unsigned int want[] = { 2, 3, 4, 5 }, one[] = { 7 };

	(void)state;
	expect_queues("2-5", want, 4);
	expect_queues("7-7", one, 1);
}

static void parse_queue_list__mixed_list(void **state)
{
	static const unsigned int want[] = { 1, 3, 8, 9, 10, 11 };

	(void)state;
	expect_queues("1,3,8-11", want, ARRAY_SIZE(want));
}

static void parse_queue_list__result_is_sorted(void **state)
{
	static const unsigned int want[] = { 1, 3, 8, 9, 10, 11 };

	(void)state;
	expect_queues("8-11,3,1", want, ARRAY_SIZE(want));
	expect_queues("10-11,1,8-9,3", want, ARRAY_SIZE(want));
}

static void parse_queue_list__max_queues_exactly(void **state)
{
	unsigned int nr = 0;

	(void)state;
	assert_int_equal(parse_queue_list("0-1023", queues, MAX_QUEUES, &nr), 0);
	assert_int_equal(nr, MAX_QUEUES);
	assert_int_equal(queues[0], 0);
	assert_int_equal(queues[MAX_QUEUES - 1], MAX_QUEUES - 1);
}

static void expect_list_error(const char *s, int err)
{
	unsigned int nr = 0;
	int ret = parse_queue_list(s, queues, MAX_QUEUES, &nr);

	if (ret != err)
		fail_msg("parse_queue_list(\"%s\") = %d, expected %d", s ? s : "(null)", ret, err);
}

static void parse_queue_list__duplicates_are_einval(void **state)
{
	(void)state;
	expect_list_error("1,1", -EINVAL);
	expect_list_error("1-3,2", -EINVAL);
	expect_list_error("2-5,4-8", -EINVAL);
	expect_list_error("0,3,0", -EINVAL);
}

static void parse_queue_list__reversed_range_is_einval(void **state)
{
	(void)state;
	expect_list_error("5-2", -EINVAL);
	expect_list_error("1,11-8", -EINVAL);
}

static void parse_queue_list__empty_items_are_einval(void **state)
{
	(void)state;
	expect_list_error("", -EINVAL);
	expect_list_error(",", -EINVAL);
	expect_list_error(",1", -EINVAL);
	expect_list_error("1,,2", -EINVAL);
	expect_list_error("-", -EINVAL);
	expect_list_error("1-", -EINVAL);
	expect_list_error("-3", -EINVAL);
	expect_list_error(NULL, -EINVAL);
}

static void parse_queue_list__trailing_comma_is_einval(void **state)
{
	(void)state;
	expect_list_error("1,", -EINVAL);
	expect_list_error("1,3,8-11,", -EINVAL);
}

static void parse_queue_list__garbage_is_einval(void **state)
{
	(void)state;
	expect_list_error("a", -EINVAL);
	expect_list_error("1-2-3", -EINVAL);
	expect_list_error("1;2", -EINVAL);
	expect_list_error("1K", -EINVAL);
	expect_list_error("0x1", -EINVAL);
}

static void parse_queue_list__more_than_max_queues_is_erange(void **state)
{
	unsigned int nr = 0;

	(void)state;
	expect_list_error("0-1024", -ERANGE);
	expect_list_error("0-4294967295", -ERANGE);
	expect_list_error("0-1023,2000", -ERANGE);
	/* the caller's @max counts, not only MAX_QUEUES */
	assert_int_equal(parse_queue_list("0-4", queues, 4, &nr), -ERANGE);
	assert_int_equal(parse_queue_list("0-3", queues, 4, &nr), 0);
	assert_int_equal(nr, 4);
}

static void parse_queue_list__too_long_is_einval(void **state)
{
	char s[5000];
	size_t len = 0;
	unsigned int q;

	(void)state;
	for (q = 0; len < sizeof(s) - 8; q++)
		len += (size_t)snprintf(s + len, sizeof(s) - len, "%s%u", q ? "," : "", q);
	expect_list_error(s, -EINVAL);
}

static void parse_mem_kind__every_name(void **state)
{
	static const struct { const char *s; enum mem_kind k; uint64_t align; } kinds[] = {
		{ "4k", MEM_4K, 4096 },
		{ "thp", MEM_THP, 2 << 20 },
		{ "2M", MEM_HUGE_2M, 2 << 20 },
		{ "1G", MEM_HUGE_1G, 1 << 30 },
		{ "shmem", MEM_SHMEM, 4096 },
	};
	enum mem_kind k;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		k = (enum mem_kind)-1;
		assert_int_equal(parse_mem_kind(kinds[i].s, &k), 0);
		assert_int_equal(k, kinds[i].k);
		/* the name round-trips, and the alignment is the page size */
		assert_string_equal(mem_kind_name(k), kinds[i].s);
		assert_true(mem_kind_align(k) == kinds[i].align);
	}
}

static void parse_mem_kind__unknown_is_einval(void **state)
{
	static const char *const bad[] = { "", "2m", "1g", "4K", "THP", "huge", "2M ", "shm" };
	enum mem_kind k = MEM_SHMEM;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (parse_mem_kind(bad[i], &k) != -EINVAL)
			fail_msg("parse_mem_kind(\"%s\") accepted", bad[i]);
	assert_int_equal(k, MEM_SHMEM);
}

static void mem_kind_name__unknown_kind(void **state)
{
	(void)state;
	assert_string_equal(mem_kind_name((enum mem_kind)99), "?");
	assert_true(mem_kind_align((enum mem_kind)99) == 4096);
}

static void parse_port_list__ports_in_order(void **state)
{
	uint16_t p[4];
	unsigned int n = 0;

	(void)state;
	assert_int_equal(parse_port_list("5201", p, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(p[0], 5201);
	assert_int_equal(parse_port_list("5202,1,65535", p, 4, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(p[0], 5202);
	assert_int_equal(p[1], 1);
	assert_int_equal(p[2], 65535);
}

static void parse_port_list__bad_lists(void **state)
{
	static const char *const bad[] = {
		"", "0", "65536", "80,80", "80,", ",80", "80,,81", "x", "80x",
		"-1", " 80", "1,2,3,4,5", "99999999999",
	};
	uint16_t p[4];
	unsigned int n = 7;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!parse_port_list(bad[i], p, 4, &n))
			fail_msg("'%s' parsed", bad[i]);
	assert_int_equal(parse_port_list(NULL, p, 4, &n) < 0, 1);
	assert_int_equal(n, 7);	/* untouched on error */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_port_list__ports_in_order),
		cmocka_unit_test(parse_port_list__bad_lists),
		cmocka_unit_test(parse_size__plain_bytes),
		cmocka_unit_test(parse_size__binary_units),
		cmocka_unit_test(parse_size__iB_and_B_suffixes),
		cmocka_unit_test(parse_size__lowercase_units),
		cmocka_unit_test(parse_size__unit_overflow_is_erange),
		cmocka_unit_test(parse_size__plain_overflow_is_erange),
		cmocka_unit_test(parse_size__garbage_is_einval),
		cmocka_unit_test(parse_size__trailing_blank_is_einval),
		cmocka_unit_test(parse_size__negative_is_einval),
		cmocka_unit_test(parse_size__blank_then_negative_is_einval),
		cmocka_unit_test(parse_size__empty_is_einval),
		cmocka_unit_test(parse_u32__valid),
		cmocka_unit_test(parse_u32__too_big_is_erange),
		cmocka_unit_test(parse_u32__past_ulong_is_erange),
		cmocka_unit_test(parse_u32__garbage_is_einval),
		cmocka_unit_test(parse_queue_list__single),
		cmocka_unit_test(parse_queue_list__range),
		cmocka_unit_test(parse_queue_list__mixed_list),
		cmocka_unit_test(parse_queue_list__result_is_sorted),
		cmocka_unit_test(parse_queue_list__max_queues_exactly),
		cmocka_unit_test(parse_queue_list__duplicates_are_einval),
		cmocka_unit_test(parse_queue_list__reversed_range_is_einval),
		cmocka_unit_test(parse_queue_list__empty_items_are_einval),
		cmocka_unit_test(parse_queue_list__trailing_comma_is_einval),
		cmocka_unit_test(parse_queue_list__garbage_is_einval),
		cmocka_unit_test(parse_queue_list__more_than_max_queues_is_erange),
		cmocka_unit_test(parse_queue_list__too_long_is_einval),
		cmocka_unit_test(parse_mem_kind__every_name),
		cmocka_unit_test(parse_mem_kind__unknown_is_einval),
		cmocka_unit_test(mem_kind_name__unknown_kind),
	};

	return cmocka_run_group_tests_name("cli_parse", tests, NULL, NULL);
}
