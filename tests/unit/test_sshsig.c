/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_sshsig.c - the armor reader, the SSHSIG parser and the bytes built
 * for verification (policy/sshsig.c).  Table-driven: every case names what
 * it feeds and the one outcome it expects.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sk_testsign.h"
#include "sshsig.h"

/*
 * Two signatures over "nexusbg test vector" in namespace nexusbg, made by
 * `ssh-keygen -Y sign` (OpenSSH 9.2) with the software security key of
 * tests/sk-soft (touch and PIN; counters 41 and 1000) for these keys.
 */
#define ECDSA_KEY "AAAAInNrLWVjZHNhLXNoYTItbmlzdHAyNTZAb3BlbnNzaC5jb20AAAAIbmlzdHAyNTYAAABBBPsS" \
	"WRGNVe7kon+gfWN/Y0S+37djrCghd3SSJrjSB8hVa+eIuWEk4YV44S6Z4PMFb5ilopjUgluWmdsC" \
	"0oTV+UUAAAAEc3NoOg=="
static const char ecdsa_armor[] =
    "-----BEGIN SSH SIGNATURE-----\n"
    "U1NIU0lHAAAAAQAAAH8AAAAic2stZWNkc2Etc2hhMi1uaXN0cDI1NkBvcGVuc3NoLmNvbQ\n"
    "AAAAhuaXN0cDI1NgAAAEEE+xJZEY1V7uSif6B9Y39jRL7ft2OsKCF3dJImuNIHyFVr54i5\n"
    "YSThhXjhLpng8wVvmKWimNSCW5aZ2wLShNX5RQAAAARzc2g6AAAAB25leHVzYmcAAAAAAA\n"
    "AABnNoYTUxMgAAAHkAAAAic2stZWNkc2Etc2hhMi1uaXN0cDI1NkBvcGVuc3NoLmNvbQAA\n"
    "AEoAAAAhAJDuOqCMR3QdnuOsDAp9EQBInGxhKf+UDqHiTNbtQ+PvAAAAIQDgXqpAtWjYzX\n"
    "f8iRVdk8z2UZ6aGNlOUKOHu5HtaTs/gAUAAAAp\n"
    "-----END SSH SIGNATURE-----\n";
#define ED25519_KEY "AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIDYm/qCqdO+5t3B52Xpd9Q7UqbIptQ3j" \
	"VXNxgpcZQTbOAAAABHNzaDo="
static const char ed25519_armor[] =
    "-----BEGIN SSH SIGNATURE-----\n"
    "U1NIU0lHAAAAAQAAAEoAAAAac2stc3NoLWVkMjU1MTlAb3BlbnNzaC5jb20AAAAgNib+oK\n"
    "p077m3cHnZel31DtSpsim1DeNVc3GClxlBNs4AAAAEc3NoOgAAAAduZXh1c2JnAAAAAAAA\n"
    "AAZzaGE1MTIAAABnAAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAQCzIr0zOwx\n"
    "JBZIUikd1PNO9q4l7q6Bph6Vvw7hZtqQKq1r3NrjXqRBjm8bdYJARpTCOgiQscfcIzuGPN\n"
    "P0qSmAgFAAAD6A==\n"
    "-----END SSH SIGNATURE-----\n";

#define B64_LINE "U1NIU0lHAAAAAQAAAEoAAAAac2stc3NoLWVkMjU1MTlAb3BlbnNzaC5jb20AAAAgNib+oK"

/* ---- the armor reader ---------------------------------------------------- */

struct armor_case {
	const char *name;
	const char *pieces[8];		/* NULL-terminated */
	enum nbg_armor_status want;	/* after the last piece */
	bool decodes;			/* when DONE: the block decodes and parses */
};

