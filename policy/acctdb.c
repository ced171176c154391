/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * acctdb.c - the accounts database reader: opener and lookups (see
 * acctdb.h; the layout is in docs/accounts-db.md).
 *
 *	header		160 bytes: magic, version, sizes, counts, the group's
 *			gid, section offsets and sizes, the group's name
 *	name index	nbuckets x 8 bytes: u32 record + 1 (0 = empty), u32
 *			high half of FNV-1a 64 of the login; linear probing
 *	uid index	nbuckets x 8 bytes: u32 record + 1, u32 uid; first
 *			bucket from the murmur3 finalizer of the uid
 *	records		naccounts x 40 bytes, in enumeration order
 *	strings		NUL-terminated strings
 *
 * Every read names a section, an offset and a length, is checked against
 * that section, and then copies the bytes from the image in memory or
 * reads them from the file with pread(); buf.h parses what was read.
 *
 * Only libc and buf.c: this file is linked into libnss_nexusbg.so.2.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acctdb.h"
#include "acctdb_int.h"
#include "buf.h"

static void seterr(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void seterr(char *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(err, NBG_ACCTDB_ERR_LEN, fmt, ap);
	va_end(ap);
}

bool nbg_acctdb_valid_name(const char *s, size_t len)
{
	if (len == 0 || len > NBG_ACCTDB_NAME_MAX)
		return false;
	if (!((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return false;
	for (size_t i = 1; i < len; i++) {
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		    c == '-')
			continue;
		if (c == '$' && i == len - 1)
			continue;
		return false;
	}
	return true;
}

/* --- reading ----------------------------------------------------------------- */

enum { S_NAMES = 0, S_UIDS, S_RECORDS, S_STRINGS };

/* LEN bytes of the file at AT; -1 on an error or a short read. */
static int read_at(int fd, void *dst, size_t len, uint64_t at)
{
	uint8_t *p = dst;

	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
		at += (uint64_t)n;
	}
	return 0;
}

/* LEN bytes at AT of the image or the file (AT + LEN <= db->len, checked by the caller). */
static int get_raw(const struct nbg_acctdb *db, uint64_t at, size_t len, void *dst)
{
	if (db->img != NULL) {
		memcpy(dst, db->img + at, len);
		return NBG_BUF_OK;
	}
	return read_at(db->fd, dst, len, at) == 0 ? NBG_BUF_OK : NBG_BUF_E_SHORT;
}

/*
 * Bytes [off, off + len) of section S into DST: NBG_BUF_E_RANGE when they
 * are not all inside it (the check of nbg_buf_window(), without overflow),
 * NBG_BUF_E_SHORT when the file does not give them.
 */
static int get(const struct nbg_acctdb *db, int s, uint64_t off, size_t len, void *dst)
{
	if (off > db->size[s] || len > db->size[s] - off)
		return NBG_BUF_E_RANGE;
	return get_raw(db, db->off[s] + off, len, dst);
}

/* --- the header ----------------------------------------------------------- */

struct header {
	uint32_t version, header_size;
	uint64_t total;
	uint32_t naccounts, nbuckets, group_gid, flags;
	uint64_t off[4], size[4];	/* name index, uid index, records, strings */
	const uint8_t *group_name;	/* ADB_GROUP_NAME_LEN bytes, NUL-padded */
	const uint8_t *reserved;
};

static int read_header(struct nbg_buf *b, struct header *h)
{
	int r;

	if ((r = nbg_buf_get_u32le(b, &h->version)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &h->header_size)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u64le(b, &h->total)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &h->naccounts)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &h->nbuckets)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &h->group_gid)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &h->flags)) != NBG_BUF_OK)
		return r;
	for (size_t i = 0; i < 4; i++) {
		if ((r = nbg_buf_get_u64le(b, &h->off[i])) != NBG_BUF_OK ||
		    (r = nbg_buf_get_u64le(b, &h->size[i])) != NBG_BUF_OK)
			return r;
	}
	if ((r = nbg_buf_get_bytes(b, ADB_GROUP_NAME_LEN, &h->group_name)) != NBG_BUF_OK)
		return r;
	return nbg_buf_get_bytes(b, ADB_RESERVED_LEN, &h->reserved);
}

