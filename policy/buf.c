/* SPDX-License-Identifier: BSD-2-Clause */
/* buf.c - the bounds-checked reader (see buf.h). */
#include <string.h>

#include "buf.h"

const char *nbg_buf_strerror(int r)
{
	switch (r) {
	case NBG_BUF_OK:
		return "success";
	case NBG_BUF_E_SHORT:
		return "truncated";
	case NBG_BUF_E_TOO_LONG:
		return "string too long";
	case NBG_BUF_E_NUL:
		return "NUL byte inside a string";
	case NBG_BUF_E_RANGE:
		return "reference outside its section";
	case NBG_BUF_E_UNTERMINATED:
		return "string not NUL-terminated";
	default:
		return "unknown error";
	}
}

void nbg_buf_init(struct nbg_buf *b, const void *p, size_t len)
{
	b->p = p;
	b->len = p != NULL ? len : 0;
	b->off = 0;
}

size_t nbg_buf_remaining(const struct nbg_buf *b)
{
	return b->off <= b->len ? b->len - b->off : 0;
}

int nbg_buf_peek(const struct nbg_buf *b, size_t n, const uint8_t **p)
{
	if (n > nbg_buf_remaining(b))
		return NBG_BUF_E_SHORT;
	if (p != NULL)
		*p = b->p + b->off;
	return NBG_BUF_OK;
}

int nbg_buf_get_bytes(struct nbg_buf *b, size_t n, const uint8_t **p)
{
	int r;

	if ((r = nbg_buf_peek(b, n, p)) != NBG_BUF_OK)
		return r;
	b->off += n;
	return NBG_BUF_OK;
}

int nbg_buf_skip(struct nbg_buf *b, size_t n)
{
	return nbg_buf_get_bytes(b, n, NULL);
}

int nbg_buf_get_u8(struct nbg_buf *b, uint8_t *v)
{
	const uint8_t *p;
	int r;

	if ((r = nbg_buf_get_bytes(b, 1, &p)) != NBG_BUF_OK)
		return r;
	*v = p[0];
	return NBG_BUF_OK;
}

int nbg_buf_get_u32(struct nbg_buf *b, uint32_t *v)
{
	const uint8_t *p;
	int r;

	if ((r = nbg_buf_get_bytes(b, 4, &p)) != NBG_BUF_OK)
		return r;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return NBG_BUF_OK;
}

int nbg_buf_get_u64(struct nbg_buf *b, uint64_t *v)
{
	const uint8_t *p;
	uint64_t x = 0;
	int r;

	if ((r = nbg_buf_get_bytes(b, 8, &p)) != NBG_BUF_OK)
		return r;
	for (size_t i = 0; i < 8; i++)
		x = x << 8 | p[i];
	*v = x;
	return NBG_BUF_OK;
}

int nbg_buf_get_u16le(struct nbg_buf *b, uint16_t *v)
{
	const uint8_t *p;
	int r;

	if ((r = nbg_buf_get_bytes(b, 2, &p)) != NBG_BUF_OK)
		return r;
	*v = (uint16_t)((unsigned)p[1] << 8 | p[0]);
	return NBG_BUF_OK;
}

int nbg_buf_get_u32le(struct nbg_buf *b, uint32_t *v)
{
	const uint8_t *p;
	int r;

	if ((r = nbg_buf_get_bytes(b, 4, &p)) != NBG_BUF_OK)
		return r;
	*v = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
	return NBG_BUF_OK;
}

int nbg_buf_get_u64le(struct nbg_buf *b, uint64_t *v)
{
	const uint8_t *p;
	uint64_t x = 0;
	int r;

	if ((r = nbg_buf_get_bytes(b, 8, &p)) != NBG_BUF_OK)
		return r;
	for (size_t i = 8; i > 0; i--)
		x = x << 8 | p[i - 1];
	*v = x;
	return NBG_BUF_OK;
}

int nbg_buf_get_i64le(struct nbg_buf *b, int64_t *v)
{
	uint64_t u;
	int r;

	if ((r = nbg_buf_get_u64le(b, &u)) != NBG_BUF_OK)
		return r;
	/* Two's complement without implementation-defined conversion. */
	if (u <= (uint64_t)INT64_MAX)
		*v = (int64_t)u;
	else
		*v = -(int64_t)(~u) - 1;
	return NBG_BUF_OK;
}

int nbg_buf_get_string(struct nbg_buf *b, const uint8_t **p, size_t *len, size_t max)
{
	struct nbg_buf save = *b;
	const uint8_t *d;
	uint32_t n;
	int r;

	if ((r = nbg_buf_get_u32(b, &n)) != NBG_BUF_OK)
		goto out;
	if (n > max) {
		r = NBG_BUF_E_TOO_LONG;
		goto out;
	}
	if ((r = nbg_buf_get_bytes(b, n, &d)) != NBG_BUF_OK)
		goto out;
	if (p != NULL)
		*p = d;
	if (len != NULL)
		*len = n;
out:
	if (r != NBG_BUF_OK)
		*b = save;
	return r;
}

int nbg_buf_get_cstring(struct nbg_buf *b, const char **p, size_t *len, size_t max)
{
	struct nbg_buf save = *b;
	const uint8_t *d;
	size_t n;
	int r;

	if ((r = nbg_buf_get_string(b, &d, &n, max)) != NBG_BUF_OK)
		return r;
	if (memchr(d, '\0', n) != NULL) {
		*b = save;
		return NBG_BUF_E_NUL;
	}
	if (p != NULL)
		*p = (const char *)d;
	if (len != NULL)
		*len = n;
	return NBG_BUF_OK;
}

int nbg_buf_window(const struct nbg_buf *b, uint64_t off, uint64_t len, struct nbg_buf *out)
{
	if (off > b->len || len > b->len - off)
		return NBG_BUF_E_RANGE;
	nbg_buf_init(out, b->p + off, (size_t)len);
	return NBG_BUF_OK;
}

int nbg_buf_cstring_at(const struct nbg_buf *b, uint64_t off, uint64_t len, const char **s)
{
	const uint8_t *p;

	/* The string and its terminating NUL: len + 1 bytes. */
	if (off > b->len || len >= b->len - off)
		return NBG_BUF_E_RANGE;
	p = b->p + off;
	if (p[len] != '\0')
		return NBG_BUF_E_UNTERMINATED;
	if (memchr(p, '\0', (size_t)len) != NULL)
		return NBG_BUF_E_NUL;
	*s = (const char *)p;
	return NBG_BUF_OK;
}