static const struct armor_case armor_cases[] = {
	{ "whole block in one piece", { ed25519_armor }, NBG_ARMOR_DONE, true },
	{ "one line per piece", { "-----BEGIN SSH SIGNATURE-----",
	    "U1NIU0lHAAAAAQAAAEoAAAAac2stc3NoLWVkMjU1MTlAb3BlbnNzaC5jb20AAAAgNib+oK",
	    "p077m3cHnZel31DtSpsim1DeNVc3GClxlBNs4AAAAEc3NoOgAAAAduZXh1c2JnAAAAAAAA",
	    "AAZzaGE1MTIAAABnAAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAQCzIr0zOwx",
	    "JBZIUikd1PNO9q4l7q6Bph6Vvw7hZtqQKq1r3NrjXqRBjm8bdYJARpTCOgiQscfcIzuGPN",
	    "P0qSmAgFAAAD6A==",
	    "-----END SSH SIGNATURE-----" }, NBG_ARMOR_DONE, true },
	{ "joined into one line with spaces", { "-----BEGIN SSH SIGNATURE----- "
	    "U1NIU0lHAAAAAQAAAEoAAAAac2stc3NoLWVkMjU1MTlAb3BlbnNzaC5jb20AAAAgNib+oK "
	    "p077m3cHnZel31DtSpsim1DeNVc3GClxlBNs4AAAAEc3NoOgAAAAduZXh1c2JnAAAAAAAA "
	    "AAZzaGE1MTIAAABnAAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAQCzIr0zOwx "
	    "JBZIUikd1PNO9q4l7q6Bph6Vvw7hZtqQKq1r3NrjXqRBjm8bdYJARpTCOgiQscfcIzuGPN "
	    "P0qSmAgFAAAD6A== "
	    "-----END SSH SIGNATURE-----" }, NBG_ARMOR_DONE, true },
	{ "CRLF lines, tabs and trailing blanks", { "  -----BEGIN SSH SIGNATURE-----\r\n"
	    "U1NIU0lHAAAAAQAAAEoAAAAac2stc3NoLWVkMjU1MTlAb3BlbnNzaC5jb20AAAAgNib+oK \r\n"
	    "\tp077m3cHnZel31DtSpsim1DeNVc3GClxlBNs4AAAAEc3NoOgAAAAduZXh1c2JnAAAAAAAA\r\n",
	    "AAZzaGE1MTIAAABnAAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAQCzIr0zOwx\r\n"
	    "JBZIUikd1PNO9q4l7q6Bph6Vvw7hZtqQKq1r3NrjXqRBjm8bdYJARpTCOgiQscfcIzuGPN\r\n"
	    "P0qSmAgFAAAD6A==\r\n"
	    "-----END SSH SIGNATURE-----\r\n  " }, NBG_ARMOR_DONE, true },
	{ "block not finished yet", { "-----BEGIN SSH SIGNATURE-----", B64_LINE },
	    NBG_ARMOR_MORE, false },
	{ "empty first line aborts", { "" }, NBG_ARMOR_ABORTED, false },
	{ "blank first line aborts", { " \t\r\n" }, NBG_ARMOR_ABORTED, false },
	{ "empty line inside the block aborts", { "-----BEGIN SSH SIGNATURE-----", B64_LINE,
	    "" }, NBG_ARMOR_ABORTED, false },
	{ "garbage instead of the block", { "hello" }, NBG_ARMOR_GARBAGE, false },
	{ "the challenge pasted back", { "nexusbg-auth-v1 user=alice" }, NBG_ARMOR_GARBAGE,
	    false },
	{ "another armor type", { "-----BEGIN PGP SIGNATURE-----" }, NBG_ARMOR_GARBAGE,
	    false },
	{ "END without BEGIN", { "-----END SSH SIGNATURE-----" }, NBG_ARMOR_GARBAGE, false },
	{ "non-base64 byte in the block", { "-----BEGIN SSH SIGNATURE-----",
	    "U1NIU0lHAAAA*AQAAA" }, NBG_ARMOR_GARBAGE, false },
	{ "UTF-8 in the block", { "-----BEGIN SSH SIGNATURE-----", "U1NI\xc3\xa9" },
	    NBG_ARMOR_GARBAGE, false },
	{ "a second BEGIN inside", { "-----BEGIN SSH SIGNATURE-----", B64_LINE,
	    "-----BEGIN SSH SIGNATURE-----" }, NBG_ARMOR_GARBAGE, false },
	{ "text after END", { "-----BEGIN SSH SIGNATURE-----", B64_LINE,
	    "-----END SSH SIGNATURE----- trailing" }, NBG_ARMOR_GARBAGE, false },
	{ "empty block", { "-----BEGIN SSH SIGNATURE-----", "-----END SSH SIGNATURE-----" },
	    NBG_ARMOR_GARBAGE, false },
	{ "input after END", { ed25519_armor, "more" }, NBG_ARMOR_GARBAGE, false },
	{ "truncated base64 decodes to nothing", { "-----BEGIN SSH SIGNATURE-----",
	    "U1NIU0lHAAAAAQ", "-----END SSH SIGNATURE-----" }, NBG_ARMOR_DONE, false },
	{ "padding in the middle", { "-----BEGIN SSH SIGNATURE-----", "U1NI==AAAAAQ==",
	    "-----END SSH SIGNATURE-----" }, NBG_ARMOR_DONE, false },
};

