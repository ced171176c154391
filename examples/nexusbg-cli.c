/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nexusbg-cli.c - a reference device shell that uses libnexusbg-session.
 *
 * It stands in for a switch's CLI: `show ...` commands work for every
 * role; `configure` enters configuration mode only when the session's role
 * grants the `configure` capability, and otherwise prints a clear refusal
 * (the library audits it).  The role comes from the root-owned record of
 * the caller's kernel audit session, never from the environment.
 *
 * The "running configuration" is kept in memory: this is an example of how
 * a device CLI asks the question, not a network OS.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nexusbg/session.h>

#define MAX_IFS 16

struct iface {
	char name[32];
	char description[80];
	int shutdown;
};

struct device {
	char hostname[64];
	struct iface ifs[MAX_IFS];
	size_t nifs;
	int config_mode;
	struct iface *cur;	/* interface being configured */
	unsigned changes;
};

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	memmove(s, s + strspn(s, " \t"), strlen(s + strspn(s, " \t")) + 1);
}

static void show_session(void)
{
	struct nbg_session *s = NULL;
	int r = nbg_session_open(&s);

	if (r != 0) {
		printf("%% No break-glass session: %s\n", nbg_session_strerror(r));
		return;
	}
	printf("User:         %s\n", nbg_session_user(s));
	printf("Role:         %s%s\n", nbg_session_role(s),
	    nbg_session_fallback(s) ? " (Method D v1.5 fallback)" : "");
	printf("Capabilities:");
	for (size_t i = 0; i < nbg_session_ncaps(s); i++)
		printf(" %s", nbg_session_cap(s, i));
	printf("\nReference:    %s\n", nbg_session_ref(s));
	nbg_session_free(s);
}

static void show_running(const struct device *d)
{
	printf("! running-config\nhostname %s\n!\n", d->hostname);
	for (size_t i = 0; i < d->nifs; i++) {
		printf("interface %s\n", d->ifs[i].name);
		if (d->ifs[i].description[0] != '\0')
			printf("   description %s\n", d->ifs[i].description);
		printf("   %sshutdown\n!\n", d->ifs[i].shutdown ? "" : "no ");
	}
	printf("end\n");
}

static void show(struct device *d, const char *what)
{
	if (strcmp(what, "version") == 0)
		printf("nexusbg reference CLI %s\n", "1.0");
	else if (strcmp(what, "running-config") == 0)
		show_running(d);
	else if (strcmp(what, "interfaces") == 0)
		for (size_t i = 0; i < d->nifs; i++)
			printf("%-12s %s  %s\n", d->ifs[i].name,
			    d->ifs[i].shutdown ? "admin down" : "up", d->ifs[i].description);
	else if (strcmp(what, "session") == 0)
		show_session();
	else
		printf("%% Unknown show command: %s (try: version, running-config, "
		    "interfaces, session)\n", what);
}

static struct iface *find_if(struct device *d, const char *name, int create)
{
	for (size_t i = 0; i < d->nifs; i++)
		if (strcmp(d->ifs[i].name, name) == 0)
			return &d->ifs[i];
	if (!create || d->nifs == MAX_IFS || strlen(name) >= sizeof(d->ifs[0].name))
		return NULL;
	snprintf(d->ifs[d->nifs].name, sizeof(d->ifs[0].name), "%s", name);
	d->ifs[d->nifs].shutdown = 1;
	return &d->ifs[d->nifs++];
}

/* Every configuration command asks again: a session can end under us. */
static int may_configure(void)
{
	switch (nbg_session_check("configure")) {
	case NBG_SESSION_ALLOWED:
		return 1;
	case NBG_SESSION_DENIED:
		printf("%% Permission denied: this session's role does not allow "
		    "configuration mode.\n");
		return 0;
	default:
		printf("%% Permission denied: the session's role cannot be determined.\n");
		return 0;
	}
}

static void config_cmd(struct device *d, char *line)
{
	if (!may_configure()) {
		d->config_mode = 0;
		d->cur = NULL;
		return;
	}
	if (strcmp(line, "end") == 0 || strcmp(line, "exit") == 0) {
		if (d->cur != NULL && strcmp(line, "exit") == 0)
			d->cur = NULL;
		else {
			d->config_mode = 0;
			d->cur = NULL;
		}
	} else if (strncmp(line, "hostname ", 9) == 0 && strlen(line + 9) < sizeof(d->hostname)) {
		snprintf(d->hostname, sizeof(d->hostname), "%s", line + 9);
		d->changes++;
	} else if (strncmp(line, "interface ", 10) == 0) {
		if ((d->cur = find_if(d, line + 10, 1)) == NULL)
			printf("%% Invalid interface\n");
	} else if (d->cur != NULL && strncmp(line, "description ", 12) == 0) {
		snprintf(d->cur->description, sizeof(d->cur->description), "%.79s", line + 12);
		d->changes++;
	} else if (d->cur != NULL && strcmp(line, "shutdown") == 0) {
		d->cur->shutdown = 1;
		d->changes++;
	} else if (d->cur != NULL && strcmp(line, "no shutdown") == 0) {
		d->cur->shutdown = 0;
		d->changes++;
	} else {
		printf("%% Invalid input: %s\n", line);
	}
}

static void help(void)
{
	printf("Commands:\n"
	    "  show version | running-config | interfaces | session\n"
	    "  configure            enter configuration mode (writer role)\n"
	    "    hostname NAME, interface NAME, description TEXT, [no] shutdown, exit, end\n"
	    "  exit                 leave the CLI\n");
}

int main(int argc, char **argv)
{
	struct device d;
	char line[512];
	int interactive = isatty(STDIN_FILENO);

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: nexusbg-cli (reads commands from standard input)\n");
		return 2;
	}
	memset(&d, 0, sizeof(d));
	if (gethostname(d.hostname, sizeof(d.hostname) - 1) != 0)
		snprintf(d.hostname, sizeof(d.hostname), "device");
	find_if(&d, "Ethernet1", 1)->shutdown = 0;
	find_if(&d, "Ethernet2", 1)->shutdown = 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		if (d.config_mode)
			printf("%s(config%s%s)#", d.hostname, d.cur ? "-if-" : "",
			    d.cur ? d.cur->name : "");
		else
			printf("%s>", d.hostname);
		printf(interactive ? " " : "\n");
		fflush(stdout);
		if (fgets(line, sizeof(line), stdin) == NULL)
			break;
		trim(line);
		if (line[0] == '\0')
			continue;
		if (d.config_mode) {
			config_cmd(&d, line);
			continue;
		}
		if (strcmp(line, "exit") == 0 || strcmp(line, "quit") == 0 ||
		    strcmp(line, "logout") == 0)
			break;
		else if (strcmp(line, "help") == 0 || strcmp(line, "?") == 0)
			help();
		else if (strncmp(line, "show ", 5) == 0)
			show(&d, line + 5);
		else if (strcmp(line, "configure") == 0 || strcmp(line, "configure terminal") == 0) {
			if (may_configure()) {
				d.config_mode = 1;
				printf("Entering configuration mode.\n");
			}
		} else
			printf("%% Unknown command: %s (type help)\n", line);
	}
	return 0;
}
