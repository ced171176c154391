/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test-sk-soft-api.c - the software security key through its middleware
 * API, loaded with dlopen() as OpenSSH loads it (path in SK_SOFT_PROVIDER).
 * Table-driven; every signature and attestation it returns is checked with
 * libfido2 (fido_assert_verify, fido_cred_verify_self), independently of
 * the module.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <fido.h>
#include <fido/eddsa.h>
#include <fido/es256.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "sk-soft.h"

#define PIN	"4831"
#define APP	"ssh:"
#define UP	SSH_SK_USER_PRESENCE_REQD
#define UV	SSH_SK_USER_VERIFICATION_REQD
#define RK	SSH_SK_RESIDENT_KEY
#define FORCE	SSH_SK_FORCE_OPERATION
#define NALGS	2

typedef uint32_t api_version_fn(void);
typedef int enroll_fn(uint32_t, const uint8_t *, size_t, const char *,
    uint8_t, const char *, struct sk_option **, struct sk_enroll_response **);
typedef int sign_fn(uint32_t, const uint8_t *, size_t, const char *,
    const uint8_t *, size_t, uint8_t, const char *, struct sk_option **,
    struct sk_sign_response **);
typedef int load_rk_fn(const char *, struct sk_option **,
    struct sk_resident_key ***, size_t *);

/* The module under test and a scratch directory (test program state). */
static struct {
	void *dl;
	api_version_fn *api_version;
	enroll_fn *enroll;
	sign_fn *sign;
	load_rk_fn *load_rk;
	char dir[64];
	char state[96];
	char log[96];
} t;

static const uint32_t algs[NALGS] = { SSH_SK_ECDSA, SSH_SK_ED25519 };
static const uint8_t challenge[32] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t message[] = "a message signed by the software key";

static const char *const env_names[] = {
	"SK_SOFT_PIN", "SK_SOFT_NO_UP", "SK_SOFT_FORCE_UV", "SK_SOFT_COUNTER",
	"SK_SOFT_STATE_DIR", "SK_SOFT_LOG",
};

/* ---- helpers -------------------------------------------------------- */

static void
env_put(const char *name, const char *value)
{
	if (value == NULL)
		assert_int_equal(unsetenv(name), 0);
	else
		assert_int_equal(setenv(name, value, 1), 0);
}

