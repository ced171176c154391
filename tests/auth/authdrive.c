/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * authdrive.c - drive the real libpam's auth stack interactively through a
 * private service directory (pam_start_confdir), the way login or sshd's
 * keyboard-interactive would: every conversation message goes to stdout,
 * every prompt reads its response from stdin.  A test script on the other
 * end of the pipes reads the challenge, signs it and answers.
 *
 * stdout, one line each (multi-line messages give one line per line):
 *   info=TEXT   error=TEXT   prompt=TEXT
 *   auth=PAM_NAME  setcred=...  acct=...  open=...  run=N  close=...
 * stdin, one line per prompt:
 *   TEXT           the response (without its newline; any length)
 *   !esc TEXT      the response with \n, \r and \\ unescaped (a whole
 *                  multi-line block in one response, as a graphical client)
 *   !null          the conversation succeeds with a NULL response
 *   end of input   the conversation fails (PAM_CONV_ERR)
 *
 * usage: authdrive --confdir DIR --service NAME [--user USER] [--rhost HOST]
 *                  [--tty TTY] [--env NAME=VALUE]... [--steps auth,setcred,acct,open,close]
 *                  [-- CMD ARGS...]   (run as the user inside the session)
 * SSH_AUTH_INFO_0 given with --env is put into the PAM environment after the
 * account step, where sshd puts it (auth2.c); the others before the auth step.
 */
#include <security/pam_appl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *retname(int r)
{
	static const struct {
		int r;
		const char *name;
	} names[] = {
		{ PAM_SUCCESS, "PAM_SUCCESS" }, { PAM_PERM_DENIED, "PAM_PERM_DENIED" },
		{ PAM_USER_UNKNOWN, "PAM_USER_UNKNOWN" }, { PAM_IGNORE, "PAM_IGNORE" },
		{ PAM_AUTHINFO_UNAVAIL, "PAM_AUTHINFO_UNAVAIL" },
		{ PAM_SESSION_ERR, "PAM_SESSION_ERR" }, { PAM_AUTH_ERR, "PAM_AUTH_ERR" },
		{ PAM_CONV_ERR, "PAM_CONV_ERR" }, { PAM_SYSTEM_ERR, "PAM_SYSTEM_ERR" },
		{ PAM_BUF_ERR, "PAM_BUF_ERR" }, { PAM_CRED_ERR, "PAM_CRED_ERR" },
		{ PAM_CRED_INSUFFICIENT, "PAM_CRED_INSUFFICIENT" }, { PAM_ABORT, "PAM_ABORT" },
		{ PAM_MAXTRIES, "PAM_MAXTRIES" }, { PAM_INCOMPLETE, "PAM_INCOMPLETE" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].r == r)
			return names[i].name;
	return "PAM_OTHER";
}

/* Print a message, one "key=line" per line. */
static void say(const char *key, const char *msg)
{
	const char *p = msg, *nl;

	do {
		nl = strchr(p, '\n');
		printf("%s=%.*s\n", key, nl != NULL ? (int)(nl - p) : (int)strlen(p), p);
		p = nl != NULL ? nl + 1 : NULL;
	} while (p != NULL);
	fflush(stdout);
}

static void unescape(char *s)
{
	char *o = s;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && (s[1] == 'n' || s[1] == 'r' || s[1] == '\\')) {
			s++;
			*o++ = *s == 'n' ? '\n' : *s == 'r' ? '\r' : '\\';
		} else
			*o++ = *s;
	}
	*o = '\0';
}

/* One response from stdin: 0 with *out (may be NULL for !null), -1 at end of input. */
static int read_response(char **out)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	*out = NULL;
	if ((n = getline(&line, &cap, stdin)) < 0) {
		free(line);
		return -1;
	}
	if (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	if (strcmp(line, "!null") == 0) {
		free(line);
		return 0;
	}
	if (strncmp(line, "!esc ", 5) == 0) {
		memmove(line, line + 5, (size_t)n - 4);
		unescape(line);
	}
	*out = line;
	return 0;
}

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct pam_response *r;
	int i;

	(void)data;
	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	if ((r = calloc((size_t)n, sizeof(*r))) == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			say("prompt", msg[i]->msg);
			if (read_response(&r[i].resp) != 0)
				goto fail;
			break;
		case PAM_ERROR_MSG:
			say("error", msg[i]->msg);
			break;
		case PAM_TEXT_INFO:
			say("info", msg[i]->msg);
			break;
		default:
			goto fail;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
fail:
	for (i = 0; i < n; i++)
		free(r[i].resp);
	free(r);
	return PAM_CONV_ERR;
}

