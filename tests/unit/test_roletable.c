/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_roletable.c - the compiled role-table image and its file opener.
 *
 * Round trip (document -> image -> every user and key), determinism,
 * corruption at every byte and every length (run it under ASan/valgrind:
 * the point is that nothing reads outside the image), 100,000 users, and
 * the opener's checks on ownership, mode, symlinks and file types.  The
 * ownership cases need root; they are skipped otherwise.
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "policy/roletable.h"
#include "policy/sshkey.h"

#define KED0 "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIAH14xT3Ius" \
	"wpDF77oWjfAlt3iha83Eo8nPdp6HtHYmrAAAABHNzaDo= NexusIdentitySSHKey"
#define KED1 "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIPL2apIBI52" \
	"0EuXM3qUPS3jphpm3upW34CXHxz8Wrq8cAAAABHNzaDo= NexusIdentitySSHKey"
#define KED2 "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIM5u1p2h/rq" \
	"L6o954zE8lbwMXlOi42iIHr9JPH6AfZnzAAAABHNzaDo= NexusIdentitySSHKey"
#define KED3 "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIBXXpRKWhIr" \
	"tlSnZPe8MtzgjwgetfOGPTrm3Lrs3lEQhAAAABHNzaDo= spare key"
#define KEC0 "sk-ecdsa-sha2-nistp256@openssh.com AAAAInNrLWVjZHNhLXNoYTItbmlzdHAyNTZAb3BlbnNzaC5" \
	"jb20AAAAIbmlzdHAyNTYAAABBBDvr/AEO9p9siVitd0Q916WmfZqsW1pwAzP3s6EYaWA9B62nngpXrL1nTdDCbo4ZAl" \
	"oM739HvucUyCye+cQGoBUAAAAEc3NoOg== NexusIdentitySSHKey"
#define KEC1 "sk-ecdsa-sha2-nistp256@openssh.com AAAAInNrLWVjZHNhLXNoYTItbmlzdHAyNTZAb3BlbnNzaC5" \
	"jb20AAAAIbmlzdHAyNTYAAABBBJEdIHTvVi1OpcvunNLKjLxx5XuM/mZ7UEyFp53JZVzkRi2cT6gzPxU4wSdV9qEPPS" \
	"/K62SwevmU/tKg1nWxHfIAAAAEc3NoOg=="

/* The users of the round-trip document, in document order. */
static const struct rt_user {
	const char *login, *role, *display;	/* display NULL = absent */
	const char *nb, *na;			/* NULL = absent */
	int64_t nb_v, na_v;
	int blocked;				/* -1 = absent */
	const char *keys[3];
	const char *comments[3];
} rt_users[] = {
	{ "alice", "reader", "alice@contoso.com", NULL, NULL, NBG_TIME_NONE_LO,
	  NBG_TIME_NONE_HI, -1, { KED0 }, { "NexusIdentitySSHKey" } },
	{ "bob", "writer", "bob@contoso.com", NULL, NULL, NBG_TIME_NONE_LO, NBG_TIME_NONE_HI, 0,
	  { KED1, KEC0 }, { "NexusIdentitySSHKey", "NexusIdentitySSHKey" } },
	{ "carol", "writer", NULL, "2026-11-20T00:00:00Z", "2026-12-31T23:59:59Z", 1795132800,
	  1798761599, -1, { KEC1 }, { "" } },
	{ "dave", "reader", "Dave O\\u2019Brien", NULL, "2027-01-01T00:00:00+01:00",
	  NBG_TIME_NONE_LO, 1798758000, 1, { KED2 }, { "NexusIdentitySSHKey" } },
	{ "_svc-bg.1$", "auditor", NULL, "1970-01-01T00:00:00Z", NULL, 0, NBG_TIME_NONE_HI, 0,
	  { KED3 }, { "spare key" } },
};
#define NRT (sizeof(rt_users) / sizeof(rt_users[0]))

static const char *const absent_names[] = {
	"mallory", "", "alic", "alicee", "ALICE", "alice ", " alice", "bob\n", "_svc-bg.1",
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	"root", "carol\xff",
};

static char *rt_document(void)
{
	char *doc = malloc(16384);
	size_t o;

	assert_non_null(doc);
	o = (size_t)sprintf(doc, "{\"format_version\":1,\"fabric\":\"fab-rt-07\",\"serial\":"
	    "1234567,\"generated_at\":\"2026-11-21T10:00:00Z\",\"users\":[");
	for (size_t i = 0; i < NRT; i++) {
		const struct rt_user *u = &rt_users[i];

		o += (size_t)sprintf(doc + o, "%s{\"login\":\"%s\",\"role\":\"%s\",\"keys\":[",
		    i ? "," : "", u->login, u->role);
		for (size_t k = 0; k < 3 && u->keys[k] != NULL; k++)
			o += (size_t)sprintf(doc + o, "%s\"%s\"", k ? "," : "", u->keys[k]);
		o += (size_t)sprintf(doc + o, "]");
		if (u->display != NULL)
			o += (size_t)sprintf(doc + o, ",\"display_name\":\"%s\"", u->display);
		if (u->nb != NULL)
			o += (size_t)sprintf(doc + o, ",\"not_before\":\"%s\"", u->nb);
		if (u->na != NULL)
			o += (size_t)sprintf(doc + o, ",\"not_after\":\"%s\"", u->na);
		if (u->blocked >= 0)
			o += (size_t)sprintf(doc + o, ",\"blocked\":%s", u->blocked ? "true" : "false");
		o += (size_t)sprintf(doc + o, "}");
	}
	sprintf(doc + o, "]}");
	return doc;
}

