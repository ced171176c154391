/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * db.c - opening the accounts database for the NSS module, and the
 * enumeration state of set/get/end*ent.
 *
 * A lookup opens the database, reads the few bytes it needs and closes it
 * again: the directory and the file opened and checked, then four pread()
 * (the header, a run of buckets, the record, its strings), whatever the
 * number of accounts, and no state that could go stale when sync replaces
 * the file.  An enumeration keeps the file set*ent opened until end*ent, so
 * it walks one consistent database even while sync renames a new one into
 * place.
 */
#include <errno.h>

#include "nss_nexusbg.h"

enum nss_status nbg_nss_open(struct nbg_acctdb *db, const char *path, int *errnop)
{
	switch (nbg_acctdb_open(db, path, NBG_ACCTDB_CHECK_PERMS, NULL)) {
	case NBG_ACCTDB_OK:
		return NSS_STATUS_SUCCESS;
	case NBG_ACCTDB_MISSING:
		*errnop = ENOENT;
		break;
	case NBG_ACCTDB_INSECURE:
		*errnop = EACCES;
		break;
	case NBG_ACCTDB_INVALID:
	default:
		*errnop = EIO;
		break;
	}
	return NSS_STATUS_UNAVAIL;
}

static void ent_close(struct nbg_nss_ent *e)
{
	if (e->open)
		nbg_acctdb_close(&e->db);
	e->open = false;
	e->next = 0;
}

enum nss_status nbg_nss_ent_open(struct nbg_nss_ent *e, const char *path, int *errnop)
{
	enum nss_status s;

	if (e->open)
		return NSS_STATUS_SUCCESS;
	if ((s = nbg_nss_open(&e->db, path, errnop)) != NSS_STATUS_SUCCESS)
		return s;
	e->open = true;
	e->next = 0;
	return NSS_STATUS_SUCCESS;
}

enum nss_status nbg_nss_setent(struct nbg_nss_ent *e, const char *path, int *errnop)
{
	enum nss_status s;
	int saved = errno;

	pthread_mutex_lock(&e->lock);
	ent_close(e);
	s = nbg_nss_ent_open(e, path, errnop);
	pthread_mutex_unlock(&e->lock);
	if (s == NSS_STATUS_SUCCESS)
		errno = saved;
	return s;
}

enum nss_status nbg_nss_endent(struct nbg_nss_ent *e)
{
	int saved = errno;

	pthread_mutex_lock(&e->lock);
	ent_close(e);
	pthread_mutex_unlock(&e->lock);
	errno = saved;
	return NSS_STATUS_SUCCESS;
}

enum nss_status nbg_nss_getent(struct nbg_nss_ent *e, const char *path, nbg_nss_fill_fn *fill,
    void *result, char *buf, size_t buflen, int *errnop)
{
	struct nbg_acct a;
	enum nss_status s;
	int saved = errno;

	pthread_mutex_lock(&e->lock);
	/* get*ent without set*ent first starts an enumeration, as nss_files does */
	if ((s = nbg_nss_ent_open(e, path, errnop)) != NSS_STATUS_SUCCESS)
		goto out;
	if (e->next >= nbg_acctdb_count(&e->db)) {
		s = NSS_STATUS_NOTFOUND;
		goto out;
	}
	if (nbg_acctdb_at(&e->db, e->next, &a, NULL) != 0) {
		*errnop = EIO;
		s = NSS_STATUS_UNAVAIL;
		goto out;
	}
	/* on ERANGE the same entry is returned again, into the larger buffer */
	if ((s = fill(&a, result, buf, buflen, errnop)) == NSS_STATUS_SUCCESS)
		e->next++;
out:
	pthread_mutex_unlock(&e->lock);
	if (s == NSS_STATUS_SUCCESS || s == NSS_STATUS_NOTFOUND)
		errno = saved;
	return s;
}
