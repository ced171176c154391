#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test-sync-status.sh - `nexusbg status`: what it shows and its exit codes for a
# fresh, stale, missing, invalid, insecure and foreign cache.
. "$NBG_SRCDIR/tests/sync/lib.sh"

make_pki
CACHE=$T/cache
write_policy "max_cache_age 1d"

status_run
check "no cache yet: exit 1, status missing" \
	'rc_is 1 && out_has "missing"'

gendoc "$T/doc.json" --serial 42 --users 7 --blocked-every 3
sync_run --file "$T/doc.json"
check "a table to look at installs" 'rc_is 0'

status_run
check "fresh cache: exit 0" 'rc_is 0'
check "the text shows serial, fabric, users per role, blocked users and the last sync" '
	out_has "^serial: *42$" && out_has "^fabric: *fab-test-01$" &&
	out_has "users: *7 (reader 4, writer 3), 2 blocked" &&
	out_has "last sync: *updated at" && out_has "generated at: *2026-11-21T10:00:00Z"'

status_run --json
check "--json: status ok, counts per role, blocked, age, the state" '
	rc_is 0 && [ "$(status_json status)" = ok ] && [ "$(status_json serial)" = 42 ] &&
	[ "$(status_json roles.reader)" = 4 ] && [ "$(status_json roles.writer)" = 3 ] &&
	[ "$(status_json blocked)" = 2 ] && [ "$(status_json age_seconds)" -lt 60 ] &&
	[ "$(status_json max_cache_age)" = 86400 ] &&
	[ "$(status_json sync.last_result)" = updated ] && [ "$(status_json exit)" = 0 ]'

touch -d '2 days ago' "$CACHE/roles.db"
status_run --json
check "a cache older than max_cache_age: exit 3, status stale" '
	rc_is 3 && [ "$(status_json status)" = stale ] && [ "$(status_json stale)" = True ] &&
	[ "$(status_json age_seconds)" -ge 172800 ]'
status_run
check "... and the text says STALE" 'rc_is 3 && out_has "STALE"'

printf '{"format_version": 1,' >"$T/bad.json"
sync_run --file "$T/bad.json"
status_run
check "a failed sync shows in status with its error; the cache is still usable" '
	rc_is 3 && out_has "last sync: *failed" && out_has "last error: *document refused"'

cp -p "$CACHE/roles.db" "$T/good.db"
chmod 0666 "$CACHE/roles.db"
status_run --json
check "a world-writable cache: exit 1, status insecure" \
	'rc_is 1 && [ "$(status_json status)" = insecure ]'
chmod 0644 "$CACHE/roles.db"

head -c 4096 /dev/urandom >"$CACHE/roles.db"
status_run --json
check "a corrupt cache: exit 1, status invalid" \
	'rc_is 1 && [ "$(status_json status)" = invalid ]'
cp -p "$T/good.db" "$CACHE/roles.db"
touch "$CACHE/roles.db"

write_policy "max_cache_age 1d" "fabric fab-elsewhere-09"
status_run --json
check "a cache for another fabric: exit 1, status wrong-fabric" \
	'rc_is 1 && [ "$(status_json status)" = wrong-fabric ]'
write_policy "max_cache_age 1d"

rm -f "$CACHE/sync-state.json"
status_run
check "no state file: the cache is still shown, the sync as not recorded" \
	'rc_is 0 && out_has "last sync: *none recorded"'

rm -f "$CACHE/roles.db"
status_run --json
check "a removed cache: exit 1, status missing" \
	'rc_is 1 && [ "$(status_json status)" = missing ]'

"$NEXUSBG" status --help >"$T/out" 2>&1
check "--help documents the exit codes" \
	'out_has "3 the cache is older than max_cache_age"'
"$NEXUSBG" status --bogus >"$T/out" 2>&1
RC=$?
check "an unknown option: exit 2" 'rc_is 2'

finish
