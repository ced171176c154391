#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""PAM-stack tests of pam_nexusbg: the real libpam (pam_start_confdir via
pamdrive), the real module, real users, a real auditd.

Run by tests/pam/run.sh, which provides a private mount namespace (tmpfs on
/run), a running auditd and, in NBG_AUSEARCH, the ausearch command line that
reads its log.  Every scenario checks the PAM return codes, the PAM
environment, the session record seen from inside the session, and the audit
record (by the reference id the user was shown).
"""
import os
import pwd
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.environ["NBG_SRCDIR"], "tests", "lib"))
from nbgtest import TestUsers, asan_preload, run  # noqa: E402

SRC = os.environ["NBG_SRCDIR"]
BUILD = os.environ["NBG_BUILDDIR"]
NEXUSBG = os.path.join(BUILD, "tools", "nexusbg")
PAMDRIVE = os.path.join(BUILD, "tests", "pam", "pamdrive")
MODULE = os.path.join(BUILD, "pam_nexusbg", "pam_nexusbg.so")
PROVIDER = os.path.join(BUILD, "tests", "sk-soft", "sk-soft.so")
AUSEARCH = shlex.split(os.environ.get("NBG_AUSEARCH", "ausearch"))
PREFIX = "nbgt"
UID_BASE = 61900

results = {"passed": 0, "failed": 0}


_users = TestUsers(UID_BASE)
add_user = _users.add
remove_users = _users.remove_all


class Env:
    """A temp dir with a policy, a role table, PAM service files and keys."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="nbg-pam-")
        os.chmod(self.dir, 0o755)
        self.cache = os.path.join(self.dir, "cache")
        os.mkdir(self.cache, 0o755)
        self.confdir = os.path.join(self.dir, "pam.d")
        os.mkdir(self.confdir, 0o755)
        self.keys = {}

    def keygen(self, name, kind):
        path = os.path.join(self.dir, f"key-{name}")
        env = dict(os.environ, SK_SOFT_QUIET="1", SK_SOFT_PIN="123456",
                   SSH_SK_PROVIDER=PROVIDER, **asan_preload(PROVIDER))
        if kind in ("ed25519-sk", "ecdsa-sk"):
            run(["ssh-keygen", "-q", "-t", kind, "-w", PROVIDER, "-N", "", "-O",
                 "verify-required", "-f", path, "-C", "NexusIdentitySSHKey"], env=env,
                input="123456\n")
        else:
            run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-f", path])
        line = open(path + ".pub").read().split()
        fp = run(["ssh-keygen", "-lf", path + ".pub"]).stdout.split()[1]
        self.keys[name] = (line[0], line[1], fp)
        return self.keys[name]

    def policy(self, text, name="policy.conf"):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o644)
        return path

    def service(self, name, lines):
        with open(os.path.join(self.confdir, name), "w") as f:
            f.write("\n".join(lines) + "\n")

    def install_roles(self, doc, policy):
        path = os.path.join(self.dir, "roles.json")
        import json
        with open(path, "w") as f:
            json.dump(doc, f)
        p = run([NEXUSBG, "sync", "--policy", policy, "--file", path, "--quiet"], check=False)
        if p.returncode not in (0, 3):
            raise RuntimeError(f"sync --file failed: {p.stdout}{p.stderr}")


def pamdrive(env, user, service="sshd", rhost=None, conn=None, auth_info=None,
             steps="acct,open,close", run_cmd=None, password=None, after_acct=None):
    cmd = [PAMDRIVE, "--confdir", env.confdir, "--service", service, "--user", user,
           "--steps", steps]
    if after_acct is not None:
        cmd += ["--after-acct", after_acct]
    if rhost:
        cmd += ["--rhost", rhost]
    if conn:
        cmd += ["--env", "SSH_CONNECTION=" + conn]
    if auth_info is not None:
        cmd += ["--env", "SSH_AUTH_INFO_0=" + auth_info]
    if password is not None:
        cmd += ["--password", password]
    if run_cmd:
        cmd += ["--"] + run_cmd
    p = run(cmd, check=False)
    out = {"raw": p.stdout + p.stderr, "msgs": []}
    for line in p.stdout.splitlines():
        k, _, v = line.partition("=")
        if k in ("msg-error", "msg-info"):
            out["msgs"].append(v)
        elif k == "env":
            n, _, val = v.partition("=")
            out.setdefault("env", {})[n] = val
        else:
            out[k] = v
    refs = [w.strip("().,") for m in out["msgs"] for w in m.split() if w.startswith("NBG-")]
    out["ref"] = refs[0].rstrip(")") if refs else None
    return out


