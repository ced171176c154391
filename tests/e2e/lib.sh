# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
#
# tests/e2e/lib.sh - a break-glass device on loopback, set up the way a
# Debian 12 switch would be: the shipped sshd drop-in, PAM stack, policy and
# tmpfiles at their real paths, `nexusbg` installed with cap_audit_write as
# sshd's AuthorizedKeysCommand, users synced from an HTTPS control plane
# (mutual TLS) into the accounts database of libnss_nexusbg, a real auditd,
# and operators who log in with the software FIDO2 key of tests/sk-soft
# (touch + PIN).
#
# A test script (bash, run by meson as root) starts with
#
#	. "$NBG_SRCDIR/tests/e2e/lib.sh"
#	e2e_enter "$@"          # returns inside the private device
#	e2e_device              # install as packaging does; the control plane
#	e2e_key alice ed25519-sk
#	e2e_doc_user alice reader alice
#	e2e_doc_publish 1       # the control plane serves the role document
#	e2e_sync                # nexusbg sync
#	e2e_sshd_start
#	expect_granted "reader" alice reader --key alice
#	...
#	e2e_finish
#
# Isolation.  e2e_enter makes sure an auditd is receiving records
# (tests/lib/auditd.sh: the running one, or a private one it stops again),
# then runs the script again inside new mount, PID and UTS namespaces
# (unshare --kill-child).  There, /run and /tmp are fresh tmpfs mounts and
# /etc, /usr, /var/lib, /var/log and /home are overlays whose changes live
# in memory: the users, the installed files, the role cache, the session
# records, the extrausers files, sshd's wtmp and lastlog entries vanish with
# the namespace, whatever way the script ends.  Processes are stopped by pid
# (tests/lib/sshd.sh's traps and e2e_at_exit), and the kernel kills any that
# remain when the namespace's first process exits.  Outside the namespaces
# only the auditd that auditd.sh may start, and the audit records, exist.
#
# Variables (after e2e_device):
#   E2E_DIR           work dir (root-only): keys, client files, logs
#   E2E_KEYS          the operators' key files (NAME, NAME.pub)
#   E2E_POLICY        /etc/nexusbg/policy.conf
#   E2E_CACHE         /var/lib/nexusbg/roles.db
#   E2E_PORT          the device sshd's port (127.0.0.1, 127.0.0.10, ::1)
#   E2E_CP_PORT       the control plane's port (https://127.0.0.1:PORT)
#   E2E_PIN           the PIN of every software key
#   E2E_OUT, E2E_ERR  stdout and stderr of the last e2e_ssh
#   E2E_CLOG          its ssh -v log
#   E2E_REF           the reference (NBG-XXXXXXXXXX) it showed, if any
#   E2E_SREF          the reference of the last session expect_granted saw
#   RC                exit status of the last e2e_ssh / e2e_sync
#
# Functions are described where they are defined.

# (variables for the scripts that source this file)
# shellcheck disable=SC2034
E2E_PIN=482915
E2E_HOSTNAME=leaf-e2e-01
E2E_FABRIC=fab-example-01
E2E_POLICY=/etc/nexusbg/policy.conf
E2E_CACHE=/var/lib/nexusbg/roles.db
E2E_INBAND_ADDR=127.0.0.10
E2E_DIR=
E2E_KEYS=
E2E_RUN=
E2E_PORT=
E2E_LOG=
E2E_CP_PORT=
E2E_CP_PID=
E2E_OUT=
E2E_ERR=
E2E_CLOG=
E2E_REF=
E2E_KNOWN_HOSTS=
E2E_NEXUSBG=/usr/bin/nexusbg
E2E_QUIET=${E2E_QUIET:-0}
RC=0
E2E_PASSED=0
E2E_FAILED=0
_e2e_doc_users=()
_e2e_sshd_wrapper=
_e2e_nssh=0
# the ASan runtime for OpenSSH programs that load instrumented code
E2E_PRE=(env)

# ---- results ---------------------------------------------------------------

e2e_say() {
	[ "$E2E_QUIET" = 1 ] || printf '# %s\n' "$*"
}

ok() {
	E2E_PASSED=$((E2E_PASSED + 1))
	[ "$E2E_QUIET" = 1 ] || printf 'ok - %s\n' "$1"
}

# not_ok NAME [DETAIL...]: a failed check, with what was seen.
not_ok() {
	local line
	E2E_FAILED=$((E2E_FAILED + 1))
	printf 'not ok - %s\n' "$1"
	shift
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/#   /' | head -n 40
	done
}

# check NAME CMD [ARG...]: ok when CMD succeeds.
check() {
	local name=$1
	shift
	if "$@"; then
		ok "$name"
	else
		not_ok "$name" "failed: $*"
	fi
}

# e2e_finish: the summary line; exits 0 only when every check passed.
e2e_finish() {
	echo "$E2E_PASSED passed, $E2E_FAILED failed"
	[ "$E2E_FAILED" = 0 ] && [ "$E2E_PASSED" -gt 0 ]
	exit $?
}

# ---- entering the private device ---------------------------------------------

# e2e_enter "$@": outside, make sure auditd runs and re-run the script in
# the namespaces; inside, set up the private file system and return.
e2e_enter() {
	local rc apid
	if [ -n "${NBG_E2E_INNER:-}" ]; then
		_e2e_inner
		return 0
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root (users, sshd, namespaces, auditd)"
		exit 77
	fi
	: "${NBG_SRCDIR:?set by meson test}" "${NBG_BUILDDIR:?set by meson test}"
	_e2e_prereqs || exit 1
	# shellcheck source=../lib/auditd.sh
	. "$NBG_SRCDIR/tests/lib/auditd.sh"
	auditd_ensure
	rc=$?
	[ "$rc" = 0 ] || exit "$rc"
	apid=$(_nbg_audit_status pid)
	NBG_E2E_INNER=1 unshare --mount --propagation private --uts --pid --fork \
	    --kill-child --mount-proc -- bash "$0" "$@"
	rc=$?
	# (only from here: auditctl does not answer inside a PID namespace)
	if [ "$rc" != 0 ] && [ "$(_nbg_audit_status pid)" != "$apid" ]; then
		echo "NOTE: the audit daemon changed while the test ran (pid $apid, now" \
		    "$(_nbg_audit_status pid)): something else stopped or started auditd," \
		    "and records written meanwhile were lost; audit checks may have failed for that" >&2
	fi
	exit "$rc"
}

