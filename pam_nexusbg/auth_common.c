/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auth_common.c - the parts of the auth phase the module itself runs
 * (linked into both the module and the plugin): the handoff of the proven
 * key to the session phase, and step 1, the decision before any challenge.
 */
#include <libaudit.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <syslog.h>

#include "auth.h"
#include "module.h"

const struct nbg_proven_key *nbg_auth_proven_key(pam_handle_t *pamh)
{
	const void *d = NULL;

	if (pam_get_data(pamh, NBG_AUTH_DATA, &d) != PAM_SUCCESS || d == NULL)
		return NULL;
	return d;	/* the data begins with its struct nbg_proven_key (auth.h) */
}

int nbg_auth_verdict_pam(const struct nbg_verdict *v)
{
	switch (v->action) {
	case NBG_ACT_ALLOW:
		return PAM_SUCCESS;
	case NBG_ACT_IGNORE:
		return PAM_IGNORE;
	case NBG_ACT_DENY_UNKNOWN:
		return PAM_USER_UNKNOWN;
	case NBG_ACT_UNAVAILABLE:
		return PAM_AUTHINFO_UNAVAIL;
	case NBG_ACT_DENY:
		break;
	}
	return PAM_AUTH_ERR;
}

int nbg_auth_precheck(struct nbg_ctx *ctx)
{
	const struct nbg_verdict *v = &ctx->verdict;

	if (v->action == NBG_ACT_IGNORE)
		return PAM_IGNORE;
	if (v->action != NBG_ACT_ALLOW) {
		nbg_apply_audit(ctx, AUDIT_USER_AUTH, "nexusbg-auth", false,
		    nbg_reason_str(v->reason), v->detail);
		nbg_tell_denied(ctx, "access denied");
		return nbg_auth_verdict_pam(v);
	}
	if (v->fallback) {
		/* shared accounts hold no FIDO2 key: their password is another module's */
		if (ctx->args.debug)
			pam_syslog(ctx->pamh, LOG_DEBUG, "auth: %s is a fallback account: ignored",
			    ctx->facts.user);
		return PAM_IGNORE;
	}
	if (!v->have_user) {
		/* decide() grants role-table users only: never reached, stay closed */
		nbg_apply_audit(ctx, AUDIT_USER_AUTH, "nexusbg-auth", false,
		    nbg_reason_str(NBG_R_INTERNAL_ERROR), "granted without a role-table user");
		nbg_tell_denied(ctx, "access denied");
		return PAM_AUTH_ERR;
	}
	return NBG_AUTH_CONTINUE;
}
