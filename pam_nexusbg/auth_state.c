/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auth_state.c - the auth phase's root-owned state: challenges issued and
 * used, and signature counters (see auth_state.h).
 *
 * Files are reached only through the directory's descriptor (openat with
 * O_NOFOLLOW), so a path swapped after the directory was checked is never
 * followed; every read-modify-write holds an exclusive flock on "lock".
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth_state.h"
#include "policy.h"

#define REC_LINE_MAX	(NBG_NONCE_HEX + NBG_CHALLENGE_MAX + 64)
#define REC_FILE_MAX	(NBG_STATE_MAX_RECORDS * REC_LINE_MAX)
#define CTR_FILE_MAX	64
#define LOCK_TRIES	50		/* of 100 ms: 5 s */

struct nbg_auth_state {
	int dirfd;
	char dir[PATH_MAX];
};

/* ---- the directory and its files ------------------------------------------ */

static int check_parent(const char *dir, char *err, size_t errlen)
{
	char parent[PATH_MAX], *slash;
	struct stat sb;

	snprintf(parent, sizeof(parent), "%s", dir);
	if ((slash = strrchr(parent, '/')) == NULL || parent[0] != '/') {
		snprintf(err, errlen, "auth state directory %s is not an absolute path", dir);
		return -1;
	}
	if (slash == parent)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (lstat(parent, &sb) != 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != 0 ||
	    (sb.st_mode & 022) != 0) {
		snprintf(err, errlen, "%s (parent of the auth state directory) is missing, not "
		    "a root-owned directory, or writable by group or others", parent);
		return -1;
	}
	return 0;
}

