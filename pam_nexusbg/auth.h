/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auth.h - the handoff from the auth phase to the session phase of the
 * same PAM handle.
 *
 * A successful pam_sm_authenticate leaves the key it proved as PAM module
 * data (never in the environment, which the user controls).  The session
 * phase of a non-SSH service (login on the console) binds the session to
 * that key through decide()'s facts.proven_key.  sshd runs its PAM auth
 * stack in a child process, so module data does not reach its session
 * stack: there the key comes from SSH_AUTH_INFO_0 as for any SSH login.
 */
#ifndef NBG_AUTH_H
#define NBG_AUTH_H

#include <security/pam_modules.h>

#include "decide.h"

#define NBG_AUTH_DATA	"nexusbg_proven_key"

/* The key proven by this handle's auth phase, or NULL.  Points into module data. */
const struct nbg_proven_key *nbg_auth_proven_key(pam_handle_t *pamh);

#endif
