/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * otherplugin.c - a stand-in for pam_nexusbg-auth.so from another build:
 * it exports nbg_auth_plugin with the module's interface number but
 * another version.  The module must refuse it without calling it.
 */
#include <security/pam_modules.h>
#include <stdlib.h>

#include "auth.h"

static int authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	abort();	/* never called: the module checks the version first */
}

__attribute__((visibility("default"))) const struct nbg_auth_plugin nbg_auth_plugin = {
	.abi = NBG_AUTH_PLUGIN_ABI,
	.version = "0.0.0-another-build",
	.authenticate = authenticate,
};
