/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_sync.c - `nexusbg sync`: reconcile the cached role table with the
 * control plane.
 *
 * Never replaces a good cache with a worse one: a document that does not
 * validate, arrived truncated or too large, belongs to another fabric,
 * carries a lower serial than the cache (rollback), or the same serial
 * with different content, is refused and the cache stays byte-identical.
 * See docs/sync.md.
 */
#include <sys/stat.h>

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "accounts_db.h"
#include "cachefile.h"
#include "cli.h"
#include "fetch.h"
#include "load.h"
#include "syncstate.h"

/* A plain run skips the fetch when the control plane confirmed the table this recently. */
#define SYNC_MIN_INTERVAL	300

enum verdict {
	V_INSTALL = 0,		/* a newer table (or none was usable) */
	V_UNCHANGED,		/* same serial, same document */
	V_REFUSED,		/* kept the cache; ctx->msg says why */
};

struct sync_ctx {
	const char *policy_path, *file;
	bool now, quiet, json;
	struct nbg_policy *p;
	char cache_dir[PATH_MAX], state_path[PATH_MAX];
	char url[NBG_STATE_URL_MAX + 1];	/* sync_url as shown: no user:password@ */
	int lock_fd;
	int64_t t;			/* this run's clock */
	struct nbg_sync_state st;

	struct nbg_table *cur;		/* the cache as found; NULL unless usable */
	char cur_err[NBG_ERR_LEN];
	int doc_fd;			/* the document, in a private temporary file */
	bool doc_from_fetch;
	struct nbg_fetch_result fr;
	struct nbg_cf_tmp image;	/* the compiled document, until it is installed */
	struct nbg_table *next;		/* the compiled document, mapped */

	enum nbg_sync_result result;
	bool skipped;			/* too soon after the last confirmation */
	uint64_t old_serial;
	char msg[NBG_STATE_MSG_LEN];	/* the failure, if any */
	struct nbg_accounts_report acct;
	bool acct_failed;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: nexusbg sync [--policy FILE] [--now] [--file DOC.json] [--quiet] "
	    "[--json]\n\n"
	    "Fetch the role document from the policy's sync_url over HTTPS, validate it,\n"
	    "and replace the cached role table atomically when it is newer.  A document\n"
	    "that is invalid, truncated, too large, for another fabric, older than the\n"
	    "cache (lower serial) or different under the same serial is refused and the\n"
	    "cache is kept.  The stored ETag is sent as If-None-Match.\n\n"
	    "  --policy FILE   the policy (default %s)\n"
	    "  --now           check even if the control plane confirmed the table less\n"
	    "                  than %d s ago (a plain run then does nothing); still sends\n"
	    "                  If-None-Match\n"
	    "  --file DOC.json install a local document (air-gapped devices) through the\n"
	    "                  same validation; no network\n"
	    "  --quiet         print nothing unless something failed\n"
	    "  --json          print the outcome as JSON on standard output\n\n"
	    "exit: 0 updated, 3 unchanged (confirmed, or checked too recently),\n"
	    "      1 refused or failed (the cache was kept), 2 usage or local setup error\n",
	    NBG_DEFAULT_POLICY, SYNC_MIN_INTERVAL);
}

static int parse_args(struct sync_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "now", no_argument, NULL, 'n' },
		{ "file", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "p:nf:qjh", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			c->policy_path = optarg;
			break;
		case 'n':
			c->now = true;
			break;
		case 'f':
			c->file = optarg;
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'j':
			c->json = true;
			break;
		case 'h':
			usage(stdout);
			return NBG_EXIT_OK;
		default:
			usage(stderr);
			return NBG_EXIT_ERROR;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return NBG_EXIT_ERROR;
	}
	return -1;	/* go on */
}

/*
 * The URL as messages and the state file show it: credentials an admin put
 * in the authority part ("https://user:secret@host/") are replaced by "***".
 */