static int run_as_user(const char *user, char **cmd)
{
	struct passwd *pw = getpwnam(user);
	pid_t pid;
	int st;

	if (pw == NULL)
		return -1;
	fflush(stdout);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 ||
		    setuid(pw->pw_uid) != 0)
			_exit(127);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static bool step(const char *steps, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = steps; (p = strstr(p, name)) != NULL; p += n)
		if ((p == steps || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

static int report(const char *name, int r)
{
	printf("%s=%s\n", name, retname(r));
	fflush(stdout);
	return r;
}

int main(int argc, char **argv)
{
	const char *confdir = NULL, *service = "login", *user = NULL, *rhost = NULL;
	const char *tty = NULL, *steps = "auth";
	struct pam_conv pc = { conv, NULL };
	pam_handle_t *pamh = NULL;
	char **cmd = NULL, **envs;
	size_t nenv = 0;
	int i, r = PAM_SUCCESS;

	if ((envs = calloc((size_t)argc, sizeof(*envs))) == NULL)
		return 2;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			cmd = &argv[i + 1];
			break;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "authdrive: %s needs a value\n", argv[i]);
			free(envs);
			return 2;
		}
		if (strcmp(argv[i], "--confdir") == 0)
			confdir = argv[++i];
		else if (strcmp(argv[i], "--service") == 0)
			service = argv[++i];
		else if (strcmp(argv[i], "--user") == 0)
			user = argv[++i];
		else if (strcmp(argv[i], "--rhost") == 0)
			rhost = argv[++i];
		else if (strcmp(argv[i], "--tty") == 0)
			tty = argv[++i];
		else if (strcmp(argv[i], "--steps") == 0)
			steps = argv[++i];
		else if (strcmp(argv[i], "--env") == 0)
			envs[nenv++] = argv[++i];
		else {
			fprintf(stderr, "authdrive: unknown option %s\n", argv[i]);
			free(envs);
			return 2;
		}
	}
	if (confdir == NULL) {
		fprintf(stderr, "usage: authdrive --confdir DIR [--service NAME] [--user USER] "
		    "[--rhost HOST] [--tty TTY] [--env NAME=VALUE]... "
		    "[--steps auth,setcred,acct,open,close] [-- CMD...]\n");
		free(envs);
		return 2;
	}
	if ((r = pam_start_confdir(service, user, &pc, confdir, &pamh)) != PAM_SUCCESS) {
		fprintf(stderr, "authdrive: pam_start_confdir: %s\n", retname(r));
		free(envs);
		return 2;
	}
	if (rhost != NULL)
		pam_set_item(pamh, PAM_RHOST, rhost);
	if (tty != NULL)
		pam_set_item(pamh, PAM_TTY, tty);
	for (size_t k = 0; k < nenv; k++)
		if (strncmp(envs[k], "SSH_AUTH_INFO_0=", 16) != 0)
			pam_putenv(pamh, envs[k]);
	if (step(steps, "auth"))
		r = report("auth", pam_authenticate(pamh, 0));
	if (r == PAM_SUCCESS && step(steps, "setcred"))
		r = report("setcred", pam_setcred(pamh, PAM_ESTABLISH_CRED));
	if (r == PAM_SUCCESS && step(steps, "acct"))
		r = report("acct", pam_acct_mgmt(pamh, 0));
	for (size_t k = 0; k < nenv; k++)
		if (strncmp(envs[k], "SSH_AUTH_INFO_0=", 16) == 0)
			pam_putenv(pamh, envs[k]);
	if (r == PAM_SUCCESS && step(steps, "open")) {
		r = report("open", pam_open_session(pamh, 0));
		if (r == PAM_SUCCESS && cmd != NULL && cmd[0] != NULL) {
			const void *u = NULL;

			pam_get_item(pamh, PAM_USER, &u);
			printf("run=%d\n", u != NULL ? run_as_user(u, cmd) : -1);
			fflush(stdout);
		}
		if (r == PAM_SUCCESS && step(steps, "close"))
			(void)report("close", pam_close_session(pamh, 0));
	}
	pam_end(pamh, r);
	free(envs);
	return 0;
}
