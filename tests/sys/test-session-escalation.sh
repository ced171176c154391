#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# test-session-escalation.sh - a user cannot raise the role of their session.
#
# Runs in a private mount namespace with a tmpfs over /run, so the session
# directory compiled into nexusbg (under /run) is ours alone.  Every
# scenario starts a fresh kernel audit session the way pam_loginuid does
# (root writes the user's uid to /proc/self/loginuid in a subshell), lets
# root write or tamper with the session record, then drops to the test
# user with setpriv - the audit session id survives, as after a login -
# and asks `nexusbg session check` (and the shared library, through
# session-so-check) what the session may do.
#
# A reader cannot get "configure" through the environment, an option, a
# user-owned directory or file, a symbolic link, a record they own, a
# group-writable record or directory, setsid, su/runuser to another uid,
# a record of another boot, uid or loginuid.  A writer can.  A denial
# reaches the audit log (USER_CMD, with the kernel's auid= and ses=) when
# the binary has cap_audit_write, and syslog when it has not or when
# libaudit cannot be loaded, with the same answer.
#
# Needs root; exits 77 when this kernel has no audit session ids or does
# not let root set loginuid.  Test users are removed on exit.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${NBG_BUILDDIR:-$here/../../build}
NEXUSBG=${NBG_NEXUSBG:-$build/tools/nexusbg}
RECORD_TOOL=${NBG_RECORD_TOOL:-$build/tests/sys/record-tool}
SO_CHECK=${NBG_SESSION_SO_CHECK:-$build/tests/sys/session-so-check}
SESSION_LIB=${NBG_SESSION_LIB:-$build/session/libnexusbg-session.so}
SYSLOG_SINK=${NBG_SYSLOG_SINK:-$build/tests/sys/syslog-sink}
# In a sanitizer build, a finding must not pass for "denied" (exit 1).
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=86}

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root (test users, loginuid, mount namespaces)"
	exit 77
fi
if [ ! -r /proc/self/sessionid ]; then
	echo "SKIP: the kernel has no audit session ids (CONFIG_AUDIT)"
	exit 77
fi
if ! (printf '0' >/proc/self/loginuid) 2>/dev/null; then
	echo "SKIP: root cannot set loginuid here (loginuid is immutable)"
	exit 77
fi
for p in "$NEXUSBG" "$RECORD_TOOL" "$SO_CHECK" "$SYSLOG_SINK"; do
	[ -x "$p" ] || { echo "FAIL: $p not built"; exit 1; }
done
[ -r "$SESSION_LIB" ] || { echo "FAIL: $SESSION_LIB not built"; exit 1; }

# Everything below runs in a private mount namespace with our own /run.
if [ -z "${NBG_ESCALATION_NS:-}" ]; then
	exec unshare --mount --propagation private env NBG_ESCALATION_NS=1 bash "$0" "$@"
fi
mount -t tmpfs -o mode=0755,nosuid,nodev nbg-test-run /run || { echo "FAIL: tmpfs /run"; exit 1; }

# shellcheck source=../lib/auditd.sh
. "$here/../lib/auditd.sh"

