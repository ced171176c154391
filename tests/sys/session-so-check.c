/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session-so-check.c - a device CLI in miniature, linked against the
 * shared libnexusbg-session: `session-so-check CAPABILITY` prints the
 * role seen by nbg_session_open() and exits with nbg_session_check().
 * The system test runs it beside `nexusbg session check` to show the
 * installed library answers as the command does.
 */
#include <stdio.h>

#include <nexusbg/session.h>

int main(int argc, char **argv)
{
	struct nbg_session *s = NULL;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: session-so-check CAPABILITY\n");
		return 2;
	}
	if ((r = nbg_session_open(&s)) == 0)
		printf("role=%s\n", nbg_session_role(s));
	else
		printf("no session: %s\n", nbg_session_strerror(r));
	nbg_session_free(s);
	r = nbg_session_check(argv[1]);
	printf("%s\n", r == NBG_SESSION_ALLOWED ? "allowed" : r == NBG_SESSION_DENIED ?
	    "denied" : "error");
	return r;
}
