/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * roletable.c - the compiled role-table image: its writer (fed by
 * roledoc.c through rtimage.h), its opener and its lookups.
 *
 * Layout (all integers little-endian; docs/role-table.md has the table):
 *
 *	header		160 bytes: magic, version, sizes, serial, fabric,
 *			document digest, counts, section offsets and sizes
 *	index		nbuckets x 8 bytes: open addressing, linear probing
 *			on FNV-1a 64 of the login; u32 user + 1 (0 = empty),
 *			u32 high half of the hash
 *	users		nusers x 56 bytes, in document order
 *	keys		nkeys x 56 bytes, each user's keys contiguous
 *	strings		NUL-terminated strings and key blobs
 *
 * Opening checks the header and that the sections tile the image exactly:
 * constant work whatever the number of users.  A lookup reads one or a few
 * buckets, one user record and its strings, each through buf.h with the
 * reference checked against its section, so a corrupt image yields an
 * error and never a read outside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "roletable.h"
#include "rtimage.h"

#define IMG_MAGIC		"NBGRTBL"	/* and its NUL: 8 bytes */
#define IMG_MAGIC_LEN		8
#define IMG_VERSION		1u
#define IMG_HEADER_SIZE		160u
#define IMG_BUCKET_SIZE		8u
#define IMG_USER_SIZE		56u
#define IMG_KEY_SIZE		56u
#define IMG_MIN_BUCKETS		8u
#define IMG_MAX_BUCKETS		(1u << 20)	/* >= 2 x NBG_DOC_MAX_USERS */
#define IMG_MAX_BYTES		(256u * 1024 * 1024)
#define IMG_MAX_KEYS		(NBG_DOC_MAX_USERS * NBG_DOC_MAX_KEYS)

#define USER_F_BLOCKED		0x1u
#define USER_F_DISPLAY		0x2u
#define USER_F_ALL		(USER_F_BLOCKED | USER_F_DISPLAY)

#define FNV64_OFFSET		0xcbf29ce484222325ULL
#define FNV64_PRIME		0x100000001b3ULL

_Static_assert(IMG_MAX_BUCKETS >= 2 * NBG_DOC_MAX_USERS, "index too small for the limit");

struct nbg_table {
	const uint8_t *img;	/* the whole image */
	size_t len;
	uint8_t *owned;		/* malloc'd image, or NULL */
	void *map;		/* mapped image, or NULL */
	size_t map_len;
	struct nbg_buf whole, index, users, keys, strings;
	uint32_t nusers, nbuckets, nkeys;
	uint64_t serial;
	int64_t generated_at;
	const char *fabric;
	const uint8_t *doc_sha256;
};

static void seterr(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void seterr(char *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(err, NBG_ERR_LEN, fmt, ap);
	va_end(ap);
}

static uint64_t fnv1a64(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t h = FNV64_OFFSET;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= FNV64_PRIME;
	}
	return h;
}

/* ===================================================================== */
/* The writer                                                             */
/* ===================================================================== */

struct vec {
	uint8_t *p;
	size_t len, cap;
};

struct user_slot {
	uint64_t hash;
	uint32_t name_off, name_len;
};

struct nbg_rtb {
	struct vec users, keys, strings;
	struct user_slot *slots;	/* per user, for the index */
	size_t nslots;
	uint32_t nusers, nkeys;
};

