/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * audit-write.c - write one audit record through nbg_audit_log(), with the
 * (possibly hostile) field values given on the command line.  Used by the
 * system tests against a real auditd.
 *
 *   audit-write --type USER_ACCT --op nexusbg-account --acct NAME
 *       [--reason R] [--role R] [--cap C] [--fp FP] [--fallback yes|no]
 *       [--ref REF] [--service S] [--rhost H] [--addr A] [--tty T]
 *       [--success] [--format]
 *
 * Prints "logged", "syslog" or "failed: ERROR"; exit 0, 3, 1 (2 = usage).
 * --format prints the text of nbg_audit_format() instead of writing.
 */
#include <getopt.h>
#include <libaudit.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"

static int usage(void)
{
	fprintf(stderr, "usage: audit-write --type TYPE --op OP --acct NAME [--reason R] "
	    "[--role R] [--cap C] [--fp FP] [--fallback yes|no] [--ref REF] [--service S] "
	    "[--rhost H] [--addr A] [--tty T] [--success] [--format]\n");
	return 2;
}

static int parse(int argc, char **argv, struct nbg_audit_event *ev, int *format_only)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 'T' },
		{ "op", required_argument, NULL, 'o' },
		{ "acct", required_argument, NULL, 'u' },
		{ "reason", required_argument, NULL, 'r' },
		{ "role", required_argument, NULL, 'R' },
		{ "cap", required_argument, NULL, 'c' },
		{ "fp", required_argument, NULL, 'f' },
		{ "fallback", required_argument, NULL, 'F' },
		{ "ref", required_argument, NULL, 'n' },
		{ "service", required_argument, NULL, 's' },
		{ "rhost", required_argument, NULL, 'h' },
		{ "addr", required_argument, NULL, 'a' },
		{ "tty", required_argument, NULL, 't' },
		{ "success", no_argument, NULL, 'S' },
		{ "format", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(ev, 0, sizeof(*ev));
	ev->fallback = -1;
	ev->type = -1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'T':
			if ((ev->type = audit_name_to_msg_type(optarg)) < 0)
				return -1;
			break;
		case 'o': ev->op = optarg; break;
		case 'u': ev->acct = optarg; break;
		case 'r': ev->reason = optarg; break;
		case 'R': ev->nbg_role = optarg; break;
		case 'c': ev->capability = optarg; break;
		case 'f': ev->key_fp = optarg; break;
		case 'F': ev->fallback = strcmp(optarg, "yes") == 0; break;
		case 'n': ev->ref = optarg; break;
		case 's': ev->service = optarg; break;
		case 'h': ev->hostname = optarg; break;
		case 'a': ev->addr = optarg; break;
		case 't': ev->terminal = optarg; break;
		case 'S': ev->success = true; break;
		case 'P': *format_only = 1; break;
		default: return -1;
		}
	}
	if (optind != argc || ev->type < 0 || ev->op == NULL)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct nbg_audit_event ev;
	char err[512], text[8192];
	int format_only = 0;

	if (parse(argc, argv, &ev, &format_only) != 0)
		return usage();
	if (format_only) {
		if (nbg_audit_format(&ev, text, sizeof(text)) != 0) {
			printf("failed: nbg_audit_format\n");
			return 1;
		}
		printf("%s\n", text);
		return 0;
	}
	switch (nbg_audit_log(&ev, err, sizeof(err))) {
	case NBG_AUDIT_LOGGED:
		printf("logged\n");
		return 0;
	case NBG_AUDIT_SYSLOG:
		printf("syslog\n");
		return 3;
	case NBG_AUDIT_FAILED:
		break;
	}
	printf("failed: %s\n", err);
	return 1;
}
