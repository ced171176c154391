#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/test-e2e-fallback.sh - when Method D v2.0 is unavailable.
#
#  10. The Method D v1.5 shared accounts of the shipped policy (telcoro
#      reader, telcorw writer): local accounts with a password, password
#      logins allowed for them only (sshd Match block), pam_unix in the
#      auth stack (common-auth).  Refused with `fallback never`; refused
#      with `auto` while the role table is fresh; granted with `auto` once
#      the table is missing or past max_cache_age; granted with `always`.
#      Each decision is audited with fallback=yes.
#  11. The control plane is down for longer than the timer's period: the
#      last sync was 5 hours ago, the server is stopped, the timer's sync
#      fails and keeps the cache byte for byte; logins keep working from
#      it until max_cache_age.  Past it, the policy decides: stale_cache
#      deny refuses role-table users (cache-stale), and with fallback
#      never nobody gets in; stale_cache fallback lets the shared accounts
#      in; stale_cache warn lets role-table users in with an audited
#      warning.  When the control plane is back, a sync confirms the table
#      and everything is as before.
. "$NBG_SRCDIR/tests/e2e/lib.sh"
e2e_enter "$@"
e2e_device
e2e_key alice ed25519-sk
e2e_doc_user alice reader alice
e2e_doc_publish 7
e2e_sync
[ "$RC" = 0 ] || sshd_fail "nexusbg sync: $(cat "$E2E_DIR/sync.out")"

RO_PW='Tel-RO-v1.5'
RW_PW='Tel-RW-v1.5'
for u in telcoro telcorw; do
	useradd --create-home --shell /bin/bash "$u" || sshd_fail "useradd $u"
done
printf 'telcoro:%s\ntelcorw:%s\n' "$RO_PW" "$RW_PW" | chpasswd || sshd_fail "chpasswd"
e2e_sshd_start --tail "Match User telcoro,telcorw" --tail "	PasswordAuthentication yes"

# expect_fallback_granted NAME USER PASSWORD ROLE
expect_fallback_granted() {
	local name=$1 user=$2 pw=$3 role=$4 mark
	mark=$(e2e_now)
	e2e_ssh --password "$pw" -o BatchMode=no "$user" "$E2E_PROBE"
	E2E_SREF=$(e2e_session_ref)
	if [ "$RC" != 0 ] || [ "$(e2e_field role)" != "$role" ] || [ -z "$E2E_SREF" ]; then
		not_ok "$name: $user logs in with the password as $role (ssh exit $RC)" \
		    "$(cat "$E2E_OUT" "$E2E_ERR")"
		return 1
	fi
	ok "$name: $user logs in with the password; the session says $role"
	check "$name: the session is a Method D v1.5 fallback without a key" \
	    [ "$(e2e_field fallback)/$(e2e_field key)" = "yes (Method D v1.5 account)/-" ]
	if [ "$role" = writer ]; then
		check "$name: configure is allowed" e2e_out_has '^configure=0$'
	else
		check "$name: configure is refused" e2e_out_has '^configure=1$'
	fi
	expect_audit "$name: the grant is audited (USER_ACCT res=success fallback=yes)" "$mark" \
	    USER_ACCT "op=nexusbg-account " "reason=granted " "nbg_role=$role " "fallback=yes " \
	    "$(e2e_acct "$user")" "res=success"
	expect_audit "$name: the session is audited (USER_START fallback=yes, ref $E2E_SREF)" \
	    "$mark" USER_START "op=nexusbg-session-open " "reason=granted " "fallback=yes " \
	    "ref=$E2E_SREF " "res=success"
}

# expect_fallback_refused NAME USER PASSWORD
expect_fallback_refused() {
	local name=$1 user=$2 pw=$3 mark lmark
	mark=$(e2e_now)
	lmark=$(e2e_log_mark)
	e2e_ssh --password "$pw" -o BatchMode=no "$user" "$E2E_PROBE"
	if [ "$RC" = 0 ] || e2e_out_has '^user:' || [ -z "$E2E_REF" ]; then
		not_ok "$name: $user is refused with a reference (ssh exit $RC)" \
		    "$(cat "$E2E_OUT" "$E2E_ERR")"
		return 1
	fi
	ok "$name: $user is refused and shown reference $E2E_REF"
	check "$name: sshd accepted the password (pam_unix), the account phase refused" \
	    e2e_log_wait "$lmark" "Access denied for user $user by PAM account configuration"
	expect_audit "$name: audited USER_ACCT reason=fallback-inactive fallback=yes" "$mark" \
	    USER_ACCT "op=nexusbg-account " "reason=fallback-inactive " "fallback=yes " \
	    "ref=$E2E_REF " "$(e2e_acct "$user")" "res=failed"
}

# e2e_age SECONDS: the control plane last confirmed the table SECONDS ago
# (the cache's mtime, and the state file's times, as if the last
# successful sync ran then).
e2e_age() {
	local when
	when=$(date -d "@$(($(date +%s) - $1))" '+%Y-%m-%d %H:%M:%S')
	touch -d "$when" "$E2E_CACHE" || sshd_fail "touch $E2E_CACHE"
	python3 - /var/lib/nexusbg/sync-state.json "$1" <<-'EOF' || sshd_fail "cannot age the sync state"
	import json, os, sys, time
	path, age = sys.argv[1], int(sys.argv[2])
	st = json.load(open(path))
	t = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - age))
	st["last_attempt"] = st["last_success"] = t
	with open(path + ".new", "w") as f:
	    json.dump(st, f, indent=2)
	os.chmod(path + ".new", 0o644)
	os.rename(path + ".new", path)
	EOF
}