static enum nbg_armor_status feed_all(struct nbg_armor *a, const char *const *pieces)
{
	enum nbg_armor_status st = NBG_ARMOR_MORE;
	char err[128];

	for (size_t i = 0; pieces[i] != NULL && i < 8; i++)
		st = nbg_armor_feed(a, pieces[i], strlen(pieces[i]), err, sizeof(err));
	return st;
}

static void test_armor_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(armor_cases) / sizeof(armor_cases[0]); i++) {
		const struct armor_case *c = &armor_cases[i];
		struct nbg_armor *a = malloc(sizeof(*a));
		uint8_t blob[NBG_SSHSIG_BLOB_MAX];
		struct nbg_sshsig sig;
		char err[128];
		long n;

		assert_non_null(a);
		nbg_armor_init(a);
		print_message("armor: %s\n", c->name);
		assert_int_equal(feed_all(a, c->pieces), c->want);
		if (c->want == NBG_ARMOR_DONE) {
			n = nbg_armor_decode(a, blob, sizeof(blob), err, sizeof(err));
			if (c->decodes) {
				assert_true(n > 0);
				assert_int_equal(nbg_sshsig_parse(blob, (size_t)n, &sig, err,
				    sizeof(err)), NBG_SSHSIG_OK);
			} else {
				assert_true(n < 0 || nbg_sshsig_parse(blob, (size_t)n, &sig,
				    err, sizeof(err)) != NBG_SSHSIG_OK);
			}
		}
		nbg_armor_clear(a);
		free(a);
	}
}

/* Bounds: bytes, pieces, and a NUL byte, each at the limit and one past it. */
static void test_armor_limits(void **state)
{
	struct nbg_armor *a = malloc(sizeof(*a));
	char *big = malloc(NBG_SSHSIG_ARMOR_MAX + 2), err[128];
	size_t blen = strlen(NBG_SSHSIG_BEGIN) + 1;

	(void)state;
	assert_non_null(a);
	assert_non_null(big);
	/* exactly NBG_SSHSIG_ARMOR_MAX bytes: still reading */
	memcpy(big, NBG_SSHSIG_BEGIN "\n", blen);
	memset(big + blen, 'A', NBG_SSHSIG_ARMOR_MAX - blen);
	nbg_armor_init(a);
	assert_int_equal(nbg_armor_feed(a, big, NBG_SSHSIG_ARMOR_MAX, err, sizeof(err)),
	    NBG_ARMOR_MORE);
	assert_int_equal(nbg_armor_feed(a, "A", 1, err, sizeof(err)), NBG_ARMOR_TOO_LONG);
	/* one piece one byte too long */
	big[NBG_SSHSIG_ARMOR_MAX] = 'A';
	nbg_armor_init(a);
	assert_int_equal(nbg_armor_feed(a, big, NBG_SSHSIG_ARMOR_MAX + 1, err, sizeof(err)),
	    NBG_ARMOR_TOO_LONG);
	/* a 1 MiB paste is refused at the first piece, unread */
	nbg_armor_init(a);
	assert_int_equal(nbg_armor_feed(a, big, (size_t)1 << 20, err, sizeof(err)),
	    NBG_ARMOR_TOO_LONG);
	/* NBG_SSHSIG_ARMOR_PIECES pieces are fine, one more is not */
	nbg_armor_init(a);
	assert_int_equal(nbg_armor_feed(a, NBG_SSHSIG_BEGIN, blen - 1, err, sizeof(err)),
	    NBG_ARMOR_MORE);
	for (int i = 1; i < NBG_SSHSIG_ARMOR_PIECES; i++)
		assert_int_equal(nbg_armor_feed(a, "AAAA", 4, err, sizeof(err)), NBG_ARMOR_MORE);
	assert_int_equal(nbg_armor_feed(a, "AAAA", 4, err, sizeof(err)), NBG_ARMOR_TOO_LONG);
	/* a NUL byte inside a piece */
	nbg_armor_init(a);
	assert_int_equal(nbg_armor_feed(a, NBG_SSHSIG_BEGIN "\0AAAA", blen + 4, err,
	    sizeof(err)), NBG_ARMOR_GARBAGE);
	nbg_armor_clear(a);
	free(big);
	free(a);
}

