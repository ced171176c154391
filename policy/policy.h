/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy.h - the policy file admins edit (/etc/nexusbg/policy.conf).
 *
 * One parser, used by the PAM module, `nexusbg policy check`, `explain`,
 * `keys`, `sync` and the tests.  Every setting remembers the file and line
 * it came from, so a verdict can name the policy line that decided it.
 *
 * A policy with any error is not usable: nbg_policy_load() returns -1 and
 * the module denies (fail closed).
 */
#ifndef NBG_POLICY_H
#define NBG_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "prefix.h"
#include "sshkey.h"

#define NBG_NAME_MAX		32	/* role, capability, access path names */
#define NBG_USER_MAX		32	/* login names (POSIX portable, like useradd) */
#define NBG_MAX_FALLBACK	15	/* Method D v1.5 had at most 15 shared accounts */
#define NBG_POLICY_MAX_BYTES	(256 * 1024)	/* per file */
#define NBG_POLICY_MAX_FILES	64	/* main file plus Include drop-ins */

/* Where a setting came from. */
struct nbg_origin {
	const char *file;	/* owned by the policy */
	unsigned line;		/* 0 = built-in default */
};

enum nbg_stale_action {
	NBG_STALE_DENY = 0,	/* past max_cache_age: deny (cache-stale) */
	NBG_STALE_WARN,		/* allow, log and audit a warning */
	NBG_STALE_FALLBACK,	/* deny v2.0 users, let fallback accounts in (auto) */
};

enum nbg_fallback_mode {
	NBG_FALLBACK_NEVER = 0,
	NBG_FALLBACK_AUTO,	/* only while the v2.0 table is missing, invalid or too old */
	NBG_FALLBACK_ALWAYS,
};

enum nbg_unknown_action {
	NBG_UNKNOWN_DENY = 0,	/* PAM_USER_UNKNOWN, audited */
	NBG_UNKNOWN_IGNORE,	/* PAM_IGNORE: leave them to the rest of the stack */
};

struct nbg_role {
	char name[NBG_NAME_MAX + 1];
	char **caps;		/* capability names */
	size_t ncaps;
	struct nbg_origin origin;
};

/* A named access path: logins whose LOCAL address is in one of its prefixes. */
struct nbg_access_path {
	char name[NBG_NAME_MAX + 1];
	struct nbg_prefix *local;
	size_t nlocal;
	struct nbg_origin origin;
};

/* trusted_source PATH PREFIX... ; PATH "default" = logins on no named path. */
struct nbg_trusted {
	char path[NBG_NAME_MAX + 1];
	struct nbg_prefix prefix;
	struct nbg_origin origin;
};

struct nbg_fallback_account {
	char user[NBG_USER_MAX + 1];
	char role[NBG_NAME_MAX + 1];
	struct nbg_origin origin;
};

/* `nexusbg sync`: where and how the role document is fetched. */
struct nbg_sync_settings {
	char *url;			/* https:// only; NULL = not configured */
	struct nbg_origin url_origin;
	char *ca_file;			/* NULL = system trust store */
	char *client_cert;		/* PEM; NULL = no mutual TLS */
	char *client_key;		/* PEM */
	char *token_file;		/* bearer token, root-only file; NULL = none */
	char *proxy;			/* NULL = no proxy (proxy env vars are ignored) */
	int64_t connect_timeout;	/* seconds, default 10 */
	int64_t timeout;		/* seconds, whole transfer, default 60 */
	uint64_t max_bytes;		/* body limit, default and at most NBG_DOC_MAX_BYTES */
	unsigned retries;		/* extra attempts on connection errors and 5xx, default 4 */
	int64_t retry_delay;		/* first backoff delay, seconds, default 1; doubles, capped at 30 */
	char *cache_dir;		/* state file and cache backups; default dirname(role_table) */
};

