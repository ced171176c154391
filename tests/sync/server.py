#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""A small HTTPS control plane for the sync tests (standard library only).

Serves the role document in --doc on 127.0.0.1.  The file is read again
(and its ETag computed again) whenever its inode, size, modification or
change time differ from the last request's: a test can change it between
syncs, and a large unchanged document costs one stat per request.  The
behaviour under test is chosen on the command line:

  --status 500,200     status of each request in turn; the last one repeats
  --no-etag            send no ETag (and ignore If-None-Match)
  --stall SECONDS      wait that long before answering (client timeouts)
  --truncate           announce the full Content-Length, send half, close
  --no-length          no Content-Length: the body ends when the connection does
  --redirect URL       answer 302 with Location: URL
  --token-file FILE    require "Authorization: Bearer <the file's token>"
  --client-ca FILE     require a client certificate issued by this CA

Every request is logged as one JSON line in --log: the status sent, the
If-None-Match received, whether the bearer token matched, the client
certificate's subject.  The chosen port is written to --port-file once the
server listens.
"""
import argparse
import hashlib
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--doc", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--status", default="200")
    ap.add_argument("--no-etag", action="store_true")
    ap.add_argument("--stall", type=float, default=0.0)
    ap.add_argument("--truncate", action="store_true")
    ap.add_argument("--no-length", action="store_true")
    ap.add_argument("--redirect")
    ap.add_argument("--token-file")
    ap.add_argument("--client-ca")
    return ap.parse_args()


class Handler(BaseHTTPRequestHandler):
    server_version = "nbg-test-control-plane/1"

    def log_message(self, fmt, *args):  # keep stderr quiet; the JSON log is the record
        pass

    def record(self, status, **extra):
        cert = None
        try:
            peer = self.connection.getpeercert()
            if peer:
                cert = ",".join("=".join(x) for rdn in peer.get("subject", ()) for x in rdn)
        except (ValueError, AttributeError):
            pass
        entry = {
            "path": self.path,
            "status": status,
            "if_none_match": self.headers.get("If-None-Match"),
            "token_ok": self.token_ok(),
            "authorization_sent": self.headers.get("Authorization") is not None,
            "client_cert": cert,
            "user_agent": self.headers.get("User-Agent"),
        }
        entry.update(extra)
        with self.server.lock:
            with open(self.server.opts.log, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")

    def token_ok(self):
        if self.server.token is None:
            return None
        return self.headers.get("Authorization") == "Bearer " + self.server.token

    def next_status(self):
        with self.server.lock:
            seq = self.server.statuses
            i = min(self.server.count, len(seq) - 1)
            self.server.count += 1
            return seq[i]

    def send_body(self, status, body, etag):
        opts = self.server.opts
        if opts.no_length:
            # HTTP/1.0 semantics: the body ends when the connection closes
            self.protocol_version = "HTTP/1.0"
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if etag is not None:
            self.send_header("ETag", etag)
        if not opts.no_length:
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if opts.truncate:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.unwrap()  # a clean TLS close before the announced length
            except (OSError, ssl.SSLError):
                pass
            return
        self.wfile.write(body)

    def do_GET(self):
        opts = self.server.opts
        if opts.stall > 0:
            time.sleep(opts.stall)
        if self.server.token is not None and not self.token_ok():
            self.record(401)
            self.send_error(401)
            return
        if opts.redirect:
            self.record(302)
            self.send_response(302)
            self.send_header("Location", opts.redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = self.next_status()
        if status != 200:
            self.record(status)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            return
        body, etag = self.server.document()
        if opts.no_etag:
            etag = None
        else:
            if self.headers.get("If-None-Match") == etag:
                self.record(304)
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Connection", "close")
                self.end_headers()
                return
        self.record(200, length=len(body))
        self.send_body(200, body, etag)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, opts, ctx):
        self.opts = opts
        self.ctx = ctx
        self.lock = threading.Lock()
        self.count = 0
        self.doc_key = None
        self.doc = None
        self.statuses = [int(s) for s in opts.status.split(",")]
        self.token = None
        if opts.token_file:
            with open(opts.token_file, encoding="ascii") as f:
                self.token = f.read().rstrip("\n")
        super().__init__(("127.0.0.1", 0), Handler)

    def document(self):
        """The body of --doc and its ETag, read again only when the file changed."""
        with self.lock:
            with open(self.opts.doc, "rb") as f:
                st = os.fstat(f.fileno())
                key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
                if key != self.doc_key:
                    body = f.read()
                    self.doc = (body, '"%s"' % hashlib.sha256(body).hexdigest()[:32])
                    self.doc_key = key
            return self.doc

    def finish_request(self, request, client_address):
        # the TLS handshake runs in the worker thread: a stalled or refused
        # client never blocks the accept loop
        try:
            tls = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            with self.lock:
                with open(self.opts.log, "a", encoding="utf-8") as f:
                    f.write(json.dumps({"handshake_error": str(e)}) + "\n")
            return
        try:
            super().finish_request(tls, client_address)
        finally:
            try:
                tls.close()
            except OSError:
                pass


def main():
    opts = parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(opts.cert, opts.key)
    if opts.client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(opts.client_ca)
    srv = Server(opts, ctx)
    tmp = opts.port_file + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, opts.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
