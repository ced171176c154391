#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# examples/demo.sh BUILDDIR - nexusbg end to end on this machine, on
# loopback, narrated: an HTTPS control plane with its own CA, a device
# (sshd with the shipped drop-in and PAM stack, pam_nexusbg, nexusbg as
# AuthorizedKeysCommand, a real auditd), operators with FIDO2 keys (a
# software key stands in for their YubiKeys: touch and PIN), the role
# table synced, a reader and a writer logging in, a refused login found
# in the audit log and explained.
#
# Run as root from a clone, after building (README.md):
#
#	examples/demo.sh build
#
# Everything the demo changes lives in private namespaces (tests/e2e/lib.sh:
# mount, PID and UTS namespaces; overlays over /etc, /usr, /var/lib,
# /var/log and /home; fresh /run and /tmp): its users, the installed files
# and the role cache vanish when it ends.  It stops what it started by pid,
# and auditd only if it started it.  Exit status 0 when every step showed
# what it should.
set -u
if [ -z "${NBG_E2E_INNER:-}" ]; then
	if [ $# != 1 ] || [ ! -d "$1" ]; then
		echo "usage: $0 BUILDDIR   (e.g. examples/demo.sh build, after meson compile -C build)" >&2
		exit 2
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "demo.sh: run as root: it starts sshd, auditd and an HTTPS server on loopback" >&2
		exit 2
	fi
	NBG_BUILDDIR=$(cd "$1" && pwd) || exit 2
	NBG_SRCDIR=$(cd "$(dirname "$0")/.." && pwd) || exit 2
	export NBG_BUILDDIR NBG_SRCDIR
	for f in tools/nexusbg tools/nexusbg-admin pam_nexusbg/pam_nexusbg.so \
	    tests/sk-soft/sk-soft.so examples/nexusbg-cli; do
		if [ ! -e "$NBG_BUILDDIR/$f" ]; then
			echo "demo.sh: $NBG_BUILDDIR/$f is missing: meson compile -C $1 first" >&2
			exit 2
		fi
	done
	printf '\nnexusbg demo: break-glass logins to a network device with FIDO2 keys\n'
	printf '(on loopback, in private namespaces: the machine is left as it was)\n\n'
fi
# shellcheck source=../tests/e2e/lib.sh
. "$NBG_SRCDIR/tests/e2e/lib.sh"
# shellcheck disable=SC2034 # (read by lib.sh: no "ok" lines)
E2E_QUIET=1
e2e_enter "$@"

n=0
step() {
	n=$((n + 1))
	printf '\n%d. %s\n' "$n" "$*"
}

say() {
	printf '   %s\n' "$@"
}

# show CMD-AS-TEXT: print a command line the way it is typed
show() {
	printf '   $ %s\n' "$*"
}

# out FILE...: indented output
out() {
	sed 's/^/     /' "$@"
}

die() {
	printf '\ndemo.sh: FAILED: %s\n' "$*" >&2
	exit 1
}

# what the software key asked the operator since line MARK of the askpass
# log: the PIN, and the touch (ssh shows the touch notice again after the
# PIN; once is enough here)
key_prompts() {
	tail -n "+$(($1 + 1))" "$SSHD_ASKPASS_LOG" | awk '
		/^prompt: Enter PIN for / {
			sub(/^prompt: /, ""); sub(/ key \/.*\//, " key "); sub(/: *$/, "")
			pin = "   [key] " $0 ": ******  (the PIN, typed)"
		}
		/^notify: Confirm user presence/ {
			sub(/^notify: /, ""); touch = "   [key] " $0 "  (touched)"
		}
		END { if (pin != "") print pin; if (touch != "") print touch }'
}

# operator USER KEY CMD [AS-TEXT]: ssh to the device as USER with KEY, show
# the command (as AS-TEXT), what the key asked, and what came back
operator() {
	local user=$1 key=$2 cmd=$3 text=${4:-$3} mark
	mark=$(wc -l <"$SSHD_ASKPASS_LOG")
	case $text in
	*"'"*) show "ssh -i $key $user@127.0.0.1 -p $E2E_PORT \"$text\"" ;;
	*) show "ssh -i $key $user@127.0.0.1 -p $E2E_PORT '$text'" ;;
	esac
	e2e_ssh --key "$key" "$user" "$cmd"
	key_prompts "$mark"
	out "$E2E_ERR" "$E2E_OUT"
}

# ---- 1. the device --------------------------------------------------------------
step "The device: packaging/sshd/50-nexusbg.conf.in in /etc/ssh/sshd_config.d,"
say "packaging/pam/sshd as /etc/pam.d/sshd, policy/nexusbg-policy.conf as" \
    "/etc/nexusbg/policy.conf (loopback addresses for this demo), nexusbg in" \
    "/usr/bin with cap_audit_write, nexusbg in nsswitch.conf."
e2e_device
say "The control plane: an HTTPS server on https://127.0.0.1:$E2E_CP_PORT with a CA made" \
    "just now; the device presents its client certificate (mutual TLS)."
