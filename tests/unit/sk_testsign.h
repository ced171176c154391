/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk_testsign.h - TEST ONLY: make security-key SSH signatures in software
 * (OpenSSL), with any flags, counter, namespace and hash, so the parser and
 * the libfido2 verification can be driven through every case.  It signs as
 * an authenticator does for OpenSSH (PROTOCOL.u2f): ECDSA over
 * SHA-256(authdata || SHA-256(data)), Ed25519 over authdata || SHA-256(data).
 * Its output was checked against `ssh-keygen -Y verify`.
 */
#ifndef NBG_SK_TESTSIGN_H
#define NBG_SK_TESTSIGN_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "sshkey.h"

struct sk_testkey {
	enum nbg_keytype type;	/* NBG_KEY_SK_ECDSA or NBG_KEY_SK_ED25519 */
	EVP_PKEY *pkey;
	uint8_t blob[256];	/* the public key, SSH wire format */
	size_t bloblen;
};

/* What to sign and how; NULL strings take the defaults in brackets. */
struct sk_testsig_opts {
	const char *ns;		/* namespace ["nexusbg"] */
	const char *hash;	/* "sha256" or "sha512" ["sha512", as ssh-keygen] */
	uint8_t flags;		/* authenticator flags */
	uint32_t counter;
};

/* A bounded writer of SSH wire format, to assemble well- and ill-formed blobs. */
struct sk_w {
	uint8_t *p;
	size_t len, cap;
	int err;		/* set when a put did not fit */
};

void sk_w_init(struct sk_w *w, uint8_t *p, size_t cap);
void sk_w_put(struct sk_w *w, const void *p, size_t n);
void sk_w_u32(struct sk_w *w, uint32_t v);
void sk_w_str(struct sk_w *w, const void *p, size_t n);
void sk_w_cstr(struct sk_w *w, const char *s);
void sk_w_mpint(struct sk_w *w, const uint8_t *p, size_t n);	/* big-endian, >= 0 */

int sk_testkey_new(struct sk_testkey *k, enum nbg_keytype type, const char *application);
void sk_testkey_free(struct sk_testkey *k);

/* The SSHSIG signed data (PROTOCOL.sshsig section 3) over msg. */
long sk_testsigned(const char *ns, const char *hash, const void *msg, size_t msglen,
    uint8_t *out, size_t outlen);

/* The PROTOCOL.u2f signature blob of k over data (the signed data). */
long sk_testsigblob(const struct sk_testkey *k, uint8_t flags, uint32_t counter,
    const uint8_t *data, size_t datalen, uint8_t *out, size_t outlen);

/* A whole SSHSIG blob over msg; returns its length or -1. */
long sk_testsign(const struct sk_testkey *k, const struct sk_testsig_opts *o, const void *msg,
    size_t msglen, uint8_t *out, size_t outlen);

/* The armored form as ssh-keygen writes it (70 columns, trailing newline). */
long sk_testarmor(const uint8_t *blob, size_t len, char *out, size_t outlen);

#endif
