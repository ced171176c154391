/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_status.c - `nexusbg status`: the cached role table as the module
 * sees it (age, serial, fabric, users per role) and what the last sync did.
 * Reads only; any user may run it.
 */
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cachefile.h"
#include "cli.h"
#include "load.h"
#include "syncstate.h"

#define MAX_ROLE_ROWS	64	/* distinct role names counted; the rest is "other" */

struct role_count {
	const char *name;
	uint32_t n;
};

struct status {
	const struct nbg_policy *p;
	struct nbg_table *t;
	enum nbg_table_open_status open;
	const char *what;		/* ok, missing, invalid, insecure, wrong-fabric */
	char err[NBG_ERR_LEN];
	int64_t now, mtime, age;
	bool stale;
	struct role_count roles[MAX_ROLE_ROWS];
	size_t nroles;
	uint32_t other, blocked;
	struct nbg_sync_state st;
	bool have_state;
	char state_err[NBG_CF_ERR_LEN];
};

static void usage(FILE *f)
{
	fprintf(f, "usage: nexusbg status [--policy FILE] [--json]\n\n"
	    "Show the cached role table (age since the control plane last confirmed it,\n"
	    "serial, fabric, generation time, users per role, blocked users) and the\n"
	    "outcome of the last sync.\n\n"
	    "  --policy FILE   the policy (default %s)\n"
	    "  --json          machine-readable output\n\n"
	    "exit: 0 the cache is usable and within max_cache_age,\n"
	    "      3 the cache is older than max_cache_age,\n"
	    "      1 the cache is missing, invalid, insecure or for another fabric,\n"
	    "      2 usage error or unusable policy\n", NBG_DEFAULT_POLICY);
}

static const char *open_str(enum nbg_table_open_status s)
{
	switch (s) {
	case NBG_TABLE_OK:
		return "ok";
	case NBG_TABLE_MISSING:
		return "missing";
	case NBG_TABLE_INSECURE:
		return "insecure";
	case NBG_TABLE_INVALID:
		return "invalid";
	}
	return "invalid";
}

/* Users per role and blocked users: one pass over the table. */
static int count_users(struct status *s)
{
	uint32_t n = nbg_table_nusers(s->t);
	struct nbg_user u;
	size_t k;

	for (uint32_t i = 0; i < n; i++) {
		if (nbg_table_user_at(s->t, i, &u, s->err) != 0)
			return -1;
		if (u.blocked)
			s->blocked++;
		for (k = 0; k < s->nroles && strcmp(s->roles[k].name, u.role) != 0; k++)
			;
		if (k == s->nroles && k < MAX_ROLE_ROWS)
			s->roles[s->nroles++].name = u.role;
		if (k < s->nroles)
			s->roles[k].n++;
		else
			s->other++;
		/* The walk touches every entry: do not keep the whole image resident. */
		if ((i + 1) % 4096 == 0)
			nbg_table_release(s->t);
	}
	return 0;
}

static void inspect(struct status *s)
{
	const char *names[64];
	struct nbg_roledoc_opts opts;
	char path[PATH_MAX], err[NBG_CF_ERR_LEN];
	int r;

	/* the policy's roles first, in policy order, even with no users */
	for (size_t i = 0; i < s->p->nroles && s->nroles < MAX_ROLE_ROWS; i++)
		s->roles[s->nroles++].name = s->p->roles[i].name;
	nbg_cli_roledoc_opts(s->p, names, sizeof(names) / sizeof(names[0]), &opts);
	opts.expect_fabric = NULL;
	s->open = nbg_table_open_any(s->p->role_table, NBG_TABLE_CHECK_PERMS, &opts, &s->t,
	    &s->mtime, s->err);
	s->what = open_str(s->open);
	if (s->open == NBG_TABLE_OK) {
		s->age = s->now - s->mtime;
		s->stale = s->age > s->p->max_cache_age;
		if (s->p->fabric != NULL && strcmp(s->p->fabric, nbg_table_fabric(s->t)) != 0) {
			s->what = "wrong-fabric";
			snprintf(s->err, sizeof(s->err), "the table is for fabric %s, this device "
			    "is in %s", nbg_table_fabric(s->t), s->p->fabric);
		} else if (count_users(s) != 0) {
			s->what = "invalid";
		}
	}
	if (nbg_state_path(s->p, path, sizeof(path)) != 0) {
		snprintf(s->state_err, sizeof(s->state_err), "cache_dir: path too long");
		return;
	}
	r = nbg_state_load(path, &s->st, err, sizeof(err));
	s->have_state = r == NBG_CF_OK;
	if (r != NBG_CF_OK)
		snprintf(s->state_err, sizeof(s->state_err), "%s", err);
}

