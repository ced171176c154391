/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk_testsign.c - TEST ONLY software security-key signer (see sk_testsign.h).
 * Never linked into anything but tests.
 */
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/bn.h>
#include <stdio.h>
#include <string.h>

#include "sk_testsign.h"

#define ECDSA_NAME	"sk-ecdsa-sha2-nistp256@openssh.com"
#define ED25519_NAME	"sk-ssh-ed25519@openssh.com"

void sk_w_init(struct sk_w *w, uint8_t *p, size_t cap)
{
	w->p = p;
	w->len = 0;
	w->cap = cap;
	w->err = 0;
}

void sk_w_put(struct sk_w *w, const void *p, size_t n)
{
	if (w->err || n > w->cap - w->len) {
		w->err = 1;
		return;
	}
	if (n > 0)
		memcpy(w->p + w->len, p, n);
	w->len += n;
}

void sk_w_u32(struct sk_w *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	sk_w_put(w, b, 4);
}

void sk_w_str(struct sk_w *w, const void *p, size_t n)
{
	sk_w_u32(w, (uint32_t)n);
	sk_w_put(w, p, n);
}

void sk_w_cstr(struct sk_w *w, const char *s)
{
	sk_w_str(w, s, strlen(s));
}

void sk_w_mpint(struct sk_w *w, const uint8_t *p, size_t n)
{
	while (n > 0 && p[0] == 0) {
		p++;
		n--;
	}
	if (n > 0 && (p[0] & 0x80) != 0) {
		sk_w_u32(w, (uint32_t)n + 1);
		sk_w_put(w, "", 1);
		sk_w_put(w, p, n);
	} else
		sk_w_str(w, p, n);
}

int sk_testkey_new(struct sk_testkey *k, enum nbg_keytype type, const char *application)
{
	struct sk_w w;
	uint8_t pub[65];
	size_t publen = sizeof(pub);

	memset(k, 0, sizeof(*k));
	sk_w_init(&w, k->blob, sizeof(k->blob));
	k->type = type;
	if (type == NBG_KEY_SK_ECDSA) {
		k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		if (k->pkey == NULL || EVP_PKEY_get_octet_string_param(k->pkey,
		    OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub), &publen) != 1 || publen != 65)
			return -1;
		sk_w_cstr(&w, ECDSA_NAME);
		sk_w_cstr(&w, "nistp256");
	} else {
		k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		if (k->pkey == NULL || EVP_PKEY_get_raw_public_key(k->pkey, pub, &publen) != 1 ||
		    publen != 32)
			return -1;
		sk_w_cstr(&w, ED25519_NAME);
	}
	sk_w_str(&w, pub, publen);
	sk_w_cstr(&w, application);
	k->bloblen = w.len;
	return w.err ? -1 : 0;
}

void sk_testkey_free(struct sk_testkey *k)
{
	EVP_PKEY_free(k->pkey);
	k->pkey = NULL;
}

long sk_testsigned(const char *ns, const char *hash, const void *msg, size_t msglen,
    uint8_t *out, size_t outlen)
{
	uint8_t h[64];
	unsigned int hl = 0;
	struct sk_w w;

	EVP_Digest(msg, msglen, h, &hl, strcmp(hash, "sha256") == 0 ? EVP_sha256() :
	    EVP_sha512(), NULL);
	sk_w_init(&w, out, outlen);
	sk_w_put(&w, "SSHSIG", 6);
	sk_w_cstr(&w, ns);
	sk_w_str(&w, "", 0);
	sk_w_cstr(&w, hash);
	sk_w_str(&w, h, hl);
	return w.err ? -1 : (long)w.len;
}