const char *nbg_rtb_strerror(int r)
{
	switch (r) {
	case NBG_RTB_OK:
		return "success";
	case NBG_RTB_E_NOMEM:
		return "out of memory";
	case NBG_RTB_E_LIMIT:
		return "the compiled table would exceed its size limits";
	case NBG_RTB_E_DUPLICATE:
		return "duplicate login";
	default:
		return "unknown error";
	}
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

static int vec_append(struct vec *v, const void *data, size_t len)
{
	if (len > IMG_MAX_BYTES - v->len)
		return NBG_RTB_E_LIMIT;
	if (v->len + len > v->cap) {
		size_t cap = v->cap != 0 ? v->cap : 4096;
		uint8_t *p;

		while (cap < v->len + len)
			cap *= 2;
		if ((p = realloc(v->p, cap)) == NULL)
			return NBG_RTB_E_NOMEM;
		v->p = p;
		v->cap = cap;
	}
	if (len > 0)
		memcpy(v->p + v->len, data, len);
	v->len += len;
	return NBG_RTB_OK;
}

/* Append bytes and a NUL to the string area; *off is where they start. */
static int add_string(struct nbg_rtb *b, const void *s, size_t len, uint32_t *off)
{
	static const uint8_t nul;
	int r;

	if (b->strings.len > UINT32_MAX || len > UINT32_MAX - b->strings.len - 1)
		return NBG_RTB_E_LIMIT;
	*off = (uint32_t)b->strings.len;
	if ((r = vec_append(&b->strings, s, len)) != NBG_RTB_OK)
		return r;
	return vec_append(&b->strings, &nul, 1);
}

struct nbg_rtb *nbg_rtb_new(void)
{
	return calloc(1, sizeof(struct nbg_rtb));
}

void nbg_rtb_free(struct nbg_rtb *b)
{
	if (b == NULL)
		return;
	free(b->users.p);
	free(b->keys.p);
	free(b->strings.p);
	free(b->slots);
	free(b);
}

static int add_key(struct nbg_rtb *b, const struct nbg_rtb_key *k)
{
	uint8_t rec[IMG_KEY_SIZE];
	uint32_t blob_off, comment_off;
	int r;

	if (k->blob_len == 0 || k->blob_len > NBG_KEYBLOB_MAX ||
	    k->comment_len > NBG_DOC_KEYLINE_MAX)
		return NBG_RTB_E_LIMIT;
	/* Blobs carry a NUL too: every item of the area is terminated. */
	if ((r = add_string(b, k->blob, k->blob_len, &blob_off)) != NBG_RTB_OK ||
	    (r = add_string(b, k->comment, k->comment_len, &comment_off)) != NBG_RTB_OK)
		return r;
	memset(rec, 0, sizeof(rec));
	put_le32(rec + 0, (uint32_t)k->type);
	put_le32(rec + 4, blob_off);
	put_le32(rec + 8, (uint32_t)k->blob_len);
	put_le32(rec + 12, comment_off);
	put_le32(rec + 16, (uint32_t)k->comment_len);
	memcpy(rec + 24, k->sha256, 32);
	if ((r = vec_append(&b->keys, rec, sizeof(rec))) != NBG_RTB_OK)
		return r;
	b->nkeys++;
	return NBG_RTB_OK;
}

static int add_slot(struct nbg_rtb *b, uint64_t hash, uint32_t name_off, uint32_t name_len)
{
	if (b->nusers == b->nslots) {
		size_t n = b->nslots != 0 ? b->nslots * 2 : 64;
		struct user_slot *s;

		if ((s = reallocarray(b->slots, n, sizeof(*s))) == NULL)
			return NBG_RTB_E_NOMEM;
		b->slots = s;
		b->nslots = n;
	}
	b->slots[b->nusers].hash = hash;
	b->slots[b->nusers].name_off = name_off;
	b->slots[b->nusers].name_len = name_len;
	return NBG_RTB_OK;
}

int nbg_rtb_add_user(struct nbg_rtb *b, const struct nbg_rtb_user *u)
{
	uint8_t rec[IMG_USER_SIZE];
	uint32_t name_off, role_off, display_off = 0, first_key, flags = 0;
	size_t name_len, role_len, display_len = 0;
	int r;

	name_len = strnlen(u->name, NBG_RT_LOGIN_MAX + 1);
	role_len = strnlen(u->role, NBG_RT_ROLE_MAX + 1);
	if (b->nusers >= NBG_DOC_MAX_USERS || u->nkeys > NBG_DOC_MAX_KEYS ||
	    name_len == 0 || name_len > NBG_RT_LOGIN_MAX ||
	    role_len == 0 || role_len > NBG_RT_ROLE_MAX)
		return NBG_RTB_E_LIMIT;
	if (u->display_name != NULL) {
		display_len = strnlen(u->display_name, NBG_DOC_DISPLAY_MAX + 1);
		if (display_len > NBG_DOC_DISPLAY_MAX)
			return NBG_RTB_E_LIMIT;
		flags |= USER_F_DISPLAY;
	}
	if (u->blocked)
		flags |= USER_F_BLOCKED;
	if ((r = add_string(b, u->name, name_len, &name_off)) != NBG_RTB_OK ||
	    (r = add_string(b, u->role, role_len, &role_off)) != NBG_RTB_OK)
		return r;
	if (u->display_name != NULL &&
	    (r = add_string(b, u->display_name, display_len, &display_off)) != NBG_RTB_OK)
		return r;
	first_key = b->nkeys;
	for (size_t i = 0; i < u->nkeys; i++) {
		if ((r = add_key(b, &u->keys[i])) != NBG_RTB_OK)
			return r;
	}
	memset(rec, 0, sizeof(rec));
	put_le32(rec + 0, name_off);
	put_le32(rec + 4, (uint32_t)name_len);
	put_le32(rec + 8, role_off);
	put_le32(rec + 12, (uint32_t)role_len);
	put_le32(rec + 16, display_off);
	put_le32(rec + 20, (uint32_t)display_len);
	put_le64(rec + 24, (uint64_t)u->not_before);
	put_le64(rec + 32, (uint64_t)u->not_after);
	put_le32(rec + 40, flags);
	put_le32(rec + 44, first_key);
	put_le32(rec + 48, (uint32_t)u->nkeys);
	if ((r = add_slot(b, fnv1a64(u->name, name_len), name_off, (uint32_t)name_len)) !=
	    NBG_RTB_OK || (r = vec_append(&b->users, rec, sizeof(rec))) != NBG_RTB_OK)
		return r;
	b->nusers++;
	return NBG_RTB_OK;
}

static uint32_t bucket_count(uint32_t nusers)
{
	uint32_t nb = IMG_MIN_BUCKETS;

	while (nb < 2 * nusers)
		nb *= 2;
	return nb;
}

/* Place every user in the index, in document order; refuse duplicates. */
static int build_index(const struct nbg_rtb *b, uint32_t nb, uint8_t *index)
{
	uint32_t mask = nb - 1;

	for (uint32_t u = 0; u < b->nusers; u++) {
		const struct user_slot *s = &b->slots[u];
		uint32_t i = (uint32_t)(s->hash & mask);

		for (;;) {
			uint8_t *bk = index + (size_t)i * IMG_BUCKET_SIZE;
			uint32_t other = (uint32_t)bk[0] | (uint32_t)bk[1] << 8 |
			    (uint32_t)bk[2] << 16 | (uint32_t)bk[3] << 24;

			if (other == 0) {
				put_le32(bk, u + 1);
				put_le32(bk + 4, (uint32_t)(s->hash >> 32));
				break;
			}
			{
				const struct user_slot *o = &b->slots[other - 1];

				if (o->hash == s->hash && o->name_len == s->name_len &&
				    memcmp(b->strings.p + o->name_off,
				    b->strings.p + s->name_off, s->name_len) == 0)
					return NBG_RTB_E_DUPLICATE;
			}
			i = (i + 1) & mask;
		}
	}
	return NBG_RTB_OK;
}

static void write_header(uint8_t *p, const struct nbg_rtb *b, const struct nbg_rtb_header *h,
    uint32_t nb, uint32_t fabric_off, uint32_t fabric_len, uint64_t total)
{
	uint64_t index_off = IMG_HEADER_SIZE, index_size = (uint64_t)nb * IMG_BUCKET_SIZE;
	uint64_t users_off = index_off + index_size, users_size = b->users.len;
	uint64_t keys_off = users_off + users_size, keys_size = b->keys.len;
	uint64_t strings_off = keys_off + keys_size, strings_size = b->strings.len;

	memset(p, 0, IMG_HEADER_SIZE);
	memcpy(p, IMG_MAGIC, IMG_MAGIC_LEN);
	put_le32(p + 8, IMG_VERSION);
	put_le32(p + 12, IMG_HEADER_SIZE);
	put_le64(p + 16, total);
	put_le64(p + 24, h->serial);
	put_le64(p + 32, (uint64_t)h->generated_at);
	put_le32(p + 40, fabric_off);
	put_le32(p + 44, fabric_len);
	memcpy(p + 48, h->doc_sha256, 32);
	put_le32(p + 80, b->nusers);
	put_le32(p + 84, nb);
	put_le32(p + 88, b->nkeys);
	put_le32(p + 92, 0);	/* flags: none defined */
	put_le64(p + 96, index_off);
	put_le64(p + 104, index_size);
	put_le64(p + 112, users_off);
	put_le64(p + 120, users_size);
	put_le64(p + 128, keys_off);
	put_le64(p + 136, keys_size);
	put_le64(p + 144, strings_off);
	put_le64(p + 152, strings_size);
}

int nbg_rtb_finish(struct nbg_rtb *b, const struct nbg_rtb_header *h, uint8_t **image,
    size_t *len)
{
	uint8_t *img = NULL;
	uint32_t nb, fabric_off;
	size_t fabric_len, total;
	int r;

	*image = NULL;
	*len = 0;
	fabric_len = strnlen(h->fabric, NBG_DOC_FABRIC_MAX + 1);
	if (fabric_len == 0 || fabric_len > NBG_DOC_FABRIC_MAX) {
		r = NBG_RTB_E_LIMIT;
		goto out;
	}
	if ((r = add_string(b, h->fabric, fabric_len, &fabric_off)) != NBG_RTB_OK)
		goto out;
	nb = bucket_count(b->nusers);
	total = IMG_HEADER_SIZE + (size_t)nb * IMG_BUCKET_SIZE;
	if (b->users.len > IMG_MAX_BYTES - total || b->keys.len > IMG_MAX_BYTES - total -
	    b->users.len || b->strings.len > IMG_MAX_BYTES - total - b->users.len - b->keys.len) {
		r = NBG_RTB_E_LIMIT;
		goto out;
	}
	total += b->users.len + b->keys.len + b->strings.len;
	if ((img = calloc(1, total)) == NULL) {
		r = NBG_RTB_E_NOMEM;
		goto out;
	}
	if ((r = build_index(b, nb, img + IMG_HEADER_SIZE)) != NBG_RTB_OK)
		goto out;
	write_header(img, b, h, nb, fabric_off, (uint32_t)fabric_len, total);
	{
		uint8_t *p = img + IMG_HEADER_SIZE + (size_t)nb * IMG_BUCKET_SIZE;

		if (b->users.len > 0)
			memcpy(p, b->users.p, b->users.len);
		p += b->users.len;
		if (b->keys.len > 0)
			memcpy(p, b->keys.p, b->keys.len);
		p += b->keys.len;
		memcpy(p, b->strings.p, b->strings.len);
	}
	*image = img;
	*len = total;
	img = NULL;
	r = NBG_RTB_OK;
out:
	free(img);
	return r;
}

/* ===================================================================== */
/* The reader                                                             */
/* ===================================================================== */

struct header {
	uint32_t version, header_size;
	uint64_t total, serial;
	int64_t generated_at;
	uint32_t fabric_off, fabric_len;
	const uint8_t *sha;
	uint32_t nusers, nbuckets, nkeys, flags;
	uint64_t off[4], size[4];	/* index, users, keys, strings */
};

static int read_header(struct nbg_buf *b, struct header *h)
{
	int r = NBG_BUF_OK;

	if ((r = nbg_buf_get_u32le(b, &h->version)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &h->header_size)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u64le(b, &h->total)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u64le(b, &h->serial)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_i64le(b, &h->generated_at)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &h->fabric_off)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &h->fabric_len)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_bytes(b, 32, &h->sha)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &h->nusers)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &h->nbuckets)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &h->nkeys)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &h->flags)) != NBG_BUF_OK)
		return r;
	for (size_t i = 0; i < 4; i++) {
		if ((r = nbg_buf_get_u64le(b, &h->off[i])) != NBG_BUF_OK ||
		    (r = nbg_buf_get_u64le(b, &h->size[i])) != NBG_BUF_OK)
			return r;
	}
	return r;
}

