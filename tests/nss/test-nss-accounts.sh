#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test-nss-accounts.sh - `accounts nexusbg` and libnss_nexusbg.so.2, seen
# the way programs see them: `nexusbg sync` writes the accounts database,
# then getent, id, su and pamtester (pam_unix's account phase) resolve the
# accounts through glibc with "files nexusbg" in nsswitch.conf, and
# tests/nss/nss_probe asks the module directly for its exact answers
# (SUCCESS, NOTFOUND, UNAVAIL with errno, TRYAGAIN/ERANGE).
#
# It runs in a private mount namespace where /etc and the parents of the
# database and extrausers directories are overlays whose changes stay in
# a tmpfs: the machine's files never change, and nothing is left behind.
# glibc finds the module in the build tree through LD_LIBRARY_PATH.  The
# test's uid range is 64000-64999; the private /etc/passwd drops any local
# entry in it except the test's own.
if [ -z "${NBG_NSS_NS:-}" ]; then
	exec unshare --mount --propagation private env NBG_NSS_NS=1 bash "$0" "$@"
fi
. "$NBG_SRCDIR/tests/sync/lib.sh"
. "$NBG_SRCDIR/tests/nss/lib.sh"

nss_setup
nss_services files nexusbg
awk -F: '!($3 >= 64000 && $3 <= 64999)' /etc/passwd >"$T/passwd" && cat "$T/passwd" >/etc/passwd
echo "localop:x:64001:64001:a local account:/home/localop:/bin/sh" >>/etc/passwd
awk -F: '!($3 >= 64000 && $3 <= 64999) && $1 != "nexusbg"' /etc/group >"$T/group" &&
    cat "$T/group" >/etc/group
printf 'auth required pam_permit.so\naccount required pam_unix.so\n' >/etc/pam.d/nbg-nss-test

CACHE=$T/cache
write_policy "accounts nexusbg" "account_uid_range 64000-64999"

uid_of() { getent passwd "$1" | cut -d: -f3; }
call() { "$PROBE" call "$MODULE" "$@"; }
synced() { getent passwd | grep -c '^op0'; }
line() {	# line NAME UID: the passwd line sync makes
	echo "$1:x:$2:64000:$1@contoso.com:/home/$1:/bin/bash"
}

# --- entries ---------------------------------------------------------------------

gendoc "$T/doc.json" --serial 1 --users 4 --login root --login localop
sync_run --file "$T/doc.json"
check "sync with accounts nexusbg: the table installs (exit 0)" 'rc_is 0'
check "the database is a root-owned 0644 file, nothing is written for extrausers" '
	[ "$(stat -c "%u %a %F" "$DB")" = "0 644 regular file" ] && [ -z "$(ls -A "$XU")" ]'
check "getent passwd NAME resolves a synced user through the module" '
	[ "$(getent passwd op00000)" = "$(line op00000 64000)" ]'
check "uids are allocated from the range, around a local account that holds 64001" '
	[ "$(uid_of op00001)" = 64002 ] && [ "$(uid_of op00002)" = 64003 ] &&
	[ "$(uid_of op00003)" = 64004 ]'
check "getent passwd UID" '[ "$(getent passwd 64002)" = "$(line op00001 64002)" ]'
check "getent group by name and by gid: the nexusbg group, no member list" '
	[ "$(getent group nexusbg)" = "nexusbg:x:64000:" ] &&
	[ "$(getent group 64000)" = "nexusbg:x:64000:" ]'
check "getent shadow: a locked password and no aging" '
	[ "$(getent shadow op00002)" = "op00002:*:::::::" ]'
check "id NAME" '
	[ "$(id op00001)" = "uid=64002(op00001) gid=64000(nexusbg) groups=64000(nexusbg)" ]'
check "a login that exists in /etc/passwd is never in the database (root)" '
	[ "$(uid_of root)" = 0 ] && [ "$(call getpwnam_r root)" = NOTFOUND ]'
check "... nor a local account inside the range (localop)" '
	[ "$(getent passwd localop | cut -d: -f5)" = "a local account" ] &&
	[ "$(call getpwnam_r localop)" = NOTFOUND ] && [ "$(call getpwuid_r 64001)" = NOTFOUND ]'
check "the skipped users are reported in the state file" '
	[ "$(state accounts.skipped)" = 2 ] && [ "$(state accounts.users)" = 4 ] &&
	[ "$(state accounts.result)" = written ] &&
	grep -q "root: login exists in /etc/passwd" "$CACHE/sync-state.json"'
check "the module answers as glibc expects: SUCCESS, NOTFOUND, TRYAGAIN/ERANGE" '
	[ "$(call getpwnam_r op00003)" = "SUCCESS $(line op00003 64004)" ] &&
	[ "$(call getpwuid_r 64004)" = "SUCCESS $(line op00003 64004)" ] &&
	[ "$(call getpwnam_r nosuch)" = NOTFOUND ] && [ "$(call getpwuid_r 64999)" = NOTFOUND ] &&
	[ "$(call getpwnam_r op00003 16)" = "TRYAGAIN ERANGE" ] &&
	[ "$(call getspnam_r op00003)" = "SUCCESS op00003:*:-1:-1:-1:-1:-1:-1:-1" ] &&
	[ "$(call getgrnam_r nexusbg)" = "SUCCESS nexusbg:x:64000:" ] &&
	[ "$(call getgrgid_r 64000 8)" = "TRYAGAIN ERANGE" ]'

