#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# test-deb.sh - build the Debian packages from a copy of the source tree
# (packaging/debian becomes debian/) and check what they carry: the module
# in the PAM module directory, the NSS module, the command (a libc-only
# front and its helper in /usr/libexec/nexusbg), the sshd drop-in pointing
# at /usr/bin/nexusbg, the units, the library split, and what the
# maintainer scripts do to copies of nsswitch.conf.  Nothing is installed.
set -u
: "${NBG_SRCDIR:?set by meson test}"
command -v dpkg-buildpackage >/dev/null || { echo "FAIL: dpkg-dev/debhelper missing"; exit 1; }
tmp=$(mktemp -d /tmp/nbg-deb.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }

mkdir "$tmp/src"
(cd "$NBG_SRCDIR" && git ls-files -z 2>/dev/null | xargs -0 cp --parents -t "$tmp/src") ||
	cp -a "$NBG_SRCDIR/." "$tmp/src"
rm -rf "$tmp/src/build" "$tmp/src/build-"*
cp -r "$tmp/src/packaging/debian" "$tmp/src/debian"
if (cd "$tmp/src" && DEB_BUILD_OPTIONS="nocheck parallel=2" \
	dpkg-buildpackage -us -uc -b >"$tmp/build.log" 2>&1); then
	ok "dpkg-buildpackage"
else
	tail -40 "$tmp/build.log"
	bad "dpkg-buildpackage"
	exit 1
fi
deb=$(ls "$tmp"/nexusbg_*.deb)
contents=$(dpkg -c "$deb" | awk '{print $6}')
for f in ./usr/bin/nexusbg ./usr/libexec/nexusbg/nexusbg-admin ./usr/bin/nexusbg-cli \
	./etc/nexusbg/policy.conf \
	./etc/ssh/sshd_config.d/50-nexusbg.conf ./usr/lib/systemd/system/nexusbg-sync.timer \
	./usr/lib/systemd/system/nexusbg-sync.service ./usr/lib/tmpfiles.d/nexusbg.conf \
	./usr/share/man/man8/pam_nexusbg.8.gz ./usr/share/man/man8/libnss_nexusbg.8.gz; do
	grep -qxF "$f" <<<"$contents" && ok "nexusbg carries $f" || bad "nexusbg lacks $f"
done
grep -qE '^\./lib/[^/]+/security/pam_nexusbg\.so$' <<<"$contents" &&
	ok "module in the PAM module directory" || bad "module not in /lib/<triplet>/security"
grep -qE '^\./lib/[^/]+/security/pam_nexusbg-auth\.so$' <<<"$contents" &&
	ok "auth-phase plugin next to the module" || bad "plugin not in /lib/<triplet>/security"
