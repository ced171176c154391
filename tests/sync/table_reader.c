/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * table_reader.c - a reader of the role-table cache, as the PAM module is:
 * nbg_table_open_any() with the permission checks, then lookups.
 *
 *   table_reader --once PATH
 *	open PATH once; print its serial; exit 0 when it is a complete table
 *   table_reader --loop PATH STOPFILE
 *	open and look up again and again until STOPFILE exists; every open
 *	must give a complete, valid table and the serial must never go down
 *	(each replacement raises it); print "opens=N serials=K last=S"
 *
 * "Complete" means: the opener accepts it, the first and the last user can
 * be read, the last one is found by name, and its first key can be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "roletable.h"

static int check_once(const char *path, uint64_t *serial, char err[NBG_ERR_LEN])
{
	struct nbg_roledoc_opts opts = { 0 };
	struct nbg_table *t = NULL;
	struct nbg_user first, last, found;
	struct nbg_user_key key;
	enum nbg_table_open_status s;
	int64_t mtime;
	uint32_t n;
	int r = -1;

	s = nbg_table_open_any(path, NBG_TABLE_CHECK_PERMS, &opts, &t, &mtime, err);
	if (s != NBG_TABLE_OK) {
		if (s == NBG_TABLE_MISSING)
			snprintf(err, NBG_ERR_LEN, "missing: the path named no file");
		goto out;
	}
	n = nbg_table_nusers(t);
	if (n == 0) {
		snprintf(err, NBG_ERR_LEN, "no users");
		goto out;
	}
	if (nbg_table_user_at(t, 0, &first, err) != 0 ||
	    nbg_table_user_at(t, n - 1, &last, err) != 0)
		goto out;
	if (nbg_table_find(t, last.name, &found, err) != 1 || found.index != n - 1) {
		snprintf(err, NBG_ERR_LEN, "user %s not found by name", last.name);
		goto out;
	}
	if (last.nkeys == 0 || nbg_table_user_key(t, &last, 0, &key, err) != 0 ||
	    nbg_table_user_has_key(t, &found, key.blob, key.blob_len) != 0) {
		snprintf(err, NBG_ERR_LEN, "the key of %s cannot be read back", last.name);
		goto out;
	}
	*serial = nbg_table_serial(t);
	r = 0;
out:
	nbg_table_free(t);
	return r;
}

static int loop(const char *path, const char *stopfile)
{
	char err[NBG_ERR_LEN];
	uint64_t serial, prev = 0;
	unsigned long opens = 0, serials = 0;

	while (access(stopfile, F_OK) != 0) {
		err[0] = '\0';
		if (check_once(path, &serial, err) != 0) {
			fprintf(stderr, "table_reader: open %lu of %s: %s\n", opens + 1, path, err);
			return 1;
		}
		if (serial < prev) {
			fprintf(stderr, "table_reader: serial went down from %ju to %ju\n",
			    (uintmax_t)prev, (uintmax_t)serial);
			return 1;
		}
		if (serial != prev)
			serials++;
		prev = serial;
		opens++;
	}
	printf("opens=%lu serials=%lu last=%ju\n", opens, serials, (uintmax_t)prev);
	return 0;
}

int main(int argc, char **argv)
{
	char err[NBG_ERR_LEN] = "";
	uint64_t serial;

	if (argc == 3 && strcmp(argv[1], "--once") == 0) {
		if (check_once(argv[2], &serial, err) != 0) {
			fprintf(stderr, "table_reader: %s: %s\n", argv[2], err);
			return 1;
		}
		printf("%ju\n", (uintmax_t)serial);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "--loop") == 0)
		return loop(argv[2], argv[3]);
	fprintf(stderr, "usage: table_reader --once PATH | --loop PATH STOPFILE\n");
	return 2;
}
