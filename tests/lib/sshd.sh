# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
#
# sshd.sh - a private sshd for tests, test users, and an ssh client that
# talks to it without a terminal.  Source it from a bash script that runs
# as root:
#
#	. "$NBG_SRCDIR/tests/lib/sshd.sh"
#	sshd_lib_init                       # temp dir and cleanup trap
#	sshd_user_add U                     # U=<name of a new test user>
#	sshd_user_authorize "$U" "verify-required $(cat key.pub)"
#	sshd_start --use-pam no             # sets SSHD_PORT, SSHD_PID, SSHD_LOG
#	mark=$(sshd_log_mark)
#	sshd_client --pin 1234 --key key "$U" id -un >"$SSHD_LIB_DIR/out"
#	sshd_log_wait "$mark" 'Accepted publickey'
#	sshd_stop
#
# The library owns the EXIT, INT, TERM and HUP traps: at exit it stops
# every sshd it started (by pid), deletes every user it created (userdel
# -r), removes its temp dir and /run/sshd if it created it (and no other
# sshd still runs: another test's may be using it), and, when the
# script fails (exit status other than 0 and 77), prints the sshd, client
# and askpass logs and any file given to sshd_show_on_failure.  A script
# that needs more cleanup registers it with sshd_at_exit instead of
# setting its own trap.
#
# sshd runs in a private mount namespace (unshare --mount --propagation
# private) so that a test can put its own files over system paths, e.g.
# its PAM stack over /etc/pam.d (OpenSSH 9.2 always uses the PAM service
# "sshd"), without touching the machine.
#
# The temp dir lives under /run (root-owned, mode 0755 up to /), so the
# paths inside it satisfy sshd's StrictModes and the checks it makes on an
# AuthorizedKeysCommand (the program and every directory up to / owned by
# root and not writable by group or others); /tmp (mode 1777) would not.
# Test users' homes are in it too (mode 0755, owned by the user).
#
# Functions (all return non-zero or exit through sshd_fail on error):
#   sshd_lib_init                  temp dir $SSHD_LIB_DIR, askpass, traps
#   sshd_fail MSG...               print "FAIL: MSG" and exit 1
#   sshd_at_exit CMD [ARG...]      run CMD at exit (before the library's own
#                                  cleanup, last registered first)
#   sshd_show_on_failure FILE...   print FILE at exit when the script failed
#   sshd_user_add VAR              create a test user, store its name in VAR
#   sshd_user_authorize USER [LINE...]
#                                  replace ~USER/.ssh/authorized_keys
#   sshd_start [OPTIONS]           start sshd; see the function for options
#   sshd_stop                      stop it (SIGTERM, then SIGKILL after 5 s)
#   sshd_log_mark                  print the current size of $SSHD_LOG
#   sshd_log_since MARK            print $SSHD_LOG from MARK on
#   sshd_log_wait MARK ERE [SECS]  wait until ERE appears after MARK
#   sshd_client [OPTIONS] USER [CMD...]
#                                  ssh to the test sshd; see the function
#   sshd_noterm [--pin PIN|--no-pin] CMD [ARG...]
#                                  run CMD without a terminal, PINs from askpass
#   sshd_askpass_count             PIN prompts answered or refused so far
#   sshd_have_ipv6                 true when ::1 is configured (sshd listens
#                                  on it too)
#
# Variables it sets: SSHD_LIB_DIR, SSHD_PORT, SSHD_PID, SSHD_LOG,
# SSHD_CONFIG, SSHD_KNOWN_HOSTS, SSHD_ASKPASS, SSHD_ASKPASS_LOG,
# SSHD_CLIENT_LOG (the log of the last sshd_client call).
# Variables it reads: SSHD_USER_PREFIX (default "nbgt"), SSHD_BIN (default
# /usr/sbin/sshd), SK_SOFT_PROVIDER (default SecurityKeyProvider).

SSHD_LIB_DIR=
SSHD_PORT=
SSHD_PID=
SSHD_LOG=
SSHD_CONFIG=
SSHD_KNOWN_HOSTS=
SSHD_ASKPASS=
SSHD_ASKPASS_LOG=
SSHD_CLIENT_LOG=
: "${SSHD_BIN:=/usr/sbin/sshd}"
: "${SSHD_USER_PREFIX:=nbgt}"

