/* SPDX-License-Identifier: BSD-2-Clause */
/* main.c - dispatch of the nexusbg subcommands. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
} commands[] = {
	{ "sync", cmd_sync, "fetch the role table from the control plane into the cache" },
	{ "status", cmd_status, "show the cache: age, serial, fabric, users per role, last sync" },
	{ "keys", cmd_keys, "print a user's FIDO2 keys for sshd (AuthorizedKeysCommand)" },
	{ "session", cmd_session, "show the current session's role, check a capability" },
	{ "policy", cmd_policy, "check a policy file" },
	{ "explain", cmd_explain, "explain the decision for a user, address and key" },
};

void nbg_cli_err(const char *sub, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nexusbg: %s: ", sub);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: nexusbg COMMAND [ARGS...]\n"
	    "       nexusbg COMMAND --help\n\n"
	    "Break-glass access to network-fabric devices with FIDO2 keys.\n\n"
	    "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nexit codes: 0 ok/allowed, 1 denied/problems, 2 error, "
	    "3 unchanged (sync) or stale (status)\n"
	    "See nexusbg(8).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return NBG_EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return NBG_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("nexusbg %s\n", NBG_VERSION);
		return NBG_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	nbg_cli_err("main", "unknown command '%s' (try nexusbg --help)", argv[1]);
	return NBG_EXIT_ERROR;
}