/* The group's name: 1 to 32 bytes of a portable name, then only NULs. */
static int group_name(const struct header *h, char out[NBG_ACCTDB_NAME_MAX + 1])
{
	size_t n = strnlen((const char *)h->group_name, ADB_GROUP_NAME_LEN);

	for (size_t i = n; i < ADB_GROUP_NAME_LEN; i++) {
		if (h->group_name[i] != 0)
			return -1;
	}
	memcpy(out, h->group_name, n);
	out[n] = '\0';
	return nbg_acctdb_valid_name(out, n) ? 0 : -1;
}

/* The counts, and that the four sections tile the image in order. */
static int check_layout(const struct header *h, uint64_t len, char *err)
{
	uint64_t expect[3];

	if (h->naccounts > NBG_ACCTDB_MAX_ACCOUNTS) {
		seterr(err, "accounts database: %u accounts, over the limit of %u",
		    h->naccounts, NBG_ACCTDB_MAX_ACCOUNTS);
		return -1;
	}
	if (h->nbuckets < ADB_MIN_BUCKETS || h->nbuckets > ADB_MAX_BUCKETS ||
	    (h->nbuckets & (h->nbuckets - 1)) != 0 || h->nbuckets < 2 * h->naccounts) {
		seterr(err, "accounts database: bad index size %u for %u accounts", h->nbuckets,
		    h->naccounts);
		return -1;
	}
	if (h->flags != 0) {
		seterr(err, "accounts database: unknown header flags 0x%x", h->flags);
		return -1;
	}
	for (size_t i = 0; i < ADB_RESERVED_LEN; i++) {
		if (h->reserved[i] != 0) {
			seterr(err, "accounts database: reserved header bytes are not zero");
			return -1;
		}
	}
	expect[0] = (uint64_t)h->nbuckets * ADB_BUCKET_SIZE;
	expect[1] = expect[0];
	expect[2] = (uint64_t)h->naccounts * ADB_RECORD_SIZE;
	if (h->off[0] != ADB_HEADER_SIZE) {
		seterr(err, "accounts database: the name index does not follow the header");
		return -1;
	}
	for (size_t i = 0; i < 4; i++) {
		if (i < 3 && h->size[i] != expect[i]) {
			seterr(err, "accounts database: section %zu has %llu bytes, expected %llu",
			    i, (unsigned long long)h->size[i], (unsigned long long)expect[i]);
			return -1;
		}
		/* Offsets and sizes are bounded by len, so the sums cannot wrap. */
		if (h->off[i] > len || h->size[i] > len - h->off[i] ||
		    (i < 3 && h->off[i + 1] != h->off[i] + h->size[i])) {
			seterr(err, "accounts database: section %zu lies outside the image or "
			    "overlaps", i);
			return -1;
		}
	}
	if (h->off[3] + h->size[3] != len) {
		seterr(err, "accounts database: sections do not end at the end of the image");
		return -1;
	}
	return 0;
}

