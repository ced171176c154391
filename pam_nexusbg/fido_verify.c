/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fido_verify.c - verify an OpenSSH security-key signature with libfido2 (see
 * fido_verify.h).  The only file of the project that includes <fido.h>.
 */
#include <fido.h>
#include <fido/eddsa.h>
#include <fido/es256.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "fido_verify.h"

/* The public key in the form libfido2 wants, with its COSE algorithm. */
struct fido_pk {
	int cose;
	es256_pk_t *es256;
	eddsa_pk_t *eddsa;
};

static void pk_free(struct fido_pk *pk)
{
	es256_pk_free(&pk->es256);
	eddsa_pk_free(&pk->eddsa);
}

static int pk_load(const struct nbg_sk_pubkey *key, struct fido_pk *pk)
{
	memset(pk, 0, sizeof(*pk));
	if (key->type == NBG_KEY_SK_ECDSA) {
		pk->cose = COSE_ES256;
		if ((pk->es256 = es256_pk_new()) == NULL)
			return FIDO_ERR_INTERNAL;
		/* 65 bytes 0x04 || X || Y: es256_pk_from_ptr takes the uncompressed form. */
		return es256_pk_from_ptr(pk->es256, key->pk, key->pk_len);
	}
	if (key->type == NBG_KEY_SK_ED25519) {
		pk->cose = COSE_EDDSA;
		if ((pk->eddsa = eddsa_pk_new()) == NULL)
			return FIDO_ERR_INTERNAL;
		return eddsa_pk_from_ptr(pk->eddsa, key->pk, key->pk_len);
	}
	return FIDO_ERR_INVALID_ARGUMENT;
}

/* ECDSA r || s (32 bytes each) to the DER SEQUENCE libfido2 verifies. */
static int ecdsa_der(const uint8_t rs[64], unsigned char **der, size_t *derlen)
{
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	int n, ret = -1;

	*der = NULL;
	if ((es = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(rs, 32, NULL)) == NULL || (s = BN_bin2bn(rs + 32, 32, NULL)) == NULL)
		goto out;
	if (ECDSA_SIG_set0(es, r, s) != 1)
		goto out;
	r = s = NULL;	/* owned by es now */
	if ((n = i2d_ECDSA_SIG(es, der)) <= 0) {
		*der = NULL;
		goto out;
	}
	*derlen = (size_t)n;
	ret = 0;
out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return ret;
}

/* One assertion statement: rp id, client-data hash, authenticator data, signature. */
static int assert_build(const struct nbg_sk_pubkey *key, const struct nbg_sk_sig *sig,
    const uint8_t *signed_data, size_t signed_len, fido_assert_t *a)
{
	uint8_t cdh[32], authdata[NBG_SK_AUTHDATA_LEN];
	char rp[NBG_SK_APP_MAX + 1];
	unsigned char *der = NULL;
	const unsigned char *sigp = sig->sig;
	size_t siglen = sizeof(sig->sig);
	int r;

	if (key->application_len == 0 || key->application_len > NBG_SK_APP_MAX)
		return FIDO_ERR_INVALID_ARGUMENT;
	memcpy(rp, key->application, key->application_len);
	rp[key->application_len] = '\0';
	nbg_sha256(signed_data, signed_len, cdh);
	nbg_sk_authdata(key, sig, authdata);
	if (key->type == NBG_KEY_SK_ECDSA) {
		if (ecdsa_der(sig->sig, &der, &siglen) != 0)
			return FIDO_ERR_INTERNAL;
		sigp = der;
	}
	if ((r = fido_assert_set_count(a, 1)) != FIDO_OK ||
	    (r = fido_assert_set_rp(a, rp)) != FIDO_OK ||
	    (r = fido_assert_set_clientdata_hash(a, cdh, sizeof(cdh))) != FIDO_OK ||
	    (r = fido_assert_set_authdata_raw(a, 0, authdata, sizeof(authdata))) != FIDO_OK ||
	    (r = fido_assert_set_sig(a, 0, sigp, siglen)) != FIDO_OK)
		goto out;
	r = FIDO_OK;
out:
	OPENSSL_free(der);
	return r;
}

