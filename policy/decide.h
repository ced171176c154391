/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * decide.h - the one decision function.
 *
 * decide() is pure: no I/O, no globals, no clock.  The PAM module, `nexusbg
 * explain`, `nexusbg keys` and the tests all call it with the facts they
 * gathered, and act on the verdict.  It never allocates.
 *
 * What sshd gives PAM decides what each phase can check (OpenSSH 9.2,
 * auth2.c / monitor.c / auth-pam.c): for a public-key login no PAM auth
 * stack runs; the account stack runs BEFORE sshd records the key in
 * SSH_AUTH_INFO_0, the session stack after.  So:
 *   account  - user, deny list, role, validity window, cache state, source
 *              address, fallback rules;
 *   session  - all of that again, plus the key <-> user binding;
 *   auth     - (the module's own FIDO2 check) as account, with the key
 *              proven by the module itself.
 */
#ifndef NBG_DECIDE_H
#define NBG_DECIDE_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"
#include "prefix.h"
#include "reasons.h"
#include "roletable.h"
#include "sshkey.h"

enum nbg_phase {
	NBG_PHASE_AUTH = 0,
	NBG_PHASE_ACCOUNT,
	NBG_PHASE_SESSION,
};

const char *nbg_phase_str(enum nbg_phase p);	/* "auth", "account", "session" */

/* The state of the role table as the caller found it. */
struct nbg_table_state {
	enum nbg_table_open_status status;
	const struct nbg_table *table;	/* non-NULL only when status == NBG_TABLE_OK */
	int64_t confirmed_at;		/* when the control plane last confirmed it */
};

/* A key proven by the module's own auth phase (FIDO2 signature verified). */
struct nbg_proven_key {
	const uint8_t *blob;
	size_t blob_len;
};

/* The facts of one attempt, gathered by the caller. */
struct nbg_facts {
	const char *user;		/* PAM_USER; required */
	int64_t uid;			/* the account's uid from NSS; -1 = does not resolve */
	const char *service;		/* PAM_SERVICE; may be NULL */
	enum nbg_phase phase;
	const char *rhost;		/* PAM_RHOST as given; may be NULL */
	const char *ssh_connection;	/* SSH_CONNECTION from the PAM environment; may be NULL */
	const char *auth_info;		/* SSH_AUTH_INFO_0; may be NULL */
	const struct nbg_proven_key *proven_key;	/* from our auth phase; may be NULL */
	int64_t now;			/* seconds since the epoch */
};

/* What to do with the PAM stack. */
enum nbg_action {
	NBG_ACT_ALLOW = 0,
	NBG_ACT_DENY,		/* PAM_PERM_DENIED */
	NBG_ACT_DENY_UNKNOWN,	/* PAM_USER_UNKNOWN */
	NBG_ACT_IGNORE,		/* PAM_IGNORE: not ours, the rest of the stack decides */
	NBG_ACT_UNAVAILABLE,	/* PAM_AUTHINFO_UNAVAIL: cache cannot be read */
};

struct nbg_verdict {
	enum nbg_action action;
	enum nbg_reason reason;		/* NBG_R_GRANTED when allowed */
	const struct nbg_role *role;	/* the granted (or would-be) role; may be NULL */
	bool fallback;			/* a Method D v1.5 shared account */
	bool cache_stale;		/* allowed although past max_cache_age (stale_cache warn) */
	bool remote;			/* a remote login (address known or claimed) */
	bool have_remote_addr;
	struct nbg_addr remote_addr;
	bool have_local_addr;
	struct nbg_addr local_addr;
	const char *access_path;	/* name, points into policy or a literal */
	enum nbg_keytype key_type;	/* NBG_KEY_UNKNOWN when no key is involved */
	char key_fp[NBG_FP_LEN];	/* "" when no key */
	bool have_user;			/* the user was found in the table */
	struct nbg_user user;		/* valid when have_user */
	int key_index;			/* index of the matching key in the user's entry, or -1 */
	struct nbg_origin origin;	/* the policy line that decided; line 0 = none */
	struct nbg_origin source_origin; /* the trusted_source line that admitted the address */
	bool by_table_entry;		/* the user's role-table entry decided (user.index) */
	char detail[192];		/* one human sentence on why */
};

/*
 * Decide one attempt.  policy must be non-NULL (a policy that does not load
 * is the caller's policy-invalid denial: see nbg_verdict_policy_invalid()).
 */
void nbg_decide(const struct nbg_policy *policy, const struct nbg_table_state *table,
    const struct nbg_facts *facts, struct nbg_verdict *v);

/* The verdict for "the policy could not be loaded": deny, policy-invalid. */
void nbg_verdict_policy_invalid(const struct nbg_facts *facts, struct nbg_verdict *v);

/*
 * Parse the first completed "publickey" method of SSH_AUTH_INFO_0
 * ("publickey TYPE BASE64\n", one line per method).  On success returns 0,
 * *type and the decoded blob (malloc'd into *blob).  Returns -1 when there
 * is no publickey line (no-auth-info) and -2 when a line is malformed
 * (auth-info-invalid).  Used by decide() (with a caller buffer) and tools.
 */
int nbg_auth_info_pubkey(const char *auth_info, uint8_t *blob, size_t bloblen,
    size_t *outlen, enum nbg_keytype *type);

#endif