/* ---- the SSHSIG parser --------------------------------------------------- */

static long dearmor(const char *text, uint8_t *blob, size_t bloblen)
{
	struct nbg_armor *a = malloc(sizeof(*a));
	char err[128];
	long n = -1;

	assert_non_null(a);
	nbg_armor_init(a);
	if (nbg_armor_feed(a, text, strlen(text), err, sizeof(err)) == NBG_ARMOR_DONE)
		n = nbg_armor_decode(a, blob, bloblen, err, sizeof(err));
	free(a);
	return n;
}

static void test_parse_vectors(void **state)
{
	static const struct {
		const char *armor, *key_b64;
		enum nbg_keytype type;
		enum nbg_sshsig_hash hash;
		uint32_t counter;
	} v[] = {
		{ ecdsa_armor, ECDSA_KEY, NBG_KEY_SK_ECDSA, NBG_SSHSIG_SHA512, 41 },
		{ ed25519_armor, ED25519_KEY, NBG_KEY_SK_ED25519, NBG_SSHSIG_SHA512, 1000 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t blob[NBG_SSHSIG_BLOB_MAX], key[256];
		struct nbg_sshsig s;
		char err[128];
		long n = dearmor(v[i].armor, blob, sizeof(blob));
		long kn = nbg_base64_decode(v[i].key_b64, strlen(v[i].key_b64), key, sizeof(key));

		assert_true(n > 0);
		assert_true(kn > 0);
		assert_int_equal(nbg_sshsig_parse(blob, (size_t)n, &s, err, sizeof(err)),
		    NBG_SSHSIG_OK);
		assert_int_equal(s.key.type, v[i].type);
		assert_int_equal(s.sig.type, v[i].type);
		assert_int_equal(s.hash, v[i].hash);
		assert_int_equal(s.sig.flags, NBG_SK_FLAG_UP | NBG_SK_FLAG_UV);
		assert_int_equal(s.sig.counter, v[i].counter);
		assert_true(nbg_sshsig_ns_is(&s, "nexusbg"));
		assert_false(nbg_sshsig_ns_is(&s, "nexusb"));
		assert_false(nbg_sshsig_ns_is(&s, "nexusbgx"));
		assert_int_equal(s.reserved_len, 0);
		assert_int_equal(s.pubkey_len, (size_t)kn);
		assert_memory_equal(s.pubkey, key, (size_t)kn);
		assert_int_equal(s.key.application_len, 4);
		assert_memory_equal(s.key.application, "ssh:", 4);
	}
}

/* The parts of an SSHSIG blob; a case changes some and assembles the rest. */
struct parts {
	const char *magic;
	uint32_t version;
	const uint8_t *pubkey;
	size_t pubkey_len;
	const char *ns;
	const char *reserved;
	const char *hash;
	const uint8_t *sig;
	size_t sig_len;
	bool trailing;
};

static long assemble(const struct parts *p, uint8_t *out, size_t outlen)
{
	struct sk_w w;

	sk_w_init(&w, out, outlen);
	sk_w_put(&w, p->magic, 6);
	sk_w_u32(&w, p->version);
	sk_w_str(&w, p->pubkey, p->pubkey_len);
	sk_w_cstr(&w, p->ns);
	sk_w_cstr(&w, p->reserved);
	sk_w_cstr(&w, p->hash);
	sk_w_str(&w, p->sig, p->sig_len);
	if (p->trailing)
		sk_w_put(&w, "", 1);
	return w.err ? -1 : (long)w.len;
}

/* A PROTOCOL.u2f signature blob with a hand-made inner signature. */
static size_t make_sig(uint8_t *out, size_t outlen, const char *type, const uint8_t *inner,
    size_t innerlen, bool trailing)
{
	struct sk_w w;

	sk_w_init(&w, out, outlen);
	sk_w_cstr(&w, type);
	sk_w_str(&w, inner, innerlen);
	sk_w_put(&w, "\x05", 1);
	sk_w_u32(&w, 9);
	if (trailing)
		sk_w_put(&w, "", 1);
	assert_false(w.err);
	return w.len;
}

/* Two ECDSA scalars as SSH mpints, given as raw string contents. */
static size_t make_rs(uint8_t *out, size_t outlen, const uint8_t *r, size_t rl,
    const uint8_t *s, size_t sl)
{
	struct sk_w w;

	sk_w_init(&w, out, outlen);
	sk_w_str(&w, r, rl);
	sk_w_str(&w, s, sl);
	assert_false(w.err);
	return w.len;
}

enum mut {
	M_NONE, M_MAGIC, M_VERSION, M_NS_EMPTY, M_NS_LONG, M_NS_SPACE, M_RESERVED_LONG,
	M_RESERVED_SET, M_HASH_SHA1, M_HASH_EMPTY, M_TRAILING, M_KEY_PLAIN, M_KEY_BAD,
	M_KEY_LONG, M_SIG_OTHER_TYPE, M_SIG_ED_SHORT, M_SIG_ED_LONG, M_SIG_TRAILING,
	M_SIG_TRUNC, M_RS_NEGATIVE, M_RS_ZERO, M_RS_EMPTY, M_RS_LEADING_ZERO, M_RS_33,
	M_RS_PADDED_OK, M_RS_EXTRA, M_SIG_WEBAUTHN,
};

static const struct parse_case {
	const char *name;
	enum nbg_keytype key;
	enum mut mut;
	enum nbg_sshsig_status want;
} parse_cases[] = {
	{ "ecdsa as made", NBG_KEY_SK_ECDSA, M_NONE, NBG_SSHSIG_OK },
	{ "ed25519 as made", NBG_KEY_SK_ED25519, M_NONE, NBG_SSHSIG_OK },
	{ "wrong magic", NBG_KEY_SK_ED25519, M_MAGIC, NBG_SSHSIG_E_FORMAT },
	{ "version 2", NBG_KEY_SK_ED25519, M_VERSION, NBG_SSHSIG_E_FORMAT },
	{ "empty namespace", NBG_KEY_SK_ED25519, M_NS_EMPTY, NBG_SSHSIG_E_FORMAT },
	{ "65-byte namespace", NBG_KEY_SK_ED25519, M_NS_LONG, NBG_SSHSIG_E_FORMAT },
	{ "namespace with a space", NBG_KEY_SK_ED25519, M_NS_SPACE, NBG_SSHSIG_E_FORMAT },
	{ "reserved of 257 bytes", NBG_KEY_SK_ED25519, M_RESERVED_LONG, NBG_SSHSIG_E_FORMAT },
	{ "reserved set (ignored)", NBG_KEY_SK_ED25519, M_RESERVED_SET, NBG_SSHSIG_OK },
	{ "hash sha1", NBG_KEY_SK_ED25519, M_HASH_SHA1, NBG_SSHSIG_E_FORMAT },
	{ "hash empty", NBG_KEY_SK_ED25519, M_HASH_EMPTY, NBG_SSHSIG_E_FORMAT },
	{ "trailing byte", NBG_KEY_SK_ECDSA, M_TRAILING, NBG_SSHSIG_E_FORMAT },
	{ "plain ssh-ed25519 key", NBG_KEY_SK_ED25519, M_KEY_PLAIN, NBG_SSHSIG_E_NOT_SK },
	{ "key blob with a wrong curve", NBG_KEY_SK_ECDSA, M_KEY_BAD, NBG_SSHSIG_E_KEY },
	{ "key blob too long", NBG_KEY_SK_ECDSA, M_KEY_LONG, NBG_SSHSIG_E_FORMAT },
	{ "ecdsa signature on an ed25519 key", NBG_KEY_SK_ED25519, M_SIG_OTHER_TYPE,
	    NBG_SSHSIG_E_SIG },
	{ "webauthn signature type", NBG_KEY_SK_ECDSA, M_SIG_WEBAUTHN, NBG_SSHSIG_E_SIG },
	{ "ed25519 signature of 63 bytes", NBG_KEY_SK_ED25519, M_SIG_ED_SHORT,
	    NBG_SSHSIG_E_SIG },
	{ "ed25519 signature of 65 bytes", NBG_KEY_SK_ED25519, M_SIG_ED_LONG,
	    NBG_SSHSIG_E_SIG },
	{ "signature blob with a trailing byte", NBG_KEY_SK_ED25519, M_SIG_TRAILING,
	    NBG_SSHSIG_E_SIG },
	{ "signature blob without its counter", NBG_KEY_SK_ED25519, M_SIG_TRUNC,
	    NBG_SSHSIG_E_SIG },
	{ "ecdsa r negative", NBG_KEY_SK_ECDSA, M_RS_NEGATIVE, NBG_SSHSIG_E_SIG },
	{ "ecdsa r zero", NBG_KEY_SK_ECDSA, M_RS_ZERO, NBG_SSHSIG_E_SIG },
	{ "ecdsa r empty", NBG_KEY_SK_ECDSA, M_RS_EMPTY, NBG_SSHSIG_E_SIG },
	{ "ecdsa r with a needless leading zero", NBG_KEY_SK_ECDSA, M_RS_LEADING_ZERO,
	    NBG_SSHSIG_E_SIG },
	{ "ecdsa r of 33 significant bytes", NBG_KEY_SK_ECDSA, M_RS_33, NBG_SSHSIG_E_SIG },
	{ "ecdsa r with the sign-bit zero (well-formed)", NBG_KEY_SK_ECDSA, M_RS_PADDED_OK,
	    NBG_SSHSIG_OK },
	{ "ecdsa r, s and a third mpint", NBG_KEY_SK_ECDSA, M_RS_EXTRA, NBG_SSHSIG_E_SIG },
};

struct fixture {
	struct sk_testkey ecdsa, ed25519;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || sk_testkey_new(&f->ecdsa, NBG_KEY_SK_ECDSA, "ssh:") != 0 ||
	    sk_testkey_new(&f->ed25519, NBG_KEY_SK_ED25519, "ssh:") != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sk_testkey_free(&f->ecdsa);
	sk_testkey_free(&f->ed25519);
	free(f);
	return 0;
}

/* Apply one mutation; storage for replaced fields lives in the caller's bufs. */
static void mutate(enum mut m, struct parts *p, uint8_t *kb, uint8_t *sb, size_t sblen)
{
	static const uint8_t big[33] = { 0x01, 0x02 }, neg[32] = { 0x80, 1 },
	    zero[1] = { 0 }, lead[33] = { 0x00, 0x01 }, pad[33] = { 0x00, 0x80, 3 };
	static const uint8_t ok[32] = { 0x11, 0x22 };
	static char longns[NBG_SSHSIG_NS_MAX + 2], longres[NBG_SSHSIG_RESERVED_MAX + 2];
	uint8_t inner[140], ed[66] = { 0 };
	struct sk_w w;

	switch (m) {
	case M_NONE:
		break;
	case M_MAGIC: p->magic = "SSHSIH"; break;
	case M_VERSION: p->version = 2; break;
	case M_NS_EMPTY: p->ns = ""; break;
	case M_NS_LONG:
		memset(longns, 'n', NBG_SSHSIG_NS_MAX + 1);
		p->ns = longns;
		break;
	case M_NS_SPACE: p->ns = "nexus bg"; break;
	case M_RESERVED_LONG:
		memset(longres, 'r', NBG_SSHSIG_RESERVED_MAX + 1);
		p->reserved = longres;
		break;
	case M_RESERVED_SET: p->reserved = "future"; break;
	case M_HASH_SHA1: p->hash = "sha1"; break;
	case M_HASH_EMPTY: p->hash = ""; break;
	case M_TRAILING: p->trailing = true; break;
	case M_KEY_PLAIN:
		sk_w_init(&w, kb, 256);
		sk_w_cstr(&w, "ssh-ed25519");
		sk_w_str(&w, ed, 32);
		p->pubkey = kb;
		p->pubkey_len = w.len;
		break;
	case M_KEY_BAD:
		memcpy(kb, p->pubkey, p->pubkey_len);
		memcpy(kb + 4 + 34 + 4, "nistp384", 8);
		p->pubkey = kb;
		break;
	case M_KEY_LONG:
		memset(kb, 0, NBG_KEYBLOB_MAX + 1);
		p->pubkey = kb;
		p->pubkey_len = NBG_KEYBLOB_MAX + 1;
		break;
	case M_SIG_OTHER_TYPE:
		p->sig_len = make_sig(sb, sblen, "sk-ecdsa-sha2-nistp256@openssh.com", inner,
		    make_rs(inner, sizeof(inner), ok, 32, ok, 32), false);
		break;
	case M_SIG_WEBAUTHN:
		p->sig_len = make_sig(sb, sblen, "webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
		    inner, make_rs(inner, sizeof(inner), ok, 32, ok, 32), false);
		break;
	case M_SIG_ED_SHORT:
		p->sig_len = make_sig(sb, sblen, "sk-ssh-ed25519@openssh.com", ed, 63, false);
		break;
	case M_SIG_ED_LONG:
		p->sig_len = make_sig(sb, sblen, "sk-ssh-ed25519@openssh.com", ed, 65, false);
		break;
	case M_SIG_TRAILING:
		p->sig_len = make_sig(sb, sblen, "sk-ssh-ed25519@openssh.com", ed, 64, true);
		break;
	case M_SIG_TRUNC:
		p->sig_len = make_sig(sb, sblen, "sk-ssh-ed25519@openssh.com", ed, 64, false) - 4;
		break;
#define RS(r, rl, s, sl) make_sig(sb, sblen, "sk-ecdsa-sha2-nistp256@openssh.com", inner, \
	    make_rs(inner, sizeof(inner), r, rl, s, sl), false)
	case M_RS_NEGATIVE: p->sig_len = RS(neg, 32, ok, 32); break;
	case M_RS_ZERO: p->sig_len = RS(zero, 1, ok, 32); break;
	case M_RS_EMPTY: p->sig_len = RS(zero, 0, ok, 32); break;
	case M_RS_LEADING_ZERO: p->sig_len = RS(lead, 33, ok, 32); break;
	case M_RS_33: p->sig_len = RS(big, 33, ok, 32); break;
	case M_RS_PADDED_OK: p->sig_len = RS(pad, 33, ok, 32); break;
	case M_RS_EXTRA:
		sk_w_init(&w, inner, sizeof(inner));
		sk_w_str(&w, ok, 32);
		sk_w_str(&w, ok, 32);
		sk_w_str(&w, ok, 32);
		p->sig_len = make_sig(sb, sblen, "sk-ecdsa-sha2-nistp256@openssh.com", inner,
		    w.len, false);
		break;
#undef RS
	}
}

