/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_sshkey.c - key type names, blobs, authorized_keys-form lines,
 * base64 and fingerprints.
 *
 * The fingerprint vectors were made by writing each line to a file and
 * running `ssh-keygen -lf` (OpenSSH 9.2p1) on it; the expected strings are
 * what it printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy/buf.h"
#include "policy/sshkey.h"

#define ED_LINE_0 "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIAH14x" \
	"T3IuswpDF77oWjfAlt3iha83Eo8nPdp6HtHYmrAAAABHNzaDo= NexusIdentitySSHKey"
#define EC_LINE_0 "sk-ecdsa-sha2-nistp256@openssh.com AAAAInNrLWVjZHNhLXNoYTItbmlzdHAyNTZAb3Bl" \
	"bnNzaC5jb20AAAAIbmlzdHAyNTYAAABBBDvr/AEO9p9siVitd0Q916WmfZqsW1pwAzP3s6EYaWA9B62nngpXrL" \
	"1nTdDCbo4ZAloM739HvucUyCye+cQGoBUAAAAEc3NoOg== NexusIdentitySSHKey"
#define ED_B64_0 "AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIAH14xT3IuswpDF77oWjfAlt3iha8" \
	"3Eo8nPdp6HtHYmrAAAABHNzaDo="
#define EC_B64_0 "AAAAInNrLWVjZHNhLXNoYTItbmlzdHAyNTZAb3BlbnNzaC5jb20AAAAIbmlzdHAyNTYAAABBB" \
	"Dvr/AEO9p9siVitd0Q916WmfZqsW1pwAzP3s6EYaWA9B62nngpXrL1nTdDCbo4ZAloM739HvucUyCye+cQGoBU" \
	"AAAAEc3NoOg=="
#define PLAIN_ED_LINE "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHgqnrOU1KfPOfD0xrhtsSB6yTu+jYcGnga1" \
	"Wvoi64Kz plain@host"

/* --- fingerprints ------------------------------------------------------ */

static const struct {
	const char *line;
	enum nbg_keytype type;
	const char *fp;
} fp_vectors[] = {
	{ ED_LINE_0, NBG_KEY_SK_ED25519, "SHA256:3dgJD/sOYYCDLkiqvmJpnjuGBMBea9PZNDfbCBmPmrA" },
	{ "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIPL2apIBI520EuX"
	  "M3qUPS3jphpm3upW34CXHxz8Wrq8cAAAABHNzaDo= NexusIdentitySSHKey", NBG_KEY_SK_ED25519,
	  "SHA256:vn6UeLXSvOdZTlUs5VB+XzgOmVTx0SEwVKibLYKv9PI" },
	{ "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIBXXpRKWhIrtlSn"
	  "ZPe8MtzgjwgetfOGPTrm3Lrs3lEQhAAAABHNzaDo= NexusIdentitySSHKey", NBG_KEY_SK_ED25519,
	  "SHA256:msqiRWSODeVwJat7uNl4mJoLJRMB8ue5402EYZMPJu4" },
	/* application "ssh:nexus-bg", a tab after the type, a comment with spaces */
	{ "sk-ssh-ed25519@openssh.com\tAAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIKSTIOpR/8789L"
	  "hIX5zhO1+GPEwDh72JRiZs4bMpVPpHAAAADHNzaDpuZXh1cy1iZw== Nexus Identity Key  (spare)",
	  NBG_KEY_SK_ED25519, "SHA256:q0jUgTLA+eJLyE0WAdJiZ+6x9tNFL7zLt0jFgbJ8FLA" },
	{ EC_LINE_0, NBG_KEY_SK_ECDSA, "SHA256:MBbQy8zNIM+CyxhbpmkghdaNIbVx2HczNlymKfyYGqE" },
	{ "sk-ecdsa-sha2-nistp256@openssh.com AAAAInNrLWVjZHNhLXNoYTItbmlzdHAyNTZAb3BlbnNzaC5jb20"
	  "AAAAIbmlzdHAyNTYAAABBBIUyhKQtfcQj7Jc8eoQNE2/frWw/kE3GejfXc3pCRR6esIkXfMVGxQA5PdZgI4MuQf"
	  "hRQFl6yJ8+ZVkVR9bVx8wAAAAEc3NoOg== NexusIdentitySSHKey", NBG_KEY_SK_ECDSA,
	  "SHA256:khcC6XAvig9SE2J9wFaBtlw4Tsz2+Fg16cJTmj2Ik+E" },
	/* no comment */
	{ "sk-ecdsa-sha2-nistp256@openssh.com AAAAInNrLWVjZHNhLXNoYTItbmlzdHAyNTZAb3BlbnNzaC5jb20"
	  "AAAAIbmlzdHAyNTYAAABBBCz5Ulmn6mlqTBQognHMKu2TLCzAHHYCE2q7jzkzEYuyldUD5pUgOsUM5DznAr6X6/"
	  "Jy1PcsnqclIymnQ7vm3U8AAAAEc3NoOg==", NBG_KEY_SK_ECDSA,
	  "SHA256:IctsNdvzapxzT1L5glLpdiXHdEFqEtpkOto2FKmpFYI" },
	/* not FIDO2: parsed (by name) so that callers can say so */
	{ PLAIN_ED_LINE, NBG_KEY_ED25519, "SHA256:xRA1AYqbUtBa1yWBL9Cb89aN97eJyqp+VKpYj4Fjxf0" },
	{ "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHh0kx6WtAa67O"
	  "cIi8uwc7dMtUvsgxh1H8c1Z2q8rkp6bjawXft5vmO7a3Zklv6YdxMkZMCbpbouDR7m2p7iq9w= ec@host",
	  NBG_KEY_ECDSA, "SHA256:qGWF4Y9RikrPe9aNz0No5Gc4uW9FIaEhAKeJFx2GLhs" },
	{ "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCP0MKJPXtapjKIkYUhFjF1gh90ZwTjcMygWnAivM6OOQHUQMJJ"
	  "aW0jTu6r42RO9Nzsp1sbS1m727HXDvv5XBncOG/B5snjekJncGiM2ByngdIAOa5DdlqBhgKdpzlaAIPiGOElEWJc"
	  "gzIEMkPs3BMUkTkCKEJxZA1IKtMMTXL6aVA27YWgvfEQu47ai76cub8PQtJRBnx73ixDNVfzzwzppkKbGFGM/n9N"
	  "AKtA/b2XiUaWZBf1SFn7kpvxc8UB+YQfDLZ0IuFUgXbXsFblIp/GuEd0IhpMYBrfmodykwz85GrMO5b0YFmit7ro"
	  "R6hVtuAk5UqcvyPgxn09Au+4m3X3 rsa@host", NBG_KEY_RSA,
	  "SHA256:HPBt3FCqC3C83EufOwuAQH/ExaLQZJ0NTN4A9dlh97k" },
};

