/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * acctdb.c - the accounts database reader: opener and lookups (see
 * acctdb.h; the layout is in docs/accounts-db.md).
 *
 *	header		128 bytes: magic, version, sizes, counts, the group,
 *			section offsets and sizes
 *	name index	nbuckets x 8 bytes: u32 record + 1 (0 = empty), u32
 *			high half of FNV-1a 64 of the login; linear probing
 *	uid index	nbuckets x 8 bytes: u32 record + 1, u32 uid; first
 *			bucket from the murmur3 finalizer of the uid
 *	records		naccounts x 40 bytes, in enumeration order
 *	strings		NUL-terminated strings
 *
 * Only libc and buf.c: this file is linked into libnss_nexusbg.so.2.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acctdb.h"
#include "acctdb_int.h"

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

/* --- the header ----------------------------------------------------------- */

struct header {
	uint32_t version, header_size;
	uint64_t total;
	uint32_t naccounts, nbuckets, group_gid, group_off, group_len, flags;
	uint64_t off[4], size[4];	/* name index, uid index, records, strings */
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
	    (r = nbg_buf_get_u32le(b, &h->group_off)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &h->group_len)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &h->flags)) != NBG_BUF_OK)
		return r;
	for (size_t i = 0; i < 4; i++) {
		if ((r = nbg_buf_get_u64le(b, &h->off[i])) != NBG_BUF_OK ||
		    (r = nbg_buf_get_u64le(b, &h->size[i])) != NBG_BUF_OK)
			return r;
	}
	return nbg_buf_get_bytes(b, ADB_RESERVED_LEN, &h->reserved);
}

/* The counts, and that the four sections tile the image in order. */
static int check_layout(const struct header *h, size_t len, char *err)
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

/* Validate the header (constant work) and set up db's windows. */
static int db_init(struct nbg_acctdb *db, char *err)
{
	struct nbg_buf whole;
	struct header h;
	const uint8_t *magic;
	int r;

	nbg_buf_init(&whole, db->img, db->len);
	if (db->len < ADB_HEADER_SIZE) {
		seterr(err, "accounts database: %zu bytes, shorter than its header", db->len);
		return -1;
	}
	if (db->len > NBG_ACCTDB_MAX_BYTES) {
		seterr(err, "accounts database: %zu bytes, over the %u-byte limit", db->len,
		    NBG_ACCTDB_MAX_BYTES);
		return -1;
	}
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
		seterr(err, "accounts database: %zu bytes, its header says %llu (truncated?)",
		    db->len, (unsigned long long)h.total);
		return -1;
	}
	if (check_layout(&h, db->len, err) != 0)
		return -1;
	if (nbg_buf_window(&whole, h.off[0], h.size[0], &db->names) != NBG_BUF_OK ||
	    nbg_buf_window(&whole, h.off[1], h.size[1], &db->uids) != NBG_BUF_OK ||
	    nbg_buf_window(&whole, h.off[2], h.size[2], &db->records) != NBG_BUF_OK ||
	    nbg_buf_window(&whole, h.off[3], h.size[3], &db->strings) != NBG_BUF_OK) {
		seterr(err, "accounts database: section outside the image");
		return -1;
	}
	if (h.group_len == 0 || h.group_len > NBG_ACCTDB_NAME_MAX ||
	    (r = nbg_buf_cstring_at(&db->strings, h.group_off, h.group_len, &db->group_name)) !=
	    NBG_BUF_OK || !nbg_acctdb_valid_name(db->group_name, h.group_len)) {
		seterr(err, "accounts database: bad group name");
		return -1;
	}
	if (h.group_gid == 0 || h.group_gid == UINT32_MAX) {
		seterr(err, "accounts database: group gid %u is not allowed", h.group_gid);
		return -1;
	}
	db->naccounts = h.naccounts;
	db->nbuckets = h.nbuckets;
	db->group_gid = h.group_gid;
	return 0;
}

int nbg_acctdb_from_image(struct nbg_acctdb *db, const void *img, size_t len, char *err)
{
	memset(db, 0, sizeof(*db));
	db->img = img;
	db->len = img != NULL ? len : 0;
	if (db_init(db, err) != 0) {
		memset(db, 0, sizeof(*db));
		return -1;
	}
	return 0;
}

void nbg_acctdb_close(struct nbg_acctdb *db)
{
	if (db->map != NULL)
		munmap(db->map, db->len);
	memset(db, 0, sizeof(*db));
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
	void *map;
	int fd;

	memset(db, 0, sizeof(*db));
	if (path == NULL) {
		seterr(err, "no accounts database path");
		return NBG_ACCTDB_INVALID;
	}
	if ((s = open_file(path, flags, &fd, &st, err)) != NBG_ACCTDB_OK)
		return s;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		seterr(err, "%s: mmap: %s", path, strerror(errno));
		close(fd);
		return NBG_ACCTDB_INVALID;
	}
	close(fd);
	db->map = map;
	db->img = map;
	db->len = (size_t)st.st_size;
	if (db_init(db, err != NULL ? why : NULL) != 0) {
		seterr(err, "%s: %s", path, why);
		nbg_acctdb_close(db);
		return NBG_ACCTDB_INVALID;
	}
	return NBG_ACCTDB_OK;
}

