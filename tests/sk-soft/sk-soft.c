/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TEST ONLY - a software security key with no protection of its secrets;
 * never install, never use with real accounts.
 *
 * sk-soft.c - a FIDO2 authenticator in software behind OpenSSH's security
 * key middleware API (sk-api.h, version 0x000a0000, OpenSSH 9.2), loaded by
 * ssh, ssh-keygen and ssh-sk-helper through SecurityKeyProvider,
 * SSH_SK_PROVIDER or `ssh-keygen -w`.
 *
 * It answers as a hardware key does, so that sshd and libfido2 verify its
 * signatures exactly as they verify a real key's:
 *   sk_enroll  a new ECDSA P-256 or Ed25519 key pair: the public key (65-byte
 *              uncompressed point or 32 bytes), a key handle, and a "packed"
 *              self attestation: CBOR-wrapped authenticator data with the
 *              attested credential, signed by the new key over
 *              authdata || SHA-256(challenge); no certificate.
 *   sk_sign    authenticator data = SHA-256(application) || flags ||
 *              counter (big-endian u32); ECDSA signs
 *              SHA-256(authdata || SHA-256(message)) and returns r and s,
 *              Ed25519 signs authdata || SHA-256(message) (64 bytes).
 *   sk_load_resident_keys  the resident keys kept in SK_SOFT_STATE_DIR;
 *              none when it is unset.
 * The key handle holds the private key in clear (layout in sk-soft.h).
 *
 * Environment, read at every call; a value that does not parse fails the
 * call (SSH_SK_ERR_GENERAL) rather than being guessed at:
 *   SK_SOFT_PIN=PIN        the key's PIN (4..63 bytes); unset: no PIN.
 *                          A call that needs user verification (sign for a
 *                          verify-required key; enroll of a verify-required
 *                          or resident key while a PIN is set; listing
 *                          resident keys while a PIN is set) and got no PIN
 *                          returns SSH_SK_ERR_PIN_REQUIRED, so ssh/ssh-keygen
 *                          ask for it (SSH_ASKPASS) and call again.  A wrong
 *                          PIN also returns SSH_SK_ERR_PIN_REQUIRED, which
 *                          is what OpenSSH's own middleware returns for
 *                          FIDO_ERR_PIN_INVALID: ssh tries one PIN and then
 *                          fails the key, ssh-keygen -Y sign tries one,
 *                          enrollment three.  The right PIN sets UV (0x04),
 *                          also when not required.  A PIN given to a key
 *                          without one is an error (SSH_SK_ERR_GENERAL).
 *   SK_SOFT_NO_UP=1        report UP (0x01) clear: nobody touched the key.
 *                          UP is also clear when the request did not ask
 *                          for it (a no-touch-required key).
 *   SK_SOFT_FORCE_UV=0|1   a key that lies: 1 reports UV set and never asks
 *                          for or checks a PIN; 0 checks the PIN as usual
 *                          and then reports UV clear.
 *   SK_SOFT_COUNTER=N      signature counter to report (0..4294967295).
 *   SK_SOFT_STATE_DIR=DIR  existing directory for per-key counters (file
 *                          counter-<hex SHA-256 of the key handle>, +1 per
 *                          signature) and resident keys (rk-<hex>).  Without
 *                          it and without SK_SOFT_COUNTER the counter is 1.
 *   SK_SOFT_LOG=FILE       append one line per call: what was asked, what
 *                          was answered and why.
 *   SK_SOFT_QUIET=1        no warning on stderr when the module is loaded.
 * Errors are also written to stderr as "sk-soft: FUNCTION: what failed".
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "sk-soft.h"

#define SHA256_LEN	32
#define AUTHDATA_LEN	(SHA256_LEN + 1 + 4)	/* rpIdHash, flags, counter */
#define HEXNAME_LEN	(2 * SHA256_LEN)
#define ECDSA_DER_MAX	80
#define ED25519_SIG_LEN	64
#define ATT_RAW_MAX	512	/* enrollment authenticator data, raw */

/* One call into the module: its environment and what happened. */
struct sk_call {
	const char *fn;		/* API function, for messages */
	const char *pin;	/* SK_SOFT_PIN; NULL: the key has no PIN */
	bool no_up;		/* SK_SOFT_NO_UP=1 */
	int force_uv;		/* SK_SOFT_FORCE_UV: -1 unset, 0, 1 */
	bool have_counter;	/* SK_SOFT_COUNTER given */
	uint32_t counter;
	const char *state_dir;	/* SK_SOFT_STATE_DIR; NULL: none */
	const char *log_path;	/* SK_SOFT_LOG; NULL: none */
	char detail[256];	/* first failure or note, for the log line */
};

/* A key as the handle carries it.  Secret: wipe after use. */
struct sk_key {
	uint32_t alg;
	uint8_t app_hash[SHA256_LEN];
	uint8_t priv[SK_SOFT_PRIV_LEN];
	uint8_t pub[SK_SOFT_P256_PUB_LEN];
	size_t pub_len;
};

/* Bounds-checked reader: every byte from a handle or a file goes through it. */
struct rd {
	const uint8_t *p;
	size_t left;
};

/* Bounds-checked writer into a fixed buffer. */
struct wr {
	uint8_t *p;
	size_t cap;
	size_t len;
};

__attribute__((constructor)) static void
sk_soft_banner(void)
{
	static const char msg[] = "sk-soft: TEST ONLY software security key "
	    "loaded; its keys are unprotected, never use it with real "
	    "accounts\n";
	const char *quiet = secure_getenv("SK_SOFT_QUIET");

	if (quiet != NULL && strcmp(quiet, "1") == 0)
		return;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		return;
}

/* ---- messages and the log ---------------------------------------- */

__attribute__((format(printf, 3, 0))) static void
call_vnote(struct sk_call *c, bool to_stderr, const char *fmt, va_list ap)
{
	char msg[sizeof(c->detail)];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (c->detail[0] == '\0')
		snprintf(c->detail, sizeof(c->detail), "%s", msg);
	if (to_stderr)
		fprintf(stderr, "sk-soft: %s: %s\n", c->fn, msg);
}

/* A failure: to stderr, and the first one to the call's log line. */
__attribute__((format(printf, 2, 3))) static void
call_fail(struct sk_call *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	call_vnote(c, true, fmt, ap);
	va_end(ap);
}

/* An expected outcome (a PIN is needed, a resident key not kept): log only. */
__attribute__((format(printf, 2, 3))) static void
call_note(struct sk_call *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	call_vnote(c, false, fmt, ap);
	va_end(ap);
}

static const char *
result_name(int ret)
{
	switch (ret) {
	case 0:
		return "ok";
	case SSH_SK_ERR_UNSUPPORTED:
		return "UNSUPPORTED";
	case SSH_SK_ERR_PIN_REQUIRED:
		return "PIN_REQUIRED";
	case SSH_SK_ERR_DEVICE_NOT_FOUND:
		return "DEVICE_NOT_FOUND";
	case SSH_SK_ERR_CREDENTIAL_EXISTS:
		return "CREDENTIAL_EXISTS";
	default:
		return "GENERAL";
	}
}

