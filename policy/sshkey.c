/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sshkey.c - parsing and validating SSH public keys: wire-format blobs of
 * the two FIDO2 key types and authorized_keys-form lines.  Type names,
 * base64 and fingerprints are in keyfmt.c (no OpenSSL there).
 *
 * The two blob layouts (OpenSSH PROTOCOL.u2f, "SSH U2F public key"):
 *
 *	string	"sk-ecdsa-sha2-nistp256@openssh.com"
 *	string	"nistp256"
 *	string	Q		65 bytes: 0x04 || X || Y, a point on P-256
 *	string	application	e.g. "ssh:"
 *
 *	string	"sk-ssh-ed25519@openssh.com"
 *	string	pk		32 bytes
 *	string	application
 *
 * Every byte of a blob is read through buf.h.
 */
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include "buf.h"
#include "sshkey.h"

#define SK_ECDSA_NAME		"sk-ecdsa-sha2-nistp256@openssh.com"
#define SK_ED25519_NAME		"sk-ssh-ed25519@openssh.com"
#define SK_ECDSA_CURVE		"nistp256"
#define P256_POINT_LEN		65	/* 0x04 || X || Y */
#define P256_COORD_LEN		32
#define ED25519_PK_LEN		32
#define KEYNAME_MAX		64	/* longer than any type name we know */
#define LINE_MAX_BYTES		4096	/* authorized_keys-form line, NUL excluded */
#define B64_BLOB_MAX		(((NBG_KEYBLOB_MAX + 2) / 3) * 4)

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* --- blobs ------------------------------------------------------------- */

/*
 * The P-256 group, built once per process: building it is far dearer than
 * checking a point (a 100,000-user document has 100,000 points to check).
 * Immutable once built; OpenSSL's point operations only read it.
 */
static EC_GROUP *p256_group;
static pthread_once_t p256_once = PTHREAD_ONCE_INIT;

static void p256_init(void)
{
	p256_group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
}

/* 0 valid, -1 not a valid P-256 point, -2 OpenSSL could not check it. */
static int p256_point_check(const uint8_t *q, size_t len)
{
	EC_POINT *pt = NULL;
	int r = -1;

	if (len != P256_POINT_LEN || q[0] != 0x04)
		goto out;
	/*
	 * OpenSSH (sshkey_ec_validate_public) also refuses coordinates shorter
	 * than half the order: 16 leading zero bytes in X or Y.
	 */
	{
		static const uint8_t zero[P256_COORD_LEN / 2];

		if (memcmp(q + 1, zero, sizeof(zero)) == 0 ||
		    memcmp(q + 1 + P256_COORD_LEN, zero, sizeof(zero)) == 0)
			goto out;
	}
	if (pthread_once(&p256_once, p256_init) != 0 || p256_group == NULL ||
	    (pt = EC_POINT_new(p256_group)) == NULL) {
		r = -2;
		goto out;
	}
	/* oct2point refuses coordinates >= p and points off the curve. */
	if (EC_POINT_oct2point(p256_group, pt, q, len, NULL) != 1)
		goto out;
	/* P-256 has cofactor 1: every finite curve point is in the group. */
	if (EC_POINT_is_at_infinity(p256_group, pt) ||
	    EC_POINT_is_on_curve(p256_group, pt, NULL) != 1)
		goto out;
	r = 0;
out:
	EC_POINT_free(pt);
	return r;
}

static int parse_application(struct nbg_buf *b, struct nbg_sk_pubkey *k, char *err,
    size_t errlen)
{
	const char *app;
	size_t len;
	int r;

	if ((r = nbg_buf_get_cstring(b, &app, &len, NBG_SK_APP_MAX)) != NBG_BUF_OK) {
		seterr(err, errlen, "application string: %s%s", nbg_buf_strerror(r),
		    r == NBG_BUF_E_TOO_LONG ? " (over 128 bytes)" : "");
		return -1;
	}
	if (len == 0) {
		seterr(err, errlen, "application string is empty");
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (app[i] < 0x20 || app[i] > 0x7e) {
			seterr(err, errlen, "application string has a non-printable byte at %zu",
			    i);
			return -1;
		}
	}
	k->application = app;
	k->application_len = len;
	return 0;
}

