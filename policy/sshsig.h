/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sshsig.h - SSH signatures (OpenSSH's PROTOCOL.sshsig) made with a FIDO2
 * security key, as `ssh-keygen -Y sign` writes them:
 *
 *   the armor     -----BEGIN SSH SIGNATURE-----, base64, -----END SSH SIGNATURE-----
 *   the blob      "SSHSIG" u32 version, string publickey, string namespace,
 *                 string reserved, string hash_algorithm, string signature
 *   the signature (PROTOCOL.u2f) string type, string sig, byte flags, u32 counter;
 *                 ECDSA: sig = mpint r, mpint s; Ed25519: sig = 64 bytes
 *
 * A pure parser: no I/O, no globals.  The armor is taken in pieces, as the
 * PAM conversation delivers it (one response per prompt), and bounded at
 * that point; the blob is read through the bounds-checked reader in buf.h.
 * Only the two FIDO2 key types are accepted.  Verifying the signature is
 * not done here (pam_nexusbg/fido.c does that with libfido2); this file
 * builds the bytes it needs: the signed data and the authenticator data.
 */
#ifndef NBG_SSHSIG_H
#define NBG_SSHSIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sshkey.h"

/* Limits on what we accept from outside. */
#define NBG_SSHSIG_ARMOR_MAX	(16 * 1024)	/* all responses together */
#define NBG_SSHSIG_ARMOR_PIECES	512		/* responses (lines) */
#define NBG_SSHSIG_BLOB_MAX	(NBG_SSHSIG_ARMOR_MAX / 4 * 3)
#define NBG_SSHSIG_NS_MAX	64		/* namespace */
#define NBG_SSHSIG_RESERVED_MAX	256
#define NBG_SSHSIG_VERSION	1

#define NBG_SSHSIG_BEGIN	"-----BEGIN SSH SIGNATURE-----"
#define NBG_SSHSIG_END		"-----END SSH SIGNATURE-----"

/* FIDO2 authenticator-data flags (CTAP2). */
#define NBG_SK_FLAG_UP		0x01	/* user present: touched */
#define NBG_SK_FLAG_UV		0x04	/* user verified: PIN */
#define NBG_SK_AUTHDATA_LEN	37	/* SHA-256(application) || flags || counter */

/* What a piece of armor did to the reader. */
enum nbg_armor_status {
	NBG_ARMOR_MORE = 0,	/* inside the block: feed the next piece */
	NBG_ARMOR_DONE,		/* the END line was read */
	NBG_ARMOR_ABORTED,	/* an empty piece: the user gave up */
	NBG_ARMOR_TOO_LONG,	/* past NBG_SSHSIG_ARMOR_MAX or NBG_SSHSIG_ARMOR_PIECES */
	NBG_ARMOR_GARBAGE,	/* not an armored SSH signature */
};

/*
 * The armor reader.  Lines may arrive one per piece or several in one
 * piece, and line breaks may have been replaced by spaces (a block joined
 * into one line survives terminals that drop pending input at a prompt):
 * any run of spaces, tabs, CR and LF separates the parts.  Only the base64
 * text is kept.
 */
struct nbg_armor {
	int state;		/* private */
	size_t fed;		/* bytes fed so far */
	unsigned pieces;
	size_t b64len;
	char b64[NBG_SSHSIG_ARMOR_MAX + 1];
};

void nbg_armor_init(struct nbg_armor *a);
/*
 * Feed one piece (not NUL-terminated; embedded NULs are garbage).  After
 * anything but NBG_ARMOR_MORE the reader is finished.  err names the
 * problem for the log.
 */
enum nbg_armor_status nbg_armor_feed(struct nbg_armor *a, const char *piece, size_t len,
    char *err, size_t errlen);
/* Decode a finished block into out; returns the blob length, or -1 (err set). */
long nbg_armor_decode(const struct nbg_armor *a, uint8_t *out, size_t outlen, char *err,
    size_t errlen);
/* Wipe the reader (what it holds came from the user). */
void nbg_armor_clear(struct nbg_armor *a);

enum nbg_sshsig_hash {
	NBG_SSHSIG_SHA256 = 1,
	NBG_SSHSIG_SHA512,
};

/* A security-key signature; the fields are copies, not pointers. */
struct nbg_sk_sig {
	enum nbg_keytype type;	/* NBG_KEY_SK_ECDSA or NBG_KEY_SK_ED25519 */
	uint8_t sig[64];	/* ECDSA: r || s, each 32 bytes big-endian; Ed25519: raw */
	uint8_t flags;
	uint32_t counter;
};

/* A parsed SSHSIG blob; pointers refer into the caller's blob. */
struct nbg_sshsig {
	const uint8_t *pubkey;	/* the public key blob (SSH wire format) */
	size_t pubkey_len;
	struct nbg_sk_pubkey key;	/* parsed; pointers into pubkey */
	const char *ns;		/* namespace, not NUL-terminated */
	size_t ns_len;
	const uint8_t *reserved;
	size_t reserved_len;
	enum nbg_sshsig_hash hash;
	struct nbg_sk_sig sig;
};

/* Why a blob was refused. */
enum nbg_sshsig_status {
	NBG_SSHSIG_OK = 0,
	NBG_SSHSIG_E_FORMAT,	/* truncated, wrong magic or version, bad field, trailing bytes */
	NBG_SSHSIG_E_KEY,	/* the public key does not parse */
	NBG_SSHSIG_E_NOT_SK,	/* a well-formed key that is not a FIDO2 security key */
	NBG_SSHSIG_E_SIG,	/* the signature does not parse or is not of the key's type */
};

/*
 * Parse an SSHSIG blob strictly.  On NBG_SSHSIG_E_NOT_SK out->key.type
 * names the key type (for the not-fido2-key reason) and out->pubkey is
 * set.  err says what is wrong.
 */
enum nbg_sshsig_status nbg_sshsig_parse(const uint8_t *blob, size_t len, struct nbg_sshsig *out,
    char *err, size_t errlen);

/* Is the namespace exactly ns? */
bool nbg_sshsig_ns_is(const struct nbg_sshsig *s, const char *ns);

/*
 * The bytes the key signed for MSG (PROTOCOL.sshsig section 3): "SSHSIG",
 * string namespace, string reserved, string hash_algorithm, string H(msg).
 * Returns the length written, or -1 when out is too small.
 */
#define NBG_SSHSIG_SIGNED_MAX	(6 + 4 + NBG_SSHSIG_NS_MAX + 4 + NBG_SSHSIG_RESERVED_MAX + 4 + 6 + 4 + 64)
long nbg_sshsig_signed_data(const struct nbg_sshsig *s, const void *msg, size_t msglen,
    uint8_t *out, size_t outlen);

/* The FIDO2 authenticator data: SHA-256(application) || flags || counter (big-endian). */
void nbg_sk_authdata(const struct nbg_sk_pubkey *key, const struct nbg_sk_sig *sig,
    uint8_t out[NBG_SK_AUTHDATA_LEN]);

#endif
