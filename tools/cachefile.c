/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cachefile.c - atomic, durable replacement of root-owned files, their
 * previous copy, stale temporary files, the sync lock and bounded reads.
 *
 * Every operation works relative to an open directory descriptor, so a
 * path component swapped during the operation cannot redirect it, and
 * never follows a symlink in the last component.
 */
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cachefile.h"

#define TMP_TAG		".tmp."		/* ".NAME.tmp.XXXXXX" */
#define TMP_RANDOM	12
#define PREV_SUFFIX	".prev"
#define LOCK_NAME	".sync.lock"

static void cf_err(char err[NBG_CF_ERR_LEN], const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void cf_err(char err[NBG_CF_ERR_LEN], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, NBG_CF_ERR_LEN, fmt, ap);
	va_end(ap);
}

int nbg_cf_split(const char *path, char *dir, size_t dirlen, char *base, size_t baselen)
{
	const char *slash;
	size_t dl, bl;

	if (path == NULL || *path == '\0')
		return NBG_CF_ERR_ARGUMENT;
	slash = strrchr(path, '/');
	if (slash == NULL) {
		if (dirlen < 2)
			return NBG_CF_ERR_ARGUMENT;
		memcpy(dir, ".", 2);
		slash = path - 1;
	} else {
		dl = slash == path ? 1 : (size_t)(slash - path);
		if (dl >= dirlen)
			return NBG_CF_ERR_ARGUMENT;
		memcpy(dir, path, dl);
		dir[dl] = '\0';
	}
	bl = strlen(slash + 1);
	if (bl == 0 || bl >= baselen || strcmp(slash + 1, ".") == 0 ||
	    strcmp(slash + 1, "..") == 0)
		return NBG_CF_ERR_ARGUMENT;
	memcpy(base, slash + 1, bl + 1);
	return NBG_CF_OK;
}

/* The ownership and mode rules, on an open descriptor. */
static int check_owner_mode(int fd, const char *path, bool want_dir, mode_t forbidden,
    char err[NBG_CF_ERR_LEN])
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		cf_err(err, "%s: fstat: %s", path, strerror(errno));
		return NBG_CF_ERR_SYSTEM;
	}
	if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		cf_err(err, "%s: not a %s", path,
		    want_dir ? "directory" : "regular file");
		return NBG_CF_ERR_INSECURE;
	}
	if (st.st_uid != 0) {
		cf_err(err, "%s: owned by uid %u, not root (fix: chown root %s)",
		    path, (unsigned)st.st_uid, path);
		return NBG_CF_ERR_INSECURE;
	}
	if ((st.st_mode & forbidden) != 0) {
		cf_err(err, "%s: mode %04o gives access it must not "
		    "(fix: chmod %s %s)", path, (unsigned)(st.st_mode & 07777),
		    forbidden == 077 ? "go-rwx" : "go-w", path);
		return NBG_CF_ERR_INSECURE;
	}
	return NBG_CF_OK;
}

/* open(2) of a directory, never through a symlink, with a message. */
static int open_dir(const char *dir, int *fd, char err[NBG_CF_ERR_LEN])
{
	*fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd >= 0)
		return NBG_CF_OK;
	if (errno == ENOENT) {
		cf_err(err, "%s: no such directory", dir);
		return NBG_CF_ERR_NOT_FOUND;
	}
	if (errno == ELOOP || errno == ENOTDIR) {
		cf_err(err, "%s: a symlink or not a directory", dir);
		return NBG_CF_ERR_INSECURE;
	}
	cf_err(err, "%s: open: %s", dir, strerror(errno));
	return NBG_CF_ERR_SYSTEM;
}

/* mkdir -p with mode 0755 for every component this call creates. */
static int make_dirs(const char *dir, char err[NBG_CF_ERR_LEN])
{
	char buf[PATH_MAX];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(buf)) {
		cf_err(err, "%s: path too long", dir);
		return NBG_CF_ERR_ARGUMENT;
	}
	memcpy(buf, dir, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) == 0) {
			if (chmod(buf, 0755) != 0) {
				cf_err(err, "%s: chmod: %s", buf,
				    strerror(errno));
				return NBG_CF_ERR_SYSTEM;
			}
		} else if (errno != EEXIST) {
			cf_err(err, "%s: mkdir: %s", buf, strerror(errno));
			return NBG_CF_ERR_SYSTEM;
		}
		if (i < len)
			buf[i] = '/';
	}
	return NBG_CF_OK;
}