DIR=$("$NEXUSBG" session --help | sed -n 's/.*kernel audit session (\(\/[^)]*\)).*/\1/p')
case $DIR in
/run/*) ;;
*) echo "FAIL: session directory '$DIR' is not under /run; cannot isolate it"; exit 1 ;;
esac

run=$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
A=nbgesc${run}a
B=nbgesc${run}b
tmp=$(mktemp -d /tmp/nbg-escalation.XXXXXX) || exit 1
chmod 0755 "$tmp"
cleanup() {
	umount "$tmp/capbin" 2>/dev/null
	userdel "$A" >/dev/null 2>&1
	userdel "$B" >/dev/null 2>&1
	rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
useradd -M -N -d /nonexistent -s /bin/sh "$A" || { echo "FAIL: useradd $A"; exit 1; }
useradd -M -N -d /nonexistent -s /bin/sh "$B" || { echo "FAIL: useradd $B"; exit 1; }
UA=$(id -u "$A") GA=$(id -g "$A") UB=$(id -u "$B")

passed=0 failed=0
ok() { passed=$((passed + 1)); printf 'ok - %s\n' "$1"; }
notok() { failed=$((failed + 1)); printf 'not ok - %s\n' "$1"; [ -z "${2:-}" ] || printf '    %s\n' "$2"; }

# expect NAME RC PATTERN: the last run exited RC and its output matches PATTERN.
expect() {
	local name=$1 want=$2 pattern=${3:-}
	if [ "$RC" != "$want" ]; then
		notok "$name (exit $RC, want $want)" "$(tr '\n' '|' <"$tmp/out")"
	elif [ -n "$pattern" ] && ! grep -qE -- "$pattern" "$tmp/out"; then
		notok "$name (output lacks /$pattern/)" "$(tr '\n' '|' <"$tmp/out")"
	else
		ok "$name"
	fi
}

n=0
next_ref() {
	n=$((n + 1))
	REF=$(printf 'NBG-%s%06X' "$(printf '%s' "$run" | tr a-f A-F)" "$n")
}

# Record helpers for SETUP functions (run as root inside the fresh session;
# SID is its audit session id).
rec() {	# rec ROLE CAPS [record-tool options...]
	local role=$1 caps=$2
	shift 2
	"$RECORD_TOOL" write --dir "$DIR" --user "$A" --role "$role" --caps "$caps" --ref "$REF" "$@"
}
reader() { rec reader show; }
writer() { rec writer show,configure; }
nothing() { :; }

# session SETUP AS -- CMD...: a fresh audit session for user A; SETUP runs
# as root inside it; CMD runs as AS (a user name, or "root" to stay root).
session() {
	local setup=$1 as=$2
	shift 3
	rm -rf /run/nexusbg
	(
		printf '%s' "$UA" >/proc/self/loginuid || exit 125
		read -r SID </proc/self/sessionid
		export SID
		"$setup" >"$tmp/setup.out" 2>&1 || { cat "$tmp/setup.out"; exit 125; }
		if [ "$as" = root ]; then
			exec "$@"
		fi
		exec setpriv --reuid="$(id -u "$as")" --regid="$(id -g "$as")" --init-groups "$@"
	) >"$tmp/out" 2>&1
	RC=$?	# 125: the setup failed (expect then reports it with its output)
}
export -f session rec reader writer nothing
export A UA DIR RECORD_TOOL tmp

echo "# session directory $DIR, users $A ($UA) and $B ($UB)"

# --- a reader ------------------------------------------------------------
next_ref
session reader "$A" -- "$NEXUSBG" session check configure
expect "reader: check configure -> denied" 1 '^denied: capability-denied$'
session reader "$A" -- "$NEXUSBG" session check show
expect "reader: check show -> allowed" 0 '^allowed$'
session reader "$A" -- "$NEXUSBG" session show
expect "reader: show says reader" 0 '^role: +reader$'
session reader "$A" -- "$NEXUSBG" session show --json
expect "reader: show --json says reader" 0 '"role": ?"reader"'
session reader "$A" -- env NEXUSBG_ROLE=writer NEXUSBG_CAPS=configure NBG_ROLE=writer \
	"$NEXUSBG" session check configure
expect "reader: NEXUSBG_ROLE=writer in the environment -> still denied" 1 'capability-denied'
session reader "$A" -- "$SO_CHECK" configure
expect "reader: the shared library also denies configure" 1 '^role=reader$'
session reader "$A" -- "$SO_CHECK" show
expect "reader: the shared library allows show" 0 '^allowed$'

# --- nothing a user controls names another record -------------------------
forge_dir() {
	reader || return 1
	mkdir -p "$tmp/forge/sessions" &&
		"$RECORD_TOOL" format --user "$A" --role writer --caps show,configure \
			--ref "$REF" >"$tmp/forge/sessions/$SID" &&
		chown -R "$A" "$tmp/forge"
}
export -f forge_dir
F=$tmp/forge/sessions
session forge_dir "$A" -- env NEXUSBG_SESSION_DIR="$F" NBG_SESSION_DIR="$F" \
	NBG_DEFAULT_SESSION_DIR="$F" NEXUSBG_SESSIONS="$F" SESSION_DIR="$F" \
	"$NEXUSBG" session check configure
expect "forged user-owned directory named in the environment -> denied" 1 'capability-denied'
session forge_dir "$A" -- "$NEXUSBG" session check --dir "$F" configure
expect "no --dir option (usage error)" 2
session forge_dir "$A" -- "$NEXUSBG" session check --session-dir="$F" configure
expect "no --session-dir option (usage error)" 2
session forge_dir "$A" -- "$NEXUSBG" session show --dir "$F"
expect "show has no --dir either (usage error)" 2
session forge_dir "$A" -- env NEXUSBG_SESSION_DIR="$F" "$SO_CHECK" configure
expect "the library ignores the environment too" 1 '^role=reader$'
if nm -D --undefined-only "$SESSION_LIB" | grep -qwE 'getenv|secure_getenv'; then
	notok "libnexusbg-session imports no getenv" "$(nm -D --undefined-only "$SESSION_LIB" | grep getenv)"
else
	ok "libnexusbg-session imports no getenv: it cannot read the environment"
fi
exported=$(nm -D --defined-only "$SESSION_LIB" | awk '$2 == "T" { print $3 }' | sed 's/@.*//' |
	grep -v '^nbg_session_' || true)
