#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# shellcheck disable=SC2016 # single-quoted strings are eval'd by must/mustnt
#
# test-sk-soft.sh - the software security key (sk-soft.so) against the real
# OpenSSH, for both key types (ecdsa-sk, ed25519-sk):
#   - ssh-keygen enrolls keys with it (-w and SSH_SK_PROVIDER), asking for
#     the PIN through askpass for verify-required keys, giving up after
#     two wrong PINs (three attempts); resident keys come back with
#     ssh-keygen -K;
#   - ssh-keygen -Y sign signs with it and -Y verify accepts, reporting the
#     flags and counter the key chose; libfido2 (sk-soft-verify) verifies
#     the same signatures and the enrollment attestation, and refuses a
#     signature without UP or UV when told to require it.  (OpenSSH 9.2's
#     -Y verify checks no flags and its allowed_signers has no
#     verify-required option - a line with one is rejected as a bad
#     option - so flags are checked there by libfido2.)
#   - a real sshd (tests/lib/sshd.sh, UsePAM no, authorized_keys lines with
#     verify-required) accepts the right PIN, refuses a wrong or missing
#     PIN, refuses UV forced off ("user verification requirement not met")
#     and UP clear ("user presence ... requirement not met");
#   - sshd.sh runs sshd with UsePAM yes and a private PAM stack bind-mounted
#     over /etc/pam.d, leaving the machine's untouched.
#
# Environment: SK_SOFT_PROVIDER (built sk-soft.so) and SK_SOFT_VERIFY
# (built sk-soft-verify) are required; NBG_SRCDIR defaults to the source
# tree around this script.  Needs root (test users, sshd): exits 77 without.
set -euo pipefail
# (grep -q reads a file or <(...), never the end of a pipeline: with
# pipefail, the writer's SIGPIPE would turn a match into a failure)

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root (creates test users, runs sshd)"
	exit 77
fi
: "${SK_SOFT_PROVIDER:?set SK_SOFT_PROVIDER to the built sk-soft.so}"
: "${SK_SOFT_VERIFY:?set SK_SOFT_VERIFY to the built sk-soft-verify}"
NBG_SRCDIR=${NBG_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source-path=SCRIPTDIR source=../lib/sshd.sh
. "$NBG_SRCDIR/tests/lib/sshd.sh"

P=$SK_SOFT_PROVIDER
V=$SK_SOFT_VERIFY

# A provider built with -fsanitize=address needs the ASan runtime loaded
# first in each OpenSSH client that loads it (ssh, ssh-keygen,
# ssh-sk-helper): gcc's libasan.so, or clang's shared libclang_rt.asan (a
# clang-built module expects the runtime in the executable).  OpenSSH's own
# leaks are not this test's business; the module's are checked by
# test-sk-soft-api under ASan and valgrind.  tests/lib/sshd.sh starts sshd
# and its own tools without the preload.
asan_rt=
if grep -q ' __asan_' <(nm -D --undefined-only "$P"); then
	asan_rt=$(ldd "$P" | awk '/libasan\.so/ { print $3 }')
	if [ -z "$asan_rt" ] && command -v clang >/dev/null; then
		asan_rt=$(clang -print-file-name="libclang_rt.asan-$(uname -m).so")
	fi
	if [ ! -f "$asan_rt" ]; then
		echo "SKIP: $P needs an ASan runtime that cannot be found"
		exit 77
	fi
	export LD_PRELOAD=$asan_rt
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
fi

# sk-soft-verify: our own build, never with the preloaded runtime
verifier() {
	env -u LD_PRELOAD "$V" "$@"
}

PIN=4831
WRONG_PIN=1111
NS="test"

sshd_lib_init
D=$SSHD_LIB_DIR
unset SK_SOFT_NO_UP SK_SOFT_FORCE_UV SK_SOFT_COUNTER SK_SOFT_STATE_DIR \
    SSH_SK_PROVIDER SSH_AUTH_SOCK
export SK_SOFT_PIN=$PIN SK_SOFT_QUIET=1 SK_SOFT_LOG=$D/sk-soft.log
sshd_show_on_failure "$SK_SOFT_LOG" "$D/banner.err" "$D/ysign.log" "$D/fido.log"

n=0
ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}

