/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_record.c - session records: the strict parser (table-driven), the
 * writer's validation, and - as root, in a private mount namespace with a
 * tmpfs over /run - the trusted reader, the writer and the remover against
 * real files: modes, owners, symbolic links, hard links, FIFOs, sizes.
 * Without root the filesystem cases are skipped (only root can make the
 * root-owned directories they need); the parser cases always run.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "record.h"

#define BOOT "0f5e3c1a-6a4b-4c2e-9d1f-2b7a8e9c0d11"
#define FP "SHA256:ub4U0Iz9ehgIYZ0pM4M2xq0F9xSEl7hXIFzcPrnPX0k"

static const char base_text[] =
    "version=1\nsessionid=42\nuid=61901\nloginuid=61901\nboot_id=" BOOT "\n"
    "user=alice\nrole=reader\ncaps=show\nremote=192.0.2.7\naccess_path=default\n"
    "key_fp=" FP "\nfallback=no\nstart=1732233600\nref=NBG-7F3A9C21D4\n"
    "service=sshd\npid=4242\n";

/* ---- parser cases: replace (or drop, or add) one line of base_text ---- */

struct parse_case {
	const char *name;
	const char *key;	/* line to replace; NULL = append `line` */
	const char *line;	/* replacement "key=value" without newline; NULL = drop */
	int want;		/* 0 or -EINVAL */
};

