/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_acctdb.c - the accounts database (policy/acctdb.h): writer and
 * reader round trip, determinism, what the writer refuses, corruption at
 * every byte and every length (run it under ASan/valgrind: the point is
 * that nothing reads outside the image), targeted corruption of each rule
 * the reader enforces, 200,000 accounts and their probe counts, and the
 * file opener's checks.  The ownership cases need root; they are skipped
 * otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "policy/acctdb.h"
#include "policy/acctdb_int.h"

static const struct nbg_acctdb_entry base[] = {
	{ "alice", 61000, 61000, "alice@contoso.com", "/home/alice", "/bin/bash" },
	{ "bob", 61001, 61000, "", "/home/bob", "/bin/bash" },
	{ "carol.x-y_z$", 61005, 61000, NULL, "/srv/home/carol.x-y_z$", "/bin/sh" },
	{ "_svc", 4294967294u, 61000, "a b c", "/", "/usr/sbin/nologin" },
};
#define NBASE (sizeof(base) / sizeof(base[0]))

static void image(uint8_t **img, size_t *len)
{
	char err[NBG_ACCTDB_ERR_LEN];

	if (nbg_acctdb_build(base, NBASE, "nexusbg", 61000, img, len, err) != 0)
		fail_msg("build: %s", err);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void same_account(const struct nbg_acct *a, const struct nbg_acctdb_entry *e)
{
	assert_string_equal(a->name, e->name);
	assert_int_equal(a->uid, e->uid);
	assert_int_equal(a->gid, e->gid);
	assert_string_equal(a->gecos, e->gecos != NULL ? e->gecos : "");
	assert_string_equal(a->home, e->home);
	assert_string_equal(a->shell, e->shell);
}

static void test_round_trip(void **state)
{
	struct nbg_acctdb db;
	struct nbg_acct a;
	uint8_t *img;
	size_t len;
	char err[NBG_ACCTDB_ERR_LEN];

	(void)state;
	image(&img, &len);
	assert_int_equal(nbg_acctdb_from_image(&db, img, len, err), 0);
	assert_int_equal(nbg_acctdb_count(&db), NBASE);
	assert_string_equal(nbg_acctdb_group_name(&db), "nexusbg");
	assert_int_equal(nbg_acctdb_group_gid(&db), 61000);
	for (uint32_t i = 0; i < NBASE; i++) {
		assert_int_equal(nbg_acctdb_at(&db, i, &a, err), 0);
		assert_int_equal(a.index, i);
		same_account(&a, &base[i]);
		assert_int_equal(nbg_acctdb_by_name(&db, base[i].name, &a, err), 1);
		same_account(&a, &base[i]);
		assert_int_equal(nbg_acctdb_by_uid(&db, base[i].uid, &a, err), 1);
		same_account(&a, &base[i]);
	}
	assert_int_equal(nbg_acctdb_at(&db, NBASE, &a, err), -1);
	{
		static const char *const absent[] = { "dave", "", "Alice", "alice ", "alic",
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "root", "nexusbg", "+", "-alice" };

		for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
			assert_int_equal(nbg_acctdb_by_name(&db, absent[i], &a, err), 0);
	}
	{
		static const uint32_t absent[] = { 0, 1, 60999, 61002, 61004, 61006, UINT32_MAX };

		for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
			assert_int_equal(nbg_acctdb_by_uid(&db, absent[i], &a, err), 0);
	}
	nbg_acctdb_close(&db);
	free(img);
}

static void test_empty(void **state)
{
	struct nbg_acctdb db;
	struct nbg_acct a;
	uint8_t *img;
	size_t len;
	char err[NBG_ACCTDB_ERR_LEN];

	(void)state;
	assert_int_equal(nbg_acctdb_build(NULL, 0, "nexusbg", 64000, &img, &len, err), 0);
	assert_int_equal(nbg_acctdb_from_image(&db, img, len, err), 0);
	assert_int_equal(nbg_acctdb_count(&db), 0);
	assert_string_equal(nbg_acctdb_group_name(&db), "nexusbg");
	assert_int_equal(nbg_acctdb_by_name(&db, "alice", &a, err), 0);
	assert_int_equal(nbg_acctdb_by_uid(&db, 64000, &a, err), 0);
	assert_int_equal(nbg_acctdb_at(&db, 0, &a, err), -1);
	free(img);
}

static void test_determinism(void **state)
{
	uint8_t *a, *b;
	size_t la, lb;

	(void)state;
	image(&a, &la);
	image(&b, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	/* the header as docs/accounts-db.md describes it */
	assert_memory_equal(a, "NBGACCT\0", 8);
	assert_int_equal(le32(a + 8), 1);
	assert_int_equal(le32(a + 12), 160);
	assert_int_equal(le64(a + 16), la);
	assert_int_equal(le32(a + 24), NBASE);
	assert_int_equal(le32(a + 28), 8);
	assert_int_equal(le32(a + 32), 61000);
	assert_int_equal(le32(a + 36), 0);
	assert_int_equal(le64(a + 40), 160);
	assert_int_equal(le64(a + 48), 64);
	assert_int_equal(le64(a + 56), 224);
	assert_int_equal(le64(a + 64), 64);
	assert_int_equal(le64(a + 72), 288);
	assert_int_equal(le64(a + 80), NBASE * 40);
	assert_int_equal(le64(a + 88), 288 + NBASE * 40);
	assert_int_equal(le64(a + 88) + le64(a + 96), la);
	assert_memory_equal(a + 104, "nexusbg\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 32);
	for (size_t i = 136; i < 160; i++)
		assert_int_equal(a[i], 0);
	/* each record's strings follow each other: name, GECOS, home, shell */
	for (size_t i = 0; i < NBASE; i++) {
		static const size_t off_at[4] = { 0, 16, 24, 32 }, len_at[4] = { 4, 20, 28, 36 };
		const uint8_t *rec = a + 288 + 40 * i;

		for (size_t k = 1; k < 4; k++)
			assert_int_equal(le32(rec + off_at[k]),
			    le32(rec + off_at[k - 1]) + le32(rec + len_at[k - 1]) + 1);
	}
	free(a);
	free(b);
}

static void test_writer_refuses(void **state)
{
	static const struct {
		const char *what;
		struct nbg_acctdb_entry e;
		const char *err;
	} cases[] = {
		{ "uid 0", { "eve", 0, 61000, "", "/home/eve", "/bin/sh" }, "uid 0" },
		{ "uid -1", { "eve", UINT32_MAX, 61000, "", "/home/eve", "/bin/sh" }, "not allowed" },
		{ "gid 0", { "eve", 61010, 0, "", "/home/eve", "/bin/sh" }, "gid 0" },
		{ "upper case", { "Eve", 61010, 61000, "", "/home/eve", "/bin/sh" }, "login name" },
		{ "empty name", { "", 61010, 61000, "", "/home/eve", "/bin/sh" }, "login name" },
		{ "33 bytes", { "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", 61010, 61000, "", "/h", "/s" },
		  "login name" },
		{ "colon", { "e:ve", 61010, 61000, "", "/home/eve", "/bin/sh" }, "login name" },
		{ "plus", { "+eve", 61010, 61000, "", "/home/eve", "/bin/sh" }, "login name" },
		{ "dollar inside", { "e$ve", 61010, 61000, "", "/home/eve", "/bin/sh" },
		  "login name" },
		{ "gecos colon", { "eve", 61010, 61000, "a:b", "/home/eve", "/bin/sh" }, "GECOS" },
		{ "gecos newline", { "eve", 61010, 61000, "a\nb", "/home/eve", "/bin/sh" }, "GECOS" },
		{ "relative home", { "eve", 61010, 61000, "", "home/eve", "/bin/sh" }, "absolute" },
		{ "no home", { "eve", 61010, 61000, "", NULL, "/bin/sh" }, "absolute" },
		{ "empty shell", { "eve", 61010, 61000, "", "/home/eve", "" }, "absolute" },
		{ "shell DEL", { "eve", 61010, 61000, "", "/home/eve", "/bin/s\x7fh" }, "control" },
		{ "duplicate login", { "bob", 61010, 61000, "", "/home/bob", "/bin/sh" },
		  "duplicate login bob" },
		{ "duplicate uid", { "eve", 61005, 61000, "", "/home/eve", "/bin/sh" },
		  "duplicate uid 61005" },
	};
	struct nbg_acctdb_entry v[NBASE + 1];
	char err[NBG_ACCTDB_ERR_LEN];
	uint8_t *img = (uint8_t *)1;
	size_t len = 1;

	(void)state;
	memcpy(v, base, sizeof(base));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v[NBASE] = cases[i].e;
		err[0] = '\0';
		if (nbg_acctdb_build(v, NBASE + 1, "nexusbg", 61000, &img, &len, err) == 0)
			fail_msg("%s: accepted", cases[i].what);
		assert_null(img);
		assert_int_equal(len, 0);
		if (strstr(err, cases[i].err) == NULL)
			fail_msg("%s: error \"%s\", expected \"%s\"", cases[i].what, err,
			    cases[i].err);
	}
	{
		char gecos[NBG_ACCTDB_GECOS_MAX + 2], home[NBG_ACCTDB_PATH_MAX + 2];

		memset(gecos, 'g', sizeof(gecos) - 1);
		gecos[sizeof(gecos) - 1] = '\0';
		memset(home, 'h', sizeof(home) - 1);
		home[0] = '/';
		home[sizeof(home) - 1] = '\0';
		v[NBASE] = (struct nbg_acctdb_entry){ "eve", 61010, 61000, gecos, "/h", "/s" };
		assert_int_equal(nbg_acctdb_build(v, NBASE + 1, "g", 1, &img, &len, err), -1);
		gecos[NBG_ACCTDB_GECOS_MAX] = '\0';	/* exactly the limit */
		assert_int_equal(nbg_acctdb_build(v, NBASE + 1, "g", 1, &img, &len, err), 0);
		free(img);
		v[NBASE] = (struct nbg_acctdb_entry){ "eve", 61010, 61000, "", home, "/s" };
		assert_int_equal(nbg_acctdb_build(v, NBASE + 1, "g", 1, &img, &len, err), -1);
		home[NBG_ACCTDB_PATH_MAX] = '\0';
		assert_int_equal(nbg_acctdb_build(v, NBASE + 1, "g", 1, &img, &len, err), 0);
		free(img);
	}
	assert_int_equal(nbg_acctdb_build(base, NBASE, "Nexusbg", 61000, &img, &len, err), -1);
	assert_int_equal(nbg_acctdb_build(base, NBASE, "nexusbg", 0, &img, &len, err), -1);
	assert_int_equal(nbg_acctdb_build(base, NBASE, "nexusbg", UINT32_MAX, &img, &len, err),
	    -1);
	assert_int_equal(nbg_acctdb_build(base, NBG_ACCTDB_MAX_ACCOUNTS + 1u, "nexusbg", 1, &img,
	    &len, err), -1);
}

/* Every lookup and every record of an image the reader accepted. */
static void exercise(const struct nbg_acctdb *db)
{
	static const char *const names[] = { "alice", "bob", "carol.x-y_z$", "_svc", "dave",
	    "", "a" };
	static const uint32_t uids[] = { 61000, 61001, 61005, 4294967294u, 61002, 0, 1 };
	struct nbg_acct a;
	char err[NBG_ACCTDB_ERR_LEN];

	assert_true(strlen(nbg_acctdb_group_name(db)) <= NBG_ACCTDB_NAME_MAX);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (nbg_acctdb_by_name(db, names[i], &a, err) == 1)
			assert_string_equal(a.name, names[i]);
	}
	for (size_t i = 0; i < sizeof(uids) / sizeof(uids[0]); i++) {
		if (nbg_acctdb_by_uid(db, uids[i], &a, err) == 1)
			assert_int_equal(a.uid, uids[i]);
	}
	for (uint32_t i = 0; i < nbg_acctdb_count(db) && i < 64; i++) {
		if (nbg_acctdb_at(db, i, &a, err) != 0)
			continue;
		assert_true(a.uid != 0 && a.gid != 0);
		assert_true(strlen(a.name) <= NBG_ACCTDB_NAME_MAX);
		assert_true(strlen(a.gecos) <= NBG_ACCTDB_GECOS_MAX);
		assert_true(a.home[0] == '/' && strlen(a.home) <= NBG_ACCTDB_PATH_MAX);
		assert_true(a.shell[0] == '/' && strlen(a.shell) <= NBG_ACCTDB_PATH_MAX);
		assert_null(strchr(a.gecos, ':'));
	}
}

/* Header bytes the opener checks completely (not the group's gid and name). */
static bool checked_header_byte(size_t p)
{
	return p < 32 || (p >= 36 && p < 104) || (p >= 136 && p < 160);
}

static void test_corruption(void **state)
{
	static const uint8_t flips[] = { 0x01, 0x80, 0xff };
	struct nbg_acctdb db;
	uint8_t *img, *bad;
	size_t len;
	char err[NBG_ACCTDB_ERR_LEN];

	(void)state;
	image(&img, &len);
	for (size_t p = 0; p < len; p++) {
		for (size_t f = 0; f < sizeof(flips); f++) {
			bad = malloc(len);
			assert_non_null(bad);
			memcpy(bad, img, len);
			bad[p] ^= flips[f];
			err[0] = '\0';
			if (nbg_acctdb_from_image(&db, bad, len, err) != 0) {
				assert_true(err[0] != '\0');
				free(bad);
				continue;
			}
			if (checked_header_byte(p))
				fail_msg("flip 0x%02x at header byte %zu accepted", flips[f], p);
			exercise(&db);
			nbg_acctdb_close(&db);
			free(bad);
		}
	}
	free(img);
}

static void test_truncated(void **state)
{
	struct nbg_acctdb db;
	uint8_t *img, *bad;
	size_t len;
	char err[NBG_ACCTDB_ERR_LEN];

	(void)state;
	image(&img, &len);
	for (size_t n = 0; n <= len + 1; n++) {
		int r;

		/* exactly n bytes, so that ASan sees any read past them */
		bad = malloc(n > 0 ? n : 1);
		assert_non_null(bad);
		memcpy(bad, img, n <= len ? n : len);
		if (n > len)
			bad[len] = 0;
		r = nbg_acctdb_from_image(&db, bad, n, err);
		if (n == len) {
			assert_int_equal(r, 0);
			exercise(&db);
		} else if (r == 0) {
			fail_msg("image of %zu of %zu bytes accepted", n, len);
		}
		free(bad);
	}
	free(img);
}

/* --- targeted corruption, following docs/accounts-db.md ------------------- */

enum target { T_NAME_OFF, T_NAME_NUL, T_UID_ZERO, T_GID_MAX, T_GECOS_COLON, T_HOME_RELATIVE,
    T_SHELL_CTRL, T_NAME_SYNTAX, T_NAME_BUCKET, T_UID_BUCKET_OTHER, T_NAMES_FULL, T_UIDS_FULL,
    T_GROUP_NAME, T_GROUP_NAME_JUNK, T_GROUP_GID, T_FLAGS, T_RESERVED, T_GECOS_LONG };

static const struct {
	const char *name;
	enum target target;
	int by_name;		/* nbg_acctdb_by_name("alice") */
	int by_uid;		/* nbg_acctdb_by_uid(61000) */
	bool opens;
} targets[] = {
	{ "name outside the strings", T_NAME_OFF, -1, -1, true },
	{ "name not terminated", T_NAME_NUL, -1, -1, true },
	{ "uid 0 in a record", T_UID_ZERO, -1, -1, true },
	{ "gid -1 in a record", T_GID_MAX, -1, -1, true },
	{ "':' in the GECOS field", T_GECOS_COLON, -1, -1, true },
	{ "relative home", T_HOME_RELATIVE, -1, -1, true },
	{ "newline in the shell", T_SHELL_CTRL, -1, -1, true },
	{ "a name passwd(5) cannot hold", T_NAME_SYNTAX, -1, -1, true },
	{ "name bucket to no record", T_NAME_BUCKET, -1, 1, true },
	{ "uid bucket to another record", T_UID_BUCKET_OTHER, 1, -1, true },
	{ "no empty name bucket", T_NAMES_FULL, -1, 1, true },
	{ "no empty uid bucket", T_UIDS_FULL, 1, -1, true },
	{ "group name invalid", T_GROUP_NAME, 0, 0, false },
	{ "bytes after the group name's NUL", T_GROUP_NAME_JUNK, 0, 0, false },
	{ "group gid 0", T_GROUP_GID, 0, 0, false },
	{ "unknown header flag", T_FLAGS, 0, 0, false },
	{ "reserved header byte", T_RESERVED, 0, 0, false },
	{ "GECOS length over the limit", T_GECOS_LONG, -1, -1, true },
};

static void corrupt(uint8_t *img, enum target target)
{
	uint32_t nb = le32(img + 28);
	uint64_t names = le64(img + 40), uids = le64(img + 56), recs = le64(img + 72);
	uint64_t strs = le64(img + 88), strs_size = le64(img + 96);
	uint8_t *alice = img + recs;	/* record 0 */

	switch (target) {
	case T_NAME_OFF:
		put32(alice + 0, (uint32_t)strs_size);
		break;
	case T_NAME_NUL:
		img[strs + le32(alice) + le32(alice + 4)] = 'x';
		break;
	case T_UID_ZERO:
		put32(alice + 8, 0);
		break;
	case T_GID_MAX:
		put32(alice + 12, UINT32_MAX);
		break;
	case T_GECOS_COLON:
		img[strs + le32(alice + 16)] = ':';
		break;
	case T_HOME_RELATIVE:
		img[strs + le32(alice + 24)] = 'h';
		break;
	case T_SHELL_CTRL:
		img[strs + le32(alice + 32) + 1] = '\n';
		break;
	case T_NAME_SYNTAX:
		img[strs + le32(alice)] = 'A';
		break;
	case T_NAME_BUCKET:
		for (uint32_t b = 0; b < nb; b++)
			if (le32(img + names + 8 * b) == 1)
				put32(img + names + 8 * b, le32(img + 24) + 1);
		break;
	case T_UID_BUCKET_OTHER:
		for (uint32_t b = 0; b < nb; b++)
			if (le32(img + uids + 8 * b) == 1)
				put32(img + uids + 8 * b, 2);	/* bob's record, alice's uid */
		break;
	case T_NAMES_FULL:
		for (uint32_t b = 0; b < nb; b++) {
			put32(img + names + 8 * b, 2);
			put32(img + names + 8 * b + 4, 0xdeadbeef);
		}
		break;
	case T_UIDS_FULL:
		for (uint32_t b = 0; b < nb; b++) {
			put32(img + uids + 8 * b, 2);
			put32(img + uids + 8 * b + 4, 7);
		}
		break;
	case T_GROUP_NAME:
		img[104] = '-';
		break;
	case T_GROUP_NAME_JUNK:
		img[104 + 10] = 'x';	/* after the name's NUL padding starts */
		break;
	case T_GROUP_GID:
		put32(img + 32, 0);
		break;
	case T_FLAGS:
		put32(img + 36, 1);
		break;
	case T_RESERVED:
		img[159] = 1;
		break;
	case T_GECOS_LONG:
		put32(alice + 20, NBG_ACCTDB_GECOS_MAX + 1);
		break;
	}
}

static void test_targeted_corruption(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		struct nbg_acctdb db;
		struct nbg_acct a;
		uint8_t *img;
		size_t len;
		char err[NBG_ACCTDB_ERR_LEN];
		int r;

		image(&img, &len);
		corrupt(img, targets[i].target);
		r = nbg_acctdb_from_image(&db, img, len, err);
		if (!targets[i].opens) {
			if (r == 0)
				fail_msg("%s: the image opens", targets[i].name);
			free(img);
			continue;
		}
		if (r != 0)
			fail_msg("%s: does not open: %s", targets[i].name, err);
		err[0] = '\0';
		r = nbg_acctdb_by_name(&db, "alice", &a, err);
		if (r != targets[i].by_name)
			fail_msg("%s: by_name %d, expected %d", targets[i].name, r,
			    targets[i].by_name);
		if (r < 0 && err[0] == '\0')
			fail_msg("%s: no error message", targets[i].name);
		r = nbg_acctdb_by_uid(&db, 61000, &a, err);
		if (r != targets[i].by_uid)
			fail_msg("%s: by_uid %d, expected %d", targets[i].name, r,
			    targets[i].by_uid);
		exercise(&db);
		free(img);
	}
}