# must DESC CMD...: CMD succeeds.  mustnt DESC CMD...: CMD fails.
must() {
	local desc=$1
	shift
	"$@" || sshd_fail "$desc (exit $?)"
	ok "$desc"
}

mustnt() {
	local desc=$1
	shift
	if "$@"; then
		sshd_fail "$desc: succeeded but must fail"
	fi
	ok "$desc"
}

# asked DESC BEFORE N: askpass answered N PIN prompts since BEFORE.
asked() {
	local got
	got=$(($(sshd_askpass_count) - $2))
	[ "$got" -eq "$3" ] || sshd_fail "$1: askpass asked $got times, not $3"
	ok "$1"
}

# ---- the module itself -------------------------------------------------

must "provider exports exactly the four middleware functions" \
    test "$(nm -D --defined-only "$P" | awk '{print $3}' | sort | xargs)" \
    = "sk_api_version sk_enroll sk_load_resident_keys sk_sign"

head -c 32 /dev/urandom >"$D/challenge"
printf 'nexusbg sk-soft test message\n' >"$D/msg"

# ysign TAG KEY [sshd_noterm options]: ssh-keygen -Y sign a copy of msg.
ysign() {
	local tag=$1 key=$2
	shift 2
	rm -f "$D/msg.$tag.sig"
	cp "$D/msg" "$D/msg.$tag"
	sshd_noterm "$@" ssh-keygen -q -Y sign -n "$NS" -f "$key" -w "$P" \
	    "$D/msg.$tag" 2>>"$D/ysign.log"
}

# yverify TAG KEY: ssh-keygen -Y verify; its output in $D/verify.TAG.
yverify() {
	local tag=$1 key=$2
	echo "signer@test $(cat "$key.pub")" >"$D/allowed_signers"
	# (OpenSSH ends its stderr lines with CR LF)
	ssh-keygen -vv -Y verify -f "$D/allowed_signers" -I signer@test \
	    -n "$NS" -s "$D/msg.$tag.sig" <"$D/msg.$tag" 2>&1 |
	    tr -d '\r' >"$D/verify.$tag"
}

# ydetails TAG FLAGS COUNTER: what -Y verify saw in the signature.
ydetails() {
	grep -q "Good \"$NS\" signature for signer@test" "$D/verify.$1" &&
	    grep -q "signature details: counter = $3, flags = $2\$" "$D/verify.$1"
}

# fido TAG KEY [--up] [--uv]: libfido2's verdict (0 valid, 1 refused).
fido() {
	local tag=$1 key=$2
	shift 2
	verifier sshsig "$@" "$key.pub" "$D/msg.$tag.sig" "$D/msg.$tag" "$NS" \
	    >>"$D/fido.log" 2>&1
}

fido_refuses() {
	local rc=0
	fido "$@" || rc=$?
	[ "$rc" -eq 1 ]
}

banner_shown() {
	grep -q 'TEST ONLY software security key' "$D/banner.err"
}

