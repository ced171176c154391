/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy_kw.c - the policy keywords: one table, one handler per keyword.
 *
 * A handler gets the tokens of one line (av[0] is the keyword), with the
 * number of arguments already checked against the table and duplicates of
 * single-value settings already refused.  It validates every value, stores
 * it with its origin, and reports each problem it finds.  Checks that need
 * the whole policy (a role defined later, a path declared in a drop-in)
 * are made in policy.c once every file is read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

typedef void (*kw_fn)(struct nbgp *, const struct nbg_origin *, char **, size_t);

struct keyword {
	const char *name;
	enum nbgp_kw id;
	size_t min, max;	/* arguments after the keyword; max 0 = no limit */
	bool single;		/* may be set once */
	const char *usage;
	kw_fn fn;
};

static const struct {
	const char *name;
	enum nbg_keytype type;
} fido2_types[] = {
	{ "sk-ssh-ed25519@openssh.com", NBG_KEY_SK_ED25519 },
	{ "sk-ecdsa-sha2-nistp256@openssh.com", NBG_KEY_SK_ECDSA },
};

#define NAME_HINT	"names are 1 to 32 of a-z 0-9 _ -, starting with a letter"
#define USER_HINT	"login names are 1 to 32 of a-z 0-9 _ . -, starting with a-z or _ " \
			"(a final $ is allowed)"
#define IDENT_HINT	"use 1 to %d of A-Z a-z 0-9 . _ -"

static enum nbg_keytype keytype_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(fido2_types) / sizeof(fido2_types[0]); i++)
		if (strcmp(name, fido2_types[i].name) == 0)
			return fido2_types[i].type;
	return NBG_KEY_UNKNOWN;
}

static char *dup_str(struct nbgp *ps, const char *s)
{
	char *d;

	if ((d = strdup(s)) == NULL)
		ps->oom = true;
	return d;
}

/* V (N elements of SZ bytes) with one more, zeroed, at the end; NULL on failure. */
static void *grow(struct nbgp *ps, void *v, size_t n, size_t sz)
{
	unsigned char *nv;

	if ((nv = reallocarray(v, n + 1, sz)) == NULL) {
		ps->oom = true;
		return NULL;
	}
	memset(nv + n * sz, 0, sz);
	return nv;
}

/* "a, b or c" */
static const char *join_choices(const char *const *c, size_t n, char *buf, size_t len)
{
	size_t i, off = 0;
	int w;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++) {
		w = snprintf(buf + off, len - off, "%s%s",
		    i == 0 ? "" : (i + 1 == n ? " or " : ", "), c[i]);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	return buf;
}

/* Index of VAL in CHOICES, or -1 after reporting it. */
static int choose(struct nbgp *ps, const struct nbg_origin *o, const char *kw,
    const char *val, const char *const *choices, size_t n)
{
	struct nbg_diag_entry *e;
	const char *s;
	char list[128];
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(val, choices[i]) == 0)
			return (int)i;
	e = nbgp_error(ps, o, "invalid value '%s' for %s", val, kw);
	join_choices(choices, n, list, sizeof(list));
	if ((s = nbgp_suggest(val, choices, n)) != NULL)
		nbgp_hint(ps, e, "did you mean '%s'? %s takes %s", s, kw, list);
	else
		nbgp_hint(ps, e, "%s takes %s", kw, list);
	return -1;
}

static bool duration_in(struct nbgp *ps, const struct nbg_origin *o, const char *kw,
    const char *val, int64_t min, int64_t max, int64_t *out)
{
	struct nbg_diag_entry *e;
	char a[32], b[32];
	int64_t v;

	if (nbg_parse_duration(val, &v) != 0) {
		e = nbgp_error(ps, o, "invalid duration '%s' for %s", val, kw);
		nbgp_hint(ps, e, "a whole number with an optional unit s, m, h, d or w "
		    "(e.g. 90s, 15m, 7d)");
		return false;
	}
	if (v < min || v > max) {
		nbgp_error(ps, o, "%s %s is out of range (%s to %s)", kw, val,
		    nbgp_fmt_duration(min, a, sizeof(a)), nbgp_fmt_duration(max, b, sizeof(b)));
		return false;
	}
	*out = v;
	return true;
}

/* Store an absolute path (a file's when FILE) in *dst; false after reporting. */
static bool set_path(struct nbgp *ps, const struct nbg_origin *o, char **av, bool file,
    char **dst)
{
	struct nbg_diag_entry *e;
	size_t len = strlen(av[1]);

	if (av[1][0] != '/') {
		e = nbgp_error(ps, o, "%s needs an absolute path, not '%s'", av[0], av[1]);
		nbgp_hint(ps, e, "write the full path, starting with /");
		return false;
	}
	if (file && av[1][len - 1] == '/') {
		nbgp_error(ps, o, "%s needs a file, not the directory '%s'", av[0], av[1]);
		return false;
	}
	return (*dst = dup_str(ps, av[1])) != NULL;
}