/* Default environment of a case: the key has PIN, nothing else set. */
static void
env_reset(void)
{
	size_t i;

	for (i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++)
		env_put(env_names[i], NULL);
	env_put("SK_SOFT_PIN", PIN);
	env_put("SK_SOFT_QUIET", "1");
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
state_reset(void)
{
	if (access(t.state, F_OK) == 0)
		assert_int_equal(nftw(t.state, rm_entry, 8,
		    FTW_DEPTH | FTW_PHYS), 0);
	assert_int_equal(mkdir(t.state, 0700), 0);
}

static void *
sym(const char *name)
{
	void *p = dlsym(t.dl, name);

	if (p == NULL)
		fprintf(stderr, "dlsym %s: %s\n", name, dlerror());
	return p;
}

static int
group_setup(void **state)
{
	const char *path = getenv("SK_SOFT_PROVIDER");
	void *p;

	(void)state;
	if (path == NULL) {
		fprintf(stderr, "set SK_SOFT_PROVIDER to the built sk-soft.so\n");
		return -1;
	}
	env_put("SK_SOFT_QUIET", "1");
	if ((t.dl = dlopen(path, RTLD_NOW)) == NULL) {
		fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
		return -1;
	}
	/* function pointers from dlsym, as OpenSSH's ssh-sk.c takes them */
	if ((p = sym("sk_api_version")) == NULL)
		return -1;
	memcpy(&t.api_version, &p, sizeof(p));
	if ((p = sym("sk_enroll")) == NULL)
		return -1;
	memcpy(&t.enroll, &p, sizeof(p));
	if ((p = sym("sk_sign")) == NULL)
		return -1;
	memcpy(&t.sign, &p, sizeof(p));
	if ((p = sym("sk_load_resident_keys")) == NULL)
		return -1;
	memcpy(&t.load_rk, &p, sizeof(p));
	snprintf(t.dir, sizeof(t.dir), "/tmp/sk-soft-api.XXXXXX");
	if (mkdtemp(t.dir) == NULL)
		return -1;
	snprintf(t.state, sizeof(t.state), "%s/state", t.dir);
	snprintf(t.log, sizeof(t.log), "%s/log", t.dir);
	fido_init(0);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	if (t.dir[0] != '\0')
		nftw(t.dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	if (t.dl != NULL)
		dlclose(t.dl);
	return 0;
}

static void
enroll_free(struct sk_enroll_response *r)
{
	if (r == NULL)
		return;
	free(r->public_key);
	free(r->key_handle);
	free(r->signature);
	free(r->attestation_cert);
	free(r->authdata);
	free(r);
}

static void
sign_free(struct sk_sign_response *r)
{
	if (r == NULL)
		return;
	free(r->sig_r);
	free(r->sig_s);
	free(r);
}

static void
rks_free(struct sk_resident_key **rks, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(rks[i]->application);
		free(rks[i]->user_id);
		free(rks[i]->key.public_key);
		free(rks[i]->key.key_handle);
		free(rks[i]->key.signature);
		free(rks[i]->key.attestation_cert);
		free(rks[i]->key.authdata);
		free(rks[i]);
	}
	free(rks);
}

static int
cose_of(uint32_t alg)
{
	return alg == SSH_SK_ECDSA ? COSE_ES256 : COSE_EDDSA;
}

/* libfido2's verdict on a sign response; FIDO_OK when valid. */
static int
fido_check_sig(uint32_t alg, const uint8_t *pub, size_t pub_len,
    const char *app, const uint8_t *msg, size_t msg_len,
    const struct sk_sign_response *r, fido_opt_t up, fido_opt_t uv)
{
	uint8_t authdata[37], cdh[32];
	unsigned char *der = NULL;
	ECDSA_SIG *esig = NULL;
	BIGNUM *br = NULL, *bs = NULL;
	fido_assert_t *a = NULL;
	es256_pk_t *es = NULL;
	eddsa_pk_t *ed = NULL;
	const void *pk;
	size_t sig_len;
	int n, ret = FIDO_ERR_INTERNAL;

	assert_int_equal(EVP_Digest(app, strlen(app), authdata, NULL,
	    EVP_sha256(), NULL), 1);
	authdata[32] = r->flags;
	authdata[33] = (uint8_t)(r->counter >> 24);
	authdata[34] = (uint8_t)(r->counter >> 16);
	authdata[35] = (uint8_t)(r->counter >> 8);
	authdata[36] = (uint8_t)r->counter;
	if (alg == SSH_SK_ECDSA) {
		assert_non_null(br = BN_bin2bn(r->sig_r, (int)r->sig_r_len,
		    NULL));
		assert_non_null(bs = BN_bin2bn(r->sig_s, (int)r->sig_s_len,
		    NULL));
		assert_non_null(esig = ECDSA_SIG_new());
		assert_int_equal(ECDSA_SIG_set0(esig, br, bs), 1);
		assert_true((n = i2d_ECDSA_SIG(esig, &der)) > 0);
		sig_len = (size_t)n;
		assert_non_null(es = es256_pk_new());
		assert_int_equal(es256_pk_from_ptr(es, pub, pub_len), FIDO_OK);
		pk = es;
	} else {
		assert_int_equal(r->sig_r_len, 64);
		assert_null(r->sig_s);
		sig_len = r->sig_r_len;
		assert_non_null(ed = eddsa_pk_new());
		assert_int_equal(eddsa_pk_from_ptr(ed, pub, pub_len), FIDO_OK);
		pk = ed;
	}
	assert_non_null(a = fido_assert_new());
	assert_int_equal(fido_assert_set_count(a, 1), FIDO_OK);
	assert_int_equal(fido_assert_set_rp(a, app), FIDO_OK);
	assert_int_equal(EVP_Digest(msg_len == 0 ? (const uint8_t *)"" : msg,
	    msg_len, cdh, NULL, EVP_sha256(), NULL), 1);
	assert_int_equal(fido_assert_set_clientdata_hash(a, cdh, sizeof(cdh)),
	    FIDO_OK);
	assert_int_equal(fido_assert_set_authdata_raw(a, 0, authdata,
	    sizeof(authdata)), FIDO_OK);
	assert_int_equal(fido_assert_set_sig(a, 0,
	    alg == SSH_SK_ECDSA ? der : r->sig_r, sig_len), FIDO_OK);
	assert_int_equal(fido_assert_set_up(a, up), FIDO_OK);
	assert_int_equal(fido_assert_set_uv(a, uv), FIDO_OK);
	ret = fido_assert_verify(a, 0, cose_of(alg), pk);
	fido_assert_free(&a);
	es256_pk_free(&es);
	eddsa_pk_free(&ed);
	ECDSA_SIG_free(esig);
	OPENSSL_free(der);
	return ret;
}

/* An enrollment response is well formed and self-attested (libfido2). */
static void
check_enrollment(uint32_t alg, const char *app, uint8_t want_flags,
    const struct sk_enroll_response *r)
{
	fido_cred_t *cred = NULL;
	const unsigned char *pk;

	assert_int_equal(r->flags, want_flags);
	if (alg == SSH_SK_ECDSA) {
		assert_int_equal(r->public_key_len, 65);
		assert_int_equal(r->public_key[0], 0x04);
	} else
		assert_int_equal(r->public_key_len, 32);
	assert_non_null(r->key_handle);
	assert_true(r->key_handle_len > 0);
	assert_null(r->attestation_cert);
	assert_int_equal(r->attestation_cert_len, 0);
	assert_non_null(cred = fido_cred_new());
	assert_int_equal(fido_cred_set_type(cred, cose_of(alg)), FIDO_OK);
	assert_int_equal(fido_cred_set_clientdata(cred, challenge,
	    sizeof(challenge)), FIDO_OK);
	assert_int_equal(fido_cred_set_rp(cred, app, NULL), FIDO_OK);
	assert_int_equal(fido_cred_set_authdata(cred, r->authdata,
	    r->authdata_len), FIDO_OK);
	assert_int_equal(fido_cred_set_fmt(cred, "packed"), FIDO_OK);
	assert_int_equal(fido_cred_set_sig(cred, r->signature,
	    r->signature_len), FIDO_OK);
	assert_int_equal(fido_cred_verify_self(cred), FIDO_OK);
	/* the attested credential is this key and this handle */
	pk = fido_cred_pubkey_ptr(cred);
	if (alg == SSH_SK_ECDSA) {
		assert_int_equal(fido_cred_pubkey_len(cred), 64);
		assert_memory_equal(pk, r->public_key + 1, 64);
	} else {
		assert_int_equal(fido_cred_pubkey_len(cred), 32);
		assert_memory_equal(pk, r->public_key, 32);
	}
	assert_int_equal(fido_cred_id_len(cred), r->key_handle_len);
	assert_memory_equal(fido_cred_id_ptr(cred), r->key_handle,
	    r->key_handle_len);
	fido_cred_free(&cred);
}

/* Enroll a key that must succeed (PIN given, so any flags work). */
static struct sk_enroll_response *
enroll_ok(uint32_t alg, uint8_t flags, struct sk_option **opts)
{
	struct sk_enroll_response *r = NULL;

	assert_int_equal(t.enroll(alg, challenge, sizeof(challenge), APP,
	    flags, PIN, opts, &r), 0);
	assert_non_null(r);
	return r;
}

static int
sign_msg(uint32_t alg, const struct sk_enroll_response *e, uint8_t flags,
    const char *pin, struct sk_sign_response **r)
{
	*r = NULL;
	return t.sign(alg, message, sizeof(message), APP, e->key_handle,
	    e->key_handle_len, flags, pin, NULL, r);
}

/* ---- the API version and symbols ------------------------------------ */

static void
test_api_version(void **state)
{
	(void)state;
	env_reset();
	assert_int_equal(t.api_version() & SSH_SK_VERSION_MAJOR_MASK,
	    0x000a0000);
}

/* ---- sign: the flags a key reports ---------------------------------- */

struct flag_case {
	const char *name;
	const char *env_pin;	/* SK_SOFT_PIN */
	const char *no_up;	/* SK_SOFT_NO_UP */
	const char *force_uv;	/* SK_SOFT_FORCE_UV */
	uint8_t req;		/* request flags */
	const char *pin;	/* PIN given by OpenSSH */
	int want;		/* return code */
	uint8_t want_flags;	/* response flags when want == 0 */
};

static struct flag_case flag_cases[] = {
	{ "uv-required right PIN", PIN, NULL, NULL, UP | UV, PIN, 0, 0x05 },
	{ "uv-required no PIN", PIN, NULL, NULL, UP | UV, NULL,
	    SSH_SK_ERR_PIN_REQUIRED, 0 },
	{ "uv-required empty PIN", PIN, NULL, NULL, UP | UV, "",
	    SSH_SK_ERR_PIN_REQUIRED, 0 },
	{ "uv-required wrong PIN", PIN, NULL, NULL, UP | UV, "1111",
	    SSH_SK_ERR_PIN_REQUIRED, 0 },
	{ "uv-required PIN prefix", PIN, NULL, NULL, UP | UV, "483",
	    SSH_SK_ERR_PIN_REQUIRED, 0 },
	{ "uv-required PIN plus a byte", PIN, NULL, NULL, UP | UV, PIN "1",
	    SSH_SK_ERR_PIN_REQUIRED, 0 },
	{ "touch key no PIN", PIN, NULL, NULL, UP, NULL, 0, 0x01 },
	{ "touch key right PIN sets UV", PIN, NULL, NULL, UP, PIN, 0, 0x05 },
	{ "touch key wrong PIN", PIN, NULL, NULL, UP, "1111",
	    SSH_SK_ERR_PIN_REQUIRED, 0 },
	{ "no-touch-required key", PIN, NULL, NULL, 0, NULL, 0, 0x00 },
	{ "no UP", PIN, "1", NULL, UP | UV, PIN, 0, 0x04 },
	{ "NO_UP=0 keeps UP", PIN, "0", NULL, UP | UV, PIN, 0, 0x05 },
	{ "UV forced off", PIN, NULL, "0", UP | UV, PIN, 0, 0x01 },
	{ "UV forced off still wants PIN", PIN, NULL, "0", UP | UV, NULL,
	    SSH_SK_ERR_PIN_REQUIRED, 0 },
	{ "UV forced on without PIN", PIN, NULL, "1", UP | UV, NULL, 0, 0x05 },
	{ "UV forced on ignores wrong PIN", PIN, NULL, "1", UP | UV, "1111",
	    0, 0x05 },
	{ "UV forced on, no UP", PIN, "1", "1", UP | UV, NULL, 0, 0x04 },
	{ "PIN given to key without one", NULL, NULL, NULL, UP, PIN,
	    SSH_SK_ERR_GENERAL, 0 },
	{ "uv-required key without PIN", NULL, NULL, NULL, UP | UV, NULL,
	    SSH_SK_ERR_PIN_REQUIRED, 0 },
	{ "bad SK_SOFT_FORCE_UV", PIN, NULL, "2", UP | UV, PIN,
	    SSH_SK_ERR_GENERAL, 0 },
	{ "bad SK_SOFT_NO_UP", PIN, "yes", NULL, UP | UV, PIN,
	    SSH_SK_ERR_GENERAL, 0 },
	{ "SK_SOFT_PIN too short", "123", NULL, NULL, UP | UV, "123",
	    SSH_SK_ERR_GENERAL, 0 },
	{ "SK_SOFT_PIN too long",
	    "0123456789012345678901234567890123456789012345678901234567890123",
	    NULL, NULL, UP, NULL, SSH_SK_ERR_GENERAL, 0 },
};

static void
run_flag_case(void **state)
{
	const struct flag_case *c = *state;
	struct sk_enroll_response *e;
	struct sk_sign_response *r;
	size_t i;

	for (i = 0; i < NALGS; i++) {
		env_reset();
		e = enroll_ok(algs[i], UP, NULL);
		env_put("SK_SOFT_PIN", c->env_pin);
		env_put("SK_SOFT_NO_UP", c->no_up);
		env_put("SK_SOFT_FORCE_UV", c->force_uv);
		assert_int_equal(sign_msg(algs[i], e, c->req, c->pin, &r),
		    c->want);
		if (c->want != 0) {
			assert_null(r);
			enroll_free(e);
			continue;
		}
		assert_non_null(r);
		assert_int_equal(r->flags, c->want_flags);
		assert_int_equal(r->counter, 1);
		/* libfido2 accepts it, and refuses a missing UP or UV */
		assert_int_equal(fido_check_sig(algs[i], e->public_key,
		    e->public_key_len, APP, message, sizeof(message), r,
		    FIDO_OPT_OMIT, FIDO_OPT_OMIT), FIDO_OK);
		assert_int_equal(fido_check_sig(algs[i], e->public_key,
		    e->public_key_len, APP, message, sizeof(message), r,
		    FIDO_OPT_TRUE, FIDO_OPT_OMIT) == FIDO_OK,
		    (c->want_flags & 0x01) != 0);
		assert_int_equal(fido_check_sig(algs[i], e->public_key,
		    e->public_key_len, APP, message, sizeof(message), r,
		    FIDO_OPT_OMIT, FIDO_OPT_TRUE) == FIDO_OK,
		    (c->want_flags & 0x04) != 0);
		/* and refuses it for another message */
		assert_int_not_equal(fido_check_sig(algs[i], e->public_key,
		    e->public_key_len, APP, message, sizeof(message) - 1, r,
		    FIDO_OPT_OMIT, FIDO_OPT_OMIT), FIDO_OK);
		sign_free(r);
		enroll_free(e);
	}
}

/* ---- the counter ------------------------------------------------------ */

struct counter_case {
	const char *name;
	const char *counter;	/* SK_SOFT_COUNTER */
	bool state_dir;		/* SK_SOFT_STATE_DIR set */
	const char *file;	/* counter file content to start from */
	int want;
	uint32_t want_counter[3];	/* three signatures in a row */
};

static struct counter_case counter_cases[] = {
	{ "default is 1", NULL, false, NULL, 0, { 1, 1, 1 } },
	{ "SK_SOFT_COUNTER=0", "0", false, NULL, 0, { 0, 0, 0 } },
	{ "SK_SOFT_COUNTER=4242", "4242", false, NULL, 0,
	    { 4242, 4242, 4242 } },
	{ "SK_SOFT_COUNTER max", "4294967295", false, NULL, 0,
	    { 4294967295u, 4294967295u, 4294967295u } },
	{ "SK_SOFT_COUNTER overflow", "4294967296", false, NULL,
	    SSH_SK_ERR_GENERAL, { 0 } },
	{ "SK_SOFT_COUNTER negative", "-1", false, NULL,
	    SSH_SK_ERR_GENERAL, { 0 } },
	{ "SK_SOFT_COUNTER junk", "12a", false, NULL, SSH_SK_ERR_GENERAL,
	    { 0 } },
	{ "SK_SOFT_COUNTER beats the state dir", "7", true, NULL, 0,
	    { 7, 7, 7 } },
	{ "state dir counts up", NULL, true, NULL, 0, { 1, 2, 3 } },
	{ "state dir continues a counter", NULL, true, "41\n", 0,
	    { 42, 43, 44 } },
	{ "state dir corrupt counter", NULL, true, "forty\n",
	    SSH_SK_ERR_GENERAL, { 0 } },
	{ "state dir exhausted counter", NULL, true, "4294967295\n",
	    SSH_SK_ERR_GENERAL, { 0 } },
};

/* Write the counter file of a key handle (name as the module derives it). */
static void
counter_file_put(const struct sk_enroll_response *e, const char *content)
{
	uint8_t d[32];
	char path[256];
	int i, n, fd;

	assert_int_equal(EVP_Digest(e->key_handle, e->key_handle_len, d, NULL,
	    EVP_sha256(), NULL), 1);
	n = snprintf(path, sizeof(path), "%s/counter-", t.state);
	for (i = 0; i < 32; i++)
		n += snprintf(path + n, sizeof(path) - (size_t)n, "%02x", d[i]);
	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0);
	assert_int_equal(write(fd, content, strlen(content)),
	    (ssize_t)strlen(content));
	close(fd);
}

