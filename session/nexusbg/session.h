/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nexusbg/session.h - libnexusbg-session: what may this login do?
 *
 * A device CLI links this library (pkg-config --cflags --libs
 * nexusbg-session) and asks, before each privileged command, whether the
 * break-glass session it runs in holds a capability:
 *
 *	if (nbg_session_check("configure") != NBG_SESSION_ALLOWED)
 *		refuse();
 *
 * The answer comes from the root-owned record that pam_nexusbg wrote for
 * the caller's kernel audit session (/proc/self/sessionid, which a user
 * cannot choose or change).  The record is trusted only when it is in the
 * compiled-in session directory, passes the ownership and mode checks,
 * and names the caller's uid, loginuid, audit session id and boot.  The
 * environment, arguments and files of the user are never read: a user
 * cannot raise their role.  See libnexusbg-session(3).
 *
 * A denial is audited (USER_CMD, op=nexusbg-session-check, res=failed).
 * The kernel accepts the record only from a process with CAP_AUDIT_WRITE:
 * install the CLI with the file capability cap_audit_write+ep; without it
 * the record goes to syslog (authpriv) and the answer is the same.
 *
 * No global state, nothing cached: every call reads the record again, so
 * a session that ends (record removed) stops being allowed at once.
 */
#ifndef NEXUSBG_SESSION_H
#define NEXUSBG_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Answers of nbg_session_check(); also the exit codes of `nexusbg session check`. */
#define NBG_SESSION_ALLOWED	0
#define NBG_SESSION_DENIED	1	/* includes "no trustworthy session record" */
#define NBG_SESSION_ERROR	2	/* invalid capability name, out of memory */

/* Results of nbg_session_open(): 0 or one of these. */
#define NBG_SESSION_OK		0
#define NBG_SESSION_ENOAUDIT	(-1)	/* the process has no kernel audit session */
#define NBG_SESSION_ENORECORD	(-2)	/* no session record for this audit session */
#define NBG_SESSION_EUNTRUSTED	(-3)	/* record or directory not root-owned, writable, linked */
#define NBG_SESSION_EMALFORMED	(-4)	/* the record does not parse */
#define NBG_SESSION_ENOTMINE	(-5)	/* the record is for another uid, login or boot */
#define NBG_SESSION_ESYSTEM	(-6)	/* reading /proc or the record failed */
#define NBG_SESSION_ENOMEM	(-7)	/* out of memory */
#define NBG_SESSION_EINVAL	(-8)	/* invalid argument */

struct nbg_session;

/* The caller's session.  0 and *out (free with nbg_session_free), or an error above. */
int nbg_session_open(struct nbg_session **out);
void nbg_session_free(struct nbg_session *s);

/* Words for a result of nbg_session_open(). */
const char *nbg_session_strerror(int err);

/* Accessors; strings live as long as the session object.  A NULL session gives "", 0, false. */
const char *nbg_session_user(const struct nbg_session *s);
const char *nbg_session_role(const struct nbg_session *s);
size_t nbg_session_ncaps(const struct nbg_session *s);
const char *nbg_session_cap(const struct nbg_session *s, size_t i);	/* NULL past the end */
bool nbg_session_has_cap(const struct nbg_session *s, const char *capability);
const char *nbg_session_remote(const struct nbg_session *s);		/* "" when unknown */
const char *nbg_session_access_path(const struct nbg_session *s);	/* "" when unknown */
const char *nbg_session_key_fp(const struct nbg_session *s);		/* "" for fallback */
bool nbg_session_fallback(const struct nbg_session *s);
int64_t nbg_session_start(const struct nbg_session *s);		/* seconds since the epoch */
const char *nbg_session_ref(const struct nbg_session *s);
const char *nbg_session_service(const struct nbg_session *s);		/* "" when unknown */
uint32_t nbg_session_sessionid(const struct nbg_session *s);

/*
 * May the caller's session use CAPABILITY?  NBG_SESSION_ALLOWED,
 * NBG_SESSION_DENIED (audited), or NBG_SESSION_ERROR.
 */
int nbg_session_check(const char *capability);

/*
 * The same, and *why (may be NULL) says on what the answer rests: 0 when a
 * trustworthy record was read (allowed, or capability-denied), else the
 * nbg_session_open() error (session-record-invalid), or NBG_SESSION_EINVAL
 * / NBG_SESSION_ENOMEM with NBG_SESSION_ERROR.
 */
int nbg_session_check_reason(const char *capability, int *why);

#ifdef __cplusplus
}
#endif

#endif
