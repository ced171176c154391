/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_sshkey.c - libFuzzer harness for the SSH key parsers: the blob
 * parser, the authorized_keys-form line parser and base64.
 *
 * The first byte chooses the parser; the rest is its input, copied into a
 * buffer of exactly its size so that any over-read is reported.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/sshkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_blob(const uint8_t *in, size_t len)
{
	struct nbg_sk_pubkey k;
	uint8_t *copy = malloc(len != 0 ? len : 1);
	char err[128], fp[NBG_FP_LEN];

	if (copy == NULL)
		return;
	memcpy(copy, in, len);
	if (nbg_sshkey_parse_blob(copy, len, &k, err, sizeof(err)) == 0 && k.pk != NULL) {
		/* Everything returned lies inside the blob. */
		if (k.pk < copy || k.pk + k.pk_len > copy + len ||
		    (const uint8_t *)k.application < copy ||
		    (const uint8_t *)k.application + k.application_len > copy + len ||
		    !nbg_keytype_is_fido2(k.type))
			__builtin_trap();
	}
	nbg_fingerprint(copy, len, fp);
	free(copy);
}

static void fuzz_line(const uint8_t *in, size_t len)
{
	char *line = malloc(len + 1);
	uint8_t *blob = NULL, *again = NULL;
	enum nbg_keytype type, type2;
	size_t blob_len, len2;
	char err[160], *b64 = NULL;

	if (line == NULL)
		return;
	memcpy(line, in, len);
	line[len] = '\0';
	if (nbg_sshkey_parse_line(line, &blob, &blob_len, &type, err, sizeof(err)) == 0) {
		/* Re-encoding an accepted key gives a line that parses the same. */
		size_t cap = (blob_len + 2) / 3 * 4 + 64 + 2;

		b64 = malloc(cap);
		if (b64 != NULL) {
			size_t o = strlen(nbg_keytype_name(type));

			memcpy(b64, nbg_keytype_name(type), o);
			b64[o++] = ' ';
			if (type == NBG_KEY_SK_ECDSA || type == NBG_KEY_SK_ED25519) {
				if (nbg_base64_encode(blob, blob_len, b64 + o, cap - o) < 0)
					__builtin_trap();
				if (nbg_sshkey_parse_line(b64, &again, &len2, &type2, err,
				    sizeof(err)) != 0 || type2 != type || len2 != blob_len ||
				    memcmp(again, blob, blob_len) != 0)
					__builtin_trap();
			}
		}
	}
	free(again);
	free(b64);
	free(blob);
	free(line);
}

static void fuzz_base64(const uint8_t *in, size_t len)
{
	char *text = malloc(len != 0 ? len : 1), *enc;
	uint8_t *dec = malloc(len + 1), *back;
	long n, m;

	if (text == NULL || dec == NULL)
		goto out;
	memcpy(text, in, len);
	n = nbg_base64_decode(text, len, dec, len + 1);
	if (n < 0)
		goto out;
	/* Decoding is strict: what decodes re-encodes to the same text. */
	if ((enc = malloc(len + 1)) == NULL)
		goto out;
	m = nbg_base64_encode(dec, (size_t)n, enc, len + 1);
	if (m != (long)len || memcmp(enc, text, len) != 0)
		__builtin_trap();
	if ((back = malloc((size_t)n + 1)) != NULL) {
		if (nbg_base64_decode(enc, (size_t)m, back, (size_t)n) != n ||
		    memcmp(back, dec, (size_t)n) != 0)
			__builtin_trap();
		free(back);
	}
	free(enc);
out:
	free(text);
	free(dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_blob(data + 1, size - 1);
		break;
	case 1:
		fuzz_line(data + 1, size - 1);
		break;
	default:
		fuzz_base64(data + 1, size - 1);
		break;
	}
	return 0;
}
