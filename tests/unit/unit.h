/* SPDX-License-Identifier: MIT */
/* What every unit test includes: cmocka and the known-bug switch. */
#ifndef UNIT_UNIT_H
#define UNIT_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

/*
 * A test that shows an open library bug. It expects the fixed behaviour, so
 * it fails until the library is fixed; make KNOWN_BUGS=0 leaves it out.
 */
#define KNOWN_BUG_TEST static void __attribute__((unused))
#if KNOWN_BUGS
#define known_bug(f) cmocka_unit_test_setup(f, reset),
#else
#define known_bug(f)
#endif

/* UNIT_TEST=pattern (cmocka's * and ? wildcards) runs only matching tests. */
#define unit_run(name, tests)						\
	(getenv("UNIT_TEST") ? cmocka_set_test_filter(getenv("UNIT_TEST")) \
			     : (void)0,					\
	 cmocka_run_group_tests_name(name, tests, NULL, NULL))

#endif /* UNIT_UNIT_H */
