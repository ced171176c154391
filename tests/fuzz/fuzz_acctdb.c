/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_acctdb.c - libFuzzer harness for the accounts database reader
 * (policy/acctdb.c, what libnss_nexusbg.so.2 runs in every process that
 * resolves a user): nbg_acctdb_from_image() and every lookup, on hostile
 * images.
 *
 * The first input byte picks the mode:
 *   even - the rest is an image, looked up with fixed names and uids;
 *   odd  - a valid image built from the accounts below is corrupted by the
 *          next bytes (a count, then (offset, xor) triplets), possibly cut
 *          short, and looked up with the names that follow, one per line,
 *          each also read as a uid.
 * The image is copied into a buffer of exactly its size, so any read
 * outside it is reported.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/acctdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_EDITS	32
#define MAX_NAMES	16

static const struct nbg_acctdb_entry accounts[] = {
	{ "alice", 61000, 61000, "alice@contoso.com", "/home/alice", "/bin/bash" },
	{ "bob", 61001, 61000, "", "/home/bob", "/bin/bash" },
	{ "carol", 61005, 61000, "Carol C", "/home/carol", "/bin/sh" },
	{ "dave$", 4294967294u, 61000, NULL, "/", "/usr/sbin/nologin" },
};

static const char *const fixed_names[] = {
	"alice", "bob", "carol", "dave$", "eve", "", "a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
};

static const uint32_t fixed_uids[] = { 61000, 61001, 61005, 4294967294u, 0, 1, 61002 };

static uint32_t uid_of(const char *s)
{
	uint32_t h = 0;

	for (; *s != '\0'; s++)
		h = h * 31 + (unsigned char)*s;
	return h;
}

static void check(const struct nbg_acct *a)
{
	/* what the NSS module copies out: bounded, terminated, passwd(5)-safe */
	if (strlen(a->name) > NBG_ACCTDB_NAME_MAX || strlen(a->gecos) > NBG_ACCTDB_GECOS_MAX ||
	    strlen(a->home) > NBG_ACCTDB_PATH_MAX || strlen(a->shell) > NBG_ACCTDB_PATH_MAX ||
	    strchr(a->gecos, ':') != NULL || strchr(a->home, '\n') != NULL ||
	    a->uid == 0 || a->gid == 0)
		__builtin_trap();
}

static void lookups(const struct nbg_acctdb *db, const char *const *names, size_t n,
    const uint32_t *uids, size_t nuids)
{
	char err[NBG_ACCTDB_ERR_LEN];
	struct nbg_acct a;

	if (strlen(nbg_acctdb_group_name(db)) > NBG_ACCTDB_NAME_MAX ||
	    nbg_acctdb_group_gid(db) == 0)
		__builtin_trap();
	for (size_t i = 0; i < n; i++) {
		int r = nbg_acctdb_by_name(db, names[i], &a, err);

		if (r == 1 && strcmp(a.name, names[i]) != 0)
			__builtin_trap();
		if (r == 1)
			check(&a);
		if (nbg_acctdb_by_uid(db, uid_of(names[i]), &a, err) == 1) {
			if (a.uid != uid_of(names[i]))
				__builtin_trap();
			check(&a);
		}
	}
	for (size_t i = 0; i < nuids; i++) {
		if (nbg_acctdb_by_uid(db, uids[i], &a, err) == 1 && a.uid != uids[i])
			__builtin_trap();
	}
	for (uint32_t i = 0; i < nbg_acctdb_count(db) && i < 64; i++) {
		struct nbg_acct b;

		if (nbg_acctdb_at(db, i, &a, err) != 0)
			continue;
		check(&a);
		/* a corrupt index may lose it, but never answer another account */
		if (nbg_acctdb_by_name(db, a.name, &b, err) == 1 && strcmp(a.name, b.name) != 0)
			__builtin_trap();
		if (nbg_acctdb_by_uid(db, a.uid, &b, err) == 1 && a.uid != b.uid)
			__builtin_trap();
	}
}

static void open_and_look(const uint8_t *img, size_t len, const char *const *names, size_t n)
{
	struct nbg_acctdb db;
	uint8_t *copy = malloc(len != 0 ? len : 1);
	char err[NBG_ACCTDB_ERR_LEN];

	if (copy == NULL)
		return;
	memcpy(copy, img, len);
	if (nbg_acctdb_from_image(&db, copy, len, err) == 0) {
		lookups(&db, names, n, fixed_uids, sizeof(fixed_uids) / sizeof(fixed_uids[0]));
		nbg_acctdb_close(&db);
	}
	free(copy);
}

static void mutated(const uint8_t *data, size_t size)
{
	static uint8_t *base;
	static size_t base_len;
	char err[NBG_ACCTDB_ERR_LEN], *text = NULL;
	const char *names[MAX_NAMES];
	uint8_t *img = NULL;
	size_t nedits, n = 0, len;

	/* The base image is built once and kept for the fuzzer's lifetime. */
	if (base == NULL && nbg_acctdb_build(accounts, sizeof(accounts) / sizeof(accounts[0]),
	    "nexusbg", 61000, &base, &base_len, err) != 0)
		__builtin_trap();
	if (size == 0 || (img = malloc(base_len)) == NULL)
		goto out;
	memcpy(img, base, base_len);
	len = base_len;
	nedits = data[0] % (MAX_EDITS + 1);
	data++;
	size--;
	for (size_t i = 0; i < nedits && size >= 3; i++, data += 3, size -= 3) {
		size_t pos = ((size_t)data[0] << 8 | data[1]) % (base_len + 1);

		if (pos == base_len)
			len = (size_t)data[2] * base_len / 256;	/* cut short */
		else
			img[pos] ^= data[2];
	}
	if ((text = malloc(size + 1)) == NULL)
		goto out;
	memcpy(text, data, size);
	text[size] = '\0';
	for (char *s = text, *nl; s != NULL && n < MAX_NAMES; s = nl) {
		if ((nl = strchr(s, '\n')) != NULL)
			*nl++ = '\0';
		names[n++] = s;
	}
	open_and_look(img, len, names, n);
out:
	free(text);
	free(img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if ((data[0] & 1) == 0)
		open_and_look(data + 1, size - 1, fixed_names,
		    sizeof(fixed_names) / sizeof(fixed_names[0]));
	else
		mutated(data + 1, size - 1);
	return 0;
}
