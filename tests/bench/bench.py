#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The cost of a login as the role table grows (run through tests/bench/run).

For each table size, in one run on one machine, interleaved so that the
machine's mood affects every figure of a size alike:

  pam      pam_nexusbg account + session through the real libpam (a fresh
           audit session per cycle, as pam_loginuid gives a real login; every
           cycle must write the session record), next to pam_unix's account
           phase for an existing local user timed by the same harness
  keys     `nexusbg keys USER` as a whole process (sshd's
           AuthorizedKeysCommand), next to /bin/true
  check    `nexusbg session check configure` as a whole process, run by the
           user inside a real session (writer: allowed, reader: refused)
  sync     `nexusbg sync --now` of the whole document from a local HTTPS
           server with mutual TLS: wall time and peak RSS (an empty cache each
           time), and the unchanged case (ETag, 304)
  cache    the size of the compiled cache on disk

The device is set up as the package sets one up: sync gives the table's
users accounts in the accounts database (`accounts nexusbg`) and glibc
resolves them through libnss_nexusbg (nsswitch.conf: `files nexusbg`), so
every getpwnam() of sshd's, pam_unix's and the module's is in the figures.

Expects to run as root inside the private mount namespace tests/bench/run
makes (a fresh /run, auditd running); makes /var/lib and nsswitch.conf
private to it as well.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

FABRIC = "fab-bench"
READER, WRITER = "op000004", "op000005"      # in every generated table
UID_RANGE = "100000-399999"                  # room for the largest table


def parse_args():
    ap = argparse.ArgumentParser(
        prog="tests/bench/run",
        description="Benchmark the login path and sync as the role table grows.",
        epilog="usage: tests/bench/run [BUILDDIR] [OPTIONS]  (BUILDDIR defaults to build)")
    ap.add_argument("--srcdir", help=argparse.SUPPRESS)
    ap.add_argument("--builddir", help=argparse.SUPPRESS)
    ap.add_argument("--sizes", default="10,1000,10000,100000",
                    help="role-table sizes, comma separated (default %(default)s)")
    ap.add_argument("--cycles", type=int, default=1000,
                    help="PAM cycles per measurement (default %(default)s)")
    ap.add_argument("--runs", type=int, default=500,
                    help="process runs per command (default %(default)s)")
    ap.add_argument("--sync-runs", type=int, default=3,
                    help="full syncs per size; the median is shown (default %(default)s)")
    ap.add_argument("--json", metavar="FILE", help="also write every figure to FILE as JSON")
    ap.add_argument("--strict", action="store_true",
                    help="exit 1 when a target is missed (default: report it, exit 0)")
    a = ap.parse_args()
    if not a.srcdir or not a.builddir:
        ap.error("run it through tests/bench/run")
    a.sizes = [int(s) for s in a.sizes.split(",")]
    if a.cycles < 10 or a.runs < 10 or a.sync_runs < 1 or min(a.sizes) < 10:
        ap.error("--cycles and --runs need at least 10, --sync-runs 1, sizes at least 10")
    return a


