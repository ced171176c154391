#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# test-front-elf.sh - the nexusbg front links the C library only.
#
# sshd starts `nexusbg keys` for every key offered and the device CLI
# starts `nexusbg session check` for every command, so the front must not
# make the dynamic loader map libcurl, OpenSSL, json-c or libaudit:
#   - its NEEDED entries are libc.so.6 alone (and the sanitizer runtimes in
#     a sanitizer build), and ldd lists only libc, the loader and the vDSO;
#   - it imports no function of those libraries (libaudit is dlopen()ed);
#   - the admin commands and the JSON loader are not in it: they are
#     nexusbg-admin's, which does link libcurl.
set -u
: "${NBG_BUILDDIR:?run through meson test}"
front=$NBG_BUILDDIR/tools/nexusbg
admin=$NBG_BUILDDIR/tools/nexusbg-admin
sanitize=${NBG_SANITIZE:-none}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -z "${2:-}" ] || printf '%s\n' "$2" | sed 's/^/#   /'; }

for p in "$front" "$admin"; do
	[ -x "$p" ] || { echo "not ok - $p is not built"; exit 1; }
done

needed=$(readelf -d "$front" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
extra=$(grep -vxF libc.so.6 <<<"$needed" | grep -vE '^lib(a|ub)san\.so\.[0-9]+$' || true)
if [ -n "$extra" ] || ! grep -qxF libc.so.6 <<<"$needed"; then
	notok "front: NEEDED is libc.so.6 only" "$needed"
elif [ "$sanitize" = none ] && [ "$needed" != libc.so.6 ]; then
	notok "front: NEEDED is libc.so.6 only (no sanitizer in this build)" "$needed"
else
	[ "$sanitize" = none ] && ok "front: NEEDED is libc.so.6 only" ||
		ok "front: NEEDED is libc.so.6 and the $sanitize runtimes only"
fi

if [ "$sanitize" = none ]; then
	libs=$(ldd "$front" | awk '{ print $1 }')
	bad=$(grep -vE '^(linux-vdso\.so\.1|linux-gate\.so\.1|libc\.so\.6|/.*/ld-linux[^/]*\.so\.[0-9]+)$' <<<"$libs" || true)
	if [ -z "$bad" ] && [ "$(wc -l <<<"$libs")" -le 3 ]; then
		ok "front: ldd lists libc, the loader and the vDSO only"
	else
		notok "front: ldd lists libc, the loader and the vDSO only" "$(ldd "$front")"
	fi
fi

imports=$(nm -D --undefined-only "$front" | awk '{ print $NF }' | sed 's/@.*//')
bad=$(grep -E '^(curl_|json_|EVP_|EC_|BN_|OPENSSL_|ERR_|audit_|auparse_)' <<<"$imports" || true)
[ -z "$bad" ] && ok "front: imports no libcurl, json-c, OpenSSL or libaudit function" ||
	notok "front: imports no libcurl, json-c, OpenSSL or libaudit function" "$bad"
grep -qx dlopen <<<"$imports" && ok "front: can dlopen() libaudit" ||
	notok "front: imports dlopen (for libaudit)" "$imports"

defined=$(nm --defined-only "$front" | awk '{ print $NF }')
bad=$(grep -xE 'cmd_(sync|status|policy|explain)|nbg_table_open_any|nbg_roledoc_[a-z_]+|nbg_cli_open_table|nbg_sshsig_[a-z_]+' <<<"$defined" || true)
[ -z "$bad" ] && ok "front: no admin command, JSON loader or signature code in it" ||
	notok "front: no admin command, JSON loader or signature code in it" "$bad"
for f in cmd_keys cmd_session nbg_table_open nbg_session_check_reason nbg_audit_log; do
	grep -qx "$f" <<<"$defined" && ok "front: has $f" || notok "front: has $f"
done

admin_needed=$(readelf -d "$admin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
grep -q '^libcurl' <<<"$admin_needed" && ok "nexusbg-admin links libcurl (the split is real)" ||
	notok "nexusbg-admin links libcurl" "$admin_needed"

echo "1..$n"
[ "$failed" = 0 ]