/* --- 200,000 accounts ------------------------------------------------------- */

#define BIG	NBG_ACCTDB_MAX_ACCOUNTS

/* Buckets read by a lookup, straight from the index (docs/accounts-db.md). */
static uint32_t probes(const uint8_t *img, bool by_uid, const char *name, uint32_t uid)
{
	uint32_t nb = le32(img + 28), mask = nb - 1, n = 1, i;
	const uint8_t *index = img + le64(img + (by_uid ? 56 : 40));

	i = by_uid ? nbg_acctdb_hash_uid(uid) & mask :
	    (uint32_t)nbg_acctdb_hash_name(name, strlen(name)) & mask;
	while (le32(index + 8 * i) != 0) {
		uint32_t key = le32(index + 8 * i + 4);

		if (by_uid ? key == uid : key == (uint32_t)(nbg_acctdb_hash_name(name,
		    strlen(name)) >> 32))
			break;
		i = (i + 1) & mask;
		n++;
	}
	return n;
}

static void test_many(void **state)
{
	struct nbg_acctdb_entry *v;
	struct nbg_acctdb db;
	struct nbg_acct a;
	char (*names)[16], (*homes)[32], err[NBG_ACCTDB_ERR_LEN];
	uint64_t sum_name = 0, sum_uid = 0;
	uint32_t max_name = 0, max_uid = 0;
	uint8_t *img;
	size_t len;

	(void)state;
	v = calloc(BIG, sizeof(*v));
	names = calloc(BIG, sizeof(*names));
	homes = calloc(BIG, sizeof(*homes));
	assert_true(v != NULL && names != NULL && homes != NULL);
	for (uint32_t i = 0; i < BIG; i++) {
		snprintf(names[i], sizeof(names[i]), "op%06u", i);
		snprintf(homes[i], sizeof(homes[i]), "/home/op%06u", i);
		v[i] = (struct nbg_acctdb_entry){ names[i], 100000 + i, 64000,
		    "a display name@contoso.com", homes[i], "/bin/bash" };
	}
	if (nbg_acctdb_build(v, BIG, "nexusbg", 64000, &img, &len, err) != 0)
		fail_msg("200,000 accounts refused: %s", err);
	assert_int_equal(nbg_acctdb_from_image(&db, img, len, err), 0);
	for (uint32_t i = 0; i < BIG; i++) {
		uint32_t pn = probes(img, false, names[i], 0), pu = probes(img, true, NULL,
		    v[i].uid);

		if (nbg_acctdb_by_name(&db, names[i], &a, err) != 1 || a.index != i)
			fail_msg("%s not found by name (%s)", names[i], err);
		if (nbg_acctdb_by_uid(&db, v[i].uid, &a, err) != 1 || a.index != i)
			fail_msg("uid %u not found (%s)", v[i].uid, err);
		sum_name += pn;
		sum_uid += pu;
		max_name = pn > max_name ? pn : max_name;
		max_uid = pu > max_uid ? pu : max_uid;
	}
	for (uint32_t i = BIG; i < BIG + 1000; i++) {
		char name[16];

		snprintf(name, sizeof(name), "op%06u", i);
		assert_int_equal(nbg_acctdb_by_name(&db, name, &a, err), 0);
		assert_int_equal(nbg_acctdb_by_uid(&db, 100000 + i, &a, err), 0);
	}
	/*
	 * A lookup reads a few buckets whatever the number of accounts: with at
	 * most half the buckets used, linear probing averages below 1.5 for a
	 * hit; sequential uids must not cluster.
	 */
	print_message("name index: %.3f buckets per hit, at most %u; uid index: %.3f, at most "
	    "%u\n", (double)sum_name / BIG, max_name, (double)sum_uid / BIG, max_uid);
	assert_true(sum_name < (uint64_t)BIG * 3 / 2);
	assert_true(sum_uid < (uint64_t)BIG * 3 / 2);
	assert_true(max_name < 64 && max_uid < 64);
	free(img);
	free(v);
	free(names);
	free(homes);
}

