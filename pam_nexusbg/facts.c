/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * facts.c - module arguments, and the facts of one attempt gathered from
 * PAM: PAM_USER, PAM_SERVICE, PAM_RHOST, PAM_TTY, and the SSH_CONNECTION
 * and SSH_AUTH_INFO_0 that sshd puts into the PAM environment.  Then the
 * policy and the role table are loaded and decide() is called.
 */
#include <security/pam_ext.h>
#include <security/pam_modutil.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
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

#define NBG_TABLE_DATA	"nexusbg_role_table"

/* The table a granted account phase left for the session phase (module.h). */
struct kept_table {
	char *path;
	struct nbg_table *table;
	struct nbg_table_id id;
	int64_t mtime;
};

static void kept_free(pam_handle_t *pamh, void *data, int error_status)
{
	struct kept_table *k = data;

	(void)pamh;
	(void)error_status;
	nbg_table_free(k->table);
	free(k->path);
	free(k);
}

static bool same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static bool same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_mode == b->st_mode &&
	    a->st_uid == b->st_uid && a->st_gid == b->st_gid && a->st_size == b->st_size &&
	    same_time(&a->st_mtim, &b->st_mtim) && same_time(&a->st_ctim, &b->st_ctim);
}

/* Stat the table's directory and the file itself (not following a link). */
static int table_stat(const char *path, struct nbg_table_id *id)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int n;

	id->known = false;
	if (slash == NULL)
		return -1;
	n = snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	if (n < 0 || (size_t)n >= sizeof(dir) || stat(dir, &id->dir) != 0 ||
	    fstatat(AT_FDCWD, path, &id->file, AT_SYMLINK_NOFOLLOW) != 0)
		return -1;
	id->known = true;
	return 0;
}

/* The kept table, when it is still the file the policy names; NULL otherwise. */
static struct kept_table *kept_usable(pam_handle_t *pamh, const char *path)
{
	const void *d = NULL;
	struct kept_table *k;
	struct nbg_table_id now;

	if (pam_get_data(pamh, NBG_TABLE_DATA, &d) != PAM_SUCCESS || d == NULL)
		return NULL;
	k = (struct kept_table *)(uintptr_t)d;
	if (path == NULL || strcmp(k->path, path) != 0 || table_stat(path, &now) != 0 ||
	    !same_inode(&now.dir, &k->id.dir) || !same_inode(&now.file, &k->id.file))
		return NULL;
	return k;
}

/* Open the policy's role table, or take the one this handle kept. */
static void table_open(struct nbg_ctx *ctx)
{
	const char *path = ctx->policy->role_table;
	struct kept_table *k;
	char err[NBG_ERR_LEN];
	int64_t mtime = 0;

	if ((k = kept_usable(ctx->pamh, path)) != NULL) {
		ctx->table = k->table;
		ctx->table_kept = true;
		ctx->table_id = k->id;
		ctx->table_state.status = NBG_TABLE_OK;
		ctx->table_state.table = k->table;
		ctx->table_state.confirmed_at = k->mtime;
		if (ctx->args.debug)
			pam_syslog(ctx->pamh, LOG_DEBUG, "role table %s: as the account phase "
			    "opened it", path);
		return;
	}
	/*
	 * The identity is taken before the open: a file replaced in between is
	 * mapped but recorded as the one it replaced, so a later phase finds
	 * the path changed and opens it again.
	 */
	(void)table_stat(path, &ctx->table_id);
	ctx->table_state.status = nbg_table_open(path, NBG_TABLE_CHECK_PERMS, &ctx->table, &mtime,
	    err);
	ctx->table_state.table = ctx->table_state.status == NBG_TABLE_OK ? ctx->table : NULL;
	ctx->table_state.confirmed_at = mtime;
	if (ctx->table_state.status != NBG_TABLE_OK && ctx->args.debug)
		pam_syslog(ctx->pamh, LOG_DEBUG, "role table %s: %s", path, err);
}

void nbg_ctx_keep_table(struct nbg_ctx *ctx)
{
	struct kept_table *k;

	if (ctx->table == NULL || ctx->table_kept || !ctx->table_id.known ||
	    ctx->table_state.status != NBG_TABLE_OK)
		return;
	if ((k = calloc(1, sizeof(*k))) == NULL ||
	    (k->path = strdup(ctx->policy->role_table)) == NULL) {
		free(k);
		return;
	}
	k->table = ctx->table;
	k->id = ctx->table_id;
	k->mtime = ctx->table_state.confirmed_at;
	if (pam_set_data(ctx->pamh, NBG_TABLE_DATA, k, kept_free) != PAM_SUCCESS) {
		free(k->path);
		free(k);
		return;
	}
	ctx->table_kept = true;
}

void nbg_ctx_drop_table(pam_handle_t *pamh)
{
	const void *d = NULL;

	if (pam_get_data(pamh, NBG_TABLE_DATA, &d) == PAM_SUCCESS && d != NULL)
		(void)pam_set_data(pamh, NBG_TABLE_DATA, NULL, NULL);	/* runs kept_free */
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

	table_open(ctx);
	nbg_decide(ctx->policy, &ctx->table_state, &ctx->facts, &ctx->verdict);
	if (ctx->args.debug)
		pam_syslog(pamh, LOG_DEBUG, "%s: verdict %s (%s)", nbg_phase_str(phase),
		    nbg_reason_str(ctx->verdict.reason), ctx->verdict.detail);
	return 0;
}

void nbg_ctx_release(struct nbg_ctx *ctx)
{
	if (!ctx->table_kept)
		nbg_table_free(ctx->table);
	nbg_policy_free(ctx->policy);
	ctx->table = NULL;
	ctx->policy = NULL;
}
