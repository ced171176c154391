/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * roletable.h - the role table: the JSON document from the control plane,
 * and the compiled, memory-mapped cache every login reads.
 *
 * The control plane sends a JSON document (policy/roles.schema.json).  The
 * strict loader (roledoc.c) validates it and compiles it into one binary
 * image: a header, one entry per user (a fixed-size user record, its key
 * records, its strings and key blobs), a table of where each entry starts
 * and an open-addressing hash index on the login name.  `nexusbg sync` writes
 * that image atomically to the cache file; the module and `nexusbg keys`
 * map it and look one user up, touching a few pages whatever the number of
 * users (see docs/role-table.md for the layout).
 *
 * Opening checks the header and the sizes of every section; each lookup
 * bounds-checks every offset it follows, so a corrupt image gives an error,
 * never a read outside the mapping.
 */
#ifndef NBG_ROLETABLE_H
#define NBG_ROLETABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sshkey.h"

/* Limits of the JSON document (the loader refuses anything larger). */
#define NBG_DOC_MAX_BYTES	(64u * 1024 * 1024)
#define NBG_DOC_MAX_USERS	200000u
#define NBG_DOC_MAX_KEYS	16u	/* per user */
#define NBG_DOC_MAX_DEPTH	8
#define NBG_DOC_FABRIC_MAX	64
#define NBG_DOC_DISPLAY_MAX	256
#define NBG_DOC_KEYLINE_MAX	2048
#define NBG_DOC_VERSION		1	/* "format_version" the loader accepts */

#define NBG_TIME_NONE_LO	INT64_MIN	/* no not_before */
#define NBG_TIME_NONE_HI	INT64_MAX	/* no not_after */

struct nbg_table;	/* opaque: an owned buffer or a read-only mapping */

struct nbg_user {
	uint32_t index;		/* position in the document's users[] */
	const char *name;	/* NUL-terminated, inside the image */
	const char *role;
	const char *display_name;	/* NULL when absent */
	int64_t not_before;	/* NBG_TIME_NONE_LO when absent */
	int64_t not_after;	/* NBG_TIME_NONE_HI when absent */
	bool blocked;
	uint32_t nkeys;
};

struct nbg_user_key {
	enum nbg_keytype type;
	const uint8_t *blob;	/* SSH wire format, inside the image */
	size_t blob_len;
	uint8_t sha256[32];	/* digest of blob, for the fingerprint */
	const char *comment;	/* NUL-terminated; "" when absent */
};

/* Error detail from the loader / opener: "users[3].keys[1]: ..." */
#define NBG_ERR_LEN 256

/* Options for compiling a JSON document. */
struct nbg_roledoc_opts {
	const char *expect_fabric;	/* refuse another fabric; NULL = any */
	/* roles the policy defines; NULL = accept any well-formed role name */
	const char *const *known_roles;
	size_t nknown_roles;
	/* FIDO2 key types accepted (bit set of 1u << enum nbg_keytype); 0 = both */
	unsigned key_types;
};

/*
 * Validate a JSON role document strictly and compile it into an image.
 * On success returns 0 and *image (malloc'd, caller frees) / *image_len.
 * On failure returns -1 and err holds the JSON path of the first problem
 * and what is wrong with it; nothing is allocated.
 */
int nbg_roledoc_compile(const char *json, size_t len, const struct nbg_roledoc_opts *opts,
    uint8_t **image, size_t *image_len, char err[NBG_ERR_LEN]);

/* nbg_roledoc_compile_fd(): the document was refused / the image not written. */
#define NBG_ROLEDOC_REFUSED	(-1)
#define NBG_ROLEDOC_SYSTEM	(-2)

/*
 * The same for a document in a file, with memory that does not grow with
 * it: DOC_FD (a regular file, read from offset 0 to its size) is mapped
 * read-only and the pages the loader has passed are released as it goes;
 * the image is written to OUT_FD (an empty regular file open for reading
 * and writing) as users are compiled, the header last.  Returns 0 and
 * *image_len; NBG_ROLEDOC_REFUSED with err as nbg_roledoc_compile() gives
 * it; NBG_ROLEDOC_SYSTEM when the document could not be read or the image
 * not written (err names the system error).  OUT_FD holds garbage after a
 * failure.
 */
