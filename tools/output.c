// SPDX-License-Identifier: MIT
/* JSON and text output from the same calls. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "output.h"

#define MAX_DEPTH 16

static struct {
	bool json;
	bool pretty;
	int depth;
	bool need_comma[MAX_DEPTH];
	bool in_array[MAX_DEPTH];
} st;

void out_init(bool json, bool pretty)
{
	memset(&st, 0, sizeof(st));
	st.json = json || pretty;
	st.pretty = pretty;
	if (st.json) {
		fputc('{', stdout);
		st.depth = 1;
	}
}

bool out_json(void)
{
	return st.json;
}

static void newline_indent(void)
{
	int i;

	if (!st.pretty)
		return;
	fputc('\n', stdout);
	for (i = 0; i < st.depth; i++)
		fputs("  ", stdout);
}

static void json_string(const char *s)
{
	fputc('"', stdout);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			fputc(c, stdout);
	}
	fputc('"', stdout);
}

/* Comma, indentation and "key": for the next JSON value. */
static void json_key(const char *key)
{
	if (st.need_comma[st.depth])
		fputc(',', stdout);
	st.need_comma[st.depth] = true;
	newline_indent();
	if (key && !st.in_array[st.depth]) {
		json_string(key);
		fputs(st.pretty ? ": " : ":", stdout);
	}
}

static void open_container(const char *key, char c, bool array)
{
	if (!st.json || st.depth + 1 >= MAX_DEPTH)
		return;
	json_key(key);
	fputc(c, stdout);
	st.depth++;
	st.need_comma[st.depth] = false;
	st.in_array[st.depth] = array;
}

static void close_container(char c)
{
	if (!st.json || st.depth <= 1)
		return;
	st.depth--;
	if (st.need_comma[st.depth + 1])
		newline_indent();
	fputc(c, stdout);
}

void out_open_object(const char *key)
{
	open_container(key, '{', false);
}

void out_close_object(void)
{
	close_container('}');
}

void out_open_array(const char *key)
{
	open_container(key, '[', true);
}

void out_close_array(void)
{
	close_container(']');
}

void out_u64(const char *key, const char *text_fmt, uint64_t v)
{
	if (st.json) {
		json_key(key);
		printf("%llu", (unsigned long long)v);
	} else if (text_fmt) {
		printf(text_fmt, (unsigned long long)v);
	}
}

void out_str(const char *key, const char *text_fmt, const char *v)
{
	if (st.json) {
		json_key(key);
		json_string(v ? v : "");
	} else if (text_fmt) {
		printf(text_fmt, v ? v : "");
	}
}

void out_bool(const char *key, const char *text_fmt, bool v)
{
	if (st.json) {
		json_key(key);
		fputs(v ? "true" : "false", stdout);
	} else if (text_fmt) {
		printf(text_fmt, v ? "yes" : "no");
	}
}

void out_text(const char *fmt, ...)
{
	va_list ap;

	if (st.json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void out_finish(void)
{
	if (!st.json)
		return;
	while (st.depth > 1)
		close_container(st.in_array[st.depth] ? ']' : '}');
	st.depth = 0;
	if (st.pretty)
		fputc('\n', stdout);
	fputs("}\n", stdout);
	st.json = false;
}

void err_msg(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void hint_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("Hint: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