enum nbg_accounts_mode {
	NBG_ACCOUNTS_NONE = 0,		/* accounts are provisioned by other means */
	NBG_ACCOUNTS_EXTRAUSERS,	/* write libnss-extrausers files */
	NBG_ACCOUNTS_NEXUSBG,		/* write the accounts database of libnss_nexusbg */
};

struct nbg_account_settings {
	enum nbg_accounts_mode mode;
	struct nbg_origin mode_origin;
	char *extrausers_dir;		/* default /var/lib/extrausers; with nexusbg,
					   where uids are taken over from */
	char *shell;			/* default /bin/bash */
	char *home_base;		/* default /home */
	uint32_t gid;			/* primary group of synced users; default = uid_min */
	bool has_gid;
};

struct nbg_denied_user {
	char user[NBG_USER_MAX + 1];
	struct nbg_origin origin;
};

struct nbg_policy {
	char *fabric;			/* expected fabric id; NULL = not set */
	struct nbg_origin fabric_origin;

	char *role_table;		/* path of the compiled role cache */
	struct nbg_origin role_table_origin;

	int64_t max_cache_age;		/* seconds; > 0 */
	struct nbg_origin max_cache_age_origin;
	enum nbg_stale_action stale_action;
	struct nbg_origin stale_action_origin;
	int64_t clock_skew;		/* seconds tolerated on not_before/not_after */
	struct nbg_origin clock_skew_origin;

	struct nbg_role *roles;
	size_t nroles;

	unsigned key_types;		/* bit set of (1u << enum nbg_keytype), FIDO2 types only */
	struct nbg_origin key_types_origin;

	enum nbg_unknown_action unknown_users;
	struct nbg_origin unknown_users_origin;

	struct nbg_denied_user *denied;
	size_t ndenied;

	enum nbg_fallback_mode fallback;
	struct nbg_origin fallback_origin;
	struct nbg_fallback_account *fallback_accounts;
	size_t nfallback;

	struct nbg_access_path *paths;
	size_t npaths;
	struct nbg_trusted *trusted;
	size_t ntrusted;

	char **ssh_services;		/* PAM services whose key comes from SSH_AUTH_INFO_0 */
	size_t nssh_services;
	struct nbg_origin ssh_services_origin;

	/*
	 * Role-table users must map to managed accounts: uid in [uid_min, uid_max].
	 * uid 0 is never accepted for a role-table user, whatever the range.
	 * has_uid_range false = no range check (accounts managed elsewhere).
	 */
	bool has_uid_range;
	uint32_t uid_min, uid_max;
	struct nbg_origin uid_range_origin;

	struct nbg_sync_settings sync;
	struct nbg_account_settings accounts;

	/* pam_nexusbg's auth phase: the FIDO2 challenge (docs/auth.md) */
	int64_t auth_challenge_ttl;	/* seconds a challenge stays valid; default 2m */
	struct nbg_origin auth_challenge_ttl_origin;
	char *auth_namespace;		/* SSHSIG namespace signed in; default "nexusbg" */
	struct nbg_origin auth_namespace_origin;
	char *auth_state_dir;		/* used challenges and key counters; default
					   NBG_DEFAULT_AUTH_DIR */
	struct nbg_origin auth_state_dir_origin;

	/* private: storage for origin file names */
	char **files;
	size_t nfiles;
};

/* Diagnostics: policy check prints every one as "file:line: message (hint)". */
enum nbg_diag_level { NBG_DIAG_ERROR = 0, NBG_DIAG_WARNING };

struct nbg_diag_entry {
	enum nbg_diag_level level;
	char *file;
	unsigned line;
	char *message;
	char *hint;		/* may be NULL */
};

struct nbg_diag {
	struct nbg_diag_entry *v;
	size_t n;
	size_t nerrors;
};

void nbg_diag_free(struct nbg_diag *d);

/*
 * Print every entry, in the order found, as "FILE:LINE: error: MESSAGE"
 * ("FILE: error: MESSAGE" when the line is 0) and, when there is a hint,
 * "FILE:LINE:   hint: HINT".  Control bytes are printed as \xNN.
 */
