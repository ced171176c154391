/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auth.h - what the module and its auth-phase plugin share.
 *
 * The auth phase (the console FIDO2 check: auth.c and the files it uses)
 * needs libfido2 and libcrypto.  It lives in a plugin, pam_nexusbg-auth.so,
 * next to the module, which pam_sm_authenticate loads only when a user of
 * ours goes on to the challenge (auth_load.c).  The account and session
 * phases never load it, so every other login pays for neither library.
 *
 * What the two objects agree on is small and spelled out here:
 *
 *   - the plugin's one exported symbol, NBG_AUTH_PLUGIN_SYM, a struct
 *     nbg_auth_plugin whose abi and version must equal the module's;
 *   - its entry point, which has PAM's own signature: the plugin gathers
 *     the facts, loads the policy and the table, and decides itself;
 *   - the handoff to the session phase: a successful auth phase leaves the
 *     key it proved as PAM module data NBG_AUTH_DATA (never in the
 *     environment, which the user controls), a block that begins with a
 *     struct nbg_proven_key.  The session phase of a non-SSH service (login
 *     on the console) binds the session to that key through decide()'s
 *     facts.proven_key, reading the data without loading the plugin.  sshd
 *     runs its PAM auth stack in a child process, so module data does not
 *     reach its session stack: there the key comes from SSH_AUTH_INFO_0 as
 *     for any SSH login.
 */
#ifndef NBG_AUTH_H
#define NBG_AUTH_H

#include <security/pam_modules.h>

#include "decide.h"

struct nbg_ctx;

#define NBG_AUTH_DATA	"nexusbg_proven_key"

/* The plugin: its file name (in the module's directory) and its one symbol. */
#define NBG_AUTH_PLUGIN_FILE	"pam_nexusbg-auth.so"
#define NBG_AUTH_PLUGIN_SYM	"nbg_auth_plugin"
#define NBG_AUTH_PLUGIN_ABI	1u

struct nbg_auth_plugin {
	unsigned abi;		/* NBG_AUTH_PLUGIN_ABI */
	const char *version;	/* NBG_VERSION of the build */
	/* pam_sm_authenticate, whole: facts, decision, challenge, audit */
	int (*authenticate)(pam_handle_t *pamh, int flags, int argc, const char **argv);
};

/* The key proven by this handle's auth phase, or NULL.  Points into module data. */
const struct nbg_proven_key *nbg_auth_proven_key(pam_handle_t *pamh);

/*
 * Step 1 of the auth phase, before any challenge, on a verdict nbg_ctx_decide()
 * reached as the account phase would: users that are not ours and Method D
 * v1.5 shared accounts get PAM_IGNORE, a refused user is audited (USER_AUTH)
 * and refused.  Returns NBG_AUTH_CONTINUE when the user may go on to the
 * challenge, else the PAM return code.
 */
#define NBG_AUTH_CONTINUE	(-1)
int nbg_auth_precheck(struct nbg_ctx *ctx);

/* The PAM return code of the auth phase for a verdict. */
int nbg_auth_verdict_pam(const struct nbg_verdict *v);

/*
 * Find and load the plugin: NBG_AUTH_PLUGIN_FILE in the directory the module
 * was loaded from (dladdr), or NBG_AUTH_PLUGIN_PATH when that is unknown.
 * The directory and the file must be root-owned and not writable by group
 * or others, the file a regular file and not a symbolic link; it is loaded
 * through the descriptor that was checked.  Returns NULL with err saying
 * why (missing, unsafe, not a plugin of this build).
 */
const struct nbg_auth_plugin *nbg_auth_plugin_load(char *err, size_t errlen);

#endif