static void rt_image(uint8_t **img, size_t *len)
{
	char err[NBG_ERR_LEN], *doc = rt_document();

	if (nbg_roledoc_compile(doc, strlen(doc), NULL, img, len, err) != 0)
		fail_msg("round-trip document refused: %s", err);
	free(doc);
}

static size_t nkeys_of(const struct rt_user *u)
{
	size_t n = 0;

	while (n < 3 && u->keys[n] != NULL)
		n++;
	return n;
}

static void check_user(const struct nbg_table *t, const struct rt_user *e, uint32_t index,
    const struct nbg_user *u)
{
	char err[NBG_ERR_LEN];

	assert_int_equal(u->index, index);
	assert_string_equal(u->name, e->login);
	assert_string_equal(u->role, e->role);
	if (e->display == NULL)
		assert_null(u->display_name);
	else if (strcmp(e->login, "dave") == 0)
		assert_string_equal(u->display_name, "Dave O\xe2\x80\x99" "Brien");
	else
		assert_string_equal(u->display_name, e->display);
	assert_true(u->not_before == e->nb_v);
	assert_true(u->not_after == e->na_v);
	assert_int_equal(u->blocked, e->blocked == 1);
	assert_int_equal(u->nkeys, nkeys_of(e));
	for (uint32_t k = 0; k < u->nkeys; k++) {
		struct nbg_user_key key;
		uint8_t *blob, d[32];
		size_t blob_len;
		enum nbg_keytype type;

		assert_int_equal(nbg_sshkey_parse_line(e->keys[k], &blob, &blob_len, &type, err,
		    sizeof(err)), 0);
		assert_int_equal(nbg_table_user_key(t, u, k, &key, err), 0);
		assert_int_equal(key.type, type);
		assert_int_equal(key.blob_len, blob_len);
		assert_memory_equal(key.blob, blob, blob_len);
		nbg_sha256(blob, blob_len, d);
		assert_memory_equal(key.sha256, d, 32);
		assert_string_equal(key.comment, e->comments[k]);
		assert_int_equal(nbg_table_user_has_key(t, u, blob, blob_len), (int)k);
		/* A prefix or an extension of the blob is not the key. */
		assert_int_equal(nbg_table_user_has_key(t, u, blob, blob_len - 1), -1);
		free(blob);
	}
	assert_int_equal(nbg_table_user_key(t, u, u->nkeys, &(struct nbg_user_key){ 0 }, err),
	    -1);
	assert_non_null(strstr(err, "no key"));
}

static void test_round_trip(void **state)
{
	struct nbg_table *t;
	struct nbg_user u;
	uint8_t *img;
	size_t len, ilen;
	char err[NBG_ERR_LEN];

	(void)state;
	rt_image(&img, &len);
	assert_int_equal(nbg_table_from_image(img, len, &t, err), 0);
	assert_string_equal(nbg_table_fabric(t), "fab-rt-07");
	assert_int_equal(nbg_table_serial(t), 1234567);
	assert_int_equal(nbg_table_generated_at(t), 1795255200);
	assert_int_equal(nbg_table_nusers(t), NRT);
	/* The table holds its own copy. */
	assert_true(nbg_table_image(t, &ilen) != img);
	assert_int_equal(ilen, len);
	assert_memory_equal(nbg_table_image(t, &ilen), img, len);
	memset(img, 0, len);
	free(img);
	for (uint32_t i = 0; i < NRT; i++) {
		assert_int_equal(nbg_table_find(t, rt_users[i].login, &u, err), 1);
		check_user(t, &rt_users[i], i, &u);
		assert_int_equal(nbg_table_user_at(t, i, &u, err), 0);
		check_user(t, &rt_users[i], i, &u);
	}
	assert_int_equal(nbg_table_user_at(t, NRT, &u, err), -1);
	assert_non_null(strstr(err, "does not exist"));
	for (size_t i = 0; i < sizeof(absent_names) / sizeof(absent_names[0]); i++) {
		if (nbg_table_find(t, absent_names[i], &u, err) != 0)
			fail_msg("\"%s\" found", absent_names[i]);
	}
	assert_int_equal(nbg_table_find(t, NULL, &u, err), -1);
	nbg_table_free(t);
}

