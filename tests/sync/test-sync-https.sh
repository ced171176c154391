#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test-sync-https.sh - `nexusbg sync` against a real HTTPS server on
# 127.0.0.1 (tests/sync/server.py) with a test PKI made by openssl.
# After every failure the cache must be byte-identical to the last good one.
. "$NBG_SRCDIR/tests/sync/lib.sh"

make_pki
CACHE=$T/cache
SERIAL=10

# next_doc [GENDOC-ARGS...] : a new document with a higher serial in $T/doc.json
next_doc() {
	SERIAL=$((SERIAL + 1))
	gendoc "$T/doc.json" --serial "$SERIAL" --users 5 "$@"
}

# failed_and_kept DESCRIPTION PATTERN : rc 1, the message matches, the cache is unchanged
failed_and_kept() {
	if rc_is 1 && err_has "$2" && cache_kept && [ "$(state last_result)" = failed ]; then
		ok "$1"
	else
		not_ok "$1" "rc=$RC (want 1), stderr should match '$2', cache must be unchanged"
	fi
}

# --- a first document, then If-None-Match -----------------------------------

next_doc
start_server server
write_policy
sync_run
check "first sync installs the table (exit 0)" 'rc_is 0'
check "the cache holds the served serial" '[ "$(cache_serial)" = "$SERIAL" ]'
check "the state records the update, serial, ETag and URL" '
	[ "$(state last_result)" = updated ] && [ "$(state serial)" = "$SERIAL" ] &&
	[ -n "$(state etag)" ] && [ "$(state last_error)" = "" ] &&
	[ "$(state url)" = "https://127.0.0.1:$PORT/v1/fabrics/fab-test-01/roles.json" ]'
check "the first request carries no If-None-Match" '[ "$(req if_none_match 0)" = "" ]'
check "the cache file is root-owned 0644 and its directory 0755" '
	[ "$(stat -c "%u %a" "$CACHE/roles.db")" = "0 644" ] &&
	[ "$(stat -c "%u %a" "$CACHE")" = "0 755" ]'
snapshot

touch -d '2 days ago' "$CACHE/roles.db"
old_mtime=$(stat -c %Y "$CACHE/roles.db")
sync_run --now
check "an unchanged document gives exit 3" 'rc_is 3'
check "the second request sends the stored ETag as If-None-Match and gets 304" '
	[ "$(req status)" = 304 ] && [ "$(req if_none_match)" = "$(state etag)" ]'
check "304 keeps the cache byte-identical" 'cache_kept'
check "304 touches the cache mtime (the confirmation time)" '
	[ "$(stat -c %Y "$CACHE/roles.db")" -gt "$old_mtime" ]'
check "the state records unchanged" '[ "$(state last_result)" = unchanged ]'

n=$(requests)
sync_run
check "a plain run right after a confirmation does not contact the server" '
	rc_is 3 && [ "$(requests)" = "$n" ] && out_has "use --now"'

sync_run --json --now
check "--json prints the outcome" '
	rc_is 3 && [ "$(status_json result)" = unchanged ] && [ "$(status_json http_status)" = 304 ] &&
	[ "$(status_json exit)" = 3 ]'

prev_serial=$SERIAL
next_doc
sync_run --now
check "a higher serial replaces the table (exit 0)" 'rc_is 0'
check "the replaced table is kept as roles.db.prev" 'cmp -s "$CACHE/roles.db.prev" "$T/good.db"'
check "the new serial is in the cache" '[ "$(cache_serial)" = "$SERIAL" ]'
check "the output names the old and new serial" 'out_has "serial $prev_serial -> $SERIAL"'
snapshot

# --- transport failures ------------------------------------------------------

stop_server
next_doc
sync_run --now
failed_and_kept "nothing listening: refused, cache kept" "connection"
check "nothing listening: 1 + sync_retries attempts" 'rc_is 1 && err_has "3 attempts"'

start_server server --status 500,200
write_policy
sync_run --now
check "HTTP 500 then 200: installed on the retry" 'rc_is 0 && [ "$(cache_serial)" = "$SERIAL" ]'
check "HTTP 500 then 200: two requests, 500 then 200" '
	[ "$(requests)" = 2 ] && [ "$(req status 0)" = 500 ] && [ "$(req status 1)" = 200 ]'
snapshot

next_doc
start_server server --status 503
write_policy
start=$(date +%s%N)
sync_run --now
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
failed_and_kept "HTTP 503 forever: gives up, cache kept" "HTTP status 503"
check "HTTP 503 forever: exactly 1 + sync_retries requests" '[ "$(requests)" = 3 ]'
check "HTTP 503 forever: backed off at least 0.5 s + 1 s between attempts (took ${elapsed_ms} ms)" '
	[ "$elapsed_ms" -ge 1500 ]'
