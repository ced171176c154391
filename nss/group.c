/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * group.c - the group database: the one group of the synced accounts
 * ("nexusbg", account_gid), by name, by gid and as an enumeration of one.
 */
#include <errno.h>
#include <string.h>

#include "nss_nexusbg.h"

static struct nbg_nss_ent grent = NBG_NSS_ENT_INITIALIZER;

/* The group if MATCH says it is the one asked for, else NOTFOUND. */
static enum nss_status answer(struct nbg_acctdb *db, bool match, struct group *gr, char *buf,
    size_t buflen, int *errnop, int saved)
{
	enum nss_status s = NSS_STATUS_NOTFOUND;

	if (match)
		s = nbg_nss_fill_group(nbg_acctdb_group_name(db), nbg_acctdb_group_gid(db), gr,
		    buf, buflen, errnop);
	nbg_acctdb_close(db);
	if (s == NSS_STATUS_SUCCESS || s == NSS_STATUS_NOTFOUND)
		errno = saved;
	return s;
}

enum nss_status nbg_nss_getgrnam(const char *path, const char *name, struct group *gr,
    char *buf, size_t buflen, int *errnop)
{
	struct nbg_acctdb db;
	enum nss_status s;
	int saved = errno;

	if (name == NULL)
		return NSS_STATUS_NOTFOUND;
	if ((s = nbg_nss_open(&db, path, errnop)) != NSS_STATUS_SUCCESS)
		return s;
	return answer(&db, strcmp(nbg_acctdb_group_name(&db), name) == 0, gr, buf, buflen,
	    errnop, saved);
}

enum nss_status nbg_nss_getgrgid(const char *path, gid_t gid, struct group *gr, char *buf,
    size_t buflen, int *errnop)
{
	struct nbg_acctdb db;
	enum nss_status s;
	int saved = errno;

	if (gid == 0 || gid == (gid_t)-1)
		return NSS_STATUS_NOTFOUND;
	if ((s = nbg_nss_open(&db, path, errnop)) != NSS_STATUS_SUCCESS)
		return s;
	return answer(&db, nbg_acctdb_group_gid(&db) == (uint32_t)gid, gr, buf, buflen, errnop,
	    saved);
}

enum nss_status nbg_nss_getgrent(struct nbg_nss_ent *e, const char *path, struct group *gr,
    char *buf, size_t buflen, int *errnop)
{
	enum nss_status s;
	int saved = errno;

	pthread_mutex_lock(&e->lock);
	if ((s = nbg_nss_ent_open(e, path, errnop)) != NSS_STATUS_SUCCESS)
		goto out;
	s = NSS_STATUS_NOTFOUND;
	if (e->next == 0 && (s = nbg_nss_fill_group(nbg_acctdb_group_name(&e->db),
	    nbg_acctdb_group_gid(&e->db), gr, buf, buflen, errnop)) == NSS_STATUS_SUCCESS)
		e->next = 1;
out:
	pthread_mutex_unlock(&e->lock);
	if (s == NSS_STATUS_SUCCESS || s == NSS_STATUS_NOTFOUND)
		errno = saved;
	return s;
}

enum nss_status _nss_nexusbg_getgrnam_r(const char *name, struct group *gr, char *buf,
    size_t buflen, int *errnop)
{
	return nbg_nss_getgrnam(NBG_DEFAULT_ACCOUNTS_DB, name, gr, buf, buflen, errnop);
}

enum nss_status _nss_nexusbg_getgrgid_r(gid_t gid, struct group *gr, char *buf,
    size_t buflen, int *errnop)
{
	return nbg_nss_getgrgid(NBG_DEFAULT_ACCOUNTS_DB, gid, gr, buf, buflen, errnop);
}

enum nss_status _nss_nexusbg_setgrent(int stayopen)
{
	(void)stayopen;
	return nbg_nss_setent(&grent, NBG_DEFAULT_ACCOUNTS_DB, &errno);
}

enum nss_status _nss_nexusbg_getgrent_r(struct group *gr, char *buf, size_t buflen,
    int *errnop)
{
	return nbg_nss_getgrent(&grent, NBG_DEFAULT_ACCOUNTS_DB, gr, buf, buflen, errnop);
}

enum nss_status _nss_nexusbg_endgrent(void)
{
	return nbg_nss_endent(&grent);
}
