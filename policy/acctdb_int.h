/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * acctdb_int.h - the accounts database layout, shared by its writer
 * (acctdb_build.c) and its reader (acctdb.c).  docs/accounts-db.md has the
 * same tables in prose.
 */
#ifndef NBG_ACCTDB_INT_H
#define NBG_ACCTDB_INT_H

#include <stddef.h>
#include <stdint.h>

#include "acctdb.h"

#define ADB_MAGIC		"NBGACCT"	/* and its NUL: 8 bytes */
#define ADB_MAGIC_LEN		8
#define ADB_VERSION		1u
#define ADB_HEADER_SIZE		160u
#define ADB_GROUP_NAME_LEN	32u		/* header bytes 104..135, NUL-padded */
#define ADB_RESERVED_LEN	24u		/* header bytes 136..159, zero */
#define ADB_BUCKET_SIZE		8u
#define ADB_RECORD_SIZE		40u
#define ADB_MIN_BUCKETS		8u
#define ADB_MAX_BUCKETS		(1u << 19)	/* >= 2 x NBG_ACCTDB_MAX_ACCOUNTS */

_Static_assert(ADB_MAX_BUCKETS >= 2 * NBG_ACCTDB_MAX_ACCOUNTS, "index too small for the limit");

/* Header offsets. */
#define ADB_H_VERSION		8
#define ADB_H_HEADER_SIZE	12
#define ADB_H_TOTAL		16
#define ADB_H_NACCOUNTS		24
#define ADB_H_NBUCKETS		28
#define ADB_H_GROUP_GID		32
#define ADB_H_FLAGS		36
#define ADB_H_SECTIONS		40	/* 4 x (u64 offset, u64 size) */
#define ADB_H_GROUP_NAME	104
#define ADB_H_RESERVED		136

_Static_assert(ADB_H_GROUP_NAME == ADB_H_SECTIONS + 64, "header layout");
_Static_assert(ADB_H_RESERVED + ADB_RESERVED_LEN == ADB_HEADER_SIZE, "header layout");
_Static_assert(ADB_GROUP_NAME_LEN == NBG_ACCTDB_NAME_MAX, "the group name fits its field");

/* FNV-1a 64 of a login: the first bucket is its low bits, the high half is stored. */
static inline uint64_t nbg_acctdb_hash_name(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/*
 * The murmur3 32-bit finalizer of a uid: uids are handed out in sequence,
 * and this spreads neighbours over the whole index.
 */
static inline uint32_t nbg_acctdb_hash_uid(uint32_t uid)
{
	uint32_t h = uid;

	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

#endif
