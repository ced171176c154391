/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * roledoc.c - the strict loader of the JSON role document.
 *
 * One pass over the bytes the control plane sent, with two layers:
 *
 * 1. The lexer (scan_*) reads the text against the JSON grammar (RFC 8259)
 *    and refuses what json-c would let through: NUL bytes and \u0000,
 *    invalid UTF-8 and unpaired surrogates, duplicate member names in any
 *    object (json-c keeps the last one silently), nesting deeper than
 *    NBG_DOC_MAX_DEPTH, and anything after the value.  Its state is bounded
 *    (a frame per level, at most SCAN_MEMBERS_MAX names of at most
 *    SCAN_NAME_MAX bytes per object), so it is linear in the size of the
 *    document.  It records where the top-level members lie, hashes the
 *    bytes it has passed and, for a mapped file, gives their pages back.
 *
 * 2. As soon as the lexer has closed an element of "users", json-c parses
 *    that user on its own and the user is checked against the schema
 *    (policy/roles.schema.json) and handed to the image writer (rtimage.h),
 *    which streams it out.  The top-level members are checked when the
 *    lexer is done.  Memory stays small whatever the number of users.
 *
 * Every error names the JSON path of the first problem found:
 * "users[3].keys[1]: key type ssh-ed25519 is not a FIDO2 security key".
 * Errors about the text come first: a user refused for its values only
 * stops the compiling, the lexer goes on to the end, and its error, if
 * any, is the one reported; then the top-level members, then the user.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "roletable.h"
#include "rtimage.h"
#include "sha256.h"
#include "sshkey.h"

/* Bounds of the lexical pass; every valid document is far inside them. */
#define SCAN_NAME_MAX		64	/* bytes of a member name */
#define SCAN_MEMBERS_MAX	16	/* members of one object (the schema has 7) */
#define SCAN_NUMBER_MAX		64	/* characters of a number */

#define SERIAL_MAX		9007199254740991LL	/* 2^53 - 1 */
#define TIME_TEXT_MAX		64
#define SHOWN_MAX		48	/* bytes of a value echoed in a message */
#define NAME_TEXT_MAX		256	/* a login or role longer than this is not read */
#define SCAN_STEP		(1024u * 1024)	/* bytes hashed and released at a time */

enum kind { K_OBJECT, K_ARRAY, K_STRING, K_NUMBER, K_TRUE, K_FALSE, K_NULL };

struct span {
	size_t off, len;
	enum kind kind;
};

struct member {
	char name[SCAN_NAME_MAX + 1];
	struct span val;
};

struct frame {
	bool is_object;
	bool active;		/* inside a member's value / an element */
	size_t count;		/* members or elements completed */
	char member[SCAN_NAME_MAX + 1];	/* current member (objects) */
	char names[SCAN_MEMBERS_MAX][SCAN_NAME_MAX + 1];
};

/* Called with each element of "users" as soon as it is closed: 0 go on, -1 stop. */
typedef int scan_user_fn(void *arg, uint32_t index, const struct span *sp);

struct scan {
	const char *s;
	size_t len, pos;
	struct frame frames[NBG_DOC_MAX_DEPTH];
	size_t depth;		/* frames in use */
	struct member root[SCAN_MEMBERS_MAX];
	size_t nroot;
	uint32_t nusers;	/* elements of the top-level "users" array */
	scan_user_fn *on_user;
	void *arg;
	struct nbg_sha256_ctx sha;	/* of s[0, hashed) */
	size_t hashed;
	bool release;		/* s is a read-only file mapping: give pages back */
	size_t released;	/* s[0, released) given back, a multiple of the page */
	size_t page;
	char *err;
};

static void sanitize(char *dst, size_t dstlen, const char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (o + 4 >= dstlen) {
			memcpy(dst + o, "...", 3);
			o += 3;
			break;
		}
		dst[o++] = (s[i] >= 0x20 && s[i] <= 0x7e && s[i] != '"' && s[i] != '\\') ?
		    s[i] : '?';
	}
	dst[o] = '\0';
}

static void seterr(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void seterr(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, NBG_ERR_LEN, fmt, ap);
	va_end(ap);
}

/* ===================================================================== */
/* UTF-8                                                                  */
/* ===================================================================== */

/* Length of the well-formed UTF-8 sequence at p (RFC 3629), or 0. */
static size_t utf8_seq(const uint8_t *p, size_t left, uint32_t *cp)
{
	uint8_t c = p[0], lo = 0x80, hi = 0xbf;
	size_t n;
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
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;	/* no UTF-16 surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07u;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;	/* nothing above U+10FFFF */
	} else {
		return 0;
	}
	if (left < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if (i > 1 && (p[i] < 0x80 || p[i] > 0xbf))
			return 0;
		v = v << 6 | (p[i] & 0x3fu);
	}
	*cp = v;
	return n;
}

static size_t utf8_put(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* ===================================================================== */
/* Pass 1: the lexical scan                                               */
/* ===================================================================== */

/* "users[3].keys[1]", or "(document)" at the top. */
static void scan_path(const struct scan *sc, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sc->depth && o < len; i++) {
		const struct frame *f = &sc->frames[i];
		char shown[SHOWN_MAX];
		int n;

		if (!f->active)
			break;
		if (f->is_object) {
			sanitize(shown, sizeof(shown), f->member, strlen(f->member));
			n = snprintf(buf + o, len - o, "%s%s", o == 0 ? "" : ".", shown);
		} else {
			n = snprintf(buf + o, len - o, "[%zu]", f->count);
		}
		if (n < 0)
			break;
		o += (size_t)n;
	}
	if (buf[0] == '\0')
		snprintf(buf, len, "(document)");
}