_e2e_prereqs() {
	local p missing=0
	for p in /usr/sbin/sshd ssh ssh-keygen ssh-agent ssh-add unshare setcap \
	    openssl python3 useradd chpasswd ausearch; do
		if ! command -v "$p" >/dev/null; then
			echo "FAIL: $p is not installed (packaging/build-deps lists it)"
			missing=1
		fi
	done
	if ! compgen -G '/usr/lib/libnss_extrausers.so.2' >/dev/null &&
	    ! compgen -G '/usr/lib/*/libnss_extrausers.so.2' >/dev/null; then
		echo "FAIL: libnss-extrausers is not installed (packaging/build-deps lists it)"
		missing=1
	fi
	for p in tools/nexusbg tools/nexusbg-admin pam_nexusbg/pam_nexusbg.so tests/sk-soft/sk-soft.so; do
		if [ ! -e "$NBG_BUILDDIR/$p" ]; then
			echo "FAIL: $NBG_BUILDDIR/$p is not built"
			missing=1
		fi
	done
	if ! grep -qw overlay /proc/filesystems && ! modprobe overlay 2>/dev/null; then
		echo "FAIL: the kernel has no overlay file system (the test keeps /etc private with it)"
		missing=1
	fi
	[ "$missing" = 0 ]
}

_e2e_inner() {
	local log=${NBG_AUDIT_LOG:-}
	set -u
	[ -n "$log" ] || { echo "FAIL: NBG_AUDIT_LOG is not exported by auditd_ensure"; exit 1; }
	# (auditd.sh's functions read the log; sourcing it clears the variables)
	# shellcheck source=../lib/auditd.sh
	. "$NBG_SRCDIR/tests/lib/auditd.sh"
	NBG_AUDIT_LOG=$log
	SK_SOFT_PROVIDER=${SK_SOFT_PROVIDER:-$NBG_BUILDDIR/tests/sk-soft/sk-soft.so}
	export SK_SOFT_PROVIDER
	hostname "$E2E_HOSTNAME" || { echo "FAIL: hostname in the UTS namespace"; exit 1; }
	_e2e_private_fs
	# shellcheck source=../lib/sshd.sh
	. "$NBG_SRCDIR/tests/lib/sshd.sh"
	sshd_lib_init
	E2E_DIR=$SSHD_LIB_DIR/e2e
	E2E_KEYS=$E2E_DIR/keys
	mkdir -m 0700 "$E2E_DIR" "$E2E_KEYS" "$E2E_DIR/cp"
	E2E_OUT=$E2E_DIR/out
	E2E_ERR=$E2E_DIR/err
	E2E_KNOWN_HOSTS=$E2E_DIR/known_hosts
	: >"$E2E_KNOWN_HOSTS"
	_e2e_asan
}

# _e2e_mount ARGS...: mount(8), in this namespace only, or fail.
_e2e_mount() {
	mount "$@" || { echo "FAIL: mount $*"; exit 1; }
}

