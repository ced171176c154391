/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * acctdb.h - the accounts database: the passwd, group and shadow entries
 * of the synced accounts (`accounts nexusbg`), compiled by `nexusbg sync`
 * into one image, and read by libnss_nexusbg.so.2.
 *
 * The image holds fixed-size account records, two open-addressing hash
 * indexes (by login and by uid), the one group every account belongs to,
 * and a string area.  Opening checks the header and that the sections tile
 * the image: constant work.  A lookup reads one or a few buckets, one
 * record and its strings, each checked against its section before it is
 * read and parsed through buf.h, so a corrupt image gives an error, never
 * a read outside it.  docs/accounts-db.md has the layout.
 *
 * An opened file is read with pread(), the few bytes a lookup needs (a
 * bucket or two, a record, its strings), not mapped: no page faults, and a
 * file cut short under a reader gives a short read, never SIGBUS.
 *
 * The reader (acctdb.c) uses only libc and buf.c: it is compiled into the
 * NSS module, which glibc loads into every process that resolves a user,
 * sshd included.  The writer (acctdb_build.c) is used by `nexusbg sync`
 * and the tests.
 */
#ifndef NBG_ACCTDB_H
#define NBG_ACCTDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NBG_ACCTDB_MAX_ACCOUNTS	200000u		/* the role table's user limit */
#define NBG_ACCTDB_NAME_MAX	32		/* login and group names */
#define NBG_ACCTDB_GECOS_MAX	256
#define NBG_ACCTDB_PATH_MAX	512		/* home directory and shell */
#define NBG_ACCTDB_MAX_BYTES	(256u * 1024 * 1024)
#define NBG_ACCTDB_ERR_LEN	256

/* The four strings of an account, each with its NUL. */
#define NBG_ACCTDB_STR_MAX \
	(NBG_ACCTDB_NAME_MAX + NBG_ACCTDB_GECOS_MAX + 2 * NBG_ACCTDB_PATH_MAX + 4)

/*
 * One account, as the reader returns it.  The strings point into str, so
 * the structure is not to be copied by value.
 */
struct nbg_acct {
	uint32_t index;		/* position in the image, the enumeration order */
	const char *name;
	uint32_t uid, gid;
	const char *gecos;	/* "" when empty */
	const char *home;
	const char *shell;
	char str[NBG_ACCTDB_STR_MAX];
};

/*
 * An open database.  The members are private to acctdb.c; the structure is
 * public so that a lookup can keep it on the stack (the NSS module
 * allocates nothing).
 */
struct nbg_acctdb {
	const uint8_t *img;	/* an image in memory (nbg_acctdb_from_image), or NULL */
	int fd;			/* an opened file (nbg_acctdb_open), or -1 */
	uint64_t len;
	uint64_t off[4], size[4];	/* name index, uid index, records, strings */
	uint32_t naccounts, nbuckets;
	uint32_t group_gid;
	char group_name[NBG_ACCTDB_NAME_MAX + 1];
};

enum nbg_acctdb_status {
	NBG_ACCTDB_OK = 0,
	NBG_ACCTDB_MISSING,	/* the file or its directory does not exist */
	NBG_ACCTDB_INSECURE,	/* a symlink, not a regular file; with CHECK_PERMS: the
				   file or its directory not owned by root or writable
				   by group or others */
	NBG_ACCTDB_INVALID,	/* unreadable, empty, too large, or a bad header */
};

/* Flags for nbg_acctdb_open(). */
#define NBG_ACCTDB_CHECK_PERMS	0x1

/*
 * Open PATH: its directory first (checked), then the file in it with
 * O_NOFOLLOW; read and check the header.  The file stays open (O_CLOEXEC)
 * until nbg_acctdb_close(): a database that sync renames over PATH
 * meanwhile is seen by the next open.  ERR (may be NULL) receives why when
 * the status is not NBG_ACCTDB_OK.
 */
enum nbg_acctdb_status nbg_acctdb_open(struct nbg_acctdb *db, const char *path,
    unsigned flags, char *err);

/*
 * An image held in memory (not copied: it must outlive db).  0, or -1 with
 * ERR set when the header does not check out.
 */
int nbg_acctdb_from_image(struct nbg_acctdb *db, const void *img, size_t len, char *err);

/* Close an opened database (nothing to do for one from memory). */
void nbg_acctdb_close(struct nbg_acctdb *db);

uint32_t nbg_acctdb_count(const struct nbg_acctdb *db);
const char *nbg_acctdb_group_name(const struct nbg_acctdb *db);
uint32_t nbg_acctdb_group_gid(const struct nbg_acctdb *db);

/*
 * Lookups: 1 found, 0 not found, -1 corrupt image or a read error (ERR set,
 * may be NULL).
 */
int nbg_acctdb_by_name(const struct nbg_acctdb *db, const char *name, struct nbg_acct *out,
    char *err);
int nbg_acctdb_by_uid(const struct nbg_acctdb *db, uint32_t uid, struct nbg_acct *out,
    char *err);
/* The i-th account (enumeration): 0, or -1 when i is past the end or corrupt. */
int nbg_acctdb_at(const struct nbg_acctdb *db, uint32_t i, struct nbg_acct *out, char *err);

/* A portable login or group name: [a-z_][a-z0-9_.-]*[$]? of 1 to 32 bytes. */
bool nbg_acctdb_valid_name(const char *s, size_t len);

/* --- the writer (acctdb_build.c) ---------------------------------------- */

struct nbg_acctdb_entry {
	const char *name;	/* a valid portable name, unique */
	uint32_t uid, gid;	/* neither 0 nor 4294967295; uids unique */
	const char *gecos;	/* NULL or "": empty */
	const char *home;	/* absolute */
	const char *shell;	/* absolute */
};

/*
 * Compile N accounts (kept in this order) and the group GROUP/GID into an
 * image: 0 with *img (malloc'd, the caller frees) and *len, or -1 with ERR
 * naming the first entry that breaks a rule.  The same input always gives
 * the same bytes.
 */
int nbg_acctdb_build(const struct nbg_acctdb_entry *v, size_t n, const char *group,
    uint32_t gid, uint8_t **img, size_t *len, char *err);

#endif
