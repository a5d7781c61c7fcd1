/* SPDX-License-Identifier: MIT */
/*
 * One print path for text and JSON (as iproute2's print_*(PRINT_ANY, ...)):
 * each value is given once with its JSON key and its text format.
 */
#ifndef URING_DMABUF_TOOL_OUTPUT_H
#define URING_DMABUF_TOOL_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The JSON schema of every command (man 8 uring-dmabuf, JSON OUTPUT):
 * "schema_version" comes first in every document. Bumped when a key changes
 * meaning or goes away; new keys may appear without a bump.
 */
#define OUT_SCHEMA_VERSION 1

#include <stdio.h>

/* Where the next out_init() prints: stdout unless told (NULL: stdout). */
void out_set_file(FILE *f);
void out_init(bool json, bool pretty);
void out_open_object(const char *key);
void out_close_object(void);
void out_open_array(const char *key);
void out_close_array(void);
void out_u64(const char *key, const char *text_fmt, uint64_t v);
void out_str(const char *key, const char *text_fmt, const char *v);
void out_bool(const char *key, const char *text_fmt, bool v);
/* Text only (ignored in JSON mode). */
void out_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void out_finish(void);
bool out_json(void);

/* Diagnostics to stderr, "Error: ..." (both modes). */
void err_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hint_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
