/* SPDX-License-Identifier: MIT */
/* What every CLI unit test includes: cmocka and ARRAY_SIZE(). */
#ifndef CLI_TEST_H
#define CLI_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* CLI_TEST_H */
