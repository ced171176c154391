/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_explain.c - `nexusbg explain`: run decide() on the facts an admin
 * gives and print the verdict, the reason, and the policy line or role
 * table entry that decided it.  The module calls the same decide().
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "decide.h"
#include "load.h"

static void usage(FILE *f)
{
	fprintf(f,
	    "usage: nexusbg explain --user USER [--from ADDR] [--to LOCALADDR]\n"
	    "                       [--key FILE | --auth-info STRING] [--service NAME]\n"
	    "                       [--phase account|session] [--uid UID] [--at TIME]\n"
	    "                       [--policy FILE] [--roles FILE] [--json]\n\n"
	    "Print the decision pam_nexusbg would take for one login and why.\n\n"
	    "  --user USER        the login name\n"
	    "  --from ADDR        the remote address (none: a local login)\n"
	    "  --to LOCALADDR     the local address the login arrived on (access path)\n"
	    "  --key FILE         the public key used (authorized_keys form); implies\n"
	    "                     --phase session\n"
	    "  --auth-info STRING what sshd puts into SSH_AUTH_INFO_0, e.g.\n"
	    "                     \"publickey sk-ssh-ed25519@openssh.com AAAA...\"\n"
	    "  --service NAME     the PAM service (default sshd)\n"
	    "  --phase PHASE      account (default without a key) or session\n"
	    "  --uid UID          the account's uid (default: looked up; -1: unknown)\n"
	    "  --at TIME          decide at TIME: 2026-11-21T10:00:00Z, @EPOCH or now\n"
	    "  --policy FILE      the policy (default %s)\n"
	    "  --roles FILE       a role table to use instead of the policy's:\n"
	    "                     a compiled cache or a JSON document\n"
	    "  --json             machine-readable output\n\n"
	    "exit: 0 allowed, 1 denied (or ignored: not this module's user), 2 error\n",
	    NBG_DEFAULT_POLICY);
}

static const char *action_str(enum nbg_action a)
{
	switch (a) {
	case NBG_ACT_ALLOW:
		return "ALLOW";
	case NBG_ACT_DENY:
		return "DENY";
	case NBG_ACT_DENY_UNKNOWN:
		return "DENY";
	case NBG_ACT_IGNORE:
		return "IGNORE";
	case NBG_ACT_UNAVAILABLE:
		return "DENY";
	}
	return "DENY";
}

static const char *action_pam(enum nbg_action a)
{
	switch (a) {
	case NBG_ACT_ALLOW:
		return "PAM_SUCCESS";
	case NBG_ACT_DENY:
		return "PAM_PERM_DENIED";
	case NBG_ACT_DENY_UNKNOWN:
		return "PAM_USER_UNKNOWN";
	case NBG_ACT_IGNORE:
		return "PAM_IGNORE";
	case NBG_ACT_UNAVAILABLE:
		return "PAM_AUTHINFO_UNAVAIL";
	}
	return "PAM_PERM_DENIED";
}

/* Read a public key file into "publickey TYPE BASE64". */
static char *auth_info_from_keyfile(const char *path)
{
	char line[4096], *out = NULL;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		nbg_cli_err("explain", "%s: %s", path, strerror(errno));
		return NULL;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char type[128], b64[3072];

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%127s %3071s", type, b64) != 2)
			break;
		if (asprintf(&out, "publickey %s %s", type, b64) < 0)
			out = NULL;
		break;
	}
	fclose(f);
	if (out == NULL)
		nbg_cli_err("explain", "%s: no public key line", path);
	return out;
}

static void caps_str(const struct nbg_role *r, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->ncaps && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " " : "", r->caps[i]);
}

static void one_origin(const struct nbg_origin *o, char *buf, size_t len)
{
	if (o->line > 0)
		snprintf(buf, len, "%s:%u", o->file, o->line);
	else
		snprintf(buf, len, "built-in default");
}

/* What decided: the role-table entry and/or the policy line(s). */
static void origin_str(const struct nbg_verdict *v, char *buf, size_t len)
{
	char a[160] = "", b[160] = "";
	size_t off = 0;

	if (v->by_table_entry && v->have_user)
		off += (size_t)snprintf(buf, len, "role table entry users[%u] (%s)", v->user.index,
		    v->user.name);
	if (v->origin.line > 0 || !v->by_table_entry) {
		one_origin(&v->origin, a, sizeof(a));
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s %s",
		    off ? "; " : "", v->action == NBG_ACT_ALLOW && v->role != NULL ?
		    "role defined at" : "policy", a);
	}
	if (v->source_origin.line > 0 && off < len) {
		one_origin(&v->source_origin, b, sizeof(b));
		snprintf(buf + off, len - off, "%ssource trusted by %s", off ? "; " : "", b);
	}
}