/* A key is found only among its own user's keys. */
static void test_key_binding(void **state)
{
	struct nbg_table *t;
	uint8_t *img;
	size_t len;
	char err[NBG_ERR_LEN];

	(void)state;
	rt_image(&img, &len);
	assert_int_equal(nbg_table_from_image(img, len, &t, err), 0);
	free(img);
	for (size_t a = 0; a < NRT; a++) {
		struct nbg_user u;

		assert_int_equal(nbg_table_find(t, rt_users[a].login, &u, err), 1);
		assert_int_equal(nbg_table_user_has_key(t, &u, NULL, 0), -1);
		for (size_t b = 0; b < NRT; b++) {
			for (size_t k = 0; k < nkeys_of(&rt_users[b]); k++) {
				uint8_t *blob;
				size_t bl;
				enum nbg_keytype type;
				int want = a == b ? (int)k : -1;

				assert_int_equal(nbg_sshkey_parse_line(rt_users[b].keys[k], &blob,
				    &bl, &type, err, sizeof(err)), 0);
				if (nbg_table_user_has_key(t, &u, blob, bl) != want)
					fail_msg("%s has key %zu of %s: expected %d",
					    rt_users[a].login, k, rt_users[b].login, want);
				free(blob);
			}
		}
	}
	/* A user that does not come from this table is refused. */
	{
		struct nbg_user forged;
		struct nbg_user_key key;

		assert_int_equal(nbg_table_find(t, "bob", &forged, err), 1);
		forged.name = "bob";
		assert_int_equal(nbg_table_user_key(t, &forged, 0, &key, err), -1);
		assert_int_equal(nbg_table_user_has_key(t, &forged, (const uint8_t *)"x", 1), -2);
		forged.index = 99;
		assert_int_equal(nbg_table_user_key(t, &forged, 0, &key, err), -1);
	}
	nbg_table_free(t);
}

