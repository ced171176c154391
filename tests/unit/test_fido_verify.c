/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_fido_verify.c - security-key signatures verified with libfido2
 * (pam_nexusbg/fido_verify.c): genuine ECDSA and Ed25519 signatures pass;
 * a missing touch or PIN flag, another message, key, counter, flag byte or
 * application does not.  Table-driven; signatures come from the software
 * signer (sk_testsign.c) and from ssh-keygen -Y sign with tests/sk-soft.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fido_verify.h"
#include "sk_testsign.h"
#include "sshsig.h"

#define UP NBG_SK_FLAG_UP
#define UV NBG_SK_FLAG_UV

enum tamper {
	T_NONE,
	T_OTHER_KEY,		/* verify with another key of the same type */
	T_COUNTER,		/* counter changed after signing */
	T_SET_UV,		/* UV bit set after signing without it */
	T_APPLICATION,		/* a key that differs only in its application */
	T_SIG_BIT,		/* one bit of the signature flipped */
};

static const struct verify_case {
	const char *name;
	enum nbg_keytype type;
	uint8_t flags;
	const char *hash;
	const char *signed_msg, *verified_msg;
	enum tamper tamper;
	enum nbg_fido_result want;
} cases[] = {
	{ "ecdsa, touch and PIN", NBG_KEY_SK_ECDSA, UP | UV, "sha512", "m", "m", T_NONE,
	    NBG_FIDO_OK },
	{ "ed25519, touch and PIN", NBG_KEY_SK_ED25519, UP | UV, "sha512", "m", "m", T_NONE,
	    NBG_FIDO_OK },
	{ "ecdsa, sha256 message hash", NBG_KEY_SK_ECDSA, UP | UV, "sha256", "m", "m", T_NONE,
	    NBG_FIDO_OK },
	{ "ed25519, sha256 message hash", NBG_KEY_SK_ED25519, UP | UV, "sha256", "m", "m",
	    T_NONE, NBG_FIDO_OK },
	{ "ecdsa, no PIN", NBG_KEY_SK_ECDSA, UP, "sha512", "m", "m", T_NONE,
	    NBG_FIDO_UV_MISSING },
	{ "ed25519, no PIN", NBG_KEY_SK_ED25519, UP, "sha512", "m", "m", T_NONE,
	    NBG_FIDO_UV_MISSING },
	{ "ecdsa, no touch", NBG_KEY_SK_ECDSA, UV, "sha512", "m", "m", T_NONE,
	    NBG_FIDO_UP_MISSING },
	{ "ed25519, no touch", NBG_KEY_SK_ED25519, UV, "sha512", "m", "m", T_NONE,
	    NBG_FIDO_UP_MISSING },
	{ "ed25519, neither", NBG_KEY_SK_ED25519, 0, "sha512", "m", "m", T_NONE,
	    NBG_FIDO_UP_MISSING },
	{ "ecdsa, other message", NBG_KEY_SK_ECDSA, UP | UV, "sha512", "m", "m\n", T_NONE,
	    NBG_FIDO_BAD_SIG },
	{ "ed25519, other message", NBG_KEY_SK_ED25519, UP | UV, "sha512", "m", "n", T_NONE,
	    NBG_FIDO_BAD_SIG },
	{ "ecdsa, other message and no PIN", NBG_KEY_SK_ECDSA, UP, "sha512", "m", "n", T_NONE,
	    NBG_FIDO_BAD_SIG },
	{ "ecdsa, other key", NBG_KEY_SK_ECDSA, UP | UV, "sha512", "m", "m", T_OTHER_KEY,
	    NBG_FIDO_BAD_SIG },
	{ "ed25519, other key", NBG_KEY_SK_ED25519, UP | UV, "sha512", "m", "m", T_OTHER_KEY,
	    NBG_FIDO_BAD_SIG },
	{ "ecdsa, counter changed", NBG_KEY_SK_ECDSA, UP | UV, "sha512", "m", "m", T_COUNTER,
	    NBG_FIDO_BAD_SIG },
	{ "ed25519, counter changed", NBG_KEY_SK_ED25519, UP | UV, "sha512", "m", "m",
	    T_COUNTER, NBG_FIDO_BAD_SIG },
	{ "ecdsa, UV flag forged", NBG_KEY_SK_ECDSA, UP, "sha512", "m", "m", T_SET_UV,
	    NBG_FIDO_BAD_SIG },
	{ "ed25519, UV flag forged", NBG_KEY_SK_ED25519, UP, "sha512", "m", "m", T_SET_UV,
	    NBG_FIDO_BAD_SIG },
	{ "ecdsa, other application", NBG_KEY_SK_ECDSA, UP | UV, "sha512", "m", "m",
	    T_APPLICATION, NBG_FIDO_BAD_SIG },
	{ "ed25519, other application", NBG_KEY_SK_ED25519, UP | UV, "sha512", "m", "m",
	    T_APPLICATION, NBG_FIDO_BAD_SIG },
	{ "ecdsa, signature bit flipped", NBG_KEY_SK_ECDSA, UP | UV, "sha512", "m", "m",
	    T_SIG_BIT, NBG_FIDO_BAD_SIG },
	{ "ed25519, signature bit flipped", NBG_KEY_SK_ED25519, UP | UV, "sha512", "m", "m",
	    T_SIG_BIT, NBG_FIDO_BAD_SIG },
	{ "ed25519, extension-data flag without extensions", NBG_KEY_SK_ED25519,
	    UP | UV | 0x80, "sha512", "m", "m", T_NONE, NBG_FIDO_FORMAT },
	/* libfido2, like sshd, ignores a stray attested-credential flag */
	{ "ecdsa, attested-credential flag", NBG_KEY_SK_ECDSA, UP | UV | 0x40, "sha512", "m",
	    "m", T_NONE, NBG_FIDO_OK },
};

