/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pam_nexusbg.c - the PAM entry points.
 *
 *   account   decide() without the key (sshd has not exposed it yet);
 *             a denial is audited (USER_ACCT) and refused.
 *   session   decide() again, now with the key sshd used (SSH_AUTH_INFO_0):
 *             a key that is not a registered FIDO2 key of this user refuses
 *             the session (audited); a granted session gets its record.
 *   auth      decide() as the account phase would; a user of ours who may
 *             go on to the challenge is handed to the plugin
 *             pam_nexusbg-auth.so (auth.h), loaded only then.
 *
 * The module never exits, never aborts, and keeps no state between calls
 * except pam data: the role table a granted account phase opened, for the
 * session phase of the same handle (facts.c), and what links open_session
 * to close_session.
 */
#include <libaudit.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <limits.h>
#include <syslog.h>

#include "auth.h"
#include "module.h"
#include "session_open.h"

#define NBG_EXPORT __attribute__((visibility("default")))

static void deny(struct nbg_ctx *ctx, const char *op)
{
	const struct nbg_verdict *v = &ctx->verdict;

	nbg_apply_audit(ctx, nbg_audit_type_for(v->reason, ctx->facts.phase), op, false,
	    nbg_reason_str(v->reason), v->detail);
	nbg_tell_denied(ctx, "access denied");
}

NBG_EXPORT int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct nbg_ctx ctx;
	int ret;

	(void)nbg_ctx_decide(&ctx, pamh, flags, argc, argv, NBG_PHASE_ACCOUNT);
	ret = nbg_verdict_pam(&ctx.verdict);
	switch (ctx.verdict.action) {
	case NBG_ACT_IGNORE:
		break;
	case NBG_ACT_ALLOW:
		if (ctx.verdict.fallback || ctx.verdict.cache_stale)
			nbg_apply_audit(&ctx, AUDIT_USER_ACCT, "nexusbg-account", true,
			    ctx.verdict.cache_stale ? nbg_reason_str(NBG_R_CACHE_STALE) :
			    nbg_reason_str(NBG_R_GRANTED), ctx.verdict.detail);
		nbg_ctx_keep_table(&ctx);	/* for this handle's session phase */
		break;
	default:
		deny(&ctx, "nexusbg-account");
		break;
	}
	nbg_ctx_release(&ctx);
	return ret;
}

NBG_EXPORT int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct nbg_ctx ctx;
	int ret;

	(void)nbg_ctx_decide(&ctx, pamh, flags, argc, argv, NBG_PHASE_SESSION);
	switch (ctx.verdict.action) {
	case NBG_ACT_IGNORE:
		ret = PAM_IGNORE;
		break;
	case NBG_ACT_ALLOW:
		ret = nbg_session_record_open(&ctx);
		break;
	default:
		deny(&ctx, "nexusbg-session-open");
		ret = PAM_SESSION_ERR;
		break;
	}
	nbg_ctx_release(&ctx);
	nbg_ctx_drop_table(pamh);	/* no decision is left to make with it */
	return ret;
}

NBG_EXPORT int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct nbg_args args;

	if (nbg_parse_args(pamh, flags, argc, argv, &args) != 0)
		args.debug = false;
	return nbg_session_record_close(pamh, args.debug);
}

NBG_EXPORT int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const struct nbg_auth_plugin *plugin = NULL;
	struct nbg_ctx ctx;
	const char *user = NULL;
	char err[PATH_MAX + 160], u[96];
	int r;

	/* login asks for the name through the first auth module that wants it */
	if ((r = pam_get_user(pamh, &user, NULL)) != PAM_SUCCESS) {
		pam_syslog(pamh, LOG_ERR, "auth: no user name: %s", pam_strerror(pamh, r));
		return r == PAM_CONV_AGAIN ? PAM_INCOMPLETE : r;
	}
	/*
	 * Step 1 here, without the plugin: users that are not ours (local
	 * admins on the console), fallback accounts and refused users never
	 * load libfido2 and libcrypto, and still get their answer when the
	 * plugin is unusable.
	 */
	(void)nbg_ctx_decide(&ctx, pamh, flags, argc, argv, NBG_PHASE_ACCOUNT);
	ctx.facts.phase = NBG_PHASE_AUTH;
	if ((r = nbg_auth_precheck(&ctx)) == NBG_AUTH_CONTINUE &&
	    (plugin = nbg_auth_plugin_load(err, sizeof(err))) == NULL) {
		pam_syslog(pamh, LOG_ERR, "auth phase unavailable, %s refused: %s",
		    nbg_log_escape(ctx.facts.user, u, sizeof(u), false), err);
		nbg_apply_audit(&ctx, AUDIT_USER_AUTH, "nexusbg-auth", false,
		    nbg_reason_str(NBG_R_INTERNAL_ERROR), err);
		nbg_tell_denied(&ctx, "authentication failed");
		r = PAM_AUTHINFO_UNAVAIL;
	}
	nbg_ctx_release(&ctx);
	return plugin != NULL ? plugin->authenticate(pamh, flags, argc, argv) : r;
}

NBG_EXPORT int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)flags;
	(void)argc;
	(void)argv;
	/* No credentials to set; succeed only for a login this module authenticated. */
	return nbg_auth_proven_key(pamh) != NULL ? PAM_SUCCESS : PAM_IGNORE;
}
