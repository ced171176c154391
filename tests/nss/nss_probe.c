/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nss_probe.c - ask libnss_nexusbg.so.2 directly, as glibc does, and say
 * what it answered; or time getpwnam() through glibc and nsswitch.conf.
 *
 *   nss_probe db
 *       the database path compiled into the module
 *   nss_probe call MODULE.so FUNCTION KEY [BUFLEN]
 *       dlopen the module, call _nss_nexusbg_FUNCTION (getpwnam_r,
 *       getpwuid_r, getgrnam_r, getgrgid_r, getspnam_r) for KEY with a
 *       BUFLEN-byte buffer (default 4096), print "SUCCESS <the entry as a
 *       passwd/group/shadow line>", "NOTFOUND", or "<STATUS> <errno name>"
 *   nss_probe list MODULE.so passwd|group|shadow
 *       the module's enumeration, one line per entry, then its last status
 *   nss_probe time KEY COUNT
 *       getpwnam(KEY), or getpwuid(KEY) when KEY is a number, COUNT times
 *       through glibc and nsswitch.conf (a first call, which loads the
 *       configuration and the modules, is not counted); prints "KEY (found):
 *       N calls, X us per call"
 */
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <shadow.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *status_name(enum nss_status s)
{
	switch (s) {
	case NSS_STATUS_SUCCESS: return "SUCCESS";
	case NSS_STATUS_NOTFOUND: return "NOTFOUND";
	case NSS_STATUS_UNAVAIL: return "UNAVAIL";
	case NSS_STATUS_TRYAGAIN: return "TRYAGAIN";
	case NSS_STATUS_RETURN: return "RETURN";
	default: return "?";
	}
}

static const char *errno_name(int e)
{
	switch (e) {
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EIO: return "EIO";
	case ERANGE: return "ERANGE";
	case 0: return "0";
	default: return strerror(e);
	}
}

static void print_pw(const struct passwd *p)
{
	printf("%s:%s:%u:%u:%s:%s:%s\n", p->pw_name, p->pw_passwd, (unsigned)p->pw_uid,
	    (unsigned)p->pw_gid, p->pw_gecos, p->pw_dir, p->pw_shell);
}

static void print_gr(const struct group *g)
{
	printf("%s:%s:%u:", g->gr_name, g->gr_passwd, (unsigned)g->gr_gid);
	for (char **m = g->gr_mem; *m != NULL; m++)
		printf("%s%s", m == g->gr_mem ? "" : ",", *m);
	printf("\n");
}

static void print_sp(const struct spwd *s)
{
	printf("%s:%s:%ld:%ld:%ld:%ld:%ld:%ld:%ld\n", s->sp_namp, s->sp_pwdp, s->sp_lstchg,
	    s->sp_min, s->sp_max, s->sp_warn, s->sp_inact, s->sp_expire, (long)s->sp_flag);
}

typedef enum nss_status by_name_fn(const char *, void *, char *, size_t, int *);
typedef enum nss_status by_id_fn(unsigned, void *, char *, size_t, int *);
typedef enum nss_status setent_fn(int);
typedef enum nss_status getent_fn(void *, char *, size_t, int *);
typedef enum nss_status endent_fn(void);

/* _nss_nexusbg_NAME, or exit 2 (POSIX: dlsym's object pointer is the function). */
union fn {
	void *p;
	by_name_fn *by_name;
	by_id_fn *by_id;
	setent_fn *setent;
	getent_fn *getent;
	endent_fn *endent;
};

static union fn sym(void *h, const char *name)
{
	char full[64];
	union fn f;

	snprintf(full, sizeof(full), "_nss_nexusbg_%s", name);
	if ((f.p = dlsym(h, full)) == NULL) {
		fprintf(stderr, "nss_probe: %s: %s\n", full, dlerror());
		exit(2);
	}
	return f;
}

