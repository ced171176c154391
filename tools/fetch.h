/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fetch.h - the one adapter to libcurl: fetch the role document from the
 * control plane over HTTPS.
 *
 * HTTPS only, peer and host name always verified, no redirects followed,
 * no proxy unless configured (the environment's proxy variables are
 * ignored), the body bounded while it arrives and written to a file (never
 * held in memory), retries with exponential backoff and jitter on
 * connection errors, timeouts and HTTP 5xx only.
 */
#ifndef NBG_FETCH_H
#define NBG_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NBG_ETAG_MAX		256	/* longer ETags are not stored */
#define NBG_TOKEN_MAX		8192	/* bearer token file limit */
#define NBG_FETCH_ERR_LEN	512
#define NBG_BACKOFF_CAP_MS	30000	/* no wait between attempts is longer */

enum nbg_fetch_status {
	NBG_FETCH_OK = 0,		/* 200 and a complete body */
	NBG_FETCH_NOT_MODIFIED,		/* 304: the stored ETag is current */
	NBG_FETCH_ERR_CONNECT,		/* resolve, connect, timeout, connection lost */
	NBG_FETCH_ERR_TLS,		/* certificate refused, handshake failed */
	NBG_FETCH_ERR_HTTP,		/* any other HTTP status (redirects included) */
	NBG_FETCH_ERR_TRUNCATED,	/* fewer bytes than Content-Length announced */
	NBG_FETCH_ERR_TOO_LARGE,	/* body over the limit */
	NBG_FETCH_ERR_LOCAL,		/* setup: options, memory, token; writing the body */
};

/* Called before each wait between attempts (may be NULL). */
typedef void nbg_fetch_retry_cb(void *arg, unsigned attempt, long delay_ms, const char *why);

struct nbg_fetch_opts {
	const char *url;		/* https:// */
	const char *ca_file;		/* NULL = system trust store */
	const char *client_cert;	/* PEM, with client_key; NULL = none */
	const char *client_key;
	const char *proxy;		/* NULL = never a proxy */
	const char *token;		/* bearer token (secret); NULL = none */
	const char *etag;		/* sent as If-None-Match; NULL = none */
	int body_fd;			/* the body goes here: a regular file, emptied first */
	int64_t connect_timeout;	/* seconds, > 0 */
	int64_t timeout;		/* seconds for one attempt, > 0 */
	uint64_t max_bytes;		/* body limit, > 0 */
	unsigned retries;		/* extra attempts */
	int64_t retry_delay;		/* first backoff, seconds */
	nbg_fetch_retry_cb *on_retry;
	void *cb_arg;
};

struct nbg_fetch_result {
	enum nbg_fetch_status status;
	long http_status;		/* 0 when no response arrived */
	unsigned attempts;
	size_t len;			/* bytes of the body in body_fd (200 only) */
	char etag[NBG_ETAG_MAX + 1];	/* "" when absent or unusable */
	char err[NBG_FETCH_ERR_LEN];	/* what failed, for the last attempt */
};

/*
 * Fetch opts->url.  Returns 0 with NBG_FETCH_OK or NBG_FETCH_NOT_MODIFIED,
 * -1 otherwise (res->status and res->err say why).  res is always filled.
 * The body of a 200 is in opts->body_fd, at offsets 0 to res->len; after
 * a failure that file holds whatever arrived last.  curl_global_init() must
 * have been called by the program.
 */
int nbg_fetch(const struct nbg_fetch_opts *opts, struct nbg_fetch_result *res);

/* Short name of a status, e.g. "too-large", for messages and JSON. */
const char *nbg_fetch_status_str(enum nbg_fetch_status s);

/*
 * The wait before retry number RETRY (0 = the first retry): the base
 * delay doubled RETRY times, capped at NBG_BACKOFF_CAP_MS, then "equal
 * jitter": half of it fixed, the other half scaled by RND / 2^32.
 */
long nbg_fetch_backoff_ms(int64_t base_s, unsigned retry, uint32_t rnd);

/* Is a failed attempt worth another one? */
bool nbg_fetch_retryable(enum nbg_fetch_status s, long http_status);

/*
 * Read the bearer token: PATH must be a regular file owned by root with no
 * access for group or others; one trailing newline is stripped; the token
 * must be 1..NBG_TOKEN_MAX visible ASCII characters.  *token is wiped and
 * freed by nbg_fetch_token_free().
 */
int nbg_fetch_read_token(const char *path, char **token, char err[NBG_FETCH_ERR_LEN]);
void nbg_fetch_token_free(char *token);

/* Is S usable as an ETag we send back (visible ASCII, bounded)? */
bool nbg_fetch_etag_valid(const char *s);

#endif
