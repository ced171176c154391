/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_roledoc.c - libFuzzer harness for the JSON role document loader.
 *
 * The input is the document.  It is compiled without options and with a
 * policy's options; an accepted document must give an image that opens and
 * in which every user and key can be read back.  Seed it with
 * policy/examples/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/roletable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_back(const uint8_t *img, size_t len)
{
	struct nbg_table *t;
	char err[NBG_ERR_LEN];

	/* What the compiler wrote, the reader must accept entirely. */
	if (nbg_table_from_image(img, len, &t, err) != 0)
		__builtin_trap();
	for (uint32_t i = 0; i < nbg_table_nusers(t); i++) {
		struct nbg_user u, f;

		if (nbg_table_user_at(t, i, &u, err) != 0 ||
		    nbg_table_find(t, u.name, &f, err) != 1 || f.index != i)
			__builtin_trap();
		for (uint32_t k = 0; k < u.nkeys; k++) {
			struct nbg_user_key key;

			if (nbg_table_user_key(t, &u, k, &key, err) != 0 ||
			    !nbg_keytype_is_fido2(key.type) ||
			    nbg_table_user_has_key(t, &u, key.blob, key.blob_len) != (int)k)
				__builtin_trap();
		}
	}
	nbg_table_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const roles[] = { "reader", "writer" };
	static const struct nbg_roledoc_opts opts = { "fab-example-01", roles, 2,
	    1u << NBG_KEY_SK_ED25519 };
	char *doc = malloc(size != 0 ? size : 1);
	uint8_t *img;
	size_t len;
	char err[NBG_ERR_LEN];

	if (doc == NULL)
		return 0;
	/* An exactly-sized copy: the loader must not read past size. */
	memcpy(doc, data, size);
	if (nbg_roledoc_compile(doc, size, NULL, &img, &len, err) == 0) {
		read_back(img, len);
		free(img);
	} else if (err[0] == '\0') {
		__builtin_trap();	/* every refusal says why */
	}
	if (nbg_roledoc_compile(doc, size, &opts, &img, &len, err) == 0) {
		read_back(img, len);
		free(img);
	}
	free(doc);
	return 0;
}
