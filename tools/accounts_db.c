/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * accounts_db.c - `accounts nexusbg`: the accounts of accounts.c, read
 * from and written to the accounts database libnss_nexusbg.so.2 reads.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts_db.h"
#include "policy/acctdb.h"

static void db_err(char err[NBG_CF_ERR_LEN], const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void db_err(char err[NBG_CF_ERR_LEN], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, NBG_CF_ERR_LEN, fmt, ap);
	va_end(ap);
}

void nbg_accounts_db_setup(struct nbg_accounts_opts *o, nbg_accounts_note_cb *note,
    void *arg)
{
	struct nbg_acctdb db;
	char why[NBG_ACCTDB_ERR_LEN], msg[NBG_ACCTDB_ERR_LEN + 64];

	o->migrate_dir = o->dir;
	o->db = NBG_ACCOUNTS_DB;
	o->dir = NBG_ACCOUNTS_DB_DIR;
	switch (nbg_acctdb_open(&db, o->db, NBG_ACCTDB_CHECK_PERMS, why)) {
	case NBG_ACCTDB_OK:
		nbg_acctdb_close(&db);
		break;
	case NBG_ACCTDB_INVALID:
		if (note != NULL) {
			snprintf(msg, sizeof(msg), "%s; rebuilding it", why);
			note(arg, msg);
		}
		break;
	case NBG_ACCTDB_MISSING:
	case NBG_ACCTDB_INSECURE:
		/* missing: the first run; insecure: nbg_accounts_db_read() refuses it */
		break;
	}
}

struct text {
	char *p;
	size_t len, cap;
};

static int text_add(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap != 0 ? t->cap : 65536;
		char *p;

		while (cap < t->len + n + 1)
			cap *= 2;
		if ((p = realloc(t->p, cap)) == NULL)
			return -1;
		t->p = p;
		t->cap = cap;
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
	return 0;
}

/*
 * The database as passwd(5) lines.  A record that does not check out is
 * left out, as accounts.c skips a passwd line it cannot read: its user
 * gets a fresh uid.
 */
static int db_text(const struct nbg_acctdb *db, char **out, size_t *len,
    char err[NBG_CF_ERR_LEN])
{
	struct text t = { 0 };
	char line[NBG_ACCTDB_NAME_MAX + NBG_ACCTDB_GECOS_MAX + 2 * NBG_ACCTDB_PATH_MAX + 64];

	if (text_add(&t, "", 0) != 0)
		goto oom;
	for (uint32_t i = 0; i < nbg_acctdb_count(db); i++) {
		struct nbg_acct a;
		int n;

		if (nbg_acctdb_at(db, i, &a, NULL) != 0)
			continue;
		n = snprintf(line, sizeof(line), "%s:x:%u:%u:%s:%s:%s\n", a.name, a.uid, a.gid,
		    a.gecos, a.home, a.shell);
		if (n < 0 || (size_t)n >= sizeof(line))
			continue;	/* cannot happen: the reader bounds every field */
		if (text_add(&t, line, (size_t)n) != 0)
			goto oom;
	}
	*out = t.p;
	*len = t.len;
	return NBG_CF_OK;
oom:
	free(t.p);
	db_err(err, "accounts: out of memory reading %u accounts", nbg_acctdb_count(db));
	return NBG_CF_ERR_SYSTEM;
}

