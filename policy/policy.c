/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy.c - loading a policy: the two entry points, the checks that need
 * the whole policy (every file read), the defaults, and the lookups the
 * module, decide() and the nexusbg command use.
 *
 * A policy with any error is never returned: the caller gets NULL and
 * denies.  Warnings are reported and the policy is usable.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

#define DEFAULT_MAX_CACHE_AGE	(7 * 86400)
#define DEFAULT_CLOCK_SKEW	300
#define DEFAULT_SHELL		"/bin/bash"
#define DEFAULT_HOME_BASE	"/home"
#define DEFAULT_EXTRAUSERS_DIR	"/var/lib/extrausers"
#define DEFAULT_SSH_SERVICE	"sshd"
#define DEFAULT_CONNECT_TIMEOUT	10
#define DEFAULT_TIMEOUT		60
#define DEFAULT_SYNC_MAX_BYTES	(64ull * 1024 * 1024)	/* NBG_DOC_MAX_BYTES */
#define DEFAULT_RETRIES		4
#define DEFAULT_RETRY_DELAY	1

static struct nbgp *parser_new(struct nbg_diag *diag, unsigned flags)
{
	struct nbg_policy *p;
	struct nbgp *ps;

	/*
	 * line and tok (20 KiB) are scratch space, written before they are
	 * read: left unzeroed, their pages are touched only as far as a line
	 * needs, which matters to `nexusbg keys`, run for every key offered.
	 */
	if ((ps = malloc(sizeof(*ps))) == NULL)
		return NULL;
	memset(ps, 0, offsetof(struct nbgp, line));
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		free(ps);
		return NULL;
	}
	p->max_cache_age = DEFAULT_MAX_CACHE_AGE;
	p->stale_action = NBG_STALE_DENY;
	p->clock_skew = DEFAULT_CLOCK_SKEW;
	p->key_types = NBG_KEY_FIDO2_MASK;
	p->unknown_users = NBG_UNKNOWN_DENY;
	p->fallback = NBG_FALLBACK_NEVER;
	p->sync.connect_timeout = DEFAULT_CONNECT_TIMEOUT;
	p->sync.timeout = DEFAULT_TIMEOUT;
	p->sync.max_bytes = DEFAULT_SYNC_MAX_BYTES;
	p->sync.retries = DEFAULT_RETRIES;
	p->sync.retry_delay = DEFAULT_RETRY_DELAY;
	p->accounts.mode = NBG_ACCOUNTS_NONE;
	p->auth_challenge_ttl = NBG_DEFAULT_AUTH_TTL;
	ps->p = p;
	ps->diag = diag;
	ps->flags = flags;
	return ps;
}

static void parser_free(struct nbgp *ps)
{
	if (ps == NULL)
		return;
	nbg_policy_free(ps->p);
	free(ps);
}

static bool add_role(struct nbgp *ps, const char *name, const char *const *caps, size_t n,
    const struct nbg_origin *o)
{
	struct nbg_role *r;
	size_t i;

	if ((r = nbgp_new_role(ps, name, o)) == NULL)
		return false;
	for (i = 0; i < n; i++) {
		if ((r->caps[i] = strdup(caps[i])) == NULL) {
			ps->oom = true;
			return false;
		}
		r->ncaps++;
	}
	return true;
}

/* No role line anywhere: reader = show; writer = show configure. */
static void builtin_roles(struct nbgp *ps, const struct nbg_origin *o)
{
	static const char *const reader[] = { "show" };
	static const char *const writer[] = { "show", "configure" };

	if (ps->saw_role)
		return;
	if (add_role(ps, "reader", reader, 1, o))
		(void)add_role(ps, "writer", writer, 2, o);
}

