/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * roletable.c - the compiled role-table image: its writer (fed by
 * roledoc.c through rtimage.h), its opener and its lookups.
 *
 * Layout (format version 2, all integers little-endian; docs/role-table.md
 * has the tables):
 *
 *	header		160 bytes: magic, version, sizes, serial, document
 *			digest, counts, the fabric name
 *	entries		one per user, in document order: a 36-byte user
 *			record, its 16-byte key records, then its strings and
 *			key blobs; role names and comments already written for
 *			an earlier user are referred to, not repeated
 *	users		nusers x 4 bytes: where each user's entry starts
 *	index		nbuckets x 8 bytes: open addressing, linear probing
 *			on FNV-1a 64 of the login; u32 user + 1 (0 = empty),
 *			u32 high half of the hash
 *
 * The writer streams the entries out as users arrive and writes the user
 * table, the index and the header at the end.  Opening checks the header
 * and that the sections tile the image exactly: constant work whatever the
 * number of users.  A lookup reads one or a few buckets, one user-table
 * slot and one entry, each through buf.h with every reference checked
 * against the entries area, so a corrupt image yields an error and never a
 * read outside it.
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
#include "sha256.h"

#define IMG_MAGIC		"NBGRTBL"	/* and its NUL: 8 bytes */
#define IMG_MAGIC_LEN		8
#define IMG_VERSION		2u
#define IMG_HEADER_SIZE		160u
#define IMG_FABRIC_OFF		96u	/* the fabric name, NUL-padded to the end */
#define IMG_USER_SIZE		36u
#define IMG_KEY_SIZE		16u
#define IMG_SLOT_SIZE		4u
#define IMG_BUCKET_SIZE		8u
#define IMG_MIN_BUCKETS		8u
#define IMG_MAX_BUCKETS		(1u << 20)	/* >= 2 x NBG_DOC_MAX_USERS */
#define IMG_MAX_BYTES		(256u * 1024 * 1024)

#define USER_F_BLOCKED		0x1u
#define USER_F_DISPLAY		0x2u
#define USER_F_ALL		(USER_F_BLOCKED | USER_F_DISPLAY)

#define FNV64_OFFSET		0xcbf29ce484222325ULL
#define FNV64_PRIME		0x100000001b3ULL

_Static_assert(IMG_MAX_BUCKETS >= 2 * NBG_DOC_MAX_USERS, "index too small for the limit");
_Static_assert(IMG_FABRIC_OFF + NBG_DOC_FABRIC_MAX == IMG_HEADER_SIZE, "header layout");

