/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pack.c - copy an entry into the caller's structure and buffer.  The
 * strings of struct passwd / spwd / group must live in the caller's
 * buffer, not in the lookup's own stack.  A buffer too
 * small gives TRYAGAIN with *errnop = ERANGE and leaves the structure
 * alone; glibc then calls again with a larger buffer.
 */
#include <errno.h>
#include <stdalign.h>
#include <string.h>

#include "nss_nexusbg.h"

/* A bump allocator over the caller's buffer. */
struct pack {
	char *p;
	size_t left;
};

static char *put(struct pack *k, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d;

	if (n > k->left)
		return NULL;
	d = memcpy(k->p, s, n);
	k->p += n;
	k->left -= n;
	return d;
}

static enum nss_status erange(int *errnop)
{
	*errnop = ERANGE;
	return NSS_STATUS_TRYAGAIN;
}

enum nss_status nbg_nss_fill_passwd(const struct nbg_acct *a, void *result, char *buf,
    size_t buflen, int *errnop)
{
	struct pack k = { buf, buf != NULL ? buflen : 0 };
	struct passwd pw;

	if ((pw.pw_name = put(&k, a->name)) == NULL ||
	    (pw.pw_passwd = put(&k, "x")) == NULL ||	/* see the shadow entry */
	    (pw.pw_gecos = put(&k, a->gecos)) == NULL ||
	    (pw.pw_dir = put(&k, a->home)) == NULL ||
	    (pw.pw_shell = put(&k, a->shell)) == NULL)
		return erange(errnop);
	pw.pw_uid = a->uid;
	pw.pw_gid = a->gid;
	*(struct passwd *)result = pw;
	return NSS_STATUS_SUCCESS;
}

/*
 * Every account has the shadow entry "NAME:*:::::::": a locked password
 * (the accounts log in with keys only), and no aging, expiry or change
 * date, which glibc represents as -1 (and ~0 for the reserved flag) when
 * it reads those empty fields from /etc/shadow.  pam_unix's account phase
 * accepts that entry, as it does for the same line in a file.
 */
enum nss_status nbg_nss_fill_shadow(const struct nbg_acct *a, void *result, char *buf,
    size_t buflen, int *errnop)
{
	struct pack k = { buf, buf != NULL ? buflen : 0 };
	struct spwd sp;

	if ((sp.sp_namp = put(&k, a->name)) == NULL || (sp.sp_pwdp = put(&k, "*")) == NULL)
		return erange(errnop);
	sp.sp_lstchg = -1;
	sp.sp_min = -1;
	sp.sp_max = -1;
	sp.sp_warn = -1;
	sp.sp_inact = -1;
	sp.sp_expire = -1;
	sp.sp_flag = ~0ul;
	*(struct spwd *)result = sp;
	return NSS_STATUS_SUCCESS;
}

/*
 * The group lists no members: every synced account has it as its primary
 * group, which is membership already, and a member list would make every
 * getgrgid() of it copy all the names (docs/accounts-db.md).
 */
enum nss_status nbg_nss_fill_group(const char *name, gid_t gid, struct group *gr, char *buf,
    size_t buflen, int *errnop)
{
	struct pack k = { buf, buf != NULL ? buflen : 0 };
	struct group g;
	size_t pad;

	if ((g.gr_name = put(&k, name)) == NULL || (g.gr_passwd = put(&k, "x")) == NULL)
		return erange(errnop);
	/* gr_mem: one NULL pointer, aligned, after the strings */
	pad = (alignof(char *) - (uintptr_t)k.p % alignof(char *)) % alignof(char *);
	if (k.left < pad + sizeof(char *))
		return erange(errnop);
	g.gr_mem = (char **)(void *)(k.p + pad);
	g.gr_mem[0] = NULL;
	g.gr_gid = gid;
	*gr = g;
	return NSS_STATUS_SUCCESS;
}