_sshd_users=()
_sshd_pids=()
_sshd_at_exit=()
_sshd_show=()
_sshd_made_run_sshd=0
_sshd_nclient=0
_sshd_nstart=0
_sshd_out=
_sshd_err=

# _sshd_sys CMD...: the library's own system commands run without the
# caller's LD_PRELOAD (a test may preload a sanitizer runtime for the
# clients it runs; pgrep, for one, hangs under it).
_sshd_sys() {
	env -u LD_PRELOAD "$@"
}

sshd_fail() {
	echo "FAIL: $*" >&2
	exit 1
}

sshd_at_exit() {
	local q
	printf -v q '%q ' "$@"
	_sshd_at_exit+=("$q")
}

sshd_show_on_failure() {
	_sshd_show+=("$@")
}

_sshd_print_file() {
	local f=$1 lines=${2:-300}
	[ -f "$f" ] || return 0
	echo "---- $f (last $lines lines) ----" >&2
	tail -n "$lines" "$f" >&2
}

_sshd_wait_gone() {
	local pid=$1 i
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

_sshd_kill() {
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || return 0
	if ! _sshd_wait_gone "$pid"; then
		echo "sshd.sh: sshd pid $pid ignored SIGTERM, killing it" >&2
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}

_sshd_user_del() {
	local u=$1 i
	# processes of its sessions end with the sessions; give them time
	for ((i = 0; i < 50; i++)); do
		_sshd_sys pgrep -u "$u" >/dev/null 2>&1 || break
		sleep 0.1
	done
	if getent passwd "$u" >/dev/null; then
		if ! _sshd_sys timeout 30 userdel -r "$u" 2>/dev/null; then
			echo "sshd.sh: userdel -r $u failed, forcing it" >&2
			_sshd_sys timeout 30 userdel -r -f "$u" ||
			    echo "sshd.sh: cannot delete user $u" >&2
		fi
	fi
	if getent group "$u" >/dev/null; then
		_sshd_sys timeout 30 groupdel "$u" ||
		    echo "sshd.sh: cannot delete group $u" >&2
	fi
}

_sshd_cleanup() {
	local rc=$? i f pid
	set +e
	# finish the cleanup even when interrupted again
	trap - EXIT
	trap '' INT TERM HUP
	# a signal's trap runs where the script was, perhaps inside a
	# redirection (a client log about to be deleted): report to the
	# script's own stdout and stderr
	if [ -n "$_sshd_out" ]; then
		exec 1>&"$_sshd_out" 2>&"$_sshd_err"
	fi
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -n "$SSHD_LIB_DIR" ]; then
		echo "sshd.sh: test failed (exit $rc); logs follow" >&2
		for f in "$SSHD_LIB_DIR"/sshd.*.log; do
			_sshd_print_file "$f" 300
		done
		for f in "$SSHD_LIB_DIR"/client.*.log; do
			_sshd_print_file "$f" 60
		done
		_sshd_print_file "$SSHD_ASKPASS_LOG" 60
		for f in "${_sshd_show[@]}"; do
			_sshd_print_file "$f" 200
		done
	fi
	for ((i = ${#_sshd_at_exit[@]} - 1; i >= 0; i--)); do
		eval "${_sshd_at_exit[i]}" || echo "sshd.sh: at-exit" \
		    "command failed: ${_sshd_at_exit[i]}" >&2
	done
	for pid in "${_sshd_pids[@]}"; do
		_sshd_kill "$pid"
	done
	for f in "${_sshd_users[@]}"; do
		_sshd_user_del "$f"
	done
	if [ -n "$SSHD_LIB_DIR" ] && [ -d "$SSHD_LIB_DIR" ]; then
		rm -rf -- "$SSHD_LIB_DIR"
	fi
	# /run/sshd is shared: another sshd (another test's) may need it still
	if [ "$_sshd_made_run_sshd" -eq 1 ] &&
	    ! _sshd_sys pgrep -x sshd >/dev/null 2>&1; then
		rmdir /run/sshd 2>/dev/null
	fi
	exit "$rc"
}

sshd_lib_init() {
	[ "$(id -u)" -eq 0 ] || sshd_fail "sshd.sh needs root"
	[ -z "$SSHD_LIB_DIR" ] || sshd_fail "sshd_lib_init called twice"
	exec {_sshd_out}>&1 {_sshd_err}>&2
	trap _sshd_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	SSHD_LIB_DIR=$(mktemp -d /run/nbg-test.XXXXXXXX) ||
	    sshd_fail "cannot make a temp dir under /run"
	chmod 0755 "$SSHD_LIB_DIR"
	mkdir -m 0755 "$SSHD_LIB_DIR/home"
	SSHD_KNOWN_HOSTS=$SSHD_LIB_DIR/known_hosts
	SSHD_ASKPASS=$SSHD_LIB_DIR/askpass
	SSHD_ASKPASS_LOG=$SSHD_LIB_DIR/askpass.log
	: >"$SSHD_ASKPASS_LOG"
	cat >"$SSHD_ASKPASS" <<-EOF
	#!/bin/sh
	# askpass for tests: answers a PIN prompt with \$SSHD_TEST_PIN and
	# fails when none is set; ignores notifications, confirms nothing.
	case "\${SSH_ASKPASS_PROMPT:-}" in
	none)	echo "notify: \$1" >>'$SSHD_ASKPASS_LOG'; exit 0 ;;
	confirm) echo "confirm: \$1" >>'$SSHD_ASKPASS_LOG'; exit 1 ;;
	esac
	if [ -z "\${SSHD_TEST_PIN+x}" ]; then
		echo "prompt (no PIN configured): \$1" >>'$SSHD_ASKPASS_LOG'
		echo "askpass: no PIN configured for: \$1" >&2
		exit 1
	fi
	echo "prompt: \$1" >>'$SSHD_ASKPASS_LOG'
	printf '%s\n' "\$SSHD_TEST_PIN"
	EOF
	chmod 0755 "$SSHD_ASKPASS"
}

_sshd_need_init() {
	[ -n "$SSHD_LIB_DIR" ] || sshd_fail "call sshd_lib_init first"
}

sshd_askpass_count() {
	grep -c '^prompt' "$SSHD_ASKPASS_LOG" || true
}

# sshd_user_add VAR: a new user "<prefix><pid>x<n>", home in the temp dir
# (mode 0755, owned by the user), password "*" (no password login, but not
# locked: sshd refuses locked accounts when UsePAM is no).
sshd_user_add() {
	local var=$1 name home
	_sshd_need_init
	name="${SSHD_USER_PREFIX}$$x${#_sshd_users[@]}"
	[ "${#name}" -le 32 ] || sshd_fail "user name $name is too long"
	getent passwd "$name" >/dev/null && sshd_fail "user $name exists already"
	home=$SSHD_LIB_DIR/home/$name
	_sshd_users+=("$name")
	_sshd_sys useradd -M -d "$home" -s /bin/sh -p '*' \
	    -c "nexusbg test user" "$name" || sshd_fail "useradd $name failed"
	install -d -m 0755 -o "$name" -g "$(id -gn "$name")" "$home" ||
	    sshd_fail "cannot make home $home"
	printf -v "$var" '%s' "$name"
}

# sshd_user_authorize USER [LINE...]: ~USER/.ssh/authorized_keys := LINEs.
sshd_user_authorize() {
	local user=$1 home group
	shift
	home=$(getent passwd "$user" | cut -d: -f6)
	[ -n "$home" ] || sshd_fail "no user $user"
	group=$(id -gn "$user")
	install -d -m 0700 -o "$user" -g "$group" "$home/.ssh" ||
	    sshd_fail "cannot make $home/.ssh"
	printf '%s\n' "$@" >"$home/.ssh/authorized_keys"
	chown "$user:$group" "$home/.ssh/authorized_keys"
	chmod 0600 "$home/.ssh/authorized_keys"
}

_sshd_port_free() {
	[ -z "$(_sshd_sys ss -Htan "( sport = :$1 )" 2>/dev/null)" ]
}

_sshd_pick_port() {
	local port i
	for ((i = 0; i < 100; i++)); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		if _sshd_port_free "$port"; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

sshd_have_ipv6() {
	[ -r /proc/net/if_inet6 ] &&
	    grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6
}

_sshd_listening() {
	# (grep on a finished capture: under the caller's pipefail, grep -q
	# ending a pipeline early would fail it through SIGPIPE)
	local out
	out=$(_sshd_sys ss -Hltn "( sport = :$1 )" 2>/dev/null)
	grep -q "127\.0\.0\.1:$1" <<<"$out"
}

# sshd_start [OPTIONS]: write a config, start sshd -D in a private mount
# namespace, wait until 127.0.0.1:$SSHD_PORT listens.
#   --use-pam yes|no                  (default: no; yes with --pam-dir)
#   --pam-dir DIR                     bind-mounted over /etc/pam.d
#   --bind SRC:DST                    another bind mount (repeatable)
#   --authorized-keys-file PATHS      (default: .ssh/authorized_keys)
#   --authorized-keys-command CMD     and --authorized-keys-command-user U
#   --pubkey-auth-options OPTS        e.g. verify-required
#   --config LINE                     extra line before the defaults, so it
#                                     overrides them (sshd keeps the first
#                                     value it reads); repeatable
#   --config-tail LINE                extra line at the end (Match blocks)
sshd_start() {
	local use_pam='' pam_dir='' akf=.ssh/authorized_keys akc='' akcu='' pko=''
	local -a binds=() head=() tail=() mounts=()
	local b src dst attempt port line inner pid i
	_sshd_need_init
	[ -z "$SSHD_PID" ] || sshd_fail "sshd_start: sshd $SSHD_PID is running"
	while [ $# -gt 0 ]; do
		case $1 in
		--use-pam) use_pam=$2; shift 2 ;;
		--pam-dir) pam_dir=$2; shift 2 ;;
		--bind) binds+=("$2"); shift 2 ;;
		--authorized-keys-file) akf=$2; shift 2 ;;
		--authorized-keys-command) akc=$2; shift 2 ;;
		--authorized-keys-command-user) akcu=$2; shift 2 ;;
		--pubkey-auth-options) pko=$2; shift 2 ;;
		--config) head+=("$2"); shift 2 ;;
		--config-tail) tail+=("$2"); shift 2 ;;
		*) sshd_fail "sshd_start: unknown option $1" ;;
		esac
	done
	if [ -z "$use_pam" ]; then
		if [ -n "$pam_dir" ]; then use_pam=yes; else use_pam=no; fi
	fi
	case $use_pam in yes|no) ;; *) sshd_fail "--use-pam yes|no" ;; esac
	if [ -n "$pam_dir" ]; then
		[ -d "$pam_dir" ] || sshd_fail "sshd_start: no directory $pam_dir"
		mounts+=("$pam_dir" /etc/pam.d)
	fi
	for b in "${binds[@]}"; do
		src=${b%%:*}
		dst=${b#*:}
		if [ "$src" = "$b" ] || [ ! -e "$src" ] || [ ! -e "$dst" ]; then
			sshd_fail "sshd_start: bad --bind $b (SRC:DST, both must exist)"
		fi
		mounts+=("$src" "$dst")
	done

	if [ ! -d /run/sshd ]; then
		mkdir -m 0755 /run/sshd || sshd_fail "cannot create /run/sshd"
		_sshd_made_run_sshd=1
	fi
	if [ ! -f "$SSHD_LIB_DIR/ssh_host_ed25519_key" ]; then
		_sshd_sys ssh-keygen -q -t ed25519 -N '' -C "nbg-test-host" \
		    -f "$SSHD_LIB_DIR/ssh_host_ed25519_key" ||
		    sshd_fail "cannot generate a host key"
	fi

	_sshd_nstart=$((_sshd_nstart + 1))
	SSHD_CONFIG=$SSHD_LIB_DIR/sshd_config.$_sshd_nstart
	SSHD_LOG=$SSHD_LIB_DIR/sshd.$_sshd_nstart.log
	# shellcheck disable=SC2016
	inner='while [ "$1" != "--" ]; do
		mount --bind "$1" "$2" || exit 1
		shift 2
	done
	shift
	exec "$@"'
	for ((attempt = 0; attempt < 5; attempt++)); do
		port=$(_sshd_pick_port) || sshd_fail "no free port"
		{
			echo "# written by tests/lib/sshd.sh"
			for line in "${head[@]}"; do echo "$line"; done
			echo "Port $port"
			echo "ListenAddress 127.0.0.1"
			sshd_have_ipv6 && echo "ListenAddress ::1"
			echo "HostKey $SSHD_LIB_DIR/ssh_host_ed25519_key"
			echo "PidFile $SSHD_LIB_DIR/sshd.pid"
			echo "UsePAM $use_pam"
			echo "LogLevel DEBUG3"
			echo "AuthorizedKeysFile $akf"
			[ -n "$akc" ] && echo "AuthorizedKeysCommand $akc"
			[ -n "$akcu" ] && echo "AuthorizedKeysCommandUser $akcu"
			[ -n "$pko" ] && echo "PubkeyAuthOptions $pko"
			echo "PubkeyAuthentication yes"
			echo "PasswordAuthentication no"
			echo "KbdInteractiveAuthentication no"
			echo "HostbasedAuthentication no"
			echo "PermitRootLogin no"
			echo "StrictModes yes"
			echo "UseDNS no"
			echo "PrintMotd no"
			echo "PrintLastLog no"
			echo "X11Forwarding no"
			echo "AllowTcpForwarding no"
			echo "AllowAgentForwarding no"
			echo "LoginGraceTime 30"
			echo "MaxStartups 100"
			for line in "${tail[@]}"; do echo "$line"; done
		} >"$SSHD_CONFIG"
		_sshd_sys "$SSHD_BIN" -t -f "$SSHD_CONFIG" >"$SSHD_LOG" 2>&1 || {
			cat "$SSHD_LOG" >&2
			sshd_fail "sshd -t rejects $SSHD_CONFIG"
		}
		: >"$SSHD_LOG"
		rm -f "$SSHD_LIB_DIR/sshd.pid"
		# shellcheck disable=SC2094 # sshd appends to the file (-E)
		# (env, not _sshd_sys: $! must be the pid that becomes sshd)
		env -u LD_PRELOAD unshare --mount --propagation private \
		    /bin/sh -c "$inner" sh \
		    "${mounts[@]}" -- "$SSHD_BIN" -D -f "$SSHD_CONFIG" \
		    -E "$SSHD_LOG" </dev/null >>"$SSHD_LOG" 2>&1 &
		pid=$!
		_sshd_pids+=("$pid")
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			_sshd_listening "$port" && break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null && _sshd_listening "$port"; then
			SSHD_PID=$pid
			SSHD_PORT=$port
			break
		fi
		_sshd_kill "$pid"
		_sshd_forget_pid "$pid"
		if ! grep -q 'Address already in use' "$SSHD_LOG"; then
			cat "$SSHD_LOG" >&2
			sshd_fail "sshd did not start (config $SSHD_CONFIG)"
		fi
	done
	[ -n "$SSHD_PID" ] || sshd_fail "sshd found no free port in 5 tries"
	for ((i = 0; i < 50; i++)); do
		[ -s "$SSHD_LIB_DIR/sshd.pid" ] && break
		sleep 0.1
	done
	[ "$(cat "$SSHD_LIB_DIR/sshd.pid" 2>/dev/null)" = "$SSHD_PID" ] ||
	    sshd_fail "sshd pid file does not name pid $SSHD_PID"
	{
		echo "[127.0.0.1]:$SSHD_PORT $(cat "$SSHD_LIB_DIR/ssh_host_ed25519_key.pub")"
		echo "[::1]:$SSHD_PORT $(cat "$SSHD_LIB_DIR/ssh_host_ed25519_key.pub")"
	} >"$SSHD_KNOWN_HOSTS"
}

