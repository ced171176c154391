/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy_lex.c - the bytes of a policy file.
 *
 * This is the one place policy bytes enter: every line is length-checked
 * and checked for NUL bytes, invalid UTF-8 and control characters before
 * it is split into tokens, and its tokens must be ASCII; a line that fails
 * is reported and skipped.
 * Also the value syntaxes shared by the keyword handlers: DURATION, SIZE,
 * decimal numbers and names.
 */
#include <stdio.h>
#include <string.h>

#include "policy_int.h"

/* Decode one UTF-8 sequence; returns its length, 0 when invalid (RFC 3629). */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1fu;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0fu;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* UTF-16 surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07u;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		v = (v << 6) | (s[i] & 0x3fu);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return n;
}

/*
 * Characters refused anywhere in a line, comments included: C0 and C1
 * controls except TAB, DEL, and the bidirectional overrides that can make
 * a line read differently from what it is.
 */
static bool is_control(uint32_t cp)
{
	if (cp == '\t')
		return false;
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Is the line acceptable?  Reports the first problem and returns false. */
static bool line_ok(struct nbgp *ps, const struct nbg_origin *o, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	struct nbg_diag_entry *e;
	const char *nul;
	uint32_t cp = 0;
	size_t i, n;

	if (len > NBG_LINE_MAX) {
		nbgp_error(ps, o, "line is too long (%zu bytes; at most %d)", len, NBG_LINE_MAX);
		return false;
	}
	if ((nul = memchr(s, '\0', len)) != NULL) {
		nbgp_error(ps, o, "line contains a NUL byte (column %zu)", (size_t)(nul - s) + 1);
		return false;
	}
	for (i = 0; i < len; i += n) {
		if ((n = utf8_decode(u + i, len - i, &cp)) == 0) {
			nbgp_error(ps, o, "line is not valid UTF-8 (byte 0x%02x at column %zu)",
			    u[i], i + 1);
			return false;
		}
		if (!is_control(cp))
			continue;
		e = nbgp_error(ps, o, "line contains control character U+%04X (column %zu)",
		    (unsigned)cp, i + 1);
		if (cp == '\r' && i + 1 == len)
			nbgp_hint(ps, e, "the file has DOS line endings; convert it with dos2unix");
		return false;
	}
	return true;
}

/* Split LINE in place at spaces and tabs; a token starting with '#' ends it. */
static size_t tokenize(char *s, char **tok, size_t max)
{
	size_t n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#' || n == max)
			break;
		tok[n++] = s;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
		if (*s == '\0')
			break;
		*s++ = '\0';
	}
	return n;
}

/*
 * Keywords and values are ASCII, so no invisible or look-alike character
 * can hide in a path, URL or name; other UTF-8 may appear in comments.
 */
static bool tokens_ascii(struct nbgp *ps, const struct nbg_origin *o, size_t ntok)
{
	struct nbg_diag_entry *e;
	const char *c;
	size_t i;

	for (i = 0; i < ntok; i++) {
		for (c = ps->tok[i]; *c != '\0'; c++) {
			if ((unsigned char)*c < 0x80)
				continue;
			e = nbgp_error(ps, o, "non-ASCII character outside a comment (column %zu)",
			    (size_t)(c - ps->line) + 1);
			if (o->line == 1 && c == ps->line && strncmp(c, "\xef\xbb\xbf", 3) == 0)
				nbgp_hint(ps, e, "the file starts with a byte order mark; save it "
				    "without one");
			else
				nbgp_hint(ps, e, "keywords and values are ASCII; other characters "
				    "may appear in comments only");
			return false;
		}
	}
	return true;
}

void nbgp_parse_text(struct nbgp *ps, const char *file, const char *buf, size_t len)
{
	struct nbg_origin o = { file, 0 };
	const char *s = buf, *end = buf + len, *nl;
	size_t linelen, ntok;

	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		linelen = nl != NULL ? (size_t)(nl - s) : (size_t)(end - s);
		o.line++;
		if (line_ok(ps, &o, s, linelen)) {
			memcpy(ps->line, s, linelen);
			ps->line[linelen] = '\0';
			ntok = tokenize(ps->line, ps->tok, NBG_TOKENS_MAX);
			if (ntok > 0 && tokens_ascii(ps, &o, ntok))
				nbgp_keyword(ps, &o, ps->tok, ntok);
		}
		s += linelen + (nl != NULL ? 1 : 0);
	}
}