/* The counts, and that the four sections tile the image in order. */
static int check_layout(const struct header *h, size_t len, char *err)
{
	uint64_t expect[4];

	if (h->nusers > NBG_DOC_MAX_USERS) {
		seterr(err, "role table: %u users, over the limit of %u", h->nusers,
		    NBG_DOC_MAX_USERS);
		return -1;
	}
	if (h->nbuckets < IMG_MIN_BUCKETS || h->nbuckets > IMG_MAX_BUCKETS ||
	    (h->nbuckets & (h->nbuckets - 1)) != 0 || h->nbuckets < 2 * h->nusers) {
		seterr(err, "role table: bad index size %u for %u users", h->nbuckets, h->nusers);
		return -1;
	}
	if (h->nkeys > IMG_MAX_KEYS || h->flags != 0) {
		seterr(err, "role table: bad key count or header flags");
		return -1;
	}
	expect[0] = (uint64_t)h->nbuckets * IMG_BUCKET_SIZE;
	expect[1] = (uint64_t)h->nusers * IMG_USER_SIZE;
	expect[2] = (uint64_t)h->nkeys * IMG_KEY_SIZE;
	if (h->off[0] != IMG_HEADER_SIZE) {
		seterr(err, "role table: index does not follow the header");
		return -1;
	}
	for (size_t i = 0; i < 4; i++) {
		if (i < 3 && h->size[i] != expect[i]) {
			seterr(err, "role table: section %zu has %llu bytes, expected %llu", i,
			    (unsigned long long)h->size[i], (unsigned long long)expect[i]);
			return -1;
		}
		/* Offsets and sizes are bounded by len, so the sums cannot wrap. */
		if (h->off[i] > len || h->size[i] > len - h->off[i] ||
		    (i < 3 && h->off[i + 1] != h->off[i] + h->size[i])) {
			seterr(err, "role table: section %zu lies outside the image or overlaps",
			    i);
			return -1;
		}
	}
	if (h->off[3] + h->size[3] != len) {
		seterr(err, "role table: sections do not end at the end of the image");
		return -1;
	}
	return 0;
}

