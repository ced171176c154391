/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-soft-verify.c - check with libfido2, independently of OpenSSH, that
 * what a FIDO2 key made through OpenSSH is a genuine FIDO2 assertion or
 * attestation.  Used by test-sk-soft.sh on the software key's output; it
 * works the same on a hardware key's.
 *
 *   sk-soft-verify sshsig [--up] [--uv] PUBKEY SIGNATURE MESSAGE NAMESPACE
 *	An SSHSIG from `ssh-keygen -Y sign`: rebuilds what the key signed
 *	and calls fido_assert_verify(); --up / --uv make libfido2 require the
 *	UP / UV flag.  Prints "flags=0xNN counter=N".
 *   sk-soft-verify attest [--uv] PUBKEY ATTESTATION CHALLENGE
 *	An enrollment attestation (`ssh-keygen -O write-attestation=FILE
 *	-O challenge=CHALLENGE`): fido_cred_verify_self() on the packed self
 *	attestation, and the attested key must be PUBKEY.
 *
 * Exit status: 0 valid, 1 refused by libfido2 or not matching, 2 usage,
 * I/O or malformed input.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fido.h>
#include <fido/eddsa.h>
#include <fido/es256.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#define EXIT_VALID	0
#define EXIT_REFUSED	1
#define EXIT_ERROR	2

#define FILE_MAX	(1024 * 1024)
#define BLOB_MAX	(64 * 1024)
#define APP_MAX		128

#define KT_ECDSA	"sk-ecdsa-sha2-nistp256@openssh.com"
#define KT_ED25519	"sk-ssh-ed25519@openssh.com"

/* Bounds-checked reader of SSH wire data; the one place blobs are read. */
struct rd {
	const uint8_t *p;
	size_t left;
};

struct blob {
	uint8_t *p;
	size_t len;
};

struct sk_pub {
	int cose;		/* COSE_ES256 or COSE_EDDSA */
	const char *type;
	const uint8_t *pk;	/* 65-byte point or 32-byte key */
	size_t pk_len;
	char app[APP_MAX + 1];
};

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
rd_u32(struct rd *r, uint32_t *v)
{
	const uint8_t *p;

	if (rd_get(r, 4, &p) != 0)
		return -1;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
	return 0;
}

static int
rd_u8(struct rd *r, uint8_t *v)
{
	const uint8_t *p;

	if (rd_get(r, 1, &p) != 0)
		return -1;
	*v = *p;
	return 0;
}

static int
rd_string(struct rd *r, const uint8_t **p, size_t *len)
{
	uint32_t n;

	if (rd_u32(r, &n) != 0 || rd_get(r, n, p) != 0)
		return -1;
	*len = n;
	return 0;
}

/* A string that must equal s. */
static int
rd_expect(struct rd *r, const char *s)
{
	const uint8_t *p;
	size_t len;

	if (rd_string(r, &p, &len) != 0 || len != strlen(s) ||
	    memcmp(p, s, len) != 0)
		return -1;
	return 0;
}

static int
put_string(uint8_t *buf, size_t cap, size_t *off, const void *p, size_t len)
{
	if (len > UINT32_MAX || cap - *off < 4 || cap - *off - 4 < len)
		return -1;
	buf[(*off)++] = (uint8_t)(len >> 24);
	buf[(*off)++] = (uint8_t)(len >> 16);
	buf[(*off)++] = (uint8_t)(len >> 8);
	buf[(*off)++] = (uint8_t)len;
	if (len > 0)
		memcpy(buf + *off, p, len);
	*off += len;
	return 0;
}

