#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# test-audit-real.sh - nbg_audit_log() against a real auditd.
#
# Writes records with hostile field values through tests/sys/audit-write
# (which links common/audit.c) and reads them back with ausearch and
# aureport, as a security team would:
#   - every denial is listed by ausearch -sv no and not by -sv yes, and by
#     the aureport report for its type (--auth for USER_AUTH, --event for
#     USER_ACCT: aureport has no account-check report of its own);
#   - the record has exactly one acct=, exe=, hostname=, addr=, terminal=
#     and res=; acct decodes to the hostile name; reason= is ours;
#   - an unsafe hostname is passed as "?" and kept as rhost_enc=<hex>;
#   - a success record is listed by -sv yes and not by -sv no;
#   - without CAP_AUDIT_WRITE (EPERM), and outside the initial user
#     namespace (ECONNREFUSED), the record goes to syslog (authpriv,
#     warning), escaped, and not to the audit log.
#
# Needs root (exit 77 otherwise).  Uses the running auditd or starts a
# private one (tests/lib/auditd.sh), and leaves the machine as it was.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/auditd.sh
. "$here/../lib/auditd.sh"

build=${NBG_BUILDDIR:-$here/../../build}
AUDIT_WRITE=${NBG_AUDIT_WRITE:-$build/tests/sys/audit-write}
SYSLOG_SINK=${NBG_SYSLOG_SINK:-$build/tests/sys/syslog-sink}
# In a sanitizer build, a finding must not pass for "denied" (exit 1).
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=86}

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root (starts auditd)"
	exit 77
fi
for p in "$AUDIT_WRITE" "$SYSLOG_SINK"; do
	[ -x "$p" ] || { echo "FAIL: $p not built"; exit 1; }
done

tmp=$(mktemp -d /tmp/nbg-audit-real.XXXXXX) || exit 1
trap 'rm -rf -- "$tmp"' EXIT
auditd_ensure
rc=$?
if [ $rc = 77 ]; then
	echo "SKIP: this machine cannot run auditd"
	exit 77
fi
[ $rc = 0 ] || { echo "FAIL: no auditd"; exit 1; }

passed=0 failed=0
ok() { passed=$((passed + 1)); printf 'ok - %s\n' "$1"; }
notok() { failed=$((failed + 1)); printf 'not ok - %s\n' "$1"; [ -z "${2:-}" ] || printf '    %s\n' "$2"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else notok "$name" "$*"; fi; }

run=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F)

# The raw value of field NAME in a raw record line (the first occurrence);
# the message ends at its closing quote, enriched fields follow after \x1d.
field() {
	printf '%s\n' "$2" | perl -ne 'if (/ \Q'"$1"'\E=("[^"]*"|[^\s\x1d\x27]+)/) { print $1; exit }'
}

# Decode an audit-encoded value: "text" or uppercase hex.
decode() {
	case $1 in
	\"*\") v=${1#\"}; printf '%s' "${v%\"}" ;;
	*) printf '%s' "$1" | perl -ne 'print pack("H*", $_)' ;;
	esac
}

# How many times " NAME=" occurs in the record (a name inside a quoted
# acct="..." value follows the quote, not a space).
count() {
	printf '%s\n' "$2" | grep -o " $1=" | wc -l
}

same_bytes() {
	[ "$(printf '%s' "$1" | od -An -tx1)" = "$(printf '%s' "$2" | od -An -tx1)" ]
}

