/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_sync_units.c - the pieces of `nexusbg sync`, table-driven: backoff,
 * retry classes, ETags, the bearer token file, atomic replacement and its
 * permission rules, the state file, and the accounts (extrausers files and
 * the accounts database).
 * Runs as root (files must be root-owned; some cases chown to nobody).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/accounts.h"
#include "tools/accounts_db.h"
#include "policy/acctdb.h"
#include "tools/cachefile.h"
#include "tools/fetch.h"
#include "tools/syncstate.h"

#define NOBODY	65534

static char tmpdir[PATH_MAX];

static void fmt(char *buf, size_t len, const char *f, ...) __attribute__((format(printf, 3, 4)));

/* snprintf for paths; a path the test cannot build fails the test */
static void fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, len, f, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < len);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	(void)state;
	fmt(tmpdir, sizeof(tmpdir), "/tmp/nbg-sync-unit.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return chmod(tmpdir, 0755);
}

static int teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *path_of(char *buf, size_t len, const char *name)
{
	fmt(buf, len, "%s/%s", tmpdir, name);
	return buf;
}

static void write_file(const char *path, const char *content, mode_t mode, uid_t uid)
{
	FILE *f;

	(void)unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, strlen(content), f), strlen(content));
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	assert_int_equal(chown(path, uid, 0), 0);
}

static char *slurp(const char *path)
{
	char err[NBG_CF_ERR_LEN], *buf = NULL;
	size_t len;

	if (nbg_cf_read(path, 1 << 20, 0, &buf, &len, err) != NBG_CF_OK)
		return NULL;
	return buf;
}

/* --- fetch: backoff, retry classes, ETags ---------------------------------- */