def audit_lines(ref, tries=40):
    """The raw audit records carrying ref (waits for auditd to flush)."""
    for _ in range(tries):
        p = run(AUSEARCH + ["--raw", "-m", "USER_ACCT,USER_AUTH,USER_START,USER_CMD"],
                check=False)
        lines = [l for l in p.stdout.splitlines() if f"ref={ref}" in l]
        if lines:
            return lines
        time.sleep(0.25)
    return []


def audit_interpreted_failed(ref):
    """ausearch -sv no -i must list the record as failed."""
    p = run(AUSEARCH + ["-sv", "no", "-i", "-m", "USER_ACCT,USER_AUTH,USER_START"], check=False)
    return [l for l in p.stdout.splitlines() if f"ref={ref}" in l]


def check(name, cond, detail=""):
    if cond:
        results["passed"] += 1
        print(f"ok - {name}")
    else:
        results["failed"] += 1
        print(f"not ok - {name}\n    {detail}")


def expect_denied_audit(name, out, reason, rtype="USER_ACCT", fallback=None, fp=None):
    ref = out.get("ref")
    check(f"{name}: user shown a reference", ref is not None, out["raw"])
    if ref is None:
        return
    lines = audit_lines(ref)
    check(f"{name}: audit record {rtype} reason={reason}",
          any(f"type={rtype}" in l and f"reason={reason}" in l and "res=failed" in l
              for l in lines), "\n".join(lines) or "no record")
    check(f"{name}: ausearch -sv no lists it", audit_interpreted_failed(ref) != [],
          "not listed as failed")
    if fallback is not None:
        check(f"{name}: fallback={fallback}",
              any(f"fallback={fallback}" in l for l in lines), "\n".join(lines))
    if fp is not None:
        check(f"{name}: fp={fp}", any(f"fp={fp}" in l for l in lines), "\n".join(lines))
    # The user is never told which check failed.
    check(f"{name}: reason not shown to the user",
          not any(reason in m for m in out["msgs"]), "\n".join(out["msgs"]))


POLICY = """\
fabric fab-test-01
role_table {cache}/roles.db
max_cache_age 1d
stale_cache {stale}
clock_skew 5m
role reader show
role writer show configure
key_types sk-ssh-ed25519@openssh.com sk-ecdsa-sha2-nistp256@openssh.com
unknown_users {unknown}
deny_user {p}mallory
fallback {fallback}
fallback_account {p}ro reader
fallback_account {p}rw writer
access_path inband 10.99.0.1/32 2001:db8:99::1/128
trusted_source default 192.0.2.0/24 2001:db8:20::/48 127.0.0.0/8
trusted_source inband 198.51.100.0/24
account_uid_range 61000-61999
"""


def make_policy(env, stale="deny", unknown="deny", fallback="auto", extra="", name="policy.conf"):
    return env.policy(POLICY.format(cache=env.cache, stale=stale, unknown=unknown,
                                    fallback=fallback, p=PREFIX) + extra, name)


def pam_stack(env, policy, loginuid=True):
    lines = [f"account required {MODULE} policy={policy}"]
    if loginuid:
        lines.append("session required pam_loginuid.so")
    lines.append(f"session required {MODULE} policy={policy}")
    env.service("sshd", lines)
    env.service("login", [
        f"auth required pam_unix.so",
        f"account required {MODULE} policy={policy}",
        "account required pam_unix.so",
        "session required pam_loginuid.so",
        f"session required {MODULE} policy={policy}"])


