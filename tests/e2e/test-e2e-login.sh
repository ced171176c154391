#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/test-e2e-login.sh - operators log in to the device with their
# FIDO2 key, and the ways a login is refused:
#
#   1. a reader logs in with touch + PIN; configure is refused inside the
#      session (audited USER_CMD), show is allowed
#   2. a writer logs in; configure is allowed
#   3. a signature without user verification (no PIN: a key enrolled
#      without verify-required; a key that reports UV clear) or without
#      user presence (no touch) is refused by sshd
#   4. an sk key registered to nobody, and another user's registered key,
#      are refused by sshd (`nexusbg keys` does not publish them)
#   5. a plain ssh-ed25519 key in ~/.ssh/authorized_keys: sshd accepts it,
#      the module refuses the session (not-fido2-key, USER_AUTH); a local
#      account that is not in the role table is refused (unknown-user)
#   6. an unknown user; a blocked user; an expired assignment; a user
#      removed by a sync while the key is still on the operator's disk
#
# Each case checks the login's outcome, the audit record (by the reference
# the operator is shown, or sshd's own record) and, for a granted login,
# what `nexusbg session` says inside the session.  See lib.sh for the
# device and its isolation.
. "$NBG_SRCDIR/tests/e2e/lib.sh"
e2e_enter "$@"
e2e_device

# ---- the control plane's users ---------------------------------------------
e2e_key alice ed25519-sk
e2e_key bob ecdsa-sk
e2e_key carol ed25519-sk
e2e_key dave ecdsa-sk
e2e_key erin ed25519-sk
e2e_key --no-verify-required frank ed25519-sk
e2e_key stranger ed25519-sk
e2e_key plain ed25519
e2e_key localop ecdsa-sk
e2e_doc_user alice reader alice
e2e_doc_user bob writer bob
e2e_doc_user carol reader carol '"blocked": true'
e2e_doc_user dave writer dave "\"not_before\": \"$(e2e_iso -2592000)\", \"not_after\": \"$(e2e_iso -86400)\""
e2e_doc_user erin writer erin
e2e_doc_user frank reader frank
e2e_doc_publish 1
e2e_sync
check "nexusbg sync fetches the role table over mutual TLS (exit 0)" [ "$RC" = 0 ]
check "the control plane saw the device's client certificate" \
    grep -q '"client_cert": "commonName=device-01.fab-test-01"' "$E2E_DIR/cp/server.log"
uid=$(getent passwd alice | cut -d: -f3)
check "alice resolves through libnss_nexusbg, uid $uid in the managed range" \
    [ -n "$uid" ] && [ "$uid" -ge 61000 ] && [ "$uid" -le 61999 ]
check "... from the accounts database alone" \
    [ "$(getent -s nexusbg passwd alice | cut -d: -f3)" = "$uid" ]
check "... and is not a local account" e2e_lacks "alice:" /etc/passwd
keys_as_nexusbg() {
	setpriv --reuid=nexusbg --regid=nogroup --clear-groups "$E2E_NEXUSBG" keys "$1"
}
check "nexusbg keys (as sshd runs it) publishes alice's key with verify-required" \
    grep -q "^verify-required sk-ssh-ed25519@openssh.com $(cut -d' ' -f2 "$E2E_KEYS/alice.pub") " \
    <(keys_as_nexusbg alice)
e2e_sshd_start

# ---- 1. reader -------------------------------------------------------------------
touches() {
	grep -c '^notify: Confirm user presence for key' "$SSHD_ASKPASS_LOG"
}
asked=$(sshd_askpass_count)
touched=$(touches)
if expect_granted "reader" alice reader --key alice; then
	check "reader: the key asked for the PIN" [ "$(sshd_askpass_count)" -gt "$asked" ]
	check "reader: ... and for a touch" [ "$(touches)" -gt "$touched" ]
	check "reader: the session names alice's key" [ "$(e2e_field key)" = "$(e2e_fp alice)" ]
	check "reader: the source and access path" \
	    [ "$(e2e_field remote)/$(e2e_field 'access path')" = 127.0.0.1/default ]
	check "reader: pam_mkhomedir made the home directory" \
	    [ "$(stat -c '%U %a' /home/alice 2>/dev/null)" = "alice 700" ]
	rec_gone() {
		local i
		for ((i = 0; i < 50; i++)); do
			grep -rlq "ref=$E2E_SREF" /run/nexusbg/sessions 2>/dev/null || return 0
			sleep 0.1
		done
		return 1
	}
	check "reader: the session record is removed at logout" rec_gone
	check "reader: ausearch -m USER_CMD -sv no lists the refused configure" \
	    grep -qF "ref=$E2E_SREF" <(audit_search -m USER_CMD -sv no -i 2>/dev/null)
fi

# ---- 2. writer --------------------------------------------------------------------
if expect_granted "writer" bob writer --key bob; then
	check "writer: the session names bob's ecdsa-sk key" [ "$(e2e_field key)" = "$(e2e_fp bob)" ]
fi

# ---- 3. no user verification, no user presence ----------------------------------
expect_refused_by_sshd "no PIN (key enrolled without verify-required)" frank \
    "signature for frank from .* rejected: user verification requirement not met" \
    --key frank --no-pin
