/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_keys.c - `nexusbg keys USER`: sshd's AuthorizedKeysCommand.
 *
 * Prints the user's registered FIDO2 keys from the cached role table, each
 * with `verify-required`, so sshd itself refuses a signature without the
 * user-verification (PIN) flag; never `no-touch-required`, so touch is
 * always required.  It prints the keys of users who are blocked, expired,
 * on the local deny list or whose cache is past its age too: sshd then
 * proves the real token holder signed, and the account phase refuses them
 * with a reason-bearing audit record.  Nothing is printed for users the
 * table does not know, when the policy or the cache is unusable or not
 * trustworthy, or for an account that is root or outside the managed uid
 * range.
 *
 * Runs as the unprivileged AuthorizedKeysCommandUser on every key offered:
 * one policy parse, one mapped lookup, no network.  It reads the compiled
 * cache only, as the module does: a JSON document in role_table is refused.
 * The account's uid comes from sshd (--uid %U), which resolved it already;
 * only without it is the password database asked, which may mean loading
 * NSS modules and reading every line of /var/lib/extrausers/passwd.
 */
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/types.h>
#include <unistd.h>

#include "cli.h"
#include "decide.h"
#include "load.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: nexusbg keys [--policy FILE] [--uid UID] USER\n\n"
	    "Print USER's registered FIDO2 public keys in authorized_keys form, each\n"
	    "with the verify-required option, for sshd's AuthorizedKeysCommand:\n\n"
	    "  AuthorizedKeysCommand /usr/bin/nexusbg keys --uid %%U %%u\n"
	    "  AuthorizedKeysCommandUser nexusbg\n\n"
	    "No keys are printed for root or an account outside account_uid_range.\n"
	    "--uid UID is the account's uid as sshd resolved it (%%U); without it USER\n"
	    "is looked up in the password database, which with 100,000 accounts in\n"
	    "libnss-extrausers costs far more than the rest of the command.\n\n"
	    "exit: 0 keys printed, 1 no keys for USER, 2 error (policy or cache unusable)\n");
}

/* The keys, written to stdout in as few write(2)s as they fit in. */
struct out {
	char buf[8192];
	size_t len;
	bool failed;
};

static int out_flush(struct out *o)
{
	if (o->len > 0 && nbg_cli_write(STDOUT_FILENO, o->buf, o->len) != 0)
		o->failed = true;
	o->len = 0;
	return o->failed ? -1 : 0;
}

static int out_line(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int out_line(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (int pass = 0; pass < 2; pass++) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, sizeof(o->buf) - o->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if ((size_t)n < sizeof(o->buf) - o->len) {
			o->len += (size_t)n;
			return 0;
		}
		/* it did not fit: write what is there and try again in an empty buffer */
		if (pass == 0 && out_flush(o) != 0)
			return -1;
	}
	return -1;	/* a line longer than the buffer: not a key line */
}

/* A uid as sshd writes %U: decimal digits, not (uid_t)-1. */
static bool parse_uid(const char *s, uid_t *out)
{
	uint64_t v = 0;

	if (s[0] == '\0' || strlen(s) > 10)
		return false;
	for (const char *c = s; *c != '\0'; c++) {
		if (*c < '0' || *c > '9')
			return false;
		v = v * 10 + (uint64_t)(*c - '0');
	}
	if (v >= UINT32_MAX)
		return false;
	*out = (uid_t)v;
	return true;
}

/*
 * The uid of the account sshd is logging in to: the one sshd gave, else
 * the password database's.  false when the account does not resolve.
 */
static bool account_uid(const char *user, bool given, uid_t uid_arg, uid_t *uid)
{
	struct passwd *pw;

	if (given) {
		*uid = uid_arg;
		return true;
	}
	if ((pw = getpwnam(user)) == NULL)
		return false;
	*uid = pw->pw_uid;
	return true;
}