# --- enumeration -------------------------------------------------------------------

getent passwd >"$T/all"
getent -s files passwd >"$T/local"
nlocal=$(wc -l <"$T/local")
check "getent passwd lists the local accounts first, then the synced ones in table order" '
	[ "$(head -n "$nlocal" "$T/all")" = "$(cat "$T/local")" ] &&
	[ "$(tail -n +"$((nlocal + 1))" "$T/all" | cut -d: -f1 | tr "\n" " ")" = \
	    "op00000 op00001 op00002 op00003 " ]'
check "getent shadow and getent group enumerate them too" '
	[ "$(getent shadow | tail -n 4 | cut -d: -f1 | tr "\n" " ")" = \
	    "op00000 op00001 op00002 op00003 " ] &&
	[ "$(getent group | tail -n 1)" = "nexusbg:x:64000:" ]'
check "the module's own enumeration ends with NOTFOUND" '
	[ "$("$PROBE" list "$MODULE" passwd | tail -n 1)" = NOTFOUND ] &&
	[ "$("$PROBE" list "$MODULE" passwd | wc -l)" = 5 ] &&
	[ "$("$PROBE" list "$MODULE" group)" = "$(printf "nexusbg:x:64000:\nNOTFOUND")" ]'

# --- a login ----------------------------------------------------------------------

check "pam_unix's account phase accepts a synced account (pamtester)" '
	pamtester nbg-nss-test op00001 acct_mgmt >"$T/out" 2>&1'
check "... and refuses a name nobody knows" '! pamtester nbg-nss-test nosuch acct_mgmt >"$T/out" 2>&1'
check "su runs a command as a synced user (pam_unix account and session, setuid, initgroups)" '
	[ "$(su -s /bin/sh -c "id -u; id -g; id -G" op00001 2>"$T/err" | tr "\n" " ")" = \
	    "64002 64000 64000 " ]'

# --- later syncs ----------------------------------------------------------------------

u1=$(uid_of op00001) u2=$(uid_of op00002) u3=$(uid_of op00003)
gendoc "$T/doc.json" --serial 2 --start 1 --users 4 --login root
sync_run --file "$T/doc.json"
check "a new table with one user removed and one added installs" 'rc_is 0'
check "the removed user no longer resolves, by name or by uid" '
	! getent passwd op00000 >/dev/null && ! getent passwd 64000 >/dev/null &&
	! getent shadow op00000 >/dev/null'
check "the users that stay keep their uids" '
	[ "$(uid_of op00001)" = "$u1" ] && [ "$(uid_of op00002)" = "$u2" ] &&
	[ "$(uid_of op00003)" = "$u3" ]'
check "the new user gets a fresh uid, not the removed user's 64000" '
	[ "$(uid_of op00004)" = 64005 ]'

ino=$(stat -c %i "$DB")
sync_run --file "$T/doc.json"
check "an unchanged table leaves an identical database alone" '
	rc_is 3 && [ "$(stat -c %i "$DB")" = "$ino" ] && [ "$(state accounts.result)" = current ]'
check "... and records the fingerprint that lets the next unchanged sync skip the work" '
	[ -n "$(state accounts.fingerprint)" ]'
fp=$(state accounts.fingerprint)
touch "$DB"
sync_run --file "$T/doc.json"
check "a database touched since then is checked again (a new fingerprint, still current)" '
	rc_is 3 && [ "$(state accounts.result)" = current ] &&
	[ "$(state accounts.fingerprint)" != "$fp" ] && [ "$(state accounts.users)" = 4 ]'

gendoc "$T/doc.json" --serial 3 --start 1 --users 5
rm -f "$CACHE/sync-state.json"
sync_run --file "$T/doc.json"
check "new users keep going up when the state file is lost" '
	rc_is 0 && [ "$(uid_of op00005)" = 64006 ] && [ "$(uid_of op00002)" = "$u2" ]'

# --- local accounts first -------------------------------------------------------------

echo "op00002:x:1500:1500:a later local account:/home/l:/bin/sh" >>/etc/passwd
check "a local account of the same name wins over the database" '
	[ "$(uid_of op00002)" = 1500 ] && [ "$(call getpwnam_r op00002 | cut -d: -f3)" = "$u2" ]'
sync_run --file "$T/doc.json"
check "... and the next sync takes that user out of the database, with a note" '
	rc_is 3 && [ "$(call getpwnam_r op00002)" = NOTFOUND ] &&
	grep -q "op00002: login exists in /etc/passwd" "$CACHE/sync-state.json" &&
	[ "$(uid_of op00003)" = "$u3" ]'
sed -i '/^op00002:x:1500:/d' /etc/passwd
sync_run --file "$T/doc.json"
check "... and gives it back, with a fresh uid, once the local account is gone" '
	rc_is 3 && [ -n "$(uid_of op00002)" ] && [ "$(uid_of op00002)" -gt 64006 ]'