struct keys {
	struct sk_testkey k[2][2];	/* [ecdsa, ed25519][main, other] */
	struct sk_testkey app[2];	/* same type, application "ssh:other" */
};

static int setup(void **state)
{
	struct keys *ks = calloc(1, sizeof(*ks));

	if (ks == NULL)
		return -1;
	for (int t = 0; t < 2; t++) {
		enum nbg_keytype type = t == 0 ? NBG_KEY_SK_ECDSA : NBG_KEY_SK_ED25519;

		if (sk_testkey_new(&ks->k[t][0], type, "ssh:") != 0 ||
		    sk_testkey_new(&ks->k[t][1], type, "ssh:") != 0 ||
		    sk_testkey_new(&ks->app[t], type, "ssh:other") != 0)
			return -1;
	}
	*state = ks;
	return 0;
}

static int teardown(void **state)
{
	struct keys *ks = *state;

	for (int t = 0; t < 2; t++) {
		sk_testkey_free(&ks->k[t][0]);
		sk_testkey_free(&ks->k[t][1]);
		sk_testkey_free(&ks->app[t]);
	}
	free(ks);
	return 0;
}

/* Verify an SSHSIG blob over msg as the module does. */
static enum nbg_fido_result verify_blob(const uint8_t *blob, size_t len,
    const struct nbg_sk_pubkey *key_override, const char *msg, const struct nbg_sk_sig *sig_override)
{
	uint8_t data[NBG_SSHSIG_SIGNED_MAX];
	struct nbg_sshsig s;
	char err[256];
	long dl;

	assert_int_equal(nbg_sshsig_parse(blob, len, &s, err, sizeof(err)), NBG_SSHSIG_OK);
	dl = nbg_sshsig_signed_data(&s, msg, strlen(msg), data, sizeof(data));
	assert_true(dl > 0);
	return nbg_fido_verify(key_override != NULL ? key_override : &s.key,
	    sig_override != NULL ? sig_override : &s.sig, data, (size_t)dl, err, sizeof(err));
}

static void test_cases(void **state)
{
	struct keys *ks = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct verify_case *c = &cases[i];
		int t = c->type == NBG_KEY_SK_ECDSA ? 0 : 1;
		struct sk_testsig_opts o = { "nexusbg", c->hash, c->flags, 77 };
		uint8_t blob[1024], other[1024];
		struct nbg_sshsig os, s;
		struct nbg_sk_sig sig;
		const struct nbg_sk_pubkey *key = NULL;
		const struct nbg_sk_sig *sigp = NULL;
		char err[160];
		long n, on;

		print_message("verify: %s\n", c->name);
		n = sk_testsign(&ks->k[t][0], &o, c->signed_msg, strlen(c->signed_msg), blob,
		    sizeof(blob));
		assert_true(n > 0);
		assert_int_equal(nbg_sshsig_parse(blob, (size_t)n, &s, err, sizeof(err)),
		    NBG_SSHSIG_OK);
		sig = s.sig;
		switch (c->tamper) {
		case T_NONE:
			break;
		case T_OTHER_KEY:
		case T_APPLICATION:
			/* a signature of the same shape from the other key, for its key */
			on = sk_testsign(c->tamper == T_OTHER_KEY ? &ks->k[t][1] : &ks->app[t], &o,
			    "x", 1, other, sizeof(other));
			assert_true(on > 0);
			assert_int_equal(nbg_sshsig_parse(other, (size_t)on, &os, err,
			    sizeof(err)), NBG_SSHSIG_OK);
			key = &os.key;
			break;
		case T_COUNTER:
			sig.counter++;
			sigp = &sig;
			break;
		case T_SET_UV:
			sig.flags |= UV;
			sigp = &sig;
			break;
		case T_SIG_BIT:
			sig.sig[40] ^= 0x01;
			sigp = &sig;
			break;
		}
		assert_int_equal(verify_blob(blob, (size_t)n, key, c->verified_msg, sigp), c->want);
	}
}

