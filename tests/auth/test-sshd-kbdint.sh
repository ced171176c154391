#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/auth/test-sshd-kbdint.sh - the auth phase as a second factor in a
# real sshd: publickey with a FIDO2 key (software key, tests/sk-soft), then
# keyboard-interactive through PAM (packaging/pam/sshd-kbdint), where the
# real ssh client shows the challenge to an askpass program that signs it
# with ssh-keygen -Y sign and answers with the one line.  Checks the login,
# the session's role, sshd's log and the audit records; then a second
# factor without PIN and a replayed second factor, both refused.
#
# Root; a real auditd (tests/lib/auditd.sh); sshd in a private mount
# namespace with its own /etc/pam.d (tests/lib/sshd.sh); the whole test in
# a private mount namespace with a tmpfs on /run, so session records and
# /run/sshd never touch the machine.  Exit 77 when not root.
set -u
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root"
	exit 77
fi
: "${NBG_SRCDIR:?set by meson test}" "${NBG_BUILDDIR:?set by meson test}"
: "${SK_SOFT_PROVIDER:=$NBG_BUILDDIR/tests/sk-soft/sk-soft.so}"
export SK_SOFT_PROVIDER

if [ -z "${NBG_KBDINT_INNER:-}" ]; then
	# shellcheck source=../lib/auditd.sh
	. "$NBG_SRCDIR/tests/lib/auditd.sh"
	auditd_ensure
	rc=$?
	[ $rc = 0 ] || exit $rc
	# shellcheck disable=SC2016
	NBG_KBDINT_INNER=1 unshare --mount --propagation private -- sh -c \
	    'mount -t tmpfs -o mode=0755 nbg-kbdint-run /run && exec bash "$1"' sh "$0"
	exit $?
fi

# ---- inside the private mount namespace --------------------------------------
# shellcheck source=../lib/sshd.sh
. "$NBG_SRCDIR/tests/lib/sshd.sh"
: "${NBG_AUDIT_LOG:?exported by auditd_ensure in the outer script}"

NEXUSBG=$NBG_BUILDDIR/tools/nexusbg
MODULE=$NBG_BUILDDIR/pam_nexusbg/pam_nexusbg.so
PIN=135790

# In a sanitizer build the module and the key are ASan-instrumented: sshd,
# ssh and ssh-keygen, which are not, must load the ASan runtime first (their
# own leaks are not this test's business).
pre=(env)
if nm -D --undefined-only "$MODULE" | grep -q ' __asan_'; then
	asan_rt=$(ldd "$MODULE" | awk '/libasan\.so/ { print $3 }')
	[ -f "$asan_rt" ] || { echo "FAIL: $MODULE needs an ASan runtime"; exit 1; }
	pre=(env LD_PRELOAD="$asan_rt" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")
fi
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }

sshd_lib_init
D=$SSHD_LIB_DIR/nbg
mkdir -m 0755 "$D" "$D/cache" "$D/sk-state"
sshd_user_add U

# the operator's key
SSH_SK_PROVIDER=$SK_SOFT_PROVIDER SK_SOFT_QUIET=1 SK_SOFT_PIN=$PIN \
    sshd_noterm --pin "$PIN" "${pre[@]}" ssh-keygen -q -t ecdsa-sk -w "$SK_SOFT_PROVIDER" -N '' \
    -O verify-required -C NexusIdentitySSHKey -f "$D/key" || sshd_fail "ssh-keygen enroll"
sshd_user_authorize "$U" "verify-required $(cut -d' ' -f1,2 "$D/key.pub")"

# policy, role table, the PAM stack of packaging/pam/sshd-kbdint
cat >"$D/policy.conf" <<EOF
fabric fab-test-01
role_table $D/cache/roles.db
max_cache_age 1d
role reader show
role writer show configure
unknown_users deny
trusted_source default 127.0.0.0/8
auth_state_dir $D/auth
auth_challenge_ttl 1m
EOF
chmod 0644 "$D/policy.conf"
cat >"$D/roles.json" <<EOF
{"format_version": 1, "fabric": "fab-test-01", "serial": 1,
 "generated_at": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
 "users": [{"login": "$U", "role": "writer", "keys": ["$(cut -d' ' -f1,2 "$D/key.pub")"]}]}
EOF
"$NEXUSBG" sync --policy "$D/policy.conf" --file "$D/roles.json" --quiet
rc=$?
[ $rc = 0 ] || [ $rc = 3 ] || sshd_fail "nexusbg sync --file: exit $rc"
cp -a /etc/pam.d "$D/pam.d"
sed "s|pam_nexusbg.so|$MODULE policy=$D/policy.conf|" \
    "$NBG_SRCDIR/packaging/pam/sshd-kbdint" >"$D/pam.d/sshd"