static void
run_counter_case(void **state)
{
	const struct counter_case *c = *state;
	struct sk_enroll_response *e;
	struct sk_sign_response *r;
	size_t i, k;

	for (i = 0; i < NALGS; i++) {
		env_reset();
		state_reset();
		e = enroll_ok(algs[i], UP, NULL);
		env_put("SK_SOFT_COUNTER", c->counter);
		env_put("SK_SOFT_STATE_DIR", c->state_dir ? t.state : NULL);
		if (c->file != NULL)
			counter_file_put(e, c->file);
		for (k = 0; k < 3; k++) {
			assert_int_equal(sign_msg(algs[i], e, UP, NULL, &r),
			    c->want);
			if (c->want != 0) {
				assert_null(r);
				break;
			}
			assert_int_equal(r->counter, c->want_counter[k]);
			assert_int_equal(fido_check_sig(algs[i], e->public_key,
			    e->public_key_len, APP, message, sizeof(message),
			    r, FIDO_OPT_TRUE, FIDO_OPT_OMIT), FIDO_OK);
			sign_free(r);
		}
		enroll_free(e);
	}
}

/* ---- enroll ----------------------------------------------------------- */

struct enroll_case {
	const char *name;
	uint32_t alg;		/* NALGS: both */
	const char *app;
	size_t challenge_len;
	uint8_t req;
	const char *env_pin;
	const char *pin;
	const char *opt_name;	/* one option, or NULL */
	const char *opt_value;
	uint8_t opt_required;
	int want;
	uint8_t want_flags;
};