static int call(void *h, const char *fn, const char *key, size_t buflen)
{
	union {
		struct passwd pw;
		struct group gr;
		struct spwd sp;
	} r;
	char *buf = malloc(buflen > 0 ? buflen : 1);
	enum nss_status s;
	int e = 0;

	if (buf == NULL)
		return 2;
	if (strcmp(fn, "getpwuid_r") == 0 || strcmp(fn, "getgrgid_r") == 0)
		s = sym(h, fn).by_id((unsigned)strtoul(key, NULL, 10), &r, buf, buflen, &e);
	else
		s = sym(h, fn).by_name(key, &r, buf, buflen, &e);
	if (s != NSS_STATUS_SUCCESS) {
		printf("%s", status_name(s));
		if (s != NSS_STATUS_NOTFOUND)
			printf(" %s", errno_name(e));
		printf("\n");
	} else {
		printf("SUCCESS ");
		if (strncmp(fn, "getpw", 5) == 0)
			print_pw(&r.pw);
		else if (strncmp(fn, "getgr", 5) == 0)
			print_gr(&r.gr);
		else
			print_sp(&r.sp);
	}
	free(buf);
	return 0;
}

static int list(void *h, const char *db)
{
	char set[32], get[32], end[32], buf[4096];
	union {
		struct passwd pw;
		struct group gr;
		struct spwd sp;
	} r;
	enum nss_status s;
	const char *k = strcmp(db, "passwd") == 0 ? "pw" : strcmp(db, "group") == 0 ? "gr" :
	    "sp";
	int e = 0;

	snprintf(set, sizeof(set), "set%sent", k);
	snprintf(get, sizeof(get), "get%sent_r", k);
	snprintf(end, sizeof(end), "end%sent", k);
	if ((s = sym(h, set).setent(0)) != NSS_STATUS_SUCCESS) {
		printf("%s %s\n", status_name(s), errno_name(errno));
		return 0;
	}
	while ((s = sym(h, get).getent(&r, buf, sizeof(buf), &e)) == NSS_STATUS_SUCCESS) {
		if (k[0] == 'p')
			print_pw(&r.pw);
		else if (k[0] == 'g')
			print_gr(&r.gr);
		else
			print_sp(&r.sp);
	}
	printf("%s\n", status_name(s));
	sym(h, end).endent();
	return 0;
}

/* getpwnam(KEY), or getpwuid(KEY) when KEY is a number. */
static struct passwd *lookup(const char *key)
{
	char *end;
	unsigned long uid = strtoul(key, &end, 10);

	return *key != '\0' && *end == '\0' ? getpwuid((uid_t)uid) : getpwnam(key);
}

static int timed(const char *key, long count)
{
	struct timespec a, b;
	bool found = lookup(key) != NULL;	/* loads nsswitch.conf and the modules */
	double us;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < count; i++) {
		if ((lookup(key) != NULL) != found) {
			fprintf(stderr, "nss_probe: %s: changed at call %ld\n", key, i);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	us = ((double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3) /
	    (double)count;
	printf("%s (%s): %ld calls, %.1f us per call\n", key, found ? "found" : "not found",
	    count, us);
	return 0;
}

int main(int argc, char **argv)
{
	void *h;

	if (argc == 2 && strcmp(argv[1], "db") == 0) {
		printf("%s\n", NBG_DEFAULT_ACCOUNTS_DB);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "time") == 0)
		return timed(argv[2], strtol(argv[3], NULL, 10) > 0 ? strtol(argv[3], NULL, 10) :
		    1);
	if (argc < 4 || (strcmp(argv[1], "call") != 0 && strcmp(argv[1], "list") != 0)) {
		fprintf(stderr, "usage: nss_probe db | call MODULE FUNCTION KEY [BUFLEN] | "
		    "list MODULE passwd|group|shadow | time KEY COUNT\n");
		return 2;
	}
	if ((h = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL)) == NULL) {
		fprintf(stderr, "nss_probe: %s\n", dlerror());
		return 2;
	}
	if (strcmp(argv[1], "list") == 0)
		return list(h, argv[3]);
	if (argc < 5)
		return 2;
	return call(h, argv[3], argv[4], argc > 5 ? strtoul(argv[5], NULL, 10) : 4096);
}
