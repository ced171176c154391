/* SPDX-License-Identifier: BSD-2-Clause */
/* reasons.c - the stable strings of the reason codes (see reasons.h). */
#include <string.h>

#include "reasons.h"

static const struct {
	const char *str;
	const char *text;
} reasons[NBG_R__COUNT] = {
	[NBG_R_GRANTED] = { "granted", "access granted" },
	[NBG_R_UNKNOWN_USER] = { "unknown-user", "the user is not in the role table" },
	[NBG_R_INVALID_USERNAME] = { "invalid-username",
	    "the login name is not a portable POSIX user name" },
	[NBG_R_USER_DENIED_LOCALLY] = { "user-denied-locally",
	    "the user is on the policy's local deny list" },
	[NBG_R_USER_BLOCKED] = { "user-blocked", "the role table marks the user as blocked" },
	[NBG_R_ASSIGNMENT_NOT_YET_VALID] = { "assignment-not-yet-valid",
	    "the role assignment's not_before is in the future" },
	[NBG_R_ASSIGNMENT_EXPIRED] = { "assignment-expired",
	    "the role assignment's not_after has passed" },
	[NBG_R_ROLE_UNKNOWN] = { "role-unknown",
	    "the role given to the user is not defined in the policy" },
	[NBG_R_SOURCE_NOT_TRUSTED] = { "source-not-trusted",
	    "the remote address is not in a trusted source prefix for this access path" },
	[NBG_R_SOURCE_UNKNOWN] = { "source-unknown",
	    "a remote login whose address is not a numeric IP, on a path with trusted sources" },
	[NBG_R_CACHE_MISSING] = { "cache-missing", "there is no cached role table" },
	[NBG_R_CACHE_INVALID] = { "cache-invalid", "the cached role table is corrupt or unreadable" },
	[NBG_R_CACHE_INSECURE] = { "cache-insecure",
	    "the cached role table is not root-owned or is writable by group or others" },
	[NBG_R_CACHE_STALE] = { "cache-stale",
	    "the cached role table is older than the policy's max_cache_age" },
	[NBG_R_CACHE_WRONG_FABRIC] = { "cache-wrong-fabric",
	    "the cached role table belongs to another fabric" },
	[NBG_R_POLICY_INVALID] = { "policy-invalid",
	    "the policy file is missing, insecure or has errors" },
	[NBG_R_FALLBACK_INACTIVE] = { "fallback-inactive",
	    "a Method D v1.5 fallback account outside the policy's fallback mode" },
	[NBG_R_NO_AUTH_INFO] = { "no-auth-info",
	    "no authenticated key is known for this session" },
	[NBG_R_AUTH_INFO_INVALID] = { "auth-info-invalid",
	    "the authentication information from sshd could not be parsed" },
	[NBG_R_NOT_FIDO2_KEY] = { "not-fido2-key",
	    "the login used a key that is not a FIDO2 security key" },
	[NBG_R_KEY_TYPE_NOT_ALLOWED] = { "key-type-not-allowed",
	    "the FIDO2 key type is not allowed by the policy" },
	[NBG_R_KEY_NOT_REGISTERED] = { "key-not-registered",
	    "the key is not registered to this user in the role table" },
	[NBG_R_NO_AUDIT_SESSION] = { "no-audit-session",
	    "the login has no kernel audit session id, so no session record can be bound to it" },
	[NBG_R_AUDIT_SESSION_IN_USE] = { "audit-session-in-use",
	    "another login already holds a session record for this audit session id" },
	[NBG_R_CAPABILITY_DENIED] = { "capability-denied",
	    "the session's role does not grant the requested capability" },
	[NBG_R_SESSION_RECORD_INVALID] = { "session-record-invalid",
	    "no trustworthy session record matches the caller" },
	[NBG_R_INTERNAL_ERROR] = { "internal-error", "an internal error; denied to fail closed" },
	[NBG_R_ACCOUNT_NOT_MANAGED] = { "account-not-managed",
	    "the login resolves to uid 0 or to a uid outside the policy's account_uid_range" },
	[NBG_R_SIGNATURE_FORMAT_INVALID] = { "signature-format-invalid",
	    "the pasted signature is not a well-formed SSH signature from a security key" },
	[NBG_R_SIGNATURE_NAMESPACE_MISMATCH] = { "signature-namespace-mismatch",
	    "the signature was made for another namespace than the policy's auth_namespace" },
	[NBG_R_CHALLENGE_EXPIRED] = { "challenge-expired",
	    "the signature came back after its challenge expired (auth_challenge_ttl)" },
	[NBG_R_CHALLENGE_REPLAYED] = { "challenge-replayed",
	    "the signature is for a challenge that was already used or shown to another login" },
	[NBG_R_SIGNATURE_COUNTER_REGRESSED] = { "signature-counter-regressed",
	    "the key's signature counter did not advance: a cloned or replayed authenticator" },
	[NBG_R_USER_PRESENCE_MISSING] = { "user-presence-missing",
	    "a genuine signature made without touching the key (user presence flag clear)" },
	[NBG_R_USER_VERIFICATION_MISSING] = { "user-verification-missing",
	    "a genuine signature made without the key's PIN (user verification flag clear)" },
	[NBG_R_SIGNATURE_INVALID] = { "signature-invalid",
	    "the signature does not verify over this login's challenge" },
	[NBG_R_AUTH_ABORTED] = { "auth-aborted",
	    "the user cancelled the challenge, or the conversation failed" },
};

const char *nbg_reason_str(enum nbg_reason r)
{
	if ((unsigned)r >= NBG_R__COUNT || reasons[r].str == NULL)
		return "internal-error";
	return reasons[r].str;
}

const char *nbg_reason_text(enum nbg_reason r)
{
	if ((unsigned)r >= NBG_R__COUNT || reasons[r].text == NULL)
		return reasons[NBG_R_INTERNAL_ERROR].text;
	return reasons[r].text;
}

int nbg_reason_from_str(const char *s)
{
	if (s == NULL)
		return -1;
	for (int i = 0; i < NBG_R__COUNT; i++)
		if (reasons[i].str != NULL && strcmp(reasons[i].str, s) == 0)
			return i;
	return -1;
}