static int sign_raw(EVP_PKEY *pkey, const EVP_MD *md, const uint8_t *in, size_t inlen,
    uint8_t *sig, size_t *siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	ok = ctx != NULL && EVP_DigestSignInit(ctx, NULL, md, NULL, pkey) == 1 &&
	    EVP_DigestSign(ctx, sig, siglen, in, inlen) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* The application: the last string of the key blob. */
static void key_app(const struct sk_testkey *k, const char **app, size_t *applen)
{
	size_t off = 4 + (k->type == NBG_KEY_SK_ECDSA ?
	    strlen(ECDSA_NAME) + 4 + 8 + 4 + 65 : strlen(ED25519_NAME) + 4 + 32);

	*applen = (size_t)k->blob[off] << 24 | (size_t)k->blob[off + 1] << 16 |
	    (size_t)k->blob[off + 2] << 8 | k->blob[off + 3];
	*app = (const char *)k->blob + off + 4;
}

long sk_testsigblob(const struct sk_testkey *k, uint8_t flags, uint32_t counter,
    const uint8_t *data, size_t datalen, uint8_t *out, size_t outlen)
{
	uint8_t in[32 + 1 + 4 + 32], der[128], rs[64], inner[140];
	size_t derlen = sizeof(der), applen;
	const unsigned char *dp = der;
	const char *app;
	ECDSA_SIG *es;
	unsigned int hl = 32;
	struct sk_w w, iw;

	key_app(k, &app, &applen);
	EVP_Digest(app, applen, in, &hl, EVP_sha256(), NULL);
	in[32] = flags;
	in[33] = (uint8_t)(counter >> 24);
	in[34] = (uint8_t)(counter >> 16);
	in[35] = (uint8_t)(counter >> 8);
	in[36] = (uint8_t)counter;
	EVP_Digest(data, datalen, in + 37, &hl, EVP_sha256(), NULL);
	sk_w_init(&w, out, outlen);
	sk_w_init(&iw, inner, sizeof(inner));
	if (k->type == NBG_KEY_SK_ECDSA) {
		if (sign_raw(k->pkey, EVP_sha256(), in, sizeof(in), der, &derlen) != 0 ||
		    (es = d2i_ECDSA_SIG(NULL, &dp, (long)derlen)) == NULL)
			return -1;
		BN_bn2binpad(ECDSA_SIG_get0_r(es), rs, 32);
		BN_bn2binpad(ECDSA_SIG_get0_s(es), rs + 32, 32);
		ECDSA_SIG_free(es);
		sk_w_mpint(&iw, rs, 32);
		sk_w_mpint(&iw, rs + 32, 32);
		sk_w_cstr(&w, ECDSA_NAME);
		sk_w_str(&w, inner, iw.len);
	} else {
		derlen = 64;
		if (sign_raw(k->pkey, NULL, in, sizeof(in), der, &derlen) != 0 || derlen != 64)
			return -1;
		sk_w_cstr(&w, ED25519_NAME);
		sk_w_str(&w, der, 64);
	}
	sk_w_put(&w, &flags, 1);
	sk_w_u32(&w, counter);
	return w.err || iw.err ? -1 : (long)w.len;
}

long sk_testsign(const struct sk_testkey *k, const struct sk_testsig_opts *o, const void *msg,
    size_t msglen, uint8_t *out, size_t outlen)
{
	const char *ns = o->ns != NULL ? o->ns : "nexusbg";
	const char *hash = o->hash != NULL ? o->hash : "sha512";
	uint8_t data[512], sig[256];
	long dl, sl;
	struct sk_w w;

	if ((dl = sk_testsigned(ns, hash, msg, msglen, data, sizeof(data))) < 0 ||
	    (sl = sk_testsigblob(k, o->flags, o->counter, data, (size_t)dl, sig,
	    sizeof(sig))) < 0)
		return -1;
	sk_w_init(&w, out, outlen);
	sk_w_put(&w, "SSHSIG", 6);
	sk_w_u32(&w, 1);
	sk_w_str(&w, k->blob, k->bloblen);
	sk_w_cstr(&w, ns);
	sk_w_str(&w, "", 0);
	sk_w_cstr(&w, hash);
	sk_w_str(&w, sig, (size_t)sl);
	return w.err ? -1 : (long)w.len;
}

long sk_testarmor(const uint8_t *blob, size_t len, char *out, size_t outlen)
{
	char b64[4096];
	size_t n, o;
	int r;

	if (4 * ((len + 2) / 3) >= sizeof(b64))
		return -1;
	n = (size_t)EVP_EncodeBlock((unsigned char *)b64, blob, (int)len);
	r = snprintf(out, outlen, "%s\n", "-----BEGIN SSH SIGNATURE-----");
	if (r < 0 || (size_t)r >= outlen)
		return -1;
	o = (size_t)r;
	for (size_t i = 0; i < n; i += 70) {
		size_t l = n - i < 70 ? n - i : 70;

		if (o + l + 2 >= outlen)
			return -1;
		memcpy(out + o, b64 + i, l);
		o += l;
		out[o++] = '\n';
	}
	r = snprintf(out + o, outlen - o, "%s\n", "-----END SSH SIGNATURE-----");
	if (r < 0 || (size_t)r >= outlen - o)
		return -1;
	return (long)(o + (size_t)r);
}