/* Append the call's one line to SK_SOFT_LOG: "what -> result (detail)". */
__attribute__((format(printf, 3, 4))) static void
call_end(const struct sk_call *c, int ret, const char *fmt, ...)
{
	char what[256], line[640];
	va_list ap;
	int fd, n;

	if (c->log_path == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	n = snprintf(line, sizeof(line), "sk-soft[%ld] %s %s -> %s%s%s%s\n",
	    (long)getpid(), c->fn, what, result_name(ret),
	    c->detail[0] != '\0' ? " (" : "", c->detail,
	    c->detail[0] != '\0' ? ")" : "");
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	fd = open(c->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (fd == -1) {
		fprintf(stderr, "sk-soft: %s: cannot open SK_SOFT_LOG %s: %s\n",
		    c->fn, c->log_path, strerror(errno));
		return;
	}
	if (write(fd, line, (size_t)n) != (ssize_t)n)
		fprintf(stderr, "sk-soft: %s: cannot write SK_SOFT_LOG %s\n",
		    c->fn, c->log_path);
	close(fd);
}

/* ---- the environment ---------------------------------------------- */

static const char *
env_get(const char *name)
{
	const char *v = secure_getenv(name);

	return (v == NULL || *v == '\0') ? NULL : v;
}

static int
parse_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (s[0] == '\0')
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= 10 || s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* A 0/1 switch: *out = -1 when unset. */
static int
env_switch(struct sk_call *c, const char *name, int *out)
{
	const char *v = env_get(name);

	*out = -1;
	if (v == NULL)
		return 0;
	if (strcmp(v, "0") == 0)
		*out = 0;
	else if (strcmp(v, "1") == 0)
		*out = 1;
	else {
		call_fail(c, "%s must be 0 or 1, not \"%.16s\"", name, v);
		return -1;
	}
	return 0;
}

/* Start a call: read and check the environment. */
static int
call_begin(struct sk_call *c, const char *fn)
{
	const char *v;
	size_t len;
	int no_up;

	memset(c, 0, sizeof(*c));
	c->fn = fn;
	c->force_uv = -1;
	c->log_path = env_get("SK_SOFT_LOG");
	c->state_dir = env_get("SK_SOFT_STATE_DIR");
	if ((c->pin = env_get("SK_SOFT_PIN")) != NULL) {
		len = strnlen(c->pin, SK_SOFT_PIN_MAX + 1);
		if (len < SK_SOFT_PIN_MIN || len > SK_SOFT_PIN_MAX) {
			call_fail(c, "SK_SOFT_PIN must be %d..%d bytes",
			    SK_SOFT_PIN_MIN, SK_SOFT_PIN_MAX);
			return -1;
		}
	}
	if (env_switch(c, "SK_SOFT_NO_UP", &no_up) != 0 ||
	    env_switch(c, "SK_SOFT_FORCE_UV", &c->force_uv) != 0)
		return -1;
	c->no_up = no_up == 1;
	if ((v = env_get("SK_SOFT_COUNTER")) != NULL) {
		if (parse_u32(v, &c->counter) != 0) {
			call_fail(c, "SK_SOFT_COUNTER must be a decimal "
			    "0..4294967295, not \"%.16s\"", v);
			return -1;
		}
		c->have_counter = true;
	}
	return 0;
}

/* ---- bytes in and out --------------------------------------------- */

static int
rd_get(struct rd *r, size_t n, const uint8_t **out)
{
	if (n > r->left)
		return -1;
	*out = r->p;
	r->p += n;
	r->left -= n;
	return 0;
}

static int
rd_u8(struct rd *r, uint8_t *v)
{
	const uint8_t *p;

	if (rd_get(r, 1, &p) != 0)
		return -1;
	*v = p[0];
	return 0;
}

static int
rd_u16(struct rd *r, uint16_t *v)
{
	const uint8_t *p;

	if (rd_get(r, 2, &p) != 0)
		return -1;
	*v = (uint16_t)((p[0] << 8) | p[1]);
	return 0;
}

static int
wr_put(struct wr *w, const void *src, size_t n)
{
	if (n > w->cap - w->len)
		return -1;
	memcpy(w->p + w->len, src, n);
	w->len += n;
	return 0;
}

static int
wr_u8(struct wr *w, uint8_t v)
{
	return wr_put(w, &v, 1);
}

static int
wr_u16(struct wr *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return wr_put(w, b, sizeof(b));
}

static int
wr_u32(struct wr *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	return wr_put(w, b, sizeof(b));
}

/* A u16-length-prefixed field. */
static int
wr_field(struct wr *w, const void *src, size_t n)
{
	if (n > UINT16_MAX)
		return -1;
	if (wr_u16(w, (uint16_t)n) != 0)
		return -1;
	return wr_put(w, src, n);
}

static int
sha256(const void *data, size_t len, uint8_t out[SHA256_LEN])
{
	unsigned int olen = 0;

	if (EVP_Digest(data, len, out, &olen, EVP_sha256(), NULL) != 1 ||
	    olen != SHA256_LEN)
		return -1;
	return 0;
}

static void
hex(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

static void
free_wiped(void *p, size_t len)
{
	if (p == NULL)
		return;
	explicit_bzero(p, len);
	free(p);
}

static uint8_t *
dup_bytes(const void *src, size_t len)
{
	uint8_t *p;

	if (len == 0 || (p = malloc(len)) == NULL)
		return NULL;
	memcpy(p, src, len);
	return p;
}

/* ---- checks on what the caller passes --------------------------------- */

static const char *
alg_name(uint32_t alg)
{
	switch (alg) {
	case SSH_SK_ECDSA:
		return "ecdsa-p256";
	case SSH_SK_ED25519:
		return "ed25519";
	default:
		return NULL;
	}
}

/* The application (FIDO relying-party id): bounded, printable ASCII. */
static int
app_check(struct sk_call *c, const char *application)
{
	size_t i, len;

	if (application == NULL) {
		call_fail(c, "no application");
		return -1;
	}
	len = strnlen(application, SK_SOFT_APP_MAX + 1);
	if (len == 0 || len > SK_SOFT_APP_MAX) {
		call_fail(c, "application is empty or longer than %d bytes",
		    SK_SOFT_APP_MAX);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (application[i] < 0x21 || application[i] > 0x7e) {
			call_fail(c, "application has a byte that is not "
			    "printable ASCII at offset %zu", i);
			return -1;
		}
	}
	return 0;
}

/*
 * Options from OpenSSH: "device" (there is only this one key: accepted),
 * and for enrollment "user" (the user id: at most 31 bytes, zero-padded
 * to 32 as OpenSSH's own middleware does).  An unknown option is ignored
 * unless it is required.
 */
static int
options_check(struct sk_call *c, struct sk_option **options,
    uint8_t user_id[SK_SOFT_USER_ID_LEN])
{
	size_t i, len;

	if (options == NULL)
		return 0;
	for (i = 0; options[i] != NULL; i++) {
		if (options[i]->name == NULL || options[i]->value == NULL) {
			call_fail(c, "option %zu has no name or value", i);
			return SSH_SK_ERR_GENERAL;
		}
		if (strcmp(options[i]->name, "device") == 0)
			continue;
		if (user_id != NULL && strcmp(options[i]->name, "user") == 0) {
			len = strnlen(options[i]->value, SK_SOFT_USER_ID_LEN);
			if (len >= SK_SOFT_USER_ID_LEN) {
				call_fail(c, "user option longer than %d bytes",
				    SK_SOFT_USER_ID_LEN - 1);
				return SSH_SK_ERR_GENERAL;
			}
			memset(user_id, 0, SK_SOFT_USER_ID_LEN);
			memcpy(user_id, options[i]->value, len);
			continue;
		}
		if (options[i]->required) {
			call_fail(c, "required option \"%.32s\" is not "
			    "supported", options[i]->name);
			return SSH_SK_ERR_UNSUPPORTED;
		}
	}
	return 0;
}

/* ---- user presence and verification ----------------------------------- */

/* 0: no PIN given; 1: the right PIN; else an SSH_SK_ERR_* code. */
static int
pin_check(struct sk_call *c, const char *pin)
{
	size_t len;

	if (pin == NULL || *pin == '\0')
		return 0;
	if (c->pin == NULL) {
		call_fail(c, "a PIN was given but the key has none "
		    "(SK_SOFT_PIN is unset)");
		return SSH_SK_ERR_GENERAL;
	}
	len = strnlen(pin, SK_SOFT_PIN_MAX + 1);
	if (len != strlen(c->pin) || CRYPTO_memcmp(pin, c->pin, len) != 0) {
		call_fail(c, "wrong PIN");
		return SSH_SK_ERR_PIN_REQUIRED;
	}
	return 1;
}

/*
 * The flags an operation reports, decided as an authenticator decides
 * them (see the top of this file).  need_uv: the request cannot proceed
 * without user verification.
 */
static int
user_check(struct sk_call *c, bool need_uv, bool want_up, const char *pin,
    uint8_t *flagsp)
{
	uint8_t flags = 0;
	int r;

	*flagsp = 0;
	if (c->force_uv == 1)
		flags |= SK_SOFT_AD_UV;
	else {
		if ((r = pin_check(c, pin)) < 0)
			return r;
		if (r == 0 && need_uv) {
			call_note(c, "user verification needs the PIN");
			return SSH_SK_ERR_PIN_REQUIRED;
		}
		if (r == 1 && c->force_uv != 0)
			flags |= SK_SOFT_AD_UV;
	}
	if (want_up && !c->no_up)
		flags |= SK_SOFT_AD_UP;
	*flagsp = flags;
	return 0;
}

/* ---- keys ---------------------------------------------------------- */

static size_t
pub_len_of(uint32_t alg)
{
	return alg == SSH_SK_ECDSA ? SK_SOFT_P256_PUB_LEN :
	    SK_SOFT_ED25519_PUB_LEN;
}

static int
key_generate(struct sk_call *c, uint32_t alg, struct sk_key *key)
{
	EVP_PKEY *pkey = NULL;
	BIGNUM *bn = NULL;
	size_t len;
	int ret = -1;

	key->alg = alg;
	key->pub_len = pub_len_of(alg);
	if (alg == SSH_SK_ECDSA) {
		if ((pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
		    "P-256")) == NULL ||
		    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY,
		    &bn) != 1 ||
		    BN_bn2binpad(bn, key->priv, SK_SOFT_PRIV_LEN) !=
		    SK_SOFT_PRIV_LEN ||
		    EVP_PKEY_get_octet_string_param(pkey,
		    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, key->pub,
		    sizeof(key->pub), &len) != 1 ||
		    len != SK_SOFT_P256_PUB_LEN || key->pub[0] != 0x04) {
			call_fail(c, "generating a P-256 key failed");
			goto out;
		}
	} else {
		if ((pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL) {
			call_fail(c, "generating an Ed25519 key failed");
			goto out;
		}
		len = SK_SOFT_PRIV_LEN;
		if (EVP_PKEY_get_raw_private_key(pkey, key->priv, &len) != 1 ||
		    len != SK_SOFT_PRIV_LEN) {
			call_fail(c, "reading the new Ed25519 key failed");
			goto out;
		}
		len = SK_SOFT_ED25519_PUB_LEN;
		if (EVP_PKEY_get_raw_public_key(pkey, key->pub, &len) != 1 ||
		    len != SK_SOFT_ED25519_PUB_LEN) {
			call_fail(c, "reading the new Ed25519 key failed");
			goto out;
		}
	}
	ret = 0;
 out:
	BN_clear_free(bn);
	EVP_PKEY_free(pkey);
	return ret;
}

static int
p256_import(struct sk_call *c, const struct sk_key *key, EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL, *check = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *bn = NULL;
	int ret = -1;

	if ((bn = BN_secure_new()) == NULL ||
	    BN_bin2bn(key->priv, SK_SOFT_PRIV_LEN, bn) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    key->pub, SK_SOFT_P256_PUB_LEN) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) != 1) {
		call_fail(c, "key handle holds no valid P-256 key");
		goto out;
	}
	if ((check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
	    EVP_PKEY_pairwise_check(check) != 1) {
		call_fail(c, "key handle: P-256 private and public key differ");
		goto out;
	}
	*out = pkey;
	pkey = NULL;
	ret = 0;
 out:
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(bn);
	return ret;
}

static int
ed25519_import(struct sk_call *c, const struct sk_key *key, EVP_PKEY **out)
{
	EVP_PKEY *pkey = NULL;
	uint8_t pub[SK_SOFT_ED25519_PUB_LEN];
	size_t len = sizeof(pub);
	int ret = -1;

	if ((pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL,
	    key->priv, SK_SOFT_PRIV_LEN)) == NULL ||
	    EVP_PKEY_get_raw_public_key(pkey, pub, &len) != 1 ||
	    len != sizeof(pub)) {
		call_fail(c, "key handle holds no valid Ed25519 key");
		goto out;
	}
	if (CRYPTO_memcmp(pub, key->pub, sizeof(pub)) != 0) {
		call_fail(c, "key handle: Ed25519 private and public key "
		    "differ");
		goto out;
	}
	*out = pkey;
	pkey = NULL;
	ret = 0;
 out:
	EVP_PKEY_free(pkey);
	return ret;
}

