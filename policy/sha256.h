/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sha256.h - SHA-256 (FIPS 180-4), with no library behind it.
 *
 * The login path (the PAM module's account and session phases, `nexusbg
 * keys`, `nexusbg session`) needs SHA-256 only for key fingerprints; with
 * this file it links no cryptographic library at all, so loading it costs
 * no more than libc.  Sync and the auth phase, which need real
 * cryptography (P-256, signatures), still use OpenSSL and libfido2 for that.
 */
#ifndef NBG_SHA256_H
#define NBG_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define NBG_SHA256_LEN 32

struct nbg_sha256_ctx {
	uint32_t h[8];
	uint64_t bytes;		/* message length so far */
	uint8_t block[64];
	size_t fill;		/* bytes waiting in block */
};

void nbg_sha256_init(struct nbg_sha256_ctx *c);
void nbg_sha256_update(struct nbg_sha256_ctx *c, const void *data, size_t len);
/* Writes the digest and wipes the context. */
void nbg_sha256_final(struct nbg_sha256_ctx *c, uint8_t out[NBG_SHA256_LEN]);

/* One call: the digest of len bytes at data. */
void nbg_sha256(const void *data, size_t len, uint8_t out[NBG_SHA256_LEN]);

#endif
