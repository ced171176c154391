# SPDX-License-Identifier: BSD-2-Clause
"""Helpers shared by the Python test drivers (tests/pam, tests/auth)."""
import os
import subprocess


def run(cmd, check=True, env=None, input=None):
    """Run cmd, capture its output; raise with both outputs when check fails.
    Bytes that are not UTF-8 are replaced: ausearch -i prints decoded fields, and
    an audit log shared with other tests may hold any byte in a user name."""
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace", env=env,
                       input=input)
    if check and p.returncode != 0:
        raise RuntimeError(f"{cmd}: exit {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def asan_preload(*objects):
    """The environment an uninstrumented program (ssh-keygen, login, sshd) needs to
    load our sanitizer-built objects: the ASan runtime they link, first.  Empty for
    a normal build.  OpenSSH's and login's own leaks are not ours: no leak check."""
    for obj in objects:
        undef = run(["nm", "-D", "--undefined-only", obj]).stdout
        if " __asan_" not in undef:
            continue
        for line in run(["ldd", obj]).stdout.splitlines():
            parts = line.split()
            if "libasan.so" in line and len(parts) >= 3 and os.path.exists(parts[2]):
                opts = os.environ.get("ASAN_OPTIONS", "")
                return {"LD_PRELOAD": parts[2],
                        "ASAN_OPTIONS": (opts + ":" if opts else "") + "detect_leaks=0"}
        raise RuntimeError(f"{obj} is built with ASan but links no libasan.so")
    return {}


class TestUsers:
    """Local test users with uids from base upwards (the first free ones),
    removed by remove_all() - call it from a finally block."""

    def __init__(self, base):
        self.base = base
        self.names = []

    def add(self, name, uid=None):
        import pwd
        uid = self.base if uid is None else uid
        while True:
            try:
                pwd.getpwuid(uid)
                uid += 1
            except KeyError:
                break
        run(["useradd", "-M", "-u", str(uid), "-s", "/bin/sh", "-d", "/nonexistent", name])
        self.names.append(name)
        return uid

    def remove_all(self):
        for u in self.names:
            subprocess.run(["userdel", "-f", u], capture_output=True)
        self.names = []
