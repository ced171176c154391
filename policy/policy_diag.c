/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy_diag.c - what `nexusbg policy check` prints: every problem with
 * its file and line, in the order found, and a hint where one helps.
 *
 * An error is counted even when memory for its text runs out, so a policy
 * is never accepted because a diagnostic could not be recorded.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

#define SUGGEST_MAX_DIST	2
#define SUGGEST_WORD_MAX	64	/* longer words are never "close" to a keyword */

static struct nbg_diag_entry *diag_add(struct nbgp *ps, enum nbg_diag_level level,
    const struct nbg_origin *o, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static struct nbg_diag_entry *diag_add(struct nbgp *ps, enum nbg_diag_level level,
    const struct nbg_origin *o, const char *fmt, va_list ap)
{
	struct nbg_diag *d = ps->diag;
	struct nbg_diag_entry *v, *e = NULL;
	char *file = NULL, *msg = NULL;

	if (level == NBG_DIAG_ERROR)
		ps->nerrors++;
	if (vasprintf(&msg, fmt, ap) < 0) {
		msg = NULL;
		goto out;
	}
	if ((file = strdup(o != NULL && o->file != NULL ? o->file : "(policy)")) == NULL)
		goto out;
	if ((v = reallocarray(d->v, d->n + 1, sizeof(*d->v))) == NULL)
		goto out;
	d->v = v;
	e = &d->v[d->n++];
	e->level = level;
	e->file = file;
	e->line = o != NULL ? o->line : 0;
	e->message = msg;
	e->hint = NULL;
	if (level == NBG_DIAG_ERROR)
		d->nerrors++;
	file = msg = NULL;
 out:
	if (e == NULL)
		ps->oom = true;
	free(file);
	free(msg);
	return e;
}

struct nbg_diag_entry *nbgp_error(struct nbgp *ps, const struct nbg_origin *o,
    const char *fmt, ...)
{
	struct nbg_diag_entry *e;
	va_list ap;

	va_start(ap, fmt);
	e = diag_add(ps, NBG_DIAG_ERROR, o, fmt, ap);
	va_end(ap);
	return e;
}

struct nbg_diag_entry *nbgp_warn(struct nbgp *ps, const struct nbg_origin *o,
    const char *fmt, ...)
{
	struct nbg_diag_entry *e;
	va_list ap;

	va_start(ap, fmt);
	e = diag_add(ps, NBG_DIAG_WARNING, o, fmt, ap);
	va_end(ap);
	return e;
}

void nbgp_hint(struct nbgp *ps, struct nbg_diag_entry *e, const char *fmt, ...)
{
	char *hint = NULL;
	va_list ap;
	int r;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	r = vasprintf(&hint, fmt, ap);
	va_end(ap);
	if (r < 0) {
		ps->oom = true;
		return;
	}
	free(e->hint);
	e->hint = hint;
}

void nbg_diag_free(struct nbg_diag *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].message);
		free(d->v[i].hint);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
	d->nerrors = 0;
}

/* Text from files and tokens may hold anything: print control bytes as \xNN. */
static void put_escaped(FILE *f, const char *s)
{
	const unsigned char *u;

	for (u = (const unsigned char *)s; *u != '\0'; u++) {
		if (*u < 0x20 || *u == 0x7f)
			fprintf(f, "\\x%02x", *u);
		else
			fputc(*u, f);
	}
}

static void put_where(FILE *f, const struct nbg_diag_entry *e)
{
	put_escaped(f, e->file);
	if (e->line > 0)
		fprintf(f, ":%u", e->line);
	fputs(": ", f);
}

void nbg_diag_print(FILE *f, const struct nbg_diag *d)
{
	const struct nbg_diag_entry *e;
	size_t i;

	if (f == NULL || d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		e = &d->v[i];
		put_where(f, e);
		fputs(e->level == NBG_DIAG_ERROR ? "error: " : "warning: ", f);
		put_escaped(f, e->message);
		fputc('\n', f);
		if (e->hint == NULL)
			continue;
		put_where(f, e);
		fputs("  hint: ", f);
		put_escaped(f, e->hint);
		fputc('\n', f);
	}
}

/* Levenshtein distance of two short strings (both < SUGGEST_WORD_MAX). */
static size_t distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t prev[SUGGEST_WORD_MAX + 1], cur[SUGGEST_WORD_MAX + 1];
	size_t i, j, best;

	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			best = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			cur[j] = best;
		}
		memcpy(prev, cur, (lb + 1) * sizeof(prev[0]));
	}
	return prev[lb];
}

/*
 * The candidate WORD was most likely meant to be: the closest one at edit
 * distance 1 or 2 (first in CANDS order on a tie) that changes at most
 * half of WORD, else the only candidate WORD is a prefix of.  NULL when
 * there is none.
 */
const char *nbgp_suggest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL, *prefixed = NULL;
	size_t i, lw, lc, d, bestd = SUGGEST_MAX_DIST + 1, nprefixed = 0;

	if (word == NULL || word[0] == '\0')
		return NULL;
	lw = strnlen(word, SUGGEST_WORD_MAX);
	for (i = 0; i < n; i++) {
		lc = strnlen(cands[i], SUGGEST_WORD_MAX);
		if (lw >= SUGGEST_WORD_MAX || lc >= SUGGEST_WORD_MAX)
			continue;
		if (strcmp(word, cands[i]) == 0)
			continue;
		if (lw < lc && strncmp(word, cands[i], lw) == 0) {
			prefixed = cands[i];
			nprefixed++;
		}
		if ((lw > lc ? lw - lc : lc - lw) > SUGGEST_MAX_DIST)
			continue;
		d = distance(word, lw, cands[i], lc);
		if (d < bestd && 2 * d <= lw) {
			bestd = d;
			best = cands[i];
		}
	}
	if (best != NULL)
		return best;
	return nprefixed == 1 ? prefixed : NULL;
}