show "grep -E '^(fabric|sync_url|sync_client_cert|max_cache_age|fallback|trusted_source)' /etc/nexusbg/policy.conf"
grep -E '^(fabric|sync_url|sync_client_cert|max_cache_age|fallback|trusted_source)' "$E2E_POLICY" |
    sed 's/^/     /'

# ---- 2. keys and roles ------------------------------------------------------------
step "Operators enroll FIDO2 keys (touch + PIN), and the control plane assigns roles:"
show "ssh-keygen -t ed25519-sk -O verify-required -C NexusIdentitySSHKey -f alice"
e2e_key alice ed25519-sk
e2e_key bob ecdsa-sk
e2e_key carol ed25519-sk
e2e_doc_user alice reader alice
e2e_doc_user bob writer bob
e2e_doc_user carol writer carol '"blocked": true'
e2e_doc_publish 1
say "alice  reader  $(cut -d' ' -f1 "$E2E_KEYS/alice.pub")        $(e2e_fp alice)" \
    "bob    writer  $(cut -d' ' -f1 "$E2E_KEYS/bob.pub")  $(e2e_fp bob)" \
    "carol  writer  $(cut -d' ' -f1 "$E2E_KEYS/carol.pub")        blocked by an admin"

# ---- 3. sync ------------------------------------------------------------------------
step "The device fetches the role table (the systemd timer does this every 4 hours):"
show "nexusbg sync"
e2e_sync
out "$E2E_DIR/sync.out"
[ "$RC" = 0 ] || die "nexusbg sync exited $RC"
show "getent passwd alice bob carol      # accounts through libnss_nexusbg"
getent passwd alice bob carol | sed 's/^/     /'
[ "$(getent passwd alice bob carol | wc -l)" = 3 ] || die "the synced accounts do not resolve"
show "nexusbg status"
"$E2E_NEXUSBG" status | sed 's/^/     /'
e2e_sshd_start

# ---- 4. a reader ------------------------------------------------------------------------
step "alice (reader) logs in: sshd asks nexusbg keys for her keys, her key asks"
say "for touch and PIN; the session records her role."
operator alice alice 'nexusbg session show'
if [ "$RC" != 0 ] || [ "$(e2e_field role)" != reader ]; then
	die "alice did not get a reader session"
fi
mark=$(e2e_now)
operator alice alice 'nexusbg session check show; nexusbg session check configure; echo "exit $?"'
e2e_out_has '^denied: capability-denied$' || die "configure was not refused for the reader"
say "The refusal is in the audit log (the kernel adds her audit session id, ses=):"
rec=$(e2e_audit_wait "$mark" USER_CMD 'acct="alice"' reason=capability-denied) ||
    die "no USER_CMD record for alice"
show "ausearch -m USER_CMD -sv no --raw | grep 'acct=\"alice\"'"
printf '%s\n' "$rec" | tail -n 1 | sed 's/^/     /'

# ---- 5. a writer -------------------------------------------------------------------------
step "bob (writer) configures the device through the reference CLI (examples/nexusbg-cli):"
cli=$NBG_BUILDDIR/examples/nexusbg-cli
operator bob bob "printf 'configure\\nhostname leaf-01\\nend\\nshow running-config\\nexit\\n' | $cli" \
    "printf 'configure\\nhostname leaf-01\\nend\\nshow running-config\\nexit\\n' | nexusbg-cli"
grep -q '^hostname leaf-01$' "$E2E_OUT" || die "the writer could not configure"

# ---- 6. a refused login -------------------------------------------------------------------
step "carol is blocked: sshd accepts her key, the account phase refuses her;"
say "she is shown only a reference, the audit record under it says why."
mark=$(e2e_now)
operator carol carol 'nexusbg session show'
if [ "$RC" = 0 ] || [ -z "$E2E_REF" ]; then
	die "carol was not refused with a reference"
fi
show "ausearch -m USER_ACCT --raw | grep ref=$E2E_REF"
rec=$(e2e_audit_wait "$mark" USER_ACCT "ref=$E2E_REF " "op=nexusbg-account") ||
    die "no audit record for $E2E_REF"
printf '%s\n' "$rec" | sed 's/^/     /'
grep -q 'reason=user-blocked ' <<<"$rec" || die "the record does not say user-blocked"
say "The admin asks why, with the same decision function the module uses:"
show "nexusbg explain --user carol --from 127.0.0.1"
"$E2E_NEXUSBG" explain --user carol --from 127.0.0.1 | sed 's/^/     /'

# ---- 7. status -----------------------------------------------------------------------------
step "The device's view of its role table and its last sync:"
show "nexusbg status"
"$E2E_NEXUSBG" status | sed 's/^/     /'

step "Done.  sshd and the control plane are stopped (by pid), and auditd if the demo"
say "started it; the users, the role table and the installed files existed only in" \
    "the demo's namespaces."
echo
exit 0
