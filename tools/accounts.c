/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * accounts.c - libnss-extrausers files for the role-table users: stable
 * uid allocation, no shadowing of local accounts, atomic replacement.
 *
 * Memory stays proportional to the number of users with a small constant
 * (about 40 bytes per user, plus the logins of the previous file): the
 * password files are read a line at a time, and each new file is produced
 * a buffer at a time, compared with the file in place as it goes, and only
 * written (to a temporary file renamed over it) from the first difference.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts.h"
#include "accounts_db.h"
#include "policy.h"
#include "sha256.h"

#define OUT_BUF		(64u * 1024)	/* bytes produced before they are compared or written */
#define FINGERPRINT_TAG	"nexusbg accounts 1"	/* changes when the files' format does */

/* Logins and their uids: one growing text buffer and an open-addressing index. */
struct login_map {
	char *text;		/* the logins, each followed by a NUL */
	size_t len, cap;
	struct login_uid {
		uint32_t off;	/* in text */
		uint32_t uid;
		uint64_t hash;
	} *e;
	size_t n, ecap;
	uint32_t *slot;		/* entry + 1; 0 = empty; never more than half full */
	size_t nslots;
};

struct acct_ctx {
	const struct nbg_accounts_opts *o;
	struct login_map prev;		/* the previous extrausers passwd */
	struct login_map local;		/* /etc/passwd */
	uint32_t *used;			/* uids in range taken locally or kept, sorted */
	size_t nused, ucap;
	uint32_t *uids;			/* per user; 0 = no account */
	uint32_t prev_max;		/* highest uid in the previous file; 0 = none */
};

static void acct_err(char err[NBG_CF_ERR_LEN], const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void acct_err(char err[NBG_CF_ERR_LEN], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, NBG_CF_ERR_LEN, fmt, ap);
	va_end(ap);
}