# One hostile denial: TYPE ACCT RHOST REASON
denial() {
	local n=$1 type=$2 acct=$3 rhost=$4 reason=$5
	local ref="NBG-${run}$(printf '%04d' "$n")" raw serial want i
	"$AUDIT_WRITE" --type "$type" --op nexusbg-account --acct "$acct" --reason "$reason" \
		--role reader --fp SHA256:AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5 \
		--fallback no --ref "$ref" --service sshd --rhost "$rhost" --addr 192.0.2.7 \
		--tty ssh >"$tmp/out" 2>&1
	check "$n: written to the audit log" grep -qx logged "$tmp/out"
	raw=$(audit_wait "ref=$ref" 10 -- -m "$type" --raw)
	if [ -z "$raw" ]; then
		notok "$n: record with ref=$ref found by ausearch -m $type"
		return
	fi
	ok "$n: record with ref=$ref found by ausearch -m $type"
	for f in acct exe hostname addr terminal res; do
		i=$(count "$f" "$raw")
		check "$n: exactly one $f= (found $i)" [ "$i" = 1 ]
	done
	check "$n: res=failed" [ "$(field res "$raw")" = failed ]
	want=${acct:0:32}
	check "$n: acct decodes to the hostile name" same_bytes "$(decode "$(field acct "$raw")")" "$want"
	check "$n: reason=$reason is ours" [ "$(field reason "$raw")" = "$reason" ]
	if nbg_safe "$rhost"; then
		check "$n: hostname passed as is" [ "$(field hostname "$raw")" = "$rhost" ]
	else
		check "$n: unsafe hostname passed as ?" [ "$(field hostname "$raw")" = "?" ]
		check "$n: rhost_enc decodes to the hostile host" \
			same_bytes "$(decode "$(field rhost_enc "$raw")")" "$rhost"
	fi
	check "$n: ausearch -sv no lists it" \
		grep -qF "ref=$ref" <(audit_search -m "$type" -sv no -i 2>/dev/null)
	check "$n: ausearch -sv yes does not" \
		bash -c '! grep -qF "$1" <(ausearch -if "$2" -m "$3" -sv yes -i 2>/dev/null)' \
		_ "ref=$ref" "$NBG_AUDIT_LOG" "$type"
	serial=$(printf '%s\n' "$raw" | sed -n 's/.*msg=audit([0-9.]*:\([0-9]*\)).*/\1/p' | head -n 1)
	if [ "$type" = USER_AUTH ]; then
		check "$n: aureport --auth --failed lists event $serial" \
			grep -qE " no $serial\$" <(audit_report --auth --failed -ts recent 2>/dev/null)
		check "$n: aureport --auth --success does not" \
			bash -c '! grep -qE " $1\$" <(aureport -if "$2" --auth --success -ts recent 2>/dev/null)' \
			_ "$serial" "$NBG_AUDIT_LOG"
	else
		check "$n: aureport --event --failed lists event $serial as failed" \
			grep -qE " $serial $type .* no\$" <(audit_report --event --failed -ts recent 2>/dev/null)
		check "$n: aureport --event --success does not" \
			bash -c '! grep -qE " $1 " <(aureport -if "$2" --event --success -ts recent 2>/dev/null)' \
			_ "$serial" "$NBG_AUDIT_LOG"
	fi
}

# Mirrors nbg_audit_safe_field(): printable ASCII, no space, quote or '='.
nbg_safe() {
	[ -n "$1" ] && [ "${#1}" -le 128 ] && LC_ALL=C perl -e 'exit($ARGV[0] =~ /^[\x21-\x7e]+$/ && $ARGV[0] !~ /["'"'"'=]/ ? 0 : 1)' "$1"
}

denial 1 USER_ACCT 'evil res=success' 'x res=success addr=1.2.3.4' user-blocked
denial 2 USER_ACCT 'a"b' 'h"x' unknown-user
denial 3 USER_ACCT $'bob\nres=success' $'h\nres=success' user-denied-locally
denial 4 USER_ACCT 'res=success' 'res=success' source-not-trusted
denial 5 USER_AUTH $'\xff\xferoot' 'host.example' key-not-registered
denial 6 USER_AUTH 'mallory exe=/bin/true' "it's" not-fido2-key
denial 7 USER_ACCT 'abcdefghijklmnopqrstuvwxyz0123456789' '10.0.0.1' assignment-expired