static void test_backoff(void **state)
{
	static const struct {
		int64_t base;
		unsigned retry;
		uint32_t rnd;
		long want;
	} cases[] = {
		{ 1, 0, 0, 500 },		/* half of 1 s fixed */
		{ 1, 0, UINT32_MAX, 999 },	/* plus up to the other half */
		{ 1, 0, 1u << 31, 750 },
		{ 1, 1, 0, 1000 },		/* doubles */
		{ 1, 2, 0, 2000 },
		{ 1, 4, 0, 8000 },
		{ 1, 4, UINT32_MAX, 15999 },
		{ 1, 5, 0, 15000 },		/* 32 s capped at 30 s */
		{ 1, 5, UINT32_MAX, 29999 },
		{ 1, 200, 0, 15000 },		/* no overflow, still the cap */
		{ 3, 1, 0, 3000 },
		{ 60, 0, 0, 15000 },		/* a base above the cap */
		{ 0, 0, 0, 500 },		/* nonsense base: 1 s */
		{ -5, 2, 0, 2000 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long got = nbg_fetch_backoff_ms(cases[i].base, cases[i].retry, cases[i].rnd);

		if (got != cases[i].want)
			fail_msg("case %zu: base %jd retry %u rnd %u: got %ld ms, want %ld", i,
			    (intmax_t)cases[i].base, cases[i].retry, cases[i].rnd, got,
			    cases[i].want);
	}
}

static void test_retryable(void **state)
{
	static const struct {
		enum nbg_fetch_status s;
		long http;
		bool want;
	} cases[] = {
		{ NBG_FETCH_ERR_CONNECT, 0, true },
		{ NBG_FETCH_ERR_TRUNCATED, 200, true },
		{ NBG_FETCH_ERR_HTTP, 500, true },
		{ NBG_FETCH_ERR_HTTP, 503, true },
		{ NBG_FETCH_ERR_HTTP, 599, true },
		{ NBG_FETCH_ERR_HTTP, 404, false },
		{ NBG_FETCH_ERR_HTTP, 401, false },
		{ NBG_FETCH_ERR_HTTP, 429, false },
		{ NBG_FETCH_ERR_HTTP, 302, false },
		{ NBG_FETCH_ERR_HTTP, 600, false },
		{ NBG_FETCH_ERR_TLS, 0, false },
		{ NBG_FETCH_ERR_TOO_LARGE, 200, false },
		{ NBG_FETCH_ERR_LOCAL, 0, false },
		{ NBG_FETCH_OK, 200, false },
		{ NBG_FETCH_NOT_MODIFIED, 304, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (nbg_fetch_retryable(cases[i].s, cases[i].http) != cases[i].want)
			fail_msg("case %zu: %s/%ld should%s be retried", i,
			    nbg_fetch_status_str(cases[i].s), cases[i].http,
			    cases[i].want ? "" : " not");
}

static void test_etag_valid(void **state)
{
	char long_ok[NBG_ETAG_MAX + 1], too_long[NBG_ETAG_MAX + 2];
	const struct {
		const char *s;
		bool want;
	} cases[] = {
		{ "\"abc\"", true },
		{ "W/\"67ab43\"", true },
		{ "x", true },
		{ "", false },
		{ "\"a b\"", false },
		{ "\"abc\"\r\nX-Injected: 1", false },
		{ "\"a\tb\"", false },
		{ "\"\x7f\"", false },
		{ "\"\xc3\xa9\"", false },
		{ long_ok, true },
		{ too_long, false },
	};

	(void)state;
	memset(long_ok, 'e', NBG_ETAG_MAX);
	long_ok[NBG_ETAG_MAX] = '\0';
	memset(too_long, 'e', NBG_ETAG_MAX + 1);
	too_long[NBG_ETAG_MAX + 1] = '\0';
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (nbg_fetch_etag_valid(cases[i].s) != cases[i].want)
			fail_msg("case %zu: ETag of %zu bytes should be %s", i,
			    strlen(cases[i].s), cases[i].want ? "valid" : "refused");
}

/* --- the bearer token file -------------------------------------------------- */

static void test_token_file(void **state)
{
	static char max_token[NBG_TOKEN_MAX + 2], over_token[NBG_TOKEN_MAX + 2];
	const struct {
		const char *content;
		mode_t mode;
		uid_t uid;
		bool symlink;
		const char *want;	/* NULL: refused */
	} cases[] = {
		{ "tok-123\n", 0600, 0, false, "tok-123" },
		{ "tok-123", 0600, 0, false, "tok-123" },
		{ "tok-123\r\n", 0600, 0, false, "tok-123" },
		{ "tok-123", 0400, 0, false, "tok-123" },
		{ "a.b-c_d~e+f/g=", 0600, 0, false, "a.b-c_d~e+f/g=" },
		{ "tok-123\n\n", 0600, 0, false, NULL },	/* only one newline goes */
		{ "tok 123\n", 0600, 0, false, NULL },
		{ "tok\x01", 0600, 0, false, NULL },
		{ "\n", 0600, 0, false, NULL },
		{ "", 0600, 0, false, NULL },
		{ "tok-123\n", 0640, 0, false, NULL },		/* group may read */
		{ "tok-123\n", 0604, 0, false, NULL },		/* others may read */
		{ "tok-123\n", 0610, 0, false, NULL },
		{ "tok-123\n", 0600, NOBODY, false, NULL },	/* not root's */
		{ "tok-123\n", 0600, 0, true, NULL },		/* a symlink */
		{ max_token, 0600, 0, false, max_token },
		{ over_token, 0600, 0, false, NULL },
	};
	char path[PATH_MAX], target[PATH_MAX], err[NBG_FETCH_ERR_LEN], *tok;

	(void)state;
	memset(max_token, 'k', NBG_TOKEN_MAX);
	memset(over_token, 'k', NBG_TOKEN_MAX + 1);
	path_of(path, sizeof(path), "token");
	path_of(target, sizeof(target), "token.target");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		(void)unlink(path);
		if (cases[i].symlink) {
			write_file(target, cases[i].content, cases[i].mode, cases[i].uid);
			assert_int_equal(symlink(target, path), 0);
		} else {
			write_file(path, cases[i].content, cases[i].mode, cases[i].uid);
		}
		tok = NULL;
		if (nbg_fetch_read_token(path, &tok, err) == 0) {
			if (cases[i].want == NULL || strcmp(tok, cases[i].want) != 0)
				fail_msg("case %zu: token accepted, should be %s", i,
				    cases[i].want == NULL ? "refused" : "different");
		} else if (cases[i].want != NULL) {
			fail_msg("case %zu: token refused: %s", i, err);
		} else if (strstr(err, "tok-123") != NULL) {
			fail_msg("case %zu: the message shows the token: %s", i, err);
		}
		nbg_fetch_token_free(tok);
	}
}

/* --- cachefile ---------------------------------------------------------------- */

enum fixture { FX_NONE, FX_DIR, FX_FILE, FX_SYMLINK_DIR };

static void make_fixture(const char *path, enum fixture fx, mode_t mode, uid_t uid)
{
	char target[PATH_MAX];

	switch (fx) {
	case FX_NONE:
		break;
	case FX_DIR:
		assert_int_equal(mkdir(path, mode), 0);
		assert_int_equal(chmod(path, mode), 0);
		assert_int_equal(chown(path, uid, 0), 0);
		break;
	case FX_FILE:
		write_file(path, "x", mode, uid);
		break;
	case FX_SYMLINK_DIR:
		fmt(target, sizeof(target), "%s.real", path);
		assert_int_equal(mkdir(target, 0755), 0);
		assert_int_equal(symlink(target, path), 0);
		break;
	}
}

static void test_dir_prepare(void **state)
{
	static const struct {
		const char *name;
		enum fixture fx;
		mode_t mode;
		uid_t uid;
		bool create;
		int want;
	} cases[] = {
		{ "d-ok", FX_DIR, 0755, 0, false, NBG_CF_OK },
		{ "d-0700", FX_DIR, 0700, 0, false, NBG_CF_OK },
		{ "d-gw", FX_DIR, 0775, 0, false, NBG_CF_ERR_INSECURE },
		{ "d-ow", FX_DIR, 0757, 0, false, NBG_CF_ERR_INSECURE },
		{ "d-sticky-ow", FX_DIR, 01777, 0, false, NBG_CF_ERR_INSECURE },
		{ "d-nobody", FX_DIR, 0755, NOBODY, false, NBG_CF_ERR_INSECURE },
		{ "d-link", FX_SYMLINK_DIR, 0, 0, true, NBG_CF_ERR_INSECURE },
		{ "d-file", FX_FILE, 0644, 0, true, NBG_CF_ERR_INSECURE },
		{ "d-missing", FX_NONE, 0, 0, false, NBG_CF_ERR_NOT_FOUND },
		{ "d-create", FX_NONE, 0, 0, true, NBG_CF_OK },
		{ "d-create-deep/a/b", FX_NONE, 0, 0, true, NBG_CF_OK },
	};
	char path[PATH_MAX], err[NBG_CF_ERR_LEN];
	struct stat st;
	mode_t old = umask(077);	/* creation must not depend on the umask */

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;

		path_of(path, sizeof(path), cases[i].name);
		make_fixture(path, cases[i].fx, cases[i].mode, cases[i].uid);
		r = nbg_cf_dir_prepare(path, cases[i].create, err);
		if (r != cases[i].want)
			fail_msg("case %s: got %d (%s), want %d", cases[i].name, r, err,
			    cases[i].want);
		if (r == NBG_CF_OK && cases[i].fx == FX_NONE &&
		    (stat(path, &st) != 0 || (st.st_mode & 07777) != 0755 || st.st_uid != 0))
			fail_msg("case %s: created directory is not root 0755", cases[i].name);
	}
	umask(old);
}

static void test_file_check_and_read(void **state)
{
	static const struct {
		const char *name;
		const char *content;
		mode_t mode;
		uid_t uid;
		unsigned flags;
		size_t max;
		int want_check, want_read;
	} cases[] = {
		{ "f-ok", "data", 0644, 0, NBG_CF_READ_ROOT, 16, NBG_CF_OK, NBG_CF_OK },
		{ "f-gw", "data", 0664, 0, NBG_CF_READ_ROOT, 16, NBG_CF_ERR_INSECURE,
		    NBG_CF_ERR_INSECURE },
		{ "f-ow", "data", 0646, 0, NBG_CF_READ_ROOT, 16, NBG_CF_ERR_INSECURE,
		    NBG_CF_ERR_INSECURE },
		{ "f-nobody", "data", 0644, NOBODY, NBG_CF_READ_ROOT, 16, NBG_CF_ERR_INSECURE,
		    NBG_CF_ERR_INSECURE },
		{ "f-nobody-nocheck", "data", 0644, NOBODY, 0, 16, NBG_CF_ERR_INSECURE,
		    NBG_CF_OK },
		{ "f-secret-ok", "data", 0600, 0, NBG_CF_READ_SECRET, 16, NBG_CF_OK, NBG_CF_OK },
		{ "f-secret-gr", "data", 0640, 0, NBG_CF_READ_SECRET, 16, NBG_CF_OK,
		    NBG_CF_ERR_INSECURE },
		{ "f-at-limit", "0123456789", 0644, 0, 0, 10, NBG_CF_OK, NBG_CF_OK },
		{ "f-over-limit", "0123456789A", 0644, 0, 0, 10, NBG_CF_OK,
		    NBG_CF_ERR_TOO_LARGE },
		{ "f-empty", "", 0644, 0, NBG_CF_READ_ROOT, 10, NBG_CF_OK, NBG_CF_OK },
	};
	char path[PATH_MAX], link[PATH_MAX], err[NBG_CF_ERR_LEN], *buf;
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;

		path_of(path, sizeof(path), cases[i].name);
		write_file(path, cases[i].content, cases[i].mode, cases[i].uid);
		if ((r = nbg_cf_file_check(path, err)) != cases[i].want_check)
			fail_msg("case %s: check gave %d, want %d", cases[i].name, r,
			    cases[i].want_check);
		buf = NULL;
		r = nbg_cf_read(path, cases[i].max, cases[i].flags, &buf, &len, err);
		if (r != cases[i].want_read)
			fail_msg("case %s: read gave %d (%s), want %d", cases[i].name, r, err,
			    cases[i].want_read);
		if (r == NBG_CF_OK && (len != strlen(cases[i].content) ||
		    memcmp(buf, cases[i].content, len) != 0 || buf[len] != '\0'))
			fail_msg("case %s: read back different bytes", cases[i].name);
		if (r != NBG_CF_OK && buf != NULL)
			fail_msg("case %s: a buffer was returned on error", cases[i].name);
		free(buf);
	}
	/* symlinks and missing files */
	path_of(path, sizeof(path), "f-ok");
	path_of(link, sizeof(link), "f-link");
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(nbg_cf_file_check(link, err), NBG_CF_ERR_INSECURE);
	assert_int_equal(nbg_cf_read(link, 16, 0, &buf, &len, err), NBG_CF_ERR_INSECURE);
	path_of(path, sizeof(path), "f-none");
	assert_int_equal(nbg_cf_file_check(path, err), NBG_CF_ERR_NOT_FOUND);
	assert_int_equal(nbg_cf_read(path, 16, 0, &buf, &len, err), NBG_CF_ERR_NOT_FOUND);
}