/* Validate the header (constant work) and set up t's windows. */
static int table_init(struct nbg_table *t, char *err)
{
	struct header h;
	const uint8_t *magic;
	int r;

	nbg_buf_init(&t->whole, t->img, t->len);
	if (t->len < IMG_HEADER_SIZE) {
		seterr(err, "role table: %zu bytes, shorter than its header", t->len);
		return -1;
	}
	if (t->len > IMG_MAX_BYTES) {
		seterr(err, "role table: %zu bytes, over the %u-byte limit", t->len,
		    IMG_MAX_BYTES);
		return -1;
	}
	if (nbg_buf_get_bytes(&t->whole, IMG_MAGIC_LEN, &magic) != NBG_BUF_OK ||
	    memcmp(magic, IMG_MAGIC, IMG_MAGIC_LEN) != 0) {
		seterr(err, "role table: bad magic (not a compiled role table)");
		return -1;
	}
	if ((r = read_header(&t->whole, &h)) != NBG_BUF_OK) {
		seterr(err, "role table: header %s", nbg_buf_strerror(r));
		return -1;
	}
	if (h.version != IMG_VERSION || h.header_size != IMG_HEADER_SIZE) {
		seterr(err, "role table: format version %u (header %u bytes); this reader "
		    "knows version %u", h.version, h.header_size, IMG_VERSION);
		return -1;
	}
	if (h.total != t->len) {
		seterr(err, "role table: %zu bytes, its header says %llu (truncated?)", t->len,
		    (unsigned long long)h.total);
		return -1;
	}
	if (check_layout(&h, t->len, err) != 0)
		return -1;
	if (nbg_buf_window(&t->whole, h.off[0], h.size[0], &t->index) != NBG_BUF_OK ||
	    nbg_buf_window(&t->whole, h.off[1], h.size[1], &t->users) != NBG_BUF_OK ||
	    nbg_buf_window(&t->whole, h.off[2], h.size[2], &t->keys) != NBG_BUF_OK ||
	    nbg_buf_window(&t->whole, h.off[3], h.size[3], &t->strings) != NBG_BUF_OK) {
		seterr(err, "role table: section outside the image");
		return -1;
	}
	if (h.fabric_len == 0 || h.fabric_len > NBG_DOC_FABRIC_MAX ||
	    (r = nbg_buf_cstring_at(&t->strings, h.fabric_off, h.fabric_len, &t->fabric)) !=
	    NBG_BUF_OK) {
		seterr(err, "role table: fabric name: %s", h.fabric_len == 0 ||
		    h.fabric_len > NBG_DOC_FABRIC_MAX ? "bad length" : nbg_buf_strerror(r));
		return -1;
	}
	t->nusers = h.nusers;
	t->nbuckets = h.nbuckets;
	t->nkeys = h.nkeys;
	t->serial = h.serial;
	t->generated_at = h.generated_at;
	t->doc_sha256 = h.sha;
	return 0;
}

