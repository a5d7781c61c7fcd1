/* SPDX-License-Identifier: MIT */
/*
 * A strict RFC 8259 syntax check, enough to tell one valid document; also
 * rejects a key that appears twice in one object.
 */
#ifndef CLI_JSON_CHECK_H
#define CLI_JSON_CHECK_H

#include <stddef.h>

/*
 * 0 if @s (@len bytes) is exactly one JSON value with optional whitespace
 * around it; else the byte offset + 1 where it went wrong.
 */
size_t json_check(const char *s, size_t len);

#endif