static void test_replace(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX], prev[PATH_MAX], err[NBG_CF_ERR_LEN], *s;
	struct stat st, st_old;
	mode_t old = umask(077);

	(void)state;
	path_of(dir, sizeof(dir), "r");
	assert_int_equal(nbg_cf_dir_prepare(dir, true, err), NBG_CF_OK);
	fmt(path, sizeof(path), "%s/roles.db", dir);
	fmt(prev, sizeof(prev), "%s/roles.db.prev", dir);

	/* first write: no previous copy to keep */
	assert_int_equal(nbg_cf_replace(path, "one", 3, 0644, NBG_CF_KEEP_PREV, err), NBG_CF_OK);
	assert_non_null(s = slurp(path));
	assert_string_equal(s, "one");
	free(s);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);	/* the umask does not matter */
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(access(prev, F_OK), -1);

	/* second write keeps the first as .prev: the very same inode */
	st_old = st;
	assert_int_equal(nbg_cf_replace(path, "two", 3, 0644, NBG_CF_KEEP_PREV, err), NBG_CF_OK);
	assert_non_null(s = slurp(path));
	assert_string_equal(s, "two");
	free(s);
	assert_non_null(s = slurp(prev));
	assert_string_equal(s, "one");
	free(s);
	assert_int_equal(stat(prev, &st), 0);
	assert_int_equal(st.st_ino, st_old.st_ino);

	/* without the flag .prev is left alone; other modes are honoured */
	assert_int_equal(nbg_cf_replace(path, "", 0, 0600, 0, err), NBG_CF_OK);
	assert_non_null(s = slurp(path));
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_non_null(s = slurp(prev));
	assert_string_equal(s, "one");
	free(s);

	/* a failure leaves nothing behind and the file untouched */
	fmt(path, sizeof(path), "%s/missing-dir/roles.db", dir);
	assert_int_not_equal(nbg_cf_replace(path, "x", 1, 0644, 0, err), NBG_CF_OK);
	assert_non_null(strstr(err, "missing-dir"));
	assert_int_equal(nbg_cf_replace("", "x", 1, 0644, 0, err), NBG_CF_ERR_ARGUMENT);
	assert_int_equal(nbg_cf_replace("/tmp/", "x", 1, 0644, 0, err), NBG_CF_ERR_ARGUMENT);
	umask(old);
}

