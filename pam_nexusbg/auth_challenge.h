/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auth_challenge.h - the challenge of the auth phase and the conversation
 * that shows it and reads the signature back.
 *
 * The challenge is one line of printable ASCII that the operator signs
 * with `ssh-keygen -Y sign` on their own machine:
 *
 *   nexusbg-auth-v1 user=USER host=HOST fabric=FABRIC nonce=HEX expires=YYYY-MM-DDTHH:MM:SSZ
 *
 * The signed message is exactly that line, or that line followed by "\n"
 * (echo) or "\r\n" (Windows PowerShell pipes add one): nothing else.
 */
#ifndef NBG_AUTH_CHALLENGE_H
#define NBG_AUTH_CHALLENGE_H

#include <security/pam_modules.h>
#include <stddef.h>
#include <stdint.h>

#include "sshsig.h"

#define NBG_NONCE_BYTES		16	/* 128 bits from getrandom() */
#define NBG_NONCE_HEX		(2 * NBG_NONCE_BYTES)
#define NBG_CHALLENGE_MAX	256
#define NBG_CHALLENGE_VERSION	"nexusbg-auth-v1"

struct nbg_challenge {
	char nonce[NBG_NONCE_HEX + 1];
	int64_t issued;		/* seconds since the epoch */
	int64_t expires;
	char text[NBG_CHALLENGE_MAX];	/* the line to sign, without a line break */
	size_t len;
};

/* The line endings a signed message may carry after the challenge text. */
#define NBG_CHALLENGE_ENDINGS	3
const char *nbg_challenge_ending(int i);	/* "", "\n", "\r\n" */

/*
 * A fresh challenge for user on this host, valid for ttl seconds from now.
 * fabric may be NULL.  Returns 0, or -1 when no randomness could be had.
 */
int nbg_challenge_new(struct nbg_challenge *c, const char *user, const char *fabric,
    int64_t now, int64_t ttl, char *err, size_t errlen);

enum nbg_ask_result {
	NBG_ASK_DONE = 0,	/* a complete armored block is in the reader */
	NBG_ASK_ABORTED,	/* the user entered an empty line */
	NBG_ASK_CONV_ERROR,	/* the application's conversation failed or gave nothing */
	NBG_ASK_TOO_LONG,	/* more than NBG_SSHSIG_ARMOR_MAX bytes or too many lines */
	NBG_ASK_GARBAGE,	/* not an armored SSH signature */
};

/*
 * Show the challenge and the command to sign it (ns, the SSHSIG
 * namespace; keyfile, the usual file name of the user's key type), then
 * read the signature through the conversation, one response per prompt,
 * into armor.  err says what went wrong.
 */
enum nbg_ask_result nbg_challenge_ask(pam_handle_t *pamh, const struct nbg_challenge *c,
    const char *ns, const char *keyfile, struct nbg_armor *armor, char *err, size_t errlen);

#endif
