/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_nss.c - the NSS module's lookups (nss/), on a database of the
 * test's own: entries and their buffers, ERANGE at every buffer size
 * (TRYAGAIN, nothing written to the result, an enumeration that does not
 * advance), NOTFOUND and UNAVAIL with their errno values for a missing,
 * insecure or corrupt database, errno left alone on success, an
 * enumeration that keeps its database while sync replaces the file, and
 * one whose file is cut short under it.
 *
 * The database must be root-owned to be trusted: without root every lookup
 * is UNAVAIL (checked), and the rest is skipped.  With root, a child that
 * gives it up checks that any user can read the accounts.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "nss/nss_nexusbg.h"

static const struct nbg_acctdb_entry accounts[] = {
	{ "alice", 61000, 61000, "alice@contoso.com", "/home/alice", "/bin/bash" },
	{ "bob", 61001, 61000, "", "/home/bob", "/bin/bash" },
	{ "carol", 61007, 61000, "Carol C", "/home/carol", "/bin/sh" },
};
#define NACC (sizeof(accounts) / sizeof(accounts[0]))

struct fx {
	char dir[64];
	char path[128];		/* dir/accounts.db */
	char other[128];	/* dir/new.db */
};

static void write_db(const char *path, const struct nbg_acctdb_entry *v, size_t n,
    mode_t mode)
{
	char err[NBG_ACCTDB_ERR_LEN];
	uint8_t *img;
	size_t len;
	int fd;

	if (nbg_acctdb_build(v, n, "nexusbg", 61000, &img, &len, err) != 0)
		fail_msg("build: %s", err);
	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, img, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	free(img);
}

static int fx_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/nbg-nss-XXXXXX");
	if (mkdtemp(fx->dir) == NULL || chmod(fx->dir, 0755) != 0) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/accounts.db", fx->dir);
	snprintf(fx->other, sizeof(fx->other), "%s/new.db", fx->dir);
	write_db(fx->path, accounts, NACC, 0644);
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;
	char p[192];

	(void)chmod(fx->dir, 0755);
	(void)unlink(fx->path);
	(void)unlink(fx->other);
	snprintf(p, sizeof(p), "%s/link", fx->dir);
	(void)unlink(p);
	(void)rmdir(fx->dir);
	free(fx);
	return 0;
}

static void need_root(void)
{
	if (geteuid() != 0)
		skip();
}

/* --- lookups --------------------------------------------------------------- */

/*
 * Any user resolves the accounts (the file is 0644 in a 0755 directory);
 * without root the test's own file is not root's, and never trusted.
 */