static const char app_long[] = "ssh:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxx";	/* 129 bytes */

static struct enroll_case enroll_cases[] = {
	{ "verify-required with PIN", NALGS, APP, 32, UP | UV, PIN, PIN,
	    NULL, NULL, 0, 0, UP | UV },
	{ "verify-required without PIN", NALGS, APP, 32, UP | UV, PIN, NULL,
	    NULL, NULL, 0, SSH_SK_ERR_PIN_REQUIRED, 0 },
	{ "verify-required wrong PIN", NALGS, APP, 32, UP | UV, PIN, "1111",
	    NULL, NULL, 0, SSH_SK_ERR_PIN_REQUIRED, 0 },
	{ "resident without PIN", NALGS, APP, 32, UP | RK, PIN, NULL,
	    NULL, NULL, 0, SSH_SK_ERR_PIN_REQUIRED, 0 },
	{ "touch key without PIN", NALGS, APP, 32, UP, PIN, NULL,
	    NULL, NULL, 0, 0, UP },
	{ "key without PIN, verify-required", NALGS, APP, 32, UP | UV, NULL,
	    NULL, NULL, NULL, 0, 0, UP | UV },
	{ "FORCE flag is not kept", NALGS, APP, 32, UP | FORCE, PIN, PIN,
	    NULL, NULL, 0, 0, UP },
	{ "other application", NALGS, "ssh:nexusbg", 32, UP, PIN, PIN,
	    NULL, NULL, 0, 0, UP },
	{ "unknown algorithm", 7, APP, 32, UP, PIN, PIN, NULL, NULL, 0,
	    SSH_SK_ERR_UNSUPPORTED, 0 },
	{ "no application", NALGS, NULL, 32, UP, PIN, PIN, NULL, NULL, 0,
	    SSH_SK_ERR_GENERAL, 0 },
	{ "empty application", NALGS, "", 32, UP, PIN, PIN, NULL, NULL, 0,
	    SSH_SK_ERR_GENERAL, 0 },
	{ "application too long", NALGS, app_long, 32, UP, PIN, PIN, NULL,
	    NULL, 0, SSH_SK_ERR_GENERAL, 0 },
	{ "application with a space", NALGS, "ssh:a b", 32, UP, PIN, PIN,
	    NULL, NULL, 0, SSH_SK_ERR_GENERAL, 0 },
	{ "application with a control byte", NALGS, "ssh:\n", 32, UP, PIN,
	    PIN, NULL, NULL, 0, SSH_SK_ERR_GENERAL, 0 },
	{ "empty challenge", NALGS, APP, 0, UP, PIN, PIN, NULL, NULL, 0,
	    SSH_SK_ERR_GENERAL, 0 },
	{ "challenge too long", NALGS, APP, SK_SOFT_CHALLENGE_MAX + 1, UP,
	    PIN, PIN, NULL, NULL, 0, SSH_SK_ERR_GENERAL, 0 },
	{ "device option", NALGS, APP, 32, UP, PIN, PIN, "device",
	    "/dev/hidraw0", 0, 0, UP },
	{ "user option of 31 bytes", NALGS, APP, 32, UP, PIN, PIN, "user",
	    "0123456789012345678901234567890", 0, 0, UP },
	{ "user option of 32 bytes", NALGS, APP, 32, UP, PIN, PIN, "user",
	    "01234567890123456789012345678901", 0, SSH_SK_ERR_GENERAL, 0 },
	{ "unknown optional option", NALGS, APP, 32, UP, PIN, PIN, "frob",
	    "1", 0, 0, UP },
	{ "unknown required option", NALGS, APP, 32, UP, PIN, PIN, "frob",
	    "1", 1, SSH_SK_ERR_UNSUPPORTED, 0 },
	{ "option without value", NALGS, APP, 32, UP, PIN, PIN, "user", NULL,
	    0, SSH_SK_ERR_GENERAL, 0 },
};

