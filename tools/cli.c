/* SPDX-License-Identifier: BSD-2-Clause */
/* cli.c - what both programs of the nexusbg command share: the list of
 * commands, the usage text and the error format. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct nbg_cli_command commands[] = {
	{ "sync", "fetch the role table from the control plane into the cache", false },
	{ "status", "show the cache: age, serial, fabric, users per role, last sync", false },
	{ "keys", "print a user's FIDO2 keys for sshd (AuthorizedKeysCommand)", true },
	{ "session", "show the current session's role, check a capability", true },
	{ "policy", "check a policy file", false },
	{ "explain", "explain the decision for a user, address and key", false },
};

const struct nbg_cli_command *nbg_cli_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

void nbg_cli_usage(FILE *f)
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

bool nbg_cli_is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0 || strcmp(arg, "help") == 0;
}

int nbg_cli_write(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

void nbg_cli_err(const char *sub, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nexusbg: %s: ", sub);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
