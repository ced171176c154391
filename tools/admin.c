/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * admin.c - `nexusbg-admin`: the commands of nexusbg that are not on the
 * login path (sync, status, policy, explain).  The nexusbg front executes
 * it with its own arguments (see cli.h); run directly, it answers the
 * same way.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
} commands[] = {
	{ "sync", cmd_sync },
	{ "status", cmd_status },
	{ "policy", cmd_policy },
	{ "explain", cmd_explain },
};

int main(int argc, char **argv)
{
	const struct nbg_cli_command *c;

	if (argc < 2) {
		nbg_cli_usage(stderr);
		return NBG_EXIT_ERROR;
	}
	if (nbg_cli_is_help(argv[1])) {
		nbg_cli_usage(stdout);
		return NBG_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("nexusbg %s\n", NBG_VERSION);
		return NBG_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	if ((c = nbg_cli_command(argv[1])) != NULL && c->front) {
		nbg_cli_err("main", "'%s' is run by nexusbg itself, not by this helper", c->name);
		return NBG_EXIT_ERROR;
	}
	nbg_cli_err("main", "unknown command '%s' (try nexusbg --help)", argv[1]);
	return NBG_EXIT_ERROR;
}