expect_refused_by_sshd "UV flag clear (SK_SOFT_FORCE_UV=0)" alice \
    "signature for alice from .* rejected: user verification requirement not met" \
    --key alice --env SK_SOFT_FORCE_UV=0
expect_refused_by_sshd "no touch (SK_SOFT_NO_UP=1)" alice \
    "signature for alice from .* rejected: user presence \(authenticator touch\) requirement not met" \
    --key alice --env SK_SOFT_NO_UP=1
# only the missing UV flag was refused: an authenticator that verifies the
# user itself (fingerprint) signs frank's key with UV set
expect_granted "frank's key on an authenticator with built-in UV" frank reader --key frank \
    --no-pin --env SK_SOFT_FORCE_UV=1

# ---- 4. keys not registered to the user ------------------------------------------
expect_refused_by_sshd "an sk key registered to nobody" alice \
    "Failed publickey for alice|Connection closed by authenticating user alice" --key stranger
check "... nexusbg keys alice does not list it" \
    e2e_lacks "$(cut -d' ' -f2 "$E2E_KEYS/stranger.pub")" <(keys_as_nexusbg alice)
expect_refused_by_sshd "bob's registered key for alice" alice \
    "Failed publickey for alice|Connection closed by authenticating user alice" --key bob

# ---- 5. a plain key sshd accepts from ~/.ssh/authorized_keys --------------------------
useradd --create-home --shell /bin/sh --password '*' localop || sshd_fail "useradd localop"
e2e_user_authorized_keys() {	# USER KEYNAME
	local home group
	home=$(getent passwd "$1" | cut -d: -f6)
	group=$(id -gn "$1")
	install -d -m 0700 -o "$1" -g "$group" "$home" "$home/.ssh" &&
	    install -m 0600 -o "$1" -g "$group" "$E2E_KEYS/$2.pub" "$home/.ssh/authorized_keys"
}
e2e_user_authorized_keys alice plain
e2e_user_authorized_keys localop localop
e2e_sshd_restart --head "AuthorizedKeysFile .ssh/authorized_keys" \
    --head "PubkeyAcceptedAlgorithms sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,ssh-ed25519"
mark=$(e2e_now)
lmark=$(e2e_log_mark)
e2e_ssh --key plain alice "$E2E_PROBE"
check "plain key: sshd accepts alice's ssh-ed25519 key from authorized_keys" \
    e2e_log_wait "$lmark" "Accepted publickey for alice from .* ED25519 $(e2e_re "$(e2e_fp plain)")"
check "plain key: the session is refused (sshd: pam_open_session failed)" \
    e2e_log_wait "$lmark" "PAM: pam_open_session\(\): "
check "plain key: nothing ran in it (ssh exit $RC, no session record)" \
    eval '[ "$RC" != 0 ] && ! e2e_out_has "^user:"'
check "plain key: the operator is shown a reference ($E2E_REF)" [ -n "$E2E_REF" ]
expect_audit "plain key: audited USER_AUTH reason=not-fido2-key with its fingerprint" \
    "$mark" USER_AUTH "op=nexusbg-session-open " "reason=not-fido2-key " \
    "nbg_fp=$(e2e_fp plain) " "ref=$E2E_REF " 'acct="alice"' "res=failed"
expect_granted "alice's FIDO2 key still works next to it" alice reader --key alice
expect_refused_account "a local account with a key but no role (unknown user)" localop \
    unknown-user --key localop
e2e_sshd_restart

# ---- 6. unknown, blocked, expired, removed -----------------------------------------------
expect_refused_by_sshd "a name the device does not know" zoe "Invalid user zoe from 127\.0\.0\.1" \
    --key alice
expect_refused_account "blocked user" carol user-blocked --key carol
expect_refused_account "expired assignment" dave assignment-expired --key dave
check "expired: nexusbg explain names the validity window" \
    grep -q '^reason: *assignment-expired' <("$E2E_NEXUSBG" explain --user dave --from 127.0.0.1)
check "ausearch -sv no -i lists the blocked user's denial" \
    grep -q 'reason=user-blocked' <(audit_search -m USER_ACCT -sv no -i 2>/dev/null)

expect_granted "erin before her removal" erin writer --key erin
e2e_doc_reset
e2e_doc_user alice reader alice
e2e_doc_user bob writer bob
e2e_doc_user carol reader carol '"blocked": true'
e2e_doc_publish 2
e2e_sync --now
check "a new document without erin syncs (exit 0)" [ "$RC" = 0 ]
check "erin no longer resolves" eval '! getent passwd erin >/dev/null'
keys_none() {
	local out rc
	out=$(keys_as_nexusbg "$1")
	rc=$?
	[ -z "$out" ] && [ "$rc" = 1 ]
}
check "nexusbg keys erin prints nothing (exit 1)" keys_none erin
check "her key is still on her disk" [ -s "$E2E_KEYS/erin" ]
expect_refused_by_sshd "erin after the sync removed her" erin "Invalid user erin from 127\.0\.0\.1" \
    --key erin
expect_granted "alice after the same sync" alice reader --key alice

e2e_finish
