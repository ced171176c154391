#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/test-e2e-cli.sh - the reference device CLI, interactively: a
# tmux pane runs `ssh -t` to the device with the CLI as the remote command;
# the test types the PIN at ssh's prompt and the CLI commands, and reads
# the screen.  A reader's `show running-config` works and `configure` is
# refused with a clear message; a writer configures the hostname and sees
# it in the running configuration.  The CLI is build/examples/nexusbg-cli;
# a copy installed as packaging would (with cap_audit_write, the library
# in the system's library directory) also writes the refusal to the audit
# log.  The tmux server is stopped by pid.
. "$NBG_SRCDIR/tests/e2e/lib.sh"
e2e_enter "$@"
command -v tmux >/dev/null || sshd_fail "tmux is not installed (packaging/build-deps lists it)"
CLI=$NBG_BUILDDIR/examples/nexusbg-cli
[ -x "$CLI" ] || sshd_fail "$CLI is not built"
e2e_device
e2e_key alice ed25519-sk
e2e_key bob ecdsa-sk
e2e_doc_user alice reader alice
e2e_doc_user bob writer bob
e2e_doc_publish 1
e2e_sync
[ "$RC" = 0 ] || sshd_fail "nexusbg sync: $(cat "$E2E_DIR/sync.out")"
e2e_sshd_start
[ -s "$E2E_DIR/ssh_config" ] || _e2e_ssh_config

# the CLI as packaging installs it
libdir=$(dirname "$(find /usr/lib -name 'libc.so.6' -print -quit)")
lib=$(readlink -f "$NBG_BUILDDIR/session/libnexusbg-session.so.0")
if ! { install -m 0755 "$lib" "$libdir/" &&
    ln -sf "${lib##*/}" "$libdir/libnexusbg-session.so.0" && ldconfig &&
    install -m 0755 "$CLI" /usr/bin/nexusbg-cli &&
    setcap cap_audit_write+ep /usr/bin/nexusbg-cli; }; then
	sshd_fail "cannot install nexusbg-cli"
fi

SOCK=$E2E_DIR/tmux.sock
TMUX_PID=
tmux_stop() {
	[ -n "$TMUX_PID" ] || return 0
	kill "$TMUX_PID" 2>/dev/null
	TMUX_PID=
}
e2e_at_exit tmux_stop
t() {
	tmux -S "$SOCK" -f /dev/null "$@"
}

# screen: the pane's text, wrapped lines joined
screen() {
	t capture-pane -p -J -S -200 -t cli 2>/dev/null
}

# wait_for ERE [SECS]: until the screen matches
wait_for() {
	local re=$1 secs=${2:-15} i
	for ((i = 0; i < secs * 10; i++)); do
		grep -Eq -- "$re" <(screen) && return 0
		sleep 0.1
	done
	return 1
}

# wait_last ERE [SECS]: until the last line on the screen matches
wait_last() {
	local re=$1 secs=${2:-15} i
	for ((i = 0; i < secs * 10; i++)); do
		screen | sed '/^ *$/d' | tail -n 1 | grep -Eq -- "$re" && return 0
		sleep 0.1
	done
	return 1
}

# type LINE: as an operator would, then Enter
type_line() {
	t send-keys -t cli -l -- "$1" && t send-keys -t cli Enter
}

# count ERE: how many screen lines match
count() {
	grep -Ec -- "$1" <(screen)
}

# cli_session USER KEY CLIPATH: a pane running ssh -t USER@device CLIPATH;
# the PIN typed at ssh's prompt.
cli_session() {
	local cmd
	cmd=$(printf '%q ' env SK_SOFT_QUIET=1 SK_SOFT_PIN="$E2E_PIN" "${E2E_PRE[@]}" \
	    ssh -F "$E2E_DIR/ssh_config" -t -o BatchMode=no -o IdentityFile="$E2E_KEYS/$2" \
	    -p "$E2E_PORT" -l "$1" 127.0.0.1 "$3")
	tmux_stop
	rm -f "$SOCK"
	t new-session -d -s cli -x 160 -y 60 "$cmd; echo \"ssh exit \$?\"; sleep 600" ||
	    sshd_fail "tmux new-session"
	TMUX_PID=$(t display-message -p -t cli '#{pid}')
	if wait_for 'Enter PIN for ED25519-SK key|Enter PIN for ECDSA-SK key'; then
		ok "$1: ssh asks for the key's PIN on the terminal"
	else
		not_ok "$1: ssh asks for the key's PIN on the terminal" "$(screen)"
	fi
	type_line "$E2E_PIN"
	if wait_for '^leaf-e2e-01> *$'; then
		ok "$1: the PIN and a touch later, the CLI's prompt"
	else
		not_ok "$1: the PIN and a touch later, the CLI's prompt" "$(screen)"
	fi
	check "$1: ssh asked for the touch" grep -q 'Confirm user presence for key' <(screen)
}

cli_exit() {
	type_line exit
	if wait_for '^ssh exit 0$'; then
		ok "$1: exit leaves the CLI and the session"
	else
		not_ok "$1: exit leaves the CLI and the session" "$(screen)"
	fi
}

# ---- a reader -------------------------------------------------------------------
mark=$(e2e_now)
cli_session alice alice "$CLI"
type_line "show running-config"
check "reader: show running-config works" wait_for '^hostname leaf-e2e-01$'
type_line "configure"
if wait_for "^% Permission denied: this session's role does not allow configuration mode\.$"; then
	ok "reader: configure is refused with a clear message"
else
	not_ok "reader: configure is refused with a clear message" "$(screen)"
fi
check "reader: ... and the CLI stays out of configuration mode" \
    eval 'wait_last "^leaf-e2e-01> *$" && [ "$(count "\(config\)#")" = 0 ]'
type_line "show session"
check "reader: show session says reader" wait_for '^Role: +reader$'
cli_exit reader
expect_audit "reader: the session is audited (USER_START granted)" "$mark" USER_START \
    "op=nexusbg-session-open " "reason=granted " "nbg_role=reader " 'acct="alice"'

mark=$(e2e_now)
cli_session alice alice /usr/bin/nexusbg-cli
type_line "configure"
check "reader, installed CLI: configure is refused" \
    wait_for "^% Permission denied: this session's role does not allow configuration mode\.$"
expect_audit "reader, installed CLI: the refusal is audited (USER_CMD, exe nexusbg-cli)" "$mark" \
    USER_CMD "op=nexusbg-session-check " "reason=capability-denied " "nbg_cap=configure " \
    'acct="alice"' 'exe="/usr/bin/nexusbg-cli"' "res=failed"
cli_exit "reader, installed CLI"

# ---- a writer -------------------------------------------------------------------
cli_session bob bob "$CLI"
type_line "configure"
check "writer: configure enters configuration mode" wait_for '^Entering configuration mode\.$'
check "writer: ... the prompt says so" wait_for '^leaf-e2e-01\(config\)# *$'
type_line "hostname x"
check "writer: hostname x changes the prompt" wait_for '^x\(config\)# *$'
type_line "end"
check "writer: end leaves configuration mode" wait_for '^x> *$'
type_line "show running-config"
check "writer: show running-config shows hostname x" wait_for '^hostname x$'
cli_exit writer

tmux_stop
e2e_finish
