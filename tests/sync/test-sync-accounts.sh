#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test-sync-accounts.sh - accounts through libnss-extrausers, checked with
# getent.  Runs in a private mount namespace over a snapshot of /etc (with
# nsswitch.conf listing extrausers, and one extra local account) and a
# private /var/lib/extrausers, so the machine's files never change and
# other programs changing /etc/passwd meanwhile do not disturb the test.
# The test's uid range is 64000-64999; the snapshot drops any local entry
# in it except the test's own.
if [ -z "${NBG_SYNC_NS:-}" ]; then
	exec unshare --mount --propagation private env NBG_SYNC_NS=1 bash "$0" "$@"
fi
. "$NBG_SRCDIR/tests/sync/lib.sh"

XU=/var/lib/extrausers
MOUNTS=()
cleanup_hook() {
	local m
	for m in "${MOUNTS[@]}"; do
		umount "$m" 2>/dev/null
	done
}

overlay() {	# overlay SOURCE TARGET
	mount --bind "$1" "$2" || { echo "Bail out! cannot bind-mount $1 on $2"; exit 1; }
	MOUNTS+=("$2")
}

if ! compgen -G "/usr/lib/libnss_extrausers.so.2" >/dev/null &&
    ! compgen -G "/usr/lib/*/libnss_extrausers.so.2" >/dev/null &&
    ! compgen -G "/lib/*/libnss_extrausers.so.2" >/dev/null; then
	echo "Bail out! libnss-extrausers is not installed (packaging/build-deps lists it)"
	exit 1
fi

mkdir -p "$T/xu"
chmod 0755 "$T/xu"
mkdir -p "$XU"
overlay "$T/xu" "$XU"
cp -a /etc "$T/etc"
sed -E 's/^(passwd|group|shadow):(.*)$/\1:\2 extrausers/' /etc/nsswitch.conf >"$T/etc/nsswitch.conf"
grep -q '^passwd:.*extrausers' "$T/etc/nsswitch.conf" || { echo "Bail out! nsswitch.conf has no passwd line"; exit 1; }
awk -F: '!($3 >= 64000 && $3 <= 64999)' /etc/passwd >"$T/etc/passwd"
echo "localop:x:64001:64001:a local account:/home/localop:/bin/sh" >>"$T/etc/passwd"
awk -F: '!($3 >= 64000 && $3 <= 64999) && $1 != "nexusbg"' /etc/group >"$T/etc/group"
overlay "$T/etc" /etc

CACHE=$T/cache
base=("accounts extrausers" "account_uid_range 64000-64999")
write_policy "${base[@]}"

uid_of() { getent passwd "$1" | cut -d: -f3; }

gendoc "$T/doc.json" --serial 1 --users 4 --login root --login localop
sync_run --file "$T/doc.json"
check "sync with accounts: the table installs (exit 0)" 'rc_is 0'
check "getent resolves a synced user through extrausers" '
	[ "$(getent passwd op00000)" = "op00000:x:64000:64000:op00000@contoso.com:/home/op00000:/bin/bash" ]'
check "uids are allocated from the range, around a local account that holds 64001" '
	[ "$(uid_of op00001)" = 64002 ] && [ "$(uid_of op00002)" = 64003 ] &&
	[ "$(uid_of op00003)" = 64004 ]'
check "a login that exists in /etc/passwd is never shadowed (root)" '
	[ "$(uid_of root)" = 0 ] && ! grep -q "^root:" "$XU/passwd"'
check "... nor a local account inside the range (localop)" '
	[ "$(getent passwd localop | cut -d: -f5)" = "a local account" ] && ! grep -q "^localop:" "$XU/passwd"'
check "the skipped users are reported in the state file" '
	[ "$(state accounts.skipped)" = 2 ] && [ "$(state accounts.users)" = 4 ] &&
	grep -q "root: login exists in /etc/passwd" "$CACHE/sync-state.json" &&
	grep -q "localop: login exists" "$CACHE/sync-state.json"'
check "the nexusbg group lists the synced users" '
	[ "$(getent group nexusbg)" = "nexusbg:x:64000:op00000,op00001,op00002,op00003" ]'
check "shadow holds * (key-only, no password)" '
	[ "$(getent shadow op00002 | cut -d: -f2)" = "*" ]'
check "passwd and group are root-owned 0644, shadow 0600" '
	[ "$(stat -c "%u %a" "$XU/passwd")" = "0 644" ] && [ "$(stat -c "%u %a" "$XU/group")" = "0 644" ] &&
	[ "$(stat -c "%u %a" "$XU/shadow")" = "0 600" ]'