struct nbg_table {
	const uint8_t *img;	/* the whole image */
	size_t len;
	uint8_t *owned;		/* malloc'd image, or NULL */
	void *map;		/* mapped image, or NULL */
	size_t map_len;
	struct nbg_buf whole, entries, users, index;
	uint32_t nusers, nbuckets;
	uint64_t serial;
	int64_t generated_at;
	char fabric[NBG_DOC_FABRIC_MAX + 1];
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

#define SINK_BUF		(64u * 1024)	/* bytes gathered before a pwrite */
#define INTERN_MAX_LEN		64	/* longer strings are never shared */
#define INTERN_MAX		1024	/* distinct shared strings; later ones are not */
#define INTERN_SLOTS		2048	/* a power of two, twice INTERN_MAX */

struct vec {
	uint8_t *p;
	size_t len, cap;
};

/* Where the image goes: a file through a buffer, or memory. */
struct sink {
	int fd;			/* -1: memory */
	struct vec mem;		/* memory: the image so far (the header zeroed) */
	uint8_t *buf;		/* file: bytes not written yet */
	size_t fill;
	uint64_t pos;		/* image offset of the next byte */
	int err;		/* errno of the write that failed */
};

/* A string an entry already holds, which later entries refer to. */
struct shared {
	uint32_t off;		/* in the entries area */
	uint8_t len;
	char s[INTERN_MAX_LEN];
};

struct nbg_rtb {
	struct sink out;
	struct vec entry;	/* the entry being built */
	uint64_t *hashes;	/* per user: FNV-1a 64 of the login */
	uint32_t *offs;		/* per user: where the entry starts */
	size_t cap;
	uint32_t nusers, nkeys;
	struct shared *shared;	/* INTERN_MAX, allocated with the first one */
	uint16_t *slots;	/* INTERN_SLOTS: index into shared + 1; 0 = empty */
	size_t nshared;
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
	case NBG_RTB_E_IO:
		return "cannot write the compiled table";
	default:
		return "unknown error";
	}
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
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

static int pwrite_all(int fd, const uint8_t *p, size_t len, uint64_t off, int *err)
{
	while (len > 0) {
		ssize_t w = pwrite(fd, p, len, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			*err = w < 0 ? errno : EIO;
			return NBG_RTB_E_IO;
		}
		p += w;
		len -= (size_t)w;
		off += (uint64_t)w;
	}
	return NBG_RTB_OK;
}

static int sink_flush(struct sink *s)
{
	int r;

	if (s->fd < 0 || s->fill == 0)
		return NBG_RTB_OK;
	if ((r = pwrite_all(s->fd, s->buf, s->fill, s->pos - s->fill, &s->err)) != NBG_RTB_OK)
		return r;
	s->fill = 0;
	return NBG_RTB_OK;
}

static int sink_write(struct sink *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	int r;

	if (len > IMG_MAX_BYTES - s->pos)
		return NBG_RTB_E_LIMIT;
	if (s->fd < 0) {
		if ((r = vec_append(&s->mem, data, len)) != NBG_RTB_OK)
			return r;
		s->pos += len;
		return NBG_RTB_OK;
	}
	while (len > 0) {
		size_t n = SINK_BUF - s->fill < len ? SINK_BUF - s->fill : len;

		memcpy(s->buf + s->fill, p, n);
		s->fill += n;
		s->pos += n;
		p += n;
		len -= n;
		if (s->fill == SINK_BUF && (r = sink_flush(s)) != NBG_RTB_OK)
			return r;
	}
	return NBG_RTB_OK;
}

/* Read back len bytes at image offset off (all of them already written). */
static int sink_read(struct sink *s, uint64_t off, void *out, size_t len)
{
	uint8_t *p = out;
	int r;

	if (off > s->pos || len > s->pos - off)
		return NBG_RTB_E_LIMIT;
	if (s->fd < 0) {
		memcpy(out, s->mem.p + off, len);
		return NBG_RTB_OK;
	}
	if ((r = sink_flush(s)) != NBG_RTB_OK)
		return r;
	while (len > 0) {
		ssize_t n = pread(s->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			s->err = n < 0 ? errno : EIO;
			return NBG_RTB_E_IO;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return NBG_RTB_OK;
}

static struct nbg_rtb *rtb_new(int fd)
{
	static const uint8_t zero[IMG_HEADER_SIZE];
	struct nbg_rtb *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->out.fd = fd;
	if (fd >= 0) {
		if ((b->out.buf = malloc(SINK_BUF)) == NULL) {
			free(b);
			return NULL;
		}
		/* The header is written last, over these first bytes. */
		b->out.pos = IMG_HEADER_SIZE;
	} else if (sink_write(&b->out, zero, sizeof(zero)) != NBG_RTB_OK) {
		free(b);
		return NULL;
	}
	return b;
}

struct nbg_rtb *nbg_rtb_new(void)
{
	return rtb_new(-1);
}

struct nbg_rtb *nbg_rtb_new_fd(int fd)
{
	return fd >= 0 ? rtb_new(fd) : NULL;
}

int nbg_rtb_errno(const struct nbg_rtb *b)
{
	return b->out.err;
}

void nbg_rtb_free(struct nbg_rtb *b)
{
	if (b == NULL)
		return;
	free(b->out.mem.p);
	free(b->out.buf);
	free(b->entry.p);
	free(b->hashes);
	free(b->offs);
	free(b->shared);
	free(b->slots);
	free(b);
}

/* The entries-area offset the next byte of the entry being built gets. */
static int entry_here(const struct nbg_rtb *b, uint32_t *off)
{
	uint64_t o = b->out.pos - IMG_HEADER_SIZE + b->entry.len;

	if (o > UINT32_MAX)
		return NBG_RTB_E_LIMIT;
	*off = (uint32_t)o;
	return NBG_RTB_OK;
}

/* Bytes, and a NUL after them unless they are a key blob. */
static int entry_string(struct nbg_rtb *b, const void *s, size_t len, bool nul, uint32_t *off)
{
	static const uint8_t zero;
	int r;

	if ((r = entry_here(b, off)) != NBG_RTB_OK ||
	    (r = vec_append(&b->entry, s, len)) != NBG_RTB_OK)
		return r;
	return nul ? vec_append(&b->entry, &zero, 1) : NBG_RTB_OK;
}

/*
 * A role name or a comment: the offset of the same bytes written for an
 * earlier user, or here (and remembered while there is room).  Which
 * strings are shared depends on the document alone, so the image stays
 * the same for the same document.
 */
static int shared_string(struct nbg_rtb *b, const char *s, size_t len, uint32_t *off)
{
	size_t i;
	int r;

	if (len > INTERN_MAX_LEN)
		return entry_string(b, s, len, true, off);
	if (b->slots == NULL && ((b->slots = calloc(INTERN_SLOTS, sizeof(*b->slots))) == NULL ||
	    (b->shared = calloc(INTERN_MAX, sizeof(*b->shared))) == NULL))
		return NBG_RTB_E_NOMEM;
	i = (size_t)fnv1a64(s, len) & (INTERN_SLOTS - 1);
	for (; b->slots[i] != 0; i = (i + 1) & (INTERN_SLOTS - 1)) {
		const struct shared *e = &b->shared[b->slots[i] - 1];

		if (e->len == len && memcmp(e->s, s, len) == 0) {
			*off = e->off;
			return NBG_RTB_OK;
		}
	}
	if ((r = entry_string(b, s, len, true, off)) != NBG_RTB_OK)
		return r;
	if (b->nshared < INTERN_MAX) {
		struct shared *e = &b->shared[b->nshared++];

		e->off = *off;
		e->len = (uint8_t)len;
		memcpy(e->s, s, len);
		b->slots[i] = (uint16_t)b->nshared;
	}
	return NBG_RTB_OK;
}

static int check_user(const struct nbg_rtb *b, const struct nbg_rtb_user *u, size_t *name_len,
    size_t *role_len, size_t *display_len)
{
	*name_len = strnlen(u->name, NBG_RT_LOGIN_MAX + 1);
	*role_len = strnlen(u->role, NBG_RT_ROLE_MAX + 1);
	*display_len = u->display_name != NULL ?
	    strnlen(u->display_name, NBG_DOC_DISPLAY_MAX + 1) : 0;
	if (b->nusers >= NBG_DOC_MAX_USERS || u->nkeys > NBG_DOC_MAX_KEYS ||
	    *name_len == 0 || *name_len > NBG_RT_LOGIN_MAX ||
	    *role_len == 0 || *role_len > NBG_RT_ROLE_MAX || *display_len > NBG_DOC_DISPLAY_MAX)
		return NBG_RTB_E_LIMIT;
	for (size_t i = 0; i < u->nkeys; i++) {
		const struct nbg_rtb_key *k = &u->keys[i];

		if (k->blob_len == 0 || k->blob_len > NBG_KEYBLOB_MAX ||
		    k->comment_len > NBG_DOC_KEYLINE_MAX || k->type <= NBG_KEY_UNKNOWN ||
		    k->type > NBG_KEY_CERT)
			return NBG_RTB_E_LIMIT;
	}
	return NBG_RTB_OK;
}

static int grow_users(struct nbg_rtb *b)
{
	size_t cap = b->cap != 0 ? b->cap * 2 : 1024;
	uint64_t *h;
	uint32_t *o;

	if ((h = reallocarray(b->hashes, cap, sizeof(*h))) == NULL)
		return NBG_RTB_E_NOMEM;
	b->hashes = h;
	if ((o = reallocarray(b->offs, cap, sizeof(*o))) == NULL)
		return NBG_RTB_E_NOMEM;
	b->offs = o;
	b->cap = cap;
	return NBG_RTB_OK;
}

/*
 * Forget the shared strings remembered since there were N: they belong to
 * an entry that was not written.  They are the last ones inserted, so no
 * other string's probe sequence runs through their slots.
 */
static void unshare_from(struct nbg_rtb *b, size_t n)
{
	if (b->nshared == n)
		return;
	for (size_t i = 0; i < INTERN_SLOTS; i++) {
		if (b->slots[i] > n)
			b->slots[i] = 0;
	}
	b->nshared = n;
}

static int add_entry(struct nbg_rtb *b, const struct nbg_rtb_user *u, size_t name_len,
    size_t role_len, size_t display_len);

int nbg_rtb_add_user(struct nbg_rtb *b, const struct nbg_rtb_user *u)
{
	size_t name_len, role_len, display_len, nshared = b->nshared;
	int r;

	if ((r = check_user(b, u, &name_len, &role_len, &display_len)) != NBG_RTB_OK)
		return r;
	if (b->nusers == b->cap && (r = grow_users(b)) != NBG_RTB_OK)
		return r;
	if ((r = add_entry(b, u, name_len, role_len, display_len)) != NBG_RTB_OK)
		unshare_from(b, nshared);
	return r;
}

/* Build the entry, write it out, and remember the user for the index. */
static int add_entry(struct nbg_rtb *b, const struct nbg_rtb_user *u, size_t name_len,
    size_t role_len, size_t display_len)
{
	uint8_t *rec;
	uint32_t start, name_off, role_off, display_off = 0, flags = 0;
	size_t fixed;
	int r;

	b->entry.len = 0;
	if ((r = entry_here(b, &start)) != NBG_RTB_OK)
		return r;
	/* The fixed records first, filled in once the strings have their places. */
	fixed = IMG_USER_SIZE + u->nkeys * IMG_KEY_SIZE;
	while (b->entry.len < fixed) {
		static const uint8_t zero[IMG_USER_SIZE];
		size_t n = fixed - b->entry.len < sizeof(zero) ? fixed - b->entry.len :
		    sizeof(zero);

		if ((r = vec_append(&b->entry, zero, n)) != NBG_RTB_OK)
			return r;
	}
	if ((r = entry_string(b, u->name, name_len, true, &name_off)) != NBG_RTB_OK ||
	    (r = shared_string(b, u->role, role_len, &role_off)) != NBG_RTB_OK)
		return r;
	if (u->display_name != NULL) {
		if ((r = entry_string(b, u->display_name, display_len, true, &display_off)) !=
		    NBG_RTB_OK)
			return r;
		flags |= USER_F_DISPLAY;
	}
	if (u->blocked)
		flags |= USER_F_BLOCKED;
	for (size_t i = 0; i < u->nkeys; i++) {
		const struct nbg_rtb_key *k = &u->keys[i];
		uint32_t blob_off, comment_off;
		uint8_t *kr;

		if ((r = entry_string(b, k->blob, k->blob_len, false, &blob_off)) != NBG_RTB_OK ||
		    (r = shared_string(b, k->comment, k->comment_len, &comment_off)) !=
		    NBG_RTB_OK)
			return r;
		kr = b->entry.p + IMG_USER_SIZE + i * IMG_KEY_SIZE;
		put_le32(kr + 0, blob_off);
		put_le32(kr + 4, comment_off);
		put_le16(kr + 8, (uint16_t)k->blob_len);
		put_le16(kr + 10, (uint16_t)k->comment_len);
		kr[12] = (uint8_t)k->type;
	}
	rec = b->entry.p;
	put_le32(rec + 0, name_off);
	put_le32(rec + 4, role_off);
	put_le32(rec + 8, display_off);
	put_le64(rec + 12, (uint64_t)u->not_before);
	put_le64(rec + 20, (uint64_t)u->not_after);
	put_le16(rec + 28, (uint16_t)display_len);
	rec[30] = (uint8_t)name_len;
	rec[31] = (uint8_t)role_len;
	rec[32] = (uint8_t)u->nkeys;
	rec[33] = (uint8_t)flags;
	if ((r = sink_write(&b->out, b->entry.p, b->entry.len)) != NBG_RTB_OK)
		return r;
	b->hashes[b->nusers] = fnv1a64(u->name, name_len);
	b->offs[b->nusers] = start;
	b->nusers++;
	b->nkeys += (uint32_t)u->nkeys;
	return NBG_RTB_OK;
}

static uint32_t bucket_count(uint32_t nusers)
{
	uint32_t nb = IMG_MIN_BUCKETS;

	while (nb < 2 * nusers)
		nb *= 2;
	return nb;
}

/* Do users a and b (same hash) have the same login?  Read back from the image. */
static int same_login(struct nbg_rtb *b, uint32_t a, uint32_t c, bool *same)
{
	uint8_t ra[IMG_USER_SIZE], rc[IMG_USER_SIZE], la[NBG_RT_LOGIN_MAX], lc[NBG_RT_LOGIN_MAX];
	int r;

	if ((r = sink_read(&b->out, IMG_HEADER_SIZE + (uint64_t)b->offs[a], ra, sizeof(ra))) !=
	    NBG_RTB_OK ||
	    (r = sink_read(&b->out, IMG_HEADER_SIZE + (uint64_t)b->offs[c], rc, sizeof(rc))) !=
	    NBG_RTB_OK)
		return r;
	*same = ra[30] == rc[30];
	if (!*same)
		return NBG_RTB_OK;
	if ((r = sink_read(&b->out, IMG_HEADER_SIZE + (uint64_t)get_le32(ra), la, ra[30])) !=
	    NBG_RTB_OK ||
	    (r = sink_read(&b->out, IMG_HEADER_SIZE + (uint64_t)get_le32(rc), lc, rc[30])) !=
	    NBG_RTB_OK)
		return r;
	*same = memcmp(la, lc, ra[30]) == 0;
	return NBG_RTB_OK;
}

/* Place every user in the index, in document order; refuse duplicates. */
static int build_index(struct nbg_rtb *b, uint32_t nb, uint8_t *index)
{
	uint32_t mask = nb - 1;
	int r;

	for (uint32_t u = 0; u < b->nusers; u++) {
		uint64_t h = b->hashes[u];
		uint32_t i = (uint32_t)(h & mask);

		for (;; i = (i + 1) & mask) {
			uint8_t *bk = index + (size_t)i * IMG_BUCKET_SIZE;
			uint32_t other = get_le32(bk);
			bool same;

			if (other == 0) {
				put_le32(bk, u + 1);
				put_le32(bk + 4, (uint32_t)(h >> 32));
				break;
			}
			if (b->hashes[other - 1] != h)
				continue;
			if ((r = same_login(b, other - 1, u, &same)) != NBG_RTB_OK)
				return r;
			if (same)
				return NBG_RTB_E_DUPLICATE;
		}
	}
	return NBG_RTB_OK;
}

/* The user table: where each entry starts. */
static int write_users(struct nbg_rtb *b)
{
	uint8_t chunk[4096];
	size_t n = 0;
	int r;

	for (uint32_t u = 0; u < b->nusers; u++) {
		put_le32(chunk + n, b->offs[u]);
		n += IMG_SLOT_SIZE;
		if (n == sizeof(chunk) || u + 1 == b->nusers) {
			if ((r = sink_write(&b->out, chunk, n)) != NBG_RTB_OK)
				return r;
			n = 0;
		}
	}
	return NBG_RTB_OK;
}

static void write_header(uint8_t *p, const struct nbg_rtb *b, const struct nbg_rtb_header *h,
    uint32_t nb, size_t fabric_len, uint64_t entries_size, uint64_t total)
{
	memset(p, 0, IMG_HEADER_SIZE);
	memcpy(p, IMG_MAGIC, IMG_MAGIC_LEN);
	put_le32(p + 8, IMG_VERSION);
	put_le32(p + 12, IMG_HEADER_SIZE);
	put_le64(p + 16, total);
	put_le64(p + 24, h->serial);
	put_le64(p + 32, (uint64_t)h->generated_at);
	memcpy(p + 40, h->doc_sha256, 32);
	put_le32(p + 72, b->nusers);
	put_le32(p + 76, nb);
	put_le64(p + 80, entries_size);
	put_le32(p + 88, 0);	/* flags: none defined */
	put_le32(p + 92, (uint32_t)fabric_len);
	memcpy(p + IMG_FABRIC_OFF, h->fabric, fabric_len);
}

int nbg_rtb_finish(struct nbg_rtb *b, const struct nbg_rtb_header *h, uint8_t **image,
    size_t *len)
{
	uint8_t hdr[IMG_HEADER_SIZE], *index = NULL;
	uint64_t entries_size, total;
	uint32_t nb;
	size_t fabric_len;
	int r;

	*image = NULL;
	*len = 0;
	fabric_len = strnlen(h->fabric, NBG_DOC_FABRIC_MAX + 1);
	if (fabric_len == 0 || fabric_len > NBG_DOC_FABRIC_MAX) {
		r = NBG_RTB_E_LIMIT;
		goto out;
	}
	nb = bucket_count(b->nusers);
	entries_size = b->out.pos - IMG_HEADER_SIZE;
	total = b->out.pos + (uint64_t)b->nusers * IMG_SLOT_SIZE + (uint64_t)nb * IMG_BUCKET_SIZE;
	if (total > IMG_MAX_BYTES) {
		r = NBG_RTB_E_LIMIT;
		goto out;
	}
	if ((index = calloc(nb, IMG_BUCKET_SIZE)) == NULL) {
		r = NBG_RTB_E_NOMEM;
		goto out;
	}
	if ((r = build_index(b, nb, index)) != NBG_RTB_OK ||
	    (r = write_users(b)) != NBG_RTB_OK ||
	    (r = sink_write(&b->out, index, (size_t)nb * IMG_BUCKET_SIZE)) != NBG_RTB_OK ||
	    (r = sink_flush(&b->out)) != NBG_RTB_OK)
		goto out;
	write_header(hdr, b, h, nb, fabric_len, entries_size, total);
	if (b->out.fd >= 0) {
		if ((r = pwrite_all(b->out.fd, hdr, sizeof(hdr), 0, &b->out.err)) != NBG_RTB_OK)
			goto out;
	} else {
		memcpy(b->out.mem.p, hdr, sizeof(hdr));
		*image = b->out.mem.p;
		b->out.mem.p = NULL;
		b->out.mem.len = b->out.mem.cap = 0;
	}
	*len = (size_t)total;
	r = NBG_RTB_OK;
out:
	free(index);
	return r;
}

/* ===================================================================== */
/* The reader                                                             */
/* ===================================================================== */

struct header {
	uint32_t version, header_size;
	uint64_t total, serial;
	int64_t generated_at;
	const uint8_t *sha;
	uint32_t nusers, nbuckets;
	uint64_t entries_size;
	uint32_t flags, fabric_len;
	const uint8_t *fabric;
};

static int read_header(struct nbg_buf *b, struct header *h)
{
	int r;

	if ((r = nbg_buf_get_u32le(b, &h->version)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &h->header_size)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u64le(b, &h->total)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u64le(b, &h->serial)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_i64le(b, &h->generated_at)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_bytes(b, 32, &h->sha)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &h->nusers)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &h->nbuckets)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u64le(b, &h->entries_size)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &h->flags)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &h->fabric_len)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_bytes(b, NBG_DOC_FABRIC_MAX, &h->fabric)) != NBG_BUF_OK)
		return r;
	return NBG_BUF_OK;
}

