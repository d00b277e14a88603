#!/usr/bin/env python3
"""serve_test.py: `redflag serve` on a loopback port, as a browser, an attacker and an ERP
system meet it: API tokens and scopes (401/403), answers checked against the OpenAPI
document in the repository, the body cap (413), sign-in with its CSRF token, the session
cookie's flags, forged sessions, names carrying <script> and <img onerror> rendered inert, a
reviewer on an admin page (403), decisions (reason required, four eyes) recorded in the
audit trail the command line reads, repeated wrong passwords (429), the case page's marked
words and order lines, the list diff and audit trail pages, the lists reloaded when the
command line imports new ones while the server runs, TLS with a throwaway certificate
(Secure cookies, plain HTTP refused), and a stop on SIGTERM under load that lets every
request in flight finish and leaves no decision half-written. POST /api/v1/screen: real
UBL orders, a CSV BOM and an Excel BOM answered with the parties `redflag screen --format jsonl` writes
for the same file, recorded as a run (`history`, `history show`, /api/v1/runs/{id}), JSON
parties, a broken order answered 400 with its line and column, Idempotency-Key (a retry
answered again, one run; another body 422; concurrent duplicates one run; kept across a
restart; sent to two servers at once, one run; a request killed mid-way leaves no run and its
retry records exactly one; SIGTERM
while orders are screened leaves exactly the runs and keys of the orders answered).

usage: serve_test.py REDFLAG_BINARY SOURCE_DIR"""
import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

try:
    import jsonschema
except ImportError:
    sys.exit("serve_test.py: needs the Python package jsonschema (python3-jsonschema)")

BIN, SRC = sys.argv[1], sys.argv[2]
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def run(*args, stdin=None):
    return subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True)


class Server:
    def __init__(self, db, *extra, tls=None):
        self.tls = tls  # an ssl.SSLContext trusting the server's certificate
        self.proc = subprocess.Popen([BIN, "serve", "--db", db, "--listen", "127.0.0.1:0",
                                      "--max-body", "65536", *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r":(\d+)/$", line.strip())
        if not m:
            self.proc.kill()
            sys.exit("serve did not start: " + line + self.proc.stderr.read())
        self.port = int(m.group(1))

    def request(self, method, path, body=None, headers=None, timeout=30):
        if self.tls:
            conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout, context=self.tls)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read().decode("utf-8", "replace")
        conn.close()
        return r.status, r.headers, data

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        out, err = self.proc.communicate(timeout=60)
        return self.proc.returncode, err


class Browser:
    """One person's cookies and the CSRF token of the page last read."""

    def __init__(self, server):
        self.server, self.cookies, self.csrf = server, {}, None

    def _send(self, method, path, form=None):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, h, data = self.server.request(method, path, body, headers)
        for c in h.get_all("Set-Cookie") or []:
            name, value = c.split(";")[0].split("=", 1)
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        m = re.search(r'name="csrf" value="([0-9a-f]{64})"', data)
        if m:
            self.csrf = m.group(1)
        return status, h, data

    def get(self, path):
        return self._send("GET", path)

    def post(self, path, form, csrf=True):
        form = dict(form)
        if csrf:
            form["csrf"] = self.csrf
        return self._send("POST", path, form)

    def sign_in(self, user, password):
        self.get("/login")
        return self.post("/login", {"user": user, "password": password})


def validator(doc, schema_name):
    root = {"$ref": f"#/components/schemas/{schema_name}", "components": doc["components"]}
    return jsonschema.Draft202012Validator(root)


def conforms(doc, schema_name, text):
    try:
        validator(doc, schema_name).validate(json.loads(text))
        return True
    except (jsonschema.ValidationError, ValueError) as e:
        print("     ", str(e).splitlines()[0])
        return False