/* --- the file opener ---------------------------------------------------------- */

struct fs {
	char dir[64];
	char path[128];		/* dir/accounts.db */
};

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd;

	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		fail_msg("%s: %s", path, strerror(errno));
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static int fs_setup(void **state)
{
	struct fs *fs = calloc(1, sizeof(*fs));

	if (fs == NULL)
		return -1;
	snprintf(fs->dir, sizeof(fs->dir), "/tmp/nbg-acctdb-XXXXXX");
	if (mkdtemp(fs->dir) == NULL) {
		free(fs);
		return -1;
	}
	snprintf(fs->path, sizeof(fs->path), "%s/accounts.db", fs->dir);
	*state = fs;
	return 0;
}

static int fs_teardown(void **state)
{
	static const char *const names[] = { "accounts.db", "link", "fifo", "sub", "short" };
	struct fs *fs = *state;
	char p[192];

	(void)chmod(fs->dir, 0700);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", fs->dir, names[i]);
		if (unlink(p) != 0)
			(void)rmdir(p);
	}
	(void)rmdir(fs->dir);
	free(fs);
	return 0;
}

static void expect_open(const char *what, const char *path, unsigned flags,
    enum nbg_acctdb_status want, const char *errpart)
{
	struct nbg_acctdb db;
	struct nbg_acct a;
	char err[NBG_ACCTDB_ERR_LEN] = "";
	enum nbg_acctdb_status s = nbg_acctdb_open(&db, path, flags, err);