# _e2e_overlay DIR: DIR's changes go to a tmpfs from now on.  Submounts
# below DIR are mounted back on top.
_e2e_overlay() {
	local dir=$1 name sub i
	local -a subs=()
	name=$(printf '%s' "$dir" | tr / _)
	mkdir -p "$E2E_RUN/ovl/$name/up" "$E2E_RUN/ovl/$name/work"
	# the merged root takes the upper dir's owner and mode
	chown --reference="$dir" "$E2E_RUN/ovl/$name/up"
	chmod --reference="$dir" "$E2E_RUN/ovl/$name/up"
	mapfile -t subs < <(findmnt -rn -o TARGET | awk -v d="$dir/" 'index($0, d) == 1')
	for ((i = 0; i < ${#subs[@]}; i++)); do
		mkdir -p "$E2E_RUN/sub/$i"
		_e2e_mount --rbind "${subs[i]}" "$E2E_RUN/sub/$i"
	done
	_e2e_mount -t overlay "nbg-e2e$name" -o \
	    "lowerdir=$dir,upperdir=$E2E_RUN/ovl/$name/up,workdir=$E2E_RUN/ovl/$name/work" "$dir"
	for ((i = 0; i < ${#subs[@]}; i++)); do
		sub=${subs[i]}
		_e2e_mount --rbind "$E2E_RUN/sub/$i" "$sub"
	done
}

_e2e_private_fs() {
	local d rel logdir
	logdir=$(dirname "$NBG_AUDIT_LOG")
	for d in "$NBG_SRCDIR" "$NBG_BUILDDIR" "$logdir"; do
		case $d in
		/run/*) echo "FAIL: $d is under /run, which the test replaces"; exit 1 ;;
		esac
	done
	_e2e_mount -t tmpfs -o mode=0755 nbg-e2e-run /run
	E2E_RUN=/run/nbg-e2e
	mkdir -m 0700 "$E2E_RUN"
	# the audit log stays readable under its new name
	mkdir "$E2E_RUN/audit-log"
	_e2e_mount --bind "$logdir" "$E2E_RUN/audit-log"
	NBG_AUDIT_LOG=$E2E_RUN/audit-log/$(basename "$NBG_AUDIT_LOG")
	NBG_AUSEARCH="ausearch -if $NBG_AUDIT_LOG"
	export NBG_AUDIT_LOG NBG_AUSEARCH
	# /tmp: a fresh one; the source and build trees stay where they are
	mkdir "$E2E_RUN/host-tmp"
	_e2e_mount --bind /tmp "$E2E_RUN/host-tmp"
	_e2e_mount -t tmpfs -o mode=1777 nbg-e2e-tmp /tmp
	for d in "$NBG_SRCDIR" "$NBG_BUILDDIR"; do
		case $d in
		/tmp/*)
			rel=${d#/tmp/}
			mkdir -p "/tmp/$rel"
			_e2e_mount --bind "$E2E_RUN/host-tmp/$rel" "/tmp/$rel"
			;;
		esac
	done
	for d in /etc /usr /var/lib /var/log /home; do
		_e2e_overlay "$d"
	done
}

# In a sanitizer build the module, nexusbg and the software key are
# instrumented: sshd and the OpenSSH clients that load the key get the ASan
# runtime preloaded (their own leaks are not this test's business).
_e2e_asan() {
	local mod=$NBG_BUILDDIR/pam_nexusbg/pam_nexusbg.so rt
	_e2e_sshd_wrapper=$SSHD_LIB_DIR/sshd-wrapper
	if nm -D --undefined-only "$mod" | grep -q ' __asan_'; then
		rt=$(ldd "$mod" | awk '/libasan\.so/ { print $3 }')
		if [ -z "$rt" ] && command -v clang >/dev/null; then
			rt=$(clang -print-file-name="libclang_rt.asan-$(uname -m).so")
		fi
		[ -f "$rt" ] || sshd_fail "$mod needs an ASan runtime that cannot be found"
		E2E_PRE=(env LD_PRELOAD="$rt"
		    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")
	fi
	# sshd re-executes itself by this path for each connection
	printf '#!/bin/sh\nexec %s /usr/sbin/sshd "$@"\n' "${E2E_PRE[*]}" >"$_e2e_sshd_wrapper"
	chmod 0755 "$_e2e_sshd_wrapper"
}

# e2e_at_exit CMD [ARG...]: run at exit (see sshd_at_exit).
e2e_at_exit() {
	sshd_at_exit "$@"
}

# ---- the device ----------------------------------------------------------------

# e2e_device: install nexusbg as a package would (the policy with the test
# device's addresses), make the control plane's PKI and start it with an
# empty role document.  Keys (e2e_key), users (e2e_doc_user,
# e2e_doc_publish), the sync (e2e_sync) and sshd (e2e_sshd_start) are the
# test's.
e2e_device() {
	_e2e_install
	_e2e_control_plane
}

_e2e_install() {
	local secdir unix nsslib helper
	unix=$(find /usr/lib /lib -path '*/security/pam_unix.so' -print -quit 2>/dev/null)
	[ -n "$unix" ] || sshd_fail "no pam_unix.so: where are the PAM modules?"
	secdir=$(dirname "$unix")
	# nexusbg runs its helper from the installed path when it is itself at the
	# build's installed path (a --prefix=/usr build), else from next to it
	helper=$(dirname "$E2E_NEXUSBG")/nexusbg-admin
	grep -qxF "#define NBG_INSTALLED_FRONT \"$E2E_NEXUSBG\"" "$NBG_BUILDDIR/nbg-config.h" &&
	    helper=$(sed -n 's/^#define NBG_INSTALLED_HELPER "\(.*\)"$/\1/p' "$NBG_BUILDDIR/nbg-config.h")
	if ! { install -m 0755 -o root -g root "$NBG_BUILDDIR/tools/nexusbg" "$E2E_NEXUSBG" &&
	    install -D -m 0755 -o root -g root "$NBG_BUILDDIR/tools/nexusbg-admin" "$helper" &&
	    setcap cap_audit_write+ep "$E2E_NEXUSBG"; }; then
		sshd_fail "cannot install $E2E_NEXUSBG with cap_audit_write"
	fi
	install -m 0644 -o root -g root "$NBG_BUILDDIR/pam_nexusbg/pam_nexusbg.so" \
	    "$secdir/pam_nexusbg.so" || sshd_fail "cannot install the module in $secdir"
	install -m 0644 -o root -g root "$NBG_BUILDDIR/pam_nexusbg/pam_nexusbg-auth.so" \
	    "$secdir/pam_nexusbg-auth.so" || sshd_fail "cannot install the auth-phase plugin in $secdir"
	if ! { install -d -m 0755 -o root -g root /etc/nexusbg &&
	    install -m 0644 -o root -g root "$NBG_SRCDIR/policy/nexusbg-policy.conf" "$E2E_POLICY" &&
	    install -m 0644 -o root -g root "$NBG_SRCDIR/packaging/pam/sshd" /etc/pam.d/sshd &&
	    sed "s|@BINDIR@|$(dirname "$E2E_NEXUSBG")|" \
	    "$NBG_SRCDIR/packaging/sshd/50-nexusbg.conf.in" >/etc/ssh/sshd_config.d/50-nexusbg.conf &&
	    chmod 0644 /etc/ssh/sshd_config.d/50-nexusbg.conf; }; then
		sshd_fail "cannot install the packaging files"
	fi
	# packaging/tmpfiles.d/nexusbg.conf, as systemd-tmpfiles --create would
	while read -r path mode user group; do
		install -d -m "$mode" -o "$user" -g "$group" "$path" ||
		    sshd_fail "tmpfiles: cannot create $path"
	done < <(awk '$1 == "d" { print $2, $3, $4, $5 }' \
	    "$NBG_SRCDIR/packaging/tmpfiles.d/nexusbg.conf")
	[ -d /run/nexusbg/sessions ] || sshd_fail "tmpfiles.d did not create /run/nexusbg/sessions"
	# the NSS module of `accounts nexusbg` (the shipped policy's), where
	# glibc finds the system's own
	nsslib=$(find /usr/lib /lib -name libnss_files.so.2 -print -quit 2>/dev/null)
	[ -n "$nsslib" ] || sshd_fail "no libnss_files.so.2: where are the NSS modules?"
	install -m 0644 -o root -g root "$NBG_BUILDDIR/nss/libnss_nexusbg.so.2" \
	    "$(dirname "$nsslib")/" || sshd_fail "cannot install libnss_nexusbg.so.2"
	# what the Debian package's maintainer scripts do: extrausers after
	# files, nexusbg before it (postinst's own function), and the
	# unprivileged AuthorizedKeysCommandUser (without a group of its own:
	# sync owns the group "nexusbg")
	sed -i -E 's/^(passwd|group|shadow):(.*)$/\1:\2 extrausers/' /etc/nsswitch.conf
	eval "$(sed -n '/^nsswitch_add_nexusbg() {/,/^}/p' "$NBG_SRCDIR/packaging/debian/nexusbg.postinst")"
	nsswitch_add_nexusbg /etc/nsswitch.conf
	grep -q '^passwd:.*nexusbg extrausers' /etc/nsswitch.conf ||
	    sshd_fail "nsswitch.conf has no passwd line to add nexusbg and extrausers to"
	getent passwd nexusbg >/dev/null ||
	    useradd --system --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin --gid nogroup --comment "nexusbg keys" nexusbg ||
	    sshd_fail "useradd nexusbg"
	# the test device's edits to the shipped policy: loopback addresses
	# for the access paths and trusted sources, one quick retry for sync
	e2e_policy_set "trusted_source default" "trusted_source default 127.0.0.1/32 127.0.0.2/32 ::1/128"
	e2e_policy_set "access_path inband" "access_path inband $E2E_INBAND_ADDR/32"
	e2e_policy_set "trusted_source inband" "trusted_source inband 127.0.0.3/32"
	e2e_policy_set "sync_retries" "sync_retries 1"
}

# e2e_policy_set MATCH LINE: replace the policy line that starts with the
# words MATCH (a keyword, or a keyword and its first value), or append
# LINE; then `nexusbg policy check` must accept the file.
e2e_policy_set() {
	local match=$1 line=$2
	awk -v m="$match" -v l="$line" '
		BEGIN { n = split(m, mw, " ") }
		{
			k = split($0, w, /[ \t]+/)
			hit = k >= n
			for (i = 1; i <= n && hit; i++)
				if (w[i] != mw[i]) hit = 0
			if (hit && !done) { print l; done = 1; next }
			print
		}
		END { if (!done) print l }' "$E2E_POLICY" >"$E2E_POLICY.new" ||
	    sshd_fail "cannot edit $E2E_POLICY"
	if ! { chmod 0644 "$E2E_POLICY.new" && mv "$E2E_POLICY.new" "$E2E_POLICY"; }; then
		sshd_fail "cannot replace $E2E_POLICY"
	fi
	"$E2E_NEXUSBG" policy check --quiet "$E2E_POLICY" >"$E2E_DIR/policy-check" 2>&1 || {
		cat "$E2E_DIR/policy-check" >&2
		sshd_fail "nexusbg policy check refuses the policy after: $line"
	}
}

# ---- the control plane ------------------------------------------------------------

# A fresh PKI (tests/sync/mkcerts.sh): the control plane's CA and server
# certificate for 127.0.0.1, and the device's client certificate, installed
# where the shipped policy expects them; the HTTPS server of tests/sync
# requires the client certificate.
_e2e_control_plane() {
	local pki=$E2E_DIR/pki
	bash "$NBG_SRCDIR/tests/sync/mkcerts.sh" "$pki" >"$E2E_DIR/mkcerts.log" 2>&1 ||
	    sshd_fail "mkcerts.sh: $(cat "$E2E_DIR/mkcerts.log")"
	if ! { install -m 0644 "$pki/ca.pem" /etc/nexusbg/ca.pem &&
	    install -m 0644 "$pki/client.pem" /etc/nexusbg/device.crt &&
	    install -m 0600 "$pki/client.key" /etc/nexusbg/device.key; }; then
		sshd_fail "cannot install the device's certificates"
	fi
	e2e_doc_publish 1
	e2e_cp_start
	e2e_at_exit e2e_cp_stop
	sshd_show_on_failure "$E2E_DIR/cp/server.log" "$E2E_DIR/cp/server.err"
}

# e2e_cp_start / e2e_cp_stop: the HTTPS control plane, by pid.  The kernel
# chooses its port; the policy's sync_url follows it.
e2e_cp_start() {
	local cp=$E2E_DIR/cp i
	[ -z "$E2E_CP_PID" ] || return 0
	rm -f "$cp/port"
	python3 "$NBG_SRCDIR/tests/sync/server.py" --cert "$E2E_DIR/pki/server.pem" \
	    --key "$E2E_DIR/pki/server.key" --client-ca "$E2E_DIR/pki/client-ca.pem" \
	    --doc "$cp/doc.json" --log "$cp/server.log" --port-file "$cp/port" \
	    </dev/null 2>>"$cp/server.err" &
	E2E_CP_PID=$!
	for ((i = 0; i < 100; i++)); do
		[ -s "$cp/port" ] && break
		kill -0 "$E2E_CP_PID" 2>/dev/null || break
		sleep 0.1
	done
	[ -s "$cp/port" ] || sshd_fail "the control plane did not start: $(cat "$cp/server.err")"
	E2E_CP_PORT=$(cat "$cp/port")
	[ -f "$E2E_POLICY" ] && e2e_policy_set "sync_url" \
	    "sync_url https://127.0.0.1:$E2E_CP_PORT/v1/fabrics/$E2E_FABRIC/break-glass-roles"
	return 0
}

e2e_cp_stop() {
	[ -n "$E2E_CP_PID" ] || return 0
	kill "$E2E_CP_PID" 2>/dev/null
	wait "$E2E_CP_PID" 2>/dev/null
	E2E_CP_PID=
}

# e2e_doc_user LOGIN ROLE KEYNAME [JSON-MEMBERS]: a user of the next role
# document, with the public key $E2E_KEYS/KEYNAME.pub.
e2e_doc_user() {
	local key
	key=$(cut -d' ' -f1-3 "$E2E_KEYS/$3.pub") || sshd_fail "no key $3"
	_e2e_doc_users+=("{\"login\": \"$1\", \"role\": \"$2\", \"display_name\": \"$1@example.net\", \"keys\": [\"$key\"]${4:+, $4}}")
}

# e2e_doc_reset: forget the users given so far.
e2e_doc_reset() {
	_e2e_doc_users=()
}

# e2e_doc_publish SERIAL: the control plane serves these users from now on.
e2e_doc_publish() {
	local doc=$E2E_DIR/cp/doc.json i sep=
	{
		printf '{"format_version": 1, "fabric": "%s", "serial": %s,\n' "$E2E_FABRIC" "$1"
		printf ' "generated_at": "%s",\n "users": [' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
		for ((i = 0; i < ${#_e2e_doc_users[@]}; i++)); do
			printf '%s\n  %s' "$sep" "${_e2e_doc_users[i]}"
			sep=,
		done
		printf ']}\n'
	} >"$doc.new" || sshd_fail "cannot write the role document"
	mv "$doc.new" "$doc" || sshd_fail "cannot replace the role document"
}

# e2e_iso SECONDS-FROM-NOW: an RFC 3339 UTC time.
e2e_iso() {
	date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%SZ
}

# e2e_sync [ARGS...]: `nexusbg sync` as root (RC; output in $E2E_DIR/sync.out).
e2e_sync() {
	"$E2E_NEXUSBG" sync "$@" >"$E2E_DIR/sync.out" 2>&1
	RC=$?
	return 0
}

# ---- operators' keys ---------------------------------------------------------------

# e2e_key [--no-verify-required] NAME [TYPE]: enroll a key as the control
# plane's enrollment does (ssh-keygen -t ed25519-sk|ecdsa-sk -O
# verify-required, touch and PIN) on the software key; TYPE ed25519 makes
# a plain key.  --no-verify-required: a key enrolled without the option
# (it signs without a PIN when none is given).
e2e_key() {
	local vr=(-O verify-required) name type f
	if [ "$1" = --no-verify-required ]; then
		vr=()
		shift
	fi
	name=$1 type=${2:-ed25519-sk} f=$E2E_KEYS/$1
	case $type in
	*-sk)
		SSH_SK_PROVIDER=$SK_SOFT_PROVIDER SK_SOFT_QUIET=1 SK_SOFT_PIN=$E2E_PIN \
		    sshd_noterm --pin "$E2E_PIN" "${E2E_PRE[@]}" ssh-keygen -q -t "$type" \
		    -w "$SK_SOFT_PROVIDER" -N '' "${vr[@]}" -C NexusIdentitySSHKey \
		    -f "$f" >"$E2E_DIR/keygen.log" 2>&1
		;;
	*)
		ssh-keygen -q -t "$type" -N '' -C "plain-$name" -f "$f" >"$E2E_DIR/keygen.log" 2>&1
		;;
	esac
	[ -s "$f.pub" ] || sshd_fail "ssh-keygen $type for $name: $(cat "$E2E_DIR/keygen.log")"
}

# e2e_fp NAME: the SHA256 fingerprint of key NAME.
e2e_fp() {
	ssh-keygen -lf "$E2E_KEYS/$1.pub" | awk '{ print $2 }'
}

# ---- sshd ------------------------------------------------------------------------

# e2e_sshd_start [--head LINE]... [--tail LINE]...: the device's sshd with
# the shipped drop-in (Include), listening on 127.0.0.1, $E2E_INBAND_ADDR
# (the in-band loopback) and ::1.  --head lines come before the drop-in,
# so they override it (sshd keeps the first value); --tail lines go last
# (Match blocks).
e2e_sshd_start() {
	local -a opts=(--use-pam yes --config "ListenAddress $E2E_INBAND_ADDR")
	while [ $# -gt 0 ]; do
		case $1 in
		--head) opts+=(--config "$2"); shift 2 ;;
		--tail) opts+=(--config-tail "$2"); shift 2 ;;
		*) sshd_fail "e2e_sshd_start: unknown option $1" ;;
		esac
	done
	opts+=(--config "Include /etc/ssh/sshd_config.d/50-nexusbg.conf")
	SSHD_BIN=$_e2e_sshd_wrapper
	sshd_start "${opts[@]}"
	E2E_PORT=$SSHD_PORT
	E2E_LOG=$SSHD_LOG
	_e2e_known_host "$E2E_PORT" 127.0.0.1 "$E2E_INBAND_ADDR" ::1
}

# e2e_sshd_restart [OPTIONS]: the device's sshd again with other options.
e2e_sshd_restart() {
	sshd_stop
	e2e_sshd_start "$@"
}

_e2e_known_host() {
	local port=$1 a key
	shift
	key=$(cut -d' ' -f1,2 "$SSHD_LIB_DIR/ssh_host_ed25519_key.pub")
	for a in "$@"; do
		echo "[$a]:$port $key" >>"$E2E_KNOWN_HOSTS"
	done
}

# e2e_log_mark / e2e_log_wait MARK ERE: the device sshd's log (see
# sshd_log_wait).
e2e_log_mark() {
	stat -c %s "$E2E_LOG"
}

e2e_log_wait() {
	local mark=$1 re=$2 secs=${3:-10} i
	for ((i = 0; i < secs * 10; i++)); do
		grep -Eq -- "$re" <(tail -c "+$((mark + 1))" "$E2E_LOG") && return 0
		sleep 0.1
	done
	return 1
}

e2e_log_has() {
	grep -Eq -- "$2" <(tail -c "+$(($1 + 1))" "$E2E_LOG")
}

e2e_log_lacks() {
	! e2e_log_has "$@"
}

# e2e_lacks STRING FILE...: no FILE contains the fixed STRING.
e2e_lacks() {
	local s=$1
	shift
	! grep -qF -- "$s" "$@"
}

# ---- the operator's ssh ------------------------------------------------------------

# _e2e_ssh_config: the operator's ssh_config: the jump host (once it
# runs), and for every host the test's known_hosts, no agent, no
# passwords, only the identities named, no terminal prompts.  ProxyJump
# passes -F to the ssh it starts for the jump, so both hops read it.
_e2e_ssh_config() {
	{
		echo "# written by tests/e2e/lib.sh"
		if [ -n "$E2E_JUMP_PORT" ]; then
			echo "Host nbg-jump"
			echo "	HostName 127.0.0.1"
			echo "	Port $E2E_JUMP_PORT"
			echo "	User $E2E_JUMP_USER"
			echo "	IdentityFile $E2E_KEYS/jump"
		fi
		echo "Host *"
		echo "	UserKnownHostsFile $E2E_KNOWN_HOSTS"
		echo "	GlobalKnownHostsFile /dev/null"
		echo "	StrictHostKeyChecking yes"
		echo "	CheckHostIP no"
		echo "	BatchMode yes"
		echo "	IdentitiesOnly yes"
		echo "	IdentityAgent none"
		echo "	KbdInteractiveAuthentication no"
		echo "	HostbasedAuthentication no"
		echo "	GSSAPIAuthentication no"
		echo "	ConnectTimeout 10"
		echo "	ConnectionAttempts 1"
		echo "	SecurityKeyProvider $SK_SOFT_PROVIDER"
	} >"$E2E_DIR/ssh_config"
}

# e2e_ssh [OPTIONS] USER [CMD...]: log in to the device the way an operator
# does: ssh -i KEY, the PIN through askpass (there is no terminal), the
# software key's provider.  Sets RC, E2E_OUT, E2E_ERR, E2E_CLOG, E2E_REF.
#   --key NAME          identity $E2E_KEYS/NAME
#   --pin PIN|--no-pin  what the askpass answers (default: $E2E_PIN)
#   --password PW       password authentication instead of a key
#   --from ADDR         the operator's source address (BindAddress)
#   --to ADDR           the device address (default 127.0.0.1)
#   --port PORT         (default $E2E_PORT)
#   --jump              through the jump host (ssh -J, see e2e_jump_start)
#   --env VAR=VALUE     environment of ssh and the software key
#                       (SK_SOFT_NO_UP=1, SK_SOFT_FORCE_UV=0 ...)
#   -o OPTION           any ssh option
e2e_ssh() {
	local key='' pinval=$E2E_PIN password='' to=127.0.0.1 port=$E2E_PORT
	local -a envs=(SK_SOFT_QUIET=1 SK_SOFT_PIN="$E2E_PIN" SK_SOFT_LOG="$E2E_DIR/sk-soft.log")
	local -a opts=() pinopt=()
	while [ $# -gt 0 ]; do
		case $1 in
		--key) key=$2; shift 2 ;;
		--pin) pinval=$2; shift 2 ;;
		--no-pin) pinval=; shift ;;
		--password) password=$2; shift 2 ;;
		--from) opts+=(-o BindAddress="$2"); shift 2 ;;
		--to) to=$2; shift 2 ;;
		--port) port=$2; shift 2 ;;
		--jump) opts+=(-J nbg-jump); shift ;;
		--env) envs+=("$2"); shift 2 ;;
		-o) opts+=(-o "$2"); shift 2 ;;
		--) shift; break ;;
		-*) sshd_fail "e2e_ssh: unknown option $1" ;;
		*) break ;;
		esac
	done
	[ $# -ge 1 ] || sshd_fail "e2e_ssh: no user"
	if [ -n "$password" ]; then
		opts+=(-o PubkeyAuthentication=no -o PasswordAuthentication=yes
		    -o PreferredAuthentications=password -o NumberOfPasswordPrompts=1)
		pinopt=(--pin "$password")
	else
		[ -n "$key" ] || sshd_fail "e2e_ssh: --key or --password"
		opts+=(-o IdentityFile="$E2E_KEYS/$key" -o PubkeyAuthentication=yes
		    -o PasswordAuthentication=no)
		if [ -n "$pinval" ]; then pinopt=(--pin "$pinval"); else pinopt=(--no-pin); fi
	fi
	[ -s "$E2E_DIR/ssh_config" ] || _e2e_ssh_config
	_e2e_nssh=$((_e2e_nssh + 1))
	E2E_CLOG=$E2E_DIR/ssh.$_e2e_nssh.log
	sshd_show_on_failure "$E2E_CLOG"
	sshd_noterm "${pinopt[@]}" env "${envs[@]}" "${E2E_PRE[@]}" \
	    ssh -F "$E2E_DIR/ssh_config" -n -v -E "$E2E_CLOG" -p "$port" "${opts[@]}" \
	    -l "$1" "$to" -- "${@:2}" >"$E2E_OUT" 2>"$E2E_ERR"
	RC=$?
	# (a refused session's message reaches the operator on stdout: sshd
	# prints it before it ends the session)
	E2E_REF=$(cat "$E2E_ERR" "$E2E_CLOG" "$E2E_OUT" 2>/dev/null |
	    grep -o 'NBG-[0-9A-F]\{10\}' | head -n 1)
	return 0
}