static int exit_code(const struct status *s)
{
	if (strcmp(s->what, "ok") != 0)
		return NBG_EXIT_NO;
	return s->stale ? NBG_EXIT_UNCHANGED : NBG_EXIT_OK;
}

static const char *fmt_age(int64_t secs, char *buf, size_t len)
{
	int64_t d = secs / 86400, h = (secs % 86400) / 3600, m = (secs % 3600) / 60;

	if (secs < 0)
		snprintf(buf, len, "in the future (clock skew?)");
	else if (d > 0)
		snprintf(buf, len, "%jdd %jdh", (intmax_t)d, (intmax_t)h);
	else if (h > 0)
		snprintf(buf, len, "%jdh %jdm", (intmax_t)h, (intmax_t)m);
	else
		snprintf(buf, len, "%jdm %jds", (intmax_t)m, (intmax_t)(secs % 60));
	return buf;
}

static void print_sync_text(const struct status *s)
{
	char t1[32], t2[32];

	if (!s->have_state) {
		printf("last sync:    none recorded (%s)\n", s->state_err);
		return;
	}
	printf("last sync:    %s at %s from %s\n", nbg_sync_result_str(s->st.last_result),
	    nbg_cli_fmt_time(s->st.last_attempt > 0 ? s->st.last_attempt : INT64_MIN, t1,
	    sizeof(t1)), s->st.url[0] != '\0' ? s->st.url : "-");
	printf("last success: %s\n", nbg_cli_fmt_time(s->st.last_success > 0 ?
	    s->st.last_success : INT64_MIN, t2, sizeof(t2)));
	if (s->st.last_error[0] != '\0')
		printf("last error:   %s\n", s->st.last_error);
	if (s->st.accounts != NBG_ACCOUNTS_OFF)
		printf("accounts:     %s, %u provisioned, %u skipped\n",
		    nbg_accounts_result_str(s->st.accounts), s->st.accounts_users,
		    s->st.accounts_skipped);
	for (uint32_t i = 0; i < s->st.nnotes && i < NBG_STATE_MAX_NOTES; i++)
		printf("              %s\n", s->st.notes[i]);
	if (s->st.nnotes > NBG_STATE_MAX_NOTES)
		printf("              (%u more)\n", s->st.nnotes - NBG_STATE_MAX_NOTES);
}

static void print_text(const struct status *s)
{
	char t1[32], t2[32], age[48], lim[48];

	printf("role table:   %s\n", s->p->role_table);
	if (s->open != NBG_TABLE_OK || strcmp(s->what, "ok") != 0) {
		printf("state:        %s: %s\n", s->what, s->err);
	}
	if (s->open == NBG_TABLE_OK) {
		printf("fabric:       %s\n", nbg_table_fabric(s->t));
		printf("serial:       %ju\n", (uintmax_t)nbg_table_serial(s->t));
		printf("generated at: %s\n", nbg_cli_fmt_time(nbg_table_generated_at(s->t), t1,
		    sizeof(t1)));
		printf("confirmed at: %s (%s ago; limit %s)%s\n",
		    nbg_cli_fmt_time(s->mtime, t2, sizeof(t2)), fmt_age(s->age, age, sizeof(age)),
		    fmt_age(s->p->max_cache_age, lim, sizeof(lim)),
		    s->stale ? " STALE" : "");
		printf("users:        %u", nbg_table_nusers(s->t));
		for (size_t i = 0; i < s->nroles; i++)
			printf("%s%s %u", i == 0 ? " (" : ", ", s->roles[i].name, s->roles[i].n);
		if (s->other > 0)
			printf(", other %u", s->other);
		printf("%s, %u blocked\n", s->nroles > 0 ? ")" : "", s->blocked);
	}
	print_sync_text(s);
}