static const struct parse_case parse_cases[] = {
	{ "base", "version", "version=1", 0 },
	{ "version 2", "version", "version=2", -EINVAL },
	{ "sessionid leading zero", "sessionid", "sessionid=042", -EINVAL },
	{ "sessionid sign", "sessionid", "sessionid=+42", -EINVAL },
	{ "sessionid unset", "sessionid", "sessionid=4294967295", -EINVAL },
	{ "sessionid too big", "sessionid", "sessionid=4294967296", -EINVAL },
	{ "sessionid empty", "sessionid", "sessionid=", -EINVAL },
	{ "sessionid zero", "sessionid", "sessionid=0", -EINVAL },	/* the kernel starts at 1 */
	{ "uid negative", "uid", "uid=-1", -EINVAL },
	{ "uid hex", "uid", "uid=0x10", -EINVAL },
	{ "loginuid unset", "loginuid", "loginuid=4294967295", -EINVAL },
	{ "boot_id uppercase", "boot_id", "boot_id=0F5E3C1A-6A4B-4C2E-9D1F-2B7A8E9C0D11", -EINVAL },
	{ "boot_id short", "boot_id", "boot_id=0f5e3c1a-6a4b-4c2e-9d1f-2b7a8e9c0d1", -EINVAL },
	{ "boot_id no dashes", "boot_id", "boot_id=0f5e3c1a06a4b04c2e09d1f02b7a8e9c0d11", -EINVAL },
	{ "user with space", "user", "user=al ice", -EINVAL },
	{ "user empty", "user", "user=", -EINVAL },
	{ "user leading dash", "user", "user=-alice", -EINVAL },
	{ "user dollar", "user", "user=host$", 0 },
	{ "user 32", "user", "user=abcdefghijklmnopqrstuvwxyz012345", 0 },
	{ "user 33", "user", "user=abcdefghijklmnopqrstuvwxyz0123456", -EINVAL },
	{ "user not ASCII", "user", "user=al\xc3\xaf" "ce", -EINVAL },
	{ "role empty", "role", "role=", -EINVAL },
	{ "role equals", "role", "role=writer=1", -EINVAL },
	{ "caps empty", "caps", "caps=", 0 },
	{ "caps two", "caps", "caps=show,configure", 0 },
	{ "caps empty item", "caps", "caps=show,,configure", -EINVAL },
	{ "caps trailing comma", "caps", "caps=show,", -EINVAL },
	{ "caps leading comma", "caps", "caps=,show", -EINVAL },
	{ "caps duplicate", "caps", "caps=show,show", -EINVAL },
	{ "caps space", "caps", "caps=show, configure", -EINVAL },
	{ "remote empty", "remote", "remote=", 0 },
	{ "remote v6", "remote", "remote=2001:db8::7", 0 },
	{ "remote injected", "remote", "remote=10.0.0.1 x", -EINVAL },
	{ "access_path empty", "access_path", "access_path=", 0 },
	{ "access_path slash", "access_path", "access_path=../x", -EINVAL },
	{ "key_fp empty", "key_fp", "key_fp=", 0 },
	{ "key_fp prefix only", "key_fp", "key_fp=SHA256:", -EINVAL },
	{ "key_fp md5", "key_fp", "key_fp=MD5:ab:cd", -EINVAL },
	{ "key_fp too long", "key_fp", "key_fp=" FP "A", -EINVAL },
	{ "key_fp padding", "key_fp", "key_fp=SHA256:abc=", -EINVAL },
	{ "fallback yes", "fallback", "fallback=yes", 0 },
	{ "fallback true", "fallback", "fallback=true", -EINVAL },
	{ "start negative", "start", "start=-1", -EINVAL },
	{ "start max", "start", "start=9223372036854775807", 0 },
	{ "start overflow", "start", "start=9223372036854775808", -EINVAL },
	{ "ref short", "ref", "ref=NBG-7F3A", -EINVAL },
	{ "ref lowercase", "ref", "ref=NBG-7f3a9c21d4", -EINVAL },
	{ "ref prefix", "ref", "ref=XYZ-7F3A9C21D4", -EINVAL },
	{ "service empty", "service", "service=", 0 },
	{ "service injected", "service", "service=sshd\rx", -EINVAL },
	{ "pid zero", "pid", "pid=0", -EINVAL },
	{ "pid too big", "pid", "pid=2147483648", -EINVAL },
	{ "unknown key", NULL, "role_override=writer", -EINVAL },
	{ "duplicate role", NULL, "role=writer", -EINVAL },
	{ "space before =", "role", "role =reader", -EINVAL },
	{ "no =", "role", "role", -EINVAL },
	{ "empty line", "role", "", -EINVAL },
	{ "CR at end", "role", "role=reader\r", -EINVAL },
	{ "drop version", "version", NULL, -EINVAL },
	{ "drop sessionid", "sessionid", NULL, -EINVAL },
	{ "drop uid", "uid", NULL, -EINVAL },
	{ "drop loginuid", "loginuid", NULL, -EINVAL },
	{ "drop boot_id", "boot_id", NULL, -EINVAL },
	{ "drop user", "user", NULL, -EINVAL },
	{ "drop role", "role", NULL, -EINVAL },
	{ "drop caps", "caps", NULL, -EINVAL },
	{ "drop remote", "remote", NULL, -EINVAL },
	{ "drop access_path", "access_path", NULL, -EINVAL },
	{ "drop key_fp", "key_fp", NULL, -EINVAL },
	{ "drop fallback", "fallback", NULL, -EINVAL },
	{ "drop start", "start", NULL, -EINVAL },
	{ "drop ref", "ref", NULL, -EINVAL },
	{ "drop service", "service", NULL, -EINVAL },
	{ "drop pid", "pid", NULL, -EINVAL },
};

/* base_text with the line of KEY replaced by LINE (dropped when NULL). */
static size_t edit_text(const struct parse_case *c, char *out, size_t cap)
{
	const char *p = base_text;
	size_t o = 0, klen = c->key != NULL ? strlen(c->key) : 0;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = (size_t)(nl - p) + 1;

		if (c->key != NULL && strncmp(p, c->key, klen) == 0 && p[klen] == '=') {
			if (c->line != NULL)
				o += (size_t)snprintf(out + o, cap - o, "%s\n", c->line);
		} else {
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
	}
	if (c->key == NULL)
		o += (size_t)snprintf(out + o, cap - o, "%s\n", c->line);
	assert_true(o < cap);
	out[o] = '\0';
	return o;
}