static void kw_fabric(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	struct nbg_diag_entry *e;

	(void)ac;
	if (!nbgp_valid_ident(av[1], NBG_FABRIC_MAX)) {
		e = nbgp_error(ps, o, "invalid fabric id '%s'", av[1]);
		nbgp_hint(ps, e, IDENT_HINT, NBG_FABRIC_MAX);
		return;
	}
	ps->p->fabric = dup_str(ps, av[1]);
	ps->p->fabric_origin = *o;
}

static void kw_role_table(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	(void)ac;
	if (set_path(ps, o, av, true, &ps->p->role_table))
		ps->p->role_table_origin = *o;
}

static void kw_max_cache_age(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	(void)ac;
	if (duration_in(ps, o, av[0], av[1], 1, 365 * 86400, &ps->p->max_cache_age))
		ps->p->max_cache_age_origin = *o;
}

static void kw_stale_cache(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	static const char *const c[] = { "deny", "warn", "fallback" };
	static const enum nbg_stale_action v[] = {
		NBG_STALE_DENY, NBG_STALE_WARN, NBG_STALE_FALLBACK
	};
	int i;

	(void)ac;
	if ((i = choose(ps, o, av[0], av[1], c, 3)) < 0)
		return;
	ps->p->stale_action = v[i];
	ps->p->stale_action_origin = *o;
}

static void kw_clock_skew(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	(void)ac;
	if (duration_in(ps, o, av[0], av[1], 0, 86400, &ps->p->clock_skew))
		ps->p->clock_skew_origin = *o;
}

static void kw_key_types(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	struct nbg_diag_entry *e;
	enum nbg_keytype t;
	unsigned bit;
	size_t i;

	ps->p->key_types = 0;
	ps->p->key_types_origin = *o;
	for (i = 1; i < ac; i++) {
		if ((t = keytype_from_name(av[i])) == NBG_KEY_UNKNOWN) {
			e = nbgp_error(ps, o, "key type '%s' is not allowed", av[i]);
			nbgp_hint(ps, e, "only FIDO2 security-key types are allowed: %s, %s",
			    fido2_types[0].name, fido2_types[1].name);
			continue;
		}
		bit = 1u << (unsigned)t;
		if ((ps->p->key_types & bit) != 0)
			nbgp_warn(ps, o, "key type '%s' is listed twice", av[i]);
		ps->p->key_types |= bit;
	}
}

static void kw_unknown_users(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	static const char *const c[] = { "deny", "ignore" };
	static const enum nbg_unknown_action v[] = { NBG_UNKNOWN_DENY, NBG_UNKNOWN_IGNORE };
	int i;

	(void)ac;
	if ((i = choose(ps, o, av[0], av[1], c, 2)) < 0)
		return;
	ps->p->unknown_users = v[i];
	ps->p->unknown_users_origin = *o;
}

static void kw_fallback(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	static const char *const c[] = { "never", "auto", "always" };
	static const enum nbg_fallback_mode v[] = {
		NBG_FALLBACK_NEVER, NBG_FALLBACK_AUTO, NBG_FALLBACK_ALWAYS
	};
	int i;

	(void)ac;
	if ((i = choose(ps, o, av[0], av[1], c, 3)) < 0)
		return;
	ps->p->fallback = v[i];
	ps->p->fallback_origin = *o;
}

static void kw_ssh_service(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	struct nbg_policy *p = ps->p;
	struct nbg_diag_entry *e;
	char **v;
	size_t i;

	p->ssh_services_origin = *o;
	for (i = 1; i < ac; i++) {
		if (!nbgp_valid_ident(av[i], NBG_SERVICE_MAX)) {
			e = nbgp_error(ps, o, "invalid PAM service name '%s'", av[i]);
			nbgp_hint(ps, e, IDENT_HINT, NBG_SERVICE_MAX);
			continue;
		}
		if (nbg_policy_is_ssh_service(p, av[i])) {
			nbgp_warn(ps, o, "PAM service '%s' is listed twice", av[i]);
			continue;
		}
		if (p->nssh_services >= NBG_MAX_SERVICES) {
			nbgp_error(ps, o, "too many ssh_service names (at most %d)",
			    NBG_MAX_SERVICES);
			return;
		}
		if ((v = grow(ps, p->ssh_services, p->nssh_services, sizeof(*v))) == NULL)
			return;
		p->ssh_services = v;
		if ((v[p->nssh_services] = dup_str(ps, av[i])) == NULL)
			return;
		p->nssh_services++;
	}
}

