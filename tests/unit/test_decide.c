/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_decide.c - decide(), table-driven: every rule, every reason code it
 * can give, in every phase where it applies, with the shipped example role
 * table (policy/examples/roles.example.json, real FIDO2 public keys).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "decide.h"

#define T0 1795564800	/* 2026-11-25T00:00:00Z: inside carol's window */

static const char base_policy[] =
    "fabric fab-example-01\n"
    "role_table /nonexistent/roles.db\n"
    "max_cache_age 1d\n"
    "stale_cache %s\n"
    "clock_skew 5m\n"
    "role reader show\n"
    "role writer show configure\n"
    "%s"				/* key_types */
    "unknown_users %s\n"
    "deny_user erin\n"
    "fallback %s\n"
    "fallback_account telcoro reader\n"
    "fallback_account telcorw writer\n"
    "access_path inband 10.99.0.1/32 2001:db8:99::1/128\n"
    "%s"				/* trusted sources */
    "account_uid_range 61000-61999\n";

static const char trusted[] =
    "trusted_source default 192.0.2.0/24 2001:db8:20::/48\n"
    "trusted_source inband 198.51.100.0/24\n";

enum variant {
	V_BASE = 0, V_STALE_WARN, V_UNKNOWN_IGNORE, V_FALLBACK_NEVER, V_FALLBACK_ALWAYS,
	V_ED25519_ONLY, V_NO_TRUSTED, V_STALE_FALLBACK, V_NO_WRITER, V__COUNT
};

static struct nbg_policy *policies[V__COUNT];
static struct nbg_table *table, *foreign;
static char keyinfo[8][1200];	/* "publickey TYPE B64" per example key */
static char plain_info[512];

enum tstate { TS_OK = 0, TS_STALE, TS_MISSING, TS_INVALID, TS_INSECURE, TS_FOREIGN };

/* keyinfo indexes: alice ed, bob ed, bob ecdsa, carol ecdsa, dave ed, erin ecdsa */
enum { K_ALICE = 0, K_BOB_ED, K_BOB_EC, K_CAROL, K_DAVE, K_ERIN, K_PLAIN = 100, K_NONE = -1,
	K_GARBAGE = 101, K_PASSWORD = 102 };

struct tcase {
	const char *name;
	enum variant v;
	enum tstate ts;
	const char *user;
	int64_t uid;
	const char *service;
	enum nbg_phase phase;
	const char *conn;	/* SSH_CONNECTION */
	const char *rhost;
	int key;		/* K_* */
	int64_t now;
	enum nbg_action action;
	enum nbg_reason reason;
	const char *role;	/* expected role name, or NULL */
	bool fallback;
};

#define GOOD "192.0.2.10 50022 192.0.2.1 22"
#define SSHD "sshd"
#define ACC NBG_PHASE_ACCOUNT
#define SES NBG_PHASE_SESSION
#define ALLOW NBG_ACT_ALLOW
#define DENY NBG_ACT_DENY

