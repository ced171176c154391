/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rtimage.h - private to the policy library: the image writer.
 *
 * roledoc.c validates the JSON document and hands each user to this writer;
 * roletable.c, the one file that knows the byte layout of the compiled
 * image (docs/role-table.md), writes it here and reads it back in
 * nbg_table_*().  Callers of the library use roletable.h only.
 *
 * The writer streams: each user's entry goes out as soon as it is added,
 * into a file (written from offset 0 with pwrite, through a small buffer)
 * or into memory.  It keeps 12 bytes per user (the login's hash and where
 * the entry starts) to build the index at the end, and writes the header
 * last.
 */
#ifndef NBG_RTIMAGE_H
#define NBG_RTIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "roletable.h"
#include "sshkey.h"

#define NBG_RT_LOGIN_MAX	32	/* bytes of a login name */
#define NBG_RT_ROLE_MAX		32	/* bytes of a role name */

struct nbg_rtb;		/* an image being written */

struct nbg_rtb_key {
	enum nbg_keytype type;
	const uint8_t *blob;	/* SSH wire format, validated */
	size_t blob_len;
	const char *comment;	/* not NUL-terminated; may be empty */
	size_t comment_len;
};

struct nbg_rtb_user {
	const char *name;	/* validated login, NUL-terminated */
	const char *role;
	const char *display_name;	/* NULL when absent */
	int64_t not_before;	/* NBG_TIME_NONE_LO when absent */
	int64_t not_after;	/* NBG_TIME_NONE_HI when absent */
	bool blocked;
	const struct nbg_rtb_key *keys;
	size_t nkeys;
};

struct nbg_rtb_header {
	const char *fabric;
	uint64_t serial;
	int64_t generated_at;
	uint8_t doc_sha256[32];
};

/* Errors of the writer: resources, size limits and the output file. */
#define NBG_RTB_OK		0
#define NBG_RTB_E_NOMEM		(-1)	/* out of memory */
#define NBG_RTB_E_LIMIT		(-2)	/* over a limit of the image format */
#define NBG_RTB_E_DUPLICATE	(-3)	/* the login is already in the image */
#define NBG_RTB_E_IO		(-4)	/* writing the file failed (nbg_rtb_errno) */

const char *nbg_rtb_strerror(int r);

/* A writer into memory: nbg_rtb_finish() hands over a malloc'd image. */
struct nbg_rtb *nbg_rtb_new(void);
/*
 * A writer into FD, an empty regular file open for writing: the image is
 * written at offsets 0 to its size with pwrite (the file offset is not
 * used).  FD stays the caller's.
 */
struct nbg_rtb *nbg_rtb_new_fd(int fd);
/* Append one user (document order) with its keys. */
int nbg_rtb_add_user(struct nbg_rtb *b, const struct nbg_rtb_user *u);
/*
 * Write the user table, the index and the header.  A memory writer hands
 * over the image in *image (malloc'd, caller frees); a file writer leaves
 * *image NULL.  *len is the size of the image.
 */
int nbg_rtb_finish(struct nbg_rtb *b, const struct nbg_rtb_header *h, uint8_t **image,
    size_t *len);
/* The errno of the write that failed, after NBG_RTB_E_IO. */
int nbg_rtb_errno(const struct nbg_rtb *b);
void nbg_rtb_free(struct nbg_rtb *b);

/*
 * The file opener behind nbg_table_open() and nbg_table_open_any(): with
 * compile NULL a JSON document is refused, so that code which only reads
 * compiled caches (the module, `nexusbg keys`) does not link the JSON
 * loader.
 */
typedef int (*nbg_rt_compile_fn)(const char *json, size_t len,
    const struct nbg_roledoc_opts *opts, uint8_t **image, size_t *image_len,
    char err[NBG_ERR_LEN]);
enum nbg_table_open_status nbg_rt_open(const char *path, unsigned flags,
    nbg_rt_compile_fn compile, const struct nbg_roledoc_opts *opts, struct nbg_table **out,
    int64_t *mtime, char err[NBG_ERR_LEN]);

#endif