# A success: listed by -sv yes, not by -sv no.
ref="NBG-${run}0100"
"$AUDIT_WRITE" --type USER_ACCT --op nexusbg-account --acct alice --reason granted \
	--role writer --fallback no --ref "$ref" --service sshd --rhost 10.0.0.9 --addr 10.0.0.9 \
	--success >"$tmp/out" 2>&1
check "success: written" grep -qx logged "$tmp/out"
raw=$(audit_wait "ref=$ref" 10 -- -m USER_ACCT --raw)
check "success: res=success" grep -q " res=success" <<<"$raw"
check "success: ausearch -sv yes lists it" \
	grep -qF "ref=$ref" <(audit_search -m USER_ACCT -sv yes -i 2>/dev/null)
check "success: ausearch -sv no does not" \
	bash -c '! grep -qF "$1" <(ausearch -if "$2" -m USER_ACCT -sv no -i 2>/dev/null)' \
	_ "ref=$ref" "$NBG_AUDIT_LOG"

# Without CAP_AUDIT_WRITE: syslog authpriv.warning, escaped; not the audit log.
ref="NBG-${run}0200"
audit_with_private_syslog "$SYSLOG_SINK" "$tmp/syslog" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$AUDIT_WRITE" --type USER_ACCT --op nexusbg-account --acct $'bob\nres=success' \
	--reason user-blocked --ref "$ref" --rhost $'h\nres=success' >"$tmp/out" 2>&1
rc=$?
check "no CAP_AUDIT_WRITE: nbg_audit_log says syslog (exit 3, got $rc)" [ $rc = 3 ]
check "no CAP_AUDIT_WRITE: prints syslog" grep -qx syslog "$tmp/out"
line=$(grep -F "ref=$ref" "$tmp/syslog" 2>/dev/null)
check "no CAP_AUDIT_WRITE: the record is in syslog" [ -n "$line" ]
check "no CAP_AUDIT_WRITE: facility authpriv, level warning (<84>)" grep -q '^<84>' <<<"$line"
check "no CAP_AUDIT_WRITE: syslog line has no raw control byte" \
	bash -c '! grep -qF "\\x" <<<"$1"' _ "$line"
check "no CAP_AUDIT_WRITE: syslog line names why" grep -qF "Operation not permitted" <<<"$line"
check "no CAP_AUDIT_WRITE: acct encoded in syslog" \
	grep -qF "acct=626F620A7265733D73756363657373 " <<<"$line"
check "no CAP_AUDIT_WRITE: one res= in syslog" [ "$(count res "$line")" = 1 ]
check "no CAP_AUDIT_WRITE: nothing in the audit log" \
	bash -c '! ausearch -if "$1" -m USER_ACCT --raw 2>/dev/null | grep -qF "$2"' \
	_ "$NBG_AUDIT_LOG" "ref=$ref"

# Outside the initial user namespace the kernel refuses audit messages
# (ECONNREFUSED): syslog again, same text.
ref="NBG-${run}0300"
audit_with_private_syslog "$SYSLOG_SINK" "$tmp/syslog" unshare --user --map-root-user \
	"$AUDIT_WRITE" --type USER_AUTH --op nexusbg-account --acct 'eve res=success' \
	--reason key-not-registered --ref "$ref" >"$tmp/out" 2>&1
rc=$?
check "user namespace: nbg_audit_log says syslog (exit 3, got $rc)" [ $rc = 3 ]
line=$(grep -F "ref=$ref" "$tmp/syslog" 2>/dev/null)
check "user namespace: the record is in syslog" grep -qF "Connection refused" <<<"$line"
check "user namespace: acct encoded in syslog" grep -qF "acct=657665207265733D73756363657373 " <<<"$line"
check "user namespace: nothing in the audit log" \
	bash -c '! ausearch -if "$1" -m USER_AUTH --raw 2>/dev/null | grep -qF "$2"' \
	_ "$NBG_AUDIT_LOG" "ref=$ref"

echo "$passed passed, $failed failed"
[ $failed = 0 ] && [ $passed -gt 0 ]