static const struct tcase cases[] = {
	/* grants */
	{ "reader granted (account)", V_BASE, TS_OK, "alice", 61001, SSHD, ACC, GOOD, NULL, K_NONE, T0,
	  ALLOW, NBG_R_GRANTED, "reader", false },
	{ "reader granted (session, her key)", V_BASE, TS_OK, "alice", 61001, SSHD, SES, GOOD, NULL,
	  K_ALICE, T0, ALLOW, NBG_R_GRANTED, "reader", false },
	{ "writer granted with 2nd key (ecdsa)", V_BASE, TS_OK, "bob", 61002, SSHD, SES, GOOD, NULL,
	  K_BOB_EC, T0, ALLOW, NBG_R_GRANTED, "writer", false },
	{ "inside validity window", V_BASE, TS_OK, "carol", 61003, SSHD, SES, GOOD, NULL, K_CAROL, T0,
	  ALLOW, NBG_R_GRANTED, "writer", false },
	{ "uid unknown (-1) is not checked", V_BASE, TS_OK, "alice", -1, SSHD, ACC, GOOD, NULL, K_NONE,
	  T0, ALLOW, NBG_R_GRANTED, "reader", false },
	{ "local login (no address) not source-checked", V_BASE, TS_OK, "alice", 61001, "login", ACC,
	  NULL, NULL, K_NONE, T0, ALLOW, NBG_R_GRANTED, "reader", false },
	{ "trusted v6", V_BASE, TS_OK, "alice", 61001, SSHD, ACC,
	  "2001:db8:20::5 50022 2001:db8:20::1 22", NULL, K_NONE, T0, ALLOW, NBG_R_GRANTED, "reader",
	  false },
	{ "trusted IPv4-mapped", V_BASE, TS_OK, "alice", 61001, SSHD, ACC,
	  "::ffff:192.0.2.99 50022 ::ffff:192.0.2.1 22", NULL, K_NONE, T0, ALLOW, NBG_R_GRANTED,
	  "reader", false },
	{ "in-band path, in-band trusted", V_BASE, TS_OK, "alice", 61001, SSHD, ACC,
	  "198.51.100.9 50022 10.99.0.1 22", NULL, K_NONE, T0, ALLOW, NBG_R_GRANTED, "reader", false },
	{ "rhost numeric when no SSH_CONNECTION", V_BASE, TS_OK, "alice", 61001, SSHD, ACC, NULL,
	  "192.0.2.44", K_NONE, T0, ALLOW, NBG_R_GRANTED, "reader", false },
	{ "no trusted_source: unrestricted", V_NO_TRUSTED, TS_OK, "alice", 61001, SSHD, ACC,
	  "203.0.113.1 50022 192.0.2.1 22", NULL, K_NONE, T0, ALLOW, NBG_R_GRANTED, "reader", false },
	{ "no trusted_source: host name is fine", V_NO_TRUSTED, TS_OK, "alice", 61001, SSHD, ACC,
	  NULL, "jump.example.net", K_NONE, T0, ALLOW, NBG_R_GRANTED, "reader", false },
	{ "stale_cache warn grants", V_STALE_WARN, TS_STALE, "alice", 61001, SSHD, SES, GOOD, NULL,
	  K_ALICE, T0, ALLOW, NBG_R_GRANTED, "reader", false },
	{ "clock skew tolerated before not_before", V_BASE, TS_OK, "carol", 61003, SSHD, ACC, GOOD,
	  NULL, K_NONE, 1795132800 - 200, ALLOW, NBG_R_GRANTED, "writer", false },
	{ "clock skew tolerated after not_after", V_BASE, TS_OK, "carol", 61003, SSHD, ACC, GOOD,
	  NULL, K_NONE, 1798761599 + 200, ALLOW, NBG_R_GRANTED, "writer", false },
	/* names */
	{ "invalid user name", V_BASE, TS_OK, "Bad User", 61001, SSHD, ACC, GOOD, NULL, K_NONE, T0,
	  NBG_ACT_DENY_UNKNOWN, NBG_R_INVALID_USERNAME, NULL, false },
	{ "invalid user name, ignore", V_UNKNOWN_IGNORE, TS_OK, "x res=success", 61001, SSHD, ACC,
	  GOOD, NULL, K_NONE, T0, NBG_ACT_IGNORE, NBG_R_INVALID_USERNAME, NULL, false },
	{ "unknown user", V_BASE, TS_OK, "zed", 61009, SSHD, ACC, GOOD, NULL, K_NONE, T0,
	  NBG_ACT_DENY_UNKNOWN, NBG_R_UNKNOWN_USER, NULL, false },
	{ "unknown user, ignore", V_UNKNOWN_IGNORE, TS_OK, "zed", 61009, SSHD, ACC, GOOD, NULL,
	  K_NONE, T0, NBG_ACT_IGNORE, NBG_R_UNKNOWN_USER, NULL, false },
	{ "outside uid range, ignore: not ours even without a table", V_UNKNOWN_IGNORE, TS_MISSING,
	  "root", 0, SSHD, ACC, GOOD, NULL, K_NONE, T0, NBG_ACT_IGNORE, NBG_R_UNKNOWN_USER, NULL,
	  false },
	/* deny list, account */
	{ "local deny list wins", V_BASE, TS_OK, "erin", 61005, SSHD, ACC, GOOD, NULL, K_NONE, T0,
	  DENY, NBG_R_USER_DENIED_LOCALLY, NULL, false },
	{ "table user resolving to uid 0", V_BASE, TS_OK, "alice", 0, SSHD, ACC, GOOD, NULL, K_NONE,
	  T0, DENY, NBG_R_ACCOUNT_NOT_MANAGED, NULL, false },
	{ "table user outside uid range", V_BASE, TS_OK, "alice", 1000, SSHD, ACC, GOOD, NULL,
	  K_NONE, T0, DENY, NBG_R_ACCOUNT_NOT_MANAGED, NULL, false },
	{ "blocked", V_BASE, TS_OK, "dave", 61004, SSHD, ACC, GOOD, NULL, K_NONE, T0, DENY,
	  NBG_R_USER_BLOCKED, NULL, false },
	{ "not yet valid", V_BASE, TS_OK, "carol", 61003, SSHD, ACC, GOOD, NULL, K_NONE,
	  1795132800 - 400, DENY, NBG_R_ASSIGNMENT_NOT_YET_VALID, NULL, false },
	{ "expired", V_BASE, TS_OK, "carol", 61003, SSHD, SES, GOOD, NULL, K_CAROL, 1798761599 + 400,
	  DENY, NBG_R_ASSIGNMENT_EXPIRED, NULL, false },
	/* source */
	{ "untrusted v4", V_BASE, TS_OK, "alice", 61001, SSHD, ACC, "203.0.113.9 50022 192.0.2.1 22",
	  NULL, K_NONE, T0, DENY, NBG_R_SOURCE_NOT_TRUSTED, "reader", false },
	{ "untrusted v6", V_BASE, TS_OK, "alice", 61001, SSHD, ACC,
	  "2001:db8:666::1 50022 2001:db8:20::1 22", NULL, K_NONE, T0, DENY,
	  NBG_R_SOURCE_NOT_TRUSTED, "reader", false },
	{ "in-band path, default-trusted source", V_BASE, TS_OK, "alice", 61001, SSHD, ACC,
	  "192.0.2.10 50022 10.99.0.1 22", NULL, K_NONE, T0, DENY, NBG_R_SOURCE_NOT_TRUSTED,
	  "reader", false },
	{ "in-band v6 local address", V_BASE, TS_OK, "alice", 61001, SSHD, ACC,
	  "2001:db8:20::5 50022 2001:db8:99::1 22", NULL, K_NONE, T0, DENY,
	  NBG_R_SOURCE_NOT_TRUSTED, "reader", false },
	{ "host name as rhost on a restricted path", V_BASE, TS_OK, "alice", 61001, SSHD, ACC, NULL,
	  "jump.example.net", K_NONE, T0, DENY, NBG_R_SOURCE_UNKNOWN, "reader", false },
	{ "SSH_CONNECTION address wins over rhost", V_BASE, TS_OK, "alice", 61001, SSHD, ACC,
	  "203.0.113.9 50022 192.0.2.1 22", "192.0.2.10", K_NONE, T0, DENY,
	  NBG_R_SOURCE_NOT_TRUSTED, "reader", false },
	/* the cache */
	{ "cache missing", V_BASE, TS_MISSING, "alice", 61001, SSHD, ACC, GOOD, NULL, K_NONE, T0,
	  NBG_ACT_UNAVAILABLE, NBG_R_CACHE_MISSING, NULL, false },
	{ "cache invalid", V_BASE, TS_INVALID, "alice", 61001, SSHD, ACC, GOOD, NULL, K_NONE, T0,
	  NBG_ACT_UNAVAILABLE, NBG_R_CACHE_INVALID, NULL, false },
	{ "cache insecure", V_BASE, TS_INSECURE, "alice", 61001, SSHD, ACC, GOOD, NULL, K_NONE, T0,
	  NBG_ACT_UNAVAILABLE, NBG_R_CACHE_INSECURE, NULL, false },
	{ "cache of another fabric", V_BASE, TS_FOREIGN, "alice", 61001, SSHD, ACC, GOOD, NULL,
	  K_NONE, T0, NBG_ACT_UNAVAILABLE, NBG_R_CACHE_WRONG_FABRIC, NULL, false },
	{ "cache stale, deny", V_BASE, TS_STALE, "alice", 61001, SSHD, ACC, GOOD, NULL, K_NONE, T0,
	  DENY, NBG_R_CACHE_STALE, NULL, false },
	{ "cache stale, fallback: v2.0 user refused", V_STALE_FALLBACK, TS_STALE, "alice", 61001,
	  SSHD, ACC, GOOD, NULL, K_NONE, T0, DENY, NBG_R_CACHE_STALE, NULL, false },
	/* fallback accounts */
	{ "fallback auto, fresh table", V_BASE, TS_OK, "telcoro", 1001, SSHD, ACC, GOOD, NULL,
	  K_NONE, T0, DENY, NBG_R_FALLBACK_INACTIVE, "reader", true },
	{ "fallback auto, stale table", V_BASE, TS_STALE, "telcoro", 1001, SSHD, SES, GOOD, NULL,
	  K_NONE, T0, ALLOW, NBG_R_GRANTED, "reader", true },
	{ "fallback auto, missing table", V_BASE, TS_MISSING, "telcorw", 1002, SSHD, SES, GOOD, NULL,
	  K_NONE, T0, ALLOW, NBG_R_GRANTED, "writer", true },
	{ "fallback auto, invalid table", V_BASE, TS_INVALID, "telcorw", 1002, SSHD, ACC, GOOD, NULL,
	  K_NONE, T0, ALLOW, NBG_R_GRANTED, "writer", true },
	{ "fallback auto, foreign table", V_BASE, TS_FOREIGN, "telcorw", 1002, SSHD, ACC, GOOD, NULL,
	  K_NONE, T0, ALLOW, NBG_R_GRANTED, "writer", true },
	{ "fallback never, missing table", V_FALLBACK_NEVER, TS_MISSING, "telcoro", 1001, SSHD, ACC,
	  GOOD, NULL, K_NONE, T0, DENY, NBG_R_FALLBACK_INACTIVE, "reader", true },
	{ "fallback always, fresh table", V_FALLBACK_ALWAYS, TS_OK, "telcoro", 1001, SSHD, ACC, GOOD,
	  NULL, K_NONE, T0, ALLOW, NBG_R_GRANTED, "reader", true },
	{ "fallback granted but untrusted source", V_FALLBACK_ALWAYS, TS_OK, "telcoro", 1001, SSHD,
	  ACC, "203.0.113.9 50022 192.0.2.1 22", NULL, K_NONE, T0, DENY, NBG_R_SOURCE_NOT_TRUSTED,
	  "reader", true },
	{ "role the policy does not define", V_NO_WRITER, TS_OK, "bob", 61002, SSHD, ACC, GOOD, NULL,
	  K_NONE, T0, DENY, NBG_R_ROLE_UNKNOWN, NULL, false },
	/* the key <-> user binding (session) */
	{ "no auth info", V_BASE, TS_OK, "alice", 61001, SSHD, SES, GOOD, NULL, K_NONE, T0, DENY,
	  NBG_R_NO_AUTH_INFO, "reader", false },
	{ "password only", V_BASE, TS_OK, "alice", 61001, SSHD, SES, GOOD, NULL, K_PASSWORD, T0, DENY,
	  NBG_R_NO_AUTH_INFO, "reader", false },
	{ "plain ssh-ed25519 key", V_BASE, TS_OK, "alice", 61001, SSHD, SES, GOOD, NULL, K_PLAIN, T0,
	  DENY, NBG_R_NOT_FIDO2_KEY, "reader", false },
	{ "another user's key", V_BASE, TS_OK, "alice", 61001, SSHD, SES, GOOD, NULL, K_BOB_ED, T0,
	  DENY, NBG_R_KEY_NOT_REGISTERED, "reader", false },
	{ "garbage auth info", V_BASE, TS_OK, "alice", 61001, SSHD, SES, GOOD, NULL, K_GARBAGE, T0,
	  DENY, NBG_R_AUTH_INFO_INVALID, "reader", false },
	{ "key type not allowed by policy", V_ED25519_ONLY, TS_OK, "bob", 61002, SSHD, SES, GOOD,
	  NULL, K_BOB_EC, T0, DENY, NBG_R_KEY_TYPE_NOT_ALLOWED, "writer", false },
	{ "non-ssh service without a proven key", V_BASE, TS_OK, "alice", 61001, "login", SES, NULL,
	  NULL, K_ALICE, T0, DENY, NBG_R_NO_AUTH_INFO, "reader", false },
};

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL) {
		if (f != NULL)
			fclose(f);
		return NULL;
	}
	*len = fread(buf, 1, (size_t)n, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static struct nbg_table *compile(const char *json, size_t len)
{
	struct nbg_roledoc_opts opts = { 0 };
	struct nbg_table *t = NULL;
	char err[NBG_ERR_LEN];
	uint8_t *img = NULL;
	size_t ilen = 0;

	assert_int_equal(nbg_roledoc_compile(json, len, &opts, &img, &ilen, err), 0);
	assert_int_equal(nbg_table_from_image(img, ilen, &t, err), 0);
	free(img);
	return t;
}

static int setup(void **state)
{
	const char *src = getenv("NBG_SRCDIR");
	char path[4096], buf[256], *json, *p;
	size_t len = 0, nk = 0;
	uint8_t blob[51];

	(void)state;
	if (src == NULL)
		src = ".";
	snprintf(path, sizeof(path), "%s/policy/examples/roles.example.json", src);
	json = read_file(path, &len);
	assert_non_null(json);
	table = compile(json, len);
	/* every key of the example, in document order, as sshd would report it */
	for (uint32_t i = 0; i < nbg_table_nusers(table) && nk < 8; i++) {
		struct nbg_user u;
		char err[NBG_ERR_LEN], b64[1024];

		assert_int_equal(nbg_table_user_at(table, i, &u, err), 0);
		for (uint32_t k = 0; k < u.nkeys && nk < 8; k++) {
			struct nbg_user_key key;

			assert_int_equal(nbg_table_user_key(table, &u, k, &key, err), 0);
			assert_true(nbg_base64_encode(key.blob, key.blob_len, b64, sizeof(b64)) > 0);
			snprintf(keyinfo[nk++], sizeof(keyinfo[0]), "publickey %s %s\n",
			    nbg_keytype_name(key.type), b64);
		}
	}
	assert_int_equal(nk, 6);
	/* the same document for another fabric */
	p = strstr(json, "fab-example-01");
	assert_non_null(p);
	memcpy(p, "fab-example-02", 14);
	foreign = compile(json, len);
	free(json);
	/* a plain ssh-ed25519 key */
	memcpy(blob, "\0\0\0\x0bssh-ed25519\0\0\0\x20", 19);
	memset(blob + 19, 0x42, 32);
	assert_true(nbg_base64_encode(blob, sizeof(blob), buf, sizeof(buf)) > 0);
	snprintf(plain_info, sizeof(plain_info), "publickey ssh-ed25519 %s\n", buf);

	for (int v = 0; v < V__COUNT; v++) {
		char text[4096];
		struct nbg_diag diag = { 0 };

		snprintf(text, sizeof(text), base_policy,
		    v == V_STALE_WARN ? "warn" : v == V_STALE_FALLBACK ? "fallback" : "deny",
		    v == V_ED25519_ONLY ? "key_types sk-ssh-ed25519@openssh.com\n" : "",
		    v == V_UNKNOWN_IGNORE ? "ignore" : "deny",
		    v == V_FALLBACK_NEVER ? "never" : v == V_FALLBACK_ALWAYS ? "always" : "auto",
		    v == V_NO_TRUSTED ? "" : trusted);
		if (v == V_NO_WRITER) {
			/* the table's writers hold a role this policy does not define */
			p = strstr(text, "role writer show configure");
			assert_non_null(p);
			memcpy(p, "role auditr show          ", 26);
			p = strstr(text, "telcorw writer");
			assert_non_null(p);
			memcpy(p, "telcorw auditr", 14);
		}
		if (v == V_NO_TRUSTED) {
			/* the in-band path then has no sources: allowed, with a warning */
			p = strstr(text, "access_path");
			assert_non_null(p);
			*p = '#';
		}
		if (nbg_policy_load_buffer("test.conf", text, strlen(text), &policies[v],
		    &diag) != 0) {
			nbg_diag_print(stderr, &diag);
			fail_msg("policy variant %d does not load", v);
		}
		nbg_diag_free(&diag);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int v = 0; v < V__COUNT; v++)
		nbg_policy_free(policies[v]);
	nbg_table_free(table);
	nbg_table_free(foreign);
	return 0;
}

static void run_case(const struct tcase *c, struct nbg_verdict *v)
{
	struct nbg_table_state st = { 0 };
	struct nbg_facts f = { 0 };

	switch (c->ts) {
	case TS_OK:
	case TS_STALE:
		st.status = NBG_TABLE_OK;
		st.table = table;
		st.confirmed_at = c->ts == TS_STALE ? c->now - 2 * 86400 : c->now - 600;
		break;
	case TS_FOREIGN:
		st.status = NBG_TABLE_OK;
		st.table = foreign;
		st.confirmed_at = c->now - 600;
		break;
	case TS_MISSING:
		st.status = NBG_TABLE_MISSING;
		break;
	case TS_INVALID:
		st.status = NBG_TABLE_INVALID;
		break;
	case TS_INSECURE:
		st.status = NBG_TABLE_INSECURE;
		break;
	}
	f.user = c->user;
	f.uid = c->uid;
	f.service = c->service;
	f.phase = c->phase;
	f.ssh_connection = c->conn;
	f.rhost = c->rhost;
	f.now = c->now;
	if (c->key >= 0 && c->key < 8)
		f.auth_info = keyinfo[c->key];
	else if (c->key == K_PLAIN)
		f.auth_info = plain_info;
	else if (c->key == K_GARBAGE)
		f.auth_info = "publickey sk-ssh-ed25519@openssh.com !!notbase64!!\n";
	else if (c->key == K_PASSWORD)
		f.auth_info = "password\nkeyboard-interactive/pam\n";
	nbg_decide(policies[c->v], &st, &f, v);
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *c = &cases[i];
		struct nbg_verdict v;

		run_case(c, &v);
		if (v.action != c->action || v.reason != c->reason)
			fail_msg("%s: got action %d reason %s (%s), want action %d reason %s",
			    c->name, v.action, nbg_reason_str(v.reason), v.detail, c->action,
			    nbg_reason_str(c->reason));
		if (c->role != NULL && (v.role == NULL || strcmp(v.role->name, c->role) != 0))
			fail_msg("%s: role %s, want %s", c->name, v.role ? v.role->name : "(none)",
			    c->role);
		if (c->action == ALLOW && c->role == NULL)
			fail_msg("%s: a grant must name a role", c->name);
		if (v.fallback != c->fallback)
			fail_msg("%s: fallback %d, want %d", c->name, v.fallback, c->fallback);
		if (v.detail[0] == '\0')
			fail_msg("%s: no detail", c->name);
	}
}