_sshd_forget_pid() {
	local p keep=()
	for p in "${_sshd_pids[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	_sshd_pids=("${keep[@]}")
}

sshd_stop() {
	[ -n "$SSHD_PID" ] || return 0
	_sshd_kill "$SSHD_PID"
	_sshd_forget_pid "$SSHD_PID"
	SSHD_PID=
	SSHD_PORT=
}

sshd_log_mark() {
	stat -c %s "$SSHD_LOG"
}

sshd_log_since() {
	tail -c "+$(($1 + 1))" "$SSHD_LOG"
}

# sshd_log_wait MARK ERE [SECONDS]: sshd's children write their last lines
# after the client has gone, so wait for them (default 10 s).
sshd_log_wait() {
	local mark=$1 re=$2 secs=${3:-10} i
	for ((i = 0; i < secs * 10; i++)); do
		grep -Eq -- "$re" <(sshd_log_since "$mark") && return 0
		sleep 0.1
	done
	return 1
}

# sshd_noterm [--pin PIN|--no-pin] CMD [ARG...]: run CMD in a new session
# (no controlling terminal), stdin from /dev/null, so that ssh and
# ssh-keygen ask for PINs through the askpass script.
sshd_noterm() {
	local -a pin_env=(-u SSHD_TEST_PIN)
	_sshd_need_init
	case ${1:-} in
	--pin) pin_env=(SSHD_TEST_PIN="$2"); shift 2 ;;
	--no-pin) shift ;;
	esac
	env "${pin_env[@]}" SSH_ASKPASS="$SSHD_ASKPASS" \
	    SSH_ASKPASS_REQUIRE=force setsid -w "$@" </dev/null
}

