/* SPDX-License-Identifier: MIT */
/* What every unit test includes: cmocka and unit_run(). */
#ifndef UNIT_UNIT_H
#define UNIT_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

/* UNIT_TEST=pattern (cmocka's * and ? wildcards) runs only matching tests. */
#define unit_run(name, tests)						\
	(getenv("UNIT_TEST") ? cmocka_set_test_filter(getenv("UNIT_TEST")) \
			     : (void)0,					\
	 cmocka_run_group_tests_name(name, tests, NULL, NULL))

#endif /* UNIT_UNIT_H */