static int
read_file(const char *path, struct blob *out)
{
	FILE *f = NULL;
	uint8_t *buf = NULL;
	size_t n;
	int ret = -1;

	out->p = NULL;
	out->len = 0;
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "sk-soft-verify: %s: %s\n", path,
		    strerror(errno));
		goto out;
	}
	if ((buf = malloc(FILE_MAX + 1)) == NULL) {
		fprintf(stderr, "sk-soft-verify: out of memory\n");
		goto out;
	}
	n = fread(buf, 1, FILE_MAX + 1, f);
	if (ferror(f) || n > FILE_MAX) {
		fprintf(stderr, "sk-soft-verify: %s: unreadable or over %d "
		    "bytes\n", path, FILE_MAX);
		goto out;
	}
	buf[n] = '\0';
	out->p = buf;
	out->len = n;
	buf = NULL;
	ret = 0;
 out:
	free(buf);
	if (f != NULL)
		fclose(f);
	return ret;
}

/* Base64 (newlines allowed) to bytes. */
static int
b64_decode(const char *in, size_t in_len, struct blob *out)
{
	EVP_ENCODE_CTX *ctx = NULL;
	uint8_t *buf = NULL;
	int n, fin, ret = -1;

	out->p = NULL;
	out->len = 0;
	if (in_len == 0 || in_len > BLOB_MAX * 2 || in_len > INT32_MAX ||
	    (buf = malloc(in_len)) == NULL ||
	    (ctx = EVP_ENCODE_CTX_new()) == NULL)
		goto out;
	EVP_DecodeInit(ctx);
	if (EVP_DecodeUpdate(ctx, buf, &n, (const unsigned char *)in,
	    (int)in_len) < 0 || EVP_DecodeFinal(ctx, buf + n, &fin) != 1)
		goto out;
	out->p = buf;
	out->len = (size_t)n + (size_t)fin;
	buf = NULL;
	ret = 0;
 out:
	EVP_ENCODE_CTX_free(ctx);
	free(buf);
	return ret;
}

/* Parse a FIDO2 public key blob (SSH wire format); pk points into it. */
static int
parse_pub_blob(const struct blob *b, struct sk_pub *pub)
{
	struct rd r = { b->p, b->len };
	const uint8_t *type, *curve, *app;
	size_t type_len, curve_len, app_len;

	memset(pub, 0, sizeof(*pub));
	if (rd_string(&r, &type, &type_len) != 0)
		return -1;
	if (type_len == strlen(KT_ECDSA) &&
	    memcmp(type, KT_ECDSA, type_len) == 0) {
		pub->cose = COSE_ES256;
		pub->type = KT_ECDSA;
		if (rd_string(&r, &curve, &curve_len) != 0 ||
		    curve_len != 8 || memcmp(curve, "nistp256", 8) != 0 ||
		    rd_string(&r, &pub->pk, &pub->pk_len) != 0 ||
		    pub->pk_len != 65 || pub->pk[0] != 0x04)
			return -1;
	} else if (type_len == strlen(KT_ED25519) &&
	    memcmp(type, KT_ED25519, type_len) == 0) {
		pub->cose = COSE_EDDSA;
		pub->type = KT_ED25519;
		if (rd_string(&r, &pub->pk, &pub->pk_len) != 0 ||
		    pub->pk_len != 32)
			return -1;
	} else
		return -1;
	if (rd_string(&r, &app, &app_len) != 0 || app_len == 0 ||
	    app_len > APP_MAX || memchr(app, '\0', app_len) != NULL ||
	    r.left != 0)
		return -1;
	memcpy(pub->app, app, app_len);
	pub->app[app_len] = '\0';
	return 0;
}

/* "TYPE BASE64 [COMMENT]" file to its blob. */
static int
load_pub(const char *path, struct blob *blob, struct sk_pub *pub)
{
	struct blob file = { NULL, 0 };
	char *sp, *end;
	int ret = -1;

	if (read_file(path, &file) != 0)
		return -1;
	if ((sp = strchr((char *)file.p, ' ')) == NULL) {
		fprintf(stderr, "sk-soft-verify: %s: not a public key line\n",
		    path);
		goto out;
	}
	sp++;
	end = sp + strcspn(sp, " \n");
	if (b64_decode(sp, (size_t)(end - sp), blob) != 0 ||
	    parse_pub_blob(blob, pub) != 0) {
		fprintf(stderr, "sk-soft-verify: %s: not a FIDO2 public key\n",
		    path);
		free(blob->p);
		blob->p = NULL;
		goto out;
	}
	ret = 0;
 out:
	free(file.p);
	return ret;
}