static void test_fingerprints(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fp_vectors) / sizeof(fp_vectors[0]); i++) {
		uint8_t *blob = NULL, digest[32];
		size_t len = 0;
		enum nbg_keytype type;
		char err[128], fp[NBG_FP_LEN], fp2[NBG_FP_LEN];

		if (nbg_sshkey_parse_line(fp_vectors[i].line, &blob, &len, &type, err,
		    sizeof(err)) != 0)
			fail_msg("vector %zu: parse failed: %s", i, err);
		if (type != fp_vectors[i].type)
			fail_msg("vector %zu: type %d, expected %d", i, type, fp_vectors[i].type);
		nbg_fingerprint(blob, len, fp);
		nbg_sha256(blob, len, digest);
		nbg_fingerprint_from_digest(digest, fp2);
		if (strcmp(fp, fp_vectors[i].fp) != 0 || strcmp(fp2, fp_vectors[i].fp) != 0)
			fail_msg("vector %zu: %s / %s, ssh-keygen says %s", i, fp, fp2,
			    fp_vectors[i].fp);
		assert_int_equal(strlen(fp), NBG_FP_LEN - 1);
		free(blob);
	}
}

/* --- type names -------------------------------------------------------- */

static const struct {
	const char *name;
	enum nbg_keytype type;
} name_cases[] = {
	{ "sk-ecdsa-sha2-nistp256@openssh.com", NBG_KEY_SK_ECDSA },
	{ "sk-ssh-ed25519@openssh.com", NBG_KEY_SK_ED25519 },
	{ "ssh-ed25519", NBG_KEY_ED25519 },
	{ "ecdsa-sha2-nistp256", NBG_KEY_ECDSA },
	{ "ecdsa-sha2-nistp384", NBG_KEY_ECDSA },
	{ "ecdsa-sha2-nistp521", NBG_KEY_ECDSA },
	{ "ssh-rsa", NBG_KEY_RSA },
	{ "rsa-sha2-256", NBG_KEY_RSA },
	{ "rsa-sha2-512", NBG_KEY_RSA },
	{ "ssh-dss", NBG_KEY_DSA },
	{ "ssh-ed25519-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "sk-ssh-ed25519-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "ecdsa-sha2-nistp384-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "ssh-rsa-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "rsa-sha2-512-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "ssh-dss-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "", NBG_KEY_UNKNOWN },
	{ "ssh-ed25519x", NBG_KEY_UNKNOWN },
	{ "ssh-ed2551", NBG_KEY_UNKNOWN },
	{ "SSH-ED25519", NBG_KEY_UNKNOWN },
	{ "sk-ssh-ed25519", NBG_KEY_UNKNOWN },
	{ "ecdsa-sha2-nistp256@openssh.com", NBG_KEY_UNKNOWN },
	{ "ssh-xmss@openssh.com", NBG_KEY_UNKNOWN },
	{ "foo-cert-v01@openssh.com", NBG_KEY_UNKNOWN },
	{ "verify-required", NBG_KEY_UNKNOWN },
};

