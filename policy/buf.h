/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * buf.h - a bounds-checked reader over bytes that came from outside.
 *
 * SSH key blobs and the compiled role-table image are read only through
 * these functions.  A reader is a pointer, a length and an offset; every
 * getter checks that the bytes it needs are there, returns a named error
 * code when they are not, and then leaves the offset and its outputs
 * untouched.  Nothing here allocates or reads past p + len.
 *
 * SSH wire format is big-endian (RFC 4251 section 5); the role-table image
 * is little-endian: both have their getters.
 */
#ifndef NBG_BUF_H
#define NBG_BUF_H

#include <stddef.h>
#include <stdint.h>

struct nbg_buf {
	const uint8_t *p;	/* first byte; the reader never writes */
	size_t len;		/* bytes at p */
	size_t off;		/* next byte to read, 0..len */
};

/* Error codes: 0 is success, every failure is negative. */
#define NBG_BUF_OK		0
#define NBG_BUF_E_SHORT		(-1)	/* fewer bytes left than needed */
#define NBG_BUF_E_TOO_LONG	(-2)	/* a string over the caller's limit */
#define NBG_BUF_E_NUL		(-3)	/* a NUL inside a string that may have none */
#define NBG_BUF_E_RANGE		(-4)	/* an offset/length outside the buffer */
#define NBG_BUF_E_UNTERMINATED	(-5)	/* no NUL right after a stored string */

/* What an error code means, in a few words ("truncated", ...). */
const char *nbg_buf_strerror(int r);

void nbg_buf_init(struct nbg_buf *b, const void *p, size_t len);
size_t nbg_buf_remaining(const struct nbg_buf *b);

/* Point *p at the next n bytes without consuming them. */
int nbg_buf_peek(const struct nbg_buf *b, size_t n, const uint8_t **p);
/* Consume n bytes; *p (may be NULL) points at them. */
int nbg_buf_get_bytes(struct nbg_buf *b, size_t n, const uint8_t **p);
int nbg_buf_skip(struct nbg_buf *b, size_t n);

/* Integers in SSH (big-endian) byte order. */
int nbg_buf_get_u8(struct nbg_buf *b, uint8_t *v);
int nbg_buf_get_u32(struct nbg_buf *b, uint32_t *v);
int nbg_buf_get_u64(struct nbg_buf *b, uint64_t *v);
/* Integers in the role-table image's (little-endian) byte order. */
int nbg_buf_get_u16le(struct nbg_buf *b, uint16_t *v);
int nbg_buf_get_u32le(struct nbg_buf *b, uint32_t *v);
int nbg_buf_get_u64le(struct nbg_buf *b, uint64_t *v);
int nbg_buf_get_i64le(struct nbg_buf *b, int64_t *v);

/*
 * An SSH "string": a u32 length then that many bytes, at most max.
 * *p points into the buffer; it is not NUL-terminated.
 */
int nbg_buf_get_string(struct nbg_buf *b, const uint8_t **p, size_t *len, size_t max);
/* The same, refusing a NUL anywhere inside (names, application strings). */
int nbg_buf_get_cstring(struct nbg_buf *b, const char **p, size_t *len, size_t max);

/*
 * A window [off, off + len) of the whole of b (not of what remains), as a
 * new reader positioned at its start.  The offsets come from the data, so
 * they are 64-bit and checked without overflow.
 */
int nbg_buf_window(const struct nbg_buf *b, uint64_t off, uint64_t len, struct nbg_buf *out);

/*
 * A stored C string of exactly len bytes at off in the whole of b: no NUL
 * among those bytes and a NUL right after them.  *s points into b.
 */
int nbg_buf_cstring_at(const struct nbg_buf *b, uint64_t off, uint64_t len, const char **s);

#endif
