/* SPDX-License-Identifier: BSD-2-Clause */
/* module.h - internals shared by the files of pam_nexusbg. */
#ifndef NBG_MODULE_H
#define NBG_MODULE_H

#include <security/pam_modules.h>
#include <sys/stat.h>
#include <stdbool.h>

#include "audit.h"
#include "decide.h"

struct nbg_args {
	const char *policy;	/* policy=PATH */
	bool debug;		/* debug */
	bool silent;		/* silent, or PAM_SILENT in flags */
};

/* What the role table's directory and file were when it was opened. */
struct nbg_table_id {
	struct stat dir, file;
	bool known;		/* both were stat()ed just before the table was opened */
};

/* Everything one phase needs; released by nbg_ctx_release(). */
struct nbg_ctx {
	pam_handle_t *pamh;
	struct nbg_args args;
	struct nbg_policy *policy;	/* NULL when the policy is unusable */
	struct nbg_table *table;
	bool table_kept;		/* table belongs to the handle's pam data (facts.c) */
	struct nbg_table_id table_id;
	struct nbg_table_state table_state;
	struct nbg_facts facts;
	const char *tty;		/* PAM_TTY */
	struct nbg_verdict verdict;
	char ref[NBG_REF_LEN];
};

int nbg_parse_args(pam_handle_t *pamh, int flags, int argc, const char **argv,
    struct nbg_args *args);

/* Gather the facts of this phase, load the policy and open the table, and decide. */
int nbg_ctx_decide(struct nbg_ctx *ctx, pam_handle_t *pamh, int flags, int argc,
    const char **argv, enum nbg_phase phase);
void nbg_ctx_release(struct nbg_ctx *ctx);

/*
 * One login, one mapping of the role table: a granted account phase keeps
 * its open table in the handle's pam data, and the session phase of the
 * same handle (sshd runs both in one process) uses it instead of mapping
 * the file again, provided the policy still names the same path and the
 * file and its directory are exactly as they were when it was opened
 * (device, inode, size, mode, owner, mtime, ctime: a sync, an edit or a
 * chmod opens it anew).  The session phase drops it when it is done;
 * pam_end frees it otherwise.
 */
void nbg_ctx_keep_table(struct nbg_ctx *ctx);
void nbg_ctx_drop_table(pam_handle_t *pamh);

/*
 * Write the audit record (and its syslog twin) for a verdict; op names the
 * phase ("nexusbg-account"); type is the audit record type.
 */
void nbg_apply_audit(struct nbg_ctx *ctx, int type, const char *op, bool success,
    const char *reason, const char *extra_detail);

/* The PAM return code for a verdict in account/auth. */
int nbg_verdict_pam(const struct nbg_verdict *v);

/* Tell the user, briefly and with the reference id, that access is refused. */
void nbg_tell_denied(struct nbg_ctx *ctx, const char *what);

/*
 * Escape s for a log line into buf: printable ASCII stays, anything else as
 * \xHH; space, '=' and '"' are escaped too unless prose is set.
 */
const char *nbg_log_escape(const char *s, char *buf, size_t len, bool prose);

/* The audit record type that fits a denial with this reason. */
int nbg_audit_type_for(enum nbg_reason r, enum nbg_phase phase);

#endif
