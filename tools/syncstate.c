/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * syncstate.c - the sync state file: a small JSON object, read bounded and
 * checked member by member, written atomically.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cachefile.h"
#include "syncstate.h"

#define STATE_MAX_DEPTH	4

static const char *const sync_results[] = {
	[NBG_SYNC_NEVER] = "never",
	[NBG_SYNC_UPDATED] = "updated",
	[NBG_SYNC_UNCHANGED] = "unchanged",
	[NBG_SYNC_FAILED] = "failed",
};

static const char *const accounts_results[] = {
	[NBG_ACCOUNTS_OFF] = "off",
	[NBG_ACCOUNTS_WRITTEN] = "written",
	[NBG_ACCOUNTS_CURRENT] = "current",
	[NBG_ACCOUNTS_FAILED] = "failed",
};

int nbg_state_dir(const struct nbg_policy *p, char *out, size_t len)
{
	char base[NAME_MAX + 1];
	int n;

	if (p->sync.cache_dir != NULL) {
		n = snprintf(out, len, "%s", p->sync.cache_dir);
		return n < 0 || (size_t)n >= len ? -1 : 0;
	}
	return nbg_cf_split(p->role_table, out, len, base, sizeof(base)) == NBG_CF_OK ? 0 : -1;
}

int nbg_state_path(const struct nbg_policy *p, char *out, size_t len)
{
	char dir[PATH_MAX];
	int n;

	if (nbg_state_dir(p, dir, sizeof(dir)) != 0)
		return -1;
	n = snprintf(out, len, "%s/%s", dir, NBG_STATE_NAME);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

const char *nbg_sync_result_str(enum nbg_sync_result r)
{
	return (size_t)r < sizeof(sync_results) / sizeof(sync_results[0]) ?
	    sync_results[r] : "failed";
}

const char *nbg_accounts_result_str(enum nbg_accounts_result r)
{
	return (size_t)r < sizeof(accounts_results) / sizeof(accounts_results[0]) ?
	    accounts_results[r] : "failed";
}

void nbg_state_hex(const uint8_t digest[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < 32; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0xf];
	}
	out[64] = '\0';
}

/* Control characters never reach a terminal or a log from here. */
static void printable(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void nbg_state_set_error(struct nbg_sync_state *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->last_error, sizeof(st->last_error), fmt, ap);
	va_end(ap);
	printable(st->last_error);
}

void nbg_state_add_note(struct nbg_sync_state *st, const char *fmt, ...)
{
	va_list ap;

	if (st->nnotes < NBG_STATE_MAX_NOTES) {
		va_start(ap, fmt);
		vsnprintf(st->notes[st->nnotes], NBG_STATE_MSG_LEN, fmt, ap);
		va_end(ap);
		printable(st->notes[st->nnotes]);
	}
	if (st->nnotes < UINT32_MAX)
		st->nnotes++;
}

static struct json_object *time_json(int64_t t)
{
	char buf[32];
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return NULL;	/* json-c writes null */
	return json_object_new_string(buf);
}

static int time_parse(const char *s, int64_t *out)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	*out = (int64_t)timegm(&tm);
	return *out > 0 ? 0 : -1;
}