static void test_type_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		const char *n = name_cases[i].name;
		enum nbg_keytype t = nbg_keytype_from_name(n, strlen(n));

		if (t != name_cases[i].type)
			fail_msg("\"%s\": type %d, expected %d", n, t, name_cases[i].type);
		/* A prefix of a known name is not that name (length-bounded match). */
		if (strlen(n) > 1 && nbg_keytype_from_name(n, strlen(n) - 1) == t &&
		    t != NBG_KEY_UNKNOWN)
			fail_msg("\"%s\" minus its last byte still matches", n);
	}
	/* Canonical names round-trip, except the two families without one. */
	for (int t = NBG_KEY_SK_ECDSA; t <= NBG_KEY_DSA; t++) {
		const char *n = nbg_keytype_name((enum nbg_keytype)t);

		assert_int_equal(nbg_keytype_from_name(n, strlen(n)), t);
	}
	assert_string_equal(nbg_keytype_name(NBG_KEY_SK_ECDSA), "sk-ecdsa-sha2-nistp256@openssh.com");
	assert_string_equal(nbg_keytype_name(NBG_KEY_SK_ED25519), "sk-ssh-ed25519@openssh.com");
	assert_string_equal(nbg_keytype_name(NBG_KEY_UNKNOWN), "unknown");
	assert_string_equal(nbg_keytype_name(NBG_KEY_CERT), "certificate");
	assert_string_equal(nbg_keytype_name((enum nbg_keytype)99), "unknown");
	assert_int_equal(nbg_keytype_from_name(NULL, 3), NBG_KEY_UNKNOWN);
	assert_true(nbg_keytype_is_fido2(NBG_KEY_SK_ECDSA));
	assert_true(nbg_keytype_is_fido2(NBG_KEY_SK_ED25519));
	assert_false(nbg_keytype_is_fido2(NBG_KEY_ED25519));
	assert_false(nbg_keytype_is_fido2(NBG_KEY_CERT));
}

/* --- blobs ------------------------------------------------------------- */

struct wbuf {
	uint8_t b[2048];
	size_t n;
};

static void put_raw(struct wbuf *w, const void *p, size_t len)
{
	assert_true(w->n + len <= sizeof(w->b));
	memcpy(w->b + w->n, p, len);
	w->n += len;
}

static void put_str(struct wbuf *w, const void *p, size_t len)
{
	uint8_t l[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
	    (uint8_t)len };

	put_raw(w, l, 4);
	put_raw(w, p, len);
}

static void put_cstr(struct wbuf *w, const char *s)
{
	put_str(w, s, strlen(s));
}

/* The public parts of the two test keys, decoded from the vectors. */
static uint8_t ec_q[65], ed_pk[32];

static void decode_parts(void)
{
	uint8_t blob[256];
	long n;

	n = nbg_base64_decode(EC_B64_0, strlen(EC_B64_0), blob, sizeof(blob));
	assert_int_equal(n, 4 + 34 + 4 + 8 + 4 + 65 + 4 + 4);
	memcpy(ec_q, blob + 4 + 34 + 4 + 8 + 4, 65);
	n = nbg_base64_decode(ED_B64_0, strlen(ED_B64_0), blob, sizeof(blob));
	assert_int_equal(n, 4 + 26 + 4 + 32 + 4 + 4);
	memcpy(ed_pk, blob + 4 + 26 + 4, 32);
}

enum blob_kind { B_EC, B_ED };

struct blob_case {
	const char *name;
	enum blob_kind kind;
	const char *type_name;		/* NULL = the right one */
	const char *curve;		/* NULL = "nistp256" */
	int point;			/* 0 good, 1 off curve, 2 compressed, 3 64 bytes,
					   4 66 bytes, 5 x >= p, 6 infinity, 7 short x */
	size_t pk_len;			/* ed25519: 0 = 32 */
	int app;			/* 0 "ssh:", 1 missing, 2 empty, 3 ctrl, 4 DEL,
					   5 non-ASCII, 6 128 bytes, 7 129 bytes, 8 NUL inside */
	size_t trailing;		/* bytes appended */
	int ok;
	const char *err;		/* substring of the error */
};