static void test_parse_cases(void **state)
{
	struct fixture *f = *state;
	static const char msg[] = "message";

	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		const struct sk_testkey *k = c->key == NBG_KEY_SK_ECDSA ? &f->ecdsa : &f->ed25519;
		uint8_t data[512], sigb[256], blob[4096], kb[NBG_KEYBLOB_MAX + 1];
		struct parts p = { "SSHSIG", 1, k->blob, k->bloblen, "nexusbg", "", "sha512",
		    sigb, 0, false };
		struct nbg_sshsig s;
		char err[160];
		long dl, n;

		print_message("parse: %s\n", c->name);
		dl = sk_testsigned("nexusbg", "sha512", msg, sizeof(msg) - 1, data, sizeof(data));
		assert_true(dl > 0);
		n = sk_testsigblob(k, 0x05, 3, data, (size_t)dl, sigb, sizeof(sigb));
		assert_true(n > 0);
		p.sig_len = (size_t)n;
		mutate(c->mut, &p, kb, sigb, sizeof(sigb));
		n = assemble(&p, blob, sizeof(blob));
		assert_true(n > 0);
		assert_int_equal(nbg_sshsig_parse(blob, (size_t)n, &s, err, sizeof(err)), c->want);
		if (c->want != NBG_SSHSIG_OK)
			assert_true(err[0] != '\0');
		if (c->mut == M_KEY_PLAIN)
			assert_int_equal(s.key.type, NBG_KEY_ED25519);
	}
}

