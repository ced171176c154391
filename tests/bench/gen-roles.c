/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gen-roles.c - write a role document with N users for benchmarks and
 * load tests: each user has one sk-ssh-ed25519 and one sk-ecdsa (P-256)
 * public key of realistic size, a display name, and alternating roles.
 * Deterministic: the same N gives the same document.
 *
 * usage: gen-roles N FABRIC SERIAL [PREFIX]   (JSON on standard output)
 */
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static size_t put_string(uint8_t *out, const void *s, size_t len)
{
	out[0] = (uint8_t)(len >> 24);
	out[1] = (uint8_t)(len >> 16);
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	memcpy(out + 4, s, len);
	return 4 + len;
}

static void b64(const uint8_t *in, size_t len, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

/* splitmix64: a small deterministic generator for the Ed25519 keys */
static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int main(int argc, char **argv)
{
	static const char app[] = "ssh:";
	uint8_t blob[256], pk[65];
	char enc[400], ts[32];
	const char *prefix = argc > 4 ? argv[4] : "op";
	unsigned long n;
	uint64_t seed = 42;
	EC_GROUP *g;
	EC_POINT *p;
	BN_CTX *ctx;
	time_t now = time(NULL);

	if (argc < 4 || (n = strtoul(argv[1], NULL, 10)) == 0) {
		fprintf(stderr, "usage: gen-roles N FABRIC SERIAL [PREFIX]\n");
		return 2;
	}
	g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	p = EC_POINT_new(g);
	ctx = BN_CTX_new();
	if (g == NULL || p == NULL || ctx == NULL ||
	    EC_POINT_copy(p, EC_GROUP_get0_generator(g)) != 1)
		return 1;
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	printf("{\"format_version\":1,\"fabric\":\"%s\",\"serial\":%s,"
	    "\"generated_at\":\"%s\",\"users\":[\n", argv[2], argv[3], ts);
	for (unsigned long i = 0; i < n; i++) {
		size_t off = 0;

		printf("%s{\"login\":\"%s%06lu\",\"role\":\"%s\",\"display_name\":"
		    "\"%s%06lu@contoso.com\",\"keys\":[", i ? ",\n" : "", prefix, i,
		    i % 2 ? "writer" : "reader", prefix, i);
		/* sk-ssh-ed25519 */
		for (int k = 0; k < 4; k++) {
			uint64_t v = next(&seed);

			memcpy(pk + 8 * k, &v, 8);
		}
		off += put_string(blob + off, "sk-ssh-ed25519@openssh.com", 26);
		off += put_string(blob + off, pk, 32);
		off += put_string(blob + off, app, 4);
		b64(blob, off, enc);
		printf("\"sk-ssh-ed25519@openssh.com %s NexusIdentitySSHKey\",", enc);
		/* sk-ecdsa P-256: the next point of G, 2G, 3G... (all on the curve) */
		if (EC_POINT_add(g, p, p, EC_GROUP_get0_generator(g), ctx) != 1 ||
		    EC_POINT_point2oct(g, p, POINT_CONVERSION_UNCOMPRESSED, pk, sizeof(pk),
		    ctx) != 65)
			return 1;
		off = 0;
		off += put_string(blob + off, "sk-ecdsa-sha2-nistp256@openssh.com", 34);
		off += put_string(blob + off, "nistp256", 8);
		off += put_string(blob + off, pk, 65);
		off += put_string(blob + off, app, 4);
		b64(blob, off, enc);
		printf("\"sk-ecdsa-sha2-nistp256@openssh.com %s NexusIdentitySSHKey\"]}", enc);
	}
	printf("\n]}\n");
	EC_POINT_free(p);
	EC_GROUP_free(g);
	BN_CTX_free(ctx);
	return fflush(stdout) == 0 ? 0 : 1;
}