static void test_parse_case(void **state)
{
	const struct parse_case *c = *state;
	struct nbg_record r;
	char text[8192], err[256];
	size_t len = edit_text(c, text, sizeof(text));
	int ret = nbg_record_parse(text, len, &r, err, sizeof(err));

	if (ret != c->want)
		fail_msg("parse returned %d, want %d (%s)", ret, c->want, ret ? err : "ok");
	if (ret == 0) {
		char again[NBG_RECORD_MAX_BYTES];
		struct nbg_record r2;
		int n = nbg_record_format(&r, again, sizeof(again), err, sizeof(err));

		/* what the parser accepts, the writer writes back, and it parses equal */
		assert_true(n > 0);
		assert_int_equal(nbg_record_parse(again, (size_t)n, &r2, err, sizeof(err)), 0);
		assert_memory_equal(&r, &r2, sizeof(r));
	}
}

static void test_parse_base_values(void **state)
{
	struct nbg_record r;
	char err[256];

	(void)state;
	assert_int_equal(nbg_record_parse(base_text, strlen(base_text), &r, err, sizeof(err)), 0);
	assert_int_equal(r.sessionid, 42);
	assert_int_equal(r.uid, 61901);
	assert_int_equal(r.loginuid, 61901);
	assert_string_equal(r.boot_id, BOOT);
	assert_string_equal(r.user, "alice");
	assert_string_equal(r.role, "reader");
	assert_int_equal(r.ncaps, 1);
	assert_string_equal(r.caps[0], "show");
	assert_string_equal(r.remote, "192.0.2.7");
	assert_string_equal(r.access_path, "default");
	assert_string_equal(r.key_fp, FP);
	assert_false(r.fallback);
	assert_int_equal(r.start, 1732233600);
	assert_string_equal(r.ref, "NBG-7F3A9C21D4");
	assert_string_equal(r.service, "sshd");
	assert_int_equal(r.pid, 4242);
}

static void test_parse_bytes(void **state)
{
	char big[NBG_RECORD_MAX_BYTES + 64], err[256];
	struct nbg_record r;
	size_t n = strlen(base_text);

	(void)state;
	/* no final newline */
	assert_int_equal(nbg_record_parse(base_text, n - 1, &r, err, sizeof(err)), -EINVAL);
	/* a NUL inside */
	memcpy(big, base_text, n);
	big[20] = '\0';
	assert_int_equal(nbg_record_parse(big, n, &r, err, sizeof(err)), -EINVAL);
	/* over the size limit, even when otherwise valid */
	memcpy(big, base_text, n);
	memset(big + n, '\n', sizeof(big) - n);
	assert_int_equal(nbg_record_parse(big, sizeof(big), &r, err, sizeof(err)), -EINVAL);
	/* empty */
	assert_int_equal(nbg_record_parse(base_text, 0, &r, err, sizeof(err)), -EINVAL);
	/* 32 capabilities fit; 33 do not */
	{
		char text[NBG_RECORD_MAX_BYTES], caps[1200];
		size_t o = 0;

		for (int i = 0; i < 33; i++)
			o += (size_t)snprintf(caps + o, sizeof(caps) - o, "%scap%02d", i ? "," : "", i);
		n = (size_t)snprintf(text, sizeof(text), "%.*scaps=%.*s\n%s",
		    (int)(strstr(base_text, "caps=") - base_text), base_text, (int)(o - 6), caps,
		    strstr(base_text, "remote="));
		assert_int_equal(nbg_record_parse(text, n, &r, err, sizeof(err)), 0);
		assert_int_equal(r.ncaps, 32);
		n = (size_t)snprintf(text, sizeof(text), "%.*scaps=%s\n%s",
		    (int)(strstr(base_text, "caps=") - base_text), base_text, caps,
		    strstr(base_text, "remote="));
		assert_int_equal(nbg_record_parse(text, n, &r, err, sizeof(err)), -EINVAL);
	}
}

/* ---- the writer refuses what the reader would refuse ---- */

static void base_record(struct nbg_record *r, uint32_t sessionid)
{
	char err[256];

	assert_int_equal(nbg_record_parse(base_text, strlen(base_text), r, err, sizeof(err)), 0);
	r->sessionid = sessionid;
}

struct bad_case {
	const char *name;
	void (*spoil)(struct nbg_record *r);
};