int nbg_auth_state_open(const char *dir, struct nbg_auth_state **out, char *err, size_t errlen)
{
	struct nbg_auth_state *st = NULL;
	struct stat sb;
	int fd = -1, ret = -1;

	*out = NULL;
	if (check_parent(dir, err, errlen) != 0)
		goto out;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create auth state directory %s: %s", dir,
		    strerror(errno));
		goto out;
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open auth state directory %s: %s", dir,
		    strerror(errno));
		goto out;
	}
	if (fstat(fd, &sb) != 0 || sb.st_uid != 0 || (sb.st_mode & 077) != 0) {
		snprintf(err, errlen, "auth state directory %s is not root-owned mode 0700 "
		    "(fix: chown root: %s && chmod 0700 %s)", dir, dir, dir);
		goto out;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	st->dirfd = fd;
	snprintf(st->dir, sizeof(st->dir), "%s", dir);
	fd = -1;
	*out = st;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

void nbg_auth_state_close(struct nbg_auth_state *st)
{
	if (st == NULL)
		return;
	close(st->dirfd);
	free(st);
}

static int lock_state(struct nbg_auth_state *st, char *err, size_t errlen)
{
	struct timespec delay = { 0, 100 * 1000 * 1000 };
	int fd;

	fd = openat(st->dirfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s/lock: %s", st->dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < LOCK_TRIES; i++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR)
			break;
		nanosleep(&delay, NULL);
	}
	snprintf(err, errlen, "cannot lock %s/lock: %s", st->dir,
	    errno == EWOULDBLOCK ? "held by another login for more than 5 s" : strerror(errno));
	close(fd);
	return -1;
}

/* Read a state file: absent is empty; anything but a root-owned 0600-or-stricter file is an error. */
static int read_file(struct nbg_auth_state *st, const char *name, char *buf, size_t max,
    size_t *len, char *err, size_t errlen)
{
	struct stat sb;
	ssize_t n;
	int fd, ret = -1;

	*len = 0;
	if ((fd = openat(st->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot open %s/%s: %s", st->dir, name, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_uid != 0 ||
	    (sb.st_mode & 077) != 0 || sb.st_size < 0 || (size_t)sb.st_size >= max) {
		snprintf(err, errlen, "%s/%s is not a root-owned 0600 file of less than %zu bytes",
		    st->dir, name, max);
		goto out;
	}
	while (*len < max - 1 && (n = read(fd, buf + *len, max - 1 - *len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "cannot read %s/%s: %s", st->dir, name,
			    strerror(errno));
			goto out;
		}
		*len += (size_t)n;
	}
	buf[*len] = '\0';
	ret = 0;
out:
	close(fd);
	return ret;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Replace name atomically: a temporary file, fsync, rename, fsync of the directory. */
static int write_atomic(struct nbg_auth_state *st, const char *name, const char *buf, size_t len,
    char *err, size_t errlen)
{
	char tmp[NAME_MAX + 1];
	int fd, ret = -1;

	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	if (unlinkat(st->dirfd, tmp, 0) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove %s/%s: %s", st->dir, tmp, strerror(errno));
		return -1;
	}
	fd = openat(st->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s/%s: %s", st->dir, tmp, strerror(errno));
		return -1;
	}
	if (write_all(fd, buf, len) != 0 || fsync(fd) != 0) {
		snprintf(err, errlen, "cannot write %s/%s: %s", st->dir, tmp, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		snprintf(err, errlen, "cannot write %s/%s: %s", st->dir, tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (renameat(st->dirfd, tmp, st->dirfd, name) != 0) {
		snprintf(err, errlen, "cannot rename %s/%s: %s", st->dir, tmp, strerror(errno));
		goto out;
	}
	if (fsync(st->dirfd) != 0) {
		snprintf(err, errlen, "cannot sync %s: %s", st->dir, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ret != 0)
		(void)unlinkat(st->dirfd, tmp, 0);
	return ret;
}

/* ---- challenge records ------------------------------------------------------ */

static int rec_file(const char *user, char name[NAME_MAX + 1], char *err, size_t errlen)
{
	if (user == NULL || !nbg_valid_username(user)) {
		snprintf(err, errlen, "no auth state for an invalid user name");
		return -1;
	}
	snprintf(name, NAME_MAX + 1, "chal-%s", user);
	return 0;
}

static int parse_i64(const char *s, size_t len, int64_t *out)
{
	int64_t v = 0;

	if (len == 0 || len > 18)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static bool all_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The next space-separated field of line [*p, end). */
static int field(const char **p, const char *end, const char **f, size_t *flen)
{
	const char *sp = memchr(*p, ' ', (size_t)(end - *p));

	if (sp == NULL)
		return -1;
	*f = *p;
	*flen = (size_t)(sp - *p);
	*p = sp + 1;
	return 0;
}

/* "c1 NONCE ISSUED EXPIRES issued|used TEXT" */
static int parse_rec(const char *line, size_t len, struct nbg_challenge_rec *r)
{
	const char *p = line, *end = line + len, *f;
	size_t fl;

	memset(r, 0, sizeof(*r));
	if (field(&p, end, &f, &fl) != 0 || fl != 2 || memcmp(f, "c1", 2) != 0)
		return -1;
	if (field(&p, end, &f, &fl) != 0 || fl != NBG_NONCE_HEX || !all_hex(f, fl))
		return -1;
	memcpy(r->nonce, f, fl);
	if (field(&p, end, &f, &fl) != 0 || parse_i64(f, fl, &r->issued) != 0)
		return -1;
	if (field(&p, end, &f, &fl) != 0 || parse_i64(f, fl, &r->expires) != 0)
		return -1;
	if (field(&p, end, &f, &fl) != 0)
		return -1;
	if (fl == 4 && memcmp(f, "used", 4) == 0)
		r->used = true;
	else if (!(fl == 6 && memcmp(f, "issued", 6) == 0))
		return -1;
	fl = (size_t)(end - p);
	if (fl == 0 || fl >= sizeof(r->text))
		return -1;
	for (size_t i = 0; i < fl; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f)
			return -1;
	memcpy(r->text, p, fl);
	return 0;
}

/* All records of a user, in file (issue) order. */
static int load_recs(struct nbg_auth_state *st, const char *name, struct nbg_challenge_rec *recs,
    size_t max, size_t *n, char *err, size_t errlen)
{
	char buf[REC_FILE_MAX + 1];
	const char *p, *nl;
	size_t len;

	*n = 0;
	if (read_file(st, name, buf, sizeof(buf), &len, err, errlen) != 0)
		return -1;
	for (p = buf; p < buf + len; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(buf + len - p))) == NULL || *n >= max ||
		    parse_rec(p, (size_t)(nl - p), &recs[*n]) != 0) {
			snprintf(err, errlen, "%s/%s is corrupt at record %zu (remove it to reset "
			    "the user's challenges)", st->dir, name, *n + 1);
			return -1;
		}
		(*n)++;
	}
	return 0;
}

static int save_recs(struct nbg_auth_state *st, const char *name,
    const struct nbg_challenge_rec *recs, size_t n, char *err, size_t errlen)
{
	char buf[REC_FILE_MAX + 1];
	size_t off = 0;

	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + off, sizeof(buf) - off, "c1 %s %" PRId64 " %" PRId64
		    " %s %s\n", recs[i].nonce, recs[i].issued, recs[i].expires,
		    recs[i].used ? "used" : "issued", recs[i].text);

		if (w < 0 || (size_t)w >= sizeof(buf) - off) {
			snprintf(err, errlen, "challenge records for %s do not fit", name);
			return -1;
		}
		off += (size_t)w;
	}
	return write_atomic(st, name, buf, off, err, errlen);
}

/* Keep records whose challenge expired less than NBG_STATE_RETAIN ago, the newest max. */
static size_t prune(struct nbg_challenge_rec *recs, size_t n, int64_t now, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (recs[i].expires + NBG_STATE_RETAIN >= now)
			recs[k++] = recs[i];
	if (k > max) {
		memmove(recs, recs + (k - max), max * sizeof(*recs));
		k = max;
	}
	return k;
}

static void rec_from(struct nbg_challenge_rec *r, const struct nbg_challenge *c, bool used)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->nonce, c->nonce, sizeof(r->nonce));
	r->issued = c->issued;
	r->expires = c->expires;
	r->used = used;
	memcpy(r->text, c->text, sizeof(r->text));
}

int nbg_auth_state_issue(struct nbg_auth_state *st, const char *user,
    const struct nbg_challenge *c, int64_t now, char *err, size_t errlen)
{
	struct nbg_challenge_rec recs[NBG_STATE_MAX_RECORDS + 1];
	char name[NAME_MAX + 1];
	size_t n;
	int lk, ret = -1;

	if (rec_file(user, name, err, errlen) != 0 || (lk = lock_state(st, err, errlen)) < 0)
		return -1;
	if (load_recs(st, name, recs, NBG_STATE_MAX_RECORDS, &n, err, errlen) != 0)
		goto out;
	n = prune(recs, n, now, NBG_STATE_MAX_RECORDS - 1);
	rec_from(&recs[n++], c, false);
	ret = save_recs(st, name, recs, n, err, errlen);
out:
	close(lk);
	return ret;
}

int nbg_auth_state_list(struct nbg_auth_state *st, const char *user,
    struct nbg_challenge_rec *recs, size_t max, size_t *n, char *err, size_t errlen)
{
	struct nbg_challenge_rec all[NBG_STATE_MAX_RECORDS];
	char name[NAME_MAX + 1];
	size_t k;
	int lk, ret = -1;

	*n = 0;
	if (rec_file(user, name, err, errlen) != 0 || (lk = lock_state(st, err, errlen)) < 0)
		return -1;
	if (load_recs(st, name, all, NBG_STATE_MAX_RECORDS, &k, err, errlen) != 0)
		goto out;
	for (size_t i = 0; i < k && *n < max; i++)
		recs[(*n)++] = all[k - 1 - i];
	ret = 0;
out:
	close(lk);
	return ret;
}

/* ---- counters ----------------------------------------------------------------- */

static void ctr_file(const uint8_t sha256[32], char name[NAME_MAX + 1])
{
	int o = snprintf(name, NAME_MAX + 1, "ctr-");

	for (int i = 0; i < 32; i++)
		o += snprintf(name + o, (size_t)(NAME_MAX + 1 - o), "%02x", sha256[i]);
}

/* "k1 COUNTER UPDATED\n" */
static int load_counter(struct nbg_auth_state *st, const char *name, uint32_t *prev, char *err,
    size_t errlen)
{
	char buf[CTR_FILE_MAX];
	const char *p = buf, *end, *f;
	size_t len, fl;
	int64_t v, t;

	*prev = 0;
	if (read_file(st, name, buf, sizeof(buf), &len, err, errlen) != 0)
		return -1;
	if (len == 0)
		return 0;
	end = buf + len;
	if (buf[len - 1] != '\n' || field(&p, end, &f, &fl) != 0 || fl != 2 ||
	    memcmp(f, "k1", 2) != 0 || field(&p, end, &f, &fl) != 0 ||
	    parse_i64(f, fl, &v) != 0 || v > UINT32_MAX ||
	    parse_i64(p, (size_t)(end - 1 - p), &t) != 0) {
		snprintf(err, errlen, "%s/%s is corrupt (a key's signature counter; remove it "
		    "only if the key was replaced)", st->dir, name);
		return -1;
	}
	*prev = (uint32_t)v;
	return 0;
}

static enum nbg_state_result check_counter(struct nbg_auth_state *st, const uint8_t *sha256,
    uint32_t counter, int64_t now, uint32_t *prev, char *err, size_t errlen)
{
	char name[NAME_MAX + 1], buf[CTR_FILE_MAX];
	int w;

	ctr_file(sha256, name);
	if (load_counter(st, name, prev, err, errlen) != 0)
		return NBG_STATE_ERROR;
	if ((counter != 0 || *prev != 0) && counter <= *prev) {
		snprintf(err, errlen, "signature counter %" PRIu32 " is not above the %" PRIu32
		    " recorded for this key: a cloned or replayed authenticator?", counter, *prev);
		return NBG_STATE_REGRESSED;
	}
	w = snprintf(buf, sizeof(buf), "k1 %" PRIu32 " %" PRId64 "\n", counter, now);
	if (write_atomic(st, name, buf, (size_t)w, err, errlen) != 0)
		return NBG_STATE_ERROR;
	return NBG_STATE_OK;
}

/* Mark the challenge used; REPLAYED when it already was. */
static enum nbg_state_result consume(struct nbg_auth_state *st, const char *name,
    const struct nbg_challenge *c, int64_t now, char *err, size_t errlen)
{
	struct nbg_challenge_rec recs[NBG_STATE_MAX_RECORDS + 1];
	size_t n, i;

	if (load_recs(st, name, recs, NBG_STATE_MAX_RECORDS, &n, err, errlen) != 0)
		return NBG_STATE_ERROR;
	for (i = 0; i < n; i++)
		if (strcmp(recs[i].nonce, c->nonce) == 0)
			break;
	if (i < n && recs[i].used) {
		snprintf(err, errlen, "challenge %s was already used", c->nonce);
		return NBG_STATE_REPLAYED;
	}
	if (i < n)
		recs[i].used = true;
	else {
		/* pruned meanwhile: remember it as used all the same */
		n = prune(recs, n, now, NBG_STATE_MAX_RECORDS - 1);
		rec_from(&recs[n++], c, true);
	}
	return save_recs(st, name, recs, n, err, errlen) == 0 ? NBG_STATE_OK : NBG_STATE_ERROR;
}

enum nbg_state_result nbg_auth_state_finish(struct nbg_auth_state *st, const char *user,
    const struct nbg_challenge *c, int64_t now, const uint8_t *key_sha256, uint32_t counter,
    uint32_t *prev, char *err, size_t errlen)
{
	char name[NAME_MAX + 1];
	enum nbg_state_result r;
	int lk;

	*prev = 0;
	if (rec_file(user, name, err, errlen) != 0 || (lk = lock_state(st, err, errlen)) < 0)
		return NBG_STATE_ERROR;
	r = consume(st, name, c, now, err, errlen);
	if (r == NBG_STATE_OK && key_sha256 != NULL)
		r = check_counter(st, key_sha256, counter, now, prev, err, errlen);
	close(lk);
	return r;
}