if [ -z "$exported" ]; then ok "libnexusbg-session exports only nbg_session_*"
else notok "libnexusbg-session exports only nbg_session_*" "$exported"; fi

# --- tampered records -----------------------------------------------------
symlink_forged() {
	mkdir -p "$DIR" && chmod 0755 /run/nexusbg "$DIR" &&
		"$RECORD_TOOL" format --user "$A" --role writer --caps show,configure \
			--ref "$REF" >"$tmp/forged-$SID" &&
		chown "$A" "$tmp/forged-$SID" && ln -s "$tmp/forged-$SID" "$DIR/$SID"
}
symlink_rootowned() {
	"$RECORD_TOOL" write --dir /run/nbg-elsewhere --user "$A" --role writer \
		--caps show,configure --ref "$REF" &&
		mkdir -p "$DIR" && chmod 0755 /run/nexusbg &&
		ln -s "/run/nbg-elsewhere/$SID" "$DIR/$SID"
}
user_owned() { writer && chown "$A" "$DIR/$SID"; }
group_writable() { writer && chmod g+w "$DIR/$SID"; }
dir_group_writable() { writer && chmod g+w "$DIR"; }
dir_user_owned() { writer && chown "$A" "$DIR"; }
other_boot() { rec writer show,configure --boot-id 00000000-0000-4000-8000-000000000000; }
other_uid() { rec writer show,configure --uid "$(id -u "$B")"; }
other_loginuid() { rec writer show,configure --loginuid "$(id -u "$B")" --uid "$UA"; }
export -f symlink_forged symlink_rootowned user_owned group_writable dir_group_writable \
	dir_user_owned other_boot other_uid other_loginuid
export B

for t in symlink_forged:"symlink to a user-owned forged writer record" \
	symlink_rootowned:"symlink to a root-owned writer record elsewhere" \
	user_owned:"writer record owned by the user" \
	group_writable:"group-writable writer record" \
	dir_group_writable:"group-writable session directory" \
	dir_user_owned:"session directory owned by the user" \
	other_boot:"writer record of another boot" \
	other_uid:"writer record for another uid" \
	other_loginuid:"writer record for another loginuid" \
	nothing:"no record at all"; do
	next_ref
	session "${t%%:*}" "$A" -- "$NEXUSBG" session check configure
	expect "${t#*:} -> denied" 1 '^denied: session-record-invalid'
	session "${t%%:*}" "$A" -- "$SO_CHECK" configure
	expect "${t#*:} -> denied by the library" 1 '^no session'
done

# --- the audit session cannot be changed or shared ------------------------
next_ref
session reader "$A" -- setsid "$NEXUSBG" session check configure
expect "setsid keeps the audit session: still denied" 1 'capability-denied'
session reader "$A" -- setsid "$NEXUSBG" session show
expect "setsid: still reader" 0 '^role: +reader$'
session reader "$A" -- sh -c 'a=$(cat /proc/self/sessionid); b=$(setsid -w cat /proc/self/sessionid); [ "$a" = "$b" ] && echo "same $a"'
expect "setsid: same audit session id" 0 '^same [0-9]+$'
session reader "$A" -- sh -c 'printf 1 >/proc/self/loginuid; echo "write=$?"; echo "loginuid=$(cat /proc/self/loginuid)"' 2>/dev/null
expect "the user cannot set loginuid (no fresh session id)" 0 "^loginuid=$UA\$"
grep -qE '^write=[1-9]' "$tmp/out" && ok "the user's loginuid write failed" ||
	notok "the user's loginuid write failed" "$(cat "$tmp/out")"