static void print_text(const struct nbg_policy *p, const struct nbg_table_state *st,
    const struct nbg_facts *f, const struct nbg_verdict *v, const char *table_path,
    const char *table_err)
{
	char buf[512], addr[NBG_ADDR_STRLEN], tbuf[32];

	printf("verdict:   %s (%s)\n", action_str(v->action), action_pam(v->action));
	printf("reason:    %s: %s\n", nbg_reason_str(v->reason), nbg_reason_text(v->reason));
	printf("detail:    %s\n", v->detail);
	origin_str(v, buf, sizeof(buf));
	printf("decided:   %s\n", buf);
	if (v->have_user) {
		printf("entry:     users[%u] %s, role %s%s%s%s\n", v->user.index, v->user.name,
		    v->user.role, v->user.blocked ? ", blocked" : "",
		    v->user.display_name != NULL ? ", " : "",
		    v->user.display_name != NULL ? v->user.display_name : "");
		if (v->user.not_before != NBG_TIME_NONE_LO || v->user.not_after != NBG_TIME_NONE_HI) {
			char a[32], b[32];

			printf("validity:  %s .. %s\n",
			    nbg_cli_fmt_time(v->user.not_before, a, sizeof(a)),
			    nbg_cli_fmt_time(v->user.not_after, b, sizeof(b)));
		}
	}
	if (v->role != NULL) {
		caps_str(v->role, buf, sizeof(buf));
		printf("role:      %s (%s)%s\n", v->role->name, buf,
		    v->action == NBG_ACT_ALLOW ? "" : " - not granted");
	}
	printf("fallback:  %s\n", v->fallback ? "yes (Method D v1.5 shared account)" : "no");
	if (v->remote)
		printf("source:    %s on access path %s\n",
		    v->have_remote_addr ? nbg_addr_str(&v->remote_addr, addr, sizeof(addr)) :
		    "(not numeric)", v->access_path);
	else
		printf("source:    local (no remote address)\n");
	if (v->key_fp[0] != '\0')
		printf("key:       %s %s%s\n", nbg_keytype_name(v->key_type), v->key_fp,
		    v->key_index >= 0 ? " (registered)" : "");
	printf("phase:     %s, service %s, at %s\n", nbg_phase_str(f->phase),
	    f->service != NULL ? f->service : "-", nbg_cli_fmt_time(f->now, tbuf, sizeof(tbuf)));
	if (st->status == NBG_TABLE_OK) {
		long long age = (long long)(f->now - st->confirmed_at);

		printf("table:     %s: fabric %s, serial %llu, %u users, confirmed %llds ago "
		    "(max_cache_age %llds)\n", table_path, nbg_table_fabric(st->table),
		    (unsigned long long)nbg_table_serial(st->table), nbg_table_nusers(st->table),
		    age, (long long)p->max_cache_age);
	} else {
		printf("table:     %s: %s\n", table_path, table_err[0] ? table_err : "unusable");
	}
}

