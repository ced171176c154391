/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * jsonw.h - the few JSON values the nexusbg front prints, without json-c.
 *
 * The output is byte for byte what json-c 0.16 prints with
 * JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE, which the
 * other subcommands use (tests/unit/test_jsonw.c compares the two), so
 * `session show --json` reads like `status --json`.
 */
#ifndef NBG_JSONW_H
#define NBG_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* A pretty-printed object, written member by member. */
struct nbg_jsonw {
	FILE *f;
	unsigned members;	/* written so far */
};

void nbg_jsonw_begin(struct nbg_jsonw *w, FILE *f);
void nbg_jsonw_string(struct nbg_jsonw *w, const char *key, const char *value);
void nbg_jsonw_bool(struct nbg_jsonw *w, const char *key, bool value);
void nbg_jsonw_int(struct nbg_jsonw *w, const char *key, int64_t value);
/* An array of n strings; item(i, ctx) gives the i-th. */
void nbg_jsonw_strings(struct nbg_jsonw *w, const char *key, size_t n,
    const char *(*item)(size_t i, const void *ctx), const void *ctx);
/* The closing brace and a newline. */
void nbg_jsonw_end(struct nbg_jsonw *w);

/* s as a JSON string literal, quotes included (NULL as ""). */
void nbg_json_quote(FILE *f, const char *s);

#endif
