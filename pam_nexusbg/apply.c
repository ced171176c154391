/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * apply.c - applying a verdict: the audit record, the syslog line, what the
 * user is told, and the PAM return code.
 */
#include <libaudit.h>
#include <security/pam_ext.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "module.h"

const char *nbg_log_escape(const char *s, char *buf, size_t len, bool prose)
{
	size_t o = 0;

	if (len == 0)
		return "";
	if (s == NULL) {
		snprintf(buf, len, "?");
		return buf;
	}
	for (; *s != '\0' && o + 5 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c > 0x20 && c < 0x7f && c != '\\' && c != '"' && c != '=') ||
		    (prose && (c == ' ' || c == '=' || c == '"')))
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
	}
	if (*s != '\0' && o + 4 < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

int nbg_audit_type_for(enum nbg_reason r, enum nbg_phase phase)
{
	switch (r) {
	case NBG_R_NO_AUTH_INFO:
	case NBG_R_AUTH_INFO_INVALID:
	case NBG_R_NOT_FIDO2_KEY:
	case NBG_R_KEY_TYPE_NOT_ALLOWED:
	case NBG_R_KEY_NOT_REGISTERED:
		return AUDIT_USER_AUTH;	/* the key <-> user binding is authentication */
	case NBG_R_NO_AUDIT_SESSION:
	case NBG_R_AUDIT_SESSION_IN_USE:
	case NBG_R_SESSION_RECORD_INVALID:
		return AUDIT_USER_START;
	default:
		break;
	}
	return phase == NBG_PHASE_AUTH ? AUDIT_USER_AUTH : AUDIT_USER_ACCT;
}

int nbg_verdict_pam(const struct nbg_verdict *v)
{
	switch (v->action) {
	case NBG_ACT_ALLOW:
		return PAM_SUCCESS;
	case NBG_ACT_DENY_UNKNOWN:
		return PAM_USER_UNKNOWN;
	case NBG_ACT_IGNORE:
		return PAM_IGNORE;
	case NBG_ACT_UNAVAILABLE:
		return PAM_AUTHINFO_UNAVAIL;
	case NBG_ACT_DENY:
		break;
	}
	return PAM_PERM_DENIED;
}

void nbg_apply_audit(struct nbg_ctx *ctx, int type, const char *op, bool success,
    const char *reason, const char *extra_detail)
{
	const struct nbg_verdict *v = &ctx->verdict;
	struct nbg_audit_event ev;
	char addr[NBG_ADDR_STRLEN], err[160], u[96], h[96], d[256];
	enum nbg_audit_result ar;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.op = op;
	ev.acct = ctx->facts.user != NULL ? ctx->facts.user : "?";
	ev.reason = reason;
	ev.nbg_role = v->role != NULL ? v->role->name : NULL;
	ev.key_fp = v->key_fp[0] != '\0' ? v->key_fp : NULL;
	ev.fallback = v->fallback ? 1 : 0;
	ev.ref = ctx->ref;
	ev.service = ctx->facts.service;
	ev.hostname = ctx->facts.rhost;
	ev.addr = v->have_remote_addr ? nbg_addr_str(&v->remote_addr, addr, sizeof(addr)) : NULL;
	ev.terminal = ctx->tty;
	ev.success = success;
	ar = nbg_audit_log(&ev, err, sizeof(err));
	if (ar == NBG_AUDIT_FAILED)
		pam_syslog(ctx->pamh, LOG_ERR, "audit record not written: %s", err);
	/* The syslog twin, escaped: the admin's view of the same event. */
	pam_syslog(ctx->pamh, success ? LOG_INFO : LOG_NOTICE,
	    "%s %s user=%s rhost=%s reason=%s role=%s fp=%s fallback=%s ref=%s%s%s",
	    op, success ? "granted" : "denied",
	    nbg_log_escape(ctx->facts.user, u, sizeof(u), false),
	    nbg_log_escape(ctx->facts.rhost, h, sizeof(h), false), reason,
	    ev.nbg_role != NULL ? ev.nbg_role : "-", ev.key_fp != NULL ? ev.key_fp : "-",
	    v->fallback ? "yes" : "no", ctx->ref, extra_detail != NULL ? ": " : "",
	    extra_detail != NULL ? nbg_log_escape(extra_detail, d, sizeof(d), true) : "");
}

void nbg_tell_denied(struct nbg_ctx *ctx, const char *what)
{
	if (ctx->args.silent)
		return;
	/* Never say which check failed: the reference is what the operator quotes. */
	pam_error(ctx->pamh, "nexusbg: %s (reference %s). Quote the reference to your "
	    "security team.", what, ctx->ref);
}
