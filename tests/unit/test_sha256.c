/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_sha256.c - our SHA-256 (policy/sha256.c): the FIPS 180-4 examples,
 * the padding boundaries, a million 'a', and OpenSSL's answer for inputs
 * of every length from 0 to 300 bytes fed in every split of two updates.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "sha256.h"

#define N(a)	(sizeof(a) / sizeof((a)[0]))

static void hex(const uint8_t *d, char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

struct vector {
	const char *msg;
	const char *digest;
};

static const struct vector vectors[] = {
	{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	/* 56 bytes: the length no longer fits the first block */
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	/* 112 bytes (FIPS 180-4, SHA-512 example message) */
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
	  "klmnopqrlmnopqrsmnopqrstnopqrstu",
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	{ "The quick brown fox jumps over the lazy dog",
	  "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592" },
};

static void test_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(vectors); i++) {
		uint8_t d[32];
		char h[65];

		nbg_sha256(vectors[i].msg, strlen(vectors[i].msg), d);
		hex(d, h);
		assert_string_equal(h, vectors[i].digest);
	}
}

static void test_million_a(void **state)
{
	struct nbg_sha256_ctx c;
	char block[1000], h[65];
	uint8_t d[32];

	(void)state;
	memset(block, 'a', sizeof(block));
	nbg_sha256_init(&c);
	for (int i = 0; i < 1000; i++)
		nbg_sha256_update(&c, block, sizeof(block));
	nbg_sha256_final(&c, d);
	hex(d, h);
	assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Every length 0..300 (all padding cases), every split into two updates. */
static void test_against_openssl(void **state)
{
	uint8_t msg[300], want[32], got[32];
	unsigned int n;
	uint32_t x = 2463534242u;

	(void)state;
	for (size_t i = 0; i < sizeof(msg); i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		msg[i] = (uint8_t)x;
	}
	for (size_t len = 0; len <= sizeof(msg); len++) {
		assert_int_equal(EVP_Digest(msg, len, want, &n, EVP_sha256(), NULL), 1);
		nbg_sha256(msg, len, got);
		assert_memory_equal(got, want, 32);
		for (size_t cut = 0; cut <= len; cut++) {
			struct nbg_sha256_ctx c;

			nbg_sha256_init(&c);
			nbg_sha256_update(&c, msg, cut);
			nbg_sha256_update(&c, msg + cut, len - cut);
			nbg_sha256_final(&c, got);
			assert_memory_equal(got, want, 32);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_million_a),
		cmocka_unit_test(test_against_openssl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
