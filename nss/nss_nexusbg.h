/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nss_nexusbg.h - libnss_nexusbg.so.2, the glibc NSS module of the synced
 * accounts: passwd, group and shadow entries from the accounts database
 * `nexusbg sync` writes (policy/acctdb.h, docs/accounts-db.md).
 *
 * The module is split by concern:
 *   db.c      opening the database (ownership and mode checks) and the
 *             enumeration state shared by the set/get/endXXent functions
 *   pack.c    copying an entry into the caller's buffer (ERANGE)
 *   passwd.c  getpwnam_r, getpwuid_r, setpwent, getpwent_r, endpwent
 *   group.c   getgrnam_r, getgrgid_r, setgrent, getgrent_r, endgrent
 *   shadow.c  getspnam_r, setspent, getspent_r, endspent
 *
 * glibc's conventions (nss/nss_files in glibc is the model):
 *   SUCCESS   the entry is in the caller's result and buffer;
 *   NOTFOUND  no such entry (glibc asks the next service); errno is left
 *             as it was;
 *   TRYAGAIN  with *errnop = ERANGE: the buffer is too small, glibc calls
 *             again with a larger one (an enumeration does not advance);
 *   UNAVAIL   the database is missing (*errnop = ENOENT), not trusted
 *             (EACCES: not root-owned, writable by group or others, a
 *             symlink, or its directory is one of these) or corrupt (EIO).
 *             glibc asks the next service, and no entry is ever made up.
 *
 * The lookups behind the exported functions take the database path, so the
 * unit tests can run them on a file of their own; the exported functions
 * pass NBG_DEFAULT_ACCOUNTS_DB, fixed at build time: the module reads no
 * configuration and no environment.
 */
#ifndef NBG_NSS_NEXUSBG_H
#define NBG_NSS_NEXUSBG_H

#include <grp.h>
#include <nss.h>
#include <pthread.h>
#include <pwd.h>
#include <shadow.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy/acctdb.h"

#ifndef NBG_DEFAULT_ACCOUNTS_DB
#define NBG_DEFAULT_ACCOUNTS_DB "/var/lib/nexusbg/accounts.db"
#endif

/* --- db.c ------------------------------------------------------------------ */

/* Open the database at PATH with every check; UNAVAIL and *errnop when it fails. */
enum nss_status nbg_nss_open(struct nbg_acctdb *db, const char *path, int *errnop);

/* The state of one database's enumeration (one per process and database). */
struct nbg_nss_ent {
	pthread_mutex_t lock;
	bool open;		/* db holds the file set*ent opened */
	struct nbg_acctdb db;
	uint32_t next;		/* the next record to return */
};

#define NBG_NSS_ENT_INITIALIZER { PTHREAD_MUTEX_INITIALIZER, false, { 0 }, 0 }

/* With e->lock held: make sure the database is open (get*ent without set*ent). */
enum nss_status nbg_nss_ent_open(struct nbg_nss_ent *e, const char *path, int *errnop);
/* set*ent: (re)open the database and start from its first entry. */
enum nss_status nbg_nss_setent(struct nbg_nss_ent *e, const char *path, int *errnop);
/* end*ent: close it. */
enum nss_status nbg_nss_endent(struct nbg_nss_ent *e);

/*
 * Copy one account into the caller's structure and buffer: SUCCESS, or
 * TRYAGAIN with *errnop = ERANGE.
 */
typedef enum nss_status nbg_nss_fill_fn(const struct nbg_acct *a, void *result, char *buf,
    size_t buflen, int *errnop);

/* get*ent_r over the accounts: the next one, filled by FILL. */
enum nss_status nbg_nss_getent(struct nbg_nss_ent *e, const char *path, nbg_nss_fill_fn *fill,
    void *result, char *buf, size_t buflen, int *errnop);

/* --- pack.c ---------------------------------------------------------------- */

nbg_nss_fill_fn nbg_nss_fill_passwd;	/* result: struct passwd */
nbg_nss_fill_fn nbg_nss_fill_shadow;	/* result: struct spwd */
enum nss_status nbg_nss_fill_group(const char *name, gid_t gid, struct group *gr, char *buf,
    size_t buflen, int *errnop);

/* --- the lookups, by database path (passwd.c, group.c, shadow.c) ------------ */

enum nss_status nbg_nss_getpwnam(const char *path, const char *name, struct passwd *pw,
    char *buf, size_t buflen, int *errnop);
enum nss_status nbg_nss_getpwuid(const char *path, uid_t uid, struct passwd *pw, char *buf,
    size_t buflen, int *errnop);
enum nss_status nbg_nss_getgrnam(const char *path, const char *name, struct group *gr,
    char *buf, size_t buflen, int *errnop);
enum nss_status nbg_nss_getgrgid(const char *path, gid_t gid, struct group *gr, char *buf,
    size_t buflen, int *errnop);
enum nss_status nbg_nss_getgrent(struct nbg_nss_ent *e, const char *path, struct group *gr,
    char *buf, size_t buflen, int *errnop);
enum nss_status nbg_nss_getspnam(const char *path, const char *name, struct spwd *sp,
    char *buf, size_t buflen, int *errnop);

/* --- the exported entry points (libnss_nexusbg.map) ------------------------- */

/* Everything else is hidden (gnu_symbol_visibility) and local (the map). */
#define NBG_NSS_EXPORT __attribute__((visibility("default")))

NBG_NSS_EXPORT enum nss_status
_nss_nexusbg_getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t buflen,
    int *errnop);
NBG_NSS_EXPORT enum nss_status
_nss_nexusbg_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t buflen, int *errnop);
NBG_NSS_EXPORT enum nss_status
_nss_nexusbg_setpwent(int stayopen);
NBG_NSS_EXPORT enum nss_status
_nss_nexusbg_getpwent_r(struct passwd *pw, char *buf, size_t buflen, int *errnop);
NBG_NSS_EXPORT enum nss_status
_nss_nexusbg_endpwent(void);

NBG_NSS_EXPORT enum nss_status
_nss_nexusbg_getgrnam_r(const char *name, struct group *gr, char *buf, size_t buflen,
    int *errnop);
NBG_NSS_EXPORT enum nss_status
_nss_nexusbg_getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t buflen, int *errnop);
NBG_NSS_EXPORT enum nss_status
_nss_nexusbg_setgrent(int stayopen);
NBG_NSS_EXPORT enum nss_status
_nss_nexusbg_getgrent_r(struct group *gr, char *buf, size_t buflen, int *errnop);
NBG_NSS_EXPORT enum nss_status
_nss_nexusbg_endgrent(void);

NBG_NSS_EXPORT enum nss_status
_nss_nexusbg_getspnam_r(const char *name, struct spwd *sp, char *buf, size_t buflen,
    int *errnop);
NBG_NSS_EXPORT enum nss_status
_nss_nexusbg_setspent(int stayopen);
NBG_NSS_EXPORT enum nss_status
_nss_nexusbg_getspent_r(struct spwd *sp, char *buf, size_t buflen, int *errnop);
NBG_NSS_EXPORT enum nss_status
_nss_nexusbg_endspent(void);

#endif
