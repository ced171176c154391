/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_jsonw.c - tools/jsonw.c prints what json-c prints.
 *
 * The nexusbg front prints `session show --json` without json-c; the
 * other subcommands print with json-c (JSON_C_TO_STRING_PRETTY |
 * JSON_C_TO_STRING_NOSLASHESCAPE).  Every object here is built both ways
 * and the bytes compared: every byte value in a string, empty strings and
 * arrays, booleans, the int64 range.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "jsonw.h"

#define N(a)	(sizeof(a) / sizeof((a)[0]))

struct member {
	enum { STR, BOOL, INT, STRS } kind;
	const char *key;
	const char *s;
	bool b;
	int64_t i;
	const char *const *strs;
	size_t nstrs;
};

static const char *item(size_t i, const void *ctx)
{
	return ((const char *const *)ctx)[i];
}

/* The object through jsonw, into a string (caller frees). */
static char *with_jsonw(const struct member *m, size_t n)
{
	struct nbg_jsonw w;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	nbg_jsonw_begin(&w, f);
	for (size_t k = 0; k < n; k++) {
		switch (m[k].kind) {
		case STR: nbg_jsonw_string(&w, m[k].key, m[k].s); break;
		case BOOL: nbg_jsonw_bool(&w, m[k].key, m[k].b); break;
		case INT: nbg_jsonw_int(&w, m[k].key, m[k].i); break;
		case STRS: nbg_jsonw_strings(&w, m[k].key, m[k].nstrs, item, m[k].strs); break;
		}
	}
	nbg_jsonw_end(&w);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* The same object through json-c, as the subcommands print it (with puts). */
static char *with_json_c(const struct member *m, size_t n)
{
	json_object *o = json_object_new_object(), *a;
	char *out;

	for (size_t k = 0; k < n; k++) {
		switch (m[k].kind) {
		case STR: json_object_object_add(o, m[k].key, json_object_new_string(m[k].s)); break;
		case BOOL: json_object_object_add(o, m[k].key, json_object_new_boolean(m[k].b)); break;
		case INT: json_object_object_add(o, m[k].key, json_object_new_int64(m[k].i)); break;
		case STRS:
			a = json_object_new_array();
			for (size_t j = 0; j < m[k].nstrs; j++)
				json_object_array_add(a, json_object_new_string(m[k].strs[j]));
			json_object_object_add(o, m[k].key, a);
			break;
		}
	}
	assert_true(asprintf(&out, "%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)) > 0);
	json_object_put(o);
	return out;
}

static void same(const struct member *m, size_t n)
{
	char *a = with_jsonw(m, n), *b = with_json_c(m, n);

	if (strcmp(a, b) != 0)
		fail_msg("jsonw:\n%s\njson-c:\n%s", a, b);
	free(a);
	free(b);
}

static void test_session_show_shape(void **state)
{
	static const char *const caps[] = { "show", "configure" };
	const struct member m[] = {
		{ STR, "user", "alice", 0, 0, NULL, 0 },
		{ STR, "role", "writer", 0, 0, NULL, 0 },
		{ STRS, "capabilities", NULL, 0, 0, caps, N(caps) },
		{ STR, "remote", "192.0.2.7", 0, 0, NULL, 0 },
		{ STR, "access_path", "", 0, 0, NULL, 0 },
		{ STR, "key_fp", "SHA256:ub4U0Iz9ehgIYZ0pM4M2xq0F9xSEl7hXIFzcPrnPX0k", 0, 0, NULL, 0 },
		{ BOOL, "fallback", NULL, false, 0, NULL, 0 },
		{ INT, "start", NULL, 0, 1796000000, NULL, 0 },
		{ STR, "start_utc", "2026-11-29T04:53:20Z", 0, 0, NULL, 0 },
		{ STR, "ref", "NBG-7F3A9C21D4", 0, 0, NULL, 0 },
		{ STR, "service", "sshd", 0, 0, NULL, 0 },
		{ INT, "sessionid", NULL, 0, 4294967295LL, NULL, 0 },
	};

	(void)state;
	same(m, N(m));
}

static void test_empty_and_single(void **state)
{
	static const char *const one[] = { "show" };
	const struct member empty_array[] = { { STRS, "capabilities", NULL, 0, 0, one, 0 } };
	const struct member single[] = { { STRS, "capabilities", NULL, 0, 0, one, 1 },
		{ BOOL, "fallback", NULL, true, 0, NULL, 0 } };

	(void)state;
	same(NULL, 0);
	same(empty_array, N(empty_array));
	same(single, N(single));
}

static void test_ints(void **state)
{
	const struct member m[] = {
		{ INT, "zero", NULL, 0, 0, NULL, 0 },
		{ INT, "min", NULL, 0, INT64_MIN, NULL, 0 },
		{ INT, "max", NULL, 0, INT64_MAX, NULL, 0 },
		{ INT, "neg", NULL, 0, -1, NULL, 0 },
	};

	(void)state;
	same(m, N(m));
}

/* Every byte value, alone and between others, in values and in keys. */
static void test_every_byte(void **state)
{
	char s[4], k[8], all[256];
	const char *strs[1];

	(void)state;
	for (int c = 1; c < 256; c++) {
		snprintf(s, sizeof(s), "%c", c);
		snprintf(k, sizeof(k), "k%cy", c);
		strs[0] = s;
		const struct member m[] = {
			{ STR, k, s, 0, 0, NULL, 0 },
			{ STRS, "a", NULL, 0, 0, strs, 1 },
		};
		same(m, N(m));
		all[c - 1] = (char)c;
	}
	all[255] = '\0';
	const struct member m[] = { { STR, "all", all, 0, 0, NULL, 0 } };
	same(m, N(m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_show_shape),
		cmocka_unit_test(test_empty_and_single),
		cmocka_unit_test(test_ints),
		cmocka_unit_test(test_every_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
