/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * accounts.h - accounts for the role-table users through libnss-extrausers:
 * DIR/passwd, DIR/group and DIR/shadow (default /var/lib/extrausers),
 * which glibc reads after /etc/passwd when nsswitch.conf lists
 * `extrausers` after `files`.
 *
 * Every user of the table gets an account (blocked and expired ones too:
 * sshd must know the name so the PAM account phase can refuse it with a
 * reason).  Uids come from [uid_min, uid_max] and stay the same across
 * syncs (read back from the previous DIR/passwd).  New users get uids above
 * every uid handed out before, so the uid of a removed user (and the files
 * it may still own) does not pass to a new user until the range is used
 * up; only then are freed uids reused, lowest first.  A login that exists in
 * /etc/passwd is never shadowed: that user is skipped and reported.  All
 * users share one group, "nexusbg".  Shadow entries hold "*": key-only
 * accounts with no password.
 */
#ifndef NBG_ACCOUNTS_H
#define NBG_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cachefile.h"

#define NBG_ACCOUNTS_GROUP	"nexusbg"
#define NBG_ACCOUNTS_FILE_MAX	(64u * 1024 * 1024)	/* each file read back */
#define NBG_ACCOUNTS_GECOS_MAX	256

/* Besides the NBG_CF_* codes: */
#define NBG_ACCOUNTS_ERR_CONFLICT	(-30)	/* the group clashes with a local group */

struct nbg_account_user {
	const char *login;		/* a valid portable login name */
	const char *display_name;	/* NULL = none; becomes the GECOS field */
};

struct nbg_accounts_opts {
	const char *dir;		/* the extrausers directory */
	const char *local_passwd;	/* "/etc/passwd" */
	const char *local_group;	/* "/etc/group" */
	uint32_t uid_min, uid_max;
	uint32_t gid;			/* of group NBG_ACCOUNTS_GROUP */
	const char *shell;
	const char *home_base;		/* home = home_base/login */
	uint32_t next_uid;		/* where the last run stopped allocating; 0 = unknown */
	/*
	 * accounts nexusbg (accounts_db.h): the accounts database that takes
	 * the place of DIR's files (DIR is then its directory), and where
	 * earlier uids are read while it does not exist yet.  NULL = write
	 * libnss-extrausers files.
	 */
	const char *db;
	const char *migrate_dir;
};

struct nbg_accounts_report {
	bool changed;			/* at least one file was rewritten */
	uint32_t provisioned;		/* users with an account */
	uint32_t skipped;		/* users without one (see the notes) */
	uint32_t next_uid;		/* keep for the next run's next_uid */
};

/* One line per user that was skipped, e.g. "root: login exists in /etc/passwd". */
typedef void nbg_accounts_note_cb(void *arg, const char *note);

/*
 * Bring the three files in line with USERS (N of them, document order).
 * Files whose content would not change are not rewritten.  Returns
 * NBG_CF_OK (skipped users are reported through NOTE, not as an error),
 * or an error with err set; on an error before the first write nothing
 * changed.
 */
int nbg_accounts_sync(const struct nbg_accounts_opts *o, const struct nbg_account_user *users,
    size_t n, nbg_accounts_note_cb *note, void *arg, struct nbg_accounts_report *rep,
    char err[NBG_CF_ERR_LEN]);

/*
 * A digest of everything the three files depend on and of the files
 * themselves: the settings in O (next_uid included), SOURCE (the SHA-256
 * of the document the users come from), and the inode, size, owner, mode,
 * modification and change times of O's local passwd and group files and
 * of DIR/passwd, DIR/group and DIR/shadow.  Taken right after
 * nbg_accounts_sync() (with the next_uid it reported), an equal digest
 * later means the files are still exactly what that run left, so running
 * it again would change nothing: any write to any of those files, a
 * replacement, a chmod or chown moves it.  Only stat calls, no reading.
 */
void nbg_accounts_fingerprint(const struct nbg_accounts_opts *o, const uint8_t source[32],
    uint8_t out[32]);

/* A decimal uid or gid of passwd(5)/group(5), no sign, no blanks: 0 or -1. */
int nbg_accounts_parse_u32(const char *s, uint32_t *out);
/* Split LINE in place at ':' into at most MAX fields; returns the count
 * (MAX + 1 when there are more). */
size_t nbg_accounts_split(char *line, char **f, size_t max);

#endif
