/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy_int.h - private to the policy file parser.
 *
 * The parser is split by concern:
 *   policy.c       loading entry points, checks that need the whole policy,
 *                  defaults, the lookup helpers of policy.h
 *   policy_file.c  opening files (ownership and mode checks), Include
 *   policy_lex.c   lines: byte checks, comments, tokens; value syntaxes
 *   policy_kw.c    the keyword table and one handler per keyword
 *   policy_diag.c  diagnostics: recording, printing, did-you-mean
 */
#ifndef NBG_POLICY_INT_H
#define NBG_POLICY_INT_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

#define NBG_LINE_MAX		4096	/* bytes per line, newline excluded */
#define NBG_TOKENS_MAX		(NBG_LINE_MAX / 2 + 1)
#define NBG_INCLUDE_DEPTH	4	/* Include levels below the main file */
#define NBG_FABRIC_MAX		64
#define NBG_SERVICE_MAX		64	/* PAM service name */
#define NBG_MAX_ROLES		32
#define NBG_MAX_CAPS		32	/* per role */
#define NBG_MAX_DENIED		1024
#define NBG_MAX_PATHS		32
#define NBG_MAX_PATH_PREFIXES	256	/* per access path */
#define NBG_MAX_TRUSTED		1024	/* trusted_source prefixes, all paths */
#define NBG_MAX_SERVICES	16
#define NBG_SYNC_MAX_BYTES_LIMIT	(64ull * 1024 * 1024)	/* NBG_DOC_MAX_BYTES */

/* Every keyword; single-value ones are tracked for duplicates by this id. */
enum nbgp_kw {
	KW_FABRIC = 0,
	KW_ROLE_TABLE,
	KW_MAX_CACHE_AGE,
	KW_STALE_CACHE,
	KW_CLOCK_SKEW,
	KW_KEY_TYPES,
	KW_UNKNOWN_USERS,
	KW_FALLBACK,
	KW_SSH_SERVICE,
	KW_ACCOUNT_UID_RANGE,
	KW_ACCOUNTS,
	KW_ACCOUNT_GID,
	KW_ACCOUNT_SHELL,
	KW_ACCOUNT_HOME_BASE,
	KW_EXTRAUSERS_DIR,
	KW_SYNC_URL,
	KW_SYNC_CA_FILE,
	KW_SYNC_CLIENT_CERT,
	KW_SYNC_CLIENT_KEY,
	KW_SYNC_TOKEN_FILE,
	KW_SYNC_PROXY,
	KW_SYNC_CONNECT_TIMEOUT,
	KW_SYNC_TIMEOUT,
	KW_SYNC_MAX_BYTES,
	KW_SYNC_RETRIES,
	KW_SYNC_RETRY_DELAY,
	KW_CACHE_DIR,
	KW_AUTH_CHALLENGE_TTL,
	KW_AUTH_NAMESPACE,
	KW_AUTH_STATE_DIR,
	KW_ROLE,
	KW_DENY_USER,
	KW_FALLBACK_ACCOUNT,
	KW_ACCESS_PATH,
	KW_TRUSTED_SOURCE,
	KW_INCLUDE,
	KW__COUNT
};

struct nbgp_file_id {
	dev_t dev;
	ino_t ino;
};

/* The state of one load. */
struct nbgp {
	struct nbg_policy *p;		/* being built */
	struct nbg_diag *diag;		/* where problems go (never NULL) */
	unsigned flags;			/* NBG_POLICY_* */
	bool from_buffer;		/* Include is refused */
	size_t nerrors;			/* errors seen, recorded or not */
	bool oom;			/* an allocation failed */
	size_t nopened;			/* files tried, for NBG_POLICY_MAX_FILES */
	bool too_many_files;		/* reported once */
	const char *main_file;		/* the file defaults are attributed to */
	unsigned depth;			/* Include level of the file being read */
	struct nbgp_file_id stack[NBG_INCLUDE_DEPTH + 1];	/* files being read */
	size_t nstack;
	struct nbg_origin seen[KW__COUNT];	/* first line of each keyword */
	bool invalid[KW__COUNT];	/* a line of this keyword had an error */
	bool saw_role;			/* any role line, valid or not */
	/* Scratch space, last: parser_new() zeroes only what comes before. */
	char line[NBG_LINE_MAX + 1];	/* the current line, tokenised in place */
	char *tok[NBG_TOKENS_MAX];
};

/* policy_diag.c */
struct nbg_diag_entry *nbgp_error(struct nbgp *ps, const struct nbg_origin *o,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
struct nbg_diag_entry *nbgp_warn(struct nbgp *ps, const struct nbg_origin *o,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void nbgp_hint(struct nbgp *ps, struct nbg_diag_entry *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *nbgp_suggest(const char *word, const char *const *cands, size_t n);

/* policy_lex.c */
void nbgp_parse_text(struct nbgp *ps, const char *file, const char *buf, size_t len);
bool nbgp_valid_name(const char *s);
bool nbgp_valid_ident(const char *s, size_t max);
int nbgp_parse_u32(const char *s, size_t len, uint32_t *out);
const char *nbgp_fmt_duration(int64_t secs, char *buf, size_t len);
const char *nbgp_fmt_size(uint64_t bytes, char *buf, size_t len);

/* policy_kw.c */
void nbgp_keyword(struct nbgp *ps, const struct nbg_origin *o, char **av, size_t ac);
struct nbg_role *nbgp_new_role(struct nbgp *ps, const char *name, const struct nbg_origin *o);

/* policy_file.c */
const char *nbgp_add_file(struct nbgp *ps, const char *path);
void nbgp_read_file(struct nbgp *ps, const char *path, const struct nbg_origin *from);
void nbgp_include(struct nbgp *ps, const struct nbg_origin *o, const char *pattern);

#endif
