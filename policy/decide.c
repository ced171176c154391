/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * decide.c - the one decision function (see decide.h).
 *
 * The order of the checks is part of the contract (docs/reasons.md):
 *   1. a login name that is not a portable name      invalid-username
 *   2. the local deny list                            user-denied-locally
 *   3. Method D v1.5 fallback accounts                fallback-inactive / source / granted
 *   4. users outside the managed uid range, when unknown users are left
 *      to the rest of the stack                      (ignored)
 *   5. the cache: missing, insecure, invalid, other fabric, too old
 *   6. the user in the table                          unknown-user
 *   7. the account, blocked flag, validity window, role
 *   8. the source address on its access path
 *   9. (session, auth) the key <-> user binding
 * Every denial names the policy line or table entry that caused it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "decide.h"

const char *nbg_phase_str(enum nbg_phase p)
{
	switch (p) {
	case NBG_PHASE_AUTH:
		return "auth";
	case NBG_PHASE_ACCOUNT:
		return "account";
	case NBG_PHASE_SESSION:
		return "session";
	}
	return "unknown";
}

static void detail(struct nbg_verdict *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void detail(struct nbg_verdict *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
	va_end(ap);
}

static void verdict(struct nbg_verdict *v, enum nbg_action a, enum nbg_reason r,
    const struct nbg_origin *origin)
{
	v->action = a;
	v->reason = r;
	if (origin != NULL)
		v->origin = *origin;
}

/* "RADDR RPORT LADDR LPORT" as sshd puts it into the PAM environment. */
static void parse_ssh_connection(const char *s, struct nbg_verdict *v)
{
	char ra[NBG_ADDR_STRLEN], la[NBG_ADDR_STRLEN];
	unsigned rp, lp;

	if (s == NULL || strlen(s) > 4 * NBG_ADDR_STRLEN)
		return;
	if (sscanf(s, "%63s %u %63s %u", ra, &rp, la, &lp) != 4)
		return;
	if (nbg_addr_parse(ra, &v->remote_addr) == 0)
		v->have_remote_addr = true;
	if (nbg_addr_parse(la, &v->local_addr) == 0)
		v->have_local_addr = true;
}

static void gather_addresses(const struct nbg_policy *p, const struct nbg_facts *f,
    struct nbg_verdict *v)
{
	const struct nbg_origin *o = NULL;

	if (f->ssh_connection != NULL && f->ssh_connection[0] != '\0') {
		v->remote = true;
		parse_ssh_connection(f->ssh_connection, v);
	}
	if (f->rhost != NULL && f->rhost[0] != '\0') {
		v->remote = true;
		/* PAM_RHOST may be a host name (sshd's UseDNS): only a numeric one counts. */
		if (!v->have_remote_addr && nbg_addr_parse(f->rhost, &v->remote_addr) == 0)
			v->have_remote_addr = true;
	}
	v->access_path = nbg_policy_access_path(p, v->have_local_addr ? &v->local_addr : NULL,
	    &o);
}

static bool path_restricted(const struct nbg_policy *p, const char *path)
{
	for (size_t i = 0; i < p->ntrusted; i++)
		if (strcmp(p->trusted[i].path, path) == 0)
			return true;
	return false;
}

/* Returns true when the source is acceptable; sets the verdict otherwise. */
static bool check_source(const struct nbg_policy *p, struct nbg_verdict *v)
{
	const struct nbg_origin *o = NULL;
	char buf[NBG_ADDR_STRLEN];
	int r;

	if (!v->remote)
		return true;
	if (!v->have_remote_addr) {
		/* Unrestricted path: an unknown address is fine; otherwise fail closed. */
		if (!path_restricted(p, v->access_path))
			return true;
		verdict(v, NBG_ACT_DENY, NBG_R_SOURCE_UNKNOWN, NULL);
		detail(v, "remote login on access path '%s' without a numeric address",
		    v->access_path);
		return false;
	}
	r = nbg_policy_source_trusted(p, v->access_path, &v->remote_addr, &o);
	if (r == 1 || r == 2) {
		if (o != NULL)
			v->source_origin = *o;
		return true;
	}
	verdict(v, NBG_ACT_DENY, NBG_R_SOURCE_NOT_TRUSTED, NULL);
	detail(v, "%s is not in a trusted_source prefix of access path '%s'",
	    nbg_addr_str(&v->remote_addr, buf, sizeof(buf)), v->access_path);
	return false;
}

/* Is the table usable for v2.0 logins?  Sets reason/detail when not. */
static bool table_usable(const struct nbg_policy *p, const struct nbg_table_state *t,
    const struct nbg_facts *f, enum nbg_reason *reason, char *why, size_t whylen)
{
	if (t == NULL || t->status == NBG_TABLE_MISSING) {
		*reason = NBG_R_CACHE_MISSING;
		snprintf(why, whylen, "no role table at %s", p->role_table);
		return false;
	}
	if (t->status == NBG_TABLE_INSECURE) {
		*reason = NBG_R_CACHE_INSECURE;
		snprintf(why, whylen, "role table %s is not root-owned or is writable by others",
		    p->role_table);
		return false;
	}
	if (t->status != NBG_TABLE_OK || t->table == NULL) {
		*reason = NBG_R_CACHE_INVALID;
		snprintf(why, whylen, "role table %s cannot be read", p->role_table);
		return false;
	}
	if (p->fabric != NULL && strcmp(p->fabric, nbg_table_fabric(t->table)) != 0) {
		*reason = NBG_R_CACHE_WRONG_FABRIC;
		snprintf(why, whylen, "role table is for fabric '%.64s', this device is in '%.64s'",
		    nbg_table_fabric(t->table), p->fabric);
		return false;
	}
	if (f->now - t->confirmed_at > p->max_cache_age) {
		*reason = NBG_R_CACHE_STALE;
		snprintf(why, whylen, "role table last confirmed %lld s ago, max_cache_age is %lld s",
		    (long long)(f->now - t->confirmed_at), (long long)p->max_cache_age);
		return false;
	}
	return true;
}

static void decide_fallback(const struct nbg_policy *p, const struct nbg_table_state *t,
    const struct nbg_facts *f, const struct nbg_fallback_account *fa, struct nbg_verdict *v)
{
	enum nbg_reason why_r = NBG_R_GRANTED;
	char why[256];
	bool active;

	v->fallback = true;
	v->role = nbg_policy_role(p, fa->role);
	switch (p->fallback) {
	case NBG_FALLBACK_ALWAYS:
		active = true;
		snprintf(why, sizeof(why), "fallback is always allowed");
		break;
	case NBG_FALLBACK_AUTO:
		active = !table_usable(p, t, f, &why_r, why, sizeof(why));
		if (!active)
			snprintf(why, sizeof(why), "fallback is auto and the role table is usable");
		break;
	case NBG_FALLBACK_NEVER:
	default:
		active = false;
		snprintf(why, sizeof(why), "fallback is never allowed");
		break;
	}
	if (!active) {
		verdict(v, NBG_ACT_DENY, NBG_R_FALLBACK_INACTIVE, &p->fallback_origin);
		detail(v, "shared account %s: %s", fa->user, why);
		return;
	}
	if (v->role == NULL) {
		/* The policy loader refuses this; stay closed if it ever happens. */
		verdict(v, NBG_ACT_DENY, NBG_R_ROLE_UNKNOWN, &fa->origin);
		detail(v, "fallback role '%s' is not defined", fa->role);
		return;
	}
	if (!check_source(p, v))
		return;
	verdict(v, NBG_ACT_ALLOW, NBG_R_GRANTED, &fa->origin);
	detail(v, "Method D v1.5 shared account %s as %s (%s)", fa->user, fa->role, why);
}

/* Check one "publickey TYPE BASE64" line against the user's keys. */
static bool check_key_line(const struct nbg_policy *p, const struct nbg_table *t,
    const char *line, size_t len, struct nbg_verdict *v)
{
	uint8_t blob[NBG_KEYBLOB_MAX];
	const char *type, *b64, *end = line + len;
	size_t typelen, b64len;
	long n;
	int idx;

	type = line + strlen("publickey ");
	b64 = memchr(type, ' ', (size_t)(end - type));
	if (b64 == NULL) {
		verdict(v, NBG_ACT_DENY, NBG_R_AUTH_INFO_INVALID, NULL);
		detail(v, "publickey method without a key in the authentication info");
		return false;
	}
	typelen = (size_t)(b64 - type);
	b64++;
	b64len = (size_t)(end - b64);
	{
		const char *sp = memchr(b64, ' ', b64len);

		if (sp != NULL)
			b64len = (size_t)(sp - b64);
	}
	v->key_type = nbg_keytype_from_name(type, typelen);
	n = nbg_base64_decode(b64, b64len, blob, sizeof(blob));
	if (n <= 0) {
		verdict(v, NBG_ACT_DENY, NBG_R_AUTH_INFO_INVALID, NULL);
		detail(v, "the key in the authentication info is not valid base64");
		return false;
	}
	nbg_fingerprint(blob, (size_t)n, v->key_fp);
	if (!nbg_keytype_is_fido2(v->key_type)) {
		verdict(v, NBG_ACT_DENY, NBG_R_NOT_FIDO2_KEY, NULL);
		detail(v, "login used a %.*s key %s, not a FIDO2 security key",
		    (int)(typelen > 60 ? 60 : typelen), type, v->key_fp);
		return false;
	}
	if (!nbg_policy_key_type_allowed(p, v->key_type)) {
		verdict(v, NBG_ACT_DENY, NBG_R_KEY_TYPE_NOT_ALLOWED, &p->key_types_origin);
		detail(v, "key type %s is not in key_types", nbg_keytype_name(v->key_type));
		return false;
	}
	idx = nbg_table_user_has_key(t, &v->user, blob, (size_t)n);
	if (idx == -2) {
		verdict(v, NBG_ACT_UNAVAILABLE, NBG_R_CACHE_INVALID, NULL);
		detail(v, "role table is corrupt at the keys of %s", v->user.name);
		return false;
	}
	if (idx < 0) {
		v->by_table_entry = true;
		verdict(v, NBG_ACT_DENY, NBG_R_KEY_NOT_REGISTERED, NULL);
		detail(v, "key %s is not registered to %s (users[%u])", v->key_fp, v->user.name,
		    v->user.index);
		return false;
	}
	v->key_index = idx;
	return true;
}

/*
 * The key <-> user binding.  Every completed publickey method must be a
 * registered FIDO2 key of this user; there must be at least one, or a key
 * proven by our own auth phase.
 */
static bool check_binding(const struct nbg_policy *p, const struct nbg_table *t,
    const struct nbg_facts *f, struct nbg_verdict *v)
{
	const char *s, *nl;
	unsigned nkeys = 0;

	if (f->proven_key != NULL) {
		int idx;

		v->key_type = NBG_KEY_UNKNOWN;
		nbg_fingerprint(f->proven_key->blob, f->proven_key->blob_len, v->key_fp);
		idx = nbg_table_user_has_key(t, &v->user, f->proven_key->blob,
		    f->proven_key->blob_len);
		if (idx < 0) {
			verdict(v, idx == -2 ? NBG_ACT_UNAVAILABLE : NBG_ACT_DENY,
			    idx == -2 ? NBG_R_CACHE_INVALID : NBG_R_KEY_NOT_REGISTERED, NULL);
			detail(v, "proven key %s is not registered to %s", v->key_fp, v->user.name);
			return false;
		}
		{
			struct nbg_user_key k;
			char err[NBG_ERR_LEN];

			if (nbg_table_user_key(t, &v->user, (uint32_t)idx, &k, err) == 0)
				v->key_type = k.type;
		}
		v->key_index = idx;
		return true;
	}
	if (!nbg_policy_is_ssh_service(p, f->service)) {
		verdict(v, NBG_ACT_DENY, NBG_R_NO_AUTH_INFO, &p->ssh_services_origin);
		detail(v, "service '%.32s' is not an ssh_service and no key was proven by "
		    "pam_nexusbg's auth phase", f->service != NULL ? f->service : "?");
		return false;
	}
	for (s = f->auth_info; s != NULL && *s != '\0'; s = nl != NULL ? nl + 1 : NULL) {
		size_t len;

		nl = strchr(s, '\n');
		len = nl != NULL ? (size_t)(nl - s) : strlen(s);
		if (len == 0)
			continue;
		if (len < strlen("publickey ") || strncmp(s, "publickey ", 10) != 0)
			continue;	/* other methods (password, keyboard-interactive) */
		nkeys++;
		if (len > 4096) {
			verdict(v, NBG_ACT_DENY, NBG_R_AUTH_INFO_INVALID, NULL);
			detail(v, "authentication info line too long");
			return false;
		}
		if (!check_key_line(p, t, s, len, v))
			return false;
	}
	if (nkeys == 0) {
		verdict(v, NBG_ACT_DENY, NBG_R_NO_AUTH_INFO, NULL);
		detail(v, "sshd reported no completed publickey method for %s", v->user.name);
		return false;
	}
	return true;
}

static void unknown(const struct nbg_policy *p, enum nbg_reason r, struct nbg_verdict *v)
{
	if (p->unknown_users == NBG_UNKNOWN_IGNORE)
		verdict(v, NBG_ACT_IGNORE, r, &p->unknown_users_origin);
	else
		verdict(v, NBG_ACT_DENY_UNKNOWN, r, &p->unknown_users_origin);
}

void nbg_decide(const struct nbg_policy *p, const struct nbg_table_state *t,
    const struct nbg_facts *f, struct nbg_verdict *v)
{
	const struct nbg_fallback_account *fa;
	const struct nbg_denied_user *du;
	enum nbg_reason why_r = NBG_R_GRANTED;
	char why[256], err[NBG_ERR_LEN];
	int r;

	memset(v, 0, sizeof(*v));
	v->key_index = -1;
	v->access_path = "default";
	verdict(v, NBG_ACT_DENY, NBG_R_INTERNAL_ERROR, NULL);

	gather_addresses(p, f, v);

	/* 1. names no role table or fallback account can hold */
	if (f->user == NULL || !nbg_valid_username(f->user)) {
		unknown(p, NBG_R_INVALID_USERNAME, v);
		detail(v, "login name is not a portable POSIX user name");
		return;
	}
	/* 2. the local deny list wins over everything */
	if ((du = nbg_policy_denied_user(p, f->user)) != NULL) {
		verdict(v, NBG_ACT_DENY, NBG_R_USER_DENIED_LOCALLY, &du->origin);
		detail(v, "%s is on the local deny list", f->user);
		return;
	}
	/* 3. Method D v1.5 shared accounts */
	if ((fa = nbg_policy_fallback_account(p, f->user)) != NULL) {
		decide_fallback(p, t, f, fa, v);
		return;
	}
	/* 4. accounts that cannot be ours, when unknown users are not ours to judge */
	if (p->unknown_users == NBG_UNKNOWN_IGNORE && p->has_uid_range && f->uid >= 0 &&
	    (f->uid < p->uid_min || f->uid > p->uid_max)) {
		verdict(v, NBG_ACT_IGNORE, NBG_R_UNKNOWN_USER, &p->uid_range_origin);
		detail(v, "uid %lld is outside account_uid_range: not a break-glass account",
		    (long long)f->uid);
		return;
	}
	/* 5. the cache */
	if (!table_usable(p, t, f, &why_r, why, sizeof(why))) {
		if (why_r == NBG_R_CACHE_STALE) {
			if (p->stale_action != NBG_STALE_WARN) {
				verdict(v, NBG_ACT_DENY, NBG_R_CACHE_STALE,
				    &p->max_cache_age_origin);
				detail(v, "%s", why);
				return;
			}
			v->cache_stale = true;
		} else {
			verdict(v, NBG_ACT_UNAVAILABLE, why_r, &p->role_table_origin);
			detail(v, "%s", why);
			return;
		}
	}
	/* 6. the user */
	r = nbg_table_find(t->table, f->user, &v->user, err);
	if (r < 0) {
		verdict(v, NBG_ACT_UNAVAILABLE, NBG_R_CACHE_INVALID, &p->role_table_origin);
		detail(v, "role table lookup failed: %.120s", err);
		return;
	}
	if (r == 0) {
		unknown(p, NBG_R_UNKNOWN_USER, v);
		detail(v, "%s is not in the role table (serial %llu)", f->user,
		    (unsigned long long)nbg_table_serial(t->table));
		return;
	}
	v->have_user = true;
	/* 7. the account and the assignment */
	if (f->uid == 0 || (p->has_uid_range && f->uid >= 0 &&
	    (f->uid < p->uid_min || f->uid > p->uid_max))) {
		verdict(v, NBG_ACT_DENY, NBG_R_ACCOUNT_NOT_MANAGED, &p->uid_range_origin);
		detail(v, "%s resolves to uid %lld, outside the managed range", f->user,
		    (long long)f->uid);
		return;
	}
	if (v->user.blocked) {
		v->by_table_entry = true;
		verdict(v, NBG_ACT_DENY, NBG_R_USER_BLOCKED, NULL);
		detail(v, "users[%u] (%s) is blocked", v->user.index, v->user.name);
		return;
	}
	if (v->user.not_before != NBG_TIME_NONE_LO &&
	    f->now < v->user.not_before - p->clock_skew) {
		v->by_table_entry = true;
		verdict(v, NBG_ACT_DENY, NBG_R_ASSIGNMENT_NOT_YET_VALID, &p->clock_skew_origin);
		detail(v, "users[%u] (%s) is valid from %lld, now %lld (clock_skew %llds)",
		    v->user.index, v->user.name, (long long)v->user.not_before,
		    (long long)f->now, (long long)p->clock_skew);
		return;
	}
	if (v->user.not_after != NBG_TIME_NONE_HI &&
	    f->now > v->user.not_after + p->clock_skew) {
		v->by_table_entry = true;
		verdict(v, NBG_ACT_DENY, NBG_R_ASSIGNMENT_EXPIRED, &p->clock_skew_origin);
		detail(v, "users[%u] (%s) expired at %lld, now %lld (clock_skew %llds)",
		    v->user.index, v->user.name, (long long)v->user.not_after,
		    (long long)f->now, (long long)p->clock_skew);
		return;
	}
	v->role = nbg_policy_role(p, v->user.role);
	if (v->role == NULL) {
		v->by_table_entry = true;
		verdict(v, NBG_ACT_DENY, NBG_R_ROLE_UNKNOWN, NULL);
		detail(v, "users[%u] (%s) has role '%s', which the policy does not define",
		    v->user.index, v->user.name, v->user.role);
		return;
	}
	/* 8. the source */
	if (!check_source(p, v))
		return;
	/* 9. the key, where the phase can see it */
	if (f->phase != NBG_PHASE_ACCOUNT && !check_binding(p, t->table, f, v))
		return;
	v->action = NBG_ACT_ALLOW;
	v->reason = NBG_R_GRANTED;
	v->by_table_entry = true;
	v->origin = v->role->origin;
	detail(v, "users[%u] (%s) holds role %s%s", v->user.index, v->user.name,
	    v->role->name, v->cache_stale ? " (role table past max_cache_age: stale_cache warn)" : "");
}

void nbg_verdict_policy_invalid(const struct nbg_facts *facts, struct nbg_verdict *v)
{
	(void)facts;
	memset(v, 0, sizeof(*v));
	v->key_index = -1;
	v->access_path = "default";
	v->action = NBG_ACT_DENY;
	v->reason = NBG_R_POLICY_INVALID;
	detail(v, "the policy could not be loaded; nothing is granted");
}

int nbg_auth_info_pubkey(const char *auth_info, uint8_t *blob, size_t bloblen,
    size_t *outlen, enum nbg_keytype *type)
{
	const char *s, *nl;

	for (s = auth_info; s != NULL && *s != '\0'; s = nl != NULL ? nl + 1 : NULL) {
		const char *t, *b, *e;
		size_t len;
		long n;

		nl = strchr(s, '\n');
		len = nl != NULL ? (size_t)(nl - s) : strlen(s);
		if (len < 10 || strncmp(s, "publickey ", 10) != 0)
			continue;
		e = s + len;
		t = s + 10;
		b = memchr(t, ' ', (size_t)(e - t));
		if (b == NULL)
			return -2;
		*type = nbg_keytype_from_name(t, (size_t)(b - t));
		b++;
		{
			const char *sp = memchr(b, ' ', (size_t)(e - b));

			if (sp != NULL)
				e = sp;
		}
		n = nbg_base64_decode(b, (size_t)(e - b), blob, bloblen);
		if (n <= 0)
			return -2;
		*outlen = (size_t)n;
		return 0;
	}
	return -1;
}