static void check_fallback_accounts(struct nbgp *ps)
{
	const struct nbg_policy *p = ps->p;
	const struct nbg_fallback_account *fa;
	const struct nbg_denied_user *du;
	const char *names[NBG_MAX_ROLES], *s;
	struct nbg_diag_entry *e;
	size_t i;

	for (i = 0; i < p->nroles; i++)
		names[i] = p->roles[i].name;
	for (i = 0; i < p->nfallback; i++) {
		fa = &p->fallback_accounts[i];
		if (nbg_policy_role(p, fa->role) == NULL) {
			e = nbgp_error(ps, &fa->origin, "unknown role '%s' for fallback account "
			    "'%s'", fa->role, fa->user);
			if ((s = nbgp_suggest(fa->role, names, p->nroles)) != NULL)
				nbgp_hint(ps, e, "did you mean '%s'?", s);
			else
				nbgp_hint(ps, e, "define it with 'role %s CAPABILITY...'", fa->role);
		}
		if ((du = nbg_policy_denied_user(p, fa->user)) != NULL) {
			e = nbgp_error(ps, &fa->origin, "fallback account '%s' is also in "
			    "deny_user at %s:%u", fa->user, du->origin.file, du->origin.line);
			nbgp_hint(ps, e, "the two lines conflict; remove one of them");
		}
	}
}

static bool path_declared(const struct nbg_policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->npaths; i++)
		if (strcmp(p->paths[i].name, name) == 0)
			return true;
	return false;
}

/* Every trusted_source names "default" or a declared access path. */
static void check_trusted_paths(struct nbgp *ps)
{
	const struct nbg_policy *p = ps->p;
	const struct nbg_trusted *t, *last = NULL;
	const char *names[NBG_MAX_PATHS + 1], *s;
	struct nbg_diag_entry *e;
	size_t i, n = 0;

	names[n++] = "default";
	for (i = 0; i < p->npaths; i++)
		names[n++] = p->paths[i].name;
	for (i = 0; i < p->ntrusted; i++) {
		t = &p->trusted[i];
		if (strcmp(t->path, "default") == 0 || path_declared(p, t->path))
			continue;
		/* One report per line, however many prefixes it has. */
		if (last != NULL && last->origin.file == t->origin.file &&
		    last->origin.line == t->origin.line)
			continue;
		last = t;
		e = nbgp_error(ps, &t->origin, "unknown access path '%s'", t->path);
		if ((s = nbgp_suggest(t->path, names, n)) != NULL)
			nbgp_hint(ps, e, "did you mean '%s'?", s);
		else
			nbgp_hint(ps, e, "declare it with 'access_path %s PREFIX...' or use "
			    "'default'", t->path);
	}
}

static void check_paths_restricted(struct nbgp *ps)
{
	const struct nbg_policy *p = ps->p;
	const struct nbg_access_path *ap;
	struct nbg_diag_entry *e;
	size_t i, j;

	for (i = 0; i < p->npaths; i++) {
		ap = &p->paths[i];
		for (j = 0; j < p->ntrusted; j++)
			if (strcmp(p->trusted[j].path, ap->name) == 0)
				break;
		if (j < p->ntrusted)
			continue;
		e = nbgp_warn(ps, &ap->origin, "logins on path %s are not restricted by source",
		    ap->name);
		nbgp_hint(ps, e, "add 'trusted_source %s PREFIX...'", ap->name);
	}
}

static void check_sync(struct nbgp *ps)
{
	const struct nbg_origin *cert = &ps->seen[KW_SYNC_CLIENT_CERT];
	const struct nbg_origin *key = &ps->seen[KW_SYNC_CLIENT_KEY];
	const struct nbg_origin *to = &ps->seen[KW_SYNC_TIMEOUT];
	const struct nbg_origin *cto = &ps->seen[KW_SYNC_CONNECT_TIMEOUT];
	const struct nbg_sync_settings *s = &ps->p->sync;
	struct nbg_diag_entry *e;
	char a[32], b[32];

	if ((cert->line != 0) != (key->line != 0)) {
		e = nbgp_error(ps, cert->line != 0 ? cert : key, "%s is set but %s is not",
		    cert->line != 0 ? "sync_client_cert" : "sync_client_key",
		    cert->line != 0 ? "sync_client_key" : "sync_client_cert");
		nbgp_hint(ps, e, "a client certificate needs its private key: set both or "
		    "neither");
	}
	if (!ps->invalid[KW_SYNC_TIMEOUT] && !ps->invalid[KW_SYNC_CONNECT_TIMEOUT] &&
	    s->timeout < s->connect_timeout)
		nbgp_error(ps, to->line != 0 ? to : cto, "sync_timeout %s is shorter than "
		    "sync_connect_timeout %s", nbgp_fmt_duration(s->timeout, a, sizeof(a)),
		    nbgp_fmt_duration(s->connect_timeout, b, sizeof(b)));
}