/* Read and validate the header: constant work. */
static int db_init(struct nbg_acctdb *db, char *err)
{
	uint8_t raw[ADB_HEADER_SIZE];
	struct nbg_buf whole;
	struct header h;
	const uint8_t *magic;
	int r;

	if (db->len < ADB_HEADER_SIZE) {
		seterr(err, "accounts database: %llu bytes, shorter than its header",
		    (unsigned long long)db->len);
		return -1;
	}
	if (db->len > NBG_ACCTDB_MAX_BYTES) {
		seterr(err, "accounts database: %llu bytes, over the %u-byte limit",
		    (unsigned long long)db->len, NBG_ACCTDB_MAX_BYTES);
		return -1;
	}
	if (get_raw(db, 0, sizeof(raw), raw) != NBG_BUF_OK) {
		seterr(err, "accounts database: the header cannot be read");
		return -1;
	}
	nbg_buf_init(&whole, raw, sizeof(raw));
	if (nbg_buf_get_bytes(&whole, ADB_MAGIC_LEN, &magic) != NBG_BUF_OK ||
	    memcmp(magic, ADB_MAGIC, ADB_MAGIC_LEN) != 0) {
		seterr(err, "accounts database: bad magic (not an accounts database)");
		return -1;
	}
	if ((r = read_header(&whole, &h)) != NBG_BUF_OK) {
		seterr(err, "accounts database: header %s", nbg_buf_strerror(r));
		return -1;
	}
	if (h.version != ADB_VERSION || h.header_size != ADB_HEADER_SIZE) {
		seterr(err, "accounts database: format version %u (header %u bytes); this "
		    "reader knows version %u", h.version, h.header_size, ADB_VERSION);
		return -1;
	}
	if (h.total != db->len) {
		seterr(err, "accounts database: %llu bytes, its header says %llu (truncated?)",
		    (unsigned long long)db->len, (unsigned long long)h.total);
		return -1;
	}
	if (check_layout(&h, db->len, err) != 0)
		return -1;
	if (group_name(&h, db->group_name) != 0) {
		seterr(err, "accounts database: bad group name");
		return -1;
	}
	if (h.group_gid == 0 || h.group_gid == UINT32_MAX) {
		seterr(err, "accounts database: group gid %u is not allowed", h.group_gid);
		return -1;
	}
	memcpy(db->off, h.off, sizeof(db->off));
	memcpy(db->size, h.size, sizeof(db->size));
	db->naccounts = h.naccounts;
	db->nbuckets = h.nbuckets;
	db->group_gid = h.group_gid;
	return 0;
}

static void db_reset(struct nbg_acctdb *db)
{
	memset(db, 0, sizeof(*db));
	db->fd = -1;
}

int nbg_acctdb_from_image(struct nbg_acctdb *db, const void *img, size_t len, char *err)
{
	db_reset(db);
	if (img == NULL) {
		seterr(err, "accounts database: no image");
		return -1;
	}
	db->img = img;
	db->len = len;
	if (db_init(db, err) != 0) {
		db_reset(db);
		return -1;
	}
	return 0;
}

void nbg_acctdb_close(struct nbg_acctdb *db)
{
	if (db->fd >= 0)
		close(db->fd);
	db_reset(db);
}

uint32_t nbg_acctdb_count(const struct nbg_acctdb *db)
{
	return db->naccounts;
}

const char *nbg_acctdb_group_name(const struct nbg_acctdb *db)
{
	return db->group_name;
}

uint32_t nbg_acctdb_group_gid(const struct nbg_acctdb *db)
{
	return db->group_gid;
}

/* --- the file ------------------------------------------------------------- */

static enum nbg_acctdb_status check_owner_mode(const struct stat *st, const char *what,
    const char *path, unsigned flags, char *err)
{
	if ((flags & NBG_ACCTDB_CHECK_PERMS) == 0)
		return NBG_ACCTDB_OK;
	if (st->st_uid != 0) {
		seterr(err, "%s%s is owned by uid %u, not root", what, path, (unsigned)st->st_uid);
		return NBG_ACCTDB_INSECURE;
	}
	if ((st->st_mode & 022) != 0) {
		seterr(err, "%s%s is writable by group or others (mode %04o)", what, path,
		    (unsigned)(st->st_mode & 07777));
		return NBG_ACCTDB_INSECURE;
	}
	return NBG_ACCTDB_OK;
}

/* Open PATH's directory, check it, then the file inside it (no symlink). */
static enum nbg_acctdb_status open_file(const char *path, unsigned flags, int *fdp,
    struct stat *st, char *err)
{
	enum nbg_acctdb_status s;
	char dir[PATH_MAX];
	const char *slash, *base;
	size_t n;
	int dfd = -1, fd = -1, e;

