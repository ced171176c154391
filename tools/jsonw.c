/* SPDX-License-Identifier: BSD-2-Clause */
/* jsonw.c - the few JSON values the nexusbg front prints (see jsonw.h). */
#include <inttypes.h>

#include "jsonw.h"

void nbg_json_quote(FILE *f, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	fputc('"', f);
	for (const unsigned char *c = (const unsigned char *)(s != NULL ? s : ""); *c != '\0'; c++) {
		switch (*c) {
		case '\b': fputs("\\b", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		case '\f': fputs("\\f", f); break;
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		default:
			if (*c < 0x20)
				fprintf(f, "\\u00%c%c", hex[*c >> 4], hex[*c & 0x0f]);
			else
				fputc(*c, f);
		}
	}
	fputc('"', f);
}

void nbg_jsonw_begin(struct nbg_jsonw *w, FILE *f)
{
	w->f = f;
	w->members = 0;
	fputc('{', f);
}

static void key(struct nbg_jsonw *w, const char *k)
{
	fputs(w->members++ > 0 ? ",\n  " : "\n  ", w->f);
	nbg_json_quote(w->f, k);
	fputc(':', w->f);
}

void nbg_jsonw_string(struct nbg_jsonw *w, const char *k, const char *value)
{
	key(w, k);
	nbg_json_quote(w->f, value);
}

void nbg_jsonw_bool(struct nbg_jsonw *w, const char *k, bool value)
{
	key(w, k);
	fputs(value ? "true" : "false", w->f);
}

void nbg_jsonw_int(struct nbg_jsonw *w, const char *k, int64_t value)
{
	key(w, k);
	fprintf(w->f, "%" PRId64, value);
}

void nbg_jsonw_strings(struct nbg_jsonw *w, const char *k, size_t n,
    const char *(*item)(size_t i, const void *ctx), const void *ctx)
{
	key(w, k);
	fputc('[', w->f);
	for (size_t i = 0; i < n; i++) {
		fputs(i > 0 ? ",\n    " : "\n    ", w->f);
		nbg_json_quote(w->f, item(i, ctx));
	}
	fputs("\n  ]", w->f);
}

void nbg_jsonw_end(struct nbg_jsonw *w)
{
	fputs("\n}\n", w->f);
}
