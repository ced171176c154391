/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_session.c - `nexusbg session`: the caller's break-glass session.
 *
 *   nexusbg session show [--json]      the session's user, role, capabilities...
 *   nexusbg session check CAPABILITY   may this session use CAPABILITY?
 *
 * Both read the root-owned record of the caller's kernel audit session
 * through libnexusbg-session; no option or environment variable can name
 * another record or directory.  Exit codes: 0 allowed / shown, 1 denied
 * or no trustworthy session record, 2 usage or operational error.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "jsonw.h"
#include "nexusbg/session.h"
#include "reasons.h"

#define SUB "session"

static void usage(FILE *f)
{
	fprintf(f, "usage: nexusbg session show [--json]\n"
	    "       nexusbg session check [--quiet] CAPABILITY\n"
	    "       nexusbg session [show|check] --help\n\n"
	    "The break-glass session this command runs in, from the root-owned record\n"
	    "pam_nexusbg wrote for its kernel audit session (%s).\n"
	    "The environment is never read.\n\n"
	    "exit codes: 0 shown/allowed, 1 denied or no trustworthy session record,\n"
	    "            2 usage or operational error\n", NBG_DEFAULT_SESSION_DIR);
}

static void usage_show(FILE *f)
{
	fprintf(f, "usage: nexusbg session show [--json]\n\n"
	    "Print the user, role, capabilities, remote address, access path, key\n"
	    "fingerprint, fallback flag, start time, reference and audit session id\n"
	    "of the caller's break-glass session; --json prints one JSON object.\n\n"
	    "exit codes: 0 shown, 1 no trustworthy session record, 2 error\n");
}

static void usage_check(FILE *f)
{
	fprintf(f, "usage: nexusbg session check [--quiet] CAPABILITY\n\n"
	    "Is CAPABILITY (e.g. show, configure) granted to the caller's session?\n"
	    "Prints \"allowed\" or \"denied: REASON\" (--quiet: nothing).  A denial is\n"
	    "written to the audit log (USER_CMD, op=nexusbg-session-check) when this\n"
	    "program has CAP_AUDIT_WRITE, else to syslog (authpriv).\n\n"
	    "exit codes: 0 allowed, 1 denied (%s, %s),\n"
	    "            2 usage error or invalid capability name\n",
	    nbg_reason_str(NBG_R_CAPABILITY_DENIED), nbg_reason_str(NBG_R_SESSION_RECORD_INVALID));
}

static bool is_help(const char *a)
{
	return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

/* An argument echoed in a message: printable ASCII only, at most 64 bytes. */
static const char *printable(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < 64 && i + 1 < len; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

static void iso_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%" PRId64, t);
}

static const char *or_dash(const char *s)
{
	return s[0] != '\0' ? s : "-";
}

static int show_text(const struct nbg_session *s)
{
	char when[64];

	iso_time(nbg_session_start(s), when, sizeof(when));
	printf("user:          %s\n", nbg_session_user(s));
	printf("role:          %s\n", nbg_session_role(s));
	printf("capabilities: ");
	for (size_t i = 0; i < nbg_session_ncaps(s); i++)
		printf(" %s", nbg_session_cap(s, i));
	printf("%s\n", nbg_session_ncaps(s) == 0 ? " -" : "");
	printf("remote:        %s\n", or_dash(nbg_session_remote(s)));
	printf("access path:   %s\n", or_dash(nbg_session_access_path(s)));
	printf("key:           %s\n", or_dash(nbg_session_key_fp(s)));
	printf("fallback:      %s\n", nbg_session_fallback(s) ? "yes (Method D v1.5 account)" : "no");
	printf("start:         %s\n", when);
	printf("reference:     %s\n", nbg_session_ref(s));
	printf("service:       %s\n", or_dash(nbg_session_service(s)));
	printf("audit session: %" PRIu32 "\n", nbg_session_sessionid(s));
	return fflush(stdout) == 0 ? NBG_EXIT_OK : NBG_EXIT_ERROR;
}

static const char *cap_item(size_t i, const void *ctx)
{
	return nbg_session_cap(ctx, i);
}

static int show_json(const struct nbg_session *s)
{
	struct nbg_jsonw w;
	char when[64];

	iso_time(nbg_session_start(s), when, sizeof(when));
	nbg_jsonw_begin(&w, stdout);
	nbg_jsonw_string(&w, "user", nbg_session_user(s));
	nbg_jsonw_string(&w, "role", nbg_session_role(s));
	nbg_jsonw_strings(&w, "capabilities", nbg_session_ncaps(s), cap_item, s);
	nbg_jsonw_string(&w, "remote", nbg_session_remote(s));
	nbg_jsonw_string(&w, "access_path", nbg_session_access_path(s));
	nbg_jsonw_string(&w, "key_fp", nbg_session_key_fp(s));
	nbg_jsonw_bool(&w, "fallback", nbg_session_fallback(s));
	nbg_jsonw_int(&w, "start", nbg_session_start(s));
	nbg_jsonw_string(&w, "start_utc", when);
	nbg_jsonw_string(&w, "ref", nbg_session_ref(s));
	nbg_jsonw_string(&w, "service", nbg_session_service(s));
	nbg_jsonw_int(&w, "sessionid", nbg_session_sessionid(s));
	nbg_jsonw_end(&w);
	return fflush(stdout) == 0 && !ferror(stdout) ? NBG_EXIT_OK : NBG_EXIT_ERROR;
}

static int cmd_show(int argc, char **argv)
{
	struct nbg_session *s = NULL;
	bool json = false;
	char arg[72];
	int r, ret;

	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			usage_show(stdout);
			return NBG_EXIT_OK;
		}
		if (strcmp(argv[i], "--json") != 0) {
			nbg_cli_err(SUB, "show: unknown argument '%s'",
			    printable(argv[i], arg, sizeof(arg)));
			usage_show(stderr);
			return NBG_EXIT_ERROR;
		}
		json = true;
	}
	if ((r = nbg_session_open(&s)) != 0) {
		nbg_cli_err(SUB, "show: no trustworthy session record: %s",
		    nbg_session_strerror(r));
		return r == NBG_SESSION_ENOMEM ? NBG_EXIT_ERROR : NBG_EXIT_NO;
	}
	ret = json ? show_json(s) : show_text(s);
	nbg_session_free(s);
	return ret;
}