	*fdp = -1;
	n = strnlen(path, PATH_MAX);
	slash = strrchr(path, '/');
	if (n == 0 || n >= PATH_MAX || slash == NULL || slash[1] == '\0') {
		seterr(err, "accounts database path \"%.64s\" is not an absolute file name", path);
		return NBG_ACCTDB_INVALID;
	}
	n = slash == path ? 1 : (size_t)(slash - path);
	memcpy(dir, path, n);
	dir[n] = '\0';
	base = slash + 1;
	if ((dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		e = errno;
		seterr(err, "%s: %s", dir, strerror(e));
		return e == ENOENT ? NBG_ACCTDB_MISSING : NBG_ACCTDB_INVALID;
	}
	if (fstat(dfd, st) != 0) {
		seterr(err, "%s: %s", dir, strerror(errno));
		s = NBG_ACCTDB_INVALID;
		goto out;
	}
	if ((s = check_owner_mode(st, "directory ", dir, flags, err)) != NBG_ACCTDB_OK)
		goto out;
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		e = errno;
		seterr(err, "%s: %s", path, e == ELOOP ? "is a symbolic link" : strerror(e));
		s = e == ENOENT ? NBG_ACCTDB_MISSING : e == ELOOP ? NBG_ACCTDB_INSECURE :
		    NBG_ACCTDB_INVALID;
		goto out;
	}
	if (fstat(fd, st) != 0) {
		seterr(err, "%s: %s", path, strerror(errno));
		s = NBG_ACCTDB_INVALID;
		goto out;
	}
	if (!S_ISREG(st->st_mode)) {
		seterr(err, "%s is not a regular file", path);
		s = NBG_ACCTDB_INSECURE;
		goto out;
	}
	if ((s = check_owner_mode(st, "", path, flags, err)) != NBG_ACCTDB_OK)
		goto out;
	if (st->st_size < ADB_HEADER_SIZE || (uint64_t)st->st_size > NBG_ACCTDB_MAX_BYTES) {
		seterr(err, "%s: %lld bytes, not the size of an accounts database", path,
		    (long long)st->st_size);
		s = NBG_ACCTDB_INVALID;
		goto out;
	}
	*fdp = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	close(dfd);
	return s;
}

enum nbg_acctdb_status nbg_acctdb_open(struct nbg_acctdb *db, const char *path,
    unsigned flags, char *err)
{
	enum nbg_acctdb_status s;
	struct stat st;
	char why[NBG_ACCTDB_ERR_LEN];
	int fd;

	db_reset(db);
	if (path == NULL) {
		seterr(err, "no accounts database path");
		return NBG_ACCTDB_INVALID;
	}
	if ((s = open_file(path, flags, &fd, &st, err)) != NBG_ACCTDB_OK)
		return s;
	db->fd = fd;
	db->len = (uint64_t)st.st_size;
	if (db_init(db, err != NULL ? why : NULL) != 0) {
		seterr(err, "%s: %s", path, why);
		nbg_acctdb_close(db);
		return NBG_ACCTDB_INVALID;
	}
	return NBG_ACCTDB_OK;
}

/* --- records -------------------------------------------------------------- */

/* A stored string of LEN bytes at OFF in the strings, checked, copied to OUT. */
static int get_string(const struct nbg_acctdb *db, uint32_t off, uint32_t len, uint32_t max,
    char *out)
{
	uint8_t tmp[NBG_ACCTDB_PATH_MAX + 1];
	struct nbg_buf b;
	const char *s;

	if (len > max || len >= sizeof(tmp) || get(db, S_STRINGS, off, (size_t)len + 1, tmp) !=
	    NBG_BUF_OK)
		return -1;
	nbg_buf_init(&b, tmp, (size_t)len + 1);
	if (nbg_buf_cstring_at(&b, 0, len, &s) != NBG_BUF_OK)
		return -1;
	memcpy(out, s, (size_t)len + 1);
	return 0;
}

/* No ':' or control byte: the field fits a passwd(5) line as it is. */
static bool field_ok(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == ':')
			return false;
	}
	return true;
}

/*
 * The four strings of a record into out->str.  The writer puts them one
 * after the other, so one read usually gets them all; they are checked
 * one by one all the same, wherever they are.
 */