static void kw_uid_range(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	struct nbg_diag_entry *e;
	const char *dash;
	uint32_t lo, hi;

	(void)ac;
	dash = strchr(av[1], '-');
	if (dash == NULL || nbgp_parse_u32(av[1], (size_t)(dash - av[1]), &lo) != 0 ||
	    nbgp_parse_u32(dash + 1, strlen(dash + 1), &hi) != 0) {
		e = nbgp_error(ps, o, "invalid account_uid_range '%s'", av[1]);
		nbgp_hint(ps, e, "write MIN-MAX, e.g. 61000-61999");
		return;
	}
	if (lo < 1000) {
		e = nbgp_error(ps, o, "account_uid_range %s starts below 1000", av[1]);
		nbgp_hint(ps, e, "uids below 1000 belong to the system and are never managed");
		return;
	}
	if (lo > hi) {
		nbgp_error(ps, o, "account_uid_range %s: MIN is greater than MAX", av[1]);
		return;
	}
	if (hi == UINT32_MAX) {
		e = nbgp_error(ps, o, "account_uid_range %s: MAX must be below 4294967295", av[1]);
		nbgp_hint(ps, e, "4294967295 is (uid_t)-1, which no account may have");
		return;
	}
	ps->p->has_uid_range = true;
	ps->p->uid_min = lo;
	ps->p->uid_max = hi;
	ps->p->uid_range_origin = *o;
}

static void kw_accounts(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	static const char *const c[] = { "none", "extrausers", "nexusbg" };
	static const enum nbg_accounts_mode v[] = {
		NBG_ACCOUNTS_NONE, NBG_ACCOUNTS_EXTRAUSERS, NBG_ACCOUNTS_NEXUSBG
	};
	int i;

	(void)ac;
	if ((i = choose(ps, o, av[0], av[1], c, 3)) < 0)
		return;
	ps->p->accounts.mode = v[i];
	ps->p->accounts.mode_origin = *o;
}

static void kw_account_gid(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	struct nbg_diag_entry *e;
	uint32_t gid;

	(void)ac;
	if (nbgp_parse_u32(av[1], strlen(av[1]), &gid) != 0 || gid == UINT32_MAX) {
		e = nbgp_error(ps, o, "invalid account_gid '%s'", av[1]);
		nbgp_hint(ps, e, "a group id from 1 to 4294967294");
		return;
	}
	if (gid == 0) {
		e = nbgp_error(ps, o, "account_gid 0 (root) is not allowed");
		nbgp_hint(ps, e, "synced users must not get root's group; give them a group "
		    "of their own");
		return;
	}
	ps->p->accounts.gid = gid;
	ps->p->accounts.has_gid = true;
}

static void kw_account_shell(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	(void)ac;
	(void)set_path(ps, o, av, true, &ps->p->accounts.shell);
}

static void kw_account_home_base(struct nbgp *ps, const struct nbg_origin *o, char **av,
    size_t ac)
{
	(void)ac;
	(void)set_path(ps, o, av, false, &ps->p->accounts.home_base);
}

static void kw_extrausers_dir(struct nbgp *ps, const struct nbg_origin *o, char **av,
    size_t ac)
{
	(void)ac;
	(void)set_path(ps, o, av, false, &ps->p->accounts.extrausers_dir);
}

static bool has_scheme(const char *url, const char *scheme)
{
	size_t n = strlen(scheme);

	return strncasecmp(url, scheme, n) == 0 && url[n] != '\0' && url[n] != '/';
}

static void kw_sync_url(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	struct nbg_diag_entry *e;

	(void)ac;
	if (strncasecmp(av[1], "https://", 8) != 0) {
		e = nbgp_error(ps, o, "sync_url must start with https://, not '%s'", av[1]);
		nbgp_hint(ps, e, "TLS is required");
		return;
	}
	if (!has_scheme(av[1], "https://")) {
		nbgp_error(ps, o, "sync_url '%s' has no host", av[1]);
		return;
	}
	ps->p->sync.url = dup_str(ps, av[1]);
	ps->p->sync.url_origin = *o;
}

static void kw_sync_file(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	struct nbg_sync_settings *s = &ps->p->sync;
	char **dst;

	(void)ac;
	if (strcmp(av[0], "sync_ca_file") == 0)
		dst = &s->ca_file;
	else if (strcmp(av[0], "sync_client_cert") == 0)
		dst = &s->client_cert;
	else if (strcmp(av[0], "sync_client_key") == 0)
		dst = &s->client_key;
	else
		dst = &s->token_file;
	(void)set_path(ps, o, av, true, dst);
}