static int
key_import(struct sk_call *c, const struct sk_key *key, EVP_PKEY **out)
{
	*out = NULL;
	if (key->alg == SSH_SK_ECDSA)
		return p256_import(c, key, out);
	return ed25519_import(c, key, out);
}

static int
handle_encode(struct sk_call *c, const struct sk_key *key, uint8_t **out,
    size_t *out_len)
{
	uint8_t buf[SK_SOFT_KH_MAX];
	struct wr w = { buf, sizeof(buf), 0 };
	int ret = -1;

	*out = NULL;
	*out_len = 0;
	if (wr_put(&w, SK_SOFT_KH_MAGIC, SK_SOFT_KH_MAGIC_LEN) != 0 ||
	    wr_u8(&w, SK_SOFT_KH_VERSION) != 0 ||
	    wr_u8(&w, (uint8_t)key->alg) != 0 ||
	    wr_put(&w, key->app_hash, sizeof(key->app_hash)) != 0 ||
	    wr_put(&w, key->priv, sizeof(key->priv)) != 0 ||
	    wr_put(&w, key->pub, key->pub_len) != 0) {
		call_fail(c, "key handle does not fit");
		goto out;
	}
	if ((*out = dup_bytes(buf, w.len)) == NULL) {
		call_fail(c, "out of memory");
		goto out;
	}
	*out_len = w.len;
	ret = 0;
 out:
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

/* Parse a key handle; the one place handle bytes are read. */
static int
handle_decode(struct sk_call *c, const uint8_t *kh, size_t kh_len,
    struct sk_key *key)
{
	struct rd r = { kh, kh_len };
	const uint8_t *magic, *app_hash, *priv, *pub;
	uint8_t version, alg;

	memset(key, 0, sizeof(*key));
	if (kh == NULL || kh_len > SK_SOFT_KH_MAX) {
		call_fail(c, "key handle missing or longer than %d bytes",
		    SK_SOFT_KH_MAX);
		return -1;
	}
	if (rd_get(&r, SK_SOFT_KH_MAGIC_LEN, &magic) != 0 ||
	    memcmp(magic, SK_SOFT_KH_MAGIC, SK_SOFT_KH_MAGIC_LEN) != 0 ||
	    rd_u8(&r, &version) != 0 || version != SK_SOFT_KH_VERSION ||
	    rd_u8(&r, &alg) != 0 || alg_name(alg) == NULL) {
		call_fail(c, "not an sk-soft version %d key handle",
		    SK_SOFT_KH_VERSION);
		return -1;
	}
	key->alg = alg;
	key->pub_len = pub_len_of(alg);
	if (rd_get(&r, SHA256_LEN, &app_hash) != 0 ||
	    rd_get(&r, SK_SOFT_PRIV_LEN, &priv) != 0 ||
	    rd_get(&r, key->pub_len, &pub) != 0 || r.left != 0 ||
	    (alg == SSH_SK_ECDSA && pub[0] != 0x04)) {
		call_fail(c, "key handle is truncated or malformed");
		explicit_bzero(key, sizeof(*key));
		return -1;
	}
	memcpy(key->app_hash, app_hash, SHA256_LEN);
	memcpy(key->priv, priv, SK_SOFT_PRIV_LEN);
	memcpy(key->pub, pub, key->pub_len);
	return 0;
}

/* Sign msg: ECDSA with SHA-256 (DER out), Ed25519 pure (64 bytes out). */
static int
sign_raw(struct sk_call *c, EVP_PKEY *pkey, uint32_t alg, const uint8_t *msg,
    size_t msg_len, uint8_t *sig, size_t *sig_len)
{
	EVP_MD_CTX *md = NULL;
	size_t len = 0;
	int ret = -1;

	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit_ex(md, NULL,
	    alg == SSH_SK_ECDSA ? "SHA256" : NULL, NULL, NULL, pkey,
	    NULL) != 1 ||
	    EVP_DigestSign(md, NULL, &len, msg, msg_len) != 1 ||
	    len > *sig_len ||
	    EVP_DigestSign(md, sig, &len, msg, msg_len) != 1) {
		call_fail(c, "%s signature failed", alg_name(alg));
		goto out;
	}
	*sig_len = len;
	ret = 0;
 out:
	EVP_MD_CTX_free(md);
	return ret;
}