next_ref
session writer root -- runuser -u "$B" -- "$NEXUSBG" session check configure
expect "runuser to another uid in a writer's session -> denied" 1 'session-record-invalid'
session writer root -- su -s /bin/sh "$B" -c "$NEXUSBG session check configure"
expect "su to another uid in a writer's session -> denied" 1 'session-record-invalid'
session writer root -- "$NEXUSBG" session check configure
expect "root inside a writer's session -> denied (uid 0 is not the record's)" 1 'session-record-invalid'
session writer "$B" -- "$NEXUSBG" session check configure
expect "setpriv to another uid in a writer's session -> denied" 1 'session-record-invalid'

# --- a writer -------------------------------------------------------------
next_ref
session writer "$A" -- "$NEXUSBG" session check configure
expect "writer: check configure -> allowed" 0 '^allowed$'
session writer "$A" -- "$NEXUSBG" session check --quiet configure
expect "writer: check --quiet -> allowed" 0
[ ! -s "$tmp/out" ] && ok "writer: check --quiet prints nothing" ||
	notok "writer: check --quiet prints nothing" "$(cat "$tmp/out")"
session writer "$A" -- "$SO_CHECK" configure
expect "writer: the shared library allows configure" 0 '^allowed$'
session writer "$A" -- "$NEXUSBG" session check 'configure res=success'
expect "a capability that is not a name -> usage error" 2 'not a capability name'
removed() { writer && "$RECORD_TOOL" remove --dir "$DIR" --sessionid "$SID" --ref "$REF"; }
wrong_ref() {
	writer && ! "$RECORD_TOOL" remove --dir "$DIR" --sessionid "$SID" --ref NBG-0000000000
}
export -f removed wrong_ref
session removed "$A" -- "$NEXUSBG" session check configure
expect "writer whose record was removed at close -> denied" 1 'session-record-invalid'
session wrong_ref "$A" -- "$NEXUSBG" session check configure
expect "another login's close leaves the record: still allowed" 0 '^allowed$'

# --- where denials are recorded -------------------------------------------
auditd_ensure
arc=$?
if [ $arc != 0 ]; then
	notok "auditd for the audit scenarios (auditd_ensure returned $arc)"
