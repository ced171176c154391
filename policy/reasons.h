/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reasons.h - the stable, documented list of reason codes.
 *
 * One string per reason.  The same string appears in the audit record
 * (reason=...), the syslog line, `nexusbg explain`, and the documentation
 * (docs/reasons.md).  Never renumber or rename: append only.
 */
#ifndef NBG_REASONS_H
#define NBG_REASONS_H

enum nbg_reason {
	NBG_R_GRANTED = 0,		/* "granted" */
	NBG_R_UNKNOWN_USER,		/* "unknown-user" */
	NBG_R_INVALID_USERNAME,		/* "invalid-username" */
	NBG_R_USER_DENIED_LOCALLY,	/* "user-denied-locally" */
	NBG_R_USER_BLOCKED,		/* "user-blocked" */
	NBG_R_ASSIGNMENT_NOT_YET_VALID,	/* "assignment-not-yet-valid" */
	NBG_R_ASSIGNMENT_EXPIRED,	/* "assignment-expired" */
	NBG_R_ROLE_UNKNOWN,		/* "role-unknown" */
	NBG_R_SOURCE_NOT_TRUSTED,	/* "source-not-trusted" */
	NBG_R_SOURCE_UNKNOWN,		/* "source-unknown" */
	NBG_R_CACHE_MISSING,		/* "cache-missing" */
	NBG_R_CACHE_INVALID,		/* "cache-invalid" */
	NBG_R_CACHE_INSECURE,		/* "cache-insecure" */
	NBG_R_CACHE_STALE,		/* "cache-stale" */
	NBG_R_CACHE_WRONG_FABRIC,	/* "cache-wrong-fabric" */
	NBG_R_POLICY_INVALID,		/* "policy-invalid" */
	NBG_R_FALLBACK_INACTIVE,	/* "fallback-inactive" */
	NBG_R_NO_AUTH_INFO,		/* "no-auth-info" */
	NBG_R_AUTH_INFO_INVALID,	/* "auth-info-invalid" */
	NBG_R_NOT_FIDO2_KEY,		/* "not-fido2-key" */
	NBG_R_KEY_TYPE_NOT_ALLOWED,	/* "key-type-not-allowed" */
	NBG_R_KEY_NOT_REGISTERED,	/* "key-not-registered" */
	NBG_R_NO_AUDIT_SESSION,		/* "no-audit-session" */
	NBG_R_AUDIT_SESSION_IN_USE,	/* "audit-session-in-use" */
	NBG_R_CAPABILITY_DENIED,	/* "capability-denied" */
	NBG_R_SESSION_RECORD_INVALID,	/* "session-record-invalid" */
	NBG_R_INTERNAL_ERROR,		/* "internal-error" */
	NBG_R_ACCOUNT_NOT_MANAGED,	/* "account-not-managed" */
	/* pam_nexusbg's auth phase (docs/auth.md) */
	NBG_R_SIGNATURE_FORMAT_INVALID,	/* "signature-format-invalid" */
	NBG_R_SIGNATURE_NAMESPACE_MISMATCH,	/* "signature-namespace-mismatch" */
	NBG_R_CHALLENGE_EXPIRED,	/* "challenge-expired" */
	NBG_R_CHALLENGE_REPLAYED,	/* "challenge-replayed" */
	NBG_R_SIGNATURE_COUNTER_REGRESSED,	/* "signature-counter-regressed" */
	NBG_R_USER_PRESENCE_MISSING,	/* "user-presence-missing" */
	NBG_R_USER_VERIFICATION_MISSING,	/* "user-verification-missing" */
	NBG_R_SIGNATURE_INVALID,	/* "signature-invalid" */
	NBG_R_AUTH_ABORTED,		/* "auth-aborted" */
	NBG_R__COUNT
};

/* The stable string of a reason; "internal-error" for out-of-range values. */
const char *nbg_reason_str(enum nbg_reason r);

/* One line of prose for docs and `explain`. */
const char *nbg_reason_text(enum nbg_reason r);

/* Reverse lookup; returns -1 when the string is not a reason. */
int nbg_reason_from_str(const char *s);

#endif
