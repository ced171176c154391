#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/test-e2e-escalation.sh - 9. inside a reader's real sshd session,
# every way the reader controls - the environment, options, files in the
# home directory, the session directory, setsid, loginuid, a copy of the
# binary, the reference CLI - still answers "no" to configure, and every
# refused check by the installed nexusbg (cap_audit_write) is in the audit
# log under the session's reference and audit session id - while a writer
# is logged in at the same time.  The same probes in a writer's session
# show that the record itself is what grants.
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
CLI=$NBG_BUILDDIR/examples/nexusbg-cli

# What the operator runs inside the session.  Each attempt prints
# "A:NAME:EXIT" after its output.
# shellcheck disable=SC2016
ATTEMPTS='
sid=$(cat /proc/self/sessionid)
rec=/run/nexusbg/sessions/$sid
echo "sid=$sid"
echo "records=$(ls /run/nexusbg/sessions | wc -l)"
try() { name=$1; shift; "$@"; echo "A:$name:$?"; }
try plain nexusbg session check configure
echo "env NEXUSBG_ROLE=$NEXUSBG_ROLE"
export NEXUSBG_ROLE=writer NEXUSBG_CAPS=show,configure NBG_ROLE=writer
try env nexusbg session check configure
unset NEXUSBG_ROLE NEXUSBG_CAPS NBG_ROLE
mkdir -p "$HOME/forge/sessions"
sed "s/^role=.*/role=writer/; s/^caps=.*/caps=show,configure/" "$rec" >"$HOME/forge/sessions/$sid"
grep "^role=" "$HOME/forge/sessions/$sid"
try forged-env env NEXUSBG_SESSION_DIR="$HOME/forge/sessions" NBG_SESSION_DIR="$HOME/forge/sessions" nexusbg session check configure
try forged-option nexusbg session check --dir "$HOME/forge/sessions" configure
try write-record cp "$HOME/forge/sessions/$sid" "$rec"
try replace-record mv "$HOME/forge/sessions/$sid" /run/nexusbg/sessions/new
try symlink-record ln -s "$HOME/forge/sessions/$sid" "/run/nexusbg/sessions/$((sid + 1))"
try chmod-record chmod 0666 "$rec"
grep "^role=" "$rec"
try setsid setsid -w nexusbg session check configure
echo "setsid-sid=$(setsid -w cat /proc/self/sessionid)"
try loginuid sh -c "echo 0 >/proc/self/loginuid"
echo "loginuid=$(cat /proc/self/loginuid) uid=$(id -u)"
cp /usr/bin/nexusbg "$HOME/nexusbg-copy"
try copy "$HOME/nexusbg-copy" session check configure
try cli sh -c "printf \"configure\nhostname pwned\nend\nshow running-config\nexit\n\" | $CLI"
try show nexusbg session show
'

run_attempts() {	# USER KEY
	e2e_ssh --key "$2" "$1" "CLI=$CLI; $ATTEMPTS"
}

attempt_rc() {	# NAME: the exit status the attempt printed
	sed -n "s/^A:$1://p" "$E2E_OUT"
}

expect_attempt() {	# NAME RC DESCRIPTION
	local got
	got=$(attempt_rc "$1")
	if [ "$got" = "$2" ]; then
		ok "$3"
	else
		not_ok "$3 (exit ${got:-none}, want $2)" "$(cat "$E2E_OUT")"
	fi
}

# ---- the reader, while a writer is logged in ------------------------------------
# (the writer's session holds its own record in the same directory)
(
	E2E_OUT=$E2E_DIR/writer.out E2E_ERR=$E2E_DIR/writer.err
	e2e_ssh --key bob bob 'nexusbg session check --quiet configure && echo writer-allowed; sleep 4'
) &
writer=$!
for ((i = 0; i < 50; i++)); do
	grep -q writer-allowed "$E2E_DIR/writer.out" 2>/dev/null && break
	sleep 0.1