	if (s != want)
		fail_msg("%s: status %d, expected %d (%s)", what, s, want, err);
	if (errpart != NULL && strstr(err, errpart) == NULL)
		fail_msg("%s: error \"%s\", expected \"%s\"", what, err, errpart);
	if (s == NBG_ACCTDB_OK) {
		assert_int_equal(nbg_acctdb_by_name(&db, "alice", &a, err), 1);
		nbg_acctdb_close(&db);
	}
	/* the same without a message buffer */
	if (nbg_acctdb_open(&db, path, flags, NULL) != want)
		fail_msg("%s: another status without err", what);
	if (want == NBG_ACCTDB_OK)
		nbg_acctdb_close(&db);
}

static void test_open_file(void **state)
{
	struct fs *fs = *state;
	char p[192];
	uint8_t *img;
	size_t len;

	image(&img, &len);
	expect_open("missing", fs->path, 0, NBG_ACCTDB_MISSING, "No such file");
	expect_open("missing directory", "/nonexistent-nbg/accounts.db", 0, NBG_ACCTDB_MISSING,
	    NULL);
	expect_open("relative", "accounts.db", 0, NBG_ACCTDB_INVALID, "absolute");
	expect_open("a directory name", "/tmp/", 0, NBG_ACCTDB_INVALID, "absolute");
	write_file(fs->path, img, len, 0644);
	expect_open("good", fs->path, 0, NBG_ACCTDB_OK, NULL);
	snprintf(p, sizeof(p), "%s/link", fs->dir);
	assert_int_equal(symlink(fs->path, p), 0);
	expect_open("symlink", p, 0, NBG_ACCTDB_INSECURE, "symbolic link");
	snprintf(p, sizeof(p), "%s/fifo", fs->dir);
	assert_int_equal(mkfifo(p, 0644), 0);
	expect_open("fifo", p, 0, NBG_ACCTDB_INSECURE, "not a regular file");
	snprintf(p, sizeof(p), "%s/sub", fs->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	expect_open("directory", p, 0, NBG_ACCTDB_INSECURE, "not a regular file");
	snprintf(p, sizeof(p), "%s/short", fs->dir);
	write_file(p, img, 100, 0644);
	expect_open("shorter than a header", p, 0, NBG_ACCTDB_INVALID, "100 bytes");
	write_file(p, img, len - 1, 0644);
	expect_open("truncated", p, 0, NBG_ACCTDB_INVALID, "truncated");
	img[0] = 'X';
	write_file(p, img, len, 0644);
	expect_open("bad magic", p, 0, NBG_ACCTDB_INVALID, "bad magic");
	free(img);
}

/* Ownership and modes (NBG_ACCTDB_CHECK_PERMS); chown needs root. */
static void test_open_perms(void **state)
{
	static const struct {
		const char *name;
		mode_t file_mode, dir_mode;
		uid_t file_uid, dir_uid;
		enum nbg_acctdb_status checked;
		const char *err;
	} cases[] = {
		{ "0644 in 0755", 0644, 0755, 0, 0, NBG_ACCTDB_OK, NULL },
		{ "0600 in 0700", 0600, 0700, 0, 0, NBG_ACCTDB_OK, NULL },
		{ "0444 in 0555", 0444, 0555, 0, 0, NBG_ACCTDB_OK, NULL },
		{ "group-writable file", 0664, 0755, 0, 0, NBG_ACCTDB_INSECURE, "(mode 0664)" },
		{ "world-writable file", 0646, 0755, 0, 0, NBG_ACCTDB_INSECURE, "(mode 0646)" },
		{ "file not root's", 0644, 0755, 65534, 0, NBG_ACCTDB_INSECURE,
		  "owned by uid 65534, not root" },
		{ "group-writable dir", 0644, 0775, 0, 0, NBG_ACCTDB_INSECURE, "(mode 0775)" },
		{ "sticky world dir", 0644, 01777, 0, 0, NBG_ACCTDB_INSECURE, "(mode 1777)" },
		{ "dir not root's", 0644, 0755, 0, 65534, NBG_ACCTDB_INSECURE,
		  "directory /tmp/nbg-acctdb-" },
	};
	struct fs *fs = *state;
	uint8_t *img;
	size_t len;

	image(&img, &len);
	if (geteuid() != 0) {
		write_file(fs->path, img, len, 0644);
		free(img);
		expect_open("not root's", fs->path, NBG_ACCTDB_CHECK_PERMS, NBG_ACCTDB_INSECURE,
		    "not root");
		skip();
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char what[96];

		assert_int_equal(chmod(fs->dir, 0700), 0);
		assert_int_equal(chown(fs->dir, 0, 0), 0);
		write_file(fs->path, img, len, cases[i].file_mode);
		assert_int_equal(chown(fs->path, cases[i].file_uid, 0), 0);
		assert_int_equal(chmod(fs->path, cases[i].file_mode), 0);
		assert_int_equal(chown(fs->dir, cases[i].dir_uid, 0), 0);
		assert_int_equal(chmod(fs->dir, cases[i].dir_mode), 0);
		snprintf(what, sizeof(what), "%s, checked", cases[i].name);
		expect_open(what, fs->path, NBG_ACCTDB_CHECK_PERMS, cases[i].checked,
		    cases[i].err);
		snprintf(what, sizeof(what), "%s, unchecked", cases[i].name);
		expect_open(what, fs->path, 0, NBG_ACCTDB_OK, NULL);
	}
	assert_int_equal(chmod(fs->dir, 0700), 0);
	assert_int_equal(chown(fs->dir, 0, 0), 0);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_writer_refuses),
		cmocka_unit_test(test_corruption),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_targeted_corruption),
		cmocka_unit_test(test_many),
		cmocka_unit_test_setup_teardown(test_open_file, fs_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_open_perms, fs_setup, fs_teardown),
	};

	return cmocka_run_group_tests_name("acctdb", tests, NULL, NULL);
}
