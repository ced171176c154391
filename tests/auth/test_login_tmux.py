#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The console login, interactively: /bin/login runs on a terminal (a tmux
pane) with the PAM stack of packaging/pam/login put over /etc/pam.d in a
private mount namespace; the test types the user name, reads the challenge
off the screen, signs it with ssh-keygen -Y sign and the software key of
tests/sk-soft, pastes the one line the shown command prints, and checks
from the shell that opens that the session holds its role (the session
record bound to the key the auth phase proved).

Also shows why the shown command joins the block into one line: a block
pasted as several lines loses its later lines at the next prompt (login's
conversation, Linux-PAM's misc_conv, flushes pending terminal input), so
the signature never completes and an empty line cancels.

Needs root.  Stops the tmux server it started by
its pid and removes its users and files, also on failure.
"""
import os
import re
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_auth as T  # noqa: E402

SOCK = f"nbg-login-{os.getpid()}"


def tmux(*args, check=True):
    return T.run(["tmux", "-L", SOCK, "-f", "/dev/null"] + list(args), check=check)


def screen():
    """The pane's text, wrapped lines joined, without the blank rows below."""
    return tmux("capture-pane", "-p", "-J", "-S", "-300", "-t", "login").stdout.rstrip()


def wait_for(pattern, secs=20):
    """Wait until the screen matches pattern (\\Z: the end of the last line)."""
    end = time.monotonic() + secs
    while time.monotonic() < end:
        m = re.search(pattern, screen())
        if m:
            return m
        time.sleep(0.1)
    return None


def login_pane(env, pam_dir):
    """A tmux pane running /bin/login with our PAM stack; returns the server pid."""
    preload = " ".join(f"{k}={v}" for k, v in T.asan_preload(T.MODULE).items())
    cmd = ("unshare --mount --propagation private sh -c '"
           "mount -t tmpfs -o mode=0755 nbg-login-run /run && "
           f"mount --bind {pam_dir} /etc/pam.d && exec env {preload} /bin/login'")
    tmux("new-session", "-d", "-s", "login", "-x", "300", "-y", "80", cmd)
    return int(tmux("display-message", "-p", "-t", "login", "#{pid}").stdout.strip())


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root")
        return 77
    for path in (T.NEXUSBG, T.MODULE, T.PROVIDER, "/bin/login", shutil.which("tmux") or "-"):
        if not os.path.exists(path):
            print(f"missing {path}")
            return 1
    env = T.Env()
    server = None
    try:
        server = scenario(env)
        return 1 if T.results["failed"] else 0
    finally:
        if server is None:
            p = tmux("display-message", "-p", "#{pid}", check=False)
            server = int(p.stdout.strip()) if p.returncode == 0 and p.stdout.strip() else None
        if server is not None:
            try:
                os.kill(server, 15)
            except ProcessLookupError:
                pass
        T.remove_users()
        shutil.rmtree(env.dir, ignore_errors=True)


def start_login(env, pam_dir, user):
    server = login_pane(env, pam_dir)
    T.check("login prompts for a name", wait_for(r"login: *\Z") is not None, screen())
    tmux("send-keys", "-t", "login", user, "Enter")
    m = wait_for(r"printf '%s' '([^']*)'")
    T.check("the challenge is on the screen", m is not None, screen())
    T.check("login asks for the signature", wait_for(r"Signature: *\Z") is not None, screen())
    return server, (m.group(1) if m else "")


def scenario(env):
    user = T.PREFIX + "con"
    T.add_user(user)
    key = env.keygen("con", "ecdsa-sk")
    doc = {"format_version": 1, "fabric": T.FABRIC, "serial": 3,
           "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "users": [{"login": user, "role": "writer", "keys": [key["line"]]}]}
    pol = env.policy("policy.conf")
    env.install_roles(doc, pol)
    # the machine's PAM files (common-auth, ...) with our login over theirs
    pam_dir = os.path.join(env.dir, "etc-pam.d")
    shutil.copytree("/etc/pam.d", pam_dir, symlinks=True)
    os.chmod(pam_dir, 0o755)
    with open(os.path.join(T.SRC, "packaging", "pam", "login")) as f:
        stack = f.read().replace("pam_nexusbg.so", f"{T.MODULE} policy={pol}")
    with open(os.path.join(pam_dir, "login"), "w") as f:
        f.write(stack)

    # 1. the block pasted as lines: all but the first line are lost at the next prompt
    server, chal = start_login(env, pam_dir, user)
    block = env.sign(key, chal.encode())
    tmux("set-buffer", "-b", "sig", "--", block)
    tmux("paste-buffer", "-b", "sig", "-t", "login")
    T.check("multi-line paste: the signature stays incomplete",
            wait_for(r"Signature \(continued\): *\Z", 5) is not None and
            wait_for(r"\$ *\Z", 2) is None, screen())
    tmux("send-keys", "-t", "login", "Enter")
    T.check("multi-line paste: an empty line cancels, login refuses",
            wait_for(r"Login incorrect|authentication failed", 15) is not None, screen())
    os.kill(server, 15)
    time.sleep(0.5)

    # 2. the one line the shown command prints: logged in, the session holds its role
    server, chal = start_login(env, pam_dir, user)
    line = T.one_line(env.sign(key, chal.encode()))
    tmux("send-keys", "-t", "login", "-l", "--", line)
    tmux("send-keys", "-t", "login", "Enter")
    T.check("one-line paste: a shell opens", wait_for(r"\$ *\Z", 20) is not None, screen())
    tmux("send-keys", "-t", "login", "-l",
         f"id -un; {T.NEXUSBG} session check configure; echo rc=$?")
    tmux("send-keys", "-t", "login", "Enter")
    m = wait_for(r"rc=(\d+)", 20)
    T.check("the shell runs as the user", f"\n{user}\n" in screen(), screen())
    T.check("writer may configure in the console session", m is not None and m.group(1) == "0",
            screen())
    tmux("send-keys", "-t", "login", "exit", "Enter")
    print(f"{T.results['passed']} passed, {T.results['failed']} failed")
    return server


if __name__ == "__main__":
    sys.exit(main())
