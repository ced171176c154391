/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * front.c - `nexusbg`: runs `keys` and `session` itself and every other
 * command through nexusbg-admin (see cli.h).
 *
 * This program is on the login path: sshd runs `nexusbg keys USER` for
 * every key offered and the device CLI runs `nexusbg session check` for
 * every command.  It links the C library only (tests/unit/test-front-elf.sh
 * checks its ELF dependencies); libaudit is loaded only when a refusal is
 * audited (common/audit.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "helper.h"

/* Execute nexusbg-admin with this program's arguments; returns only on error. */
static int run_helper(const char *sub, char **argv)
{
	char path[PATH_MAX];

	if (nbg_helper_path(path, sizeof(path)) != 0) {
		nbg_cli_err(sub, "cannot name the helper program " NBG_HELPER_NAME
		    ": the path of this program is too long");
		return NBG_EXIT_ERROR;
	}
	execv(path, argv);
	nbg_cli_err(sub, "cannot run the helper program %s: %s", path, strerror(errno));
	return NBG_EXIT_ERROR;
}

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
	if ((c = nbg_cli_command(argv[1])) == NULL) {
		nbg_cli_err("main", "unknown command '%s' (try nexusbg --help)", argv[1]);
		return NBG_EXIT_ERROR;
	}
	if (strcmp(c->name, "keys") == 0)
		return cmd_keys(argc - 1, argv + 1);
	if (strcmp(c->name, "session") == 0)
		return cmd_session(argc - 1, argv + 1);
	return run_helper(c->name, argv);
}