static void shown_url(const char *url, char *out, size_t len)
{
	const char *auth = strstr(url, "://"), *end, *at;

	if (auth == NULL) {
		snprintf(out, len, "%s", url);
		return;
	}
	auth += 3;
	end = auth + strcspn(auth, "/?#");
	at = memchr(auth, '@', (size_t)(end - auth));
	if (at == NULL)
		snprintf(out, len, "%s", url);
	else
		snprintf(out, len, "%.*s***%s", (int)(auth - url), url, at);
}

static void on_retry(void *arg, unsigned attempt, long delay_ms, const char *why)
{
	const struct sync_ctx *c = arg;

	if (!c->quiet)
		nbg_cli_err("sync", "%s: attempt %u failed: %s; retrying in %ld.%03ld s",
		    c->url, attempt, why, delay_ms / 1000, delay_ms % 1000);
}

/* The cache and state directories, the lock, stale temporary files. */
static int prepare(struct sync_ctx *c)
{
	char err[NBG_CF_ERR_LEN], tdir[PATH_MAX], tbase[NAME_MAX + 1];

	if (nbg_cf_split(c->p->role_table, tdir, sizeof(tdir), tbase, sizeof(tbase)) != 0 ||
	    nbg_state_dir(c->p, c->cache_dir, sizeof(c->cache_dir)) != 0 ||
	    nbg_state_path(c->p, c->state_path, sizeof(c->state_path)) != 0) {
		nbg_cli_err("sync", "role_table %s / cache_dir: unusable path", c->p->role_table);
		return -1;
	}
	if (nbg_cf_dir_prepare(tdir, true, err) != NBG_CF_OK ||
	    nbg_cf_dir_prepare(c->cache_dir, true, err) != NBG_CF_OK ||
	    nbg_cf_lock(c->cache_dir, &c->lock_fd, err) != NBG_CF_OK ||
	    nbg_cf_clean_stale(c->p->role_table, NULL, err) != NBG_CF_OK ||
	    nbg_cf_clean_stale(c->state_path, NULL, err) != NBG_CF_OK) {
		nbg_cli_err("sync", "%s", err);
		return -1;
	}
	return 0;
}

static void load_state(struct sync_ctx *c)
{
	char err[NBG_CF_ERR_LEN];
	int r;

	r = nbg_state_load(c->state_path, &c->st, err, sizeof(err));
	if (r != NBG_CF_OK && r != NBG_CF_ERR_NOT_FOUND && !c->quiet)
		nbg_cli_err("sync", "ignoring the state file: %s", err);
}

/* The cache as it is now; an insecure cache file stops the run. */
static int open_current(struct sync_ctx *c)
{
	char err[NBG_CF_ERR_LEN];
	struct nbg_roledoc_opts any = { 0 };
	enum nbg_table_open_status s;
	int64_t mtime;
	int r;

	r = nbg_cf_file_check(c->p->role_table, err);
	if (r != NBG_CF_OK && r != NBG_CF_ERR_NOT_FOUND) {
		nbg_cli_err("sync", "refusing to replace the role table: %s", err);
		return -1;
	}
	s = nbg_table_open_any(c->p->role_table, NBG_TABLE_CHECK_PERMS, &any, &c->cur, &mtime,
	    c->cur_err);
	if (s == NBG_TABLE_INSECURE) {
		nbg_cli_err("sync", "refusing to replace the role table %s: %s",
		    c->p->role_table, c->cur_err);
		return -1;
	}
	if (s != NBG_TABLE_OK) {
		if (s == NBG_TABLE_INVALID && !c->quiet)
			nbg_cli_err("sync", "the cached role table %s is not usable (%s); a valid "
			    "document will replace it", c->p->role_table, c->cur_err);
		nbg_table_free(c->cur);
		c->cur = NULL;
		return 0;
	}
	c->old_serial = nbg_table_serial(c->cur);
	return 0;
}

/* Send If-None-Match only when the stored ETag describes the table in the cache. */
static const char *usable_etag(const struct sync_ctx *c)
{
	char hex[65];

	if (c->cur == NULL || c->st.etag[0] == '\0')
		return NULL;
	nbg_state_hex(nbg_table_doc_sha256(c->cur), hex);
	return strcmp(hex, c->st.sha256) == 0 ? c->st.etag : NULL;
}

