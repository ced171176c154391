/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_roletable.c - libFuzzer harness for the compiled image reader:
 * nbg_table_from_image() and every lookup, on hostile images.
 *
 * The first input byte picks the mode:
 *   even - the rest is an image, looked up with a fixed list of names;
 *   odd  - a valid image compiled from the document below is corrupted by
 *          the next bytes (a count, then (offset, xor) triplets), possibly
 *          cut short, and looked up with the names that follow, one per
 *          line.
 * The image is copied into a buffer of exactly its size, so any read
 * outside it is reported.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/roletable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_EDITS	32
#define MAX_NAMES	16

static const char base_doc[] =
    "{\"format_version\":1,\"fabric\":\"fab-fuzz\",\"serial\":3,"
    "\"generated_at\":\"2026-11-21T10:00:00Z\",\"users\":["
    "{\"login\":\"alice\",\"role\":\"reader\",\"display_name\":\"alice@contoso.com\","
    "\"keys\":[\"sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIAH14"
    "xT3IuswpDF77oWjfAlt3iha83Eo8nPdp6HtHYmrAAAABHNzaDo= NexusIdentitySSHKey\"]},"
    "{\"login\":\"bob\",\"role\":\"writer\",\"not_before\":\"2026-01-01T00:00:00Z\","
    "\"keys\":[\"sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIPL2a"
    "pIBI520EuXM3qUPS3jphpm3upW34CXHxz8Wrq8cAAAABHNzaDo= k1\",\"sk-ecdsa-sha2-nistp256@openss"
    "h.com AAAAInNrLWVjZHNhLXNoYTItbmlzdHAyNTZAb3BlbnNzaC5jb20AAAAIbmlzdHAyNTYAAABBBDvr/AEO9p"
    "9siVitd0Q916WmfZqsW1pwAzP3s6EYaWA9B62nngpXrL1nTdDCbo4ZAloM739HvucUyCye+cQGoBUAAAAEc3NoOg"
    "== k2\"]},"
    "{\"login\":\"carol\",\"role\":\"writer\",\"blocked\":true,\"keys\":[\"sk-ssh-ed25519@open"
    "ssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIM5u1p2h/rqL6o954zE8lbwMXlOi42iIHr9"
    "JPH6AfZnzAAAABHNzaDo=\"]}]}";

static const char *const fixed_names[] = {
	"alice", "bob", "carol", "dave", "", "a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
};

static void lookups(const struct nbg_table *t, const char *const *names, size_t n)
{
	char err[NBG_ERR_LEN];
	uint32_t nusers = nbg_table_nusers(t);

	if (strlen(nbg_table_fabric(t)) > NBG_DOC_FABRIC_MAX)
		__builtin_trap();
	for (size_t i = 0; i < n; i++) {
		struct nbg_user u;
		int r = nbg_table_find(t, names[i], &u, err);

		if (r == 1 && strcmp(u.name, names[i]) != 0)
			__builtin_trap();
		if (r == 1)
			(void)nbg_table_user_has_key(t, &u, (const uint8_t *)names[i],
			    strlen(names[i]));
	}
	for (uint32_t i = 0; i < nusers && i < 64; i++) {
		struct nbg_user u;

		if (nbg_table_user_at(t, i, &u, err) != 0)
			continue;
		(void)strlen(u.name);
		(void)strlen(u.role);
		if (u.display_name != NULL)
			(void)strlen(u.display_name);
		for (uint32_t k = 0; k <= u.nkeys && k < 20; k++) {
			struct nbg_user_key key;

			if (nbg_table_user_key(t, &u, k, &key, err) != 0)
				continue;
			(void)strlen(key.comment);
			if (nbg_table_user_has_key(t, &u, key.blob, key.blob_len) == -1)
				__builtin_trap();	/* its own key must be found */
		}
	}
}

static void open_and_look(const uint8_t *img, size_t len, const char *const *names, size_t n)
{
	struct nbg_table *t;
	uint8_t *copy = malloc(len != 0 ? len : 1);
	char err[NBG_ERR_LEN];

	if (copy == NULL)
		return;
	memcpy(copy, img, len);
	if (nbg_table_from_image(copy, len, &t, err) == 0) {
		/* The table keeps its own copy: the input may go. */
		free(copy);
		copy = NULL;
		lookups(t, names, n);
		nbg_table_free(t);
	}
	free(copy);
}

static void mutated(const uint8_t *data, size_t size)
{
	static uint8_t *base;
	static size_t base_len;
	char err[NBG_ERR_LEN], *text = NULL;
	const char *names[MAX_NAMES];
	uint8_t *img = NULL;
	size_t nedits, n = 0, len;

	/* The base image is compiled once and kept for the fuzzer's lifetime. */
	if (base == NULL && nbg_roledoc_compile(base_doc, sizeof(base_doc) - 1, NULL, &base,
	    &base_len, err) != 0)
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
