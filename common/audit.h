/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * audit.h - the one adapter to the Linux audit subsystem (libaudit).
 *
 * Security teams read these records with ausearch/aureport, which take the
 * FIRST res=, acct=, exe=, hostname= of a record.  So: every untrusted
 * string is encoded with libaudit's own encoding, the message text never
 * contains those field names, and hostname/addr/terminal (which libaudit
 * does not encode) are validated here and replaced by "?" when unsafe.
 *
 * When audit is unavailable (kernel without audit, outside the initial user
 * namespace, no CAP_AUDIT_WRITE) the same fields go to syslog (authpriv)
 * and the caller's decision does not change.
 */
#ifndef NBG_AUDIT_H
#define NBG_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

struct nbg_audit_event {
	int type;		/* AUDIT_USER_ACCT, AUDIT_USER_AUTH, AUDIT_USER_START,
				   AUDIT_USER_END, AUDIT_USER_CMD, ... */
	const char *op;		/* dashes: "nexusbg-account", "nexusbg-session-open", ... */
	const char *acct;	/* the user name (untrusted) */
	const char *reason;	/* reason code string (reasons.h) */
	const char *nbg_role;	/* role granted or held; NULL = none */
	const char *capability;	/* for capability checks; NULL = none */
	const char *key_fp;	/* "SHA256:..."; NULL = none */
	int fallback;		/* -1 not applicable, 0 no, 1 yes */
	const char *ref;	/* reference id shown to the user; NULL = none */
	const char *service;	/* PAM service; NULL = none */
	const char *hostname;	/* remote host (untrusted); NULL = none */
	const char *addr;	/* remote numeric address (untrusted); NULL = none */
	const char *terminal;	/* tty (untrusted); NULL = none */
	bool success;
};

enum nbg_audit_result {
	NBG_AUDIT_LOGGED = 0,	/* written to the kernel audit log */
	NBG_AUDIT_SYSLOG,	/* audit unavailable: written to syslog authpriv */
	NBG_AUDIT_FAILED,	/* neither worked (reported in err) */
};

/*
 * Write one record.  Never exits, never aborts; safe inside a PAM host
 * process (opens and closes its own audit socket).  err may be NULL.
 */
enum nbg_audit_result nbg_audit_log(const struct nbg_audit_event *ev, char *err, size_t errlen);

/*
 * Build the message text (the part libaudit puts in msg='...') into buf,
 * as it will be sent but without the exe= libaudit adds:
 * "op=... reason=... nbg_role=... ... acct=<encoded> hostname=... addr=...
 * terminal=... res=..."; also the syslog text; exposed for tests.
 * Returns 0, or -1 when buf is too small or op is not [a-z0-9-]{1,64}.
 */
int nbg_audit_format(const struct nbg_audit_event *ev, char *buf, size_t len);

/* A fresh reference id, e.g. "NBG-7F3A9C21D4": 10 hex digits from getrandom(). */
#define NBG_REF_LEN 16
void nbg_audit_new_ref(char out[NBG_REF_LEN]);

/* Is s safe to pass raw as hostname/addr/terminal (printable, no space, '=', quote)? */
bool nbg_audit_safe_field(const char *s);

#endif
