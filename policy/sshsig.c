/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sshsig.c - the armored SSH signature, the SSHSIG blob and the
 * security-key signature inside it (see sshsig.h).
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "sshsig.h"

enum {
	ARMOR_BEFORE = 0,	/* waiting for the BEGIN line */
	ARMOR_INSIDE,		/* collecting base64 */
	ARMOR_FINISHED,
};

#define MAGIC		"SSHSIG"
#define MAGIC_LEN	6
#define EC_SCALAR_LEN	32
#define SIG_NAME_MAX	64	/* signature algorithm name */
#define SIG_INNER_MAX	128	/* r and s as mpints, or 64 bytes of Ed25519 */
#define SIG_BLOB_MAX	(4 + SIG_NAME_MAX + 4 + SIG_INNER_MAX + 1 + 4)
#define HASH_NAME_MAX	16

void nbg_armor_init(struct nbg_armor *a)
{
	memset(a, 0, sizeof(*a));
	a->state = ARMOR_BEFORE;
}

void nbg_armor_clear(struct nbg_armor *a)
{
	explicit_bzero(a, sizeof(*a));
	a->state = ARMOR_FINISHED;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_b64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '+' || c == '/' || c == '=';
}

static bool starts_with(const char *p, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && memcmp(p, lit, n) == 0;
}

static enum nbg_armor_status armor_finish(struct nbg_armor *a, enum nbg_armor_status st,
    char *err, size_t errlen, const char *why)
{
	a->state = ARMOR_FINISHED;
	if (why != NULL)
		snprintf(err, errlen, "%s", why);
	return st;
}

/* Consume one piece of an open block from offset i; the caller checked the bounds. */
static enum nbg_armor_status armor_scan(struct nbg_armor *a, const char *p, size_t len,
    char *err, size_t errlen)
{
	size_t i = 0;

	while (i < len) {
		if (is_space(p[i])) {
			i++;
		} else if (a->state == ARMOR_BEFORE) {
			if (!starts_with(p + i, len - i, NBG_SSHSIG_BEGIN))
				return armor_finish(a, NBG_ARMOR_GARBAGE, err, errlen,
				    "text before the " NBG_SSHSIG_BEGIN " line");
			i += strlen(NBG_SSHSIG_BEGIN);
			a->state = ARMOR_INSIDE;
		} else if (starts_with(p + i, len - i, NBG_SSHSIG_END)) {
			for (i += strlen(NBG_SSHSIG_END); i < len && is_space(p[i]); i++)
				;
			if (i != len)
				return armor_finish(a, NBG_ARMOR_GARBAGE, err, errlen,
				    "text after the " NBG_SSHSIG_END " line");
			if (a->b64len == 0)
				return armor_finish(a, NBG_ARMOR_GARBAGE, err, errlen,
				    "the signature block is empty");
			return armor_finish(a, NBG_ARMOR_DONE, err, errlen, NULL);
		} else if (is_b64(p[i])) {
			/* b64len <= fed <= NBG_SSHSIG_ARMOR_MAX: always room. */
			a->b64[a->b64len++] = p[i++];
		} else {
			char why[64];

			snprintf(why, sizeof(why), "byte 0x%02x is not base64",
			    (unsigned char)p[i]);
			return armor_finish(a, NBG_ARMOR_GARBAGE, err, errlen, why);
		}
	}
	return NBG_ARMOR_MORE;
}