int cmd_keys(int argc, char **argv)
{
	const char *policy_path = NULL, *user = NULL;
	char err[NBG_ERR_LEN], b64[NBG_KEYBLOB_MAX * 2];
	struct nbg_policy *p = NULL;
	struct nbg_table *table = NULL;
	struct nbg_table_state st;
	struct nbg_user u;
	struct out o;	/* (buf is not zeroed: only len bytes of it are ever read) */
	uid_t uid_arg = 0, uid;
	bool have_uid = false;
	unsigned printed = 0;
	int i, r, ret = NBG_EXIT_ERROR;

	o.len = 0;
	o.failed = false;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return NBG_EXIT_OK;
		} else if (strcmp(argv[i], "--policy") == 0 && i + 1 < argc) {
			policy_path = argv[++i];
		} else if (strcmp(argv[i], "--uid") == 0 && i + 1 < argc) {
			if (!parse_uid(argv[++i], &uid_arg)) {
				nbg_cli_err("keys", "--uid: not a uid");
				return NBG_EXIT_ERROR;
			}
			have_uid = true;
		} else if (argv[i][0] == '-' || user != NULL) {
			usage(stderr);
			return NBG_EXIT_ERROR;
		} else {
			user = argv[i];
		}
	}
	if (user == NULL) {
		usage(stderr);
		return NBG_EXIT_ERROR;
	}
	if (!nbg_valid_username(user))
		return NBG_EXIT_NO;	/* no table can hold such a name */
	if (nbg_cli_load_policy("keys", policy_path, false, &p) != 0) {
		syslog(LOG_AUTHPRIV | LOG_ERR, "nexusbg keys: policy unusable; no keys printed");
		goto out;
	}
	nbg_cli_open_cache(p, true, &table, &st, err);
	if (st.status != NBG_TABLE_OK) {
		nbg_cli_err("keys", "role table %s unusable: %s", p->role_table, err);
		syslog(LOG_AUTHPRIV | LOG_ERR, "nexusbg keys: role table %s unusable: %s",
		    p->role_table, err);
		goto out;
	}
	if (p->fabric != NULL && strcmp(p->fabric, nbg_table_fabric(table)) != 0) {
		nbg_cli_err("keys", "role table is for fabric %s, this device is in %s",
		    nbg_table_fabric(table), p->fabric);
		goto out;
	}
	r = nbg_table_find(table, user, &u, err);
	if (r < 0) {
		nbg_cli_err("keys", "role table lookup: %s", err);
		goto out;
	}
	ret = NBG_EXIT_NO;
	if (r == 0)
		goto out;
	/* Never hand sshd keys for root or an account outside the managed range. */
	if (account_uid(user, have_uid, uid_arg, &uid) && (uid == 0 || (p->has_uid_range &&
	    (uid < p->uid_min || uid > p->uid_max)))) {
		syslog(LOG_AUTHPRIV | LOG_WARNING, "nexusbg keys: %s resolves to uid %u, "
		    "outside the managed range; no keys printed", user, (unsigned)uid);
		goto out;
	}
	for (uint32_t k = 0; k < u.nkeys; k++) {
		struct nbg_user_key key;

		if (nbg_table_user_key(table, &u, k, &key, err) != 0) {
			nbg_cli_err("keys", "role table: %s", err);
			ret = NBG_EXIT_ERROR;
			goto out;
		}
		if (!nbg_keytype_is_fido2(key.type) || !nbg_policy_key_type_allowed(p, key.type))
			continue;
		if (nbg_base64_encode(key.blob, key.blob_len, b64, sizeof(b64)) < 0)
			continue;
		if (out_line(&o, "verify-required %s %s nexusbg:%s\n", nbg_keytype_name(key.type),
		    b64, u.name) != 0) {
			ret = NBG_EXIT_ERROR;
			goto out;
		}
		printed++;
	}
	ret = printed > 0 ? NBG_EXIT_OK : NBG_EXIT_NO;
out:
	if (out_flush(&o) != 0)
		ret = NBG_EXIT_ERROR;
	nbg_table_free(table);
	nbg_policy_free(p);
	return ret;
}