/* Armored SSHSIG ("-----BEGIN SSH SIGNATURE-----") to its blob. */
static int
dearmor(const char *path, struct blob *out)
{
	static const char begin[] = "-----BEGIN SSH SIGNATURE-----\n";
	static const char end[] = "-----END SSH SIGNATURE-----";
	struct blob file = { NULL, 0 };
	const char *s, *e;
	int ret = -1;

	if (read_file(path, &file) != 0)
		return -1;
	s = (const char *)file.p;
	if (strncmp(s, begin, sizeof(begin) - 1) != 0 ||
	    (e = strstr(s, end)) == NULL) {
		fprintf(stderr, "sk-soft-verify: %s: not an SSH signature\n",
		    path);
		goto out;
	}
	s += sizeof(begin) - 1;
	if (b64_decode(s, (size_t)(e - s), out) != 0) {
		fprintf(stderr, "sk-soft-verify: %s: bad base64\n", path);
		goto out;
	}
	ret = 0;
 out:
	free(file.p);
	return ret;
}

/* r and s (SSH mpints) to the DER signature libfido2 wants for ES256. */
static int
ecdsa_der(const uint8_t *inner, size_t inner_len, uint8_t **der, size_t *len)
{
	struct rd r = { inner, inner_len };
	const uint8_t *rp, *sp;
	size_t rlen, slen;
	ECDSA_SIG *sig = NULL;
	BIGNUM *br = NULL, *bs = NULL;
	unsigned char *p = NULL;
	int n, ret = -1;

	if (rd_string(&r, &rp, &rlen) != 0 || rd_string(&r, &sp, &slen) != 0 ||
	    r.left != 0 || rlen > 33 || slen > 33 || rlen > INT32_MAX ||
	    slen > INT32_MAX)
		goto out;
	if ((br = BN_bin2bn(rp, (int)rlen, NULL)) == NULL ||
	    (bs = BN_bin2bn(sp, (int)slen, NULL)) == NULL ||
	    (sig = ECDSA_SIG_new()) == NULL || ECDSA_SIG_set0(sig, br, bs) != 1)
		goto out;
	br = bs = NULL;
	if ((n = i2d_ECDSA_SIG(sig, &p)) <= 0)
		goto out;
	*der = p;
	*len = (size_t)n;
	ret = 0;
 out:
	BN_free(br);
	BN_free(bs);
	ECDSA_SIG_free(sig);
	return ret;
}

struct sshsig {
	const uint8_t *ns;
	size_t ns_len;
	const char *hashalg;	/* "sha256" or "sha512" */
	const uint8_t *sig;	/* raw 64 bytes (Ed25519) or r,s (ECDSA) */
	size_t sig_len;
	uint8_t flags;
	uint32_t counter;
};