/* Take ownership of a malloc'd image. */
static int table_from_owned(uint8_t *img, size_t len, struct nbg_table **out, char *err)
{
	struct nbg_table *t;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		seterr(err, "role table: out of memory");
		free(img);
		return -1;
	}
	t->owned = img;
	t->img = img;
	t->len = len;
	if (table_init(t, err) != 0) {
		nbg_table_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

int nbg_table_from_image(const uint8_t *buf, size_t len, struct nbg_table **out,
    char err[NBG_ERR_LEN])
{
	uint8_t *copy;

	*out = NULL;
	if (buf == NULL || len == 0 || len > IMG_MAX_BYTES) {
		seterr(err, "role table: image of %zu bytes is empty or over the %u-byte limit",
		    len, IMG_MAX_BYTES);
		return -1;
	}
	if ((copy = malloc(len)) == NULL) {
		seterr(err, "role table: out of memory");
		return -1;
	}
	memcpy(copy, buf, len);
	return table_from_owned(copy, len, out, err);
}

void nbg_table_free(struct nbg_table *t)
{
	if (t == NULL)
		return;
	if (t->map != NULL)
		munmap(t->map, t->map_len);
	free(t->owned);
	free(t);
}

const char *nbg_table_fabric(const struct nbg_table *t)
{
	return t->fabric;
}

uint64_t nbg_table_serial(const struct nbg_table *t)
{
	return t->serial;
}

int64_t nbg_table_generated_at(const struct nbg_table *t)
{
	return t->generated_at;
}

uint32_t nbg_table_nusers(const struct nbg_table *t)
{
	return t->nusers;
}

const uint8_t *nbg_table_doc_sha256(const struct nbg_table *t)
{
	return t->doc_sha256;
}

const uint8_t *nbg_table_image(const struct nbg_table *t, size_t *len)
{
	*len = t->len;
	return t->img;
}

/* --- records ----------------------------------------------------------- */

struct user_rec {
	uint32_t name_off, name_len, role_off, role_len, display_off, display_len;
	int64_t not_before, not_after;
	uint32_t flags, first_key, nkeys, reserved;
};

static int get_user_rec(struct nbg_buf *b, struct user_rec *u)
{
	int r;

	if ((r = nbg_buf_get_u32le(b, &u->name_off)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &u->name_len)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &u->role_off)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &u->role_len)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &u->display_off)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &u->display_len)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_i64le(b, &u->not_before)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_i64le(b, &u->not_after)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &u->flags)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &u->first_key)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &u->nkeys)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &u->reserved)) != NBG_BUF_OK)
		return r;
	return NBG_BUF_OK;
}

/*
 * Read user record i and check every reference it holds.  *first_key is
 * the index of its first key record; out->nkeys of them follow.
 */