def main():
    tmp = tempfile.mkdtemp(prefix="rf-serve-")
    db = os.path.join(tmp, "db.sqlite")
    check(run("lists", "init", "--db", db).returncode == 0, "lists init")
    # Orders naming listed parties, two of them dressed as HTML, and a real UBL order.
    orders = os.path.join(tmp, "orders.csv")
    with open(orders, "w") as f:
        f.write("ref,buyer,country\n"
                "PO-1,<script>Huawei Technologies</script>,CN\n"
                "PO-2,\"<img src=x onerror=alert(2)> Rostec\",RU\n"
                "PO-3,Kimball Electronics Inc,US\n")
    ubl = os.path.join(SRC, "tests/data/orders/ubl/UBL-Order-2.1-Example.xml")
    # The same order bought by a listed company, so that its case shows the order lines.
    with open(ubl, encoding="utf-8") as f:
        listed_ubl = f.read().replace("Johnssons byggvaror", "Huawei Technologies Co Ltd")
    with open(os.path.join(tmp, "ubl_listed_buyer.xml"), "w", encoding="utf-8") as f:
        f.write(listed_ubl)
    r = run("screen", "--db", db, "--format", "jsonl", "-o", os.path.join(tmp, "r.jsonl"), orders, ubl,
            os.path.join(tmp, "ubl_listed_buyer.xml"))
    check(r.returncode == 1, "screen records a run with alarms")
    for name, role in (("ada", "admin"), ("rita", "reviewer"), ("alex", "approver"),
                       ("target", "reviewer")):
        r = run("users", "add", name, "--role", role, "--db", db, stdin="correct horse battery\n")
        check(r.returncode == 0, f"users add {name} --role {role}")
    check(run("users", "add", "shorty", "--role", "admin", "--db", db, stdin="short\n").returncode == 2,
          "a short password is refused")
    screen_token = run("users", "token", "rita", "--scope", "screen", "--db", db).stdout.strip()
    admin_token = run("users", "token", "ada", "--scope", "admin", "--db", db).stdout.strip()
    check(re.fullmatch(r"rf_[0-9a-f]{64}", screen_token) is not None, "users token prints a token")
    dump = open(db, "rb").read()
    check(screen_token.encode() not in dump, "the token is not stored in the database")
    check(b"correct horse battery" not in dump, "the password is not stored in the database")

    srv = Server(db, "--four-eyes")
    try:
        api(srv, screen_token, admin_token)
        workbench(srv, db)
        # after the workbench, whose cases show the parties of the first run
        replayed = screen_api(srv, db, screen_token, admin_token)
    finally:
        status, err = srv.stop()
    check(status == 0 and "stopped" in err, "SIGTERM stops the server cleanly (exit 0)")
    idempotency_after_restart(db, screen_token, replayed)
    screen_killed_and_retried(db, screen_token)
    idempotency_across_servers(db, screen_token)
    screen_stopped_under_load(db, screen_token)
    reload_and_diff(tmp)
    tls(tmp, db)
    if failures:
        print(f"{len(failures)} failed")
        return 1
    print("all passed")
    return 0