/* Every reason decide() can give appears in the table above. */
static void test_every_reason_covered(void **state)
{
	static const enum nbg_reason not_from_decide[] = {
		NBG_R_POLICY_INVALID, NBG_R_NO_AUDIT_SESSION, NBG_R_AUDIT_SESSION_IN_USE,
		NBG_R_CAPABILITY_DENIED, NBG_R_SESSION_RECORD_INVALID, NBG_R_INTERNAL_ERROR,
	};
	(void)state;
	for (int r = 0; r < NBG_R__COUNT; r++) {
		bool seen = false, exempt = false;

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			seen |= (int)cases[i].reason == r;
		for (size_t i = 0; i < sizeof(not_from_decide) / sizeof(not_from_decide[0]); i++)
			exempt |= (int)not_from_decide[i] == r;
		/* the auth phase's own reasons are tested with its signatures (test_auth.py) */
		exempt |= strstr(nbg_reason_str((enum nbg_reason)r), "signature") != NULL ||
		    strstr(nbg_reason_str((enum nbg_reason)r), "challenge") != NULL ||
		    strstr(nbg_reason_str((enum nbg_reason)r), "user-presence") != NULL ||
		    strstr(nbg_reason_str((enum nbg_reason)r), "user-verification") != NULL ||
		    strcmp(nbg_reason_str((enum nbg_reason)r), "auth-aborted") == 0;
		if (!seen && !exempt)
			fail_msg("reason %s has no decide() case", nbg_reason_str((enum nbg_reason)r));
	}
}

