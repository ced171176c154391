/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_policy_auth.c - the policy keywords of pam_nexusbg's auth phase:
 * auth_challenge_ttl, auth_namespace, auth_state_dir.  Table-driven over
 * nbg_policy_load_buffer(): each case is a policy text and what the load
 * must give (the values, or an error naming the line).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "policy.h"

static const struct {
	const char *name;
	const char *text;
	int want;		/* 0 loads, -1 refused */
	int64_t ttl;
	const char *ns;
	const char *dir;
	unsigned line;		/* of the error, or of the setting */
	const char *message;	/* part of the first error */
} cases[] = {
	{ "defaults", "fabric f1\n", 0, NBG_DEFAULT_AUTH_TTL, NBG_DEFAULT_AUTH_NAMESPACE,
	    NBG_DEFAULT_AUTH_DIR, 0, NULL },
	{ "all three set", "fabric f1\nauth_challenge_ttl 5m\nauth_namespace fabric-login\n"
	    "auth_state_dir /var/lib/nbg-auth\n", 0, 300, "fabric-login", "/var/lib/nbg-auth", 2,
	    NULL },
	{ "ttl at the minimum", "auth_challenge_ttl 10s\n", 0, 10, NBG_DEFAULT_AUTH_NAMESPACE,
	    NBG_DEFAULT_AUTH_DIR, 1, NULL },
	{ "ttl at the maximum", "auth_challenge_ttl 1h\n", 0, 3600, NBG_DEFAULT_AUTH_NAMESPACE,
	    NBG_DEFAULT_AUTH_DIR, 1, NULL },
	{ "ttl below the minimum", "auth_challenge_ttl 9s\n", -1, 0, NULL, NULL, 1,
	    "out of range" },
	{ "ttl above the maximum", "auth_challenge_ttl 3601\n", -1, 0, NULL, NULL, 1,
	    "out of range" },
	{ "ttl not a duration", "auth_challenge_ttl soon\n", -1, 0, NULL, NULL, 1,
	    "invalid duration" },
	{ "ttl twice", "auth_challenge_ttl 1m\nauth_challenge_ttl 2m\n", -1, 0, NULL, NULL, 2,
	    "duplicate setting 'auth_challenge_ttl'" },
	{ "namespace of 64 bytes", "auth_namespace "
	    "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\n", 0,
	    NBG_DEFAULT_AUTH_TTL, "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn",
	    NBG_DEFAULT_AUTH_DIR, 1, NULL },
	{ "namespace of 65 bytes", "auth_namespace "
	    "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\n", -1, 0, NULL,
	    NULL, 1, "invalid auth_namespace" },
	{ "namespace with a quote", "auth_namespace nexus'bg\n", -1, 0, NULL, NULL, 1,
	    "invalid auth_namespace" },
	{ "namespace with a slash", "auth_namespace a/b\n", -1, 0, NULL, NULL, 1,
	    "invalid auth_namespace" },
	{ "namespace without a value", "auth_namespace\n", -1, 0, NULL, NULL, 1,
	    "wrong number of arguments" },
	{ "state dir relative", "auth_state_dir var/lib/auth\n", -1, 0, NULL, NULL, 1,
	    "absolute path" },
	{ "state dir twice", "auth_state_dir /a\nauth_state_dir /b\n", -1, 0, NULL, NULL, 2,
	    "duplicate setting 'auth_state_dir'" },
	{ "misspelt keyword", "auth_challenge_tll 2m\n", -1, 0, NULL, NULL, 1,
	    "unknown keyword" },
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nbg_diag diag = { 0 };
		struct nbg_policy *p = NULL;
		int r;

		print_message("policy: %s\n", cases[i].name);
		r = nbg_policy_load_buffer("t.conf", cases[i].text, strlen(cases[i].text), &p,
		    &diag);
		assert_int_equal(r, cases[i].want);
		if (r == 0) {
			assert_non_null(p);
			assert_int_equal(p->auth_challenge_ttl, cases[i].ttl);
			assert_string_equal(p->auth_namespace, cases[i].ns);
			assert_string_equal(p->auth_state_dir, cases[i].dir);
			/* the setting that decided the value is remembered */
			if (strstr(cases[i].text, "auth_challenge_ttl") != NULL)
				assert_int_equal(p->auth_challenge_ttl_origin.line,
				    cases[i].line);
			else
				assert_int_equal(p->auth_challenge_ttl_origin.line, 0);
		} else {
			assert_null(p);
			assert_true(diag.nerrors > 0);
			assert_int_equal(diag.v[0].line, cases[i].line);
			assert_non_null(strstr(diag.v[0].message, cases[i].message));
		}
		nbg_policy_free(p);
		nbg_diag_free(&diag);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