static void spoil_sid(struct nbg_record *r) { r->sessionid = NBG_ID_UNSET; }
static void spoil_luid(struct nbg_record *r) { r->loginuid = NBG_ID_UNSET; }
static void spoil_user(struct nbg_record *r) { memset(r->user, 'a', sizeof(r->user)); }
static void spoil_role(struct nbg_record *r) { r->role[0] = '\0'; }
static void spoil_ncaps(struct nbg_record *r) { r->ncaps = 33; }
static void spoil_cap(struct nbg_record *r) { snprintf(r->caps[0], sizeof(r->caps[0]), "a b"); }
static void spoil_dupcap(struct nbg_record *r)
{
	r->ncaps = 2;
	snprintf(r->caps[1], sizeof(r->caps[1]), "show");
}
static void spoil_fp(struct nbg_record *r) { snprintf(r->key_fp, sizeof(r->key_fp), "x y"); }
static void spoil_start(struct nbg_record *r) { r->start = -5; }
static void spoil_ref(struct nbg_record *r) { snprintf(r->ref, sizeof(r->ref), "NBG-1"); }
static void spoil_pid(struct nbg_record *r) { r->pid = 0; }
static void spoil_boot(struct nbg_record *r) { r->boot_id[3] = 'X'; }
static void spoil_remote(struct nbg_record *r)
{
	snprintf(r->remote, sizeof(r->remote), "1.2.3.4\nrole=writer");
}

static const struct bad_case bad_cases[] = {
	{ "unset sessionid", spoil_sid }, { "unset loginuid", spoil_luid },
	{ "unterminated user", spoil_user }, { "empty role", spoil_role },
	{ "33 capabilities", spoil_ncaps }, { "capability with space", spoil_cap },
	{ "duplicate capability", spoil_dupcap }, { "bad fingerprint", spoil_fp },
	{ "negative start", spoil_start }, { "short ref", spoil_ref }, { "pid 0", spoil_pid },
	{ "bad boot id", spoil_boot }, { "remote with newline", spoil_remote },
};

static void test_validate_case(void **state)
{
	const struct bad_case *c = *state;
	struct nbg_record r;
	char buf[NBG_RECORD_MAX_BYTES], err[256];

	base_record(&r, 42);
	assert_int_equal(nbg_record_validate(&r, err, sizeof(err)), 0);
	c->spoil(&r);
	assert_int_equal(nbg_record_validate(&r, err, sizeof(err)), -EINVAL);
	assert_int_equal(nbg_record_format(&r, buf, sizeof(buf), err, sizeof(err)), -EINVAL);
}

static void test_format_short(void **state)
{
	struct nbg_record r;
	char buf[NBG_RECORD_MAX_BYTES], err[256];
	int n;

	(void)state;
	base_record(&r, 42);
	n = nbg_record_format(&r, buf, sizeof(buf), err, sizeof(err));
	assert_int_equal(n, (int)strlen(base_text));
	assert_string_equal(buf, base_text);
	assert_int_equal(nbg_record_format(&r, buf, (size_t)n, err, sizeof(err)), -ENOSPC);
}

/* ---- the filesystem, as root in a private mount namespace ---- */

static int fs_ready;
static char fs_why[256] = "not root: root-owned directories cannot be made";

