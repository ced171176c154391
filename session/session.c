/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session.c - libnexusbg-session (see nexusbg/session.h): the caller's
 * session record, trusted only when it names the caller, and the
 * capability check a device CLI asks before a privileged command.
 *
 * The session directory is the compile-time NBG_DEFAULT_SESSION_DIR: no
 * environment variable, argument or user file can name another one.  The
 * audit session id comes from /proc/self/sessionid, which the caller can
 * neither choose nor change; su and sudo keep it while changing the uid,
 * so the record must also name the caller's real uid and loginuid, and
 * the current boot (the id counter restarts at boot).
 */
#include <errno.h>
#include <libaudit.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "nexusbg/session.h"
#include "reasons.h"
#include "record.h"

#ifndef NBG_DEFAULT_SESSION_DIR
#error "NBG_DEFAULT_SESSION_DIR must come from nbg-config.h (meson option session_dir)"
#endif

struct nbg_session {
	struct nbg_record rec;
};

static int map_record_error(int r)
{
	switch (r) {
	case -ENOENT:
		return NBG_SESSION_ENORECORD;
	case -EPERM:
		return NBG_SESSION_EUNTRUSTED;
	case -EINVAL:
		return NBG_SESSION_EMALFORMED;
	case -ENOMEM:
		return NBG_SESSION_ENOMEM;
	default:
		return NBG_SESSION_ESYSTEM;
	}
}

/* What the kernel says about the caller: audit session, loginuid, boot. */
static int caller_ids(uint32_t *sid, uint32_t *luid, char boot[37])
{
	int r;

	if ((r = nbg_proc_sessionid(sid)) != 0)
		return r == -ENODATA || r == -ENOENT ? NBG_SESSION_ENOAUDIT : NBG_SESSION_ESYSTEM;
	if ((r = nbg_proc_loginuid(luid)) != 0)
		return r == -ENODATA || r == -ENOENT ? NBG_SESSION_ENOAUDIT : NBG_SESSION_ESYSTEM;
	if (nbg_boot_id(boot) != 0)
		return NBG_SESSION_ESYSTEM;
	return 0;
}

int nbg_session_open(struct nbg_session **out)
{
	struct nbg_session *s = NULL;
	struct nbg_record rec;
	uint32_t sid, luid;
	char boot[37];
	int ret;

	if (out == NULL)
		return NBG_SESSION_EINVAL;
	*out = NULL;
	if ((ret = caller_ids(&sid, &luid, boot)) != 0)
		goto out;
	if ((ret = nbg_record_read(NBG_DEFAULT_SESSION_DIR, sid, &rec, NULL, 0)) != 0) {
		ret = map_record_error(ret);
		goto out;
	}
	if (rec.sessionid != sid || rec.uid != (uint32_t)getuid() || rec.loginuid != luid ||
	    strcmp(rec.boot_id, boot) != 0) {
		ret = NBG_SESSION_ENOTMINE;
		goto out;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		ret = NBG_SESSION_ENOMEM;
		goto out;
	}
	s->rec = rec;
	*out = s;
	ret = NBG_SESSION_OK;
out:
	return ret;
}

void nbg_session_free(struct nbg_session *s)
{
	free(s);
}

const char *nbg_session_strerror(int err)
{
	switch (err) {
	case NBG_SESSION_OK:
		return "success";
	case NBG_SESSION_ENOAUDIT:
		return "this process has no kernel audit session (not started by a login)";
	case NBG_SESSION_ENORECORD:
		return "no session record for this audit session";
	case NBG_SESSION_EUNTRUSTED:
		return "the session record or its directory is not root-owned, is writable by "
		    "others, or is a link";
	case NBG_SESSION_EMALFORMED:
		return "the session record is malformed";
	case NBG_SESSION_ENOTMINE:
		return "the session record belongs to another user, login or boot";
	case NBG_SESSION_ESYSTEM:
		return "the session record or /proc could not be read";
	case NBG_SESSION_ENOMEM:
		return "out of memory";
	case NBG_SESSION_EINVAL:
		return "invalid argument";
	default:
		return "unknown error";
	}
}

const char *nbg_session_user(const struct nbg_session *s)
{
	return s != NULL ? s->rec.user : "";
}

const char *nbg_session_role(const struct nbg_session *s)
{
	return s != NULL ? s->rec.role : "";
}

size_t nbg_session_ncaps(const struct nbg_session *s)
{
	return s != NULL ? s->rec.ncaps : 0;
}

const char *nbg_session_cap(const struct nbg_session *s, size_t i)
{
	return s != NULL && i < s->rec.ncaps ? s->rec.caps[i] : NULL;
}