done
check "a writer is logged in at the same time" grep -q writer-allowed "$E2E_DIR/writer.out"
mark=$(e2e_now)
run_attempts alice alice
check "the writer's session was still open during the reader's attempts" kill -0 "$writer"
wait "$writer"
check "the reader's session ran every attempt" grep -q '^A:show:' "$E2E_OUT"
sid=$(sed -n 's/^sid=//p' "$E2E_OUT")
ref=$(e2e_field reference)
check "the reader's session has an audit session id ($sid) and a reference ($ref)" \
    [ -n "$sid" ] && [ "$sid" != 4294967295 ] && [ -n "$ref" ]
check "reader: the writer's record is there too (2 records)" e2e_out_has '^records=2$'
expect_attempt plain 1 "reader: nexusbg session check configure -> denied"
check "reader: PAM's NEXUSBG_ROLE says reader (information only)" \
    e2e_out_has '^env NEXUSBG_ROLE=reader$'
expect_attempt env 1 "reader: NEXUSBG_ROLE=writer NEXUSBG_CAPS=show,configure -> still denied"
check "reader: a writer record forged in the home directory" e2e_out_has '^role=writer$'
expect_attempt forged-env 1 "reader: ... named in NEXUSBG_SESSION_DIR -> denied"
expect_attempt forged-option 2 "reader: ... named with --dir -> usage error (no such option)"
expect_attempt write-record 1 "reader: overwriting the session record -> permission denied"
expect_attempt replace-record 1 "reader: a new record in the session directory -> permission denied"
expect_attempt symlink-record 1 "reader: a symlink in the session directory -> permission denied"
expect_attempt chmod-record 1 "reader: chmod of the session record -> not permitted"
check "reader: the record still says reader" \
    eval '[ "$(grep -c "^role=reader$" "$E2E_OUT")" = 1 ]'
expect_attempt setsid 1 "reader: setsid nexusbg session check configure -> denied"
check "reader: setsid keeps the audit session id" e2e_out_has "^setsid-sid=$sid\$"
expect_attempt loginuid 1 "reader: writing /proc/self/loginuid -> refused"
uid=$(getent passwd alice | cut -d: -f3)
check "reader: loginuid is still the reader's" e2e_out_has "^loginuid=$uid uid=$uid\$"
expect_attempt copy 1 "reader: a copy of nexusbg in the home directory -> denied"
expect_attempt cli 0 "reader: the reference CLI runs"
check "reader: ... and refuses configure" \
    e2e_out_has "Permission denied: this session's role does not allow configuration mode"
check "reader: ... so the hostname is not changed" eval '! e2e_out_has "^hostname pwned"'
expect_attempt show 0 "reader: nexusbg session show at the end"
check "reader: ... still reader" [ "$(e2e_field role)" = reader ]

# every refusal by the installed nexusbg reached the audit log, in this
# session (the kernel's ses=), under its reference
n_refused=4	# plain, env, forged-env, setsid
count_records() {
	local i n
	for ((i = 0; i < 50; i++)); do
		n=$(e2e_audit_since "$mark" -m USER_CMD | grep -F "ref=$ref " |
		    grep -F "reason=capability-denied " | grep -F " ses=$sid " |
		    grep -F 'exe="/usr/bin/nexusbg"' | grep -c "res=failed")
		[ "$n" -ge "$n_refused" ] && break
		sleep 0.1
	done
	echo "$n"
}
n=$(count_records)
check "reader: all $n_refused refusals by /usr/bin/nexusbg are audited in session $sid ($n)" \
    [ "$n" = "$n_refused" ]
expect_no_audit "reader: no check in the session was allowed" "$mark" USER_CMD " ses=$sid " \
    "res=success"
check "ausearch --session $sid lists the reader's refusals" \
    grep -q 'nbg_cap=configure' <(audit_search -m USER_CMD --session "$sid" -i 2>/dev/null)

# ---- the writer: the same probes, the record grants --------------------------
run_attempts bob bob
expect_attempt plain 0 "writer: nexusbg session check configure -> allowed"
expect_attempt cli 0 "writer: the reference CLI runs"
check "writer: ... enters configuration mode and changes the hostname" \
    e2e_out_has "^hostname pwned"
expect_attempt write-record 1 "writer: cannot write the record either"

e2e_finish