static int fs_setup(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return 0;
	if (unshare(CLONE_NEWNS) != 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("nbg-test-run", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) {
		snprintf(fs_why, sizeof(fs_why), "private /run: %s", strerror(errno));
		return 0;
	}
	fs_ready = 1;
	return 0;
}

static void need_fs(void)
{
	if (!fs_ready) {
		print_message("skipped: %s\n", fs_why);
		skip();
	}
}

/* A fresh session directory for one test: /run/nbg-N/sessions. */
static void fresh_dir(char *dir, size_t len, char *parent, size_t plen)
{
	static int n;

	snprintf(parent, plen, "/run/nbg-%d", ++n);
	snprintf(dir, len, "%s/sessions", parent);
}

static void path_of(char *out, size_t len, const char *dir, uint32_t sid)
{
	snprintf(out, len, "%s/%u", dir, sid);
}

static void write_ok(const char *dir, uint32_t sid)
{
	struct nbg_record r;
	char err[512];

	base_record(&r, sid);
	if (nbg_record_write(dir, &r, err, sizeof(err)) != 0)
		fail_msg("write: %s", err);
}

static int read_ret(const char *dir, uint32_t sid)
{
	struct nbg_record r;
	char err[512];
	int ret = nbg_record_read(dir, sid, &r, err, sizeof(err));

	print_message("  read %s/%u: %d %s\n", dir, sid, ret, ret ? err : "");
	return ret;
}

static void test_fs_roundtrip(void **state)
{
	char dir[96], parent[64], path[128], err[256];
	struct nbg_record w, r;
	struct stat st;
	mode_t old;

	(void)state;
	need_fs();
	fresh_dir(dir, sizeof(dir), parent, sizeof(parent));
	old = umask(077);
	base_record(&w, 7);
	assert_int_equal(nbg_record_write(dir, &w, err, sizeof(err)), 0);
	umask(old);
	assert_int_equal(nbg_record_read(dir, 7, &r, err, sizeof(err)), 0);
	assert_memory_equal(&w, &r, sizeof(r));
	path_of(path, sizeof(path), dir, 7);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(stat(parent, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
}

static void test_fs_exists(void **state)
{
	char dir[96], parent[64], err[256];
	struct nbg_record w, r;

	(void)state;
	need_fs();
	fresh_dir(dir, sizeof(dir), parent, sizeof(parent));
	write_ok(dir, 9);
	base_record(&w, 9);
	snprintf(w.role, sizeof(w.role), "writer");
	assert_int_equal(nbg_record_write(dir, &w, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "already exists"));
	assert_int_equal(nbg_record_read(dir, 9, &r, err, sizeof(err)), 0);
	assert_string_equal(r.role, "reader");
}

static void test_fs_missing(void **state)
{
	char dir[96], parent[64];

	(void)state;
	need_fs();
	fresh_dir(dir, sizeof(dir), parent, sizeof(parent));
	assert_int_equal(read_ret(dir, 1), -ENOENT);	/* no directory */
	write_ok(dir, 2);
	assert_int_equal(read_ret(dir, 1), -ENOENT);	/* no file */
}

/* One tampering with the written record 5 (or its directory) per case. */
struct tamper_case {
	const char *name;
	int (*tamper)(const char *dir, const char *parent, const char *path);
	int want_read;
	int want_write;	/* writing record 6 next to it */
};

static int t_gw(const char *d, const char *p, const char *f) { (void)d; (void)p; return chmod(f, 0664); }
static int t_ow(const char *d, const char *p, const char *f) { (void)d; (void)p; return chmod(f, 0646); }
static int t_ro(const char *d, const char *p, const char *f) { (void)d; (void)p; return chmod(f, 0400); }
static int t_owner(const char *d, const char *p, const char *f) { (void)d; (void)p; return chown(f, 65534, 65534); }
static int t_dir_gw(const char *d, const char *p, const char *f) { (void)p; (void)f; return chmod(d, 0775); }
static int t_dir_sticky(const char *d, const char *p, const char *f) { (void)p; (void)f; return chmod(d, 01777); }
static int t_dir_owner(const char *d, const char *p, const char *f) { (void)p; (void)f; return chown(d, 65534, 0); }
static int t_parent_ow(const char *d, const char *p, const char *f) { (void)d; (void)f; return chmod(p, 0757); }

static int t_symlink(const char *d, const char *p, const char *f)
{
	char real[96];

	(void)d;
	snprintf(real, sizeof(real), "%s/real", p);
	return rename(f, real) != 0 ? -1 : symlink(real, f);
}

static int t_hardlink(const char *d, const char *p, const char *f)
{
	char other[96];

	(void)d;
	snprintf(other, sizeof(other), "%s/other", p);
	return link(f, other);
}

static int t_fifo(const char *d, const char *p, const char *f)
{
	(void)d;
	(void)p;
	return unlink(f) != 0 ? -1 : mkfifo(f, 0644);
}

static int t_dir_symlink(const char *d, const char *p, const char *f)
{
	char real[96];

	(void)f;
	snprintf(real, sizeof(real), "%s/real-sessions", p);
	return rename(d, real) != 0 ? -1 : symlink("real-sessions", d);
}

static int t_rename(const char *d, const char *p, const char *f)
{
	char to[96];

	(void)p;
	snprintf(to, sizeof(to), "%s/5", d);
	return rename(f, to) != 0 ? -1 : 0;	/* record 5 now holds 8's text */
}

static int t_oversize(const char *d, const char *p, const char *f)
{
	int fd = open(f, O_WRONLY | O_APPEND);
	char pad[NBG_RECORD_MAX_BYTES];
	int r;

	(void)d;
	(void)p;
	if (fd < 0)
		return -1;
	memset(pad, '#', sizeof(pad));
	r = write(fd, pad, sizeof(pad)) == (ssize_t)sizeof(pad) ? 0 : -1;
	close(fd);
	return r;
}

static int t_garbage(const char *d, const char *p, const char *f)
{
	int fd = open(f, O_WRONLY | O_APPEND);
	int r;

	(void)d;
	(void)p;
	if (fd < 0)
		return -1;
	r = write(fd, "role=writer\n", 12) == 12 ? 0 : -1;
	close(fd);
	return r;
}

static const struct tamper_case tamper_cases[] = {
	{ "file group-writable", t_gw, -EPERM, 0 },
	{ "file world-writable", t_ow, -EPERM, 0 },
	{ "file 0400 is fine", t_ro, 0, 0 },
	{ "file owned by a user", t_owner, -EPERM, 0 },
	{ "file is a symlink", t_symlink, -EPERM, 0 },
	{ "file has a second link", t_hardlink, -EPERM, 0 },
	{ "file is a FIFO", t_fifo, -EPERM, 0 },
	{ "file names another session", t_rename, -EINVAL, 0 },
	{ "file over 4 KiB", t_oversize, -EINVAL, 0 },
	{ "file with a second role line", t_garbage, -EINVAL, 0 },
	{ "directory group-writable", t_dir_gw, -EPERM, -EPERM },
	{ "directory sticky world-writable", t_dir_sticky, -EPERM, -EPERM },
	{ "directory owned by a user", t_dir_owner, -EPERM, -EPERM },
	{ "parent world-writable", t_parent_ow, -EPERM, -EPERM },
	{ "directory is a symlink", t_dir_symlink, -EPERM, -EPERM },
};

static void test_tamper_case(void **state)
{
	const struct tamper_case *c = *state;
	char dir[96], parent[64], path[128], path8[128], err[512];
	struct nbg_record w;

	need_fs();
	fresh_dir(dir, sizeof(dir), parent, sizeof(parent));
	write_ok(dir, 5);
	write_ok(dir, 8);
	assert_int_equal(read_ret(dir, 5), 0);
	path_of(path, sizeof(path), dir, 5);
	if (c->tamper == t_rename)
		path_of(path8, sizeof(path8), dir, 8);
	else
		snprintf(path8, sizeof(path8), "%s", path);
	if (c->tamper(dir, parent, path8) != 0)
		fail_msg("tampering failed: %s", strerror(errno));
	assert_int_equal(read_ret(dir, 5), c->want_read);
	base_record(&w, 6);
	assert_int_equal(nbg_record_write(dir, &w, err, sizeof(err)), c->want_write);
	if (c->want_read != 0) {
		/* and the remover leaves it alone */
		assert_int_equal(nbg_record_remove(dir, 5, "NBG-7F3A9C21D4", err, sizeof(err)),
		    c->want_read);
	}
}

static void test_fs_remove(void **state)
{
	char dir[96], parent[64], path[128], err[512];

	(void)state;
	need_fs();
	fresh_dir(dir, sizeof(dir), parent, sizeof(parent));
	write_ok(dir, 11);
	path_of(path, sizeof(path), dir, 11);
	assert_int_equal(nbg_record_remove(dir, 11, "NBG-0000000000", err, sizeof(err)), -EBUSY);
	assert_non_null(strstr(err, "another login"));
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(nbg_record_remove(dir, 11, "not-a-ref", err, sizeof(err)), -EINVAL);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(nbg_record_remove(dir, 11, "NBG-7F3A9C21D4", err, sizeof(err)), 0);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(nbg_record_remove(dir, 11, "NBG-7F3A9C21D4", err, sizeof(err)), -ENOENT);
}

static void test_fs_bad_dir(void **state)
{
	struct nbg_record r;
	char err[512];

	(void)state;
	need_fs();
	base_record(&r, 3);
	assert_int_equal(nbg_record_write("run/nbg-rel", &r, err, sizeof(err)), -EINVAL);
	assert_int_equal(nbg_record_write("/run/nbg-x/../nbg-y", &r, err, sizeof(err)), -EINVAL);
	assert_int_equal(nbg_record_read("", 3, &r, err, sizeof(err)), -EINVAL);
	assert_int_equal(nbg_record_read(NULL, 3, &r, err, sizeof(err)), -EINVAL);
	/* an invalid record creates nothing */
	base_record(&r, 3);
	r.role[0] = '\0';
	assert_int_equal(nbg_record_write("/run/nbg-invalid/sessions", &r, err, sizeof(err)),
	    -EINVAL);
	assert_int_equal(access("/run/nbg-invalid", F_OK), -1);
}

/* ---- /proc ---- */

static void test_proc(void **state)
{
	char boot[37], file[64] = "";
	uint32_t sid, luid;
	FILE *f;
	int r;

	(void)state;
	assert_int_equal(nbg_boot_id(boot), 0);
	f = fopen("/proc/sys/kernel/random/boot_id", "r");
	assert_non_null(f);
	assert_non_null(fgets(file, sizeof(file), f));
	fclose(f);
	assert_memory_equal(boot, file, 36);
	r = nbg_proc_sessionid(&sid);
	assert_true(r == 0 || r == -ENODATA);
	assert_true(r == 0 ? sid != NBG_ID_UNSET : sid == NBG_ID_UNSET);
	r = nbg_proc_loginuid(&luid);
	assert_true(r == 0 || r == -ENODATA);
	assert_true(r == 0 ? luid != NBG_ID_UNSET : luid == NBG_ID_UNSET);
}

#define NPARSE (sizeof(parse_cases) / sizeof(parse_cases[0]))
#define NBAD (sizeof(bad_cases) / sizeof(bad_cases[0]))
#define NTAMPER (sizeof(tamper_cases) / sizeof(tamper_cases[0]))

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_parse_base_values),
		cmocka_unit_test(test_parse_bytes),
		cmocka_unit_test(test_format_short),
		cmocka_unit_test(test_fs_roundtrip),
		cmocka_unit_test(test_fs_exists),
		cmocka_unit_test(test_fs_missing),
		cmocka_unit_test(test_fs_remove),
		cmocka_unit_test(test_fs_bad_dir),
		cmocka_unit_test(test_proc),
	};
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]), n = 0;
	struct CMUnitTest *t = calloc(NPARSE + NBAD + NTAMPER + nfixed, sizeof(*t));
	int r;

	if (t == NULL)
		return 1;
	for (size_t i = 0; i < NPARSE; i++, n++) {
		t[n].name = parse_cases[i].name;
		t[n].test_func = test_parse_case;
		t[n].initial_state = (void *)(uintptr_t)&parse_cases[i];
	}
	for (size_t i = 0; i < NBAD; i++, n++) {
		t[n].name = bad_cases[i].name;
		t[n].test_func = test_validate_case;
		t[n].initial_state = (void *)(uintptr_t)&bad_cases[i];
	}
	for (size_t i = 0; i < NTAMPER; i++, n++) {
		t[n].name = tamper_cases[i].name;
		t[n].test_func = test_tamper_case;
		t[n].initial_state = (void *)(uintptr_t)&tamper_cases[i];
	}
	for (size_t i = 0; i < nfixed; i++, n++)
		t[n] = fixed[i];
	r = _cmocka_run_group_tests("record", t, n, fs_setup, NULL);
	free(t);
	return r;
}