/* Every strict prefix of a valid blob is refused, never read past. */
static void test_parse_truncated(void **state)
{
	(void)state;
	for (int v = 0; v < 2; v++) {
		uint8_t blob[NBG_SSHSIG_BLOB_MAX];
		struct nbg_sshsig s;
		char err[160];
		long n = dearmor(v == 0 ? ecdsa_armor : ed25519_armor, blob, sizeof(blob));

		assert_true(n > 0);
		for (size_t len = 0; len < (size_t)n; len++) {
			uint8_t *copy = malloc(len + 1);	/* exact size for ASan */

			assert_non_null(copy);
			memcpy(copy, blob, len);
			assert_int_not_equal(nbg_sshsig_parse(copy, len, &s, err, sizeof(err)),
			    NBG_SSHSIG_OK);
			free(copy);
		}
	}
}

/* ---- the bytes built for verification -------------------------------------- */

static void test_signed_data(void **state)
{
	static const struct {
		const char *ns, *hash;
		const char *msg;
	} v[] = {
		{ "nexusbg", "sha512", "challenge" },
		{ "nexusbg", "sha256", "challenge\n" },
		{ "other-ns", "sha512", "" },
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t blob[2048], want[512], got[NBG_SSHSIG_SIGNED_MAX];
		struct sk_testsig_opts o = { v[i].ns, v[i].hash, 5, 1 };
		struct nbg_sshsig s;
		char err[160];
		long n, wl, gl;

		n = sk_testsign(&f->ecdsa, &o, v[i].msg, strlen(v[i].msg), blob, sizeof(blob));
		assert_true(n > 0);
		assert_int_equal(nbg_sshsig_parse(blob, (size_t)n, &s, err, sizeof(err)),
		    NBG_SSHSIG_OK);
		wl = sk_testsigned(v[i].ns, v[i].hash, v[i].msg, strlen(v[i].msg), want,
		    sizeof(want));
		gl = nbg_sshsig_signed_data(&s, v[i].msg, strlen(v[i].msg), got, sizeof(got));
		assert_int_equal(gl, wl);
		assert_memory_equal(got, want, (size_t)wl);
		/* a buffer one byte short is refused */
		assert_int_equal(nbg_sshsig_signed_data(&s, v[i].msg, strlen(v[i].msg), got,
		    (size_t)wl - 1), -1);
	}
}