static int cmd_check(int argc, char **argv)
{
	const char *cap = NULL;
	bool quiet = false;
	char arg[72], line[256];
	int why, r, n = 0;

	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			usage_check(stdout);
			return NBG_EXIT_OK;
		}
		if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0)
			quiet = true;
		else if (argv[i][0] == '-' || cap != NULL) {
			nbg_cli_err(SUB, "check: unexpected argument '%s'",
			    printable(argv[i], arg, sizeof(arg)));
			usage_check(stderr);
			return NBG_EXIT_ERROR;
		} else
			cap = argv[i];
	}
	if (cap == NULL) {
		usage_check(stderr);
		return NBG_EXIT_ERROR;
	}
	/* The answer is written with write(2), not stdio (see nbg_cli_write()). */
	r = nbg_session_check_reason(cap, &why);
	if (r == NBG_SESSION_ALLOWED) {
		if (!quiet)
			(void)nbg_cli_write(STDOUT_FILENO, "allowed\n", strlen("allowed\n"));
		return NBG_EXIT_OK;
	}
	if (r == NBG_SESSION_DENIED) {
		if (!quiet && why == 0)
			n = snprintf(line, sizeof(line), "denied: %s\n",
			    nbg_reason_str(NBG_R_CAPABILITY_DENIED));
		else if (!quiet)
			n = snprintf(line, sizeof(line), "denied: %s (%s)\n",
			    nbg_reason_str(NBG_R_SESSION_RECORD_INVALID), nbg_session_strerror(why));
		if (n > 0 && (size_t)n < sizeof(line))
			(void)nbg_cli_write(STDOUT_FILENO, line, (size_t)n);
		return NBG_EXIT_NO;
	}
	if (why == NBG_SESSION_EINVAL)
		nbg_cli_err(SUB, "check: '%s' is not a capability name", printable(cap, arg,
		    sizeof(arg)));
	else
		nbg_cli_err(SUB, "check: %s", nbg_session_strerror(why));
	return NBG_EXIT_ERROR;
}

int cmd_session(int argc, char **argv)
{
	char arg[72];

	if (argc < 2) {
		usage(stderr);
		return NBG_EXIT_ERROR;
	}
	if (is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return NBG_EXIT_OK;
	}
	if (strcmp(argv[1], "show") == 0)
		return cmd_show(argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	nbg_cli_err(SUB, "unknown command '%s'", printable(argv[1], arg, sizeof(arg)));
	usage(stderr);
	return NBG_EXIT_ERROR;
}