enum nbg_armor_status nbg_armor_feed(struct nbg_armor *a, const char *piece, size_t len,
    char *err, size_t errlen)
{
	size_t i;

	if (a->state == ARMOR_FINISHED)
		return armor_finish(a, NBG_ARMOR_GARBAGE, err, errlen,
		    "input after the end of the signature");
	if (len > NBG_SSHSIG_ARMOR_MAX - a->fed || a->pieces >= NBG_SSHSIG_ARMOR_PIECES) {
		snprintf(err, errlen, "signature longer than %d bytes or %d lines",
		    NBG_SSHSIG_ARMOR_MAX, NBG_SSHSIG_ARMOR_PIECES);
		return armor_finish(a, NBG_ARMOR_TOO_LONG, err, errlen, NULL);
	}
	a->fed += len;
	a->pieces++;
	if (memchr(piece, '\0', len) != NULL)
		return armor_finish(a, NBG_ARMOR_GARBAGE, err, errlen, "NUL byte in the signature");
	for (i = 0; i < len && is_space(piece[i]); i++)
		;
	if (i == len)
		return armor_finish(a, NBG_ARMOR_ABORTED, err, errlen, "empty line: aborted");
	return armor_scan(a, piece, len, err, errlen);
}

long nbg_armor_decode(const struct nbg_armor *a, uint8_t *out, size_t outlen, char *err,
    size_t errlen)
{
	long n;

	if (a->b64len == 0 || a->b64len % 4 != 0) {
		snprintf(err, errlen, "base64 text of %zu characters is not a multiple of 4",
		    a->b64len);
		return -1;
	}
	n = nbg_base64_decode(a->b64, a->b64len, out, outlen);
	if (n <= 0) {
		snprintf(err, errlen, "the signature is not valid base64");
		return -1;
	}
	return n;
}

/* An SSH mpint that is a positive scalar of at most 32 bytes, minimally encoded. */
static int get_scalar(struct nbg_buf *b, uint8_t out[EC_SCALAR_LEN])
{
	const uint8_t *p;
	size_t len;

	if (nbg_buf_get_string(b, &p, &len, EC_SCALAR_LEN + 1) != 0 || len == 0)
		return -1;
	if ((p[0] & 0x80) != 0)
		return -1;	/* negative */
	if (p[0] == 0) {
		if (len == 1 || (p[1] & 0x80) == 0)
			return -1;	/* zero, or a leading zero that is not needed */
		p++;
		len--;
	}
	if (len > EC_SCALAR_LEN)
		return -1;
	memset(out, 0, EC_SCALAR_LEN);
	memcpy(out + EC_SCALAR_LEN - len, p, len);
	return 0;
}

static int parse_ecdsa(const uint8_t *p, size_t len, struct nbg_sk_sig *sig)
{
	struct nbg_buf b;

	nbg_buf_init(&b, p, len);
	if (get_scalar(&b, sig->sig) != 0 || get_scalar(&b, sig->sig + EC_SCALAR_LEN) != 0 ||
	    nbg_buf_remaining(&b) != 0)
		return -1;
	return 0;
}

/* PROTOCOL.u2f: string type, string signature, byte flags, uint32 counter. */
static enum nbg_sshsig_status parse_sk_sig(const uint8_t *p, size_t len, enum nbg_keytype keytype,
    struct nbg_sk_sig *sig, char *err, size_t errlen)
{
	struct nbg_buf b;
	const uint8_t *inner;
	const char *name;
	size_t namelen, innerlen;

	nbg_buf_init(&b, p, len);
	if (nbg_buf_get_cstring(&b, &name, &namelen, SIG_NAME_MAX) != 0) {
		snprintf(err, errlen, "signature: no algorithm name");
		return NBG_SSHSIG_E_SIG;
	}
	sig->type = nbg_keytype_from_name(name, namelen);
	if (sig->type != keytype) {
		snprintf(err, errlen, "signature algorithm %.*s does not match the %s key",
		    (int)(namelen > 60 ? 60 : namelen), name, nbg_keytype_name(keytype));
		return NBG_SSHSIG_E_SIG;
	}
	if (nbg_buf_get_string(&b, &inner, &innerlen, SIG_INNER_MAX) != 0 ||
	    nbg_buf_get_u8(&b, &sig->flags) != 0 || nbg_buf_get_u32(&b, &sig->counter) != 0) {
		snprintf(err, errlen, "signature: truncated");
		return NBG_SSHSIG_E_SIG;
	}
	if (nbg_buf_remaining(&b) != 0) {
		snprintf(err, errlen, "signature: %zu trailing bytes", nbg_buf_remaining(&b));
		return NBG_SSHSIG_E_SIG;
	}
	if (keytype == NBG_KEY_SK_ECDSA && parse_ecdsa(inner, innerlen, sig) != 0) {
		snprintf(err, errlen, "signature: ECDSA r and s are not two positive 256-bit mpints");
		return NBG_SSHSIG_E_SIG;
	}
	if (keytype == NBG_KEY_SK_ED25519) {
		if (innerlen != sizeof(sig->sig)) {
			snprintf(err, errlen, "signature: Ed25519 signature of %zu bytes, not 64",
			    innerlen);
			return NBG_SSHSIG_E_SIG;
		}
		memcpy(sig->sig, inner, innerlen);
	}
	return NBG_SSHSIG_OK;
}