static void check_accounts(struct nbgp *ps)
{
	const struct nbg_policy *p = ps->p;
	struct nbg_diag_entry *e;

	if (p->accounts.mode == NBG_ACCOUNTS_NONE || ps->seen[KW_ACCOUNT_UID_RANGE].line != 0)
		return;
	e = nbgp_error(ps, &p->accounts.mode_origin, "accounts %s needs account_uid_range",
	    p->accounts.mode == NBG_ACCOUNTS_NEXUSBG ? "nexusbg" : "extrausers");
	nbgp_hint(ps, e, "add e.g. 'account_uid_range 61000-61999': synced accounts get "
	    "uids from that range only");
}

static void check_fallback_mode(struct nbgp *ps)
{
	const struct nbg_policy *p = ps->p;
	struct nbg_diag_entry *e;

	if (p->fallback != NBG_FALLBACK_NEVER && p->nfallback == 0 &&
	    ps->seen[KW_FALLBACK_ACCOUNT].line == 0) {
		e = nbgp_warn(ps, &p->fallback_origin, "fallback %s has no fallback_account "
		    "lines", p->fallback == NBG_FALLBACK_AUTO ? "auto" : "always");
		nbgp_hint(ps, e, "list the Method D v1.5 shared accounts with "
		    "'fallback_account USER ROLE'");
	}
	if (ps->invalid[KW_FALLBACK])
		return;
	if (p->fallback == NBG_FALLBACK_NEVER && p->nfallback > 0) {
		e = nbgp_warn(ps, &p->fallback_accounts[0].origin, "fallback_account lines "
		    "have no effect while fallback is never");
		nbgp_hint(ps, e, "set 'fallback auto' to let them in while the role table is "
		    "unusable");
	}
	if (p->stale_action == NBG_STALE_FALLBACK && p->fallback == NBG_FALLBACK_NEVER) {
		e = nbgp_warn(ps, &p->stale_action_origin, "stale_cache fallback lets no one in "
		    "while fallback is never");
		nbgp_hint(ps, e, "set 'fallback auto', or 'stale_cache deny'");
	}
}

static void default_origin(struct nbg_origin *o, const struct nbg_origin *def)
{
	if (o->file == NULL)
		*o = *def;
}

static void default_str(struct nbgp *ps, char **dst, const char *value)
{
	if (*dst == NULL && (*dst = strdup(value)) == NULL)
		ps->oom = true;
}

static void apply_defaults(struct nbgp *ps, const struct nbg_origin *def)
{
	struct nbg_policy *p = ps->p;
	const char *slash;

	default_origin(&p->fabric_origin, def);
	default_origin(&p->role_table_origin, def);
	default_origin(&p->max_cache_age_origin, def);
	default_origin(&p->stale_action_origin, def);
	default_origin(&p->clock_skew_origin, def);
	default_origin(&p->key_types_origin, def);
	default_origin(&p->unknown_users_origin, def);
	default_origin(&p->fallback_origin, def);
	default_origin(&p->ssh_services_origin, def);
	default_origin(&p->uid_range_origin, def);
	default_origin(&p->sync.url_origin, def);
	default_origin(&p->accounts.mode_origin, def);
	default_origin(&p->auth_challenge_ttl_origin, def);
	default_origin(&p->auth_namespace_origin, def);
	default_origin(&p->auth_state_dir_origin, def);
	default_str(ps, &p->role_table, NBG_DEFAULT_ROLE_TABLE);
	default_str(ps, &p->accounts.shell, DEFAULT_SHELL);
	default_str(ps, &p->accounts.home_base, DEFAULT_HOME_BASE);
	default_str(ps, &p->accounts.extrausers_dir, DEFAULT_EXTRAUSERS_DIR);
	default_str(ps, &p->auth_namespace, NBG_DEFAULT_AUTH_NAMESPACE);
	default_str(ps, &p->auth_state_dir, NBG_DEFAULT_AUTH_DIR);
	if (p->nssh_services == 0 && ps->seen[KW_SSH_SERVICE].line == 0) {
		if ((p->ssh_services = calloc(1, sizeof(*p->ssh_services))) == NULL ||
		    (p->ssh_services[0] = strdup(DEFAULT_SSH_SERVICE)) == NULL)
			ps->oom = true;
		else
			p->nssh_services = 1;
	}
	if (p->sync.cache_dir == NULL && p->role_table != NULL) {
		slash = strrchr(p->role_table, '/');
		if (slash == p->role_table)
			p->sync.cache_dir = strdup("/");
		else if (slash != NULL)
			p->sync.cache_dir = strndup(p->role_table, (size_t)(slash - p->role_table));
		if (p->sync.cache_dir == NULL)
			ps->oom = true;
	}
	if (!p->accounts.has_gid && p->has_uid_range)
		p->accounts.gid = p->uid_min;
}

