#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# test-module-deps.sh - what pam_nexusbg.so costs to load, checked on the
# built objects.  libpam dlopen()s the module for every handle and
# dlclose()s it at pam_end, so everything it needs is loaded and relocated
# for every login: the module may need libpam, libaudit (libpam loads it
# anyway) and libc, nothing else.  The auth phase's libfido2 and libcrypto
# belong to the plugin pam_nexusbg-auth.so, which exports one symbol.
#
# usage: test-module-deps.sh MODULE PLUGIN   (NBG_SANITIZE: meson's b_sanitize)
set -u
mod=$1 plugin=$2
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }

# Sanitizer builds also link their runtimes.
extra='^$'
case ${NBG_SANITIZE:-none} in
none | '') ;;
*) extra='^(libasan|libubsan|liblsan|libtsan)\.so' ;;
esac

needed() {
	readelf -dW "$1" | sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]/\1/p'
}

# 1. DT_NEEDED: libpam, libaudit, libc
others=$(needed "$mod" | grep -vxE 'libpam\.so\.0|libaudit\.so\.1|libc\.so\.6' |
	grep -vE "$extra" | tr '\n' ' ')
if [ -z "$others" ]; then
	ok "module needs only libpam, libaudit and libc ($(needed "$mod" | tr '\n' ' '))"
else
	bad "module needs more: $others"
fi

# 2. ldd: nothing that libpam does not load already
libpam=$(ldd "$mod" | awk '$1 == "libpam.so.0" { print $3 }')
if [ -z "$libpam" ]; then
	bad "ldd does not resolve libpam.so.0 for the module"
else
	# (and, in a sanitizer build, nothing its runtimes do not load)
	runtimes=$(ldd "$mod" | awk '{ print $1, $3 }' | grep -E "$extra" | awk '{ print $2 }')
	more=$(ldd "$mod" | awk '{ print $1 }' |
		grep -vxF -f <(echo libpam.so.0; ldd "$libpam" | awk '{ print $1 }'
			for rt in $runtimes; do ldd "$rt" | awk '{ print $1 }'; done) |
		grep -vE "$extra" | tr '\n' ' ')
	if [ -z "$more" ]; then
		ok "ldd: the module loads nothing libpam does not load already"
	else
		bad "ldd: the module also loads: $more"
	fi
fi

# 3. no reference to json-c, OpenSSL or libfido2 (nm -u)
refs=$(nm -D --undefined-only "$mod" | awk '{ print $2 }' |
	grep -E '^(json_|EVP_|EC_|BN_|OPENSSL_|CRYPTO_|ECDSA_|fido_|es256_|eddsa_)' | tr '\n' ' ')
if [ -z "$refs" ]; then
	ok "module references no json-c, OpenSSL or libfido2 symbol"
else
	bad "module references: $refs"
fi

# 4. exports: the PAM entry points; the plugin its one symbol
exports() {
	nm -D --defined-only "$1" | awk '$2 ~ /^[TDBR]$/ { print $3 }' | sort | tr '\n' ' '
}
want="pam_sm_acct_mgmt pam_sm_authenticate pam_sm_close_session pam_sm_open_session pam_sm_setcred "
if [ "$(exports "$mod")" = "$want" ]; then
	ok "module exports the five PAM entry points only"
else
	bad "module exports: $(exports "$mod")"
fi
if [ "$(exports "$plugin")" = "nbg_auth_plugin " ]; then
	ok "plugin exports nbg_auth_plugin only"
else
	bad "plugin exports: $(exports "$plugin")"
fi

# 5. the plugin carries the auth phase's libraries (so the split is where it should be)
for lib in libfido2.so.1 libcrypto.so.3; do
	if needed "$plugin" | grep -qxF "$lib"; then
		ok "plugin needs $lib"
	else
		bad "plugin does not need $lib"
	fi
done
exit $fail
