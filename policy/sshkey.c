/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sshkey.c - SSH public keys: type names, wire-format blobs of the two
 * FIDO2 key types, authorized_keys-form lines, fingerprints and base64.
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

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
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

/*
 * Every name we recognise.  The first entry of each type is its canonical
 * name.  Certificates are recognised so that they are refused by name, with
 * the right reason; "certificate" stands for all of them.
 */
static const struct {
	const char *name;
	enum nbg_keytype type;
} keytypes[] = {
	{ SK_ECDSA_NAME, NBG_KEY_SK_ECDSA },
	{ SK_ED25519_NAME, NBG_KEY_SK_ED25519 },
	{ "ssh-ed25519", NBG_KEY_ED25519 },
	{ "ecdsa-sha2-nistp256", NBG_KEY_ECDSA },
	{ "ecdsa-sha2-nistp384", NBG_KEY_ECDSA },
	{ "ecdsa-sha2-nistp521", NBG_KEY_ECDSA },
	{ "ssh-rsa", NBG_KEY_RSA },
	{ "rsa-sha2-256", NBG_KEY_RSA },
	{ "rsa-sha2-512", NBG_KEY_RSA },
	{ "ssh-dss", NBG_KEY_DSA },
	{ "ssh-rsa-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "rsa-sha2-256-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "rsa-sha2-512-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "ssh-dss-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "ecdsa-sha2-nistp256-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "ecdsa-sha2-nistp384-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "ecdsa-sha2-nistp521-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "ssh-ed25519-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "sk-ssh-ed25519-cert-v01@openssh.com", NBG_KEY_CERT },
};

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

const char *nbg_keytype_name(enum nbg_keytype t)
{
	if (t == NBG_KEY_CERT)
		return "certificate";
	for (size_t i = 0; i < sizeof(keytypes) / sizeof(keytypes[0]); i++) {
		if (keytypes[i].type == t)
			return keytypes[i].name;
	}
	return "unknown";
}

enum nbg_keytype nbg_keytype_from_name(const char *name, size_t len)
{
	if (name == NULL || len == 0 || len > KEYNAME_MAX)
		return NBG_KEY_UNKNOWN;
	for (size_t i = 0; i < sizeof(keytypes) / sizeof(keytypes[0]); i++) {
		if (strlen(keytypes[i].name) == len && memcmp(keytypes[i].name, name, len) == 0)
			return keytypes[i].type;
	}
	return NBG_KEY_UNKNOWN;
}

/* --- digests and base64 ------------------------------------------------ */

void nbg_sha256(const void *data, size_t len, uint8_t out[32])
{
	unsigned int n = 0;

	/* Only an allocation failure inside OpenSSL can make this fail. */
	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 || n != 32)
		memset(out, 0, 32);
}

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

long nbg_base64_encode(const uint8_t *in, size_t len, char *out, size_t outlen)
{
	size_t need, o = 0;

	if (len > (size_t)(LONG_MAX / 4) - 2)
		return -1;
	need = (len + 2) / 3 * 4;
	if (out == NULL || outlen <= need)
		return -1;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t left = len - i;

		if (left > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (left > 2)
			v |= in[i + 2];
		out[o++] = b64chars[(v >> 18) & 0x3f];
		out[o++] = b64chars[(v >> 12) & 0x3f];
		out[o++] = left > 1 ? b64chars[(v >> 6) & 0x3f] : '=';
		out[o++] = left > 2 ? b64chars[v & 0x3f] : '=';
	}
	out[o] = '\0';
	return (long)o;
}

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Strict RFC 4648 decoding: a multiple of four characters, padding only at
 * the end, and the unused bits of the last group zero, so each byte string
 * has exactly one accepted encoding.
 */
long nbg_base64_decode(const char *in, size_t len, uint8_t *out, size_t outlen)
{
	size_t o = 0;

	if (in == NULL || len % 4 != 0 || len / 4 > (size_t)(LONG_MAX / 3))
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		size_t pad = 0, nbytes;
		uint32_t w;

		for (size_t j = 0; j < 4; j++) {
			if (in[i + j] == '=' && i + 4 == len && j >= 2) {
				v[j] = 0;
				pad++;
				continue;
			}
			if (pad != 0 || (v[j] = b64val(in[i + j])) < 0)
				return -1;
		}
		w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
		    (uint32_t)v[3];
		if ((pad == 1 && (w & 0xff) != 0) || (pad == 2 && (w & 0xffff) != 0))
			return -1;
		nbytes = 3 - pad;
		if (out == NULL || o > outlen || outlen - o < nbytes)
			return -1;
		out[o++] = (uint8_t)(w >> 16);
		if (nbytes > 1)
			out[o++] = (uint8_t)(w >> 8);
		if (nbytes > 2)
			out[o++] = (uint8_t)w;
	}
	return (long)o;
}

void nbg_fingerprint_from_digest(const uint8_t digest[32], char out[NBG_FP_LEN])
{
	char b64[48];
	long n;
	size_t end;

	memcpy(out, "SHA256:", 7);
	n = nbg_base64_encode(digest, 32, b64, sizeof(b64));
	/* 32 bytes always encode to 44 characters, the last one '='. */
	end = n == 44 ? 43 : 0;
	memcpy(out + 7, b64, end);
	out[7 + end] = '\0';
}

void nbg_fingerprint(const uint8_t *blob, size_t len, char out[NBG_FP_LEN])
{
	uint8_t d[32];

	nbg_sha256(blob, len, d);
	nbg_fingerprint_from_digest(d, out);
}

/* --- blobs ------------------------------------------------------------- */

/*
 * The P-256 group, built once per process: building it (curve parameters,
 * generator, precomputation) costs far more than checking a point, and a
 * role document carries hundreds of thousands of keys.  The group is never
 * modified after p256_init(), so concurrent checks may share it.
 */
static pthread_once_t p256_once = PTHREAD_ONCE_INIT;
static EC_GROUP *p256_group;

static void p256_init(void)
{
	p256_group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
}

/* 0 valid, -1 not a valid P-256 point, -2 OpenSSL could not check it. */
static int p256_point_check(const uint8_t *q, size_t len)
{
	const EC_GROUP *g;
	EC_POINT *pt = NULL;
	BN_CTX *bn = NULL;
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
	if (pthread_once(&p256_once, p256_init) != 0 || (g = p256_group) == NULL ||
	    (bn = BN_CTX_new()) == NULL || (pt = EC_POINT_new(g)) == NULL) {
		r = -2;
		goto out;
	}
	/* oct2point refuses coordinates >= p and points off the curve. */
	if (EC_POINT_oct2point(g, pt, q, len, bn) != 1)
		goto out;
	/* P-256 has cofactor 1: every finite curve point is in the group. */
	if (EC_POINT_is_at_infinity(g, pt) || EC_POINT_is_on_curve(g, pt, bn) != 1)
		goto out;
	r = 0;
out:
	EC_POINT_free(pt);
	BN_CTX_free(bn);
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