void nbg_diag_print(FILE *f, const struct nbg_diag *d);

/* Flags for nbg_policy_load(). */
#define NBG_POLICY_CHECK_PERMS	0x1	/* refuse files not root-owned or group/world-writable */

/*
 * Parse PATH (and its Include drop-ins).  Collects every problem into diag
 * (may be NULL).  Returns 0 and *out on a clean parse (warnings allowed);
 * -1 when there is at least one error, with *out == NULL.
 */
int nbg_policy_load(const char *path, unsigned flags, struct nbg_policy **out,
    struct nbg_diag *diag);

/* Same, from a memory buffer (tests, fuzzing); Include is refused. */
int nbg_policy_load_buffer(const char *name, const char *buf, size_t len,
    struct nbg_policy **out, struct nbg_diag *diag);

void nbg_policy_free(struct nbg_policy *p);

const struct nbg_role *nbg_policy_role(const struct nbg_policy *p, const char *name);
bool nbg_role_has_cap(const struct nbg_role *r, const char *cap);
const struct nbg_fallback_account *nbg_policy_fallback_account(const struct nbg_policy *p,
    const char *user);
const struct nbg_denied_user *nbg_policy_denied_user(const struct nbg_policy *p,
    const char *user);
bool nbg_policy_is_ssh_service(const struct nbg_policy *p, const char *service);
bool nbg_policy_key_type_allowed(const struct nbg_policy *p, enum nbg_keytype t);

/*
 * The access path a connection to LOCAL arrived on: the first access_path
 * whose prefixes contain it, else "default".  local may be NULL.
 */
const char *nbg_policy_access_path(const struct nbg_policy *p, const struct nbg_addr *local,
    const struct nbg_origin **origin);

/*
 * Is REMOTE trusted on PATH?  Returns 1 trusted (and *origin = the matching
 * trusted_source line), 0 not trusted, and 2 when PATH has no trusted_source
 * lines at all (sources are not restricted on that path).
 */
int nbg_policy_source_trusted(const struct nbg_policy *p, const char *path,
    const struct nbg_addr *remote, const struct nbg_origin **origin);

/* Durations as written in the policy: "90", "30s", "15m", "12h", "7d", "2w". */
int nbg_parse_duration(const char *s, int64_t *out);

/* Sizes as written in the policy: "4096", "512K", "32M", "1G" (binary multiples). */
int nbg_parse_size(const char *s, uint64_t *out);

/* Portable login name: [a-z_][a-z0-9_.-]*[$]? , 1..32 bytes (useradd's rule). */
bool nbg_valid_username(const char *s);

/* Defaults, also the meson options. */
#ifndef NBG_DEFAULT_POLICY
#define NBG_DEFAULT_POLICY "/etc/nexusbg/policy.conf"
#endif
#ifndef NBG_DEFAULT_ROLE_TABLE
#define NBG_DEFAULT_ROLE_TABLE "/var/lib/nexusbg/roles.db"
#endif
#ifndef NBG_DEFAULT_SESSION_DIR
#define NBG_DEFAULT_SESSION_DIR "/run/nexusbg/sessions"
#endif
#ifndef NBG_DEFAULT_AUTH_DIR
#ifdef NBG_DEFAULT_CACHE_DIR
#define NBG_DEFAULT_AUTH_DIR NBG_DEFAULT_CACHE_DIR "/auth"
#else
#define NBG_DEFAULT_AUTH_DIR "/var/lib/nexusbg/auth"
#endif
#endif
#define NBG_DEFAULT_AUTH_TTL		120	/* auth_challenge_ttl */
#define NBG_DEFAULT_AUTH_NAMESPACE	"nexusbg"
#define NBG_AUTH_NAMESPACE_MAX		64	/* = NBG_SSHSIG_NS_MAX */

#endif
