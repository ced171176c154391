/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fetch.c - the libcurl adapter: one HTTPS GET of the role document, with
 * a bounded body, If-None-Match, a bearer token and mutual TLS, retried
 * with exponential backoff and jitter when the failure may be transient.
 */
#include <sys/random.h>

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cachefile.h"
#include "fetch.h"

/* The body as it arrives: written to fd at offsets 0 to len. */
struct body {
	int fd;
	size_t len;
	uint64_t max;
	bool too_large;
	int write_errno;	/* the write to fd failed */
};

static void fetch_err(char err[NBG_FETCH_ERR_LEN], const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fetch_err(char err[NBG_FETCH_ERR_LEN], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, NBG_FETCH_ERR_LEN, fmt, ap);
	va_end(ap);
}

const char *nbg_fetch_status_str(enum nbg_fetch_status s)
{
	switch (s) {
	case NBG_FETCH_OK:
		return "ok";
	case NBG_FETCH_NOT_MODIFIED:
		return "not-modified";
	case NBG_FETCH_ERR_CONNECT:
		return "connection";
	case NBG_FETCH_ERR_TLS:
		return "tls";
	case NBG_FETCH_ERR_HTTP:
		return "http-status";
	case NBG_FETCH_ERR_TRUNCATED:
		return "truncated";
	case NBG_FETCH_ERR_TOO_LARGE:
		return "too-large";
	case NBG_FETCH_ERR_LOCAL:
		return "local";
	}
	return "local";
}

long nbg_fetch_backoff_ms(int64_t base_s, unsigned retry, uint32_t rnd)
{
	long ms, half;

	if (base_s < 1)
		base_s = 1;
	ms = base_s >= NBG_BACKOFF_CAP_MS / 1000 ? NBG_BACKOFF_CAP_MS : (long)base_s * 1000;
	for (unsigned i = 0; i < retry && ms < NBG_BACKOFF_CAP_MS; i++)
		ms *= 2;
	if (ms > NBG_BACKOFF_CAP_MS)
		ms = NBG_BACKOFF_CAP_MS;
	half = ms / 2;
	return half + (long)(((uint64_t)(ms - half) * rnd) >> 32);
}

bool nbg_fetch_retryable(enum nbg_fetch_status s, long http_status)
{
	switch (s) {
	case NBG_FETCH_ERR_CONNECT:
	case NBG_FETCH_ERR_TRUNCATED:
		return true;
	case NBG_FETCH_ERR_HTTP:
		return http_status >= 500 && http_status <= 599;
	default:
		return false;
	}
}

bool nbg_fetch_etag_valid(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (n >= NBG_ETAG_MAX || (unsigned char)s[n] < 0x21 ||
		    (unsigned char)s[n] > 0x7e)
			return false;
	return n > 0;
}

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	const char *p = ptr;
	size_t n, left;

	if (nmemb != 0 && size > SIZE_MAX / nmemb)
		return 0;
	n = size * nmemb;
	if (n > b->max || b->len > b->max - n) {
		b->too_large = true;
		return 0;	/* aborts the transfer: CURLE_WRITE_ERROR */
	}
	for (left = n; left > 0;) {
		ssize_t w = pwrite(b->fd, p, left, (off_t)b->len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			b->write_errno = w < 0 ? errno : EIO;
			return 0;
		}
		p += w;
		left -= (size_t)w;
		b->len += (size_t)w;
	}
	return n;
}

/* Before each attempt: nothing received yet. */
static int body_reset(struct body *b)
{
	b->len = 0;
	b->too_large = false;
	b->write_errno = 0;
	if (ftruncate(b->fd, 0) != 0) {
		b->write_errno = errno;
		return -1;
	}
	return 0;
}

/* Wipe and free a header list that may hold the token. */
static void free_headers(struct curl_slist *h)
{
	for (struct curl_slist *p = h; p != NULL; p = p->next)
		explicit_bzero(p->data, strlen(p->data));
	curl_slist_free_all(h);
}

/* Append "PREFIX VALUE"; the formatted copy is wiped (it may hold the token). */
static int add_header(struct curl_slist **h, const char *prefix, const char *value)
{
	struct curl_slist *n;
	size_t len = strlen(prefix) + strlen(value) + 1;
	char *line;
	int r = -1;

	if ((line = malloc(len)) == NULL)
		return -1;
	snprintf(line, len, "%s%s", prefix, value);
	if ((n = curl_slist_append(*h, line)) != NULL) {
		*h = n;
		r = 0;
	}
	explicit_bzero(line, len);
	free(line);
	return r;
}

