#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# bench-getpwnam.sh - what one getpwnam() costs with N synced users
# (default 100,000) through "files extrausers" and through "files nexusbg",
# for the first, the middle and the last user, a name nobody has, and a
# uid.  Run by hand, as root, on an otherwise idle machine (it is not a
# test: the figures depend on the machine):
#
#   NBG_SRCDIR=$PWD NBG_BUILDDIR=$PWD/build bash tests/nss/bench-getpwnam.sh [N]
#
# Like tests/nss/test-nss-accounts.sh it runs in a private mount namespace
# over overlays of /etc and /var/lib; `nexusbg sync --file` writes both the
# extrausers files and the accounts database from one role document.
if [ -z "${NBG_NSS_NS:-}" ]; then
	exec unshare --mount --propagation private env NBG_NSS_NS=1 bash "$0" "$@"
fi
. "$NBG_SRCDIR/tests/sync/lib.sh"
. "$NBG_SRCDIR/tests/nss/lib.sh"

N=${1:-100000}
nss_setup
CACHE=$T/cache
last=$(printf 'op%05d' $((N - 1)))
mid=$(printf 'op%05d' $((N / 2)))

echo "# $N users: role document, then nexusbg sync for each accounts mode"
gendoc "$T/doc.json" --serial 1 --users "$N"
timed_sync() {
	local t0 t1
	t0=$(date +%s.%N)
	sync_run --file "$T/doc.json" --now
	t1=$(date +%s.%N)
	printf '# nexusbg sync (%s): exit %s, %.2f s\n' "$1" "$RC" "$(echo "$t1 - $t0" | bc)"
	[ "$RC" = 0 ] || [ "$RC" = 3 ] || { cat "$T/err"; exit 1; }
}
write_policy "accounts extrausers" "account_uid_range 200000-399999" "sync_max_bytes 64M"
timed_sync "accounts extrausers"
write_policy "accounts nexusbg" "account_uid_range 200000-399999" "sync_max_bytes 64M"
timed_sync "accounts nexusbg"
ls -l "$XU/passwd" "$DB" | awk '{ print "# " $5 " bytes  " $9 }'
uid=$(grep "^$last:" "$XU/passwd" | cut -d: -f3)

for services in "files extrausers" "files nexusbg"; do
	nss_services "$services"
	echo "## passwd: $services"
	for key in op00000 "$mid" "$last" nosuch "$uid"; do
		case $services in
		*extrausers) count=200 ;;
		*) count=20000 ;;
		esac
		"$PROBE" time "$key" "$count" | sed 's/^/   getpwnam /;s/getpwnam \([0-9]\)/getpwuid \1/'
	done
done
