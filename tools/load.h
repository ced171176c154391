/* SPDX-License-Identifier: BSD-2-Clause */
/* load.h - loading the policy and the role table for the subcommands. */
#ifndef NBG_LOAD_H
#define NBG_LOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "decide.h"
#include "policy.h"
#include "roletable.h"

/*
 * Load the policy at path (NULL = the default), checking ownership and
 * modes as the module does.  On error prints every diagnostic (unless
 * quiet) and returns -1.
 */
int nbg_cli_load_policy(const char *sub, const char *path, bool quiet, struct nbg_policy **out);

/*
 * Open the compiled role table named by the policy into st, as the module
 * does (a JSON document is refused); *table owns the handle (free with
 * nbg_table_free).  err receives the opener's message.  Never fails: the
 * status says what was found.
 */
void nbg_cli_open_cache(const struct nbg_policy *p, bool check_perms,
    struct nbg_table **table, struct nbg_table_state *st, char err[NBG_ERR_LEN]);

/*
 * The same for the table named by the policy or override (e.g. a JSON file
 * given on the command line), which may be a JSON role document.  In
 * load_doc.c: it links the JSON loader.
 */
void nbg_cli_open_table(const struct nbg_policy *p, const char *override, bool check_perms,
    struct nbg_table **table, struct nbg_table_state *st, char err[NBG_ERR_LEN]);

/* The role names of a policy as an array for nbg_roledoc_opts (static storage-free).
 * In load_doc.c. */
void nbg_cli_roledoc_opts(const struct nbg_policy *p, const char **names, size_t max,
    struct nbg_roledoc_opts *opts);

/* Parse "2026-11-21T10:00:00Z" or "@EPOCH" or "now". */
int nbg_cli_parse_time(const char *s, int64_t *out);
/* Format epoch as "YYYY-MM-DDTHH:MM:SSZ". */
const char *nbg_cli_fmt_time(int64_t t, char *buf, size_t len);

#endif