static int parse_sk_ecdsa(struct nbg_buf *b, struct nbg_sk_pubkey *k, char *err,
    size_t errlen)
{
	const char *curve;
	const uint8_t *q;
	size_t curve_len, qlen;
	int r;

	if ((r = nbg_buf_get_cstring(b, &curve, &curve_len, KEYNAME_MAX)) != NBG_BUF_OK) {
		seterr(err, errlen, "curve name: %s", nbg_buf_strerror(r));
		return -1;
	}
	if (curve_len != strlen(SK_ECDSA_CURVE) || memcmp(curve, SK_ECDSA_CURVE, curve_len) != 0) {
		seterr(err, errlen, "curve is not " SK_ECDSA_CURVE);
		return -1;
	}
	if ((r = nbg_buf_get_string(b, &q, &qlen, NBG_KEYBLOB_MAX)) != NBG_BUF_OK) {
		seterr(err, errlen, "EC point: %s", nbg_buf_strerror(r));
		return -1;
	}
	if (qlen != P256_POINT_LEN || q[0] != 0x04) {
		seterr(err, errlen, "EC point is not an uncompressed P-256 point (%zu bytes)",
		    qlen);
		return -1;
	}
	if ((r = p256_point_check(q, qlen)) != 0) {
		seterr(err, errlen, r == -2 ? "cannot check the EC point (OpenSSL failure)" :
		    "EC point is not on the P-256 curve");
		return -1;
	}
	k->pk = q;
	k->pk_len = qlen;
	return parse_application(b, k, err, errlen);
}

static int parse_sk_ed25519(struct nbg_buf *b, struct nbg_sk_pubkey *k, char *err,
    size_t errlen)
{
	const uint8_t *pk;
	size_t len;
	int r;

	if ((r = nbg_buf_get_string(b, &pk, &len, NBG_KEYBLOB_MAX)) != NBG_BUF_OK) {
		seterr(err, errlen, "Ed25519 key: %s", nbg_buf_strerror(r));
		return -1;
	}
	if (len != ED25519_PK_LEN) {
		seterr(err, errlen, "Ed25519 key is %zu bytes, not 32", len);
		return -1;
	}
	k->pk = pk;
	k->pk_len = len;
	return parse_application(b, k, err, errlen);
}

int nbg_sshkey_parse_blob(const uint8_t *blob, size_t len, struct nbg_sk_pubkey *out,
    char *err, size_t errlen)
{
	struct nbg_sk_pubkey k;
	struct nbg_buf b;
	const char *name;
	size_t name_len;
	int r, ret = -1;

	memset(&k, 0, sizeof(k));
	if (blob == NULL || len > NBG_KEYBLOB_MAX) {
		seterr(err, errlen, "key blob is %zu bytes, over the %d-byte limit", len,
		    NBG_KEYBLOB_MAX);
		goto out;
	}
	nbg_buf_init(&b, blob, len);
	if ((r = nbg_buf_get_cstring(&b, &name, &name_len, KEYNAME_MAX)) != NBG_BUF_OK) {
		seterr(err, errlen, "key type name: %s", nbg_buf_strerror(r));
		goto out;
	}
	k.type = nbg_keytype_from_name(name, name_len);
	switch (k.type) {
	case NBG_KEY_SK_ECDSA:
		if (parse_sk_ecdsa(&b, &k, err, errlen) != 0)
			goto out;
		break;
	case NBG_KEY_SK_ED25519:
		if (parse_sk_ed25519(&b, &k, err, errlen) != 0)
			goto out;
		break;
	case NBG_KEY_UNKNOWN:
		seterr(err, errlen, "unknown key type inside the key");
		goto out;
	default:
		/* Recognised by name only: the caller refuses it as not FIDO2. */
		*out = k;
		ret = 0;
		goto out;
	}
	if (nbg_buf_remaining(&b) != 0) {
		seterr(err, errlen, "%zu trailing bytes after the key", nbg_buf_remaining(&b));
		goto out;
	}
	*out = k;
	ret = 0;
out:
	return ret;
}

/* --- authorized_keys-form lines ---------------------------------------- */

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Length of the token at s (up to a blank or the end). */
static size_t token_len(const char *s, size_t left)
{
	size_t n = 0;

	while (n < left && !is_blank(s[n]))
		n++;
	return n;
}

