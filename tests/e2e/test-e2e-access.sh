#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/test-e2e-access.sh - where operators log in from:
#
#   7. trusted and untrusted sources.  The device's sshd listens on
#      127.0.0.1 (the management port: access path "default", trusted
#      sources 127.0.0.1 and 127.0.0.2 and ::1) and on 127.0.0.10 (the
#      in-band loopback: access path "inband", trusted source 127.0.0.3);
#      the operator's ssh binds 127.0.0.2 or 127.0.0.3 (BindAddress).
#   8. through a jump host, as the break-glass guide says: ssh -J via a
#      second, plain sshd on loopback; and agent forwarding: an ssh-agent
#      holding the FIDO2 key, ssh -A to the jump host, ssh onward from
#      there.  OpenSSH's ssh-agent cannot ask for a PIN (9.2 signs FIDO
#      keys with no PIN), so a PIN-only authenticator cannot log in that
#      way; one that verifies the user itself (fingerprint) can.
. "$NBG_SRCDIR/tests/e2e/lib.sh"
e2e_enter "$@"
e2e_device
e2e_key alice ed25519-sk
e2e_key bob ecdsa-sk
e2e_doc_user alice reader alice
e2e_doc_user bob writer bob
e2e_doc_publish 1
e2e_sync
[ "$RC" = 0 ] || sshd_fail "nexusbg sync: $(cat "$E2E_DIR/sync.out")"
e2e_sshd_start

# ---- 7. sources and access paths -----------------------------------------------
if expect_granted "trusted source 127.0.0.2" alice reader --key alice --from 127.0.0.2; then
	check "... the session records the source and the access path" \
	    [ "$(e2e_field remote)/$(e2e_field 'access path')" = 127.0.0.2/default ]
fi
mark=$(e2e_now)
expect_refused_account "untrusted source 127.0.0.3" alice source-not-trusted --key alice \
    --from 127.0.0.3
expect_audit "untrusted source: the record names the address" "$mark" USER_ACCT \
    "reason=source-not-trusted " "ref=$E2E_REF " "addr=127.0.0.3 "
check "untrusted source: nexusbg explain gives the same verdict" \
    grep -q '^reason: *source-not-trusted' <("$E2E_NEXUSBG" explain --user alice --from 127.0.0.3 --to 127.0.0.1)

if expect_granted "in-band path: 127.0.0.3 to the in-band loopback" bob writer --key bob \
    --from 127.0.0.3 --to "$E2E_INBAND_ADDR"; then
	check "... the session is on access path inband from 127.0.0.3" \
	    [ "$(e2e_field remote)/$(e2e_field 'access path')" = 127.0.0.3/inband ]
fi
expect_refused_account "in-band path: 127.0.0.2 is trusted only on the default path" bob \
    source-not-trusted --key bob --from 127.0.0.2 --to "$E2E_INBAND_ADDR"

if sshd_have_ipv6; then
	if expect_granted "IPv6: ::1 is trusted" alice reader --key alice --to ::1; then
		check "... the session records ::1" [ "$(e2e_field remote)" = ::1 ]
	fi
else
	e2e_say "no ::1 on this machine: the IPv6 source is not tried"
fi

# ---- 8. through the jump host --------------------------------------------------------
e2e_jump_start
asked=$(sshd_askpass_count)
jmark=$(stat -c %s "$E2E_JUMP_LOG")
if expect_granted "ssh -J through the jump host" alice reader --key alice --jump; then
	check "ssh -J: the device sees the jump host as the source" [ "$(e2e_field remote)" = 127.0.0.1 ]
	check "ssh -J: the PIN was asked on the operator's machine" \
	    [ "$(sshd_askpass_count)" -gt "$asked" ]
	check "ssh -J: the jump host authenticated the jump user with a plain key" \
	    grep -q "Accepted publickey for $E2E_JUMP_USER from 127.0.0.1 .* ED25519 " \
	    <(tail -c "+$((jmark + 1))" "$E2E_JUMP_LOG")
	check "ssh -J: ... and forwarded the connection to the device" \
	    grep -qE "server_request_direct_tcpip: .* target 127\.0\.0\.1 port $E2E_PORT([^0-9]|$)" \
	    <(tail -c "+$((jmark + 1))" "$E2E_JUMP_LOG")
fi
expect_granted "ssh -J: a writer" bob writer --key bob --jump
expect_refused_by_sshd "ssh -J: no touch is refused by the device's sshd" alice \
    "rejected: user presence \(authenticator touch\) requirement not met" \
    --key alice --jump --env SK_SOFT_NO_UP=1

# agent forwarding, a PIN-only authenticator: the agent cannot ask for the PIN
e2e_agent_start
if e2e_agent_add alice; then ok "ssh-add -S loads alice's key into the agent"
else not_ok "ssh-add -S loads alice's key into the agent" "$(cat "$E2E_DIR/ssh-add.log")"; fi
mark=$(e2e_now)
lmark=$(e2e_log_mark)
skmark=$(stat -c %s "$E2E_DIR/sk-soft.log")
e2e_ssh_agent_hop alice "$E2E_PROBE"
check "agent forwarding, PIN-only key: the login from the jump host fails" \
    eval '[ "$RC" != 0 ] && ! e2e_out_has "^user:"'
sk_since() {
	tail -c "+$((skmark + 1))" "$E2E_DIR/sk-soft.log"
}
check "... because the agent asks the key to sign without the PIN (PIN_REQUIRED)" \
    grep -q 'sk_sign alg=ed25519 .* pin=none .*PIN_REQUIRED' <(sk_since)
check "... and never with one" eval '! grep -q "pin=given" <(sk_since)'
check "... the device's sshd accepted no signature" e2e_log_lacks "$lmark" "Accepted publickey for alice "
expect_no_audit "... and the module saw no login" "$mark" USER_ACCT,USER_START 'acct="alice"' "op=nexusbg-"

# agent forwarding, an authenticator with built-in user verification
e2e_agent_start SK_SOFT_FORCE_UV=1
e2e_agent_add alice || not_ok "ssh-add into the second agent" "$(cat "$E2E_DIR/ssh-add.log")"
mark=$(e2e_now)
e2e_ssh_agent_hop alice "$E2E_PROBE"
E2E_SREF=$(e2e_session_ref)
if [ "$RC" = 0 ] && [ "$(e2e_field role)" = reader ] && [ -n "$E2E_SREF" ]; then
	ok "agent forwarding, built-in UV: alice logs in to the device from the jump host as reader"
else
	not_ok "agent forwarding, built-in UV: alice logs in to the device from the jump host" \
	    "$(cat "$E2E_OUT" "$E2E_ERR")"
fi
check "... with her FIDO2 key, from the jump host's address" \
    [ "$(e2e_field key)/$(e2e_field remote)" = "$(e2e_fp alice)/127.0.0.1" ]
check "... configure refused inside" e2e_out_has '^denied: capability-denied$'
expect_audit "... the session is audited (USER_START granted)" "$mark" USER_START \
    "op=nexusbg-session-open " "reason=granted " "ref=$E2E_SREF " 'acct="alice"'
e2e_agent_stop

e2e_finish
