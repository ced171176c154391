/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pamdrive.c - drive the real libpam through a private service directory
 * (pam_start_confdir), as sshd would: items, PAM environment, account,
 * open_session, an optional command run inside the session as the user,
 * close_session.  Prints one line per step: "acct=<PAM return name>" etc.,
 * and the PAM environment after open_session, for the test scripts.
 *
 * usage: pamdrive --confdir DIR --service NAME --user USER
 *                 [--rhost HOST] [--tty TTY] [--env NAME=VALUE]...
 *                 [--steps acct,open,close] [--password PW]
 *                 [--after-acct SHELL-COMMAND]
 *                 [--run-as-user -- CMD ARGS...]
 *
 * --after-acct runs the command (sh -c, as the caller) between the account
 * phase and open_session of the same handle, as if it happened while sshd
 * was between the two: a sync, a chmod.
 */
#include <security/pam_appl.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *password;

static const char *retname(int r)
{
	switch (r) {
	case PAM_SUCCESS: return "PAM_SUCCESS";
	case PAM_PERM_DENIED: return "PAM_PERM_DENIED";
	case PAM_USER_UNKNOWN: return "PAM_USER_UNKNOWN";
	case PAM_IGNORE: return "PAM_IGNORE";
	case PAM_AUTHINFO_UNAVAIL: return "PAM_AUTHINFO_UNAVAIL";
	case PAM_SESSION_ERR: return "PAM_SESSION_ERR";
	case PAM_AUTH_ERR: return "PAM_AUTH_ERR";
	case PAM_ACCT_EXPIRED: return "PAM_ACCT_EXPIRED";
	case PAM_NEW_AUTHTOK_REQD: return "PAM_NEW_AUTHTOK_REQD";
	case PAM_SYSTEM_ERR: return "PAM_SYSTEM_ERR";
	case PAM_BUF_ERR: return "PAM_BUF_ERR";
	case PAM_MAXTRIES: return "PAM_MAXTRIES";
	case PAM_CRED_INSUFFICIENT: return "PAM_CRED_INSUFFICIENT";
	case PAM_ABORT: return "PAM_ABORT";
	case PAM_MODULE_UNKNOWN: return "PAM_MODULE_UNKNOWN";
	default: return "PAM_OTHER";
	}
}

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct pam_response *r;

	(void)data;
	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	if ((r = calloc((size_t)n, sizeof(*r))) == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			r[i].resp = strdup(password != NULL ? password : "");
			break;
		case PAM_ERROR_MSG:
			printf("msg-error=%s\n", msg[i]->msg);
			break;
		case PAM_TEXT_INFO:
			printf("msg-info=%s\n", msg[i]->msg);
			break;
		default:
			break;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

static int run_as_user(const char *user, char **cmd)
{
	struct passwd *pw = getpwnam(user);
	pid_t pid;
	int st;

	if (pw == NULL) {
		fprintf(stderr, "pamdrive: %s does not resolve\n", user);
		return -1;
	}
	fflush(stdout);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
			perror("pamdrive: drop privileges");
			_exit(127);
		}
		execvp(cmd[0], cmd);
		perror("pamdrive: exec");
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
	const char *confdir = NULL, *service = "sshd", *user = NULL, *rhost = NULL, *tty = NULL;
	const char *steps = "acct,open,close", *after_acct = NULL;
	char **envs = calloc((size_t)argc, sizeof(char *)), **cmd = NULL;
	size_t nenv = 0;
	struct pam_conv pc = { conv, NULL };
	pam_handle_t *pamh = NULL;
	int r, i, failed = 0;

	if (envs == NULL)
		return 2;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			cmd = &argv[i + 1];
			break;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "pamdrive: %s needs a value\n", argv[i]);
			return 2;
		}
		if (strcmp(argv[i], "--confdir") == 0) confdir = argv[++i];
		else if (strcmp(argv[i], "--service") == 0) service = argv[++i];
		else if (strcmp(argv[i], "--user") == 0) user = argv[++i];
		else if (strcmp(argv[i], "--rhost") == 0) rhost = argv[++i];
		else if (strcmp(argv[i], "--tty") == 0) tty = argv[++i];
		else if (strcmp(argv[i], "--env") == 0) envs[nenv++] = argv[++i];
		else if (strcmp(argv[i], "--steps") == 0) steps = argv[++i];
		else if (strcmp(argv[i], "--password") == 0) password = argv[++i];
		else if (strcmp(argv[i], "--after-acct") == 0) after_acct = argv[++i];
		else {
			fprintf(stderr, "pamdrive: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (confdir == NULL || user == NULL) {
		fprintf(stderr, "usage: pamdrive --confdir DIR --user USER [...]\n");
		return 2;
	}
	r = pam_start_confdir(service, user, &pc, confdir, &pamh);
	if (r != PAM_SUCCESS) {
		fprintf(stderr, "pamdrive: pam_start_confdir: %s\n", retname(r));
		return 2;
	}
	if (rhost != NULL)
		pam_set_item(pamh, PAM_RHOST, rhost);
	if (tty != NULL)
		pam_set_item(pamh, PAM_TTY, tty);
	for (size_t k = 0; k < nenv; k++)
		if (strncmp(envs[k], "SSH_AUTH_INFO_0=", 16) != 0)
			pam_putenv(pamh, envs[k]);
	if (strstr(steps, "auth") != NULL) {
		r = pam_authenticate(pamh, 0);
		printf("auth=%s\n", retname(r));
		failed |= r != PAM_SUCCESS;
	}
	if (!failed && strstr(steps, "acct") != NULL) {
		r = pam_acct_mgmt(pamh, 0);
		printf("acct=%s\n", retname(r));
		failed |= r != PAM_SUCCESS;
	}
	if (!failed && after_acct != NULL) {
		int st;

		fflush(stdout);
		st = system(after_acct);
		printf("after-acct=%d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	}
	/* sshd sets SSH_AUTH_INFO_0 only after the account stack (auth2.c). */
	for (size_t k = 0; k < nenv; k++)
		if (strncmp(envs[k], "SSH_AUTH_INFO_0=", 16) == 0)
			pam_putenv(pamh, envs[k]);
	if (!failed && strstr(steps, "open") != NULL) {
		char **env;

		r = pam_open_session(pamh, 0);
		printf("open=%s\n", retname(r));
		failed |= r != PAM_SUCCESS;
		if ((env = pam_getenvlist(pamh)) != NULL) {
			for (char **e = env; *e != NULL; e++) {
				if (strncmp(*e, "NEXUSBG_", 8) == 0)
					printf("env=%s\n", *e);
				free(*e);
			}
			free(env);
		}
		if (!failed && cmd != NULL && cmd[0] != NULL)
			printf("run=%d\n", run_as_user(user, cmd));
		if (!failed && strstr(steps, "close") != NULL) {
			r = pam_close_session(pamh, 0);
			printf("close=%s\n", retname(r));
		}
	}
	pam_end(pamh, r);
	free(envs);
	return 0;
}