def api(srv, token, admin_token):
    status, _, text = srv.request("GET", "/api/v1/openapi.json")
    doc = json.loads(text)
    with open(os.path.join(SRC, "serve/openapi.json")) as f:
        check(status == 200 and doc == json.load(f), "/api/v1/openapi.json is the document in the repository")
    auth = {"Authorization": "Bearer " + token}
    for path in ("/api/v1/lists", "/api/v1/search?name=huawei", "/api/v1/runs/1"):
        status, h, text = srv.request("GET", path)
        check(status == 401 and h.get("WWW-Authenticate") == "Bearer" and conforms(doc, "Error", text),
              f"{path} without a token: 401 with a JSON error")
    status, _, text = srv.request("GET", "/api/v1/lists", headers={"Authorization": "Bearer rf_" + "0" * 64})
    check(status == 401, "a forged token: 401")
    status, _, text = srv.request("GET", "/api/v1/search?name=huawei", headers={"Authorization": "Bearer " + admin_token})
    check(status == 403 and conforms(doc, "Error", text), "search with an admin-only token: 403")
    status, _, text = srv.request("GET", "/api/v1/lists", headers=auth)
    check(status == 200 and conforms(doc, "Lists", text), "lists: 200 as the document says")
    lists = json.loads(text)
    check(lists["in_force"] and lists["in_force"][0]["feed"] == "csl" and lists["in_force"][0]["stale"],
          "lists: the bundled 2022 CSL is in force and stale")
    status, _, text = srv.request("GET", "/api/v1/search?name=Huawei%20Technologies&country=CN", headers=auth)
    ok = status == 200 and conforms(doc, "Party", text)
    party = json.loads(text) if ok else {}
    check(ok and party["status"] == "review" and any(h["list"] == "EL" for h in party["hits"]),
          "search Huawei Technologies: review, on the Entity List, as the document says")
    status, _, text = srv.request("GET", "/api/v1/search?name=Kimball%20Electronics", headers=auth)
    check(status == 200 and json.loads(text)["status"] == "clear", "search Kimball Electronics: clear")
    for path in ("/api/v1/search", "/api/v1/search?name=x&threshold=2", "/api/v1/search?name=x&max_hits=0"):
        status, _, text = srv.request("GET", path, headers=auth)
        check(status == 422 and conforms(doc, "Error", text), f"{path}: 422")
    status, _, text = srv.request("GET", "/api/v1/runs/1", headers=auth)
    check(status == 200 and conforms(doc, "Run", text) and json.loads(text)["parties"] > 0,
          "runs/1: the recorded run, as the document says")
    for path in ("/api/v1/runs/999", "/api/v1/runs/abc", "/api/v1/nothing"):
        status, _, text = srv.request("GET", path, headers=auth)
        check(status == 404 and conforms(doc, "Error", text), f"{path}: 404")
    status, h, text = srv.request("POST", "/api/v1/lists", body="{}", headers=auth)
    check(status == 405 and "GET" in (h.get("Allow") or ""), "POST on lists: 405 with Allow")
    status, _, text = srv.request("POST", "/login", body="x" * 100000,
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    check(status == 413 and conforms(doc, "Error", text), "a body over --max-body: 413")


def runs_count(db):
    with sqlite3.connect(db) as c:
        return c.execute("SELECT count(*) FROM run").fetchone()[0]


def post_screen(srv, token, body, content_type, document=None, key=None, timeout=30):
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = "Bearer " + token
    if key:
        headers["Idempotency-Key"] = key
    path = "/api/v1/screen" + ("?document=" + urllib.parse.quote(document) if document else "")
    return srv.request("POST", path, body=body, headers=headers, timeout=timeout)


def screen_api(srv, db, token, admin_token):
    """POST /api/v1/screen; returns (key, body) of an answer to replay after a restart."""
    doc = json.loads(srv.request("GET", "/api/v1/openapi.json")[2])
    ubl = os.path.join(SRC, "tests/data/orders/ubl/UBL-Order-2.1-Example.xml")
    bom = os.path.join(SRC, "tests/data/orders/bom-csv/hackrf-one-bom_kicad-grouped.csv")
    # the demo order: a Huawei affiliate, and a ship-to in the Crimea given by its address
    demo = os.path.join(SRC, "examples/order-ubl.xml")
    workbook = os.path.join(SRC, "tests/data/xlsx-bom/diyruz-geiger_BOM.xlsx")
    xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    with open(ubl, "rb") as f:
        ubl_bytes = f.read()
    for path, content_type in ((ubl, "application/xml"), (bom, "text/csv"), (demo, "application/xml"),
                               (workbook, xlsx_type)):
        with open(path, "rb") as f:
            body = f.read()
        r = run("screen", "--db", db, "--format", "jsonl", path)
        expected = [json.loads(line) for line in r.stdout.splitlines()]
        status, _, text = post_screen(srv, token, body, content_type, document=path)
        ok = status == 200 and conforms(doc, "Screening", text)
        answer = json.loads(text) if ok else {}
        name = os.path.basename(path)
        check(ok and answer["parties"] == expected and answer["parties"],
              f"screen {name}: every party as `redflag screen --format jsonl` writes it")
        verdict = ("embargo" if any(p.get("embargo") for p in expected)
                   else ("clear", "review")[r.returncode])
        check(ok and answer["verdict"] == verdict and answer["exit_status"] == r.returncode,
              f"screen {name}: the verdict of `redflag screen` ({verdict}, {r.returncode})")
        run_id = answer.get("run_id", 0)
        status, _, text = srv.request("GET", f"/api/v1/runs/{run_id}",
                                      headers={"Authorization": "Bearer " + token})
        recorded = json.loads(text) if status == 200 else {}
        check(recorded.get("user") == "rita" and recorded.get("parties") == len(expected) and
              recorded.get("status") == "done",
              f"screen {name}: recorded as run {run_id} under the token's user")
        shown = run("history", "show", str(run_id), "--db", db, "--format", "jsonl")
        check([json.loads(line) for line in shown.stdout.splitlines()] == expected,
              f"screen {name}: `history show {run_id}` gives the same parties")
        check(re.search(rf"^{run_id}\s.*\brita\s+screen\b", run("history", "--db", db).stdout, re.M)
              is not None, f"screen {name}: run {run_id} in `redflag history`")

    parties = json.dumps({"parties": [{"name": "Huawei Technologies", "country": "cn", "role": "buyer"},
                                      {"name": "Kimball Electronics Inc", "country": "US"}]})
    status, _, text = post_screen(srv, token, parties, "application/json")
    answer = json.loads(text) if status == 200 and conforms(doc, "Screening", text) else {}
    # Huawei Technologies in China may be a counterparty the workbench confirmed already:
    # confirmed or new, it is an alarm.
    check([p["status"] for p in answer.get("parties", [])] in (["review", "clear"], ["confirmed", "clear"]) and
          answer["verdict"] == "review" and answer["parties"][0]["country"] == "CN",
          "screen JSON parties: Huawei to review, Kimball clear, verdict review")

    # A misspelt member is refused, not ignored: its country would go unchecked.
    status, _, text = post_screen(srv, token, json.dumps({"parties": [{"name": "Kimball Electronics Inc",
                                                                       "contry": "IR"}]}),
                                  "application/json")
    check(status == 400 and conforms(doc, "Error", text) and "contry" in text,
          "screen JSON parties: an unknown member (contry) is a 400 naming it")

    for what, t in (("without a token", None), ("with an admin-only token", admin_token)):
        before = runs_count(db)
        status, _, text = post_screen(srv, t, ubl_bytes, "application/xml")
        check(status == (401 if t is None else 403) and conforms(doc, "Error", text) and
              runs_count(db) == before, f"screen {what}: {401 if t is None else 403}, nothing recorded")
    status, h, text = srv.request("GET", "/api/v1/screen", headers={"Authorization": "Bearer " + token})
    check(status == 405 and h.get("Allow") == "POST", "GET on screen: 405 with Allow: POST")
    status, _, text = post_screen(srv, token, ubl_bytes[:1500], "application/xml", document="broken.xml")
    error = json.loads(text).get("error", {}) if conforms(doc, "Error", text) else {}
    check(status == 400 and error.get("line") == 34 and error.get("column") == 21 and
          "broken.xml:34:" in error.get("message", ""),
          "screen a truncated UBL order: 400 naming line 34, column 21")
    status, _, text = srv.request("GET", f"/api/v1/runs/{error.get('run_id', 0)}",
                                  headers={"Authorization": "Bearer " + token})
    check(status == 200 and json.loads(text)["exit_status"] == 2,
          "the unreadable order is recorded as a run with exit status 2")
    status, _, text = post_screen(srv, token, '{"parties": [{"name": "x",}]}', "application/json")
    error = json.loads(text).get("error", {}) if conforms(doc, "Error", text) else {}
    check(status == 400 and error.get("line") == 1 and error.get("column", 0) > 0,
          "screen malformed JSON: 400 with line and column")
    for body, content_type, want, what in ((b"", "application/xml", 400, "an empty body"),
                                           (b"a=b", "application/x-www-form-urlencoded", 415, "a form"),
                                           (b"x" * 100000, "text/csv", 413, "a body over --max-body")):
        status, _, text = post_screen(srv, token, body, content_type)
        check(status == want and conforms(doc, "Error", text), f"screen {what}: {want}")

    # Idempotency-Key: a retry gets the first answer, one run; another request with it 422.
    before = runs_count(db)
    first = post_screen(srv, token, ubl_bytes, "application/xml", key="order-34-try")
    again = post_screen(srv, token, ubl_bytes, "application/xml", key="order-34-try")
    check(first[0] == 200 and again[0] == 200 and first[2] == again[2] and runs_count(db) == before + 1,
          "the same Idempotency-Key twice: one run, the same answer")
    status, _, text = post_screen(srv, token, parties, "application/json", key="order-34-try")
    check(status == 422 and conforms(doc, "Error", text) and "Idempotency-Key" in text and
          runs_count(db) == before + 1, "the same Idempotency-Key with another body: 422, nothing run")
    before = runs_count(db)
    answers = []

    def post_duplicate():
        answers.append(post_screen(srv, token, ubl_bytes, "application/xml", key="concurrent-1"))

    threads = [threading.Thread(target=post_duplicate) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(len(answers) == 8 and all(a[0] == 200 and a[2] == answers[0][2] for a in answers) and
          runs_count(db) == before + 1, "8 concurrent requests with one Idempotency-Key: one run, one answer")
    return "order-34-try", first[2], ubl_bytes


def idempotency_after_restart(db, token, replayed):
    key, body, request = replayed
    srv = Server(db)
    try:
        before = runs_count(db)
        status, _, text = post_screen(srv, token, request, "application/xml", key=key)
        check(status == 200 and text == body and runs_count(db) == before,
              "an Idempotency-Key answered before a restart is answered again after it, no new run")
    finally:
        srv.stop()


def runs_not_done(db):
    with sqlite3.connect(db) as c:
        return c.execute("SELECT count(*) FROM run WHERE status <> 'done'").fetchone()[0]


def screen_killed_and_retried(db, token):
    """A server killed (SIGKILL) while it screens a large order leaves no trace of it: no
    run, running or interrupted, and no Idempotency-Key; the client's retry under the same
    key after the restart is screened and recorded exactly once, and the chain verifies."""
    n_parties = 20000  # about a second's screening in a release build; several under the sanitizers
    rows = "".join(f"L{i},Trading Company Number {i} Limited,DE\n" for i in range(n_parties))
    order = ("ref,buyer,country\n" + rows).encode()
    srv = Server(db, "--max-body", str(4 << 20))
    runs, unfinished = runs_count(db), runs_not_done(db)
    outcome = []

    def post():
        try:
            outcome.append(post_screen(srv, token, order, "text/csv", key="big-order-1", timeout=300)[0])
        except (ConnectionError, http.client.HTTPException, OSError) as e:
            outcome.append(repr(e))

    client = threading.Thread(target=post)
    client.start()
    time.sleep(0.3)  # the body is read; the parties are being screened
    srv.proc.kill()
    srv.proc.communicate(timeout=60)
    client.join()
    check(outcome and not isinstance(outcome[0], int),
          f"a request cut off by SIGKILL gets no answer ({outcome[:1]})")
    with sqlite3.connect(db) as c:
        keys = c.execute("SELECT count(*) FROM api_idempotency_key WHERE key = 'big-order-1'").fetchone()[0]
    check(runs_count(db) == runs and runs_not_done(db) == unfinished and keys == 0,
          "a request killed mid-way leaves no run (running or interrupted) and no Idempotency-Key")
    srv = Server(db, "--max-body", str(4 << 20))
    try:
        first = post_screen(srv, token, order, "text/csv", key="big-order-1", timeout=300)
        again = post_screen(srv, token, order, "text/csv", key="big-order-1", timeout=300)
    finally:
        srv.stop()
    run_id = json.loads(first[2]).get("run_id", 0) if first[0] == 200 else 0
    with sqlite3.connect(db) as c:
        recorded = c.execute("SELECT status, parties FROM run WHERE id = ?", (run_id,)).fetchone()
    check(first[0] == 200 and again[2] == first[2] and runs_count(db) == runs + 1 and
          recorded == ("done", n_parties),
          f"its retry under the same Idempotency-Key is screened once: one run of {n_parties} parties, answered again")
    check(run("audit", "verify", "--db", db).returncode == 0,
          "after the killed request and its retry, the evidence chain verifies")


def idempotency_across_servers(db, token):
    """Two servers on one database, each sent the same order under the same Idempotency-Key
    at once: both screen it, the second to record finds the key the first committed and
    gives up its run. One run, one answer to every request, and the chain verifies."""
    rows = "".join(f"L{i},Trading Company Number {i} Limited,DE\n" for i in range(2000))
    order = ("ref,buyer,country\n" + rows).encode()
    servers = [Server(db, "--max-body", str(1 << 20)) for _ in range(2)]
    before = runs_count(db)
    answers = []
    try:
        threads = [threading.Thread(target=lambda srv=srv: answers.append(
            post_screen(srv, token, order, "text/csv", key="two-servers-1", timeout=300)))
            for srv in servers for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for srv in servers:
            srv.stop()
    check(len(answers) == 6 and all(a[0] == 200 and a[2] == answers[0][2] for a in answers) and
          runs_count(db) == before + 1,
          f"one Idempotency-Key sent to two servers at once: one run, one answer "
          f"({runs_count(db) - before} runs, statuses {sorted(a[0] for a in answers)})")
    check(run("audit", "verify", "--db", db).returncode == 0,
          "after a key answered by two servers, the evidence chain verifies")


def sigterm_under_load(srv, request, setup=None, clients=8, answers=40):
    """Sends request(state, i, k) from `clients` threads (state: setup(i), or None) until
    `answers` are answered, then stops the server with SIGTERM. request returns (answered,
    value). A request refused, reset or cut by a broken pipe before its answer began
    (ConnectionError), or answered 503 (begun on a kept-alive connection once the server was
    stopping, and not handled), ends its client: the server never took it; any other failure
    (an IncompleteRead: an answer cut short) is broken, as is a value not answered. Returns the
    server's exit status and stderr, the answered values and the broken ones."""
    answered, broken, lock = [], [], threading.Lock()

    def client(i):
        state = setup(i) if setup else None
        for k in range(100000):
            try:
                ok, value = request(state, i, k)
            except (ConnectionError, http.client.HTTPException, OSError) as e:
                with lock:
                    if not isinstance(e, ConnectionError):
                        broken.append(repr(e))
                return
            if not ok and value == 503:
                return
            with lock:
                (answered if ok else broken).append(value)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    while len(answered) < answers and all(t.is_alive() for t in threads):
        time.sleep(0.05)
    status, err = srv.stop()
    for t in threads:
        t.join()
    return status, err, answered, broken


def screen_stopped_under_load(db, token):
    """SIGTERM while orders are posted from 8 clients, each with a key of its own: every
    order answered is recorded as one run with its key, none that was not answered, no run
    is left running, and the chain verifies."""
    with open(os.path.join(SRC, "tests/data/orders/peppol/PEPPOL-BIS3-Order_Example.xml"), "rb") as f:
        order = f.read()
    srv = Server(db)
    runs, unfinished = runs_count(db), runs_not_done(db)

    def request(_, i, k):
        status, _, text = post_screen(srv, token, order, "application/xml", key=f"stop-{i}-{k}")
        return (status == 200, (f"stop-{i}-{k}", json.loads(text)["run_id"]) if status == 200 else status)

    status, err, answered, broken = sigterm_under_load(srv, request)
    with sqlite3.connect(db) as c:
        keyed = dict(c.execute("SELECT key, run_id FROM api_idempotency_key WHERE key LIKE 'stop-%'"))
    check(status == 0 and not broken, f"SIGTERM while orders are screened: a clean stop, no answer cut off ({broken[:3]})")
    check(len(answered) > 0 and keyed == dict(answered) and runs_count(db) == runs + len(answered) and
          runs_not_done(db) == unfinished,
          f"SIGTERM while orders are screened: each order answered is one run with its key, and only those ({len(answered)} answered, {runs_count(db) - runs} runs, {len(keyed)} keys)")
    check(run("audit", "verify", "--db", db).returncode == 0,
          "SIGTERM while orders are screened: the evidence chain verifies")


def case_links(html):
    return [l.replace("&amp;", "&") for l in re.findall(r'href="(/case\?[^"]+)"', html)]


def workbench(srv, db):
    b = Browser(srv)
    status, h, _ = b.get("/queue")
    check(status == 303 and h.get("Location") == "/login", "the queue without a session: to sign-in")
    b.get("/login")
    status, _, _ = b.post("/login", {"user": "rita", "password": "correct horse battery"}, csrf=False)
    check(status == 403, "sign-in without its CSRF token: 403")
    status, h, _ = b.sign_in("rita", "correct horse battery")
    cookie = [c for c in h.get_all("Set-Cookie") or [] if c.startswith("rf_session=")]
    check(status == 303 and cookie and "HttpOnly" in cookie[0] and "SameSite=Strict" in cookie[0]
          and "Secure" not in cookie[0], "sign-in: session cookie HttpOnly, SameSite=Strict (no TLS: not Secure)")
    status, h, html = b.get("/queue")
    csp = h.get("Content-Security-Policy") or ""
    check(status == 200 and "default-src 'none'" in csp and "script-src" not in csp,
          "the queue: 200 with a strict Content-Security-Policy")
    check("<script>Huawei" not in html and "&lt;script&gt;Huawei Technologies&lt;/script&gt;" in html,
          "a name carrying <script> is shown as text")
    check("<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html,
          "a name carrying <img onerror> is shown as text")
    check("http://" not in html and "https://" not in html and "<script" not in html,
          "no external resources, no scripts")
    links = case_links(html)
    check(len(links) >= 2, f"the queue lists the alarms ({len(links)} hits)")
    # An Entity List hit: its record has a Federal Register notice and a license policy.
    case = next((l for l in links if "list=EL&" in l), links[0])
    status, _, page = b.get(case)
    check(status == 200 and "Listed record" in page and "Why it matched" in page,
          "a case page: party and listed record side by side, why they matched")
    check("orders.csv" in page and ("PO-1" in page or "PO-2" in page), "the case names the order the party was on")
    marked = re.findall(r"<mark>([^<]*)</mark>", page)
    check(len(marked) >= 2 and "class=\"why\"" in page,
          f"the case marks the words that matched, in the party and in the listed name ({marked[:4]})")
    for label in ("Federal Register", "License requirement", "License policy", "address"):
        check(f"<th>{label}</th>" in page, f"the case shows the listed record's {label}")
    # The listed buyer of the UBL order: the lines it concerns, with their quantities.
    upage = next((p for p in (b.get(l)[2] for l in links) if "ubl_listed_buyer.xml" in p), "")
    check("<th>Quantity</th>" in upage and "Falu Rödfärg" in upage and ">120 LTR<" in upage,
          "a case from a UBL order shows the order lines concerned")
    target = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(case).query))
    form = {"fp": target["fp"], "list": target["list"], "id": target["id"], "decision": "confirm"}
    status, _, _ = b.post("/case/decide", dict(form, reason="the same"), csrf=False)
    check(status == 403, "a decision without its CSRF token: 403")
    status, _, _ = b.post("/case/decide", dict(form, reason="   "))
    check(status == 422, "a decision without a reason: 422")
    status, h, _ = b.post("/case/decide", dict(form, reason="same name, same city, same FR notice"))
    check(status == 303, "rita confirms the hit")
    status, _, page = b.get(h.get("Location"))
    check("same name, same city" in page and "rita" in page, "the case page shows the decision, with who")
    status, _, _ = b.post("/case/decide", dict(form, decision="clear", reason="changed my mind"))
    check(status == 403, "four eyes: a reviewer cannot clear a confirmed hit (403)")
    # The same for an escalated hit: another of the queue's.
    other = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(next(l for l in links if l != case)).query))
    esc = {"fp": other["fp"], "list": other["list"], "id": other["id"]}
    b.get("/case?" + urllib.parse.urlencode(other))
    status, _, _ = b.post("/case/decide", dict(esc, decision="escalate", reason="ask legal"))
    status2, _, page = b.post("/case/decide", dict(esc, decision="clear", reason="legal said fine"))
    check(status == 303 and status2 == 403 and "needs an approver" in page,
          "four eyes: a reviewer cannot clear an escalated hit either (403, saying why)")
    status, _, _ = b.get("/admin/users")
    check(status == 403, "a reviewer on an admin page: 403")
    status, _, csv = b.get("/audit/decisions.csv")
    check(status == 200 and "rita" in csv and "confirmed" in csv, "the audit export holds the decision")
    status, h, page = b.get("/audit")
    trail = re.findall(r"<tr><td>(\d{4}-\d\d-\d\dT[^<]*)</td><td>([^<]*)</td><td>([a-z ]+) (\d+)</td>", page)
    check(status == 200 and ("rita", "decision") in [(t[1], t[2]) for t in trail]
          and any(t[2] == "run" for t in trail) and any(t[2] == "list import" for t in trail),
          f"the audit page lists every action with user and time ({len(trail)} actions)")
    check('href="/audit"' in page and 'href="/runs"' in page and 'href="/lists"' in page,
          "the navigation links runs, lists and the audit export")
    r = run("review", "list", "--db", db)
    check("rita" in r.stdout and "confirmed" in r.stdout, "the command line sees the web decision")

    a = Browser(srv)
    a.sign_in("alex", "correct horse battery")
    a.get(case)
    status, _, _ = a.post("/case/decide", dict(form, decision="clear", reason="other company, checked register"))
    check(status == 303, "four eyes: an approver clears it")
    a.get("/case?" + urllib.parse.urlencode(other))
    status, _, _ = a.post("/case/decide", dict(esc, decision="clear", reason="legal said fine"))
    check(status == 303, "four eyes: an approver clears the escalated hit")
    a.post("/logout", {})
    status, _, _ = a.get("/queue")
    check(status == 303, "signed out: the session is gone")

    ada = Browser(srv)
    ada.sign_in("ada", "correct horse battery")
    status, _, page = ada.get("/admin/users")
    check(status == 200 and "rita" in page, "an admin sees the users")
    status, _, all_open = ada.get("/queue")
    status, _, high = ada.get("/queue?min_score=0.99&sort=name")
    check(0 < len(case_links(high)) < len(case_links(all_open)), "the queue filters by score")
    # "This is entity X, the others are not": the counterparty with the most open hits.
    by_fp = {}
    for link in case_links(all_open):
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query))
        by_fp.setdefault(q["fp"], []).append(q)
    hits = max(by_fp.values(), key=len)
    check(len(hits) >= 3, f"a counterparty with several open hits ({len(hits)})")
    one = hits[0]
    ada.get("/case?" + urllib.parse.urlencode(one))
    status, _, _ = ada.post("/case/decide", {"fp": one["fp"], "list": one["list"], "id": one["id"],
                                             "decision": "confirm", "others": "clear",
                                             "reason": "registry number matches"})
    r = run("review", "list", "--db", db, "--party", one["fp"])
    check(status == 303 and r.stdout.count("confirmed") == 1 and r.stdout.count("cleared") == len(hits) - 1,
          "confirm one entity and clear the counterparty's other hits in one step")
    status, _, after = ada.get("/queue")
    check(one["fp"] not in after, "the counterparty has left the open queue")
    status, _, page = ada.get("/runs")
    check(status == 200 and "screen" in page, "the runs page")
    status, _, page = ada.get("/lists")
    check(status == 200 and "2022-05-01" in page and 'class="age old"' in page,
          "the lists page: the bundled version, its date, amber for its age")

    forged = Browser(srv)
    forged.cookies["rf_session"] = "0" * 64
    status, h, _ = forged.get("/queue")
    check(status == 303 and h.get("Location") == "/login", "a forged session: back to sign-in")
    forged.csrf = "0" * 64
    status, _, _ = forged.post("/case/decide", dict(form, reason="x"))
    check(status == 403, "a forged session cannot decide: 403")

    m = Browser(srv)
    statuses = [m.sign_in("target", "wrong password %d" % i)[0] for i in range(6)]
    check(statuses[0] == 401 and statuses[-1] == 429, f"repeated wrong passwords: 401 then 429 ({statuses})")
    status, _, _ = m.sign_in("target", "correct horse battery")
    check(status == 429, "while blocked, even the right password waits (429)")
    status, _, page = Browser(srv).sign_in("ada", "correct horse battery")
    check(status == 303, f"another user from the same address still signs in ({status})")


