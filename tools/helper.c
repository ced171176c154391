/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helper.c - where the nexusbg front finds nexusbg-admin.
 *
 * The installed front (NBG_INSTALLED_FRONT, bindir/nexusbg, compiled in)
 * runs the installed helper (NBG_INSTALLED_HELPER, libexecdir/nexusbg/
 * nexusbg-admin).  Any other copy of the front, such as the one in the
 * build tree, runs the nexusbg-admin next to its own executable.  The
 * executable is what the kernel says it is (/proc/self/exe), never argv[0]
 * or the environment: the front runs with a file capability.  Whatever it
 * runs does not inherit that capability (exec of a file without file
 * capabilities clears it), so the helper has no more rights than its caller.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"

/* The kernel names an executable that was removed (a package upgrade) so. */
#define DELETED_SUFFIX " (deleted)"

static int copy(char *out, size_t len, const char *s)
{
	int n = snprintf(out, len, "%s", s);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int nbg_helper_path_for(const char *self, char *out, size_t len)
{
	size_t n, dir;
	int r;

	if (self == NULL || self[0] != '/')
		return copy(out, len, NBG_INSTALLED_HELPER);
	n = strlen(self);
	if (n > strlen(DELETED_SUFFIX) &&
	    strcmp(self + n - strlen(DELETED_SUFFIX), DELETED_SUFFIX) == 0)
		n -= strlen(DELETED_SUFFIX);
	if (n == strlen(NBG_INSTALLED_FRONT) && memcmp(self, NBG_INSTALLED_FRONT, n) == 0)
		return copy(out, len, NBG_INSTALLED_HELPER);
	dir = (size_t)(strrchr(self, '/') - self);
	r = snprintf(out, len, "%.*s/%s", (int)dir, self, NBG_HELPER_NAME);
	return r < 0 || (size_t)r >= len ? -1 : 0;
}

int nbg_helper_path(char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0 || n >= (ssize_t)sizeof(self) - 1)	/* unreadable or cut */
		return nbg_helper_path_for(NULL, out, len);
	self[n] = '\0';
	return nbg_helper_path_for(self, out, len);
}
