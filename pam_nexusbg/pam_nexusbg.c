/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pam_nexusbg.c - the PAM entry points.
 *
 *   account   decide() without the key (sshd has not exposed it yet);
 *             a denial is audited (USER_ACCT) and refused.
 *   session   decide() again, now with the key sshd used (SSH_AUTH_INFO_0):
 *             a key that is not a registered FIDO2 key of this user refuses
 *             the session (audited); a granted session gets its record.
 *
 * The module never exits, never aborts, and keeps no state between calls
 * except the pam data that links open_session to close_session.
 */
#include <libaudit.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <syslog.h>

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
	return ret;
}

NBG_EXPORT int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct nbg_args args;

	if (nbg_parse_args(pamh, flags, argc, argv, &args) != 0)
		args.debug = false;
	return nbg_session_record_close(pamh, args.debug);
}