static const struct blob_case blob_cases[] = {
	{ "ecdsa good", B_EC, NULL, NULL, 0, 0, 0, 0, 1, NULL },
	{ "ed25519 good", B_ED, NULL, NULL, 0, 0, 0, 0, 1, NULL },
	{ "ecdsa wrong name inside", B_EC, "sk-ecdsa-sha2-nistp256@openssh.co", NULL, 0, 0, 0, 0,
	  0, "unknown key type" },
	{ "ed25519 named as ecdsa", B_ED, "sk-ecdsa-sha2-nistp256@openssh.com", NULL, 0, 0, 0, 0,
	  0, "curve" },
	{ "ecdsa named as ed25519", B_EC, "sk-ssh-ed25519@openssh.com", NULL, 0, 0, 0, 0, 0,
	  "Ed25519 key is" },
	{ "ecdsa curve nistp384", B_EC, NULL, "nistp384", 0, 0, 0, 0, 0, "curve" },
	{ "ecdsa curve empty", B_EC, NULL, "", 0, 0, 0, 0, 0, "curve" },
	{ "ecdsa point off curve", B_EC, NULL, NULL, 1, 0, 0, 0, 0, "not on the P-256 curve" },
	{ "ecdsa compressed point", B_EC, NULL, NULL, 2, 0, 0, 0, 0, "not an uncompressed" },
	{ "ecdsa 64-byte point", B_EC, NULL, NULL, 3, 0, 0, 0, 0, "not an uncompressed" },
	{ "ecdsa 66-byte point", B_EC, NULL, NULL, 4, 0, 0, 0, 0, "not an uncompressed" },
	{ "ecdsa x >= p", B_EC, NULL, NULL, 5, 0, 0, 0, 0, "not on the P-256 curve" },
	{ "ecdsa point at infinity", B_EC, NULL, NULL, 6, 0, 0, 0, 0, "not an uncompressed" },
	{ "ecdsa short x", B_EC, NULL, NULL, 7, 0, 0, 0, 0, "not on the P-256 curve" },
	{ "ed25519 31 bytes", B_ED, NULL, NULL, 0, 31, 0, 0, 0, "31 bytes" },
	{ "ed25519 33 bytes", B_ED, NULL, NULL, 0, 33, 0, 0, 0, "33 bytes" },
	{ "ecdsa no application", B_EC, NULL, NULL, 0, 0, 1, 0, 0, "application string: truncated" },
	{ "ed25519 no application", B_ED, NULL, NULL, 0, 0, 1, 0, 0, "application string: truncated" },
	{ "ecdsa empty application", B_EC, NULL, NULL, 0, 0, 2, 0, 0, "empty" },
	{ "ed25519 empty application", B_ED, NULL, NULL, 0, 0, 2, 0, 0, "empty" },
	{ "application with control", B_ED, NULL, NULL, 0, 0, 3, 0, 0, "non-printable" },
	{ "application with DEL", B_EC, NULL, NULL, 0, 0, 4, 0, 0, "non-printable" },
	{ "application non-ASCII", B_ED, NULL, NULL, 0, 0, 5, 0, 0, "non-printable" },
	{ "application 128 bytes", B_ED, NULL, NULL, 0, 0, 6, 0, 1, NULL },
	{ "application 129 bytes", B_ED, NULL, NULL, 0, 0, 7, 0, 0, "too long" },
	{ "application with NUL", B_EC, NULL, NULL, 0, 0, 8, 0, 0, "NUL" },
	{ "ecdsa 1 trailing byte", B_EC, NULL, NULL, 0, 0, 0, 1, 0, "1 trailing bytes" },
	{ "ed25519 4 trailing bytes", B_ED, NULL, NULL, 0, 0, 0, 4, 0, "4 trailing bytes" },
	{ "plain ed25519 by name", B_ED, "ssh-ed25519", NULL, 0, 0, 0, 0, 1, NULL },
	{ "certificate by name", B_ED, "sk-ssh-ed25519-cert-v01@openssh.com", NULL, 0, 0, 0, 0,
	  1, NULL },
	{ "unknown name", B_ED, "ssh-foo", NULL, 0, 0, 0, 0, 0, "unknown key type" },
	{ "name with NUL", B_ED, "ssh-ed25519\0", NULL, 0, 0, 0, 0, 0, "NUL" },
};

static void build_app(struct wbuf *w, int app)
{
	char big[130];

	switch (app) {
	case 0: put_cstr(w, "ssh:"); break;
	case 1: break;
	case 2: put_cstr(w, ""); break;
	case 3: put_cstr(w, "ssh:\x01"); break;
	case 4: put_cstr(w, "ssh:\x7f"); break;
	case 5: put_cstr(w, "ssh:\xc3\xa9"); break;
	case 6:
	case 7:
		memset(big, 'a', sizeof(big));
		memcpy(big, "ssh:", 4);
		put_str(w, big, app == 6 ? 128 : 129);
		break;
	case 8: put_str(w, "ssh\0x", 5); break;
	default: fail();
	}
}

static void build_point(struct wbuf *w, int point)
{
	uint8_t q[66];

	memcpy(q, ec_q, 65);
	switch (point) {
	case 0: put_str(w, q, 65); break;
	case 1: q[64] ^= 0x01; put_str(w, q, 65); break;
	case 2: q[0] = (uint8_t)(0x02 | (ec_q[64] & 1)); put_str(w, q, 33); break;
	case 3: put_str(w, q, 64); break;
	case 4: q[65] = 0; put_str(w, q, 66); break;
	case 5: memset(q + 1, 0xff, 32); put_str(w, q, 65); break;
	case 6: q[0] = 0; put_str(w, q, 1); break;
	case 7: memset(q + 1, 0, 16); put_str(w, q, 65); break;
	default: fail();
	}
}

