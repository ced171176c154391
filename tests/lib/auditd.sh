# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
#
# tests/lib/auditd.sh - a real auditd for system tests.
#
# Source it from a bash test running as root, then:
#
#   auditd_ensure             make sure an auditd is receiving records.
#                             Uses the running auditd when there is one (and
#                             reads the log file named in its configuration);
#                             otherwise starts /sbin/auditd with a private
#                             configuration directory whose log_file lives in
#                             a temporary directory.  Enables auditing
#                             (auditctl -e 1) when it was off, and remembers
#                             to restore it.  Returns 0, 77 when this machine
#                             cannot run auditd at all (not root, kernel
#                             without audit), 1 on any other failure.
#   audit_search ARGS...      ausearch over that log (ausearch -if LOG ARGS...)
#   audit_report ARGS...      aureport over that log
#   audit_wait PATTERN [SECS] -- ARGS...
#                             poll audit_search ARGS until a line contains
#                             the fixed string PATTERN (auditd writes
#                             asynchronously); prints those lines; 1 on timeout
#   auditd_cleanup            stop the auditd we started (by pid), restore
#                             the kernel's enabled flag, remove temp files.
#   audit_with_private_syslog SINK OUTFILE CMD...
#                             where audit is unavailable (no CAP_AUDIT_WRITE)
#                             records go to syslog: run CMD in a private mount
#                             namespace whose /dev/log is served by SINK
#                             (tests/sys/syslog-sink), which appends every
#                             message to OUTFILE.  Returns CMD's exit status.
#
# auditd_ensure puts auditd_cleanup in front of the EXIT trap that is set
# when it runs, and makes INT and TERM exit through it, so a failing or
# interrupted test leaves the machine as it found it.
#
# After auditd_ensure:
#   NBG_AUDIT_LOG       the log file auditd writes
#   NBG_AUDIT_PRIVATE   1 when we started auditd, 0 when we use the running one
#   NBG_AUSEARCH        the ausearch command line (for tests in other languages)

NBG_AUDIT_LOG=
NBG_AUDIT_PRIVATE=0
NBG_AUSEARCH=
_nbg_auditd_pid=
_nbg_auditd_dir=
_nbg_audit_prev_enabled=

_nbg_audit_say() {
	printf 'auditd.sh: %s\n' "$*" >&2
}

# The kernel's audit status field NAME (auditctl -s), or nothing.
_nbg_audit_status() {
	auditctl -s 2>/dev/null | awk -v k="$1" '$1 == k { print $2; exit }'
}

# log_file of the auditd.conf in DIR (the default when unset).
_nbg_audit_conf_log() {
	local conf=$1/auditd.conf log write
	log=$(awk -F= '$1 ~ /^[ \t]*log_file[ \t]*$/ { gsub(/^[ \t]+|[ \t]+$/, "", $2); print $2 }' \
		"$conf" 2>/dev/null | tail -n 1)
	write=$(awk -F= '$1 ~ /^[ \t]*write_logs[ \t]*$/ { gsub(/^[ \t]+|[ \t]+$/, "", $2); print tolower($2) }' \
		"$conf" 2>/dev/null | tail -n 1)
	if [ "$write" = no ]; then
		_nbg_audit_say "the running auditd ($conf) has write_logs = no: its records cannot be read"
		return 1
	fi
	printf '%s\n' "${log:-/var/log/audit/audit.log}"
}