static void set_msg(struct sync_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_msg(struct sync_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
}

/* A plain run right after a confirmation has nothing to learn. */
static bool recently_confirmed(const struct sync_ctx *c)
{
	return c->cur != NULL && usable_etag(c) != NULL &&
	    (c->st.last_result == NBG_SYNC_UPDATED || c->st.last_result == NBG_SYNC_UNCHANGED) &&
	    c->st.last_success > 0 && c->t >= c->st.last_success &&
	    c->t - c->st.last_success < SYNC_MIN_INTERVAL &&
	    strcmp(c->st.url, c->url) == 0;
}

static void fill_fetch_opts(struct sync_ctx *c, struct nbg_fetch_opts *o, const char *token)
{
	const struct nbg_sync_settings *s = &c->p->sync;

	memset(o, 0, sizeof(*o));
	o->url = s->url;
	o->ca_file = s->ca_file;
	o->client_cert = s->client_cert;
	o->client_key = s->client_key;
	o->proxy = s->proxy;
	o->token = token;
	o->etag = usable_etag(c);
	o->connect_timeout = s->connect_timeout;
	o->timeout = s->timeout;
	o->max_bytes = s->max_bytes;
	o->retries = s->retries;
	o->retry_delay = s->retry_delay;
	o->on_retry = on_retry;
	o->cb_arg = c;
}

/* The client key must be as private as the token. */
static int check_client_key(struct sync_ctx *c)
{
	char err[NBG_CF_ERR_LEN], *key = NULL;
	size_t len = 0;

	if (c->p->sync.client_key == NULL)
		return 0;
	if (nbg_cf_read(c->p->sync.client_key, 1024 * 1024, NBG_CF_READ_SECRET, &key, &len,
	    err) != NBG_CF_OK) {
		set_msg(c, "TLS client key refused: %s", err);
		return -1;
	}
	nbg_cf_free_secret(key, len + 1);
	return 0;
}

/* 0: a 200 body in c->doc, or a 304 (*not_modified); -1: failed, c->msg says why. */
static int fetch_document(struct sync_ctx *c, bool *not_modified)
{
	char err[NBG_FETCH_ERR_LEN], cferr[NBG_CF_ERR_LEN], *token = NULL;
	struct nbg_fetch_opts o;
	int r = -1;

	if (c->p->sync.token_file != NULL &&
	    nbg_fetch_read_token(c->p->sync.token_file, &token, err) != 0) {
		set_msg(c, "%s", err);
		goto out;
	}
	if (check_client_key(c) != 0)
		goto out;
	/* The body goes to disk as it arrives, never into memory. */
	if (nbg_cf_tmp_anon(c->p->role_table, &c->doc_fd, cferr) != NBG_CF_OK) {
		set_msg(c, "%s", cferr);
		goto out;
	}
	fill_fetch_opts(c, &o, token);
	o.body_fd = c->doc_fd;
	c->doc_from_fetch = true;
	if (nbg_fetch(&o, &c->fr) != 0) {
		set_msg(c, "%s: %s (%s, %u attempt%s)", c->url, c->fr.err,
		    nbg_fetch_status_str(c->fr.status), c->fr.attempts,
		    c->fr.attempts == 1 ? "" : "s");
		goto out;
	}
	if (c->fr.status == NBG_FETCH_NOT_MODIFIED && o.etag == NULL) {
		set_msg(c, "%s: HTTP 304 to a request without If-None-Match", c->url);
		goto out;
	}
	*not_modified = c->fr.status == NBG_FETCH_NOT_MODIFIED;
	r = 0;
out:
	nbg_fetch_token_free(token);
	return r;
}

/*
 * --file: copied into a private temporary file next to the cache, which the
 * loader then maps.  The loader never maps the admin's file itself: a file
 * cut short while mapped would fault the reader instead of being refused.
 * A file that changes while it is copied is refused.
 */
static int read_document(struct sync_ctx *c)
{
	char err[NBG_CF_ERR_LEN];
	struct stat before, after;
	size_t size, max = (size_t)c->p->sync.max_bytes, total = 0;
	int r, src = -1;

	r = nbg_cf_open(c->file, max, 0, &src, &size, err);
	if (r == NBG_CF_ERR_TOO_LARGE) {
		set_msg(c, "%s (sync_max_bytes)", err);
		return -1;
	}
	if (r != NBG_CF_OK) {
		set_msg(c, "%s", err);
		return -1;
	}
	if (fstat(src, &before) != 0) {
		set_msg(c, "%s: fstat: %s", c->file, strerror(errno));
		goto fail;
	}
	if (nbg_cf_tmp_anon(c->p->role_table, &c->doc_fd, err) != NBG_CF_OK) {
		set_msg(c, "%s", err);
		goto fail;
	}
	for (;;) {
		char buf[65536];
		ssize_t n = read(src, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			set_msg(c, "%s: read: %s", c->file, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		if ((total += (size_t)n) > max) {
			set_msg(c, "%s: more than the limit of %zu bytes (sync_max_bytes)", c->file,
			    max);
			goto fail;
		}
		for (ssize_t w, o = 0; o < n; o += w) {
			if ((w = write(c->doc_fd, buf + o, (size_t)(n - o))) < 0 && errno == EINTR) {
				w = 0;
			} else if (w <= 0) {
				set_msg(c, "%s: cannot copy it next to the role table: %s", c->file,
				    w < 0 ? strerror(errno) : "short write");
				goto fail;
			}
		}
	}
	if (fstat(src, &after) != 0 || total != size || after.st_size != before.st_size ||
	    after.st_mtim.tv_sec != before.st_mtim.tv_sec ||
	    after.st_mtim.tv_nsec != before.st_mtim.tv_nsec) {
		set_msg(c, "%s changed while it was read; nothing was installed", c->file);
		goto fail;
	}
	close(src);
	return 0;
fail:
	close(src);
	return -1;
}

/* Compile the document into a temporary file next to the cache. */
static int compile(struct sync_ctx *c)
{
	const char *names[64];
	struct nbg_roledoc_opts opts;
	char err[NBG_ERR_LEN], cferr[NBG_CF_ERR_LEN];
	size_t len;
	int r;

	nbg_cli_roledoc_opts(c->p, names, sizeof(names) / sizeof(names[0]), &opts);
	if (nbg_cf_tmp_create(&c->image, c->p->role_table, cferr) != NBG_CF_OK) {
		set_msg(c, "%s", cferr);
		return -1;
	}
	r = nbg_roledoc_compile_fd(c->doc_fd, &opts, c->image.fd, &len, err);
	if (r == NBG_ROLEDOC_REFUSED) {
		set_msg(c, "document refused: %s", err);
		return -1;
	}
	if (r != 0) {
		set_msg(c, "%s: %s", c->p->role_table, err);
		return -1;
	}
	if (nbg_table_from_fd(c->image.fd, &c->next, err) != 0) {
		set_msg(c, "document refused: the compiled table does not open: %s", err);
		return -1;
	}
	return 0;
}

/* Validate the document and compare it with the cache. */
static enum verdict evaluate(struct sync_ctx *c)
{
	uint64_t ns, os;

	if (compile(c) != 0)
		return V_REFUSED;
	if (c->cur == NULL)
		return V_INSTALL;
	if (strcmp(nbg_table_fabric(c->next), nbg_table_fabric(c->cur)) != 0) {
		if (c->p->fabric != NULL)
			return V_INSTALL;	/* the cache is another fabric's: unusable here */
		set_msg(c, "document refused: it is for fabric %s, the cached table for %s "
		    "(set `fabric` in the policy to move this device)",
		    nbg_table_fabric(c->next), nbg_table_fabric(c->cur));
		return V_REFUSED;
	}
	ns = nbg_table_serial(c->next);
	os = nbg_table_serial(c->cur);
	if (ns < os) {
		set_msg(c, "document refused: serial %ju is older than the cached serial %ju "
		    "(rollback)", (uintmax_t)ns, (uintmax_t)os);
		return V_REFUSED;
	}
	if (ns > os)
		return V_INSTALL;
	if (memcmp(nbg_table_doc_sha256(c->next), nbg_table_doc_sha256(c->cur), 32) == 0)
		return V_UNCHANGED;
	set_msg(c, "document refused: serial %ju is already cached with different content "
	    "(a changed document needs a higher serial)", (uintmax_t)ns);
	return V_REFUSED;
}

static int apply(struct sync_ctx *c, enum verdict v)
{
	char err[NBG_CF_ERR_LEN];

	if (v == V_INSTALL) {
		if (nbg_cf_tmp_commit(&c->image, 0644, NBG_CF_KEEP_PREV, err) != NBG_CF_OK) {
			set_msg(c, "%s", err);
			return -1;
		}
		c->result = NBG_SYNC_UPDATED;
		return 0;
	}
	/* the cache age counts from the control plane's last confirmation */
	if (nbg_cf_touch(c->p->role_table, err) != NBG_CF_OK) {
		set_msg(c, "%s", err);
		return -1;
	}
	c->result = NBG_SYNC_UNCHANGED;
	return 0;
}

static void on_account_note(void *arg, const char *note)
{
	struct sync_ctx *c = arg;

	nbg_state_add_note(&c->st, "%s", note);
	if (!c->quiet)
		nbg_cli_err("sync", "accounts: %s", note);
}

/* Every 4096 users the pages of the table read so far are given back. */
#define COLLECT_STEP	4096u

/*
 * The logins and display names of the table, copied into one buffer (*text)
 * so that the walk does not leave the whole image resident.
 */
static int collect_users(const struct nbg_table *t, struct nbg_account_user **out, char **text,
    char err[NBG_ERR_LEN])
{
	uint32_t n = nbg_table_nusers(t);
	struct nbg_account_user *u = NULL;
	size_t *at = NULL, len = 0, cap = 0;
	char *buf = NULL;
	struct nbg_user rec;

	*out = NULL;
	*text = NULL;
	if ((u = calloc(n > 0 ? n : 1, sizeof(*u))) == NULL ||
	    (at = calloc(2 * (size_t)(n > 0 ? n : 1), sizeof(*at))) == NULL)
		goto oom;
	for (uint32_t i = 0; i < n; i++) {
		size_t ln, dn;

		if (nbg_table_user_at(t, i, &rec, err) != 0)
			goto fail;
		ln = strlen(rec.name) + 1;
		dn = rec.display_name != NULL ? strlen(rec.display_name) + 1 : 0;
		if (len + ln + dn > cap) {
			size_t ncap = cap != 0 ? cap : 64 * 1024;
			char *p;

			while (ncap < len + ln + dn)
				ncap *= 2;
			if ((p = realloc(buf, ncap)) == NULL)
				goto oom;
			buf = p;
			cap = ncap;
		}
		at[2 * i] = len;
		memcpy(buf + len, rec.name, ln);
		len += ln;
		at[2 * i + 1] = dn != 0 ? len : SIZE_MAX;
		if (dn != 0)
			memcpy(buf + len, rec.display_name, dn);
		len += dn;
		if ((i + 1) % COLLECT_STEP == 0)
			nbg_table_release(t);
	}
	nbg_table_release(t);
	for (uint32_t i = 0; i < n; i++) {
		u[i].login = buf + at[2 * i];
		u[i].display_name = at[2 * i + 1] != SIZE_MAX ? buf + at[2 * i + 1] : NULL;
	}
	free(at);
	*out = u;
	*text = buf;
	return 0;
oom:
	snprintf(err, NBG_ERR_LEN, "out of memory for %u users", n);
fail:
	free(u);
	free(at);
	free(buf);
	return -1;
}

/* The files are what the last run left, and nothing they depend on changed. */
static bool accounts_current(const struct sync_ctx *c, const struct nbg_accounts_opts *o,
    const struct nbg_table *t)
{
	uint8_t fp[32];
	char hex[65];

	if ((c->st.accounts != NBG_ACCOUNTS_WRITTEN && c->st.accounts != NBG_ACCOUNTS_CURRENT) ||
	    c->st.accounts_fingerprint[0] == '\0')
		return false;
	nbg_accounts_fingerprint(o, nbg_table_doc_sha256(t), fp);
	nbg_state_hex(fp, hex);
	return strcmp(hex, c->st.accounts_fingerprint) == 0;
}

static int sync_accounts(struct sync_ctx *c, const struct nbg_table *t)
{
	const struct nbg_account_settings *a = &c->p->accounts;
	struct nbg_accounts_opts o = { 0 };
	struct nbg_account_user *users = NULL;
	char err[NBG_CF_ERR_LEN], *text = NULL;
	uint8_t fp[32];
	int r = -1;

	o.dir = a->extrausers_dir != NULL ? a->extrausers_dir : "/var/lib/extrausers";
	o.local_passwd = "/etc/passwd";
	o.local_group = "/etc/group";
	o.uid_min = c->p->has_uid_range ? c->p->uid_min : 0;	/* 0: refused below */
	o.uid_max = c->p->has_uid_range ? c->p->uid_max : 0;
	o.gid = a->has_gid ? a->gid : o.uid_min;
	o.shell = a->shell != NULL ? a->shell : "/bin/bash";
	o.home_base = a->home_base != NULL ? a->home_base : "/home";
	o.next_uid = c->st.accounts_next_uid;
	if (a->mode == NBG_ACCOUNTS_NEXUSBG)
		o.db = NBG_ACCOUNTS_DB;	/* for the fingerprint; set up below */
	if (a->mode != NBG_ACCOUNTS_NONE && accounts_current(c, &o, t)) {
		/* The counts and notes of that run still hold. */
		c->st.accounts = NBG_ACCOUNTS_CURRENT;
		return 0;
	}
	c->st.accounts = NBG_ACCOUNTS_OFF;
	c->st.accounts_users = c->st.accounts_skipped = c->st.nnotes = 0;
	c->st.accounts_fingerprint[0] = '\0';
	if (a->mode == NBG_ACCOUNTS_NONE)
		return 0;
	if (a->mode == NBG_ACCOUNTS_NEXUSBG)
		nbg_accounts_db_setup(&o, on_account_note, c);
	if (collect_users(t, &users, &text, err) != 0 ||
	    nbg_accounts_sync(&o, users, nbg_table_nusers(t), on_account_note, c, &c->acct,
	    err) != NBG_CF_OK) {
		nbg_state_add_note(&c->st, "%s", err);
		c->st.accounts = NBG_ACCOUNTS_FAILED;
		c->acct_failed = true;
		set_msg(c, "%s", err);
		goto out;
	}
	c->st.accounts = c->acct.changed ? NBG_ACCOUNTS_WRITTEN : NBG_ACCOUNTS_CURRENT;
	c->st.accounts_users = c->acct.provisioned;
	c->st.accounts_skipped = c->acct.skipped;
	c->st.accounts_next_uid = c->acct.next_uid;
	o.next_uid = c->acct.next_uid;
	nbg_accounts_fingerprint(&o, nbg_table_doc_sha256(t), fp);
	nbg_state_hex(fp, c->st.accounts_fingerprint);
	r = 0;
out:
	free(users);
	free(text);
	return r;
}

/* The state file after this run; t is the table now in the cache (may be NULL). */
static void record(struct sync_ctx *c, const struct nbg_table *t)
{
	struct nbg_sync_state *st = &c->st;
	char hex[65];

	st->last_attempt = c->t;
	st->last_result = c->result;
	if (c->file != NULL)
		snprintf(st->url, sizeof(st->url), "file:%s", c->file);
	else
		snprintf(st->url, sizeof(st->url), "%s", c->url);
	if (c->result == NBG_SYNC_FAILED) {
		nbg_state_set_error(st, "%s", c->msg);
	} else {
		st->last_success = c->t;
		st->last_error[0] = '\0';
		if (c->file != NULL)
			st->etag[0] = '\0';	/* no ETag describes a local document */
		else if (c->fr.etag[0] != '\0' || c->fr.status == NBG_FETCH_OK)
			snprintf(st->etag, sizeof(st->etag), "%s", c->fr.etag);
	}
	if (c->acct_failed)
		nbg_state_set_error(st, "%s", c->msg);
	if (t == NULL) {
		st->etag[0] = st->fabric[0] = st->sha256[0] = '\0';
		st->serial = 0;
		return;
	}
	nbg_state_hex(nbg_table_doc_sha256(t), hex);
	/* an ETag only ever describes the document whose table is in the cache */
	if (!(c->result != NBG_SYNC_FAILED && c->fr.status == NBG_FETCH_OK &&
	    c->doc_from_fetch) && strcmp(hex, st->sha256) != 0)
		st->etag[0] = '\0';
	st->serial = nbg_table_serial(t);
	snprintf(st->fabric, sizeof(st->fabric), "%s", nbg_table_fabric(t));
	memcpy(st->sha256, hex, sizeof(hex));
}

static int exit_code(const struct sync_ctx *c)
{
	if (c->result == NBG_SYNC_FAILED || c->acct_failed)
		return NBG_EXIT_NO;
	return c->result == NBG_SYNC_UPDATED ? NBG_EXIT_OK : NBG_EXIT_UNCHANGED;
}

static void report_json(const struct sync_ctx *c, const struct nbg_table *t, int code)
{
	struct json_object *o = json_object_new_object(), *a;

	if (o == NULL)
		return;
	json_object_object_add(o, "result", json_object_new_string(
	    nbg_sync_result_str(c->result)));
	json_object_object_add(o, "checked", json_object_new_boolean(!c->skipped));
	json_object_object_add(o, "source", json_object_new_string(c->st.url));
	if (c->doc_from_fetch) {
		json_object_object_add(o, "http_status", json_object_new_int64(c->fr.http_status));
		json_object_object_add(o, "attempts", json_object_new_int64(c->fr.attempts));
	}
	json_object_object_add(o, "fabric", t != NULL ?
	    json_object_new_string(nbg_table_fabric(t)) : NULL);
	json_object_object_add(o, "serial", t != NULL ?
	    json_object_new_uint64(nbg_table_serial(t)) : NULL);
	json_object_object_add(o, "previous_serial", c->old_serial > 0 ?
	    json_object_new_uint64(c->old_serial) : NULL);
	json_object_object_add(o, "users", t != NULL ?
	    json_object_new_int64(nbg_table_nusers(t)) : NULL);
	json_object_object_add(o, "etag", json_object_new_string(c->st.etag));
	json_object_object_add(o, "error", c->msg[0] != '\0' ?
	    json_object_new_string(c->st.last_error) : NULL);
	if ((a = nbg_state_to_json(&c->st)) != NULL) {
		struct json_object *acct = NULL;

		if (json_object_object_get_ex(a, "accounts", &acct))
			json_object_object_add(o, "accounts", json_object_get(acct));
		json_object_put(a);
	}
	json_object_object_add(o, "exit", json_object_new_int(code));
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void report_text(const struct sync_ctx *c, const struct nbg_table *t)
{
	if (c->result == NBG_SYNC_FAILED) {
		if (c->old_serial > 0)
			nbg_cli_err("sync", "failed: %s; the cached table (serial %ju) was kept",
			    c->st.last_error, (uintmax_t)c->old_serial);
		else
			nbg_cli_err("sync", "failed: %s; there is no usable cached table",
			    c->st.last_error);
		return;
	}
	if (c->acct_failed)
		nbg_cli_err("sync", "accounts not updated: %s", c->st.last_error);
	if (c->quiet)
		return;
	if (c->skipped)
		printf("unchanged: the control plane confirmed serial %ju %jd s ago "
		    "(use --now to check again)\n", (uintmax_t)nbg_table_serial(t),
		    (intmax_t)(c->t - c->st.last_success));
	else if (c->result == NBG_SYNC_UPDATED && c->old_serial > 0)
		printf("updated: fabric %s serial %ju -> %ju, %u users\n", nbg_table_fabric(t),
		    (uintmax_t)c->old_serial, (uintmax_t)nbg_table_serial(t),
		    nbg_table_nusers(t));
	else if (c->result == NBG_SYNC_UPDATED)
		printf("updated: fabric %s serial %ju, %u users (no usable table before)\n",
		    nbg_table_fabric(t), (uintmax_t)nbg_table_serial(t), nbg_table_nusers(t));
	else
		printf("unchanged: fabric %s serial %ju confirmed by %s\n", nbg_table_fabric(t),
		    (uintmax_t)nbg_table_serial(t), c->file != NULL ? c->file : "the control plane");
	if (!c->skipped && c->st.accounts != NBG_ACCOUNTS_OFF && !c->acct_failed)
		printf("accounts: %u provisioned, %u skipped, files %s\n", c->st.accounts_users,
		    c->st.accounts_skipped,
		    c->st.accounts == NBG_ACCOUNTS_WRITTEN ? "rewritten" : "already current");
}

/* Fetch or read, validate, compare, replace. */
static void reconcile(struct sync_ctx *c)
{
	enum verdict v = V_REFUSED;
	bool not_modified = false;
	int r;

	r = c->file != NULL ? read_document(c) : fetch_document(c, &not_modified);
	if (r == 0)
		v = not_modified ? V_UNCHANGED : evaluate(c);
	if (r != 0 || v == V_REFUSED || apply(c, v) != 0)
		c->result = NBG_SYNC_FAILED;
}

static void free_ctx(struct sync_ctx *c)
{
	if (c->doc_fd >= 0)
		close(c->doc_fd);
	nbg_cf_tmp_discard(&c->image);
	nbg_table_free(c->next);
	nbg_table_free(c->cur);
	nbg_cf_unlock(c->lock_fd);
	nbg_policy_free(c->p);
}

int cmd_sync(int argc, char **argv)
{
	struct sync_ctx c = { .lock_fd = -1, .doc_fd = -1, .image = { .dfd = -1, .fd = -1 } };
	const struct nbg_table *t;
	char err[NBG_CF_ERR_LEN];
	bool curl_ready = false;
	int ret;

	if ((ret = parse_args(&c, argc, argv)) >= 0)
		return ret;
	ret = NBG_EXIT_ERROR;
	if (geteuid() != 0) {
		nbg_cli_err("sync", "must run as root: it writes root-owned cache files");
		goto out;
	}
	if (nbg_cli_load_policy("sync", c.policy_path, false, &c.p) != 0)
		goto out;
	if (c.file == NULL && c.p->sync.url == NULL) {
		nbg_cli_err("sync", "the policy sets no sync_url (use --file DOC.json to install "
		    "a local document)");
		goto out;
	}
	if (c.p->sync.url != NULL)
		shown_url(c.p->sync.url, c.url, sizeof(c.url));
	if (prepare(&c) != 0 || open_current(&c) != 0)
		goto out;
	load_state(&c);
	c.t = (int64_t)time(NULL);
	if (!c.now && c.file == NULL && recently_confirmed(&c)) {
		c.skipped = true;
		c.result = NBG_SYNC_UNCHANGED;
		ret = NBG_EXIT_UNCHANGED;
		if (c.json)
			report_json(&c, c.cur, ret);
		else
			report_text(&c, c.cur);
		goto out;
	}
	if (c.file == NULL) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			nbg_cli_err("sync", "curl_global_init failed");
			goto out;
		}
		curl_ready = true;
	}
	reconcile(&c);
	t = c.result == NBG_SYNC_UPDATED ? c.next : c.cur;
	if (c.result != NBG_SYNC_FAILED)
		(void)sync_accounts(&c, t);
	record(&c, t);
	ret = exit_code(&c);
	if (nbg_state_save(c.state_path, &c.st, err, sizeof(err)) != NBG_CF_OK) {
		nbg_cli_err("sync", "state not recorded: %s", err);
		ret = NBG_EXIT_NO;
	}
	if (c.json)
		report_json(&c, t, ret);
	else
		report_text(&c, t);
out:
	free_ctx(&c);
	if (curl_ready)
		curl_global_cleanup();
	if (fflush(stdout) != 0 && ret == NBG_EXIT_OK)
		ret = NBG_EXIT_ERROR;
	return ret;
}