def reload_and_diff(tmp):
    """The command line imports lists while the server runs: the server screens with them
    without a restart, and every request meanwhile is answered."""
    db = os.path.join(tmp, "reload.sqlite")
    lists = os.path.join(SRC, "tests/data/lists")
    check(run("lists", "init", "--db", db).returncode == 0, "reload: lists init")
    run("users", "add", "ada", "--role", "admin", "--db", db, stdin="correct horse battery\n")
    token = run("users", "token", "ada", "--scope", "screen,admin", "--db", db).stdout.strip()
    auth = {"Authorization": "Bearer " + token}
    name = "/api/v1/search?name=Zapchasttrade%20LLP"
    srv = Server(db)
    errors, done = [], threading.Event()

    def search_meanwhile():
        while not done.is_set():
            status, _, text = srv.request("GET", "/api/v1/search?name=Huawei%20Technologies", headers=auth)
            if status != 200 or not json.loads(text)["hits"]:
                errors.append(status)

    try:
        status, _, text = srv.request("GET", name, headers=auth)
        check(status == 200 and json.loads(text)["status"] == "clear",
              "reload: Zapchasttrade LLP (on the UK list of 2025 only) is clear before the import")
        before = json.loads(srv.request("GET", "/api/v1/lists", headers=auth)[2])["screening_with"]
        meanwhile = threading.Thread(target=search_meanwhile)
        meanwhile.start()
        r = run("lists", "import", "--db", db, os.path.join(lists, "uk/ofsi_ConList_2025-04-10_entities-non-latin.csv.gz"))
        check(r.returncode == 0, "reload: the UK list imported from the command line")
        loaded, deadline = before, time.monotonic() + 120
        while loaded == before and time.monotonic() < deadline:
            time.sleep(0.2)
            loaded = json.loads(srv.request("GET", "/api/v1/lists", headers=auth)[2])["screening_with"]
        done.set()
        meanwhile.join()
        check(len(loaded) == len(before) + 1, f"reload: the server loaded the new version ({before} -> {loaded})")
        check(not errors, f"reload: every search during the reload was answered with its hits ({errors[:3]})")
        status, _, text = srv.request("GET", name, headers=auth)
        party = json.loads(text)
        check(status == 200 and party["status"] == "review" and party["hits"][0]["list"] == "UK",
              "reload: after the import, Zapchasttrade LLP is a hit on the UK list, without a restart")

        # Two versions of one feed, and the page of what changed between them.
        for path, date, extra in (("dpl_2018-05-01_excerpt.txt", "2018-05-01", ()),
                                  ("dpl_2018-08-01_excerpt.txt", "2018-08-01", ("--allow-shrink",))):
            run("lists", "import", "--db", db, "--effective", date, *extra, os.path.join(lists, path))
        versions = re.findall(r"^version (\d+)\s+bis-dpl", run("lists", "history", "--db", db).stdout, re.M)
        check(len(versions) == 2, f"diff: two versions of the DPL ({versions})")
        old, new = sorted(versions, key=int)
        cli = run("lists", "diff", "--db", db, old, new).stdout
        b = Browser(srv)
        b.sign_in("ada", "correct horse battery")
        status, _, page = b.get("/lists")
        check(f'href="/lists/diff?old={old}&amp;new={new}"' in page, "diff: the lists page links each version to the one before")
        status, _, page = b.get(f"/lists/diff?old={old}&new={new}")
        totals = re.search(r"(\d+) added, (\d+) removed, (\d+) changed, (\d+) unchanged", cli).groups()
        removed = re.findall(r"^removed\s+DPL\s+(.+)$", cli, re.M)
        check(status == 200 and "%s added, %s removed, %s changed, %s unchanged" % totals in page
              and removed and all(n in page for n in removed),
              f"diff: the page shows what lists diff prints ({len(removed)} removed)")
        status, _, _ = b.get("/lists/diff?old=1&new=999")
        check(status == 404, "diff: an unknown version: 404")
    finally:
        done.set()
        stop_under_load(srv, db)


