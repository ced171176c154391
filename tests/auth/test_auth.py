#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""PAM-stack tests of pam_nexusbg's auth phase: the real libpam
(pam_start_confdir through authdrive), the real module, real users, real
`ssh-keygen -Y sign` signatures from the software security key of
tests/sk-soft, and a real auditd.

Run by tests/auth/run.sh, which provides a private mount namespace (tmpfs on
/run) and a running auditd (NBG_AUSEARCH).  Every scenario reads the
challenge the module shows, signs it as an operator would, answers through
the conversation, and checks the PAM return codes and the audit record of
the attempt (by the reference the user was shown).
"""
import base64
import hashlib
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.environ["NBG_SRCDIR"], "tests", "lib"))
from nbgtest import TestUsers, asan_preload, run  # noqa: E402

SRC = os.environ["NBG_SRCDIR"]
BUILD = os.environ["NBG_BUILDDIR"]
NEXUSBG = os.path.join(BUILD, "tools", "nexusbg")
AUTHDRIVE = os.path.join(BUILD, "tests", "auth", "authdrive")
MODULE = os.path.join(BUILD, "pam_nexusbg", "pam_nexusbg.so")
PLUGIN = os.path.join(BUILD, "pam_nexusbg", "pam_nexusbg-auth.so")
PROVIDER = os.environ.get("SK_SOFT_PROVIDER",
                          os.path.join(BUILD, "tests", "sk-soft", "sk-soft.so"))
AUSEARCH = shlex.split(os.environ.get("NBG_AUSEARCH", "ausearch"))
PREFIX = "nbgf"
UID_BASE = 61700
PIN = "246810"
FABRIC = "fab-test-01"

results = {"passed": 0, "failed": 0}


def check(name, cond, detail=""):
    if cond:
        results["passed"] += 1
        print(f"ok - {name}")
    else:
        results["failed"] += 1
        print(f"not ok - {name}\n    " + str(detail).replace("\n", "\n    "))
    sys.stdout.flush()
    return cond


_users = TestUsers(UID_BASE)
add_user = _users.add
remove_users = _users.remove_all


class Env:
    """A root-owned temp dir: policy, role table, auth state, PAM services, keys."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="nbg-auth-")
        os.chmod(self.dir, 0o755)
        for d in ("cache", "pam.d", "keys", "sk-state"):
            os.mkdir(os.path.join(self.dir, d), 0o755)
        self.state = os.path.join(self.dir, "auth-state")
        self.confdir = os.path.join(self.dir, "pam.d")
        self.preload = asan_preload(PROVIDER)  # for ssh-keygen
        self.askpass = os.path.join(self.dir, "askpass")
        with open(self.askpass, "w") as f:
            f.write(f"#!/bin/sh\necho {PIN}\n")
        os.chmod(self.askpass, 0o755)

    def sk_env(self, extra=None):
        env = dict(os.environ, SSH_SK_PROVIDER=PROVIDER, SK_SOFT_QUIET="1", SK_SOFT_PIN=PIN,
                   SK_SOFT_STATE_DIR=os.path.join(self.dir, "sk-state"),
                   SSH_ASKPASS=self.askpass, SSH_ASKPASS_REQUIRE="force", DISPLAY="none")
        env.update(self.preload)
        env.update(extra or {})
        return env

    def keygen(self, name, kind):
        path = os.path.join(self.dir, "keys", name)
        if kind in ("ed25519-sk", "ecdsa-sk"):
            run(["setsid", "-w", "ssh-keygen", "-q", "-t", kind, "-w", PROVIDER, "-N", "",
                 "-O", "verify-required", "-C", "NexusIdentitySSHKey", "-f", path],
                env=self.sk_env(), input="")
        else:
            run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-f", path])
        t, b64 = open(path + ".pub").read().split()[:2]
        fp = run(["ssh-keygen", "-lf", path + ".pub"]).stdout.split()[1]
        return {"path": path, "line": f"{t} {b64}", "fp": fp}

    def sign(self, key, message, ns="nexusbg", **sk):
        """ssh-keygen -Y sign over message (bytes) as an operator runs it."""
        extra = {k: str(v) for k, v in sk.items()}
        p = subprocess.run(["setsid", "-w", "ssh-keygen", "-Y", "sign", "-f", key["path"],
                            "-n", ns], input=message, capture_output=True,
                           env=self.sk_env(extra))
        if p.returncode != 0:
            raise RuntimeError(f"ssh-keygen -Y sign: {p.stderr.decode()}")
        return p.stdout.decode()

    def policy(self, name, **settings):
        """The base policy with some settings replaced or added (keyword=value)."""
        lines = [
            f"fabric {FABRIC}",
            f"role_table {self.dir}/cache/roles.db",
            "max_cache_age 1d",
            "role reader show",
            "role writer show configure",
            "unknown_users deny",
            "fallback always",
            f"fallback_account {PREFIX}ro reader",
            "trusted_source default 192.0.2.0/24 127.0.0.0/8",
            "account_uid_range 61000-61999",
            f"auth_state_dir {self.state}",
            "auth_challenge_ttl 1m",
        ]
        for kw, value in settings.items():
            lines = [x for x in lines if x.split()[0] != kw] + [f"{kw} {value}"]
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(path, 0o644)
        return path

    def stack(self, policy, module=MODULE):
        """The stacks of packaging/pam/login and sshd-kbdint; pam_permit stands for
        the rest of the auth stack (common-auth), so PAM_IGNORE shows as success."""
        for service in ("login", "sshd"):
            with open(os.path.join(self.confdir, service), "w") as f:
                f.write(f"auth [success=done ignore=ignore default=die] {module} "
                        f"policy={policy}\n"
                        "auth required pam_permit.so\n"
                        f"account required {module} policy={policy}\n"
                        "session required pam_loginuid.so\n"
                        f"session required {module} policy={policy}\n")

    def install_roles(self, doc, policy):
        path = os.path.join(self.dir, "roles.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        p = run([NEXUSBG, "sync", "--policy", policy, "--file", path, "--quiet"], check=False)
        if p.returncode not in (0, 3):
            raise RuntimeError(f"nexusbg sync --file failed: {p.stdout}{p.stderr}")


CHALLENGE_RE = re.compile(r"printf '%s' '([^']*)'")


class Drive:
    """One authdrive process: read the challenge, answer the prompts."""

    def __init__(self, env, user, service="login", steps="auth,setcred,acct,open,close",
                 run_cmd=None, envs=(), rhost=None):
        cmd = [AUTHDRIVE, "--confdir", env.confdir, "--service", service, "--steps", steps]
        if user is not None:
            cmd += ["--user", user]
        if rhost is not None:
            cmd += ["--rhost", rhost]
        for e in envs:
            cmd += ["--env", e]
        if run_cmd:
            cmd += ["--"] + run_cmd
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        self.lines = []
        self.challenge = None
        self.prompts = 0

    def until_prompt(self):
        """Read to the next prompt; False when the process ended instead."""
        while True:
            line = self.p.stdout.readline()
            if not line:
                return False
            line = line.rstrip("\n")
            self.lines.append(line)
            m = CHALLENGE_RE.search(line)
            if m and self.challenge is None:
                self.challenge = m.group(1)
            if line.startswith("prompt="):
                self.prompts += 1
                return True

    def send(self, text):
        self.p.stdin.write(text + "\n")
        self.p.stdin.flush()

    def close_input(self):
        if not self.p.stdin.closed:
            try:
                self.p.stdin.close()
            except BrokenPipeError:
                pass

    def kill(self):
        self.p.send_signal(signal.SIGKILL)
        self.p.wait()

    def finish(self, timeout=60):
        self.close_input()
        self.lines += self.p.stdout.read().splitlines()
        self.p.wait(timeout=timeout)
        out = {"raw": "\n".join(self.lines), "msgs": [], "challenge": self.challenge,
               "prompts": self.prompts}
        for line in self.lines:
            k, _, v = line.partition("=")
            if k in ("info", "error"):
                out["msgs"].append(v)
            elif k in ("auth", "setcred", "acct", "open", "close", "run"):
                out[k] = v
        refs = re.findall(r"reference (NBG-[0-9A-F]+)", out["raw"])
        out["ref"] = refs[0] if refs else None
        return out


def attempt(env, user, answer, before=(), **kw):
    """Run one attempt.  Prompts before the challenge get the responses in
    before (the login name); then answer(challenge) gives the rest, one per
    prompt; when they run out the input is closed."""
    d = Drive(env, user, **kw)
    pre = list(before)
    responses = None
    while d.until_prompt():
        if d.challenge is None and pre:
            d.send(pre.pop(0))
            continue
        if responses is None:
            responses = iter(answer(d.challenge) if d.challenge is not None else [])
        nxt = next(responses, None)
        if nxt is None:
            d.close_input()
            break
        d.send(nxt)
    return d.finish()


def one_line(armor):
    """What the shown command prints: the block joined into one line."""
    return " ".join(armor.split())


def audit_lines(ref, tries=40):
    for _ in range(tries):
        p = run(AUSEARCH + ["--raw", "-m", "USER_AUTH,USER_ACCT,USER_START"], check=False)
        lines = [line for line in p.stdout.splitlines() if f"ref={ref}" in line]
        if lines:
            return lines
        time.sleep(0.25)
    return []


def expect_denied(name, out, reason, code="PAM_AUTH_ERR", fp=None, challenge=True):
    check(f"{name}: auth {code}", out.get("auth") == code, out["raw"])
    check(f"{name}: no further step ran", "acct" not in out and "open" not in out, out["raw"])
    check(f"{name}: challenge {'shown' if challenge else 'not shown'}",
          (out["challenge"] is not None) == challenge, out["raw"])
    ref = out.get("ref")
    if not check(f"{name}: the user is shown a reference", ref is not None, out["raw"]):
        return
    lines = audit_lines(ref)
    check(f"{name}: audited USER_AUTH reason={reason} res=failed",
          any("type=USER_AUTH" in x and f"reason={reason}" in x and "op=nexusbg-auth" in x
              and "res=failed" in x for x in lines), "\n".join(lines) or "no record")
    if fp is not None:
        check(f"{name}: the record names key {fp}", any(f"fp={fp}" in x for x in lines),
              "\n".join(lines))
    check(f"{name}: the reason is not shown to the user",
          not any(reason in m for m in out["msgs"]), "\n".join(out["msgs"]))


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root")
        return 77
    for path in (NEXUSBG, AUTHDRIVE, MODULE, PROVIDER):
        if not os.path.exists(path):
            print(f"missing {path}: build the project first")
            return 1
    env = Env()
    try:
        return scenarios(env)
    finally:
        remove_users()
        shutil.rmtree(env.dir, ignore_errors=True)


def scenarios(env):
    P = PREFIX
    for u in ("alice", "bob", "carol", "ro", "zed"):
        add_user(P + u)
    alice = env.keygen("alice", "ed25519-sk")
    bob = env.keygen("bob", "ecdsa-sk")
    carol = env.keygen("carol", "ed25519-sk")
    stranger = env.keygen("stranger", "ecdsa-sk")
    plain = env.keygen("plain", "ed25519")
    now = time.time()
    doc = {"format_version": 1, "fabric": FABRIC, "serial": 7,
           "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
           "users": [
               {"login": P + "alice", "role": "reader", "keys": [alice["line"]]},
               {"login": P + "bob", "role": "writer", "keys": [bob["line"]]},
               {"login": P + "carol", "role": "writer", "keys": [carol["line"]],
                "blocked": True}]}
    pol = env.policy("policy.conf")
    env.stack(pol)
    env.install_roles(doc, pol)
    check_cmd = [NEXUSBG, "session", "check", "configure"]

    def signed(key, **kw):
        return lambda chal: [one_line(env.sign(key, chal.encode(), **kw))]

    # --- genuine signatures: both key types, the session bound to the key -------
    o = attempt(env, P + "alice", signed(alice), run_cmd=check_cmd)
    check("ed25519-sk: challenge shown", o["challenge"] is not None, o["raw"])
    check("ed25519-sk: challenge names user, host and fabric",
          o["challenge"] is not None and f"user={P}alice " in o["challenge"] and
          f" fabric={FABRIC} " in o["challenge"] and " host=" in o["challenge"], o["raw"])
    check("ed25519-sk: auth PAM_SUCCESS", o.get("auth") == "PAM_SUCCESS", o["raw"])
    check("ed25519-sk: setcred PAM_SUCCESS", o.get("setcred") == "PAM_SUCCESS", o["raw"])
    check("ed25519-sk: account PAM_SUCCESS", o.get("acct") == "PAM_SUCCESS", o["raw"])
    check("ed25519-sk: session opened with the proven key", o.get("open") == "PAM_SUCCESS",
          o["raw"])
    check("ed25519-sk: reader may not configure", o.get("run") == "1", o["raw"])
    first = o

    o = attempt(env, P + "bob", signed(bob), run_cmd=check_cmd)
    check("ecdsa-sk: auth PAM_SUCCESS", o.get("auth") == "PAM_SUCCESS", o["raw"])
    check("ecdsa-sk: session opened", o.get("open") == "PAM_SUCCESS", o["raw"])
    check("ecdsa-sk: writer may configure", o.get("run") == "0", o["raw"])

    # --- how the signature comes back --------------------------------------------
    for name, ending in (("echo (LF)", "\n"), ("PowerShell (CRLF)", "\r\n")):
        o = attempt(env, P + "bob",
                    lambda chal: [one_line(env.sign(bob, (chal + ending).encode()))],
                    steps="auth")
        check(f"message signed with {name}: PAM_SUCCESS", o.get("auth") == "PAM_SUCCESS",
              o["raw"])
    o = attempt(env, P + "bob",
                lambda chal: [one_line(env.sign(bob, (chal + "\n\n").encode()))],
                steps="auth")
    expect_denied("message with two newlines", o, "signature-invalid", fp=bob["fp"])
    o = attempt(env, P + "alice",
                lambda chal: env.sign(alice, chal.encode()).splitlines(), steps="auth")
    check("block pasted line by line: PAM_SUCCESS", o.get("auth") == "PAM_SUCCESS", o["raw"])
    check("block pasted line by line: one prompt per line", o["prompts"] == 7, o["raw"])
    o = attempt(env, P + "alice",
                lambda chal: ["!esc " + env.sign(alice, chal.encode()).replace("\n", "\\n")],
                steps="auth")
    check("block in one multi-line response: PAM_SUCCESS", o.get("auth") == "PAM_SUCCESS",
          o["raw"])

    # --- refused signatures ---------------------------------------------------------
    o = attempt(env, P + "alice", signed(alice, SK_SOFT_FORCE_UV=0))
    expect_denied("no PIN (UV clear)", o, "user-verification-missing", fp=alice["fp"])
    o = attempt(env, P + "bob", signed(bob, SK_SOFT_FORCE_UV=0))
    expect_denied("ecdsa-sk, no PIN (UV clear)", o, "user-verification-missing", fp=bob["fp"])
    o = attempt(env, P + "alice", signed(alice, SK_SOFT_NO_UP=1))
    expect_denied("no touch (UP clear)", o, "user-presence-missing", fp=alice["fp"])
    o = attempt(env, P + "alice", signed(alice, ns="file"))
    expect_denied("wrong namespace", o, "signature-namespace-mismatch", fp=alice["fp"])
    o = attempt(env, P + "alice", signed(bob))
    expect_denied("another user's key", o, "key-not-registered", fp=bob["fp"])
    o = attempt(env, P + "alice", signed(stranger))
    expect_denied("unregistered security key", o, "key-not-registered", fp=stranger["fp"])
    o = attempt(env, P + "alice", signed(plain))
    expect_denied("plain ssh-ed25519 key", o, "not-fido2-key", fp=plain["fp"])
    o = attempt(env, P + "alice",
                lambda chal: [one_line(env.sign(alice, chal.replace("nonce=", "nonce=0")
                                                .encode()))])
    expect_denied("signature over another text", o, "signature-invalid", fp=alice["fp"])

    # --- replay ------------------------------------------------------------------------
    replayed = one_line(env.sign(alice, first["challenge"].encode()))
    o = attempt(env, P + "alice", lambda chal: [replayed])
    expect_denied("signature over a used challenge", o, "challenge-replayed", fp=alice["fp"])
    held = Drive(env, P + "alice")
    check("first of two concurrent attempts shows a challenge", held.until_prompt(),
          "\n".join(held.lines))
    other = one_line(env.sign(alice, held.challenge.encode()))
    o = attempt(env, P + "alice", lambda chal: [other])
    expect_denied("signature for another attempt's challenge", o, "challenge-replayed",
                  fp=alice["fp"])
    held.send(other)
    o = held.finish()
    check("...which still logs in the attempt it was made for", o.get("auth") == "PAM_SUCCESS",
          o["raw"])

    # --- the signature counter ---------------------------------------------------------
    o = attempt(env, P + "bob", signed(bob, SK_SOFT_COUNTER=100000), steps="auth")
    check("counter 100000: PAM_SUCCESS", o.get("auth") == "PAM_SUCCESS", o["raw"])
    o = attempt(env, P + "bob", signed(bob, SK_SOFT_COUNTER=500))
    expect_denied("counter going backwards", o, "signature-counter-regressed", fp=bob["fp"])
    o = attempt(env, P + "bob", signed(bob, SK_SOFT_COUNTER=100000))
    expect_denied("counter repeated", o, "signature-counter-regressed", fp=bob["fp"])
    o = attempt(env, P + "bob", signed(bob, SK_SOFT_COUNTER=100001), steps="auth")
    check("counter advancing again: PAM_SUCCESS", o.get("auth") == "PAM_SUCCESS", o["raw"])

    # --- malformed answers --------------------------------------------------------------
    def truncated(chal):
        lines = env.sign(alice, chal.encode()).splitlines()
        return [" ".join(lines[:3] + [lines[-1]])]
    o = attempt(env, P + "alice", truncated)
    expect_denied("truncated armor", o, "signature-format-invalid")
    o = attempt(env, P + "alice", lambda chal: [one_line(env.sign(alice, chal.encode()))[:200]])
    expect_denied("armor cut off, then the input ends", o, "auth-aborted", code="PAM_CONV_ERR")
    o = attempt(env, P + "alice", lambda chal: ["hello, is this thing on?"])
    expect_denied("garbage armor", o, "signature-format-invalid")
    o = attempt(env, P + "alice",
                lambda chal: ["-----BEGIN SSH SIGNATURE----- U1NIU0lHAAAAAQAA$$$$"])
    expect_denied("garbage inside the armor", o, "signature-format-invalid")
    start = time.monotonic()
    o = attempt(env, P + "alice", lambda chal: ["-----BEGIN SSH SIGNATURE----- " +
                                                "QUFB" * (256 * 1024)])
    expect_denied("1 MB paste", o, "signature-format-invalid")
    check("1 MB paste: refused at once", time.monotonic() - start < 10,
          f"{time.monotonic() - start:.1f}s")
    o = attempt(env, P + "alice", lambda chal: ["-----BEGIN SSH SIGNATURE-----"] +
                ["QUFB" * 16] * 600)
    expect_denied("endless multi-line paste", o, "signature-format-invalid")
    o = attempt(env, P + "alice", lambda chal: [""])
    expect_denied("empty line cancels", o, "auth-aborted")
    o = attempt(env, P + "alice", lambda chal: [])
    expect_denied("end of input", o, "auth-aborted", code="PAM_CONV_ERR")
    o = attempt(env, P + "alice", lambda chal: ["!null"])
    expect_denied("NULL response", o, "auth-aborted", code="PAM_CONV_ERR")

    # --- users the challenge is not for ---------------------------------------------
    o = attempt(env, P + "carol", signed(carol))
    expect_denied("blocked user", o, "user-blocked", challenge=False)
    o = attempt(env, P + "zed", lambda chal: [])
    expect_denied("unknown user", o, "unknown-user", code="PAM_USER_UNKNOWN", challenge=False)
    o = attempt(env, P + "ro", lambda chal: [], steps="auth")
    check("fallback account: ignored (the rest of the stack decides), no challenge",
          o.get("auth") == "PAM_SUCCESS" and o["challenge"] is None, o["raw"])
    o = attempt(env, None, signed(alice), before=[P + "alice"], steps="auth")
    check("login without a name: the module asks for it, then for the signature",
          o["prompts"] == 2 and o.get("auth") == "PAM_SUCCESS", o["raw"])

    # --- the policy -----------------------------------------------------------------------
    env.stack(env.policy("ignore.conf", unknown_users="ignore"))
    o = attempt(env, P + "zed", lambda chal: [], steps="auth")
    check("unknown_users ignore: ignored (the rest of the stack decides), no challenge",
          o.get("auth") == "PAM_SUCCESS" and o["challenge"] is None, o["raw"])
    env.stack(env.policy("ecdsa.conf", key_types="sk-ecdsa-sha2-nistp256@openssh.com"))
    o = attempt(env, P + "alice", signed(alice))
    expect_denied("key type not allowed", o, "key-type-not-allowed", fp=alice["fp"])
    env.stack(env.policy("ns.conf", auth_namespace="fabric-login"))
    o = attempt(env, P + "alice", signed(alice, ns="fabric-login"), steps="auth")
    check("auth_namespace fabric-login: PAM_SUCCESS", o.get("auth") == "PAM_SUCCESS", o["raw"])
    check("auth_namespace fabric-login: the command shown uses it",
          "-n fabric-login" in o["raw"], o["raw"])
    o = attempt(env, P + "alice", signed(alice))
    expect_denied("default namespace where the policy set another", o,
                  "signature-namespace-mismatch", fp=alice["fp"])
    env.stack(pol)
    os.chmod(env.state, 0o755)
    o = attempt(env, P + "alice", signed(alice))
    expect_denied("auth state directory not 0700", o, "internal-error",
                  code="PAM_AUTHINFO_UNAVAIL", challenge=False)
    os.chmod(env.state, 0o700)
    chal_file = os.path.join(env.state, f"chal-{P}alice")
    os.rename(chal_file, chal_file + ".saved")
    with open(chal_file, "w") as f:
        f.write("c1 not-a-nonce\n")
    os.chmod(chal_file, 0o600)
    o = attempt(env, P + "alice", signed(alice))
    expect_denied("corrupt challenge records", o, "internal-error",
                  code="PAM_AUTHINFO_UNAVAIL", challenge=False)
    os.replace(chal_file + ".saved", chal_file)
    blob = base64.b64decode(alice["line"].split()[1])
    ctr_file = os.path.join(env.state, "ctr-" + hashlib.sha256(blob).hexdigest())
    check("the key's counter is kept under the SHA-256 of its blob", os.path.isfile(ctr_file),
          str(os.listdir(env.state)))
    os.rename(ctr_file, ctr_file + ".saved")
    os.symlink(ctr_file + ".saved", ctr_file)
    o = attempt(env, P + "alice", signed(alice))
    expect_denied("counter file replaced by a symbolic link", o, "internal-error",
                  code="PAM_AUTHINFO_UNAVAIL", fp=alice["fp"])
    os.unlink(ctr_file)
    os.rename(ctr_file + ".saved", ctr_file)
    o = attempt(env, P + "alice", signed(alice), steps="auth")
    check("state repaired: PAM_SUCCESS again", o.get("auth") == "PAM_SUCCESS", o["raw"])

    # --- sshd: auth works, the session is bound by SSH_AUTH_INFO_0 only ----------------
    ssh_conn = "SSH_CONNECTION=127.0.0.1 50022 127.0.0.1 22"
    o = attempt(env, P + "alice", signed(alice), service="sshd", steps="auth,acct,open",
                envs=[ssh_conn], rhost="127.0.0.1")
    check("sshd service: auth PAM_SUCCESS", o.get("auth") == "PAM_SUCCESS", o["raw"])
    check("sshd service: no session from the auth phase's key alone",
          o.get("open") == "PAM_SESSION_ERR", o["raw"])
    o = attempt(env, P + "alice", signed(alice), service="sshd", steps="auth,acct,open,close",
                envs=[ssh_conn, f"SSH_AUTH_INFO_0=publickey {alice['line']}\n"
                      "keyboard-interactive/pam\n"], rhost="127.0.0.1")
    check("sshd service, publickey then keyboard-interactive: session opened",
          o.get("open") == "PAM_SUCCESS", o["raw"])

    # --- the plugin: pam_nexusbg-auth.so next to the module, refused unless safe ------
    # A copy of the module in a directory of its own, so its plugin can be
    # missing, foreign or unsafe without touching the build tree.
    sec = os.path.join(env.dir, "security")
    os.mkdir(sec, 0o755)
    mod = os.path.join(sec, "pam_nexusbg.so")
    plug = os.path.join(sec, "pam_nexusbg-auth.so")
    shutil.copyfile(MODULE, mod)
    os.chmod(mod, 0o644)

    def install_plugin(src=PLUGIN, mode=0o644, owner=0):
        if os.path.lexists(plug):
            os.unlink(plug)
        shutil.copyfile(src, plug)
        os.chown(plug, owner, 0)
        os.chmod(plug, mode)

    env.stack(pol, module=mod)
    install_plugin()
    o = attempt(env, P + "alice", signed(alice), steps="auth,acct")
    check("plugin next to the module: auth PAM_SUCCESS", o.get("auth") == "PAM_SUCCESS" and
          o.get("acct") == "PAM_SUCCESS", o["raw"])
    refusals = [
        ("plugin missing", lambda: os.unlink(plug)),
        ("plugin not owned by root", lambda: install_plugin(owner=1)),
        ("plugin writable by its group", lambda: install_plugin(mode=0o664)),
        ("plugin writable by others", lambda: install_plugin(mode=0o646)),
        ("plugin a symbolic link", lambda: (os.unlink(plug), os.symlink(PLUGIN, plug))),
        ("plugin of another build", lambda: install_plugin(os.environ["NBG_OTHER_PLUGIN"])),
        ("not a plugin", lambda: install_plugin(mod)),
    ]
    for name, spoil in refusals:
        install_plugin()
        spoil()
        o = attempt(env, P + "alice", signed(alice))
        expect_denied(name, o, "internal-error", code="PAM_AUTHINFO_UNAVAIL", challenge=False)
    install_plugin()
    os.chmod(sec, 0o775)
    o = attempt(env, P + "alice", signed(alice))
    expect_denied("plugin directory writable by its group", o, "internal-error",
                  code="PAM_AUTHINFO_UNAVAIL", challenge=False)
    os.chmod(sec, 0o755)
    # Without the plugin, step 1 still answers: refused users get their own
    # reason, users that are not ours and fallback accounts go on to the rest
    # of the stack (local admins keep the console).
    os.unlink(plug)
    o = attempt(env, P + "carol", signed(carol))
    expect_denied("no plugin, blocked user", o, "user-blocked", challenge=False)
    o = attempt(env, P + "ro", lambda chal: [], steps="auth")
    check("no plugin, fallback account: ignored (the rest of the stack decides)",
          o.get("auth") == "PAM_SUCCESS" and o["challenge"] is None, o["raw"])
    env.stack(env.policy("ignore-noplugin.conf", unknown_users="ignore"), module=mod)
    o = attempt(env, P + "zed", lambda chal: [], steps="auth")
    check("no plugin, unknown_users ignore: ignored (the rest of the stack decides)",
          o.get("auth") == "PAM_SUCCESS" and o["challenge"] is None, o["raw"])
    env.stack(pol)

    # --- expiry (last: it waits) -------------------------------------------------------
    env.stack(env.policy("short.conf", auth_challenge_ttl="10s"))
    abandoned = Drive(env, P + "alice")
    check("abandoned attempt shows a challenge", abandoned.until_prompt(),
          "\n".join(abandoned.lines))
    late = one_line(env.sign(alice, abandoned.challenge.encode()))
    abandoned.kill()
    slow = Drive(env, P + "alice")
    check("slow attempt shows a challenge", slow.until_prompt(), "\n".join(slow.lines))
    slow_sig = one_line(env.sign(alice, slow.challenge.encode()))
    time.sleep(11)
    slow.send(slow_sig)
    o = slow.finish()
    expect_denied("signature after the challenge expired", o, "challenge-expired")
    o = attempt(env, P + "alice", lambda chal: [late])
    expect_denied("signature over an expired, never answered challenge", o,
                  "challenge-expired", fp=alice["fp"])

    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