static int get_strings(const struct nbg_acctdb *db, const uint32_t *f, struct nbg_acct *out)
{
	static const uint32_t max[4] = { NBG_ACCTDB_NAME_MAX, NBG_ACCTDB_GECOS_MAX,
	    NBG_ACCTDB_PATH_MAX, NBG_ACCTDB_PATH_MAX };
	const char **dst[4] = { &out->name, &out->gecos, &out->home, &out->shell };
	uint8_t span[NBG_ACCTDB_STR_MAX];
	uint64_t lo = UINT64_MAX, hi = 0;
	size_t used = 0;
	struct nbg_acctdb one;
	bool whole;

	for (size_t k = 0; k < 4; k++) {
		uint64_t off = f[2 * k], end = off + f[2 * k + 1] + 1;

		if (f[2 * k + 1] > max[k])
			return -1;
		lo = off < lo ? off : lo;
		hi = end > hi ? end : hi;
	}
	/* one read of the span, then each string is taken from it as from an image */
	whole = hi - lo <= sizeof(span) && get(db, S_STRINGS, lo, (size_t)(hi - lo), span) ==
	    NBG_BUF_OK;
	if (whole) {
		db_reset(&one);
		one.img = span;
		one.len = hi - lo;
		one.size[S_STRINGS] = hi - lo;
	}
	for (size_t k = 0; k < 4; k++) {
		char *s = out->str + used;

		if (get_string(whole ? &one : db, whole ? (uint32_t)(f[2 * k] - lo) : f[2 * k],
		    f[2 * k + 1], max[k], s) != 0 || !field_ok(s))
			return -1;
		*dst[k] = s;
		used += (size_t)f[2 * k + 1] + 1;
	}
	return 0;
}

/*
 * Read record i and check everything in it: each string reference, the
 * name's syntax, absolute home and shell, no ':' or control byte that
 * would break a passwd(5) line, and ids that are neither root's nor -1.
 */
static int read_record(const struct nbg_acctdb *db, uint32_t i, struct nbg_acct *out,
    char *err)
{
	uint8_t raw[ADB_RECORD_SIZE];
	struct nbg_buf b;
	uint32_t f[10];		/* name off/len, uid, gid, gecos, home, shell off/len */
	uint32_t strs[8];
	int r;

	if (i >= db->naccounts) {
		seterr(err, "accounts database: record %u of %u does not exist", i,
		    db->naccounts);
		return -1;
	}
	if ((r = get(db, S_RECORDS, (uint64_t)i * ADB_RECORD_SIZE, sizeof(raw), raw)) !=
	    NBG_BUF_OK) {
		seterr(err, "accounts database: record %u: %s", i, nbg_buf_strerror(r));
		return -1;
	}
	nbg_buf_init(&b, raw, sizeof(raw));
	for (size_t k = 0; k < 10; k++) {
		if ((r = nbg_buf_get_u32le(&b, &f[k])) != NBG_BUF_OK) {
			seterr(err, "accounts database: record %u: %s", i, nbg_buf_strerror(r));
			return -1;
		}
	}
	strs[0] = f[0];
	strs[1] = f[1];
	memcpy(strs + 2, f + 4, 6 * sizeof(uint32_t));
	if (get_strings(db, strs, out) != 0 || !nbg_acctdb_valid_name(out->name, f[1]) ||
	    out->home[0] != '/' || out->shell[0] != '/') {
		seterr(err, "accounts database: record %u: a string is out of place or invalid",
		    i);
		return -1;
	}
	if (f[2] == 0 || f[2] == UINT32_MAX || f[3] == 0 || f[3] == UINT32_MAX) {
		seterr(err, "accounts database: record %u: uid %u or gid %u is not allowed", i,
		    f[2], f[3]);
		return -1;
	}
	out->index = i;
	out->uid = f[2];
	out->gid = f[3];
	return 0;
}

int nbg_acctdb_at(const struct nbg_acctdb *db, uint32_t i, struct nbg_acct *out, char *err)
{
	return read_record(db, i, out, err);
}

/*
 * Walk an index from bucket I on, a few buckets per read: calls MATCH for
 * each used bucket until it returns 1 (found) or -1, or an empty bucket
 * ends the walk (0).
 */
