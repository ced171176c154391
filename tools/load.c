/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * load.c - loading the policy and the compiled role table for the
 * subcommands.  Linked into the nexusbg front: nothing here may need the
 * JSON loader (that is load_doc.c, for nexusbg-admin).
 */
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

void nbg_cli_open_cache(const struct nbg_policy *p, bool check_perms,
    struct nbg_table **table, struct nbg_table_state *st, char err[NBG_ERR_LEN])
{
	int64_t mtime = 0;

	err[0] = '\0';
	*table = NULL;
	memset(st, 0, sizeof(*st));
	st->status = nbg_table_open(p->role_table, check_perms ? NBG_TABLE_CHECK_PERMS : 0,
	    table, &mtime, err);
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