check "HTTP 503 forever: the state says why" 'grep -q 503 <<<"$(state last_error)"'

start_server server --status 404
write_policy
sync_run --now
failed_and_kept "HTTP 404: refused, cache kept" "HTTP status 404"
check "HTTP 404: no retry on a 4xx" 'rc_is 1 && [ "$(requests)" = 1 ]'

start_server server --stall 30
write_policy "sync_retries 1" "sync_timeout 2s" "sync_connect_timeout 1s"
start=$(date +%s)
sync_run --now
elapsed=$(($(date +%s) - start))
failed_and_kept "a server that stalls past sync_timeout: refused, cache kept" "timed out"
check "the stalled transfer was abandoned on time (${elapsed} s for 2 attempts of 2 s)" '
	rc_is 1 && [ "$elapsed" -ge 3 ] && [ "$elapsed" -lt 15 ]'

start_server server --truncate
write_policy "sync_retries 0"
sync_run --now
failed_and_kept "a body shorter than its Content-Length: refused, cache kept" "truncated\|remaining"

gendoc "$T/doc.json" --serial $((SERIAL + 1)) --users 400
start_server server
write_policy "sync_max_bytes 64K"
sync_run --now
failed_and_kept "an announced body over sync_max_bytes: refused, cache kept" "larger than sync_max_bytes"
check "an oversized body is not retried" 'rc_is 1 && [ "$(requests)" = 1 ]'

start_server server --no-length
write_policy "sync_max_bytes 64K"
sync_run --now
failed_and_kept "an unannounced body over sync_max_bytes: aborted while arriving" \
	"larger than sync_max_bytes"

# --- documents that must be refused ------------------------------------------

start_server server
write_policy
printf '{"format_version": 1, "fabric": "fab-test-01", "serial": 99, "users": [' >"$T/doc.json"
sync_run --now
failed_and_kept "invalid JSON: refused, cache kept" "document refused"

gendoc "$T/doc.json" --serial 99 --users 3 --extra-member
sync_run --now
failed_and_kept "a member the schema does not know: refused, cache kept" "document refused"

gendoc "$T/doc.json" --serial 99 --users 3 --fabric fab-other-02
sync_run --now
failed_and_kept "a document for another fabric: refused, cache kept" "fabric"

cached=$(cache_serial)
gendoc "$T/doc.json" --serial $((cached - 1)) --users 5
sync_run --now
failed_and_kept "a lower serial (rollback): refused, cache kept" "rollback"

gendoc "$T/doc.json" --serial "$cached" --users 6
sync_run --now
failed_and_kept "the same serial with different content: refused, cache kept" "different content"

gendoc "$T/doc.json" --serial "$cached" --users 5
start_server server --no-etag
write_policy
touch -d '1 day ago' "$CACHE/roles.db"
sync_run --now
check "the same serial and content without ETag: unchanged (exit 3), cache kept" '
	rc_is 3 && cache_kept'
check "... and the cache mtime is refreshed" '
	[ $(($(date +%s) - $(stat -c %Y "$CACHE/roles.db"))) -lt 60 ]'

# --- TLS ---------------------------------------------------------------------

next_doc
start_server server
write_policy "sync_ca_file $T/pki/other-ca.pem"
sync_run --now
failed_and_kept "a server certificate from another CA: refused, cache kept" "certificate"
check "a TLS verification failure is not retried" 'rc_is 1 && err_has "1 attempt)"'

start_server expired
write_policy
sync_run --now
failed_and_kept "an expired server certificate: refused, cache kept" "expired"

start_server server --client-ca "$T/pki/client-ca.pem"
write_policy "sync_retries 0"
sync_run --now
failed_and_kept "client certificate required and none configured: refused, cache kept" \
	"failed:"
check "the server refused the handshake without a client certificate, answered nothing" '
	rc_is 1 && [ "$(requests)" = 0 ] && grep -q PEER_DID_NOT_RETURN_A_CERTIFICATE "$T/server.log"'

write_policy "sync_client_cert $T/pki/client.pem" "sync_client_key $T/pki/client.key"
sync_run --now
check "mutual TLS with the client certificate: installed" '
	rc_is 0 && [ "$(cache_serial)" = "$SERIAL" ]'
check "the server saw the client certificate" '[ "$(req client_cert)" = "commonName=device-01.fab-test-01" ]'
snapshot

