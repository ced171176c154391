/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auth_challenge.c - make the challenge, show it with the command that
 * signs it, and read the armored signature back (see auth_challenge.h).
 *
 * Terminals drop input that is pending when a prompt starts (Linux-PAM's
 * misc_conv, used by login, and ssh's readpassphrase both set the terminal
 * with TCSAFLUSH), so a block pasted as several lines loses all but its
 * first line there.  The command shown therefore joins the block into one
 * line; the reader also takes the block line by line where the
 * conversation keeps pending input (pipes, graphical clients).
 */
#include <security/pam_ext.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "auth_challenge.h"

#define HOST_MAX	64

static const char *const endings[NBG_CHALLENGE_ENDINGS] = { "", "\n", "\r\n" };

const char *nbg_challenge_ending(int i)
{
	return i >= 0 && i < NBG_CHALLENGE_ENDINGS ? endings[i] : "";
}

/* The host name as a token: [A-Za-z0-9._-], others become '_'. */
static void host_token(char out[HOST_MAX + 1])
{
	char h[256];
	size_t i;

	if (gethostname(h, sizeof(h)) != 0 || h[0] == '\0')
		snprintf(h, sizeof(h), "unknown");
	h[sizeof(h) - 1] = '\0';
	for (i = 0; h[i] != '\0' && i < HOST_MAX; i++) {
		char c = h[i];

		out[i] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_') ? c : '_';
	}
	out[i] = '\0';
}

/* t in UTC: the full ISO 8601 form, or only the time of day. */
static void utc_time(int64_t t, bool iso, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	size_t n = 0;

	if (gmtime_r(&tt, &tm) != NULL)
		n = iso ? strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) :
		    strftime(out, len, "%H:%M:%S UTC", &tm);
	if (n == 0)
		snprintf(out, len, "%lld", (long long)t);
}

int nbg_challenge_new(struct nbg_challenge *c, const char *user, const char *fabric,
    int64_t now, int64_t ttl, char *err, size_t errlen)
{
	uint8_t nonce[NBG_NONCE_BYTES];
	char host[HOST_MAX + 1], exp[32];
	int n, ret = -1;

	memset(c, 0, sizeof(*c));
	if (getrandom(nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce)) {
		snprintf(err, errlen, "getrandom failed: no nonce for %s", user);
		goto out;
	}
	for (size_t i = 0; i < sizeof(nonce); i++)
		snprintf(c->nonce + 2 * i, 3, "%02x", nonce[i]);
	c->issued = now;
	c->expires = now + ttl;
	host_token(host);
	utc_time(c->expires, true, exp, sizeof(exp));
	n = snprintf(c->text, sizeof(c->text), "%s user=%s host=%s fabric=%s nonce=%s expires=%s",
	    NBG_CHALLENGE_VERSION, user, host, fabric != NULL ? fabric : "-", c->nonce, exp);
	if (n < 0 || (size_t)n >= sizeof(c->text)) {
		snprintf(err, errlen, "challenge for %s does not fit %d bytes", user,
		    NBG_CHALLENGE_MAX);
		goto out;
	}
	c->len = (size_t)n;
	ret = 0;
out:
	explicit_bzero(nonce, sizeof(nonce));
	return ret;
}

static int show(pam_handle_t *pamh, const struct nbg_challenge *c, const char *ns,
    const char *keyfile)
{
	char until[32];

	utc_time(c->expires, false, until, sizeof(until));
	return pam_info(pamh,
	    "nexusbg: this login needs a signature from your FIDO2 security key.\n"
	    "On your own machine, before %s, run:\n\n"
	    "  printf '%%s' '%s' | ssh-keygen -Y sign -n %s -f ~/.ssh/%s | tr '\\n' ' '; echo\n\n"
	    "or in Windows PowerShell:\n\n"
	    "  ('%s' | ssh-keygen -Y sign -n %s -f $HOME\\.ssh\\%s) -join ' '\n\n"
	    "Touch the key and enter its PIN when asked, then paste the line it prints\n"
	    "(-----BEGIN SSH SIGNATURE----- ... -----END SSH SIGNATURE-----).\n"
	    "An empty line cancels.",
	    until, c->text, ns, keyfile, c->text, ns, keyfile);
}

static enum nbg_ask_result from_armor(enum nbg_armor_status st)
{
	switch (st) {
	case NBG_ARMOR_DONE:
		return NBG_ASK_DONE;
	case NBG_ARMOR_ABORTED:
		return NBG_ASK_ABORTED;
	case NBG_ARMOR_TOO_LONG:
		return NBG_ASK_TOO_LONG;
	case NBG_ARMOR_MORE:
	case NBG_ARMOR_GARBAGE:
		break;
	}
	return NBG_ASK_GARBAGE;
}

enum nbg_ask_result nbg_challenge_ask(pam_handle_t *pamh, const struct nbg_challenge *c,
    const char *ns, const char *keyfile, struct nbg_armor *armor, char *err, size_t errlen)
{
	enum nbg_armor_status st = NBG_ARMOR_MORE;
	char *resp = NULL;
	size_t len;
	int r;

	nbg_armor_init(armor);
	if (show(pamh, c, ns, keyfile) != PAM_SUCCESS) {
		snprintf(err, errlen, "the conversation could not show the challenge");
		return NBG_ASK_CONV_ERROR;
	}
	while (st == NBG_ARMOR_MORE) {
		r = pam_prompt(pamh, PAM_PROMPT_ECHO_ON, &resp, "%s",
		    armor->pieces == 0 ? "Signature: " : "Signature (continued): ");
		if (r != PAM_SUCCESS || resp == NULL) {
			snprintf(err, errlen, "the conversation returned %s",
			    r != PAM_SUCCESS ? pam_strerror(pamh, r) : "no response");
			free(resp);
			return NBG_ASK_CONV_ERROR;
		}
		/* Bounded here, where the bytes enter: a longer response is refused unread. */
		len = strnlen(resp, NBG_SSHSIG_ARMOR_MAX + 1);
		st = nbg_armor_feed(armor, resp, len, err, errlen);
		explicit_bzero(resp, len);
		free(resp);
		resp = NULL;
	}
	return from_armor(st);
}