static void kw_sync_proxy(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	static const char *const schemes[] = {
		"http://", "https://", "socks4://", "socks4a://", "socks5://", "socks5h://",
	};
	struct nbg_diag_entry *e;
	size_t i;

	(void)ac;
	if (strcmp(av[1], "none") == 0)
		return;
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		if (has_scheme(av[1], schemes[i])) {
			ps->p->sync.proxy = dup_str(ps, av[1]);
			return;
		}
	}
	e = nbgp_error(ps, o, "invalid sync_proxy '%s'", av[1]);
	nbgp_hint(ps, e, "a proxy URL (http://, https://, socks4://, socks4a://, socks5:// or "
	    "socks5h:// and a host) or none");
}

static void kw_sync_duration(struct nbgp *ps, const struct nbg_origin *o, char **av,
    size_t ac)
{
	struct nbg_sync_settings *s = &ps->p->sync;

	(void)ac;
	if (strcmp(av[0], "sync_connect_timeout") == 0)
		(void)duration_in(ps, o, av[0], av[1], 1, 3600, &s->connect_timeout);
	else if (strcmp(av[0], "sync_timeout") == 0)
		(void)duration_in(ps, o, av[0], av[1], 1, 86400, &s->timeout);
	else
		(void)duration_in(ps, o, av[0], av[1], 1, 60, &s->retry_delay);
}

static void kw_sync_max_bytes(struct nbgp *ps, const struct nbg_origin *o, char **av,
    size_t ac)
{
	struct nbg_diag_entry *e;
	char lim[32];
	uint64_t v;

	(void)ac;
	if (nbg_parse_size(av[1], &v) != 0) {
		e = nbgp_error(ps, o, "invalid size '%s' for sync_max_bytes", av[1]);
		nbgp_hint(ps, e, "a whole number with an optional unit K, M or G "
		    "(e.g. 512K, 32M)");
		return;
	}
	if (v == 0 || v > NBG_SYNC_MAX_BYTES_LIMIT) {
		e = nbgp_error(ps, o, "sync_max_bytes %s is out of range (1 to %s)", av[1],
		    nbgp_fmt_size(NBG_SYNC_MAX_BYTES_LIMIT, lim, sizeof(lim)));
		nbgp_hint(ps, e, "the role table loader refuses documents larger than %s", lim);
		return;
	}
	ps->p->sync.max_bytes = v;
}

static void kw_sync_retries(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	struct nbg_diag_entry *e;
	uint32_t v;

	(void)ac;
	if (nbgp_parse_u32(av[1], strlen(av[1]), &v) != 0 || v > 10) {
		e = nbgp_error(ps, o, "invalid sync_retries '%s'", av[1]);
		nbgp_hint(ps, e, "a number from 0 to 10");
		return;
	}
	ps->p->sync.retries = v;
}

static void kw_cache_dir(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	(void)ac;
	(void)set_path(ps, o, av, false, &ps->p->sync.cache_dir);
}

/* pam_nexusbg's auth phase: how long a FIDO2 challenge stays valid, 10s to 1h. */
static void kw_auth_challenge_ttl(struct nbgp *ps, const struct nbg_origin *o, char **av,
    size_t ac)
{
	(void)ac;
	if (duration_in(ps, o, av[0], av[1], 10, 3600, &ps->p->auth_challenge_ttl))
		ps->p->auth_challenge_ttl_origin = *o;
}

/* The SSHSIG namespace operators sign the challenge in (ssh-keygen -Y sign -n NAME). */
static void kw_auth_namespace(struct nbgp *ps, const struct nbg_origin *o, char **av,
    size_t ac)
{
	struct nbg_diag_entry *e;

	(void)ac;
	if (!nbgp_valid_ident(av[1], NBG_AUTH_NAMESPACE_MAX)) {
		e = nbgp_error(ps, o, "invalid auth_namespace '%s'", av[1]);
		nbgp_hint(ps, e, IDENT_HINT, NBG_AUTH_NAMESPACE_MAX);
		return;
	}
	ps->p->auth_namespace = dup_str(ps, av[1]);
	ps->p->auth_namespace_origin = *o;
}

static void kw_auth_state_dir(struct nbgp *ps, const struct nbg_origin *o, char **av,
    size_t ac)
{
	(void)ac;
	if (set_path(ps, o, av, false, &ps->p->auth_state_dir))
		ps->p->auth_state_dir_origin = *o;
}

/* A new role NAME without capabilities, after the others; NULL on failure. */
struct nbg_role *nbgp_new_role(struct nbgp *ps, const char *name, const struct nbg_origin *o)
{
	struct nbg_policy *p = ps->p;
	struct nbg_role *r = NULL;

	if (p->nroles >= NBG_MAX_ROLES)
		goto out;
	if (p->roles == NULL && (p->roles = calloc(NBG_MAX_ROLES, sizeof(*p->roles))) == NULL)
		goto out;
	if ((p->roles[p->nroles].caps = calloc(NBG_MAX_CAPS, sizeof(char *))) == NULL)
		goto out;
	r = &p->roles[p->nroles++];
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->origin = *o;
 out:
	if (r == NULL)
		ps->oom = true;
	return r;
}

