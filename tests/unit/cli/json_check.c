// SPDX-License-Identifier: MIT
/* Recursive descent over the JSON grammar; no values are built. */
#include <string.h>

#include "json_check.h"

struct js {
	const char *s;
	size_t len, pos;
	int depth;
};

static int value(struct js *j);

static int peek(const struct js *j)
{
	return j->pos < j->len ? (unsigned char)j->s[j->pos] : -1;
}

static void skip_ws(struct js *j)
{
	while (peek(j) == ' ' || peek(j) == '\t' || peek(j) == '\n' || peek(j) == '\r')
		j->pos++;
}

static int eat(struct js *j, int c)
{
	if (peek(j) != c)
		return -1;
	j->pos++;
	return 0;
}

static int literal(struct js *j, const char *word)
{
	size_t n = strlen(word);

	if (j->len - j->pos < n || memcmp(j->s + j->pos, word, n))
		return -1;
	j->pos += n;
	return 0;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int digits(struct js *j)
{
	if (!is_digit(peek(j)))
		return -1;
	while (is_digit(peek(j)))
		j->pos++;
	return 0;
}

static int number(struct js *j)
{
	eat(j, '-');
	if (eat(j, '0') && digits(j))	/* no leading zeros */
		return -1;
	if (!eat(j, '.') && digits(j))
		return -1;
	if (peek(j) == 'e' || peek(j) == 'E') {
		j->pos++;
		if (peek(j) == '+' || peek(j) == '-')
			j->pos++;
		return digits(j);
	}
	return 0;
}

static int is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int string(struct js *j)
{
	int c, i;

	if (eat(j, '"'))
		return -1;
	for (;;) {
		c = peek(j);
		if (c < 0x20)		/* end of input or a raw control char */
			return -1;
		j->pos++;
		if (c == '"')
			return 0;
		if (c != '\\')
			continue;
		c = peek(j);
		j->pos++;
		if (c == 'u') {
			for (i = 0; i < 4; i++, j->pos++)
				if (!is_hex(peek(j)))
					return -1;
		} else if (c <= 0 || !strchr("\"\\/bfnrt", c)) {
			return -1;
		}
	}
}

/* A key as written (escapes not decoded: ours never differ only in those). */
struct span {
	size_t start, len;
};

/*
 * OPEN (value (, value)*)? CLOSE, with "key": before each value in objects;
 * a key twice in one object is an error (parsers keep only one of them).
 */
static int container(struct js *j, int open, int close, int keyed)
{
	struct span keys[64];
	size_t nkeys = 0, i, start;

	if (eat(j, open) || ++j->depth > 64)
		return -1;
	skip_ws(j);
	if (!eat(j, close))
		goto out;
	for (;;) {
		skip_ws(j);
		if (keyed) {
			start = j->pos;
			if (string(j))
				return -1;
			for (i = 0; i < nkeys; i++)
				if (keys[i].len == j->pos - start &&
				    !memcmp(j->s + keys[i].start, j->s + start, keys[i].len)) {
					j->pos = start;
					return -1;
				}
			if (nkeys == sizeof(keys) / sizeof(keys[0]))
				return -1;
			keys[nkeys].start = start;
			keys[nkeys++].len = j->pos - start;
			skip_ws(j);
			if (eat(j, ':'))
				return -1;
		}
		if (value(j))
			return -1;
		skip_ws(j);
		if (!eat(j, close))
			break;
		if (eat(j, ','))
			return -1;
	}
out:
	j->depth--;
	return 0;
}

static int value(struct js *j)
{
	skip_ws(j);
	switch (peek(j)) {
	case '{':
		return container(j, '{', '}', 1);
	case '[':
		return container(j, '[', ']', 0);
	case '"':
		return string(j);
	case 't':
		return literal(j, "true");
	case 'f':
		return literal(j, "false");
	case 'n':
		return literal(j, "null");
	default:
		return number(j);
	}
}

size_t json_check(const char *s, size_t len)
{
	struct js j = { .s = s, .len = len };

	if (value(&j))
		return j.pos + 1;
	skip_ws(&j);
	return j.pos == len ? 0 : j.pos + 1;
}