static int assert_verify(fido_assert_t *a, const struct fido_pk *pk, fido_opt_t flags)
{
	int r;

	if ((r = fido_assert_set_up(a, flags)) != FIDO_OK ||
	    (r = fido_assert_set_uv(a, flags)) != FIDO_OK)
		return r;
	return fido_assert_verify(a, 0, pk->cose,
	    pk->cose == COSE_ES256 ? (const void *)pk->es256 : (const void *)pk->eddsa);
}

static enum nbg_fido_result from_fido(int r)
{
	switch (r) {
	case FIDO_OK:
		return NBG_FIDO_OK;
	case FIDO_ERR_INVALID_SIG:
		return NBG_FIDO_BAD_SIG;
	case FIDO_ERR_INTERNAL:
		return NBG_FIDO_INTERNAL;
	default:
		return NBG_FIDO_FORMAT;
	}
}

/*
 * The strict check failed on the flags: is the signature genuine?  Only
 * then does the missing flag name the reason.
 */
static enum nbg_fido_result which_flag(fido_assert_t *a, const struct fido_pk *pk,
    const struct nbg_sk_sig *sig, int *fr)
{
	if ((*fr = assert_verify(a, pk, FIDO_OPT_OMIT)) != FIDO_OK)
		return from_fido(*fr);
	if ((sig->flags & NBG_SK_FLAG_UP) == 0)
		return NBG_FIDO_UP_MISSING;
	if ((sig->flags & NBG_SK_FLAG_UV) == 0)
		return NBG_FIDO_UV_MISSING;
	*fr = FIDO_ERR_INVALID_PARAM;	/* refused for something else (extensions) */
	return NBG_FIDO_FORMAT;
}

enum nbg_fido_result nbg_fido_verify(const struct nbg_sk_pubkey *key,
    const struct nbg_sk_sig *sig, const uint8_t *signed_data, size_t signed_len,
    char *err, size_t errlen)
{
	fido_assert_t *a = NULL;
	struct fido_pk pk;
	enum nbg_fido_result res;
	int r;

	if ((r = pk_load(key, &pk)) != FIDO_OK) {
		res = from_fido(r);
		snprintf(err, errlen, "public key refused by libfido2: %s", fido_strerr(r));
		goto out;
	}
	if ((a = fido_assert_new()) == NULL) {
		res = NBG_FIDO_INTERNAL;
		snprintf(err, errlen, "fido_assert_new failed");
		goto out;
	}
	if ((r = assert_build(key, sig, signed_data, signed_len, a)) != FIDO_OK) {
		res = from_fido(r);
		snprintf(err, errlen, "assertion refused by libfido2: %s", fido_strerr(r));
		goto out;
	}
	r = assert_verify(a, &pk, FIDO_OPT_TRUE);
	res = r == FIDO_ERR_INVALID_PARAM ? which_flag(a, &pk, sig, &r) : from_fido(r);
	snprintf(err, errlen, "fido_assert_verify: %s (flags 0x%02x, counter %u)",
	    fido_strerr(r), sig->flags, sig->counter);
out:
	fido_assert_free(&a);
	pk_free(&pk);
	return res;
}

const char *nbg_fido_result_str(enum nbg_fido_result r)
{
	switch (r) {
	case NBG_FIDO_OK:
		return "valid";
	case NBG_FIDO_UP_MISSING:
		return "user presence flag missing";
	case NBG_FIDO_UV_MISSING:
		return "user verification flag missing";
	case NBG_FIDO_BAD_SIG:
		return "signature does not verify";
	case NBG_FIDO_FORMAT:
		return "signature refused by libfido2";
	case NBG_FIDO_INTERNAL:
		break;
	}
	return "internal error";
}