class Bench:
    def __init__(self, a):
        self.a = a
        self.b = a.builddir
        self.nexusbg = os.path.join(self.b, "tools", "nexusbg")
        self.module = os.path.join(self.b, "pam_nexusbg", "pam_nexusbg.so")
        self.nss = os.path.join(self.b, "nss", "libnss_nexusbg.so.2")
        self.gen = os.path.join(self.b, "tests", "bench", "gen-roles")
        self.pambench = os.path.join(self.b, "tests", "bench", "pambench")
        self.spawnbench = os.path.join(self.b, "tests", "bench", "spawnbench")
        for f in (self.nexusbg, self.module, self.nss, self.gen, self.pambench,
                  self.spawnbench):
            if not os.access(f, os.X_OK if not f.endswith(".so") else os.R_OK):
                sys.exit(f"bench: {f} is missing: build first (meson compile -C {self.b})")
        self.t = tempfile.mkdtemp(prefix="nbg-bench.")
        os.chmod(self.t, 0o755)
        self.server = None
        self.port = None

    # --- set-up ---------------------------------------------------------

    def run(self, *cmd, check=True, **kw):
        r = subprocess.run(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, **kw)
        if check and r.returncode != 0:
            sys.exit(f"bench: {' '.join(cmd)} exited {r.returncode}:\n{r.stderr.strip()}")
        return r

    def device(self):
        """/var/lib and nsswitch.conf private to this namespace; glibc resolves
        the synced accounts through the build tree's libnss_nexusbg."""
        self.run("mount", "-t", "tmpfs", "-o", "mode=0755", "nbg-bench-varlib", "/var/lib")
        os.makedirs("/var/lib/nexusbg", mode=0o755)
        conf = os.path.join(self.t, "nsswitch.conf")
        with open("/etc/nsswitch.conf") as f:
            lines = [l for l in f if not re.match(r"(passwd|group|shadow):", l)]
        with open(conf, "w") as f:
            f.writelines(lines)
            for db in ("passwd", "group", "shadow"):
                f.write(f"{db}: files nexusbg\n")
        self.run("mount", "--bind", conf, "/etc/nsswitch.conf")
        os.environ["LD_LIBRARY_PATH"] = os.path.dirname(self.nss)

    def pki(self):
        self.run("bash", os.path.join(self.a.srcdir, "tests", "sync", "mkcerts.sh"),
                 os.path.join(self.t, "pki"))

    def start_server(self):
        pki = os.path.join(self.t, "pki")
        portfile = os.path.join(self.t, "port")
        self.server = subprocess.Popen(
            [sys.executable, os.path.join(self.a.srcdir, "tests", "sync", "server.py"),
             "--cert", f"{pki}/server.pem", "--key", f"{pki}/server.key",
             "--client-ca", f"{pki}/client-ca.pem", "--doc", os.path.join(self.t, "doc.json"),
             "--log", os.path.join(self.t, "server.log"), "--port-file", portfile],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.t, "server.err"), "w"))
        for _ in range(100):
            if os.path.exists(portfile) and os.path.getsize(portfile) > 0:
                self.port = int(open(portfile).read())
                return
            if self.server.poll() is not None:
                break
            time.sleep(0.1)
        sys.exit("bench: the HTTPS server did not start: " +
                 open(os.path.join(self.t, "server.err")).read())

    def cleanup(self):
        if self.server is not None and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        shutil.rmtree(self.t, ignore_errors=True)

    def size_setup(self, n):
        d = os.path.join(self.t, f"n{n}")
        os.makedirs(os.path.join(d, "cache"), mode=0o755)
        os.makedirs(os.path.join(d, "pam.d"), mode=0o755)
        doc = os.path.join(d, "doc.json")
        with open(doc, "w") as f:
            subprocess.run([self.gen, str(n), FABRIC, "1"], stdout=f, check=True)
        pki = os.path.join(self.t, "pki")
        policy = os.path.join(d, "policy.conf")
        with open(policy, "w") as f:
            f.write(f"""fabric {FABRIC}
role_table {d}/cache/roles.db
max_cache_age 7d
stale_cache deny
role reader show
role writer show configure
unknown_users deny
ssh_service sshd
trusted_source default 127.0.0.0/8 ::1/128
account_uid_range {UID_RANGE}
accounts nexusbg
sync_url https://127.0.0.1:{self.port}/v1/fabrics/{FABRIC}/roles.json
sync_ca_file {pki}/ca.pem
sync_client_cert {pki}/client.pem
sync_client_key {pki}/client.key
sync_max_bytes 64M
sync_retries 0
""")
        with open(os.path.join(d, "pam.d", "sshd"), "w") as f:
            f.write(f"account required {self.module} policy={policy}\n"
                    f"session required {self.module} policy={policy}\n")
        with open(os.path.join(d, "pam.d", "unix"), "w") as f:
            f.write("account required pam_unix.so\n")
        return d, doc, policy

    # --- measurements ---------------------------------------------------

    @staticmethod
    def figures(out):
        return {k: float(v) for k, v in re.findall(r"(\w+)=(-?[0-9.]+)", out)}

    def timed(self, cmd, want):
        """Wall time and peak RSS of one process."""
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        err = p.stderr.read().decode(errors="replace")
        p.stderr.close()
        if p.returncode != want:
            sys.exit(f"bench: {' '.join(cmd)} exited {p.returncode}, expected {want}:\n{err}")
        return wall, ru.ru_maxrss

    def sync(self, d, doc, policy):
        shutil.copyfile(doc, os.path.join(self.t, "doc.json"))
        cache = os.path.join(d, "cache")
        walls, rss = [], []
        for _ in range(self.a.sync_runs):
            for f in os.listdir(cache):
                os.unlink(os.path.join(cache, f))
            for f in os.listdir("/var/lib/nexusbg"):
                os.unlink(os.path.join("/var/lib/nexusbg", f))
            w, r = self.timed([self.nexusbg, "sync", "--policy", policy, "--now", "--quiet"], 0)
            walls.append(w)
            rss.append(r)
        unchanged = sorted(self.timed([self.nexusbg, "sync", "--policy", policy, "--now",
                                       "--quiet"], 3)[0] for _ in range(20))
        log = [json.loads(l) for l in open(os.path.join(self.t, "server.log")) if '"status"' in l]
        if not log or log[-1].get("status") != 304:
            sys.exit("bench: the unchanged sync was not answered 304")
        return {
            "sync_s": sorted(walls)[len(walls) // 2],
            "sync_rss_mib": max(rss) / 1024.0,
            "sync304_ms": unchanged[len(unchanged) // 2] * 1000,
            "cache_mb": os.path.getsize(os.path.join(cache, "roles.db")) / 1e6,
            "doc_mb": os.path.getsize(doc) / 1e6,
        }

    def key_of(self, policy, user):
        out = self.run(self.nexusbg, "keys", "--policy", policy, user).stdout.split("\n")[0]
        _, ktype, b64, _ = out.split(" ")
        return ktype, b64

    def pam_env(self, policy, user):
        ktype, b64 = self.key_of(policy, user)
        return ["--env", "SSH_CONNECTION=127.0.0.1 40000 127.0.0.1 22",
                "--env", f"SSH_AUTH_INFO_0=publickey {ktype} {b64}\n"]

    def uid(self, user):
        """The uid sync gave USER, as glibc resolves it (through libnss_nexusbg)."""
        return int(self.run("getent", "passwd", user).stdout.split(":")[2])

    def pam(self, d, policy):
        conf = os.path.join(d, "pam.d")
        unix = self.figures(self.run(self.pambench, "--confdir", conf, "--service", "unix",
                                     "--user", WRITER, "--cycles", str(self.a.cycles)).stdout)
        nbg = self.figures(self.run(
            self.pambench, "--confdir", conf, "--service", "sshd", "--user", WRITER,
            "--cycles", str(self.a.cycles), "--phases", "acct,session",
            "--loginuid", str(self.uid(WRITER)), "--require-env", "NEXUSBG_ROLE",
            *self.pam_env(policy, WRITER)).stdout)
        return unix, nbg

    def spawn(self, *cmd, want=0):
        return self.figures(self.run(self.spawnbench, "--runs", str(self.a.runs),
                                     "--expect-exit", str(want), "--", *cmd).stdout)

    def check(self, d, policy, user, want):
        conf = os.path.join(d, "pam.d")
        r = self.run(self.pambench, "--confdir", conf, "--service", "sshd", "--user", user,
                     "--loginuid", str(self.uid(user)), "--require-env", "NEXUSBG_ROLE",
                     *self.pam_env(policy, user), "--",
                     self.spawnbench, "--runs", str(self.a.runs), "--expect-exit", str(want),
                     "--", self.nexusbg, "session", "check", "--quiet", "configure")
        return self.figures(r.stdout)

    def measure(self, n):
        d, doc, policy = self.size_setup(n)
        row = {"users": n}
        row.update(self.sync(d, doc, policy))
        unix, nbg = self.pam(d, policy)
        true = self.spawn("/bin/true")
        # what starting the sync program costs before it does anything: the
        # front executing nexusbg-admin, which links libcurl and its libraries
        start = self.spawn(self.nexusbg, "sync", "--help")
        # as sshd runs it: AuthorizedKeysCommand /usr/bin/nexusbg keys --uid %U %u
        keys = self.spawn(self.nexusbg, "keys", "--policy", policy, "--uid",
                          str(self.uid(WRITER)), WRITER)
        allowed = self.check(d, policy, WRITER, 0)
        refused = self.check(d, policy, READER, 1)
        row.update({
            "pam_us": nbg["median_us"], "pam_p99_us": nbg["p99_us"],
            "pam_rss_growth_kb": nbg["rss_growth_kb"], "pam_maxrss_kb": nbg["maxrss_kb"],
            "pam_minflt": nbg["minflt_per_cycle"], "unix_minflt": unix["minflt_per_cycle"],
            "unix_us": unix["median_us"], "unix_p99_us": unix["p99_us"],
            "ratio": nbg["median_us"] / unix["median_us"],
            "true_us": true["median_us"], "keys_us": keys["median_us"],
            "sync_start_ms": start["median_us"] / 1000,
            "check_us": allowed["median_us"], "check_refused_us": refused["median_us"],
        })
        shutil.rmtree(d, ignore_errors=True)
        return row


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    osname = "?"
    try:
        osname = dict(l.rstrip().split("=", 1) for l in open("/etc/os-release")
                      if "=" in l).get("PRETTY_NAME", "?").strip('"')
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} CPUs, {mem:.0f} GiB RAM, {osname}, "
            f"Linux {platform.release()}")


