/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auth.c - the auth phase: the module's own FIDO2 check, for the serial
 * console (login), other non-SSH services, and as a second factor in
 * sshd's keyboard-interactive.  Built into the plugin pam_nexusbg-auth.so,
 * which pam_sm_authenticate loads (auth.h, auth_load.c); the plugin
 * exports nbg_auth_plugin only.
 *
 *   1. decide() as the account phase would: users that are not ours get
 *      PAM_IGNORE, Method D v1.5 shared accounts (passwords) too; a denial
 *      is audited and refused before any challenge is shown;
 *   2. a challenge (fresh nonce, user, host, fabric, expiry) is remembered
 *      in the root-owned state directory and shown with the ssh-keygen
 *      command that signs it; the armored signature is read back;
 *   3. the SSHSIG is parsed; its key must be a FIDO2 key of an allowed type
 *      registered to this user, its namespace the policy's, and libfido2
 *      must verify it over exactly this challenge with touch and PIN;
 *   4. the challenge is marked used and the key's counter must advance;
 *   5. decide() again in the auth phase with the proven key; a grant leaves
 *      the key as module data for open_session (auth.h).
 * Every refusal is audited (USER_AUTH, op=nexusbg-auth) with its reason.
 */
#include <libaudit.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "auth.h"
#include "auth_challenge.h"
#include "auth_state.h"
#include "fido_verify.h"
#include "module.h"

#define NBG_EXPORT __attribute__((visibility("default")))

/* The module data of a successful auth phase (NBG_AUTH_DATA). */
struct proof {
	struct nbg_proven_key key;	/* first: nbg_auth_proven_key() returns it */
	uint8_t blob[NBG_KEYBLOB_MAX];
};

/* One attempt. */
struct attempt {
	struct nbg_ctx *ctx;
	const char *user;
	struct nbg_auth_state *state;
	struct nbg_challenge chal;
	struct timespec started;	/* CLOCK_MONOTONIC */
	struct nbg_armor *armor;
	uint8_t *blob;
	size_t bloblen;
	struct nbg_sshsig sig;
	bool genuine;			/* libfido2 verified it, flags and all */
	enum nbg_reason reason;		/* NBG_R_GRANTED until something fails */
	int pam;
	char detail[256];
};

static void proof_free(pam_handle_t *pamh, void *data, int error_status)
{
	(void)pamh;
	(void)error_status;
	explicit_bzero(data, sizeof(struct proof));
	free(data);
}