static void print_json(const struct nbg_policy *p, const struct nbg_table_state *st,
    const struct nbg_facts *f, const struct nbg_verdict *v, const char *table_path)
{
	json_object *o = json_object_new_object(), *t;
	char buf[256], addr[NBG_ADDR_STRLEN];

	json_object_object_add(o, "allow", json_object_new_boolean(v->action == NBG_ACT_ALLOW));
	json_object_object_add(o, "action", json_object_new_string(action_str(v->action)));
	json_object_object_add(o, "pam", json_object_new_string(action_pam(v->action)));
	json_object_object_add(o, "reason", json_object_new_string(nbg_reason_str(v->reason)));
	json_object_object_add(o, "detail", json_object_new_string(v->detail));
	json_object_object_add(o, "policy_file",
	    v->origin.file ? json_object_new_string(v->origin.file) : NULL);
	json_object_object_add(o, "policy_line", json_object_new_int((int)v->origin.line));
	json_object_object_add(o, "source_line", json_object_new_int((int)v->source_origin.line));
	json_object_object_add(o, "decided_by_table_entry", json_object_new_boolean(v->by_table_entry));
	json_object_object_add(o, "phase", json_object_new_string(nbg_phase_str(f->phase)));
	json_object_object_add(o, "role", v->role ? json_object_new_string(v->role->name) : NULL);
	if (v->role != NULL) {
		json_object *caps = json_object_new_array();

		for (size_t i = 0; i < v->role->ncaps; i++)
			json_object_array_add(caps, json_object_new_string(v->role->caps[i]));
		json_object_object_add(o, "capabilities", caps);
	}
	json_object_object_add(o, "fallback", json_object_new_boolean(v->fallback));
	json_object_object_add(o, "cache_stale", json_object_new_boolean(v->cache_stale));
	json_object_object_add(o, "access_path", json_object_new_string(v->access_path));
	json_object_object_add(o, "remote", v->have_remote_addr ?
	    json_object_new_string(nbg_addr_str(&v->remote_addr, addr, sizeof(addr))) : NULL);
	json_object_object_add(o, "key_fingerprint",
	    v->key_fp[0] ? json_object_new_string(v->key_fp) : NULL);
	json_object_object_add(o, "key_type",
	    v->key_fp[0] ? json_object_new_string(nbg_keytype_name(v->key_type)) : NULL);
	if (v->have_user) {
		snprintf(buf, sizeof(buf), "users[%u]", v->user.index);
		json_object_object_add(o, "table_entry", json_object_new_string(buf));
	}
	t = json_object_new_object();
	json_object_object_add(t, "path", json_object_new_string(table_path));
	if (st->status == NBG_TABLE_OK) {
		json_object_object_add(t, "fabric",
		    json_object_new_string(nbg_table_fabric(st->table)));
		json_object_object_add(t, "serial",
		    json_object_new_int64((int64_t)nbg_table_serial(st->table)));
		json_object_object_add(t, "age", json_object_new_int64(f->now - st->confirmed_at));
	}
	json_object_object_add(t, "max_cache_age", json_object_new_int64(p->max_cache_age));
	json_object_object_add(o, "table", t);
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

int cmd_explain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "key", required_argument, NULL, 'k' },
		{ "auth-info", required_argument, NULL, 'a' },
		{ "service", required_argument, NULL, 's' },
		{ "phase", required_argument, NULL, 'p' },
		{ "uid", required_argument, NULL, 'U' },
		{ "at", required_argument, NULL, 'T' },
		{ "policy", required_argument, NULL, 'P' },
		{ "roles", required_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *user = NULL, *from = NULL, *to = NULL, *keyfile = NULL, *phase = NULL;
	const char *policy_path = NULL, *roles = NULL, *at = NULL, *uidarg = NULL;
	char *auth_info = NULL, *conn = NULL, err[NBG_ERR_LEN];
	struct nbg_policy *p = NULL;
	struct nbg_table *table = NULL;
	struct nbg_table_state st;
	struct nbg_facts f;
	struct nbg_verdict v;
	int c, json = 0, ret = NBG_EXIT_ERROR;

	memset(&f, 0, sizeof(f));
	f.service = "sshd";
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'u': user = optarg; break;
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'k': keyfile = optarg; break;
		case 'a':
			free(auth_info);
			auth_info = strdup(optarg);
			break;
		case 's': f.service = optarg; break;
		case 'p': phase = optarg; break;
		case 'U': uidarg = optarg; break;
		case 'T': at = optarg; break;
		case 'P': policy_path = optarg; break;
		case 'R': roles = optarg; break;
		case 'j': json = 1; break;
		case 'h':
			usage(stdout);
			ret = NBG_EXIT_OK;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (user == NULL || optind != argc || (keyfile != NULL && auth_info != NULL)) {
		usage(stderr);
		goto out;
	}
	if (keyfile != NULL && (auth_info = auth_info_from_keyfile(keyfile)) == NULL)
		goto out;
	f.user = user;
	f.auth_info = auth_info;
	f.phase = auth_info != NULL ? NBG_PHASE_SESSION : NBG_PHASE_ACCOUNT;
	if (phase != NULL) {
		if (strcmp(phase, "account") == 0)
			f.phase = NBG_PHASE_ACCOUNT;
		else if (strcmp(phase, "session") == 0)
			f.phase = NBG_PHASE_SESSION;
		else {
			nbg_cli_err("explain", "--phase must be account or session");
			goto out;
		}
	}
	f.now = (int64_t)time(NULL);
	if (at != NULL && nbg_cli_parse_time(at, &f.now) != 0) {
		nbg_cli_err("explain", "--at: '%s' is not YYYY-MM-DDTHH:MM:SSZ, @EPOCH or now", at);
		goto out;
	}
	f.uid = -1;
	if (uidarg != NULL) {
		char *end;
		long long u = strtoll(uidarg, &end, 10);

		if (*end != '\0' || u < -1 || u > 4294967294LL) {
			nbg_cli_err("explain", "--uid: '%s' is not a uid", uidarg);
			goto out;
		}
		f.uid = u;
	} else {
		struct passwd *pw = getpwnam(user);

		if (pw != NULL)
			f.uid = pw->pw_uid;
	}
	if (from != NULL) {
		struct nbg_addr a;

		if (nbg_addr_parse(from, &a) != 0) {
			nbg_cli_err("explain", "--from: '%s' is not a numeric address", from);
			goto out;
		}
		if (asprintf(&conn, "%s 50000 %s 22", from, to != NULL ? to : "0.0.0.0") < 0) {
			conn = NULL;
			goto out;
		}
		f.ssh_connection = conn;
		f.rhost = from;
	}
	if (nbg_cli_load_policy("explain", policy_path, false, &p) != 0)
		goto out;
	nbg_cli_open_table(p, roles, roles == NULL, &table, &st, err);
	nbg_decide(p, &st, &f, &v);
	if (json)
		print_json(p, &st, &f, &v, roles != NULL ? roles : p->role_table);
	else
		print_text(p, &st, &f, &v, roles != NULL ? roles : p->role_table, err);
	ret = v.action == NBG_ACT_ALLOW ? NBG_EXIT_OK : NBG_EXIT_NO;
out:
	free(auth_info);
	free(conn);
	nbg_table_free(table);
	nbg_policy_free(p);
	return ret;
}