/* Add one capability; false when the role is full (reported). */
static bool role_add_cap(struct nbgp *ps, const struct nbg_origin *o, struct nbg_role *r,
    const char *cap)
{
	struct nbg_diag_entry *e;

	if (!nbgp_valid_name(cap)) {
		e = nbgp_error(ps, o, "invalid capability '%s' in role '%s'", cap, r->name);
		nbgp_hint(ps, e, NAME_HINT);
		return true;
	}
	if (nbg_role_has_cap(r, cap)) {
		nbgp_warn(ps, o, "capability '%s' is listed twice in role '%s'", cap, r->name);
		return true;
	}
	if (strcmp(r->name, "reader") == 0 && strcmp(cap, "configure") == 0) {
		e = nbgp_error(ps, o, "role 'reader' cannot have 'configure'");
		nbgp_hint(ps, e, "reader is read-only by definition; give configure to writer "
		    "or a new role");
		return true;
	}
	if (r->ncaps >= NBG_MAX_CAPS) {
		nbgp_error(ps, o, "too many capabilities in role '%s' (at most %d)", r->name,
		    NBG_MAX_CAPS);
		return false;
	}
	if ((r->caps[r->ncaps] = dup_str(ps, cap)) != NULL)
		r->ncaps++;
	return true;
}

static void kw_role(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	struct nbg_policy *p = ps->p;
	const struct nbg_role *prev;
	struct nbg_diag_entry *e;
	struct nbg_role *r;
	size_t i;

	ps->saw_role = true;
	if (!nbgp_valid_name(av[1])) {
		e = nbgp_error(ps, o, "invalid role name '%s'", av[1]);
		nbgp_hint(ps, e, NAME_HINT);
		return;
	}
	if ((prev = nbg_policy_role(p, av[1])) != NULL) {
		nbgp_error(ps, o, "role '%s' already defined at %s:%u", av[1], prev->origin.file,
		    prev->origin.line);
		return;
	}
	if (p->nroles >= NBG_MAX_ROLES) {
		nbgp_error(ps, o, "too many roles (at most %d)", NBG_MAX_ROLES);
		return;
	}
	if ((r = nbgp_new_role(ps, av[1], o)) == NULL)
		return;
	for (i = 2; i < ac; i++)
		if (!role_add_cap(ps, o, r, av[i]))
			break;
}

static void kw_deny_user(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	struct nbg_policy *p = ps->p;
	const struct nbg_denied_user *d;
	struct nbg_denied_user *nd;
	struct nbg_diag_entry *e;
	size_t i;

	for (i = 1; i < ac; i++) {
		if (!nbg_valid_username(av[i])) {
			e = nbgp_error(ps, o, "invalid user name '%s' in deny_user", av[i]);
			nbgp_hint(ps, e, USER_HINT);
			continue;
		}
		if ((d = nbg_policy_denied_user(p, av[i])) != NULL) {
			nbgp_warn(ps, o, "user '%s' is already in deny_user at %s:%u", av[i],
			    d->origin.file, d->origin.line);
			continue;
		}
		if (p->ndenied >= NBG_MAX_DENIED) {
			nbgp_error(ps, o, "too many deny_user names (at most %d)", NBG_MAX_DENIED);
			return;
		}
		if ((nd = grow(ps, p->denied, p->ndenied, sizeof(*nd))) == NULL)
			return;
		p->denied = nd;
		nd = &p->denied[p->ndenied++];
		snprintf(nd->user, sizeof(nd->user), "%s", av[i]);
		nd->origin = *o;
	}
}

static void kw_fallback_account(struct nbgp *ps, const struct nbg_origin *o, char **av,
    size_t ac)
{
	struct nbg_policy *p = ps->p;
	const struct nbg_fallback_account *f;
	struct nbg_fallback_account *nf;
	struct nbg_diag_entry *e;

	(void)ac;
	if (!nbg_valid_username(av[1])) {
		e = nbgp_error(ps, o, "invalid user name '%s' in fallback_account", av[1]);
		nbgp_hint(ps, e, USER_HINT);
		return;
	}
	if (!nbgp_valid_name(av[2])) {
		e = nbgp_error(ps, o, "invalid role name '%s' in fallback_account", av[2]);
		nbgp_hint(ps, e, NAME_HINT);
		return;
	}
	if ((f = nbg_policy_fallback_account(p, av[1])) != NULL) {
		nbgp_error(ps, o, "fallback account '%s' already defined at %s:%u", av[1],
		    f->origin.file, f->origin.line);
		return;
	}
	if (p->nfallback >= NBG_MAX_FALLBACK) {
		e = nbgp_error(ps, o, "too many fallback accounts (at most %d)", NBG_MAX_FALLBACK);
		nbgp_hint(ps, e, "Method D v1.5 has at most %d shared accounts", NBG_MAX_FALLBACK);
		return;
	}
	if ((nf = grow(ps, p->fallback_accounts, p->nfallback, sizeof(*nf))) == NULL)
		return;
	p->fallback_accounts = nf;
	nf = &p->fallback_accounts[p->nfallback++];
	snprintf(nf->user, sizeof(nf->user), "%s", av[1]);
	snprintf(nf->role, sizeof(nf->role), "%s", av[2]);
	nf->origin = *o;
}