# ---- the jump host and the agent ---------------------------------------------------

# shellcheck disable=SC2034
E2E_JUMP_USER=jumpuser
E2E_JUMP_PORT=
E2E_JUMP_LOG=
E2E_AGENT_SOCK=
E2E_AGENT_PID=

# e2e_jump_start: a plain jump host: a second sshd on 127.0.0.1 without
# PAM or nexusbg, its local user $E2E_JUMP_USER with the plain key
# $E2E_KEYS/jump in authorized_keys, TCP and agent forwarding allowed, and
# the device's host key in the user's known_hosts.
e2e_jump_start() {
	local dpid=$SSHD_PID dport=$SSHD_PORT dlog=$SSHD_LOG dconf=$SSHD_CONFIG home
	useradd --create-home --shell /bin/sh --password '*' "$E2E_JUMP_USER" ||
	    sshd_fail "useradd $E2E_JUMP_USER"
	e2e_key jump ed25519
	sshd_user_authorize "$E2E_JUMP_USER" "$(cat "$E2E_KEYS/jump.pub")"
	home=$(getent passwd "$E2E_JUMP_USER" | cut -d: -f6)
	install -m 0644 -o "$E2E_JUMP_USER" "$E2E_KNOWN_HOSTS" "$home/.ssh/known_hosts" ||
	    sshd_fail "cannot give $E2E_JUMP_USER the device's host key"
	# (sshd.sh runs one sshd at a time: start the jump host as a second one)
	SSHD_PID=
	SSHD_BIN=/usr/sbin/sshd
	sshd_start --use-pam no --config "AllowTcpForwarding yes" --config "AllowAgentForwarding yes"
	E2E_JUMP_PORT=$SSHD_PORT
	E2E_JUMP_LOG=$SSHD_LOG
	SSHD_PID=$dpid SSHD_PORT=$dport SSHD_LOG=$dlog SSHD_CONFIG=$dconf
	SSHD_BIN=$_e2e_sshd_wrapper
	_e2e_known_host "$E2E_JUMP_PORT" 127.0.0.1
	_e2e_ssh_config
}