#define BUCKETS_PER_READ	8

static int walk(const struct nbg_acctdb *db, int s, uint32_t i,
    int (*match)(const struct nbg_acctdb *db, uint32_t slot, uint32_t key, void *arg),
    void *arg, char *err)
{
	uint8_t raw[BUCKETS_PER_READ * ADB_BUCKET_SIZE];
	uint32_t mask = db->nbuckets - 1, seen = 0;
	int r;

	while (seen < db->nbuckets) {
		uint32_t n = db->nbuckets - i < BUCKETS_PER_READ ? db->nbuckets - i :
		    BUCKETS_PER_READ;
		struct nbg_buf b;

		if ((r = get(db, s, (uint64_t)i * ADB_BUCKET_SIZE, (size_t)n * ADB_BUCKET_SIZE,
		    raw)) != NBG_BUF_OK) {
			seterr(err, "accounts database: index bucket %u: %s", i,
			    nbg_buf_strerror(r));
			return -1;
		}
		nbg_buf_init(&b, raw, (size_t)n * ADB_BUCKET_SIZE);
		for (uint32_t k = 0; k < n && seen < db->nbuckets; k++, seen++) {
			uint32_t slot, key;

			if (nbg_buf_get_u32le(&b, &slot) != NBG_BUF_OK ||
			    nbg_buf_get_u32le(&b, &key) != NBG_BUF_OK)
				return -1;	/* cannot happen: n buckets were read */
			if (slot == 0)
				return 0;
			if ((r = match(db, slot, key, arg)) != 0)
				return r;
		}
		i = (i + n) & mask;
	}
	seterr(err, "accounts database: the index has no empty bucket (corrupt)");
	return -1;
}

struct by_name {
	const char *name;
	uint32_t hi;
	struct nbg_acct *out;
	char *err;
};

static int match_name(const struct nbg_acctdb *db, uint32_t slot, uint32_t key, void *arg)
{
	struct by_name *q = arg;

	if (key != q->hi)
		return 0;
	if (read_record(db, slot - 1, q->out, q->err) != 0)
		return -1;
	return strcmp(q->out->name, q->name) == 0;
}

int nbg_acctdb_by_name(const struct nbg_acctdb *db, const char *name, struct nbg_acct *out,
    char *err)
{
	struct by_name q = { name, 0, out, err };
	uint64_t h;
	size_t len;

	if (name == NULL || (db->img == NULL && db->fd < 0)) {
		seterr(err, "accounts database: lookup without a name or a database");
		return -1;
	}
	/* No name longer than a login can be in the database. */
	len = strnlen(name, NBG_ACCTDB_NAME_MAX + 1);
	if (len == 0 || len > NBG_ACCTDB_NAME_MAX)
		return 0;
	h = nbg_acctdb_hash_name(name, len);
	q.hi = (uint32_t)(h >> 32);
	return walk(db, S_NAMES, (uint32_t)h & (db->nbuckets - 1), match_name, &q, err);
}

struct by_uid {
	uint32_t uid;
	struct nbg_acct *out;
	char *err;
};

static int match_uid(const struct nbg_acctdb *db, uint32_t slot, uint32_t key, void *arg)
{
	struct by_uid *q = arg;

	if (key != q->uid)
		return 0;
	if (read_record(db, slot - 1, q->out, q->err) != 0)
		return -1;
	if (q->out->uid == q->uid)
		return 1;
	seterr(q->err, "accounts database: a uid bucket points at record %u of uid %u",
	    slot - 1, q->out->uid);
	return -1;
}

int nbg_acctdb_by_uid(const struct nbg_acctdb *db, uint32_t uid, struct nbg_acct *out,
    char *err)
{
	struct by_uid q = { uid, out, err };

	if (db->img == NULL && db->fd < 0) {
		seterr(err, "accounts database: lookup without a database");
		return -1;
	}
	return walk(db, S_UIDS, nbg_acctdb_hash_uid(uid) & (db->nbuckets - 1), match_uid, &q,
	    err);
}