struct json_object *nbg_state_to_json(const struct nbg_sync_state *st)
{
	struct json_object *o, *a, *notes;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "format_version", json_object_new_int(NBG_STATE_VERSION));
	json_object_object_add(o, "last_attempt", time_json(st->last_attempt));
	json_object_object_add(o, "last_success", time_json(st->last_success));
	json_object_object_add(o, "last_result",
	    json_object_new_string(nbg_sync_result_str(st->last_result)));
	json_object_object_add(o, "last_error", json_object_new_string(st->last_error));
	json_object_object_add(o, "etag", json_object_new_string(st->etag));
	json_object_object_add(o, "serial", json_object_new_uint64(st->serial));
	json_object_object_add(o, "fabric", json_object_new_string(st->fabric));
	json_object_object_add(o, "document_sha256", json_object_new_string(st->sha256));
	json_object_object_add(o, "url", json_object_new_string(st->url));
	a = json_object_new_object();
	notes = json_object_new_array();
	if (a == NULL || notes == NULL) {
		json_object_put(a);
		json_object_put(notes);
		json_object_put(o);
		return NULL;
	}
	json_object_object_add(a, "result",
	    json_object_new_string(nbg_accounts_result_str(st->accounts)));
	json_object_object_add(a, "users", json_object_new_int64(st->accounts_users));
	json_object_object_add(a, "skipped", json_object_new_int64(st->accounts_skipped));
	json_object_object_add(a, "next_uid", json_object_new_int64(st->accounts_next_uid));
	json_object_object_add(a, "fingerprint",
	    json_object_new_string(st->accounts_fingerprint));
	json_object_object_add(a, "problems", json_object_new_int64(st->nnotes));
	for (uint32_t i = 0; i < st->nnotes && i < NBG_STATE_MAX_NOTES; i++)
		json_object_array_add(notes, json_object_new_string(st->notes[i]));
	json_object_object_add(a, "notes", notes);
	json_object_object_add(o, "accounts", a);
	return o;
}

int nbg_state_save(const char *path, const struct nbg_sync_state *st, char *err,
    size_t errlen)
{
	char cferr[NBG_CF_ERR_LEN], *text = NULL;
	struct json_object *o;
	const char *s;
	size_t len;
	int r = NBG_CF_ERR_SYSTEM;

	if ((o = nbg_state_to_json(st)) == NULL ||
	    (s = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)) == NULL) {
		snprintf(err, errlen, "%s: out of memory formatting the state", path);
		goto out;
	}
	len = strlen(s);
	if ((text = malloc(len + 2)) == NULL) {
		snprintf(err, errlen, "%s: out of memory formatting the state", path);
		goto out;
	}
	memcpy(text, s, len);
	text[len++] = '\n';
	if ((r = nbg_cf_replace(path, text, len, 0644, 0, cferr)) != NBG_CF_OK)
		snprintf(err, errlen, "%s", cferr);
out:
	free(text);
	json_object_put(o);
	return r;
}

/* Copy string member NAME into out (bounded); absent is fine. */
static int get_str(struct json_object *o, const char *name, char *out, size_t len)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, name, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	if ((size_t)json_object_get_string_len(v) >= len || strlen(s) !=
	    (size_t)json_object_get_string_len(v))
		return -1;
	memcpy(out, s, strlen(s) + 1);
	printable(out);
	return 0;
}

static int get_time(struct json_object *o, const char *name, int64_t *out)
{
	char buf[32] = "";

	if (get_str(o, name, buf, sizeof(buf)) != 0)
		return -1;
	return buf[0] == '\0' ? 0 : time_parse(buf, out);
}

static int get_uint(struct json_object *o, const char *name, uint64_t max, uint64_t *out)
{
	struct json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, name, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return -1;
	n = json_object_get_int64(v);
	if (n < 0 || (uint64_t)n > max)
		return -1;
	*out = (uint64_t)n;
	return 0;
}