int nbg_cf_dir_prepare(const char *dir, bool create, char err[NBG_CF_ERR_LEN])
{
	int fd = -1, r;

	r = open_dir(dir, &fd, err);
	if (r == NBG_CF_ERR_NOT_FOUND && create) {
		if ((r = make_dirs(dir, err)) != NBG_CF_OK)
			goto out;
		r = open_dir(dir, &fd, err);
	}
	if (r != NBG_CF_OK)
		goto out;
	r = check_owner_mode(fd, dir, true, 022, err);
out:
	if (fd >= 0)
		close(fd);
	return r;
}

int nbg_cf_file_check(const char *path, char err[NBG_CF_ERR_LEN])
{
	int fd, r;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT) {
			cf_err(err, "%s: no such file", path);
			return NBG_CF_ERR_NOT_FOUND;
		}
		cf_err(err, "%s: %s", path,
		    errno == ELOOP ? "a symlink" : strerror(errno));
		return errno == ELOOP ? NBG_CF_ERR_INSECURE : NBG_CF_ERR_SYSTEM;
	}
	r = check_owner_mode(fd, path, false, 022, err);
	close(fd);
	return r;
}

int nbg_cf_lock(const char *dir, int *fd, char err[NBG_CF_ERR_LEN])
{
	int dfd = -1, r;

	*fd = -1;
	if ((r = open_dir(dir, &dfd, err)) != NBG_CF_OK)
		goto out;
	*fd = openat(dfd, LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*fd < 0) {
		cf_err(err, "%s/%s: open: %s", dir, LOCK_NAME, strerror(errno));
		r = NBG_CF_ERR_SYSTEM;
		goto out;
	}
	if ((r = check_owner_mode(*fd, LOCK_NAME, false, 022, err)) != NBG_CF_OK)
		goto out;
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK) {
			cf_err(err, "%s/%s: another nexusbg sync is running",
			    dir, LOCK_NAME);
			r = NBG_CF_ERR_BUSY;
		} else {
			cf_err(err, "%s/%s: flock: %s", dir, LOCK_NAME,
			    strerror(errno));
			r = NBG_CF_ERR_SYSTEM;
		}
		goto out;
	}
	r = NBG_CF_OK;
out:
	if (r != NBG_CF_OK && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	if (dfd >= 0)
		close(dfd);
	return r;
}

void nbg_cf_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* releases the flock */
}

/* ".NAME.tmp." : the prefix of every temporary file for NAME. */
static int tmp_prefix(const char *base, char *out, size_t len)
{
	int n = snprintf(out, len, ".%s%s", base, TMP_TAG);

	return n < 0 || (size_t)n >= len ? NBG_CF_ERR_ARGUMENT : NBG_CF_OK;
}

int nbg_cf_clean_stale(const char *path, unsigned *removed, char err[NBG_CF_ERR_LEN])
{
	char dir[PATH_MAX], base[NAME_MAX + 1], prefix[NAME_MAX + 1];
	struct dirent *de;
	DIR *d = NULL;
	size_t plen;
	unsigned n = 0;
	int dfd = -1, r;

	if (nbg_cf_split(path, dir, sizeof(dir), base, sizeof(base)) != NBG_CF_OK ||
	    tmp_prefix(base, prefix, sizeof(prefix)) != NBG_CF_OK) {
		cf_err(err, "%s: not a usable file path", path);
		r = NBG_CF_ERR_ARGUMENT;
		goto out;
	}
	plen = strlen(prefix);
	if ((r = open_dir(dir, &dfd, err)) != NBG_CF_OK)
		goto out;
	if ((d = fdopendir(dfd)) == NULL) {
		cf_err(err, "%s: fdopendir: %s", dir, strerror(errno));
		r = NBG_CF_ERR_SYSTEM;
		goto out;
	}
	dfd = -1;	/* owned by d now */
	for (errno = 0; (de = readdir(d)) != NULL; errno = 0) {
		if (strncmp(de->d_name, prefix, plen) != 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) != 0 && errno != ENOENT) {
			cf_err(err, "%s/%s: unlink stale temporary file: %s",
			    dir, de->d_name, strerror(errno));
			r = NBG_CF_ERR_SYSTEM;
			goto out;
		}
		n++;
	}
	if (errno != 0) {
		cf_err(err, "%s: readdir: %s", dir, strerror(errno));
		r = NBG_CF_ERR_SYSTEM;
		goto out;
	}
	r = NBG_CF_OK;