static void test_determinism(void **state)
{
	uint8_t *a, *b;
	size_t la, lb;

	(void)state;
	rt_image(&a, &la);
	rt_image(&b, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	free(a);
	free(b);
}

/* --- corruption -------------------------------------------------------- */

/* Exercise every read path; any result is fine, a crash or over-read is not. */
static void exercise(const struct nbg_table *t)
{
	char err[NBG_ERR_LEN];
	uint32_t n = nbg_table_nusers(t);

	(void)nbg_table_fabric(t);
	for (size_t i = 0; i < NRT + sizeof(absent_names) / sizeof(absent_names[0]); i++) {
		const char *name = i < NRT ? rt_users[i].login : absent_names[i - NRT];
		struct nbg_user u;
		int r;

		err[0] = '\0';
		r = nbg_table_find(t, name, &u, err);
		assert_true(r >= -1 && r <= 1);
		if (r < 0)
			assert_true(err[0] != '\0');
	}
	for (uint32_t i = 0; i < n && i < 64; i++) {
		struct nbg_user u;

		err[0] = '\0';
		if (nbg_table_user_at(t, i, &u, err) != 0) {
			assert_true(err[0] != '\0');
			continue;
		}
		assert_true(strlen(u.name) <= 32 && strlen(u.role) <= 32);
		for (uint32_t k = 0; k <= u.nkeys && k < 20; k++) {
			struct nbg_user_key key;

			if (nbg_table_user_key(t, &u, k, &key, err) == 0) {
				assert_true(key.blob_len > 0 && key.blob_len <= NBG_KEYBLOB_MAX);
				int h = nbg_table_user_has_key(t, &u, key.blob, key.blob_len);

				/* Found, or another of the user's keys is corrupt. */
				assert_true(h >= 0 || h == -2);
				(void)strlen(key.comment);
			}
		}
	}
}

/* The header fields that the opener checks completely. */
static bool checked_header_byte(size_t p)
{
	return p < 24 || (p >= 72 && p < 96);
}

static void test_corruption(void **state)
{
	static const uint8_t flips[] = { 0x01, 0x80, 0xff };
	uint8_t *img, *bad;
	size_t len;
	char err[NBG_ERR_LEN];

	(void)state;
	rt_image(&img, &len);
	for (size_t p = 0; p < len; p++) {
		for (size_t f = 0; f < sizeof(flips); f++) {
			struct nbg_table *t = NULL;
			int r;

			bad = malloc(len);
			assert_non_null(bad);
			memcpy(bad, img, len);
			bad[p] ^= flips[f];
			err[0] = '\0';
			r = nbg_table_from_image(bad, len, &t, err);
			free(bad);
			if (r != 0) {
				assert_null(t);
				assert_true(err[0] != '\0');
				continue;
			}
			if (checked_header_byte(p))
				fail_msg("flip 0x%02x at header byte %zu accepted", flips[f], p);
			exercise(t);
			nbg_table_free(t);
		}
	}
	free(img);
}

static void test_truncated_image(void **state)
{
	uint8_t *img, *bad;
	size_t len;
	char err[NBG_ERR_LEN];

	(void)state;
	rt_image(&img, &len);
	for (size_t n = 0; n <= len + 1; n++) {
		struct nbg_table *t = NULL;
		int r;

		bad = malloc(n + 1);
		assert_non_null(bad);
		memcpy(bad, img, n <= len ? n : len);
		if (n > len)
			bad[len] = 0;
		r = nbg_table_from_image(bad, n, &t, err);
		free(bad);
		if (n == len) {
			assert_int_equal(r, 0);
			exercise(t);
			nbg_table_free(t);
		} else if (r == 0) {
			fail_msg("image of %zu of %zu bytes accepted", n, len);
		}
	}
	free(img);
}

/* --- targeted corruption, following docs/role-table.md ----------------- */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

struct layout {
	uint32_t nusers, nbuckets;
	uint64_t entries, entries_size, users, index;
};

static void read_layout(const uint8_t *img, size_t len, struct layout *l)
{
	assert_memory_equal(img, "NBGRTBL\0", 8);
	assert_int_equal(le32(img + 8), 2);
	assert_int_equal(le32(img + 12), 160);
	l->nusers = le32(img + 72);
	l->nbuckets = le32(img + 76);
	l->entries = 160;
	l->entries_size = le64(img + 80);
	l->users = l->entries + l->entries_size;
	l->index = l->users + (uint64_t)l->nusers * 4;
	assert_int_equal(l->index + (uint64_t)l->nbuckets * 8, len);
}

/* The user record of users[i]. */
static uint8_t *user_rec(uint8_t *img, const struct layout *l, uint32_t i)
{
	return img + l->entries + le32(img + l->users + 4 * i);
}

enum target { T_NAME_OFF, T_KEY_RANGE, T_BLOB_LEN, T_BUCKET_USER, T_BUCKETS_FULL,
    T_KEY_TYPE, T_USER_FLAGS, T_COMMENT_NUL };

static const struct {
	const char *name;
	enum target target;
	const char *user;	/* looked up */
	int find;		/* expected nbg_table_find() */
	int key;		/* expected nbg_table_user_key(0) when found */
	int has;		/* expected nbg_table_user_has_key() when found */
} targets[] = {
	{ "name outside the entries", T_NAME_OFF, "alice", -1, 0, 0 },
	{ "key records outside", T_KEY_RANGE, "_svc-bg.1$", -1, 0, 0 },
	{ "blob too long", T_BLOB_LEN, "alice", 1, -1, -2 },
	{ "bucket to no user", T_BUCKET_USER, "alice", -1, 0, 0 },
	{ "no empty bucket", T_BUCKETS_FULL, "mallory", -1, 0, 0 },
	{ "unknown key type", T_KEY_TYPE, "alice", 1, -1, -2 },
	{ "unknown user flag", T_USER_FLAGS, "alice", -1, 0, 0 },
	{ "comment not terminated", T_COMMENT_NUL, "alice", 1, -1, 0 },
};

static void corrupt(uint8_t *img, const struct layout *l, enum target target)
{
	uint8_t *alice = user_rec(img, l, 0);
	uint8_t *key0 = alice + 36;			/* alice's only key */
	uint8_t *last = user_rec(img, l, l->nusers - 1);	/* the last entry */

	switch (target) {
	case T_NAME_OFF:
		put32(alice + 0, (uint32_t)l->entries_size);
		break;
	case T_KEY_RANGE:
		last[32] = 16;	/* 16 key records do not fit before the end */
		break;
	case T_BLOB_LEN:
		put16(key0 + 8, NBG_KEYBLOB_MAX + 1);
		break;
	case T_BUCKET_USER:
		for (uint32_t b = 0; b < l->nbuckets; b++) {
			if (le32(img + l->index + 8 * b) == 1)
				put32(img + l->index + 8 * b, l->nusers + 1);
		}
		break;
	case T_BUCKETS_FULL:
		for (uint32_t b = 0; b < l->nbuckets; b++) {
			put32(img + l->index + 8 * b, 1);
			put32(img + l->index + 8 * b + 4, 0xdeadbeef);
		}
		break;
	case T_KEY_TYPE:
		key0[12] = 99;
		break;
	case T_USER_FLAGS:
		alice[33] = 0x80;
		break;
	case T_COMMENT_NUL:
		img[l->entries + le32(key0 + 4) + le16(key0 + 10)] = 'x';
		break;
	}
}

static void test_targeted_corruption(void **state)
{
	uint8_t *img, *bad;
	size_t len;
	struct layout l;

	(void)state;
	rt_image(&img, &len);
	read_layout(img, len, &l);
	assert_int_equal(l.nusers, NRT);
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		struct nbg_table *t;
		struct nbg_user u;
		struct nbg_user_key key;
		uint8_t blob[8] = { 0 };
		char err[NBG_ERR_LEN] = "";
		int r;

		bad = malloc(len);
		assert_non_null(bad);
		memcpy(bad, img, len);
		corrupt(bad, &l, targets[i].target);
		/* Opening is constant work: it does not see these. */
		if (nbg_table_from_image(bad, len, &t, err) != 0)
			fail_msg("%s: refused at open: %s", targets[i].name, err);
		free(bad);
		r = nbg_table_find(t, targets[i].user, &u, err);
		if (r != targets[i].find)
			fail_msg("%s: find %d, expected %d (%s)", targets[i].name, r,
			    targets[i].find, err);
		if (r < 0 && strncmp(err, "role table: ", 12) != 0)
			fail_msg("%s: error \"%s\"", targets[i].name, err);
		if (r == 1) {
			r = nbg_table_user_key(t, &u, 0, &key, err);
			if (r != targets[i].key)
				fail_msg("%s: user_key %d, expected %d", targets[i].name, r,
				    targets[i].key);
			r = nbg_table_user_has_key(t, &u, blob, sizeof(blob));
			if (r != (targets[i].has == 0 ? -1 : targets[i].has))
				fail_msg("%s: has_key %d", targets[i].name, r);
		}
		nbg_table_free(t);
	}
	free(img);
}