static int
parse_sshsig(const struct blob *b, const struct blob *pub_blob,
    const struct sk_pub *pub, struct sshsig *s)
{
	struct rd r = { b->p, b->len }, sr;
	const uint8_t *magic, *pk, *reserved, *alg, *sigblob;
	size_t pk_len, reserved_len, alg_len, sigblob_len;
	uint32_t version;

	if (rd_get(&r, 6, &magic) != 0 || memcmp(magic, "SSHSIG", 6) != 0 ||
	    rd_u32(&r, &version) != 0 || version != 1 ||
	    rd_string(&r, &pk, &pk_len) != 0 ||
	    rd_string(&r, &s->ns, &s->ns_len) != 0 ||
	    rd_string(&r, &reserved, &reserved_len) != 0 ||
	    rd_string(&r, &alg, &alg_len) != 0 ||
	    rd_string(&r, &sigblob, &sigblob_len) != 0 || r.left != 0) {
		fprintf(stderr, "sk-soft-verify: malformed SSHSIG\n");
		return -1;
	}
	if (pk_len != pub_blob->len || memcmp(pk, pub_blob->p, pk_len) != 0) {
		fprintf(stderr, "sk-soft-verify: signed by another key\n");
		return 1;
	}
	if (alg_len == 6 && memcmp(alg, "sha256", 6) == 0)
		s->hashalg = "sha256";
	else if (alg_len == 6 && memcmp(alg, "sha512", 6) == 0)
		s->hashalg = "sha512";
	else {
		fprintf(stderr, "sk-soft-verify: unknown hash algorithm\n");
		return -1;
	}
	sr.p = sigblob;
	sr.left = sigblob_len;
	if (rd_expect(&sr, pub->type) != 0 ||
	    rd_string(&sr, &s->sig, &s->sig_len) != 0 ||
	    rd_u8(&sr, &s->flags) != 0 || rd_u32(&sr, &s->counter) != 0 ||
	    sr.left != 0 ||
	    (pub->cose == COSE_EDDSA && s->sig_len != 64)) {
		fprintf(stderr, "sk-soft-verify: malformed %s signature\n",
		    pub->type);
		return -1;
	}
	return 0;
}

/* What the key signed: the SSHSIG "to verify" blob (OpenSSH sshsig.c). */
static int
sshsig_message(const struct sshsig *s, const struct blob *msg, uint8_t *buf,
    size_t cap, size_t *len)
{
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0;
	const EVP_MD *md = strcmp(s->hashalg, "sha256") == 0 ? EVP_sha256() :
	    EVP_sha512();

	*len = 0;
	if (EVP_Digest(msg->p, msg->len, h, &hlen, md, NULL) != 1 || cap < 6)
		return -1;
	memcpy(buf, "SSHSIG", 6);
	*len = 6;
	if (put_string(buf, cap, len, s->ns, s->ns_len) != 0 ||
	    put_string(buf, cap, len, "", 0) != 0 ||
	    put_string(buf, cap, len, s->hashalg, strlen(s->hashalg)) != 0 ||
	    put_string(buf, cap, len, h, hlen) != 0)
		return -1;
	return 0;
}

static int
assert_verify(const struct sk_pub *pub, const struct sshsig *s,
    const uint8_t *tbs, size_t tbs_len, bool up, bool uv)
{
	fido_assert_t *a = NULL;
	es256_pk_t *es = NULL;
	eddsa_pk_t *ed = NULL;
	uint8_t authdata[37], *der = NULL;
	size_t der_len = 0;
	const void *pk;
	int r = FIDO_ERR_INTERNAL, ret = EXIT_ERROR;

	if (EVP_Digest(pub->app, strlen(pub->app), authdata, NULL,
	    EVP_sha256(), NULL) != 1)
		goto out;
	authdata[32] = s->flags;
	authdata[33] = (uint8_t)(s->counter >> 24);
	authdata[34] = (uint8_t)(s->counter >> 16);
	authdata[35] = (uint8_t)(s->counter >> 8);
	authdata[36] = (uint8_t)s->counter;
	if (pub->cose == COSE_ES256) {
		if (ecdsa_der(s->sig, s->sig_len, &der, &der_len) != 0 ||
		    (es = es256_pk_new()) == NULL ||
		    es256_pk_from_ptr(es, pub->pk, pub->pk_len) != FIDO_OK) {
			fprintf(stderr, "sk-soft-verify: bad ECDSA key or "
			    "signature\n");
			goto out;
		}
		pk = es;
	} else {
		if ((ed = eddsa_pk_new()) == NULL ||
		    eddsa_pk_from_ptr(ed, pub->pk, pub->pk_len) != FIDO_OK) {
			fprintf(stderr, "sk-soft-verify: bad Ed25519 key\n");
			goto out;
		}
		pk = ed;
	}
	if ((a = fido_assert_new()) == NULL ||
	    (r = fido_assert_set_count(a, 1)) != FIDO_OK ||
	    (r = fido_assert_set_rp(a, pub->app)) != FIDO_OK ||
	    (r = fido_assert_set_clientdata(a, tbs, tbs_len)) != FIDO_OK ||
	    (r = fido_assert_set_authdata_raw(a, 0, authdata,
	    sizeof(authdata))) != FIDO_OK ||
	    (r = fido_assert_set_sig(a, 0,
	    pub->cose == COSE_ES256 ? der : s->sig,
	    pub->cose == COSE_ES256 ? der_len : s->sig_len)) != FIDO_OK ||
	    (r = fido_assert_set_up(a, up ? FIDO_OPT_TRUE :
	    FIDO_OPT_OMIT)) != FIDO_OK ||
	    (r = fido_assert_set_uv(a, uv ? FIDO_OPT_TRUE :
	    FIDO_OPT_OMIT)) != FIDO_OK) {
		fprintf(stderr, "sk-soft-verify: building the assertion "
		    "failed: %s\n", fido_strerr(r));
		goto out;
	}
	printf("flags=0x%02x counter=%u\n", s->flags, s->counter);
	if ((r = fido_assert_verify(a, 0, pub->cose, pk)) != FIDO_OK) {
		printf("refused: %s\n", fido_strerr(r));
		ret = EXIT_REFUSED;
		goto out;
	}
	printf("valid\n");
	ret = EXIT_VALID;
 out:
	fido_assert_free(&a);
	es256_pk_free(&es);
	eddsa_pk_free(&ed);
	OPENSSL_free(der);
	return ret;
}

