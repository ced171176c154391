/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * syncstate.h - CACHE_DIR/sync-state.json: what the last `nexusbg sync`
 * did, read back by the next sync (the ETag) and by `nexusbg status`.
 * Written atomically like the role table (cachefile.h).  See docs/sync.md.
 */
#ifndef NBG_SYNCSTATE_H
#define NBG_SYNCSTATE_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "fetch.h"
#include "policy.h"
#include "roletable.h"

#define NBG_STATE_NAME		"sync-state.json"
#define NBG_STATE_VERSION	1
#define NBG_STATE_MAX_BYTES	(1024 * 1024)
#define NBG_STATE_MSG_LEN	512
#define NBG_STATE_URL_MAX	4096
#define NBG_STATE_MAX_NOTES	32	/* account problems kept (the count is exact) */

#define NBG_STATE_ERR_INVALID	(-20)	/* present but not a state file we can read */

enum nbg_sync_result {
	NBG_SYNC_NEVER = 0,	/* no sync recorded yet */
	NBG_SYNC_UPDATED,	/* a new table was installed */
	NBG_SYNC_UNCHANGED,	/* the control plane confirmed the cached table */
	NBG_SYNC_FAILED,	/* refused or failed; the cache was kept */
};

enum nbg_accounts_result {
	NBG_ACCOUNTS_OFF = 0,	/* accounts are not managed by sync */
	NBG_ACCOUNTS_WRITTEN,	/* account files rewritten */
	NBG_ACCOUNTS_CURRENT,	/* account files already matched the table */
	NBG_ACCOUNTS_FAILED,	/* account files could not be written */
};

struct nbg_sync_state {
	int64_t last_attempt;		/* seconds since the epoch; 0 = never */
	int64_t last_success;		/* last updated or unchanged; 0 = never */
	enum nbg_sync_result last_result;
	char last_error[NBG_STATE_MSG_LEN];	/* "" after a success */
	char etag[NBG_ETAG_MAX + 1];	/* of the cached table's document; "" = none */
	uint64_t serial;		/* of the cached table; 0 = none */
	char fabric[NBG_DOC_FABRIC_MAX + 1];
	char sha256[65];		/* hex SHA-256 of the cached table's document */
	char url[NBG_STATE_URL_MAX + 1];	/* where it came from (URL or file:PATH) */

	enum nbg_accounts_result accounts;
	uint32_t accounts_users;	/* accounts provisioned */
	uint32_t accounts_skipped;	/* table users without an account */
	uint32_t accounts_next_uid;	/* where uid allocation continues; 0 = unknown */
	char accounts_fingerprint[65];	/* hex nbg_accounts_fingerprint() after the run; "" = none */
	uint32_t nnotes;		/* problems, possibly more than kept */
	char notes[NBG_STATE_MAX_NOTES][NBG_STATE_MSG_LEN];
};

/*
 * The directory of the state file and the lock: the policy's cache_dir,
 * else the role table's directory.  -1 when a path does not fit.
 */
int nbg_state_dir(const struct nbg_policy *p, char *out, size_t len);
/* DIR/sync-state.json */
int nbg_state_path(const struct nbg_policy *p, char *out, size_t len);

const char *nbg_sync_result_str(enum nbg_sync_result r);
const char *nbg_accounts_result_str(enum nbg_accounts_result r);

/*
 * Load PATH (root-owned, bounded).  Returns NBG_CF_OK, NBG_CF_ERR_NOT_FOUND
 * (st is then empty), or another error with err set and st empty.
 */
int nbg_state_load(const char *path, struct nbg_sync_state *st, char *err, size_t errlen);

/* Write st to PATH atomically (mode 0644). */
int nbg_state_save(const char *path, const struct nbg_sync_state *st, char *err,
    size_t errlen);

/* The JSON form, as written to the file (caller puts it). */
struct json_object *nbg_state_to_json(const struct nbg_sync_state *st);

/* Record last_error, with control characters replaced. */
void nbg_state_set_error(struct nbg_sync_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Add an accounts problem (counted always, kept while there is room). */
void nbg_state_add_note(struct nbg_sync_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Hex of a 32-byte digest into out[65]. */
void nbg_state_hex(const uint8_t digest[32], char out[65]);

#endif