/* The counts, and that the three sections tile the image in order. */
static int check_layout(const struct header *h, size_t len, char *err)
{
	uint64_t tables;

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
	if (h->flags != 0) {
		seterr(err, "role table: bad header flags 0x%x", h->flags);
		return -1;
	}
	/* len <= IMG_MAX_BYTES and the counts are bounded: no sum can wrap. */
	tables = (uint64_t)h->nusers * IMG_SLOT_SIZE + (uint64_t)h->nbuckets * IMG_BUCKET_SIZE;
	if (h->entries_size > len || IMG_HEADER_SIZE + h->entries_size + tables != len) {
		seterr(err, "role table: entries of %llu bytes, %u users and %u buckets do not "
		    "end at the end of the image", (unsigned long long)h->entries_size,
		    h->nusers, h->nbuckets);
		return -1;
	}
	return 0;
}

/* 1 to 64 bytes of name without NUL, then NUL to the end of the field. */
static int check_fabric(const struct header *h, char out[NBG_DOC_FABRIC_MAX + 1], char *err)
{
	if (h->fabric_len == 0 || h->fabric_len > NBG_DOC_FABRIC_MAX) {
		seterr(err, "role table: fabric name: bad length %u", h->fabric_len);
		return -1;
	}
	if (memchr(h->fabric, '\0', h->fabric_len) != NULL) {
		seterr(err, "role table: fabric name: NUL byte inside");
		return -1;
	}
	for (size_t i = h->fabric_len; i < NBG_DOC_FABRIC_MAX; i++) {
		if (h->fabric[i] != '\0') {
			seterr(err, "role table: fabric name: not NUL-padded");
			return -1;
		}
	}
	memcpy(out, h->fabric, h->fabric_len);
	out[h->fabric_len] = '\0';
	return 0;
}