static bool prefix_parse(struct nbgp *ps, const struct nbg_origin *o, const char *s,
    struct nbg_prefix *out)
{
	char err[160];

	if (nbg_prefix_parse(s, out, err, sizeof(err)) == 0)
		return true;
	nbgp_error(ps, o, "%s", err);
	return false;
}

static bool prefixes_overlap(const struct nbg_prefix *a, const struct nbg_prefix *b)
{
	return nbg_prefix_contains(a, &b->addr) || nbg_prefix_contains(b, &a->addr);
}

/* Warn when a local prefix is also claimed by an earlier access path. */
static void warn_overlap(struct nbgp *ps, const struct nbg_origin *o, const char *name,
    const struct nbg_prefix *pfx)
{
	const struct nbg_access_path *ap;
	struct nbg_diag_entry *e;
	char a[NBG_ADDR_STRLEN], b[NBG_ADDR_STRLEN];
	size_t i, j;

	for (i = 0; i < ps->p->npaths; i++) {
		ap = &ps->p->paths[i];
		if (strcmp(ap->name, name) == 0)
			continue;
		for (j = 0; j < ap->nlocal; j++) {
			if (!prefixes_overlap(&ap->local[j], pfx))
				continue;
			e = nbgp_warn(ps, o, "prefix %s of access path '%s' overlaps %s of "
			    "access path '%s' (%s:%u)", nbg_prefix_str(pfx, a, sizeof(a)), name,
			    nbg_prefix_str(&ap->local[j], b, sizeof(b)), ap->name,
			    ap->origin.file, ap->origin.line);
			nbgp_hint(ps, e, "a connection belongs to the first access path that "
			    "contains its local address");
			return;
		}
	}
}

static void kw_access_path(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	struct nbg_policy *p = ps->p;
	struct nbg_access_path *ap;
	struct nbg_diag_entry *e;
	struct nbg_prefix pfx;
	char buf[NBG_ADDR_STRLEN];
	size_t i, j;

	if (!nbgp_valid_name(av[1])) {
		e = nbgp_error(ps, o, "invalid access path name '%s'", av[1]);
		nbgp_hint(ps, e, NAME_HINT);
		return;
	}
	if (strcmp(av[1], "default") == 0) {
		e = nbgp_error(ps, o, "access path name 'default' is reserved");
		nbgp_hint(ps, e, "'default' means logins on no named path; choose another name");
		return;
	}
	for (i = 0; i < p->npaths; i++) {
		if (strcmp(p->paths[i].name, av[1]) == 0) {
			nbgp_error(ps, o, "access path '%s' already defined at %s:%u", av[1],
			    p->paths[i].origin.file, p->paths[i].origin.line);
			return;
		}
	}
	if (p->npaths >= NBG_MAX_PATHS) {
		nbgp_error(ps, o, "too many access paths (at most %d)", NBG_MAX_PATHS);
		return;
	}
	if (ac - 2 > NBG_MAX_PATH_PREFIXES) {
		nbgp_error(ps, o, "too many prefixes for access path '%s' (at most %d)", av[1],
		    NBG_MAX_PATH_PREFIXES);
		return;
	}
	if ((ap = grow(ps, p->paths, p->npaths, sizeof(*ap))) == NULL)
		return;
	p->paths = ap;
	ap = &p->paths[p->npaths++];
	snprintf(ap->name, sizeof(ap->name), "%s", av[1]);
	ap->origin = *o;
	if ((ap->local = calloc(ac - 2, sizeof(*ap->local))) == NULL) {
		ps->oom = true;
		return;
	}
	for (i = 2; i < ac; i++) {
		if (!prefix_parse(ps, o, av[i], &pfx))
			continue;
		for (j = 0; j < ap->nlocal; j++)
			if (ap->local[j].bits == pfx.bits &&
			    memcmp(ap->local[j].addr.a, pfx.addr.a, 16) == 0)
				break;
		if (j < ap->nlocal) {
			nbgp_warn(ps, o, "prefix %s is listed twice for access path '%s'",
			    nbg_prefix_str(&pfx, buf, sizeof(buf)), ap->name);
			continue;
		}
		warn_overlap(ps, o, ap->name, &pfx);
		ap->local[ap->nlocal++] = pfx;
	}
}