static void build_blob(const struct blob_case *c, struct wbuf *w)
{
	static const uint8_t junk[8] = { 0, 0, 0, 0, 1, 2, 3, 4 };

	w->n = 0;
	if (c->type_name != NULL)
		put_str(w, c->type_name, strlen(c->type_name) +
		    (strcmp(c->name, "name with NUL") == 0 ? 1 : 0));
	else
		put_cstr(w, c->kind == B_EC ? "sk-ecdsa-sha2-nistp256@openssh.com" :
		    "sk-ssh-ed25519@openssh.com");
	if (c->kind == B_EC) {
		put_cstr(w, c->curve != NULL ? c->curve : "nistp256");
		build_point(w, c->point);
	} else {
		uint8_t pk[40];

		memset(pk, 0x5a, sizeof(pk));
		memcpy(pk, ed_pk, 32);
		put_str(w, pk, c->pk_len != 0 ? c->pk_len : 32);
	}
	build_app(w, c->app);
	put_raw(w, junk + (c->trailing == 1 ? 7 : 0), c->trailing);
}

/* What a valid blob of case c must yield; k points into the blob. */
static void check_parsed(const struct blob_case *c, const struct nbg_sk_pubkey *k)
{
	if (c->type_name == NULL) {
		assert_int_equal(k->type, c->kind == B_EC ? NBG_KEY_SK_ECDSA : NBG_KEY_SK_ED25519);
		assert_int_equal(k->pk_len, c->kind == B_EC ? 65 : 32);
		assert_memory_equal(k->pk, c->kind == B_EC ? ec_q : ed_pk, k->pk_len);
		assert_int_equal(k->application_len, c->app == 6 ? 128 : 4);
		assert_memory_equal(k->application, "ssh:", 4);
	} else {
		assert_null(k->pk);
		assert_int_equal(k->type, nbg_keytype_from_name(c->type_name,
		    strlen(c->type_name)));
	}
}

/*
 * Parse from an exactly-sized heap copy, so that any over-read is caught;
 * when c is given and parsing succeeds, check the result before the copy
 * is freed.
 */
static int parse_copy(const uint8_t *b, size_t n, const struct blob_case *c, char *err,
    size_t errlen)
{
	struct nbg_sk_pubkey k;
	uint8_t *copy = malloc(n != 0 ? n : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, b, n);
	r = nbg_sshkey_parse_blob(copy, n, &k, err, errlen);
	if (r == 0 && k.pk != NULL) {
		/* Pointers must stay inside the blob. */
		assert_true(k.pk >= copy && k.pk + k.pk_len <= copy + n);
		assert_true((const uint8_t *)k.application >= copy &&
		    (const uint8_t *)k.application + k.application_len <= copy + n);
	}
	if (r == 0 && c != NULL)
		check_parsed(c, &k);
	free(copy);
	return r;
}

static void test_blobs(void **state)
{
	(void)state;
	decode_parts();
	for (size_t i = 0; i < sizeof(blob_cases) / sizeof(blob_cases[0]); i++) {
		const struct blob_case *c = &blob_cases[i];
		struct wbuf w;
		char err[128] = "";
		int r;

		build_blob(c, &w);
		r = parse_copy(w.b, w.n, c, err, sizeof(err));
		if (c->ok && r != 0)
			fail_msg("%s: refused: %s", c->name, err);
		if (!c->ok && r == 0)
			fail_msg("%s: accepted", c->name);
		if (!c->ok && strstr(err, c->err) == NULL)
			fail_msg("%s: error \"%s\", expected \"%s\"", c->name, err, c->err);
	}
}

/* Every proper prefix of a valid FIDO2 blob is refused, without over-reads. */
static void test_blob_truncation(void **state)
{
	(void)state;
	decode_parts();
	for (size_t i = 0; i < 2; i++) {
		struct wbuf w;
		char err[128];

		build_blob(&blob_cases[i], &w);
		assert_int_equal(parse_copy(w.b, w.n, &blob_cases[i], err, sizeof(err)), 0);
		for (size_t n = 0; n < w.n; n++) {
			if (parse_copy(w.b, n, NULL, err, sizeof(err)) == 0)
				fail_msg("%s cut to %zu of %zu bytes: accepted",
				    blob_cases[i].name, n, w.n);
		}
	}
}

