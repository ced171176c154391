/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * facts.c - module arguments, and the facts of one attempt gathered from
 * PAM: PAM_USER, PAM_SERVICE, PAM_RHOST, PAM_TTY, and the SSH_CONNECTION
 * and SSH_AUTH_INFO_0 that sshd puts into the PAM environment.  Then the
 * policy and the role table are loaded and decide() is called.
 */
#include <security/pam_ext.h>
#include <security/pam_modutil.h>
#include <pwd.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "auth.h"
#include "module.h"

int nbg_parse_args(pam_handle_t *pamh, int flags, int argc, const char **argv,
    struct nbg_args *args)
{
	memset(args, 0, sizeof(*args));
	args->policy = NBG_DEFAULT_POLICY;
	args->silent = (flags & PAM_SILENT) != 0;
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "policy=", 7) == 0 && argv[i][7] == '/')
			args->policy = argv[i] + 7;
		else if (strcmp(argv[i], "debug") == 0)
			args->debug = true;
		else if (strcmp(argv[i], "silent") == 0)
			args->silent = true;
		else {
			/* An unknown argument may be a typo of a security setting: refuse. */
			pam_syslog(pamh, LOG_ERR, "unknown or invalid module argument: %.64s",
			    argv[i]);
			return -1;
		}
	}
	return 0;
}

static const char *get_item_str(pam_handle_t *pamh, int item)
{
	const void *v = NULL;

	if (pam_get_item(pamh, item, &v) != PAM_SUCCESS)
		return NULL;
	return v;
}

int nbg_ctx_decide(struct nbg_ctx *ctx, pam_handle_t *pamh, int flags, int argc,
    const char **argv, enum nbg_phase phase)
{
	struct nbg_diag diag = { 0 };
	const struct passwd *pw;
	char err[NBG_ERR_LEN];
	int64_t mtime = 0;

	memset(ctx, 0, sizeof(*ctx));
	ctx->pamh = pamh;
	nbg_audit_new_ref(ctx->ref);
	ctx->facts.phase = phase;
	ctx->facts.now = (int64_t)time(NULL);
	ctx->facts.uid = -1;
	ctx->facts.user = get_item_str(pamh, PAM_USER);
	ctx->facts.service = get_item_str(pamh, PAM_SERVICE);
	ctx->facts.rhost = get_item_str(pamh, PAM_RHOST);
	ctx->tty = get_item_str(pamh, PAM_TTY);
	ctx->facts.ssh_connection = pam_getenv(pamh, "SSH_CONNECTION");
	ctx->facts.auth_info = pam_getenv(pamh, "SSH_AUTH_INFO_0");
	if (ctx->facts.user != NULL && nbg_valid_username(ctx->facts.user) &&
	    (pw = pam_modutil_getpwnam(pamh, ctx->facts.user)) != NULL)
		ctx->facts.uid = pw->pw_uid;

	if (nbg_parse_args(pamh, flags, argc, argv, &ctx->args) != 0) {
		nbg_verdict_policy_invalid(&ctx->facts, &ctx->verdict);
		snprintf(ctx->verdict.detail, sizeof(ctx->verdict.detail),
		    "invalid module arguments; nothing is granted");
		return -1;
	}
	if (nbg_policy_load(ctx->args.policy, NBG_POLICY_CHECK_PERMS, &ctx->policy, &diag) != 0) {
		/* Say why, once per entry, so an admin can fix it from the log. */
		for (size_t i = 0; i < diag.n && i < 8; i++)
			pam_syslog(pamh, LOG_ERR, "policy %s:%u: %s", diag.v[i].file,
			    diag.v[i].line, diag.v[i].message);
		nbg_diag_free(&diag);
		nbg_verdict_policy_invalid(&ctx->facts, &ctx->verdict);
		return -1;
	}
	nbg_diag_free(&diag);

	/*
	 * The auth phase's handoff (auth.c): a key proven by this handle's own
	 * auth phase binds the session of a non-SSH service (login on the
	 * console).  SSH sessions are bound to the key sshd used
	 * (SSH_AUTH_INFO_0), never to module data.
	 */
	if (phase == NBG_PHASE_SESSION &&
	    !nbg_policy_is_ssh_service(ctx->policy, ctx->facts.service))
		ctx->facts.proven_key = nbg_auth_proven_key(pamh);
	/* end of the auth phase's handoff */

	ctx->table_state.status = nbg_table_open(ctx->policy->role_table, NBG_TABLE_CHECK_PERMS,
	    &ctx->table, &mtime, err);
	ctx->table_state.table = ctx->table_state.status == NBG_TABLE_OK ? ctx->table : NULL;
	ctx->table_state.confirmed_at = mtime;
	if (ctx->table_state.status != NBG_TABLE_OK && ctx->args.debug)
		pam_syslog(pamh, LOG_DEBUG, "role table %s: %s", ctx->policy->role_table, err);
	nbg_decide(ctx->policy, &ctx->table_state, &ctx->facts, &ctx->verdict);
	if (ctx->args.debug)
		pam_syslog(pamh, LOG_DEBUG, "%s: verdict %s (%s)", nbg_phase_str(phase),
		    nbg_reason_str(ctx->verdict.reason), ctx->verdict.detail);
	return 0;
}

void nbg_ctx_release(struct nbg_ctx *ctx)
{
	nbg_table_free(ctx->table);
	nbg_policy_free(ctx->policy);
	ctx->table = NULL;
	ctx->policy = NULL;
}