/* Header corruptions the opener must name. */
static void test_bad_headers(void **state)
{
	static const struct {
		const char *name;
		size_t off;
		uint32_t value;
		const char *err;
	} h[] = {
		{ "magic", 0, 0x52474e4e, "bad magic" },
		{ "version 1", 8, 1, "format version 1" },
		{ "version 3", 8, 3, "format version 3" },
		{ "header size", 12, 168, "format version 2 (header 168 bytes)" },
		{ "total size", 16, 12, "its header says 12" },
		{ "too many users", 72, NBG_DOC_MAX_USERS + 1, "over the limit" },
		{ "one user more", 72, NRT + 1, "do not end at the end" },
		{ "buckets not a power of two", 76, 12, "bad index size" },
		{ "buckets fewer than 2 x users", 76, 4, "bad index size" },
		{ "entries size", 80, 7, "do not end at the end" },
		{ "flags", 88, 1, "header flags" },
		{ "fabric length 0", 92, 0, "fabric name: bad length" },
		{ "fabric length 65", 92, 65, "fabric name: bad length" },
		{ "fabric length 3 of 9", 92, 3, "fabric name: not NUL-padded" },
		{ "fabric length 12 of 9", 92, 12, "fabric name: NUL byte inside" },
		{ "fabric padding", 156, 0x41, "fabric name: not NUL-padded" },
	};
	uint8_t *img;
	size_t len;

	(void)state;
	rt_image(&img, &len);
	for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		struct nbg_table *t = (struct nbg_table *)1;
		uint8_t *bad = malloc(len);
		char err[NBG_ERR_LEN] = "";

		assert_non_null(bad);
		memcpy(bad, img, len);
		put32(bad + h[i].off, h[i].value);
		if (nbg_table_from_image(bad, len, &t, err) != -1)
			fail_msg("%s: accepted", h[i].name);
		assert_null(t);
		if (strstr(err, h[i].err) == NULL)
			fail_msg("%s: error \"%s\", expected \"%s\"", h[i].name, err, h[i].err);
		free(bad);
	}
	free(img);
	{
		struct nbg_table *t;
		char err[NBG_ERR_LEN];

		assert_int_equal(nbg_table_from_image(NULL, 0, &t, err), -1);
		assert_int_equal(nbg_table_from_image((const uint8_t *)"NBGRTBL", 8, &t, err), -1);
		assert_non_null(strstr(err, "shorter than its header"));
	}
}

/* --- 100,000 users ----------------------------------------------------- */

#define BIG_USERS 100000u

static void big_key(uint32_t n, char *out, size_t outlen)
{
	uint8_t blob[4 + 26 + 4 + 32 + 4 + 4];
	char b64[128];

	memcpy(blob, "\0\0\0\x1a" "sk-ssh-ed25519@openssh.com" "\0\0\0\x20", 34);
	for (size_t i = 0; i < 32; i++)
		blob[34 + i] = (uint8_t)(n >> (8 * (i % 4))) ^ (uint8_t)i;
	memcpy(blob + 66, "\0\0\0\x04" "ssh:", 8);
	assert_true(nbg_base64_encode(blob, sizeof(blob), b64, sizeof(b64)) > 0);
	snprintf(out, outlen, "sk-ssh-ed25519@openssh.com %s u%06u", b64, n);
}

static void test_many_users(void **state)
{
	struct nbg_table *t;
	struct nbg_user u;
	char *doc, key[256], name[16], err[NBG_ERR_LEN];
	uint8_t *img;
	size_t o, len;

	(void)state;
	doc = malloc((size_t)BIG_USERS * 256 + 256);
	assert_non_null(doc);
	o = (size_t)sprintf(doc, "{\"format_version\":1,\"fabric\":\"fab-big\",\"serial\":7,"
	    "\"generated_at\":\"2026-11-21T10:00:00Z\",\"users\":[");
	for (uint32_t i = 0; i < BIG_USERS; i++) {
		big_key(i, key, sizeof(key));
		o += (size_t)sprintf(doc + o, "%s{\"login\":\"u%06u\",\"role\":\"%s\",\"keys\":"
		    "[\"%s\"]}", i ? "," : "", i, i % 3 ? "reader" : "writer", key);
	}
	o += (size_t)sprintf(doc + o, "]}");
	if (nbg_roledoc_compile(doc, o, NULL, &img, &len, err) != 0)
		fail_msg("100,000 users refused: %s", err);
	free(doc);
	assert_int_equal(nbg_table_from_image(img, len, &t, err), 0);
	free(img);
	assert_int_equal(nbg_table_nusers(t), BIG_USERS);
	for (uint32_t i = 0; i < BIG_USERS; i++) {
		snprintf(name, sizeof(name), "u%06u", i);
		if (nbg_table_find(t, name, &u, err) != 1 || u.index != i)
			fail_msg("%s not found (%s)", name, err);
		assert_string_equal(u.role, i % 3 ? "reader" : "writer");
		if (i % 997 == 0) {
			uint8_t *blob;
			size_t bl;
			enum nbg_keytype type;

			big_key(i, key, sizeof(key));
			assert_int_equal(nbg_sshkey_parse_line(key, &blob, &bl, &type, err,
			    sizeof(err)), 0);
			assert_int_equal(nbg_table_user_has_key(t, &u, blob, bl), 0);
			free(blob);
		}
	}
	for (uint32_t i = BIG_USERS; i < BIG_USERS + 1000; i++) {
		snprintf(name, sizeof(name), "u%06u", i);
		assert_int_equal(nbg_table_find(t, name, &u, err), 0);
	}
	nbg_table_free(t);
}