else
	# A tmpfs of our own (this namespace only), in case /tmp is mounted nosuid,
	# which would make the kernel ignore file capabilities.
	mkdir -p "$tmp/capbin" && mount -t tmpfs -o mode=0755 nbg-capbin "$tmp/capbin" &&
		cp "$NEXUSBG" "$tmp/capbin/nexusbg" && chmod 0755 "$tmp/capbin/nexusbg" &&
		setcap cap_audit_write+ep "$tmp/capbin/nexusbg" &&
		ok "setcap cap_audit_write+ep on a copy of nexusbg" ||
		notok "setcap cap_audit_write+ep on a copy of nexusbg"

	next_ref
	session reader "$A" -- "$tmp/capbin/nexusbg" session check configure
	expect "cap_audit_write: denied" 1 'capability-denied'
	raw=$(audit_wait "ref=$REF" 10 -- -m USER_CMD --raw)
	if [ -z "$raw" ]; then
		notok "cap_audit_write: USER_CMD record with ref=$REF in the audit log"
	else
		ok "cap_audit_write: USER_CMD record with ref=$REF in the audit log"
		for want in "op=nexusbg-session-check " "reason=capability-denied " "nbg_cap=configure " \
			"nbg_role=reader " "acct=\"$A\"" "auid=$UA " " res=failed"; do
			if grep -qF -- "$want" <<<"$raw"; then ok "cap_audit_write: record has $want"
			else notok "cap_audit_write: record has $want" "$raw"; fi
		done
		grep -qE " ses=[0-9]+ " <<<"$raw" && ! grep -q " ses=4294967295 " <<<"$raw" &&
			ok "cap_audit_write: the kernel put the login's audit session in ses=" ||
			notok "cap_audit_write: ses= is the login's" "$raw"
		if grep -qF "ref=$REF" <(audit_search -m USER_CMD -sv no -i 2>/dev/null); then
			ok "cap_audit_write: ausearch -m USER_CMD -sv no lists it"
		else notok "cap_audit_write: ausearch -m USER_CMD -sv no lists it"; fi
	fi

	next_ref
	session nothing "$A" -- sh -c 'echo "sid=$(cat /proc/self/sessionid)"; exec "$0" session check configure' \
		"$tmp/capbin/nexusbg"
	expect "cap_audit_write: no record -> denied" 1 'session-record-invalid'
	sid2=$(sed -n 's/^sid=//p' "$tmp/out")
	raw=$(audit_wait "reason=session-record-invalid" 10 -- -m USER_CMD --session "${sid2:-0}" --raw)
	if grep -qF "acct=\"$A\"" <<<"$raw" && grep -qF "nbg_cap=configure" <<<"$raw"; then
		ok "cap_audit_write: the missing record is audited (session $sid2, acct $A)"
	else
		notok "cap_audit_write: the missing record is audited (session $sid2)" "$raw"
	fi

	next_ref
	export SYSLOG_SINK NEXUSBG REF
	audit_with_private_syslog "$SYSLOG_SINK" "$tmp/syslog" \
		bash -c 'session reader "$A" -- "$NEXUSBG" session check configure; cat "$tmp/out"; exit $RC' \
		>"$tmp/out2" 2>&1
	RC=$?
	cp "$tmp/out2" "$tmp/out"
	expect "no cap_audit_write: the same answer (denied)" 1 'capability-denied'
	line=$(grep -F "ref=$REF" "$tmp/syslog" 2>/dev/null)
	if grep -q '^<84>.*reason=capability-denied .*nbg_cap=configure .*res=failed' <<<"$line"; then
		ok "no cap_audit_write: the denial is in syslog (authpriv.warning)"
	else
		notok "no cap_audit_write: the denial is in syslog (authpriv.warning)" \
			"$(cat "$tmp/syslog" 2>/dev/null)"
	fi
	if audit_search -m USER_CMD --raw 2>/dev/null | grep -qF "ref=$REF"; then
		notok "no cap_audit_write: nothing reached the audit log"
	else
		ok "no cap_audit_write: nothing reached the audit log"
	fi

	# nexusbg loads libaudit only to write a record: when it cannot (here an
	# empty file is mounted over it), audit is unavailable and the syslog
	# line says why; the answer does not change.
	next_ref
	LIBAUDIT=$(readlink -f "$(ldconfig -p | awk '$1 == "libaudit.so.1" { print $NF; exit }')")
	: >"$tmp/empty.so"
	export LIBAUDIT
	audit_with_private_syslog "$SYSLOG_SINK" "$tmp/syslog-nolib" \
		bash -c 'mount --bind "$tmp/empty.so" "$LIBAUDIT" || exit 125
			session reader "$A" -- "$tmp/capbin/nexusbg" session check configure
			cat "$tmp/out"; exit $RC' >"$tmp/out2" 2>&1
	RC=$?
	cp "$tmp/out2" "$tmp/out"
	expect "libaudit not loadable: the same answer (denied)" 1 'capability-denied'
	line=$(grep -F "ref=$REF" "$tmp/syslog-nolib" 2>/dev/null)
	if grep -q '^<84>.*(libaudit\.so\.1 not loaded: .*reason=capability-denied .*res=failed' <<<"$line"; then
		ok "libaudit not loadable: the denial is in syslog, which says so"
	else
		notok "libaudit not loadable: the denial is in syslog, which says so" \
			"$(cat "$tmp/syslog-nolib" 2>/dev/null)"
	fi
	if audit_search -m USER_CMD --raw 2>/dev/null | grep -qF "ref=$REF"; then
		notok "libaudit not loadable: nothing reached the audit log"
	else
		ok "libaudit not loadable: nothing reached the audit log"
	fi
fi

echo "$passed passed, $failed failed"
[ $failed = 0 ] && [ $passed -gt 0 ]