check "the state records the accounts as written" '[ "$(state accounts.result)" = written ]'

u1=$(uid_of op00001) u2=$(uid_of op00002) u3=$(uid_of op00003)
gendoc "$T/doc.json" --serial 2 --start 1 --users 4 --login root
sync_run --file "$T/doc.json"
check "a new table with one user removed and one added installs" 'rc_is 0'
check "the removed user no longer resolves" '! getent passwd op00000 >/dev/null'
check "the users that stay keep their uids" '
	[ "$(uid_of op00001)" = "$u1" ] && [ "$(uid_of op00002)" = "$u2" ] &&
	[ "$(uid_of op00003)" = "$u3" ]'
op4=$(uid_of op00004)
check "the new user gets a fresh uid, not the removed user's 64000 ($op4)" '[ "$op4" = 64005 ]'
check "the group follows the table" '
	[ "$(getent group nexusbg | cut -d: -f4)" = "op00001,op00002,op00003,op00004" ]'

before=$(stat -c %Y "$XU/passwd")
touch -d '1 hour ago' "$XU/passwd"
before=$(stat -c %Y "$XU/passwd")
sync_run --file "$T/doc.json"
check "an unchanged table leaves identical account files alone" '
	rc_is 3 && [ "$(stat -c %Y "$XU/passwd")" = "$before" ] && [ "$(state accounts.result)" = current ]'

rm -f "$XU/shadow"
sed -i 's#:/bin/bash$#:/bin/sh#' "$XU/passwd"
setpriv --bounding-set -all --inh-caps -all --no-new-privs -- \
	"$NEXUSBG" sync --policy "$T/policy.conf" --file "$T/doc.json" >"$T/out" 2>"$T/err"
RC=$?
check "an unchanged table repairs damaged account files (run without any capability)" '
	rc_is 3 && [ "$(getent shadow op00003 | cut -d: -f2)" = "*" ] &&
	[ "$(getent passwd op00003 | cut -d: -f7)" = /bin/bash ] && [ "$(state accounts.result)" = written ]'
check "... with the same uids" '[ "$(uid_of op00001)" = "$u1" ] && [ "$(uid_of op00004)" = "$op4" ]'

gendoc "$T/doc.json" --serial 3 --start 1 --users 5
sync_run --file "$T/doc.json"
check "new users keep going up even when the state file is lost" '
	rc_is 0 && [ "$(uid_of op00005)" = 64006 ] && rm -f "$CACHE/sync-state.json" &&
	gendoc "$T/doc.json" --serial 4 --start 2 --users 5 && sync_run --file "$T/doc.json" &&
	[ "$(uid_of op00006)" = 64007 ] && [ "$(uid_of op00002)" = "$u2" ]'

write_policy "accounts extrausers" "account_uid_range 64000-64007"
gendoc "$T/doc.json" --serial 5 --start 2 --users 8
sync_run --file "$T/doc.json"
check "once the range is used up, freed uids are reused, lowest first" '
	rc_is 0 && [ "$(uid_of op00007)" = 64000 ] && [ "$(uid_of op00008)" = 64002 ]'
check "users without a free uid are skipped and reported, the table still installs" '
	[ "$(cache_serial)" = 5 ] && [ "$(state accounts.users)" = 7 ] &&
	[ "$(state accounts.skipped)" = 1 ] &&
	grep -q "op00009: no free uid left in 64000-64007" "$CACHE/sync-state.json" &&
	[ "$(wc -l <"$XU/passwd")" = 7 ] && ! getent passwd op00009 >/dev/null'

cp -p "$XU/passwd" "$T/passwd.before"
write_policy "accounts extrausers" "account_uid_range 64000-64999" "account_gid 100"
gendoc "$T/doc.json" --serial 6 --start 1 --users 4
sync_run --file "$T/doc.json"
check "a gid that belongs to a local group: accounts refused (exit 1), table installed" '
	rc_is 1 && err_has "gid 100 belongs to local group" && [ "$(cache_serial)" = 6 ] &&
	[ "$(state accounts.result)" = failed ] && cmp -s "$XU/passwd" "$T/passwd.before"'

write_policy
gendoc "$T/doc.json" --serial 7 --start 1 --users 2
sync_run --file "$T/doc.json"
check "accounts none: the account files are left alone" '
	rc_is 0 && [ "$(state accounts.result)" = off ] && cmp -s "$XU/passwd" "$T/passwd.before"'

finish