/*
 * Signatures over "nexusbg test vector" made by `ssh-keygen -Y sign`
 * (OpenSSH 9.2) with the software security key of tests/sk-soft: with
 * touch and PIN, without the PIN (SK_SOFT_FORCE_UV=0) and without touch
 * (SK_SOFT_NO_UP=1).  The first two are also in test_sshsig.c.
 */
static const struct {
	const char *name;
	enum nbg_fido_result want;
	const char *armor;
} vectors[] = {
	{ "ecdsa-sk", NBG_FIDO_OK,
	    "-----BEGIN SSH SIGNATURE-----\n"
	    "U1NIU0lHAAAAAQAAAH8AAAAic2stZWNkc2Etc2hhMi1uaXN0cDI1NkBvcGVuc3NoLmNvbQ\n"
	    "AAAAhuaXN0cDI1NgAAAEEE+xJZEY1V7uSif6B9Y39jRL7ft2OsKCF3dJImuNIHyFVr54i5\n"
	    "YSThhXjhLpng8wVvmKWimNSCW5aZ2wLShNX5RQAAAARzc2g6AAAAB25leHVzYmcAAAAAAA\n"
	    "AABnNoYTUxMgAAAHkAAAAic2stZWNkc2Etc2hhMi1uaXN0cDI1NkBvcGVuc3NoLmNvbQAA\n"
	    "AEoAAAAhAJDuOqCMR3QdnuOsDAp9EQBInGxhKf+UDqHiTNbtQ+PvAAAAIQDgXqpAtWjYzX\n"
	    "f8iRVdk8z2UZ6aGNlOUKOHu5HtaTs/gAUAAAAp\n"
	    "-----END SSH SIGNATURE-----\n" },
	{ "ed25519-sk", NBG_FIDO_OK,
	    "-----BEGIN SSH SIGNATURE-----\n"
	    "U1NIU0lHAAAAAQAAAEoAAAAac2stc3NoLWVkMjU1MTlAb3BlbnNzaC5jb20AAAAgNib+oK\n"
	    "p077m3cHnZel31DtSpsim1DeNVc3GClxlBNs4AAAAEc3NoOgAAAAduZXh1c2JnAAAAAAAA\n"
	    "AAZzaGE1MTIAAABnAAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAQCzIr0zOwx\n"
	    "JBZIUikd1PNO9q4l7q6Bph6Vvw7hZtqQKq1r3NrjXqRBjm8bdYJARpTCOgiQscfcIzuGPN\n"
	    "P0qSmAgFAAAD6A==\n"
	    "-----END SSH SIGNATURE-----\n" },
	{ "ecdsa-sk without PIN", NBG_FIDO_UV_MISSING,
	    "-----BEGIN SSH SIGNATURE-----\n"
	    "U1NIU0lHAAAAAQAAAH8AAAAic2stZWNkc2Etc2hhMi1uaXN0cDI1NkBvcGVuc3NoLmNvbQ\n"
	    "AAAAhuaXN0cDI1NgAAAEEE+xJZEY1V7uSif6B9Y39jRL7ft2OsKCF3dJImuNIHyFVr54i5\n"
	    "YSThhXjhLpng8wVvmKWimNSCW5aZ2wLShNX5RQAAAARzc2g6AAAAB25leHVzYmcAAAAAAA\n"
	    "AABnNoYTUxMgAAAHkAAAAic2stZWNkc2Etc2hhMi1uaXN0cDI1NkBvcGVuc3NoLmNvbQAA\n"
	    "AEoAAAAhAJjqRtP1sZ0iOnL9zuGm0cWNcs6utOKp4kR2MyG4l120AAAAIQDoM6dfAdYIA5\n"
	    "O8bpq+A1GsLeMZ0fssG6AfVe1UxsdPlgEAAAAq\n"
	    "-----END SSH SIGNATURE-----\n" },
	{ "ed25519-sk without PIN", NBG_FIDO_UV_MISSING,
	    "-----BEGIN SSH SIGNATURE-----\n"
	    "U1NIU0lHAAAAAQAAAEoAAAAac2stc3NoLWVkMjU1MTlAb3BlbnNzaC5jb20AAAAgNib+oK\n"
	    "p077m3cHnZel31DtSpsim1DeNVc3GClxlBNs4AAAAEc3NoOgAAAAduZXh1c2JnAAAAAAAA\n"
	    "AAZzaGE1MTIAAABnAAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAQD8jJVtXEf\n"
	    "jb8Nagpdvx9YDCMzDqYD0GzgWms4ilfp5gjPzxRVSrOoLkn4pnMrvzgXYR6xq8yUrhvTBT\n"
	    "8oSRNwIBAAAD6g==\n"
	    "-----END SSH SIGNATURE-----\n" },
	{ "ecdsa-sk without touch", NBG_FIDO_UP_MISSING,
	    "-----BEGIN SSH SIGNATURE-----\n"
	    "U1NIU0lHAAAAAQAAAH8AAAAic2stZWNkc2Etc2hhMi1uaXN0cDI1NkBvcGVuc3NoLmNvbQ\n"
	    "AAAAhuaXN0cDI1NgAAAEEE+xJZEY1V7uSif6B9Y39jRL7ft2OsKCF3dJImuNIHyFVr54i5\n"
	    "YSThhXjhLpng8wVvmKWimNSCW5aZ2wLShNX5RQAAAARzc2g6AAAAB25leHVzYmcAAAAAAA\n"
	    "AABnNoYTUxMgAAAHgAAAAic2stZWNkc2Etc2hhMi1uaXN0cDI1NkBvcGVuc3NoLmNvbQAA\n"
	    "AEkAAAAhAK2h3Amyt9oVvNy+95DxAy+X34c4Je3l0eYkV/CCotooAAAAIEb8tGIUw1/Aoo\n"
	    "x8668rXyCUC/2RrBaQYeDSfrDO/V0VBAAAACs=\n"
	    "-----END SSH SIGNATURE-----\n" },
	{ "ed25519-sk without touch", NBG_FIDO_UP_MISSING,
	    "-----BEGIN SSH SIGNATURE-----\n"
	    "U1NIU0lHAAAAAQAAAEoAAAAac2stc3NoLWVkMjU1MTlAb3BlbnNzaC5jb20AAAAgNib+oK\n"
	    "p077m3cHnZel31DtSpsim1DeNVc3GClxlBNs4AAAAEc3NoOgAAAAduZXh1c2JnAAAAAAAA\n"
	    "AAZzaGE1MTIAAABnAAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAQC0g4OQCFN\n"
	    "wUVtaTMfwDQBXVwNm1K8SaiS8jh5MZ4sat5rzPsOPtZ0tP1k7MkdPacdjKmY/2aJl4mcBE\n"
	    "kDcZaQUEAAAD6Q==\n"
	    "-----END SSH SIGNATURE-----\n" },
};