/* Validate the header (constant work) and set up t's windows. */
static int table_init(struct nbg_table *t, char *err)
{
	struct header h;
	const uint8_t *magic;
	uint64_t users_off, index_off;
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
	if (check_layout(&h, t->len, err) != 0 || check_fabric(&h, t->fabric, err) != 0)
		return -1;
	users_off = IMG_HEADER_SIZE + h.entries_size;
	index_off = users_off + (uint64_t)h.nusers * IMG_SLOT_SIZE;
	if (nbg_buf_window(&t->whole, IMG_HEADER_SIZE, h.entries_size, &t->entries) !=
	    NBG_BUF_OK ||
	    nbg_buf_window(&t->whole, users_off, (uint64_t)h.nusers * IMG_SLOT_SIZE,
	    &t->users) != NBG_BUF_OK ||
	    nbg_buf_window(&t->whole, index_off, (uint64_t)h.nbuckets * IMG_BUCKET_SIZE,
	    &t->index) != NBG_BUF_OK) {
		seterr(err, "role table: section outside the image");
		return -1;
	}
	t->nusers = h.nusers;
	t->nbuckets = h.nbuckets;
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

/* Map LEN bytes of fd read-only and check them as an image. */
static int table_from_map(int fd, size_t len, struct nbg_table **out, char *err)
{
	struct nbg_table *t;
	void *map;

	*out = NULL;
	if ((map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		seterr(err, "role table: mmap: %s", strerror(errno));
		return -1;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		seterr(err, "role table: out of memory");
		munmap(map, len);
		return -1;
	}
	t->map = map;
	t->map_len = len;
	t->img = map;
	t->len = len;
	if (table_init(t, err) != 0) {
		nbg_table_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

int nbg_table_from_fd(int fd, struct nbg_table **out, char err[NBG_ERR_LEN])
{
	struct stat st;

	*out = NULL;
	if (fstat(fd, &st) != 0) {
		seterr(err, "role table: fstat: %s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < (off_t)IMG_HEADER_SIZE ||
	    (uint64_t)st.st_size > IMG_MAX_BYTES) {
		seterr(err, "role table: %lld bytes, not a regular file of %u bytes to %u MiB",
		    (long long)st.st_size, IMG_HEADER_SIZE, IMG_MAX_BYTES >> 20);
		return -1;
	}
	return table_from_map(fd, (size_t)st.st_size, out, err);
}

void nbg_table_release(const struct nbg_table *t)
{
	/*
	 * A private read-only file mapping: the dropped pages are read from
	 * the file again on the next access, so every pointer stays valid.
	 */
	if (t != NULL && t->map != NULL)
		(void)madvise(t->map, t->map_len, MADV_DONTNEED);
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
	uint32_t name_off, role_off, display_off;
	int64_t not_before, not_after;
	uint16_t display_len, reserved;
	uint8_t name_len, role_len, nkeys, flags;
};

static int get_user_rec(struct nbg_buf *b, struct user_rec *u)
{
	int r;

	if ((r = nbg_buf_get_u32le(b, &u->name_off)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &u->role_off)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(b, &u->display_off)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_i64le(b, &u->not_before)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_i64le(b, &u->not_after)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u16le(b, &u->display_len)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u8(b, &u->name_len)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u8(b, &u->role_len)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u8(b, &u->nkeys)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u8(b, &u->flags)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u16le(b, &u->reserved)) != NBG_BUF_OK)
		return r;
	return NBG_BUF_OK;
}

/*
 * Read user i's entry and check every reference its record holds.  *entry
 * is where the entry starts; its out->nkeys key records follow the record.
 */
static int read_user(const struct nbg_table *t, uint32_t i, struct nbg_user *out,
    uint32_t *entry, char *err)
{
	struct nbg_buf b, keys;
	struct user_rec u;
	const char *name, *role, *display = NULL;
	uint32_t off;
	int r;

	if (i >= t->nusers) {
		seterr(err, "role table: user %u of %u does not exist", i, t->nusers);
		return -1;
	}
	if ((r = nbg_buf_window(&t->users, (uint64_t)i * IMG_SLOT_SIZE, IMG_SLOT_SIZE, &b)) !=
	    NBG_BUF_OK || (r = nbg_buf_get_u32le(&b, &off)) != NBG_BUF_OK ||
	    (r = nbg_buf_window(&t->entries, off, IMG_USER_SIZE, &b)) != NBG_BUF_OK ||
	    (r = get_user_rec(&b, &u)) != NBG_BUF_OK) {
		seterr(err, "role table: user record %u: %s", i, nbg_buf_strerror(r));
		return -1;
	}
	if (u.name_len == 0 || u.name_len > NBG_RT_LOGIN_MAX || u.role_len == 0 ||
	    u.role_len > NBG_RT_ROLE_MAX || u.display_len > NBG_DOC_DISPLAY_MAX ||
	    (u.flags & ~USER_F_ALL) != 0 || u.reserved != 0 || u.nkeys > NBG_DOC_MAX_KEYS ||
	    ((u.flags & USER_F_DISPLAY) == 0 && (u.display_off != 0 || u.display_len != 0)) ||
	    nbg_buf_window(&t->entries, (uint64_t)off + IMG_USER_SIZE,
	    (uint64_t)u.nkeys * IMG_KEY_SIZE, &keys) != NBG_BUF_OK) {
		seterr(err, "role table: user record %u has a bad length, flag or key range", i);
		return -1;
	}
	if ((r = nbg_buf_cstring_at(&t->entries, u.name_off, u.name_len, &name)) !=
	    NBG_BUF_OK || (r = nbg_buf_cstring_at(&t->entries, u.role_off, u.role_len,
	    &role)) != NBG_BUF_OK || ((u.flags & USER_F_DISPLAY) != 0 &&
	    (r = nbg_buf_cstring_at(&t->entries, u.display_off, u.display_len, &display)) !=
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
	*entry = off;
	return 0;
}

int nbg_table_user_at(const struct nbg_table *t, uint32_t i, struct nbg_user *out,
    char err[NBG_ERR_LEN])
{
	uint32_t entry;

	return read_user(t, i, out, &entry, err);
}

int nbg_table_find(const struct nbg_table *t, const char *name, struct nbg_user *out,
    char err[NBG_ERR_LEN])
{
	struct nbg_user u;
	uint64_t h;
	uint32_t mask = t->nbuckets - 1, i, entry;
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
		if (read_user(t, slot - 1, &u, &entry, err) != 0)
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
    struct nbg_user *cur, uint32_t *entry, char *err)
{
	if (u == NULL) {
		seterr(err, "role table: no user given");
		return -1;
	}
	if (read_user(t, u->index, cur, entry, err) != 0)
		return -1;
	if (cur->name != u->name) {
		seterr(err, "role table: user %u does not come from this table", u->index);
		return -1;
	}
	return 0;
}

struct key_rec {
	uint32_t blob_off, comment_off;
	uint16_t blob_len, comment_len;
	uint8_t type;
	const uint8_t *reserved;
};

/* Key k of the user whose entry starts at ENTRY (k < its nkeys, checked by read_user). */
static int read_key(const struct nbg_table *t, uint32_t user, uint32_t entry, uint32_t k,
    struct key_rec *kr, const uint8_t **blob, char *err)
{
	struct nbg_buf b;
	int r;

	if ((r = nbg_buf_window(&t->entries, (uint64_t)entry + IMG_USER_SIZE +
	    (uint64_t)k * IMG_KEY_SIZE, IMG_KEY_SIZE, &b)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(&b, &kr->blob_off)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u32le(&b, &kr->comment_off)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u16le(&b, &kr->blob_len)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u16le(&b, &kr->comment_len)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_u8(&b, &kr->type)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_bytes(&b, 3, &kr->reserved)) != NBG_BUF_OK) {
		seterr(err, "role table: user %u key %u: %s", user, k, nbg_buf_strerror(r));
		return -1;
	}
	if (kr->type == NBG_KEY_UNKNOWN || kr->type > NBG_KEY_CERT || kr->reserved[0] != 0 ||
	    kr->reserved[1] != 0 || kr->reserved[2] != 0 || kr->blob_len == 0 ||
	    kr->blob_len > NBG_KEYBLOB_MAX || kr->comment_len > NBG_DOC_KEYLINE_MAX) {
		seterr(err, "role table: user %u key %u has a bad type or length", user, k);
		return -1;
	}
	if ((r = nbg_buf_window(&t->entries, kr->blob_off, kr->blob_len, &b)) != NBG_BUF_OK ||
	    (r = nbg_buf_get_bytes(&b, kr->blob_len, blob)) != NBG_BUF_OK) {
		seterr(err, "role table: user %u key %u: blob %s", user, k, nbg_buf_strerror(r));
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
	uint32_t entry;
	int r;

	if (reread_user(t, u, &cur, &entry, err) != 0)
		return -1;
	if (i >= cur.nkeys) {
		seterr(err, "role table: user %s has %u keys, no key %u", cur.name, cur.nkeys, i);
		return -1;
	}
	if (read_key(t, cur.index, entry, i, &kr, &blob, err) != 0)
		return -1;
	if ((r = nbg_buf_cstring_at(&t->entries, kr.comment_off, kr.comment_len, &comment)) !=
	    NBG_BUF_OK) {
		seterr(err, "role table: user %u key %u: comment %s", cur.index, i,
		    nbg_buf_strerror(r));
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->type = (enum nbg_keytype)kr.type;
	out->blob = blob;
	out->blob_len = kr.blob_len;
	/* Not stored: a blob is short and a fingerprint is rarely asked for. */
	nbg_sha256(blob, kr.blob_len, out->sha256);
	out->comment = comment;
	return 0;
}

int nbg_table_user_has_key(const struct nbg_table *t, const struct nbg_user *u,
    const uint8_t *blob, size_t blob_len)
{
	struct nbg_user cur;
	uint32_t entry;

	if (reread_user(t, u, &cur, &entry, NULL) != 0)
		return -2;
	if (blob == NULL || blob_len == 0)
		return -1;
	for (uint32_t i = 0; i < cur.nkeys; i++) {
		struct key_rec kr;
		const uint8_t *kb;

		if (read_key(t, cur.index, entry, i, &kr, &kb, NULL) != 0)
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
