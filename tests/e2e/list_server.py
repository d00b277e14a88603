#!/usr/bin/env python3
"""list_server.py: a local stand-in for the list publishers, for `redflag lists update` tests.

usage: list_server.py ROOT PORT_FILE LOG_FILE

Serves the files under ROOT on 127.0.0.1, on a free port it writes to PORT_FILE once it
listens. Every response carries a strong ETag (the sha256 of the file) and a Last-Modified
date (the file's mtime); a request whose If-None-Match names the current ETag gets 304. Each
request is appended to LOG_FILE as "METHOD PATH STATUS if-none-match=VALUE".

Paths that simulate what goes wrong on the way:
  /garbage/NAME          200 with bytes that are not a list file (a broken proxy or mirror)
  /status/CODE/NAME      answers CODE (e.g. 500, 404) with a short body
  /fail-once/NAME        503 on the first request for NAME, then the file
  /slow/SECONDS/NAME     waits SECONDS before answering
  /redirect?to=URL       302 to URL (another host or port, another scheme)
  /trickle/BYTES/NAME    sends NAME BYTES bytes per second (a sender just fast enough not
                         to look stalled)
With a fourth argument CERT (a PEM file holding a certificate and its key) it speaks https.
Runs until killed.
"""
import email.utils
import hashlib
import http.server
import os
import sys
import ssl
import threading
import time
import urllib.parse

ROOT, PORT_FILE, LOG_FILE = sys.argv[1], sys.argv[2], sys.argv[3]
CERT = sys.argv[4] if len(sys.argv) > 4 else None
failed_once = set()
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet on stderr; the log file is the record
        pass

    def record(self, status):
        with lock, open(LOG_FILE, "a", encoding="utf-8") as log:
            inm = self.headers.get("If-None-Match", "")
            ims = self.headers.get("If-Modified-Since", "")
            log.write(f"{self.command} {self.path} {status} if-none-match={inm} "
                      f"if-modified-since={ims}\n")

    def answer(self, status, body, headers=()):
        self.record(status)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith("/redirect?"):
            to = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("to", [""])[0]
            return self.answer(302, b"moved\n", [("Location", to)])
        parts = self.path.lstrip("/").split("/")
        if parts[0] == "trickle" and len(parts) >= 3:
            return self.trickle(int(parts[1]), os.path.join(ROOT, *parts[2:]))
        if parts[0] == "garbage":
            body = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64 + b"<html>gateway</html>"
            return self.answer(200, body, [("Content-Type", "application/octet-stream")])
        if parts[0] == "status" and len(parts) >= 3:
            return self.answer(int(parts[1]), b"simulated failure\n")
        if parts[0] == "fail-once":
            name = "/".join(parts[1:])
            with lock:
                first = name not in failed_once
                failed_once.add(name)
            if first:
                return self.answer(503, b"busy, try again\n", [("Retry-After", "1")])
            parts = parts[1:]
        if parts[0] == "slow" and len(parts) >= 3:
            time.sleep(float(parts[1]))
            parts = parts[2:]
        path = os.path.join(ROOT, *parts)
        if ".." in parts or not os.path.isfile(path):
            return self.answer(404, b"not found\n")
        with open(path, "rb") as f:
            body = f.read()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        modified = email.utils.formatdate(os.path.getmtime(path), usegmt=True)
        headers = [("ETag", etag), ("Last-Modified", modified)]
        if self.headers.get("If-None-Match") == etag:
            return self.answer(304, b"", headers)
        return self.answer(200, body, headers + [("Content-Type", "text/plain")])

    def trickle(self, rate, path):
        with open(path, "rb") as f:
            body = f.read()
        self.record(200)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for at in range(0, len(body), rate):
                self.wfile.write(body[at:at + rate])
                self.wfile.flush()
                time.sleep(1)
        except OSError:  # the client gave up
            pass

    do_HEAD = do_GET


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True  # a trickling answer does not keep the server from stopping
if CERT:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERT)
    server.socket = context.wrap_socket(server.socket, server_side=True)
with open(PORT_FILE + ".tmp", "w", encoding="utf-8") as f:
    f.write(str(server.server_address[1]))
os.rename(PORT_FILE + ".tmp", PORT_FILE)  # the test sees the whole port or nothing
server.serve_forever()
