/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy_file.c - policy files on disk: opening them safely, reading them
 * whole (bounded), and Include.
 *
 * With NBG_POLICY_CHECK_PERMS a file is opened relative to its directory
 * (so the directory checked is the one the file is read from), without
 * following a symbolic link, and both must be owned by root and not
 * writable by group or others, as sshd's StrictModes wants of its files.
 * Any file that is not a regular file is refused, with or without the flag.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy_int.h"

const char *nbgp_add_file(struct nbgp *ps, const char *path)
{
	struct nbg_policy *p = ps->p;
	const char *r = NULL;
	char **v, *s;

	if ((s = strdup(path)) == NULL)
		goto out;
	if ((v = reallocarray(p->files, p->nfiles + 1, sizeof(*v))) == NULL)
		goto out;
	p->files = v;
	p->files[p->nfiles++] = s;
	r = s;
	s = NULL;
 out:
	if (r == NULL)
		ps->oom = true;
	free(s);
	return r;
}

static const char *errstr(int err, char *buf, size_t len)
{
	return strerror_r(err, buf, len);
}

/* Directory part of PATH ("." when it has none), malloc'd; *base its last part. */
static char *split_path(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		*base = path;
		return strdup(".");
	}
	*base = slash + 1;
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* Root-owned, not writable by group or others; reports what is wrong. */
static bool owner_mode_ok(struct nbgp *ps, const struct nbg_origin *at, const char *what,
    const char *name, const struct stat *st)
{
	struct nbg_diag_entry *e;
	bool ok = true;

	if (st->st_uid != 0) {
		e = nbgp_error(ps, at, "%s%s is owned by uid %lu, not root", what, name,
		    (unsigned long)st->st_uid);
		nbgp_hint(ps, e, "chown root %s", name);
		ok = false;
	}
	if ((st->st_mode & 022) != 0) {
		e = nbgp_error(ps, at, "%s%s is writable by %s (mode %04o)", what, name,
		    (st->st_mode & 022) == 022 ? "group and others" :
		    (st->st_mode & 020) != 0 ? "group" : "others",
		    (unsigned)(st->st_mode & 07777));
		nbgp_hint(ps, e, "chmod go-w %s", name);
		ok = false;
	}
	return ok;
}