# sshd_client [OPTIONS] USER [CMD...]: ssh USER@127.0.0.1 to the test sshd,
# no config file, the known_hosts of the test sshd only, BatchMode, only
# the given key, no agent, no terminal; its debug log (and the stderr of
# ssh and the provider) goes to $SSHD_CLIENT_LOG.  Returns ssh's status.
# Redirect its output to a file rather than calling it inside $(...), so
# that SSHD_CLIENT_LOG names this call's log in the calling shell.
#   --key FILE         identity (required)
#   --pin PIN          what the askpass script answers (default: fails)
#   --provider PATH    SecurityKeyProvider (default $SK_SOFT_PROVIDER)
#   --addr ADDR        127.0.0.1 (default) or ::1
#   -o OPTION          any further ssh option (repeatable)
sshd_client() {
	local key='' addr=127.0.0.1 provider=${SK_SOFT_PROVIDER:-}
	local -a pin=(--no-pin) opts=()
	_sshd_need_init
	[ -n "$SSHD_PORT" ] || sshd_fail "sshd_client: no sshd running"
	while [ $# -gt 0 ]; do
		case $1 in
		--key) key=$2; shift 2 ;;
		--pin) pin=(--pin "$2"); shift 2 ;;
		--provider) provider=$2; shift 2 ;;
		--addr) addr=$2; shift 2 ;;
		-o) opts+=(-o "$2"); shift 2 ;;
		--) shift; break ;;
		-*) sshd_fail "sshd_client: unknown option $1" ;;
		*) break ;;
		esac
	done
	[ $# -ge 1 ] || sshd_fail "sshd_client: no user"
	[ -n "$key" ] || sshd_fail "sshd_client: --key is required"
	[ -n "$provider" ] && opts+=(-o "SecurityKeyProvider=$provider")
	_sshd_nclient=$((_sshd_nclient + 1))
	SSHD_CLIENT_LOG=$SSHD_LIB_DIR/client.$BASHPID.$_sshd_nclient.log
	# shellcheck disable=SC2094 # ssh appends to the file (-E)
	sshd_noterm "${pin[@]}" ssh -F /dev/null -n -v -E "$SSHD_CLIENT_LOG" \
	    -p "$SSHD_PORT" \
	    -o BatchMode=yes \
	    -o UserKnownHostsFile="$SSHD_KNOWN_HOSTS" \
	    -o GlobalKnownHostsFile=/dev/null \
	    -o StrictHostKeyChecking=yes \
	    -o CheckHostIP=no \
	    -o IdentitiesOnly=yes \
	    -o IdentityAgent=none \
	    -o IdentityFile="$key" \
	    -o PubkeyAuthentication=yes \
	    -o PasswordAuthentication=no \
	    -o KbdInteractiveAuthentication=no \
	    -o HostbasedAuthentication=no \
	    -o GSSAPIAuthentication=no \
	    -o ConnectTimeout=10 \
	    -o ConnectionAttempts=1 \
	    "${opts[@]}" \
	    -l "$1" "$addr" -- "${@:2}" 2>>"$SSHD_CLIENT_LOG"
}