/* Whole-policy checks, in a fixed order so `policy check` output is stable. */
static void finish(struct nbgp *ps)
{
	struct nbg_origin def = { ps->main_file, 0 };

	builtin_roles(ps, &def);
	check_fallback_accounts(ps);
	check_trusted_paths(ps);
	check_paths_restricted(ps);
	check_sync(ps);
	check_accounts(ps);
	check_fallback_mode(ps);
	apply_defaults(ps, &def);
	if (ps->oom)
		nbgp_error(ps, &def, "out of memory");
}

/* Hand the policy over when there were no errors. */
static int result(struct nbgp *ps, struct nbg_policy **out)
{
	if (ps->nerrors > 0 || ps->oom)
		return -1;
	if (out != NULL) {
		*out = ps->p;
		ps->p = NULL;
	}
	return 0;
}

int nbg_policy_load(const char *path, unsigned flags, struct nbg_policy **out,
    struct nbg_diag *diag)
{
	struct nbg_diag local = { NULL, 0, 0 };
	struct nbgp *ps = NULL;
	int r = -1;

	if (out != NULL)
		*out = NULL;
	if (path == NULL)
		goto out;
	if ((ps = parser_new(diag != NULL ? diag : &local, flags)) == NULL)
		goto out;
	if ((ps->main_file = nbgp_add_file(ps, path)) == NULL)
		goto out;
	nbgp_read_file(ps, ps->main_file, NULL);
	finish(ps);
	r = result(ps, out);
 out:
	parser_free(ps);
	nbg_diag_free(&local);
	return r;
}

int nbg_policy_load_buffer(const char *name, const char *buf, size_t len,
    struct nbg_policy **out, struct nbg_diag *diag)
{
	struct nbg_diag local = { NULL, 0, 0 };
	struct nbg_origin at;
	struct nbgp *ps = NULL;
	int r = -1;

	if (out != NULL)
		*out = NULL;
	if ((ps = parser_new(diag != NULL ? diag : &local, 0)) == NULL)
		goto out;
	ps->from_buffer = true;
	if ((ps->main_file = nbgp_add_file(ps, name != NULL ? name : "(buffer)")) == NULL)
		goto out;
	at.file = ps->main_file;
	at.line = 0;
	if (buf == NULL && len > 0)
		nbgp_error(ps, &at, "no buffer given");
	else if (len > NBG_POLICY_MAX_BYTES)
		nbgp_error(ps, &at, "file is too large (%zu bytes; at most %d)", len,
		    NBG_POLICY_MAX_BYTES);
	else if (len > 0)
		nbgp_parse_text(ps, ps->main_file, buf, len);
	finish(ps);
	r = result(ps, out);
 out:
	parser_free(ps);
	nbg_diag_free(&local);
	return r;
}

