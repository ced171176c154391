/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * keyfmt.c - SSH key type names, base64 and fingerprints: what the login
 * path needs to name and print keys.  No cryptographic library: the
 * fingerprint's SHA-256 comes from sha256.c.  Parsing and validating key
 * blobs, which checks P-256 points with OpenSSL, is in sshkey.c.
 */
#include <limits.h>
#include <string.h>

#include "sha256.h"
#include "sshkey.h"

#define SK_ECDSA_NAME		"sk-ecdsa-sha2-nistp256@openssh.com"
#define SK_ED25519_NAME		"sk-ssh-ed25519@openssh.com"
#define KEYNAME_MAX		64	/* longer than any type name we know */

/*
 * Every name we recognise.  The first entry of each type is its canonical
 * name.  Certificates are recognised so that they are refused by name, with
 * the right reason; "certificate" stands for all of them.
 */
static const struct {
	const char *name;
	enum nbg_keytype type;
} keytypes[] = {
	{ SK_ECDSA_NAME, NBG_KEY_SK_ECDSA },
	{ SK_ED25519_NAME, NBG_KEY_SK_ED25519 },
	{ "ssh-ed25519", NBG_KEY_ED25519 },
	{ "ecdsa-sha2-nistp256", NBG_KEY_ECDSA },
	{ "ecdsa-sha2-nistp384", NBG_KEY_ECDSA },
	{ "ecdsa-sha2-nistp521", NBG_KEY_ECDSA },
	{ "ssh-rsa", NBG_KEY_RSA },
	{ "rsa-sha2-256", NBG_KEY_RSA },
	{ "rsa-sha2-512", NBG_KEY_RSA },
	{ "ssh-dss", NBG_KEY_DSA },
	{ "ssh-rsa-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "rsa-sha2-256-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "rsa-sha2-512-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "ssh-dss-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "ecdsa-sha2-nistp256-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "ecdsa-sha2-nistp384-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "ecdsa-sha2-nistp521-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "ssh-ed25519-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", NBG_KEY_CERT },
	{ "sk-ssh-ed25519-cert-v01@openssh.com", NBG_KEY_CERT },
};

const char *nbg_keytype_name(enum nbg_keytype t)
{
	if (t == NBG_KEY_CERT)
		return "certificate";
	for (size_t i = 0; i < sizeof(keytypes) / sizeof(keytypes[0]); i++) {
		if (keytypes[i].type == t)
			return keytypes[i].name;
	}
	return "unknown";
}

enum nbg_keytype nbg_keytype_from_name(const char *name, size_t len)
{
	if (name == NULL || len == 0 || len > KEYNAME_MAX)
		return NBG_KEY_UNKNOWN;
	for (size_t i = 0; i < sizeof(keytypes) / sizeof(keytypes[0]); i++) {
		if (strlen(keytypes[i].name) == len && memcmp(keytypes[i].name, name, len) == 0)
			return keytypes[i].type;
	}
	return NBG_KEY_UNKNOWN;
}

/* --- base64 and fingerprints ----------------------------------------- */

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

long nbg_base64_encode(const uint8_t *in, size_t len, char *out, size_t outlen)
{
	size_t need, o = 0;

	if (len > (size_t)(LONG_MAX / 4) - 2)
		return -1;
	need = (len + 2) / 3 * 4;
	if (out == NULL || outlen <= need)
		return -1;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t left = len - i;

		if (left > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (left > 2)
			v |= in[i + 2];
		out[o++] = b64chars[(v >> 18) & 0x3f];
		out[o++] = b64chars[(v >> 12) & 0x3f];
		out[o++] = left > 1 ? b64chars[(v >> 6) & 0x3f] : '=';
		out[o++] = left > 2 ? b64chars[v & 0x3f] : '=';
	}
	out[o] = '\0';
	return (long)o;
}

/* The value of each base64 character; -1 for every other byte. */
static const signed char b64val[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
	-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

/*
 * Strict RFC 4648 decoding: a multiple of four characters, padding only at
 * the end, and the unused bits of the last group zero, so each byte string
 * has exactly one accepted encoding.
 */
long nbg_base64_decode(const char *in, size_t len, uint8_t *out, size_t outlen)
{
	size_t o = 0;

	if (in == NULL || len % 4 != 0 || len / 4 > (size_t)(LONG_MAX / 3))
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		size_t pad = 0, nbytes;
		uint32_t w;

		for (size_t j = 0; j < 4; j++) {
			if (in[i + j] == '=' && i + 4 == len && j >= 2) {
				v[j] = 0;
				pad++;
				continue;
			}
			if (pad != 0 || (v[j] = b64val[(unsigned char)in[i + j]]) < 0)
				return -1;
		}
		w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
		    (uint32_t)v[3];
		if ((pad == 1 && (w & 0xff) != 0) || (pad == 2 && (w & 0xffff) != 0))
			return -1;
		nbytes = 3 - pad;
		if (out == NULL || o > outlen || outlen - o < nbytes)
			return -1;
		out[o++] = (uint8_t)(w >> 16);
		if (nbytes > 1)
			out[o++] = (uint8_t)(w >> 8);
		if (nbytes > 2)
			out[o++] = (uint8_t)w;
	}
	return (long)o;
}

void nbg_fingerprint_from_digest(const uint8_t digest[32], char out[NBG_FP_LEN])
{
	char b64[48];
	long n;
	size_t end;

	memcpy(out, "SHA256:", 7);
	n = nbg_base64_encode(digest, 32, b64, sizeof(b64));
	/* 32 bytes always encode to 44 characters, the last one '='. */
	end = n == 44 ? 43 : 0;
	memcpy(out + 7, b64, end);
	out[7 + end] = '\0';
}

void nbg_fingerprint(const uint8_t *blob, size_t len, char out[NBG_FP_LEN])
{
	uint8_t d[32];

	nbg_sha256(blob, len, d);
	nbg_fingerprint_from_digest(d, out);
}