static void print_json(const struct status *s, int code)
{
	struct json_object *o = json_object_new_object(), *roles;
	char t1[32], t2[32];
	bool ok = s->open == NBG_TABLE_OK;

	if (o == NULL)
		return;
	json_object_object_add(o, "role_table", json_object_new_string(s->p->role_table));
	json_object_object_add(o, "status", json_object_new_string(s->stale &&
	    strcmp(s->what, "ok") == 0 ? "stale" : s->what));
	json_object_object_add(o, "error", strcmp(s->what, "ok") != 0 ?
	    json_object_new_string(s->err) : NULL);
	json_object_object_add(o, "fabric", ok ?
	    json_object_new_string(nbg_table_fabric(s->t)) : NULL);
	json_object_object_add(o, "serial", ok ?
	    json_object_new_uint64(nbg_table_serial(s->t)) : NULL);
	json_object_object_add(o, "generated_at", ok ? json_object_new_string(
	    nbg_cli_fmt_time(nbg_table_generated_at(s->t), t1, sizeof(t1))) : NULL);
	json_object_object_add(o, "confirmed_at", ok ? json_object_new_string(
	    nbg_cli_fmt_time(s->mtime, t2, sizeof(t2))) : NULL);
	json_object_object_add(o, "age_seconds", ok ? json_object_new_int64(s->age) : NULL);
	json_object_object_add(o, "max_cache_age", json_object_new_int64(s->p->max_cache_age));
	json_object_object_add(o, "stale", json_object_new_boolean(s->stale));
	json_object_object_add(o, "users", ok ? json_object_new_int64(nbg_table_nusers(s->t)) :
	    NULL);
	if (ok && (roles = json_object_new_object()) != NULL) {
		for (size_t i = 0; i < s->nroles; i++)
			json_object_object_add(roles, s->roles[i].name,
			    json_object_new_int64(s->roles[i].n));
		if (s->other > 0)
			json_object_object_add(roles, "(other)", json_object_new_int64(s->other));
		json_object_object_add(o, "roles", roles);
	}
	json_object_object_add(o, "blocked", ok ? json_object_new_int64(s->blocked) : NULL);
	json_object_object_add(o, "sync", s->have_state ? nbg_state_to_json(&s->st) : NULL);
	if (!s->have_state)
		json_object_object_add(o, "sync_error", json_object_new_string(s->state_err));
	json_object_object_add(o, "exit", json_object_new_int(code));
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *policy_path = NULL;
	struct nbg_policy *p = NULL;
	struct status s;
	bool json = false;
	int ch, ret = NBG_EXIT_ERROR;

	memset(&s, 0, sizeof(s));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "p:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			policy_path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return NBG_EXIT_OK;
		default:
			usage(stderr);
			return NBG_EXIT_ERROR;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return NBG_EXIT_ERROR;
	}
	if (nbg_cli_load_policy("status", policy_path, false, &p) != 0)
		goto out;
	s.p = p;
	s.now = (int64_t)time(NULL);
	inspect(&s);
	ret = exit_code(&s);
	if (json)
		print_json(&s, ret);
	else
		print_text(&s);
out:
	nbg_table_free(s.t);
	nbg_policy_free(p);
	if (fflush(stdout) != 0)
		ret = NBG_EXIT_ERROR;
	return ret;
}
