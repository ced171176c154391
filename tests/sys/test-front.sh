#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# test-front.sh - the two programs of the nexusbg command, from the build
# tree.
#
# nexusbg runs `keys` and `session` itself and every other command by
# executing nexusbg-admin, found next to its own executable (the build
# tree) or at the installed path (the installed front).  Checked here:
#   - sync, status, explain and policy check work through the front, with
#     their exit codes (0, 1, 3) and their --help;
#   - --help lists every command; --version; no command, an unknown command
#     (which never runs the helper) and a missing or unusable helper give a
#     clear error and exit 2; the helper refuses the front's commands;
#   - argv[0] does not choose the helper (exec -a into a directory with
#     another nexusbg-admin);
#   - the sync service runs the helper, which works under its empty
#     capability bounding set, where the front with its file capability
#     cannot even be executed;
#   - keys: the compiled cache only (a JSON role_table is refused, as in the
#     module), --uid as sshd's %U passes it: root and uids outside
#     account_uid_range get no keys, a malformed --uid is a usage error.
#
# Needs root (sync writes a root-owned cache).
set -uo pipefail
: "${NBG_SRCDIR:?run through meson test}"
: "${NBG_BUILDDIR:?run through meson test}"
NEXUSBG=$NBG_BUILDDIR/tools/nexusbg
ADMIN=$NBG_BUILDDIR/tools/nexusbg-admin
DOC=$NBG_SRCDIR/policy/examples/roles.example.json
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=86}

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root (sync writes a root-owned cache)"
	exit 77
fi
for p in "$NEXUSBG" "$ADMIN"; do
	[ -x "$p" ] || { echo "Bail out! $p is not built"; exit 1; }
done

T=$(mktemp -d /tmp/nbg-front.XXXXXX) || exit 1
chmod 0755 "$T"
trap 'rm -rf -- "$T"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	sed 's/^/#   stdout: /' "$T/out"; sed 's/^/#   stderr: /' "$T/err"
}
# run CMD...: RC, $T/out, $T/err
run() { "$@" >"$T/out" 2>"$T/err"; RC=$?; }
# expect NAME RC [STDOUT-PATTERN [STDERR-PATTERN]]
expect() {
	local name=$1 want=$2 out=${3:-} err=${4:-}
	if [ "$RC" != "$want" ]; then
		notok "$name (exit $RC, want $want)"
	elif [ -n "$out" ] && ! grep -qE -- "$out" "$T/out"; then
		notok "$name (stdout lacks /$out/)"
	elif [ -n "$err" ] && ! grep -qE -- "$err" "$T/err"; then
		notok "$name (stderr lacks /$err/)"
	else
		ok "$name"
	fi
}

mkdir -m 0755 "$T/cache"
P=$T/policy.conf
cat >"$P" <<EOF2
fabric fab-example-01
role_table $T/cache/roles.db
role reader show
role writer show configure
account_uid_range 61000-61999
EOF2
chmod 0644 "$P"