static void
run_enroll_case(void **state)
{
	const struct enroll_case *c = *state;
	uint8_t chal[SK_SOFT_CHALLENGE_MAX + 1];
	struct sk_option opt, *opts[2] = { NULL, NULL };
	struct sk_enroll_response *r;
	struct sk_sign_response *s;
	uint32_t alg;
	size_t i;

	memset(chal, 0, sizeof(chal));
	memcpy(chal, challenge, sizeof(challenge));
	if (c->opt_name != NULL) {
		opt.name = strdup(c->opt_name);
		opt.value = c->opt_value != NULL ? strdup(c->opt_value) : NULL;
		opt.required = c->opt_required;
		opts[0] = &opt;
	}
	for (i = 0; i < NALGS; i++) {
		alg = c->alg == NALGS ? algs[i] : c->alg;
		env_reset();
		env_put("SK_SOFT_PIN", c->env_pin);
		r = NULL;
		assert_int_equal(t.enroll(alg, chal, c->challenge_len, c->app,
		    c->req, c->pin, c->opt_name != NULL ? opts : NULL, &r),
		    c->want);
		if (c->want != 0) {
			assert_null(r);
			continue;
		}
		check_enrollment(alg, c->app, c->want_flags, r);
		/* the new key signs for its application */
		assert_int_equal(t.sign(alg, message, sizeof(message), c->app,
		    r->key_handle, r->key_handle_len, UP, NULL, NULL, &s), 0);
		assert_int_equal(fido_check_sig(alg, r->public_key,
		    r->public_key_len, c->app, message, sizeof(message), s,
		    FIDO_OPT_TRUE, FIDO_OPT_OMIT), FIDO_OK);
		sign_free(s);
		enroll_free(r);
	}
	if (c->opt_name != NULL) {
		free(opt.name);
		free(opt.value);
	}
}

/* ---- sign: what a caller passes ------------------------------------- */

enum handle_edit {
	H_KEEP, H_NULL, H_SHORTER, H_LONGER, H_MAGIC, H_VERSION, H_ALG,
	H_PRIV, H_PUB, H_EMPTY,
};