for kt in ecdsa-sk ed25519-sk; do
	case $kt in
	ecdsa-sk) kname=sk-ecdsa-sha2-nistp256@openssh.com label=ECDSA-SK ;;
	ed25519-sk) kname=sk-ssh-ed25519@openssh.com label=ED25519-SK ;;
	esac
	key=$D/id_$kt

	# -- enrollment --
	before=$(sshd_askpass_count)
	SK_SOFT_QUIET=0 sshd_noterm --pin "$PIN" ssh-keygen -q -t "$kt" \
	    -O verify-required -O challenge="$D/challenge" \
	    -O write-attestation="$key.att" -w "$P" -N '' \
	    -C "sk-soft $kt" -f "$key" 2>"$D/banner.err" ||
	    sshd_fail "$kt: ssh-keygen -w enrollment (verify-required)"
	ok "$kt: ssh-keygen -w enrolls a verify-required key"
	asked "$kt: enrollment asked for the PIN once" "$before" 1
	must "$kt: module warns on stderr when loaded" banner_shown
	must "$kt: public key is $kname" grep -q "^$kname " "$key.pub"
	must "$kt: libfido2 verifies the self attestation (UP, UV)" \
	    eval 'verifier attest --uv "$key.pub" "$key.att" "$D/challenge" \
	    >>"$D/fido.log"'

	before=$(sshd_askpass_count)
	SSH_SK_PROVIDER=$P sshd_noterm --no-pin ssh-keygen -q -t "$kt" -N '' \
	    -C "sk-soft $kt touch" -f "$key-touch" ||
	    sshd_fail "$kt: SSH_SK_PROVIDER enrollment"
	ok "$kt: SSH_SK_PROVIDER enrolls a key without verify-required"
	asked "$kt: no PIN asked without verify-required" "$before" 0

	before=$(sshd_askpass_count)
	mustnt "$kt: enrollment with a wrong PIN fails" \
	    sshd_noterm --pin "$WRONG_PIN" ssh-keygen -q -t "$kt" \
	    -O verify-required -w "$P" -N '' -f "$key-wrong"
	asked "$kt: ... after two PIN prompts (three attempts), no loop" \
	    "$before" 2
	must "$kt: ... and writes no key" test ! -e "$key-wrong"

	must "$kt: ssh-keygen -lf prints its fingerprint" \
	    grep -Eq "^256 SHA256:[A-Za-z0-9+/]{43} sk-soft $kt \\($label\\)\$" \
	    <(ssh-keygen -lf "$key.pub")

	# -- ssh-keygen -Y sign / verify, libfido2 --
	must "$kt: -Y sign with the PIN" ysign good "$key" --pin "$PIN"
	must "$kt: -Y verify accepts it" yverify good "$key"
	must "$kt: ... with UP and UV set, counter 1" ydetails good 0x05 1
	must "$kt: libfido2 verifies it requiring UP and UV" \
	    fido good "$key" --up --uv

	cp "$D/msg.good.sig" "$D/msg.tampered.sig"
	printf 'tampered\n' >"$D/msg.tampered"
	mustnt "$kt: -Y verify refuses it for another message" \
	    yverify tampered "$key"
	must "$kt: libfido2 refuses it for another message" \
	    fido_refuses tampered "$key"

	before=$(sshd_askpass_count)
	mustnt "$kt: -Y sign without a PIN fails" ysign nopin "$key" --no-pin
	asked "$kt: ... after one prompt" "$before" 1
	before=$(sshd_askpass_count)
	mustnt "$kt: -Y sign with a wrong PIN fails" \
	    ysign wrongpin "$key" --pin "$WRONG_PIN"
	asked "$kt: ... after one prompt" "$before" 1
	must "$kt: ... and the module saw the wrong PIN" \
	    grep -q "sk_sign .* -> PIN_REQUIRED (wrong PIN)" "$SK_SOFT_LOG"

	SK_SOFT_NO_UP=1 ysign noup "$key" --pin "$PIN" ||
	    sshd_fail "$kt: -Y sign with SK_SOFT_NO_UP=1"
	must "$kt: UP clear: -Y verify reports flags 0x04" \
	    eval 'yverify noup "$key" && ydetails noup 0x04 1'
	must "$kt: UP clear: libfido2 refuses it requiring UP" \
	    fido_refuses noup "$key" --up
	must "$kt: UP clear: libfido2 accepts it requiring UV only" \
	    fido noup "$key" --uv

	SK_SOFT_FORCE_UV=0 ysign nouv "$key" --pin "$PIN" ||
	    sshd_fail "$kt: -Y sign with SK_SOFT_FORCE_UV=0"
	must "$kt: UV forced off: -Y verify reports flags 0x01" \
	    eval 'yverify nouv "$key" && ydetails nouv 0x01 1'
	must "$kt: UV forced off: libfido2 refuses it requiring UV" \
	    fido_refuses nouv "$key" --uv

	# ssh-keygen -Y sign prompts for a verify-required key's PIN before
	# it calls the key; with no PIN to give, the lying key signs anyway
	SK_SOFT_FORCE_UV=1 ysign lying "$key" --no-pin ||
	    sshd_fail "$kt: -Y sign with SK_SOFT_FORCE_UV=1"
	must "$kt: UV forced on: signs without a PIN" \
	    grep -q "sk_sign .* pin=none flags=0x05 counter=1 -> ok" \
	    "$SK_SOFT_LOG"
	must "$kt: UV forced on: flags 0x05" \
	    eval 'yverify lying "$key" && ydetails lying 0x05 1'

	SK_SOFT_COUNTER=4242 ysign counter "$key" --pin "$PIN" ||
	    sshd_fail "$kt: -Y sign with SK_SOFT_COUNTER"
	must "$kt: SK_SOFT_COUNTER=4242 is the counter" \
	    eval 'yverify counter "$key" && ydetails counter 0x05 4242 &&
	    fido counter "$key" --up --uv'

	mkdir -p "$D/state-$kt"
	for i in 1 2 3; do
		SK_SOFT_STATE_DIR=$D/state-$kt ysign "state$i" "$key" \
		    --pin "$PIN" || sshd_fail "$kt: -Y sign with a state dir"
		must "$kt: SK_SOFT_STATE_DIR counter $i" \
		    eval "yverify state$i \"\$key\" && ydetails state$i 0x05 $i"
	done

	# -- resident keys --
	mkdir -p "$D/rk-$kt/dl"
	SK_SOFT_STATE_DIR=$D/rk-$kt sshd_noterm --pin "$PIN" ssh-keygen -q \
	    -t "$kt" -O resident -O verify-required -O user=tester -w "$P" \
	    -N '' -f "$D/rk-$kt/orig" ||
	    sshd_fail "$kt: resident enrollment"
	ok "$kt: enrolls a resident key"
	mustnt "$kt: ssh-keygen -K with a wrong PIN fails" \
	    eval '(cd "$D/rk-$kt/dl" && SK_SOFT_STATE_DIR=$D/rk-$kt \
	    sshd_noterm --pin "$WRONG_PIN" ssh-keygen -q -K -w "$P" -N "")'
	must "$kt: ssh-keygen -K loads it back with the PIN" \
	    eval '(cd "$D/rk-$kt/dl" && SK_SOFT_STATE_DIR=$D/rk-$kt \
	    sshd_noterm --pin "$PIN" ssh-keygen -q -K -w "$P" -N "")'
	must "$kt: ... as the same public key" test \
	    "$(cut -d' ' -f1,2 "$D/rk-$kt/dl/id_${kt/-/_}_rk_tester.pub")" = \
	    "$(cut -d' ' -f1,2 "$D/rk-$kt/orig.pub")"
