/* SPDX-License-Identifier: BSD-2-Clause */
/* load.c - loading the policy and the role table for the subcommands. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "load.h"

int nbg_cli_load_policy(const char *sub, const char *path, bool quiet, struct nbg_policy **out)
{
	struct nbg_diag diag = { 0 };
	int r;

	if (path == NULL)
		path = NBG_DEFAULT_POLICY;
	r = nbg_policy_load(path, NBG_POLICY_CHECK_PERMS, out, &diag);
	if (r != 0 && !quiet) {
		nbg_cli_err(sub, "policy %s is not usable:", path);
		nbg_diag_print(stderr, &diag);
	}
	nbg_diag_free(&diag);
	return r;
}

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

int nbg_cli_parse_time(const char *s, int64_t *out)
{
	struct tm tm;
	char *end;

	if (strcmp(s, "now") == 0) {
		*out = (int64_t)time(NULL);
		return 0;
	}
	if (s[0] == '@') {
		long long v;

		if (sscanf(s + 1, "%lld", &v) != 1)
			return -1;
		*out = v;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

const char *nbg_cli_fmt_time(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t == INT64_MIN || t == INT64_MAX || gmtime_r(&tt, &tm) == NULL) {
		snprintf(buf, len, "-");
		return buf;
	}
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}
