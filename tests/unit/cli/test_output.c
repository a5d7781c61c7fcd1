// SPDX-License-Identifier: MIT
/*
 * tools/output.c: the exact JSON it prints (compact and pretty), escaping,
 * and the text that the same calls print without -j. stdout and stderr are
 * captured by pointing fds 1 and 2 at a temporary file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_test.h"
#include "json_check.h"
#include "output.h"

struct capture {
	int fd;		/* 1 or 2 */
	int saved;
	FILE *tmp;
	char buf[8192];
};

static void capture_begin(struct capture *c, int fd)
{
	fflush(NULL);
	c->fd = fd;
	c->tmp = tmpfile();
	assert_non_null(c->tmp);
	c->saved = dup(fd);
	assert_true(c->saved >= 0);
	assert_true(dup2(fileno(c->tmp), fd) == fd);
}

/* Restores the fd; the captured bytes are in c->buf. */
static const char *capture_end(struct capture *c)
{
	size_t n;

	fflush(NULL);
	dup2(c->saved, c->fd);
	close(c->saved);
	rewind(c->tmp);
	n = fread(c->buf, 1, sizeof(c->buf) - 1, c->tmp);
	c->buf[n] = '\0';
	fclose(c->tmp);
	return c->buf;
}

static void assert_valid_json(const char *s)
{
	size_t bad = json_check(s, strlen(s));

	if (bad)
		fail_msg("invalid JSON at byte %zu: %s", bad - 1, s);
}

/* What a check-like command prints: nested objects in an array, numbers. */
static void emit_checks(void)
{
	out_open_array("checks");
	out_open_object(NULL);
	out_str("item", "[%s] ", "module");
	out_bool("ok", NULL, false);
	out_str("fix", "fix: %s\n", "modprobe uring_dmabuf");
	out_close_object();
	out_open_object(NULL);
	out_str("item", "[%s] ", "memlock");
	out_bool("ok", "%s\n", true);
	out_close_object();
	out_close_array();
	out_u64("failed", "%llu failed\n", 1);
}

static void out_json__flat_values(void **state)
{
	struct capture c;
	const char *s;

	(void)state;
	capture_begin(&c, 1);
	out_init(true, false);
	out_u64("a", "a=%llu\n", 1);
	out_str("b", "b=%s\n", "x");
	out_bool("c", "c=%s\n", true);
	out_bool("d", "d=%s\n", false);
	out_finish();
	s = capture_end(&c);
	assert_string_equal(s, "{\"schema_version\":1,\"a\":1,\"b\":\"x\",\"c\":true,\"d\":false}\n");
	assert_valid_json(s);
}

static void out_json__nested_objects_in_array(void **state)
{
	struct capture c;
	const char *s;

	(void)state;
	capture_begin(&c, 1);
	out_init(true, false);
	emit_checks();
	out_finish();
	s = capture_end(&c);
	assert_string_equal(s, "{\"schema_version\":1,\"checks\":[{\"item\":\"module\",\"ok\":false,"
			       "\"fix\":\"modprobe uring_dmabuf\"},"
			       "{\"item\":\"memlock\",\"ok\":true}],\"failed\":1}\n");
	assert_valid_json(s);
}

static void out_json__array_values_have_no_keys(void **state)
{
	struct capture c;
	const char *s;

	(void)state;
	capture_begin(&c, 1);
	out_init(true, false);
	out_open_array("queues");
	out_u64(NULL, " %llu", 1);
	out_u64("ignored_key", " %llu", 3);
	out_str(NULL, "%s", "x");
	out_close_array();
	out_open_object("o");
	out_open_array("empty");
	out_close_array();
	out_close_object();
	out_finish();
	s = capture_end(&c);
	assert_string_equal(s, "{\"schema_version\":1,\"queues\":[1,3,\"x\"],\"o\":{\"empty\":[]}}\n");
	assert_valid_json(s);
}

static void out_json__empty_containers(void **state)
{
	struct capture c;
	const char *s;

	(void)state;
	capture_begin(&c, 1);
	out_init(true, false);
	out_open_array("a");
	out_close_array();
	out_open_object("o");
	out_close_object();
	out_finish();
	s = capture_end(&c);
	assert_string_equal(s, "{\"schema_version\":1,\"a\":[],\"o\":{}}\n");
	assert_valid_json(s);
}

/* Every document says its schema first, however it continues. */
static void out_json__schema_version_first(void **state)
{
	struct capture c;

	(void)state;
	capture_begin(&c, 1);
	out_init(false, true);
	out_finish();
	assert_string_equal(capture_end(&c), "{\n  \"schema_version\": 1\n}\n");
	assert_int_equal(OUT_SCHEMA_VERSION, 1);
}