done

# ---- logins through a real sshd -----------------------------------------

sshd_user_add U
sshd_user_authorize "$U" \
    "verify-required $(cat "$D/id_ecdsa-sk.pub")" \
    "verify-required $(cat "$D/id_ed25519-sk.pub")" \
    "$(cat "$D/id_ecdsa-sk-touch.pub")" \
    "$(cat "$D/id_ed25519-sk-touch.pub")"
sshd_start --use-pam no
ok "sshd started on port $SSHD_PORT (pid $SSHD_PID)"

# login KEY [sshd_client options]: ssh in, run id -un, compare.
login() {
	local key=$1
	shift
	sshd_client --key "$key" "$@" "$U" id -un >"$D/out" &&
	    [ "$(cat "$D/out")" = "$U" ]
}

# refused MARK: sshd closed the connection before authentication and
# accepted no key (the client gave up after the server refused).
refused() {
	sshd_log_wait "$1" "Connection closed by authenticating user $U " ||
	    return 1
	! grep -q "Accepted publickey" <(sshd_log_since "$1")
}

for kt in ecdsa-sk ed25519-sk; do
	key=$D/id_$kt

	mark=$(sshd_log_mark)
	before=$(sshd_askpass_count)
	must "$kt: login with the right PIN (id -un)" login "$key" --pin "$PIN"
	asked "$kt: ... after one PIN prompt" "$before" 1
	must "$kt: ... sshd accepted the key with UP and UV" eval \
	    'sshd_log_wait "$mark" "Accepted publickey for $U" &&
	    grep -q "sk_flags = 0x05" <(sshd_log_since "$mark")'

	mark=$(sshd_log_mark)
	before=$(sshd_askpass_count)
	mustnt "$kt: login with a wrong PIN fails" \
	    login "$key" --pin "$WRONG_PIN"
	asked "$kt: ... after one PIN prompt, not in a loop" "$before" 1
	must "$kt: ... and sshd accepted nothing" refused "$mark"

	mark=$(sshd_log_mark)
	mustnt "$kt: login without a PIN fails" login "$key"
	must "$kt: ... and sshd accepted nothing" refused "$mark"

	mark=$(sshd_log_mark)
	SK_SOFT_FORCE_UV=0 login "$key" --pin "$PIN" &&
	    sshd_fail "$kt: login with UV forced off succeeded"
	ok "$kt: login with UV forced off fails"
	must "$kt: ... sshd: user verification requirement not met" \
	    sshd_log_wait "$mark" "user verification requirement not met"
	must "$kt: ... and sshd accepted nothing" refused "$mark"

	mark=$(sshd_log_mark)
	SK_SOFT_NO_UP=1 login "$key" --pin "$PIN" &&
	    sshd_fail "$kt: login with UP clear succeeded"
	ok "$kt: login with UP clear fails"
	must "$kt: ... sshd: user presence requirement not met" \
	    sshd_log_wait "$mark" \
	    "user presence \\(authenticator touch\\) requirement not met"
	must "$kt: ... and sshd accepted nothing" refused "$mark"

	before=$(sshd_askpass_count)
	SK_SOFT_FORCE_UV=1 login "$key" ||
	    sshd_fail "$kt: a key that claims UV without a PIN was refused"
	ok "$kt: a key that lies about UV gets in: sshd trusts the flag"
	asked "$kt: ... and no PIN was asked" "$before" 0

	before=$(sshd_askpass_count)
	must "$kt: a key without verify-required logs in without a PIN" \
	    login "$key-touch"
	asked "$kt: ... and no PIN was asked" "$before" 0