/* Decimal digits into a uint64_t no larger than max; the rest of s in *end. */
static int parse_decimal(const char *s, uint64_t max, uint64_t *out, const char **end)
{
	uint64_t v = 0, d;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		d = (uint64_t)(*p - '0');
		if (v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (p == s)
		return -1;
	*out = v;
	*end = p;
	return 0;
}

int nbg_parse_duration(const char *s, int64_t *out)
{
	uint64_t v, mult;
	const char *unit;

	if (s == NULL || out == NULL || parse_decimal(s, INT64_MAX, &v, &unit) != 0)
		return -1;
	switch (unit[0]) {
	case '\0':
	case 's':
		mult = 1;
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	case 'w':
		mult = 604800;
		break;
	default:
		return -1;
	}
	if (unit[0] != '\0' && unit[1] != '\0')
		return -1;
	if (v > (uint64_t)INT64_MAX / mult)
		return -1;
	*out = (int64_t)(v * mult);
	return 0;
}

int nbg_parse_size(const char *s, uint64_t *out)
{
	uint64_t v;
	const char *unit;
	unsigned shift;

	if (s == NULL || out == NULL || parse_decimal(s, UINT64_MAX, &v, &unit) != 0)
		return -1;
	switch (unit[0]) {
	case '\0':
		shift = 0;
		break;
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	default:
		return -1;
	}
	if (unit[0] != '\0' && unit[1] != '\0')
		return -1;
	if (v > (UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

int nbgp_parse_u32(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 10)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Role, capability and access path names: [a-z][a-z0-9_-]{0,31}. */
bool nbgp_valid_name(const char *s)
{
	size_t i;

	if (s == NULL || !is_lower(s[0]))
		return false;
	for (i = 1; s[i] != '\0'; i++) {
		if (i >= NBG_NAME_MAX)
			return false;
		if (!is_lower(s[i]) && !is_digit(s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	}
	return true;
}

/* Fabric ids and PAM service names: [A-Za-z0-9._-]{1,max}. */
bool nbgp_valid_ident(const char *s, size_t max)
{
	size_t i;
	char c;

	if (s == NULL || s[0] == '\0')
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= max)
			return false;
		c = s[i];
		if (!is_lower(c) && !(c >= 'A' && c <= 'Z') && !is_digit(c) &&
		    c != '.' && c != '_' && c != '-')
			return false;
	}
	return true;
}

bool nbg_valid_username(const char *s)
{
	size_t len, i;
	char c;

	if (s == NULL)
		return false;
	len = strnlen(s, NBG_USER_MAX + 1);
	if (len == 0 || len > NBG_USER_MAX)
		return false;
	for (i = 0; i < len; i++) {
		c = s[i];
		if (i == 0) {
			if (!is_lower(c) && c != '_')
				return false;
		} else if (c == '$') {
			if (i != len - 1)
				return false;
		} else if (!is_lower(c) && !is_digit(c) && c != '_' && c != '.' && c != '-')
			return false;
	}
	return true;
}

/* "365d", "5m", "90s": the largest unit that divides the value. */
const char *nbgp_fmt_duration(int64_t secs, char *buf, size_t len)
{
	static const struct {
		int64_t mult;
		char unit;
	} units[] = {
		{ 604800, 'w' }, { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (secs != 0 && secs % units[i].mult == 0) {
			snprintf(buf, len, "%lld%c", (long long)(secs / units[i].mult),
			    units[i].unit);
			return buf;
		}
	}
	snprintf(buf, len, "%llds", (long long)secs);
	return buf;
}

/* "64M", "512K", "1000": the largest binary unit that divides the value. */
const char *nbgp_fmt_size(uint64_t bytes, char *buf, size_t len)
{
	static const struct {
		unsigned shift;
		char unit;
	} units[] = {
		{ 30, 'G' }, { 20, 'M' }, { 10, 'K' },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (bytes != 0 && (bytes & ((1ull << units[i].shift) - 1)) == 0) {
			snprintf(buf, len, "%llu%c",
			    (unsigned long long)(bytes >> units[i].shift), units[i].unit);
			return buf;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)bytes);
	return buf;
}