static void test_blob_limits(void **state)
{
	struct nbg_sk_pubkey k;
	uint8_t *big;
	char err[128];

	(void)state;
	big = calloc(1, NBG_KEYBLOB_MAX + 1);
	assert_non_null(big);
	assert_int_equal(nbg_sshkey_parse_blob(big, NBG_KEYBLOB_MAX + 1, &k, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "over the"));
	/* A length prefix larger than what follows. */
	memcpy(big, "\xff\xff\xff\xff", 4);
	assert_int_equal(nbg_sshkey_parse_blob(big, 16, &k, err, sizeof(err)), -1);
	free(big);
	assert_int_equal(nbg_sshkey_parse_blob(NULL, 0, &k, err, sizeof(err)), -1);
	/* A NULL err is allowed. */
	assert_int_equal(nbg_sshkey_parse_blob((const uint8_t *)"", 0, &k, NULL, 0), -1);
}

/* --- lines ------------------------------------------------------------- */

struct line_case {
	const char *name;
	const char *line;
	int ok;
	enum nbg_keytype type;
	const char *err;
};

#define ED_LINE_NOCOMMENT "sk-ssh-ed25519@openssh.com " ED_B64_0
#define EC_LINE_NOCOMMENT "sk-ecdsa-sha2-nistp256@openssh.com " EC_B64_0

static const struct line_case line_cases[] = {
	{ "ed25519-sk with comment", ED_LINE_0, 1, NBG_KEY_SK_ED25519, NULL },
	{ "ecdsa-sk with comment", EC_LINE_0, 1, NBG_KEY_SK_ECDSA, NULL },
	{ "no comment", ED_LINE_NOCOMMENT, 1, NBG_KEY_SK_ED25519, NULL },
	{ "comment with spaces", ED_LINE_NOCOMMENT " alice key  on  yubikey", 1,
	  NBG_KEY_SK_ED25519, NULL },
	{ "tabs between fields", "sk-ssh-ed25519@openssh.com\t\t" ED_B64_0 "\tc", 1,
	  NBG_KEY_SK_ED25519, NULL },
	{ "UTF-8 comment", ED_LINE_NOCOMMENT " J\xc3\xb6rg", 1, NBG_KEY_SK_ED25519, NULL },
	{ "plain ed25519 parses", PLAIN_ED_LINE, 1, NBG_KEY_ED25519, NULL },
	{ "option verify-required", "verify-required " ED_LINE_0, 0, 0, "options" },
	{ "quoted options", "no-touch-required,command=\"/bin/sh\" " EC_LINE_0, 0, 0,
	  "options" },
	{ "type mismatch", "sk-ecdsa-sha2-nistp256@openssh.com " ED_B64_0, 0, 0,
	  "does not match" },
	{ "type mismatch plain", "ssh-ed25519 " ED_B64_0, 0, 0, "does not match" },
	{ "rsa-sha2-256 name, ssh-rsa blob", "rsa-sha2-256 AAAAB3NzaC1yc2EAAAADAQABAAAAAQc=", 0, 0,
	  "does not match" },
	{ "unknown type", "ssh-foo " ED_B64_0, 0, 0, "unknown key type \"ssh-foo\"" },
	{ "bad base64 character", "sk-ssh-ed25519@openssh.com AAAA*AAA", 0, 0, "base64" },
	{ "base64 without padding", "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5z"
	  "c2guY29tAAAAIAH14xT3IuswpDF77oWjfAlt3iha83Eo8nPdp6HtHYmrAAAABHNzaDo", 0, 0, "base64" },
	{ "base64 cut inside", "sk-ssh-ed25519@openssh.com AAAAGnNrLXNz", 0, 0, "truncated" },
	{ "base64 with a space inside", "sk-ssh-ed25519@openssh.com AAAAGnNr LXNzaC1lZDI1", 0, 0,
	  "truncated" },
	{ "base64 non-canonical bits", "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9w"
	  "ZW5zc2guY29tAAAAIAH14xT3IuswpDF77oWjfAlt3iha83Eo8nPdp6HtHYmrAAAABHNzaDp=", 0, 0,
	  "base64" },
	{ "type only", "sk-ssh-ed25519@openssh.com", 0, 0, "no base64" },
	{ "type and space", "sk-ssh-ed25519@openssh.com ", 0, 0, "no base64" },
	{ "empty", "", 0, 0, "empty" },
	{ "leading space", " " ED_LINE_0, 0, 0, "whitespace" },
	{ "trailing space", ED_LINE_NOCOMMENT " ", 0, 0, "ends with whitespace" },
	{ "trailing newline", ED_LINE_0 "\n", 0, 0, "control character" },
	{ "carriage return", ED_LINE_NOCOMMENT "\r", 0, 0, "control character" },
	{ "DEL in comment", ED_LINE_0 "\x7f", 0, 0, "control character" },
};