done

if sshd_have_ipv6; then
	must "login over ::1" login "$D/id_ed25519-sk" --pin "$PIN" --addr ::1
fi

pid=$SSHD_PID
sshd_stop
must "sshd stopped (pid $pid gone)" eval '! kill -0 "$pid" 2>/dev/null'

# ---- sshd.sh: a private PAM stack over /etc/pam.d ------------------------

pam_sum=$(sha256sum /etc/pam.d/sshd)
mkdir -m 0755 "$D/pam.d"
printf '#!/bin/sh\necho "$PAM_TYPE $PAM_USER" >>%s/pam.log\n' "$D" \
    >"$D/pam-mark"
chmod 0755 "$D/pam-mark"
write_pam_stack() {
	{
		echo "auth     required pam_deny.so"
		echo "account  required pam_exec.so $D/pam-mark"
		echo "account  required $1"
		echo "session  required pam_permit.so"
		echo "password required pam_deny.so"
	} >"$D/pam.d/sshd"
}

write_pam_stack pam_permit.so
sshd_start --pam-dir "$D/pam.d"
must "UsePAM yes, private stack: login with the right PIN" \
    login "$D/id_ecdsa-sk" --pin "$PIN"
must "... the private account stack ran" \
    grep -qx "account $U" "$D/pam.log"
sshd_stop

write_pam_stack pam_deny.so
sshd_start --pam-dir "$D/pam.d"
mark=$(sshd_log_mark)
mustnt "UsePAM yes, account stack denies: login fails" \
    login "$D/id_ecdsa-sk" --pin "$PIN"
must "... sshd: the account stack refused" \
    sshd_log_wait "$mark" "Access denied for user $U by PAM account"
sshd_stop
must "the machine's /etc/pam.d/sshd is untouched" \
    test "$(sha256sum /etc/pam.d/sshd)" = "$pam_sum"

echo "1..$n"