struct sign_arg_case {
	const char *name;
	enum handle_edit edit;
	const char *app;	/* NULL: APP */
	bool other_alg;		/* ask for the other algorithm */
	bool no_data;		/* data NULL with a length */
	size_t data_len;	/* 0: sizeof(message) */
	bool no_response;	/* sign_response NULL */
	int want;
};

static struct sign_arg_case sign_arg_cases[] = {
	{ "valid", H_KEEP, NULL, false, false, 0, false, 0 },
	{ "empty message", H_KEEP, NULL, false, false, (size_t)-1, false, 0 },
	{ "no key handle", H_NULL, NULL, false, false, 0, false,
	    SSH_SK_ERR_GENERAL },
	{ "empty key handle", H_EMPTY, NULL, false, false, 0, false,
	    SSH_SK_ERR_GENERAL },
	{ "truncated key handle", H_SHORTER, NULL, false, false, 0, false,
	    SSH_SK_ERR_GENERAL },
	{ "key handle with a trailing byte", H_LONGER, NULL, false, false, 0,
	    false, SSH_SK_ERR_GENERAL },
	{ "foreign key handle", H_MAGIC, NULL, false, false, 0, false,
	    SSH_SK_ERR_GENERAL },
	{ "key handle of another version", H_VERSION, NULL, false, false, 0,
	    false, SSH_SK_ERR_GENERAL },
	{ "key handle of another algorithm", H_ALG, NULL, false, false, 0,
	    false, SSH_SK_ERR_GENERAL },
	{ "private key altered", H_PRIV, NULL, false, false, 0, false,
	    SSH_SK_ERR_GENERAL },
	{ "public key altered", H_PUB, NULL, false, false, 0, false,
	    SSH_SK_ERR_GENERAL },
	{ "other application", H_KEEP, "ssh:other", false, false, 0, false,
	    SSH_SK_ERR_GENERAL },
	{ "other algorithm requested", H_KEEP, NULL, true, false, 0, false,
	    SSH_SK_ERR_GENERAL },
	{ "no message", H_KEEP, NULL, false, true, 0, false,
	    SSH_SK_ERR_GENERAL },
	{ "message too long", H_KEEP, NULL, false, false,
	    SK_SOFT_MESSAGE_MAX + 1, false, SSH_SK_ERR_GENERAL },
	{ "no response pointer", H_KEEP, NULL, false, false, 0, true,
	    SSH_SK_ERR_GENERAL },
};

static void
run_sign_arg_case(void **state)
{
	const struct sign_arg_case *c = *state;
	struct sk_enroll_response *e;
	struct sk_sign_response *r = NULL;
	uint8_t kh[SK_SOFT_KH_MAX + 1], *data = NULL;
	const uint8_t *khp = kh, *msg;
	size_t kh_len, msg_len, i;
	uint32_t alg;

	for (i = 0; i < NALGS; i++) {
		env_reset();
		e = enroll_ok(algs[i], UP, NULL);
		assert_true(e->key_handle_len <= SK_SOFT_KH_MAX);
		memcpy(kh, e->key_handle, e->key_handle_len);
		kh_len = e->key_handle_len;
		switch (c->edit) {
		case H_KEEP:
			break;
		case H_NULL:
			khp = NULL;
			break;
		case H_EMPTY:
			kh_len = 0;
			break;
		case H_SHORTER:
			kh_len--;
			break;
		case H_LONGER:
			kh[kh_len++] = 0;
			break;
		case H_MAGIC:
			kh[0] ^= 0x20;
			break;
		case H_VERSION:
			kh[SK_SOFT_KH_MAGIC_LEN] = 2;
			break;
		case H_ALG:
			kh[SK_SOFT_KH_MAGIC_LEN + 1] ^= 1;
			break;
		case H_PRIV:
			kh[SK_SOFT_KH_HDR_LEN + 5] ^= 0x01;
			break;
		case H_PUB:
			kh[kh_len - 1] ^= 0x01;
			break;
		}
		alg = c->other_alg ? algs[(i + 1) % NALGS] : algs[i];
		msg = message;
		msg_len = c->data_len == 0 ? sizeof(message) :
		    c->data_len == (size_t)-1 ? 0 : c->data_len;
		if (msg_len > sizeof(message)) {
			assert_non_null(data = calloc(1, msg_len));
			msg = data;
		}
		if (c->no_data)
			msg = NULL;
		assert_int_equal(t.sign(alg, msg, msg_len,
		    c->app != NULL ? c->app : APP, khp, kh_len, UP, NULL, NULL,
		    c->no_response ? NULL : &r), c->want);
		if (c->want == 0)
			assert_int_equal(fido_check_sig(alg, e->public_key,
			    e->public_key_len, APP, msg, msg_len, r,
			    FIDO_OPT_TRUE, FIDO_OPT_OMIT), FIDO_OK);
		else if (!c->no_response)
			assert_null(r);
		sign_free(r);
		r = NULL;
		free(data);
		data = NULL;
		khp = kh;
		enroll_free(e);
	}
}

/* ---- resident keys ---------------------------------------------------- */

static struct sk_option **
user_opts(struct sk_option *opt, struct sk_option **opts, const char *user)
{
	opt->name = strdup("user");
	opt->value = strdup(user);
	opt->required = 0;
	opts[0] = opt;
	opts[1] = NULL;
	return opts;
}

static void
user_opts_free(struct sk_option *opt)
{
	free(opt->name);
	free(opt->value);
}