static int scan_fail(struct scan *sc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int scan_fail(struct scan *sc, const char *fmt, ...)
{
	char path[128], msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	scan_path(sc, path, sizeof(path));
	seterr(sc->err, "%s: %s", path, msg);
	return -1;
}

static void scan_ws(struct scan *sc)
{
	while (sc->pos < sc->len) {
		char c = sc->s[sc->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		sc->pos++;
	}
}

static int scan_unexpected(struct scan *sc, const char *wanted)
{
	unsigned char c;

	if (sc->pos >= sc->len)
		return scan_fail(sc, "unexpected end of the document (expected %s)", wanted);
	c = (unsigned char)sc->s[sc->pos];
	if (c == '\0')
		return scan_fail(sc, "NUL byte at byte %zu", sc->pos);
	if (c >= 0x21 && c <= 0x7e)
		return scan_fail(sc, "unexpected '%c' at byte %zu (expected %s)", c, sc->pos,
		    wanted);
	return scan_fail(sc, "unexpected byte 0x%02x at byte %zu (expected %s)", c, sc->pos,
	    wanted);
}

static int hex4(const char *p, uint32_t *v)
{
	*v = 0;
	for (size_t i = 0; i < 4; i++) {
		char c = p[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

/* A \uXXXX escape (and its low surrogate) at pos, just after the 'u'. */
static int scan_unicode_escape(struct scan *sc, uint32_t *cp)
{
	uint32_t hi, lo;

	if (sc->len - sc->pos < 4 || hex4(sc->s + sc->pos, &hi) != 0)
		return scan_fail(sc, "bad \\u escape at byte %zu", sc->pos);
	sc->pos += 4;
	if (hi == 0)
		return scan_fail(sc, "NUL character (\\u0000) in a string");
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return scan_fail(sc, "unpaired UTF-16 surrogate at byte %zu", sc->pos - 6);
	if (hi >= 0xd800 && hi <= 0xdbff) {
		if (sc->len - sc->pos < 6 || sc->s[sc->pos] != '\\' ||
		    sc->s[sc->pos + 1] != 'u' || hex4(sc->s + sc->pos + 2, &lo) != 0 ||
		    lo < 0xdc00 || lo > 0xdfff)
			return scan_fail(sc, "unpaired UTF-16 surrogate at byte %zu",
			    sc->pos - 6);
		sc->pos += 6;
		hi = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	}
	*cp = hi;
	return 0;
}

/*
 * A string at pos (on its opening quote).  When out is given, the decoded
 * bytes go there (at most outmax, NUL-terminated): used for member names.
 */
static int scan_string(struct scan *sc, char *out, size_t outmax)
{
	size_t o = 0;

	sc->pos++;
	for (;;) {
		char enc[4];
		size_t n = 0;
		uint32_t cp = 0;
		unsigned char c;

		/* Plain printable ASCII needs no decoding unless it is kept. */
		if (out == NULL) {
			while (sc->pos < sc->len) {
				c = (unsigned char)sc->s[sc->pos];
				if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
					break;
				sc->pos++;
			}
		}
		if (sc->pos >= sc->len)
			return scan_fail(sc, "unterminated string");
		c = (unsigned char)sc->s[sc->pos];
		if (c == '"') {
			sc->pos++;
			break;
		}
		if (c == '\\') {
			if (sc->len - sc->pos < 2)
				return scan_fail(sc, "unterminated string");
			c = (unsigned char)sc->s[sc->pos + 1];
			sc->pos += 2;
			switch (c) {
			case '"': case '\\': case '/':
				enc[0] = (char)c;
				break;
			case 'b': enc[0] = '\b'; break;
			case 'f': enc[0] = '\f'; break;
			case 'n': enc[0] = '\n'; break;
			case 'r': enc[0] = '\r'; break;
			case 't': enc[0] = '\t'; break;
			case 'u':
				if (scan_unicode_escape(sc, &cp) != 0)
					return -1;
				n = utf8_put(cp, enc);
				break;
			default:
				return scan_fail(sc, "bad escape at byte %zu", sc->pos - 2);
			}
			if (n == 0)
				n = 1;
		} else if (c < 0x20) {
			return c == 0 ? scan_fail(sc, "NUL byte at byte %zu", sc->pos) :
			    scan_fail(sc, "unescaped control character at byte %zu", sc->pos);
		} else {
			n = utf8_seq((const uint8_t *)sc->s + sc->pos, sc->len - sc->pos, &cp);
			if (n == 0)
				return scan_fail(sc, "invalid UTF-8 at byte %zu", sc->pos);
			memcpy(enc, sc->s + sc->pos, n);
			sc->pos += n;
		}
		if (out != NULL) {
			if (n > outmax - o)
				return scan_fail(sc, "member name longer than %d bytes",
				    SCAN_NAME_MAX);
			memcpy(out + o, enc, n);
			o += n;
		}
	}
	if (out != NULL)
		out[o] = '\0';
	return 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int scan_digits(struct scan *sc)
{
	size_t start = sc->pos;

	while (sc->pos < sc->len && is_digit(sc->s[sc->pos]))
		sc->pos++;
	return sc->pos > start ? 0 : scan_unexpected(sc, "a digit");
}

static int scan_number(struct scan *sc)
{
	size_t start = sc->pos;

	if (sc->s[sc->pos] == '-')
		sc->pos++;
	if (sc->pos < sc->len && sc->s[sc->pos] == '0')
		sc->pos++;
	else if (scan_digits(sc) != 0)
		return -1;
	if (sc->pos < sc->len && sc->s[sc->pos] == '.') {
		sc->pos++;
		if (scan_digits(sc) != 0)
			return -1;
	}
	if (sc->pos < sc->len && (sc->s[sc->pos] == 'e' || sc->s[sc->pos] == 'E')) {
		sc->pos++;
		if (sc->pos < sc->len && (sc->s[sc->pos] == '+' || sc->s[sc->pos] == '-'))
			sc->pos++;
		if (scan_digits(sc) != 0)
			return -1;
	}
	if (sc->pos - start > SCAN_NUMBER_MAX)
		return scan_fail(sc, "number longer than %d characters", SCAN_NUMBER_MAX);
	return 0;
}

static int scan_literal(struct scan *sc, const char *lit)
{
	size_t n = strlen(lit);

	if (sc->len - sc->pos < n || memcmp(sc->s + sc->pos, lit, n) != 0)
		return scan_unexpected(sc, "a JSON value");
	sc->pos += n;
	return 0;
}

static int scan_value(struct scan *sc, struct span *sp);

/* Enter a container: a new frame, refused past the depth limit. */
static struct frame *scan_push(struct scan *sc, bool is_object)
{
	struct frame *f;

	if (sc->depth >= NBG_DOC_MAX_DEPTH) {
		scan_fail(sc, "nesting deeper than %d levels", NBG_DOC_MAX_DEPTH);
		return NULL;
	}
	f = &sc->frames[sc->depth++];
	f->is_object = is_object;
	f->active = false;
	f->count = 0;
	f->member[0] = '\0';
	return f;
}

static int scan_member_name(struct scan *sc, struct frame *f)
{
	char name[SCAN_NAME_MAX + 1];
	char shown[SHOWN_MAX];

	if (sc->pos >= sc->len || sc->s[sc->pos] != '"')
		return scan_unexpected(sc, "a member name");
	if (scan_string(sc, name, SCAN_NAME_MAX) != 0)
		return -1;
	for (size_t i = 0; i < f->count; i++) {
		if (strcmp(f->names[i], name) == 0) {
			sanitize(shown, sizeof(shown), name, strlen(name));
			return scan_fail(sc, "duplicate member \"%s\"", shown);
		}
	}
	if (f->count >= SCAN_MEMBERS_MAX)
		return scan_fail(sc, "more than %d members in one object", SCAN_MEMBERS_MAX);
	memcpy(f->names[f->count], name, sizeof(name));
	memcpy(f->member, name, sizeof(name));
	return 0;
}

/* Hash what the lexer has passed, and give its pages back, a step at a time. */
static void scan_advance(struct scan *sc, bool all)
{
	size_t upto = all ? sc->len : sc->pos;

	if (upto - sc->hashed < (all ? 1 : SCAN_STEP))
		return;
	nbg_sha256_update(&sc->sha, sc->s + sc->hashed, upto - sc->hashed);
	sc->hashed = upto;
	if (sc->release && upto / sc->page * sc->page > sc->released) {
		size_t to = upto / sc->page * sc->page;

		/* A read-only file mapping: the pages come back from the file if read again. */
		(void)madvise((void *)(uintptr_t)(sc->s + sc->released), to - sc->released,
		    MADV_DONTNEED);
		sc->released = to;
	}
}

static int scan_object(struct scan *sc)
{
	struct frame *f;

	if ((f = scan_push(sc, true)) == NULL)
		return -1;
	sc->pos++;
	scan_ws(sc);
	if (sc->pos < sc->len && sc->s[sc->pos] == '}') {
		sc->pos++;
		sc->depth--;
		return 0;
	}
	for (;;) {
		struct span v;

		scan_ws(sc);
		if (scan_member_name(sc, f) != 0)
			return -1;
		scan_ws(sc);
		if (sc->pos >= sc->len || sc->s[sc->pos] != ':')
			return scan_unexpected(sc, "':'");
		sc->pos++;
		scan_ws(sc);
		f->active = true;
		if (scan_value(sc, &v) != 0)
			return -1;
		f->active = false;
		if (sc->depth == 1) {
			memcpy(sc->root[sc->nroot].name, f->member, sizeof(f->member));
			sc->root[sc->nroot++].val = v;
		}
		f->count++;
		scan_advance(sc, false);
		scan_ws(sc);
		if (sc->pos < sc->len && sc->s[sc->pos] == ',') {
			sc->pos++;
			continue;
		}
		if (sc->pos < sc->len && sc->s[sc->pos] == '}') {
			sc->pos++;
			sc->depth--;
			return 0;
		}
		return scan_unexpected(sc, "',' or '}'");
	}
}

/* Is the array being scanned the top-level "users"? */
static bool scanning_users(const struct scan *sc)
{
	return sc->depth == 2 && sc->frames[0].is_object &&
	    strcmp(sc->frames[0].member, "users") == 0;
}

static int scan_record_user(struct scan *sc, const struct span *v)
{
	if (sc->nusers >= NBG_DOC_MAX_USERS)
		return scan_fail(sc, "more than %u users", NBG_DOC_MAX_USERS);
	if (sc->on_user != NULL && sc->on_user(sc->arg, sc->nusers, v) != 0)
		return -1;
	sc->nusers++;
	return 0;
}

static int scan_array(struct scan *sc)
{
	struct frame *f;

	if ((f = scan_push(sc, false)) == NULL)
		return -1;
	sc->pos++;
	scan_ws(sc);
	if (sc->pos < sc->len && sc->s[sc->pos] == ']') {
		sc->pos++;
		sc->depth--;
		return 0;
	}
	for (;;) {
		struct span v;

		scan_ws(sc);
		f->active = true;
		if (scan_value(sc, &v) != 0)
			return -1;
		if (scanning_users(sc) && scan_record_user(sc, &v) != 0)
			return -1;
		f->active = false;
		f->count++;
		scan_advance(sc, false);
		scan_ws(sc);
		if (sc->pos < sc->len && sc->s[sc->pos] == ',') {
			sc->pos++;
			continue;
		}
		if (sc->pos < sc->len && sc->s[sc->pos] == ']') {
			sc->pos++;
			sc->depth--;
			return 0;
		}
		return scan_unexpected(sc, "',' or ']'");
	}
}

static int scan_value(struct scan *sc, struct span *sp)
{
	int r;

	if (sc->pos >= sc->len)
		return scan_unexpected(sc, "a JSON value");
	sp->off = sc->pos;
	switch (sc->s[sc->pos]) {
	case '{':
		sp->kind = K_OBJECT;
		r = scan_object(sc);
		break;
	case '[':
		sp->kind = K_ARRAY;
		r = scan_array(sc);
		break;
	case '"':
		sp->kind = K_STRING;
		r = scan_string(sc, NULL, 0);
		break;
	case 't':
		sp->kind = K_TRUE;
		r = scan_literal(sc, "true");
		break;
	case 'f':
		sp->kind = K_FALSE;
		r = scan_literal(sc, "false");
		break;
	case 'n':
		sp->kind = K_NULL;
		r = scan_literal(sc, "null");
		break;
	default:
		if (sc->s[sc->pos] != '-' && !is_digit(sc->s[sc->pos]))
			return scan_unexpected(sc, "a JSON value");
		sp->kind = K_NUMBER;
		r = scan_number(sc);
		break;
	}
	sp->len = sc->pos - sp->off;
	return r;
}

static int scan_document(struct scan *sc)
{
	struct span root;

	scan_ws(sc);
	if (sc->pos >= sc->len)
		return scan_fail(sc, "the document is empty");
	if (sc->s[sc->pos] != '{')
		return scan_fail(sc, "the document must be a JSON object");
	if (scan_value(sc, &root) != 0)
		return -1;
	scan_ws(sc);
	if (sc->pos != sc->len)
		return scan_fail(sc, "trailing data after the JSON value (byte %zu)", sc->pos);
	scan_advance(sc, true);
	return 0;
}

/* ===================================================================== */
/* Pass 2: the schema                                                     */
/* ===================================================================== */

/*
 * The logins seen so far: each user's login in one growing buffer, with
 * its hash, and an open-addressing table (never more than half full) of
 * user indexes tagged with the high half of the hash, so that a probe
 * rarely has to look at a login.  About 28 bytes per user.
 */
struct logins {
	char *text;		/* the logins, each followed by a NUL */
	size_t len, cap;
	uint32_t *at;		/* per user: where its login starts in text */
	uint64_t *hash;		/* per user: FNV-1a 64 of its login */
	size_t n, ncap;
	uint64_t *slot;		/* tag << 32 | user index + 1; 0 = empty */
	size_t nslots;		/* a power of two */
};

/*
 * The keys seen so far, by the SHA-256 of their blob (which is uniformly
 * distributed, so its first bytes are the hash), with the user that
 * registered each.  About 68 bytes per key.
 */
struct keyset {
	uint8_t (*digest)[32];
	uint32_t *user;
	size_t n, cap;
	uint64_t *slot;		/* tag << 32 | key number + 1; 0 = empty */
	size_t nslots;		/* a power of two */
};

static uint64_t fnv1a64(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t digest_hash(const uint8_t d[32])
{
	uint64_t h = 0;

	for (size_t i = 0; i < 8; i++)
		h = h << 8 | d[i];
	return h;
}

static uint64_t slot_of(uint64_t hash, size_t entry)
{
	return (hash >> 32) << 32 | (uint64_t)(entry + 1);
}

/*
 * A table of at least twice as many slots, and enough for twice WANT
 * entries, every entry placed again: 0 or -1.
 */
static int rehash(uint64_t **slot, size_t *nslots, size_t n, size_t want,
    uint64_t (*hash)(void *, size_t), void *arg)
{
	size_t ns = *nslots != 0 ? *nslots * 2 : 1024;
	uint64_t *v;

	while (ns < want && ns <= SIZE_MAX / 4)
		ns *= 2;

	if ((v = calloc(ns, sizeof(*v))) == NULL)
		return -1;
	for (size_t e = 0; e < n; e++) {
		uint64_t h = hash(arg, e);
		size_t i = (size_t)h & (ns - 1);

		while (v[i] != 0)
			i = (i + 1) & (ns - 1);
		v[i] = slot_of(h, e);
	}
	free(*slot);
	*slot = v;
	*nslots = ns;
	return 0;
}

static const char *login_of(const struct logins *l, uint32_t user)
{
	return l->text + l->at[user];
}

static uint64_t login_hash(void *arg, size_t user)
{
	return ((struct logins *)arg)->hash[user];
}

static uint64_t key_hash(void *arg, size_t k)
{
	return digest_hash(((struct keyset *)arg)->digest[k]);
}

static int grow(void **p, size_t *cap, size_t want, size_t size)
{
	size_t c = *cap != 0 ? *cap : 1024;
	void *v;

	while (c < want)
		c *= 2;
	if (c == *cap)
		return 0;
	if ((v = reallocarray(*p, c, size)) == NULL)
		return -1;
	*p = v;
	*cap = c;
	return 0;
}

/*
 * Add user n's login (users are added in order): 0 added, 1 taken by
 * *other, -1 out of memory.
 */
static int logins_add(struct logins *l, const char *s, size_t len, size_t expect,
    uint32_t *other)
{
	uint64_t h = fnv1a64(s, len);
	size_t i;

	if ((l->n + 1) * 2 > l->nslots &&
	    rehash(&l->slot, &l->nslots, l->n, 2 * expect, login_hash, l) != 0)
		return -1;
	for (i = (size_t)h & (l->nslots - 1); l->slot[i] != 0; i = (i + 1) & (l->nslots - 1)) {
		uint32_t u = (uint32_t)l->slot[i] - 1;

		if (l->slot[i] >> 32 == h >> 32 && l->hash[u] == h &&
		    strcmp(login_of(l, u), s) == 0) {
			*other = u;
			return 1;
		}
	}
	if (l->n == l->ncap) {
		size_t cap = l->ncap;

		if (grow((void **)&l->hash, &cap, l->n + 1, sizeof(*l->hash)) != 0 ||
		    grow((void **)&l->at, &l->ncap, l->n + 1, sizeof(*l->at)) != 0)
			return -1;
	}
	if (grow((void **)&l->text, &l->cap, l->len + len + 1, 1) != 0)
		return -1;
	memcpy(l->text + l->len, s, len + 1);
	l->at[l->n] = (uint32_t)l->len;
	l->hash[l->n] = h;
	l->len += len + 1;
	l->slot[i] = slot_of(h, l->n++);
	return 0;
}

/* 0 added for USER, 1 already registered to *other, -1 out of memory. */
static int keys_add(struct keyset *k, const uint8_t digest[32], uint32_t user, size_t expect,
    uint32_t *other)
{
	uint64_t h = digest_hash(digest);
	size_t i;

	if ((k->n + 1) * 2 > k->nslots &&
	    rehash(&k->slot, &k->nslots, k->n, 2 * expect, key_hash, k) != 0)
		return -1;
	for (i = (size_t)h & (k->nslots - 1); k->slot[i] != 0; i = (i + 1) & (k->nslots - 1)) {
		uint32_t e = (uint32_t)k->slot[i] - 1;

		if (k->slot[i] >> 32 == h >> 32 && memcmp(k->digest[e], digest, 32) == 0) {
			*other = k->user[e];
			return 1;
		}
	}
	if (k->n == k->cap) {
		size_t cap = k->cap;

		if (grow((void **)&k->digest, &cap, k->n + 1, sizeof(*k->digest)) != 0 ||
		    grow((void **)&k->user, &k->cap, k->n + 1, sizeof(*k->user)) != 0)
			return -1;
	}
	memcpy(k->digest[k->n], digest, 32);
	k->user[k->n] = user;
	k->slot[i] = slot_of(h, k->n++);
	return 0;
}

struct doc {
	const char *json;
	size_t len;
	const struct nbg_roledoc_opts *opts;
	struct scan *sc;
	struct json_tokener *tok;
	struct nbg_rtb *rtb;
	struct logins logins;
	struct keyset keys;
	char *err;		/* where fail() writes: the caller's, or uerr */
	char *caller_err;
	char uerr[NBG_ERR_LEN];	/* the first user refused, while the lexer goes on */
	bool user_failed;	/* stop compiling users; report uerr if nothing else */
	bool io_failed;		/* the image could not be written: uerr says why */
	char fabric[NBG_DOC_FABRIC_MAX + 1];
	uint64_t serial;
	int64_t generated_at;
};

static int fail(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * How many of something the whole document will hold, from the N+1 seen
 * in the part lexed so far (and an eighth more): the sets are sized for
 * it when they grow, so that they are rarely built again.
 */
static size_t expect(const struct doc *d, size_t n)
{
	size_t pos = d->sc->pos > 0 ? d->sc->pos : 1;

	return (n + 1) * (d->len / pos + 1) / 8 * 9;
}

static int fail(struct doc *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->err, NBG_ERR_LEN, fmt, ap);
	va_end(ap);
	return -1;
}

/* One value of the document, parsed by json-c on its own. */
static struct json_object *parse_span(struct doc *d, const struct span *sp, const char *path)
{
	struct json_object *o;
	size_t n = sp->len;

	/*
	 * json-c cannot tell where a number or literal ends until it sees the
	 * next byte; the grammar guarantees one follows ('}' at least).
	 */
	if (sp->kind != K_OBJECT && sp->kind != K_ARRAY && sp->kind != K_STRING &&
	    sp->off + n < d->len)
		n++;
	json_tokener_reset(d->tok);
	o = json_tokener_parse_ex(d->tok, d->json + sp->off, (int)n);
	if (json_tokener_get_error(d->tok) != json_tokener_success ||
	    json_tokener_get_parse_end(d->tok) < sp->len) {
		json_object_put(o);
		fail(d, "%s: JSON parser: %s", path,
		    json_tokener_error_desc(json_tokener_get_error(d->tok)));
		return NULL;
	}
	return o;
}

/* A string member: type, no NUL inside, at most max bytes. */
static int get_string(struct doc *d, struct json_object *v, const char *path, size_t max,
    const char **s, size_t *len)
{
	const char *p;
	int n, ret = -1;

	*s = NULL;
	*len = 0;
	if (v == NULL || !json_object_is_type(v, json_type_string)) {
		fail(d, "%s: must be a string", path);
		goto out;
	}
	p = json_object_get_string(v);
	n = json_object_get_string_len(v);
	if (p == NULL || n < 0 || strlen(p) != (size_t)n) {
		fail(d, "%s: contains a NUL character", path);
		goto out;
	}
	if ((size_t)n > max) {
		fail(d, "%s: longer than %zu bytes", path, max);
		goto out;
	}
	*s = p;
	*len = (size_t)n;
	ret = 0;
out:
	return ret;
}

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

/* Portable POSIX login name, as useradd: [a-z_][a-z0-9_.-]*[$]?, 1..32 bytes. */
static bool valid_login(const char *s, size_t len)
{
	if (len == 0 || len > NBG_RT_LOGIN_MAX || !(is_lower(s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < len; i++) {
		char c = s[i];

		if (c == '$' && i == len - 1)
			break;
		if (!is_lower(c) && !is_digit(c) && c != '_' && c != '.' && c != '-')
			return false;
	}
	return true;
}

/* ^[a-z][a-z0-9_-]{0,31}$ */
static bool valid_role(const char *s, size_t len)
{
	if (len == 0 || len > NBG_RT_ROLE_MAX || !is_lower(s[0]))
		return false;
	for (size_t i = 1; i < len; i++) {
		if (!is_lower(s[i]) && !is_digit(s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	}
	return true;
}

/* [A-Za-z0-9._-]{1,64} */
static bool valid_fabric(const char *s, size_t len)
{
	if (len == 0 || len > NBG_DOC_FABRIC_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!is_lower(c) && !(c >= 'A' && c <= 'Z') && !is_digit(c) && c != '.' &&
		    c != '_' && c != '-')
			return false;
	}
	return true;
}

/* Valid UTF-8 without C0, DEL or C1 control characters. */
static bool valid_display(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint32_t cp = 0;
		size_t n = utf8_seq((const uint8_t *)s + i, len - i, &cp);

		if (n == 0 || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return false;
		i += n;
	}
	return true;
}

/* --- RFC 3339 timestamps ----------------------------------------------- */

static int num(const char *s, size_t n, int *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/*
 * "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" (RFC 3339 section 5.6,
 * upper-case T and Z, no leap second).  Fractions are truncated.
 */
static int parse_time(const char *s, size_t len, int64_t *out, const char **why)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	size_t i = 19;
	struct tm tm;
	time_t t;

	*why = "not of the form YYYY-MM-DDTHH:MM:SSZ";
	if (len < 19 || num(s, 4, &y) != 0 || s[4] != '-' || num(s + 5, 2, &mo) != 0 ||
	    s[7] != '-' || num(s + 8, 2, &d) != 0 || s[10] != 'T' ||
	    num(s + 11, 2, &h) != 0 || s[13] != ':' || num(s + 14, 2, &mi) != 0 ||
	    s[16] != ':' || num(s + 17, 2, &sec) != 0)
		return -1;
	if (i < len && s[i] == '.') {
		size_t start = ++i;

		while (i < len && is_digit(s[i]))
			i++;
		if (i == start || i - start > 9) {
			*why = "fractional seconds must have 1 to 9 digits";
			return -1;
		}
	}
	if (i < len && s[i] == 'Z') {
		i++;
	} else if (i < len && (s[i] == '+' || s[i] == '-')) {
		sign = s[i] == '+' ? 1 : -1;
		if (len - i != 6 || num(s + i + 1, 2, &oh) != 0 || s[i + 3] != ':' ||
		    num(s + i + 4, 2, &om) != 0)
			return -1;
		i += 6;
	} else {
		*why = "missing the time zone (Z or +HH:MM)";
		return -1;
	}
	if (i != len)
		return -1;
	if (mo < 1 || mo > 12)
		*why = "month out of range";
	else if (d < 1 || d > days_in_month(y, mo))
		*why = "day out of range for the month";
	else if (h > 23)
		*why = "hour out of range";
	else if (mi > 59)
		*why = "minute out of range";
	else if (sec > 59)
		*why = "second out of range";
	else if (oh > 23 || om > 59)
		*why = "time zone offset out of range";
	else
		*why = NULL;
	if (*why != NULL)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	errno = 0;
	t = timegm(&tm);
	if (t == (time_t)-1 && errno != 0) {
		*why = "not representable on this system";
		return -1;
	}
	*out = (int64_t)t - sign * (int64_t)(oh * 3600 + om * 60);
	return 0;
}

static int get_time(struct doc *d, struct json_object *v, const char *path, int64_t *out)
{
	const char *s, *why;
	char shown[SHOWN_MAX];
	size_t len;

	if (get_string(d, v, path, TIME_TEXT_MAX, &s, &len) != 0)
		return -1;
	if (parse_time(s, len, out, &why) != 0) {
		sanitize(shown, sizeof(shown), s, len);
		return fail(d, "%s: \"%s\" is not an RFC 3339 timestamp: %s", path, shown, why);
	}
	return 0;
}

/* --- top-level members ------------------------------------------------- */

static const char *const root_names[] = {
	"format_version", "fabric", "serial", "generated_at", "users",
};
enum { R_VERSION, R_FABRIC, R_SERIAL, R_GENERATED, R_USERS, R__COUNT };

/* Is an integer written without fraction or exponent (json-c clamps it)? */
static bool span_is_integer(const struct doc *d, const struct span *sp)
{
	for (size_t i = 0; i < sp->len; i++) {
		char c = d->json[sp->off + i];

		if (c == '.' || c == 'e' || c == 'E')
			return false;
	}
	return sp->kind == K_NUMBER;
}

static int check_version(struct doc *d, const struct span *sp)
{
	struct json_object *o;
	int64_t v;
	int ret = -1;

	if (sp->kind != K_NUMBER || !span_is_integer(d, sp))
		return fail(d, "format_version: must be an integer");
	if ((o = parse_span(d, sp, "format_version")) == NULL)
		return -1;
	v = json_object_get_int64(o);
	if (!json_object_is_type(o, json_type_int) || v != NBG_DOC_VERSION) {
		fail(d, "format_version: unsupported version %lld (this loader reads %d)",
		    (long long)v, NBG_DOC_VERSION);
		goto out;
	}
	ret = 0;
out:
	json_object_put(o);
	return ret;
}

static int check_fabric(struct doc *d, const struct span *sp)
{
	struct json_object *o;
	const char *s;
	char shown[SHOWN_MAX], want[SHOWN_MAX];
	size_t len;
	int ret = -1;

	if (sp->kind != K_STRING)
		return fail(d, "fabric: must be a string");
	if ((o = parse_span(d, sp, "fabric")) == NULL)
		return -1;
	if (get_string(d, o, "fabric", NBG_DOC_FABRIC_MAX, &s, &len) != 0)
		goto out;
	if (!valid_fabric(s, len)) {
		sanitize(shown, sizeof(shown), s, len);
		fail(d, "fabric: \"%s\" is not a fabric name (1 to %d of A-Z a-z 0-9 . _ -)",
		    shown, NBG_DOC_FABRIC_MAX);
		goto out;
	}
	if (d->opts->expect_fabric != NULL && strcmp(d->opts->expect_fabric, s) != 0) {
		sanitize(shown, sizeof(shown), s, len);
		sanitize(want, sizeof(want), d->opts->expect_fabric,
		    strlen(d->opts->expect_fabric));
		fail(d, "fabric: document is for fabric %s, this device is in %s", shown, want);
		goto out;
	}
	memcpy(d->fabric, s, len + 1);
	ret = 0;
out:
	json_object_put(o);
	return ret;
}

static int check_serial(struct doc *d, const struct span *sp)
{
	struct json_object *o;
	int64_t v;
	int ret = -1;

	if (sp->kind != K_NUMBER || !span_is_integer(d, sp))
		return fail(d, "serial: must be an integer");
	if ((o = parse_span(d, sp, "serial")) == NULL)
		return -1;
	v = json_object_get_int64(o);
	if (!json_object_is_type(o, json_type_int) || v < 1 || v > SERIAL_MAX) {
		fail(d, "serial: must be between 1 and %lld", SERIAL_MAX);
		goto out;
	}
	d->serial = (uint64_t)v;
	ret = 0;
out:
	json_object_put(o);
	return ret;
}

static int check_generated(struct doc *d, const struct span *sp)
{
	struct json_object *o;
	int ret;

	if (sp->kind != K_STRING)
		return fail(d, "generated_at: must be a string");
	if ((o = parse_span(d, sp, "generated_at")) == NULL)
		return -1;
	ret = get_time(d, o, "generated_at", &d->generated_at);
	json_object_put(o);
	return ret;
}

/* --- users ------------------------------------------------------------- */

enum {
	U_LOGIN, U_ROLE, U_KEYS, U_DISPLAY, U_NOT_BEFORE, U_NOT_AFTER, U_BLOCKED, U__COUNT
};
static const char *const user_names[U__COUNT] = {
	"login", "role", "keys", "display_name", "not_before", "not_after", "blocked",
};

/* The validated keys of one user, before they go to the writer. */
struct user_keys {
	struct nbg_rtb_key k[NBG_DOC_MAX_KEYS];
	uint8_t *blobs[NBG_DOC_MAX_KEYS];
	size_t n;
};

static void user_keys_free(struct user_keys *uk)
{
	for (size_t i = 0; i < uk->n; i++)
		free(uk->blobs[i]);
	uk->n = 0;
}

/* The comment of a line that nbg_sshkey_parse_line() accepted. */
static void line_comment(const char *line, const char **c, size_t *len)
{
	const char *p = line;

	for (int field = 0; field < 2; field++) {
		p += strcspn(p, " \t");
		p += strspn(p, " \t");
	}
	*c = p;
	*len = strlen(p);
}

static bool key_type_allowed(const struct nbg_roledoc_opts *opts, enum nbg_keytype t)
{
	unsigned mask = opts->key_types & NBG_KEY_FIDO2_MASK;

	return nbg_keytype_is_fido2(t) && (mask == 0 || (mask & (1u << t)) != 0);
}

static int check_key(struct doc *d, uint32_t ui, uint32_t ki, struct json_object *v,
    struct user_keys *uk)
{
	struct nbg_rtb_key *k = &uk->k[uk->n];
	enum nbg_keytype type;
	uint8_t *blob = NULL, digest[NBG_SHA256_LEN];
	uint32_t other;
	const char *line;
	char path[64], why[NBG_ERR_LEN];
	size_t len, blob_len;
	int r, ret = -1;

	snprintf(path, sizeof(path), "users[%u].keys[%u]", ui, ki);
	if (get_string(d, v, path, NBG_DOC_KEYLINE_MAX, &line, &len) != 0)
		goto out;
	if (nbg_sshkey_parse_line(line, &blob, &blob_len, &type, why, sizeof(why)) != 0) {
		fail(d, "%s: %s", path, why);
		goto out;
	}
	if (!nbg_keytype_is_fido2(type)) {
		fail(d, "%s: key type %s is not a FIDO2 security key", path,
		    nbg_keytype_name(type));
		goto out;
	}
	if (!key_type_allowed(d->opts, type)) {
		fail(d, "%s: key type %s is not allowed by this device's key_types", path,
		    nbg_keytype_name(type));
		goto out;
	}
	nbg_sha256(blob, blob_len, digest);
	if ((r = keys_add(&d->keys, digest, ui, expect(d, d->keys.n), &other)) < 0) {
		fail(d, "%s: out of memory", path);
		goto out;
	}
	if (r == 1) {
		fail(d, "%s: key already registered to users[%u] (%s)", path, other,
		    login_of(&d->logins, other));
		goto out;
	}
	k->type = type;
	k->blob = blob;
	k->blob_len = blob_len;
	line_comment(line, &k->comment, &k->comment_len);
	uk->blobs[uk->n++] = blob;
	blob = NULL;
	ret = 0;
out:
	free(blob);
	return ret;
}

static int check_keys(struct doc *d, uint32_t ui, struct json_object *v, struct user_keys *uk)
{
	size_t n;

	if (v == NULL || !json_object_is_type(v, json_type_array))
		return fail(d, "users[%u].keys: must be an array", ui);
	n = json_object_array_length(v);
	if (n == 0)
		return fail(d, "users[%u].keys: must hold at least one key", ui);
	if (n > NBG_DOC_MAX_KEYS)
		return fail(d, "users[%u].keys: more than %u keys", ui, NBG_DOC_MAX_KEYS);
	for (size_t i = 0; i < n; i++) {
		if (check_key(d, ui, (uint32_t)i, json_object_array_get_idx(v, i), uk) != 0)
			return -1;
	}
	return 0;
}

static int check_login(struct doc *d, uint32_t ui, struct json_object *v, const char **login)
{
	uint32_t other;
	const char *s;
	char path[48], shown[SHOWN_MAX];
	size_t len;
	int r;

	snprintf(path, sizeof(path), "users[%u].login", ui);
	if (get_string(d, v, path, NAME_TEXT_MAX, &s, &len) != 0)
		return -1;
	if (!valid_login(s, len)) {
		sanitize(shown, sizeof(shown), s, len);
		return fail(d, "%s: \"%s\" is not a portable login name "
		    "([a-z_][a-z0-9_.-]*[$]?, 1 to %d bytes)", path, shown, NBG_RT_LOGIN_MAX);
	}
	/* Users are compiled in order and the first refusal stops it: ui is the next. */
	if ((r = logins_add(&d->logins, s, len, expect(d, d->logins.n), &other)) < 0)
		return fail(d, "%s: out of memory", path);
	if (r == 1)
		return fail(d, "%s: duplicate login \"%s\" (also users[%u])", path, s, other);
	*login = s;
	return 0;
}

static int check_role(struct doc *d, uint32_t ui, struct json_object *v, const char **role)
{
	const struct nbg_roledoc_opts *o = d->opts;
	const char *s;
	char path[48], shown[SHOWN_MAX];
	size_t len;

	snprintf(path, sizeof(path), "users[%u].role", ui);
	if (get_string(d, v, path, NAME_TEXT_MAX, &s, &len) != 0)
		return -1;
	sanitize(shown, sizeof(shown), s, len);
	if (!valid_role(s, len))
		return fail(d, "%s: \"%s\" is not a role name ([a-z][a-z0-9_-]*, 1 to %d bytes)",
		    path, shown, NBG_RT_ROLE_MAX);
	if (o->known_roles != NULL) {
		size_t i;

		for (i = 0; i < o->nknown_roles; i++) {
			if (o->known_roles[i] != NULL && strcmp(o->known_roles[i], s) == 0)
				break;
		}
		if (i == o->nknown_roles)
			return fail(d, "%s: role \"%s\" is not defined in the policy", path,
			    shown);
	}
	*role = s;
	return 0;
}

static int check_display(struct doc *d, uint32_t ui, struct json_object *v, const char **dn)
{
	const char *s;
	char path[48];
	size_t len;

	snprintf(path, sizeof(path), "users[%u].display_name", ui);
	if (get_string(d, v, path, NBG_DOC_DISPLAY_MAX, &s, &len) != 0)
		return -1;
	if (len == 0)
		return fail(d, "%s: must not be empty", path);
	if (!valid_display(s, len))
		return fail(d, "%s: must be UTF-8 text without control characters", path);
	*dn = s;
	return 0;
}

/* Collect the members of one user object; refuse unknown ones. */
static int user_members(struct doc *d, uint32_t ui, struct json_object *o,
    struct json_object *m[U__COUNT], bool present[U__COUNT])
{
	struct json_object_iterator it = json_object_iter_begin(o);
	struct json_object_iterator end = json_object_iter_end(o);

	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *name = json_object_iter_peek_name(&it);
		char shown[SHOWN_MAX];
		size_t i;

		for (i = 0; i < U__COUNT; i++) {
			if (strcmp(name, user_names[i]) == 0)
				break;
		}
		if (i == U__COUNT) {
			sanitize(shown, sizeof(shown), name, strlen(name));
			return fail(d, "users[%u]: unknown member \"%s\"", ui, shown);
		}
		m[i] = json_object_iter_peek_value(&it);
		present[i] = true;
	}
	for (size_t i = 0; i < U_DISPLAY; i++) {
		if (!present[i])
			return fail(d, "users[%u]: missing required member \"%s\"", ui,
			    user_names[i]);
	}
	return 0;
}

/* The optional members: display_name, the validity window, blocked. */
static int check_optional(struct doc *d, uint32_t ui, struct json_object *m[U__COUNT],
    const bool present[U__COUNT], struct nbg_rtb_user *u)
{
	char path[48];

	if (present[U_DISPLAY] && check_display(d, ui, m[U_DISPLAY], &u->display_name) != 0)
		return -1;
	if (present[U_NOT_BEFORE]) {
		snprintf(path, sizeof(path), "users[%u].not_before", ui);
		if (get_time(d, m[U_NOT_BEFORE], path, &u->not_before) != 0)
			return -1;
	}
	if (present[U_NOT_AFTER]) {
		snprintf(path, sizeof(path), "users[%u].not_after", ui);
		if (get_time(d, m[U_NOT_AFTER], path, &u->not_after) != 0)
			return -1;
	}
	if (present[U_NOT_BEFORE] && present[U_NOT_AFTER] && u->not_before >= u->not_after)
		return fail(d, "users[%u].not_after: must be later than not_before", ui);
	if (present[U_BLOCKED]) {
		if (m[U_BLOCKED] == NULL || !json_object_is_type(m[U_BLOCKED], json_type_boolean))
			return fail(d, "users[%u].blocked: must be true or false", ui);
		u->blocked = json_object_get_boolean(m[U_BLOCKED]) != 0;
	}
	return 0;
}

static int check_user(struct doc *d, uint32_t ui, const struct span *sp)
{
	struct json_object *o = NULL, *m[U__COUNT] = { 0 };
	struct nbg_rtb_user u;
	struct user_keys uk;
	bool present[U__COUNT] = { 0 };
	char path[32];
	int r, ret = -1;

	uk.n = 0;
	snprintf(path, sizeof(path), "users[%u]", ui);
	if (sp->kind != K_OBJECT)
		return fail(d, "%s: must be an object", path);
	if ((o = parse_span(d, sp, path)) == NULL)
		goto out;
	memset(&u, 0, sizeof(u));
	u.not_before = NBG_TIME_NONE_LO;
	u.not_after = NBG_TIME_NONE_HI;
	if (user_members(d, ui, o, m, present) != 0 ||
	    check_login(d, ui, m[U_LOGIN], &u.name) != 0 ||
	    check_role(d, ui, m[U_ROLE], &u.role) != 0 ||
	    check_optional(d, ui, m, present, &u) != 0 ||
	    check_keys(d, ui, m[U_KEYS], &uk) != 0)
		goto out;
	u.keys = uk.k;
	u.nkeys = uk.n;
	if ((r = nbg_rtb_add_user(d->rtb, &u)) == NBG_RTB_E_IO) {
		d->io_failed = true;
		fail(d, "writing the compiled table: %s", strerror(nbg_rtb_errno(d->rtb)));
		goto out;
	}
	if (r != NBG_RTB_OK) {
		fail(d, "%s: %s", path, nbg_rtb_strerror(r));
		goto out;
	}
	ret = 0;
out:
	user_keys_free(&uk);
	json_object_put(o);
	return ret;
}

/*
 * Each user as soon as the lexer has closed it.  After the first refusal
 * only the lexer goes on: an error in the text further on is reported in
 * preference, as is one in the top-level members.
 */
static int on_user(void *arg, uint32_t index, const struct span *sp)
{
	struct doc *d = arg;

	if (d->user_failed)
		return 0;
	if (check_user(d, index, sp) != 0) {
		if (d->io_failed)
			return -1;
		d->user_failed = true;
	}
	return 0;
}

static int check_root(struct doc *d)
{
	const struct span *v[R__COUNT] = { 0 };
	char shown[SHOWN_MAX];

	for (size_t i = 0; i < d->sc->nroot; i++) {
		const struct member *m = &d->sc->root[i];
		size_t j;

		for (j = 0; j < R__COUNT; j++) {
			if (strcmp(m->name, root_names[j]) == 0)
				break;
		}
		if (j == R__COUNT) {
			sanitize(shown, sizeof(shown), m->name, strlen(m->name));
			return fail(d, "(document): unknown member \"%s\"", shown);
		}
		v[j] = &m->val;
	}
	for (size_t j = 0; j < R__COUNT; j++) {
		if (v[j] == NULL)
			return fail(d, "(document): missing required member \"%s\"",
			    root_names[j]);
	}
	if (check_version(d, v[R_VERSION]) != 0 || check_fabric(d, v[R_FABRIC]) != 0 ||
	    check_serial(d, v[R_SERIAL]) != 0 || check_generated(d, v[R_GENERATED]) != 0)
		return -1;
	if (v[R_USERS]->kind != K_ARRAY)
		return fail(d, "users: must be an array");
	return 0;
}

static int finish(struct doc *d, uint8_t **image, size_t *image_len)
{
	struct nbg_rtb_header h;
	int r;

	memset(&h, 0, sizeof(h));
	h.fabric = d->fabric;
	h.serial = d->serial;
	h.generated_at = d->generated_at;
	nbg_sha256_final(&d->sc->sha, h.doc_sha256);
	if ((r = nbg_rtb_finish(d->rtb, &h, image, image_len)) == NBG_RTB_E_IO) {
		fail(d, "writing the compiled table: %s", strerror(nbg_rtb_errno(d->rtb)));
		return NBG_ROLEDOC_SYSTEM;
	}
	if (r != NBG_RTB_OK) {
		fail(d, "(document): %s", nbg_rtb_strerror(r));
		return NBG_ROLEDOC_REFUSED;
	}
	return 0;
}

/*
 * The one pass.  RTB is the writer (memory or file); RELEASE says json is
 * a read-only file mapping whose pages may be given back.  0, or
 * NBG_ROLEDOC_REFUSED / NBG_ROLEDOC_SYSTEM with d->caller_err set.
 */
static int compile(struct doc *d, const char *json, size_t len, bool release,
    uint8_t **image, size_t *image_len)
{
	int r;

	if ((d->sc = calloc(1, sizeof(*d->sc))) == NULL ||
	    (d->tok = json_tokener_new_ex(NBG_DOC_MAX_DEPTH)) == NULL) {
		fail(d, "(document): out of memory");
		return NBG_ROLEDOC_SYSTEM;
	}
	json_tokener_set_flags(d->tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS |
	    JSON_TOKENER_VALIDATE_UTF8);
	d->sc->s = json;
	d->sc->len = len;
	d->sc->err = d->caller_err;
	d->sc->on_user = on_user;
	d->sc->arg = d;
	d->sc->release = release;
	d->sc->page = (size_t)sysconf(_SC_PAGESIZE);
	nbg_sha256_init(&d->sc->sha);
	/* What the users' checks say goes aside until the lexer is done. */
	d->err = d->uerr;
	r = scan_document(d->sc);
	d->err = d->caller_err;
	if (d->io_failed) {
		memcpy(d->caller_err, d->uerr, NBG_ERR_LEN);
		return NBG_ROLEDOC_SYSTEM;
	}
	if (r != 0 || check_root(d) != 0)
		return NBG_ROLEDOC_REFUSED;
	if (d->user_failed) {
		memcpy(d->caller_err, d->uerr, NBG_ERR_LEN);
		return NBG_ROLEDOC_REFUSED;
	}
	return finish(d, image, image_len);
}

static void doc_init(struct doc *d, const char *json, size_t len,
    const struct nbg_roledoc_opts *opts, char *err)
{
	static const struct nbg_roledoc_opts defaults;

	memset(d, 0, sizeof(*d));
	d->json = json;
	d->len = len;
	d->opts = opts != NULL ? opts : &defaults;
	d->caller_err = err;
	d->err = err;
}

static void doc_free(struct doc *d)
{
	free(d->sc);
	free(d->logins.text);
	free(d->logins.at);
	free(d->logins.hash);
	free(d->logins.slot);
	free(d->keys.digest);
	free(d->keys.user);
	free(d->keys.slot);
	nbg_rtb_free(d->rtb);
	if (d->tok != NULL)
		json_tokener_free(d->tok);
}

int nbg_roledoc_compile(const char *json, size_t len, const struct nbg_roledoc_opts *opts,
    uint8_t **image, size_t *image_len, char err[NBG_ERR_LEN])
{
	struct doc d;
	char scratch[NBG_ERR_LEN];
	int ret = -1;

	if (err == NULL)
		err = scratch;
	*image = NULL;
	*image_len = 0;
	doc_init(&d, json, len, opts, err);
	if (json == NULL || len > NBG_DOC_MAX_BYTES) {
		fail(&d, "(document): %zu bytes, over the limit of %u", len, NBG_DOC_MAX_BYTES);
		goto out;
	}
	if ((d.rtb = nbg_rtb_new()) == NULL) {
		fail(&d, "(document): out of memory");
		goto out;
	}
	if (compile(&d, json, len, false, image, image_len) != 0)
		goto out;
	ret = 0;
out:
	doc_free(&d);
	return ret;
}

int nbg_roledoc_compile_fd(int doc_fd, const struct nbg_roledoc_opts *opts, int out_fd,
    size_t *image_len, char err[NBG_ERR_LEN])
{
	struct doc d;
	struct stat st;
	uint8_t *none = NULL;
	char scratch[NBG_ERR_LEN];
	void *map = MAP_FAILED;
	size_t len = 0;
	int ret = NBG_ROLEDOC_SYSTEM;

	if (err == NULL)
		err = scratch;
	*image_len = 0;
	doc_init(&d, NULL, 0, opts, err);
	if (fstat(doc_fd, &st) != 0) {
		fail(&d, "(document): fstat: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(&d, "(document): not a regular file");
		goto out;
	}
	if ((uint64_t)st.st_size > NBG_DOC_MAX_BYTES) {
		fail(&d, "(document): %jd bytes, over the limit of %u", (intmax_t)st.st_size,
		    NBG_DOC_MAX_BYTES);
		ret = NBG_ROLEDOC_REFUSED;
		goto out;
	}
	len = (size_t)st.st_size;
	if (len > 0) {
		if ((map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, doc_fd, 0)) == MAP_FAILED) {
			fail(&d, "(document): mmap: %s", strerror(errno));
			goto out;
		}
		(void)madvise(map, len, MADV_SEQUENTIAL);
	}
	d.json = len > 0 ? map : "";
	d.len = len;
	if ((d.rtb = nbg_rtb_new_fd(out_fd)) == NULL) {
		fail(&d, "(document): out of memory");
		goto out;
	}
	ret = compile(&d, d.json, len, true, &none, image_len);
out:
	doc_free(&d);
	if (map != MAP_FAILED)
		munmap(map, len);
	return ret;
}

enum nbg_table_open_status nbg_table_open_any(const char *path, unsigned flags,
    const struct nbg_roledoc_opts *opts, struct nbg_table **out, int64_t *mtime,
    char err[NBG_ERR_LEN])
{
	return nbg_rt_open(path, flags, nbg_roledoc_compile, opts, out, mtime, err);
}