chmod 0644 "$T/pki/client.key"
next_doc
sync_run --now
failed_and_kept "a client key readable by others: refused before connecting" "client key refused"
chmod 0600 "$T/pki/client.key"

# --- bearer token ------------------------------------------------------------

printf 's3cr3t-t0ken.value~42\n' >"$T/token"
chmod 0600 "$T/token"
start_server server --token-file "$T/token"
write_policy "sync_token_file $T/token"
sync_run --now
check "bearer token (one trailing newline stripped): installed" '
	rc_is 0 && [ "$(req token_ok)" = True ]'
check "the token never appears in the output, the state or the error log" '
	! grep -q s3cr3t "$T/out" "$T/err" "$CACHE/sync-state.json"'
snapshot

next_doc
chmod 0640 "$T/token"
n=$(requests)
sync_run --now
failed_and_kept "a token file readable by the group: refused" "bearer token file refused"
check "... and no request was made" 'rc_is 1 && [ "$(requests)" = "$n" ]'
chmod 0600 "$T/token"

printf 'wrong-token\n' >"$T/token2"
chmod 0600 "$T/token2"
write_policy "sync_token_file $T/token2"
sync_run --now
failed_and_kept "a token the server does not accept: HTTP 401, refused" "HTTP status 401"

# the service runs with CapabilityBoundingSet= and NoNewPrivileges=yes
start_server server --token-file "$T/token" --client-ca "$T/pki/client-ca.pem"
write_policy "sync_token_file $T/token" "sync_client_cert $T/pki/client.pem" \
	"sync_client_key $T/pki/client.key"
next_doc
setpriv --bounding-set -all --inh-caps -all --no-new-privs -- \
	"$NEXUSBG" sync --policy "$T/policy.conf" --now >"$T/out" 2>"$T/err"
RC=$?
check "without any capability (as in the service), with token and client certificate: installed" '
	rc_is 0 && [ "$(cache_serial)" = "$SERIAL" ] && [ "$(req token_ok)" = True ]'
snapshot

# credentials in the URL never show
next_doc
start_server server --status 503
write_policy "sync_url https://ops:pa55word@127.0.0.1:$PORT/roles.json" "sync_retries 1"
sync_run --now
check "user:password in sync_url is shown as *** in messages and the state" '
	rc_is 1 && err_has "https://\*\*\*@127.0.0.1:$PORT/roles.json" &&
	! grep -q pa55word "$T/err" "$T/out" "$CACHE/sync-state.json"'

# --- redirects, proxies, --file ----------------------------------------------

start_server server --redirect "https://127.0.0.1:1/elsewhere.json"
write_policy
sync_run --now
failed_and_kept "a redirect is not followed" "redirects are not followed"
check "... after exactly one request" 'rc_is 1 && [ "$(requests)" = 1 ]'

next_doc
start_server server
write_policy
https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 ALL_PROXY=http://127.0.0.1:9 \
	"$NEXUSBG" sync --policy "$T/policy.conf" --now >"$T/out" 2>"$T/err"
RC=$?
check "proxy variables in the environment are ignored (direct connection)" '
	rc_is 0 && [ "$(cache_serial)" = "$SERIAL" ]'
snapshot

gendoc "$T/local.json" --serial $((SERIAL + 1)) --users 5 --extra-member
sync_run --file "$T/local.json"
failed_and_kept "--file goes through the same validation" "document refused"
gendoc "$T/local.json" --serial $((SERIAL + 1)) --users 7
sync_run --file "$T/local.json"
check "--file installs a valid local document, and clears the ETag" '
	rc_is 0 && [ "$(cache_serial)" = $((SERIAL + 1)) ] && [ "$(state etag)" = "" ] &&
	[ "$(state url)" = "file:$T/local.json" ]'

# --- the cache directory and file must be root's -----------------------------

snapshot
chmod 0775 "$CACHE"
sync_run --now
check "a group-writable cache directory: refused (exit 2), nothing changed" '
	rc_is 2 && err_has "mode" && cache_kept'
chmod 0755 "$CACHE"
chmod 0664 "$CACHE/roles.db"
sync_run --now
check "a group-writable cache file: refused (exit 2), nothing changed" '
	rc_is 2 && cache_kept'
chmod 0644 "$CACHE/roles.db"

check "no temporary file is left in the cache directory" 'no_temp_files "$CACHE"'

"$NEXUSBG" sync --help >"$T/out" 2>&1
check "--help documents the exit codes" 'grep -q "0 updated, 3 unchanged" "$T/out"'

finish
