/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TEST ONLY - a software security key with no protection of its secrets;
 * never install, never use with real accounts.
 *
 * sk-soft.h - the security-key middleware interface that OpenSSH 9.2 loads
 * with dlopen() (its sk-api.h, API version 0x000a0000), declared here with
 * the same layout and the same symbol names, plus the layout of sk-soft's
 * own key handles and resident-key records.
 *
 * OpenSSH resolves four symbols: sk_api_version, sk_enroll, sk_sign and
 * sk_load_resident_keys.  It frees every buffer in a response with free(),
 * so every one of them is allocated with malloc()/calloc().
 */
#ifndef SK_SOFT_H
#define SK_SOFT_H

#include <stddef.h>
#include <stdint.h>

/* Request flags (sk_enroll, sk_sign) and response flags. */
#define SSH_SK_USER_PRESENCE_REQD	0x01
#define SSH_SK_USER_VERIFICATION_REQD	0x04
#define SSH_SK_FORCE_OPERATION		0x10
#define SSH_SK_RESIDENT_KEY		0x20

/* Algorithms. */
#define SSH_SK_ECDSA			0x00
#define SSH_SK_ED25519			0x01

/* Return codes; OpenSSH maps PIN_REQUIRED to "wrong passphrase" and asks. */
#define SSH_SK_ERR_GENERAL		-1
#define SSH_SK_ERR_UNSUPPORTED		-2
#define SSH_SK_ERR_PIN_REQUIRED		-3
#define SSH_SK_ERR_DEVICE_NOT_FOUND	-4
#define SSH_SK_ERR_CREDENTIAL_EXISTS	-5

#define SSH_SK_VERSION_MAJOR		0x000a0000
#define SSH_SK_VERSION_MAJOR_MASK	0xffff0000

struct sk_enroll_response {
	uint8_t flags;
	uint8_t *public_key;
	size_t public_key_len;
	uint8_t *key_handle;
	size_t key_handle_len;
	uint8_t *signature;
	size_t signature_len;
	uint8_t *attestation_cert;
	size_t attestation_cert_len;
	uint8_t *authdata;
	size_t authdata_len;
};

struct sk_sign_response {
	uint8_t flags;
	uint32_t counter;
	uint8_t *sig_r;
	size_t sig_r_len;
	uint8_t *sig_s;
	size_t sig_s_len;
};

struct sk_resident_key {
	uint32_t alg;
	size_t slot;
	char *application;
	struct sk_enroll_response key;
	uint8_t flags;
	uint8_t *user_id;
	size_t user_id_len;
};

struct sk_option {
	char *name;
	char *value;
	uint8_t required;
};

#define SK_SOFT_EXPORT __attribute__((visibility("default")))

SK_SOFT_EXPORT uint32_t sk_api_version(void);
SK_SOFT_EXPORT int sk_enroll(uint32_t alg, const uint8_t *challenge,
    size_t challenge_len, const char *application, uint8_t flags,
    const char *pin, struct sk_option **options,
    struct sk_enroll_response **enroll_response);
SK_SOFT_EXPORT int sk_sign(uint32_t alg, const uint8_t *data, size_t data_len,
    const char *application, const uint8_t *key_handle, size_t key_handle_len,
    uint8_t flags, const char *pin, struct sk_option **options,
    struct sk_sign_response **sign_response);
SK_SOFT_EXPORT int sk_load_resident_keys(const char *pin,
    struct sk_option **options, struct sk_resident_key ***rks, size_t *nrks);

/*
 * FIDO2 authenticator-data flags (CTAP2 / WebAuthn).  UP and UV have the
 * same values as the request flags above.
 */
#define SK_SOFT_AD_UP		0x01
#define SK_SOFT_AD_UV		0x04
#define SK_SOFT_AD_AT		0x40	/* attested credential data follows */

/*
 * Key handle, version 1 (all of it is secret: it holds the private key):
 *   0   8  magic "SKSOFTKH"
 *   8   1  version (1)
 *   9   1  algorithm (SSH_SK_ECDSA, SSH_SK_ED25519)
 *  10  32  SHA-256 of the application it was enrolled for
 *  42  32  private key: P-256 scalar (big-endian) or Ed25519 seed
 *  74   n  public key: 65-byte uncompressed P-256 point or 32-byte Ed25519
 */
#define SK_SOFT_KH_MAGIC	"SKSOFTKH"
#define SK_SOFT_KH_MAGIC_LEN	8
#define SK_SOFT_KH_VERSION	1
#define SK_SOFT_PRIV_LEN	32
#define SK_SOFT_P256_PUB_LEN	65
#define SK_SOFT_ED25519_PUB_LEN	32
#define SK_SOFT_KH_HDR_LEN	(SK_SOFT_KH_MAGIC_LEN + 1 + 1 + 32)
#define SK_SOFT_KH_MAX		(SK_SOFT_KH_HDR_LEN + SK_SOFT_PRIV_LEN + \
				 SK_SOFT_P256_PUB_LEN)

/*
 * Resident-key record "rk-<hex SHA-256(application NUL user-id)>" in
 * SK_SOFT_STATE_DIR, version 1:
 *   magic "SKSOFTRK" (8), version (1), flags (1),
 *   u16 length + application, u16 length + user id, u16 length + key handle
 * (lengths big-endian), nothing after.
 */
#define SK_SOFT_RK_MAGIC	"SKSOFTRK"
#define SK_SOFT_RK_MAGIC_LEN	8
#define SK_SOFT_RK_VERSION	1

/* Bounds on what enters from the caller and from the state directory. */
#define SK_SOFT_APP_MAX		128	/* application ("ssh:...") */
#define SK_SOFT_CHALLENGE_MAX	4096	/* enrollment challenge */
#define SK_SOFT_MESSAGE_MAX	(1024 * 1024)	/* data to sign */
#define SK_SOFT_PIN_MAX		63	/* CTAP2: at most 63 bytes */
#define SK_SOFT_PIN_MIN		4
#define SK_SOFT_USER_ID_LEN	32	/* as OpenSSH's own middleware */
#define SK_SOFT_RK_FILE_MAX	1024
#define SK_SOFT_RK_MAX		64	/* resident keys listed at most */

#endif
