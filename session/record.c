/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * record.c - session records (see record.h): the text format and its
 * strict parser, the trusted directory walk, the writer, the remover and
 * the trusted reader, and the /proc facts a record is bound to.
 *
 * Bytes from a record file enter in one place, read_bounded(), which reads
 * at most NBG_RECORD_MAX_BYTES + 1 bytes; everything after works on that
 * buffer with explicit lengths.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "record.h"

#define PROC_SESSIONID	"/proc/self/sessionid"
#define PROC_LOGINUID	"/proc/self/loginuid"
#define PROC_BOOT_ID	"/proc/sys/kernel/random/boot_id"

#define NAME_MAX_LEN	32	/* user, role, capability, access path, service */
#define FP_PREFIX	"SHA256:"
#define FP_B64_MAX	43	/* unpadded base64 of 32 bytes */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* -errno of the call that just failed; never 0, so a failure cannot pass for success. */
static int neg_errno(void)
{
	return errno != 0 ? -errno : -EIO;
}

/* errno of a failed call on PATH, described in err; returns -errno. */
static int sys_err(char *err, size_t errlen, const char *path, const char *call)
{
	int e = -neg_errno();

	set_err(err, errlen, "%s: %s: %s", path, call, strerror(e));
	return -e;
}

/* ---- values ------------------------------------------------------------ */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Canonical decimal (no sign, no leading zero) of at most max. */
static bool parse_dec(const char *v, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t x = 0;

	if (n == 0 || n > 19 || (n > 1 && v[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(v[i]))
			return false;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (x > max)
		return false;
	*out = x;
	return true;
}

/* A name: 1..32 of [A-Za-z0-9_.-], not starting with '-' or '.'. */
static bool valid_name(const char *s, size_t n)
{
	if (n == 0 || n > NAME_MAX_LEN || s[0] == '-' || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

bool nbg_record_valid_name(const char *s)
{
	return s != NULL && valid_name(s, strnlen(s, NAME_MAX_LEN + 1));
}

/* A login name: a name, optionally ending in '$' (as useradd allows). */
static bool valid_user(const char *s, size_t n)
{
	if (n > 1 && s[n - 1] == '$')
		n--;
	return valid_name(s, n);
}

static bool valid_optional_name(const char *s, size_t n)
{
	return n == 0 || valid_name(s, n);
}

/* A numeric address as the module writes it: "" or [0-9A-Za-z.:%_-], < 64. */
static bool valid_remote(const char *s, size_t n)
{
	if (n >= 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '.' && s[i] != ':' && s[i] != '%' &&
		    s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

/* "" or "SHA256:" and 1..43 characters of unpadded base64. */
static bool valid_fp(const char *s, size_t n)
{
	size_t p = sizeof(FP_PREFIX) - 1;

	if (n == 0)
		return true;
	if (n <= p || n > p + FP_B64_MAX || memcmp(s, FP_PREFIX, p) != 0)
		return false;
	for (size_t i = p; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '+' && s[i] != '/')
			return false;
	return true;
}

static bool is_upper_hex(char c)
{
	return is_digit(c) || (c >= 'A' && c <= 'F');
}

static bool is_lower_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

/* "NBG-" and 10 uppercase hex digits, as nbg_audit_new_ref() makes them. */
static bool valid_ref(const char *s, size_t n)
{
	if (n != 14 || memcmp(s, "NBG-", 4) != 0)
		return false;
	for (size_t i = 4; i < n; i++)
		if (!is_upper_hex(s[i]))
			return false;
	return true;
}

/* 8-4-4-4-12 lowercase hex, as the kernel prints boot_id. */
static bool valid_boot_id(const char *s, size_t n)
{
	if (n != NBG_BOOT_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !is_lower_hex(s[i]))
			return false;
	}
	return true;
}

/* ---- the struct -------------------------------------------------------- */

/* Length of a string field, or -1 when it is not terminated in its array. */
static long fixed_len(const char *s, size_t size)
{
	const char *nul = memchr(s, '\0', size);

	return nul == NULL ? -1 : (long)(nul - s);
}

#define FIELD_OK(r, f, check) \
	(fixed_len((r)->f, sizeof((r)->f)) >= 0 && \
	    check((r)->f, (size_t)fixed_len((r)->f, sizeof((r)->f))))

static int validate_caps(const struct nbg_record *r, char *err, size_t errlen)
{
	if (r->ncaps > NBG_RECORD_MAX_CAPS) {
		set_err(err, errlen, "%zu capabilities (at most %d)", r->ncaps,
		    NBG_RECORD_MAX_CAPS);
		return -EINVAL;
	}
	for (size_t i = 0; i < r->ncaps; i++) {
		if (!FIELD_OK(r, caps[i], valid_name)) {
			set_err(err, errlen, "capability %zu is not a valid name", i + 1);
			return -EINVAL;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(r->caps[i], r->caps[j]) == 0) {
				set_err(err, errlen, "capability %s is listed twice", r->caps[i]);
				return -EINVAL;
			}
	}
	return 0;
}

int nbg_record_validate(const struct nbg_record *r, char *err, size_t errlen)
{
	const char *bad = NULL;

	if (r == NULL) {
		set_err(err, errlen, "no record");
		return -EINVAL;
	}
	if (r->sessionid == NBG_ID_UNSET || r->sessionid == 0)
		bad = "sessionid (unset)";
	else if (r->loginuid == NBG_ID_UNSET)
		bad = "loginuid (unset)";
	else if (r->uid == NBG_ID_UNSET)
		bad = "uid";
	else if (!FIELD_OK(r, boot_id, valid_boot_id))
		bad = "boot_id";
	else if (!FIELD_OK(r, user, valid_user))
		bad = "user";
	else if (!FIELD_OK(r, role, valid_name))
		bad = "role";
	else if (!FIELD_OK(r, remote, valid_remote))
		bad = "remote";
	else if (!FIELD_OK(r, access_path, valid_optional_name))
		bad = "access_path";
	else if (!FIELD_OK(r, key_fp, valid_fp))
		bad = "key_fp";
	else if (r->start < 0)
		bad = "start";
	else if (!FIELD_OK(r, ref, valid_ref))
		bad = "ref";
	else if (!FIELD_OK(r, service, valid_optional_name))
		bad = "service";
	else if (r->pid <= 0)
		bad = "pid";
	if (bad != NULL) {
		set_err(err, errlen, "record of audit session %" PRIu32 ": invalid %s",
		    r->sessionid, bad);
		return -EINVAL;
	}
	return validate_caps(r, err, errlen);
}

/* ---- text -------------------------------------------------------------- */

int nbg_record_format(const struct nbg_record *r, char *buf, size_t len, char *err,
    size_t errlen)
{
	char caps[NBG_RECORD_MAX_CAPS * (NAME_MAX_LEN + 1) + 1];
	size_t off = 0;
	int n, ret;

	if ((ret = nbg_record_validate(r, err, errlen)) != 0)
		return ret;
	caps[0] = '\0';
	for (size_t i = 0; i < r->ncaps; i++)
		off += (size_t)snprintf(caps + off, sizeof(caps) - off, "%s%s", i ? "," : "",
		    r->caps[i]);
	n = snprintf(buf, len,
	    "version=%d\nsessionid=%" PRIu32 "\nuid=%" PRIu32 "\nloginuid=%" PRIu32 "\n"
	    "boot_id=%s\nuser=%s\nrole=%s\ncaps=%s\nremote=%s\naccess_path=%s\n"
	    "key_fp=%s\nfallback=%s\nstart=%" PRId64 "\nref=%s\nservice=%s\npid=%" PRId32 "\n",
	    NBG_RECORD_VERSION, r->sessionid, r->uid, r->loginuid, r->boot_id, r->user,
	    r->role, caps, r->remote, r->access_path, r->key_fp, r->fallback ? "yes" : "no",
	    r->start, r->ref, r->service, r->pid);
	if (n < 0 || (size_t)n >= len) {
		set_err(err, errlen, "record of audit session %" PRIu32 " does not fit in %zu bytes",
		    r->sessionid, len);
		return -ENOSPC;
	}
	return n;
}

static bool copy_str(char *dst, size_t size, const char *v, size_t n)
{
	if (n >= size)
		return false;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return true;
}

static bool parse_version(const char *v, size_t n, struct nbg_record *r)
{
	(void)r;
	return n == 1 && v[0] == '0' + NBG_RECORD_VERSION;
}

static bool parse_id(const char *v, size_t n, uint32_t *out)
{
	uint64_t x;

	if (!parse_dec(v, n, NBG_ID_UNSET - 1, &x))
		return false;
	*out = (uint32_t)x;
	return true;
}

/* The kernel counts audit sessions from 1. */
static bool parse_sessionid(const char *v, size_t n, struct nbg_record *r)
{
	return parse_id(v, n, &r->sessionid) && r->sessionid != 0;
}

static bool parse_uid(const char *v, size_t n, struct nbg_record *r)
{
	return parse_id(v, n, &r->uid);
}

static bool parse_loginuid(const char *v, size_t n, struct nbg_record *r)
{
	return parse_id(v, n, &r->loginuid);
}

static bool parse_start(const char *v, size_t n, struct nbg_record *r)
{
	uint64_t x;

	if (!parse_dec(v, n, INT64_MAX, &x))
		return false;
	r->start = (int64_t)x;
	return true;
}

static bool parse_pid(const char *v, size_t n, struct nbg_record *r)
{
	uint64_t x;

	if (!parse_dec(v, n, INT32_MAX, &x) || x == 0)
		return false;
	r->pid = (int32_t)x;
	return true;
}

static bool parse_fallback(const char *v, size_t n, struct nbg_record *r)
{
	if (n == 3 && memcmp(v, "yes", 3) == 0)
		r->fallback = true;
	else if (n == 2 && memcmp(v, "no", 2) == 0)
		r->fallback = false;
	else
		return false;
	return true;
}

static bool parse_caps(const char *v, size_t n, struct nbg_record *r)
{
	size_t i = 0;

	r->ncaps = 0;
	while (i < n) {
		const char *c = memchr(v + i, ',', n - i);
		size_t len = c != NULL ? (size_t)(c - (v + i)) : n - i;

		if (r->ncaps == NBG_RECORD_MAX_CAPS || !valid_name(v + i, len) ||
		    !copy_str(r->caps[r->ncaps], sizeof(r->caps[0]), v + i, len))
			return false;
		for (size_t j = 0; j < r->ncaps; j++)
			if (strcmp(r->caps[j], r->caps[r->ncaps]) == 0)
				return false;
		r->ncaps++;
		i += len;
		if (c != NULL && ++i == n)
			return false;	/* trailing comma */
	}
	return true;
}

#define STRING_PARSER(fn, member, check) \
	static bool fn(const char *v, size_t n, struct nbg_record *r) \
	{ \
		return check(v, n) && copy_str(r->member, sizeof(r->member), v, n); \
	}

STRING_PARSER(parse_boot_id, boot_id, valid_boot_id)
STRING_PARSER(parse_user, user, valid_user)
STRING_PARSER(parse_role, role, valid_name)
STRING_PARSER(parse_remote, remote, valid_remote)
STRING_PARSER(parse_access_path, access_path, valid_optional_name)
STRING_PARSER(parse_key_fp, key_fp, valid_fp)
STRING_PARSER(parse_ref, ref, valid_ref)
STRING_PARSER(parse_service, service, valid_optional_name)

static const struct {
	const char *key;
	bool (*parse)(const char *v, size_t n, struct nbg_record *r);
} keys[] = {
	{ "version", parse_version },
	{ "sessionid", parse_sessionid },
	{ "uid", parse_uid },
	{ "loginuid", parse_loginuid },
	{ "boot_id", parse_boot_id },
	{ "user", parse_user },
	{ "role", parse_role },
	{ "caps", parse_caps },
	{ "remote", parse_remote },
	{ "access_path", parse_access_path },
	{ "key_fp", parse_key_fp },
	{ "fallback", parse_fallback },
	{ "start", parse_start },
	{ "ref", parse_ref },
	{ "service", parse_service },
	{ "pid", parse_pid },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static int find_key(const char *k, size_t n)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strlen(keys[i].key) == n && memcmp(keys[i].key, k, n) == 0)
			return (int)i;
	return -1;
}

/* One "key=value" line of n bytes (without its newline). */
static int parse_line(const char *line, size_t n, unsigned line_no, uint32_t *seen,
    struct nbg_record *out, char *err, size_t errlen)
{
	const char *eq = memchr(line, '=', n);
	int k;

	if (eq == NULL) {
		set_err(err, errlen, "line %u: not key=value", line_no);
		return -EINVAL;
	}
	if ((k = find_key(line, (size_t)(eq - line))) < 0) {
		set_err(err, errlen, "line %u: unknown key", line_no);
		return -EINVAL;
	}
	if (*seen & (1u << k)) {
		set_err(err, errlen, "line %u: %s given twice", line_no, keys[k].key);
		return -EINVAL;
	}
	*seen |= 1u << k;
	if (!keys[k].parse(eq + 1, n - (size_t)(eq + 1 - line), out)) {
		set_err(err, errlen, "line %u: invalid %s", line_no, keys[k].key);
		return -EINVAL;
	}
	return 0;
}

int nbg_record_parse(const char *buf, size_t len, struct nbg_record *out, char *err,
    size_t errlen)
{
	uint32_t seen = 0;
	unsigned line_no = 0;
	size_t off = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	if (len > NBG_RECORD_MAX_BYTES) {
		set_err(err, errlen, "%zu bytes (at most %d)", len, NBG_RECORD_MAX_BYTES);
		return -EINVAL;
	}
	if (memchr(buf, '\0', len) != NULL) {
		set_err(err, errlen, "contains a NUL byte");
		return -EINVAL;
	}
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);

		line_no++;
		if (nl == NULL) {
			set_err(err, errlen, "line %u: no final newline", line_no);
			return -EINVAL;
		}
		ret = parse_line(buf + off, (size_t)(nl - (buf + off)), line_no, &seen, out, err,
		    errlen);
		if (ret != 0)
			return ret;
		off = (size_t)(nl - buf) + 1;
	}
	for (size_t i = 0; i < NKEYS; i++)
		if (!(seen & (1u << i))) {
			set_err(err, errlen, "%s missing", keys[i].key);
			return -EINVAL;
		}
	return 0;
}

/* ---- the directory ----------------------------------------------------- */

/* A directory we may trust: root-owned, not writable by group or others. */
static int check_dir(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return sys_err(err, errlen, path, "fstat");
	if (!S_ISDIR(st.st_mode)) {
		set_err(err, errlen, "%s: not a directory", path);
		return -EPERM;
	}
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		set_err(err, errlen, "%s: not trusted (owner uid %u, mode %04o): must be "
		    "root-owned and not writable by group or others", path,
		    (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/* Open (or with create, make 0755) component NAME of the walk at PARENT. */
static int open_component(int parent, const char *name, const char *path, bool create,
    char *err, size_t errlen)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	bool made = false;
	int fd, ret;

	if ((fd = openat(parent, name, flags)) < 0 && errno == ENOENT && create) {
		if (mkdirat(parent, name, 0755) == 0)
			made = true;
		else if (errno != EEXIST)
			return sys_err(err, errlen, path, "mkdir");
		fd = openat(parent, name, flags);
	}
	if (fd < 0) {
		if (errno != ELOOP && errno != ENOTDIR)
			return sys_err(err, errlen, path, "open");
		set_err(err, errlen, "%s: a symbolic link or not a directory", path);
		return -EPERM;
	}
	if (made && fchmod(fd, 0755) != 0) {	/* whatever the umask */
		ret = sys_err(err, errlen, path, "chmod");
		close(fd);
		return ret;
	}
	return fd;
}

/*
 * Walk DIR from "/" one component at a time, never following a symbolic
 * link, checking every directory on the way.  Returns an fd or -errno.
 */
static int open_trusted_dir(const char *dir, bool create, char *err, size_t errlen)
{
	char path[PATH_MAX], walked[PATH_MAX];
	char *comp, *save = NULL;
	int fd, nfd, ret;

	if (dir == NULL || dir[0] != '/' || strlen(dir) >= sizeof(path)) {
		set_err(err, errlen, "session directory '%s' is not an absolute path",
		    dir != NULL ? dir : "(null)");
		return -EINVAL;
	}
	memcpy(path, dir, strlen(dir) + 1);
	snprintf(walked, sizeof(walked), "/");
	if ((fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return sys_err(err, errlen, "/", "open");
	if ((ret = check_dir(fd, walked, err, errlen)) != 0)
		goto fail;
	for (comp = strtok_r(path, "/", &save); comp != NULL; comp = strtok_r(NULL, "/", &save)) {
		size_t wl = strlen(walked);

		snprintf(walked + wl, sizeof(walked) - wl, "%s%s", wl > 1 ? "/" : "", comp);
		if (strcmp(comp, ".") == 0 || strcmp(comp, "..") == 0) {
			set_err(err, errlen, "%s: '.' and '..' are not allowed", dir);
			ret = -EINVAL;
			goto fail;
		}
		if ((nfd = open_component(fd, comp, walked, create, err, errlen)) < 0) {
			ret = nfd;
			goto fail;
		}
		close(fd);
		fd = nfd;
		if ((ret = check_dir(fd, walked, err, errlen)) != 0)
			goto fail;
	}
	return fd;
fail:
	close(fd);
	return ret;
}

/* ---- the file ---------------------------------------------------------- */

static void record_name(uint32_t sessionid, char name[16])
{
	snprintf(name, 16, "%" PRIu32, sessionid);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return neg_errno();
		if (n == 0)
			return -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int nbg_record_write(const char *dir, const struct nbg_record *r, char *err, size_t errlen)
{
	char buf[NBG_RECORD_MAX_BYTES], name[16];
	int dfd = -1, fd = -1, ret, len;

	set_err(err, errlen, "no error");
	if ((len = nbg_record_format(r, buf, sizeof(buf), err, errlen)) < 0) {
		ret = len;
		goto out;
	}
	if ((dfd = open_trusted_dir(dir, true, err, errlen)) < 0) {
		ret = dfd;
		goto out;
	}
	record_name(r->sessionid, name);
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = neg_errno();
		set_err(err, errlen, "%s/%s (user %s): %s", dir, name, r->user,
		    ret == -EEXIST ? "a record for this audit session already exists" :
		    strerror(-ret));
		goto out;
	}
	ret = fchmod(fd, 0644) == 0 ? 0 : neg_errno();
	if (ret == 0)
		ret = write_all(fd, buf, (size_t)len);
	if (ret == 0 && fsync(fd) != 0)
		ret = neg_errno();
	if (close(fd) != 0 && ret == 0)
		ret = neg_errno();
	fd = -1;
	if (ret != 0) {
		set_err(err, errlen, "%s/%s (user %s): write: %s; removed", dir, name, r->user,
		    strerror(-ret));
		(void)unlinkat(dfd, name, 0);
	}
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	return ret;
}

/* Where bytes enter: at most NBG_RECORD_MAX_BYTES + 1 of them. */
static int read_bounded(int fd, char *buf, size_t cap, size_t *len)
{
	size_t off = 0;

	while (off < cap) {
		ssize_t n = read(fd, buf + off, cap - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return neg_errno();
		if (n == 0)
			break;
		off += (size_t)n;
	}
	*len = off;
	return 0;
}

/* The file is what the writer made: regular, root's, 0644-like, one link. */
static int check_file(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return sys_err(err, errlen, path, "fstat");
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 ||
	    st.st_nlink != 1) {
		set_err(err, errlen, "%s: not trusted (%s, owner uid %u, mode %04o, %ju links)",
		    path, S_ISREG(st.st_mode) ? "regular" : "not a regular file",
		    (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), (uintmax_t)st.st_nlink);
		return -EPERM;
	}
	if (st.st_size > NBG_RECORD_MAX_BYTES) {
		set_err(err, errlen, "%s: %jd bytes (at most %d)", path, (intmax_t)st.st_size,
		    NBG_RECORD_MAX_BYTES);
		return -EINVAL;
	}
	return 0;
}

static int read_at(int dfd, const char *dir, uint32_t sessionid, struct nbg_record *out,
    char *err, size_t errlen)
{
	char buf[NBG_RECORD_MAX_BYTES + 1], name[16], path[PATH_MAX], why[160];
	size_t len = 0;
	int fd, ret;

	record_name(sessionid, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			set_err(err, errlen, "%s: no record for this audit session", path);
			return -ENOENT;
		}
		if (errno == ELOOP) {
			set_err(err, errlen, "%s: a symbolic link", path);
			return -EPERM;
		}
		return sys_err(err, errlen, path, "open");
	}
	if ((ret = check_file(fd, path, err, errlen)) != 0)
		goto out;
	if ((ret = read_bounded(fd, buf, sizeof(buf), &len)) != 0) {
		set_err(err, errlen, "%s: read: %s", path, strerror(-ret));
		goto out;
	}
	if ((ret = nbg_record_parse(buf, len, out, why, sizeof(why))) != 0) {
		set_err(err, errlen, "%s: malformed: %s", path, why);
		goto out;
	}
	if (out->sessionid != sessionid) {
		set_err(err, errlen, "%s: record names audit session %" PRIu32, path,
		    out->sessionid);
		ret = -EINVAL;
	}
out:
	close(fd);
	if (ret != 0)
		memset(out, 0, sizeof(*out));
	return ret;
}

int nbg_record_read(const char *dir, uint32_t sessionid, struct nbg_record *out, char *err,
    size_t errlen)
{
	int dfd, ret;

	memset(out, 0, sizeof(*out));
	set_err(err, errlen, "no error");
	if ((dfd = open_trusted_dir(dir, false, err, errlen)) < 0)
		return dfd;
	ret = read_at(dfd, dir, sessionid, out, err, errlen);
	close(dfd);
	return ret;
}

int nbg_record_remove(const char *dir, uint32_t sessionid, const char *ref, char *err,
    size_t errlen)
{
	struct nbg_record rec;
	char name[16];
	int dfd, ret;

	set_err(err, errlen, "no error");
	if (ref == NULL || !valid_ref(ref, strlen(ref))) {
		set_err(err, errlen, "record of audit session %" PRIu32 ": invalid reference",
		    sessionid);
		return -EINVAL;
	}
	if ((dfd = open_trusted_dir(dir, false, err, errlen)) < 0)
		return dfd;
	if ((ret = read_at(dfd, dir, sessionid, &rec, err, errlen)) != 0)
		goto out;
	record_name(sessionid, name);
	if (strcmp(rec.ref, ref) != 0) {
		set_err(err, errlen, "%s/%s belongs to another login (user %s, reference %s), "
		    "not %s: left in place", dir, name, rec.user, rec.ref, ref);
		ret = -EBUSY;
		goto out;
	}
	if (unlinkat(dfd, name, 0) != 0) {
		ret = neg_errno();
		set_err(err, errlen, "%s/%s (user %s): unlink: %s", dir, name, rec.user,
		    strerror(-ret));
	}
out:
	close(dfd);
	return ret;
}

/* ---- /proc ------------------------------------------------------------- */

/* A small /proc file without its trailing newline, NUL-terminated. */
static int read_proc(const char *path, char *buf, size_t cap)
{
	size_t len = 0;
	int fd, ret;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return neg_errno();
	ret = read_bounded(fd, buf, cap - 1, &len);
	close(fd);
	if (ret != 0)
		return ret;
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	return (int)len;
}

static int proc_id(const char *path, uint32_t *out)
{
	char buf[16] = "";
	uint64_t x;
	int n;

	*out = NBG_ID_UNSET;
	if ((n = read_proc(path, buf, sizeof(buf))) < 0)
		return n;
	if (!parse_dec(buf, (size_t)n, NBG_ID_UNSET, &x))
		return -EINVAL;
	if (x == NBG_ID_UNSET)
		return -ENODATA;
	*out = (uint32_t)x;
	return 0;
}

int nbg_proc_sessionid(uint32_t *out)
{
	return proc_id(PROC_SESSIONID, out);
}

int nbg_proc_loginuid(uint32_t *out)
{
	return proc_id(PROC_LOGINUID, out);
}

int nbg_boot_id(char out[37])
{
	char buf[64] = "";
	int n;

	out[0] = '\0';
	if ((n = read_proc(PROC_BOOT_ID, buf, sizeof(buf))) < 0)
		return n;
	if (!valid_boot_id(buf, (size_t)n))
		return -EINVAL;
	memcpy(out, buf, NBG_BOOT_ID_LEN + 1);
	return 0;
}