/* Facts and details: the fingerprint of the key used, the policy line. */
static struct tcase find_case(const char *name)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(cases[i].name, name) == 0)
			return cases[i];
	fail_msg("no case %s", name);
	return cases[0];
}

static void test_verdict_details(void **state)
{
	struct nbg_verdict v;
	struct tcase c = find_case("reader granted (session, her key)");

	(void)state;
	run_case(&c, &v);
	assert_int_equal(v.action, ALLOW);
	assert_true(strncmp(v.key_fp, "SHA256:", 7) == 0);
	assert_int_equal(strlen(v.key_fp), 50);
	assert_int_equal(v.key_index, 0);
	assert_true(v.have_user);
	assert_string_equal(v.user.name, "alice");
	c = find_case("untrusted v4");
	run_case(&c, &v);
	assert_int_equal(v.reason, NBG_R_SOURCE_NOT_TRUSTED);
	assert_string_equal(v.access_path, "default");
	c.conn = "192.0.2.10 50022 10.99.0.1 22";
	run_case(&c, &v);
	assert_string_equal(v.access_path, "inband");
	c = find_case("local deny list wins");	/* names its line */
	run_case(&c, &v);
	assert_int_equal(v.reason, NBG_R_USER_DENIED_LOCALLY);
	assert_int_equal(v.origin.line, 9);
}

