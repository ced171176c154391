/* SPDX-License-Identifier: BSD-2-Clause */
/* helper.h - where the nexusbg front finds nexusbg-admin (see helper.c). */
#ifndef NBG_HELPER_H
#define NBG_HELPER_H

#include <stddef.h>

#define NBG_HELPER_NAME "nexusbg-admin"

/*
 * The helper for a front whose executable is self (as /proc/self/exe names
 * it; NULL when unknown): the installed helper for the installed front
 * (and when self is unknown), else NBG_HELPER_NAME in self's directory.
 * Returns 0, or -1 when out (len bytes) is too small.
 */
int nbg_helper_path_for(const char *self, char *out, size_t len);

/* The same for this process. */
int nbg_helper_path(char *out, size_t len);

#endif