/* One resident key per alg; loading returns them, and they sign. */
static void
test_resident_roundtrip(void **state)
{
	struct sk_option opt, *opts[2];
	struct sk_enroll_response *e[NALGS];
	struct sk_resident_key **rks = NULL;
	struct sk_sign_response *s;
	uint8_t uid[SK_SOFT_USER_ID_LEN];
	char user[16];
	size_t n = 0, i, k;

	(void)state;
	env_reset();
	state_reset();
	env_put("SK_SOFT_STATE_DIR", t.state);
	for (i = 0; i < NALGS; i++) {
		snprintf(user, sizeof(user), "user%zu", i);
		e[i] = enroll_ok(algs[i], UP | UV | RK,
		    user_opts(&opt, opts, user));
		user_opts_free(&opt);
	}
	assert_int_equal(t.load_rk(PIN, NULL, &rks, &n), 0);
	assert_int_equal(n, NALGS);
	for (k = 0; k < n; k++) {
		i = rks[k]->alg == algs[0] ? 0 : 1;
		assert_int_equal(rks[k]->alg, algs[i]);
		assert_string_equal(rks[k]->application, APP);
		assert_int_equal(rks[k]->flags, UV);
		assert_int_equal(rks[k]->user_id_len, SK_SOFT_USER_ID_LEN);
		memset(uid, 0, sizeof(uid));
		snprintf((char *)uid, sizeof(uid), "user%zu", i);
		assert_memory_equal(rks[k]->user_id, uid, sizeof(uid));
		assert_int_equal(rks[k]->key.public_key_len,
		    e[i]->public_key_len);
		assert_memory_equal(rks[k]->key.public_key, e[i]->public_key,
		    e[i]->public_key_len);
		assert_int_equal(rks[k]->key.key_handle_len,
		    e[i]->key_handle_len);
		assert_memory_equal(rks[k]->key.key_handle, e[i]->key_handle,
		    e[i]->key_handle_len);
		assert_int_equal(t.sign(algs[i], message, sizeof(message),
		    APP, rks[k]->key.key_handle, rks[k]->key.key_handle_len,
		    UP | UV, PIN, NULL, &s), 0);
		assert_int_equal(fido_check_sig(algs[i], e[i]->public_key,
		    e[i]->public_key_len, APP, message, sizeof(message), s,
		    FIDO_OPT_TRUE, FIDO_OPT_TRUE), FIDO_OK);
		sign_free(s);
	}
	rks_free(rks, n);
	for (i = 0; i < NALGS; i++)
		enroll_free(e[i]);
}

/* The same application and user: CREDENTIAL_EXISTS, FORCE replaces. */
static void
test_resident_exists(void **state)
{
	struct sk_option opt, *opts[2];
	struct sk_enroll_response *e1, *e2, *e3 = NULL;
	struct sk_resident_key **rks = NULL;
	size_t n = 0;

	(void)state;
	env_reset();
	state_reset();
	env_put("SK_SOFT_STATE_DIR", t.state);
	e1 = enroll_ok(SSH_SK_ED25519, UP | RK, user_opts(&opt, opts, "bob"));
	assert_int_equal(t.enroll(SSH_SK_ED25519, challenge, sizeof(challenge),
	    APP, UP | RK, PIN, opts, &e3), SSH_SK_ERR_CREDENTIAL_EXISTS);
	assert_null(e3);
	e2 = enroll_ok(SSH_SK_ECDSA, UP | RK | FORCE, opts);
	user_opts_free(&opt);
	assert_int_equal(t.load_rk(PIN, NULL, &rks, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rks[0]->alg, SSH_SK_ECDSA);
	assert_memory_equal(rks[0]->key.public_key, e2->public_key,
	    e2->public_key_len);
	rks_free(rks, n);
	enroll_free(e1);
	enroll_free(e2);
}

struct rk_load_case {
	const char *name;
	const char *env_pin;
	const char *pin;
	bool state_dir;
	const char *junk_name;	/* a file to add to the state dir */
	const char *junk;	/* its content; NULL: a symlink */
	bool trailing;		/* append a byte to the enrolled record */
	int want;
	size_t want_n;
};

#define RK_NAME "rk-00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static struct rk_load_case rk_load_cases[] = {
	{ "with the PIN", PIN, PIN, true, NULL, NULL, false, 0, 1 },
	{ "without the PIN", PIN, NULL, true, NULL, NULL, false,
	    SSH_SK_ERR_PIN_REQUIRED, 0 },
	{ "with a wrong PIN", PIN, "1111", true, NULL, NULL, false,
	    SSH_SK_ERR_PIN_REQUIRED, 0 },
	{ "key without PIN, none given", NULL, NULL, true, NULL, NULL, false,
	    0, 1 },
	{ "no state dir: no keys", PIN, PIN, false, NULL, NULL, false, 0, 0 },
	{ "other files are ignored", PIN, PIN, true, "counter-00", "1\n",
	    false, 0, 1 },
	{ "corrupt record", PIN, PIN, true, RK_NAME, "SKSOFTRK\001", false,
	    SSH_SK_ERR_GENERAL, 0 },
	{ "record that is a symlink", PIN, PIN, true, RK_NAME, NULL, false,
	    SSH_SK_ERR_GENERAL, 0 },
	{ "record with a trailing byte", PIN, PIN, true, NULL, NULL, true,
	    SSH_SK_ERR_GENERAL, 0 },
};

/* Append a byte to the one resident-key record in the state dir. */
static void
rk_append_byte(void)
{
	struct dirent *de;
	char path[512];
	DIR *d;
	int fd, found = 0;

	assert_non_null(d = opendir(t.state));
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "rk-", 3) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", t.state, de->d_name);
		assert_true((fd = open(path, O_WRONLY | O_APPEND)) >= 0);
		assert_int_equal(write(fd, "", 1), 1);
		close(fd);
		found++;
	}
	closedir(d);
	assert_int_equal(found, 1);
}

