/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_sshsig.c - libFuzzer harness for policy/sshsig.c: the armor reader
 * fed the input line by line (as a PAM conversation delivers it), the
 * SSHSIG parser on what it decodes and on the raw input, and the signed
 * data and authenticator data built from whatever parses.
 *
 *   CC=clang meson setup build-fuzz -Dfuzzing=true
 *   build-fuzz/tests/fuzz/fuzz_sshsig -max_len=20000 corpus-sshsig tests/fuzz/seeds/sshsig
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sshsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void use_parsed(const uint8_t *blob, size_t len)
{
	uint8_t signed_data[NBG_SSHSIG_SIGNED_MAX], ad[NBG_SK_AUTHDATA_LEN];
	struct nbg_sshsig s;
	char err[256];

	if (nbg_sshsig_parse(blob, len, &s, err, sizeof(err)) != NBG_SSHSIG_OK)
		return;
	(void)nbg_sshsig_ns_is(&s, "nexusbg");
	(void)nbg_sshsig_signed_data(&s, blob, len, signed_data, sizeof(signed_data));
	nbg_sk_authdata(&s.key, &s.sig, ad);
}

static void armor(const uint8_t *data, size_t size)
{
	struct nbg_armor *a = malloc(sizeof(*a));
	uint8_t *blob = malloc(NBG_SSHSIG_BLOB_MAX);
	enum nbg_armor_status st = NBG_ARMOR_MORE;
	const char *p = (const char *)data, *end = p + size, *nl;
	char err[256];
	long n;

	if (a == NULL || blob == NULL)
		goto out;
	nbg_armor_init(a);
	while (st == NBG_ARMOR_MORE && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		st = nbg_armor_feed(a, p, (size_t)((nl != NULL ? nl : end) - p), err, sizeof(err));
		p = nl != NULL ? nl + 1 : end;
	}
	if (st == NBG_ARMOR_DONE &&
	    (n = nbg_armor_decode(a, blob, NBG_SSHSIG_BLOB_MAX, err, sizeof(err))) > 0)
		use_parsed(blob, (size_t)n);
	nbg_armor_clear(a);
out:
	free(blob);
	free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	armor(data, size);
	/* an exact-size copy, so any read past the end is caught */
	if ((copy = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	use_parsed(copy, size);
	free(copy);
	return 0;
}
