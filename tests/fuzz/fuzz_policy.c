/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_policy.c - libFuzzer harness for the policy file parser.
 *
 * Arbitrary bytes go to nbg_policy_load_buffer() and the diagnostics are
 * printed.  A policy that loads is then walked through every lookup with
 * values taken from it, and the loader's promises are checked: a load
 * succeeds exactly when no error was reported, names are unique, every
 * fallback account's role exists, reader never has configure, and every
 * stored prefix contains its own address.  A broken promise aborts.
 *
 *	./fuzz_policy -max_len=65536 corpus-policy tests/policy-check
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)

static void walk_roles(const struct nbg_policy *p)
{
	const struct nbg_fallback_account *fa;
	const struct nbg_role *r;
	size_t i, j;

	for (i = 0; i < p->nroles; i++) {
		r = &p->roles[i];
		CHECK(nbg_policy_role(p, r->name) == r);
		for (j = 0; j < r->ncaps; j++)
			CHECK(nbg_role_has_cap(r, r->caps[j]));
		CHECK(strcmp(r->name, "reader") != 0 || !nbg_role_has_cap(r, "configure"));
	}
	CHECK(p->nfallback <= NBG_MAX_FALLBACK);
	for (i = 0; i < p->nfallback; i++) {
		fa = &p->fallback_accounts[i];
		CHECK(nbg_policy_fallback_account(p, fa->user) == fa);
		CHECK(nbg_policy_role(p, fa->role) != NULL);
		CHECK(nbg_policy_denied_user(p, fa->user) == NULL);
	}
	for (i = 0; i < p->ndenied; i++)
		CHECK(nbg_policy_denied_user(p, p->denied[i].user) == &p->denied[i]);
}

static void walk_addresses(const struct nbg_policy *p)
{
	const struct nbg_origin *o;
	const struct nbg_trusted *t;
	char buf[NBG_ADDR_STRLEN];
	size_t i, j;

	for (i = 0; i < p->npaths; i++) {
		for (j = 0; j < p->paths[i].nlocal; j++) {
			nbg_prefix_str(&p->paths[i].local[j], buf, sizeof(buf));
			CHECK(strcmp(nbg_policy_access_path(p, &p->paths[i].local[j].addr, &o),
			    "default") != 0);
			CHECK(o != NULL);
		}
	}
	for (i = 0; i < p->ntrusted; i++) {
		t = &p->trusted[i];
		CHECK(nbg_policy_source_trusted(p, t->path, &t->prefix.addr, &o) == 1);
		CHECK(o != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nbg_diag d = { NULL, 0, 0 };
	struct nbg_policy *p = NULL;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;
	int r;

	r = nbg_policy_load_buffer("fuzz.conf", (const char *)data, size, &p, &d);
	CHECK((r == 0) == (d.nerrors == 0));
	CHECK((r == 0) == (p != NULL));
	if ((f = open_memstream(&out, &outlen)) != NULL) {
		nbg_diag_print(f, &d);
		fclose(f);
		free(out);
	}
	if (p != NULL) {
		walk_roles(p);
		walk_addresses(p);
		CHECK(p->role_table != NULL && p->sync.cache_dir != NULL);
		CHECK(p->nssh_services > 0);
	}
	nbg_diag_free(&d);
	nbg_policy_free(p);
	return 0;
}