bool nbg_session_has_cap(const struct nbg_session *s, const char *capability)
{
	if (s == NULL || capability == NULL)
		return false;
	for (size_t i = 0; i < s->rec.ncaps; i++)
		if (strcmp(s->rec.caps[i], capability) == 0)
			return true;
	return false;
}

const char *nbg_session_remote(const struct nbg_session *s)
{
	return s != NULL ? s->rec.remote : "";
}

const char *nbg_session_access_path(const struct nbg_session *s)
{
	return s != NULL ? s->rec.access_path : "";
}

const char *nbg_session_key_fp(const struct nbg_session *s)
{
	return s != NULL ? s->rec.key_fp : "";
}

bool nbg_session_fallback(const struct nbg_session *s)
{
	return s != NULL ? s->rec.fallback : false;
}

int64_t nbg_session_start(const struct nbg_session *s)
{
	return s != NULL ? s->rec.start : 0;
}

const char *nbg_session_ref(const struct nbg_session *s)
{
	return s != NULL ? s->rec.ref : "";
}

const char *nbg_session_service(const struct nbg_session *s)
{
	return s != NULL ? s->rec.service : "";
}

uint32_t nbg_session_sessionid(const struct nbg_session *s)
{
	return s != NULL ? s->rec.sessionid : 0;
}

/* The caller's terminal, without /dev/, for the audit record. */
static void caller_tty(char *buf, size_t len)
{
	buf[0] = '\0';
	for (int fd = 0; fd <= 2; fd++)
		if (ttyname_r(fd, buf, len) == 0) {
			if (strncmp(buf, "/dev/", 5) == 0)
				memmove(buf, buf + 5, strlen(buf + 5) + 1);
			return;
		}
	buf[0] = '\0';
}

/* The caller's login name when there is no trustworthy record. */
static void caller_name(char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	char pwbuf[1024];

	buf[0] = '\0';
	if (getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res != NULL &&
	    strlen(pw.pw_name) < len)
		memcpy(buf, pw.pw_name, strlen(pw.pw_name) + 1);
}

static const char *or_null(const char *s)
{
	return s[0] != '\0' ? s : NULL;
}

/*
 * The audit record of a refused check: USER_CMD, the record type for a
 * user-space command and whether it ran (sudo writes refused commands
 * with it); with the session's details when there is a trustworthy record.
 */
static void audit_denial(const struct nbg_session *s, const char *capability,
    enum nbg_reason reason)
{
	struct nbg_audit_event ev;
	char tty[64], name[64];

	caller_tty(tty, sizeof(tty));
	memset(&ev, 0, sizeof(ev));
	ev.type = AUDIT_USER_CMD;
	ev.op = "nexusbg-session-check";
	ev.reason = nbg_reason_str(reason);
	ev.capability = capability;
	ev.fallback = -1;
	ev.terminal = or_null(tty);
	if (s != NULL) {
		ev.acct = s->rec.user;
		ev.nbg_role = s->rec.role;
		ev.key_fp = or_null(s->rec.key_fp);
		ev.fallback = s->rec.fallback ? 1 : 0;
		ev.ref = s->rec.ref;
		ev.service = or_null(s->rec.service);
		ev.addr = or_null(s->rec.remote);
	} else {
		caller_name(name, sizeof(name));
		ev.acct = or_null(name);
	}
	/* The answer stands whether or not the record could be written. */
	(void)nbg_audit_log(&ev, NULL, 0);
}

int nbg_session_check_reason(const char *capability, int *why)
{
	struct nbg_session *s = NULL;
	int ret = NBG_SESSION_ERROR, r;

	if (why != NULL)
		*why = 0;
	if (!nbg_record_valid_name(capability)) {
		r = NBG_SESSION_EINVAL;
		goto out;
	}
	if ((r = nbg_session_open(&s)) != 0) {
		if (r == NBG_SESSION_ENOMEM || r == NBG_SESSION_EINVAL)
			goto out;
		audit_denial(NULL, capability, NBG_R_SESSION_RECORD_INVALID);
		ret = NBG_SESSION_DENIED;
		goto out;
	}
	if (nbg_session_has_cap(s, capability))
		ret = NBG_SESSION_ALLOWED;
	else {
		audit_denial(s, capability, NBG_R_CAPABILITY_DENIED);
		ret = NBG_SESSION_DENIED;
	}
out:
	if (why != NULL)
		*why = r;
	nbg_session_free(s);
	return ret;
}

int nbg_session_check(const char *capability)
{
	return nbg_session_check_reason(capability, NULL);
}
