# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
# tests/nss/lib.sh - a private device for the NSS tests and the getpwnam
# benchmark.  Source it after tests/sync/lib.sh, in a private mount
# namespace (unshare --mount --propagation private); it needs $T.
#
#   nss_setup    /etc and the parents of the accounts database directory
#                and of /var/lib/extrausers become overlays whose changes
#                stay in a tmpfs of this namespace (cleanup_hook unmounts
#                them); both directories start empty; glibc finds the
#                module of the build tree (LD_LIBRARY_PATH)
#   nss_services SERVICES...
#                the passwd, group and shadow lines of nsswitch.conf
#
# Variables: PROBE (tests/nss/nss_probe), MODULE (the built module), DB
# (the database path compiled into it), DBDIR, XU (/var/lib/extrausers).

PROBE=$NBG_BUILDDIR/tests/nss/nss_probe
MODULE=$NBG_BUILDDIR/nss/libnss_nexusbg.so.2
XU=/var/lib/extrausers
MOUNTS=()

cleanup_hook() {
	local i
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTS[$i]}" 2>/dev/null
	done
}

# _nss_private DIR: from now on DIR's changes go to the tmpfs
_nss_private() {
	local d=$1 n=${#MOUNTS[@]}
	if ! mountpoint -q "$T/ovl"; then
		mkdir -p "$T/ovl" && mount -t tmpfs -o mode=0700 nbg-nss-test "$T/ovl" ||
		    { echo "Bail out! cannot mount a tmpfs on $T/ovl"; exit 1; }
		MOUNTS+=("$T/ovl")
		n=${#MOUNTS[@]}
	fi
	mkdir -p "$T/ovl/$n/up" "$T/ovl/$n/work"
	mount -t overlay "nbg-nss-test-$n" \
	    -o "lowerdir=$d,upperdir=$T/ovl/$n/up,workdir=$T/ovl/$n/work" "$d" ||
	    { echo "Bail out! cannot put an overlay on $d"; exit 1; }
	MOUNTS+=("$d")
	[ "$(findmnt -n -o FSTYPE --mountpoint "$d")" = overlay ] ||
	    { echo "Bail out! $d is not private"; exit 1; }
}

nss_setup() {
	local d db
	[ -f "$MODULE" ] || { echo "Bail out! $MODULE is not built"; exit 1; }
	DB=$("$PROBE" db) || { echo "Bail out! nss_probe db"; exit 1; }
	DBDIR=$(dirname "$DB")
	for d in /etc "$(dirname "$DBDIR")" "$(dirname "$XU")"; do
		[ -d "$d" ] || { echo "Bail out! $d does not exist"; exit 1; }
		findmnt -n --mountpoint "$d" -o SOURCE | grep -q '^nbg-nss-test' || _nss_private "$d"
	done
	# fresh, empty directories (in the overlays: whiteouts, the real ones stay)
	rm -rf "$DBDIR" "$XU" && mkdir -m 0755 "$DBDIR" "$XU" ||
	    { echo "Bail out! cannot make $DBDIR and $XU"; exit 1; }
	export LD_LIBRARY_PATH=$NBG_BUILDDIR/nss
}

nss_services() {
	local db
	sed -i -E "s/^(passwd|group|shadow):.*\$/\\1: $*/" /etc/nsswitch.conf
	for db in passwd group shadow; do
		grep -q "^$db: $*\$" /etc/nsswitch.conf || echo "$db: $*" >>/etc/nsswitch.conf
	done
}
