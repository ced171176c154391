/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auth_load.c - find, check and load the auth-phase plugin (auth.h).
 *
 * Where: NBG_AUTH_PLUGIN_FILE in the directory the module itself was loaded
 * from, as dladdr() reports it (libpam loads modules by absolute path), so
 * a module always gets the plugin installed with it - in the build tree,
 * under any prefix, and in the package - and never one from another build.
 * The compiled-in NBG_AUTH_PLUGIN_PATH is used only when the module's own
 * path is unknown or not absolute.  Nothing comes from the environment.
 *
 * Checks: the directory and the file must be owned by root and not writable
 * by group or others; the file must be a regular file reached without
 * following a symbolic link.  The file is then loaded through the very
 * descriptor that was checked (/proc/self/fd/N), so it cannot be swapped
 * between the check and the load, not even through a parent directory.
 * (The dynamic loader also knows objects by the name they were loaded
 * under: had another part of the process loaded some other file as
 * "/proc/self/fd/N" with the same N, the loader would hand that back; it
 * has no nbg_auth_plugin, so the login is refused - closed, never another
 * file's code.)
 *
 * RTLD_NODELETE: the plugin's pam data cleanup (the proven key) runs at
 * pam_end, after the module that loaded it may be gone; RTLD_LOCAL keeps
 * libfido2 and libcrypto out of the global scope of the application.
 */
#include <sys/stat.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"

/* Any object of the module: dladdr() names the file it was loaded from. */
static const char anchor = 0;

/* The plugin's directory and full path, from the module's own path. */
static int plugin_path(char *dir, size_t dirlen, char *path, size_t pathlen)
{
	const char *self = NBG_AUTH_PLUGIN_PATH, *slash;
	Dl_info di;
	int n;

	if (dladdr(&anchor, &di) != 0 && di.dli_fname != NULL && di.dli_fname[0] == '/')
		self = di.dli_fname;
	slash = strrchr(self, '/');
	n = snprintf(dir, dirlen, "%.*s", slash == self ? 1 : (int)(slash - self), self);
	if (n < 0 || (size_t)n >= dirlen)
		return -1;
	n = snprintf(path, pathlen, "%s%s%s", dir, slash == self ? "" : "/",
	    NBG_AUTH_PLUGIN_FILE);
	return n < 0 || (size_t)n >= pathlen ? -1 : 0;
}

/* Root-owned, not writable by group or others; else err says which. */
static int safe(const struct stat *st, const char *what, const char *name, char *err,
    size_t errlen)
{
	if (st->st_uid != 0) {
		snprintf(err, errlen, "%s%s is owned by uid %u, not root", what, name,
		    (unsigned)st->st_uid);
		return -1;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		snprintf(err, errlen, "%s%s is writable by group or others (mode %04o)", what,
		    name, (unsigned)(st->st_mode & 07777));
		return -1;
	}
	return 0;
}

const struct nbg_auth_plugin *nbg_auth_plugin_load(char *err, size_t errlen)
{
	const struct nbg_auth_plugin *p = NULL;
	char dir[PATH_MAX], path[PATH_MAX], fdpath[40];
	struct stat st;
	void *h = NULL;
	int dfd = -1, fd = -1;

	if (plugin_path(dir, sizeof(dir), path, sizeof(path)) != 0) {
		snprintf(err, errlen, "the path of %s is too long", NBG_AUTH_PLUGIN_FILE);
		return NULL;
	}
	if ((dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 || fstat(dfd, &st) != 0) {
		snprintf(err, errlen, "directory %s: %s", dir, strerror(errno));
		goto out;
	}
	if (safe(&st, "directory ", dir, err, errlen) != 0)
		goto out;
	if ((fd = openat(dfd, NBG_AUTH_PLUGIN_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY | O_NONBLOCK)) < 0) {
		snprintf(err, errlen, "%s %s", path, errno == ENOENT ? "is missing" :
		    errno == ELOOP ? "is a symbolic link" : strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", path);
		goto out;
	}
	if (safe(&st, "", path, err, errlen) != 0)
		goto out;
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	if ((h = dlopen(fdpath, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE)) == NULL) {
		const char *e = dlerror();

		snprintf(err, errlen, "cannot load %s (through %s): %s", path, fdpath,
		    e != NULL ? e : "unknown error");
		goto out;
	}
	p = dlsym(h, NBG_AUTH_PLUGIN_SYM);
	if (p == NULL) {
		snprintf(err, errlen, "%s is not a nexusbg auth plugin (no %s)", path,
		    NBG_AUTH_PLUGIN_SYM);
	} else if (p->abi != NBG_AUTH_PLUGIN_ABI) {
		snprintf(err, errlen, "%s is from another build (plugin interface %u, the "
		    "module's is %u)", path, p->abi, NBG_AUTH_PLUGIN_ABI);
		p = NULL;
	} else if (p->version == NULL || strcmp(p->version, NBG_VERSION) != 0 ||
	    p->authenticate == NULL) {
		snprintf(err, errlen, "%s is from another build (version %.32s, the module "
		    "is %s)", path, p->version != NULL ? p->version : "?", NBG_VERSION);
		p = NULL;
	}
	if (p == NULL)
		dlclose(h);	/* RTLD_NODELETE: stays mapped, but unused */
 out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	return p;
}
