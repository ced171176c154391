/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cachefile.h - root-owned files that readers must always find complete:
 * the compiled role table, its previous copy, the sync state file and the
 * libnss-extrausers files.
 *
 * A replacement writes a temporary file in the same directory, fsyncs it,
 * renames it over the old name and fsyncs the directory, so a reader that
 * opens the name at any instant gets the old or the new file, whole.  A
 * crash or a full disk at any point leaves the old file in place and at
 * most a temporary file, which the next run removes.
 */
#ifndef NBG_CACHEFILE_H
#define NBG_CACHEFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NBG_CF_ERR_LEN		512

/* Return codes. */
#define NBG_CF_OK		0
#define NBG_CF_ERR_SYSTEM	(-1)	/* a system call failed; err names it and the path */
#define NBG_CF_ERR_INSECURE	(-2)	/* owner, mode or file type not acceptable */
#define NBG_CF_ERR_NOT_FOUND	(-3)	/* the file does not exist */
#define NBG_CF_ERR_TOO_LARGE	(-4)	/* larger than the caller's limit */
#define NBG_CF_ERR_BUSY		(-5)	/* another process holds the lock */
#define NBG_CF_ERR_ARGUMENT	(-6)	/* a path the functions cannot work with */

/*
 * Make sure DIR is a directory owned by root and not writable by group or
 * others; create it (and missing parents) with mode 0755 when it is missing
 * and create is true.
 */
int nbg_cf_dir_prepare(const char *dir, bool create, char err[NBG_CF_ERR_LEN]);

/*
 * An existing file PATH must be a regular file (not a symlink), owned by
 * root and not writable by group or others.  NBG_CF_ERR_NOT_FOUND when it
 * does not exist.
 */
int nbg_cf_file_check(const char *path, char err[NBG_CF_ERR_LEN]);

/*
 * Take the exclusive lock file DIR/.sync.lock without waiting.  *fd holds
 * the lock until nbg_cf_unlock(); the kernel drops it if the process dies.
 */
int nbg_cf_lock(const char *dir, int *fd, char err[NBG_CF_ERR_LEN]);
void nbg_cf_unlock(int fd);

/*
 * Remove the temporary files an interrupted nbg_cf_replace() of PATH left
 * behind (".NAME.tmp.*" next to it).  Call it with the lock held.
 * *removed (may be NULL) receives how many were removed.
 */
int nbg_cf_clean_stale(const char *path, unsigned *removed, char err[NBG_CF_ERR_LEN]);

/* Flags for nbg_cf_replace() and nbg_cf_tmp_commit(). */
#define NBG_CF_KEEP_PREV	0x1	/* keep the replaced file as PATH.prev */

/*
 * Replace PATH with LEN bytes of DATA, atomically and durably, as a
 * root-owned file of MODE.  With NBG_CF_KEEP_PREV the file being replaced
 * becomes PATH.prev (through a hard link, so PATH never disappears).  On
 * any failure PATH is untouched and the temporary file is removed.
 */
int nbg_cf_replace(const char *path, const void *data, size_t len, mode_t mode,
    unsigned flags, char err[NBG_CF_ERR_LEN]);

/*
 * The same in steps, for content written as it is produced: a temporary
 * file ".NAME.tmp.<random>" next to PATH (root-owned, mode 0600, open for
 * reading and writing in t->fd), then either nbg_cf_tmp_commit(), which
 * sets MODE, fsyncs it and renames it over PATH as nbg_cf_replace() does,
 * or nbg_cf_tmp_discard(), which removes it.  Commit discards the
 * temporary file itself when it fails; discarding twice is harmless.
 */
struct nbg_cf_tmp {
	int dfd, fd;
	char dir[PATH_MAX];
	char base[NAME_MAX + 1];
	char name[NAME_MAX + 1];	/* "" once renamed or removed */
};

int nbg_cf_tmp_create(struct nbg_cf_tmp *t, const char *path, char err[NBG_CF_ERR_LEN]);
int nbg_cf_tmp_commit(struct nbg_cf_tmp *t, mode_t mode, unsigned flags,
    char err[NBG_CF_ERR_LEN]);
void nbg_cf_tmp_discard(struct nbg_cf_tmp *t);

/*
 * A temporary file without a name in PATH's directory (root-owned, mode
 * 0600, open for reading and writing): it disappears when *fd is closed.
 */
int nbg_cf_tmp_anon(const char *path, int *fd, char err[NBG_CF_ERR_LEN]);

/* Flags for nbg_cf_read() and nbg_cf_open(). */
#define NBG_CF_READ_ROOT	0x1	/* owned by root, not group/world-writable */
#define NBG_CF_READ_SECRET	0x2	/* owned by root, no access for group/others */

/*
 * Read the regular file PATH (never through a symlink) into a malloc'd
 * buffer with a terminating NUL that is not counted in *len.  Files larger
 * than MAX give NBG_CF_ERR_TOO_LARGE.  With NBG_CF_READ_SECRET the buffer
 * and any partial copy are wiped on every error path; the caller wipes the
 * result (nbg_cf_free_secret).
 */
int nbg_cf_read(const char *path, size_t max, unsigned flags, char **buf, size_t *len,
    char err[NBG_CF_ERR_LEN]);

/*
 * Open the regular file PATH for reading as nbg_cf_read() does (never
 * through a symlink, the same checks and limit), without reading it: *fd
 * and its *size.
 */
int nbg_cf_open(const char *path, size_t max, unsigned flags, int *fd, size_t *size,
    char err[NBG_CF_ERR_LEN]);

/* Wipe LEN bytes of buf and free it (NULL is fine). */
void nbg_cf_free_secret(char *buf, size_t len);

/*
 * Set the modification time of PATH to now: "the control plane confirmed
 * this table".  Does not follow a symlink.
 */
int nbg_cf_touch(const char *path, char err[NBG_CF_ERR_LEN]);

/* Split PATH into its directory and last component (bounded copies). */
int nbg_cf_split(const char *path, char *dir, size_t dirlen, char *base, size_t baselen);

#endif
