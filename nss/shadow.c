/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * shadow.c - the shadow database: getspnam_r and the enumeration.  Every
 * account's entry is "NAME:*:::::::" (pack.c): nothing secret, so it is
 * answered to any caller, as the passwd entry is.
 */
#include <errno.h>

#include "nss_nexusbg.h"

static struct nbg_nss_ent spent = NBG_NSS_ENT_INITIALIZER;

enum nss_status nbg_nss_getspnam(const char *path, const char *name, struct spwd *sp,
    char *buf, size_t buflen, int *errnop)
{
	struct nbg_acctdb db;
	struct nbg_acct a;
	enum nss_status s;
	int saved = errno, found;

	if (name == NULL)
		return NSS_STATUS_NOTFOUND;
	if ((s = nbg_nss_open(&db, path, errnop)) != NSS_STATUS_SUCCESS)
		return s;
	found = nbg_acctdb_by_name(&db, name, &a, NULL);
	if (found < 0) {
		*errnop = EIO;
		s = NSS_STATUS_UNAVAIL;
	} else if (found == 0) {
		s = NSS_STATUS_NOTFOUND;
	} else {
		s = nbg_nss_fill_shadow(&a, sp, buf, buflen, errnop);
	}
	nbg_acctdb_close(&db);
	if (s == NSS_STATUS_SUCCESS || s == NSS_STATUS_NOTFOUND)
		errno = saved;
	return s;
}

enum nss_status _nss_nexusbg_getspnam_r(const char *name, struct spwd *sp, char *buf,
    size_t buflen, int *errnop)
{
	return nbg_nss_getspnam(NBG_DEFAULT_ACCOUNTS_DB, name, sp, buf, buflen, errnop);
}

enum nss_status _nss_nexusbg_setspent(int stayopen)
{
	(void)stayopen;
	return nbg_nss_setent(&spent, NBG_DEFAULT_ACCOUNTS_DB, &errno);
}

enum nss_status _nss_nexusbg_getspent_r(struct spwd *sp, char *buf, size_t buflen,
    int *errnop)
{
	return nbg_nss_getent(&spent, NBG_DEFAULT_ACCOUNTS_DB, nbg_nss_fill_shadow, sp, buf,
	    buflen, errnop);
}

enum nss_status _nss_nexusbg_endspent(void)
{
	return nbg_nss_endent(&spent);
}
