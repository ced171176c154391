/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sshkey.h - SSH public keys: the wire-format blob, authorized_keys lines,
 * and fingerprints printed exactly as `ssh-keygen -lf` prints them.
 *
 * Every byte of a blob is read through the bounds-checked reader in buf.h.
 */
#ifndef NBG_SSHKEY_H
#define NBG_SSHKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

enum nbg_keytype {
	NBG_KEY_UNKNOWN = 0,	/* a name we do not know */
	NBG_KEY_SK_ECDSA = 1,	/* sk-ecdsa-sha2-nistp256@openssh.com */
	NBG_KEY_SK_ED25519 = 2,	/* sk-ssh-ed25519@openssh.com */
	NBG_KEY_ED25519 = 3,	/* ssh-ed25519 (not FIDO2) */
	NBG_KEY_ECDSA = 4,	/* ecdsa-sha2-nistp256/384/521 (not FIDO2) */
	NBG_KEY_RSA = 5,	/* ssh-rsa, rsa-sha2-* (not FIDO2) */
	NBG_KEY_DSA = 6,	/* ssh-dss (not FIDO2) */
	NBG_KEY_CERT = 7,	/* any *-cert-v01@openssh.com (not accepted) */
};

#define NBG_KEY_FIDO2_MASK ((1u << NBG_KEY_SK_ECDSA) | (1u << NBG_KEY_SK_ED25519))

static inline bool nbg_keytype_is_fido2(enum nbg_keytype t)
{
	return t == NBG_KEY_SK_ECDSA || t == NBG_KEY_SK_ED25519;
}

/* Canonical name of a type; "unknown" for NBG_KEY_UNKNOWN. */
const char *nbg_keytype_name(enum nbg_keytype t);
/* Type of a key-type name (exact match, length-bounded). */
enum nbg_keytype nbg_keytype_from_name(const char *name, size_t len);

/* Limits on what we accept from outside. */
#define NBG_KEYBLOB_MAX		1024	/* sk keys are < 200 bytes */
#define NBG_SK_APP_MAX		128	/* application string, e.g. "ssh:" */

/* A parsed FIDO2 public key; pointers refer into the caller's blob. */
struct nbg_sk_pubkey {
	enum nbg_keytype type;
	const uint8_t *pk;	/* EC point (65 bytes, 0x04||X||Y) or Ed25519 key (32 bytes) */
	size_t pk_len;
	const char *application;	/* not NUL-terminated */
	size_t application_len;
};

/*
 * Parse and validate a key blob (SSH wire format).  For the two FIDO2
 * types: the name inside matches, the curve is nistp256 and the point is
 * on the curve, Ed25519 is 32 bytes, the application string is present
 * and printable, and nothing trails.  Other types are recognised by name
 * only (for the not-fido2-key reason) and return NBG_KEY_* with out->pk NULL.
 * Returns 0, or -1 with a reason in err.
 */
int nbg_sshkey_parse_blob(const uint8_t *blob, size_t len, struct nbg_sk_pubkey *out,
    char *err, size_t errlen);

/*
 * Parse an authorized_keys-form line "TYPE BASE64 [COMMENT]" (no options).
 * *blob is malloc'd (caller frees); type names the key type in the line.
 * The type in the line must match the type inside the blob.
 * Returns 0, or -1 with a reason in err.
 */
int nbg_sshkey_parse_line(const char *line, uint8_t **blob, size_t *blob_len,
    enum nbg_keytype *type, char *err, size_t errlen);

/* Fingerprint as `ssh-keygen -lf`: "SHA256:" + unpadded base64 of SHA-256. */
#define NBG_FP_LEN 51	/* 7 + 43 + NUL */
void nbg_fingerprint(const uint8_t *blob, size_t len, char out[NBG_FP_LEN]);
void nbg_fingerprint_from_digest(const uint8_t digest[32], char out[NBG_FP_LEN]);

/* Base64 (RFC 4648, padded). Returns bytes written (excluding NUL) or -1. */
long nbg_base64_encode(const uint8_t *in, size_t len, char *out, size_t outlen);
/* Decodes strictly: padding required, no whitespace. Returns length or -1. */
long nbg_base64_decode(const char *in, size_t len, uint8_t *out, size_t outlen);

#endif