/* Does a later token of the line name a key type (so the first is options)? */
static int later_token_is_type(const char *s, size_t left)
{
	while (left > 0) {
		size_t n;

		while (left > 0 && is_blank(*s)) {
			s++;
			left--;
		}
		n = token_len(s, left);
		if (n > 0 && nbg_keytype_from_name(s, n) != NBG_KEY_UNKNOWN)
			return 1;
		s += n;
		left -= n;
	}
	return 0;
}

static void sanitize(char *dst, size_t dstlen, const char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 4 < dstlen; i++)
		dst[o++] = (s[i] >= 0x21 && s[i] <= 0x7e) ? s[i] : '?';
	if (o + 4 >= dstlen && len > o) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

int nbg_sshkey_parse_line(const char *line, uint8_t **blob, size_t *blob_len,
    enum nbg_keytype *type, char *err, size_t errlen)
{
	struct nbg_sk_pubkey k;
	struct nbg_buf b;
	uint8_t *raw = NULL;
	const char *p, *b64, *inner = NULL;
	size_t len, left, tlen, blen, inner_len = 0;
	enum nbg_keytype ltype;
	char shown[48];
	long n;
	int ret = -1;

	*blob = NULL;
	*blob_len = 0;
	*type = NBG_KEY_UNKNOWN;
	if (line == NULL || (len = strnlen(line, LINE_MAX_BYTES + 1)) > LINE_MAX_BYTES) {
		seterr(err, errlen, "key line is longer than %d bytes", LINE_MAX_BYTES);
		goto out;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			seterr(err, errlen, "key line has a control character at byte %zu", i);
			goto out;
		}
	}
	if (len == 0 || is_blank(line[0])) {
		seterr(err, errlen, len == 0 ? "key line is empty" :
		    "key line starts with whitespace");
		goto out;
	}
	/* TYPE */
	p = line;
	left = len;
	tlen = token_len(p, left);
	ltype = nbg_keytype_from_name(p, tlen);
	if (ltype == NBG_KEY_UNKNOWN) {
		sanitize(shown, sizeof(shown), p, tlen);
		if (later_token_is_type(p + tlen, left - tlen))
			seterr(err, errlen, "key options (\"%s\") are not accepted", shown);
		else
			seterr(err, errlen, "unknown key type \"%s\"", shown);
		goto out;
	}
	p += tlen;
	left -= tlen;
	while (left > 0 && is_blank(*p)) {
		p++;
		left--;
	}
	/* BASE64 */
	b64 = p;
	blen = token_len(p, left);
	if (blen == 0) {
		seterr(err, errlen, "key line has no base64 key after the type");
		goto out;
	}
	p += blen;
	left -= blen;
	if (left > 0) {
		/* [COMMENT]: everything after the blanks, kept verbatim by the caller. */
		while (left > 0 && is_blank(*p)) {
			p++;
			left--;
		}
		if (left == 0) {
			seterr(err, errlen, "key line ends with whitespace");
			goto out;
		}
	}
	if (blen > B64_BLOB_MAX) {
		seterr(err, errlen, "key is longer than %d bytes", NBG_KEYBLOB_MAX);
		goto out;
	}
	if ((raw = malloc(NBG_KEYBLOB_MAX)) == NULL) {
		seterr(err, errlen, "out of memory");
		goto out;
	}
	if ((n = nbg_base64_decode(b64, blen, raw, NBG_KEYBLOB_MAX)) <= 0) {
		seterr(err, errlen, "key is not valid base64");
		goto out;
	}
	if (nbg_sshkey_parse_blob(raw, (size_t)n, &k, err, errlen) != 0)
		goto out;
	/* The name inside the blob must be the name in the line, byte for byte. */
	nbg_buf_init(&b, raw, (size_t)n);
	if (nbg_buf_get_cstring(&b, &inner, &inner_len, KEYNAME_MAX) != NBG_BUF_OK ||
	    inner_len != tlen || memcmp(inner, line, tlen) != 0) {
		char ishown[48];

		sanitize(shown, sizeof(shown), line, tlen);
		sanitize(ishown, sizeof(ishown), inner, inner_len);
		seterr(err, errlen, "key type in the line (%s) does not match the key (%s)",
		    shown, ishown);
		goto out;
	}
	*blob = raw;
	*blob_len = (size_t)n;
	*type = k.type;
	raw = NULL;
	ret = 0;
out:
	free(raw);
	return ret;
}