# e2e_agent_start [VAR=VALUE...]: an ssh-agent that may load the software
# key's provider (-P), with VARs in its environment (the provider runs in
# its ssh-sk-helper); stopped by pid at exit or by e2e_agent_stop.
e2e_agent_start() {
	local out agent=ssh-agent
	e2e_agent_stop
	if [ "${#E2E_PRE[@]}" -gt 1 ]; then
		# Debian's ssh-agent is setgid: the loader drops LD_PRELOAD from
		# its environment, and its ssh-sk-helper could not load the
		# instrumented key.  A copy without the setgid bit keeps it.
		agent=$E2E_DIR/ssh-agent
		install -m 0755 "$(command -v ssh-agent)" "$agent" || sshd_fail "copy ssh-agent"
	fi
	out=$(env SK_SOFT_QUIET=1 SK_SOFT_LOG="$E2E_DIR/sk-soft.log" "$@" "${E2E_PRE[@]}" \
	    "$agent" -s -P "$SK_SOFT_PROVIDER" -a "$E2E_DIR/agent.sock") ||
	    sshd_fail "ssh-agent did not start"
	E2E_AGENT_SOCK=$E2E_DIR/agent.sock
	E2E_AGENT_PID=$(sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p' <<<"$out")
	[ -n "$E2E_AGENT_PID" ] || sshd_fail "ssh-agent printed no pid: $out"
	e2e_at_exit e2e_agent_stop
}

e2e_agent_stop() {
	[ -n "$E2E_AGENT_PID" ] || return 0
	kill "$E2E_AGENT_PID" 2>/dev/null
	E2E_AGENT_PID=
	rm -f "$E2E_AGENT_SOCK"
}

# e2e_agent_add NAME: ssh-add -S provider $E2E_KEYS/NAME.
e2e_agent_add() {
	SSH_AUTH_SOCK=$E2E_AGENT_SOCK "${E2E_PRE[@]}" ssh-add -S "$SK_SOFT_PROVIDER" \
	    "$E2E_KEYS/$1" >"$E2E_DIR/ssh-add.log" 2>&1
}

# e2e_ssh_agent_hop USER [CMD...]: log in to the jump host with agent
# forwarding (ssh -A, the agent of e2e_agent_start), and from there to
# the device as USER with the forwarded agent.  Sets what e2e_ssh sets.
e2e_ssh_agent_hop() {
	local inner
	inner=$(printf '%q ' ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes \
	    -o CheckHostIP=no -o ConnectTimeout=10 -o PasswordAuthentication=no \
	    -o KbdInteractiveAuthentication=no -p "$E2E_PORT" -l "$1" 127.0.0.1 -- "${*:2}")
	_e2e_nssh=$((_e2e_nssh + 1))
	E2E_CLOG=$E2E_DIR/ssh.$_e2e_nssh.log
	sshd_show_on_failure "$E2E_CLOG"
	sshd_noterm --no-pin ssh -F "$E2E_DIR/ssh_config" -n -v -E "$E2E_CLOG" \
	    -o ForwardAgent=yes -o IdentityAgent="$E2E_AGENT_SOCK" nbg-jump -- "$inner" \
	    >"$E2E_OUT" 2>"$E2E_ERR"
	RC=$?
	E2E_REF=$(cat "$E2E_ERR" "$E2E_CLOG" "$E2E_OUT" 2>/dev/null |
	    grep -o 'NBG-[0-9A-F]\{10\}' | head -n 1)
	return 0
}

# The command an operator's session runs to report what it holds: the
# session record, and the answers for show and configure.
E2E_PROBE='nexusbg session show; nexusbg session show --json | sed -n "s/^ *\"ref\": *\"\(.*\)\",*$/ref=\1/p"; nexusbg session check show; echo "show=$?"; nexusbg session check configure; echo "configure=$?"'

# e2e_out_has ERE: the last session's output matches.
e2e_out_has() {
	grep -Eq -- "$1" "$E2E_OUT"
}

# e2e_field NAME: the value of "NAME: value" in the last session's output
# (`nexusbg session show`).
e2e_field() {
	sed -n "s/^$1: *//p" "$E2E_OUT" | head -n 1
}

# e2e_re STRING: STRING as an extended regular expression that matches it.
e2e_re() {
	printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'
}

# e2e_session_ref: the reference of the session the last probe ran in.
e2e_session_ref() {
	sed -n 's/^ref=//p' "$E2E_OUT" | head -n 1
}

# ---- audit ----------------------------------------------------------------------------

# e2e_now: a mark for e2e_audit_since (records stamped at or after this
# millisecond; audit time stamps and date read the same clock).
e2e_now() {
	date +%s.%3N
}

# e2e_audit_since MARK [AUSEARCH-ARGS...]: raw records stamped MARK or later.
e2e_audit_since() {
	local mark=$1
	shift
	audit_search --raw "$@" 2>/dev/null |
	    awk -v m="$mark" 'match($0, /audit\([0-9]+\.[0-9]+/) {
		if (substr($0, RSTART + 6, RLENGTH - 6) + 0 >= m + 0) print }'
}