# --- the admin commands through the front ---------------------------------
run "$NEXUSBG" policy check "$P"
expect "policy check through the front" 0 "OK \(0 errors, 0 warnings\)"
run "$NEXUSBG" policy check --no-perms "$T/nonexistent.conf"
expect "policy check: its exit code 1 comes back" 1
run "$NEXUSBG" sync --policy "$P" --file "$DOC"
expect "sync --file through the front" 0 "updated: fabric fab-example-01 serial 42"
run "$NEXUSBG" sync --policy "$P" --file "$DOC"
expect "sync: 'unchanged' is still exit 3" 3
run "$NEXUSBG" status --policy "$P"
expect "status through the front" 0 "^fabric: +fab-example-01$"
run "$NEXUSBG" status --policy "$P" --json
if [ "$RC" = 0 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "fabric" in json.dumps(d)' "$T/out" 2>>"$T/err"; then
	ok "status --json through the front"
else
	notok "status --json through the front (exit $RC)"
fi
run "$NEXUSBG" explain --policy "$P" --user alice --from 192.0.2.10
expect "explain through the front" 0 "reason: +granted"
run "$NEXUSBG" explain --policy "$P" --user dave --from 192.0.2.10
expect "explain: a denial is still exit 1" 1 "reason: +user-blocked"
for c in sync status policy explain; do
	run "$NEXUSBG" "$c" --help
	expect "$c --help through the front" 0 "^usage: nexusbg $c"
done

# --- the front's own answers -----------------------------------------------
run "$NEXUSBG" --help
expect "--help: exit 0" 0 "^usage: nexusbg COMMAND"
missing=
for c in sync status keys session policy explain; do
	grep -qE "^  $c +[a-z]" "$T/out" || missing="$missing $c"
done
[ -z "$missing" ] && ok "--help lists every command of both programs" ||
	notok "--help lists every command (missing:$missing)"
run "$NEXUSBG" --version
expect "--version" 0 "^nexusbg [0-9]+\.[0-9]+"
run "$NEXUSBG"
expect "no command: usage on stderr, exit 2" 2 "" "^usage: nexusbg COMMAND"
run "$NEXUSBG" frobnicate --now
expect "unknown command: exit 2" 2 "" "^nexusbg: main: unknown command 'frobnicate' \(try nexusbg --help\)$"
[ ! -s "$T/out" ] && ok "unknown command: nothing on stdout" || notok "unknown command: nothing on stdout"
run "$NEXUSBG" keys --help
expect "keys --help (the front's own)" 0 "^usage: nexusbg keys"
run "$NEXUSBG" session --help
expect "session --help (the front's own)" 0 "^usage: nexusbg session"
run "$ADMIN" keys --policy "$P" alice
expect "the helper refuses keys: it is the front's" 2 "" "'keys' is run by nexusbg itself"
run "$ADMIN" session check configure
expect "the helper refuses session: it is the front's" 2 "" "'session' is run by nexusbg itself"
run "$ADMIN" status --policy "$P"
expect "the helper run directly answers the same" 0 "^fabric: +fab-example-01$"

# --- where the helper is ---------------------------------------------------
mkdir -m 0755 "$T/lonely"
cp "$NEXUSBG" "$T/lonely/nexusbg"
run "$T/lonely/nexusbg" status --policy "$P"
expect "a front without its helper: clear error, exit 2" 2 "" \
	"^nexusbg: status: cannot run the helper program $T/lonely/nexusbg-admin: No such file or directory$"
run "$T/lonely/nexusbg" sync --help
expect "a front without its helper: even sync --help needs it" 2 "" "cannot run the helper program"
run "$T/lonely/nexusbg" keys --policy "$P" alice
expect "a front without its helper still prints keys" 0 "^verify-required sk-ssh-ed25519@openssh.com "
run "$T/lonely/nexusbg" --help
expect "a front without its helper still answers --help" 0 "^  explain "
cp "$ADMIN" "$T/lonely/nexusbg-admin"
chmod 0644 "$T/lonely/nexusbg-admin"
run "$T/lonely/nexusbg" status --policy "$P"
expect "a helper that is not executable: clear error, exit 2" 2 "" \
	"cannot run the helper program $T/lonely/nexusbg-admin: Permission denied"
chmod 0755 "$T/lonely/nexusbg-admin"
run "$T/lonely/nexusbg" status --policy "$P"
expect "a copied front runs the helper next to it" 0 "^fabric: +fab-example-01$"

mkdir -m 0755 "$T/evil"
printf '#!/bin/sh\necho EVIL HELPER\nexit 0\n' >"$T/evil/nexusbg-admin"
chmod 0755 "$T/evil/nexusbg-admin"
run bash -c 'exec -a "$1" "$2" status --policy "$3"' _ "$T/evil/nexusbg" "$NEXUSBG" "$P"
if [ "$RC" = 0 ] && ! grep -q EVIL "$T/out" && grep -qE '^fabric: +fab-example-01$' "$T/out"; then
	ok "argv[0] does not choose the helper"
else
	notok "argv[0] does not choose the helper (exit $RC)"
fi
run env PATH="$T/evil:$PATH" NEXUSBG_ADMIN="$T/evil/nexusbg-admin" "$NEXUSBG" status --policy "$P"
if [ "$RC" = 0 ] && ! grep -q EVIL "$T/out"; then
	ok "neither does the environment"
else
	notok "neither does the environment (exit $RC)"
fi

# --- the sync service -------------------------------------------------------
# nexusbg-sync.service runs with an empty capability bounding set and
# NoNewPrivileges=; the kernel refuses to execute a file with
# cap_audit_write+ep there (EPERM), so the unit runs the helper itself.
unit=$NBG_BUILDDIR/packaging/nexusbg-sync.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
case $exec_start in
*/nexusbg/nexusbg-admin\ sync\ --quiet) ok "the sync service runs nexusbg-admin sync --quiet" ;;
*) notok "the sync service runs nexusbg-admin sync --quiet (ExecStart=$exec_start)" ;;
esac
if command -v setcap >/dev/null && command -v setpriv >/dev/null; then
	# (a tmpfs of our own: /tmp may be mounted nosuid, which ignores file capabilities)
	run unshare --mount --propagation private bash -c '
		T=$1 front=$2 admin=$3 P=$4 DOC=$5
		mkdir -p "$T/capbin" && mount -t tmpfs -o mode=0755 nbg-front "$T/capbin" &&
		cp "$front" "$admin" "$T/capbin/" && setcap cap_audit_write+ep "$T/capbin/nexusbg" || exit 125
		sandbox() { setpriv --bounding-set -all --no-new-privs "$@"; }
		sandbox "$T/capbin/nexusbg" --version >/dev/null 2>&1 && echo "front: runs" || echo "front: refused"
		sandbox "$T/capbin/nexusbg-admin" sync --quiet --policy "$P" --file "$DOC"
		echo "helper: exit $?"' _ "$T" "$NEXUSBG" "$ADMIN" "$P" "$DOC"
	if grep -qx "front: refused" "$T/out" && grep -qx "helper: exit 3" "$T/out"; then
		ok "in the service's sandbox the capable front cannot start, the helper syncs (exit 3)"
	else
		notok "in the service's sandbox the capable front cannot start, the helper syncs (exit $RC)"
	fi