static void free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void nbg_policy_free(struct nbg_policy *p)
{
	size_t i;

	if (p == NULL)
		return;
	free(p->fabric);
	free(p->role_table);
	for (i = 0; i < p->nroles; i++)
		free_strv(p->roles[i].caps, p->roles[i].ncaps);
	free(p->roles);
	free(p->denied);
	free(p->fallback_accounts);
	for (i = 0; i < p->npaths; i++)
		free(p->paths[i].local);
	free(p->paths);
	free(p->trusted);
	free_strv(p->ssh_services, p->nssh_services);
	free(p->sync.url);
	free(p->sync.ca_file);
	free(p->sync.client_cert);
	free(p->sync.client_key);
	free(p->sync.token_file);
	free(p->sync.proxy);
	free(p->sync.cache_dir);
	free(p->accounts.extrausers_dir);
	free(p->accounts.shell);
	free(p->accounts.home_base);
	free(p->auth_namespace);
	free(p->auth_state_dir);
	free_strv(p->files, p->nfiles);
	free(p);
}

const struct nbg_role *nbg_policy_role(const struct nbg_policy *p, const char *name)
{
	size_t i;

	if (p == NULL || name == NULL)
		return NULL;
	for (i = 0; i < p->nroles; i++)
		if (strcmp(p->roles[i].name, name) == 0)
			return &p->roles[i];
	return NULL;
}

bool nbg_role_has_cap(const struct nbg_role *r, const char *cap)
{
	size_t i;

	if (r == NULL || cap == NULL)
		return false;
	for (i = 0; i < r->ncaps; i++)
		if (strcmp(r->caps[i], cap) == 0)
			return true;
	return false;
}

const struct nbg_fallback_account *nbg_policy_fallback_account(const struct nbg_policy *p,
    const char *user)
{
	size_t i;

	if (p == NULL || user == NULL)
		return NULL;
	for (i = 0; i < p->nfallback; i++)
		if (strcmp(p->fallback_accounts[i].user, user) == 0)
			return &p->fallback_accounts[i];
	return NULL;
}

const struct nbg_denied_user *nbg_policy_denied_user(const struct nbg_policy *p,
    const char *user)
{
	size_t i;

	if (p == NULL || user == NULL)
		return NULL;
	for (i = 0; i < p->ndenied; i++)
		if (strcmp(p->denied[i].user, user) == 0)
			return &p->denied[i];
	return NULL;
}

bool nbg_policy_is_ssh_service(const struct nbg_policy *p, const char *service)
{
	size_t i;

	if (p == NULL || service == NULL)
		return false;
	for (i = 0; i < p->nssh_services; i++)
		if (strcmp(p->ssh_services[i], service) == 0)
			return true;
	return false;
}

bool nbg_policy_key_type_allowed(const struct nbg_policy *p, enum nbg_keytype t)
{
	if (p == NULL || !nbg_keytype_is_fido2(t))
		return false;
	return (p->key_types & (1u << (unsigned)t)) != 0;
}

const char *nbg_policy_access_path(const struct nbg_policy *p, const struct nbg_addr *local,
    const struct nbg_origin **origin)
{
	const struct nbg_access_path *ap;
	size_t i, j;

	if (origin != NULL)
		*origin = NULL;
	if (p == NULL || local == NULL)
		return "default";
	for (i = 0; i < p->npaths; i++) {
		ap = &p->paths[i];
		for (j = 0; j < ap->nlocal; j++) {
			if (nbg_prefix_contains(&ap->local[j], local)) {
				if (origin != NULL)
					*origin = &ap->origin;
				return ap->name;
			}
		}
	}
	return "default";
}

int nbg_policy_source_trusted(const struct nbg_policy *p, const char *path,
    const struct nbg_addr *remote, const struct nbg_origin **origin)
{
	bool restricted = false;
	size_t i;

	if (origin != NULL)
		*origin = NULL;
	if (p == NULL || path == NULL)
		return 0;
	for (i = 0; i < p->ntrusted; i++) {
		if (strcmp(p->trusted[i].path, path) != 0)
			continue;
		restricted = true;
		if (remote != NULL && nbg_prefix_contains(&p->trusted[i].prefix, remote)) {
			if (origin != NULL)
				*origin = &p->trusted[i].origin;
			return 1;
		}
	}
	return restricted ? 0 : 2;
}