/* Split a DER ECDSA signature into r and s as OpenSSH expects them. */
static int
ecdsa_split(struct sk_call *c, const uint8_t *der, size_t der_len,
    struct sk_sign_response *resp)
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = NULL;
	const BIGNUM *r, *s;
	int rlen, slen, ret = -1;

	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len)) == NULL ||
	    p != der + der_len) {
		call_fail(c, "ECDSA signature does not parse");
		goto out;
	}
	r = ECDSA_SIG_get0_r(sig);
	s = ECDSA_SIG_get0_s(sig);
	rlen = BN_num_bytes(r);
	slen = BN_num_bytes(s);
	if (rlen <= 0 || rlen > 32 || slen <= 0 || slen > 32 ||
	    (resp->sig_r = malloc((size_t)rlen)) == NULL ||
	    (resp->sig_s = malloc((size_t)slen)) == NULL) {
		call_fail(c, "ECDSA signature r/s out of range or no memory");
		goto out;
	}
	resp->sig_r_len = (size_t)BN_bn2bin(r, resp->sig_r);
	resp->sig_s_len = (size_t)BN_bn2bin(s, resp->sig_s);
	ret = 0;
 out:
	ECDSA_SIG_free(sig);
	return ret;
}

/* ---- the signature counter ------------------------------------------ */

static int
state_dir_open(struct sk_call *c)
{
	int dfd;

	if ((dfd = open(c->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		call_fail(c, "SK_SOFT_STATE_DIR %s: %s", c->state_dir,
		    strerror(errno));
	return dfd;
}

/* Read, increment and store the counter of one key, under a lock. */
static int
counter_bump(struct sk_call *c, const char *name, uint32_t *out)
{
	char buf[16];
	ssize_t n;
	uint32_t v = 0;
	int dfd, fd = -1, ret = -1, len;

	if ((dfd = state_dir_open(c)) == -1)
		return -1;
	if ((fd = openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600)) == -1 || flock(fd, LOCK_EX) != 0) {
		call_fail(c, "counter %s/%s: %s", c->state_dir, name,
		    strerror(errno));
		goto out;
	}
	if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) < 0) {
		call_fail(c, "counter %s/%s: %s", c->state_dir, name,
		    strerror(errno));
		goto out;
	}
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	if (buf[0] != '\0' && parse_u32(buf, &v) != 0) {
		call_fail(c, "counter %s/%s is corrupt", c->state_dir, name);
		goto out;
	}
	if (v == UINT32_MAX) {
		call_fail(c, "counter %s/%s is exhausted", c->state_dir, name);
		goto out;
	}
	v++;
	len = snprintf(buf, sizeof(buf), "%u\n", v);
	if (len <= 0 || (size_t)len >= sizeof(buf) || ftruncate(fd, 0) != 0 ||
	    pwrite(fd, buf, (size_t)len, 0) != (ssize_t)len) {
		call_fail(c, "counter %s/%s: cannot write: %s", c->state_dir,
		    name, strerror(errno));
		goto out;
	}
	*out = v;
	ret = 0;
 out:
	if (fd != -1)
		close(fd);
	close(dfd);
	return ret;
}

