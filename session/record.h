/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * record.h - session records: what a granted login may do, kept by root.
 *
 * pam_nexusbg writes one record per login into a root-owned directory
 * under /run (NBG_DEFAULT_SESSION_DIR), named by the kernel audit session
 * id of the login (decimal).  The device CLI, through libnexusbg-session,
 * reads the record of its own audit session.  A user cannot choose or
 * change their audit session id, cannot write in the directory, and
 * nothing a user controls (environment, arguments, files) names it.
 *
 * The file is text, one "key=value" line per field, every line ending in
 * a newline, every key exactly once (docs/session.md):
 *
 *   version=1
 *   sessionid=42
 *   uid=61901
 *   loginuid=61901
 *   boot_id=0f5e3c1a-6a4b-4c2e-9d1f-2b7a8e9c0d11
 *   user=alice
 *   role=reader
 *   caps=show
 *   remote=192.0.2.7
 *   access_path=default
 *   key_fp=SHA256:ub4U0Iz9ehgIYZ0pM4M2xq0F9xSEl7hXIFzcPrnPX0k
 *   fallback=no
 *   start=1732233600
 *   ref=NBG-7F3A9C21D4
 *   service=sshd
 *   pid=4242
 *
 * The reader is the trust boundary: directory chain root-owned and not
 * writable by group or others, no symbolic links, file regular, root-owned,
 * mode without group/other write, one link, at most NBG_RECORD_MAX_BYTES,
 * and every value valid.  The writer refuses a record the reader would
 * refuse.
 *
 * Functions return 0 or a negative errno, and describe a failure in err
 * (which may be NULL) with the record's path.
 */
#ifndef NBG_RECORD_H
#define NBG_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NBG_ID_UNSET		4294967295u	/* sessionid/loginuid not set */
#define NBG_RECORD_VERSION	1
#define NBG_RECORD_MAX_BYTES	4096
#define NBG_RECORD_MAX_CAPS	32
#define NBG_BOOT_ID_LEN		36

struct nbg_record {
	uint32_t sessionid;	/* kernel audit session id; never NBG_ID_UNSET */
	uint32_t uid;		/* the account's uid */
	uint32_t loginuid;	/* the login's loginuid; never NBG_ID_UNSET */
	char boot_id[37];	/* /proc/sys/kernel/random/boot_id at login */
	char user[33];		/* login name */
	char role[33];		/* role granted */
	char caps[32][33];	/* the role's capabilities */
	size_t ncaps;
	char remote[64];	/* numeric remote address; "" when unknown */
	char access_path[33];	/* access path name; "" when unknown */
	char key_fp[51];	/* "SHA256:<base64>"; "" for fallback accounts */
	bool fallback;		/* a Method D v1.5 fallback account */
	int64_t start;		/* login time, seconds since the epoch */
	char ref[16];		/* reference id, "NBG-" + 10 hex digits */
	char service[33];	/* PAM service; "" when unknown */
	int32_t pid;		/* pid of the process that opened the session */
};

/*
 * Write R as DIR/<sessionid>.  Creates missing directories of DIR (0755),
 * refuses a directory on the way that is a symbolic link, not root-owned
 * or writable by group or others (-EPERM).  The file is created with
 * O_EXCL|O_NOFOLLOW, mode 0644, written and fsynced.  Returns 0; -EEXIST
 * when a record for that session id exists (the caller refuses: the audit
 * session is in use); -EINVAL when R is not valid; another -errno.
 */
int nbg_record_write(const char *dir, const struct nbg_record *r, char *err, size_t errlen);

/*
 * Remove DIR/<sessionid> if it is a trustworthy record carrying REF: the
 * close of one login never removes another login's record.  Returns 0,
 * -ENOENT (no record), -EBUSY (another login's record, left in place),
 * or what nbg_record_read() would return.
 */
int nbg_record_remove(const char *dir, uint32_t sessionid, const char *ref, char *err,
    size_t errlen);

/*
 * The trusted reader.  Returns 0 and *out; -ENOENT (no record); -EPERM
 * (untrusted: ownership, mode, links, file type); -EINVAL (malformed, too
 * big, or naming another session id); another -errno.
 */
int nbg_record_read(const char *dir, uint32_t sessionid, struct nbg_record *out, char *err,
    size_t errlen);

/*
 * A role or capability name as records hold them: 1..32 characters of
 * [A-Za-z0-9_.-], not starting with '-' or '.'.
 */
bool nbg_record_valid_name(const char *s);

/* Is R a record the reader would accept?  0 or -EINVAL. */
int nbg_record_validate(const struct nbg_record *r, char *err, size_t errlen);

/* The text of a valid R into buf: its length, or -EINVAL / -ENOSPC. */
int nbg_record_format(const struct nbg_record *r, char *buf, size_t len, char *err,
    size_t errlen);

/* The strict parser of that text (the file reader and the fuzzer use it). */
int nbg_record_parse(const char *buf, size_t len, struct nbg_record *out, char *err,
    size_t errlen);

/*
 * /proc/self/sessionid, /proc/self/loginuid: 0, -ENODATA when the id is
 * not set (4294967295; *out is set to NBG_ID_UNSET), -ENOENT when the
 * kernel has no audit support, -EINVAL when unreadable as a number.
 */
int nbg_proc_sessionid(uint32_t *out);
int nbg_proc_loginuid(uint32_t *out);

/* /proc/sys/kernel/random/boot_id: 0, or -errno / -EINVAL. */
int nbg_boot_id(char out[37]);

#endif