/* out_set_file(): the document goes there, stdout stays empty. */
static void out_set_file__document_elsewhere(void **state)
{
	struct capture out, err;

	(void)state;
	capture_begin(&out, 1);
	capture_begin(&err, 2);
	out_set_file(stderr);
	out_init(true, false);
	out_u64("binding_id", "binding %llu\n", 7);
	out_finish();
	out_set_file(NULL);
	assert_string_equal(capture_end(&err), "{\"schema_version\":1,\"binding_id\":7}\n");
	assert_string_equal(capture_end(&out), "");
}

static void out_json__empty_document(void **state)
{
	struct capture c;

	(void)state;
	capture_begin(&c, 1);
	out_init(true, false);
	out_finish();
	assert_string_equal(capture_end(&c), "{\"schema_version\":1}\n");
}

static void out_json__u64_extremes(void **state)
{
	struct capture c;

	(void)state;
	capture_begin(&c, 1);
	out_init(true, false);
	out_u64("zero", NULL, 0);
	out_u64("max", NULL, UINT64_MAX);
	out_finish();
	assert_string_equal(capture_end(&c),
			    "{\"schema_version\":1,\"zero\":0,\"max\":18446744073709551615}\n");
}

static void out_json__string_escaping(void **state)
{
	struct capture c;
	const char *s;

	(void)state;
	capture_begin(&c, 1);
	out_init(true, false);
	out_str("q", NULL, "say \"hi\"");
	out_str("bs", NULL, "C:\\dir\\");
	out_str("ctl", NULL, "a\nb\tc\x01\x1f\r");
	out_str("del_utf8", NULL, "\x7f\xc3\xa9/");
	out_str("key \"k\"\\", NULL, "");
	out_str("null", NULL, NULL);
	out_finish();
	s = capture_end(&c);
	assert_string_equal(s, "{\"schema_version\":1,\"q\":\"say \\\"hi\\\"\","
			       "\"bs\":\"C:\\\\dir\\\\\","
			       "\"ctl\":\"a\\u000ab\\u0009c\\u0001\\u001f\\u000d\","
			       "\"del_utf8\":\"\x7f\xc3\xa9/\","
			       "\"key \\\"k\\\"\\\\\":\"\","
			       "\"null\":\"\"}\n");
	assert_valid_json(s);
}

static void out_json__text_only_calls_print_nothing(void **state)
{
	struct capture c;

	(void)state;
	capture_begin(&c, 1);
	out_init(true, false);
	out_text("listening on port %d\n", 5201);
	out_u64("a", NULL, 2);
	out_text("\n");
	out_finish();
	assert_string_equal(capture_end(&c), "{\"schema_version\":1,\"a\":2}\n");
}

static void out_finish__closes_what_is_open(void **state)
{
	struct capture c;
	const char *s;

	(void)state;
	capture_begin(&c, 1);
	out_init(true, false);
	out_open_array("a");
	out_open_object(NULL);
	out_u64("x", NULL, 1);
	out_finish();
	s = capture_end(&c);
	assert_string_equal(s, "{\"schema_version\":1,\"a\":[{\"x\":1}]}\n");
	assert_valid_json(s);
}

/* Output after out_finish() (an error path) must not break the document. */
static void out_finish__later_calls_are_text_mode(void **state)
{
	struct capture c;

	(void)state;
	capture_begin(&c, 1);
	out_init(true, false);
	out_finish();
	assert_false(out_json());
	out_u64("late", NULL, 1);
	out_close_object();
	assert_string_equal(capture_end(&c), "{\"schema_version\":1}\n");
}

static void out_pretty__indents_two_spaces(void **state)
{
	struct capture c;
	const char *s;

	(void)state;
	capture_begin(&c, 1);
	out_init(false, true);	/* pretty implies JSON */
	assert_true(out_json());
	out_u64("a", NULL, 1);
	out_open_array("l");
	out_u64(NULL, NULL, 1);
	out_u64(NULL, NULL, 2);
	out_close_array();
	out_open_array("e");
	out_close_array();
	out_open_object("o");
	out_str("s", NULL, "x");
	out_close_object();
	out_finish();
	s = capture_end(&c);
	assert_string_equal(s, "{\n"
			       "  \"schema_version\": 1,\n"
			       "  \"a\": 1,\n"
			       "  \"l\": [\n"
			       "    1,\n"
			       "    2\n"
			       "  ],\n"
			       "  \"e\": [],\n"
			       "  \"o\": {\n"
			       "    \"s\": \"x\"\n"
			       "  }\n"
			       "}\n");
	assert_valid_json(s);
}

static void out_pretty__nested_checks(void **state)
{
	struct capture c;
	const char *s;

	(void)state;
	capture_begin(&c, 1);
	out_init(true, true);
	emit_checks();
	out_finish();
	s = capture_end(&c);
	assert_string_equal(s, "{\n"
			       "  \"schema_version\": 1,\n"
			       "  \"checks\": [\n"
			       "    {\n"
			       "      \"item\": \"module\",\n"
			       "      \"ok\": false,\n"
			       "      \"fix\": \"modprobe uring_dmabuf\"\n"
			       "    },\n"
			       "    {\n"
			       "      \"item\": \"memlock\",\n"
			       "      \"ok\": true\n"
			       "    }\n"
			       "  ],\n"
			       "  \"failed\": 1\n"
			       "}\n");
	assert_valid_json(s);
}