out:
	if (removed != NULL)
		*removed = n;
	if (d != NULL)
		closedir(d);
	if (dfd >= 0)
		close(dfd);
	return r;
}

static int write_all(int fd, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Create ".NAME.tmp.<random>" exclusively in dfd. */
static int create_tmp(int dfd, const char *dir, const char *base, char *name, size_t len,
    int *fd, char err[NBG_CF_ERR_LEN])
{
	static const char alnum[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char rnd[TMP_RANDOM];
	size_t plen;

	if (tmp_prefix(base, name, len) != NBG_CF_OK ||
	    (plen = strlen(name)) + TMP_RANDOM >= len) {
		cf_err(err, "%s/%s: file name too long", dir, base);
		return NBG_CF_ERR_ARGUMENT;
	}
	for (int tries = 0; tries < 64; tries++) {
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
			cf_err(err, "getrandom: %s", strerror(errno));
			return NBG_CF_ERR_SYSTEM;
		}
		for (size_t i = 0; i < TMP_RANDOM; i++)
			name[plen + i] = alnum[rnd[i] % (sizeof(alnum) - 1)];
		name[plen + TMP_RANDOM] = '\0';
		*fd = openat(dfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    0600);
		if (*fd >= 0)
			return NBG_CF_OK;
		if (errno != EEXIST)
			break;
	}
	cf_err(err, "%s/%s: create: %s", dir, name, strerror(errno));
	return NBG_CF_ERR_SYSTEM;
}

/* Set owner and mode, flush to disk. */
static int seal_tmp(int fd, const char *dir, const char *name, mode_t mode,
    char err[NBG_CF_ERR_LEN])
{
	struct stat st;

	if (fstat(fd, &st) != 0 || fchmod(fd, mode) != 0) {
		cf_err(err, "%s/%s: set mode %04o: %s", dir, name, (unsigned)mode,
		    strerror(errno));
		return NBG_CF_ERR_SYSTEM;
	}
	if (st.st_uid != 0) {
		cf_err(err, "%s/%s: created as uid %u, not root (run as root)", dir, name,
		    (unsigned)st.st_uid);
		return NBG_CF_ERR_INSECURE;
	}
	if (fsync(fd) != 0) {
		cf_err(err, "%s/%s: fsync: %s", dir, name, strerror(errno));
		return NBG_CF_ERR_SYSTEM;
	}
	return NBG_CF_OK;
}

/*
 * Make BASE.prev name the file BASE names now, without BASE ever missing:
 * hard link to a temporary name, then rename that over BASE.prev.
 */
static int keep_prev(int dfd, const char *dir, const char *base, char err[NBG_CF_ERR_LEN])
{
	char tmp[NAME_MAX + 1], prev[NAME_MAX + 1];
	int n;

	if (tmp_prefix(base, tmp, sizeof(tmp)) != NBG_CF_OK ||
	    strlen(tmp) + 4 >= sizeof(tmp) ||
	    (n = snprintf(prev, sizeof(prev), "%s%s", base, PREV_SUFFIX)) < 0 ||
	    (size_t)n >= sizeof(prev)) {
		cf_err(err, "%s/%s: file name too long", dir, base);
		return NBG_CF_ERR_ARGUMENT;
	}
	strcat(tmp, "prev");
	if (unlinkat(dfd, tmp, 0) != 0 && errno != ENOENT) {
		cf_err(err, "%s/%s: unlink: %s", dir, tmp, strerror(errno));
		return NBG_CF_ERR_SYSTEM;
	}
	if (linkat(dfd, base, dfd, tmp, 0) != 0) {
		if (errno == ENOENT)
			return NBG_CF_OK;	/* nothing to keep yet */
		cf_err(err, "%s/%s: keep the previous copy: link: %s", dir,
		    base, strerror(errno));
		return NBG_CF_ERR_SYSTEM;
	}
	if (renameat(dfd, tmp, dfd, prev) != 0) {
		cf_err(err, "%s/%s: keep the previous copy: rename: %s", dir,
		    prev, strerror(errno));
		(void)unlinkat(dfd, tmp, 0);
		return NBG_CF_ERR_SYSTEM;
	}
	return NBG_CF_OK;
}

int nbg_cf_tmp_create(struct nbg_cf_tmp *t, const char *path, char err[NBG_CF_ERR_LEN])
{
	int r;

	t->dfd = t->fd = -1;
	t->name[0] = '\0';
	if (nbg_cf_split(path, t->dir, sizeof(t->dir), t->base, sizeof(t->base)) != NBG_CF_OK) {
		cf_err(err, "%s: not a usable file path", path);
		return NBG_CF_ERR_ARGUMENT;
	}
	if ((r = open_dir(t->dir, &t->dfd, err)) != NBG_CF_OK ||
	    (r = create_tmp(t->dfd, t->dir, t->base, t->name, sizeof(t->name), &t->fd, err)) !=
	    NBG_CF_OK) {
		nbg_cf_tmp_discard(t);
		return r;
	}
	return NBG_CF_OK;
}

void nbg_cf_tmp_discard(struct nbg_cf_tmp *t)
{
	if (t->fd >= 0)
		close(t->fd);
	if (t->dfd >= 0 && t->name[0] != '\0')
		(void)unlinkat(t->dfd, t->name, 0);
	if (t->dfd >= 0)
		close(t->dfd);
	t->fd = t->dfd = -1;
	t->name[0] = '\0';
}

int nbg_cf_tmp_commit(struct nbg_cf_tmp *t, mode_t mode, unsigned flags,
    char err[NBG_CF_ERR_LEN])
{
	char path[PATH_MAX + NAME_MAX + 2];
	int r;

	snprintf(path, sizeof(path), "%s/%s", t->dir, t->base);
	if ((r = seal_tmp(t->fd, t->dir, t->name, mode, err)) != NBG_CF_OK)
		goto out;
	r = close(t->fd);
	t->fd = -1;
	if (r != 0) {
		cf_err(err, "%s/%s: close: %s", t->dir, t->name, strerror(errno));
		r = NBG_CF_ERR_SYSTEM;
		goto out;
	}
	if ((flags & NBG_CF_KEEP_PREV) != 0 &&
	    (r = keep_prev(t->dfd, t->dir, t->base, err)) != NBG_CF_OK)
		goto out;
	if (renameat(t->dfd, t->name, t->dfd, t->base) != 0) {
		cf_err(err, "%s: rename into place: %s", path, strerror(errno));
		r = NBG_CF_ERR_SYSTEM;
		goto out;
	}
	t->name[0] = '\0';
	if (fsync(t->dfd) != 0) {
		cf_err(err, "%s: replaced, but fsync of %s failed: %s "
		    "(the change may not survive a power loss)", path, t->dir, strerror(errno));
		r = NBG_CF_ERR_SYSTEM;
		goto out;
	}
	r = NBG_CF_OK;
out:
	nbg_cf_tmp_discard(t);
	return r;
}

int nbg_cf_replace(const char *path, const void *data, size_t len, mode_t mode,
    unsigned flags, char err[NBG_CF_ERR_LEN])
{
	struct nbg_cf_tmp t;
	int r;

	if ((r = nbg_cf_tmp_create(&t, path, err)) != NBG_CF_OK)
		return r;
	if (write_all(t.fd, data, len) != 0) {
		cf_err(err, "%s/%s: write: %s", t.dir, t.name, strerror(errno));
		nbg_cf_tmp_discard(&t);
		return NBG_CF_ERR_SYSTEM;
	}
	return nbg_cf_tmp_commit(&t, mode, flags, err);
}

int nbg_cf_tmp_anon(const char *path, int *fd, char err[NBG_CF_ERR_LEN])
{
	struct nbg_cf_tmp t;
	int r;

	*fd = -1;
	if ((r = nbg_cf_tmp_create(&t, path, err)) != NBG_CF_OK)
		return r;
	/*
	 * Named for a moment only (O_TMPFILE would need the file system's
	 * support): a run killed in between leaves a temporary file that
	 * nbg_cf_clean_stale() removes.
	 */
	if (unlinkat(t.dfd, t.name, 0) != 0) {
		cf_err(err, "%s/%s: unlink: %s", t.dir, t.name, strerror(errno));
		nbg_cf_tmp_discard(&t);
		return NBG_CF_ERR_SYSTEM;
	}
	t.name[0] = '\0';
	*fd = t.fd;
	t.fd = -1;
	nbg_cf_tmp_discard(&t);
	return NBG_CF_OK;
}

void nbg_cf_free_secret(char *buf, size_t len)
{
	if (buf == NULL)
		return;
	explicit_bzero(buf, len);
	free(buf);
}

static int open_for_read(const char *path, unsigned flags, int *fd, struct stat *st,
    char err[NBG_CF_ERR_LEN])
{
	mode_t forbidden = (flags & NBG_CF_READ_SECRET) != 0 ? 077 : 022;
	int r;

	*fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (*fd < 0) {
		if (errno == ENOENT) {
			cf_err(err, "%s: no such file", path);
			return NBG_CF_ERR_NOT_FOUND;
		}
		cf_err(err, "%s: open: %s", path,
		    errno == ELOOP ? "a symlink, refused" : strerror(errno));
		return errno == ELOOP ? NBG_CF_ERR_INSECURE : NBG_CF_ERR_SYSTEM;
	}
	if ((flags & (NBG_CF_READ_ROOT | NBG_CF_READ_SECRET)) != 0 &&
	    (r = check_owner_mode(*fd, path, false, forbidden, err)) != NBG_CF_OK)
		return r;
	if (fstat(*fd, st) != 0) {
		cf_err(err, "%s: fstat: %s", path, strerror(errno));
		return NBG_CF_ERR_SYSTEM;
	}
	if (!S_ISREG(st->st_mode)) {
		cf_err(err, "%s: not a regular file", path);
		return NBG_CF_ERR_INSECURE;
	}
	return NBG_CF_OK;
}

int nbg_cf_open(const char *path, size_t max, unsigned flags, int *fdp, size_t *size,
    char err[NBG_CF_ERR_LEN])
{
	struct stat st;
	int fd = -1, r;

	*fdp = -1;
	*size = 0;
	if ((r = open_for_read(path, flags, &fd, &st, err)) != NBG_CF_OK)
		goto out;
	if (st.st_size < 0 || (uintmax_t)st.st_size > (uintmax_t)max) {
		cf_err(err, "%s: %jd bytes, more than the limit of %zu", path,
		    (intmax_t)st.st_size, max);
		r = NBG_CF_ERR_TOO_LARGE;
		goto out;
	}
	*size = (size_t)st.st_size;
	*fdp = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	return r;
}

int nbg_cf_read(const char *path, size_t max, unsigned flags, char **buf, size_t *len,
    char err[NBG_CF_ERR_LEN])
{
	struct stat st;
	char *p = NULL, extra;
	size_t size = 0, got = 0;
	ssize_t n;
	int fd = -1, r;

	*buf = NULL;
	*len = 0;
	if ((r = open_for_read(path, flags, &fd, &st, err)) != NBG_CF_OK)
		goto out;
	if (st.st_size < 0 || (uintmax_t)st.st_size > (uintmax_t)max) {
		cf_err(err, "%s: %jd bytes, more than the limit of %zu", path,
		    (intmax_t)st.st_size, max);
		r = NBG_CF_ERR_TOO_LARGE;
		goto out;
	}
	size = (size_t)st.st_size;
	if ((p = malloc(size + 1)) == NULL) {
		cf_err(err, "%s: out of memory for %zu bytes", path, size);
		r = NBG_CF_ERR_SYSTEM;
		goto out;
	}
	while (got < size) {
		n = read(fd, p + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	while ((n = read(fd, &extra, 1)) < 0 && errno == EINTR)
		;
	if (got != size || n != 0) {
		cf_err(err, "%s: %s while reading", path,
		    n < 0 ? strerror(errno) : "the file changed size");
		r = NBG_CF_ERR_SYSTEM;
		goto out;
	}
	p[size] = '\0';
	*buf = p;
	*len = size;
	p = NULL;
	r = NBG_CF_OK;
out:
	if (p != NULL)
		nbg_cf_free_secret(p, size + 1);
	if (fd >= 0)
		close(fd);
	return r;
}

int nbg_cf_touch(const char *path, char err[NBG_CF_ERR_LEN])
{
	if (utimensat(AT_FDCWD, path, NULL, AT_SYMLINK_NOFOLLOW) != 0) {
		cf_err(err, "%s: set modification time: %s", path,
		    strerror(errno));
		return NBG_CF_ERR_SYSTEM;
	}
	return NBG_CF_OK;
}
