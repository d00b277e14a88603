#!/usr/bin/env python3
"""load_test.py: a short, bounded run of the load benchmark (redflag-serve-load) against
`redflag serve` on a loopback port: 20 clients for 3 seconds asking the API to search a
name, then the lists. No request may fail, and the server must still stop cleanly on
SIGTERM afterwards. Prints the benchmark's figures (not judged: the machine is shared).

usage: load_test.py REDFLAG_BINARY LOAD_BINARY"""
import os
import re
import signal
import subprocess
import sys
import tempfile

BIN, LOAD = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp(prefix="rf-load-")
db = os.path.join(tmp, "db.sqlite")
subprocess.run([BIN, "lists", "init", "--db", db], check=True, capture_output=True)
subprocess.run([BIN, "users", "add", "erp", "--role", "reviewer", "--db", db],
               input="correct horse battery\n", text=True, check=True, capture_output=True)
token = subprocess.run([BIN, "users", "token", "erp", "--scope", "screen", "--db", db],
                       text=True, check=True, capture_output=True).stdout.strip()
server = subprocess.Popen([BIN, "serve", "--db", db, "--listen", "127.0.0.1:0"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
port = re.search(r":(\d+)/$", server.stdout.readline().strip()).group(1)
failed = 0
try:
    for path in ("/api/v1/search?name=Huawei%20Technologies%20Co%20Ltd&country=CN",
                 "/api/v1/lists"):
        r = subprocess.run([LOAD, "--port", port, "--token", token, "--clients", "20",
                            "--seconds", "3", "--path", path], capture_output=True, text=True)
        print(r.stdout, end="")
        answered = re.search(r": (\d+) requests answered 200, (\d+) failed", r.stdout)
        if r.returncode != 0 or not answered or int(answered.group(1)) == 0:
            print("FAIL load on " + path + ": " + r.stderr)
            failed += 1
finally:
    server.send_signal(signal.SIGTERM)
    _, err = server.communicate(timeout=60)
if server.returncode != 0 or "stopped" not in err:
    print("FAIL the server did not stop cleanly after the load: " + err)
    failed += 1
sys.exit(1 if failed else 0)