int nbg_roledoc_compile_fd(int doc_fd, const struct nbg_roledoc_opts *opts, int out_fd,
    size_t *image_len, char err[NBG_ERR_LEN]);

/* Open a compiled image held in memory (copied: the caller keeps buf). */
int nbg_table_from_image(const uint8_t *buf, size_t len, struct nbg_table **out,
    char err[NBG_ERR_LEN]);

/* Open the compiled image in FD (mapped read-only; FD stays the caller's). */
int nbg_table_from_fd(int fd, struct nbg_table **out, char err[NBG_ERR_LEN]);

/*
 * Flags for nbg_table_open().
 * NBG_TABLE_CHECK_PERMS: the file must be a regular file owned by root,
 * not writable by group or others, and so must its directory.
 */
#define NBG_TABLE_CHECK_PERMS	0x1

enum nbg_table_open_status {
	NBG_TABLE_OK = 0,
	NBG_TABLE_MISSING,	/* ENOENT */
	NBG_TABLE_INSECURE,	/* ownership / mode / not a regular file / symlink */
	NBG_TABLE_INVALID,	/* unreadable, corrupt, wrong magic or version */
};

/*
 * Open the compiled cache file PATH (O_NOFOLLOW), check it, and map it.
 * A JSON document is refused (NBG_TABLE_INVALID): the module and `nexusbg
 * keys` only ever read compiled caches, and do not link the JSON loader.
 * *mtime receives the file's modification time: the instant the control
 * plane last confirmed this table (sync touches it on 200 and 304).
 */
enum nbg_table_open_status nbg_table_open(const char *path, unsigned flags,
    struct nbg_table **out, int64_t *mtime, char err[NBG_ERR_LEN]);

/*
 * The same, but a JSON document (detected by its first non-blank byte
 * being '{') is also accepted and compiled in memory with opts (for
 * `explain --roles FILE.json`, `status` and tests).  In roledoc.c.
 */
enum nbg_table_open_status nbg_table_open_any(const char *path, unsigned flags,
    const struct nbg_roledoc_opts *opts, struct nbg_table **out, int64_t *mtime,
    char err[NBG_ERR_LEN]);

void nbg_table_free(struct nbg_table *t);

const char *nbg_table_fabric(const struct nbg_table *t);
uint64_t nbg_table_serial(const struct nbg_table *t);
int64_t nbg_table_generated_at(const struct nbg_table *t);
uint32_t nbg_table_nusers(const struct nbg_table *t);
/* SHA-256 of the JSON document the image was compiled from. */
const uint8_t *nbg_table_doc_sha256(const struct nbg_table *t);
/* The raw image bytes (for writing it to disk). */
const uint8_t *nbg_table_image(const struct nbg_table *t, size_t *len);
/*
 * Give back the memory of the pages of a mapped table read so far: they
 * are read from the file again when next used, so every pointer into the
 * table stays valid.  For walks over every user (accounts, status), which
 * would otherwise keep the whole image resident.  No effect on a table
 * held in memory.
 */
void nbg_table_release(const struct nbg_table *t);

/* Look a user up: 1 found, 0 not found, -1 corrupt image (err set). */
int nbg_table_find(const struct nbg_table *t, const char *name, struct nbg_user *out,
    char err[NBG_ERR_LEN]);
/* The i-th user in document order (iteration): 0 or -1. */
int nbg_table_user_at(const struct nbg_table *t, uint32_t i, struct nbg_user *out,
    char err[NBG_ERR_LEN]);
/* The i-th key of a user: 0 or -1. */
int nbg_table_user_key(const struct nbg_table *t, const struct nbg_user *u, uint32_t i,
    struct nbg_user_key *out, char err[NBG_ERR_LEN]);
/*
 * Is BLOB one of the user's keys?  Returns the key index (>= 0), -1 if it
 * is not, -2 on a corrupt image.
 */
int nbg_table_user_has_key(const struct nbg_table *t, const struct nbg_user *u,
    const uint8_t *blob, size_t blob_len);

#endif
