#!/usr/bin/env python3
"""load_test.py: a short, bounded run of the load benchmark (redflag-serve-load) against
`redflag serve` on a loopback port: 20 clients for 3 seconds asking the API to search a
name, then the lists, then 50 clients posting a real 10-party UBL order (PEPPOL BIS 3) to
POST /api/v1/screen, each request with an Idempotency-Key of its own. No request may fail,
the audit trail must hold exactly one run per order answered (and one key), the server must
still stop cleanly on SIGTERM afterwards, and the evidence chain must verify. Prints the
benchmark's figures and the server's processor time per order (not judged: the machine is
shared). REDFLAG_LOAD_SECONDS=30 makes each run 30 seconds (the figures of
docs/server.md).

usage: load_test.py REDFLAG_BINARY LOAD_BINARY SOURCE_DIR"""
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile

BIN, LOAD, SRC = sys.argv[1], sys.argv[2], sys.argv[3]
SECONDS = os.environ.get("REDFLAG_LOAD_SECONDS", "3")
ORDER = os.path.join(SRC, "tests/data/orders/peppol/PEPPOL-BIS3-Order_Example.xml")
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


def load(path, clients, *extra):
    """Runs the benchmark; the requests answered, or None (said) when any failed."""
    global failed
    r = subprocess.run([LOAD, "--port", port, "--token", token, "--clients", str(clients),
                        "--seconds", SECONDS, "--path", path, *extra], capture_output=True, text=True)
    print(r.stdout, end="")
    answered = re.search(r": (\d+) requests answered 200, (\d+) failed", r.stdout)
    if r.returncode != 0 or not answered or int(answered.group(1)) == 0:
        print("FAIL load on " + path + ": " + r.stderr)
        failed += 1
        return None
    return int(answered.group(1))


def server_cpu_seconds():
    """User and system time of the server so far (Linux /proc), or None."""
    try:
        with open(f"/proc/{server.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def audit_counts():
    with sqlite3.connect(db) as c:
        return (c.execute("SELECT count(*) FROM run").fetchone()[0],
                c.execute("SELECT count(*) FROM run WHERE status = 'done' AND parties = 10").fetchone()[0],
                c.execute("SELECT count(*) FROM api_idempotency_key").fetchone()[0])


try:
    for path in ("/api/v1/search?name=Huawei%20Technologies%20Co%20Ltd&country=CN",
                 "/api/v1/lists"):
        load(path, 20)
    before, cpu_before = audit_counts(), server_cpu_seconds()
    orders = load("/api/v1/screen", 50, "--method", "POST", "--body", ORDER, "--type",
                  "application/xml", "--idempotency")
    after, cpu_after = audit_counts(), server_cpu_seconds()
    if orders and cpu_before is not None and cpu_after is not None:
        print(f"server processor time: {1000 * (cpu_after - cpu_before) / orders:.2f} ms per order"
              f" (load average {os.getloadavg()[0]:.1f})")
    runs, done, keys = (a - b for a, b in zip(after, before))
    print(f"audit trail: {runs} runs ({done} done with 10 parties), {keys} idempotency keys"
          f" for {orders} orders answered")
    if orders is not None and not (runs == done == keys == orders):
        print("FAIL the audit trail does not hold exactly one run per order answered")
        failed += 1
finally:
    server.send_signal(signal.SIGTERM)
    _, err = server.communicate(timeout=60)
if server.returncode != 0 or "stopped" not in err:
    print("FAIL the server did not stop cleanly after the load: " + err)
    failed += 1
verify = subprocess.run([BIN, "audit", "verify", "--db", db], capture_output=True, text=True)
if verify.returncode != 0:
    print("FAIL the evidence chain does not verify after the load: " + verify.stdout + verify.stderr)
    failed += 1
sys.exit(1 if failed else 0)
