/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fido_verify.h - the one adapter to libfido2: verify a security-key signature
 * as the FIDO2 assertion it is.
 *
 * An OpenSSH sk signature is a FIDO2 assertion whose relying-party id is
 * the key's application string, whose authenticator data is
 * SHA-256(application) || flags || counter, and whose client-data hash is
 * SHA-256 of the signed data.  fido_assert_verify() checks the signature
 * and, asked to, the user-presence and user-verification flags.
 */
#ifndef NBG_FIDO_VERIFY_H
#define NBG_FIDO_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "sshsig.h"

enum nbg_fido_result {
	NBG_FIDO_OK = 0,	/* genuine, touched and PIN-verified */
	NBG_FIDO_UP_MISSING,	/* genuine, but the user-presence flag is clear */
	NBG_FIDO_UV_MISSING,	/* genuine, but the user-verification flag is clear */
	NBG_FIDO_BAD_SIG,	/* not a signature of this key over these bytes */
	NBG_FIDO_FORMAT,	/* libfido2 refused the key, authenticator data or signature */
	NBG_FIDO_INTERNAL,	/* out of memory or a library failure */
};

/*
 * Verify sig, made by key over signed (the SSHSIG signed data), requiring
 * user presence and user verification.  A signature refused only for its
 * flags is checked once more without them, so NBG_FIDO_UP_MISSING and
 * NBG_FIDO_UV_MISSING are reported only for a genuine signature.  err
 * names libfido2's error.
 */
enum nbg_fido_result nbg_fido_verify(const struct nbg_sk_pubkey *key,
    const struct nbg_sk_sig *sig, const uint8_t *signed_data, size_t signed_len,
    char *err, size_t errlen);

const char *nbg_fido_result_str(enum nbg_fido_result r);

#endif