static int
counter_next(struct sk_call *c, const uint8_t *kh, size_t kh_len,
    uint32_t *out)
{
	uint8_t digest[SHA256_LEN];
	char name[sizeof("counter-") + HEXNAME_LEN];

	if (c->have_counter) {
		*out = c->counter;
		return 0;
	}
	if (c->state_dir == NULL) {
		*out = 1;
		return 0;
	}
	if (sha256(kh, kh_len, digest) != 0) {
		call_fail(c, "SHA-256 failed");
		return -1;
	}
	memcpy(name, "counter-", sizeof("counter-") - 1);
	hex(digest, sizeof(digest), name + sizeof("counter-") - 1);
	return counter_bump(c, name, out);
}

/* ---- enrollment attestation ------------------------------------------ */

/* COSE_Key of the credential (canonical CTAP2 CBOR). */
static int
wr_cose_key(struct wr *w, const struct sk_key *key)
{
	static const uint8_t es256_hdr[] = {
		0xa5,		/* map(5) */
		0x01, 0x02,	/* kty: EC2 */
		0x03, 0x26,	/* alg: ES256 (-7) */
		0x20, 0x01,	/* crv: P-256 */
		0x21, 0x58, 0x20,	/* x: bytes(32) */
	};
	static const uint8_t es256_y[] = { 0x22, 0x58, 0x20 }; /* y: bytes(32) */
	static const uint8_t eddsa_hdr[] = {
		0xa4,		/* map(4) */
		0x01, 0x01,	/* kty: OKP */
		0x03, 0x27,	/* alg: EdDSA (-8) */
		0x20, 0x06,	/* crv: Ed25519 */
		0x21, 0x58, 0x20,	/* x: bytes(32) */
	};

	if (key->alg == SSH_SK_ECDSA)
		return (wr_put(w, es256_hdr, sizeof(es256_hdr)) != 0 ||
		    wr_put(w, key->pub + 1, 32) != 0 ||
		    wr_put(w, es256_y, sizeof(es256_y)) != 0 ||
		    wr_put(w, key->pub + 33, 32) != 0) ? -1 : 0;
	return (wr_put(w, eddsa_hdr, sizeof(eddsa_hdr)) != 0 ||
	    wr_put(w, key->pub, SK_SOFT_ED25519_PUB_LEN) != 0) ? -1 : 0;
}

/*
 * A "packed" self attestation, as a FIDO2 key without an attestation
 * certificate makes it: authenticator data with AT set and the attested
 * credential (zero AAGUID, the key handle as credential id, the COSE key),
 * returned CBOR-wrapped as libfido2 hands it to OpenSSH, and the new key's
 * signature over authdata || SHA-256(challenge).
 */
static int
attest(struct sk_call *c, const struct sk_key *key, EVP_PKEY *pkey,
    uint8_t flags, const uint8_t *kh, size_t kh_len,
    const uint8_t *challenge, size_t challenge_len,
    struct sk_enroll_response *resp)
{
	static const uint8_t aaguid[16];
	uint8_t raw[ATT_RAW_MAX + SHA256_LEN], cbor[ATT_RAW_MAX + 3];
	uint8_t sig[ECDSA_DER_MAX];
	struct wr w = { raw, ATT_RAW_MAX, 0 }, cw = { cbor, sizeof(cbor), 0 };
	size_t sig_len = sizeof(sig), raw_len;
	int ret = -1;

	if (wr_put(&w, key->app_hash, SHA256_LEN) != 0 ||
	    wr_u8(&w, (uint8_t)(flags | SK_SOFT_AD_AT)) != 0 ||
	    wr_u32(&w, 0) != 0 ||
	    wr_put(&w, aaguid, sizeof(aaguid)) != 0 ||
	    wr_field(&w, kh, kh_len) != 0 ||
	    wr_cose_key(&w, key) != 0) {
		call_fail(c, "attestation data does not fit");
		goto out;
	}
	raw_len = w.len;
	if ((raw_len <= UINT8_MAX ?
	    (wr_u8(&cw, 0x58) != 0 || wr_u8(&cw, (uint8_t)raw_len) != 0) :
	    (wr_u8(&cw, 0x59) != 0 || wr_u16(&cw, (uint16_t)raw_len) != 0)) ||
	    wr_put(&cw, raw, raw_len) != 0) {
		call_fail(c, "attestation data does not fit");
		goto out;
	}
	/* what the key signs: authdata || clientDataHash */
	if (sha256(challenge, challenge_len, raw + raw_len) != 0) {
		call_fail(c, "SHA-256 failed");
		goto out;
	}
	if (sign_raw(c, pkey, key->alg, raw, raw_len + SHA256_LEN, sig,
	    &sig_len) != 0)
		goto out;
	if ((resp->authdata = dup_bytes(cbor, cw.len)) == NULL ||
	    (resp->signature = dup_bytes(sig, sig_len)) == NULL) {
		call_fail(c, "out of memory");
		goto out;
	}
	resp->authdata_len = cw.len;
	resp->signature_len = sig_len;
	ret = 0;
 out:
	explicit_bzero(raw, sizeof(raw));
	explicit_bzero(cbor, sizeof(cbor));
	return ret;
}

/* ---- resident keys ------------------------------------------------- */

/* "rk-<hex SHA-256(application NUL user id)>": one per application+user. */
static int
rk_name(struct sk_call *c, const char *application,
    const uint8_t user_id[SK_SOFT_USER_ID_LEN], char *name, size_t name_len)
{
	uint8_t buf[SK_SOFT_APP_MAX + 1 + SK_SOFT_USER_ID_LEN];
	uint8_t digest[SHA256_LEN];
	size_t app_len = strlen(application);

	if (name_len < sizeof("rk-") + HEXNAME_LEN) {
		call_fail(c, "resident key name buffer too small");
		return -1;
	}
	memcpy(buf, application, app_len);
	buf[app_len] = '\0';
	memcpy(buf + app_len + 1, user_id, SK_SOFT_USER_ID_LEN);
	if (sha256(buf, app_len + 1 + SK_SOFT_USER_ID_LEN, digest) != 0) {
		call_fail(c, "SHA-256 failed");
		return -1;
	}
	memcpy(name, "rk-", 3);
	hex(digest, sizeof(digest), name + 3);
	return 0;
}