static void test_clean_stale(void **state)
{
	static const struct {
		const char *name;
		bool removed;
	} files[] = {
		{ ".roles.db.tmp.AbC123xyZ789", true },
		{ ".roles.db.tmp.prev", true },
		{ ".roles.db.tmp.", true },
		{ "roles.db", false },
		{ "roles.db.prev", false },
		{ "roles.db.tmp.x", false },
		{ ".roles.dbx.tmp.x", false },
		{ ".other.tmp.x", false },
		{ ".roles.db.tm", false },
	};
	char dir[PATH_MAX], path[PATH_MAX], err[NBG_CF_ERR_LEN];
	unsigned removed = 99;

	(void)state;
	path_of(dir, sizeof(dir), "stale");
	assert_int_equal(mkdir(dir, 0755), 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		fmt(path, sizeof(path), "%s/%s", dir, files[i].name);
		write_file(path, "x", 0644, 0);
	}
	fmt(path, sizeof(path), "%s/roles.db", dir);
	assert_int_equal(nbg_cf_clean_stale(path, &removed, err), NBG_CF_OK);
	assert_int_equal(removed, 3);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		fmt(path, sizeof(path), "%s/%s", dir, files[i].name);
		if ((access(path, F_OK) != 0) != files[i].removed)
			fail_msg("%s should %sbe removed", files[i].name,
			    files[i].removed ? "" : "not ");
	}
}

static void test_lock_and_touch(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX], err[NBG_CF_ERR_LEN];
	struct stat st;
	int fd1 = -1, fd2 = -1;

	(void)state;
	path_of(dir, sizeof(dir), "lock");
	assert_int_equal(nbg_cf_dir_prepare(dir, true, err), NBG_CF_OK);
	assert_int_equal(nbg_cf_lock(dir, &fd1, err), NBG_CF_OK);
	assert_int_equal(nbg_cf_lock(dir, &fd2, err), NBG_CF_ERR_BUSY);
	assert_int_equal(fd2, -1);
	assert_non_null(strstr(err, "another nexusbg sync is running"));
	nbg_cf_unlock(fd1);
	assert_int_equal(nbg_cf_lock(dir, &fd2, err), NBG_CF_OK);
	nbg_cf_unlock(fd2);

	fmt(path, sizeof(path), "%s/file", dir);
	write_file(path, "x", 0644, 0);
	{
		struct timespec old[2] = { { 1000000, 0 }, { 1000000, 0 } };

		assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
	}
	assert_int_equal(nbg_cf_touch(path, err), NBG_CF_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_mtime > time(NULL) - 60);
	fmt(path, sizeof(path), "%s/none", dir);
	assert_int_equal(nbg_cf_touch(path, err), NBG_CF_ERR_SYSTEM);
}

/* --- the state file ---------------------------------------------------------- */

static void test_state_roundtrip(void **state)
{
	struct nbg_sync_state a, b;
	char path[PATH_MAX], err[256];

	(void)state;
	memset(&a, 0, sizeof(a));
	a.last_attempt = 1763720000;
	a.last_success = 1763710000;
	a.last_result = NBG_SYNC_FAILED;
	nbg_state_set_error(&a, "line one\nline two\x1b[31m");
	fmt(a.etag, sizeof(a.etag), "\"e-42\"");
	a.serial = 42;
	fmt(a.fabric, sizeof(a.fabric), "fab-example-01");
	memset(a.sha256, 'a', 64);
	fmt(a.url, sizeof(a.url), "https://cp.example/v1/roles.json");
	a.accounts = NBG_ACCOUNTS_WRITTEN;
	a.accounts_users = 7;
	a.accounts_skipped = 2;
	a.accounts_next_uid = 61009;
	for (int i = 0; i < NBG_STATE_MAX_NOTES + 3; i++)
		nbg_state_add_note(&a, "user%d: skipped", i);

	path_of(path, sizeof(path), "sync-state.json");
	assert_int_equal(nbg_state_save(path, &a, err, sizeof(err)), NBG_CF_OK);
	assert_int_equal(nbg_state_load(path, &b, err, sizeof(err)), NBG_CF_OK);
	assert_int_equal(b.last_attempt, a.last_attempt);
	assert_int_equal(b.last_success, a.last_success);
	assert_int_equal(b.last_result, NBG_SYNC_FAILED);
	assert_string_equal(b.last_error, "line one?line two?[31m");
	assert_string_equal(b.etag, "\"e-42\"");
	assert_int_equal(b.serial, 42);
	assert_string_equal(b.fabric, "fab-example-01");
	assert_string_equal(b.sha256, a.sha256);
	assert_string_equal(b.url, a.url);
	assert_int_equal(b.accounts, NBG_ACCOUNTS_WRITTEN);
	assert_int_equal(b.accounts_users, 7);
	assert_int_equal(b.accounts_skipped, 2);
	assert_int_equal(b.accounts_next_uid, 61009);
	assert_int_equal(b.nnotes, NBG_STATE_MAX_NOTES + 3);
	assert_string_equal(b.notes[NBG_STATE_MAX_NOTES - 1], a.notes[NBG_STATE_MAX_NOTES - 1]);
}

