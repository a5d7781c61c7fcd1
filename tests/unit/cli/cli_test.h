/* SPDX-License-Identifier: MIT */
/* What every CLI unit test includes: cmocka and the known-bug switch. */
#ifndef CLI_TEST_H
#define CLI_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/*
 * A test that shows an open CLI bug expects the fixed behaviour, so it fails
 * until tools/ is fixed; make KNOWN_BUGS=0 leaves it out of the run.
 */
#define KNOWN_BUG_TEST static void __attribute__((unused))
#if KNOWN_BUGS
#define known_bug(f) cmocka_unit_test(f),
#else
#define known_bug(f)
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* CLI_TEST_H */