/* SSH_SK_ERR_CREDENTIAL_EXISTS when a resident key holds this slot. */
static int
rk_check_free(struct sk_call *c, const char *application,
    const uint8_t user_id[SK_SOFT_USER_ID_LEN])
{
	char name[sizeof("rk-") + HEXNAME_LEN];
	struct stat st;
	int dfd, ret = SSH_SK_ERR_GENERAL;

	if (rk_name(c, application, user_id, name, sizeof(name)) != 0)
		return SSH_SK_ERR_GENERAL;
	if ((dfd = state_dir_open(c)) == -1)
		return SSH_SK_ERR_GENERAL;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		call_note(c, "a resident key for %s and this user exists",
		    application);
		ret = SSH_SK_ERR_CREDENTIAL_EXISTS;
	} else if (errno == ENOENT)
		ret = 0;
	else
		call_fail(c, "%s/%s: %s", c->state_dir, name, strerror(errno));
	close(dfd);
	return ret;
}

static int
rk_store(struct sk_call *c, const char *application,
    const uint8_t user_id[SK_SOFT_USER_ID_LEN], uint8_t flags,
    const uint8_t *kh, size_t kh_len)
{
	uint8_t buf[SK_SOFT_RK_FILE_MAX];
	struct wr w = { buf, sizeof(buf), 0 };
	char name[sizeof("rk-") + HEXNAME_LEN];
	char tmp[sizeof(name) + sizeof(".tmp")];
	int dfd = -1, fd = -1, r, ret = -1;

	if (wr_put(&w, SK_SOFT_RK_MAGIC, SK_SOFT_RK_MAGIC_LEN) != 0 ||
	    wr_u8(&w, SK_SOFT_RK_VERSION) != 0 || wr_u8(&w, flags) != 0 ||
	    wr_field(&w, application, strlen(application)) != 0 ||
	    wr_field(&w, user_id, SK_SOFT_USER_ID_LEN) != 0 ||
	    wr_field(&w, kh, kh_len) != 0) {
		call_fail(c, "resident key record does not fit");
		goto out;
	}
	if (rk_name(c, application, user_id, name, sizeof(name)) != 0 ||
	    (dfd = state_dir_open(c)) == -1)
		goto out;
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	if ((unlinkat(dfd, tmp, 0) != 0 && errno != ENOENT) ||
	    (fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1 ||
	    write(fd, buf, w.len) != (ssize_t)w.len) {
		call_fail(c, "resident key %s/%s: %s", c->state_dir, tmp,
		    strerror(errno));
		goto out;
	}
	r = close(fd);
	fd = -1;
	if (r != 0 || renameat(dfd, tmp, dfd, name) != 0) {
		call_fail(c, "resident key %s/%s: %s", c->state_dir, name,
		    strerror(errno));
		goto out;
	}
	ret = 0;
 out:
	if (fd != -1)
		close(fd);
	if (dfd != -1)
		close(dfd);
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

static void
resident_key_free(struct sk_resident_key *rk)
{
	if (rk == NULL)
		return;
	free(rk->application);
	free_wiped(rk->user_id, rk->user_id_len);
	free_wiped(rk->key.public_key, rk->key.public_key_len);
	free_wiped(rk->key.key_handle, rk->key.key_handle_len);
	free_wiped(rk->key.signature, rk->key.signature_len);
	free_wiped(rk->key.attestation_cert, rk->key.attestation_cert_len);
	free_wiped(rk->key.authdata, rk->key.authdata_len);
	free_wiped(rk, sizeof(*rk));
}

static void
resident_keys_free(struct sk_resident_key **rks, size_t n)
{
	size_t i;

	if (rks == NULL)
		return;
	for (i = 0; i < n; i++)
		resident_key_free(rks[i]);
	free(rks);
}

/* Parse one record; the one place record bytes are read. */
static int
rk_parse(struct sk_call *c, const char *name, const uint8_t *buf, size_t len,
    struct sk_resident_key **out)
{
	struct rd r = { buf, len };
	const uint8_t *magic, *app, *uid, *kh;
	uint16_t app_len, uid_len, kh_len;
	uint8_t version, flags;
	struct sk_resident_key *rk = NULL;
	struct sk_key key;
	EVP_PKEY *pkey = NULL;
	int ret = -1;

	*out = NULL;
	if (rd_get(&r, SK_SOFT_RK_MAGIC_LEN, &magic) != 0 ||
	    memcmp(magic, SK_SOFT_RK_MAGIC, SK_SOFT_RK_MAGIC_LEN) != 0 ||
	    rd_u8(&r, &version) != 0 || version != SK_SOFT_RK_VERSION ||
	    rd_u8(&r, &flags) != 0 ||
	    rd_u16(&r, &app_len) != 0 || rd_get(&r, app_len, &app) != 0 ||
	    rd_u16(&r, &uid_len) != 0 || rd_get(&r, uid_len, &uid) != 0 ||
	    rd_u16(&r, &kh_len) != 0 || rd_get(&r, kh_len, &kh) != 0 ||
	    r.left != 0 || app_len == 0 || app_len > SK_SOFT_APP_MAX ||
	    memchr(app, '\0', app_len) != NULL ||
	    uid_len != SK_SOFT_USER_ID_LEN) {
		call_fail(c, "resident key %s/%s is malformed", c->state_dir,
		    name);
		return -1;
	}
	if (handle_decode(c, kh, kh_len, &key) != 0 ||
	    key_import(c, &key, &pkey) != 0)
		goto out;
	if ((rk = calloc(1, sizeof(*rk))) == NULL ||
	    (rk->application = strndup((const char *)app, app_len)) == NULL ||
	    (rk->user_id = dup_bytes(uid, uid_len)) == NULL ||
	    (rk->key.key_handle = dup_bytes(kh, kh_len)) == NULL ||
	    (rk->key.public_key = dup_bytes(key.pub, key.pub_len)) == NULL) {
		call_fail(c, "out of memory");
		goto out;
	}
	rk->alg = key.alg;
	rk->flags = flags & SSH_SK_USER_VERIFICATION_REQD;
	rk->user_id_len = uid_len;
	rk->key.flags = flags;
	rk->key.key_handle_len = kh_len;
	rk->key.public_key_len = key.pub_len;
	*out = rk;
	rk = NULL;
	ret = 0;
 out:
	EVP_PKEY_free(pkey);
	explicit_bzero(&key, sizeof(key));
	resident_key_free(rk);
	return ret;
}

/* Read one record file (regular, bounded) and parse it. */
static int
rk_read(struct sk_call *c, int dfd, const char *name,
    struct sk_resident_key **out)
{
	uint8_t buf[SK_SOFT_RK_FILE_MAX];
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd, ret = -1;

	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) != 0) {
		call_fail(c, "resident key %s/%s: %s", c->state_dir, name,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > SK_SOFT_RK_FILE_MAX) {
		call_fail(c, "resident key %s/%s: not a regular file of "
		    "1..%d bytes", c->state_dir, name, SK_SOFT_RK_FILE_MAX);
		goto out;
	}
	while (len < sizeof(buf)) {
		if ((n = read(fd, buf + len, sizeof(buf) - len)) < 0) {
			if (errno == EINTR)
				continue;
			call_fail(c, "resident key %s/%s: %s", c->state_dir,
			    name, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	ret = rk_parse(c, name, buf, len, out);
 out:
	if (fd != -1)
		close(fd);
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

static bool
rk_is_record_name(const char *name)
{
	size_t i;

	if (strncmp(name, "rk-", 3) != 0 || strlen(name) != 3 + HEXNAME_LEN)
		return false;
	for (i = 3; name[i] != '\0'; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		    (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	return true;
}

static int
rk_load_all(struct sk_call *c, struct sk_resident_key ***rksp, size_t *nrksp)
{
	struct sk_resident_key **rks = NULL, **tmp, *rk = NULL;
	struct dirent *de;
	DIR *dir = NULL;
	size_t n = 0;
	int dfd, ret = -1;

	if ((dfd = state_dir_open(c)) == -1)
		return -1;
	if ((dir = fdopendir(dfd)) == NULL) {
		call_fail(c, "SK_SOFT_STATE_DIR %s: %s", c->state_dir,
		    strerror(errno));
		close(dfd);
		return -1;
	}
	while ((errno = 0, de = readdir(dir)) != NULL) {
		if (!rk_is_record_name(de->d_name))
			continue;
		if (n >= SK_SOFT_RK_MAX) {
			call_fail(c, "more than %d resident keys in %s",
			    SK_SOFT_RK_MAX, c->state_dir);
			goto out;
		}
		if (rk_read(c, dirfd(dir), de->d_name, &rk) != 0)
			goto out;
		if ((tmp = reallocarray(rks, n + 1, sizeof(*rks))) == NULL) {
			call_fail(c, "out of memory");
			goto out;
		}
		rks = tmp;
		rk->slot = n;
		rks[n++] = rk;
		rk = NULL;
	}
	if (errno != 0) {
		call_fail(c, "reading %s: %s", c->state_dir, strerror(errno));
		goto out;
	}
	*rksp = rks;
	*nrksp = n;
	rks = NULL;
	n = 0;
	ret = 0;
 out:
	resident_key_free(rk);
	resident_keys_free(rks, n);
	closedir(dir);
	return ret;
}

/* ---- responses ------------------------------------------------------ */

static void
enroll_response_free(struct sk_enroll_response *r)
{
	if (r == NULL)
		return;
	free_wiped(r->public_key, r->public_key_len);
	free_wiped(r->key_handle, r->key_handle_len);
	free_wiped(r->signature, r->signature_len);
	free_wiped(r->attestation_cert, r->attestation_cert_len);
	free_wiped(r->authdata, r->authdata_len);
	free_wiped(r, sizeof(*r));
}

static void
sign_response_free(struct sk_sign_response *r)
{
	if (r == NULL)
		return;
	free_wiped(r->sig_r, r->sig_r_len);
	free_wiped(r->sig_s, r->sig_s_len);
	free_wiped(r, sizeof(*r));
}

/* ---- the middleware API ---------------------------------------------- */

uint32_t
sk_api_version(void)
{
	struct sk_call c;
	int ret = call_begin(&c, "sk_api_version") == 0 ? 0 :
	    SSH_SK_ERR_GENERAL;

	call_end(&c, ret, "version=0x%08x", SSH_SK_VERSION_MAJOR);
	return SSH_SK_VERSION_MAJOR;
}

int
sk_enroll(uint32_t alg, const uint8_t *challenge, size_t challenge_len,
    const char *application, uint8_t flags, const char *pin,
    struct sk_option **options, struct sk_enroll_response **enroll_response)
{
	struct sk_call c;
	struct sk_key key;
	struct sk_enroll_response *resp = NULL;
	uint8_t user_id[SK_SOFT_USER_ID_LEN], ad_flags = 0;
	EVP_PKEY *pkey = NULL;
	const char *app_log = "?";
	bool resident = (flags & SSH_SK_RESIDENT_KEY) != 0;
	bool need_uv;
	int r, ret = SSH_SK_ERR_GENERAL;

	memset(&key, 0, sizeof(key));
	memset(user_id, 0, sizeof(user_id));
	if (call_begin(&c, "sk_enroll") != 0)
		goto out;
	if (enroll_response == NULL) {
		call_fail(&c, "enroll_response is NULL");
		goto out;
	}
	*enroll_response = NULL;
	if (alg_name(alg) == NULL) {
		call_fail(&c, "algorithm %u is not supported", alg);
		ret = SSH_SK_ERR_UNSUPPORTED;
		goto out;
	}
	if (app_check(&c, application) != 0)
		goto out;
	app_log = application;
	if (challenge == NULL || challenge_len == 0 ||
	    challenge_len > SK_SOFT_CHALLENGE_MAX) {
		call_fail(&c, "challenge missing or longer than %d bytes",
		    SK_SOFT_CHALLENGE_MAX);
		goto out;
	}
	if ((r = options_check(&c, options, user_id)) != 0) {
		ret = r;
		goto out;
	}
	/* a key with a PIN set wants it for verify-required and resident */
	need_uv = c.pin != NULL && (flags & (SSH_SK_USER_VERIFICATION_REQD |
	    SSH_SK_RESIDENT_KEY)) != 0;
	if ((r = user_check(&c, need_uv, true, pin, &ad_flags)) != 0) {
		ret = r;
		goto out;
	}
	if (resident && c.state_dir != NULL &&
	    (flags & SSH_SK_FORCE_OPERATION) == 0 &&
	    (r = rk_check_free(&c, application, user_id)) != 0) {
		ret = r;
		goto out;
	}
	if (key_generate(&c, alg, &key) != 0 ||
	    sha256(application, strlen(application), key.app_hash) != 0 ||
	    key_import(&c, &key, &pkey) != 0)
		goto out;
	if ((resp = calloc(1, sizeof(*resp))) == NULL ||
	    (resp->public_key = dup_bytes(key.pub, key.pub_len)) == NULL) {
		call_fail(&c, "out of memory");
		goto out;
	}
	resp->public_key_len = key.pub_len;
	resp->flags = flags & (SSH_SK_USER_PRESENCE_REQD |
	    SSH_SK_USER_VERIFICATION_REQD | SSH_SK_RESIDENT_KEY);
	if (handle_encode(&c, &key, &resp->key_handle,
	    &resp->key_handle_len) != 0 ||
	    attest(&c, &key, pkey, ad_flags, resp->key_handle,
	    resp->key_handle_len, challenge, challenge_len, resp) != 0)
		goto out;
	if (resident) {
		if (c.state_dir == NULL)
			call_note(&c, "resident key not kept: "
			    "SK_SOFT_STATE_DIR is unset");
		else if (rk_store(&c, application, user_id, resp->flags,
		    resp->key_handle, resp->key_handle_len) != 0)
			goto out;
	}
	*enroll_response = resp;
	resp = NULL;
	ret = 0;
 out:
	call_end(&c, ret, "alg=%s app=%s req=0x%02x pin=%s flags=0x%02x",
	    alg_name(alg) != NULL ? alg_name(alg) : "?", app_log, flags,
	    (pin != NULL && *pin != '\0') ? "given" : "none", ad_flags);
	EVP_PKEY_free(pkey);
	explicit_bzero(&key, sizeof(key));
	enroll_response_free(resp);
	return ret;
}

/* authdata || SHA-256(message), the bytes a FIDO2 assertion signs. */
static int
assertion_signed_data(struct sk_call *c, const struct sk_key *key,
    uint8_t flags, uint32_t counter, const uint8_t *data, size_t data_len,
    uint8_t out[AUTHDATA_LEN + SHA256_LEN])
{
	struct wr w = { out, AUTHDATA_LEN, 0 };

	if (wr_put(&w, key->app_hash, SHA256_LEN) != 0 ||
	    wr_u8(&w, flags) != 0 || wr_u32(&w, counter) != 0 ||
	    sha256(data_len == 0 ? (const uint8_t *)"" : data, data_len,
	    out + AUTHDATA_LEN) != 0) {
		call_fail(c, "building authenticator data failed");
		return -1;
	}
	return 0;
}

int
sk_sign(uint32_t alg, const uint8_t *data, size_t data_len,
    const char *application, const uint8_t *key_handle, size_t key_handle_len,
    uint8_t flags, const char *pin, struct sk_option **options,
    struct sk_sign_response **sign_response)
{
	struct sk_call c;
	struct sk_key key;
	struct sk_sign_response *resp = NULL;
	uint8_t app_hash[SHA256_LEN], tbs[AUTHDATA_LEN + SHA256_LEN];
	uint8_t sig[ECDSA_DER_MAX], ad_flags = 0;
	size_t sig_len = sizeof(sig);
	uint32_t counter = 0;
	EVP_PKEY *pkey = NULL;
	const char *app_log = "?";
	int r, ret = SSH_SK_ERR_GENERAL;

	memset(&key, 0, sizeof(key));
	if (call_begin(&c, "sk_sign") != 0)
		goto out;
	if (sign_response == NULL) {
		call_fail(&c, "sign_response is NULL");
		goto out;
	}
	*sign_response = NULL;
	if (alg_name(alg) == NULL) {
		call_fail(&c, "algorithm %u is not supported", alg);
		ret = SSH_SK_ERR_UNSUPPORTED;
		goto out;
	}
	if (app_check(&c, application) != 0)
		goto out;
	app_log = application;
	if ((data == NULL && data_len != 0) || data_len > SK_SOFT_MESSAGE_MAX) {
		call_fail(&c, "message missing or longer than %d bytes",
		    SK_SOFT_MESSAGE_MAX);
		goto out;
	}
	if ((r = options_check(&c, options, NULL)) != 0) {
		ret = r;
		goto out;
	}
	if (handle_decode(&c, key_handle, key_handle_len, &key) != 0)
		goto out;
	if (key.alg != alg) {
		call_fail(&c, "key handle is for %s, not %s",
		    alg_name(key.alg), alg_name(alg));
		goto out;
	}
	if (sha256(application, strlen(application), app_hash) != 0 ||
	    CRYPTO_memcmp(app_hash, key.app_hash, SHA256_LEN) != 0) {
		call_fail(&c, "key handle was not enrolled for application %s",
		    application);
		goto out;
	}
	if (key_import(&c, &key, &pkey) != 0)
		goto out;
	if ((r = user_check(&c, (flags & SSH_SK_USER_VERIFICATION_REQD) != 0,
	    (flags & SSH_SK_USER_PRESENCE_REQD) != 0, pin, &ad_flags)) != 0) {
		ret = r;
		goto out;
	}
	if (counter_next(&c, key_handle, key_handle_len, &counter) != 0 ||
	    assertion_signed_data(&c, &key, ad_flags, counter, data, data_len,
	    tbs) != 0 ||
	    sign_raw(&c, pkey, alg, tbs, sizeof(tbs), sig, &sig_len) != 0)
		goto out;
	if ((resp = calloc(1, sizeof(*resp))) == NULL) {
		call_fail(&c, "out of memory");
		goto out;
	}
	resp->flags = ad_flags;
	resp->counter = counter;
	if (alg == SSH_SK_ECDSA) {
		if (ecdsa_split(&c, sig, sig_len, resp) != 0)
			goto out;
	} else {
		if (sig_len != ED25519_SIG_LEN ||
		    (resp->sig_r = dup_bytes(sig, sig_len)) == NULL) {
			call_fail(&c, "Ed25519 signature of %zu bytes or no "
			    "memory", sig_len);
			goto out;
		}
		resp->sig_r_len = sig_len;
	}
	*sign_response = resp;
	resp = NULL;
	ret = 0;
 out:
	call_end(&c, ret, "alg=%s app=%s req=0x%02x pin=%s flags=0x%02x "
	    "counter=%u", alg_name(alg) != NULL ? alg_name(alg) : "?", app_log,
	    flags, (pin != NULL && *pin != '\0') ? "given" : "none", ad_flags,
	    counter);
	EVP_PKEY_free(pkey);
	explicit_bzero(&key, sizeof(key));
	explicit_bzero(tbs, sizeof(tbs));
	sign_response_free(resp);
	return ret;
}

int
sk_load_resident_keys(const char *pin, struct sk_option **options,
    struct sk_resident_key ***rks, size_t *nrks)
{
	struct sk_call c;
	struct sk_resident_key **list = NULL;
	size_t n = 0;
	int r, ret = SSH_SK_ERR_GENERAL;

	if (call_begin(&c, "sk_load_resident_keys") != 0)
		goto out;
	if (rks == NULL || nrks == NULL) {
		call_fail(&c, "rks or nrks is NULL");
		goto out;
	}
	*rks = NULL;
	*nrks = 0;
	if ((r = options_check(&c, options, NULL)) != 0) {
		ret = r;
		goto out;
	}
	/* listing credentials needs the PIN of a key that has one */
	if ((r = pin_check(&c, pin)) < 0) {
		ret = r;
		goto out;
	}
	if (r == 0 && c.pin != NULL) {
		call_note(&c, "listing resident keys needs the PIN");
		ret = SSH_SK_ERR_PIN_REQUIRED;
		goto out;
	}
	if (c.state_dir == NULL)
		call_note(&c, "no resident keys: SK_SOFT_STATE_DIR is unset");
	else if (rk_load_all(&c, &list, &n) != 0)
		goto out;
	*rks = list;
	*nrks = n;
	list = NULL;
	ret = 0;
 out:
	call_end(&c, ret, "pin=%s keys=%zu",
	    (pin != NULL && *pin != '\0') ? "given" : "none",
	    (ret == 0 && nrks != NULL) ? *nrks : (size_t)0);
	resident_keys_free(list, n);
	return ret;
}
