#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/test-e2e-demo.sh - the README's demo (examples/demo.sh), twice
# in a row, the way CI runs it: as root, without a terminal (setsid, stdin
# from /dev/null).  Each run must succeed, show every step, stay under a
# minute, and leave the machine as it found it: the same accounts, files,
# mounts, processes and audit settings before and after.
set -u
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root (the demo starts sshd, auditd and an HTTPS server)"
	exit 77
fi
: "${NBG_SRCDIR:?set by meson test}" "${NBG_BUILDDIR:?set by meson test}"
T=$(mktemp -d /tmp/nbg-demo-test.XXXXXX) || exit 1
trap 'rm -rf -- "$T"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() {
	failed=$((failed + 1))
	echo "not ok - $1"
	shift
	[ $# = 0 ] || printf '%s\n' "$@" | sed 's/^/#   /' | head -n 60
}

# What a run could leave behind, as text (ours: our own temp dir is left out).
snapshot() {
	local f
	for f in /etc/passwd /etc/group /etc/shadow /etc/gshadow /etc/nsswitch.conf \
	    /etc/pam.d/sshd /etc/ld.so.cache; do
		[ -e "$f" ] && sha256sum "$f"
	done
	ls -la /etc/ssh/sshd_config.d /home /var/lib/extrausers 2>&1
	for f in /etc/nexusbg /usr/bin/nexusbg /usr/bin/nexusbg-cli /var/lib/nexusbg \
	    /run/nexusbg /var/log/wtmp /var/log/lastlog /var/log/btmp; do
		if [ -e "$f" ]; then stat -c '%n %s %Y' "$f"; else echo "$f absent"; fi
	done
	find /usr/lib /lib -name pam_nexusbg.so 2>/dev/null
	for f in /run/nbg* /run/ssh-* /run/tmux-* /run/sshd /run/nexusbg /tmp/nbg* /tmp/ssh-* \
	    /tmp/tmux-*; do
		[ -e "$f" ] && [ "$f" != "$T" ] && echo "$f"
	done
	getent passwd alice bob carol nexusbg
	findmnt -rn -o TARGET,FSTYPE | grep -v '^/proc/' | sort
	ps -eo pid=,comm=,args= | awk '$2 ~ /^(sshd|auditd|ssh-agent|tmux)/ ||
	    $0 ~ /tests\/sync\/server\.py/ { print $1, $2 }'
	auditctl -s 2>/dev/null | grep -E '^(enabled|pid) '
}

snapshot >"$T/before"
for run in 1 2; do
	start=$(date +%s)
	setsid -w "$NBG_SRCDIR/examples/demo.sh" "$NBG_BUILDDIR" </dev/null >"$T/out.$run" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	if [ "$rc" = 0 ]; then
		ok "run $run: examples/demo.sh without a terminal exits 0 (${secs}s)"
	else
		not_ok "run $run: examples/demo.sh without a terminal exits 0 (exit $rc)" \
		    "$(tail -n 80 "$T/out.$run")"
	fi
	if [ "$secs" -lt 60 ]; then ok "run $run: under a minute"
	else not_ok "run $run: under a minute (${secs}s)"; fi
	for want in '^   \$ nexusbg sync$' '^     updated: fabric fab-example-01 serial 1' \
	    '^     alice:x:6[0-9]*:' 'Enter PIN for ED25519-SK key alice' \
	    'Confirm user presence for key' '^     role: +reader$' \
	    '^     denied: capability-denied$' 'type=USER_CMD .*reason=capability-denied' \
	    '^     hostname leaf-01$' 'access denied \(reference NBG-[0-9A-F]{10}\)' \
	    'type=USER_ACCT .*op=nexusbg-account reason=user-blocked .*res=failed' \
	    '^     reason: +user-blocked' '^     confirmed at: ' '^[0-9]+\. Done\.'; do
		if grep -Eq -- "$want" "$T/out.$run"; then ok "run $run: shows /$want/"
		else not_ok "run $run: shows /$want/"; fi
	done
	snapshot >"$T/after"
	if cmp -s "$T/before" "$T/after"; then
		ok "run $run: the machine is as it was (accounts, files, mounts, processes, audit)"
	else
		not_ok "run $run: the machine is as it was" "$(diff "$T/before" "$T/after")"
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