dpkg-deb -x "$deb" "$tmp/x"
needed=$(readelf -d "$tmp/x/usr/bin/nexusbg" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
[ "$needed" = libc.so.6 ] && ok "nexusbg links libc only" || bad "nexusbg links $(echo $needed)"
grep -qaF /usr/libexec/nexusbg/nexusbg-admin "$tmp/x/usr/bin/nexusbg" &&
	ok "nexusbg runs its installed helper /usr/libexec/nexusbg/nexusbg-admin" ||
	bad "nexusbg does not name /usr/libexec/nexusbg/nexusbg-admin"
for p in "$deb" "$(ls "$tmp"/libnexusbg-session0_*.deb)"; do
	dpkg-deb -f "$p" Depends | grep -qE '(^|, )libaudit1( |,|$)' &&
		ok "$(basename "$p"): depends on libaudit1 (loaded when a record is written)" ||
		bad "$(basename "$p"): no libaudit1 dependency"
done
grep -qx 'AuthorizedKeysCommand /usr/bin/nexusbg keys --uid %U %u' "$tmp/x/etc/ssh/sshd_config.d/50-nexusbg.conf" &&
	ok "drop-in points at /usr/bin/nexusbg" || bad "drop-in path"
grep -qx 'ExecStart=/usr/libexec/nexusbg/nexusbg-admin sync --quiet' "$tmp/x/usr/lib/systemd/system/nexusbg-sync.service" &&
	ok "service runs the helper, /usr/libexec/nexusbg/nexusbg-admin" || bad "service ExecStart"
dpkg-deb -e "$deb" "$tmp/ctl"
grep -q 'setcap cap_audit_write+ep' "$tmp/ctl/postinst" && ok "postinst grants cap_audit_write" ||
	bad "postinst setcap"
sh -n "$tmp/ctl/postinst" && ok "postinst parses" || bad "postinst syntax"
sh -n "$tmp/ctl/postrm" && ok "postrm parses" || bad "postrm syntax"
grep -qE '^\./usr/lib/[^/]+/libnss_nexusbg\.so\.2$' <<<"$contents" &&
	ok "NSS module in the library directory" || bad "no usr/lib/<triplet>/libnss_nexusbg.so.2"
# The maintainer scripts' nsswitch.conf edits, on copies (never /etc).
nsw=$tmp/nsswitch
mkdir "$nsw"
eval "$(sed -n '/^nsswitch_add_nexusbg() {/,/^}/p' "$tmp/ctl/postinst")"
eval "$(sed -n '/^nsswitch_remove_nexusbg() {/,/^}/p' "$tmp/ctl/postrm")"
printf '%s\n' '# comment' 'passwd:         files systemd extrausers' \
	'group:          files systemd extrausers' 'shadow:         files' \
	'gshadow:        files' 'hosts:          files dns' >"$nsw/debian"
nsswitch_add_nexusbg "$nsw/debian"
[ "$(grep -E '^(passwd|group|shadow|gshadow|hosts):' "$nsw/debian")" = "$(printf '%s\n' \
	'passwd:         files systemd nexusbg extrausers' \
	'group:          files systemd nexusbg extrausers' 'shadow:         files nexusbg' \
	'gshadow:        files' 'hosts:          files dns')" ] &&
	ok "postinst adds nexusbg to passwd, group and shadow, before extrausers" ||
	bad "postinst nsswitch.conf edit: $(cat "$nsw/debian")"
cp -p "$nsw/debian" "$nsw/once"
nsswitch_add_nexusbg "$nsw/debian"
cmp -s "$nsw/debian" "$nsw/once" && ok "postinst adds it once" || bad "postinst adds nexusbg twice"
printf '%s\n' 'passwd: files nexusbg' 'group: files' 'shadow: files' >"$nsw/admin"
cp -p "$nsw/admin" "$nsw/admin.orig"
nsswitch_add_nexusbg "$nsw/admin"
cmp -s "$nsw/admin" "$nsw/admin.orig" && ok "postinst leaves an admin's nexusbg lines alone" ||
	bad "postinst overrode an admin's edit"
printf '%s\n' '  passwd : files # local accounts' 'shadow:' 'hosts: files' >"$nsw/odd"
chmod 0640 "$nsw/odd"
ln -s odd "$nsw/link"
nsswitch_add_nexusbg "$nsw/link"
[ -L "$nsw/link" ] && [ "$(stat -c %a "$nsw/odd")" = 640 ] &&
	[ "$(cat "$nsw/odd")" = "$(printf '%s\n' '  passwd : files nexusbg # local accounts' \
	'shadow: files nexusbg' 'hosts: files' 'group: files nexusbg')" ] &&
	ok "postinst: comments, spacing, empty and missing lines, a symlink, the mode" ||
	bad "postinst odd nsswitch.conf: $(cat "$nsw/odd")"
nsswitch_remove_nexusbg "$nsw/debian"
[ "$(grep -E '^(passwd|group|shadow):' "$nsw/debian")" = "$(printf '%s\n' \
	'passwd:         files systemd extrausers' 'group:          files systemd extrausers' \
	'shadow:         files')" ] && ok "postrm takes nexusbg out again" ||
	bad "postrm nsswitch.conf edit: $(cat "$nsw/debian")"
printf '%s\n' 'passwd: nexusbg' 'group: files' >"$nsw/only"
cp -p "$nsw/only" "$nsw/only.x"
nsswitch_remove_nexusbg "$nsw/only"
[ "$(cat "$nsw/only")" = "$(printf '%s\n' 'passwd: files' 'group: files')" ] &&
	ok "postrm never leaves a line without a service" || bad "postrm: $(cat "$nsw/only")"
lib=$(ls "$tmp"/libnexusbg-session0_*.deb)
dpkg -c "$lib" | grep -q 'libnexusbg-session\.so\.0' && ok "library package" || bad "library package"
dev=$(ls "$tmp"/libnexusbg-session-dev_*.deb)
dpkg -c "$dev" | grep -q 'include/nexusbg/session.h' && ok "dev package has the header" ||
	bad "dev package header"
exit $fail