fi

# --- keys ------------------------------------------------------------------
run "$NEXUSBG" keys --policy "$P" bob
if [ "$RC" = 0 ] && [ "$(grep -c '^verify-required sk-' "$T/out")" = 2 ]; then
	ok "keys: bob's two keys, with verify-required"
else
	notok "keys: bob's two keys, with verify-required (exit $RC)"
fi
run "$NEXUSBG" keys --policy "$P" --uid 61005 bob
expect "keys --uid in account_uid_range: printed" 0 "^verify-required "
run "$NEXUSBG" keys --policy "$P" --uid 0 bob
expect "keys --uid 0: nothing for root" 1
[ ! -s "$T/out" ] && ok "keys --uid 0: nothing printed" || notok "keys --uid 0: nothing printed"
run "$NEXUSBG" keys --policy "$P" --uid 1000 bob
expect "keys --uid outside account_uid_range: nothing" 1
[ ! -s "$T/out" ] && ok "keys --uid outside the range: nothing printed" ||
	notok "keys --uid outside the range: nothing printed"
for bad in abc -1 4294967295 12345678901 "" 61005x " 61005"; do
	run "$NEXUSBG" keys --policy "$P" --uid "$bad" bob
	expect "keys --uid '$bad': usage error" 2 "" "--uid: not a uid"
done
run "$NEXUSBG" keys --policy "$P" --uid
expect "keys --uid without a value: usage error" 2 "" "^usage: nexusbg keys"
sed "s|^role_table .*|role_table $DOC|" "$P" >"$T/json-table.conf"
chmod 0644 "$T/json-table.conf"
run "$NEXUSBG" keys --policy "$T/json-table.conf" bob
expect "keys reads compiled caches only: a JSON role_table is refused" 2 "" "role table .* unusable"
[ ! -s "$T/out" ] && ok "keys with a JSON role_table: nothing printed" ||
	notok "keys with a JSON role_table: nothing printed"

echo "1..$n"
[ "$failed" = 0 ]