def stop_under_load(srv, db):
    """SIGTERM while decisions and searches are in flight: each request either gets its whole
    answer or is never taken, and the decisions recorded are exactly those answered."""
    run("screen", "--db", db, "-o", os.devnull, os.path.join(SRC, "tests/data/orders/ubl/UBL-Order-2.1-Example.xml"))
    orders = os.path.join(os.path.dirname(db), "huawei.csv")
    with open(orders, "w") as f:
        f.write("ref,buyer,country\nPO-9,Huawei Technologies Co Ltd,CN\n")
    run("screen", "--db", db, "-o", os.devnull, orders)
    b = Browser(srv)
    b.sign_in("ada", "correct horse battery")
    link = case_links(b.get("/queue")[2])[0]
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query))

    def signed_in(_):
        me = Browser(srv)
        me.sign_in("ada", "correct horse battery")
        me.get(link)
        return me

    def decide(me, i, k):
        status, _, _ = me.post("/case/decide", {"fp": q["fp"], "list": q["list"], "id": q["id"],
                                                "decision": "escalate", "reason": f"load {i}.{k}"})
        return status == 303, status

    status, err, answered, broken = sigterm_under_load(srv, decide, signed_in)
    with sqlite3.connect(db) as con:
        recorded = con.execute("SELECT count(*) FROM review_decision WHERE reason LIKE 'load %'").fetchone()[0]
    check(status == 0 and "stopped" in err, "SIGTERM under load: the server stops cleanly (exit 0)")
    check(not broken, f"SIGTERM under load: no request cut off mid-answer ({broken[:3]})")
    check(recorded == len(answered) > 0,
          f"SIGTERM under load: every answered decision is recorded, and only those ({len(answered)} answered, {recorded} recorded)")
    check(run("audit", "verify", "--db", db).returncode == 0, "SIGTERM under load: the evidence chain verifies")