static bool printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return false;
	return true;
}

static enum nbg_sshsig_status parse_key(struct nbg_sshsig *out, char *err, size_t errlen)
{
	char why[128];

	if (nbg_sshkey_parse_blob(out->pubkey, out->pubkey_len, &out->key, why,
	    sizeof(why)) != 0) {
		snprintf(err, errlen, "public key: %s", why);
		return NBG_SSHSIG_E_KEY;
	}
	if (!nbg_keytype_is_fido2(out->key.type)) {
		snprintf(err, errlen, "signed with a %s key, not a FIDO2 security key",
		    nbg_keytype_name(out->key.type));
		return NBG_SSHSIG_E_NOT_SK;
	}
	return NBG_SSHSIG_OK;
}

static enum nbg_sshsig_status parse_hash(struct nbg_buf *b, struct nbg_sshsig *out, char *err,
    size_t errlen)
{
	const char *h;
	size_t hlen;

	if (nbg_buf_get_cstring(b, &h, &hlen, HASH_NAME_MAX) != 0) {
		snprintf(err, errlen, "hash algorithm: truncated or not a string");
		return NBG_SSHSIG_E_FORMAT;
	}
	if (hlen == 6 && memcmp(h, "sha256", 6) == 0)
		out->hash = NBG_SSHSIG_SHA256;
	else if (hlen == 6 && memcmp(h, "sha512", 6) == 0)
		out->hash = NBG_SSHSIG_SHA512;
	else {
		snprintf(err, errlen, "hash algorithm is not sha256 or sha512");
		return NBG_SSHSIG_E_FORMAT;
	}
	return NBG_SSHSIG_OK;
}

/* The fields between the public key and the signature. */
static enum nbg_sshsig_status parse_middle(struct nbg_buf *b, struct nbg_sshsig *out, char *err,
    size_t errlen)
{
	const uint8_t *ns;

	if (nbg_buf_get_string(b, &ns, &out->ns_len, NBG_SSHSIG_NS_MAX) != 0) {
		snprintf(err, errlen, "namespace: truncated or longer than %d bytes",
		    NBG_SSHSIG_NS_MAX);
		return NBG_SSHSIG_E_FORMAT;
	}
	out->ns = (const char *)ns;
	if (out->ns_len == 0 || out->ns_len > NBG_SSHSIG_NS_MAX ||
	    !printable(out->ns, out->ns_len)) {
		snprintf(err, errlen, "namespace is empty, longer than %d bytes or not printable",
		    NBG_SSHSIG_NS_MAX);
		return NBG_SSHSIG_E_FORMAT;
	}
	if (nbg_buf_get_string(b, &out->reserved, &out->reserved_len,
	    NBG_SSHSIG_RESERVED_MAX) != 0) {
		snprintf(err, errlen, "reserved field truncated or longer than %d bytes",
		    NBG_SSHSIG_RESERVED_MAX);
		return NBG_SSHSIG_E_FORMAT;
	}
	return parse_hash(b, out, err, errlen);
}