int nbg_accounts_db_read(const struct nbg_accounts_opts *o, char **text, size_t *len,
    char err[NBG_CF_ERR_LEN])
{
	struct nbg_acctdb db;
	char why[NBG_ACCTDB_ERR_LEN], path[PATH_MAX], cferr[NBG_CF_ERR_LEN], *img;
	size_t imglen;
	int r, n;

	*text = NULL;
	*len = 0;
	switch (nbg_acctdb_open(&db, o->db, NBG_ACCTDB_CHECK_PERMS, why)) {
	case NBG_ACCTDB_OK:
		/* trusted: read it whole (sync holds the lock, nobody replaces it meanwhile) */
		nbg_acctdb_close(&db);
		if ((r = nbg_cf_read(o->db, NBG_ACCTDB_MAX_BYTES, NBG_CF_READ_ROOT, &img, &imglen,
		    cferr)) != NBG_CF_OK) {
			db_err(err, "accounts: %s", cferr);
			return r;
		}
		if (nbg_acctdb_from_image(&db, img, imglen, why) != 0) {
			free(img);
			break;	/* as if it did not open */
		}
		r = db_text(&db, text, len, err);
		free(img);
		return r;
	case NBG_ACCTDB_INSECURE:
		db_err(err, "accounts: %s: not trusted", why);
		return NBG_CF_ERR_INSECURE;
	case NBG_ACCTDB_MISSING:
	case NBG_ACCTDB_INVALID:
		break;
	}
	/*
	 * No usable database: the uids of the extrausers files, if this device
	 * used `accounts extrausers` before.  Best effort: a file that is not
	 * there or not trusted just gives nothing.
	 */
	if (o->migrate_dir == NULL)
		return NBG_CF_ERR_NOT_FOUND;
	n = snprintf(path, sizeof(path), "%s/passwd", o->migrate_dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return NBG_CF_ERR_NOT_FOUND;
	r = nbg_cf_read(path, NBG_ACCOUNTS_FILE_MAX, NBG_CF_READ_ROOT, text, len, cferr);
	return r == NBG_CF_OK ? NBG_CF_OK : NBG_CF_ERR_NOT_FOUND;
}

/* accounts.c's passwd lines into entries (pointing into TEXT, which is cut up). */
static int parse_passwd(char *text, struct nbg_acctdb_entry **out, size_t *n,
    char err[NBG_CF_ERR_LEN])
{
	struct nbg_acctdb_entry *v;
	size_t lines = 0, k = 0;
	char *line, *nl, *f[7];

	for (const char *p = text; *p != '\0'; p++)
		lines += *p == '\n';
	if ((v = calloc(lines > 0 ? lines : 1, sizeof(*v))) == NULL) {
		db_err(err, "accounts: out of memory for %zu accounts", lines);
		return -1;
	}
	for (line = text; *line != '\0'; line = nl) {
		if ((nl = strchr(line, '\n')) == NULL) {
			db_err(err, "accounts: unterminated passwd line %zu", k + 1);
			goto bad;
		}
		*nl++ = '\0';
		if (nbg_accounts_split(line, f, 7) != 7 || nbg_accounts_parse_u32(f[2], &v[k].uid) != 0 ||
		    nbg_accounts_parse_u32(f[3], &v[k].gid) != 0) {
			db_err(err, "accounts: malformed passwd line %zu", k + 1);
			goto bad;
		}
		v[k].name = f[0];
		v[k].gecos = f[4];
		v[k].home = f[5];
		v[k].shell = f[6];
		k++;
	}
	*out = v;
	*n = k;
	return 0;
bad:
	free(v);
	return -1;
}

/* The group line "NAME:x:GID:MEMBERS": its name and gid (the members are implicit). */
static int parse_group(char *text, const char **name, uint32_t *gid,
    char err[NBG_CF_ERR_LEN])
{
	char *nl, *f[4];

	if ((nl = strchr(text, '\n')) != NULL)
		*nl = '\0';
	if (nbg_accounts_split(text, f, 4) != 4 || nbg_accounts_parse_u32(f[2], gid) != 0) {
		db_err(err, "accounts: malformed group line");
		return -1;
	}
	*name = f[0];
	return 0;
}

/* Does PATH hold exactly IMG, as a root-owned 0644 file? */
static bool is_current(const char *path, const uint8_t *img, size_t len)
{
	char cferr[NBG_CF_ERR_LEN], *cur = NULL;
	struct stat st;
	size_t curlen = 0;
	bool same;

	if (nbg_cf_read(path, NBG_ACCTDB_MAX_BYTES, NBG_CF_READ_ROOT, &cur, &curlen, cferr) !=
	    NBG_CF_OK)
		return false;
	same = curlen == len && memcmp(cur, img, len) == 0 && lstat(path, &st) == 0 &&
	    (st.st_mode & 07777) == 0644;
	free(cur);
	return same;
}

int nbg_accounts_db_write(const struct nbg_accounts_opts *o, const char *pw, size_t pwlen,
    const char *gr, size_t grlen, bool *changed, char err[NBG_CF_ERR_LEN])
{
	struct nbg_acctdb_entry *v = NULL;
	char *pwc = NULL, *grc = NULL, why[NBG_ACCTDB_ERR_LEN], cferr[NBG_CF_ERR_LEN];
	const char *group;
	uint8_t *img = NULL;
	size_t n = 0, len = 0;
	uint32_t gid;
	int r = NBG_CF_ERR_SYSTEM;

	if ((pwc = strndup(pw, pwlen)) == NULL || (grc = strndup(gr, grlen)) == NULL) {
		db_err(err, "accounts: out of memory");
		goto out;
	}
	if (parse_passwd(pwc, &v, &n, err) != 0 || parse_group(grc, &group, &gid, err) != 0)
		goto out;
	if (nbg_acctdb_build(v, n, group, gid, &img, &len, why) != 0) {
		db_err(err, "accounts: %s: %s", o->db, why);
		r = NBG_CF_ERR_ARGUMENT;
		goto out;
	}
	if (is_current(o->db, img, len)) {
		r = NBG_CF_OK;
		goto out;
	}
	if ((r = nbg_cf_clean_stale(o->db, NULL, cferr)) != NBG_CF_OK ||
	    (r = nbg_cf_replace(o->db, img, len, 0644, 0, cferr)) != NBG_CF_OK) {
		db_err(err, "accounts: %s", cferr);
		goto out;
	}
	*changed = true;
	r = NBG_CF_OK;
out:
	free(img);
	free(v);
	free(pwc);
	free(grc);
	return r;
}