static void test_authdata(void **state)
{
	static const uint8_t app_hash[32] = {	/* SHA-256("ssh:") */
		0xe3, 0x06, 0x10, 0xe8, 0xa1, 0x62, 0x11, 0x59, 0x60, 0xfe, 0x1e, 0xc2,
		0x23, 0xe6, 0x52, 0x9c, 0x9f, 0x4b, 0x6e, 0x80, 0x20, 0x0d, 0xcb, 0x5e,
		0x5c, 0x32, 0x1c, 0x8a, 0xf1, 0xe2, 0xb1, 0xbf,
	};
	struct nbg_sk_pubkey key = { NBG_KEY_SK_ED25519, NULL, 0, "ssh:", 4 };
	struct nbg_sk_sig sig = { NBG_KEY_SK_ED25519, { 0 }, 0x05, 0x01020304 };
	uint8_t ad[NBG_SK_AUTHDATA_LEN], want_app[32];

	(void)state;
	nbg_sha256("ssh:", 4, want_app);
	assert_memory_equal(want_app, app_hash, 32);
	nbg_sk_authdata(&key, &sig, ad);
	assert_memory_equal(ad, app_hash, 32);
	assert_int_equal(ad[32], 0x05);
	assert_memory_equal(ad + 33, "\x01\x02\x03\x04", 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_armor_cases),
		cmocka_unit_test(test_armor_limits),
		cmocka_unit_test(test_parse_vectors),
		cmocka_unit_test(test_parse_cases),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_signed_data),
		cmocka_unit_test(test_authdata),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