status_rc() {
	"$E2E_NEXUSBG" status >"$E2E_DIR/status.out" 2>&1
	echo $?
}

# ---- 10. Method D v1.5 fallback accounts --------------------------------------
e2e_policy_set fallback "fallback never"
expect_fallback_refused "fallback never, fresh table" telcoro "$RO_PW"
e2e_policy_set fallback "fallback auto"
expect_fallback_refused "fallback auto, fresh table" telcorw "$RW_PW"
check "fallback auto, fresh table: nexusbg explain agrees" \
    grep -q '^reason: *fallback-inactive' <("$E2E_NEXUSBG" explain --user telcorw --from 127.0.0.1)

mv "$E2E_CACHE" "$E2E_CACHE.away"
expect_fallback_granted "fallback auto, no role table" telcoro "$RO_PW" reader
expect_refused_by_sshd "no role table: alice (nexusbg keys publishes nothing)" alice \
    "Connection closed by authenticating user alice|Failed publickey for alice" --key alice
mv "$E2E_CACHE.away" "$E2E_CACHE"

e2e_age $((8 * 86400))
expect_fallback_granted "fallback auto, table past max_cache_age (8 days)" telcorw "$RW_PW" writer
expect_refused_account "table past max_cache_age: alice" alice cache-stale --key alice
e2e_age 0

e2e_policy_set fallback "fallback always"
expect_fallback_granted "fallback always, fresh table" telcoro "$RO_PW" reader
expect_granted "fallback always: alice too" alice reader --key alice
lmark=$(e2e_log_mark)
mark=$(e2e_now)
e2e_ssh --password "wrong-$RO_PW" -o BatchMode=no telcoro "$E2E_PROBE"
check "fallback always, wrong password: refused" eval '[ "$RC" = 255 ] && ! e2e_out_has "^user:"'
check "... by pam_unix (sshd: Failed password)" e2e_log_wait "$lmark" "Failed password for telcoro "
expect_no_audit "... before the account phase" "$mark" USER_ACCT "op=nexusbg-account " 'acct="telcoro"'
e2e_policy_set fallback "fallback auto"

# ---- 11. the control plane is down ------------------------------------------------
expect_granted "control plane up: alice" alice reader --key alice
e2e_age $((5 * 3600))
check "5 hours after the last sync: nexusbg status says usable (exit 0)" \
    eval '[ "$(status_rc)" = 0 ] && grep -q "(5h 0m ago; limit 7d 0h)" "$E2E_DIR/status.out"'
cp -p "$E2E_CACHE" "$E2E_DIR/good.db"
before=$(stat -c %Y "$E2E_CACHE")
e2e_cp_stop
e2e_sync --quiet
check "control plane down: the timer's sync fails (exit 1)" [ "$RC" = 1 ]
check "... and says what failed" grep -qi 'connect\|refused' "$E2E_DIR/sync.out"
check "... the cache is kept byte for byte" cmp -s "$E2E_CACHE" "$E2E_DIR/good.db"
check "... and not confirmed (mtime unchanged)" [ "$(stat -c %Y "$E2E_CACHE")" = "$before" ]
check "... the state records the failure" \
    grep -Eq '"last_result": *"failed"' /var/lib/nexusbg/sync-state.json
check "... nexusbg status still says usable (exit 0)" [ "$(status_rc)" = 0 ]
expect_granted "control plane down 5 h: alice still logs in" alice reader --key alice
expect_fallback_refused "control plane down 5 h: fallback auto still inactive" telcoro "$RO_PW"

e2e_age $((7 * 86400 + 600))
check "past max_cache_age: nexusbg status says STALE (exit 3)" \
    eval '[ "$(status_rc)" = 3 ] && grep -q "STALE" "$E2E_DIR/status.out"'
e2e_policy_set fallback "fallback never"
e2e_policy_set stale_cache "stale_cache deny"
expect_refused_account "stale_cache deny: alice" alice cache-stale --key alice
expect_fallback_refused "stale_cache deny, fallback never: telcorw" telcorw "$RW_PW"
e2e_policy_set fallback "fallback auto"
e2e_policy_set stale_cache "stale_cache fallback"
expect_refused_account "stale_cache fallback: alice" alice cache-stale --key alice
expect_fallback_granted "stale_cache fallback: telcorw" telcorw "$RW_PW" writer
e2e_policy_set stale_cache "stale_cache warn"
mark=$(e2e_now)
expect_granted "stale_cache warn: alice" alice reader --key alice
expect_audit "stale_cache warn: the grant is audited with reason cache-stale" "$mark" USER_ACCT \
    "op=nexusbg-account " "reason=cache-stale " 'acct="alice"' "res=success"
e2e_policy_set stale_cache "stale_cache deny"

e2e_cp_start
e2e_sync --quiet
check "control plane back: the timer's sync confirms the table (exit 0 or 3)" \
    eval '[ "$RC" = 0 ] || [ "$RC" = 3 ]'
check "... the same table" cmp -s "$E2E_CACHE" "$E2E_DIR/good.db"
check "... nexusbg status says usable again (exit 0)" [ "$(status_rc)" = 0 ]
expect_granted "control plane back: alice" alice reader --key alice
expect_fallback_refused "control plane back: fallback auto inactive again" telcorw "$RW_PW"

e2e_finish