static void test_policy_invalid(void **state)
{
	struct nbg_verdict v;
	struct nbg_facts f = { .user = "alice", .now = T0 };

	(void)state;
	nbg_verdict_policy_invalid(&f, &v);
	assert_int_equal(v.action, DENY);
	assert_int_equal(v.reason, NBG_R_POLICY_INVALID);
}

/* Reason strings are stable: the documented list. */
static void test_reason_strings(void **state)
{
	(void)state;
	assert_string_equal(nbg_reason_str(NBG_R_NOT_FIDO2_KEY), "not-fido2-key");
	assert_string_equal(nbg_reason_str(NBG_R_CACHE_STALE), "cache-stale");
	assert_string_equal(nbg_reason_str((enum nbg_reason)9999), "internal-error");
	for (int r = 0; r < NBG_R__COUNT; r++)
		assert_int_equal(nbg_reason_from_str(nbg_reason_str((enum nbg_reason)r)), r);
	assert_int_equal(nbg_reason_from_str("no-such-reason"), -1);
}

static void test_auth_info_pubkey(void **state)
{
	uint8_t blob[NBG_KEYBLOB_MAX];
	enum nbg_keytype t;
	size_t n = 0;

	(void)state;
	assert_int_equal(nbg_auth_info_pubkey(keyinfo[K_BOB_EC], blob, sizeof(blob), &n, &t), 0);
	assert_int_equal(t, NBG_KEY_SK_ECDSA);
	assert_true(n > 100);
	assert_int_equal(nbg_auth_info_pubkey("password\n", blob, sizeof(blob), &n, &t), -1);
	assert_int_equal(nbg_auth_info_pubkey("publickey x\n", blob, sizeof(blob), &n, &t), -2);
	assert_int_equal(nbg_auth_info_pubkey(NULL, blob, sizeof(blob), &n, &t), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_every_reason_covered),
		cmocka_unit_test(test_verdict_details),
		cmocka_unit_test(test_policy_invalid),
		cmocka_unit_test(test_reason_strings),
		cmocka_unit_test(test_auth_info_pubkey),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
