/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli.h - the nexusbg command: one file per subcommand, two programs.
 *
 * `nexusbg` (front.c, installed in bindir with cap_audit_write) runs the
 * commands of the login path itself: `keys` (sshd's AuthorizedKeysCommand,
 * once per key offered) and `session` (the device CLI, once per command).
 * It links the C library only, so that starting it costs about what
 * starting /bin/true costs.  Every other command is run by `nexusbg-admin`
 * (admin.c, in libexecdir/nexusbg), which links libcurl, OpenSSL and
 * json-c; the front executes it with the same arguments (helper.c says
 * where it is).
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

#include <stdbool.h>
#include <stddef.h>
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

/* The subcommands in the order `nexusbg --help` lists them. */
struct nbg_cli_command {
	const char *name;
	const char *summary;
	bool front;		/* run by nexusbg itself, else by nexusbg-admin */
};

/* The command called name, or NULL. */
const struct nbg_cli_command *nbg_cli_command(const char *name);

/* `nexusbg --help`: every command of both programs. */
void nbg_cli_usage(FILE *f);

/* --help, -h or help. */
bool nbg_cli_is_help(const char *arg);

/*
 * Write all of buf to fd, retrying on EINTR and short writes; 0 or -1.
 * The answers of `keys` and `session check` are written so rather than
 * through stdio: setting up stdout's buffer costs that short-lived
 * program allocations and page faults.
 */
int nbg_cli_write(int fd, const char *buf, size_t len);

/* "nexusbg: SUBCMD: message" on stderr. */
void nbg_cli_err(const char *sub, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
