/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * passwd.c - the passwd database: getpwnam_r, getpwuid_r and the
 * enumeration, from the accounts database.
 */
#include <errno.h>

#include "nss_nexusbg.h"

static struct nbg_nss_ent pwent = NBG_NSS_ENT_INITIALIZER;

/* FOUND from a lookup (1, 0, -1) into the entry or a status. */
static enum nss_status answer(struct nbg_acctdb *db, int found, const struct nbg_acct *a,
    struct passwd *pw, char *buf, size_t buflen, int *errnop, int saved)
{
	enum nss_status s;

	if (found < 0) {
		*errnop = EIO;
		s = NSS_STATUS_UNAVAIL;
	} else if (found == 0) {
		s = NSS_STATUS_NOTFOUND;
	} else {
		s = nbg_nss_fill_passwd(a, pw, buf, buflen, errnop);
	}
	nbg_acctdb_close(db);
	if (s == NSS_STATUS_SUCCESS || s == NSS_STATUS_NOTFOUND)
		errno = saved;
	return s;
}

enum nss_status nbg_nss_getpwnam(const char *path, const char *name, struct passwd *pw,
    char *buf, size_t buflen, int *errnop)
{
	struct nbg_acctdb db;
	struct nbg_acct a;
	enum nss_status s;
	int saved = errno;

	if (name == NULL)
		return NSS_STATUS_NOTFOUND;
	if ((s = nbg_nss_open(&db, path, errnop)) != NSS_STATUS_SUCCESS)
		return s;
	return answer(&db, nbg_acctdb_by_name(&db, name, &a, NULL), &a, pw, buf, buflen, errnop,
	    saved);
}

enum nss_status nbg_nss_getpwuid(const char *path, uid_t uid, struct passwd *pw, char *buf,
    size_t buflen, int *errnop)
{
	struct nbg_acctdb db;
	struct nbg_acct a;
	enum nss_status s;
	int saved = errno;

	/* root and (uid_t)-1 are never synced accounts: no need to look */
	if (uid == 0 || uid == (uid_t)-1)
		return NSS_STATUS_NOTFOUND;
	if ((s = nbg_nss_open(&db, path, errnop)) != NSS_STATUS_SUCCESS)
		return s;
	return answer(&db, nbg_acctdb_by_uid(&db, (uint32_t)uid, &a, NULL), &a, pw, buf, buflen,
	    errnop, saved);
}

enum nss_status _nss_nexusbg_getpwnam_r(const char *name, struct passwd *pw, char *buf,
    size_t buflen, int *errnop)
{
	return nbg_nss_getpwnam(NBG_DEFAULT_ACCOUNTS_DB, name, pw, buf, buflen, errnop);
}

enum nss_status _nss_nexusbg_getpwuid_r(uid_t uid, struct passwd *pw, char *buf,
    size_t buflen, int *errnop)
{
	return nbg_nss_getpwuid(NBG_DEFAULT_ACCOUNTS_DB, uid, pw, buf, buflen, errnop);
}

enum nss_status _nss_nexusbg_setpwent(int stayopen)
{
	(void)stayopen;
	return nbg_nss_setent(&pwent, NBG_DEFAULT_ACCOUNTS_DB, &errno);
}

enum nss_status _nss_nexusbg_getpwent_r(struct passwd *pw, char *buf, size_t buflen,
    int *errnop)
{
	return nbg_nss_getent(&pwent, NBG_DEFAULT_ACCOUNTS_DB, nbg_nss_fill_passwd, pw, buf,
	    buflen, errnop);
}

enum nss_status _nss_nexusbg_endpwent(void)
{
	return nbg_nss_endent(&pwent);
}
