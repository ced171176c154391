/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * acctdb.h - the accounts database: the passwd, group and shadow entries
 * of the synced accounts (`accounts nexusbg`), compiled by `nexusbg sync`
 * into one image and read, memory-mapped, by libnss_nexusbg.so.2.
 *
 * The image holds fixed-size account records, two open-addressing hash
 * indexes (by login and by uid), the one group every account belongs to,
 * and a string area.  Opening checks the header and that the sections tile
 * the image: constant work.  A lookup reads one or a few buckets, one
 * record and its strings, each through buf.h with every offset checked
 * against its section, so a corrupt image gives an error, never a read
 * outside it.  docs/accounts-db.md has the layout.
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

#include "buf.h"

#define NBG_ACCTDB_MAX_ACCOUNTS	200000u		/* the role table's user limit */
#define NBG_ACCTDB_NAME_MAX	32		/* login and group names */
#define NBG_ACCTDB_GECOS_MAX	256
#define NBG_ACCTDB_PATH_MAX	512		/* home directory and shell */
#define NBG_ACCTDB_MAX_BYTES	(256u * 1024 * 1024)
#define NBG_ACCTDB_ERR_LEN	256

/* One account, as the reader returns it: the strings point into the image. */
struct nbg_acct {
	uint32_t index;		/* position in the image, the enumeration order */
	const char *name;
	uint32_t uid, gid;
	const char *gecos;	/* "" when empty */
	const char *home;
	const char *shell;
};

/*
 * An open database.  The members are private to acctdb.c; the structure is
 * public so that a lookup can keep it on the stack (the NSS module
 * allocates nothing).
 */
struct nbg_acctdb {
	const uint8_t *img;
	size_t len;
	void *map;		/* the mapping, or NULL for nbg_acctdb_from_image() */
	struct nbg_buf names, uids, records, strings;
	uint32_t naccounts, nbuckets;
	uint32_t group_gid;
	const char *group_name;
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
 * O_NOFOLLOW; map it read-only and check the header.  ERR (may be NULL)
 * receives why when the status is not NBG_ACCTDB_OK.  The file must be
 * replaced by rename(), never rewritten in place: a truncated file would
 * fault the readers that have it mapped.
 */
enum nbg_acctdb_status nbg_acctdb_open(struct nbg_acctdb *db, const char *path,
    unsigned flags, char *err);

/*
 * An image held in memory (not copied: it must outlive db).  0, or -1 with
 * ERR set when the header does not check out.
 */
int nbg_acctdb_from_image(struct nbg_acctdb *db, const void *img, size_t len, char *err);

/* Unmap an opened database (nothing to do for one from memory). */
void nbg_acctdb_close(struct nbg_acctdb *db);

uint32_t nbg_acctdb_count(const struct nbg_acctdb *db);
const char *nbg_acctdb_group_name(const struct nbg_acctdb *db);
uint32_t nbg_acctdb_group_gid(const struct nbg_acctdb *db);

/* Lookups: 1 found, 0 not found, -1 corrupt image (ERR set, may be NULL). */
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