static void out_text__same_calls_print_text(void **state)
{
	struct capture c;

	(void)state;
	capture_begin(&c, 1);
	out_init(false, false);
	assert_false(out_json());
	emit_checks();
	out_text("t%d\n", 7);
	out_finish();
	/* NULL formats print nothing; booleans read yes/no */
	assert_string_equal(capture_end(&c),
			    "[module] fix: modprobe uring_dmabuf\n"
			    "[memlock] yes\n"
			    "1 failed\n"
			    "t7\n");
}

static void out_text__values_use_their_format(void **state)
{
	struct capture c;

	(void)state;
	capture_begin(&c, 1);
	out_init(false, false);
	out_u64("bytes", "received %llu bytes", 8388608);
	out_u64("hex", " 0x%llx\n", 255);
	out_str("s", "<%s>\n", NULL);
	out_bool("b", "%s\n", false);
	out_open_array("q");
	out_u64(NULL, " %llu", 3);
	out_close_array();
	out_finish();
	assert_string_equal(capture_end(&c),
			    "received 8388608 bytes 0xff\n<>\nno\n 3");
}

static void err_msg__prefix_on_stderr(void **state)
{
	struct capture out, err;

	(void)state;
	capture_begin(&out, 1);
	capture_begin(&err, 2);
	err_msg("cannot open %s: %s", "/dev/uring_dmabuf", "No such file");
	hint_msg("load the module: %s", "modprobe uring_dmabuf");
	assert_string_equal(capture_end(&err),
			    "Error: cannot open /dev/uring_dmabuf: No such file\n"
			    "Hint: load the module: modprobe uring_dmabuf\n");
	assert_string_equal(capture_end(&out), "");
}

/* A diagnostic in JSON mode goes to stderr; stdout stays one document. */
static void err_msg__json_stdout_untouched(void **state)
{
	struct capture out, err;
	const char *s;

	(void)state;
	capture_begin(&out, 1);
	capture_begin(&err, 2);
	out_init(true, false);
	out_u64("bytes", NULL, 5);
	err_msg("receive after %d bytes: %s", 5, "reset");
	out_finish();
	assert_string_equal(capture_end(&err), "Error: receive after 5 bytes: reset\n");
	s = capture_end(&out);
	assert_string_equal(s, "{\"schema_version\":1,\"bytes\":5}\n");
	assert_valid_json(s);
}

/* The checker itself: it must reject what the tests rely on it to reject. */
static void json_check__rejects_invalid(void **state)
{
	static const char *const bad[] = {
		"", "{", "{}}", "{\"a\":}", "{\"a\" 1}", "{a:1}", "[1,]", "[,1]",
		"{\"a\":1,}", "01", "1.", "-", "\"a\nb\"", "\"\\x\"", "\"\\u12g4\"",
		"tru", "{} {}", "[1 2]", "\"open", "{\"a\":1,\"b\":2,\"a\":3}",
	};
	static const char *const good[] = {
		"{}", "[]", " {\"a\":[1,-2.5e+3,true,false,null,\"\\u00e9\\n\"]}\n",
		"0", "\"\"", "[[[]]]", "{\"a\":{\"a\":1},\"b\":[{\"a\":1},{\"a\":2}]}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (!json_check(bad[i], strlen(bad[i])))
			fail_msg("json_check accepted '%s'", bad[i]);
	for (i = 0; i < ARRAY_SIZE(good); i++)
		if (json_check(good[i], strlen(good[i])))
			fail_msg("json_check rejected '%s'", good[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_check__rejects_invalid),
		cmocka_unit_test(out_json__flat_values),
		cmocka_unit_test(out_json__nested_objects_in_array),
		cmocka_unit_test(out_json__array_values_have_no_keys),
		cmocka_unit_test(out_json__empty_containers),
		cmocka_unit_test(out_json__empty_document),
		cmocka_unit_test(out_json__schema_version_first),
		cmocka_unit_test(out_set_file__document_elsewhere),
		cmocka_unit_test(out_json__u64_extremes),
		cmocka_unit_test(out_json__string_escaping),
		cmocka_unit_test(out_json__text_only_calls_print_nothing),
		cmocka_unit_test(out_finish__closes_what_is_open),
		cmocka_unit_test(out_finish__later_calls_are_text_mode),
		cmocka_unit_test(out_pretty__indents_two_spaces),
		cmocka_unit_test(out_pretty__nested_checks),
		cmocka_unit_test(out_text__same_calls_print_text),
		cmocka_unit_test(out_text__values_use_their_format),
		cmocka_unit_test(err_msg__prefix_on_stderr),
		cmocka_unit_test(err_msg__json_stdout_untouched),
	};

	return cmocka_run_group_tests_name("cli_output", tests, NULL, NULL);
}