def ai(key):
    return f"publickey {key[0]} {key[1]}\n"


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root")
        return 77
    env = Env()
    try:
        return scenarios(env)
    finally:
        remove_users()
        shutil.rmtree(env.dir, ignore_errors=True)


def scenarios(env):
    P = PREFIX
    uids = {}
    for u in ("alice", "bob", "carol", "dave", "erin", "frank", "mallory", "ro", "rw", "zed"):
        uids[u] = add_user(P + u)
    outsider_uid = add_user(P + "out", uid=30500)
    alice = env.keygen("alice", "ed25519-sk")
    bob = env.keygen("bob", "ecdsa-sk")
    carol = env.keygen("carol", "ed25519-sk")
    plain = env.keygen("plain", "ed25519")
    stranger = env.keygen("stranger", "ecdsa-sk")
    now = time.time()

    def iso(t):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))

    doc = {"format_version": 1, "fabric": "fab-test-01", "serial": 10,
           "generated_at": iso(now), "users": [
               {"login": P + "alice", "role": "reader", "keys": [" ".join(alice[:2])],
                "display_name": "alice@contoso.com"},
               {"login": P + "bob", "role": "writer", "keys": [" ".join(bob[:2])]},
               {"login": P + "carol", "role": "reader", "keys": [" ".join(carol[:2])],
                "blocked": True},
               {"login": P + "dave", "role": "writer", "keys": [" ".join(carol[:2]).replace(
                   carol[1], env.keygen("dave", "ed25519-sk")[1])],
                "not_after": iso(now - 86400)},
               {"login": P + "erin", "role": "reader",
                "keys": [" ".join(env.keygen("erin", "ecdsa-sk")[:2])],
                "not_before": iso(now + 86400)},
               {"login": P + "mallory", "role": "writer",
                "keys": [" ".join(env.keygen("mallory", "ed25519-sk")[:2])]},
               {"login": P + "out", "role": "writer",
                "keys": [" ".join(env.keygen("out", "ed25519-sk")[:2])]},
           ]}
    pol = make_policy(env)
    pam_stack(env, pol)
    env.install_roles(doc, pol)
    good = "192.0.2.10 50022 192.0.2.1 22"
    check_cmd = [NEXUSBG, "session", "check", "configure"]

    # 1. reader: granted, configure refused inside the session, show allowed
    o = pamdrive(env, P + "alice", conn=good, auth_info=ai(alice), run_cmd=check_cmd)
    check("reader: account granted", o.get("acct") == "PAM_SUCCESS", o["raw"])
    check("reader: session opened", o.get("open") == "PAM_SUCCESS", o["raw"])
    check("reader: NEXUSBG_ROLE=reader (information only)",
          o.get("env", {}).get("NEXUSBG_ROLE") == "reader", o["raw"])
    check("reader: configure refused inside the session", o.get("run") == "1", o["raw"])
    o = pamdrive(env, P + "alice", conn=good, auth_info=ai(alice),
                 run_cmd=[NEXUSBG, "session", "check", "show"])
    check("reader: show allowed inside the session", o.get("run") == "0", o["raw"])
    check("reader: close_session succeeded", o.get("close") == "PAM_SUCCESS", o["raw"])
    check("reader: record removed at close",
          os.listdir("/run/nexusbg/sessions") == [] if os.path.isdir("/run/nexusbg/sessions")
          else True, str(os.listdir("/run/nexusbg/sessions")))

    # 2. writer: configure allowed
    o = pamdrive(env, P + "bob", conn=good, auth_info=ai(bob), run_cmd=check_cmd)
    check("writer: session opened", o.get("open") == "PAM_SUCCESS", o["raw"])
    check("writer: configure allowed", o.get("run") == "0", o["raw"])

    # nexusbg keys, as sshd's AuthorizedKeysCommand, run as an unprivileged user
    def keys(user, policy=pol, as_nobody=True):
        cmd = [NEXUSBG, "keys", "--policy", policy, user]
        if as_nobody:
            cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + cmd
        return run(cmd, check=False)

    k = keys(P + "alice")
    lines = k.stdout.splitlines()
    check("keys: one line per registered key, with verify-required",
          k.returncode == 0 and len(lines) == 1 and lines[0].startswith(
              f"verify-required {alice[0]} {alice[1]} "), k.stdout + k.stderr)
    check("keys: never no-touch-required", "no-touch-required" not in k.stdout, k.stdout)
    k = keys(P + "carol")
    check("keys: a blocked user's keys are printed (the account phase refuses with a reason)",
          k.returncode == 0 and carol[1] in k.stdout, k.stdout + k.stderr)
    k = keys(P + "mallory")
    check("keys: a locally denied user's keys are printed too", k.returncode == 0, k.stdout)
    k = keys(P + "zed")
    check("keys: nothing for a user the table does not know",
          k.returncode == 1 and k.stdout == "", k.stdout + k.stderr)
    k = keys(P + "out")
    check("keys: nothing for an account outside account_uid_range",
          k.returncode == 1 and k.stdout == "", k.stdout + k.stderr)
    k = keys("root")
    check("keys: nothing for root", k.returncode == 1 and k.stdout == "", k.stdout + k.stderr)
    k = keys("../../etc/passwd")
    check("keys: nothing for a hostile name", k.returncode == 1 and k.stdout == "", k.stdout)
    ed_only = env.policy(open(pol).read().replace(
        "key_types sk-ssh-ed25519@openssh.com sk-ecdsa-sha2-nistp256@openssh.com",
        "key_types sk-ssh-ed25519@openssh.com"), "edonly.conf")
    k = keys(P + "bob", policy=ed_only)
    check("keys: only the key types the policy allows",
          k.returncode == 1 and k.stdout == "", k.stdout + k.stderr)
    dbpath = os.path.join(env.cache, "roles.db")
    os.chmod(dbpath, 0o666)
    k = keys(P + "alice")
    check("keys: nothing when the cache is writable by others",
          k.returncode == 2 and k.stdout == "", k.stdout + k.stderr)
    os.chmod(dbpath, 0o644)

    # account-phase denials, each with its reason in the audit log
    cases = [
        ("unknown user", P + "zed", good, "PAM_USER_UNKNOWN", "unknown-user"),
        ("blocked user", P + "carol", good, "PAM_PERM_DENIED", "user-blocked"),
        ("expired assignment", P + "dave", good, "PAM_PERM_DENIED", "assignment-expired"),
        ("not yet valid", P + "erin", good, "PAM_PERM_DENIED", "assignment-not-yet-valid"),
        ("local deny list", P + "mallory", good, "PAM_PERM_DENIED", "user-denied-locally"),
        ("uid outside range", P + "out", good, "PAM_PERM_DENIED", "account-not-managed"),
        ("untrusted source v4", P + "alice", "203.0.113.9 50022 192.0.2.1 22",
         "PAM_PERM_DENIED", "source-not-trusted"),
        ("untrusted source v6", P + "alice", "2001:db8:666::1 50022 2001:db8:20::1 22",
         "PAM_PERM_DENIED", "source-not-trusted"),
        ("in-band path, default-trusted source", P + "alice",
         "192.0.2.10 50022 10.99.0.1 22", "PAM_PERM_DENIED", "source-not-trusted"),
        ("invalid user name", "Bad$User", good, "PAM_USER_UNKNOWN", "invalid-username"),
    ]
    for name, user, conn, code, reason in cases:
        o = pamdrive(env, user, conn=conn, steps="acct")
        check(f"{name}: {code}", o.get("acct") == code, o["raw"])
        expect_denied_audit(name, o, reason)

    for name, conn in [("trusted v6", "2001:db8:20::7 50022 2001:db8:20::1 22"),
                       ("trusted mapped v4", "::ffff:192.0.2.77 50022 ::ffff:192.0.2.1 22"),
                       ("in-band trusted", "198.51.100.7 50022 10.99.0.1 22"),
                       ("in-band v6 local, trusted", "198.51.100.8 50022 2001:db8:99::1 22")]:
        o = pamdrive(env, P + "alice", conn=conn, steps="acct")
        check(f"{name}: granted", o.get("acct") == "PAM_SUCCESS", o["raw"])

    # session-phase binding
    for name, info, reason in [
            ("no auth info", "", "no-auth-info"),
            ("password only", "password\n", "no-auth-info"),
            ("plain ssh-ed25519 key", ai(plain), "not-fido2-key"),
            ("another user's key", ai(bob), "key-not-registered"),
            ("unregistered sk key", ai(stranger), "key-not-registered"),
            ("garbage auth info", "publickey sk-ssh-ed25519@openssh.com !!!\n",
             "auth-info-invalid"),
            ("second method plain key", ai(alice) + ai(plain), "not-fido2-key")]:
        o = pamdrive(env, P + "alice", conn=good, auth_info=info, run_cmd=check_cmd)
        check(f"{name}: account granted", o.get("acct") == "PAM_SUCCESS", o["raw"])
        check(f"{name}: session refused", o.get("open") == "PAM_SESSION_ERR", o["raw"])
        check(f"{name}: nothing ran", "run" not in o, o["raw"])
        expect_denied_audit(name, o, reason, rtype="USER_AUTH")
    o = pamdrive(env, P + "alice", conn=good, auth_info=ai(plain))
    lines = audit_lines(o["ref"]) if o.get("ref") else []
    check("not-fido2-key: audit carries the key fingerprint",
          any(f"fp={plain[2]}" in l for l in lines), "\n".join(lines))

    # One mapping of the role table per login: the session phase uses the one
    # the account phase opened only while the file and its directory are as
    # they were; a sync or a chmod in between is seen by the session phase.
    # (A cache of its own, so the serials here do not meet the ones below.)
    cache2 = os.path.join(env.dir, "cache2")
    os.mkdir(cache2, 0o755)
    pol3 = env.policy(POLICY.format(cache=cache2, stale="deny", unknown="deny",
                                    fallback="auto", p=P), "between.conf")
    pam_stack(env, pol3)
    env.install_roles(doc, pol3)
    o = pamdrive(env, P + "alice", conn=good, auth_info=ai(alice), after_acct="true")
    check("table unchanged between the phases: session opened",
          o.get("acct") == "PAM_SUCCESS" and o.get("open") == "PAM_SUCCESS" and
          o.get("env", {}).get("NEXUSBG_ROLE") == "reader", o["raw"])
    blocked_doc = dict(doc, serial=11, users=[dict(u, blocked=True) if u["login"] == P + "alice"
                                              else u for u in doc["users"]])
    blocked_path = os.path.join(env.dir, "blocked.json")
    with open(blocked_path, "w") as f:
        import json
        json.dump(blocked_doc, f)
    o = pamdrive(env, P + "alice", conn=good, auth_info=ai(alice), run_cmd=check_cmd,
                 after_acct=shlex.join([NEXUSBG, "sync", "--policy", pol3, "--file",
                                        blocked_path, "--quiet"]))
    check("sync between the phases: account granted, sync done",
          o.get("acct") == "PAM_SUCCESS" and o.get("after-acct") == "0", o["raw"])
    check("sync between the phases: the session phase sees the new table",
          o.get("open") == "PAM_SESSION_ERR" and "run" not in o, o["raw"])
    expect_denied_audit("sync between the phases", o, "user-blocked")
    db3 = os.path.join(cache2, "roles.db")
    o = pamdrive(env, P + "bob", conn=good, auth_info=ai(bob), run_cmd=check_cmd,
                 after_acct=shlex.join(["chmod", "o+w", db3]))
    os.chmod(db3, 0o644)
    check("table made writable between the phases: session refused",
          o.get("acct") == "PAM_SUCCESS" and o.get("open") == "PAM_SESSION_ERR" and
          "run" not in o, o["raw"])
    expect_denied_audit("table made writable between the phases", o, "cache-insecure")
    o = pamdrive(env, P + "bob", conn=good, auth_info=ai(bob), run_cmd=check_cmd,
                 after_acct=shlex.join(["chmod", "o+w", cache2]))
    os.chmod(cache2, 0o755)
    check("table directory made writable between the phases: session refused",
          o.get("acct") == "PAM_SUCCESS" and o.get("open") == "PAM_SESSION_ERR", o["raw"])
    expect_denied_audit("table directory made writable between the phases", o,
                        "cache-insecure")
    pam_stack(env, pol)

    # hostile fields must not forge audit fields
    o = pamdrive(env, P + "zed", rhost="x res=success addr=1.2.3.4", conn=good, steps="acct")
    expect_denied_audit("hostile rhost", o, "unknown-user")
    o = pamdrive(env, "evil res=success", conn=good, steps="acct")
    expect_denied_audit("hostile user name", o, "invalid-username")

    # loginuid already the user's: pam_loginuid keeps the parent's audit session
    # id, which the session must not claim (two logins could share it)
    o = {"raw": ""}
    p = run(["sh", "-c", f'echo {uids["bob"]} > /proc/self/loginuid && "$@"; :', "sh",
             PAMDRIVE, "--confdir", env.confdir, "--service", "sshd", "--user", P + "bob",
             "--env", "SSH_CONNECTION=" + good, "--env", "SSH_AUTH_INFO_0=" + ai(bob),
             "--"] + check_cmd, check=False)
    out = dict(l.split("=", 1) for l in p.stdout.splitlines() if "=" in l)
    check("shared audit session: session opens", out.get("open") == "PAM_SUCCESS", p.stdout)
    check("shared audit session: configure refused", out.get("run") == "1", p.stdout)
    refs = [w.strip("().,") for w in p.stdout.split() if w.startswith("NBG-")]
    lines = audit_lines(refs[0]) if refs else []
    check("shared audit session: audited audit-session-in-use",
          any("reason=audit-session-in-use" in l for l in lines), "\n".join(lines) + p.stdout)

    # no pam_loginuid: the session opens without capabilities
    pam_stack(env, pol, loginuid=False)
    o = pamdrive(env, P + "bob", conn=good, auth_info=ai(bob), run_cmd=check_cmd)
    check("no loginuid: session opens", o.get("open") == "PAM_SUCCESS", o["raw"])
    check("no loginuid: configure refused", o.get("run") == "1", o["raw"])
    lines = audit_lines(o["ref"]) if o.get("ref") else []
    check("no loginuid: audited no-audit-session",
          any("reason=no-audit-session" in l for l in lines), "\n".join(lines) + o["raw"])
    pam_stack(env, pol)

    # the cache
    db = os.path.join(env.cache, "roles.db")
    os.chmod(db, 0o664)
    o = pamdrive(env, P + "alice", conn=good, steps="acct")
    check("insecure cache: PAM_AUTHINFO_UNAVAIL", o.get("acct") == "PAM_AUTHINFO_UNAVAIL", o["raw"])
    expect_denied_audit("insecure cache", o, "cache-insecure")
    os.chmod(db, 0o644)
    old = time.time() - 3 * 86400
    os.utime(db, (old, old))
    o = pamdrive(env, P + "alice", conn=good, steps="acct")
    check("stale cache (deny): PAM_PERM_DENIED", o.get("acct") == "PAM_PERM_DENIED", o["raw"])
    expect_denied_audit("stale cache", o, "cache-stale")
    warn = make_policy(env, stale="warn", name="warn.conf")
    pam_stack(env, warn)
    o = pamdrive(env, P + "alice", conn=good, auth_info=ai(alice))
    check("stale cache (warn): granted", o.get("open") == "PAM_SUCCESS", o["raw"])
    pam_stack(env, pol)

    # fallback accounts (Method D v1.5): auto while stale -> granted
    o = pamdrive(env, P + "ro", conn=good, run_cmd=[NEXUSBG, "session", "check", "show"])
    check("fallback auto, stale table: granted", o.get("acct") == "PAM_SUCCESS", o["raw"])
    check("fallback: session record grants show", o.get("run") == "0", o["raw"])
    os.utime(db, None)
    o = pamdrive(env, P + "ro", conn=good, steps="acct")
    check("fallback auto, fresh table: refused", o.get("acct") == "PAM_PERM_DENIED", o["raw"])
    expect_denied_audit("fallback auto fresh", o, "fallback-inactive", fallback="yes")
    never = make_policy(env, fallback="never", name="never.conf")
    pam_stack(env, never)
    os.rename(db, db + ".away")
    o = pamdrive(env, P + "rw", conn=good, steps="acct")
    check("fallback never, no table: refused", o.get("acct") == "PAM_PERM_DENIED", o["raw"])
    expect_denied_audit("fallback never", o, "fallback-inactive", fallback="yes")
    pam_stack(env, pol)
    o = pamdrive(env, P + "rw", conn=good, run_cmd=check_cmd)
    check("fallback auto, no table: writer granted", o.get("run") == "0", o["raw"])
    o = pamdrive(env, P + "alice", conn=good, steps="acct")
    check("missing cache: PAM_AUTHINFO_UNAVAIL", o.get("acct") == "PAM_AUTHINFO_UNAVAIL", o["raw"])
    expect_denied_audit("missing cache", o, "cache-missing")
    with open(db, "wb") as f:
        f.write(b"NBGRTBL\0garbage")
    os.chmod(db, 0o644)
    o = pamdrive(env, P + "alice", conn=good, steps="acct")
    check("corrupt cache: PAM_AUTHINFO_UNAVAIL", o.get("acct") == "PAM_AUTHINFO_UNAVAIL", o["raw"])
    expect_denied_audit("corrupt cache", o, "cache-invalid")
    os.unlink(db)
    os.rename(db + ".away", db)
    always = make_policy(env, fallback="always", name="always.conf")
    pam_stack(env, always)
    o = pamdrive(env, P + "ro", conn=good, steps="acct")
    check("fallback always, fresh table: granted", o.get("acct") == "PAM_SUCCESS", o["raw"])
    pam_stack(env, pol)

    # unknown users left to the rest of the stack
    # (libpam turns a stack of nothing but PAM_IGNORE into a failure, so the
    # rest of the stack here is pam_permit: the user passes only if we ignored)
    ign = make_policy(env, unknown="ignore", name="ignore.conf")
    env.service("sshd", [f"account required {MODULE} policy={ign}",
                         "account required pam_permit.so"])
    o = pamdrive(env, P + "zed", conn=good, steps="acct")
    check("unknown_users ignore: left to the rest of the stack",
          o.get("acct") == "PAM_SUCCESS" and o.get("ref") is None, o["raw"])
    o = pamdrive(env, P + "carol", conn=good, steps="acct")
    check("unknown_users ignore: a blocked table user is still refused",
          o.get("acct") == "PAM_PERM_DENIED", o["raw"])
    pam_stack(env, pol)

    # the policy itself
    bad = env.policy("fabric fab-test-01\nrole_tabel /x\n", "bad.conf")
    pam_stack(env, bad)
    o = pamdrive(env, P + "alice", conn=good, steps="acct")
    check("invalid policy: PAM_PERM_DENIED", o.get("acct") == "PAM_PERM_DENIED", o["raw"])
    expect_denied_audit("invalid policy", o, "policy-invalid")
    os.chmod(pol, 0o666)
    pam_stack(env, pol)
    o = pamdrive(env, P + "alice", conn=good, steps="acct")
    check("world-writable policy: refused", o.get("acct") == "PAM_PERM_DENIED", o["raw"])
    os.chmod(pol, 0o644)

    # another fabric's table
    other = dict(doc, fabric="fab-other-99", serial=11)
    pol2 = env.policy(open(pol).read().replace("fabric fab-test-01", "fabric fab-other-99"),
                      "other.conf")
    env.install_roles(other, pol2)
    o = pamdrive(env, P + "alice", conn=good, steps="acct")
    check("other fabric: PAM_AUTHINFO_UNAVAIL", o.get("acct") == "PAM_AUTHINFO_UNAVAIL", o["raw"])
    expect_denied_audit("other fabric", o, "cache-wrong-fabric")

    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