static void kw_trusted_source(struct nbgp *ps, const struct nbg_origin *o, char **av,
    size_t ac)
{
	struct nbg_policy *p = ps->p;
	struct nbg_diag_entry *e;
	struct nbg_trusted *t;
	struct nbg_prefix pfx;
	char buf[NBG_ADDR_STRLEN];
	size_t i, j;

	if (!nbgp_valid_name(av[1])) {
		e = nbgp_error(ps, o, "invalid access path name '%s' in trusted_source", av[1]);
		nbgp_hint(ps, e, "'default' or a name declared with access_path");
		return;
	}
	for (i = 2; i < ac; i++) {
		if (!prefix_parse(ps, o, av[i], &pfx))
			continue;
		for (j = 0; j < p->ntrusted; j++) {
			t = &p->trusted[j];
			if (strcmp(t->path, av[1]) == 0 && t->prefix.bits == pfx.bits &&
			    memcmp(t->prefix.addr.a, pfx.addr.a, 16) == 0)
				break;
		}
		if (j < p->ntrusted) {
			nbgp_warn(ps, o, "prefix %s is already trusted on access path '%s' "
			    "at %s:%u", nbg_prefix_str(&pfx, buf, sizeof(buf)), av[1],
			    p->trusted[j].origin.file, p->trusted[j].origin.line);
			continue;
		}
		if (p->ntrusted >= NBG_MAX_TRUSTED) {
			nbgp_error(ps, o, "too many trusted_source prefixes (at most %d)",
			    NBG_MAX_TRUSTED);
			return;
		}
		if ((t = grow(ps, p->trusted, p->ntrusted, sizeof(*t))) == NULL)
			return;
		p->trusted = t;
		t = &p->trusted[p->ntrusted++];
		snprintf(t->path, sizeof(t->path), "%s", av[1]);
		t->prefix = pfx;
		t->origin = *o;
	}
}

static void kw_include(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	(void)ac;
	nbgp_include(ps, o, av[1]);
}

static const struct keyword keywords[] = {
	{ "fabric", KW_FABRIC, 1, 1, true, "fabric ID", kw_fabric },
	{ "role_table", KW_ROLE_TABLE, 1, 1, true, "role_table PATH", kw_role_table },
	{ "max_cache_age", KW_MAX_CACHE_AGE, 1, 1, true, "max_cache_age DURATION",
	    kw_max_cache_age },
	{ "stale_cache", KW_STALE_CACHE, 1, 1, true, "stale_cache deny|warn|fallback",
	    kw_stale_cache },
	{ "clock_skew", KW_CLOCK_SKEW, 1, 1, true, "clock_skew DURATION", kw_clock_skew },
	{ "key_types", KW_KEY_TYPES, 1, 0, true, "key_types TYPE...", kw_key_types },
	{ "unknown_users", KW_UNKNOWN_USERS, 1, 1, true, "unknown_users deny|ignore",
	    kw_unknown_users },
	{ "fallback", KW_FALLBACK, 1, 1, true, "fallback never|auto|always", kw_fallback },
	{ "ssh_service", KW_SSH_SERVICE, 1, 0, true, "ssh_service NAME...", kw_ssh_service },
	{ "account_uid_range", KW_ACCOUNT_UID_RANGE, 1, 1, true, "account_uid_range MIN-MAX",
	    kw_uid_range },
	{ "accounts", KW_ACCOUNTS, 1, 1, true, "accounts none|extrausers|nexusbg", kw_accounts },
	{ "account_gid", KW_ACCOUNT_GID, 1, 1, true, "account_gid GID", kw_account_gid },
	{ "account_shell", KW_ACCOUNT_SHELL, 1, 1, true, "account_shell PATH",
	    kw_account_shell },
	{ "account_home_base", KW_ACCOUNT_HOME_BASE, 1, 1, true, "account_home_base PATH",
	    kw_account_home_base },
	{ "extrausers_dir", KW_EXTRAUSERS_DIR, 1, 1, true, "extrausers_dir PATH",
	    kw_extrausers_dir },
	{ "sync_url", KW_SYNC_URL, 1, 1, true, "sync_url https://HOST/PATH", kw_sync_url },
	{ "sync_ca_file", KW_SYNC_CA_FILE, 1, 1, true, "sync_ca_file PATH", kw_sync_file },
	{ "sync_client_cert", KW_SYNC_CLIENT_CERT, 1, 1, true, "sync_client_cert PATH",
	    kw_sync_file },
	{ "sync_client_key", KW_SYNC_CLIENT_KEY, 1, 1, true, "sync_client_key PATH",
	    kw_sync_file },
	{ "sync_token_file", KW_SYNC_TOKEN_FILE, 1, 1, true, "sync_token_file PATH",
	    kw_sync_file },
	{ "sync_proxy", KW_SYNC_PROXY, 1, 1, true, "sync_proxy URL|none", kw_sync_proxy },
	{ "sync_connect_timeout", KW_SYNC_CONNECT_TIMEOUT, 1, 1, true,
	    "sync_connect_timeout DURATION", kw_sync_duration },
	{ "sync_timeout", KW_SYNC_TIMEOUT, 1, 1, true, "sync_timeout DURATION",
	    kw_sync_duration },
	{ "sync_max_bytes", KW_SYNC_MAX_BYTES, 1, 1, true, "sync_max_bytes SIZE",
	    kw_sync_max_bytes },
	{ "sync_retries", KW_SYNC_RETRIES, 1, 1, true, "sync_retries N", kw_sync_retries },
	{ "sync_retry_delay", KW_SYNC_RETRY_DELAY, 1, 1, true, "sync_retry_delay DURATION",
	    kw_sync_duration },
	{ "cache_dir", KW_CACHE_DIR, 1, 1, true, "cache_dir PATH", kw_cache_dir },
	{ "auth_challenge_ttl", KW_AUTH_CHALLENGE_TTL, 1, 1, true,
	    "auth_challenge_ttl DURATION", kw_auth_challenge_ttl },
	{ "auth_namespace", KW_AUTH_NAMESPACE, 1, 1, true, "auth_namespace NAME",
	    kw_auth_namespace },
	{ "auth_state_dir", KW_AUTH_STATE_DIR, 1, 1, true, "auth_state_dir PATH",
	    kw_auth_state_dir },
	{ "role", KW_ROLE, 2, 0, false, "role NAME CAPABILITY...", kw_role },
	{ "deny_user", KW_DENY_USER, 1, 0, false, "deny_user USER...", kw_deny_user },
	{ "fallback_account", KW_FALLBACK_ACCOUNT, 2, 2, false, "fallback_account USER ROLE",
	    kw_fallback_account },
	{ "access_path", KW_ACCESS_PATH, 2, 0, false, "access_path NAME PREFIX...",
	    kw_access_path },
	{ "trusted_source", KW_TRUSTED_SOURCE, 2, 0, false, "trusted_source PATH PREFIX...",
	    kw_trusted_source },
	{ "Include", KW_INCLUDE, 1, 1, false, "Include GLOB", kw_include },
};

