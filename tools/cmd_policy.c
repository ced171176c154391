/* SPDX-License-Identifier: BSD-2-Clause */
/* cmd_policy.c - `nexusbg policy check [FILE]`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "policy.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: nexusbg policy check [--no-perms] [--strict] [--quiet] [FILE]\n\n"
	    "Check a policy file and its Include drop-ins; print every problem as\n"
	    "FILE:LINE: error|warning: MESSAGE, with a hint line where one helps.\n"
	    "FILE defaults to %s.\n\n"
	    "  --no-perms  do not require root ownership and safe modes (for a draft\n"
	    "              that is not installed yet; the module always requires them)\n"
	    "  --strict    treat warnings as errors\n"
	    "  --quiet     print nothing when the policy is clean\n\n"
	    "exit: 0 clean, 1 problems found, 2 usage error\n", NBG_DEFAULT_POLICY);
}

int cmd_policy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-perms", no_argument, NULL, 'n' },
		{ "strict", no_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct nbg_diag diag = { 0 };
	struct nbg_policy *p = NULL;
	const char *path = NBG_DEFAULT_POLICY;
	unsigned flags = NBG_POLICY_CHECK_PERMS;
	int strict = 0, quiet = 0, c, r, ret;
	size_t nwarn;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? NBG_EXIT_ERROR : NBG_EXIT_OK;
	}
	if (strcmp(argv[1], "check") != 0) {
		nbg_cli_err("policy", "unknown action '%s' (only 'check')", argv[1]);
		return NBG_EXIT_ERROR;
	}
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "nsqh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			flags &= ~(unsigned)NBG_POLICY_CHECK_PERMS;
			break;
		case 's':
			strict = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return NBG_EXIT_OK;
		default:
			usage(stderr);
			return NBG_EXIT_ERROR;
		}
	}
	if (optind < argc)
		path = argv[optind++];
	if (optind < argc) {
		usage(stderr);
		return NBG_EXIT_ERROR;
	}
	r = nbg_policy_load(path, flags, &p, &diag);
	nbg_diag_print(stdout, &diag);
	nwarn = diag.n - diag.nerrors;
	if (r != 0 || diag.nerrors > 0)
		ret = NBG_EXIT_NO;
	else if (strict && nwarn > 0)
		ret = NBG_EXIT_NO;
	else
		ret = NBG_EXIT_OK;
	if (ret != NBG_EXIT_OK || !quiet || nwarn > 0)
		printf("%s: %s (%zu error%s, %zu warning%s)\n", path,
		    ret == NBG_EXIT_OK ? "OK" : "NOT OK", diag.nerrors,
		    diag.nerrors == 1 ? "" : "s", nwarn, nwarn == 1 ? "" : "s");
	nbg_diag_free(&diag);
	nbg_policy_free(p);
	return ret;
}