static void test_state_invalid(void **state)
{
	static const struct {
		const char *content;
		mode_t mode;
		uid_t uid;
		int want;
	} cases[] = {
		{ "{\"format_version\":1}\n", 0644, 0, NBG_CF_OK },
		{ "not json", 0644, 0, NBG_STATE_ERR_INVALID },
		{ "[1,2]", 0644, 0, NBG_STATE_ERR_INVALID },
		{ "{}", 0644, 0, NBG_STATE_ERR_INVALID },
		{ "{\"format_version\":2}", 0644, 0, NBG_STATE_ERR_INVALID },
		{ "{\"format_version\":1} {}", 0644, 0, NBG_STATE_ERR_INVALID },
		{ "{\"format_version\":1,\"serial\":\"42\"}", 0644, 0, NBG_STATE_ERR_INVALID },
		{ "{\"format_version\":1,\"serial\":-1}", 0644, 0, NBG_STATE_ERR_INVALID },
		{ "{\"format_version\":1,\"last_attempt\":\"yesterday\"}", 0644, 0,
		    NBG_STATE_ERR_INVALID },
		{ "{\"format_version\":1,\"last_result\":\"maybe\"}", 0644, 0,
		    NBG_STATE_ERR_INVALID },
		{ "{\"format_version\":1,\"accounts\":[]}", 0644, 0, NBG_STATE_ERR_INVALID },
		{ "{\"format_version\":1,\"fabric\":\"a\\u0000b\"}", 0644, 0,
		    NBG_STATE_ERR_INVALID },
		{ "{\"format_version\":1,\"a\":{\"b\":{\"c\":{\"d\":{\"e\":1}}}}}", 0644, 0,
		    NBG_STATE_ERR_INVALID },
		{ "{\"format_version\":1}", 0666, 0, NBG_CF_ERR_INSECURE },
		{ "{\"format_version\":1}", 0644, NOBODY, NBG_CF_ERR_INSECURE },
	};
	struct nbg_sync_state st;
	char path[PATH_MAX], err[256];

	(void)state;
	path_of(path, sizeof(path), "state-case.json");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;

		write_file(path, cases[i].content, cases[i].mode, cases[i].uid);
		r = nbg_state_load(path, &st, err, sizeof(err));
		if (r != cases[i].want)
			fail_msg("case %zu (%s): got %d, want %d", i, cases[i].content, r,
			    cases[i].want);
		if (r != NBG_CF_OK && (st.serial != 0 || st.etag[0] != '\0'))
			fail_msg("case %zu: state not emptied on error", i);
	}
	/* an ETag that could not be sent back is dropped, the rest kept */
	write_file(path, "{\"format_version\":1,\"etag\":\"a b\",\"serial\":9}", 0644, 0);
	assert_int_equal(nbg_state_load(path, &st, err, sizeof(err)), NBG_CF_OK);
	assert_string_equal(st.etag, "");
	assert_int_equal(st.serial, 9);
	unlink(path);
	assert_int_equal(nbg_state_load(path, &st, err, sizeof(err)), NBG_CF_ERR_NOT_FOUND);
}

/* --- accounts ------------------------------------------------------------------ */

struct acct_case {
	const char *name;
	const char *local_passwd;	/* appended to root's line */
	const char *local_group;
	const char *prev;		/* previous extrausers passwd; NULL = none */
	const char *users[8];		/* logins; "login=Display" gives a display name */
	uint32_t uid_min, uid_max, gid, next_uid;
	int want_rc;
	const char *want_passwd;
	uint32_t want_skipped;
	const char *want_group;
};

