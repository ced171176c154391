#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# test-deb.sh - build the Debian packages from a copy of the source tree
# (packaging/debian becomes debian/) and check what they carry: the module
# in the PAM module directory, the command, the sshd drop-in pointing at
# /usr/bin/nexusbg, the units, the library split.  Nothing is installed.
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
for f in ./usr/bin/nexusbg ./usr/bin/nexusbg-cli ./etc/nexusbg/policy.conf \
	./etc/ssh/sshd_config.d/50-nexusbg.conf ./usr/lib/systemd/system/nexusbg-sync.timer \
	./usr/lib/systemd/system/nexusbg-sync.service ./usr/lib/tmpfiles.d/nexusbg.conf \
	./usr/share/man/man8/pam_nexusbg.8.gz; do
	grep -qxF "$f" <<<"$contents" && ok "nexusbg carries $f" || bad "nexusbg lacks $f"
done
grep -qE '^\./lib/[^/]+/security/pam_nexusbg\.so$' <<<"$contents" &&
	ok "module in the PAM module directory" || bad "module not in /lib/<triplet>/security"
grep -qE '^\./lib/[^/]+/security/pam_nexusbg-auth\.so$' <<<"$contents" &&
	ok "auth-phase plugin next to the module" || bad "plugin not in /lib/<triplet>/security"
dpkg-deb -x "$deb" "$tmp/x"
grep -qx 'AuthorizedKeysCommand /usr/bin/nexusbg keys %u' "$tmp/x/etc/ssh/sshd_config.d/50-nexusbg.conf" &&
	ok "drop-in points at /usr/bin/nexusbg" || bad "drop-in path"
grep -q 'ExecStart=/usr/bin/nexusbg sync' "$tmp/x/usr/lib/systemd/system/nexusbg-sync.service" &&
	ok "service runs /usr/bin/nexusbg" || bad "service ExecStart"
dpkg-deb -e "$deb" "$tmp/ctl"
grep -q 'setcap cap_audit_write+ep' "$tmp/ctl/postinst" && ok "postinst grants cap_audit_write" ||
	bad "postinst setcap"
sh -n "$tmp/ctl/postinst" && ok "postinst parses" || bad "postinst syntax"
lib=$(ls "$tmp"/libnexusbg-session0_*.deb)
dpkg -c "$lib" | grep -q 'libnexusbg-session\.so\.0' && ok "library package" || bad "library package"
dev=$(ls "$tmp"/libnexusbg-session-dev_*.deb)
dpkg -c "$dev" | grep -q 'include/nexusbg/session.h' && ok "dev package has the header" ||
	bad "dev package header"
exit $fail