# e2e_audit_wait MARK TYPES STRING... : wait (10 s) for a record of one of
# TYPES (comma-separated) stamped MARK or later that contains every
# STRING; print it.
e2e_audit_wait() {
	local mark=$1 types=$2 i s lines
	shift 2
	for ((i = 0; i < 100; i++)); do
		lines=$(e2e_audit_since "$mark" -m "$types")
		for s in "$@"; do
			lines=$(grep -F -- "$s" <<<"$lines")
		done
		if [ -n "$lines" ]; then
			printf '%s\n' "$lines"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# e2e_audit_none MARK TYPES STRING...: no such record (after giving auditd
# a moment to write what it was given).
e2e_audit_none() {
	local mark=$1 types=$2 s lines
	shift 2
	sleep 0.3
	lines=$(e2e_audit_since "$mark" -m "$types")
	for s in "$@"; do
		lines=$(grep -F -- "$s" <<<"$lines")
	done
	[ -z "$lines" ]
}

# expect_audit NAME MARK TYPES STRING...: a check that such a record exists.
expect_audit() {
	local name=$1 mark=$2 types=$3
	shift 3
	if e2e_audit_wait "$mark" "$types" "$@" >/dev/null; then
		ok "$name"
	else
		not_ok "$name" "no $types record since $mark with: $*" \
		    "$(e2e_audit_since "$mark" -m "$types" | tail -n 8)"
	fi
}

# expect_no_audit NAME MARK TYPES STRING...: a check that none exists.
expect_no_audit() {
	local name=$1 mark=$2 types=$3
	shift 3
	if e2e_audit_none "$mark" "$types" "$@"; then
		ok "$name"
	else
		not_ok "$name" "unexpected $types record with: $*" \
		    "$(e2e_audit_since "$mark" -m "$types" | grep -F -- "$1" | tail -n 4)"
	fi
}

# e2e_acct USER: how libaudit writes acct= for USER (quoted, or hex).
e2e_acct() {
	case $1 in
	*[!A-Za-z0-9_.@-]*) printf 'acct=%s' "$(printf '%s' "$1" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" ;;
	*) printf 'acct="%s"' "$1" ;;
	esac
}