# --- a database that is not there or not trusted ----------------------------------------

cp -p "$DB" "$T/good.db"
n_all=$(synced)
restore() { rm -f "$DB"; cp -p "$T/good.db" "$DB"; chmod 0755 "$DBDIR"; chown 0:0 "$DBDIR"; }
# refused WHY ERRNO: no entry through glibc, and the module says UNAVAIL ERRNO
refused() {
	! getent passwd op00001 >/dev/null && ! getent shadow op00001 >/dev/null &&
	    ! getent group nexusbg >/dev/null && ! id op00001 >/dev/null 2>&1 &&
	    [ "$(synced)" = 0 ] && [ "$(call getpwnam_r op00001)" = "UNAVAIL $1" ] &&
	    [ "$(call getgrgid_r 64000)" = "UNAVAIL $1" ] &&
	    [ "$("$PROBE" list "$MODULE" shadow)" = "UNAVAIL $1" ]
}
check "the good database resolves all $n_all synced users" '[ "$n_all" = 5 ] && getent passwd op00001 >/dev/null'
rm -f "$DB"
check "a missing database: not found, the module is UNAVAIL (ENOENT)" 'refused ENOENT'
check "... and pam_unix refuses the account" '! pamtester nbg-nss-test op00001 acct_mgmt >"$T/out" 2>&1'
restore; chmod 0666 "$DB"
check "a world-writable database is not trusted (EACCES), never an entry" 'refused EACCES'
restore; chmod 0664 "$DB"
check "a group-writable one neither" 'refused EACCES'
restore; chown 65534 "$DB"
check "nor one that root does not own" 'refused EACCES'
restore; chmod 0777 "$DBDIR"
check "nor one in a directory others may write" 'refused EACCES'
restore; chown 65534 "$DBDIR"
check "nor one in a directory root does not own" 'refused EACCES'
restore; rm -f "$DB"; ln -s "$T/good.db" "$DB"
check "nor a symbolic link, even to a good database" 'refused EACCES'
restore; head -c "$(($(stat -c %s "$T/good.db") - 1))" "$T/good.db" >"$DB"
check "a truncated database is refused (EIO)" 'refused EIO'
restore; head -c 4096 /dev/urandom >"$DB"
check "so is one of random bytes" 'refused EIO'
restore
check "the good database back: everything resolves again" '[ "$(synced)" = "$n_all" ]'

# --- what sync does with them ---------------------------------------------------------

chmod 0666 "$DB"
cp -p "$DB" "$T/insecure.db"
sync_run --file "$T/doc.json"
check "sync does not trust an insecure database: accounts fail (exit 1), the file is left" '
	rc_is 1 && err_has "not trusted" && [ "$(state accounts.result)" = failed ] &&
	cmp -s "$DB" "$T/insecure.db" && [ "$(stat -c %a "$DB")" = 666 ]'
restore
printf 'garbage' >"$DB"
sync_run --file "$T/doc.json"
check "a corrupt database is rebuilt by the next sync, with a note" '
	rc_is 3 && err_has "rebuilding it" && [ "$(synced)" = "$n_all" ] &&
	[ "$(stat -c "%u %a" "$DB")" = "0 644" ]'
check "... its users get uids above every uid handed out before" '
	[ "$(uid_of op00001)" -gt 64006 ] && [ "$(uid_of op00001)" -le 64999 ]'

# --- from accounts extrausers to accounts nexusbg ----------------------------------------

rm -f "$DB" "$CACHE/sync-state.json"
write_policy "accounts extrausers" "account_uid_range 64000-64999"
gendoc "$T/doc.json" --serial 4 --start 10 --users 3
sync_run --file "$T/doc.json"
check "accounts extrausers still writes the extrausers files, and no database" '
	rc_is 0 && [ -s "$XU/passwd" ] && [ ! -e "$DB" ]'
write_policy "accounts nexusbg" "account_uid_range 64000-64999"
printf '%s\n' "op00099:x:64500:64000::/home/op00099:/bin/bash" >>"$XU/passwd"
sync_run --file "$T/doc.json"
same_uids() {	# the module gives each user the uid of the extrausers passwd
	local u
	for u in "$@"; do
		[ "$(call getpwnam_r "$u" | cut -d: -f3)" = \
		    "$(grep "^$u:" "$XU/passwd" | cut -d: -f3)" ] || return 1
	done
}
check "switching to accounts nexusbg keeps the uids the extrausers files gave" '
	rc_is 3 && same_uids op00010 op00011 op00012'
check "... and the extrausers files are no longer written" '
	grep -q "^op00099:" "$XU/passwd" && [ "$(call getpwnam_r op00099)" = NOTFOUND ]'

write_policy
cp -p "$DB" "$T/before.db"
gendoc "$T/doc.json" --serial 5 --start 10 --users 1
sync_run --file "$T/doc.json"
check "accounts none: the database is left alone" '
	rc_is 0 && [ "$(state accounts.result)" = off ] && cmp -s "$DB" "$T/before.db"'

finish