static void
run_rk_load_case(void **state)
{
	const struct rk_load_case *c = *state;
	struct sk_enroll_response *e;
	struct sk_resident_key **rks = NULL;
	char path[256];
	size_t n = 99;
	int fd;

	env_reset();
	state_reset();
	env_put("SK_SOFT_STATE_DIR", t.state);
	e = enroll_ok(SSH_SK_ECDSA, UP | RK, NULL);
	if (c->junk_name != NULL) {
		snprintf(path, sizeof(path), "%s/%s", t.state, c->junk_name);
		if (c->junk == NULL)
			assert_int_equal(symlink("/etc/hostname", path), 0);
		else {
			assert_true((fd = open(path, O_WRONLY | O_CREAT,
			    0600)) >= 0);
			assert_int_equal(write(fd, c->junk, strlen(c->junk)),
			    (ssize_t)strlen(c->junk));
			close(fd);
		}
	}
	if (c->trailing)
		rk_append_byte();
	env_put("SK_SOFT_PIN", c->env_pin);
	env_put("SK_SOFT_STATE_DIR", c->state_dir ? t.state : NULL);
	assert_int_equal(t.load_rk(c->pin, NULL, &rks, &n), c->want);
	assert_int_equal(n, c->want_n);
	if (c->want_n > 0)
		assert_memory_equal(rks[0]->key.public_key, e->public_key,
		    e->public_key_len);
	else
		assert_null(rks);
	rks_free(rks, n);
	enroll_free(e);
}

/* ---- SK_SOFT_LOG: one line per call --------------------------------- */

static size_t
count_lines(const char *path, const char *needle)
{
	char line[1024];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (needle == NULL || strstr(line, needle) != NULL)
			n++;
	fclose(f);
	return n;
}

static void
test_log(void **state)
{
	struct sk_enroll_response *e;
	struct sk_sign_response *r;

	(void)state;
	env_reset();
	unlink(t.log);
	env_put("SK_SOFT_LOG", t.log);
	(void)t.api_version();
	e = enroll_ok(SSH_SK_ECDSA, UP | UV, NULL);
	assert_int_equal(sign_msg(SSH_SK_ECDSA, e, UP | UV, NULL, &r),
	    SSH_SK_ERR_PIN_REQUIRED);
	assert_int_equal(sign_msg(SSH_SK_ECDSA, e, UP | UV, "1111", &r),
	    SSH_SK_ERR_PIN_REQUIRED);
	assert_int_equal(sign_msg(SSH_SK_ECDSA, e, UP | UV, PIN, &r), 0);
	sign_free(r);
	assert_int_equal(count_lines(t.log, NULL), 5);
	assert_int_equal(count_lines(t.log, "sk_api_version "), 1);
	assert_int_equal(count_lines(t.log, "sk_enroll alg=ecdsa-p256 app=ssh: "
	    "req=0x05 pin=given flags=0x05 -> ok"), 1);
	assert_int_equal(count_lines(t.log, "-> PIN_REQUIRED (user "
	    "verification needs the PIN)"), 1);
	assert_int_equal(count_lines(t.log, "-> PIN_REQUIRED (wrong PIN)"), 1);
	assert_int_equal(count_lines(t.log, "flags=0x05 counter=1 -> ok"), 1);
	enroll_free(e);
}

/* ---- main --------------------------------------------------------- */

#define NCASES(a) (sizeof(a) / sizeof((a)[0]))

static size_t
add_cases(struct CMUnitTest *tests, size_t at, void *cases, size_t size,
    size_t n, CMUnitTestFunction fn, char **names, const char *prefix)
{
	size_t i;

	for (i = 0; i < n; i++) {
		void *c = (char *)cases + i * size;
		const char *name = *(const char **)c;

		if (asprintf(&names[at], "%s: %s", prefix, name) < 0)
			names[at] = NULL;
		tests[at].name = names[at] != NULL ? names[at] : prefix;
		tests[at].test_func = fn;
		tests[at].setup_func = NULL;
		tests[at].teardown_func = NULL;
		tests[at].initial_state = c;
		at++;
	}
	return at;
}

int
main(void)
{
	struct CMUnitTest tests[NCASES(flag_cases) + NCASES(counter_cases) +
	    NCASES(enroll_cases) + NCASES(sign_arg_cases) +
	    NCASES(rk_load_cases) + 4];
	char *names[sizeof(tests) / sizeof(tests[0])];
	size_t n = 0, i;
	int rc;

	memset(names, 0, sizeof(names));
	n = add_cases(tests, n, flag_cases, sizeof(flag_cases[0]),
	    NCASES(flag_cases), run_flag_case, names, "flags");
	n = add_cases(tests, n, counter_cases, sizeof(counter_cases[0]),
	    NCASES(counter_cases), run_counter_case, names, "counter");
	n = add_cases(tests, n, enroll_cases, sizeof(enroll_cases[0]),
	    NCASES(enroll_cases), run_enroll_case, names, "enroll");
	n = add_cases(tests, n, sign_arg_cases, sizeof(sign_arg_cases[0]),
	    NCASES(sign_arg_cases), run_sign_arg_case, names, "sign");
	n = add_cases(tests, n, rk_load_cases, sizeof(rk_load_cases[0]),
	    NCASES(rk_load_cases), run_rk_load_case, names, "resident load");
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_api_version);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_resident_roundtrip);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_resident_exists);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_log);
	rc = _cmocka_run_group_tests("sk-soft-api", tests, n, group_setup,
	    group_teardown);
	for (i = 0; i < n; i++)
		free(names[i]);
	return rc;
}