#define NKEYWORDS	(sizeof(keywords) / sizeof(keywords[0]))

static const struct keyword *find_keyword(const char *word)
{
	size_t i;

	if (strcmp(word, "include") == 0)
		word = "Include";
	for (i = 0; i < NKEYWORDS; i++)
		if (strcmp(word, keywords[i].name) == 0)
			return &keywords[i];
	return NULL;
}

static void unknown_keyword(struct nbgp *ps, const struct nbg_origin *o, const char *word)
{
	const char *names[NKEYWORDS], *s;
	struct nbg_diag_entry *e;
	char lower[64];
	size_t i;

	e = nbgp_error(ps, o, "unknown keyword '%s'", word);
	for (i = 0; i < NKEYWORDS; i++)
		names[i] = keywords[i].name;
	for (i = 0; word[i] != '\0' && i + 1 < sizeof(lower); i++)
		lower[i] = word[i] >= 'A' && word[i] <= 'Z' ? (char)(word[i] - 'A' + 'a') : word[i];
	lower[i] = '\0';
	if (word[i] == '\0' && strcmp(lower, word) != 0 && find_keyword(lower) != NULL)
		nbgp_hint(ps, e, "keywords are case-sensitive: write '%s'",
		    find_keyword(lower)->name);
	else if ((s = nbgp_suggest(word, names, NKEYWORDS)) != NULL)
		nbgp_hint(ps, e, "did you mean '%s'?", s);
}

void nbgp_keyword(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac)
{
	const struct keyword *k;
	const struct nbg_origin *first;
	size_t nerrors;

	if ((k = find_keyword(av[0])) == NULL) {
		unknown_keyword(ps, o, av[0]);
		return;
	}
	if (ac - 1 < k->min || (k->max != 0 && ac - 1 > k->max)) {
		nbgp_error(ps, o, "wrong number of arguments; expected: %s", k->usage);
		return;
	}
	first = &ps->seen[k->id];
	if (k->single && first->line != 0) {
		nbgp_error(ps, o, "duplicate setting '%s' (first set at %s:%u)", k->name,
		    first->file, first->line);
		return;
	}
	if (first->line == 0)
		ps->seen[k->id] = *o;
	nerrors = ps->nerrors;
	k->fn(ps, o, av, ac);
	if (ps->nerrors != nerrors)
		ps->invalid[k->id] = true;
}
