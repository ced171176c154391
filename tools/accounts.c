/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * accounts.c - libnss-extrausers files for the role-table users: stable
 * uid allocation, no shadowing of local accounts, atomic replacement.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "accounts_db.h"
#include "policy.h"

struct login_uid {
	char login[NBG_USER_MAX + 1];
	uint32_t uid;
};

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

struct acct_ctx {
	const struct nbg_accounts_opts *o;
	struct login_uid *prev;		/* the previous extrausers passwd, by login */
	size_t nprev;
	struct login_uid *local;	/* /etc/passwd, by login */
	size_t nlocal;
	uint32_t *used;			/* uids in range taken locally or kept, sorted */
	size_t nused;
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

static int cmp_login(const void *a, const void *b)
{
	return strcmp(((const struct login_uid *)a)->login, ((const struct login_uid *)b)->login);
}

static int cmp_uid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static const struct login_uid *find_login(const struct login_uid *v, size_t n,
    const char *login)
{
	struct login_uid key;

	if (strlen(login) > NBG_USER_MAX)
		return NULL;
	snprintf(key.login, sizeof(key.login), "%s", login);
	return n == 0 ? NULL : bsearch(&key, v, n, sizeof(*v), cmp_login);
}

static int parse_u32(const char *s, uint32_t *out)
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
static size_t split_fields(char *line, char **f, size_t max)
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
 * Walk a passwd(5) / group(5) text: calls fn for every line with exactly
 * NFIELDS fields; comments, blank and NIS compat lines are skipped.
 */
static int each_entry(char *text, size_t nfields,
    int (*fn)(void *arg, char **f), void *arg)
{
	char *line = text, *nl, *f[8];

	for (; line != NULL && *line != '\0'; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		if (*line == '#' || *line == '+' || *line == '-' || *line == '\0')
			continue;
		if (split_fields(line, f, nfields) != nfields)
			continue;
		if (fn(arg, f) != 0)
			return -1;
	}
	return 0;
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *p;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap == 0 ? 64 : *cap * 2;
	if (ncap > SIZE_MAX / size || (p = realloc(*v, ncap * size)) == NULL)
		return -1;
	*v = p;
	*cap = ncap;
	return 0;
}

struct collect {
	struct acct_ctx *c;
	struct login_uid **v;
	size_t *n, cap;
	size_t ucap;
	bool local;
};

static int collect_passwd(void *arg, char **f)
{
	struct collect *k = arg;
	struct acct_ctx *c = k->c;
	uint32_t uid;

	if (parse_u32(f[2], &uid) != 0)
		return 0;
	if (k->local && uid >= c->o->uid_min && uid <= c->o->uid_max) {
		if (grow((void **)&c->used, &k->ucap, c->nused, sizeof(*c->used)) != 0)
			return -1;
		c->used[c->nused++] = uid;
	}
	if (strlen(f[0]) > NBG_USER_MAX)
		return 0;	/* cannot collide with a table login */
	if (!k->local && (uid < c->o->uid_min || uid > c->o->uid_max ||
	    !nbg_valid_username(f[0])))
		return 0;	/* not one of ours */
	if (!k->local && uid > c->prev_max)
		c->prev_max = uid;
	if (grow((void **)k->v, &k->cap, *k->n, sizeof(**k->v)) != 0)
		return -1;
	snprintf((*k->v)[*k->n].login, sizeof((*k->v)[*k->n].login), "%s", f[0]);
	(*k->v)[(*k->n)++].uid = uid;
	return 0;
}

/* Read a passwd file into a login-sorted array (and, if local, the used uids). */
static int load_passwd(struct acct_ctx *c, const char *path, bool local, bool must_exist,
    size_t *ucap, char err[NBG_CF_ERR_LEN])
{
	struct collect k = { c, local ? &c->local : &c->prev, local ? &c->nlocal : &c->nprev,
	    0, *ucap, local };
	char cferr[NBG_CF_ERR_LEN], *text = NULL;
	size_t len;
	int r;

	if (!local && c->o->db != NULL)
		r = nbg_accounts_db_read(c->o, &text, &len, cferr);
	else
		r = nbg_cf_read(path, NBG_ACCOUNTS_FILE_MAX, NBG_CF_READ_ROOT, &text, &len, cferr);
	if (r == NBG_CF_ERR_NOT_FOUND && !must_exist)
		return NBG_CF_OK;
	if (r != NBG_CF_OK) {
		acct_err(err, "%s", cferr);
		return r;
	}
	if (each_entry(text, 7, collect_passwd, &k) != 0) {
		acct_err(err, "%s: out of memory", path);
		r = NBG_CF_ERR_SYSTEM;
	} else {
		if (*k.n > 0)
			qsort(*k.v, *k.n, sizeof(**k.v), cmp_login);
		r = NBG_CF_OK;
	}
	*ucap = k.ucap;
	free(text);
	return r;
}

struct group_check {
	const struct nbg_accounts_opts *o;
	char *msg;
};

static int check_group_entry(void *arg, char **f)
{
	struct group_check *g = arg;
	uint32_t gid;

	if (parse_u32(f[2], &gid) != 0 || g->msg[0] != '\0')
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
	char cferr[NBG_CF_ERR_LEN], msg[NBG_CF_ERR_LEN] = "", *text = NULL;
	struct group_check g = { o, msg };
	size_t len;
	int r;

	if (o->gid == 0) {
		acct_err(err, "accounts: gid 0 is never used for the %s group",
		    NBG_ACCOUNTS_GROUP);
		return NBG_ACCOUNTS_ERR_CONFLICT;
	}
	r = nbg_cf_read(o->local_group, NBG_ACCOUNTS_FILE_MAX, NBG_CF_READ_ROOT, &text, &len,
	    cferr);
	if (r != NBG_CF_OK) {
		acct_err(err, "%s", cferr);
		return r;
	}
	(void)each_entry(text, 4, check_group_entry, &g);
	free(text);
	if (msg[0] != '\0') {
		acct_err(err, "accounts: %s: %s (set account_gid to a free gid)", o->local_group,
		    msg);
		return NBG_ACCOUNTS_ERR_CONFLICT;
	}
	return NBG_CF_OK;
}

#define UID_SKIP	UINT32_MAX	/* marker while assigning: local login */

struct kept_uid {
	uint32_t uid;
	size_t idx;
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
    size_t *ucap, nbg_accounts_note_cb *cb, void *arg, struct nbg_accounts_report *rep)
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
		if (find_login(c->local, c->nlocal, users[i].login) != NULL) {
			note(cb, arg, "%s: login exists in %s; not provisioned", users[i].login,
			    c->o->local_passwd);
			c->uids[i] = UID_SKIP;
			continue;
		}
		p = find_login(c->prev, c->nprev, users[i].login);
		if (p != NULL && (nlocal_used == 0 || bsearch(&p->uid, c->used, nlocal_used,
		    sizeof(uint32_t), cmp_uid) == NULL))
			kept[nkept++] = (struct kept_uid){ p->uid, i };
	}
	if (nkept > 0)
		qsort(kept, nkept, sizeof(*kept), cmp_kept);
	for (size_t k = 0; k < nkept; k++) {
		if (k > 0 && kept[k].uid == kept[k - 1].uid)
			continue;	/* claimed twice: the later login gets a new uid */
		if (grow((void **)&c->used, ucap, c->nused, sizeof(*c->used)) != 0)
			goto out;
		c->used[c->nused++] = kept[k].uid;
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

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	size_t ncap;
	char *p;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap == 0 ? 4096 : b->cap;
		while (ncap < b->len + n + 1 && ncap < SIZE_MAX / 2)
			ncap *= 2;
		if (ncap < b->len + n + 1 || (p = realloc(b->p, ncap)) == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		b->oom = true;	/* every line we format is far shorter */
		return;
	}
	sb_add(b, buf, (size_t)n);
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

static void build_files(const struct acct_ctx *c, const struct nbg_account_user *users,
    size_t n, struct sbuf *pw, struct sbuf *sh, struct sbuf *gr)
{
	const char *base = c->o->home_base;
	const char *sep = base[0] != '\0' && base[strlen(base) - 1] == '/' ? "" : "/";
	char g[NBG_ACCOUNTS_GECOS_MAX + 1];
	bool first = true;

	sb_printf(gr, "%s:x:%u:", NBG_ACCOUNTS_GROUP, c->o->gid);
	for (size_t i = 0; i < n; i++) {
		if (c->uids[i] == 0)
			continue;
		gecos(users[i].display_name, g);
		sb_printf(pw, "%s:x:%u:%u:", users[i].login, c->uids[i], c->o->gid);
		sb_add(pw, g, strlen(g));
		sb_printf(pw, ":%s%s%s:%s\n", base, sep, users[i].login, c->o->shell);
		sb_printf(sh, "%s:*:::::::\n", users[i].login);
		sb_printf(gr, "%s%s", first ? "" : ",", users[i].login);
		first = false;
	}
	sb_add(gr, "\n", 1);
	/* an empty passwd or shadow is a valid, empty file */
	sb_add(pw, "", 0);
	sb_add(sh, "", 0);
}

/* Replace DIR/NAME unless it already holds exactly this content and mode. */
static int write_if_changed(const char *dir, const char *name, const struct sbuf *b,
    mode_t mode, bool *changed, char err[NBG_CF_ERR_LEN])
{
	char path[PATH_MAX], cferr[NBG_CF_ERR_LEN], *cur = NULL;
	struct stat st;
	size_t len = 0;
	int r, n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		acct_err(err, "%s/%s: path too long", dir, name);
		return NBG_CF_ERR_ARGUMENT;
	}
	r = nbg_cf_read(path, NBG_ACCOUNTS_FILE_MAX, NBG_CF_READ_ROOT, &cur, &len, cferr);
	if (r == NBG_CF_OK && len == b->len && memcmp(cur, b->p, len) == 0 &&
	    lstat(path, &st) == 0 && (st.st_mode & 07777) == mode) {
		free(cur);
		return NBG_CF_OK;
	}
	free(cur);
	if ((r = nbg_cf_clean_stale(path, NULL, cferr)) != NBG_CF_OK ||
	    (r = nbg_cf_replace(path, b->p, b->len, mode, 0, cferr)) != NBG_CF_OK) {
		acct_err(err, "accounts: %s", cferr);
		return r;
	}
	*changed = true;
	return NBG_CF_OK;
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
	struct sbuf pw = { 0 }, sh = { 0 }, gr = { 0 };
	char path[PATH_MAX];
	size_t ucap = 0;
	int r;

	memset(rep, 0, sizeof(*rep));
	if ((r = check_opts(o, err)) != NBG_CF_OK)
		goto out;
	if ((r = nbg_cf_dir_prepare(o->dir, true, err)) != NBG_CF_OK ||
	    (r = check_local_group(o, err)) != NBG_CF_OK ||
	    (r = load_passwd(&c, o->local_passwd, true, true, &ucap, err)) != NBG_CF_OK)
		goto out;
	snprintf(path, sizeof(path), "%s/passwd", o->dir);
	if ((r = load_passwd(&c, path, false, false, &ucap, err)) != NBG_CF_OK)
		goto out;
	r = NBG_CF_ERR_SYSTEM;
	if ((c.uids = calloc(n > 0 ? n : 1, sizeof(*c.uids))) == NULL ||
	    assign_uids(&c, users, n, &ucap, cb, arg, rep) != 0) {
		acct_err(err, "accounts: out of memory for %zu users", n);
		goto out;
	}
	build_files(&c, users, n, &pw, &sh, &gr);
	if (pw.oom || sh.oom || gr.oom) {
		acct_err(err, "accounts: out of memory formatting %zu users", n);
		goto out;
	}
	rep->provisioned = (uint32_t)(n - rep->skipped);
	if (o->db != NULL) {
		/* accounts nexusbg: the same entries, compiled into the database */
		r = nbg_accounts_db_write(o, pw.p, pw.len, gr.p, gr.len, &rep->changed, err);
		goto out;
	}
	/* shadow and group first: a login that appears in passwd is complete */
	if ((r = write_if_changed(o->dir, "shadow", &sh, 0600, &rep->changed, err)) !=
	    NBG_CF_OK ||
	    (r = write_if_changed(o->dir, "group", &gr, 0644, &rep->changed, err)) !=
	    NBG_CF_OK ||
	    (r = write_if_changed(o->dir, "passwd", &pw, 0644, &rep->changed, err)) !=
	    NBG_CF_OK)
		goto out;
	r = NBG_CF_OK;
out:
	free(c.prev);
	free(c.local);
	free(c.used);
	free(c.uids);
	free(pw.p);
	free(sh.p);
	free(gr.p);
	return r;
}
