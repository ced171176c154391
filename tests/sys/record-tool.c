/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * record-tool.c - session records for system tests, through the same
 * functions pam_nexusbg uses (session/record.c).
 *
 *   record-tool ids
 *       print "sessionid=N loginuid=N boot_id=ID" of this process
 *   record-tool write --dir DIR --user U --role R [--caps a,b] [--uid N]
 *       [--sessionid N] [--loginuid N] [--boot-id ID] [--ref REF] [--fp FP]
 *       [--remote ADDR] [--fallback]
 *       write a record; the session id, loginuid and boot id default to
 *       this process's own (inherited from the shell that set loginuid),
 *       the uid to the loginuid
 *   record-tool format ...same options...
 *       print the record text instead of writing it (to forge files)
 *   record-tool remove --dir DIR --sessionid N --ref REF
 *   record-tool read --dir DIR --sessionid N
 *
 * Exit 0 on success, 1 with the error on stderr, 2 on usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "record.h"

struct opts {
	const char *dir;
	const char *caps;
	const char *ref;
	struct nbg_record r;
	int have_sid, have_luid, have_uid, have_boot;
};

static int usage(void)
{
	fprintf(stderr, "usage: record-tool ids\n"
	    "       record-tool write|format --dir DIR --user U --role R [--caps a,b] [--uid N]\n"
	    "           [--sessionid N] [--loginuid N] [--boot-id ID] [--ref REF] [--fp FP]\n"
	    "           [--remote ADDR] [--fallback]\n"
	    "       record-tool remove --dir DIR --sessionid N --ref REF\n"
	    "       record-tool read --dir DIR --sessionid N\n");
	return 2;
}

static int num(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int copy(char *dst, size_t size, const char *src)
{
	if (strlen(src) >= size)
		return -1;
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

static int split_caps(const char *list, struct nbg_record *r)
{
	char buf[1200], *save = NULL;

	if (copy(buf, sizeof(buf), list) != 0)
		return -1;
	for (char *c = strtok_r(buf, ",", &save); c != NULL; c = strtok_r(NULL, ",", &save)) {
		if (r->ncaps == NBG_RECORD_MAX_CAPS ||
		    copy(r->caps[r->ncaps], sizeof(r->caps[0]), c) != 0)
			return -1;
		r->ncaps++;
	}
	return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "dir", required_argument, NULL, 'd' }, { "user", required_argument, NULL, 'u' },
		{ "role", required_argument, NULL, 'r' }, { "caps", required_argument, NULL, 'c' },
		{ "uid", required_argument, NULL, 'U' }, { "sessionid", required_argument, NULL, 's' },
		{ "loginuid", required_argument, NULL, 'l' }, { "boot-id", required_argument, NULL, 'b' },
		{ "ref", required_argument, NULL, 'R' }, { "fp", required_argument, NULL, 'f' },
		{ "remote", required_argument, NULL, 'a' }, { "fallback", no_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	int c, bad = 0;

	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'd': o->dir = optarg; break;
		case 'u': bad |= copy(o->r.user, sizeof(o->r.user), optarg); break;
		case 'r': bad |= copy(o->r.role, sizeof(o->r.role), optarg); break;
		case 'c': o->caps = optarg; break;
		case 'U': bad |= num(optarg, &o->r.uid); o->have_uid = 1; break;
		case 's': bad |= num(optarg, &o->r.sessionid); o->have_sid = 1; break;
		case 'l': bad |= num(optarg, &o->r.loginuid); o->have_luid = 1; break;
		case 'b': bad |= copy(o->r.boot_id, sizeof(o->r.boot_id), optarg); o->have_boot = 1; break;
		case 'R': o->ref = optarg; break;
		case 'f': bad |= copy(o->r.key_fp, sizeof(o->r.key_fp), optarg); break;
		case 'a': bad |= copy(o->r.remote, sizeof(o->r.remote), optarg); break;
		case 'F': o->r.fallback = true; break;
		default: return -1;
		}
	}
	return bad || optind != argc ? -1 : 0;
}

/* Fill what was not given from this process and defaults. */
static int complete(struct opts *o)
{
	if (!o->have_sid && nbg_proc_sessionid(&o->r.sessionid) != 0)
		return -1;
	if (!o->have_luid && nbg_proc_loginuid(&o->r.loginuid) != 0)
		return -1;
	if (!o->have_boot && nbg_boot_id(o->r.boot_id) != 0)
		return -1;
	if (!o->have_uid)
		o->r.uid = o->r.loginuid;
	if (o->caps != NULL && split_caps(o->caps, &o->r) != 0)
		return -1;
	if (copy(o->r.ref, sizeof(o->r.ref), o->ref != NULL ? o->ref : "NBG-5E5510000A") != 0)
		return -1;
	snprintf(o->r.access_path, sizeof(o->r.access_path), "default");
	snprintf(o->r.service, sizeof(o->r.service), "sshd");
	o->r.start = (int64_t)time(NULL);
	o->r.pid = (int32_t)getpid();
	return 0;
}

static int cmd_ids(void)
{
	uint32_t sid = 0, luid = 0;
	char boot[37];
	int a = nbg_proc_sessionid(&sid), b = nbg_proc_loginuid(&luid), c = nbg_boot_id(boot);

	printf("sessionid=%" PRIu32 " loginuid=%" PRIu32 " boot_id=%s\n", sid, luid,
	    c == 0 ? boot : "?");
	return a == 0 && b == 0 && c == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct nbg_record r;
	char err[512], text[NBG_RECORD_MAX_BYTES];
	int ret;

	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "ids") == 0)
		return argc == 2 ? cmd_ids() : usage();
	memset(&o, 0, sizeof(o));
	if (parse(argc - 1, argv + 1, &o) != 0)
		return usage();
	if (strcmp(argv[1], "write") == 0 || strcmp(argv[1], "format") == 0) {
		if (complete(&o) != 0) {
			fprintf(stderr, "record-tool: cannot complete the record (ids, caps, ref)\n");
			return 1;
		}
		if (argv[1][0] == 'f') {
			if ((ret = nbg_record_format(&o.r, text, sizeof(text), err, sizeof(err))) < 0)
				goto fail;
			fputs(text, stdout);
			return 0;
		}
		if (o.dir == NULL)
			return usage();
		ret = nbg_record_write(o.dir, &o.r, err, sizeof(err));
	} else if (strcmp(argv[1], "remove") == 0 && o.dir != NULL && o.have_sid && o.ref != NULL)
		ret = nbg_record_remove(o.dir, o.r.sessionid, o.ref, err, sizeof(err));
	else if (strcmp(argv[1], "read") == 0 && o.dir != NULL && o.have_sid) {
		if ((ret = nbg_record_read(o.dir, o.r.sessionid, &r, err, sizeof(err))) == 0)
			printf("user=%s role=%s uid=%" PRIu32 " ref=%s\n", r.user, r.role, r.uid, r.ref);
	} else
		return usage();
	if (ret == 0)
		return 0;
fail:
	fprintf(stderr, "record-tool: %s (%s)\n", err, strerror(-ret));
	return 1;
}