static const struct acct_case acct_cases[] = {
	{ "fresh", "", "", NULL, { "alice", "bob" }, 61000, 61999, 61000, 0, NBG_CF_OK,
	    "alice:x:61000:61000::/home/alice:/bin/bash\n"
	    "bob:x:61001:61000::/home/bob:/bin/bash\n", 0,
	    "nexusbg:x:61000:alice,bob\n" },
	{ "local login is never shadowed", "bob:x:1001:1001::/home/bob:/bin/sh\n", "", NULL,
	    { "alice", "bob", "root" }, 61000, 61999, 61000, 0, NBG_CF_OK,
	    "alice:x:61000:61000::/home/alice:/bin/bash\n", 2, "nexusbg:x:61000:alice\n" },
	{ "local uid inside the range is skipped",
	    "svc:x:61000:61000::/:/bin/false\nsvc2:x:61002:61000::/:/bin/false\n", "", NULL,
	    { "alice", "bob" }, 61000, 61999, 61500, 0, NBG_CF_OK,
	    "alice:x:61001:61500::/home/alice:/bin/bash\n"
	    "bob:x:61003:61500::/home/bob:/bin/bash\n", 0, "nexusbg:x:61500:alice,bob\n" },
	{ "previous uids are kept", "", "",
	    "bob:x:61007:61000::/home/bob:/bin/bash\nalice:x:61003:61000::/home/alice:/bin/bash\n",
	    { "alice", "bob", "carol" }, 61000, 61999, 61000, 0, NBG_CF_OK,
	    "alice:x:61003:61000::/home/alice:/bin/bash\n"
	    "bob:x:61007:61000::/home/bob:/bin/bash\n"
	    "carol:x:61008:61000::/home/carol:/bin/bash\n", 0, NULL },
	{ "a previous uid outside the range is not kept", "", "",
	    "alice:x:5000:61000::/home/alice:/bin/bash\n", { "alice" }, 61000, 61999, 61000, 0,
	    NBG_CF_OK, "alice:x:61000:61000::/home/alice:/bin/bash\n", 0, NULL },
	{ "a previous uid now taken locally is not kept", "svc:x:61003:1::/:/bin/false\n", "",
	    "alice:x:61003:61000::/home/alice:/bin/bash\n", { "alice" }, 61000, 61999, 61000, 0,
	    NBG_CF_OK, "alice:x:61004:61000::/home/alice:/bin/bash\n", 0, NULL },
	{ "a uid claimed twice: the first login keeps it", "", "",
	    "bob:x:61004:61000::/home/bob:/bin/bash\nalice:x:61004:61000::/home/alice:/bin/bash\n",
	    { "alice", "bob" }, 61000, 61999, 61000, 0, NBG_CF_OK,
	    "alice:x:61004:61000::/home/alice:/bin/bash\n"
	    "bob:x:61005:61000::/home/bob:/bin/bash\n", 0, NULL },
	{ "new uids continue from next_uid", "", "", NULL, { "alice" }, 61000, 61999, 61000,
	    61100, NBG_CF_OK, "alice:x:61100:61000::/home/alice:/bin/bash\n", 0, NULL },
	{ "a full range wraps to freed uids, then skips", "", "",
	    "bob:x:61002:61000::/home/bob:/bin/bash\n", { "alice", "bob", "carol", "dave" },
	    61000, 61002, 61000, 0, NBG_CF_OK,
	    "alice:x:61000:61000::/home/alice:/bin/bash\n"
	    "bob:x:61002:61000::/home/bob:/bin/bash\n"
	    "carol:x:61001:61000::/home/carol:/bin/bash\n", 1, NULL },
	{ "display names cannot break the format",
	    "", "", NULL, { "alice=A:b,c\\d=e\tf", "bob=J\xc3\xbcrgen M\xc3\xbcller" },
	    61000, 61999, 61000, 0, NBG_CF_OK,
	    "alice:x:61000:61000:A_b_c_d_e_f:/home/alice:/bin/bash\n"
	    "bob:x:61001:61000:J\xc3\xbcrgen M\xc3\xbcller:/home/bob:/bin/bash\n", 0, NULL },
	{ "the gid of a local group is refused", "", "staff:x:61000:\n", NULL, { "alice" },
	    61000, 61999, 61000, 0, NBG_ACCOUNTS_ERR_CONFLICT, NULL, 0, NULL },
	{ "a local nexusbg group with another gid is refused", "", "nexusbg:x:1234:\n", NULL,
	    { "alice" }, 61000, 61999, 61000, 0, NBG_ACCOUNTS_ERR_CONFLICT, NULL, 0, NULL },
	{ "a local nexusbg group with the same gid is fine", "", "nexusbg:x:61000:\n", NULL,
	    { "alice" }, 61000, 61999, 61000, 0, NBG_CF_OK,
	    "alice:x:61000:61000::/home/alice:/bin/bash\n", 0, NULL },
	{ "no users: empty files", "", "", "alice:x:61000:61000::/home/alice:/bin/bash\n",
	    { NULL }, 61000, 61999, 61000, 0, NBG_CF_OK, "", 0, "nexusbg:x:61000:\n" },
};

/* The accounts database of O as passwd text and its group line (accounts nexusbg). */
static char *db_passwd(const struct nbg_accounts_opts *o, char group[64])
{
	struct nbg_acctdb db;
	char err[NBG_CF_ERR_LEN], *text;
	size_t len;

	if (nbg_acctdb_open(&db, o->db, NBG_ACCTDB_CHECK_PERMS, err) != NBG_ACCTDB_OK)
		fail_msg("%s does not open: %s", o->db, err);
	fmt(group, 64, "%s:x:%u:\n", nbg_acctdb_group_name(&db), nbg_acctdb_group_gid(&db));
	nbg_acctdb_close(&db);
	if (nbg_accounts_db_read(o, &text, &len, err) != NBG_CF_OK)
		fail_msg("%s does not read: %s", o->db, err);
	return text;
}

/*
 * One case, with the extrausers files or (DB) with the accounts database:
 * the same uids, refusals and passwd lines either way.  In the database
 * case the previous passwd is the extrausers file it starts from; a third
 * run then takes the uids from the database alone.
 */
