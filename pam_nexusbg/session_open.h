/* SPDX-License-Identifier: BSD-2-Clause */
/* session_open.h - the session record of a granted login. */
#ifndef NBG_SESSION_OPEN_H
#define NBG_SESSION_OPEN_H

#include <stdbool.h>

#include "module.h"

/* Write the record of a granted session (or audit why it gets none). */
int nbg_session_record_open(struct nbg_ctx *ctx);
/* Remove the record written by open_session in this process. */
int nbg_session_record_close(pam_handle_t *pamh, bool debug);

#endif
