/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * accounts_db.h - `accounts nexusbg`: nbg_accounts_sync() (accounts.c)
 * keeps its uid allocation, its refusals and its notes, but takes the
 * previous accounts from the accounts database (policy/acctdb.h) and
 * writes the result there, compiled, instead of into libnss-extrausers'
 * passwd, group and shadow files.  libnss_nexusbg.so.2 reads it.
 *
 * The database is the compiled form of exactly the passwd and group lines
 * accounts.c formats (the same GECOS, home and shell rules); every account
 * gets the shadow entry "NAME:*:::::::".
 */
#ifndef NBG_ACCOUNTS_DB_H
#define NBG_ACCOUNTS_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "accounts.h"

/*
 * Where libnss_nexusbg.so.2 reads the database: fixed at build time
 * (meson's cache_dir), as the module reads no configuration.
 */
#ifndef NBG_DEFAULT_ACCOUNTS_DB
#define NBG_DEFAULT_ACCOUNTS_DB "/var/lib/nexusbg/accounts.db"
#endif
#ifndef NBG_DEFAULT_CACHE_DIR
#define NBG_DEFAULT_CACHE_DIR "/var/lib/nexusbg"
#endif
#define NBG_ACCOUNTS_DB		NBG_DEFAULT_ACCOUNTS_DB
#define NBG_ACCOUNTS_DB_DIR	NBG_DEFAULT_CACHE_DIR	/* its directory */

/*
 * Point O at that database: o->db, o->dir = its directory (which sync
 * creates or checks as it does the extrausers directory), and
 * o->migrate_dir = the extrausers directory O had, where earlier uids are
 * taken from while there is no database yet.  A database that exists but
 * does not open is reported through NOTE: it is rebuilt.
 */
void nbg_accounts_db_setup(struct nbg_accounts_opts *o, nbg_accounts_note_cb *note,
    void *arg);

/*
 * The accounts of o->db as passwd(5) text (malloc'd, NUL-terminated, *len
 * without the NUL), for accounts.c to read its previous uids from.  A
 * missing or unreadable database gives migrate_dir/passwd instead (when
 * set), or NBG_CF_ERR_NOT_FOUND; an insecure one (not root-owned, writable
 * by group or others, a symlink, in such a directory) NBG_CF_ERR_INSECURE.
 */
int nbg_accounts_db_read(const struct nbg_accounts_opts *o, char **text, size_t *len,
    char err[NBG_CF_ERR_LEN]);

/*
 * Compile the passwd and group text accounts.c built (PW: one line per
 * account, GR: the group's line) and replace o->db with it atomically,
 * unless it already holds exactly these bytes as a root-owned 0644 file.
 * *changed is set when the file was replaced.
 */
int nbg_accounts_db_write(const struct nbg_accounts_opts *o, const char *pw, size_t pwlen,
    const char *gr, size_t grlen, bool *changed, char err[NBG_CF_ERR_LEN]);

#endif
