#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Write a role document (format_version 1) for the sync tests.

Users are named PREFIX00000, PREFIX00001, ... (indices START..START+N-1),
alternate between the reader and writer roles, and each has one genuine
FIDO2 public key: even indices sk-ssh-ed25519, odd ones sk-ecdsa (P-256).
User k's key is the point (k // 2 + 1) * G of its curve, computed by
repeated addition, so the same index always gets the same key and no two
users share one.

  gendoc.py --fabric F --serial N --users N [--start K] [--prefix P]
            [--blocked-every M] [--extra-member] [--login NAME]... > doc.json
"""
import argparse
import base64
import json
import struct
import sys

# P-256 (SEC 2 / FIPS 186-4)
P256_P = 2**256 - 2**224 + 2**192 + 2**96 - 1
P256_A = P256_P - 3
P256_G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
          0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)
# Ed25519 (RFC 8032)
ED_P = 2**255 - 19
ED_D = (-121665 * pow(121666, -1, ED_P)) % ED_P
ED_B = (15112221349535400772501151409588531511454012693041857206046113283949847762202,
        46316835694926478169428394003475163141307993866256225615783033603165251855960)


def p256_add(p, q):
    if p == q:
        lam = (3 * p[0] * p[0] + P256_A) * pow(2 * p[1], -1, P256_P)
    else:
        lam = (q[1] - p[1]) * pow(q[0] - p[0], -1, P256_P)
    lam %= P256_P
    x = (lam * lam - p[0] - q[0]) % P256_P
    return (x, (lam * (p[0] - x) - p[1]) % P256_P)


def ed_add(p, q):
    t = ED_D * p[0] * q[0] * p[1] * q[1] % ED_P
    x = (p[0] * q[1] + q[0] * p[1]) * pow(1 + t, -1, ED_P) % ED_P
    y = (p[1] * q[1] + p[0] * q[0]) * pow(1 - t, -1, ED_P) % ED_P
    return (x, y)


def sshstr(b):
    return struct.pack(">I", len(b)) + b


def ecdsa_line(pt):
    q = b"\x04" + pt[0].to_bytes(32, "big") + pt[1].to_bytes(32, "big")
    name = b"sk-ecdsa-sha2-nistp256@openssh.com"
    blob = sshstr(name) + sshstr(b"nistp256") + sshstr(q) + sshstr(b"ssh:")
    return "%s %s NexusIdentitySSHKey" % (name.decode(), base64.b64encode(blob).decode())


def ed25519_line(pt):
    enc = bytearray(pt[1].to_bytes(32, "little"))
    enc[31] |= (pt[0] & 1) << 7
    name = b"sk-ssh-ed25519@openssh.com"
    blob = sshstr(name) + sshstr(bytes(enc)) + sshstr(b"ssh:")
    return "%s %s NexusIdentitySSHKey" % (name.decode(), base64.b64encode(blob).decode())


def keys(count):
    """Key line k for k in 0..count-1."""
    ec, ed = P256_G, ED_B
    out = []
    for k in range(count):
        if k % 2:
            out.append(ecdsa_line(ec))
            ec = p256_add(ec, P256_G)
        else:
            out.append(ed25519_line(ed))
            ed = ed_add(ed, ED_B)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fabric", default="fab-test-01")
    ap.add_argument("--serial", type=int, required=True)
    ap.add_argument("--users", type=int, default=3)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--prefix", default="op")
    ap.add_argument("--blocked-every", type=int, default=0)
    ap.add_argument("--extra-member", action="store_true",
                    help="add a member the schema does not know (must be refused)")
    ap.add_argument("--login", action="append", default=[],
                    help="add a user with this exact login (after the numbered ones)")
    ap.add_argument("--generated-at", default="2026-11-21T10:00:00Z")
    a = ap.parse_args()

    total = a.start + a.users + len(a.login)
    lines = keys(total)
    users = []
    names = ["%s%05d" % (a.prefix, i) for i in range(a.start, a.start + a.users)]
    idx = list(range(a.start, a.start + a.users))
    names += a.login
    idx += list(range(a.start + a.users, total))
    for name, k in zip(names, idx):
        u = {
            "login": name,
            "role": "writer" if k % 2 else "reader",
            "display_name": "%s@contoso.com" % name,
            "keys": [lines[k]],
        }
        if a.blocked_every and k % a.blocked_every == a.blocked_every - 1:
            u["blocked"] = True
        users.append(u)
    doc = {
        "format_version": 1,
        "fabric": a.fabric,
        "serial": a.serial,
        "generated_at": a.generated_at,
        "users": users,
    }
    if a.extra_member:
        doc["colour"] = "blue"
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
