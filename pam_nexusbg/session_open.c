/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session_open.c - the session attribute: after a granted session-phase
 * decision, write a root-owned record keyed by the kernel audit session id
 * of this login (assigned by pam_loginuid, which must run before us), so
 * the device CLI can ask which role the session holds.  The user cannot
 * choose or change their audit session id, so they cannot claim another
 * session's record.
 *
 * Where the id cannot bind the record to this login alone - unset (no
 * pam_loginuid, or a kernel without audit), not fresh (pam_loginuid skips
 * the write when loginuid already equals the uid, so the login shares its
 * parent's id), or already holding a record - the session gets no
 * capabilities: no record is written, the event is audited and logged.
 */
#include <libaudit.h>
#include <security/pam_ext.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "module.h"
#include "record.h"
#include "session_open.h"

#define NBG_SESSIONID_UNSET 4294967295u

struct nbg_session_data {
	uint32_t sessionid;
	char ref[NBG_REF_LEN];
};

static void free_data(pam_handle_t *pamh, void *data, int error_status)
{
	(void)pamh;
	(void)error_status;
	free(data);
}

/* The audit session id of our parent: equal to ours means ours is not fresh. */
static int parent_sessionid(uint32_t *out)
{
	char path[64], buf[16];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/sessionid", (long)getppid());
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%" SCNu32, out) != 1)
		return -1;
	return 0;
}

static void no_capabilities(struct nbg_ctx *ctx, enum nbg_reason r, const char *why)
{
	nbg_apply_audit(ctx, AUDIT_USER_START, "nexusbg-session-open", false,
	    nbg_reason_str(r), why);
	if (!ctx->args.silent)
		pam_info(ctx->pamh, "nexusbg: this session has no capabilities (reference %s).",
		    ctx->ref);
}

static void fill_record(const struct nbg_ctx *ctx, struct nbg_record *rec, uint32_t sid,
    uint32_t loginuid)
{
	const struct nbg_verdict *v = &ctx->verdict;
	char addr[NBG_ADDR_STRLEN];

	memset(rec, 0, sizeof(*rec));
	rec->sessionid = sid;
	rec->uid = (uint32_t)ctx->facts.uid;
	rec->loginuid = loginuid;
	snprintf(rec->user, sizeof(rec->user), "%s", ctx->facts.user);
	snprintf(rec->role, sizeof(rec->role), "%s", v->role->name);
	for (size_t i = 0; i < v->role->ncaps && i < sizeof(rec->caps) / sizeof(rec->caps[0]); i++)
		snprintf(rec->caps[rec->ncaps++], sizeof(rec->caps[0]), "%s", v->role->caps[i]);
	snprintf(rec->remote, sizeof(rec->remote), "%s",
	    v->have_remote_addr ? nbg_addr_str(&v->remote_addr, addr, sizeof(addr)) : "");
	snprintf(rec->access_path, sizeof(rec->access_path), "%s", v->access_path);
	snprintf(rec->key_fp, sizeof(rec->key_fp), "%s", v->key_fp);
	rec->fallback = v->fallback;
	rec->start = ctx->facts.now;
	snprintf(rec->ref, sizeof(rec->ref), "%s", ctx->ref);
	snprintf(rec->service, sizeof(rec->service), "%s",
	    ctx->facts.service != NULL ? ctx->facts.service : "");
	rec->pid = (int32_t)getpid();
}

int nbg_session_record_open(struct nbg_ctx *ctx)
{
	struct nbg_session_data *data;
	struct nbg_record rec;
	uint32_t sid = NBG_SESSIONID_UNSET, psid = NBG_SESSIONID_UNSET, luid = NBG_SESSIONID_UNSET;
	char err[256];
	int r;

	if (ctx->facts.uid < 0) {
		no_capabilities(ctx, NBG_R_INTERNAL_ERROR, "the account does not resolve");
		return PAM_SUCCESS;
	}
	if (nbg_proc_sessionid(&sid) != 0 || sid == NBG_SESSIONID_UNSET) {
		no_capabilities(ctx, NBG_R_NO_AUDIT_SESSION,
		    "no audit session id: is pam_loginuid before pam_nexusbg in the session stack?");
		return PAM_SUCCESS;
	}
	if (nbg_proc_loginuid(&luid) != 0 || luid != (uint32_t)ctx->facts.uid) {
		no_capabilities(ctx, NBG_R_NO_AUDIT_SESSION,
		    "loginuid is not the user's uid: pam_loginuid did not run for this login");
		return PAM_SUCCESS;
	}
	if (parent_sessionid(&psid) == 0 && psid == sid) {
		no_capabilities(ctx, NBG_R_AUDIT_SESSION_IN_USE,
		    "audit session id is shared with the parent process (loginuid was already set)");
		return PAM_SUCCESS;
	}
	fill_record(ctx, &rec, sid, luid);
	if (nbg_boot_id(rec.boot_id) != 0) {
		no_capabilities(ctx, NBG_R_INTERNAL_ERROR, "cannot read the boot id");
		return PAM_SUCCESS;
	}
	r = nbg_record_write(NBG_DEFAULT_SESSION_DIR, &rec, err, sizeof(err));
	if (r == -EEXIST) {
		no_capabilities(ctx, NBG_R_AUDIT_SESSION_IN_USE,
		    "a session record already exists for this audit session id");
		return PAM_SUCCESS;
	}
	if (r != 0) {
		no_capabilities(ctx, NBG_R_INTERNAL_ERROR, err);
		return PAM_SUCCESS;
	}
	if ((data = calloc(1, sizeof(*data))) == NULL ||
	    pam_set_data(ctx->pamh, "nexusbg_session", data, free_data) != PAM_SUCCESS) {
		free(data);
		(void)nbg_record_remove(NBG_DEFAULT_SESSION_DIR, sid, ctx->ref, err, sizeof(err));
		no_capabilities(ctx, NBG_R_INTERNAL_ERROR, "out of memory");
		return PAM_SUCCESS;
	}
	data->sessionid = sid;
	memcpy(data->ref, ctx->ref, sizeof(data->ref));
	{
		char env[64];

		/* For information only: nothing trusts the environment. */
		snprintf(env, sizeof(env), "NEXUSBG_ROLE=%s", ctx->verdict.role->name);
		(void)pam_putenv(ctx->pamh, env);
		snprintf(env, sizeof(env), "NEXUSBG_REF=%s", ctx->ref);
		(void)pam_putenv(ctx->pamh, env);
	}
	nbg_apply_audit(ctx, AUDIT_USER_START, "nexusbg-session-open", true,
	    nbg_reason_str(NBG_R_GRANTED), NULL);
	return PAM_SUCCESS;
}

int nbg_session_record_close(pam_handle_t *pamh, bool debug)
{
	const void *d = NULL;
	const struct nbg_session_data *data;
	char err[256];
	int r;

	if (pam_get_data(pamh, "nexusbg_session", &d) != PAM_SUCCESS || d == NULL) {
		if (debug)
			pam_syslog(pamh, LOG_DEBUG, "close_session: no record was written");
		return PAM_SUCCESS;
	}
	data = d;
	r = nbg_record_remove(NBG_DEFAULT_SESSION_DIR, data->sessionid, data->ref, err,
	    sizeof(err));
	if (r != 0 && r != -ENOENT)
		pam_syslog(pamh, LOG_ERR, "session record %" PRIu32 " not removed: %s",
		    data->sessionid, err);
	return PAM_SUCCESS;
}