static void test_lines(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		const struct line_case *c = &line_cases[i];
		uint8_t *blob = (uint8_t *)1;
		size_t len = 99;
		enum nbg_keytype type = NBG_KEY_CERT;
		char err[160] = "";
		int r;

		r = nbg_sshkey_parse_line(c->line, &blob, &len, &type, err, sizeof(err));
		if (c->ok) {
			if (r != 0)
				fail_msg("%s: refused: %s", c->name, err);
			if (type != c->type)
				fail_msg("%s: type %d, expected %d", c->name, type, c->type);
			assert_non_null(blob);
			assert_true(len > 0);
		} else {
			if (r == 0)
				fail_msg("%s: accepted", c->name);
			if (strstr(err, c->err) == NULL)
				fail_msg("%s: error \"%s\", expected \"%s\"", c->name, err, c->err);
			assert_null(blob);
			assert_int_equal(len, 0);
			assert_int_equal(type, NBG_KEY_UNKNOWN);
		}
		free(blob);
	}
}

static void test_line_limits(void **state)
{
	uint8_t *blob;
	size_t len;
	enum nbg_keytype type;
	char err[128], *line;
	size_t base = strlen(ED_LINE_NOCOMMENT);

	(void)state;
	line = malloc(8192);
	assert_non_null(line);
	/* 4096 bytes: accepted; 4097: refused. */
	memcpy(line, ED_LINE_NOCOMMENT " ", base + 1);
	memset(line + base + 1, 'c', 4096 - base - 1);
	line[4096] = '\0';
	assert_int_equal(nbg_sshkey_parse_line(line, &blob, &len, &type, err, sizeof(err)), 0);
	free(blob);
	line[4096] = 'c';
	line[4097] = '\0';
	assert_int_equal(nbg_sshkey_parse_line(line, &blob, &len, &type, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than"));
	/* A base64 key longer than any blob we accept. */
	memcpy(line, "sk-ssh-ed25519@openssh.com ", 27);
	memset(line + 27, 'A', 2000);
	line[2027] = '\0';
	assert_int_equal(nbg_sshkey_parse_line(line, &blob, &len, &type, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than"));
	free(line);
	assert_int_equal(nbg_sshkey_parse_line(NULL, &blob, &len, &type, err, sizeof(err)), -1);
}

/* --- base64 ------------------------------------------------------------ */

static const struct {
	const char *plain, *b64;
} b64_vectors[] = {	/* RFC 4648 section 10 */
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
};

static const char *const b64_bad[] = {
	"Zg", "Zg=", "Zm9", "Zh==", "Zm9=", "Zm9vY===", "====", "Z===", "Zg==Zg==",
	"Zm9v\n", "Zm 9", "Zm9-", "Zm9_", "Zm=v", "=Zm9",
};

static void test_base64(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(b64_vectors) / sizeof(b64_vectors[0]); i++) {
		const char *p = b64_vectors[i].plain, *e = b64_vectors[i].b64;
		char out[32];
		uint8_t dec[32];
		long n;

		n = nbg_base64_encode((const uint8_t *)p, strlen(p), out, sizeof(out));
		assert_int_equal(n, strlen(e));
		assert_string_equal(out, e);
		/* Exactly enough room (with the NUL), and one byte less. */
		assert_int_equal(nbg_base64_encode((const uint8_t *)p, strlen(p), out,
		    strlen(e) + 1), (long)strlen(e));
		assert_int_equal(nbg_base64_encode((const uint8_t *)p, strlen(p), out,
		    strlen(e)), -1);
		n = nbg_base64_decode(e, strlen(e), dec, sizeof(dec));
		assert_int_equal(n, strlen(p));
		assert_memory_equal(dec, p, strlen(p));
		if (strlen(p) > 0)
			assert_int_equal(nbg_base64_decode(e, strlen(e), dec, strlen(p) - 1), -1);
	}
	for (size_t i = 0; i < sizeof(b64_bad) / sizeof(b64_bad[0]); i++) {
		uint8_t dec[32];

		if (nbg_base64_decode(b64_bad[i], strlen(b64_bad[i]), dec, sizeof(dec)) != -1)
			fail_msg("\"%s\" decoded", b64_bad[i]);
	}
	/* Round trip of every byte value. */
	{
		uint8_t all[256], back[256];
		char enc[400];
		long n;

		for (size_t i = 0; i < sizeof(all); i++)
			all[i] = (uint8_t)i;
		n = nbg_base64_encode(all, sizeof(all), enc, sizeof(enc));
		assert_int_equal(n, 344);
		assert_int_equal(nbg_base64_decode(enc, (size_t)n, back, sizeof(back)), 256);
		assert_memory_equal(all, back, 256);
	}
}

/* --- the reader -------------------------------------------------------- */

static void test_buf(void **state)
{
	static const uint8_t d[] = { 0, 0, 0, 3, 'a', 'b', 'c', 0, 0, 0, 2, 'x', 0, 1, 2, 3, 4,
	    5, 6, 7 };
	struct nbg_buf b, w;
	const uint8_t *p;
	const char *s;
	size_t len;
	uint8_t u8;
	uint32_t u32;
	uint64_t u64;
	int64_t i64;

	(void)state;
	nbg_buf_init(&b, d, sizeof(d));
	assert_int_equal(nbg_buf_get_string(&b, &p, &len, 2), NBG_BUF_E_TOO_LONG);
	assert_int_equal(b.off, 0);	/* a failed getter consumes nothing */
	assert_int_equal(nbg_buf_get_cstring(&b, &s, &len, 8), NBG_BUF_OK);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "abc", 3);
	assert_int_equal(nbg_buf_get_cstring(&b, &s, &len, 8), NBG_BUF_E_NUL);
	assert_int_equal(b.off, 7);
	assert_int_equal(nbg_buf_get_string(&b, &p, &len, 8), NBG_BUF_OK);
	assert_int_equal(len, 2);
	assert_int_equal(nbg_buf_remaining(&b), 7);
	assert_int_equal(nbg_buf_get_u8(&b, &u8), NBG_BUF_OK);
	assert_int_equal(u8, 1);
	assert_int_equal(nbg_buf_get_u64(&b, &u64), NBG_BUF_E_SHORT);
	assert_int_equal(nbg_buf_remaining(&b), 6);
	assert_int_equal(nbg_buf_get_u32(&b, &u32), NBG_BUF_OK);
	assert_int_equal(u32, 0x02030405);
	assert_int_equal(nbg_buf_get_u32le(&b, &u32), NBG_BUF_E_SHORT);
	assert_int_equal(nbg_buf_skip(&b, 3), NBG_BUF_E_SHORT);
	assert_int_equal(nbg_buf_skip(&b, 2), NBG_BUF_OK);
	assert_int_equal(nbg_buf_remaining(&b), 0);
	assert_int_equal(nbg_buf_get_u8(&b, &u8), NBG_BUF_E_SHORT);
	assert_int_equal(nbg_buf_peek(&b, 0, &p), NBG_BUF_OK);
	nbg_buf_init(&b, d + 13, 7);
	assert_int_equal(nbg_buf_get_u32le(&b, &u32), NBG_BUF_OK);
	assert_int_equal(u32, 0x04030201);
	assert_int_equal(nbg_buf_get_u64le(&b, &u64), NBG_BUF_E_SHORT);
	/* Little-endian signed: all ones is -1. */
	{
		static const uint8_t m1[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
		static const uint8_t mn[8] = { 0, 0, 0, 0, 0, 0, 0, 0x80 };

		nbg_buf_init(&b, m1, 8);
		assert_int_equal(nbg_buf_get_i64le(&b, &i64), NBG_BUF_OK);
		assert_true(i64 == -1);
		nbg_buf_init(&b, mn, 8);
		assert_int_equal(nbg_buf_get_i64le(&b, &i64), NBG_BUF_OK);
		assert_true(i64 == INT64_MIN);
		nbg_buf_init(&b, m1, 8);
		assert_int_equal(nbg_buf_get_u64(&b, &u64), NBG_BUF_OK);
		assert_true(u64 == UINT64_MAX);
	}
	/* Windows and stored strings. */
	nbg_buf_init(&b, d, sizeof(d));
	assert_int_equal(nbg_buf_window(&b, 4, 3, &w), NBG_BUF_OK);
	assert_int_equal(w.len, 3);
	assert_int_equal(nbg_buf_window(&b, sizeof(d), 0, &w), NBG_BUF_OK);
	assert_int_equal(nbg_buf_window(&b, sizeof(d), 1, &w), NBG_BUF_E_RANGE);
	assert_int_equal(nbg_buf_window(&b, 1, UINT64_MAX, &w), NBG_BUF_E_RANGE);
	assert_int_equal(nbg_buf_window(&b, UINT64_MAX, 1, &w), NBG_BUF_E_RANGE);
	assert_int_equal(nbg_buf_cstring_at(&b, 11, 1, &s), NBG_BUF_OK);
	assert_string_equal(s, "x");
	assert_int_equal(nbg_buf_cstring_at(&b, 4, 3, &s), NBG_BUF_OK);
	assert_int_equal(nbg_buf_cstring_at(&b, 4, 2, &s), NBG_BUF_E_UNTERMINATED);
	assert_int_equal(nbg_buf_cstring_at(&b, 9, 3, &s), NBG_BUF_E_NUL);
	assert_int_equal(nbg_buf_cstring_at(&b, sizeof(d) - 1, 1, &s), NBG_BUF_E_RANGE);
	assert_int_equal(nbg_buf_cstring_at(&b, sizeof(d), 0, &s), NBG_BUF_E_RANGE);
	assert_int_equal(nbg_buf_cstring_at(&b, 0, UINT64_MAX, &s), NBG_BUF_E_RANGE);
	assert_string_equal(nbg_buf_strerror(NBG_BUF_E_SHORT), "truncated");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fingerprints),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_blobs),
		cmocka_unit_test(test_blob_truncation),
		cmocka_unit_test(test_blob_limits),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_line_limits),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_buf),
	};

	return cmocka_run_group_tests_name("sshkey", tests, NULL, NULL);
}
