/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pambench.c - the cost of PAM cycles through the real libpam.
 *
 * usage: pambench --confdir DIR --service NAME --user USER --cycles N
 *                 [--phases acct | acct,session] [--env NAME=VALUE]...
 *                 [--loginuid UID] [--require-env NAME]
 *        pambench --confdir DIR --service NAME --user USER [--env ...]
 *                 [--loginuid UID] [--require-env NAME] -- COMMAND [ARGS...]
 *
 * Each cycle is pam_start_confdir -> pam_acct_mgmt [-> pam_open_session ->
 * pam_close_session] -> pam_end, timed with CLOCK_MONOTONIC.  Prints
 * "minflt_per_cycle=... median_us=... p99_us=... maxrss_kb=...
 * rss_growth_kb=..." (page faults cost dearly on some virtual machines) where the RSS
 * growth is measured between the first tenth and the end of the run (a
 * module that leaks or grows with the table shows it there).
 *
 * --loginuid UID writes UID to /proc/self/loginuid before each cycle,
 * outside the timed part: the kernel then gives this process a fresh audit
 * session id, as pam_loginuid does for each real login (needs root with
 * CAP_AUDIT_CONTROL and a kernel whose loginuid is not immutable).
 * --require-env NAME makes a cycle whose session did not put NAME into the
 * PAM environment an error (pam_nexusbg sets NEXUSBG_ROLE only when it
 * wrote the session record), so the run cannot silently time a cheaper
 * path than a real login takes.
 *
 * With a COMMAND after "--", pambench logs in once as sshd would (account,
 * open_session), runs COMMAND as the user (their uid, gid and groups) in
 * that session, then closes it; the exit status is COMMAND's.  That is how
 * the benchmark times `nexusbg session check` against a real session record.
 */
#include <security/pam_appl.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int conv(int n, const struct pam_message **m, struct pam_response **r, void *d)
{
	(void)n;
	(void)m;
	(void)d;
	*r = NULL;
	return PAM_CONV_ERR;
}

/* A fresh audit session: write the login uid again. */
static int set_loginuid(const char *uid)
{
	int fd = open("/proc/self/loginuid", O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, uid, strlen(uid));
	close(fd);
	return n == (ssize_t)strlen(uid) ? 0 : -1;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/statm", "re");
	long pages = 0, rss = 0;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss * 4;
}

/* One login as sshd makes it, COMMAND run as the user inside it. */
static int login_and_run(const char *confdir, const char *service, const char *user,
    const char *const *envs, size_t nenv, const char *loginuid, const char *require_env,
    char **cmd)
{
	struct pam_conv pc = { conv, NULL };
	pam_handle_t *pamh = NULL;
	struct passwd *pw;
	pid_t pid;
	int r, st = 0;

	if ((pw = getpwnam(user)) == NULL) {
		fprintf(stderr, "pambench: no such user %s\n", user);
		return 1;
	}
	if (loginuid != NULL && set_loginuid(loginuid) != 0) {
		perror("pambench: /proc/self/loginuid");
		return 1;
	}
	if ((r = pam_start_confdir(service, user, &pc, confdir, &pamh)) != PAM_SUCCESS) {
		fprintf(stderr, "pambench: pam_start_confdir: %s\n", pam_strerror(NULL, r));
		return 1;
	}
	for (size_t k = 0; k < nenv; k++)
		pam_putenv(pamh, envs[k]);
	if ((r = pam_acct_mgmt(pamh, 0)) != PAM_SUCCESS ||
	    (r = pam_open_session(pamh, 0)) != PAM_SUCCESS) {
		fprintf(stderr, "pambench: login: %s\n", pam_strerror(pamh, r));
		pam_end(pamh, r);
		return 1;
	}
	if (require_env != NULL && pam_getenv(pamh, require_env) == NULL) {
		fprintf(stderr, "pambench: the session did not set %s\n", require_env);
		st = -1;
	} else if ((pid = fork()) == 0) {
		if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
		    setuid(pw->pw_uid) != 0) {
			perror("pambench: dropping to the user");
			_exit(126);
		}
		execv(cmd[0], cmd);
		perror("pambench: exec");
		_exit(127);
	} else if (pid < 0 || waitpid(pid, &st, 0) != pid) {
		perror("pambench: fork/wait");
		st = -1;
	}
	r = pam_close_session(pamh, 0);
	pam_end(pamh, r);
	if (st == -1)
		return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