static void test_vectors(void **state)
{
	(void)state;
	for (size_t v = 0; v < sizeof(vectors) / sizeof(vectors[0]); v++) {
		struct nbg_armor *a = malloc(sizeof(*a));
		uint8_t blob[NBG_SSHSIG_BLOB_MAX];
		char err[160];
		long n;

		print_message("vector: %s\n", vectors[v].name);
		assert_non_null(a);
		nbg_armor_init(a);
		assert_int_equal(nbg_armor_feed(a, vectors[v].armor, strlen(vectors[v].armor), err,
		    sizeof(err)), NBG_ARMOR_DONE);
		n = nbg_armor_decode(a, blob, sizeof(blob), err, sizeof(err));
		assert_true(n > 0);
		assert_int_equal(verify_blob(blob, (size_t)n, NULL, "nexusbg test vector", NULL),
		    vectors[v].want);
		/* the same signature over the message with a newline, or changed */
		assert_int_equal(verify_blob(blob, (size_t)n, NULL, "nexusbg test vector\n", NULL),
		    NBG_FIDO_BAD_SIG);
		assert_int_equal(verify_blob(blob, (size_t)n, NULL, "nexusbg test vectoR", NULL),
		    NBG_FIDO_BAD_SIG);
		free(a);
	}
}

static void test_result_strings(void **state)
{
	(void)state;
	for (int r = NBG_FIDO_OK; r <= NBG_FIDO_INTERNAL; r++)
		assert_true(strlen(nbg_fido_result_str((enum nbg_fido_result)r)) > 0);
	assert_string_equal(nbg_fido_result_str(NBG_FIDO_UV_MISSING),
	    "user verification flag missing");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_result_strings),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
