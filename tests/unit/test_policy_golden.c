/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_policy_golden.c - `nexusbg policy check` output, byte for byte.
 *
 * Each tests/policy-check/NAME.conf is loaded (from inside that folder, so
 * file names print as written in the .conf files) and its diagnostics are
 * compared with NAME.expected.  The shipped default policy is one more
 * case: it must load with no diagnostic at all (shipped-default.expected
 * is empty).  The source tree is found through NBG_SRCDIR.
 *
 * The return value is checked too: a case whose .expected has an error
 * must fail to load, and one without must load.
 */
#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "policy.h"

#define GOLDEN_DIR	"tests/policy-check"
#define GOLDEN_MIN	8		/* fewer cases means the folder is wrong */
#define EXPECTED_MAX	(1024 * 1024)

struct golden {
	char *conf;		/* what to load */
	char *expected;		/* NAME.expected */
};

/* Read a whole file of at most EXPECTED_MAX bytes; NULL on failure. */
static char *slurp(const char *path, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if ((buf = malloc(EXPECTED_MAX + 1)) != NULL) {
		n = fread(buf, 1, EXPECTED_MAX + 1, f);
		if (ferror(f) || n > EXPECTED_MAX) {
			free(buf);
			buf = NULL;
		} else
			buf[n] = '\0';
	}
	fclose(f);
	*len = n;
	return buf;
}

static void test_golden(void **state)
{
	const struct golden *g = *state;
	struct nbg_diag d = { NULL, 0, 0 };
	struct nbg_policy *p = NULL;
	char *got = NULL, *want;
	size_t gotlen = 0, wantlen = 0;
	FILE *f;
	int r;

	want = slurp(g->expected, &wantlen);
	if (want == NULL)
		fail_msg("%s: cannot read: %s", g->expected, strerror(errno));
	r = nbg_policy_load(g->conf, 0, &p, &d);
	f = open_memstream(&got, &gotlen);
	assert_non_null(f);
	nbg_diag_print(f, &d);
	assert_int_equal(fclose(f), 0);
	nbg_diag_free(&d);
	nbg_policy_free(p);
	if (gotlen != wantlen || memcmp(got, want, gotlen) != 0) {
		print_error("%s: output differs from %s\n--- got:\n%s--- expected:\n%s",
		    g->conf, g->expected, got, want);
		free(got);
		free(want);
		fail();
	}
	if ((r == 0) != (strstr(want, ": error: ") == NULL)) {
		free(got);
		free(want);
		fail_msg("%s: returned %d, which disagrees with %s", g->conf, r, g->expected);
	}
	if (r == 0 && p == NULL)
		fail_msg("%s: loaded but returned no policy", g->conf);
	free(got);
	free(want);
}

/* Every .expected belongs to a case: a stale golden file is an error. */
static void test_no_orphans(void **state)
{
	glob_t g;
	char conf[4096];
	size_t i, n;

	(void)state;
	assert_int_equal(glob("*.expected", 0, NULL, &g), 0);
	for (i = 0; i < g.gl_pathc; i++) {
		if (strcmp(g.gl_pathv[i], "shipped-default.expected") == 0)
			continue;
		n = strlen(g.gl_pathv[i]) - strlen(".expected");
		snprintf(conf, sizeof(conf), "%.*s.conf", (int)n, g.gl_pathv[i]);
		if (access(conf, R_OK) != 0) {
			globfree(&g);
			fail_msg("%s has no %s", g.gl_pathv[i], conf);
		}
	}
	globfree(&g);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	struct CMUnitTest *tests = NULL;
	struct golden *cases = NULL;
	const char *srcdir;
	char *dir = NULL;
	glob_t g;
	size_t i, n = 0;
	int r = 1;

	memset(&g, 0, sizeof(g));
	if ((srcdir = getenv("NBG_SRCDIR")) == NULL || srcdir[0] == '\0') {
		fprintf(stderr, "test_policy_golden: NBG_SRCDIR is not set (the source tree)\n");
		goto out;
	}
	if (asprintf(&dir, "%s/%s", srcdir, GOLDEN_DIR) < 0 || chdir(dir) != 0) {
		fprintf(stderr, "test_policy_golden: cannot enter %s/%s: %s\n", srcdir,
		    GOLDEN_DIR, strerror(errno));
		goto out;
	}
	if (glob("*.conf", 0, NULL, &g) != 0 || g.gl_pathc < GOLDEN_MIN) {
		fprintf(stderr, "test_policy_golden: fewer than %d cases in %s\n", GOLDEN_MIN,
		    dir);
		goto out;
	}
	qsort(g.gl_pathv, g.gl_pathc, sizeof(*g.gl_pathv), cmp_str);
	cases = calloc(g.gl_pathc + 1, sizeof(*cases));
	tests = calloc(g.gl_pathc + 2, sizeof(*tests));
	if (cases == NULL || tests == NULL)
		goto out;
	for (i = 0; i < g.gl_pathc; i++, n++) {
		size_t len = strlen(g.gl_pathv[i]) - strlen(".conf");

		if ((cases[n].conf = strdup(g.gl_pathv[i])) == NULL ||
		    asprintf(&cases[n].expected, "%.*s.expected", (int)len, g.gl_pathv[i]) < 0)
			goto out;
	}
	if (asprintf(&cases[n].conf, "%s/policy/nexusbg-policy.conf", srcdir) < 0 ||
	    (cases[n].expected = strdup("shipped-default.expected")) == NULL)
		goto out;
	n++;
	for (i = 0; i < n; i++) {
		tests[i].name = cases[i].conf;
		tests[i].test_func = test_golden;
		tests[i].initial_state = &cases[i];
	}
	tests[n].name = "no orphan .expected files";
	tests[n].test_func = test_no_orphans;
	r = _cmocka_run_group_tests("policy_golden", tests, n + 1, NULL, NULL);
 out:
	for (i = 0; cases != NULL && i < g.gl_pathc + 1; i++) {
		free(cases[i].conf);
		free(cases[i].expected);
	}
	free(cases);
	free(tests);
	free(dir);
	globfree(&g);
	return r;
}