/* --- compiling file to file ------------------------------------------- */

static int temp_file(const char *data, size_t len)
{
	char path[] = "/tmp/nbg-compile-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(unlink(path), 0);
	if (len > 0)
		assert_int_equal(write(fd, data, len), (ssize_t)len);
	return fd;
}

/* The file path gives the bytes the memory path gives, and the same refusals. */
static void test_compile_fd(void **state)
{
	static const char bad[] = "{\"format_version\":1,\"fabric\":\"f\",\"serial\":1,"
	    "\"generated_at\":\"2026-11-21T10:00:00Z\",\"users\":[{\"login\":\"Alice\"}]}";
	struct nbg_table *t;
	struct nbg_user u;
	char *doc = rt_document(), err[NBG_ERR_LEN], merr[NBG_ERR_LEN];
	uint8_t *img, *got, d[32];
	size_t len, flen;
	int in, out;

	(void)state;
	rt_image(&img, &len);
	in = temp_file(doc, strlen(doc));
	out = temp_file(NULL, 0);
	assert_int_equal(nbg_roledoc_compile_fd(in, NULL, out, &flen, err), 0);
	assert_int_equal(flen, len);
	got = malloc(len);
	assert_non_null(got);
	assert_int_equal(pread(out, got, len, 0), (ssize_t)len);
	assert_memory_equal(got, img, len);
	free(got);
	assert_int_equal(nbg_table_from_fd(out, &t, err), 0);
	close(out);
	nbg_sha256(doc, strlen(doc), d);
	assert_memory_equal(nbg_table_doc_sha256(t), d, 32);
	for (uint32_t i = 0; i < NRT; i++) {
		assert_int_equal(nbg_table_find(t, rt_users[i].login, &u, err), 1);
		check_user(t, &rt_users[i], i, &u);
	}
	nbg_table_release(t);
	assert_int_equal(nbg_table_find(t, "carol", &u, err), 1);
	nbg_table_free(t);
	close(in);
	free(img);
	free(doc);

	/* a refusal says what the memory path says */
	in = temp_file(bad, strlen(bad));
	out = temp_file(NULL, 0);
	assert_int_equal(nbg_roledoc_compile(bad, strlen(bad), NULL, &img, &len, merr), -1);
	assert_int_equal(nbg_roledoc_compile_fd(in, NULL, out, &flen, err), NBG_ROLEDOC_REFUSED);
	assert_string_equal(err, merr);
	close(out);

	/* an image that cannot be written is a system error, not a refusal */
	out = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(out >= 0);
	close(in);
	doc = rt_document();
	in = temp_file(doc, strlen(doc));
	assert_int_equal(nbg_roledoc_compile_fd(in, NULL, out, &flen, err), NBG_ROLEDOC_SYSTEM);
	assert_non_null(strstr(err, "writing the compiled table"));
	close(out);
	close(in);
	free(doc);

	/* an empty file is an empty document */
	in = temp_file(NULL, 0);
	out = temp_file(NULL, 0);
	assert_int_equal(nbg_roledoc_compile_fd(in, NULL, out, &flen, err), NBG_ROLEDOC_REFUSED);
	assert_string_equal(err, "(document): the document is empty");
	close(out);
	close(in);
}

/* --- the file opener --------------------------------------------------- */

struct fs {
	char dir[64];
	char path[128];		/* dir/roles.db */
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
	snprintf(fs->dir, sizeof(fs->dir), "/tmp/nbg-roletable-XXXXXX");
	if (mkdtemp(fs->dir) == NULL) {
		free(fs);
		return -1;
	}
	snprintf(fs->path, sizeof(fs->path), "%s/roles.db", fs->dir);
	*state = fs;
	return 0;
}

/* Remove everything the tests may have left, whatever failed. */
static int fs_teardown(void **state)
{
	static const char *const names[] = { "roles.db", "roles.json", "link", "fifo", "sub",
	    "empty", "junk", "short", "new" };
	struct fs *fs = *state;
	char p[192];

	(void)chmod(fs->dir, 0700);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", fs->dir, names[i]);
		if (unlink(p) != 0 && errno == EISDIR)
			(void)rmdir(p);
		(void)rmdir(p);
	}
	(void)rmdir(fs->dir);
	free(fs);
	return 0;
}

static enum nbg_table_open_status open_at(const char *path, unsigned flags,
    const struct nbg_roledoc_opts *opts, int64_t *mtime, char *err)
{
	struct nbg_table *t = (struct nbg_table *)1;
	enum nbg_table_open_status s;

	s = nbg_table_open_any(path, flags, opts, &t, mtime, err);
	if (s == NBG_TABLE_OK) {
		struct nbg_user u;

		assert_non_null(t);
		assert_int_equal(nbg_table_find(t, "alice", &u, err), 1);
		assert_string_equal(u.name, "alice");
		nbg_table_free(t);
	} else {
		assert_null(t);
		assert_true(err[0] != '\0');
	}
	return s;
}

