/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * acctdb_build.c - the accounts database writer (see acctdb.h): checks
 * every entry against the rules the reader enforces, lays out the records
 * and strings, and builds both hash indexes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acctdb.h"
#include "acctdb_int.h"

static void seterr(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void seterr(char *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(err, NBG_ACCTDB_ERR_LEN, fmt, ap);
	va_end(ap);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (size_t i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (size_t i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* No ':' and no control byte: the field fits a passwd(5) line unchanged. */
static bool field_ok(const char *s, size_t max, bool absolute)
{
	size_t n = strnlen(s, max + 1);

	if (n > max || (absolute && s[0] != '/'))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == ':')
			return false;
	}
	return true;
}

static bool id_ok(uint32_t id)
{
	return id != 0 && id != UINT32_MAX;
}

static int check_entry(const struct nbg_acctdb_entry *e, size_t i, char *err)
{
	const char *gecos = e->gecos != NULL ? e->gecos : "";

	if (e->name == NULL || !nbg_acctdb_valid_name(e->name, strnlen(e->name,
	    NBG_ACCTDB_NAME_MAX + 1))) {
		seterr(err, "account %zu: invalid login name", i);
		return -1;
	}
	if (!id_ok(e->uid) || !id_ok(e->gid)) {
		seterr(err, "account %zu (%s): uid %u / gid %u not allowed", i, e->name, e->uid,
		    e->gid);
		return -1;
	}
	if (!field_ok(gecos, NBG_ACCTDB_GECOS_MAX, false) || e->home == NULL ||
	    e->shell == NULL || !field_ok(e->home, NBG_ACCTDB_PATH_MAX, true) ||
	    !field_ok(e->shell, NBG_ACCTDB_PATH_MAX, true)) {
		seterr(err, "account %zu (%s): the GECOS field, home or shell is too long, "
		    "not absolute, or holds ':' or a control character", i, e->name);
		return -1;
	}
	return 0;
}

struct strings {
	uint8_t *p;
	size_t len, cap;
};

/* Add S and its NUL; *off and *len say where. */
static int add_string(struct strings *st, const char *s, uint32_t *off, uint32_t *len)
{
	size_t n = strlen(s);

	if (st->len + n + 1 > st->cap) {
		size_t cap = st->cap != 0 ? st->cap : 4096;
		uint8_t *p;

		while (cap < st->len + n + 1)
			cap *= 2;
		if (cap > NBG_ACCTDB_MAX_BYTES || (p = realloc(st->p, cap)) == NULL)
			return -1;
		st->p = p;
		st->cap = cap;
	}
	memcpy(st->p + st->len, s, n + 1);
	*off = (uint32_t)st->len;
	*len = (uint32_t)n;
	st->len += n + 1;
	return 0;
}

static uint32_t bucket_count(size_t n)
{
	uint32_t nb = ADB_MIN_BUCKETS;

	while (nb < 2 * n)
		nb *= 2;
	return nb;
}

/*
 * Place record r (whose bucket word is KEY) in an index at the first free
 * bucket from FIRST on; -1 when a record with the same login (or uid, for
 * the uid index) is already there.
 */
static int place(uint8_t *index, uint32_t nb, uint32_t first, uint32_t r, uint32_t key,
    const struct nbg_acctdb_entry *v, bool by_uid)
{
	uint32_t mask = nb - 1;

	for (uint32_t i = first & mask;; i = (i + 1) & mask) {
		uint8_t *bk = index + (size_t)i * ADB_BUCKET_SIZE;
		uint32_t other = get_le32(bk);

		if (other == 0) {
			put_le32(bk, r + 1);
			put_le32(bk + 4, key);
			return 0;
		}
		if (get_le32(bk + 4) == key && (by_uid ? v[other - 1].uid == v[r].uid :
		    strcmp(v[other - 1].name, v[r].name) == 0))
			return -1;
	}
}

int nbg_acctdb_build(const struct nbg_acctdb_entry *v, size_t n, const char *group,
    uint32_t gid, uint8_t **img, size_t *len, char *err)
{
	struct strings st = { 0 };
	uint8_t *out = NULL, *rec;
	uint32_t nb;
	uint64_t names_off, uids_off, recs_off, strs_off, total, isize;
	int r = -1;

	*img = NULL;
	*len = 0;
	if (n > NBG_ACCTDB_MAX_ACCOUNTS) {
		seterr(err, "%zu accounts, over the limit of %u", n, NBG_ACCTDB_MAX_ACCOUNTS);
		return -1;
	}
	if (group == NULL || !nbg_acctdb_valid_name(group, strnlen(group,
	    NBG_ACCTDB_NAME_MAX + 1)) || !id_ok(gid)) {
		seterr(err, "invalid group name or gid %u", gid);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (check_entry(&v[i], i, err) != 0)
			return -1;
	}
	nb = bucket_count(n);
	isize = (uint64_t)nb * ADB_BUCKET_SIZE;
	names_off = ADB_HEADER_SIZE;
	uids_off = names_off + isize;
	recs_off = uids_off + isize;
	strs_off = recs_off + (uint64_t)n * ADB_RECORD_SIZE;
	/* The records go straight into the image; the strings follow them. */
	if ((rec = calloc(n > 0 ? n : 1, ADB_RECORD_SIZE)) == NULL)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		uint8_t *p = rec + i * ADB_RECORD_SIZE;
		uint32_t o[4], l[4];

		/* a record's strings follow each other: a lookup reads them at once */
		if (add_string(&st, v[i].name, &o[0], &l[0]) != 0 ||
		    add_string(&st, v[i].gecos != NULL ? v[i].gecos : "", &o[1], &l[1]) != 0 ||
		    add_string(&st, v[i].home, &o[2], &l[2]) != 0 ||
		    add_string(&st, v[i].shell, &o[3], &l[3]) != 0) {
			free(rec);
			goto oom;
		}
		put_le32(p + 0, o[0]);
		put_le32(p + 4, l[0]);
		put_le32(p + 8, v[i].uid);
		put_le32(p + 12, v[i].gid);
		for (size_t k = 1; k < 4; k++) {
			put_le32(p + 8 + 8 * k, o[k]);
			put_le32(p + 12 + 8 * k, l[k]);
		}
	}
	total = strs_off + st.len;
	if (total > NBG_ACCTDB_MAX_BYTES || (out = calloc(1, (size_t)total)) == NULL) {
		free(rec);
		goto oom;
	}
	if (n > 0)
		memcpy(out + recs_off, rec, n * ADB_RECORD_SIZE);
	free(rec);
	if (st.len > 0)
		memcpy(out + strs_off, st.p, st.len);
	for (size_t i = 0; i < n; i++) {
		uint64_t h = nbg_acctdb_hash_name(v[i].name, strlen(v[i].name));

		if (place(out + names_off, nb, (uint32_t)h, (uint32_t)i, (uint32_t)(h >> 32), v,
		    false) != 0) {
			seterr(err, "account %zu: duplicate login %s", i, v[i].name);
			goto out;
		}
		if (place(out + uids_off, nb, nbg_acctdb_hash_uid(v[i].uid), (uint32_t)i,
		    v[i].uid, v, true) != 0) {
			seterr(err, "account %zu (%s): duplicate uid %u", i, v[i].name, v[i].uid);
			goto out;
		}
	}
	memcpy(out, ADB_MAGIC, ADB_MAGIC_LEN);
	put_le32(out + ADB_H_VERSION, ADB_VERSION);
	put_le32(out + ADB_H_HEADER_SIZE, ADB_HEADER_SIZE);
	put_le64(out + ADB_H_TOTAL, total);
	put_le32(out + ADB_H_NACCOUNTS, (uint32_t)n);
	put_le32(out + ADB_H_NBUCKETS, nb);
	put_le32(out + ADB_H_GROUP_GID, gid);
	put_le32(out + ADB_H_FLAGS, 0);
	put_le64(out + ADB_H_SECTIONS + 0, names_off);
	put_le64(out + ADB_H_SECTIONS + 8, isize);
	put_le64(out + ADB_H_SECTIONS + 16, uids_off);
	put_le64(out + ADB_H_SECTIONS + 24, isize);
	put_le64(out + ADB_H_SECTIONS + 32, recs_off);
	put_le64(out + ADB_H_SECTIONS + 40, (uint64_t)n * ADB_RECORD_SIZE);
	put_le64(out + ADB_H_SECTIONS + 48, strs_off);
	put_le64(out + ADB_H_SECTIONS + 56, st.len);
	memcpy(out + ADB_H_GROUP_NAME, group, strlen(group));	/* the rest stays NUL */
	*img = out;
	*len = (size_t)total;
	out = NULL;
	r = 0;
	goto out;
oom:
	seterr(err, "out of memory building the accounts database (%zu accounts)", n);
out:
	free(out);
	free(st.p);
	return r;
}