def report(rows, a):
    print(f"\nmachine: {machine()}")
    print(f"date:    {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; "
          f"{a.cycles} PAM cycles, {a.runs} process runs, {a.sync_runs} full syncs per size\n")
    head = ("users", "acct+session µs (p99)", "pam_unix acct µs", "ratio",
            "/bin/true µs", "keys µs", "check µs (refused)", "sync s", "sync MiB",
            "304 ms", "cache MB", "RSS growth kB")
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---:" for _ in head) + "|")
    for r in rows:
        print(f"| {r['users']:,} | {r['pam_us']:.0f} ({r['pam_p99_us']:.0f}) | "
              f"{r['unix_us']:.0f} | {r['ratio']:.2f} | {r['true_us']:.0f} | "
              f"{r['keys_us']:.0f} | {r['check_us']:.0f} ({r['check_refused_us']:.0f}) | "
              f"{r['sync_s']:.2f} | {r['sync_rss_mib']:.1f} | {r['sync304_ms']:.1f} | "
              f"{r['cache_mb']:.2f} | {r['pam_rss_growth_kb']:.0f} |")

    print("\npage faults per login (acct+session / pam_unix acct): " +
          ", ".join(f"{r['users']:,}: {r['pam_minflt']:.0f} / {r['unix_minflt']:.0f}"
                    for r in rows))
    first, last = rows[0], rows[-1]
    checks = []
    for r in rows:
        checks.append((r["ratio"] <= 1.0,
                       f"{r['users']:,} users: account + session {r['pam_us']:.0f} µs ≤ 1.0 × "
                       f"pam_unix account {r['unix_us']:.0f} µs (×{r['ratio']:.2f})"))
    flat = last["pam_us"] / first["pam_us"]
    checks.append((flat <= 1.1, f"account + session at {last['users']:,} users is ×{flat:.2f} "
                                f"the {first['users']:,}-user figure (≤ 1.1)"))
    for name, key in (("nexusbg keys", "keys_us"), ("nexusbg session check", "check_us")):
        own = (last[key] - last["true_us"]) / 1000
        checks.append((own <= 1.0,
                       f"{name} at {last['users']:,} users: {last[key] / 1000:.2f} ms median, "
                       f"{own:.2f} ms more than /bin/true ({last['true_us'] / 1000:.2f} ms) "
                       f"(≤ 1 ms of its own)"))
    checks.append((last["sync_s"] <= 2.0,
                   f"sync of {last['users']:,} users: {last['sync_s']:.2f} s (≤ 2 s)"))
    checks.append((last["sync_rss_mib"] <= 64.0,
                   f"sync of {last['users']:,} users: peak RSS {last['sync_rss_mib']:.1f} MiB "
                   f"(≤ 64 MiB)"))
    for r in (first, last):
        own = r["sync304_ms"] - r["sync_start_ms"]
        checks.append((own <= 20.0,
                       f"unchanged sync (304) at {r['users']:,} users: {r['sync304_ms']:.1f} ms, "
                       f"{own:.1f} ms more than starting the sync program "
                       f"(nexusbg sync --help: {r['sync_start_ms']:.1f} ms) (≤ 20 ms of its own)"))
    growth = max(r["pam_rss_growth_kb"] for r in rows)
    peak = last["pam_maxrss_kb"] - first["pam_maxrss_kb"]
    checks.append((growth <= 256 and peak <= 256,
                   f"memory per login: RSS grows ≤ {growth:.0f} kB over {a.cycles} logins at "
                   f"any size, peak RSS {peak:+.0f} kB from {first['users']:,} to "
                   f"{last['users']:,} users (≤ 256 kB: flat)"))
    print("\ntargets:")
    for ok, text in checks:
        print(f"  {'PASS' if ok else 'MISS'}  {text}")
    return all(ok for ok, _ in checks)


def main():
    a = parse_args()
    b = Bench(a)
    try:
        b.device()
        b.pki()
        b.start_server()
        rows = []
        for n in a.sizes:
            print(f"measuring {n:,} users ...", flush=True)
            rows.append(b.measure(n))
    finally:
        b.cleanup()
    ok = report(rows, a)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"machine": machine(), "rows": rows}, f, indent=1)
    return 0 if ok or not a.strict else 1


if __name__ == "__main__":
    sys.exit(main())