static int
cmd_sshsig(const char *pubpath, const char *sigpath, const char *msgpath,
    const char *ns, bool up, bool uv)
{
	struct blob pub_blob = { NULL, 0 }, sig = { NULL, 0 }, msg = { NULL, 0 };
	struct sk_pub pub;
	struct sshsig s;
	uint8_t tbs[BLOB_MAX];
	size_t tbs_len;
	int r, ret = EXIT_ERROR;

	memset(&s, 0, sizeof(s));
	if (load_pub(pubpath, &pub_blob, &pub) != 0 ||
	    dearmor(sigpath, &sig) != 0 || read_file(msgpath, &msg) != 0)
		goto out;
	if ((r = parse_sshsig(&sig, &pub_blob, &pub, &s)) != 0) {
		ret = r > 0 ? EXIT_REFUSED : EXIT_ERROR;
		goto out;
	}
	if (s.ns_len != strlen(ns) || memcmp(s.ns, ns, s.ns_len) != 0) {
		printf("refused: namespace differs\n");
		ret = EXIT_REFUSED;
		goto out;
	}
	if (sshsig_message(&s, &msg, tbs, sizeof(tbs), &tbs_len) != 0) {
		fprintf(stderr, "sk-soft-verify: hashing the message failed\n");
		goto out;
	}
	ret = assert_verify(&pub, &s, tbs, tbs_len, up, uv);
 out:
	free(pub_blob.p);
	free(sig.p);
	free(msg.p);
	return ret;
}

/* The attested public key must be the one in the public key file. */
static int
attested_key_matches(const fido_cred_t *cred, const struct sk_pub *pub)
{
	const unsigned char *p = fido_cred_pubkey_ptr(cred);
	size_t len = fido_cred_pubkey_len(cred);

	if (pub->cose == COSE_ES256)	/* libfido2 holds x || y */
		return p != NULL && len == 64 && memcmp(p, pub->pk + 1, 64) == 0;
	return p != NULL && len == 32 && memcmp(p, pub->pk, 32) == 0;
}