int main(int argc, char **argv)
{
	const char *confdir = NULL, *service = NULL, *user = NULL, *phases = "acct";
	const char *loginuid = NULL, *require_env = NULL;
	const char *envs[16];
	char **cmd = NULL;
	size_t nenv = 0;
	long cycles = 1000, rss_early = 0, flt0;
	struct pam_conv pc = { conv, NULL };
	struct rusage ru;
	double *t;

	for (int i = 1; i < argc; i += 2) {
		if (strcmp(argv[i], "--") == 0 && i + 1 < argc) {
			cmd = argv + i + 1;
			break;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "pambench: %s needs a value\n", argv[i]);
			return 2;
		}
		if (strcmp(argv[i], "--confdir") == 0) confdir = argv[i + 1];
		else if (strcmp(argv[i], "--service") == 0) service = argv[i + 1];
		else if (strcmp(argv[i], "--user") == 0) user = argv[i + 1];
		else if (strcmp(argv[i], "--cycles") == 0) cycles = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--phases") == 0) phases = argv[i + 1];
		else if (strcmp(argv[i], "--env") == 0 && nenv < 16) envs[nenv++] = argv[i + 1];
		else if (strcmp(argv[i], "--loginuid") == 0) loginuid = argv[i + 1];
		else if (strcmp(argv[i], "--require-env") == 0) require_env = argv[i + 1];
		else {
			fprintf(stderr, "pambench: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (confdir == NULL || service == NULL || user == NULL || cycles < 10) {
		fprintf(stderr, "usage: pambench --confdir DIR --service NAME --user USER "
		    "--cycles N\n"
		    "                [--phases acct|acct,session] [--env N=V]... [--loginuid UID]\n"
		    "                [--require-env NAME] [-- COMMAND [ARGS...]]\n");
		return 2;
	}
	if (cmd != NULL)
		return login_and_run(confdir, service, user, envs, nenv, loginuid, require_env,
		    cmd);
	if ((t = calloc((size_t)cycles, sizeof(*t))) == NULL)
		return 1;
	getrusage(RUSAGE_SELF, &ru);
	flt0 = ru.ru_minflt;
	for (long c = 0; c < cycles; c++) {
		struct timespec a, b;
		pam_handle_t *pamh = NULL;
		int r;

		if (loginuid != NULL && set_loginuid(loginuid) != 0) {
			perror("pambench: /proc/self/loginuid");
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &a);
		r = pam_start_confdir(service, user, &pc, confdir, &pamh);
		if (r != PAM_SUCCESS) {
			fprintf(stderr, "pambench: pam_start_confdir: %s\n", pam_strerror(NULL, r));
			return 1;
		}
		for (size_t k = 0; k < nenv; k++)
			pam_putenv(pamh, envs[k]);
		r = pam_acct_mgmt(pamh, 0);
		if (r != PAM_SUCCESS) {
			fprintf(stderr, "pambench: pam_acct_mgmt: %s\n", pam_strerror(pamh, r));
			return 1;
		}
		if (strstr(phases, "session") != NULL) {
			r = pam_open_session(pamh, 0);
			if (r != PAM_SUCCESS) {
				fprintf(stderr, "pambench: pam_open_session: %s\n",
				    pam_strerror(pamh, r));
				return 1;
			}
			if (require_env != NULL && pam_getenv(pamh, require_env) == NULL) {
				fprintf(stderr, "pambench: the session did not set %s\n",
				    require_env);
				return 1;
			}
			r = pam_close_session(pamh, 0);
		}
		pam_end(pamh, r);
		clock_gettime(CLOCK_MONOTONIC, &b);
		t[c] = (double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3;
		if (c == cycles / 10)
			rss_early = rss_kb();
	}
	qsort(t, (size_t)cycles, sizeof(*t), cmp);
	getrusage(RUSAGE_SELF, &ru);
	printf("minflt_per_cycle=%.1f ", (double)(ru.ru_minflt - flt0) / (double)cycles);
	printf("median_us=%.1f p99_us=%.1f maxrss_kb=%ld rss_growth_kb=%ld\n",
	    t[cycles / 2], t[(cycles * 99) / 100], ru.ru_maxrss, rss_kb() - rss_early);
	free(t);
	return 0;
}
