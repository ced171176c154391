/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * load_doc.c - opening a role table that may be a JSON role document
 * (`explain --roles FILE`, status, sync).  Only nexusbg-admin links it: it
 * pulls in the JSON loader (policy/roledoc.c) and so json-c and OpenSSL.
 */
#include <string.h>

#include "load.h"

void nbg_cli_roledoc_opts(const struct nbg_policy *p, const char **names, size_t max,
    struct nbg_roledoc_opts *opts)
{
	size_t n = 0;

	memset(opts, 0, sizeof(*opts));
	for (size_t i = 0; i < p->nroles && n < max; i++)
		names[n++] = p->roles[i].name;
	opts->expect_fabric = p->fabric;
	opts->known_roles = names;
	opts->nknown_roles = n;
	opts->key_types = p->key_types;
}

void nbg_cli_open_table(const struct nbg_policy *p, const char *override, bool check_perms,
    struct nbg_table **table, struct nbg_table_state *st, char err[NBG_ERR_LEN])
{
	const char *names[64];
	struct nbg_roledoc_opts opts;
	int64_t mtime = 0;

	nbg_cli_roledoc_opts(p, names, sizeof(names) / sizeof(names[0]), &opts);
	/* A JSON file given on the command line may be for any fabric: decide() says so. */
	opts.expect_fabric = NULL;
	err[0] = '\0';
	*table = NULL;
	memset(st, 0, sizeof(*st));
	st->status = nbg_table_open_any(override != NULL ? override : p->role_table,
	    check_perms ? NBG_TABLE_CHECK_PERMS : 0, &opts, table, &mtime, err);
	st->table = st->status == NBG_TABLE_OK ? *table : NULL;
	st->confirmed_at = mtime;
}
