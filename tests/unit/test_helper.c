/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_helper.c - where the nexusbg front finds nexusbg-admin
 * (tools/helper.c): the installed front runs the installed helper, any
 * other copy the helper next to it; nothing else is consulted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "helper.h"

struct path_case {
	const char *self;
	const char *want;	/* NULL: -1 expected */
};

static const struct path_case cases[] = {
	{ NBG_INSTALLED_FRONT, NBG_INSTALLED_HELPER },
	{ NBG_INSTALLED_FRONT " (deleted)", NBG_INSTALLED_HELPER },
	{ NULL, NBG_INSTALLED_HELPER },
	{ "", NBG_INSTALLED_HELPER },
	{ "relative/nexusbg", NBG_INSTALLED_HELPER },
	{ "/work/build/tools/nexusbg", "/work/build/tools/nexusbg-admin" },
	{ "/work/build/tools/nexusbg (deleted)", "/work/build/tools/nexusbg-admin" },
	{ "/tmp/x/renamed-front", "/tmp/x/nexusbg-admin" },
	{ "/nexusbg", "/nexusbg-admin" },
	{ NBG_INSTALLED_FRONT "2", NULL },	/* another file in bindir: its sibling */
};

static void test_paths(void **state)
{
	char out[4096], want[4096];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *w = cases[i].want;

		if (w == NULL) {	/* sibling of a path in bindir */
			snprintf(want, sizeof(want), "%.*s/nexusbg-admin",
			    (int)(strrchr(cases[i].self, '/') - cases[i].self), cases[i].self);
			w = want;
		}
		assert_int_equal(nbg_helper_path_for(cases[i].self, out, sizeof(out)), 0);
		if (strcmp(out, w) != 0)
			fail_msg("case %zu (%s): %s, want %s", i,
			    cases[i].self != NULL ? cases[i].self : "NULL", out, w);
	}
}

static void test_short_buffer(void **state)
{
	char out[32];

	(void)state;
	assert_int_equal(nbg_helper_path_for("/a/b/nexusbg", out, sizeof("/a/b/nexusbg-admin")), 0);
	assert_string_equal(out, "/a/b/nexusbg-admin");
	assert_int_equal(nbg_helper_path_for("/a/b/nexusbg", out,
	    sizeof("/a/b/nexusbg-admin") - 1), -1);
	assert_int_equal(nbg_helper_path_for(NULL, out, 4), -1);
}

/* This test program is not the installed front: its helper is its sibling. */
static void test_self(void **state)
{
	char self[4096], out[4096], want[4200];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	(void)state;
	assert_true(n > 0);
	self[n] = '\0';
	snprintf(want, sizeof(want), "%.*s/nexusbg-admin", (int)(strrchr(self, '/') - self), self);
	assert_int_equal(nbg_helper_path(out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_short_buffer),
		cmocka_unit_test(test_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