static void note(nbg_accounts_note_cb *cb, void *arg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void note(nbg_accounts_note_cb *cb, void *arg, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (cb == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cb(arg, buf);
}

static int grow(void **v, size_t *cap, size_t want, size_t size)
{
	size_t ncap = *cap != 0 ? *cap : 64;
	void *p;

	while (ncap < want)
		ncap *= 2;
	if (ncap == *cap)
		return 0;
	if (ncap > SIZE_MAX / size || (p = realloc(*v, ncap * size)) == NULL)
		return -1;
	*v = p;
	*cap = ncap;
	return 0;
}

/* --- logins -------------------------------------------------------------- */

static uint64_t fnv1a64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (uint8_t)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int map_rehash(struct login_map *m)
{
	size_t ns = m->nslots != 0 ? m->nslots * 2 : 256;
	uint32_t *v;

	if ((v = calloc(ns, sizeof(*v))) == NULL)
		return -1;
	for (size_t e = 0; e < m->n; e++) {
		size_t i = (size_t)m->e[e].hash & (ns - 1);

		while (v[i] != 0)
			i = (i + 1) & (ns - 1);
		v[i] = (uint32_t)e + 1;
	}
	free(m->slot);
	m->slot = v;
	m->nslots = ns;
	return 0;
}

static const struct login_uid *map_find(const struct login_map *m, const char *login)
{
	uint64_t h;

	if (m->n == 0 || strlen(login) > NBG_USER_MAX)
		return NULL;
	h = fnv1a64(login);
	for (size_t i = (size_t)h & (m->nslots - 1); m->slot[i] != 0;
	    i = (i + 1) & (m->nslots - 1)) {
		const struct login_uid *e = &m->e[m->slot[i] - 1];

		if (e->hash == h && strcmp(m->text + e->off, login) == 0)
			return e;
	}
	return NULL;
}

/* Add LOGIN with UID; a login already there keeps its first uid. */
static int map_add(struct login_map *m, const char *login, uint32_t uid)
{
	size_t len = strlen(login);
	uint64_t h = fnv1a64(login);
	size_t i;

	if ((m->n + 1) * 2 > m->nslots && map_rehash(m) != 0)
		return -1;
	for (i = (size_t)h & (m->nslots - 1); m->slot[i] != 0; i = (i + 1) & (m->nslots - 1)) {
		const struct login_uid *e = &m->e[m->slot[i] - 1];

		if (e->hash == h && strcmp(m->text + e->off, login) == 0)
			return 0;
	}
	if (m->len + len + 1 > UINT32_MAX ||
	    grow((void **)&m->text, &m->cap, m->len + len + 1, 1) != 0 ||
	    grow((void **)&m->e, &m->ecap, m->n + 1, sizeof(*m->e)) != 0)
		return -1;
	memcpy(m->text + m->len, login, len + 1);
	m->e[m->n] = (struct login_uid){ (uint32_t)m->len, uid, h };
	m->len += len + 1;
	m->slot[i] = (uint32_t)++m->n;
	return 0;
}

static void map_free(struct login_map *m)
{
	free(m->text);
	free(m->e);
	free(m->slot);
}

/* --- reading passwd(5) / group(5) ---------------------------------------- */

static int cmp_uid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int nbg_accounts_parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long long)(*s - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* Split LINE in place at ':' into at most MAX fields; returns the count. */
size_t nbg_accounts_split(char *line, char **f, size_t max)
{
	size_t n = 0;

	f[n++] = line;
	for (char *p = line; *p != '\0'; p++) {
		if (*p != ':')
			continue;
		if (n == max)
			return max + 1;
		*p = '\0';
		f[n++] = p + 1;
	}
	return n;
}

/*
 * Read a passwd(5) / group(5) file a line at a time: calls fn for every
 * line with exactly NFIELDS fields; comments, blank and NIS compat lines
 * are skipped.  NBG_CF_ERR_NOT_FOUND when it does not exist.
 */
static int each_line(FILE *fp, const char *what, size_t nfields,
    int (*fn)(void *arg, char **f), void *arg, char err[NBG_CF_ERR_LEN])
{
	char *line = NULL, *f[8];
	size_t cap = 0;
	ssize_t n;
	int r = NBG_CF_OK;

	while ((n = getline(&line, &cap, fp)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (*line == '#' || *line == '+' || *line == '-' || *line == '\0')
			continue;
		if (nbg_accounts_split(line, f, nfields) != nfields)
			continue;
		if (fn(arg, f) != 0) {
			acct_err(err, "%s: out of memory", what);
			r = NBG_CF_ERR_SYSTEM;
			break;
		}
	}
	if (r == NBG_CF_OK && ferror(fp)) {
		acct_err(err, "%s: read: %s", what, strerror(errno));
		r = NBG_CF_ERR_SYSTEM;
	}
	free(line);
	return r;
}

static int each_entry(const char *path, size_t nfields, int (*fn)(void *arg, char **f),
    void *arg, char err[NBG_CF_ERR_LEN])
{
	char cferr[NBG_CF_ERR_LEN];
	size_t size;
	FILE *fp;
	int fd, r;

	r = nbg_cf_open(path, NBG_ACCOUNTS_FILE_MAX, NBG_CF_READ_ROOT, &fd, &size, cferr);
	if (r != NBG_CF_OK) {
		acct_err(err, "%s", cferr);
		return r;
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		acct_err(err, "%s: %s", path, strerror(errno));
		close(fd);
		return NBG_CF_ERR_SYSTEM;
	}
	r = each_line(fp, path, nfields, fn, arg, err);
	fclose(fp);
	return r;
}

/* accounts nexusbg: the previous accounts, from the database as passwd(5) lines. */
static int each_db_entry(const struct nbg_accounts_opts *o, int (*fn)(void *arg, char **f),
    void *arg, char err[NBG_CF_ERR_LEN])
{
	char cferr[NBG_CF_ERR_LEN], *text = NULL;
	size_t len = 0;
	FILE *fp;
	int r;

	if ((r = nbg_accounts_db_read(o, &text, &len, cferr)) != NBG_CF_OK) {
		acct_err(err, "%s", cferr);
		return r;
	}
	if (len == 0) {
		free(text);
		return NBG_CF_OK;
	}
	if ((fp = fmemopen(text, len, "r")) == NULL) {
		acct_err(err, "%s: %s", o->db, strerror(errno));
		free(text);
		return NBG_CF_ERR_SYSTEM;
	}
	r = each_line(fp, o->db, 7, fn, arg, err);
	fclose(fp);
	free(text);
	return r;
}

static int add_used(struct acct_ctx *c, uint32_t uid)
{
	if (grow((void **)&c->used, &c->ucap, c->nused + 1, sizeof(*c->used)) != 0)
		return -1;
	c->used[c->nused++] = uid;
	return 0;
}

static int collect_local(void *arg, char **f)
{
	struct acct_ctx *c = arg;
	uint32_t uid;

	if (nbg_accounts_parse_u32(f[2], &uid) != 0)
		return 0;
	if (uid >= c->o->uid_min && uid <= c->o->uid_max && add_used(c, uid) != 0)
		return -1;
	if (strlen(f[0]) > NBG_USER_MAX)
		return 0;	/* cannot collide with a table login */
	return map_add(&c->local, f[0], uid);
}

static int collect_prev(void *arg, char **f)
{
	struct acct_ctx *c = arg;
	uint32_t uid;

	if (nbg_accounts_parse_u32(f[2], &uid) != 0 || strlen(f[0]) > NBG_USER_MAX)
		return 0;
	if (uid < c->o->uid_min || uid > c->o->uid_max || !nbg_valid_username(f[0]))
		return 0;	/* not one of ours */
	if (uid > c->prev_max)
		c->prev_max = uid;
	return map_add(&c->prev, f[0], uid);
}

struct group_check {
	const struct nbg_accounts_opts *o;
	char *msg;
};

static int check_group_entry(void *arg, char **f)
{
	struct group_check *g = arg;
	uint32_t gid;

	if (nbg_accounts_parse_u32(f[2], &gid) != 0 || g->msg[0] != '\0')
		return 0;
	if (gid == g->o->gid && strcmp(f[0], NBG_ACCOUNTS_GROUP) != 0)
		snprintf(g->msg, NBG_CF_ERR_LEN, "gid %u belongs to local group '%.64s'",
		    gid, f[0]);
	else if (gid != g->o->gid && strcmp(f[0], NBG_ACCOUNTS_GROUP) == 0)
		snprintf(g->msg, NBG_CF_ERR_LEN, "a local group '%s' exists with gid %u, "
		    "not %u", NBG_ACCOUNTS_GROUP, gid, g->o->gid);
	return 0;
}

/* The group must not take over a local group's gid or name. */
static int check_local_group(const struct nbg_accounts_opts *o, char err[NBG_CF_ERR_LEN])
{
	char msg[NBG_CF_ERR_LEN] = "";
	struct group_check g = { o, msg };
	int r;

	if (o->gid == 0) {
		acct_err(err, "accounts: gid 0 is never used for the %s group",
		    NBG_ACCOUNTS_GROUP);
		return NBG_ACCOUNTS_ERR_CONFLICT;
	}
	if ((r = each_entry(o->local_group, 4, check_group_entry, &g, err)) != NBG_CF_OK)
		return r;
	if (msg[0] != '\0') {
		acct_err(err, "accounts: %s: %s (set account_gid to a free gid)", o->local_group,
		    msg);
		return NBG_ACCOUNTS_ERR_CONFLICT;
	}
	return NBG_CF_OK;
}

/* --- uids ---------------------------------------------------------------- */

#define UID_SKIP	UINT32_MAX	/* marker while assigning: local login */

struct kept_uid {
	uint32_t uid;
	uint32_t idx;
};

static int cmp_kept(const void *a, const void *b)
{
	const struct kept_uid *x = a, *y = b;

	if (x->uid != y->uid)
		return x->uid < y->uid ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The lowest uid in [*next, limit] that nobody uses; 0 when none is left. */
static uint32_t next_free(const struct acct_ctx *c, uint32_t *next, size_t *j, uint32_t limit)
{
	while (*next <= limit) {
		while (*j < c->nused && c->used[*j] < *next)
			(*j)++;
		if (*j >= c->nused || c->used[*j] != *next)
			return (*next)++;
		(*next)++;
	}
	return 0;
}

/* Where new uids start: above everything handed out before. */
static uint32_t first_new_uid(const struct acct_ctx *c)
{
	uint32_t first = c->o->uid_min;

	if (c->o->next_uid > first && c->o->next_uid <= c->o->uid_max)
		first = c->o->next_uid;
	if (c->prev_max >= first)
		first = c->prev_max + 1;	/* prev_max <= uid_max < UINT32_MAX */
	return first;
}

/*
 * A fresh uid: above every earlier one while the range lasts, then the
 * lowest freed one.  0 when the range is full.
 */
static uint32_t alloc_uid(const struct acct_ctx *c, uint32_t first, uint32_t *hi, size_t *jhi,
    uint32_t *lo, size_t *jlo)
{
	uint32_t uid = 0;

	if (*hi <= c->o->uid_max)
		uid = next_free(c, hi, jhi, c->o->uid_max);
	if (uid == 0 && first > c->o->uid_min)
		uid = next_free(c, lo, jlo, first - 1);
	return uid;
}

/*
 * Uids: a user keeps the uid of the previous file when it is still in the
 * range and not taken by a local account (when two logins claim one uid,
 * the first in document order keeps it); everyone else gets a fresh uid
 * (alloc_uid), in document order.
 */
static int assign_uids(struct acct_ctx *c, const struct nbg_account_user *users, size_t n,
    nbg_accounts_note_cb *cb, void *arg, struct nbg_accounts_report *rep)
{
	const struct login_uid *p;
	struct kept_uid *kept;
	size_t nkept = 0, nlocal_used, jhi = 0, jlo = 0;
	uint32_t first, hi, lo, uid;
	int r = -1;

	if ((kept = calloc(n > 0 ? n : 1, sizeof(*kept))) == NULL)
		return -1;
	if (c->nused > 0)
		qsort(c->used, c->nused, sizeof(*c->used), cmp_uid);
	nlocal_used = c->nused;
	for (size_t i = 0; i < n; i++) {
		c->uids[i] = 0;
		if (map_find(&c->local, users[i].login) != NULL) {
			note(cb, arg, "%s: login exists in %s; not provisioned", users[i].login,
			    c->o->local_passwd);
			c->uids[i] = UID_SKIP;
			continue;
		}
		p = map_find(&c->prev, users[i].login);
		if (p != NULL && (nlocal_used == 0 || bsearch(&p->uid, c->used, nlocal_used,
		    sizeof(uint32_t), cmp_uid) == NULL))
			kept[nkept++] = (struct kept_uid){ p->uid, (uint32_t)i };
	}
	if (nkept > 0)
		qsort(kept, nkept, sizeof(*kept), cmp_kept);
	for (size_t k = 0; k < nkept; k++) {
		if (k > 0 && kept[k].uid == kept[k - 1].uid)
			continue;	/* claimed twice: the later login gets a new uid */
		if (add_used(c, kept[k].uid) != 0)
			goto out;
		c->uids[kept[k].idx] = kept[k].uid;
	}
	if (c->nused > 0)
		qsort(c->used, c->nused, sizeof(*c->used), cmp_uid);
	first = hi = first_new_uid(c);
	lo = c->o->uid_min;
	for (size_t i = 0; i < n; i++) {
		if (c->uids[i] == UID_SKIP) {
			c->uids[i] = 0;
			rep->skipped++;
			continue;
		}
		if (c->uids[i] != 0)
			continue;
		if ((uid = alloc_uid(c, first, &hi, &jhi, &lo, &jlo)) == 0) {
			note(cb, arg, "%s: no free uid left in %u-%u; not provisioned",
			    users[i].login, c->o->uid_min, c->o->uid_max);
			rep->skipped++;
			continue;
		}
		c->uids[i] = uid;
	}
	rep->next_uid = hi <= c->o->uid_max ? hi : lo;
	r = 0;
out:
	free(kept);
	return r;
}

/* --- the files ----------------------------------------------------------- */

/*
 * A file being produced: the bytes are compared with the file in place as
 * they come; from the first difference on (or when there is no usable file
 * in place) they go to a temporary file, which starts with the identical
 * part copied from the old file.
 */
struct out {
	const char *dir, *name;
	char path[PATH_MAX];
	mode_t mode;
	int old;		/* the file in place, -1 when none is usable */
	struct stat old_st;
	bool differs;
	uint64_t done;		/* bytes compared equal, or written */
	struct nbg_cf_tmp tmp;
	char *buf, *cmp;	/* OUT_BUF each */
	size_t fill;
	int err;		/* errno of a failed read or write */
	const char *what;	/* the call that failed */
	bool mem;		/* collect the bytes in mp instead (accounts nexusbg) */
	char *mp;
	size_t mlen, mcap;
};

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Read exactly len bytes of the old file (fewer at its end): the count, or -1. */
static ssize_t read_full(int fd, char *p, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* From here on the bytes go to a temporary file that starts as the equal part. */
static int out_diverge(struct out *o, char err[NBG_CF_ERR_LEN])
{
	char cferr[NBG_CF_ERR_LEN];
	uint64_t copied = 0;
	int r;

	o->differs = true;
	if ((r = nbg_cf_clean_stale(o->path, NULL, cferr)) != NBG_CF_OK ||
	    (r = nbg_cf_tmp_create(&o->tmp, o->path, cferr)) != NBG_CF_OK) {
		acct_err(err, "accounts: %s", cferr);
		return r;
	}
	while (copied < o->done) {
		size_t want = o->done - copied < OUT_BUF ? (size_t)(o->done - copied) : OUT_BUF;
		ssize_t n = pread(o->old, o->cmp, want, (off_t)copied);

		if (n <= 0 || (o->err = write_all(o->tmp.fd, o->cmp, (size_t)n)) != 0) {
			if (n <= 0)
				o->err = n < 0 ? errno : EIO;
			acct_err(err, "accounts: %s: copying the unchanged part: %s", o->path,
			    strerror(o->err));
			return NBG_CF_ERR_SYSTEM;
		}
		copied += (uint64_t)n;
	}
	return NBG_CF_OK;
}

static int out_flush(struct out *o, char err[NBG_CF_ERR_LEN])
{
	int r;

	if (o->fill == 0)
		return NBG_CF_OK;
	if (!o->differs) {
		ssize_t n = read_full(o->old, o->cmp, o->fill);

		if (n == (ssize_t)o->fill && memcmp(o->cmp, o->buf, o->fill) == 0) {
			o->done += o->fill;
			o->fill = 0;
			return NBG_CF_OK;
		}
		if ((r = out_diverge(o, err)) != NBG_CF_OK)
			return r;
	}
	if ((o->err = write_all(o->tmp.fd, o->buf, o->fill)) != 0) {
		acct_err(err, "accounts: %s/%s: write: %s", o->tmp.dir, o->tmp.name,
		    strerror(o->err));
		return NBG_CF_ERR_SYSTEM;
	}
	o->done += o->fill;
	o->fill = 0;
	return NBG_CF_OK;
}

static int out_open(struct out *o, const char *dir, const char *name, mode_t mode,
    char err[NBG_CF_ERR_LEN])
{
	char cferr[NBG_CF_ERR_LEN];
	size_t size;
	int n;

	memset(o, 0, sizeof(*o));
	o->old = o->tmp.fd = o->tmp.dfd = -1;
	o->dir = dir;
	o->name = name;
	o->mode = mode;
	n = snprintf(o->path, sizeof(o->path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(o->path)) {
		acct_err(err, "%s/%s: path too long", dir, name);
		return NBG_CF_ERR_ARGUMENT;
	}
	if ((o->buf = malloc(OUT_BUF)) == NULL || (o->cmp = malloc(OUT_BUF)) == NULL) {
		acct_err(err, "accounts: out of memory");
		return NBG_CF_ERR_SYSTEM;
	}
	/* A file in place that is missing, not root's or unreadable is replaced. */
	if (nbg_cf_open(o->path, NBG_ACCOUNTS_FILE_MAX, NBG_CF_READ_ROOT, &o->old, &size,
	    cferr) != NBG_CF_OK || fstat(o->old, &o->old_st) != 0 ||
	    (o->old_st.st_mode & 07777) != mode) {
		if (o->old >= 0)
			close(o->old);
		o->old = -1;
		return out_diverge(o, err);
	}
	return NBG_CF_OK;
}

static int out_put(struct out *o, const char *s, size_t len, char err[NBG_CF_ERR_LEN])
{
	int r;

	if (o->mem) {
		if (grow((void **)&o->mp, &o->mcap, o->mlen + len + 1, 1) != 0) {
			acct_err(err, "accounts: out of memory");
			return NBG_CF_ERR_SYSTEM;
		}
		memcpy(o->mp + o->mlen, s, len);
		o->mlen += len;
		o->mp[o->mlen] = '\0';
		return NBG_CF_OK;
	}
	while (len > 0) {
		size_t n = OUT_BUF - o->fill < len ? OUT_BUF - o->fill : len;

		memcpy(o->buf + o->fill, s, n);
		o->fill += n;
		s += n;
		len -= n;
		if (o->fill == OUT_BUF && (r = out_flush(o, err)) != NBG_CF_OK)
			return r;
	}
	return NBG_CF_OK;
}

static int out_str(struct out *o, const char *s, char err[NBG_CF_ERR_LEN])
{
	return out_put(o, s, strlen(s), err);
}

static int out_u32(struct out *o, uint32_t v, char err[NBG_CF_ERR_LEN])
{
	char d[10];
	size_t n = sizeof(d);

	do {
		d[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return out_put(o, d + n, sizeof(d) - n, err);
}

/* Done: replace the file if anything differed (or the old one is longer). */
static int out_close(struct out *o, bool *changed, char err[NBG_CF_ERR_LEN])
{
	char cferr[NBG_CF_ERR_LEN], extra;
	int r;

	if ((r = out_flush(o, err)) != NBG_CF_OK)
		return r;
	if (!o->differs) {
		ssize_t n = read_full(o->old, &extra, 1);

		if (n == 0)
			return NBG_CF_OK;	/* identical: left alone */
		if ((r = out_diverge(o, err)) != NBG_CF_OK)
			return r;
	}
	if ((r = nbg_cf_tmp_commit(&o->tmp, o->mode, 0, cferr)) != NBG_CF_OK) {
		acct_err(err, "accounts: %s", cferr);
		return r;
	}
	*changed = true;
	return NBG_CF_OK;
}

static void out_free(struct out *o)
{
	if (o->mem) {
		free(o->mp);
		return;
	}
	if (o->old >= 0)
		close(o->old);
	nbg_cf_tmp_discard(&o->tmp);
	free(o->buf);
	free(o->cmp);
}

/* The GECOS field: the display name without the bytes passwd(5) gives a meaning. */
static void gecos(const char *display, char out[NBG_ACCOUNTS_GECOS_MAX + 1])
{
	size_t n = 0;

	for (; display != NULL && *display != '\0' && n < NBG_ACCOUNTS_GECOS_MAX; display++) {
		unsigned char ch = (unsigned char)*display;

		out[n++] = ch < 0x20 || ch == 0x7f || ch == ':' || ch == ',' || ch == '\\' ||
		    ch == '=' ? '_' : (char)ch;
	}
	out[n] = '\0';
}

static bool field_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == ':')
			return false;
	return true;
}

enum file_kind { F_SHADOW, F_GROUP, F_PASSWD };

/* The text of one of the three files, every provisioned user in document order. */
static int emit(const struct acct_ctx *c, const struct nbg_account_user *users, size_t n,
    enum file_kind kind, struct out *o, char err[NBG_CF_ERR_LEN])
{
	const char *base = c->o->home_base;
	const char *sep = base[0] != '\0' && base[strlen(base) - 1] == '/' ? "" : "/";
	char g[NBG_ACCOUNTS_GECOS_MAX + 1];
	bool first = true;
	int r;

	if (kind == F_GROUP && ((r = out_str(o, NBG_ACCOUNTS_GROUP ":x:", err)) != NBG_CF_OK ||
	    (r = out_u32(o, c->o->gid, err)) != NBG_CF_OK || (r = out_str(o, ":", err)) !=
	    NBG_CF_OK))
		return r;
	for (size_t i = 0; i < n; i++) {
		const char *login = users[i].login;

		if (c->uids[i] == 0)
			continue;
		switch (kind) {
		case F_SHADOW:
			if ((r = out_str(o, login, err)) != NBG_CF_OK ||
			    (r = out_str(o, ":*:::::::\n", err)) != NBG_CF_OK)
				return r;
			break;
		case F_GROUP:
			if ((!first && (r = out_str(o, ",", err)) != NBG_CF_OK) ||
			    (r = out_str(o, login, err)) != NBG_CF_OK)
				return r;
			break;
		case F_PASSWD:
			gecos(users[i].display_name, g);
			if ((r = out_str(o, login, err)) != NBG_CF_OK ||
			    (r = out_str(o, ":x:", err)) != NBG_CF_OK ||
			    (r = out_u32(o, c->uids[i], err)) != NBG_CF_OK ||
			    (r = out_str(o, ":", err)) != NBG_CF_OK ||
			    (r = out_u32(o, c->o->gid, err)) != NBG_CF_OK ||
			    (r = out_str(o, ":", err)) != NBG_CF_OK ||
			    (r = out_str(o, g, err)) != NBG_CF_OK ||
			    (r = out_str(o, ":", err)) != NBG_CF_OK ||
			    (r = out_str(o, base, err)) != NBG_CF_OK ||
			    (r = out_str(o, sep, err)) != NBG_CF_OK ||
			    (r = out_str(o, login, err)) != NBG_CF_OK ||
			    (r = out_str(o, ":", err)) != NBG_CF_OK ||
			    (r = out_str(o, c->o->shell, err)) != NBG_CF_OK ||
			    (r = out_str(o, "\n", err)) != NBG_CF_OK)
				return r;
			break;
		}
		first = false;
	}
	if (kind == F_GROUP && (r = out_str(o, "\n", err)) != NBG_CF_OK)
		return r;
	return NBG_CF_OK;
}

/* One of the three extrausers files, replaced only if its bytes change. */
static int write_file(const struct acct_ctx *c, const struct nbg_account_user *users, size_t n,
    enum file_kind kind, bool *changed, char err[NBG_CF_ERR_LEN])
{
	static const char *const names[] = { "shadow", "group", "passwd" };
	struct out o;
	int r;

	if ((r = out_open(&o, c->o->dir, names[kind], kind == F_SHADOW ? 0600 : 0644, err)) ==
	    NBG_CF_OK && (r = emit(c, users, n, kind, &o, err)) == NBG_CF_OK)
		r = out_close(&o, changed, err);
	out_free(&o);
	return r;
}

/* accounts nexusbg: the passwd and group text, compiled into the database. */
static int write_db(const struct acct_ctx *c, const struct nbg_account_user *users, size_t n,
    bool *changed, char err[NBG_CF_ERR_LEN])
{
	struct out pw = { .mem = true }, gr = { .mem = true };
	int r;

	if ((r = emit(c, users, n, F_PASSWD, &pw, err)) == NBG_CF_OK &&
	    (r = emit(c, users, n, F_GROUP, &gr, err)) == NBG_CF_OK)
		r = nbg_accounts_db_write(c->o, pw.mp != NULL ? pw.mp : "", pw.mlen, gr.mp, gr.mlen,
		    changed, err);
	out_free(&pw);
	out_free(&gr);
	return r;
}

static int check_opts(const struct nbg_accounts_opts *o, char err[NBG_CF_ERR_LEN])
{
	if (o->dir == NULL || o->local_passwd == NULL || o->local_group == NULL ||
	    o->shell == NULL || o->home_base == NULL || o->uid_min == 0 ||
	    o->uid_min > o->uid_max || o->uid_max == UINT32_MAX) {
		acct_err(err, "accounts: incomplete settings (uid range, directory, shell, home)");
		return NBG_CF_ERR_ARGUMENT;
	}
	if (!field_safe(o->shell) || !field_safe(o->home_base) || strlen(o->shell) > 256 ||
	    strlen(o->home_base) > 256) {
		acct_err(err, "accounts: account_shell and account_home_base must not contain "
		    "':' or control characters, and be at most 256 bytes");
		return NBG_CF_ERR_ARGUMENT;
	}
	return NBG_CF_OK;
}

int nbg_accounts_sync(const struct nbg_accounts_opts *o, const struct nbg_account_user *users,
    size_t n, nbg_accounts_note_cb *cb, void *arg, struct nbg_accounts_report *rep,
    char err[NBG_CF_ERR_LEN])
{
	struct acct_ctx c = { .o = o };
	char path[PATH_MAX];
	int r;

	memset(rep, 0, sizeof(*rep));
	if ((r = check_opts(o, err)) != NBG_CF_OK)
		goto out;
	if ((r = nbg_cf_dir_prepare(o->dir, true, err)) != NBG_CF_OK ||
	    (r = check_local_group(o, err)) != NBG_CF_OK ||
	    (r = each_entry(o->local_passwd, 7, collect_local, &c, err)) != NBG_CF_OK)
		goto out;
	snprintf(path, sizeof(path), "%s/passwd", o->dir);
	if (o->db != NULL)
		r = each_db_entry(o, collect_prev, &c, err);
	else
		r = each_entry(path, 7, collect_prev, &c, err);
	if (r != NBG_CF_OK && r != NBG_CF_ERR_NOT_FOUND)
		goto out;
	r = NBG_CF_ERR_SYSTEM;
	if ((c.uids = calloc(n > 0 ? n : 1, sizeof(*c.uids))) == NULL ||
	    assign_uids(&c, users, n, cb, arg, rep) != 0) {
		acct_err(err, "accounts: out of memory for %zu users", n);
		goto out;
	}
	/* The previous logins are no longer needed: give their memory back first. */
	map_free(&c.prev);
	memset(&c.prev, 0, sizeof(c.prev));
	rep->provisioned = (uint32_t)(n - rep->skipped);
	if (o->db != NULL) {
		r = write_db(&c, users, n, &rep->changed, err);
		goto out;
	}
	/* shadow and group first: a login that appears in passwd is complete */
	if ((r = write_file(&c, users, n, F_SHADOW, &rep->changed, err)) != NBG_CF_OK ||
	    (r = write_file(&c, users, n, F_GROUP, &rep->changed, err)) != NBG_CF_OK ||
	    (r = write_file(&c, users, n, F_PASSWD, &rep->changed, err)) != NBG_CF_OK)
		goto out;
	r = NBG_CF_OK;
out:
	map_free(&c.prev);
	map_free(&c.local);
	free(c.used);
	free(c.uids);
	return r;
}

/* --- the fingerprint ----------------------------------------------------- */

static void fp_bytes(struct nbg_sha256_ctx *h, const void *p, size_t len)
{
	uint8_t l[8];

	for (size_t i = 0; i < 8; i++)
		l[i] = (uint8_t)((uint64_t)len >> (8 * i));
	nbg_sha256_update(h, l, sizeof(l));
	nbg_sha256_update(h, p, len);
}

static void fp_u64(struct nbg_sha256_ctx *h, uint64_t v)
{
	uint8_t b[8];

	for (size_t i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	nbg_sha256_update(h, b, sizeof(b));
}

static void fp_str(struct nbg_sha256_ctx *h, const char *s)
{
	fp_bytes(h, s != NULL ? s : "", s != NULL ? strlen(s) + 1 : 0);
}

/* Which file is this, as of when: everything a change to it would move. */
static void fp_file(struct nbg_sha256_ctx *h, const char *path)
{
	struct stat st;

	fp_str(h, path);
	if (lstat(path, &st) != 0) {
		fp_u64(h, (uint64_t)errno);
		return;
	}
	fp_u64(h, (uint64_t)st.st_dev);
	fp_u64(h, (uint64_t)st.st_ino);
	fp_u64(h, (uint64_t)st.st_mode);
	fp_u64(h, (uint64_t)st.st_uid);
	fp_u64(h, (uint64_t)st.st_size);
	fp_u64(h, (uint64_t)st.st_mtim.tv_sec);
	fp_u64(h, (uint64_t)st.st_mtim.tv_nsec);
	fp_u64(h, (uint64_t)st.st_ctim.tv_sec);
	fp_u64(h, (uint64_t)st.st_ctim.tv_nsec);
}

void nbg_accounts_fingerprint(const struct nbg_accounts_opts *o, const uint8_t source[32],
    uint8_t out[32])
{
	static const char *const files[] = { "passwd", "group", "shadow" };
	struct nbg_sha256_ctx h;
	char path[PATH_MAX];

	nbg_sha256_init(&h);
	fp_str(&h, FINGERPRINT_TAG);
	fp_bytes(&h, source, 32);
	/* accounts nexusbg: the database stands for the three files */
	fp_str(&h, o->db != NULL ? o->db : o->dir);
	fp_str(&h, o->shell);
	fp_str(&h, o->home_base);
	fp_u64(&h, o->uid_min);
	fp_u64(&h, o->uid_max);
	fp_u64(&h, o->gid);
	fp_u64(&h, o->next_uid);
	fp_file(&h, o->local_passwd);
	fp_file(&h, o->local_group);
	if (o->db != NULL)
		fp_file(&h, o->db);
	for (size_t i = 0; o->db == NULL && i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", o->dir != NULL ? o->dir : "", files[i]);
		fp_file(&h, path);
	}
	nbg_sha256_final(&h, out);
}