static int build_headers(const struct nbg_fetch_opts *o, struct curl_slist **h)
{
	*h = NULL;
	if (add_header(h, "Accept: ", "application/json") != 0)
		return -1;
	if (o->etag != NULL && nbg_fetch_etag_valid(o->etag) &&
	    add_header(h, "If-None-Match: ", o->etag) != 0)
		return -1;
	if (o->token != NULL && add_header(h, "Authorization: Bearer ", o->token) != 0)
		return -1;
	return 0;
}

#define SETOPT(c, opt, val) do {					\
	CURLcode cr_ = curl_easy_setopt((c), (opt), (val));		\
	if (cr_ != CURLE_OK) {						\
		fetch_err(err, "curl option %s: %s", #opt,		\
		    curl_easy_strerror(cr_));				\
		return -1;						\
	}								\
} while (0)

static int set_options(CURL *c, const struct nbg_fetch_opts *o, struct curl_slist *headers,
    struct body *b, char *errbuf, char err[NBG_FETCH_ERR_LEN])
{
	SETOPT(c, CURLOPT_URL, o->url);
	SETOPT(c, CURLOPT_PROTOCOLS_STR, "https");
	SETOPT(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SETOPT(c, CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(c, CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(c, CURLOPT_SSL_VERIFYHOST, 2L);
	SETOPT(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (o->ca_file != NULL) {
		SETOPT(c, CURLOPT_CAINFO, o->ca_file);
		SETOPT(c, CURLOPT_CAPATH, (char *)NULL);	/* only this CA */
	}
	if (o->client_cert != NULL) {
		SETOPT(c, CURLOPT_SSLCERT, o->client_cert);
		SETOPT(c, CURLOPT_SSLCERTTYPE, "PEM");
		SETOPT(c, CURLOPT_SSLKEY, o->client_key);
		SETOPT(c, CURLOPT_SSLKEYTYPE, "PEM");
	}
	/* "" disables proxies, including http(s)_proxy from the environment */
	SETOPT(c, CURLOPT_PROXY, o->proxy != NULL ? o->proxy : "");
	SETOPT(c, CURLOPT_NOPROXY, "");
	SETOPT(c, CURLOPT_CONNECTTIMEOUT, (long)o->connect_timeout);
	SETOPT(c, CURLOPT_TIMEOUT, (long)o->timeout);
	SETOPT(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
	SETOPT(c, CURLOPT_NOSIGNAL, 1L);
	SETOPT(c, CURLOPT_HTTPHEADER, headers);
	SETOPT(c, CURLOPT_USERAGENT, "nexusbg/" NBG_VERSION);
	SETOPT(c, CURLOPT_WRITEFUNCTION, write_cb);
	SETOPT(c, CURLOPT_WRITEDATA, b);
	SETOPT(c, CURLOPT_ERRORBUFFER, errbuf);
	return 0;
}

static enum nbg_fetch_status classify_curl(CURLcode cr)
{
	switch (cr) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return NBG_FETCH_ERR_CONNECT;
	case CURLE_PARTIAL_FILE:
		return NBG_FETCH_ERR_TRUNCATED;
	case CURLE_FILESIZE_EXCEEDED:
		return NBG_FETCH_ERR_TOO_LARGE;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_USE_SSL_FAILED:
		return NBG_FETCH_ERR_TLS;
	default:
		return NBG_FETCH_ERR_LOCAL;
	}
}

static void copy_etag(CURL *c, struct nbg_fetch_result *res)
{
	struct curl_header *h = NULL;

	res->etag[0] = '\0';
	if (curl_easy_header(c, "ETag", 0, CURLH_HEADER, -1, &h) == CURLHE_OK &&
	    h != NULL && h->value != NULL && nbg_fetch_etag_valid(h->value))
		snprintf(res->etag, sizeof(res->etag), "%s", h->value);
}

/* The outcome of a transfer that completed at the HTTP level. */
static enum nbg_fetch_status check_response(CURL *c, const struct body *b,
    struct nbg_fetch_result *res)
{
	curl_off_t cl = -1;

	(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->http_status);
	if (res->http_status == 304) {
		copy_etag(c, res);
		return NBG_FETCH_NOT_MODIFIED;
	}
	if (res->http_status != 200) {
		fetch_err(res->err, "HTTP status %ld%s", res->http_status,
		    res->http_status >= 300 && res->http_status < 400 ?
		    " (redirects are not followed: set sync_url to the final location)" : "");
		return NBG_FETCH_ERR_HTTP;
	}
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK &&
	    cl >= 0 && (uint64_t)cl != (uint64_t)b->len) {
		fetch_err(res->err, "body truncated: %zu of %jd bytes", b->len, (intmax_t)cl);
		return NBG_FETCH_ERR_TRUNCATED;
	}
	copy_etag(c, res);
	return NBG_FETCH_OK;
}

static enum nbg_fetch_status attempt(CURL *c, struct body *b, const char *errbuf,
    struct nbg_fetch_result *res)
{
	CURLcode cr;

	res->http_status = 0;
	res->err[0] = '\0';
	cr = curl_easy_perform(c);
	if (cr == CURLE_OK)
		return check_response(c, b, res);
	(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->http_status);
	if (b->too_large || cr == CURLE_FILESIZE_EXCEEDED) {
		fetch_err(res->err, "body larger than sync_max_bytes (%ju bytes)",
		    (uintmax_t)b->max);
		return NBG_FETCH_ERR_TOO_LARGE;
	}
	if (b->write_errno != 0) {
		fetch_err(res->err, "writing the body to a temporary file: %s",
		    strerror(b->write_errno));
		return NBG_FETCH_ERR_LOCAL;
	}
	fetch_err(res->err, "%s (curl error %d)",
	    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cr), (int)cr);
	return classify_curl(cr);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static uint32_t jitter(void)
{
	uint32_t v;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = UINT32_MAX / 2;
	return v;
}

int nbg_fetch(const struct nbg_fetch_opts *o, struct nbg_fetch_result *res)
{
	char errbuf[CURL_ERROR_SIZE];
	struct curl_slist *headers = NULL;
	struct body b = { 0 };
	CURL *c = NULL;
	enum nbg_fetch_status st = NBG_FETCH_ERR_LOCAL;
	long delay;

	memset(res, 0, sizeof(*res));
	errbuf[0] = '\0';
	b.fd = o->body_fd;
	b.max = o->max_bytes;
	if (o->url == NULL || o->body_fd < 0 || o->max_bytes == 0 || o->max_bytes >= SIZE_MAX ||
	    o->connect_timeout <= 0 || o->timeout <= 0) {
		fetch_err(res->err, "incomplete sync settings (url, timeouts, size limit)");
		goto out;
	}
	if ((c = curl_easy_init()) == NULL) {
		fetch_err(res->err, "curl_easy_init failed");
		goto out;
	}
	if (build_headers(o, &headers) != 0) {
		fetch_err(res->err, "out of memory for the request headers");
		goto out;
	}
	if (set_options(c, o, headers, &b, errbuf, res->err) != 0)
		goto out;
	for (unsigned i = 0;; i++) {
		if (body_reset(&b) != 0) {
			fetch_err(res->err, "emptying the temporary file for the body: %s",
			    strerror(b.write_errno));
			st = NBG_FETCH_ERR_LOCAL;
			goto out;
		}
		errbuf[0] = '\0';
		st = attempt(c, &b, errbuf, res);
		res->attempts = i + 1;
		if (st == NBG_FETCH_OK || st == NBG_FETCH_NOT_MODIFIED || i >= o->retries ||
		    !nbg_fetch_retryable(st, res->http_status))
			break;
		delay = nbg_fetch_backoff_ms(o->retry_delay, i, jitter());
		if (o->on_retry != NULL)
			o->on_retry(o->cb_arg, i + 1, delay, res->err);
		sleep_ms(delay);
	}
	if (st == NBG_FETCH_OK)
		res->len = b.len;
out:
	res->status = st;
	if (c != NULL)
		curl_easy_cleanup(c);
	free_headers(headers);
	return st == NBG_FETCH_OK || st == NBG_FETCH_NOT_MODIFIED ? 0 : -1;
}

int nbg_fetch_read_token(const char *path, char **token, char err[NBG_FETCH_ERR_LEN])
{
	char cferr[NBG_CF_ERR_LEN], *buf = NULL;
	size_t len = 0, size = 0;
	int r = -1;

	*token = NULL;
	if (nbg_cf_read(path, NBG_TOKEN_MAX + 2, NBG_CF_READ_SECRET, &buf, &len, cferr) !=
	    NBG_CF_OK) {
		fetch_err(err, "bearer token file refused: %s", cferr);
		goto out;
	}
	size = len + 1;
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	if (len == 0 || len > NBG_TOKEN_MAX) {
		fetch_err(err, "bearer token file %s: the token must be 1..%d characters", path,
		    NBG_TOKEN_MAX);
		goto out;
	}
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)buf[i] < 0x21 || (unsigned char)buf[i] > 0x7e) {
			fetch_err(err, "bearer token file %s: byte %zu is not a visible ASCII "
			    "character (only one trailing newline is allowed)", path, i);
			goto out;
		}
	}
	*token = buf;
	buf = NULL;
	r = 0;
out:
	nbg_cf_free_secret(buf, size);
	return r;
}

void nbg_fetch_token_free(char *token)
{
	if (token != NULL)
		nbg_cf_free_secret(token, strlen(token) + 1);
}