static int get_enum(struct json_object *o, const char *name, const char *const *names,
    size_t n, int *out)
{
	char buf[32] = "";

	if (get_str(o, name, buf, sizeof(buf)) != 0)
		return -1;
	if (buf[0] == '\0')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(buf, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return -1;
}

static int parse_accounts(struct json_object *o, struct nbg_sync_state *st)
{
	struct json_object *a, *notes;
	uint64_t users = 0, skipped = 0, problems = 0, next_uid = 0;
	int res = NBG_ACCOUNTS_OFF;
	size_t n;

	if (!json_object_object_get_ex(o, "accounts", &a))
		return 0;
	if (!json_object_is_type(a, json_type_object) ||
	    get_enum(a, "result", accounts_results, 4, &res) != 0 ||
	    get_uint(a, "users", UINT32_MAX, &users) != 0 ||
	    get_uint(a, "skipped", UINT32_MAX, &skipped) != 0 ||
	    get_uint(a, "next_uid", UINT32_MAX, &next_uid) != 0 ||
	    get_uint(a, "problems", UINT32_MAX, &problems) != 0 ||
	    get_str(a, "fingerprint", st->accounts_fingerprint,
	    sizeof(st->accounts_fingerprint)) != 0)
		return -1;
	st->accounts = (enum nbg_accounts_result)res;
	st->accounts_users = (uint32_t)users;
	st->accounts_skipped = (uint32_t)skipped;
	st->accounts_next_uid = (uint32_t)next_uid;
	st->nnotes = (uint32_t)problems;
	if (!json_object_object_get_ex(a, "notes", &notes))
		return 0;
	if (!json_object_is_type(notes, json_type_array))
		return -1;
	n = json_object_array_length(notes);
	for (size_t i = 0; i < n && i < NBG_STATE_MAX_NOTES; i++) {
		struct json_object *v = json_object_array_get_idx(notes, i);
		const char *s;

		if (!json_object_is_type(v, json_type_string))
			return -1;
		s = json_object_get_string(v);
		snprintf(st->notes[i], NBG_STATE_MSG_LEN, "%s", s);
		printable(st->notes[i]);
	}
	return 0;
}

static int parse_state(struct json_object *o, struct nbg_sync_state *st)
{
	uint64_t version = 0, serial = 0;
	int res = NBG_SYNC_NEVER;

	if (!json_object_is_type(o, json_type_object) ||
	    get_uint(o, "format_version", UINT32_MAX, &version) != 0 ||
	    version != NBG_STATE_VERSION)
		return -1;
	if (get_time(o, "last_attempt", &st->last_attempt) != 0 ||
	    get_time(o, "last_success", &st->last_success) != 0 ||
	    get_enum(o, "last_result", sync_results, 4, &res) != 0 ||
	    get_str(o, "last_error", st->last_error, sizeof(st->last_error)) != 0 ||
	    get_str(o, "etag", st->etag, sizeof(st->etag)) != 0 ||
	    get_uint(o, "serial", UINT64_MAX >> 1, &serial) != 0 ||
	    get_str(o, "fabric", st->fabric, sizeof(st->fabric)) != 0 ||
	    get_str(o, "document_sha256", st->sha256, sizeof(st->sha256)) != 0 ||
	    get_str(o, "url", st->url, sizeof(st->url)) != 0 ||
	    parse_accounts(o, st) != 0)
		return -1;
	st->last_result = (enum nbg_sync_result)res;
	st->serial = serial;
	if (st->etag[0] != '\0' && !nbg_fetch_etag_valid(st->etag))
		st->etag[0] = '\0';
	return 0;
}

int nbg_state_load(const char *path, struct nbg_sync_state *st, char *err, size_t errlen)
{
	char cferr[NBG_CF_ERR_LEN], *buf = NULL;
	struct json_tokener *tok = NULL;
	struct json_object *o = NULL;
	size_t len = 0;
	int r;

	memset(st, 0, sizeof(*st));
	r = nbg_cf_read(path, NBG_STATE_MAX_BYTES, NBG_CF_READ_ROOT, &buf, &len, cferr);
	if (r != NBG_CF_OK) {
		snprintf(err, errlen, "%s", cferr);
		goto out;
	}
	r = NBG_STATE_ERR_INVALID;
	if ((tok = json_tokener_new_ex(STATE_MAX_DEPTH)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	o = json_tokener_parse_ex(tok, buf, (int)len);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    strspn(buf + json_tokener_get_parse_end(tok), " \t\r\n") !=
	    len - json_tokener_get_parse_end(tok)) {
		snprintf(err, errlen, "%s: not a JSON object", path);
		goto out;
	}
	if (parse_state(o, st) != 0) {
		memset(st, 0, sizeof(*st));
		snprintf(err, errlen, "%s: not a nexusbg sync state (format_version %d)", path,
		    NBG_STATE_VERSION);
		goto out;
	}
	r = NBG_CF_OK;
out:
	json_object_put(o);
	if (tok != NULL)
		json_tokener_free(tok);
	free(buf);
	return r;
}
