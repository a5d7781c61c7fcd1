// SPDX-License-Identifier: MIT
/* JSON and text output from the same calls. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "output.h"

#define MAX_DEPTH 16

static struct {
	FILE *f;	/* stdout, unless out_set_file() said otherwise */
	bool json;
	bool pretty;
	int depth;
	bool need_comma[MAX_DEPTH];
	bool in_array[MAX_DEPTH];
} st;

static FILE *out_file = NULL;

void out_set_file(FILE *f)
{
	out_file = f;
}

void out_init(bool json, bool pretty)
{
	memset(&st, 0, sizeof(st));
	st.f = out_file ? out_file : stdout;
	st.json = json || pretty;
	st.pretty = pretty;
	if (st.json) {
		fputc('{', st.f);
		st.depth = 1;
		/* First in every document: what the keys mean (man 8). */
		out_u64("schema_version", NULL, OUT_SCHEMA_VERSION);
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
	fputc('\n', st.f);
	for (i = 0; i < st.depth; i++)
		fputs("  ", st.f);
}

static void json_string(const char *s)
{
	fputc('"', st.f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(st.f, "\\%c", c);
		else if (c < 0x20)
			fprintf(st.f, "\\u%04x", c);
		else
			fputc(c, st.f);
	}
	fputc('"', st.f);
}

/* Comma, indentation and "key": for the next JSON value. */
static void json_key(const char *key)
{
	if (st.need_comma[st.depth])
		fputc(',', st.f);
	st.need_comma[st.depth] = true;
	newline_indent();
	if (key && !st.in_array[st.depth]) {
		json_string(key);
		fputs(st.pretty ? ": " : ":", st.f);
	}
}

static void open_container(const char *key, char c, bool array)
{
	if (!st.json || st.depth + 1 >= MAX_DEPTH)
		return;
	json_key(key);
	fputc(c, st.f);
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
	fputc(c, st.f);
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
		fprintf(st.f, "%llu", (unsigned long long)v);
	} else if (text_fmt) {
		fprintf(st.f, text_fmt, (unsigned long long)v);
	}
}

void out_str(const char *key, const char *text_fmt, const char *v)
{
	if (st.json) {
		json_key(key);
		json_string(v ? v : "");
	} else if (text_fmt) {
		fprintf(st.f, text_fmt, v ? v : "");
	}
}

void out_bool(const char *key, const char *text_fmt, bool v)
{
	if (st.json) {
		json_key(key);
		fputs(v ? "true" : "false", st.f);
	} else if (text_fmt) {
		fprintf(st.f, text_fmt, v ? "yes" : "no");
	}
}

void out_text(const char *fmt, ...)
{
	va_list ap;

	if (st.json)
		return;
	va_start(ap, fmt);
	vfprintf(st.f, fmt, ap);
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
		fputc('\n', st.f);
	fputs("}\n", st.f);
	st.json = false;
}

void err_msg(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	if (out_file)
		fflush(out_file);
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