# ---- whole-login expectations ----------------------------------------------------

# expect_granted NAME USER ROLE [e2e_ssh OPTIONS...]: USER logs in and runs
# the probe; the session holds ROLE (configure only for a role that has
# it), the module audited the session (USER_START granted, by the
# reference the session shows) and, for a role without configure, the
# refused `nexusbg session check configure` (USER_CMD).  Sets E2E_SREF.
E2E_SREF=
expect_granted() {
	local name=$1 user=$2 role=$3 mark cfg
	shift 3
	mark=$(e2e_now)
	e2e_ssh "$@" "$user" "$E2E_PROBE"
	E2E_SREF=$(e2e_session_ref)
	if [ "$RC" != 0 ] || ! e2e_out_has "^user: +$user\$" || ! e2e_out_has "^role: +$role\$" ||
	    [ -z "$E2E_SREF" ]; then
		not_ok "$name: $user logs in as $role (ssh exit $RC)" "$(cat "$E2E_OUT" "$E2E_ERR")" \
		    "$(grep -v '^debug' "$E2E_CLOG" | tail -n 5)"
		return 1
	fi
	ok "$name: $user logs in; the session record says role $role"
	check "$name: show is allowed in the session" e2e_out_has '^show=0$'
	cfg=$(awk -v r="$role" '$1 == "role" && $2 == r { for (i = 3; i <= NF; i++) if ($i == "configure") print "yes" }' "$E2E_POLICY")
	if [ "$cfg" = yes ]; then
		check "$name: configure is allowed in the session" e2e_out_has '^configure=0$'
		expect_no_audit "$name: an allowed check is not audited" "$mark" USER_CMD \
		    "ref=$E2E_SREF "
	else
		check "$name: configure is refused in the session (capability-denied)" \
		    e2e_out_has '^denied: capability-denied$'
		check "$name: ... with exit 1" e2e_out_has '^configure=1$'
		expect_audit "$name: the refusal is audited (USER_CMD capability-denied, ref $E2E_SREF)" \
		    "$mark" USER_CMD "op=nexusbg-session-check " "reason=capability-denied " \
		    "nbg_cap=configure " "nbg_role=$role " "ref=$E2E_SREF " "$(e2e_acct "$user")" \
		    'exe="/usr/bin/nexusbg"' "res=failed"
	fi
	expect_audit "$name: the session is audited (USER_START granted, ref $E2E_SREF)" \
	    "$mark" USER_START "op=nexusbg-session-open " "reason=granted " "nbg_role=$role " \
	    "ref=$E2E_SREF " "$(e2e_acct "$user")" "res=success"
}

