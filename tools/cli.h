/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli.h - the nexusbg command: one binary, one file per subcommand.
 *
 * Exit codes (documented in nexusbg(8)):
 *   0  success / allowed / updated
 *   1  denied / problems found / "no" answer
 *   2  usage or operational error
 *   3  (sync) unchanged, (status) cache past its age limit
 * Each subcommand documents its own use of them in its --help.
 */
#ifndef NBG_CLI_H
#define NBG_CLI_H

#include <stdio.h>

#define NBG_EXIT_OK		0
#define NBG_EXIT_NO		1
#define NBG_EXIT_ERROR		2
#define NBG_EXIT_UNCHANGED	3

/* Subcommands: argv[0] is the subcommand name. */
int cmd_policy(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_keys(int argc, char **argv);
int cmd_session(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_status(int argc, char **argv);

/* "nexusbg: SUBCMD: message" on stderr. */
void nbg_cli_err(const char *sub, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