enum nbg_sshsig_status nbg_sshsig_parse(const uint8_t *blob, size_t len, struct nbg_sshsig *out,
    char *err, size_t errlen)
{
	enum nbg_sshsig_status st;
	struct nbg_buf b;
	const uint8_t *magic, *sig;
	size_t siglen;
	uint32_t version;

	memset(out, 0, sizeof(*out));
	nbg_buf_init(&b, blob, len);
	if (nbg_buf_get_bytes(&b, MAGIC_LEN, &magic) != 0 ||
	    memcmp(magic, MAGIC, MAGIC_LEN) != 0) {
		snprintf(err, errlen, "not an SSHSIG blob (magic)");
		return NBG_SSHSIG_E_FORMAT;
	}
	if (nbg_buf_get_u32(&b, &version) != 0 || version != NBG_SSHSIG_VERSION) {
		snprintf(err, errlen, "SSHSIG version missing or not %d", NBG_SSHSIG_VERSION);
		return NBG_SSHSIG_E_FORMAT;
	}
	if (nbg_buf_get_string(&b, &out->pubkey, &out->pubkey_len, NBG_KEYBLOB_MAX) != 0) {
		snprintf(err, errlen, "public key: truncated or longer than %d bytes",
		    NBG_KEYBLOB_MAX);
		return NBG_SSHSIG_E_FORMAT;
	}
	if ((st = parse_key(out, err, errlen)) != NBG_SSHSIG_OK)
		return st;
	if ((st = parse_middle(&b, out, err, errlen)) != NBG_SSHSIG_OK)
		return st;
	if (nbg_buf_get_string(&b, &sig, &siglen, SIG_BLOB_MAX) != 0) {
		snprintf(err, errlen, "signature: truncated or too long");
		return NBG_SSHSIG_E_FORMAT;
	}
	if (nbg_buf_remaining(&b) != 0) {
		snprintf(err, errlen, "%zu bytes after the signature", nbg_buf_remaining(&b));
		return NBG_SSHSIG_E_FORMAT;
	}
	return parse_sk_sig(sig, siglen, out->key.type, &out->sig, err, errlen);
}

bool nbg_sshsig_ns_is(const struct nbg_sshsig *s, const char *ns)
{
	return s->ns != NULL && strlen(ns) == s->ns_len && memcmp(s->ns, ns, s->ns_len) == 0;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Append string (u32 length, bytes) at *off; the caller sized out. */
static void put_string(uint8_t *out, size_t *off, const void *p, size_t len)
{
	put_u32(out + *off, (uint32_t)len);
	if (len > 0)
		memcpy(out + *off + 4, p, len);
	*off += 4 + len;
}

long nbg_sshsig_signed_data(const struct nbg_sshsig *s, const void *msg, size_t msglen,
    uint8_t *out, size_t outlen)
{
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0;
	const char *hname = s->hash == NBG_SSHSIG_SHA512 ? "sha512" : "sha256";
	size_t off = 0, need;

	if (s->ns_len > NBG_SSHSIG_NS_MAX || s->reserved_len > NBG_SSHSIG_RESERVED_MAX)
		return -1;
	if (EVP_Digest(msg, msglen, h, &hlen, s->hash == NBG_SSHSIG_SHA512 ? EVP_sha512() :
	    EVP_sha256(), NULL) != 1)
		return -1;
	need = MAGIC_LEN + 4 + s->ns_len + 4 + s->reserved_len + 4 + strlen(hname) + 4 + hlen;
	if (need > outlen)
		return -1;
	memcpy(out, MAGIC, MAGIC_LEN);
	off = MAGIC_LEN;
	put_string(out, &off, s->ns, s->ns_len);
	put_string(out, &off, s->reserved, s->reserved_len);
	put_string(out, &off, hname, strlen(hname));
	put_string(out, &off, h, hlen);
	return (long)off;
}

void nbg_sk_authdata(const struct nbg_sk_pubkey *key, const struct nbg_sk_sig *sig,
    uint8_t out[NBG_SK_AUTHDATA_LEN])
{
	nbg_sha256(key->application, key->application_len, out);
	out[32] = sig->flags;
	put_u32(out + 33, sig->counter);
}
