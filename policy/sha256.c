/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sha256.c - SHA-256 as FIPS 180-4 specifies it (see sha256.h for why it
 * is here).  Big-endian message schedule, 64 rounds per 64-byte block, the
 * length in bits appended as a 64-bit big-endian integer.  Checked against
 * the FIPS 180-4 examples, the NIST byte-oriented vectors and OpenSSL on
 * random inputs of every length split at every point (tests/unit).
 *
 * On x86-64 processors with the SHA extensions the blocks go through them
 * (about eight times faster: sync hashes the whole role document and every
 * key in it); the portable code is used everywhere else, and when built
 * with NBG_SHA256_PORTABLE (the unit tests check both).
 */
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(NBG_SHA256_PORTABLE)
#include <cpuid.h>
#include <immintrin.h>
#define NBG_SHA_X86 1
#endif

#include "sha256.h"

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static inline uint32_t ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static inline uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void compress(uint32_t h[8], const uint8_t *block)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh;

	for (int i = 0; i < 16; i++)
		w[i] = load_be32(block + 4 * i);
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) +
		    K[i] + w[i];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));

		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d;
	h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

#ifdef NBG_SHA_X86
/*
 * The same rounds with the SHA extensions, four rounds per group: the
 * state lives in two registers as ABEF and CDGH, and W is a ring of four
 * registers that sha256msg1/msg2 extend four words at a time.
 */
__attribute__((target("sha,sse4.1,ssse3")))
static void blocks_shani(uint32_t h[8], const uint8_t *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i st0, st1, tmp, msg, w[4];

	tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)&h[0]), 0xb1);
	st1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)&h[4]), 0x1b);
	st0 = _mm_alignr_epi8(tmp, st1, 8);		/* ABEF */
	st1 = _mm_blend_epi16(st1, tmp, 0xf0);		/* CDGH */
	for (; n > 0; n--, p += 64) {
		__m128i abef = st0, cdgh = st1;

		/* Unrolled, so that w[] stays in registers and the tests fold away. */
#if defined(__clang__)
#pragma clang loop unroll(full)
#else
#pragma GCC unroll 16
#endif
		for (int g = 0; g < 16; g++) {
			if (g < 4)
				w[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)
				    (const void *)(p + 16 * g)), bswap);
			msg = _mm_add_epi32(w[g & 3],
			    _mm_loadu_si128((const __m128i *)(const void *)&K[4 * g]));
			st1 = _mm_sha256rnds2_epu32(st1, st0, msg);
			if (g >= 3 && g < 15) {
				tmp = _mm_alignr_epi8(w[g & 3], w[(g - 1) & 3], 4);
				w[(g + 1) & 3] = _mm_add_epi32(w[(g + 1) & 3], tmp);
				w[(g + 1) & 3] = _mm_sha256msg2_epu32(w[(g + 1) & 3], w[g & 3]);
			}
			msg = _mm_shuffle_epi32(msg, 0x0e);
			st0 = _mm_sha256rnds2_epu32(st0, st1, msg);
			if (g >= 1 && g < 13)
				w[(g - 1) & 3] = _mm_sha256msg1_epu32(w[(g - 1) & 3], w[g & 3]);
		}
		st0 = _mm_add_epi32(st0, abef);
		st1 = _mm_add_epi32(st1, cdgh);
	}
	tmp = _mm_shuffle_epi32(st0, 0x1b);		/* FEBA */
	st1 = _mm_shuffle_epi32(st1, 0xb1);		/* DCHG */
	st0 = _mm_blend_epi16(tmp, st1, 0xf0);		/* DCBA */
	st1 = _mm_alignr_epi8(st1, tmp, 8);		/* HGFE */
	_mm_storeu_si128((__m128i *)(void *)&h[0], st0);
	_mm_storeu_si128((__m128i *)(void *)&h[4], st1);
}

/* 1 when the processor has the SHA extensions and SSE4.1; asked once. */
static int have_shani(void)
{
	static int known;	/* 0 unknown, 1 no, 2 yes */
	int v = __atomic_load_n(&known, __ATOMIC_RELAXED);

	if (v == 0) {
		unsigned a, b, c, d, sse41 = 0;

		if (__get_cpuid(1, &a, &b, &c, &d))
			sse41 = (c >> 19) & (c >> 9) & 1;	/* SSE4.1 and SSSE3 */
		v = sse41 && __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b >> 29 & 1) ? 2 : 1;
		__atomic_store_n(&known, v, __ATOMIC_RELAXED);
	}
	return v == 2;
}
#endif

/* N consecutive 64-byte blocks. */
static void blocks(uint32_t h[8], const uint8_t *p, size_t n)
{
#ifdef NBG_SHA_X86
	if (have_shani()) {
		blocks_shani(h, p, n);
		return;
	}
#endif
	for (; n > 0; n--, p += 64)
		compress(h, p);
}

void nbg_sha256_init(struct nbg_sha256_ctx *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(c->h, iv, sizeof(iv));
	c->bytes = 0;
	c->fill = 0;
}

void nbg_sha256_update(struct nbg_sha256_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (len == 0)
		return;
	c->bytes += len;
	if (c->fill > 0) {
		size_t n = 64 - c->fill < len ? 64 - c->fill : len;

		memcpy(c->block + c->fill, p, n);
		c->fill += n;
		p += n;
		len -= n;
		if (c->fill < 64)
			return;
		blocks(c->h, c->block, 1);
		c->fill = 0;
	}
	blocks(c->h, p, len / 64);
	p += len / 64 * 64;
	len %= 64;
	memcpy(c->block, p, len);
	c->fill = len;
}

void nbg_sha256_final(struct nbg_sha256_ctx *c, uint8_t out[NBG_SHA256_LEN])
{
	uint64_t bits = c->bytes * 8;

	c->block[c->fill++] = 0x80;
	if (c->fill > 56) {
		memset(c->block + c->fill, 0, 64 - c->fill);
		blocks(c->h, c->block, 1);
		c->fill = 0;
	}
	memset(c->block + c->fill, 0, 56 - c->fill);
	store_be32(c->block + 56, (uint32_t)(bits >> 32));
	store_be32(c->block + 60, (uint32_t)bits);
	blocks(c->h, c->block, 1);
	for (int i = 0; i < 8; i++)
		store_be32(out + 4 * i, c->h[i]);
	memset(c, 0, sizeof(*c));
}

void nbg_sha256(const void *data, size_t len, uint8_t out[NBG_SHA256_LEN])
{
	struct nbg_sha256_ctx c;

	nbg_sha256_init(&c);
	nbg_sha256_update(&c, data, len);
	nbg_sha256_final(&c, out);
}