static void expect_status(const char *what, const char *path, unsigned flags,
    enum nbg_table_open_status want, const char *errpart)
{
	char err[NBG_ERR_LEN] = "";
	int64_t mtime = -1;
	enum nbg_table_open_status s = open_at(path, flags, NULL, &mtime, err);

	if (s != want)
		fail_msg("%s: status %d, expected %d (%s)", what, s, want, err);
	if (errpart != NULL && strstr(err, errpart) == NULL)
		fail_msg("%s: error \"%s\", expected \"%s\"", what, err, errpart);
	if (s != NBG_TABLE_OK && mtime != 0)
		fail_msg("%s: mtime %lld on failure", what, (long long)mtime);
}

static void test_open_file(void **state)
{
	struct fs *fs = *state;
	struct timespec ts[2] = { { 1700000000, 0 }, { 1700000000, 0 } };
	char err[NBG_ERR_LEN], p[192], *doc;
	uint8_t *img;
	size_t len;
	int64_t mtime = 0;

	rt_image(&img, &len);
	write_file(fs->path, img, len, 0644);
	assert_int_equal(utimensat(AT_FDCWD, fs->path, ts, 0), 0);
	assert_int_equal(open_at(fs->path, 0, NULL, &mtime, err), NBG_TABLE_OK);
	assert_int_equal(mtime, 1700000000);

	/* A JSON document is compiled in memory, with the caller's options. */
	snprintf(p, sizeof(p), "%s/roles.json", fs->dir);
	doc = rt_document();
	write_file(p, doc, strlen(doc), 0644);
	assert_int_equal(open_at(p, 0, NULL, &mtime, err), NBG_TABLE_OK);
	{
		const struct nbg_roledoc_opts other = { "fab-other", NULL, 0, 0 };

		assert_int_equal(open_at(p, 0, &other, &mtime, err), NBG_TABLE_INVALID);
		assert_non_null(strstr(err, "fabric: document is for fabric fab-rt-07"));
	}
	/* Leading whitespace before the '{' is still JSON. */
	{
		char *ws;

		assert_true(asprintf(&ws, " \n\t%s", doc) > 0);
		write_file(p, ws, strlen(ws), 0644);
		free(ws);
		assert_int_equal(open_at(p, 0, NULL, &mtime, err), NBG_TABLE_OK);
	}
	free(doc);

	snprintf(p, sizeof(p), "%s/empty", fs->dir);
	write_file(p, "", 0, 0644);
	expect_status("empty file", p, 0, NBG_TABLE_INVALID, "is empty");
	snprintf(p, sizeof(p), "%s/junk", fs->dir);
	write_file(p, "hello\n", 6, 0644);
	expect_status("not a table", p, 0, NBG_TABLE_INVALID, "neither a compiled role table");
	snprintf(p, sizeof(p), "%s/short", fs->dir);
	write_file(p, img, len - 1, 0644);
	expect_status("truncated image", p, 0, NBG_TABLE_INVALID, "truncated");
	snprintf(p, sizeof(p), "%s/missing", fs->dir);
	expect_status("missing file", p, 0, NBG_TABLE_MISSING, NULL);
	expect_status("missing file, checked", p, NBG_TABLE_CHECK_PERMS, NBG_TABLE_MISSING, NULL);
	snprintf(p, sizeof(p), "%s/nodir/roles.db", fs->dir);
	expect_status("missing directory", p, 0, NBG_TABLE_MISSING, NULL);
	expect_status("empty path", "", 0, NBG_TABLE_INVALID, NULL);
	snprintf(p, sizeof(p), "%s/", fs->dir);
	expect_status("directory path", p, 0, NBG_TABLE_INVALID, NULL);

	/* Symlinks, FIFOs and directories are refused, with or without checks. */
	snprintf(p, sizeof(p), "%s/link", fs->dir);
	assert_int_equal(symlink(fs->path, p), 0);
	expect_status("symlink", p, 0, NBG_TABLE_INSECURE, "symbolic link");
	expect_status("symlink, checked", p, NBG_TABLE_CHECK_PERMS, NBG_TABLE_INSECURE,
	    "symbolic link");
	snprintf(p, sizeof(p), "%s/fifo", fs->dir);
	assert_int_equal(mkfifo(p, 0644), 0);
	expect_status("fifo", p, 0, NBG_TABLE_INSECURE, "not a regular file");
	snprintf(p, sizeof(p), "%s/sub", fs->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	expect_status("directory", p, 0, NBG_TABLE_INSECURE, "not a regular file");

	/* A relative path is opened relative to the working directory. */
	{
		char cwd[4096];

		assert_non_null(getcwd(cwd, sizeof(cwd)));
		assert_int_equal(chdir(fs->dir), 0);
		expect_status("relative path", "roles.db", 0, NBG_TABLE_OK, NULL);
		assert_int_equal(chdir(cwd), 0);
	}
	free(img);
}

/* An open table keeps reading the file it mapped after the file is replaced. */
static void test_open_replaced(void **state)
{
	struct fs *fs = *state;
	struct nbg_table *t;
	struct nbg_user u;
	char err[NBG_ERR_LEN], p[192], *doc;
	uint8_t *img;
	size_t len;
	int64_t mtime;

	rt_image(&img, &len);
	write_file(fs->path, img, len, 0644);
	free(img);
	assert_int_equal(nbg_table_open(fs->path, 0, &t, &mtime, err), NBG_TABLE_OK);
	doc = strdup("{\"format_version\":1,\"fabric\":\"f2\",\"serial\":8,\"generated_at\":"
	    "\"2026-11-22T10:00:00Z\",\"users\":[]}");
	assert_non_null(doc);
	assert_int_equal(nbg_roledoc_compile(doc, strlen(doc), NULL, &img, &len, err), 0);
	free(doc);
	snprintf(p, sizeof(p), "%s/new", fs->dir);
	write_file(p, img, len, 0644);
	free(img);
	assert_int_equal(rename(p, fs->path), 0);
	assert_int_equal(nbg_table_find(t, "carol", &u, err), 1);
	assert_string_equal(nbg_table_fabric(t), "fab-rt-07");
	nbg_table_free(t);
	assert_int_equal(nbg_table_open(fs->path, 0, &t, &mtime, err), NBG_TABLE_OK);
	assert_string_equal(nbg_table_fabric(t), "f2");
	assert_int_equal(nbg_table_nusers(t), 0);
	assert_int_equal(nbg_table_find(t, "carol", &u, err), 0);
	nbg_table_free(t);
}

/* Ownership and modes (NBG_TABLE_CHECK_PERMS); chown needs root. */
static void test_open_perms(void **state)
{
	static const struct {
		const char *name;
		mode_t file_mode, dir_mode;
		uid_t file_uid, dir_uid;
		enum nbg_table_open_status checked;	/* with NBG_TABLE_CHECK_PERMS */
		const char *err;
	} cases[] = {
		{ "0644 in 0700", 0644, 0700, 0, 0, NBG_TABLE_OK, NULL },
		{ "0600 in 0755", 0600, 0755, 0, 0, NBG_TABLE_OK, NULL },
		{ "0444 in 0555", 0444, 0555, 0, 0, NBG_TABLE_OK, NULL },
		{ "group-writable file", 0664, 0755, 0, 0, NBG_TABLE_INSECURE,
		  "writable by group or others (mode 0664)" },
		{ "world-writable file", 0646, 0755, 0, 0, NBG_TABLE_INSECURE, "(mode 0646)" },
		{ "file not root's", 0644, 0755, 65534, 0, NBG_TABLE_INSECURE,
		  "owned by uid 65534, not root" },
		{ "group-writable dir", 0644, 0775, 0, 0, NBG_TABLE_INSECURE,
		  "is writable by group or others (mode 0775)" },
		{ "world-writable dir", 0644, 0757, 0, 0, NBG_TABLE_INSECURE, "(mode 0757)" },
		{ "sticky world dir", 0644, 01777, 0, 0, NBG_TABLE_INSECURE, "(mode 1777)" },
		{ "dir not root's", 0644, 0755, 0, 65534, NBG_TABLE_INSECURE,
		  "is owned by uid 65534, not root" },
	};
	struct fs *fs = *state;
	uint8_t *img;
	size_t len;

	if (geteuid() != 0) {
		/* Without root the file is ours, not root's: refused when checked. */
		rt_image(&img, &len);
		write_file(fs->path, img, len, 0644);
		free(img);
		expect_status("not root's", fs->path, NBG_TABLE_CHECK_PERMS, NBG_TABLE_INSECURE,
		    "not root");
		skip();
	}
	rt_image(&img, &len);
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
		expect_status(what, fs->path, NBG_TABLE_CHECK_PERMS, cases[i].checked,
		    cases[i].err);
		snprintf(what, sizeof(what), "%s, unchecked", cases[i].name);
		expect_status(what, fs->path, 0, NBG_TABLE_OK, NULL);
	}
	/*
	 * A user who may search the directory but not list it still opens the
	 * table (nexusbg keys, explain run by an operator): checked in a child
	 * that gives up root.
	 */
	assert_int_equal(chown(fs->dir, 0, 0), 0);
	assert_int_equal(chmod(fs->dir, 0711), 0);
	write_file(fs->path, img, len, 0644);
	{
		pid_t pid = fork();
		int status = 0;

		assert_true(pid >= 0);
		if (pid == 0) {
			struct nbg_table *t = NULL;
			char err[NBG_ERR_LEN];
			int64_t mtime;

			if (setgid(65534) != 0 || setuid(65534) != 0)
				_exit(3);
			_exit(nbg_table_open(fs->path, NBG_TABLE_CHECK_PERMS, &t, &mtime,
			    err) == NBG_TABLE_OK ? 0 : 1);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		if (WEXITSTATUS(status) != 0)
			fail_msg("unprivileged open in a 0711 directory: exit %d",
			    WEXITSTATUS(status));
	}
	assert_int_equal(chmod(fs->dir, 0700), 0);
	assert_int_equal(chown(fs->dir, 0, 0), 0);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_key_binding),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_corruption),
		cmocka_unit_test(test_truncated_image),
		cmocka_unit_test(test_targeted_corruption),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_many_users),
		cmocka_unit_test(test_compile_fd),
		cmocka_unit_test_setup_teardown(test_open_file, fs_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_open_replaced, fs_setup, fs_teardown),
		cmocka_unit_test_setup_teardown(test_open_perms, fs_setup, fs_teardown),
	};

	return cmocka_run_group_tests_name("roletable", tests, NULL, NULL);
}