def tls(tmp, db):
    """--tls-cert/--tls-key with a throwaway self-signed certificate made here."""
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], capture_output=True, text=True)
    if r.returncode != 0:
        check(False, "tls: openssl makes a certificate: " + r.stderr.strip()[-200:])
        return
    context = ssl.create_default_context(cafile=cert)
    srv = Server(db, "--tls-cert", cert, "--tls-key", key, tls=context)
    try:
        b = Browser(srv)
        status, h, _ = b.get("/login")
        check(status == 200 and "max-age" in (h.get("Strict-Transport-Security") or ""),
              "tls: the sign-in page over HTTPS, with Strict-Transport-Security")
        status, h, _ = b.sign_in("rita", "correct horse battery")
        cookie = [c for c in h.get_all("Set-Cookie") or [] if c.startswith("rf_session=")]
        check(status == 303 and cookie and "Secure" in cookie[0] and "HttpOnly" in cookie[0],
              "tls: the session cookie is Secure")
        status, _, page = b.get("/queue")
        check(status == 200 and "Queue" in page, "tls: the queue over HTTPS")
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
            s.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            try:
                reply = s.recv(4096)
            except OSError:
                reply = b""
        check(not reply.startswith(b"HTTP/1.1 200") and b"Sign in" not in reply,
              f"tls: plain HTTP on the TLS port gets no page ({reply[:20]!r})")
        try:
            ssl.create_default_context().wrap_socket(
                socket.create_connection(("127.0.0.1", srv.port), timeout=10),
                server_hostname="127.0.0.1").close()
            check(False, "tls: a client that does not trust the certificate refuses it")
        except ssl.SSLError:
            check(True, "tls: a client that does not trust the certificate refuses it")
    finally:
        status, err = srv.stop()
    check(status == 0, "tls: the server stops cleanly")


if __name__ == "__main__":
    sys.exit(main())