# The configuration directory of the running auditd PID (-c DIR), default /etc/audit.
_nbg_audit_conf_dir() {
	local -a argv
	local i
	mapfile -d '' -t argv <"/proc/$1/cmdline" 2>/dev/null || true
	for ((i = 1; i < ${#argv[@]}; i++)); do
		case ${argv[i]} in
		-c | --config_file) printf '%s\n' "${argv[i + 1]}"; return 0 ;;
		--config_file=*) printf '%s\n' "${argv[i]#*=}"; return 0 ;;
		esac
	done
	printf '/etc/audit\n'
}

_nbg_audit_write_conf() {
	local dir=$1
	mkdir -p "$dir/plugins.d" || return 1
	cat >"$dir/auditd.conf" <<EOF || return 1
# private auditd for nexusbg tests
local_events = yes
write_logs = yes
log_file = $dir/log/audit.log
log_group = root
log_format = ENRICHED
flush = SYNC
freq = 0
max_log_file = 64
num_logs = 1
max_log_file_action = IGNORE
priority_boost = 0
name_format = NONE
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = SYSLOG
verify_email = no
action_mail_acct = root
use_libwrap = no
transport = TCP
distribute_network = no
q_depth = 2000
overflow_action = SYSLOG
max_restarts = 0
plugin_dir = $dir/plugins.d
end_of_event_timeout = 2
EOF
	mkdir -p "$dir/log" && chmod 0700 "$dir/log" && chmod 0640 "$dir/auditd.conf"
}

# Start a private auditd: its pid file goes to a tmpfs over /run in a private
# mount namespace, so the machine's /run is not touched.
_nbg_auditd_start() {
	local dir i pid
	dir=$(mktemp -d /tmp/nbg-auditd.XXXXXX) || return 1
	_nbg_auditd_dir=$dir
	_nbg_audit_write_conf "$dir" || { _nbg_audit_say "cannot write $dir/auditd.conf"; return 1; }
	# shellcheck disable=SC2016
	unshare --mount --propagation private sh -c \
		'mount -t tmpfs -o mode=0755 nbg-auditd-run /run && exec /sbin/auditd -n -s nochange -c "$1"' \
		sh "$dir" >"$dir/auditd.out" 2>&1 </dev/null &
	_nbg_auditd_pid=$!
	NBG_AUDIT_LOG=$dir/log/audit.log
	NBG_AUDIT_PRIVATE=1
	for ((i = 0; i < 100; i++)); do
		pid=$(_nbg_audit_status pid)
		if [ "$pid" = "$_nbg_auditd_pid" ] && [ -s "$NBG_AUDIT_LOG" ]; then
			return 0
		fi
		if ! kill -0 "$_nbg_auditd_pid" 2>/dev/null; then
			_nbg_audit_say "auditd exited at start: $(cat "$dir/auditd.out" 2>/dev/null)"
			_nbg_auditd_pid=
			return 1
		fi
		sleep 0.1
	done
	_nbg_audit_say "auditd (pid $_nbg_auditd_pid) did not register with the kernel within 10 s"
	return 1
}

_nbg_audit_trap() {
	local -a prev=()
	eval "prev=($(trap -p EXIT))"
	# shellcheck disable=SC2064
	trap -- "auditd_cleanup; ${prev[2]:-}" EXIT
	[ -n "$(trap -p INT)" ] || trap 'exit 130' INT
	[ -n "$(trap -p TERM)" ] || trap 'exit 143' TERM
}

auditd_ensure() {
	local pid enabled dir
	if [ "$(id -u)" != 0 ]; then
		_nbg_audit_say "needs root"
		return 77
	fi
	if ! command -v auditctl >/dev/null || ! command -v ausearch >/dev/null ||
		[ ! -x /sbin/auditd ]; then
		_nbg_audit_say "auditd, auditctl or ausearch is not installed"
		return 1
	fi
	if ! auditctl -s >/dev/null 2>&1; then
		_nbg_audit_say "the kernel does not answer audit requests (no audit support)"
		return 77
	fi
	_nbg_audit_trap
	pid=$(_nbg_audit_status pid)
	if [ -n "$pid" ] && [ "$pid" != 0 ] && [ -d "/proc/$pid" ]; then
		dir=$(_nbg_audit_conf_dir "$pid")
		NBG_AUDIT_LOG=$(_nbg_audit_conf_log "$dir") || return 1
		NBG_AUDIT_PRIVATE=0
		_nbg_audit_say "using the running auditd (pid $pid), log $NBG_AUDIT_LOG"
	else
		_nbg_auditd_start || return 1
		_nbg_audit_say "started a private auditd (pid $_nbg_auditd_pid), log $NBG_AUDIT_LOG"
	fi
	enabled=$(_nbg_audit_status enabled)
	if [ "$enabled" = 0 ]; then
		auditctl -e 1 >/dev/null || { _nbg_audit_say "auditctl -e 1 failed"; return 1; }
		_nbg_audit_prev_enabled=0
	fi
	NBG_AUSEARCH="ausearch -if $NBG_AUDIT_LOG"
	export NBG_AUDIT_LOG NBG_AUDIT_PRIVATE NBG_AUSEARCH
	return 0
}

audit_search() {
	ausearch -if "$NBG_AUDIT_LOG" "$@"
}

audit_report() {
	aureport -if "$NBG_AUDIT_LOG" "$@"
}

audit_wait() {
	local pattern=$1 secs=10 i out
	shift
	if [ $# -gt 0 ] && [ "$1" != -- ]; then
		secs=$1
		shift
	fi
	[ "${1:-}" = -- ] && shift
	for ((i = 0; i < secs * 10; i++)); do
		out=$(audit_search "$@" 2>/dev/null | grep -F -- "$pattern")
		if [ -n "$out" ]; then
			printf '%s\n' "$out"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

auditd_cleanup() {
	local i
	if [ -n "$_nbg_audit_prev_enabled" ]; then
		auditctl -e "$_nbg_audit_prev_enabled" >/dev/null 2>&1 ||
			_nbg_audit_say "could not restore the audit enabled flag to $_nbg_audit_prev_enabled"
		_nbg_audit_prev_enabled=
	fi
	if [ -n "$_nbg_auditd_pid" ]; then
		kill -TERM "$_nbg_auditd_pid" 2>/dev/null
		for ((i = 0; i < 100; i++)); do
			kill -0 "$_nbg_auditd_pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$_nbg_auditd_pid" 2>/dev/null; then
			_nbg_audit_say "auditd (pid $_nbg_auditd_pid) ignored SIGTERM; killing it"
			kill -KILL "$_nbg_auditd_pid" 2>/dev/null
		fi
		wait "$_nbg_auditd_pid" 2>/dev/null
		_nbg_auditd_pid=
	fi
	if [ -n "$_nbg_auditd_dir" ]; then
		rm -rf -- "$_nbg_auditd_dir"
		_nbg_auditd_dir=
	fi
}

# The body of audit_with_private_syslog, run inside its own mount namespace:
# a tmpfs over /dev with the few device nodes a command needs bound back
# from the real /dev (kept at $3), and the sink listening on /dev/log.
# shellcheck disable=SC2016
_nbg_private_syslog_body='
	sink=$1 out=$2 olddev=$3
	shift 3
	mount --rbind /dev "$olddev" || exit 125
	mount -t tmpfs -o mode=0755,nosuid nbg-dev /dev || exit 125
	for n in null zero full random urandom tty; do
		[ -e "$olddev/$n" ] || continue
		: >"/dev/$n" && mount --bind "$olddev/$n" "/dev/$n" || exit 125
	done
	mkdir -m 0755 /dev/pts && mount --rbind "$olddev/pts" /dev/pts || exit 125
	mkdir -m 1777 /dev/shm || exit 125
	ln -s /proc/self/fd /dev/fd && ln -s fd/0 /dev/stdin && ln -s fd/1 /dev/stdout &&
		ln -s fd/2 /dev/stderr || exit 125
	"$sink" /dev/log "$out" &
	spid=$!
	for _ in $(seq 100); do
		[ -S /dev/log ] && break
		sleep 0.05
	done
	[ -S /dev/log ] || { kill "$spid"; exit 125; }
	"$@"
	rc=$?
	sleep 0.2
	kill "$spid"
	wait "$spid" 2>/dev/null
	exit "$rc"
'

audit_with_private_syslog() {
	local sink=$1 out=$2 olddev rc
	shift 2
	olddev=$(mktemp -d /tmp/nbg-olddev.XXXXXX) || return 125
	unshare --mount --propagation private bash -c "$_nbg_private_syslog_body" bash \
		"$sink" "$out" "$olddev" "$@"
	rc=$?
	rmdir -- "$olddev" 2>/dev/null
	return "$rc"
}