static void run_acct_case(const struct acct_case *c, bool db)
{
	char lp[PATH_MAX], lg[PATH_MAX], xu[PATH_MAX], f[PATH_MAX], err[NBG_CF_ERR_LEN];
	char local[1024], group[1024], names[8][64], dbdir[PATH_MAX], dbpath[PATH_MAX];
	char dbgroup[64], *s, *eq;
	struct nbg_account_user users[8];
	struct nbg_accounts_opts o = { 0 };
	struct nbg_accounts_report rep;
	size_t n = 0;
	int r;

	path_of(lp, sizeof(lp), "passwd.local");
	path_of(lg, sizeof(lg), "group.local");
	path_of(xu, sizeof(xu), "xu");
	path_of(dbdir, sizeof(dbdir), "db");
	fmt(dbpath, sizeof(dbpath), "%s/accounts.db", dbdir);
	(void)nftw(dbdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	fmt(local, sizeof(local), "root:x:0:0:root:/root:/bin/bash\n%s", c->local_passwd);
	fmt(group, sizeof(group), "root:x:0:\nusers:x:100:\n%s", c->local_group);
	write_file(lp, local, 0644, 0);
	write_file(lg, group, 0644, 0);
	(void)nftw(xu, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	assert_int_equal(nbg_cf_dir_prepare(xu, true, err), NBG_CF_OK);
	fmt(f, sizeof(f), "%s/passwd", xu);
	if (c->prev != NULL)
		write_file(f, c->prev, 0644, 0);
	for (; n < 8 && c->users[n] != NULL; n++) {
		fmt(names[n], sizeof(names[n]), "%s", c->users[n]);
		eq = strchr(names[n], '=');
		if (eq != NULL)
			*eq++ = '\0';
		users[n].login = names[n];
		users[n].display_name = eq;
	}
	o.dir = xu;
	o.local_passwd = lp;
	o.local_group = lg;
	o.uid_min = c->uid_min;
	o.uid_max = c->uid_max;
	o.gid = c->gid;
	o.shell = "/bin/bash";
	o.home_base = "/home/";
	o.next_uid = c->next_uid;
	if (db) {
		o.db = dbpath;
		o.dir = dbdir;
		o.migrate_dir = xu;
	}
	r = nbg_accounts_sync(&o, users, n, NULL, NULL, &rep, err);
	if (r != c->want_rc)
		fail_msg("%s%s: got %d (%s), want %d", c->name, db ? " (db)" : "", r, err,
		    c->want_rc);
	if (r != NBG_CF_OK) {
		if ((!db && c->prev == NULL && access(f, F_OK) == 0) ||
		    (db && access(dbpath, F_OK) == 0))
			fail_msg("%s: a file was written despite the error", c->name);
		return;
	}
	if (db) {
		struct stat st;

		/* the database, not the extrausers files */
		s = db_passwd(&o, dbgroup);
		if (strcmp(s, c->want_passwd) != 0)
			fail_msg("%s (db): passwd is\n%s\nwant\n%s", c->name, s, c->want_passwd);
		free(s);
		/* the same group, without the member list: "NAME:x:GID:" */
		if (c->want_group != NULL && strncmp(dbgroup, c->want_group,
		    strlen(dbgroup) - 1) != 0)
			fail_msg("%s (db): group is %s, want %s", c->name, dbgroup, c->want_group);
		assert_int_equal(stat(dbpath, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0644);
		assert_true(rep.changed);
		fmt(f, sizeof(f), "%s/group", xu);
		assert_int_equal(access(f, F_OK), -1);
		assert_int_equal(nbg_accounts_sync(&o, users, n, NULL, NULL, &rep, err),
		    NBG_CF_OK);
		if (rep.changed)
			fail_msg("%s (db): a second identical run rewrote the database", c->name);
		/* without the extrausers file: the uids come from the database itself */
		fmt(f, sizeof(f), "%s/passwd", xu);
		(void)unlink(f);
		assert_int_equal(nbg_accounts_sync(&o, users, n, NULL, NULL, &rep, err),
		    NBG_CF_OK);
		if (rep.changed)
			fail_msg("%s (db): the database alone did not keep the uids", c->name);
		return;
	}
	if ((s = slurp(f)) == NULL || strcmp(s, c->want_passwd) != 0)
		fail_msg("%s: passwd is\n%s\nwant\n%s", c->name, s, c->want_passwd);
	free(s);
	if (rep.skipped != c->want_skipped || rep.provisioned != n - c->want_skipped)
		fail_msg("%s: %u provisioned, %u skipped; want %zu and %u", c->name,
		    rep.provisioned, rep.skipped, n - c->want_skipped, c->want_skipped);
	fmt(f, sizeof(f), "%s/group", xu);
	if (c->want_group != NULL && ((s = slurp(f)) == NULL || strcmp(s, c->want_group) != 0))
		fail_msg("%s: group is %s, want %s", c->name, s, c->want_group);
	if (c->want_group != NULL)
		free(s);
	/* the same input again changes nothing */
	assert_int_equal(nbg_accounts_sync(&o, users, n, NULL, NULL, &rep, err), NBG_CF_OK);
	if (rep.changed)
		fail_msg("%s: a second identical run rewrote the files", c->name);
}

static void test_accounts(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(acct_cases) / sizeof(acct_cases[0]); i++)
		run_acct_case(&acct_cases[i], false);
}

/* accounts nexusbg: every case again, into the accounts database. */
static void test_accounts_db(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(acct_cases) / sizeof(acct_cases[0]); i++)
		run_acct_case(&acct_cases[i], true);
}

/* A database sync does not trust, and one it rebuilds. */
static void test_accounts_db_files(void **state)
{
	char lp[PATH_MAX], lg[PATH_MAX], dbdir[PATH_MAX], dbpath[PATH_MAX], err[NBG_CF_ERR_LEN];
	char group[64], *s;
	struct nbg_account_user users[2] = { { "alice", "Alice A" }, { "bob", NULL } };
	struct nbg_accounts_opts o = { 0 };
	struct nbg_accounts_report rep;

	(void)state;
	path_of(lp, sizeof(lp), "passwd.local3");
	path_of(lg, sizeof(lg), "group.local3");
	path_of(dbdir, sizeof(dbdir), "db3");
	fmt(dbpath, sizeof(dbpath), "%s/accounts.db", dbdir);
	write_file(lp, "root:x:0:0:root:/root:/bin/bash\n", 0644, 0);
	write_file(lg, "root:x:0:\n", 0644, 0);
	o.db = dbpath;
	o.dir = dbdir;
	o.local_passwd = lp;
	o.local_group = lg;
	o.uid_min = 3000;
	o.uid_max = 3999;
	o.gid = 3000;
	o.shell = "/bin/sh";
	o.home_base = "/srv/home";
	/* the directory is created as for extrausers */
	assert_int_equal(nbg_accounts_sync(&o, users, 2, NULL, NULL, &rep, err), NBG_CF_OK);
	s = db_passwd(&o, group);
	assert_string_equal(s, "alice:x:3000:3000:Alice A:/srv/home/alice:/bin/sh\n"
	    "bob:x:3001:3000::/srv/home/bob:/bin/sh\n");
	free(s);
	assert_string_equal(group, "nexusbg:x:3000:\n");

	/* not root's, or writable by others: not trusted, left as it is */
	assert_int_equal(chown(dbpath, NOBODY, 0), 0);
	assert_int_equal(nbg_accounts_sync(&o, users, 2, NULL, NULL, &rep, err),
	    NBG_CF_ERR_INSECURE);
	assert_non_null(strstr(err, "not trusted"));
	assert_int_equal(chown(dbpath, 0, 0), 0);
	assert_int_equal(chmod(dbpath, 0666), 0);
	assert_int_equal(nbg_accounts_sync(&o, users, 2, NULL, NULL, &rep, err),
	    NBG_CF_ERR_INSECURE);
	assert_int_equal(chmod(dbpath, 0644), 0);
	assert_int_equal(chmod(dbdir, 0777), 0);
	assert_int_equal(nbg_accounts_sync(&o, users, 2, NULL, NULL, &rep, err),
	    NBG_CF_ERR_INSECURE);
	assert_int_equal(chmod(dbdir, 0755), 0);

	/* corrupt: rebuilt; its users get uids above the ones handed out (next_uid) */
	write_file(dbpath, "not a database", 0644, 0);
	o.next_uid = 3002;
	assert_int_equal(nbg_accounts_sync(&o, users, 2, NULL, NULL, &rep, err), NBG_CF_OK);
	assert_true(rep.changed);
	assert_int_equal(rep.next_uid, 3004);
	s = db_passwd(&o, group);
	assert_string_equal(s, "alice:x:3002:3000:Alice A:/srv/home/alice:/bin/sh\n"
	    "bob:x:3003:3000::/srv/home/bob:/bin/sh\n");
	free(s);
}

static void test_accounts_shadow(void **state)
{
	char xu[PATH_MAX], lp[PATH_MAX], lg[PATH_MAX], f[PATH_MAX], err[NBG_CF_ERR_LEN], *s;
	struct nbg_account_user users[2] = { { "alice", NULL }, { "bob", NULL } };
	struct nbg_accounts_opts o = { 0 };
	struct nbg_accounts_report rep;
	struct stat st;

	(void)state;
	path_of(lp, sizeof(lp), "passwd.local2");
	path_of(lg, sizeof(lg), "group.local2");
	path_of(xu, sizeof(xu), "xu2");
	write_file(lp, "root:x:0:0:root:/root:/bin/bash\n", 0644, 0);
	write_file(lg, "root:x:0:\n", 0644, 0);
	o.dir = xu;
	o.local_passwd = lp;
	o.local_group = lg;
	o.uid_min = 2000;
	o.uid_max = 2999;
	o.gid = 2000;
	o.shell = "/bin/sh";
	o.home_base = "/srv/home";
	assert_int_equal(nbg_accounts_sync(&o, users, 2, NULL, NULL, &rep, err), NBG_CF_OK);
	assert_true(rep.changed);
	fmt(f, sizeof(f), "%s/shadow", xu);
	assert_non_null(s = slurp(f));
	assert_string_equal(s, "alice:*:::::::\nbob:*:::::::\n");
	free(s);
	assert_int_equal(stat(f, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	fmt(f, sizeof(f), "%s/passwd", xu);
	assert_non_null(s = slurp(f));
	assert_string_equal(s, "alice:x:2000:2000::/srv/home/alice:/bin/sh\n"
	    "bob:x:2001:2000::/srv/home/bob:/bin/sh\n");
	free(s);

	/* a previous passwd that is not root's is not trusted */
	assert_int_equal(chown(f, NOBODY, 0), 0);
	assert_int_equal(nbg_accounts_sync(&o, users, 2, NULL, NULL, &rep, err),
	    NBG_CF_ERR_INSECURE);
	assert_int_equal(chown(f, 0, 0), 0);

	/* settings that would corrupt the files are refused */
	o.shell = "/bin/sh:x";
	assert_int_equal(nbg_accounts_sync(&o, users, 2, NULL, NULL, &rep, err),
	    NBG_CF_ERR_ARGUMENT);
	o.shell = "/bin/sh";
	o.uid_min = 0;
	assert_int_equal(nbg_accounts_sync(&o, users, 2, NULL, NULL, &rep, err),
	    NBG_CF_ERR_ARGUMENT);
	o.uid_min = 2000;
	o.gid = 0;
	assert_int_equal(nbg_accounts_sync(&o, users, 2, NULL, NULL, &rep, err),
	    NBG_ACCOUNTS_ERR_CONFLICT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_retryable),
		cmocka_unit_test(test_etag_valid),
		cmocka_unit_test(test_token_file),
		cmocka_unit_test(test_dir_prepare),
		cmocka_unit_test(test_file_check_and_read),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_clean_stale),
		cmocka_unit_test(test_lock_and_touch),
		cmocka_unit_test(test_state_roundtrip),
		cmocka_unit_test(test_state_invalid),
		cmocka_unit_test(test_accounts),
		cmocka_unit_test(test_accounts_shadow),
		cmocka_unit_test(test_accounts_db),
		cmocka_unit_test(test_accounts_db_files),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "test_sync_units: run as root (suite sys): the files under test "
		    "must be root-owned\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