# expect_refused_account NAME USER REASON [e2e_ssh OPTIONS...]: sshd
# accepts the key, the module's account phase refuses USER: the operator
# sees only a reference, the audit record under it carries REASON.
expect_refused_account() {
	local name=$1 user=$2 reason=$3 mark lmark
	shift 3
	mark=$(e2e_now)
	lmark=$(e2e_log_mark)
	e2e_ssh "$@" "$user" "$E2E_PROBE"
	if [ "$RC" = 0 ] || e2e_out_has '^user:' || [ -z "$E2E_REF" ]; then
		not_ok "$name: $user is refused with a reference (ssh exit $RC)" \
		    "$(cat "$E2E_OUT" "$E2E_ERR")"
		return 1
	fi
	ok "$name: $user is refused and shown reference $E2E_REF"
	check "$name: the operator is not told why" e2e_lacks "$reason" "$E2E_ERR" "$E2E_OUT"
	expect_audit "$name: audited under $E2E_REF: USER_ACCT reason=$reason" "$mark" USER_ACCT \
	    "op=nexusbg-account " "reason=$reason " "ref=$E2E_REF " "$(e2e_acct "$user")" "res=failed"
	check "$name: sshd: access denied by PAM account configuration" \
	    e2e_log_wait "$lmark" "Access denied for user $user by PAM account configuration"
	expect_no_audit "$name: no session was opened" "$mark" USER_START "$(e2e_acct "$user")"
}

# expect_refused_by_sshd NAME USER ERE [e2e_ssh OPTIONS...]: sshd itself
# refuses (before any PAM stack): its log matches ERE, it audits the
# failure (USER_LOGIN res=failed; acct is USER, or "(invalid user)"), and
# the module writes nothing.
expect_refused_by_sshd() {
	local name=$1 user=$2 re=$3 mark lmark acct
	shift 3
	mark=$(e2e_now)
	lmark=$(e2e_log_mark)
	e2e_ssh "$@" "$user" "$E2E_PROBE"
	if [ "$RC" != 255 ] || e2e_out_has '^user:'; then
		not_ok "$name: sshd refuses $user (ssh exit $RC)" "$(cat "$E2E_OUT" "$E2E_ERR")"
		return 1
	fi
	ok "$name: sshd refuses $user"
	check "$name: sshd's log says: $re" e2e_log_wait "$lmark" "$re"
	if getent passwd "$user" >/dev/null; then
		acct=$(e2e_acct "$user")
	else
		acct=$(e2e_acct "(invalid user)")
	fi
	expect_audit "$name: sshd audited USER_LOGIN res=failed ($acct)" "$mark" USER_LOGIN \
	    "op=login " "$acct" "res=failed"
	check "$name: sshd accepted no key for $user" \
	    e2e_log_lacks "$lmark" "Accepted publickey for $user "
	expect_no_audit "$name: the module wrote nothing for $user" "$mark" \
	    USER_ACCT,USER_AUTH,USER_START,USER_CMD "op=nexusbg-" "$(e2e_acct "$user")"
}