static int fail(struct attempt *a, enum nbg_reason r, int pam, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Record the first failure of the attempt; later ones only add to the log. */
static int fail(struct attempt *a, enum nbg_reason r, int pam, const char *fmt, ...)
{
	char buf[sizeof(a->detail)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (a->reason != NBG_R_GRANTED) {
		pam_syslog(a->ctx->pamh, LOG_ERR, "auth for %s: also: %s", a->user, buf);
		return a->pam;
	}
	a->reason = r;
	a->pam = pam;
	memcpy(a->detail, buf, sizeof(a->detail));
	return pam;
}

/* ---- 2. the challenge and the answer --------------------------------------------- */

static bool ns_usable(const char *ns)
{
	size_t n = ns != NULL ? strlen(ns) : 0;

	if (n == 0 || n > NBG_SSHSIG_NS_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((ns[i] >= 'a' && ns[i] <= 'z') || (ns[i] >= 'A' && ns[i] <= 'Z') ||
		    (ns[i] >= '0' && ns[i] <= '9') || strchr("._@-", ns[i]) != NULL))
			return false;
	return true;
}

/* The usual file name of the user's (first) key type, for the command shown. */
static const char *keyfile_hint(const struct nbg_ctx *ctx)
{
	struct nbg_user_key k;
	char err[NBG_ERR_LEN];

	if (ctx->table != NULL && ctx->verdict.user.nkeys > 0 &&
	    nbg_table_user_key(ctx->table, &ctx->verdict.user, 0, &k, err) == 0 &&
	    k.type == NBG_KEY_SK_ECDSA)
		return "id_ecdsa_sk";
	return "id_ed25519_sk";
}

static int issue(struct attempt *a)
{
	const struct nbg_policy *p = a->ctx->policy;
	char err[256];

	if (!ns_usable(p->auth_namespace) || p->auth_challenge_ttl <= 0)
		return fail(a, NBG_R_INTERNAL_ERROR, PAM_AUTHINFO_UNAVAIL,
		    "auth_namespace or auth_challenge_ttl unusable");
	if (nbg_auth_state_open(p->auth_state_dir, &a->state, err, sizeof(err)) != 0)
		return fail(a, NBG_R_INTERNAL_ERROR, PAM_AUTHINFO_UNAVAIL, "%s", err);
	clock_gettime(CLOCK_MONOTONIC, &a->started);
	if (nbg_challenge_new(&a->chal, a->user, p->fabric, (int64_t)time(NULL),
	    p->auth_challenge_ttl, err, sizeof(err)) != 0)
		return fail(a, NBG_R_INTERNAL_ERROR, PAM_AUTHINFO_UNAVAIL, "%s", err);
	if (nbg_auth_state_issue(a->state, a->user, &a->chal, a->chal.issued, err,
	    sizeof(err)) != 0)
		return fail(a, NBG_R_INTERNAL_ERROR, PAM_AUTHINFO_UNAVAIL, "%s", err);
	if (a->ctx->args.debug)
		pam_syslog(a->ctx->pamh, LOG_DEBUG, "auth: challenge %s for %s, expires %lld",
		    a->chal.nonce, a->user, (long long)a->chal.expires);
	return PAM_SUCCESS;
}

static bool expired(const struct attempt *a, int64_t now)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return now > a->chal.expires ||
	    (int64_t)(t.tv_sec - a->started.tv_sec) > a->chal.expires - a->chal.issued;
}

static int ask(struct attempt *a)
{
	char err[160];
	long n;

	switch (nbg_challenge_ask(a->ctx->pamh, &a->chal, a->ctx->policy->auth_namespace,
	    keyfile_hint(a->ctx), a->armor, err, sizeof(err))) {
	case NBG_ASK_DONE:
		break;
	case NBG_ASK_ABORTED:
		return fail(a, NBG_R_AUTH_ABORTED, PAM_AUTH_ERR, "the user cancelled: %s", err);
	case NBG_ASK_CONV_ERROR:
		return fail(a, NBG_R_AUTH_ABORTED, PAM_CONV_ERR, "%s", err);
	case NBG_ASK_TOO_LONG:
	case NBG_ASK_GARBAGE:
		return fail(a, NBG_R_SIGNATURE_FORMAT_INVALID, PAM_AUTH_ERR, "%s", err);
	}
	if (expired(a, (int64_t)time(NULL)))
		return fail(a, NBG_R_CHALLENGE_EXPIRED, PAM_AUTH_ERR,
		    "signature arrived after the challenge expired at %lld",
		    (long long)a->chal.expires);
	n = nbg_armor_decode(a->armor, a->blob, NBG_SSHSIG_BLOB_MAX, err, sizeof(err));
	if (n <= 0)
		return fail(a, NBG_R_SIGNATURE_FORMAT_INVALID, PAM_AUTH_ERR, "%s", err);
	a->bloblen = (size_t)n;
	return PAM_SUCCESS;
}

/* ---- 3. the signature ---------------------------------------------------------------- */

static int check_key(struct attempt *a)
{
	struct nbg_ctx *ctx = a->ctx;
	char err[160];
	int idx;

	switch (nbg_sshsig_parse(a->blob, a->bloblen, &a->sig, err, sizeof(err))) {
	case NBG_SSHSIG_OK:
		break;
	case NBG_SSHSIG_E_NOT_SK:
		nbg_fingerprint(a->sig.pubkey, a->sig.pubkey_len, ctx->verdict.key_fp);
		return fail(a, NBG_R_NOT_FIDO2_KEY, PAM_AUTH_ERR, "%s", err);
	default:
		return fail(a, NBG_R_SIGNATURE_FORMAT_INVALID, PAM_AUTH_ERR, "%s", err);
	}
	nbg_fingerprint(a->sig.pubkey, a->sig.pubkey_len, ctx->verdict.key_fp);
	ctx->verdict.key_type = a->sig.key.type;
	if (!nbg_policy_key_type_allowed(ctx->policy, a->sig.key.type))
		return fail(a, NBG_R_KEY_TYPE_NOT_ALLOWED, PAM_AUTH_ERR,
		    "key type %s is not in key_types", nbg_keytype_name(a->sig.key.type));
	idx = nbg_table_user_has_key(ctx->table, &ctx->verdict.user, a->sig.pubkey,
	    a->sig.pubkey_len);
	if (idx == -2)
		return fail(a, NBG_R_CACHE_INVALID, PAM_AUTHINFO_UNAVAIL,
		    "role table is corrupt at the keys of %s", a->user);
	if (idx < 0)
		return fail(a, NBG_R_KEY_NOT_REGISTERED, PAM_AUTH_ERR,
		    "signed with key %s, which is not registered to %s", ctx->verdict.key_fp,
		    a->user);
	if (!nbg_sshsig_ns_is(&a->sig, ctx->policy->auth_namespace))
		return fail(a, NBG_R_SIGNATURE_NAMESPACE_MISMATCH, PAM_AUTH_ERR,
		    "signature namespace '%.*s', expected '%s'", (int)a->sig.ns_len, a->sig.ns,
		    ctx->policy->auth_namespace);
	return PAM_SUCCESS;
}

/* Verify over text + each accepted line ending; BAD_SIG only when none verifies. */
static enum nbg_fido_result verify_text(const struct nbg_sshsig *sig, const char *text,
    char *err, size_t errlen)
{
	enum nbg_fido_result r = NBG_FIDO_BAD_SIG;
	uint8_t data[NBG_SSHSIG_SIGNED_MAX];
	char msg[NBG_CHALLENGE_MAX + 2];
	long dl;

	for (int i = 0; i < NBG_CHALLENGE_ENDINGS && r == NBG_FIDO_BAD_SIG; i++) {
		int n = snprintf(msg, sizeof(msg), "%s%s", text, nbg_challenge_ending(i));

		if (n < 0 || (size_t)n >= sizeof(msg) ||
		    (dl = nbg_sshsig_signed_data(sig, msg, (size_t)n, data, sizeof(data))) < 0) {
			snprintf(err, errlen, "cannot build the signed data");
			return NBG_FIDO_INTERNAL;
		}
		r = nbg_fido_verify(&sig->key, &sig->sig, data, (size_t)dl, err, errlen);
	}
	return r;
}

/* Not a signature of this challenge: is it one of an earlier challenge? */
static int diagnose(struct attempt *a, int64_t now, const char *why)
{
	struct nbg_challenge_rec recs[NBG_STATE_MAX_RECORDS];
	char err[256];
	size_t n;

	if (nbg_auth_state_list(a->state, a->user, recs, NBG_STATE_MAX_RECORDS, &n, err,
	    sizeof(err)) != 0)
		return fail(a, NBG_R_INTERNAL_ERROR, PAM_AUTHINFO_UNAVAIL, "%s", err);
	for (size_t i = 0; i < n; i++) {
		enum nbg_fido_result r;

		if (strcmp(recs[i].nonce, a->chal.nonce) == 0)
			continue;
		r = verify_text(&a->sig, recs[i].text, err, sizeof(err));
		if (r != NBG_FIDO_OK && r != NBG_FIDO_UP_MISSING && r != NBG_FIDO_UV_MISSING)
			continue;
		if (!recs[i].used && now > recs[i].expires)
			return fail(a, NBG_R_CHALLENGE_EXPIRED, PAM_AUTH_ERR,
			    "signature is for challenge %s, which expired at %lld",
			    recs[i].nonce, (long long)recs[i].expires);
		return fail(a, NBG_R_CHALLENGE_REPLAYED, PAM_AUTH_ERR,
		    "signature is for challenge %s issued at %lld, %s", recs[i].nonce,
		    (long long)recs[i].issued, recs[i].used ? "already used" :
		    "shown to another login attempt");
	}
	return fail(a, NBG_R_SIGNATURE_INVALID, PAM_AUTH_ERR, "%s", why);
}

static int verify(struct attempt *a)
{
	char err[256];

	switch (verify_text(&a->sig, a->chal.text, err, sizeof(err))) {
	case NBG_FIDO_OK:
		a->genuine = true;
		return PAM_SUCCESS;
	case NBG_FIDO_UP_MISSING:
		return fail(a, NBG_R_USER_PRESENCE_MISSING, PAM_AUTH_ERR,
		    "key %s signed without user presence (touch): %s", a->ctx->verdict.key_fp, err);
	case NBG_FIDO_UV_MISSING:
		return fail(a, NBG_R_USER_VERIFICATION_MISSING, PAM_AUTH_ERR,
		    "key %s signed without user verification (PIN): %s", a->ctx->verdict.key_fp,
		    err);
	case NBG_FIDO_BAD_SIG:
		return diagnose(a, (int64_t)time(NULL), err);
	case NBG_FIDO_FORMAT:
		return fail(a, NBG_R_SIGNATURE_FORMAT_INVALID, PAM_AUTH_ERR, "%s", err);
	case NBG_FIDO_INTERNAL:
		break;
	}
	return fail(a, NBG_R_INTERNAL_ERROR, PAM_AUTHINFO_UNAVAIL, "%s", err);
}

/* ---- 4. single use, and the counter ----------------------------------------------------- */

static void finish(struct attempt *a)
{
	uint8_t digest[32];
	uint32_t prev = 0;
	char err[256];

	if (a->genuine)
		nbg_sha256(a->sig.pubkey, a->sig.pubkey_len, digest);
	switch (nbg_auth_state_finish(a->state, a->user, &a->chal, (int64_t)time(NULL),
	    a->genuine ? digest : NULL, a->sig.sig.counter, &prev, err, sizeof(err))) {
	case NBG_STATE_OK:
		break;
	case NBG_STATE_REPLAYED:
		(void)fail(a, NBG_R_CHALLENGE_REPLAYED, PAM_AUTH_ERR, "%s", err);
		break;
	case NBG_STATE_REGRESSED:
		(void)fail(a, NBG_R_SIGNATURE_COUNTER_REGRESSED, PAM_AUTH_ERR, "key %s: %s",
		    a->ctx->verdict.key_fp, err);
		break;
	case NBG_STATE_ERROR:
		(void)fail(a, NBG_R_INTERNAL_ERROR, PAM_AUTHINFO_UNAVAIL, "%s", err);
		break;
	}
}

/* ---- 5. the decision with the proven key ------------------------------------------------ */

static int grant(struct attempt *a)
{
	struct nbg_ctx *ctx = a->ctx;
	struct proof *pr;

	if ((pr = calloc(1, sizeof(*pr))) == NULL)
		return fail(a, NBG_R_INTERNAL_ERROR, PAM_BUF_ERR, "out of memory");
	memcpy(pr->blob, a->sig.pubkey, a->sig.pubkey_len);
	pr->key.blob = pr->blob;
	pr->key.blob_len = a->sig.pubkey_len;
	ctx->facts.phase = NBG_PHASE_AUTH;
	ctx->facts.proven_key = &pr->key;
	ctx->facts.now = (int64_t)time(NULL);
	nbg_decide(ctx->policy, &ctx->table_state, &ctx->facts, &ctx->verdict);
	ctx->facts.proven_key = NULL;
	if (ctx->verdict.action != NBG_ACT_ALLOW) {
		proof_free(ctx->pamh, pr, 0);
		return fail(a, ctx->verdict.reason, nbg_auth_verdict_pam(&ctx->verdict), "%s",
		    ctx->verdict.detail);
	}
	if (pam_set_data(ctx->pamh, NBG_AUTH_DATA, pr, proof_free) != PAM_SUCCESS) {
		proof_free(ctx->pamh, pr, 0);
		return fail(a, NBG_R_INTERNAL_ERROR, PAM_BUF_ERR, "pam_set_data failed");
	}
	return PAM_SUCCESS;
}

static int attempt(struct nbg_ctx *ctx)
{
	struct attempt a;

	memset(&a, 0, sizeof(a));
	a.ctx = ctx;
	a.user = ctx->facts.user;
	a.reason = NBG_R_GRANTED;
	a.pam = PAM_SUCCESS;
	a.armor = malloc(sizeof(*a.armor));
	a.blob = malloc(NBG_SSHSIG_BLOB_MAX);
	if (a.armor == NULL || a.blob == NULL)
		(void)fail(&a, NBG_R_INTERNAL_ERROR, PAM_BUF_ERR, "out of memory");
	else if (issue(&a) == PAM_SUCCESS) {
		if (ask(&a) == PAM_SUCCESS && check_key(&a) == PAM_SUCCESS)
			(void)verify(&a);
		finish(&a);
		if (a.reason == NBG_R_GRANTED)
			(void)grant(&a);
	}
	if (a.reason == NBG_R_GRANTED) {
		nbg_apply_audit(ctx, AUDIT_USER_AUTH, "nexusbg-auth", true,
		    nbg_reason_str(ctx->verdict.cache_stale ? NBG_R_CACHE_STALE : NBG_R_GRANTED),
		    a.detail[0] != '\0' ? a.detail : NULL);
	} else {
		nbg_apply_audit(ctx, AUDIT_USER_AUTH, "nexusbg-auth", false,
		    nbg_reason_str(a.reason), a.detail);
		nbg_tell_denied(ctx, "authentication failed");
	}
	nbg_auth_state_close(a.state);
	if (a.armor != NULL)
		nbg_armor_clear(a.armor);
	free(a.armor);
	if (a.blob != NULL)
		explicit_bzero(a.blob, NBG_SSHSIG_BLOB_MAX);
	free(a.blob);
	return a.pam;
}

/* The plugin's entry: pam_sm_authenticate of the module, whole. */
static int authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct nbg_ctx ctx;
	const char *user = NULL;
	int r;

	/* login asks for the name through the first auth module that wants it */
	if ((r = pam_get_user(pamh, &user, NULL)) != PAM_SUCCESS) {
		pam_syslog(pamh, LOG_ERR, "auth: no user name: %s", pam_strerror(pamh, r));
		return r == PAM_CONV_AGAIN ? PAM_INCOMPLETE : r;
	}
	/* 1. as the account phase would (the module decided so too, a moment ago) */
	(void)nbg_ctx_decide(&ctx, pamh, flags, argc, argv, NBG_PHASE_ACCOUNT);
	ctx.facts.phase = NBG_PHASE_AUTH;
	if ((r = nbg_auth_precheck(&ctx)) == NBG_AUTH_CONTINUE)
		r = attempt(&ctx);
	nbg_ctx_release(&ctx);
	return r;
}

NBG_EXPORT const struct nbg_auth_plugin nbg_auth_plugin = {
	.abi = NBG_AUTH_PLUGIN_ABI,
	.version = NBG_VERSION,
	.authenticate = authenticate,
};
