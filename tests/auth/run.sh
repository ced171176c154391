#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/auth/run.sh - the auth phase's PAM-stack tests (test_auth.py), as
# root, with a real auditd receiving the records, in a private mount
# namespace with a tmpfs on /run (session records go to /run/nexusbg), so
# the machine is left as it was found.  Exit 77 when not root.
set -u
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root"
	exit 77
fi
: "${NBG_SRCDIR:?set by meson test}" "${NBG_BUILDDIR:?set by meson test}"
# shellcheck source=../lib/auditd.sh
. "$NBG_SRCDIR/tests/lib/auditd.sh"
auditd_ensure
rc=$?
[ $rc = 0 ] || exit $rc
# shellcheck disable=SC2016
unshare --mount --propagation private -- sh -c \
	'mount -t tmpfs -o mode=0755 nbg-auth-run /run && exec python3 "$1"' \
	sh "$NBG_SRCDIR/tests/auth/test_auth.py"