static int read_user(const struct nbg_table *t, uint32_t i, struct nbg_user *out,
    uint32_t *first_key, char *err)
{
	struct nbg_buf b;
	struct user_rec u;
	const char *name, *role, *display = NULL;
	int r;

	if (i >= t->nusers) {
		seterr(err, "role table: user %u of %u does not exist", i, t->nusers);
		return -1;
	}
	if ((r = nbg_buf_window(&t->users, (uint64_t)i * IMG_USER_SIZE, IMG_USER_SIZE, &b)) !=
	    NBG_BUF_OK || (r = get_user_rec(&b, &u)) != NBG_BUF_OK) {
		seterr(err, "role table: user record %u: %s", i, nbg_buf_strerror(r));
		return -1;
	}
	if (u.name_len == 0 || u.name_len > NBG_RT_LOGIN_MAX || u.role_len == 0 ||
	    u.role_len > NBG_RT_ROLE_MAX || u.display_len > NBG_DOC_DISPLAY_MAX ||
	    (u.flags & ~USER_F_ALL) != 0 || u.reserved != 0 || u.nkeys > NBG_DOC_MAX_KEYS ||
	    u.first_key > t->nkeys || u.nkeys > t->nkeys - u.first_key) {
		seterr(err, "role table: user record %u has a bad length, flag or key range", i);
		return -1;
	}
	if ((r = nbg_buf_cstring_at(&t->strings, u.name_off, u.name_len, &name)) !=
	    NBG_BUF_OK || (r = nbg_buf_cstring_at(&t->strings, u.role_off, u.role_len,
	    &role)) != NBG_BUF_OK || ((u.flags & USER_F_DISPLAY) != 0 &&
	    (r = nbg_buf_cstring_at(&t->strings, u.display_off, u.display_len, &display)) !=
	    NBG_BUF_OK)) {
		seterr(err, "role table: user record %u: %s", i, nbg_buf_strerror(r));
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->index = i;
	out->name = name;
	out->role = role;
	out->display_name = display;
	out->not_before = u.not_before;
	out->not_after = u.not_after;
	out->blocked = (u.flags & USER_F_BLOCKED) != 0;
	out->nkeys = u.nkeys;
	*first_key = u.first_key;
	return 0;
}

int nbg_table_user_at(const struct nbg_table *t, uint32_t i, struct nbg_user *out,
    char err[NBG_ERR_LEN])
{
	uint32_t first_key;

	return read_user(t, i, out, &first_key, err);
}

int nbg_table_find(const struct nbg_table *t, const char *name, struct nbg_user *out,
    char err[NBG_ERR_LEN])
{
	struct nbg_user u;
	uint64_t h;
	uint32_t mask = t->nbuckets - 1, i, first_key;
	size_t len;

	if (name == NULL) {
		seterr(err, "role table: lookup without a name");
		return -1;
	}
	/* No name longer than a login can be in the table. */
	len = strnlen(name, NBG_RT_LOGIN_MAX + 1);
	if (len == 0 || len > NBG_RT_LOGIN_MAX)
		return 0;
	h = fnv1a64(name, len);
	i = (uint32_t)(h & mask);
	for (uint32_t probe = 0; probe < t->nbuckets; probe++, i = (i + 1) & mask) {
		struct nbg_buf b;
		uint32_t slot, hi;
		int r;

		if ((r = nbg_buf_window(&t->index, (uint64_t)i * IMG_BUCKET_SIZE,
		    IMG_BUCKET_SIZE, &b)) != NBG_BUF_OK ||
		    (r = nbg_buf_get_u32le(&b, &slot)) != NBG_BUF_OK ||
		    (r = nbg_buf_get_u32le(&b, &hi)) != NBG_BUF_OK) {
			seterr(err, "role table: index bucket %u: %s", i, nbg_buf_strerror(r));
			return -1;
		}
		if (slot == 0)
			return 0;
		if (hi != (uint32_t)(h >> 32))
			continue;
		if (read_user(t, slot - 1, &u, &first_key, err) != 0)
			return -1;
		if (strcmp(u.name, name) == 0) {
			*out = u;
			return 1;
		}
	}
	seterr(err, "role table: the index has no empty bucket (corrupt)");
	return -1;
}

/* The user's record again, checked to be the one the caller holds. */
static int reread_user(const struct nbg_table *t, const struct nbg_user *u,
    struct nbg_user *cur, uint32_t *first_key, char *err)
{
	if (u == NULL) {
		seterr(err, "role table: no user given");
		return -1;
	}
	if (read_user(t, u->index, cur, first_key, err) != 0)
		return -1;
	if (cur->name != u->name) {
		seterr(err, "role table: user %u does not come from this table", u->index);
		return -1;
	}
	return 0;
}

struct key_rec {
	uint32_t type, blob_off, blob_len, comment_off, comment_len, reserved;
	const uint8_t *sha;
};

static int read_key(const struct nbg_table *t, uint32_t k, struct key_rec *kr,
    const uint8_t **blob, char *err)
{
	struct nbg_buf b, bb;
	const uint8_t *nul;
	int r;

	if ((r = nbg_buf_window(&t->keys, (uint64_t)k * IMG_KEY_SIZE, IMG_KEY_SIZE, &b)) !=
	    NBG_BUF_OK || (r = nbg_buf_get_u32le(&b, &kr->type)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(&b, &kr->blob_off)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(&b, &kr->blob_len)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(&b, &kr->comment_off)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(&b, &kr->comment_len)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(&b, &kr->reserved)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_bytes(&b, 32, &kr->sha)) != NBG_BUF_OK) {
		seterr(err, "role table: key record %u: %s", k, nbg_buf_strerror(r));
		return -1;
	}
	if (kr->type == NBG_KEY_UNKNOWN || kr->type > NBG_KEY_CERT || kr->reserved != 0 ||
	    kr->blob_len == 0 || kr->blob_len > NBG_KEYBLOB_MAX ||
	    kr->comment_len > NBG_DOC_KEYLINE_MAX) {
		seterr(err, "role table: key record %u has a bad type or length", k);
		return -1;
	}
	/* The blob and the NUL that follows it. */
	if ((r = nbg_buf_window(&t->strings, kr->blob_off, (uint64_t)kr->blob_len + 1, &bb)) !=
	    NBG_BUF_OK || (r = nbg_buf_get_bytes(&bb, kr->blob_len, blob)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_bytes(&bb, 1, &nul)) != NBG_BUF_OK) {
		seterr(err, "role table: key record %u: blob %s", k, nbg_buf_strerror(r));
		return -1;
	}
	if (nul[0] != '\0') {
		seterr(err, "role table: key record %u: blob not terminated", k);
		return -1;
	}
	return 0;
}

int nbg_table_user_key(const struct nbg_table *t, const struct nbg_user *u, uint32_t i,
    struct nbg_user_key *out, char err[NBG_ERR_LEN])
{
	struct nbg_user cur;
	struct key_rec kr;
	const uint8_t *blob;
	const char *comment;
	uint32_t first_key;
	int r;

	if (reread_user(t, u, &cur, &first_key, err) != 0)
		return -1;
	if (i >= cur.nkeys) {
		seterr(err, "role table: user %s has %u keys, no key %u", cur.name, cur.nkeys, i);
		return -1;
	}
	if (read_key(t, first_key + i, &kr, &blob, err) != 0)
		return -1;
	if ((r = nbg_buf_cstring_at(&t->strings, kr.comment_off, kr.comment_len, &comment)) !=
	    NBG_BUF_OK) {
		seterr(err, "role table: key record %u: comment %s", first_key + i,
		    nbg_buf_strerror(r));
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->type = (enum nbg_keytype)kr.type;
	out->blob = blob;
	out->blob_len = kr.blob_len;
	memcpy(out->sha256, kr.sha, 32);
	out->comment = comment;
	return 0;
}

int nbg_table_user_has_key(const struct nbg_table *t, const struct nbg_user *u,
    const uint8_t *blob, size_t blob_len)
{
	struct nbg_user cur;
	uint32_t first_key;

	if (reread_user(t, u, &cur, &first_key, NULL) != 0)
		return -2;
	if (blob == NULL || blob_len == 0)
		return -1;
	for (uint32_t i = 0; i < cur.nkeys; i++) {
		struct key_rec kr;
		const uint8_t *kb;

		if (read_key(t, first_key + i, &kr, &kb, NULL) != 0)
			return -2;
		if (kr.blob_len == blob_len && memcmp(kb, blob, blob_len) == 0)
			return (int)i;
	}
	return -1;
}

/* --- the file ---------------------------------------------------------- */

/* Split PATH into its directory (copied into dir) and its last component. */
static int split_path(const char *path, char *dir, size_t dirlen, const char **base)
{
	const char *slash;
	size_t n;

	if ((n = strnlen(path, PATH_MAX)) == 0 || n >= PATH_MAX || n >= dirlen)
		return -1;
	if ((slash = strrchr(path, '/')) == NULL) {
		memcpy(dir, ".", 2);
		*base = path;
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		memcpy(dir, path, n);
		dir[n] = '\0';
		*base = slash + 1;
	}
	return **base == '\0' ? -1 : 0;
}

static enum nbg_table_open_status check_dir(int dfd, const char *dir, unsigned flags,
    char *err)
{
	struct stat st;

	if (fstat(dfd, &st) != 0) {
		seterr(err, "%s: %s", dir, strerror(errno));
		return NBG_TABLE_INVALID;
	}
	if ((flags & NBG_TABLE_CHECK_PERMS) == 0)
		return NBG_TABLE_OK;
	if (st.st_uid != 0) {
		seterr(err, "directory %s is owned by uid %u, not root", dir, (unsigned)st.st_uid);
		return NBG_TABLE_INSECURE;
	}
	if ((st.st_mode & 022) != 0) {
		seterr(err, "directory %s is writable by group or others (mode %04o)", dir,
		    (unsigned)(st.st_mode & 07777));
		return NBG_TABLE_INSECURE;
	}
	return NBG_TABLE_OK;
}

static enum nbg_table_open_status check_file(const struct stat *st, const char *path,
    unsigned flags, char *err)
{
	if (!S_ISREG(st->st_mode)) {
		seterr(err, "%s is not a regular file", path);
		return NBG_TABLE_INSECURE;
	}
	if ((flags & NBG_TABLE_CHECK_PERMS) != 0 && st->st_uid != 0) {
		seterr(err, "%s is owned by uid %u, not root", path, (unsigned)st->st_uid);
		return NBG_TABLE_INSECURE;
	}
	if ((flags & NBG_TABLE_CHECK_PERMS) != 0 && (st->st_mode & 022) != 0) {
		seterr(err, "%s is writable by group or others (mode %04o)", path,
		    (unsigned)(st->st_mode & 07777));
		return NBG_TABLE_INSECURE;
	}
	if (st->st_size <= 0) {
		seterr(err, "%s is empty", path);
		return NBG_TABLE_INVALID;
	}
	if ((uint64_t)st->st_size > IMG_MAX_BYTES) {
		seterr(err, "%s is %lld bytes, over the %u-byte limit", path,
		    (long long)st->st_size, IMG_MAX_BYTES);
		return NBG_TABLE_INVALID;
	}
	return NBG_TABLE_OK;
}

/* Open PATH's directory, check it, then the file inside it (no symlink). */
static enum nbg_table_open_status open_file(const char *path, unsigned flags, int *fdp,
    struct stat *st, char *err)
{
	enum nbg_table_open_status s;
	char dir[PATH_MAX];
	const char *base;
	int dfd = -1, fd = -1;

	*fdp = -1;
	if (split_path(path, dir, sizeof(dir), &base) != 0) {
		seterr(err, "role table path \"%.64s\" is empty, too long or a directory", path);
		s = NBG_TABLE_INVALID;
		goto out;
	}
	if ((dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		int e = errno;

		seterr(err, "%s: %s", dir, strerror(e));
		s = e == ENOENT ? NBG_TABLE_MISSING : NBG_TABLE_INVALID;
		goto out;
	}
	if ((s = check_dir(dfd, dir, flags, err)) != NBG_TABLE_OK)
		goto out;
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		int e = errno;

		seterr(err, "%s: %s", path, e == ELOOP ? "is a symbolic link" : strerror(e));
		s = e == ENOENT ? NBG_TABLE_MISSING : e == ELOOP ? NBG_TABLE_INSECURE :
		    NBG_TABLE_INVALID;
		goto out;
	}
	if (fstat(fd, st) != 0) {
		seterr(err, "%s: %s", path, strerror(errno));
		s = NBG_TABLE_INVALID;
		goto out;
	}
	if ((s = check_file(st, path, flags, err)) != NBG_TABLE_OK)
		goto out;
	*fdp = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	return s;
}

/* A JSON document: compile it in memory into an owned image. */
static enum nbg_table_open_status open_json(const uint8_t *p, size_t len, const char *path,
    nbg_rt_compile_fn compile, const struct nbg_roledoc_opts *opts, struct nbg_table **out,
    char *err)
{
	uint8_t *img = NULL;
	size_t img_len = 0;
	char why[NBG_ERR_LEN];

	if (len > NBG_DOC_MAX_BYTES) {
		seterr(err, "%s: JSON document of %zu bytes, over the %u-byte limit", path, len,
		    NBG_DOC_MAX_BYTES);
		return NBG_TABLE_INVALID;
	}
	if (compile((const char *)p, len, opts, &img, &img_len, why) != 0) {
		seterr(err, "%s: %s", path, why);
		return NBG_TABLE_INVALID;
	}
	if (table_from_owned(img, img_len, out, why) != 0) {
		seterr(err, "%s: %s", path, why);
		return NBG_TABLE_INVALID;
	}
	return NBG_TABLE_OK;
}

static bool is_json(const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
		i++;
	return i < len && p[i] == '{';
}

enum nbg_table_open_status nbg_rt_open(const char *path, unsigned flags,
    nbg_rt_compile_fn compile, const struct nbg_roledoc_opts *opts, struct nbg_table **out,
    int64_t *mtime, char err[NBG_ERR_LEN])
{
	enum nbg_table_open_status s;
	struct nbg_table *t = NULL;
	struct stat st;
	void *map = MAP_FAILED;
	size_t len = 0;
	char why[NBG_ERR_LEN];
	int fd = -1;

	*out = NULL;
	if (mtime != NULL)
		*mtime = 0;
	if (err != NULL)
		err[0] = '\0';
	if (path == NULL) {
		seterr(err, "no role table path");
		s = NBG_TABLE_INVALID;
		goto out;
	}
	if ((s = open_file(path, flags, &fd, &st, err)) != NBG_TABLE_OK)
		goto out;
	len = (size_t)st.st_size;
	if ((map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		seterr(err, "%s: mmap: %s", path, strerror(errno));
		s = NBG_TABLE_INVALID;
		goto out;
	}
	s = NBG_TABLE_INVALID;
	if (len >= IMG_MAGIC_LEN && memcmp(map, IMG_MAGIC, IMG_MAGIC_LEN) == 0) {
		if ((t = calloc(1, sizeof(*t))) == NULL) {
			seterr(err, "%s: out of memory", path);
			goto out;
		}
		t->map = map;
		t->map_len = len;
		t->img = map;
		t->len = len;
		map = MAP_FAILED;	/* the table owns it now */
		if (table_init(t, why) != 0) {
			seterr(err, "%s: %s", path, why);
			goto out;
		}
	} else if (is_json(map, len) && compile == NULL) {
		seterr(err, "%s: a JSON role document, not a compiled role table "
		    "(install it with nexusbg sync --file)", path);
		goto out;
	} else if (is_json(map, len)) {
		if ((s = open_json(map, len, path, compile, opts, &t, err)) != NBG_TABLE_OK)
			goto out;
	} else {
		seterr(err, "%s: neither a compiled role table nor a JSON document", path);
		goto out;
	}
	if (mtime != NULL)
		*mtime = (int64_t)st.st_mtim.tv_sec;
	*out = t;
	t = NULL;
	s = NBG_TABLE_OK;
out:
	nbg_table_free(t);
	if (map != MAP_FAILED)
		munmap(map, len);
	if (fd >= 0)
		close(fd);
	return s;
}

enum nbg_table_open_status nbg_table_open(const char *path, unsigned flags,
    struct nbg_table **out, int64_t *mtime, char err[NBG_ERR_LEN])
{
	return nbg_rt_open(path, flags, NULL, NULL, out, mtime, err);
}
