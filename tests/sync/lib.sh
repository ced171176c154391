# SPDX-License-Identifier: BSD-2-Clause
# tests/sync/lib.sh - shared by the sync system tests (source it; bash).
#
# Each test script gets a private, root-only directory $T, a fresh test PKI
# ($T/pki), a policy writer, the HTTPS test server (server.py) on 127.0.0.1
# with a port the kernel chose, and TAP output.  Everything it starts is
# stopped by pid, and $T is removed, whatever happens (trap); a script that
# mounts something defines cleanup_hook() to unmount it first.

set -uo pipefail

: "${NBG_SRCDIR:?run through meson test (NBG_SRCDIR)}"
: "${NBG_BUILDDIR:?run through meson test (NBG_BUILDDIR)}"
HERE=$NBG_SRCDIR/tests/sync
NEXUSBG=$NBG_BUILDDIR/tools/nexusbg
# NBG_TEST_WRAPPER runs nexusbg under a checker, e.g.
#   NBG_TEST_WRAPPER="valgrind -q --leak-check=full --error-exitcode=99"
read -r -a WRAP <<<"${NBG_TEST_WRAPPER:-}"
TABLE_READER=$NBG_BUILDDIR/tests/sync/table_reader
PYTHON=${PYTHON:-python3}

if [ "$(id -u)" != 0 ]; then
	echo "Bail out! the sync system tests run as root (they write root-owned caches and use mount namespaces)"
	exit 1
fi

T=$(mktemp -d /tmp/nbg-sync.XXXXXX) || exit 1
chmod 0700 "$T"
SERVER_PID=
PIDS=()
TAP_N=0
TAP_FAILED=0

cleanup() {
	local p
	if declare -F cleanup_hook >/dev/null; then
		cleanup_hook
	fi
	stop_server
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- TAP -----------------------------------------------------------------

ok() {	# ok DESCRIPTION
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1"
}

not_ok() {	# not_ok DESCRIPTION [DETAIL...]
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $1"
	shift
	local line
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/#   /'
	done
	if [ -s "$T/err" ]; then
		sed 's/^/#   stderr: /' "$T/err" | head -20
	fi
}

check() {	# check DESCRIPTION 'SHELL EXPRESSION' : ok when the expression is true
	if eval "$2"; then
		ok "$1"
	else
		not_ok "$1" "false: $2"
	fi
}

finish() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" = 0 ]
	exit $?
}

# --- fixtures ------------------------------------------------------------

make_pki() {
	bash "$HERE/mkcerts.sh" "$T/pki" || { echo "Bail out! mkcerts.sh failed"; exit 1; }
}

gendoc() {	# gendoc OUTFILE GENDOC-ARGS...
	local out=$1
	shift
	"$PYTHON" "$HERE/gendoc.py" "$@" >"$out" || { echo "Bail out! gendoc.py $*"; exit 1; }
}

# The base policy, with any "keyword value" line given replacing the base
# line of that keyword, or added.  CACHE and PORT must be set; the file is
# root-owned 0644 in the 0700 $T.
write_policy() {
	local -a base=(
		"fabric fab-test-01"
		"role_table $CACHE/roles.db"
		"max_cache_age 7d"
		"sync_url https://127.0.0.1:${PORT:-1}/v1/fabrics/fab-test-01/roles.json"
		"sync_ca_file $T/pki/ca.pem"
		"sync_connect_timeout 2s"
		"sync_timeout 5s"
		"sync_retries 2"
		"sync_retry_delay 1s"
		"sync_max_bytes 16M"
	)
	local l x replaced
	for x in "$@"; do
		replaced=0
		for i in "${!base[@]}"; do
			if [ "${base[$i]%% *}" = "${x%% *}" ]; then
				base[$i]=$x
				replaced=1
			fi
		done
		[ $replaced = 1 ] || base+=("$x")
	done
	for l in "${base[@]}"; do
		echo "$l"
	done >"$T/policy.conf"
	chmod 0644 "$T/policy.conf"
}

# start_server CERTNAME SERVER-ARGS... : serve $T/doc.json; sets PORT, SERVER_PID
start_server() {
	local cert=$1 i
	shift
	stop_server
	rm -f "$T/port" "$T/server.log"
	: >"$T/server.log"
	"$PYTHON" "$HERE/server.py" --cert "$T/pki/$cert.pem" --key "$T/pki/$cert.key" \
		--doc "$T/doc.json" --log "$T/server.log" --port-file "$T/port" "$@" \
		2>"$T/server.err" &
	SERVER_PID=$!
	for i in $(seq 100); do
		[ -s "$T/port" ] && break
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			echo "Bail out! the test server did not start: $(cat "$T/server.err")"
			exit 1
		fi
		sleep 0.1
	done
	[ -s "$T/port" ] || { echo "Bail out! the test server did not report its port"; exit 1; }
	PORT=$(cat "$T/port")
}

stop_server() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=
	fi
}

# sync ARGS... : run `nexusbg sync` with the test policy; sets RC, output in $T/out, $T/err
sync_run() {
	"${WRAP[@]}" "$NEXUSBG" sync --policy "$T/policy.conf" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

status_run() {
	"${WRAP[@]}" "$NEXUSBG" status --policy "$T/policy.conf" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

# --- assertions ----------------------------------------------------------

rc_is() { [ "$RC" = "$1" ]; }
err_has() { grep -q -i -e "$1" "$T/err"; }
out_has() { grep -q -i -e "$1" "$T/out"; }

# Keep a copy of the cache; cache_kept compares byte for byte.
snapshot() { cp -p "$CACHE/roles.db" "$T/good.db"; }
cache_kept() { cmp -s "$CACHE/roles.db" "$T/good.db"; }

# The number of requests the server answered (lines with a status).
requests() { grep -c '"status"' "$T/server.log"; }

# A field of the INDEX-th request the server answered (default: the last).
req() {
	"$PYTHON" -c 'import json,sys
rows=[json.loads(l) for l in open(sys.argv[1]) if "\"status\"" in l]
v=rows[int(sys.argv[3])][sys.argv[2]] if rows else None
print("" if v is None else v)' "$T/server.log" "$1" "${2:--1}"
}

# A field of the state file: state FIELD
state() {
	"$PYTHON" -c 'import json,sys; v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v=v[k]
print(v)' "$CACHE/sync-state.json" "$1"
}

# A field of `nexusbg status --json`: status_json FIELD
status_json() {
	"$PYTHON" -c 'import json,sys; v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v=v[k]
print(v)' "$T/out" "$1"
}

# The serial of the cache, through the real opener.
cache_serial() { "$TABLE_READER" --once "$CACHE/roles.db"; }

# No temporary file of an interrupted replacement is left in DIR.
no_temp_files() { ! ls -A "$1" | grep -q '\.tmp\.'; }