static int
cmd_attest(const char *pubpath, const char *attpath, const char *chpath,
    bool uv)
{
	struct blob pub_blob = { NULL, 0 }, att = { NULL, 0 }, ch = { NULL, 0 };
	struct sk_pub pub;
	struct rd r;
	const uint8_t *cert, *sig, *authdata, *resv;
	size_t cert_len, sig_len, authdata_len, resv_len;
	uint32_t resv_flags;
	fido_cred_t *cred = NULL;
	int fr = FIDO_ERR_INTERNAL, ret = EXIT_ERROR;

	if (load_pub(pubpath, &pub_blob, &pub) != 0 ||
	    read_file(attpath, &att) != 0 || read_file(chpath, &ch) != 0)
		goto out;
	r.p = att.p;
	r.left = att.len;
	if (rd_expect(&r, "ssh-sk-attest-v01") != 0 ||
	    rd_string(&r, &cert, &cert_len) != 0 ||
	    rd_string(&r, &sig, &sig_len) != 0 ||
	    rd_string(&r, &authdata, &authdata_len) != 0 ||
	    rd_u32(&r, &resv_flags) != 0 ||
	    rd_string(&r, &resv, &resv_len) != 0 || r.left != 0) {
		fprintf(stderr, "sk-soft-verify: %s: malformed attestation\n",
		    attpath);
		goto out;
	}
	if (cert_len != 0) {
		printf("refused: has a certificate, not a self attestation\n");
		ret = EXIT_REFUSED;
		goto out;
	}
	if ((cred = fido_cred_new()) == NULL ||
	    (fr = fido_cred_set_type(cred, pub.cose)) != FIDO_OK ||
	    (fr = fido_cred_set_clientdata(cred, ch.p, ch.len)) != FIDO_OK ||
	    (fr = fido_cred_set_rp(cred, pub.app, NULL)) != FIDO_OK ||
	    (fr = fido_cred_set_authdata(cred, authdata,
	    authdata_len)) != FIDO_OK ||
	    (fr = fido_cred_set_fmt(cred, "packed")) != FIDO_OK ||
	    (fr = fido_cred_set_sig(cred, sig, sig_len)) != FIDO_OK ||
	    (fr = fido_cred_set_uv(cred, uv ? FIDO_OPT_TRUE :
	    FIDO_OPT_OMIT)) != FIDO_OK) {
		printf("refused: libfido2 does not take the attestation: "
		    "%s\n", fido_strerr(fr));
		ret = EXIT_REFUSED;
		goto out;
	}
	printf("flags=0x%02x counter=%u\n", fido_cred_flags(cred),
	    fido_cred_sigcount(cred));
	if ((fr = fido_cred_verify_self(cred)) != FIDO_OK) {
		printf("refused: %s\n", fido_strerr(fr));
		ret = EXIT_REFUSED;
		goto out;
	}
	if (!attested_key_matches(cred, &pub)) {
		printf("refused: attests another key\n");
		ret = EXIT_REFUSED;
		goto out;
	}
	printf("valid\n");
	ret = EXIT_VALID;
 out:
	fido_cred_free(&cred);
	free(pub_blob.p);
	free(att.p);
	free(ch.p);
	return ret;
}

static int
usage(void)
{
	fprintf(stderr, "usage: sk-soft-verify sshsig [--up] [--uv] PUBKEY "
	    "SIGNATURE MESSAGE NAMESPACE\n"
	    "       sk-soft-verify attest [--uv] PUBKEY ATTESTATION "
	    "CHALLENGE\n");
	return EXIT_ERROR;
}

int
main(int argc, char **argv)
{
	bool up = false, uv = false;
	const char *cmd;
	int i = 2;

	if (argc < 2)
		return usage();
	cmd = argv[1];
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--up") == 0)
			up = true;
		else if (strcmp(argv[i], "--uv") == 0)
			uv = true;
		else
			return usage();
	}
	fido_init(0);
	if (strcmp(cmd, "sshsig") == 0 && argc - i == 4)
		return cmd_sshsig(argv[i], argv[i + 1], argv[i + 2],
		    argv[i + 3], up, uv);
	if (strcmp(cmd, "attest") == 0 && argc - i == 3 && !up)
		return cmd_attest(argv[i], argv[i + 1], argv[i + 2], uv);
	return usage();
}