/* --- records -------------------------------------------------------------- */

/* A string of the image: a reference that checks out, without ':' or control bytes. */
static int field_at(const struct nbg_acctdb *db, uint32_t off, uint32_t len, uint32_t max,
    const char **out)
{
	const char *s;

	if (len > max || nbg_buf_cstring_at(&db->strings, off, len, &s) != NBG_BUF_OK)
		return -1;
	for (uint32_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == ':')
			return -1;
	}
	*out = s;
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
	struct nbg_buf b;
	uint32_t f[10];		/* name off/len, uid, gid, gecos, home, shell off/len */
	int r = NBG_BUF_OK;

	if (i >= db->naccounts) {
		seterr(err, "accounts database: record %u of %u does not exist", i,
		    db->naccounts);
		return -1;
	}
	if ((r = nbg_buf_window(&db->records, (uint64_t)i * ADB_RECORD_SIZE, ADB_RECORD_SIZE,
	    &b)) != NBG_BUF_OK) {
		seterr(err, "accounts database: record %u: %s", i, nbg_buf_strerror(r));
		return -1;
	}
	for (size_t k = 0; k < 10; k++) {
		if ((r = nbg_buf_get_u32le(&b, &f[k])) != NBG_BUF_OK) {
			seterr(err, "accounts database: record %u: %s", i, nbg_buf_strerror(r));
			return -1;
		}
	}
	memset(out, 0, sizeof(*out));
	if (field_at(db, f[0], f[1], NBG_ACCTDB_NAME_MAX, &out->name) != 0 ||
	    !nbg_acctdb_valid_name(out->name, f[1]) ||
	    field_at(db, f[4], f[5], NBG_ACCTDB_GECOS_MAX, &out->gecos) != 0 ||
	    field_at(db, f[6], f[7], NBG_ACCTDB_PATH_MAX, &out->home) != 0 ||
	    field_at(db, f[8], f[9], NBG_ACCTDB_PATH_MAX, &out->shell) != 0 ||
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

/* Bucket i of an index: *slot is record + 1 (0 = empty), *key its second word. */
static int bucket(const struct nbg_buf *index, uint32_t i, uint32_t *slot, uint32_t *key,
    char *err)
{
	struct nbg_buf b;
	int r;

	if ((r = nbg_buf_window(index, (uint64_t)i * ADB_BUCKET_SIZE, ADB_BUCKET_SIZE, &b)) !=
	    NBG_BUF_OK || (r = nbg_buf_get_u32le(&b, slot)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(&b, key)) != NBG_BUF_OK) {
		seterr(err, "accounts database: index bucket %u: %s", i, nbg_buf_strerror(r));
		return -1;
	}
	return 0;
}

int nbg_acctdb_by_name(const struct nbg_acctdb *db, const char *name, struct nbg_acct *out,
    char *err)
{
	uint32_t mask = db->nbuckets - 1, i, slot, hi;
	uint64_t h;
	size_t len;

	if (name == NULL || db->img == NULL) {
		seterr(err, "accounts database: lookup without a name or a database");
		return -1;
	}
	/* No name longer than a login can be in the database. */
	len = strnlen(name, NBG_ACCTDB_NAME_MAX + 1);
	if (len == 0 || len > NBG_ACCTDB_NAME_MAX)
		return 0;
	h = nbg_acctdb_hash_name(name, len);
	i = (uint32_t)(h & mask);
	for (uint32_t probe = 0; probe < db->nbuckets; probe++, i = (i + 1) & mask) {
		if (bucket(&db->names, i, &slot, &hi, err) != 0)
			return -1;
		if (slot == 0)
			return 0;
		if (hi != (uint32_t)(h >> 32))
			continue;
		if (read_record(db, slot - 1, out, err) != 0)
			return -1;
		if (strcmp(out->name, name) == 0)
			return 1;
	}
	seterr(err, "accounts database: the name index has no empty bucket (corrupt)");
	return -1;
}

int nbg_acctdb_by_uid(const struct nbg_acctdb *db, uint32_t uid, struct nbg_acct *out,
    char *err)
{
	uint32_t mask = db->nbuckets - 1, i, slot, key;

	if (db->img == NULL) {
		seterr(err, "accounts database: lookup without a database");
		return -1;
	}
	i = nbg_acctdb_hash_uid(uid) & mask;
	for (uint32_t probe = 0; probe < db->nbuckets; probe++, i = (i + 1) & mask) {
		if (bucket(&db->uids, i, &slot, &key, err) != 0)
			return -1;
		if (slot == 0)
			return 0;
		if (key != uid)
			continue;
		if (read_record(db, slot - 1, out, err) != 0)
			return -1;
		if (out->uid == uid)
			return 1;
		seterr(err, "accounts database: uid bucket %u points at record %u of uid %u", i,
		    slot - 1, out->uid);
		return -1;
	}
	seterr(err, "accounts database: the uid index has no empty bucket (corrupt)");
	return -1;
}