static void test_unprivileged(void **state)
{
	struct fx *fx = *state;
	struct passwd pw;
	char buf[1024];
	int e = 0, status = 0;
	pid_t pid;

	if (geteuid() != 0) {
		assert_int_equal(nbg_nss_getpwnam(fx->path, "alice", &pw, buf, sizeof(buf), &e),
		    NSS_STATUS_UNAVAIL);
		assert_int_equal(e, EACCES);
		skip();
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(3);
		_exit(nbg_nss_getpwnam(fx->path, "alice", &pw, buf, sizeof(buf), &e) ==
		    NSS_STATUS_SUCCESS && pw.pw_uid == 61000 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_passwd(void **state)
{
	struct fx *fx = *state;
	struct passwd pw;
	char buf[1024];
	int e = -7;

	need_root();
	for (size_t i = 0; i < NACC; i++) {
		errno = 4242;
		assert_int_equal(nbg_nss_getpwnam(fx->path, accounts[i].name, &pw, buf,
		    sizeof(buf), &e), NSS_STATUS_SUCCESS);
		assert_int_equal(errno, 4242);
		assert_string_equal(pw.pw_name, accounts[i].name);
		assert_string_equal(pw.pw_passwd, "x");
		assert_int_equal(pw.pw_uid, accounts[i].uid);
		assert_int_equal(pw.pw_gid, accounts[i].gid);
		assert_string_equal(pw.pw_gecos, accounts[i].gecos);
		assert_string_equal(pw.pw_dir, accounts[i].home);
		assert_string_equal(pw.pw_shell, accounts[i].shell);
		/* every string is in the caller's buffer */
		assert_true(pw.pw_name >= buf && pw.pw_shell < buf + sizeof(buf));
		memset(&pw, 0, sizeof(pw));
		assert_int_equal(nbg_nss_getpwuid(fx->path, accounts[i].uid, &pw, buf,
		    sizeof(buf), &e), NSS_STATUS_SUCCESS);
		assert_string_equal(pw.pw_name, accounts[i].name);
	}
	assert_int_equal(e, -7);
	{
		static const char *const absent[] = { "root", "dave", "", "ALICE", "nexusbg",
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };

		for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
			errno = 4242;
			assert_int_equal(nbg_nss_getpwnam(fx->path, absent[i], &pw, buf,
			    sizeof(buf), &e), NSS_STATUS_NOTFOUND);
			assert_int_equal(errno, 4242);
		}
	}
	{
		static const uid_t absent[] = { 0, 1, 61002, 61000 + 64, (uid_t)-1 };

		for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
			assert_int_equal(nbg_nss_getpwuid(fx->path, absent[i], &pw, buf,
			    sizeof(buf), &e), NSS_STATUS_NOTFOUND);
	}
	assert_int_equal(e, -7);
}

static void test_shadow_group(void **state)
{
	struct fx *fx = *state;
	struct spwd sp;
	struct group gr;
	char buf[256];
	int e = -7;

	need_root();
	assert_int_equal(nbg_nss_getspnam(fx->path, "bob", &sp, buf, sizeof(buf), &e),
	    NSS_STATUS_SUCCESS);
	assert_string_equal(sp.sp_namp, "bob");
	assert_string_equal(sp.sp_pwdp, "*");
	assert_int_equal(sp.sp_lstchg, -1);
	assert_int_equal(sp.sp_min, -1);
	assert_int_equal(sp.sp_max, -1);
	assert_int_equal(sp.sp_warn, -1);
	assert_int_equal(sp.sp_inact, -1);
	assert_int_equal(sp.sp_expire, -1);
	assert_true(sp.sp_flag == ~0ul);
	assert_int_equal(nbg_nss_getspnam(fx->path, "root", &sp, buf, sizeof(buf), &e),
	    NSS_STATUS_NOTFOUND);

	assert_int_equal(nbg_nss_getgrnam(fx->path, "nexusbg", &gr, buf, sizeof(buf), &e),
	    NSS_STATUS_SUCCESS);
	assert_string_equal(gr.gr_name, "nexusbg");
	assert_string_equal(gr.gr_passwd, "x");
	assert_int_equal(gr.gr_gid, 61000);
	assert_non_null(gr.gr_mem);
	assert_null(gr.gr_mem[0]);
	assert_true((uintptr_t)gr.gr_mem % sizeof(char *) == 0);
	memset(&gr, 0, sizeof(gr));
	assert_int_equal(nbg_nss_getgrgid(fx->path, 61000, &gr, buf, sizeof(buf), &e),
	    NSS_STATUS_SUCCESS);
	assert_string_equal(gr.gr_name, "nexusbg");
	assert_int_equal(nbg_nss_getgrnam(fx->path, "alice", &gr, buf, sizeof(buf), &e),
	    NSS_STATUS_NOTFOUND);
	assert_int_equal(nbg_nss_getgrnam(fx->path, "nexusbgx", &gr, buf, sizeof(buf), &e),
	    NSS_STATUS_NOTFOUND);
	assert_int_equal(nbg_nss_getgrgid(fx->path, 61001, &gr, buf, sizeof(buf), &e),
	    NSS_STATUS_NOTFOUND);
	assert_int_equal(nbg_nss_getgrgid(fx->path, 0, &gr, buf, sizeof(buf), &e),
	    NSS_STATUS_NOTFOUND);
	assert_int_equal(e, -7);
}

/* --- ERANGE ---------------------------------------------------------------- */

enum kind { K_PASSWD, K_SHADOW, K_GROUP };

static enum nss_status lookup(enum kind k, const char *path, void *res, char *buf, size_t len,
    int *e)
{
	switch (k) {
	case K_PASSWD:
		return nbg_nss_getpwnam(path, "alice", res, buf, len, e);
	case K_SHADOW:
		return nbg_nss_getspnam(path, "alice", res, buf, len, e);
	case K_GROUP:
		return nbg_nss_getgrgid(path, 61000, res, buf, len, e);
	}
	return NSS_STATUS_UNAVAIL;
}

/*
 * Every buffer size below what the entry needs gives TRYAGAIN/ERANGE and
 * leaves the result alone; from that size on, SUCCESS.  The buffer is
 * allocated at exactly its size (ASan sees any write past it), and at an
 * odd address for the group's pointer array.
 */
static void test_erange(void **state)
{
	static const size_t need_min[] = {
		[K_PASSWD] = sizeof("alice") + sizeof("x") + sizeof("alice@contoso.com") +
		    sizeof("/home/alice") + sizeof("/bin/bash"),
		[K_SHADOW] = sizeof("alice") + sizeof("*"),
		[K_GROUP] = sizeof("nexusbg") + sizeof("x") + sizeof(char *),
	};
	struct fx *fx = *state;

	need_root();
	for (int k = K_PASSWD; k <= K_GROUP; k++) {
		bool found = false;

		for (size_t len = 0; len < need_min[k] + 2 * sizeof(char *); len++) {
			union {
				struct passwd pw;
				struct spwd sp;
				struct group gr;
			} res, pristine;
			char *mem = malloc(len + 1), *buf = mem + 1;
			enum nss_status s;
			int e = -7;

			assert_non_null(mem);
			memset(&res, 0xa5, sizeof(res));
			pristine = res;
			s = lookup((enum kind)k, fx->path, &res, len > 0 ? buf : NULL, len, &e);
			if (s == NSS_STATUS_TRYAGAIN) {
				if (found)
					fail_msg("kind %d: ERANGE at %zu after success", k, len);
				assert_int_equal(e, ERANGE);
				assert_memory_equal(&res, &pristine, sizeof(res));
			} else {
				assert_int_equal(s, NSS_STATUS_SUCCESS);
				if (len < need_min[k])
					fail_msg("kind %d: success in %zu bytes, needs %zu", k, len,
					    need_min[k]);
				found = true;
			}
			free(mem);
		}
		if (!found)
			fail_msg("kind %d: never fits", k);
	}
}

/* --- enumeration -------------------------------------------------------------- */

static void test_enumeration(void **state)
{
	struct fx *fx = *state;
	struct nbg_nss_ent ent = NBG_NSS_ENT_INITIALIZER;
	struct passwd pw;
	struct spwd sp;
	struct group gr;
	char buf[512];
	int e = -7;

	need_root();
	/* get*ent without set*ent starts at the beginning */
	assert_int_equal(nbg_nss_getent(&ent, fx->path, nbg_nss_fill_passwd, &pw, buf,
	    sizeof(buf), &e), NSS_STATUS_SUCCESS);
	assert_string_equal(pw.pw_name, "alice");
	errno = 4242;
	assert_int_equal(nbg_nss_setent(&ent, fx->path, &e), NSS_STATUS_SUCCESS);
	assert_int_equal(errno, 4242);
	for (size_t i = 0; i < NACC; i++) {
		/* too small a buffer returns the same entry again next time */
		assert_int_equal(nbg_nss_getent(&ent, fx->path, nbg_nss_fill_passwd, &pw, buf, 8,
		    &e), NSS_STATUS_TRYAGAIN);
		assert_int_equal(e, ERANGE);
		e = -7;
		errno = 4242;
		assert_int_equal(nbg_nss_getent(&ent, fx->path, nbg_nss_fill_passwd, &pw, buf,
		    sizeof(buf), &e), NSS_STATUS_SUCCESS);
		assert_int_equal(errno, 4242);
		assert_string_equal(pw.pw_name, accounts[i].name);
		assert_int_equal(pw.pw_uid, accounts[i].uid);
	}
	for (int i = 0; i < 2; i++) {
		errno = 4242;
		assert_int_equal(nbg_nss_getent(&ent, fx->path, nbg_nss_fill_passwd, &pw, buf,
		    sizeof(buf), &e), NSS_STATUS_NOTFOUND);
		assert_int_equal(errno, 4242);
	}
	assert_int_equal(nbg_nss_endent(&ent), NSS_STATUS_SUCCESS);
	assert_false(ent.open);

	/* shadow: the same accounts */
	assert_int_equal(nbg_nss_setent(&ent, fx->path, &e), NSS_STATUS_SUCCESS);
	for (size_t i = 0; i < NACC; i++) {
		assert_int_equal(nbg_nss_getent(&ent, fx->path, nbg_nss_fill_shadow, &sp, buf,
		    sizeof(buf), &e), NSS_STATUS_SUCCESS);
		assert_string_equal(sp.sp_namp, accounts[i].name);
	}
	assert_int_equal(nbg_nss_getent(&ent, fx->path, nbg_nss_fill_shadow, &sp, buf,
	    sizeof(buf), &e), NSS_STATUS_NOTFOUND);
	nbg_nss_endent(&ent);

	/* group: one entry */
	assert_int_equal(nbg_nss_setent(&ent, fx->path, &e), NSS_STATUS_SUCCESS);
	assert_int_equal(nbg_nss_getgrent(&ent, fx->path, &gr, buf, 4, &e), NSS_STATUS_TRYAGAIN);
	assert_int_equal(e, ERANGE);
	assert_int_equal(nbg_nss_getgrent(&ent, fx->path, &gr, buf, sizeof(buf), &e),
	    NSS_STATUS_SUCCESS);
	assert_string_equal(gr.gr_name, "nexusbg");
	assert_int_equal(nbg_nss_getgrent(&ent, fx->path, &gr, buf, sizeof(buf), &e),
	    NSS_STATUS_NOTFOUND);
	/* set*ent again rewinds */
	assert_int_equal(nbg_nss_setent(&ent, fx->path, &e), NSS_STATUS_SUCCESS);
	assert_int_equal(nbg_nss_getgrent(&ent, fx->path, &gr, buf, sizeof(buf), &e),
	    NSS_STATUS_SUCCESS);
	nbg_nss_endent(&ent);
	/* end*ent twice is harmless */
	assert_int_equal(nbg_nss_endent(&ent), NSS_STATUS_SUCCESS);
}

/* sync renames a new database into place: a running enumeration keeps the old one. */
static void test_enumeration_replaced(void **state)
{
	static const struct nbg_acctdb_entry other[] = {
		{ "zed", 62000, 61000, "", "/home/zed", "/bin/sh" },
	};
	struct fx *fx = *state;
	struct nbg_nss_ent ent = NBG_NSS_ENT_INITIALIZER;
	struct passwd pw;
	char buf[512];
	int e = 0;

	need_root();
	assert_int_equal(nbg_nss_setent(&ent, fx->path, &e), NSS_STATUS_SUCCESS);
	assert_int_equal(nbg_nss_getent(&ent, fx->path, nbg_nss_fill_passwd, &pw, buf,
	    sizeof(buf), &e), NSS_STATUS_SUCCESS);
	write_db(fx->other, other, 1, 0644);
	assert_int_equal(rename(fx->other, fx->path), 0);
	for (size_t i = 1; i < NACC; i++) {
		assert_int_equal(nbg_nss_getent(&ent, fx->path, nbg_nss_fill_passwd, &pw, buf,
		    sizeof(buf), &e), NSS_STATUS_SUCCESS);
		assert_string_equal(pw.pw_name, accounts[i].name);
	}
	assert_int_equal(nbg_nss_getent(&ent, fx->path, nbg_nss_fill_passwd, &pw, buf,
	    sizeof(buf), &e), NSS_STATUS_NOTFOUND);
	/* the next enumeration and every lookup see the new file */
	assert_int_equal(nbg_nss_setent(&ent, fx->path, &e), NSS_STATUS_SUCCESS);
	assert_int_equal(nbg_nss_getent(&ent, fx->path, nbg_nss_fill_passwd, &pw, buf,
	    sizeof(buf), &e), NSS_STATUS_SUCCESS);
	assert_string_equal(pw.pw_name, "zed");
	nbg_nss_endent(&ent);
	assert_int_equal(nbg_nss_getpwnam(fx->path, "alice", &pw, buf, sizeof(buf), &e),
	    NSS_STATUS_NOTFOUND);
}

/*
 * Someone truncates the file in place (cp over it, a full disk) while an
 * enumeration has it open: a short read, UNAVAIL, never SIGBUS.
 */
static void test_enumeration_truncated(void **state)
{
	struct fx *fx = *state;
	struct nbg_nss_ent ent = NBG_NSS_ENT_INITIALIZER;
	struct passwd pw;
	char buf[512];
	int e = 0;

	need_root();
	assert_int_equal(nbg_nss_setent(&ent, fx->path, &e), NSS_STATUS_SUCCESS);
	assert_int_equal(nbg_nss_getent(&ent, fx->path, nbg_nss_fill_passwd, &pw, buf,
	    sizeof(buf), &e), NSS_STATUS_SUCCESS);
	assert_int_equal(truncate(fx->path, 200), 0);
	assert_int_equal(nbg_nss_getent(&ent, fx->path, nbg_nss_fill_passwd, &pw, buf,
	    sizeof(buf), &e), NSS_STATUS_UNAVAIL);
	assert_int_equal(e, EIO);
	nbg_nss_endent(&ent);
}

/* --- a database that is not there, not trusted or corrupt ---------------------- */

/* Every entry point: UNAVAIL with *errnop = WANT, and never an entry. */
static void expect_unavail(const char *what, const char *path, int want)
{
	struct nbg_nss_ent ent = NBG_NSS_ENT_INITIALIZER;
	struct passwd pw;
	struct spwd sp;
	struct group gr;
	char buf[512];
	enum nss_status s[8];
	int e[8];

	for (int i = 0; i < 8; i++)
		e[i] = -7;
	s[0] = nbg_nss_getpwnam(path, "alice", &pw, buf, sizeof(buf), &e[0]);
	s[1] = nbg_nss_getpwuid(path, 61000, &pw, buf, sizeof(buf), &e[1]);
	s[2] = nbg_nss_getspnam(path, "alice", &sp, buf, sizeof(buf), &e[2]);
	s[3] = nbg_nss_getgrnam(path, "nexusbg", &gr, buf, sizeof(buf), &e[3]);
	s[4] = nbg_nss_getgrgid(path, 61000, &gr, buf, sizeof(buf), &e[4]);
	s[5] = nbg_nss_setent(&ent, path, &e[5]);
	s[6] = nbg_nss_getent(&ent, path, nbg_nss_fill_passwd, &pw, buf, sizeof(buf), &e[6]);
	s[7] = nbg_nss_getgrent(&ent, path, &gr, buf, sizeof(buf), &e[7]);
	nbg_nss_endent(&ent);
	for (int i = 0; i < 8; i++) {
		if (s[i] != NSS_STATUS_UNAVAIL || e[i] != want)
			fail_msg("%s: call %d: status %d errno %d, expected UNAVAIL, %d", what, i,
			    s[i], e[i], want);
	}
}

static void test_unavailable(void **state)
{
	struct fx *fx = *state;
	char p[192];
	struct stat st;

	need_root();
	expect_unavail("missing", fx->other, ENOENT);
	expect_unavail("missing directory", "/nonexistent-nbg/accounts.db", ENOENT);
	assert_int_equal(chmod(fx->path, 0666), 0);
	expect_unavail("world-writable", fx->path, EACCES);
	assert_int_equal(chmod(fx->path, 0664), 0);
	expect_unavail("group-writable", fx->path, EACCES);
	assert_int_equal(chmod(fx->path, 0644), 0);
	assert_int_equal(chown(fx->path, 65534, 0), 0);
	expect_unavail("not root's", fx->path, EACCES);
	assert_int_equal(chown(fx->path, 0, 0), 0);
	assert_int_equal(chmod(fx->dir, 0777), 0);
	expect_unavail("in a world-writable directory", fx->path, EACCES);
	assert_int_equal(chmod(fx->dir, 0755), 0);
	snprintf(p, sizeof(p), "%s/link", fx->dir);
	assert_int_equal(symlink(fx->path, p), 0);
	expect_unavail("a symlink", p, EACCES);
	/* truncated: the header does not check out */
	assert_int_equal(stat(fx->path, &st), 0);
	assert_int_equal(truncate(fx->path, st.st_size - 1), 0);
	expect_unavail("truncated", fx->path, EIO);
}

/* A record that does not check out: its lookups are UNAVAIL, the others still answer. */
static void test_corrupt_record(void **state)
{
	static const struct nbg_acctdb_entry v[] = {
		{ "alice", 61000, 61000, "", "/home/alice", "/bin/bash" },
		{ "bob", 61001, 61000, "", "/home/bob", "/bin/bash" },
	};
	struct fx *fx = *state;
	struct nbg_nss_ent ent = NBG_NSS_ENT_INITIALIZER;
	struct passwd pw;
	char buf[512];
	uint8_t rec[4] = { 0, 0, 0, 0 };
	int fd, e = -7;

	need_root();
	write_db(fx->path, v, 2, 0644);
	/* record 0 (alice) at 160 + 2 x 64: its uid (offset 8) becomes 0 */
	fd = open(fx->path, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, rec, 4, 160 + 2 * 64 + 8), 4);
	close(fd);
	assert_int_equal(nbg_nss_getpwnam(fx->path, "alice", &pw, buf, sizeof(buf), &e),
	    NSS_STATUS_UNAVAIL);
	assert_int_equal(e, EIO);
	assert_int_equal(nbg_nss_getpwuid(fx->path, 61000, &pw, buf, sizeof(buf), &e),
	    NSS_STATUS_UNAVAIL);
	assert_int_equal(nbg_nss_getpwnam(fx->path, "bob", &pw, buf, sizeof(buf), &e),
	    NSS_STATUS_SUCCESS);
	assert_int_equal(pw.pw_uid, 61001);
	e = -7;
	assert_int_equal(nbg_nss_getent(&ent, fx->path, nbg_nss_fill_passwd, &pw, buf,
	    sizeof(buf), &e), NSS_STATUS_UNAVAIL);
	assert_int_equal(e, EIO);
	nbg_nss_endent(&ent);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unprivileged, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_passwd, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_shadow_group, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_erange, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_enumeration, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_enumeration_replaced, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_enumeration_truncated, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_unavailable, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_record, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests_name("nss", tests, NULL, NULL);
}
