/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auth_state.h - what the auth phase remembers between logins, in a
 * root-owned directory (policy auth_state_dir, 0700): the challenges issued
 * to each user and whether they were used, and the last signature counter
 * seen for each key.
 *
 *   chal-USER          one line per challenge: "c1 NONCE ISSUED EXPIRES
 *                      issued|used MESSAGE"; records live until their
 *                      challenge has been expired for NBG_STATE_RETAIN
 *                      seconds, at most NBG_STATE_MAX_RECORDS per user
 *   ctr-SHA256HEX      "k1 COUNTER UPDATED": the key's last counter
 *   lock               flock(2)ed around every read-modify-write
 *
 * Every file is written to a temporary name, fsynced and renamed over the
 * old one, then the directory is fsynced.  A file that is not a regular
 * root-owned 0600 file, or does not parse, is an error: the caller fails
 * closed and the log names the file.
 */
#ifndef NBG_AUTH_STATE_H
#define NBG_AUTH_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth_challenge.h"

#define NBG_STATE_MAX_RECORDS	16	/* per user */
#define NBG_STATE_RETAIN	3600	/* seconds a record is kept past its expiry */

struct nbg_auth_state;

struct nbg_challenge_rec {
	char nonce[NBG_NONCE_HEX + 1];
	int64_t issued;
	int64_t expires;
	bool used;
	char text[NBG_CHALLENGE_MAX];
};

/*
 * Open (creating it 0700 if missing) the state directory DIR: it must be
 * a directory owned by root, not accessible to group or others, in a
 * parent directory not writable by group or others.
 */
int nbg_auth_state_open(const char *dir, struct nbg_auth_state **out, char *err, size_t errlen);
void nbg_auth_state_close(struct nbg_auth_state *st);

/* Remember a challenge issued to user (dropping stale and excess records). */
int nbg_auth_state_issue(struct nbg_auth_state *st, const char *user,
    const struct nbg_challenge *c, int64_t now, char *err, size_t errlen);

/* The user's remembered challenges, newest first; *n receives the count. */
int nbg_auth_state_list(struct nbg_auth_state *st, const char *user,
    struct nbg_challenge_rec *recs, size_t max, size_t *n, char *err, size_t errlen);

/* Results of nbg_auth_state_finish(). */
enum nbg_state_result {
	NBG_STATE_OK = 0,
	NBG_STATE_REPLAYED,	/* the challenge was already used */
	NBG_STATE_REGRESSED,	/* the counter did not advance */
	NBG_STATE_ERROR,	/* err says what */
};

/*
 * End an attempt: mark the challenge used (it is single use whatever the
 * outcome).  When key_sha256 is not NULL (a genuine signature), also check
 * its counter against the last one recorded for that key and record it:
 * as WebAuthn does, when either is non-zero the new counter must be
 * greater.  *prev receives the recorded counter (0 when none).
 */
enum nbg_state_result nbg_auth_state_finish(struct nbg_auth_state *st, const char *user,
    const struct nbg_challenge *c, int64_t now, const uint8_t *key_sha256, uint32_t counter,
    uint32_t *prev, char *err, size_t errlen);

#endif