# The operator's askpass: a PIN for the key, touch notices acknowledged, and
# for the keyboard-interactive prompt (which carries the challenge) the one
# line `ssh-keygen -Y sign ... | tr '\n' ' '` prints.  $D/mode picks a
# misbehaviour: nopin (UV clear), replay (the signature in $D/replay-sig).
cat >"$D/askpass" <<EOF
#!/bin/sh
case "\${SSH_ASKPASS_PROMPT:-}" in none) exit 0 ;; confirm) exit 1 ;; esac
case "\$1" in
*nexusbg-auth-v1*)
	chal=\$(printf '%s\n' "\$1" | sed -n "s/.*printf '%s' '\\([^']*\\)'.*/\\1/p" | head -n 1)
	mode=\$(cat '$D/mode' 2>/dev/null)
	if [ "\$mode" = replay ]; then cat '$D/replay-sig'; exit 0; fi
	[ "\$mode" = nopin ] && export SK_SOFT_FORCE_UV=0
	printf '%s' "\$chal" | SSH_SK_PROVIDER='$SK_SOFT_PROVIDER' SK_SOFT_QUIET=1 \\
	    SK_SOFT_PIN='$PIN' SK_SOFT_STATE_DIR='$D/sk-state' ${pre[*]} \\
	    ssh-keygen -Y sign -n nexusbg -f '$D/key' 2>>'$D/askpass.log' |
	    tr '\n' ' ' | tee '$D/last-sig'
	echo ;;
*) echo '$PIN' ;;
esac
EOF
chmod 0755 "$D/askpass"
sshd_show_on_failure "$D/askpass.log"

# sshd re-executes itself by this path for each connection
printf '#!/bin/sh\nexec %s /usr/sbin/sshd "$@"\n' "${pre[*]}" >"$D/sshd"
chmod 0755 "$D/sshd"
SSHD_BIN=$D/sshd
sshd_start --pam-dir "$D/pam.d" --pubkey-auth-options verify-required \
    --config "KbdInteractiveAuthentication yes" \
    --config "AuthenticationMethods publickey,keyboard-interactive:pam"

login() {
	SK_SOFT_QUIET=1 SK_SOFT_PIN=$PIN SK_SOFT_STATE_DIR=$D/sk-state \
	    SSH_ASKPASS=$D/askpass SSH_ASKPASS_REQUIRE=force setsid -w \
	    "${pre[@]}" ssh -F /dev/null -n -v -E "$D/client.log" -p "$SSHD_PORT" \
	    -o UserKnownHostsFile="$SSHD_KNOWN_HOSTS" -o GlobalKnownHostsFile=/dev/null \
	    -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o IdentityAgent=none \
	    -o IdentityFile="$D/key" -o SecurityKeyProvider="$SK_SOFT_PROVIDER" \
	    -o PreferredAuthentications=publickey,keyboard-interactive \
	    -o KbdInteractiveAuthentication=yes -o PasswordAuthentication=no \
	    -o NumberOfPasswordPrompts=1 -o ConnectTimeout=10 \
	    -l "$U" 127.0.0.1 -- "id -un; $NEXUSBG session check configure; echo rc=\$?" \
	    </dev/null >"$D/out" 2>>"$D/client.log"
}
sshd_show_on_failure "$D/client.log" "$D/out"

# audited: wait for a record of the user with op=nexusbg-auth and FIELDS
audited() {
	local want=$1 i out
	for ((i = 0; i < 50; i++)); do
		out=$(ausearch -if "$NBG_AUDIT_LOG" -m USER_AUTH --raw 2>/dev/null |
		    grep -F "op=nexusbg-auth" | grep -F "acct=\"$U\"" | grep -F -- "$want")
		[ -n "$out" ] && return 0
		sleep 0.1
	done
	return 1
}

# 1. touch and PIN for both signatures: logged in, the session holds its role
: >"$D/mode"
mark=$(sshd_log_mark)
login
rc=$?
check "publickey + keyboard-interactive: ssh exits 0" [ $rc = 0 ]
check "the command ran as the user" grep -qx "$U" "$D/out"
check "writer may configure in the session" grep -qx "rc=0" "$D/out"
check "sshd accepted the publickey as the first of two methods" \
    sshd_log_wait "$mark" "Partial publickey for $U"
check "sshd accepted keyboard-interactive/pam" \
    sshd_log_wait "$mark" "Accepted keyboard-interactive/pam for $U"
check "the askpass answered the challenge in the prompt" grep -q "BEGIN SSH SIGNATURE" "$D/last-sig"
cp "$D/last-sig" "$D/replay-sig"
check "audited: op=nexusbg-auth res=success" audited "res=success"

# 2. the second factor without PIN: refused, audited with the reason
echo nopin >"$D/mode"
mark=$(sshd_log_mark)
login
check "second factor without PIN: login refused" [ $? != 0 ]
check "sshd: keyboard-interactive/pam failed" \
    sshd_log_wait "$mark" "Failed keyboard-interactive/pam for $U"
check "audited: reason=user-verification-missing" audited "reason=user-verification-missing"

# 3. the second factor of login 1 again: refused as a replay
echo replay >"$D/mode"
login
check "replayed second factor: login refused" [ $? != 0 ]
check "audited: reason=challenge-replayed" audited "reason=challenge-replayed"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