/* Open PATH for reading; with the perms flag, check its directory first. */
static int open_file(struct nbgp *ps, const struct nbg_origin *at, const char *path)
{
	const int oflags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	struct nbg_diag_entry *e;
	struct stat st;
	const char *base;
	char *dir = NULL, eb[128];
	int dfd = -1, fd = -1;

	if ((ps->flags & NBG_POLICY_CHECK_PERMS) == 0) {
		if ((fd = open(path, oflags)) < 0)
			nbgp_error(ps, at, "cannot open: %s", errstr(errno, eb, sizeof(eb)));
		goto out;
	}
	if ((dir = split_path(path, &base)) == NULL) {
		ps->oom = true;
		goto out;
	}
	if ((dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 || fstat(dfd, &st) != 0) {
		nbgp_error(ps, at, "cannot open directory %s: %s", dir,
		    errstr(errno, eb, sizeof(eb)));
		goto out;
	}
	(void)owner_mode_ok(ps, at, "directory ", dir, &st);
	if ((fd = openat(dfd, base, oflags | O_NOFOLLOW)) >= 0)
		goto out;
	if (errno == ELOOP) {
		e = nbgp_error(ps, at, "is a symbolic link; policy files must not be links");
		nbgp_hint(ps, e, "replace the link with the file it points to");
	} else
		nbgp_error(ps, at, "cannot open: %s", errstr(errno, eb, sizeof(eb)));
 out:
	if (dfd >= 0)
		close(dfd);
	free(dir);
	return fd;
}

/*
 * Read the whole of FD (at most NBG_POLICY_MAX_BYTES) into *bufp.  size is
 * what fstat() said: the buffer starts that big (a policy is a few KiB;
 * reserving the largest allowed file would map and unmap 256 KiB for every
 * `nexusbg keys`) and grows if the file grew meanwhile.
 */
static int read_all(struct nbgp *ps, const struct nbg_origin *at, int fd, off_t size,
    char **bufp, size_t *lenp)
{
	char *buf = NULL, *nb, eb[128];
	size_t len = 0, cap;
	ssize_t n;
	int r = -1;

	cap = size > 0 && size < NBG_POLICY_MAX_BYTES ? (size_t)size + 1 : NBG_POLICY_MAX_BYTES + 1;
	if ((buf = malloc(cap)) == NULL) {
		ps->oom = true;
		goto out;
	}
	for (;;) {
		if (len == cap) {	/* the file grew since fstat() */
			if ((nb = realloc(buf, NBG_POLICY_MAX_BYTES + 1)) == NULL) {
				ps->oom = true;
				goto out;
			}
			buf = nb;
			cap = NBG_POLICY_MAX_BYTES + 1;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			nbgp_error(ps, at, "read error: %s", errstr(errno, eb, sizeof(eb)));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > NBG_POLICY_MAX_BYTES) {
			nbgp_error(ps, at, "file is too large (more than %d bytes)",
			    NBG_POLICY_MAX_BYTES);
			goto out;
		}
	}
	*bufp = buf;
	*lenp = len;
	buf = NULL;
	r = 0;
 out:
	free(buf);
	return r;
}

/*
 * Open and read one policy file.  Returns 0 with the contents, or -1 when
 * it cannot be read at all.  Ownership and mode problems are reported but
 * the file is still read, so one run of `policy check` shows every problem.
 */
static int load_file(struct nbgp *ps, const char *path, char **bufp, size_t *lenp,
    struct nbgp_file_id *id)
{
	struct nbg_origin at = { path, 0 };
	struct stat st;
	char eb[128];
	int fd, r = -1;

	if ((fd = open_file(ps, &at, path)) < 0)
		goto out;
	if (fstat(fd, &st) != 0) {
		nbgp_error(ps, &at, "cannot stat: %s", errstr(errno, eb, sizeof(eb)));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		nbgp_error(ps, &at, "not a regular file");
		goto out;
	}
	if ((ps->flags & NBG_POLICY_CHECK_PERMS) != 0)
		(void)owner_mode_ok(ps, &at, "", path, &st);
	if (st.st_size > NBG_POLICY_MAX_BYTES) {
		nbgp_error(ps, &at, "file is too large (%lld bytes; at most %d)",
		    (long long)st.st_size, NBG_POLICY_MAX_BYTES);
		goto out;
	}
	if (read_all(ps, &at, fd, st.st_size, bufp, lenp) != 0)
		goto out;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	r = 0;
 out:
	if (fd >= 0)
		close(fd);
	return r;
}

void nbgp_read_file(struct nbgp *ps, const char *path, const struct nbg_origin *from)
{
	struct nbgp_file_id id;
	struct nbg_diag_entry *e;
	const char *file = path;
	char *buf = NULL;
	size_t len = 0, i;

	ps->nopened++;
	if (load_file(ps, path, &buf, &len, &id) != 0)
		goto out;
	for (i = 0; i < ps->nstack; i++) {
		if (ps->stack[i].dev == id.dev && ps->stack[i].ino == id.ino) {
			e = nbgp_error(ps, from, "Include cycle: %s is already being read", path);
			nbgp_hint(ps, e, "a policy file must not include itself, directly or "
			    "through another file");
			goto out;
		}
	}
	if (ps->nstack >= sizeof(ps->stack) / sizeof(ps->stack[0])) {
		nbgp_error(ps, from, "Include nested too deeply (at most %d levels)",
		    NBG_INCLUDE_DEPTH);
		goto out;
	}
	if (from != NULL && (file = nbgp_add_file(ps, path)) == NULL)
		goto out;
	ps->stack[ps->nstack++] = id;
	nbgp_parse_text(ps, file, buf, len);
	ps->nstack--;
 out:
	free(buf);
}

/* Escape glob(3) metacharacters in a directory name used as a pattern prefix. */
static char *glob_escape(const char *s)
{
	size_t i, n = 0;
	char *out;

	if ((out = malloc(strlen(s) * 2 + 1)) == NULL)
		return NULL;
	for (i = 0; s[i] != '\0'; i++) {
		if (strchr("*?[]\\", s[i]) != NULL)
			out[n++] = '\\';
		out[n++] = s[i];
	}
	out[n] = '\0';
	return out;
}

/* A relative pattern is relative to the directory of the including file. */
static char *resolve_pattern(const char *including, const char *pattern)
{
	const char *base;
	char *dir = NULL, *edir = NULL, *full = NULL;

	if (pattern[0] == '/' || strchr(including, '/') == NULL)
		return strdup(pattern);
	if ((dir = split_path(including, &base)) == NULL ||
	    (edir = glob_escape(dir)) == NULL)
		goto out;
	if (asprintf(&full, "%s%s%s", edir, strcmp(dir, "/") == 0 ? "" : "/", pattern) < 0)
		full = NULL;
 out:
	free(dir);
	free(edir);
	return full;
}

/* Missing directories are "no match"; any other unreadable one aborts. */
static int glob_error(const char *epath, int eerrno)
{
	(void)epath;
	return eerrno != ENOENT && eerrno != ENOTDIR;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void nbgp_include(struct nbgp *ps, const struct nbg_origin *o, const char *pattern)
{
	struct nbg_diag_entry *e;
	glob_t g;
	char *full = NULL;
	bool have_glob = false;
	size_t i;
	int r;

	if (ps->from_buffer) {
		nbgp_error(ps, o, "Include is not allowed in a policy read from memory");
		goto out;
	}
	if (ps->depth >= NBG_INCLUDE_DEPTH) {
		e = nbgp_error(ps, o, "Include nested too deeply (at most %d levels)",
		    NBG_INCLUDE_DEPTH);
		nbgp_hint(ps, e, "include the drop-in files from the main policy file");
		goto out;
	}
	if ((full = resolve_pattern(o->file, pattern)) == NULL) {
		ps->oom = true;
		goto out;
	}
	memset(&g, 0, sizeof(g));
	r = glob(full, GLOB_NOSORT, glob_error, &g);
	have_glob = true;
	if (r == GLOB_NOMATCH)
		goto out;
	if (r == GLOB_NOSPACE) {
		ps->oom = true;
		goto out;
	}
	if (r != 0) {
		nbgp_error(ps, o, "Include %s: a directory of the pattern cannot be read", full);
		goto out;
	}
	qsort(g.gl_pathv, g.gl_pathc, sizeof(*g.gl_pathv), cmp_str);
	ps->depth++;
	for (i = 0; i < g.gl_pathc; i++) {
		if (ps->nopened >= NBG_POLICY_MAX_FILES) {
			if (!ps->too_many_files)
				nbgp_error(ps, o, "too many policy files (at most %d)",
				    NBG_POLICY_MAX_FILES);
			ps->too_many_files = true;
			break;
		}
		nbgp_read_file(ps, g.gl_pathv[i], o);
	}
	ps->depth--;
 out:
	if (have_glob)
		globfree(&g);
	free(full);
}
